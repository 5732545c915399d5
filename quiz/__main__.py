"""Run the command line as `python -m quiz`."""

from quiz.cli import main

main()
