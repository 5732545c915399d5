"""Tags from other tools made into quiz tags (Unicode words), with what could not be kept."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from quiz.deck.vocabulary import is_tag


def _words(text: str) -> list[str]:
    """Runs of letters and digits of any script, with the marks that follow them."""
    # Marks stay in their word (a Devanagari vowel sign); anything else separates words.
    out: list[str] = []
    word = ""
    for char in text:
        kind = unicodedata.category(char)[0]
        if kind in "LN" or (kind == "M" and word):
            word += char
        elif word:
            out.append(word)
            word = ""
    if word:
        out.append(word)
    return out


def make_tag(text: str) -> str:
    """A quiz tag from any text ('Asia::Central' to 'asia-central', 'Столицы' to 'столицы')."""
    tag = "-".join(_words(unicodedata.normalize("NFC", text).lower()))
    # Lowering can leave a letter unnormalised (rare); normalise once more, and check the rule.
    tag = unicodedata.normalize("NFC", tag)
    return tag if is_tag(tag) else ""


@dataclass
class TagMaker:
    """Makes tags for one import and counts the ones with no letter or digit, which are lost."""

    dropped: Counter[str] = field(default_factory=Counter)

    def tags(self, raw: Iterable[str]) -> list[str]:
        """The tags made of `raw`, in order and once each; the others are counted."""
        out: list[str] = []
        for text in raw:
            if not text.strip():
                continue
            tag = make_tag(text)
            if tag:
                out.append(tag)
            else:
                self.dropped[text.strip()] += 1
        return list(dict.fromkeys(out))

    def notes(self) -> list[str]:
        """What was left out, with counts: said to the user."""
        if not self.dropped:
            return []
        shown = ", ".join(f"'{tag}' ({count})" for tag, count in self.dropped.most_common(5))
        more = f", and {len(self.dropped) - 5} more" if len(self.dropped) > 5 else ""
        return [
            f"{sum(self.dropped.values())} tag(s) on cards left out: a tag needs a letter or a "
            f"digit: {shown}{more}"
        ]
