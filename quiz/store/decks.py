"""Decks and their cards in the store: the snapshot a deck opens from, and syncing its items."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import NamedTuple

from quiz.collector import collector_paused
from quiz.deck.model import (
    DEFAULT_DESIRED_RETENTION,
    Card,
    Deck,
    Item,
    Settings,
    Source,
    card_from_dict,
    hash_content_json,
)
from quiz.deck.snapshot import read_snapshot, snapshot_bytes
from quiz.store.base import CONTENT_OF_C, StoreBase, ts


@dataclass(frozen=True)
class SyncReport:
    """What syncing a deck changed in the store."""

    added: int = 0
    updated: int = 0
    archived: int = 0
    restored: int = 0


class KnownDeck(NamedTuple):
    """A deck the database has synced: its id, title and the file it was last synced from."""

    id: str
    title: str
    path: str


class DeckRecords(StoreBase):
    """The decks and cards tables, written by syncing a deck file."""

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

    def known_decks(self) -> list[KnownDeck]:
        """Every deck ever synced into this database, by title."""
        rows = self.conn.execute("SELECT id, title, path FROM decks ORDER BY title, id")
        return [KnownDeck(*row) for row in rows]

    def deck_path(self, deck_id: str) -> str | None:
        """The file a deck was last synced from."""
        row = self.conn.execute("SELECT path FROM decks WHERE id = ?", (deck_id,)).fetchone()
        return row[0] if row else None

    def sync_deck(self, deck: Deck, path: str, content_hash: str, now: datetime) -> SyncReport:
        """Bring the stored cards in line with the deck; removed cards are archived."""
        # Not fsync'd on its own: a sync lost to a power cut is made again from the unchanged
        # deck file at the next start, which an answer could not be.
        with self.atomic(durable=False), collector_paused():
            return self._sync_deck(deck, path, content_hash, now)

    def _sync_deck(self, deck: Deck, path: str, content_hash: str, now: datetime) -> SyncReport:
        existing = {
            key: (chash, archived)
            for key, chash, archived in self.conn.execute(
                "SELECT item_key, content_hash, archived FROM cards WHERE deck_id = ?", (deck.id,)
            )
        }
        stamp = ts(now)
        inserts, updates = [], []
        # Each card's content once, however many items it has: a cloze of N gaps is N items.
        contents: dict[str, str] = {}
        replaced: set[str] = set()
        restored = updated = 0
        current: set[str] = set()
        tagged: list[tuple[str, tuple[str, ...]]] = []
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
            if card.tags:
                tagged.append((key, card.tags))
            row = (card.id, item.variant, card.type, position, card.line, chash)
            if key not in existing:
                contents[chash] = content
                inserts.append((deck.id, key, *row, stamp, stamp))
            else:
                old_hash, archived = existing[key]
                restored += archived
                updated += old_hash != chash
                if old_hash != chash:
                    contents[chash] = content
                    replaced.add(old_hash)
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
            "INSERT OR IGNORE INTO card_contents (hash, content) VALUES (?, ?)", contents.items()
        )
        self.conn.executemany(
            "INSERT INTO cards (deck_id, item_key, card_id, variant, type, position, line, "
            "content, content_hash, archived, added_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?, ?)",
            inserts,
        )
        self.conn.executemany(
            "UPDATE cards SET card_id = ?, variant = ?, type = ?, position = ?, line = ?, "
            "content_hash = ?, archived = 0, "
            "updated_at = COALESCE(?, updated_at) WHERE deck_id = ? AND item_key = ?",
            updates,
        )
        self.conn.executemany(
            "UPDATE cards SET archived = 1, updated_at = ? WHERE deck_id = ? AND item_key = ?",
            to_archive,
        )
        # A content no item row points to any more (another deck's may) is dropped.
        self.conn.executemany(
            "DELETE FROM card_contents WHERE hash = ? "
            "AND NOT EXISTS (SELECT 1 FROM cards WHERE content_hash = ?)",
            [(h, h) for h in replaced - contents.keys()],
        )
        # Only a changed file is synced, so the deck's tags are simply written again.
        self.conn.execute("DELETE FROM card_tags WHERE deck_id = ?", (deck.id,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO card_tags (deck_id, item_key, tag) VALUES (?, ?, ?)",
            [(deck.id, key, tag) for key, tags in tagged for tag in tags],
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

    def deck_ids(self) -> list[str]:
        """Every deck in the database, by id."""
        return [d for (d,) in self.conn.execute("SELECT id FROM decks ORDER BY id")]

    def deck_versions(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
        """Title and content hash of those of these decks the database has."""
        marks = ", ".join("?" * len(ids)) or "NULL"
        return {
            deck_id: (title, chash)
            for deck_id, title, chash in self.conn.execute(
                f"SELECT id, title, content_hash FROM decks WHERE id IN ({marks})", list(ids)
            )
        }

    def item_cards(self, ids: Sequence[str]) -> dict[tuple[str, str], str]:
        """The card of every item (archived ones too) of these decks, by (deck, item)."""
        marks = ", ".join("?" * len(ids)) or "NULL"
        return {
            (deck_id, key): card_id
            for deck_id, key, card_id in self.conn.execute(
                f"SELECT deck_id, item_key, card_id FROM cards WHERE deck_id IN ({marks})",
                list(ids),
            )
        }

    def stored_item(self, deck_id: str, item_key: str) -> Item | None:
        """An item as its card was last synced (archived ones too), or None."""
        row = self.conn.execute(
            f"SELECT {CONTENT_OF_C}, c.variant FROM cards c WHERE c.deck_id = ? AND c.item_key = ?",
            (deck_id, item_key),
        ).fetchone()
        return Item(deck_id, card_from_dict(json.loads(row[0])), row[1] or "") if row else None

    def retentions(self) -> dict[str, float]:
        """Every deck's desired retention, as its settings were last synced."""
        return {
            deck_id: float(value) if value is not None else DEFAULT_DESIRED_RETENTION
            for deck_id, value in self.conn.execute(
                "SELECT id, json_extract(meta, '$.settings.desired_retention') FROM decks"
            )
        }

    def deck_settings(self, deck_id: str) -> Settings | None:
        """A deck's `settings:` as last synced, or None for a deck the database does not know."""
        row = self.conn.execute(
            "SELECT json_extract(meta, '$.settings') FROM decks WHERE id = ?", (deck_id,)
        ).fetchone()
        if row is None:
            return None
        return Settings(**json.loads(row[0])) if row[0] else Settings()
