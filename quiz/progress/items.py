"""Item analysis: how hard each card is and how well it separates strong learners from weak."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from quiz.progress.stats import deck_ids, item_prompt
from quiz.store import reports
from quiz.store.database import Store

# Flag an item that nearly everyone gets right, or nearly everyone gets wrong...
EASY_FACILITY = 0.9
HARD_FACILITY = 0.1
# ... but only once enough learners answered it for the figures to mean something.
MIN_ANSWERS = 5


@dataclass(frozen=True)
class ItemAnalysis:
    """Facility, discrimination and distractor counts of one study item."""

    deck_id: str
    item_key: str
    card_type: str
    path: str
    line: int
    prompt: str
    answers: int  # learners with a first answer
    right: int  # of those first answers, the right ones
    discrimination: float | None
    distractors: tuple[tuple[str, int], ...]  # each wrong choice and how often it was picked
    flags: tuple[str, ...]

    @property
    def facility(self) -> float | None:
        """Share of first answers that were right."""
        return self.right / self.answers if self.answers else None

    @property
    def place(self) -> str:
        """Where the card is written, as path:line."""
        return f"{self.path}:{self.line}"


def pearson(n: int, sx: float, sy: float, sxy: float, sxx: float, syy: float) -> float | None:
    """Pearson's correlation from sums, or None when either variable does not vary."""
    if n < 2:
        return None
    cov = n * sxy - sx * sy
    vx = n * sxx - sx * sx
    vy = n * syy - sy * sy
    # Rounding can leave a hair of variance where there is none.
    if vx <= 1e-9 * max(1.0, n * sxx) or vy <= 1e-9 * max(1.0, n * syy):
        return None
    return cov / math.sqrt(vx * vy)


def flags_for(
    answers: int,
    facility: float | None,
    discrimination: float | None,
    min_answers: int = MIN_ANSWERS,
) -> list[str]:
    """Why an item deserves a look, once enough learners answered it."""
    if answers < min_answers or facility is None:
        return []
    flags = []
    if discrimination is not None and discrimination < 0:
        flags.append("negative discrimination")
    if facility >= EASY_FACILITY:
        flags.append("almost everyone right")
    elif facility <= HARD_FACILITY:
        flags.append("almost everyone wrong")
    return flags


def item_analysis(
    store: Store, decks: Sequence[str] | None = None, *, min_answers: int = MIN_ANSWERS
) -> list[ItemAnalysis]:
    """Every current item of the decks with its statistics from learners' first answers."""
    ids = list(decks) if decks is not None else deck_ids(store)
    by_item = reports.first_answer_sums(store, ids)
    picked = reports.first_picks(store, ids)
    out = []
    for deck_id, key, card_type, path, line, content, variant in reports.current_items(store, ids):
        answers, right, m, sx, sy, sxy, sxx, syy = by_item.get((deck_id, key), (0,) * 8)
        discrimination = pearson(m, sx or 0, sy or 0, sxy or 0, sxx or 0, syy or 0)
        distractors: tuple[tuple[str, int], ...] = ()
        if card_type == "choice":
            card = json.loads(content)
            counts = picked.get((deck_id, key), {})
            distractors = tuple(
                (choice, counts.get(choice, 0))
                for choice in card["choices"]
                if choice not in card["answers"]
            )
        facility = right / answers if answers else None
        out.append(
            ItemAnalysis(
                deck_id=deck_id,
                item_key=key,
                card_type=card_type,
                path=path,
                line=line or 1,
                prompt=item_prompt(content, variant or ""),
                answers=answers,
                right=int(right or 0),
                discrimination=discrimination,
                distractors=distractors,
                flags=tuple(flags_for(answers, facility, discrimination, min_answers)),
            )
        )
    return out
