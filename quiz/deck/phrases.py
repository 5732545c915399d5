"""Finding many phrases (tuples of tokens) in texts as tokens, in time linear in each text."""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Iterable

Phrase = tuple[str, ...]


class Phrases:
    """The phrases to look for, as one automaton (Aho-Corasick) over their tokens."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        # A trie of the phrases, then for each node the longest proper suffix of its path that
        # is in the trie too (`fail`), and the nearest node along those that ends a phrase
        # (`more`). Reading a text is then one step per token however many phrases share a
        # first word or a length: a first-word index tried each length at every word, which
        # grew as a text's length times its answers' lengths.
        goto: list[dict[str, int]] = [{}]
        ends: list[Phrase | None] = [None]
        for phrase in phrases:
            node = 0
            for token in phrase:
                child = goto[node].get(token)
                if child is None:
                    child = len(goto)
                    goto[node][token] = child
                    goto.append({})
                    ends.append(None)
                node = child
            if node:
                ends[node] = phrase
        fail = [0] * len(goto)
        more = [0] * len(goto)
        queue = deque(goto[0].values())
        while queue:
            node = queue.popleft()
            for token, child in goto[node].items():
                queue.append(child)
                if not node:
                    continue
                back = fail[node]
                while back and token not in goto[back]:
                    back = fail[back]
                found = goto[back].get(token, 0)
                fail[child] = found
                more[child] = found if ends[found] is not None else more[found]
        self._goto = goto
        self._ends = ends
        self._fail = fail
        self._more = more
        self.first = frozenset(goto[0])

    def __bool__(self) -> bool:
        return len(self._goto) > 1

    def found(self, tokens: Iterable[str]) -> set[Phrase]:
        """The phrases that appear in `tokens`, each as a run of whole tokens."""
        goto, ends, fail, more = self._goto, self._ends, self._fail, self._more
        hits: set[int] = set()
        node = 0
        for token in tokens:
            while True:
                child = goto[node].get(token)
                if child is not None:
                    node = child
                    break
                if not node:
                    break
                node = fail[node]
            hit = node if ends[node] is not None else more[node]
            # A node already found had every shorter phrase ending with it found then too.
            while hit and hit not in hits:
                hits.add(hit)
                hit = more[hit]
        return {phrase for hit in hits if (phrase := ends[hit]) is not None}


_NOT_WORD = re.compile(r"\W")


def contains_words(text: str, phrase: str) -> bool:
    """Whether `phrase` appears in `text` as whole words, ignoring case and spacing."""
    # What one pattern per phrase, r"(?<!\w)WORD\s+WORD(?!\w)" with re.IGNORECASE, finds; but
    # compiling a pattern per answer grew with its length (a long answer took seconds and a
    # gigabyte), so both are folded and their spacing made one space, and the phrase is
    # looked for as it is, in time linear in the text.
    needle = " ".join(_fold(phrase).split())
    if not needle:
        return False
    haystack = " ".join(_fold(text).split())
    starts_word = _is_word(needle[0])
    at = haystack.find(needle)
    while at >= 0:
        end = at + len(needle)
        if starts_word and at and _is_word(haystack[at - 1]):
            # No match starts inside a word: go on after it.
            after = _NOT_WORD.search(haystack, at)
            if after is None:
                return False
            at = haystack.find(needle, after.end())
            continue
        if (not at or not _is_word(haystack[at - 1])) and (
            end == len(haystack) or not _is_word(haystack[end])
        ):
            return True
        at = haystack.find(needle, at + 1)
    return False


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _fold(text: str) -> str:
    # ASCII letters match ignoring case exactly when their lowercase letters are equal.
    return text.lower() if text.isascii() else "".join(map(_fold_char, text))


@functools.cache
def _fold_char(char: str) -> str:
    """The character that all the characters matching `char` ignoring case fold to."""
    # The pattern engine compares single characters by their simple lowercase, and counts as
    # equal too the lowercase letters that share an uppercase one (long s and s, dotless i
    # and i, micro sign and mu). str.lower is the full mapping, which differs only for the
    # dotted capital I; a character whose mappings are not single characters folds to itself.
    if char == "\u0130":
        return "i"
    lower = char.lower()
    if len(lower) != 1:
        return char
    upper = lower.upper()
    again = upper.lower() if len(upper) == 1 else lower
    return again if len(again) == 1 and again.upper() == upper else lower
