"""Item analysis: how hard each card is and how well it separates strong learners from weak."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from quiz.progress.stats import SCORE_SQL, deck_ids, in_list, item_prompt
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


def _first_answers_sql(deck_filter: str) -> str:
    # Each learner's first answer to each current item.
    return f"""
    fa AS (
        SELECT learner, deck_id, item_key, score, response FROM (
            SELECT r.learner, r.deck_id, r.item_key, {SCORE_SQL} AS score, r.response,
                ROW_NUMBER() OVER (
                    PARTITION BY r.learner, r.deck_id, r.item_key ORDER BY r.reviewed_at, r.id
                ) AS nth
            FROM reviews r
            JOIN cards c ON c.deck_id = r.deck_id AND c.item_key = r.item_key AND c.archived = 0
            WHERE r.first = 1 AND r.deck_id IN {deck_filter}
        ) WHERE nth = 1
    )"""


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
    params: dict[str, Any] = {}
    deck_filter = in_list("d", list(decks) if decks is not None else deck_ids(store), params)
    first_answers = _first_answers_sql(deck_filter)
    stats = store.conn.execute(
        f"""
        WITH {first_answers},
        lt AS (
            SELECT learner, deck_id, SUM(score) AS total, COUNT(*) AS n
            FROM fa GROUP BY learner, deck_id
        ),
        pairs AS (
            -- y: the learner's share right on the rest of the deck (Moodle's "rest of test").
            SELECT fa.deck_id, fa.item_key, fa.score AS x,
                CASE WHEN lt.n > 1 THEN (lt.total - fa.score) * 1.0 / (lt.n - 1) END AS y
            FROM fa JOIN lt ON lt.learner = fa.learner AND lt.deck_id = fa.deck_id
        )
        SELECT deck_id, item_key, COUNT(*), SUM(x), COUNT(y),
            SUM(CASE WHEN y IS NOT NULL THEN x END), SUM(y), SUM(x * y),
            SUM(CASE WHEN y IS NOT NULL THEN x * x END), SUM(y * y)
        FROM pairs GROUP BY deck_id, item_key
        """,
        params,
    ).fetchall()
    by_item = {(row[0], row[1]): row[2:] for row in stats}
    picked: dict[tuple[str, str], dict[str, int]] = {}
    for deck_id, key, value, count in store.conn.execute(
        f"""
        WITH {first_answers}
        SELECT fa.deck_id, fa.item_key, j.value, COUNT(*)
        FROM fa JOIN cards c ON c.deck_id = fa.deck_id AND c.item_key = fa.item_key
            AND c.type = 'choice',
            json_each(fa.response) j
        WHERE j.type = 'text'
        GROUP BY fa.deck_id, fa.item_key, j.value
        """,
        params,
    ):
        picked.setdefault((deck_id, key), {})[value] = count
    out = []
    for deck_id, key, card_type, path, line, content, variant in store.conn.execute(
        "SELECT c.deck_id, c.item_key, c.type, d.path, c.line, c.content, c.variant "
        "FROM cards c JOIN decks d ON d.id = c.deck_id "
        f"WHERE c.archived = 0 AND c.deck_id IN {deck_filter} ORDER BY c.deck_id, c.position",
        params,
    ):
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
