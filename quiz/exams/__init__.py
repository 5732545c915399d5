"""Exams: timed, scored tests drawn from the decks, taken in attempts that are stored."""
