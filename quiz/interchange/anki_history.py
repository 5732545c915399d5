"""An Anki collection's review history, brought into the review log of the imported deck."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from quiz.deck.model import Deck, item_key
from quiz.interchange.anki import AnkiImport, RevlogRow

if TYPE_CHECKING:
    from quiz.progress.exchange import ImportReport
    from quiz.store.database import Store

# Anki's revlog kinds: learning, review, relearning, filtered (cram) and manual; a manual
# entry with no interval is "forget", which starts the card's history again, as in Anki.
ANKI_MANUAL = 4
# Anki's card queues for a suspended card, and for one buried by the learner or by a sibling.
SUSPENDED = -1
BURIED = (-2, -3)


@dataclass
class FsrsHistory:
    """The revlog rows Anki's FSRS reads, card by card, and the rows it leaves out."""

    reviews: dict[int, list[RevlogRow]] = field(default_factory=dict)
    manual: int = 0  # rescheduling, due dates set by hand and other entries that are no review
    forgotten: int = 0  # reviews before a "forget", which Anki's FSRS no longer reads


def fsrs_history(rows: Iterable[RevlogRow]) -> FsrsHistory:
    """Each card's reviews as Anki's FSRS reads them: no manual entries, none before a forget."""
    out = FsrsHistory()
    for row in sorted(rows, key=lambda r: (r.card_id, r.id_ms)):
        if row.kind == ANKI_MANUAL or row.ease not in (1, 2, 3, 4):
            if row.kind == ANKI_MANUAL and row.interval == 0 and row.card_id in out.reviews:
                out.forgotten += len(out.reviews.pop(row.card_id))
            else:
                out.manual += 1
            continue
        out.reviews.setdefault(row.card_id, []).append(row)
    return out


def review_time(row: RevlogRow) -> datetime:
    """When a review was made: Anki's revlog ids are its time in milliseconds."""
    return datetime.fromtimestamp(row.id_ms / 1000, UTC)


@dataclass(frozen=True)
class AnkiReview:
    """One Anki review, placed on the study item it belongs to."""

    id: str
    item_key: str
    card_id: str
    reviewed_at: datetime
    rating: int
    duration_ms: int


@dataclass
class PlacedHistory:
    """The reviews that attach to study items of the imported deck, and what could not."""

    reviews: list[AnkiReview] = field(default_factory=list)
    cards: int = 0  # Anki cards with at least one review placed
    unplaced: int = 0  # reviews of cards whose note was not imported, or of other templates
    manual: int = 0
    forgotten: int = 0
    suspended: int = 0
    buried: int = 0
    # Items Anki had suspended or buried: (item key, "suspend" or "bury", Anki's card id).
    holds: list[tuple[str, str, int]] = field(default_factory=list)

    @classmethod
    def combined(cls, parts: list[PlacedHistory]) -> PlacedHistory:
        """The histories of several decks from one package, counted together."""
        out = cls()
        for part in parts:
            out.reviews += part.reviews
            out.cards += part.cards
            out.unplaced += part.unplaced
            out.manual += part.manual
            out.forgotten += part.forgotten
            out.suspended += part.suspended
            out.buried += part.buried
            out.holds += part.holds
        return out

    def lines(self, held: bool = True) -> list[str]:
        """What was left out or changed on the way, one line each (`held`: marks are written)."""
        out = []
        if self.forgotten:
            out.append(
                f"{self.forgotten} review(s) made before Anki's 'forget' were left out, "
                "as Anki's FSRS leaves them out"
            )
        if self.manual:
            out.append(
                f"{self.manual} revlog entr(ies) that are not reviews (rescheduling, set due "
                "date) were left out"
            )
        if self.unplaced:
            out.append(f"{self.unplaced} review(s) of cards that were not imported were left out")
        if (self.suspended or self.buried) and held:
            out.append(
                f"{self.suspended} suspended and {self.buried} buried card(s) came over "
                "suspended, and buried until the next study day"
            )
        elif self.suspended or self.buried:
            out.append(
                f"{self.suspended} suspended and {self.buried} buried card(s) came over as "
                "ordinary cards: without the history, no learner gets their marks"
            )
        return out


def place_history(imported: AnkiImport, variants: dict[str, tuple[str, ...]]) -> PlacedHistory:
    """Attach the collection's reviews to study items; `variants` are each card id's items."""
    history = fsrs_history(imported.revlog)
    placed = PlacedHistory(manual=history.manual, forgotten=history.forgotten)
    for anki_card in imported.anki_cards:
        rows = history.reviews.pop(anki_card.id, [])
        place = imported.note_places.get(anki_card.note_id)
        key = None
        if place is not None:
            card: dict[str, Any] = imported.cards[place]
            card_id = str(card["id"])
            key = _item_key(imported, anki_card.note_id, anki_card.ord, card_id, variants)
        if key is None:
            placed.unplaced += len(rows)
            continue
        if anki_card.queue == SUSPENDED:
            placed.suspended += 1
            placed.holds.append((key, "suspend", anki_card.id))
        elif anki_card.queue in BURIED:
            placed.buried += 1
            placed.holds.append((key, "bury", anki_card.id))
        if rows:
            placed.cards += 1
        placed.reviews.extend(
            AnkiReview(
                id=f"anki-{row.card_id}-{row.id_ms}",
                item_key=key,
                card_id=card_id,
                reviewed_at=review_time(row),
                rating=row.ease,
                duration_ms=max(0, row.duration_ms),
            )
            for row in rows
        )
    # Reviews of cards the collection no longer has.
    placed.unplaced += sum(len(rows) for rows in history.reviews.values())
    return placed


def _item_key(
    imported: AnkiImport,
    note_id: int,
    ord_: int,
    card_id: str,
    variants: dict[str, tuple[str, ...]],
) -> str | None:
    """The study item an Anki card's reviews belong to, or None when the deck has none."""
    items = variants.get(card_id, ())
    numbers = imported.cloze_numbers.get(note_id)
    if numbers is not None:
        # A cloze card is one Anki number, which the imported gap keeps (`anki_cloze`); when
        # several gaps share it, the first keeps it and takes its history (the others were
        # never asked apart in Anki, and get numbers of their own).
        wanted = f"c{ord_ + 1}" if ord_ + 1 in numbers else None
    else:
        wanted = {0: "", 1: "reverse"}.get(ord_)
    if wanted is None or wanted not in items:
        return None
    return item_key(card_id, wanted)


def import_history(
    store: Store, learner: str, deck: Deck, placed: PlacedHistory, source: str, now: datetime
) -> ImportReport:
    """Write the reviews into the learner's log and replay their FSRS states, in one transaction."""
    # Through the progress-file merge: the same checks, the same replay, and importing the
    # same collection twice adds nothing (review ids come from Anki's).
    from quiz.progress.exchange import FileDeck, FileReview, ProgressFile, import_progress
    from quiz.scheduler import day_start
    from quiz.store.marks import MarkEvent
    from quiz.study.learner import learner_settings

    reviews = [
        FileReview(
            id=r.id,
            deck_id=deck.id,
            item_key=r.item_key,
            card_id=r.card_id,
            reviewed_at=r.reviewed_at,
            rating=r.rating,
            outcome=None,  # rated by the learner, as a flashcard is
            response=None,
            duration_ms=r.duration_ms,
        )
        for r in placed.reviews
    ]
    decks = {deck.id: FileDeck(deck.id, deck.title, None)}
    # Ids from Anki's card ids: importing again adds no mark twice, nor undoes an unsuspend.
    hour = learner_settings(store, learner, deck.id).rollover_hour
    until = (day_start(now, hour=hour) + timedelta(days=1)).isoformat()
    marks = [
        MarkEvent(
            f"anki-{cid}-{kind}",
            learner,
            deck.id,
            key,
            kind,
            until if kind == "bury" else None,
            now,
        )
        for key, kind, cid in placed.holds
    ]
    file = ProgressFile(source, learner, now.isoformat(), decks, reviews, marks)
    return import_progress(store, [file], now)[0]
