"""Moving decks in and out of other tools: CSV/TSV, Anki packages and Moodle GIFT."""

from __future__ import annotations

# Each format and what it keeps, as `--help` lists them.
IMPORT_FORMATS = {
    "csv": "rows of front, back and optional tags; header and delimiter detected",
    "tsv": "the same, separated by tabs",
    "apkg": "an Anki package (.apkg, .colpkg): a deck file per Anki deck, with the history",
    "gift": "Moodle GIFT: choice, true/false, short answer, numerical, matching, missing word",
    "moodle": "Moodle XML (.xml): the same, and ordering and cloze (embedded answers) questions",
}
EXPORT_FORMATS = {
    "apkg": "Anki package: flashcards, reversed cards and clozes; other types as flashcards",
    "gift": "Moodle GIFT: choice, true_false, typed, numeric, match and cloze cards",
    "moodle": "Moodle XML (.xml): every card type but flashcards",
    "csv": "front, back, tags, explanation, reverse, id, source; other types as text",
    "tsv": "the same, separated by tabs",
}


class InterchangeError(Exception):
    """A file could not be imported or exported; the message says why, in one line."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
