"""The SQLite store: opening it, migrations, decks, progress and the review log."""

from quiz.store.database import (
    ReviewRecord,
    Store,
    StoreError,
    SyncReport,
    default_db_path,
    open_store,
)

__all__ = ["ReviewRecord", "Store", "StoreError", "SyncReport", "default_db_path", "open_store"]
