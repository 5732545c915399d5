"""quiz cards, suspend, unsuspend, bury, flag, forget, learners, and quiz study's custom options."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from testkit import TEST_DECKS

from quiz.cli import cards as cards_cli
from quiz.cli import main
from quiz.scheduler import Rating, utc_now
from quiz.session import StudySession
from quiz.store import open_store

CLASS = str(TEST_DECKS / "class.yaml")


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "q.db"
    assert run(path, "decks", CLASS, "--new-learner").exit_code == 0
    return path


def run(db, *args: str, input: str | None = None):
    return CliRunner().invoke(
        main, [*args, "--db", str(db), "--learner", "ann"], input=input, catch_exceptions=False
    )


def listed(db, *query: str) -> list[dict]:
    result = run(db, "cards", *query, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_suspend_lists_and_unsuspends_an_item_by_id(db):
    result = run(db, "suspend", "id:treaty")
    assert result.exit_code == 0
    assert "suspended 1 of 1 matching items" in result.stderr
    [item] = listed(db, "is:suspended")
    assert (item["deck"], item["item"], item["marks"], item["state"]) == (
        "class",
        "treaty",
        "suspended",
        "new",
    )
    assert item["place"].endswith("class.yaml:13")
    assert "suspended" in run(db, "decks", CLASS).stdout
    assert "suspended 0 of 1" in run(db, "suspend", "id:treaty").stderr
    assert "unsuspended 1 of 1" in run(db, "unsuspend", "id:treaty").stderr
    assert listed(db, "is:suspended") == []


def test_a_session_never_shows_a_suspended_item(db):
    run(db, "suspend", "id:treaty")
    store = open_store(db)
    from quiz.library import load_library

    library = load_library(store, [TEST_DECKS / "class.yaml"], utc_now())
    session = StudySession(store, library.decks, "ann", fuzz=False)
    session.start()
    shown = []
    # Each item is shown and passed over without an answer: the whole queue, once.
    while (p := session.next()) is not None and len(shown) < 50:
        shown.append(p.item.key)
    assert "treaty" not in shown and "founded" in shown


def test_flags_bury_and_forget(db):
    assert "flagged 2 of 2" in run(db, "flag", "3", "tag:history").stderr
    assert {i["item"] for i in listed(db, "flag:3")} == {"founded", "treaty"}
    assert {i["item"] for i in listed(db, "is:flagged", "-id:founded")} == {"treaty"}
    assert "unflagged 1 of 1" in run(db, "flag", "0", "id:founded").stderr
    assert "buried 1 of 1" in run(db, "bury", "id:capital").stderr
    assert [i["item"] for i in listed(db, "is:buried")] == ["capital"]
    assert "forgot 0 of 1" in run(db, "forget", "id:capital").stderr  # never studied


def test_more_than_the_limit_is_changed_only_after_a_yes(db, monkeypatch):
    monkeypatch.setattr(cards_cli, "ASK_ABOVE", 2)
    result = run(db, "suspend", "deck:class", input="n\n")
    assert result.exit_code == 1
    assert listed(db, "is:suspended") == []
    assert "suspended 3 of 3" in run(db, "suspend", "type:choice or id:treaty", "--yes").stderr


def test_a_bad_query_is_one_line_with_its_column(db):
    result = run(db, "cards", "prop:rr<1")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: query: unknown property 'rr' at column 6; did you mean 'r'?"
    )
    assert "Traceback" not in result.output


def test_csv_and_table_formats(db):
    out = run(db, "cards", "tag:treaty", "--format", "csv").stdout.splitlines()
    assert out[0] == ",".join(cards_cli.COLUMNS)
    assert out[1].startswith("class,treaty,flashcard,new,")
    assert "treaty" in run(db, "cards", "tag:treaty").stdout


def test_deck_tags_count_as_the_items_tags(db):
    assert len(listed(db, "tag:csto")) == len(listed(db))


def test_a_mistyped_learner_is_an_error_with_a_suggestion(db):
    result = CliRunner().invoke(main, ["cards", "--db", str(db), "--learner", "an"])
    assert result.exit_code == 1
    assert "no learner 'an' in this database; did you mean 'ann'? (" in result.stderr
    fresh = CliRunner().invoke(main, ["cards", "--db", str(db), "--learner", "bo", "--new-learner"])
    assert fresh.exit_code == 0
    listing = CliRunner().invoke(main, ["learners", "--db", str(db)]).stdout
    assert "ann\t0 reviews" in listing


def test_study_tag_scopes_the_queue_to_the_tag(db):
    store = open_store(db)
    scope, paths = cards_cli.study_scope(store, "ann", None, ("treaty",), 0, 0)
    assert paths and paths[0].endswith("class.yaml")
    from quiz.library import load_library

    library = load_library(store, [TEST_DECKS / "class.yaml"], utc_now())
    session = StudySession(store, library.decks, "ann", fuzz=False, scope=scope)
    session.start()
    p = session.next()
    assert p is not None and p.item.key == "treaty"
    session.rate(Rating.EASY)
    assert session.next() is None


def test_a_cram_session_logs_practice_and_leaves_card_states_unchanged(db):
    store = open_store(db)
    from quiz.library import load_library

    library = load_library(store, [TEST_DECKS / "class.yaml"], utc_now())
    normal = StudySession(store, library.decks, "ann", fuzz=False)
    normal.start()
    first = normal.next()
    assert first is not None and first.item.key == "founded"
    normal.rate(Rating.GOOD)
    states = store.conn.execute("SELECT * FROM card_states ORDER BY item_key").fetchall()
    reviews = len(store.reviews("ann"))
    scope, _ = cards_cli.study_scope(store, "ann", None, (), 0, 0, cram="tag:history")
    cram = StudySession(store, library.decks, "ann", fuzz=False, scope=scope)
    cram.start()
    shown = []
    while (p := cram.next()) is not None and len(shown) < 10:
        shown.append(p.item.key)
        cram.rate(Rating.AGAIN)
    # Both, studied or not, and each once: practice does not requeue.
    assert shown == ["founded", "treaty"]
    assert cram.rerate(Rating.EASY).rating == Rating.EASY
    assert cram.undo() is not None
    assert store.conn.execute("SELECT * FROM card_states ORDER BY item_key").fetchall() == states
    assert len(store.reviews("ann")) == reviews
    assert store.practice_count("ann") == 1  # the undone one is gone


def _study_one(db, learner: str, rating: Rating) -> None:
    store = open_store(db)
    from quiz.library import load_library

    library = load_library(store, [TEST_DECKS / "class.yaml"], utc_now())
    session = StudySession(store, library.decks, learner, fuzz=False)
    session.start()
    assert session.next() is not None
    session.rate(rating)
    store.close()


def test_a_merge_replays_with_the_merged_learners_own_retention(db):
    from quiz.settings import to_json
    from quiz.store.settings import ALL_DECKS

    _study_one(db, "bob", Rating.EASY)
    store = open_store(db)
    (key,) = [k for k, s in store.states("bob", "class").items() if s.state != "new"]
    alone = store.state("bob", "class", key)
    # ann accepts forgetting more, so the same Easy answer waits longer before its review.
    with store.atomic():
        store.add_learner("ann", utc_now())
    store.set_learner_setting("ann", ALL_DECKS, "desired_retention", to_json(0.7), utc_now())
    store.close()
    result = CliRunner().invoke(main, ["learners", "merge", "ann", "bob", "--db", str(db)])
    assert result.exit_code == 0, result.output
    store = open_store(db)
    merged = store.state("ann", "class", key)
    store.close()
    assert alone is not None and merged is not None
    assert merged.stability == pytest.approx(alone.stability)
    assert merged.due > alone.due


def test_learners_rename_merge_and_delete(db):
    _study_one(db, "ann", Rating.GOOD)
    _study_one(db, "bob", Rating.AGAIN)
    run(db, "suspend", "id:members")
    cli = CliRunner()
    assert (
        "'bob' is already a learner"
        in cli.invoke(main, ["learners", "rename", "ann", "bob", "--db", str(db)]).stderr
    )
    assert cli.invoke(main, ["learners", "rename", "bob", "cy", "--db", str(db)]).exit_code == 0
    result = cli.invoke(main, ["learners", "merge", "ann", "cy", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "backed up first" in result.stderr
    store = open_store(db)
    assert store.known_learners() == {"ann": 2}
    state = store.state("ann", "class", "founded")
    assert state is not None and state.reps == 2  # both answers, replayed in time order
    assert store.marks("ann", "class")["members"].suspended
    store.close()
    assert (
        cli.invoke(main, ["learners", "delete", "ann", "--db", str(db)], input="n\n").exit_code == 1
    )
    result = cli.invoke(main, ["learners", "delete", "ann", "--yes", "--db", str(db)])
    assert result.exit_code == 0
    store = open_store(db)
    assert store.known_learners() == {}
    assert store.conn.execute("SELECT count(*) FROM reviews").fetchone() == (0,)
