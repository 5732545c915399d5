"""The database schema, as an ordered list of migrations recorded in the database."""

from __future__ import annotations

import itertools
from datetime import datetime

from sqlite_utils import Database, Migrations

migrations = Migrations("quiz")


@migrations()
def m001_initial(db: Database) -> None:
    """Learners, decks, cards, per-learner card state and the review log."""
    db.table("learners").create({"name": str, "created_at": str}, pk="name")
    db.table("decks").create(
        {
            "id": str,
            "path": str,
            "title": str,
            "content_hash": str,
            "meta": str,  # JSON: description, sources, tags, settings
            "synced_at": str,
        },
        pk="id",
    )
    db.table("cards").create(
        {
            "deck_id": str,
            "item_key": str,  # card id, or card id::variant for reversed sides and cloze gaps
            "card_id": str,
            "variant": str,
            "type": str,
            "position": int,
            "line": int,
            "content": str,  # JSON of the whole card
            "content_hash": str,
            "archived": int,
            "added_at": str,
            "updated_at": str,
        },
        pk=("deck_id", "item_key"),
        not_null={"type", "content", "content_hash", "archived"},
        defaults={"archived": 0},
    )
    db.table("card_states").create(
        {
            "learner": str,
            "deck_id": str,
            "item_key": str,
            "state": str,
            "step": int,
            "stability": float,
            "difficulty": float,
            "due": str,
            "last_review": str,
            "reps": int,
            "lapses": int,
        },
        pk=("learner", "deck_id", "item_key"),
    )
    db.table("card_states").create_index(["learner", "deck_id", "due"])
    db.table("reviews").create(
        {
            "id": str,
            "learner": str,
            "deck_id": str,
            "item_key": str,
            "card_id": str,
            "reviewed_at": str,
            "rating": int,
            "outcome": str,  # right, partly, wrong; NULL for self-rated flashcards
            "correct": int,
            "response": str,  # JSON of what the learner answered
            "duration_ms": int,
            "first": int,  # 1 when the item was new before this review
            "state_before": str,  # JSON, so undo can restore it
            "state_after": str,  # JSON
        },
        pk="id",
        not_null={"learner", "deck_id", "item_key", "reviewed_at", "rating"},
    )
    db.table("reviews").create_index(["learner", "reviewed_at"])
    db.table("reviews").create_index(["learner", "deck_id", "item_key"])


@migrations()
def m002_progress_indexes(db: Database) -> None:
    """First answers per item, for item analysis (a partial index: one row per learner and item)."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_reviews_first_answers "
        "ON reviews (deck_id, item_key, learner, reviewed_at) WHERE first = 1"
    )


@migrations()
def m003_deck_snapshots(db: Database) -> None:
    """Each deck's snapshot (`quiz.deck.model.snapshot_bytes`): an unchanged deck re-opens fast."""
    # NULL until the deck is next synced; a deck without one is parsed from its file again.
    db.execute("ALTER TABLE decks ADD COLUMN snapshot TEXT")



@migrations()
def m004_study_days_and_settings(db: Database) -> None:
    """Learners' own settings and fitted FSRS parameters; states recomputed in study days."""
    # A setting or parameter set for all of a learner's decks has deck_id ''; one for a deck
    # wins over it. Values are JSON.
    db.table("learner_settings").create(
        {"learner": str, "deck_id": str, "key": str, "value": str, "set_at": str},
        pk=("learner", "deck_id", "key"),
    )
    db.table("fsrs_parameters").create(
        {
            "learner": str,
            "deck_id": str,
            "parameters": str,  # JSON list of FSRS-6's 21 numbers
            "fitted_at": str,
            "reviews": int,  # the scored reviews they were fitted on
            "metrics": str,  # JSON: log loss and RMSE(bins) of defaults and fitted parameters
        },
        pk=("learner", "deck_id"),
    )
    _recompute_states(db)


def _recompute_states(db: Database) -> None:
    # Until now FSRS counted whole 24-hour periods between reviews; it now counts study days,
    # as Anki does. The review log is the truth: every item's states are replayed from it.
    from quiz.scheduler import Scheduler
    from quiz.store.reviews import ReviewLog

    log = ReviewLog(db.conn)
    schedulers = {
        deck_id: Scheduler(retention or 0.9)
        for deck_id, retention in db.execute(
            "SELECT id, json_extract(meta, '$.settings.desired_retention') FROM decks"
        ).fetchall()
    }
    rows = db.execute(
        "SELECT learner, deck_id, item_key, id, reviewed_at, rating FROM reviews "
        "ORDER BY learner, deck_id, item_key, reviewed_at, id"
    ).fetchall()
    for (learner, deck_id, key), group in itertools.groupby(rows, key=lambda r: r[:3]):
        reviews = [(rid, datetime.fromisoformat(at), rating) for *_, rid, at, rating in group]
        scheduler = schedulers.get(deck_id) or Scheduler()
        states = scheduler.replay((at, rating) for _, at, rating in reviews)
        replayed = [(r[0], b, a) for r, (b, a) in zip(reviews, states, strict=True)]
        log.rewrite_history(learner, deck_id, key, replayed, states[-1][1])


@migrations()
def m005_exams(db: Database) -> None:
    """Exam attempts and their responses, apart from the review log (quiz/store/exams.py)."""
    # Self-contained: it reads no table another migration adds, so it applies in any order.
    db.execute(
        "CREATE TABLE IF NOT EXISTS exam_attempts ("
        " id TEXT PRIMARY KEY,"
        " exam_id TEXT NOT NULL,"
        " learner TEXT NOT NULL,"
        " exam_title TEXT,"
        " exam_path TEXT,"
        " seed INTEGER NOT NULL,"
        " started_at TEXT NOT NULL,"
        " deadline TEXT,"  # NULL: no time limit
        " submitted_at TEXT,"  # NULL while the attempt is open
        " submitted_by TEXT,"  # learner, or time when the limit submitted it
        " settings TEXT NOT NULL,"  # JSON: pass mark, grading, feedback, feed_scheduler
        " score REAL,"  # the sum of the marks, once submitted
        " max_score REAL"
        ")"
    )
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_exam_attempts_exam ON exam_attempts (exam_id, learner)"
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS exam_responses ("
        " attempt_id TEXT NOT NULL REFERENCES exam_attempts (id),"
        " position INTEGER NOT NULL,"
        " deck_id TEXT NOT NULL,"
        " item_key TEXT NOT NULL,"
        " options TEXT NOT NULL,"  # JSON: the choices, items or right sides in the order shown
        " response TEXT,"  # JSON of the answer; NULL when unanswered
        " flagged INTEGER NOT NULL DEFAULT 0,"
        " answered_at TEXT,"  # the last time the answer was saved
        " changes INTEGER NOT NULL DEFAULT 0,"  # how many times an answer was saved
        " seconds REAL NOT NULL DEFAULT 0,"  # time spent on the question, over every visit
        " mark REAL,"  # 0 to 1, once the attempt is submitted
        " PRIMARY KEY (attempt_id, position)"
        ")"
    )


@migrations()
def m006_xapi_outbox(db: Database) -> None:
    """The xAPI outbox: statements queued with their reviews, those sent, and the LRS settings."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS xapi_outbox ("
        " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        " statement_id TEXT NOT NULL UNIQUE,"
        " review_id TEXT,"  # NULL for a voiding statement
        " learner TEXT NOT NULL,"
        " actor TEXT NOT NULL,"  # JSON, so an undo can void in the same learner's name
        " statement TEXT NOT NULL,"  # JSON, exactly as it is sent on every try
        " queued_at TEXT NOT NULL,"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " last_error TEXT,"
        " rejected INTEGER NOT NULL DEFAULT 0)"  # 1: the LRS refused it; kept, not retried
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_xapi_outbox_review ON xapi_outbox (review_id)")
    db.execute(
        "CREATE TABLE IF NOT EXISTS xapi_sent ("
        " statement_id TEXT PRIMARY KEY,"
        " review_id TEXT,"
        " actor TEXT NOT NULL,"
        " sent_at TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX IF NOT EXISTS idx_xapi_sent_review ON xapi_sent (review_id)")
    db.execute("CREATE TABLE IF NOT EXISTS xapi_settings (key TEXT PRIMARY KEY, value TEXT)")


@migrations()
def m007_item_marks(db: Database) -> None:
    """Suspensions, burials, flags and leech marks: per-learner events, and what they add up to."""
    # The events are the truth (a progress file carries them, by id, so a merge is idempotent);
    # item_marks is what they add up to, rebuilt from them for each item they touch.
    db.table("mark_events").create(
        {
            "id": str,
            "learner": str,
            "deck_id": str,
            "item_key": str,
            "kind": str,  # suspend, unsuspend, bury, unbury, flag, leech, unleech, forget
            "value": str,  # a flag's number, a burial's end; NULL otherwise
            "at": str,
        },
        pk="id",
        not_null={"learner", "deck_id", "item_key", "kind", "at"},
    )
    db.table("mark_events").create_index(["learner", "deck_id", "item_key"])
    db.table("item_marks").create(
        {
            "learner": str,
            "deck_id": str,
            "item_key": str,
            "suspended": int,
            "buried_until": str,
            "flag": int,
            "leech": int,
        },
        pk=("learner", "deck_id", "item_key"),
        not_null={"suspended", "flag", "leech"},
        defaults={"suspended": 0, "flag": 0, "leech": 0},
    )
    # Tags by item, kept by syncing a deck, so `tag:` is an index look-up, not JSON over every card.
    db.table("card_tags").create(
        {"deck_id": str, "item_key": str, "tag": str}, pk=("deck_id", "item_key", "tag")
    )
    db.execute("CREATE INDEX idx_card_tags_tag ON card_tags (tag COLLATE NOCASE)")
    db.execute(
        "INSERT OR IGNORE INTO card_tags (deck_id, item_key, tag) SELECT c.deck_id, c.item_key, "
        "j.value FROM cards c, json_each(c.content, '$.tags') j WHERE c.archived = 0"
    )
    # `is:due` over all of a learner's decks.
    db.execute("CREATE INDEX idx_card_states_learner_due ON card_states (learner, due)")
    # Cramming's answers: shown in statistics, never replayed into FSRS states.
    db.table("practice").create(
        {
            "id": str,
            "learner": str,
            "deck_id": str,
            "item_key": str,
            "card_id": str,
            "practised_at": str,
            "rating": int,
            "outcome": str,
            "correct": int,
            "response": str,
            "duration_ms": int,
        },
        pk="id",
        not_null={"learner", "deck_id", "item_key", "practised_at", "rating"},
    )
    db.table("practice").create_index(["learner", "practised_at"])


@migrations()
def m008_card_contents(db: Database) -> None:
    """A card's content stored once, by its hash, not once per study item.

    Every item row held the whole card: a cloze of N gaps stored its text N times, so a 48 KB
    deck of 8,000 gaps made a 1.16 GB database. Item rows keep the hash; `card_contents` holds
    each content once (archived items keep theirs, as they were last synced).
    """
    db.execute(
        "CREATE TABLE card_contents (hash TEXT PRIMARY KEY NOT NULL, content TEXT NOT NULL)"
    )
    db.execute(
        "INSERT OR IGNORE INTO card_contents (hash, content) "
        "SELECT content_hash, content FROM cards WHERE content != ''"
    )
    db.execute("UPDATE cards SET content = ''")
    # Whether a content is still used, when a sync replaces it.
    db.execute("CREATE INDEX idx_cards_content_hash ON cards (content_hash)")


@migrations()
def m009_search_indexes(db: Database) -> None:
    """A covering index for searches that match thousands of items (`is:due` on a big deck)."""
    # A listing reads each due item's state: from this index alone, without a second look-up
    # in the table for each match.
    db.execute(
        "CREATE INDEX idx_card_states_due_listing ON card_states (learner, due, deck_id, "
        "item_key, state, stability, difficulty, last_review, reps, lapses)"
    )
    # Its first two columns are the (learner, due) index m007 made: that one is not needed.
    db.execute("DROP INDEX IF EXISTS idx_card_states_learner_due")


@migrations()
def m010_card_listing_index(db: Database) -> None:
    """A covering index of what a search lists of each card, looked up by its key."""
    # A search finds its items' keys first (the due states, a tag) and then looks each card up:
    # with the key index alone, that was a second search, in the table, for every match.
    db.execute(
        "CREATE INDEX idx_cards_listing ON cards (deck_id, item_key, archived, card_id, type, "
        "position, line)"
    )
