"""The one way to open the quiz database, and everything read from or written to it."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import platformdirs

from quiz import __version__
from quiz.collector import collector_paused
from quiz.deck.model import (
    Card,
    Deck,
    Settings,
    Source,
    hash_content_json,
)
from quiz.deck.snapshot import read_snapshot, snapshot_bytes
from quiz.scheduler import LEARNING_STATES, CardState, Rating, Scheduler, utc_now
from quiz.store.backup import backed_up_on, backup_folder, list_backups, make_backup, prune

if TYPE_CHECKING:
    from sqlite_utils import Database

# The migrations of quiz/store/migrations.py by name, in order. A database that has exactly
# these opens without importing sqlite-utils and the migrations (a tenth of start-up); any
# other goes through sqlite-utils. tests/test_store.py checks that the two lists agree.
MIGRATION_SET = "quiz"
MIGRATIONS = ("m001_initial", "m002_progress_indexes", "m003_deck_snapshots")


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
    # A shallow copy: dataclasses.asdict deep-copies, which dominates replaying many reviews.
    data = dict(vars(state))
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


class DueState(NamedTuple):
    """A stored state that falls due soon, with only what building the queue reads."""

    state: str
    due: datetime
    last_review_day: float | None  # a Julian day number (`quiz.scheduler.julian_day`)
    stability: float | None

    @property
    def is_learning(self) -> bool:
        """True while in (re)learning steps, which are due within the day."""
        return self.state in LEARNING_STATES


class Store:
    """Progress and decks in SQLite: each write is one committed transaction."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None = None) -> None:
        self.conn = conn
        self.path = path

    @cached_property
    def db(self) -> Database:
        """The connection as a sqlite-utils Database, for migrations and ad hoc queries."""
        from sqlite_utils import Database

        # Whatever sqlite-utils plugins are installed stay out of the learners' database (and
        # finding them reads every installed package's metadata).
        return Database(self.conn, execute_plugins=False)

    def close(self) -> None:
        """Close the connection, first writing the log back as far as other readers allow."""
        # SQLite does this itself only when it closes the last connection to the file.
        with contextlib.suppress(sqlite3.Error):
            self.checkpoint()
        self.conn.close()

    def data_version(self) -> tuple[int, int]:
        """Changes so far, by this connection and by others: equal values mean nothing changed."""
        (other,) = self.conn.execute("PRAGMA data_version").fetchone()
        return self.conn.total_changes, other

    # Checkpoints: SQLite copies the write-ahead log back into the database every 1,000 pages,
    # inside whichever commit crosses the mark. While studying that is an answer the learner
    # waits for, so the study session moves them to moments the learner is not waiting.

    # Twice SQLite's default: a larger log makes every commit slower (pages are looked up in
    # it), a smaller one makes the checkpoints that do fall inside an answer more frequent.
    STUDY_CHECKPOINT_PAGES = 2_000

    def defer_checkpoints(self) -> None:
        """Checkpoint automatically only when the log is large; `checkpoint` does it before."""
        # A bound, so the log cannot grow without limit if nothing calls `checkpoint`.
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {self.STUDY_CHECKPOINT_PAGES}")

    def checkpoint(self) -> None:
        """Copy the write-ahead log into the database as far as readers allow, without waiting."""
        if self.conn.in_transaction:
            return
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    @contextmanager
    def _write(self, *, durable: bool = True) -> Iterator[None]:
        # BEGIN IMMEDIATE takes the write lock before the first read, so a read-then-write
        # cannot interleave with another process's (no lost update, no SQLITE_BUSY deadlock).
        if self.conn.in_transaction:
            # Writes left uncommitted by a caller are committed first, as `with conn:` would.
            self.conn.commit()
        if not durable:
            # Still atomic: the log keeps or drops the whole transaction. Only its fsync is
            # skipped, and the next durable commit (an answer) writes it to disk as well.
            self.conn.execute("PRAGMA synchronous = NORMAL")
        try:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()
        finally:
            if not durable:
                self.conn.execute("PRAGMA synchronous = FULL")

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
            "SELECT id, title, meta, snapshot FROM decks WHERE path = ? AND content_hash = ?",
            (path, content_hash),
        ).fetchone()
        if row is None or row[3] is None:
            return None
        deck_id, title, meta_json, snapshot = row
        try:
            with collector_paused():
                meta = json.loads(meta_json)
                # Cards stay as their stored rows until one is shown: the queue needs only the
                # item index, and a deck of 100,000 cards opens in milliseconds.
                read = read_snapshot(snapshot)
            if read is None:
                return None
            cards, lint_ignore = read
            return Deck(
                id=deck_id,
                title=title,
                cards=cards,
                description=meta["description"],
                sources={k: Source(key=k, **v) for k, v in meta["sources"].items()},
                tags=tuple(meta["tags"]),
                settings=Settings(**meta["settings"]),
                path=path,
                lint_ignore=lint_ignore,
            )
        except (ValueError, TypeError, KeyError, IndexError):
            # A snapshot this version cannot read: the file is parsed and synced afresh.
            return None

    def deck_path(self, deck_id: str) -> str | None:
        """The file a deck was last synced from."""
        row = self.conn.execute("SELECT path FROM decks WHERE id = ?", (deck_id,)).fetchone()
        return row[0] if row else None

    def sync_deck(self, deck: Deck, path: str, content_hash: str, now: datetime) -> SyncReport:
        """Bring the stored cards in line with the deck; removed cards are archived."""
        # Not fsync'd on its own: a sync lost to a power cut is made again from the unchanged
        # deck file at the next start, which an answer could not be.
        with self._write(durable=False), collector_paused():
            return self._sync_deck(deck, path, content_hash, now)

    def _sync_deck(self, deck: Deck, path: str, content_hash: str, now: datetime) -> SyncReport:
        existing = {
            key: (chash, archived)
            for key, chash, archived in self.conn.execute(
                "SELECT item_key, content_hash, archived FROM cards WHERE deck_id = ?", (deck.id,)
            )
        }
        stamp = _ts(now)
        inserts, updates = [], []
        restored = updated = 0
        current: set[str] = set()
        card: Card | None = None
        content = chash = ""
        for position, item in enumerate(deck.items()):
            if item.card is not card:
                # A card's items are next to each other, and its siblings share its content.
                card = item.card
                content = card.content_json()
                chash = hash_content_json(content)
            key = item.key
            current.add(key)
            row = (card.id, item.variant, card.type, position, card.line, content, chash)
            if key not in existing:
                inserts.append((deck.id, key, *row, stamp, stamp))
            else:
                old_hash, archived = existing[key]
                restored += archived
                updated += old_hash != chash
                updates.append(
                    (*row, stamp if old_hash != chash or archived else None, deck.id, key)
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
            "INSERT INTO decks (id, path, title, content_hash, meta, snapshot, synced_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET path = excluded.path, "
            "title = excluded.title, content_hash = excluded.content_hash, "
            "meta = excluded.meta, snapshot = excluded.snapshot, synced_at = excluded.synced_at",
            (
                deck.id,
                path,
                deck.title,
                content_hash,
                json.dumps(meta),
                snapshot_bytes(deck),
                stamp,
            ),
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

    _STATE_COLUMNS = "state, due, step, stability, difficulty, last_review, reps, lapses"

    @staticmethod
    def _row_state(row: tuple[Any, ...]) -> CardState:
        state, due, step, stability, difficulty, last, reps, lapses = row
        return CardState(
            state,
            datetime.fromisoformat(due),
            step,
            stability,
            difficulty,
            _dt(last),
            reps,
            lapses,
        )

    def states(self, learner: str, deck_id: str) -> dict[str, CardState]:
        """Every stored item state of a learner in a deck."""
        return {
            row[0]: self._row_state(row[1:])
            for row in self.conn.execute(
                f"SELECT item_key, {self._STATE_COLUMNS} "
                "FROM card_states WHERE learner = ? AND deck_id = ?",
                (learner, deck_id),
            )
        }

    def due_states(self, learner: str, deck_id: str, before: datetime) -> dict[str, DueState]:
        """What the queue needs of a learner's states in a deck that fall due before `before`."""
        # Ten thousand of these at a start with a big history: no CardState, and the last
        # review as a number SQLite computes, not a datetime.
        fromiso = datetime.fromisoformat
        return {
            key: DueState(state, fromiso(due), last_day, stability)
            for key, state, due, last_day, stability in self.conn.execute(
                "SELECT item_key, state, due, julianday(last_review), stability "
                "FROM card_states WHERE learner = ? AND deck_id = ? AND due < ?",
                (learner, deck_id, _ts(before)),
            )
        }

    # Keys asked about at once: under SQLite's oldest limit of 999 parameters.
    STATED_BATCH = 900

    def stated_among(self, learner: str, deck_id: str, keys: Sequence[str]) -> set[str]:
        """Which of these items (at most `STATED_BATCH`) a learner has a state for."""
        marks = ", ".join("?" * len(keys))
        # One string from SQLite, split in C; item keys hold no line break (ids are slugs).
        (joined,) = self.conn.execute(
            "SELECT group_concat(item_key, char(10)) FROM card_states "
            f"WHERE learner = ? AND deck_id = ? AND item_key IN ({marks})",
            (learner, deck_id, *keys),
        ).fetchone()
        return set(joined.split("\n")) if joined else set()

    def state(self, learner: str, deck_id: str, item_key: str) -> CardState | None:
        """One item's stored state, or None when it was never reviewed."""
        row = self.conn.execute(
            f"SELECT {self._STATE_COLUMNS} FROM card_states "
            "WHERE learner = ? AND deck_id = ? AND item_key = ?",
            (learner, deck_id, item_key),
        ).fetchone()
        return self._row_state(row) if row else None

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

    def commit_review(
        self,
        learner: str,
        deck_id: str,
        item_key: str,
        clock: Callable[[], datetime],
        build: Callable[[CardState | None, datetime], ReviewRecord],
    ) -> ReviewRecord:
        """Build a review from the item's stored state and save it, all under the write lock."""
        with self._write():
            # Read inside the lock: another session may have just reviewed the same item.
            before = self.state(learner, deck_id, item_key)
            # The clock too, so one item's reviews are stored in the order they happened.
            review = build(before, clock())
            self._insert_review(review)
        return review

    def record_review(self, review: ReviewRecord) -> None:
        """Append a review and save the item's new state, in one transaction."""
        with self._write():
            self._insert_review(review)

    def replace_review(self, old_id: str, review: ReviewRecord) -> None:
        """Swap a review for another (a changed rating) in one transaction."""
        with self._write():
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (old_id,))
            self._insert_review(review)

    def rerate_review(
        self, review_id: str, new_id: str, rating: Rating, scheduler: Scheduler
    ) -> ReviewRecord | None:
        """Give a review another rating; later reviews of its item are replayed on top of it."""
        with self._write():
            old = self._review(review_id)
            if old is None:
                return None
            start = old.state_before or Scheduler.new_state(old.reviewed_at)
            after = scheduler.review(start, rating, old.reviewed_at)
            new = replace(old, id=new_id, rating=int(rating), state_after=after)
            later = self._later_reviews(old)
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            self._insert_review(new, put_state=False)
            self.replay_reviews(old.learner, old.deck_id, old.item_key, later, after, scheduler)
        return new

    def undo_review(self, review_id: str, scheduler: Scheduler | None = None) -> bool:
        """Remove a review and restore the item's state without it; False if not found."""
        with self._write():
            old = self._review(review_id)
            if old is None:
                return False
            later = self._later_reviews(old)
            self.conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))
            self.replay_reviews(
                old.learner,
                old.deck_id,
                old.item_key,
                later,
                old.state_before,
                scheduler or Scheduler(),
            )
        return True

    def _review(self, review_id: str) -> ReviewRecord | None:
        row = self.conn.execute(
            "SELECT id, learner, deck_id, item_key, card_id, reviewed_at, rating, outcome, "
            "response, duration_ms, first, state_before, state_after FROM reviews WHERE id = ?",
            (review_id,),
        ).fetchone()
        if row is None:
            return None
        rid, learner, deck_id, key, card_id, at, rating, outcome, response, ms, first, sb, sa = row
        when = datetime.fromisoformat(at)
        after = state_from_json(sa)
        return ReviewRecord(
            id=rid,
            learner=learner,
            deck_id=deck_id,
            item_key=key,
            card_id=card_id,
            reviewed_at=when,
            rating=rating,
            outcome=outcome,
            response=json.loads(response) if response else None,
            duration_ms=ms,
            first=bool(first),
            state_before=state_from_json(sb),
            state_after=after if after is not None else Scheduler.new_state(when),
        )

    def _later_reviews(self, review: ReviewRecord) -> list[tuple[str, datetime, int]]:
        """Reviews of the same item after this one, in time order: (id, when, rating)."""
        ordered = self.item_reviews(review.learner, review.deck_id, review.item_key)
        ids = [r[0] for r in ordered]
        return ordered[ids.index(review.id) + 1 :] if review.id in ids else []

    def item_reviews(
        self, learner: str, deck_id: str, item_key: str
    ) -> list[tuple[str, datetime, int]]:
        """An item's reviews (id, time, rating) in time order; ties go by id, as on any machine."""
        rows = [
            (rid, datetime.fromisoformat(at), rating)
            for rid, at, rating in self.conn.execute(
                "SELECT id, reviewed_at, rating FROM reviews "
                "WHERE learner = ? AND deck_id = ? AND item_key = ?",
                (learner, deck_id, item_key),
            )
        ]
        return sorted(rows, key=lambda r: (r[1], r[0]))

    def replay_reviews(
        self,
        learner: str,
        deck_id: str,
        item_key: str,
        reviews: list[tuple[str, datetime, int]],
        start: CardState | None,
        scheduler: Scheduler,
    ) -> None:
        """Recompute reviews (id, time, rating; in time order) from `start`; save the end state."""
        state = start
        rows = []
        for rid, at, rating in reviews:
            after = scheduler.review(state or Scheduler.new_state(at), Rating(rating), at)
            first = int(state is None or state.is_new)
            rows.append((first, state_to_json(state), state_to_json(after), rid))
            state = after
        self.conn.executemany(
            "UPDATE reviews SET first = ?, state_before = ?, state_after = ? WHERE id = ?", rows
        )
        if state is None:
            self.conn.execute(
                "DELETE FROM card_states WHERE learner = ? AND deck_id = ? AND item_key = ?",
                (learner, deck_id, item_key),
            )
        else:
            self._put_state(learner, deck_id, item_key, state)

    def _insert_review(self, r: ReviewRecord, *, put_state: bool = True) -> None:
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
        if put_state:
            self._put_state(r.learner, r.deck_id, r.item_key, r.state_after)

    def _put_state(self, learner: str, deck_id: str, key: str, s: CardState) -> None:
        self.conn.execute(
            # An upsert changes the row in place; REPLACE would delete it and insert it anew,
            # writing more pages to the log in every answer.
            "INSERT INTO card_states (learner, deck_id, item_key, state, step, "
            "stability, difficulty, due, last_review, reps, lapses) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (learner, deck_id, item_key) DO UPDATE SET state = excluded.state, "
            "step = excluded.step, stability = excluded.stability, "
            "difficulty = excluded.difficulty, due = excluded.due, "
            "last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses",
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


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _way_out(db_path: Path) -> str:
    backups = list_backups(db_path)
    if backups:
        return (
            f"Restore a backup with `quiz backup restore NAME` ({len(backups)} in "
            f"{backup_folder(db_path)}; `quiz backup` lists them), or use --db PATH for another "
            "database."
        )
    return (
        f"There are no backups in {backup_folder(db_path)}: move the file away to start afresh, "
        "or use --db PATH for another database."
    )


def _damaged(db_path: Path, why: str) -> StoreError:
    why = " ".join(why.split())  # SQLite's reports can span lines; the message is one
    return StoreError(
        f"{db_path}: cannot open the database: it is damaged ({why}). Nothing was changed. "
        f"{_way_out(db_path)}"
    )


def _check_file(db_path: Path) -> bool:
    """Refuse what is not a usable quiz database before SQLite touches it; True when new."""
    if db_path.is_dir():
        raise StoreError(
            f"{db_path}: cannot open the database: it is a folder; use --db PATH for a file"
        )
    folder = db_path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"{db_path}: cannot open the database: its folder is read-only. Make it "
            f"writable (chmod u+w {folder}), or use --db PATH for another database."
        )
    if not db_path.exists():
        return True
    if not os.access(db_path, os.R_OK | os.W_OK):
        raise StoreError(
            f"{db_path}: cannot open the database: the file is read-only. Make it "
            f"writable (chmod u+rw {db_path}), or use --db PATH for another database."
        )
    size = db_path.stat().st_size
    wal = Path(f"{db_path}-wal")
    if size == 0:
        # An empty file holds nothing to lose, unless it was once a database that has backups.
        if list_backups(db_path):
            raise _damaged(db_path, "the file is empty")
        return not (wal.exists() and wal.stat().st_size > 0)
    with db_path.open("rb") as f:
        header = f.read(100)
    if not header.startswith(_SQLITE_MAGIC):
        raise StoreError(
            f"{db_path}: cannot open the database: the file is not SQLite, so not a quiz "
            f"database. Nothing was changed. {_way_out(db_path)}"
        )
    if len(header) < 100:
        raise _damaged(db_path, f"the file is truncated: {size} bytes")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when its change counter matches (see SQLite's file format).
    counted = header[24:28] == header[92:96]
    # With a write-ahead log left by a crash SQLite must recover first; it checks the rest.
    if counted and not wal.exists() and size < pages * page_size:
        raise _damaged(db_path, f"the file is truncated: {size} of {pages * page_size} bytes")
    return False


def _applied_migrations(conn: sqlite3.Connection, db_path: Path) -> set[str]:
    """The migrations a database has; refuses one from a newer quiz."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not exists:
        return set()
    applied = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (MIGRATION_SET,)
        )
    }
    unknown = sorted(applied - set(MIGRATIONS))
    if unknown:
        names = ", ".join(unknown)
        raise StoreError(
            f"{db_path}: cannot open the database: it was written by a newer version of quiz "
            f"(it has {names}, which quiz {__version__} does not know). Nothing was changed. "
            "Upgrade quiz, or use --db PATH for another database."
        )
    return applied


def _quick_check(conn: sqlite3.Connection, db_path: Path) -> None:
    rows = [row[0] for row in conn.execute("PRAGMA quick_check(3)")]
    if rows != ["ok"]:
        raise _damaged(db_path, "; ".join(rows))


def _backup(
    conn: sqlite3.Connection, db_path: Path, has_data: bool, upgrading: bool, now: datetime
) -> None:
    """Back up before any migration, and otherwise once a day."""
    if not has_data:
        return
    if upgrading:
        _quick_check(conn, db_path)
        try:
            make_backup(conn, db_path, "before-upgrade", now)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"{db_path}: cannot open the database: it needs an upgrade, but no backup "
                f"could be made first ({exc}). Nothing was changed."
            ) from exc
        prune(db_path)
    elif not backed_up_on(db_path, now):
        # Checked before copying, so a damaged file never pushes a good backup out.
        _quick_check(conn, db_path)
        # A daily backup that fails (a full disk) must not keep the learner from studying.
        with contextlib.suppress(OSError, sqlite3.Error):
            make_backup(conn, db_path, "daily", now)
            prune(db_path)


def _migrate(store: Store) -> None:
    """Apply the pending migrations through sqlite-utils, under the write lock."""
    from quiz.store.migrations import migrations

    # Under the write lock, so two first starts at once do not both migrate.
    store.conn.execute("BEGIN IMMEDIATE")
    try:
        migrations.apply(store.db)
    except BaseException:
        store.conn.rollback()
        raise
    store.conn.commit()


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Put the database in write-ahead-log mode, waiting out another process doing the same."""
    # Two first starts at once both switch the new file to WAL, and SQLite refuses one of them
    # at once rather than through the busy timeout, so it is tried again here.
    deadline = time.monotonic() + 10
    delay = 0.005
    while True:
        try:
            if conn.execute("PRAGMA journal_mode = WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise sqlite3.OperationalError("could not switch to write-ahead logging")
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


def open_store(path: Path | str | None = None, *, clock: Callable[[], datetime] = utc_now) -> Store:
    """Open (creating if needed) the database, back it up when due and bring it up to date."""
    db_path = Path(path) if path is not None else default_db_path()
    conn: sqlite3.Connection | None = None
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if _check_file(db_path):
            # Created owner-only from the start rather than narrowed after.
            os.close(os.open(db_path, os.O_WRONLY | os.O_CREAT, 0o600))
        conn = sqlite3.connect(db_path, timeout=10)
        conn.execute("PRAGMA busy_timeout = 10000")
        applied = _applied_migrations(conn, db_path)
        _enable_wal(conn)
        # FULL makes each committed answer survive a power cut too, not only a crash.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        upgrading = applied != set(MIGRATIONS)
        _backup(conn, db_path, bool(applied), upgrading, clock())
        store = Store(conn, db_path)
        if upgrading:
            _migrate(store)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        if isinstance(exc, sqlite3.DatabaseError | OSError):
            raise _open_error(db_path, exc) from exc
        raise
    return store


def _open_error(db_path: Path, exc: sqlite3.DatabaseError | OSError) -> StoreError:
    """What went wrong opening the database, as one line that says what to do."""
    if isinstance(exc, OSError):
        return StoreError(f"{db_path}: cannot open the database: {exc.strerror}")
    if "readonly" in str(exc):
        return StoreError(
            f"{db_path}: cannot open the database: {exc}. Make it and its folder writable, "
            "or use --db PATH for another database."
        )
    if isinstance(exc, sqlite3.OperationalError):
        return StoreError(f"{db_path}: cannot open the database: {exc}")
    return _damaged(db_path, str(exc))
