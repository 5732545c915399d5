"""quiz: study YAML question decks in the terminal, scheduled by FSRS."""

__version__ = "0.1.0"
