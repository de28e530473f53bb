"""`python -m pactlab.app.cli`: the command line."""
from . import main

main()
