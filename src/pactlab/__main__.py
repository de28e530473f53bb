"""`python -m pactlab`: the command line."""
from .app.cli import main

main()
