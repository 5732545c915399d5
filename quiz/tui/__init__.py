"""The Textual user interface; the only part of quiz that imports Textual."""
