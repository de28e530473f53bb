"""The front ends: the command line and the web workbench."""
