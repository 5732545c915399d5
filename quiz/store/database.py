"""The one way to open the quiz database, and everything read from or written to it."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlite_utils import Database

from quiz.deck.model import Deck, Settings, Source, card_from_dict
from quiz.scheduler import CardState
from quiz.store.migrations import migrations


class StoreError(Exception):
    """The database cannot be opened or used; the message says why and what to do."""


def default_db_path() -> Path:
    """The database file: $QUIZ_DB, else quiz.db in the platform's user data folder."""
    env = os.environ.get("QUIZ_DB")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir("quiz", appauthor=False)) / "quiz.db"


def _ts(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def state_to_json(state: CardState | None) -> str | None:
    """A card state as JSON, for the review log."""
    if state is None:
        return None
    data = asdict(state)
    data["due"] = _ts(state.due)
    data["last_review"] = _ts(state.last_review)
    return json.dumps(data)


def state_from_json(text: str | None) -> CardState | None:
    """The inverse of `state_to_json`."""
    if not text:
        return None
    data = json.loads(text)
    data["due"] = _dt(data["due"])
    data["last_review"] = _dt(data["last_review"])
    return CardState(**data)


@dataclass(frozen=True)
class SyncReport:
    """What syncing a deck changed in the store."""

    added: int = 0
    updated: int = 0
    archived: int = 0
    restored: int = 0


@dataclass(frozen=True)
class ReviewRecord:
    """One answer, as written to the review log."""

    id: str
    learner: str
    deck_id: str
    item_key: str
    card_id: str
    reviewed_at: datetime
    rating: int
    outcome: str | None
    response: Any
    duration_ms: int
    first: bool
    state_before: CardState | None
    state_after: CardState


class Store:
    """Progress and decks in SQLite: each write is one committed transaction."""

    def __init__(self, db: Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path
        self.conn: sqlite3.Connection = db.conn

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    # Learners

    def ensure_learner(self, name: str, now: datetime) -> None:
        """Record a learner the first time they are seen."""
        with self.conn:
            self.conn.execute(
                "INSERT OR IGNORE INTO learners (name, created_at) VALUES (?, ?)",
                (name, _ts(now)),
            )

    # Decks and cards

    def cached_deck(self, path: str, content_hash: str) -> Deck | None:
        """The deck last synced from `path` if the file has not changed since."""
        row = self.conn.execute(
            "SELECT id, title, meta FROM decks WHERE path = ? AND content_hash = ?",
            (path, content_hash),
        ).fetchone()
        if row is None:
            return None
        deck_id, title, meta_json = row
        meta = json.loads(meta_json)
        cards = []
        seen: set[str] = set()
        for card_id, content, line in self.conn.execute(
            "SELECT card_id, content, line FROM cards WHERE deck_id = ? AND archived = 0 "
            "ORDER BY position",
            (deck_id,),
        ):
            if card_id not in seen:
                seen.add(card_id)
                cards.append(card_from_dict(json.loads(content), line))
        return Deck(
            id=deck_id,
            title=title,
            cards=tuple(cards),
            description=meta["description"],
            sources={k: Source(key=k, **v) for k, v in meta["sources"].items()},
            tags=tuple(meta["tags"]),
            settings=Settings(**meta["settings"]),
            path=path,
        )

    def deck_path(self, deck_id: str) -> str | None:
        """The file a deck was last synced from."""
        row = self.conn.execute("SELECT path FROM decks WHERE id = ?", (deck_id,)).fetchone()
        return row[0] if row else None

    def sync_deck(self, deck: Deck, path: str, content_hash: str, now: datetime) -> SyncReport:
        """Bring the stored cards in line with the deck; removed cards are archived."""
        existing = {
            key: (chash, archived)
            for key, chash, archived in self.conn.execute(
                "SELECT item_key, content_hash, archived FROM cards WHERE deck_id = ?", (deck.id,)
            )
        }
        stamp = _ts(now)
        inserts, updates = [], []
        restored = 0
        current: set[str] = set()
        for position, item in enumerate(deck.items()):
            card = item.card
            chash = card.content_hash()
            key = item.key
            current.add(key)
            row = (
                card.id,
                item.variant,
                card.type,
                position,
                card.line,
                json.dumps(card.to_dict(), ensure_ascii=False),
                chash,
            )
            if key not in existing:
                inserts.append((deck.id, key, *row, stamp, stamp))
            else:
                old_hash, archived = existing[key]
                restored += archived
                updates.append(
                    (*row, stamp if old_hash != chash or archived else None, deck.id, key)
                )
        updated = sum(
            1
            for key in current & existing.keys()
            if existing[key][0]
            != next(c.content_hash() for c in deck.cards if key.split("::")[0] == c.id)
        )
        to_archive = [
            (stamp, deck.id, key)
            for key, (_, archived) in existing.items()
            if key not in current and not archived
        ]
        meta = {
            "description": deck.description,
            "sources": {
                k: {f: v for f, v in asdict(s).items() if f != "key"}
                for k, s in deck.sources.items()
            },
            "tags": list(deck.tags),
            "settings": asdict(deck.settings),
        }
        with self.conn:
            self.conn.executemany(
                "INSERT INTO cards (deck_id, item_key, card_id, variant, type, position, line, "
                "content, content_hash, archived, added_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                inserts,
            )
            self.conn.executemany(
                "UPDATE cards SET card_id = ?, variant = ?, type = ?, position = ?, line = ?, "
                "content = ?, content_hash = ?, archived = 0, "
                "updated_at = COALESCE(?, updated_at) WHERE deck_id = ? AND item_key = ?",
                updates,
            )
            self.conn.executemany(
                "UPDATE cards SET archived = 1, updated_at = ? WHERE deck_id = ? AND item_key = ?",
                to_archive,
            )
            self.conn.execute(
                "INSERT INTO decks (id, path, title, content_hash, meta, synced_at) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET path = excluded.path, "
                "title = excluded.title, content_hash = excluded.content_hash, "
                "meta = excluded.meta, synced_at = excluded.synced_at",
                (deck.id, path, deck.title, content_hash, json.dumps(meta), stamp),
            )
        return SyncReport(len(inserts), updated, len(to_archive), restored)

    def archived_keys(self, deck_id: str) -> set[str]:
        """Items removed from a deck, kept with their history."""
        return {
            key
            for (key,) in self.conn.execute(
                "SELECT item_key FROM cards WHERE deck_id = ? AND archived = 1", (deck_id,)
            )
        }

    # Progress

    def states(self, learner: str, deck_id: str) -> dict[str, CardState]:
        """Every stored item state of a learner in a deck."""
        out = {}
        for row in self.conn.execute(
            "SELECT item_key, state, due, step, stability, difficulty, last_review, reps, lapses "
            "FROM card_states WHERE learner = ? AND deck_id = ?",
            (learner, deck_id),
        ):
            key, state, due, step, stability, difficulty, last, reps, lapses = row
            out[key] = CardState(
                state,
                datetime.fromisoformat(due),
                step,
                stability,
                difficulty,
                _dt(last),
                reps,
                lapses,
            )
        return out

    def today_counts(
        self, learner: str, deck_id: str, since: datetime
    ) -> tuple[int, int, set[str]]:
        """New items introduced, reviews done, and cards touched since the day began."""
        new = reviews = 0
        touched: set[str] = set()
        for first, card_id in self.conn.execute(
            "SELECT first, card_id FROM reviews WHERE learner = ? AND deck_id = ? "
            "AND reviewed_at >= ?",
            (learner, deck_id, _ts(since)),
        ):
            if first:
                new += 1
            else:
                reviews += 1
            touched.add(card_id)
        return new, reviews, touched

    def record_review(self, review: ReviewRecord) -> None:
        """Append a review and save the item's new state, in one transaction."""
        with self.conn:
            self._insert_review(review)

    def replace_review(self, old_id: str, review: ReviewRecord) -> None:
        """Swap a review for another (a changed rating) in one transaction."""
        with self.conn:
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (old_id,))
            self._insert_review(review)

    def _insert_review(self, r: ReviewRecord) -> None:
        correct = None if r.outcome is None else int(r.outcome == "right")
        self.conn.execute(
            "INSERT INTO reviews (id, learner, deck_id, item_key, card_id, reviewed_at, rating, "
            "outcome, correct, response, duration_ms, first, state_before, state_after) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                r.id,
                r.learner,
                r.deck_id,
                r.item_key,
                r.card_id,
                _ts(r.reviewed_at),
                r.rating,
                r.outcome,
                correct,
                json.dumps(r.response, ensure_ascii=False),
                r.duration_ms,
                int(r.first),
                state_to_json(r.state_before),
                state_to_json(r.state_after),
            ),
        )
        self._put_state(r.learner, r.deck_id, r.item_key, r.state_after)

    def _put_state(self, learner: str, deck_id: str, key: str, s: CardState) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO card_states (learner, deck_id, item_key, state, step, "
            "stability, difficulty, due, last_review, reps, lapses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                learner,
                deck_id,
                key,
                s.state,
                s.step,
                s.stability,
                s.difficulty,
                _ts(s.due),
                _ts(s.last_review),
                s.reps,
                s.lapses,
            ),
        )

    def undo_review(self, review_id: str) -> bool:
        """Remove a review and restore the item's state from before it; False if not found."""
        row = self.conn.execute(
            "SELECT learner, deck_id, item_key, state_before FROM reviews WHERE id = ?",
            (review_id,),
        ).fetchone()
        if row is None:
            return False
        learner, deck_id, key, before = row
        previous = state_from_json(before)
        with self.conn:
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            if previous is None:
                self.conn.execute(
                    "DELETE FROM card_states WHERE learner = ? AND deck_id = ? AND item_key = ?",
                    (learner, deck_id, key),
                )
            else:
                self._put_state(learner, deck_id, key, previous)
        return True

    def next_due(self, learner: str, deck_ids: Iterable[str], after: datetime) -> datetime | None:
        """When the learner's next item in these decks falls due after `after`."""
        ids = list(deck_ids)
        if not ids:
            return None
        marks = ",".join("?" * len(ids))
        row = self.conn.execute(
            f"SELECT MIN(s.due) FROM card_states s JOIN cards c ON c.deck_id = s.deck_id "
            f"AND c.item_key = s.item_key AND c.archived = 0 "
            f"WHERE s.learner = ? AND s.deck_id IN ({marks}) AND s.due > ?",
            (learner, *ids, _ts(after)),
        ).fetchone()
        return _dt(row[0]) if row and row[0] else None

    def reviews(self, learner: str | None = None) -> list[dict[str, Any]]:
        """Review log rows, oldest first (for tests and reports)."""
        where, args = ("WHERE learner = ?", [learner]) if learner else ("", [])
        return list(self.db.query(f"SELECT * FROM reviews {where} ORDER BY reviewed_at", args))


def open_store(path: Path | str | None = None) -> Store:
    """Open (creating if needed) the database and bring its schema up to date."""
    db_path = Path(path) if path is not None else default_db_path()
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = not db_path.exists()
        conn = sqlite3.connect(db_path, timeout=10)
        if fresh:
            os.chmod(db_path, 0o600)
        db = Database(conn)
        conn.execute("PRAGMA busy_timeout = 10000")
        db.enable_wal()
        # FULL makes each committed answer survive a power cut too, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{db_path}: cannot open the database: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"{db_path}: cannot open the database: {exc.strerror}") from exc
    return Store(db, db_path)
