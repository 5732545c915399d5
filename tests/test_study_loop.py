"""The study loop under a learner's fingers: nothing recorded by accident, every key works."""

from __future__ import annotations

import random

from testkit import FakeClock
from textual import events
from textual.widgets import Static

from quiz.tui.app import QuizApp, make_app
from quiz.tui.screens.study import Phase, StudyScreen


def study_app(store, decks, clock: FakeClock) -> QuizApp:
    ids = [d.id for d in decks]
    return make_app(store, decks, "ann", study=ids, clock=clock, rng=random.Random(3), fuzz=False)


def shown(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).content)


def type_ahead(app: QuizApp, *keys: str) -> None:
    """Send keys as a fast typist does: all at once, without waiting for the screen."""
    assert app._driver is not None
    for key in keys:
        char = key if len(key) == 1 else ("\r" if key == "enter" else None)
        event = events.Key(key, char)
        event.set_sender(app)
        app._driver.send_message(event)


def keys_of_reviews(store) -> list[str]:
    return [r["item_key"] for r in store.reviews("ann")]


async def test_blank_answers_are_refused_on_every_answer_widget(store, every_type, clock):
    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        await pilot.press("space", "3")  # the flashcard
        expected = {
            "members": "Pick one or more answers first",
            "capital": "Pick an answer first",
            "un-observer": "Pick an answer first",
            "articles::c1": "Type your answer first",
            "otunbayeva": "Type your answer first",
            "troops": "Type your answer first",
            "chronology": "Put the items in order first",
            "leaders": "Match an item to a lettered option first",
        }
        answers = {
            "members": ["1", "enter"],
            "capital": ["1", "enter"],
            "un-observer": ["t", "enter"],
            "articles::c1": ["4", "enter"],
            "otunbayeva": [*"roza", "enter"],
            "troops": [*"2500", "enter"],
            "chronology": ["shift+down", "enter"],
            "leaders": ["a", "enter"],
        }
        for _ in expected:
            await pilot.pause()
            key = app.session.current.item.key
            await pilot.press("enter")
            await pilot.pause()
            assert screen.phase is Phase.ASKING, key
            assert expected[key] in shown(app, "#ratings"), key
            assert key not in keys_of_reviews(store)
            # Spaces alone are blank too.
            if key in ("articles::c1", "otunbayeva", "troops"):
                await pilot.press("space", "space", "enter")
                assert screen.phase is Phase.ASKING
            await pilot.press(*answers[key])
            await pilot.pause()
            assert screen.phase is Phase.ANSWERED, key
            await pilot.press("enter")
    responses = [r["response"] for r in store.reviews("ann")]
    assert len(responses) == 9
    assert not any(r in ('""', "[]", "{}") for r in responses)


async def test_keys_typed_before_the_next_card_is_painted_do_nothing(store, every_type, clock):
    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "1", "2", "enter")
        await pilot.pause()
        assert keys_of_reviews(store) == ["treaty-year", "members"]
        # Enter goes on; the digit and Enter after it reach a card not yet on screen.
        type_ahead(app, "enter", "1", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.session.current.item.key == "capital"
        assert app.screen.phase is Phase.ASKING
        assert keys_of_reviews(store) == ["treaty-year", "members"]


async def test_numeric_answers_must_be_numbers(store, every_type, clock):
    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        session = app.session
        while session.current.item.key != "troops":
            session.next()
        await app.screen.show(session.current)
        await pilot.pause()
        for text in ("abc", "18k", "2500 tanks"):
            await pilot.press(*text, "enter")
            await pilot.pause()
            assert app.screen.phase is Phase.ASKING, text
            assert "A number, e.g. 18000 or 18,000" in shown(app, "#ratings")
            await pilot.press(*["backspace"] * len(text))
        await pilot.press(*"2 450 troops", "enter")
        await pilot.pause()
        assert app.screen.phase is Phase.ANSWERED
        assert session.last_answer.grade.correct
    assert [r["response"] for r in store.reviews("ann")] == ['"2 450 troops"']


async def go_to(app: QuizApp, pilot, key: str) -> None:
    """Skip the session's queue to the item with this key and show it."""
    session = app.session
    while session.current.item.key != key:
        session.next()
    await app.screen.show(session.current)
    await pilot.pause()


async def test_question_mark_and_q_are_typed_and_f1_opens_help(store, every_type, clock):
    from quiz.tui.screens.help import HelpScreen
    from quiz.tui.widgets.footer import KeyFooter

    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        keys = [str(k.key_display) for k in footer.query("FooterKey")]
        assert "?" in keys and "F1" not in keys
        await go_to(app, pilot, "otunbayeva")
        await pilot.press(*"q?", "ctrl+underscore")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.query_one(".answer").value == "q?"
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        keys = [str(k.key_display) for k in footer.query("FooterKey")]
        assert "F1" in keys and "?" not in keys


async def test_esc_over_a_typed_answer_asks_first(store, every_type, clock):
    from quiz.tui.screens.summary import SummaryScreen

    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await go_to(app, pilot, "otunbayeva")
        await pilot.press(*"roza", "escape")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert "Esc again ends" in shown(app, "#ratings")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)


def shuffled_deck(store, tmp_path, clock):
    from quiz.library import open_deck

    path = tmp_path / "shuffled.yaml"
    choices = ", ".join(f'"option {n}"' for n in range(1, 7))
    path.write_text(
        "deck: shuffled\ntitle: Shuffled\ncards:\n"
        f'  - {{id: a, type: choice, question: "Pick", choices: [{choices}], answer: option 1}}\n'
        f'  - {{id: b, type: choice, question: "Pick", choices: [{choices}], answer: option 2}}\n',
        encoding="utf-8",
    )
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    return deck


async def test_undo_keeps_the_shuffled_order(store, tmp_path, clock):
    deck = shuffled_deck(store, tmp_path, clock)
    app = study_app(store, [deck], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first = app.session.current.options
        await pilot.press("1", "enter", "enter")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert app.session.current.item.key == "a"
        assert app.session.current.options == first
    # Another session the same day shows the same order; the next day may not.
    from quiz.session import StudySession

    again = StudySession(store, [deck], "ann", clock=clock)
    later = StudySession(store, [deck], "ann", clock=clock)
    again.start()
    later.start()
    assert again.next().options == later.next().options


async def test_ten_and_more_choices_and_match_options_past_l(store, tmp_path, clock):
    from quiz.library import open_deck

    path = tmp_path / "many.yaml"
    choices = ", ".join(f'"c{n}"' for n in range(1, 13))
    pairs = ", ".join(f'"l{n}": "r{n}"' for n in range(1, 15))
    path.write_text(
        "deck: many\ntitle: Many\ncards:\n"
        f'  - {{id: a, type: choice, question: "Pick", choices: [{choices}], answer: "c12",'
        " shuffle: false}\n"
        f'  - {{id: b, type: match, question: "Match", pairs: {{{pairs}}}}}\n',
        encoding="utf-8",
    )
    deck, problems = open_deck(store, path, clock())
    assert deck is not None, problems
    app = study_app(store, [deck], clock)
    async with app.run_test(size=(80, 50)) as pilot:
        await pilot.pause()
        await pilot.press("1", "2", "enter")
        await pilot.pause()
        assert app.session.last_answer.grade.correct
        await pilot.press("enter")
        await pilot.pause()
        rights = app.session.current.options
        letters = "abcdefghijklmnopqrstuvwxyz"
        # Assign l13 and l14 only: the cursor is on the first item, so go down twelve first.
        await pilot.press(*["down"] * 12)
        await pilot.press(letters[rights.index("r13")], letters[rights.index("r14")], "enter")
        await pilot.pause()
        assert app.session.last_answer is not None
    response = store.reviews("ann")[-1]["response"]
    assert response == '{"l13": "r13", "l14": "r14"}'


async def test_long_feedback_scrolls_with_the_usual_keys(store, tmp_path, clock):
    from pathlib import Path

    import yaml
    from textual.containers import VerticalScroll

    from quiz.library import open_deck

    bundled = Path(__file__).parent.parent / "decks" / "csto-synthesis.yaml"
    data = yaml.safe_load(bundled.read_text(encoding="utf-8"))
    data["cards"] = [c for c in data["cards"] if c["id"] == "reports-verdicts-match"]
    path = tmp_path / "longest.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    deck, _ = open_deck(store, path, clock())
    app = study_app(store, [deck], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "enter")
        await pilot.pause()
        body = app.screen.query_one("#study-body", VerticalScroll)
        assert body.max_scroll_y > 0
        await pilot.press("home")
        await pilot.pause()
        assert body.scroll_y == 0
        await pilot.press("down", "down")
        await pilot.pause()
        assert body.scroll_y == 2
        await pilot.press("pagedown")
        await pilot.pause()
        assert body.scroll_y > 2
        await pilot.press("end")
        await pilot.pause()
        assert body.scroll_y == body.max_scroll_y
        explanation = app.screen.query_one("#explanation")
        assert explanation.region.bottom <= body.region.bottom


async def test_answers_are_marked_on_the_card(store, every_type, clock):
    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(100, 50)) as pilot:
        await pilot.pause()
        await pilot.press("space", "3", "1", "3", "enter")  # Armenia and Uzbekistan
        await pilot.pause()
        lines = app.screen.query_one(".answer").render().plain.splitlines()
        assert [line[:1] for line in lines] == ["✓", "✓", "✗", " "]
        await pilot.press("enter")
        await go_to(app, pilot, "articles::c1")
        await pilot.press(*"5", "enter")
        await pilot.pause()
        expected = shown(app, "#expected")
        assert "Answer: Article 4 holds the collective defence clause; Article 7" in expected
        await pilot.press("enter")
        await go_to(app, pilot, "chronology")
        await pilot.press("shift+down", "enter")
        await pilot.pause()
        order = app.screen.query_one(".answer")
        marks = [line[:1] for line in order.render().plain.splitlines()]
        wanted = app.session.last_answer.item.card.items
        right = [a == b for a, b in zip(order.order, wanted, strict=True)]
        assert marks == ["✓" if r else "✗" for r in right]
        await pilot.press("enter")
        await pilot.pause()
        pairs = app.screen.query_one(".answer")
        await pilot.press("a", "enter")
        await pilot.pause()
        marks = [line[:1] for line in pairs.render().plain.splitlines()[:3]]
        assert marks[0] in "✓✗" and marks[1] == marks[2] == "✗"


async def test_space_and_enter_rate_a_revealed_flashcard_good(store, every_type, clock):
    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "space")
        await pilot.pause()
        assert [r["rating"] for r in store.reviews("ann")] == [3]
        await pilot.press("u")
        await pilot.pause()
        await pilot.press("space", "enter")
        await pilot.pause()
        assert [r["rating"] for r in store.reviews("ann")] == [3]
        assert app.session.current.item.key == "members"


async def test_each_rating_shows_its_next_interval_without_writing(store, every_type, clock):
    from quiz.scheduler import Rating, Scheduler

    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        line = shown(app, "#ratings")
        assert store.reviews("ann") == []
        scheduler = Scheduler(fuzz=False)
        new = Scheduler.new_state(clock())
        for rating in Rating:
            wait = scheduler.review(new, rating, clock()).due - clock()
            minutes = round(wait.total_seconds() / 60)
            if minutes < 60:
                assert f"{rating.label} {minutes}m" in line
        assert "Again 1m" in line and "Easy " in line
        # After an auto-graded answer the previews are of the answer that can still be changed.
        await pilot.press("3", "1", "2", "enter")
        await pilot.pause()
        assert "Again 1m" in shown(app, "#ratings")


async def test_to_go_counts_only_what_the_session_will_show(store, every_type, clock):
    from datetime import timedelta

    # A learning item due three hours from now will not be shown before this session ends.
    clock.advance(hours=3)
    first = study_app(store, [every_type], clock)
    async with first.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("space", "1")
        await pilot.pause()
    clock.now -= timedelta(hours=3)
    app = study_app(store, [every_type], clock)
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        progress = shown(app, "#progress")
        assert "8 to go" in progress
        assert "8 new" in progress and "0 learning" in progress and "0 review" in progress
        # Again on a new card: it is learning, due in a minute, so still to go.
        await pilot.press("1", "2", "enter", "1", "enter")
        await pilot.pause()
        progress = shown(app, "#progress")
        assert "8 to go" in progress and "7 new" in progress and "1 learning" in progress


async def test_home_lists_every_deck_the_database_knows(store, tmp_path, clock):
    from textual.widgets import DataTable

    from quiz.cli.group import home_decks
    from quiz.library import open_deck

    mine = tmp_path / "mine.yaml"
    mine.write_text(
        'deck: mine\ntitle: "My own deck"\ncards:\n  - {id: a, front: "f", back: "b"}\n',
        encoding="utf-8",
    )
    lost = tmp_path / "lost.yaml"
    lost.write_text(
        'deck: lost\ntitle: "A lost deck"\ncards:\n  - {id: a, front: "f", back: "b"}\n',
        encoding="utf-8",
    )
    # Both were studied from their paths once (`quiz study FILE` syncs them in) ...
    for path in (mine, lost):
        deck, problems = open_deck(store, path, clock())
        assert deck is not None, problems
    lost.unlink()
    library, gone = home_decks(store)
    assert "mine" in [d.id for d in library.decks]
    assert [g.id for g in gone] == ["lost"]
    app = make_app(store, library.decks, "ann", clock=clock, gone=gone, fuzz=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        rows = {str(table.get_row_at(i)[3]): table.get_row_at(i) for i in range(table.row_count)}
        assert str(rows["My own deck"][1]) == "1"  # one new card
        lost_row = next(title for title in rows if title.startswith("A lost deck"))
        assert "file gone" in lost_row and "progress kept" in lost_row


async def test_study_all_due_says_what_is_left_when_new_cards_wait(store, every_type, clock):
    from quiz.tui.screens.summary import SummaryScreen

    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SummaryScreen)
        box = screen.query_one("#summary-box")
        assert box.border_title == "Nothing studied"
        assert screen.rows["New available today"] == "9" and screen.rows["Due now"] == "0"
        # Esc at once, from a deck, says the same, not "Nothing to study right now".
        await pilot.press("enter", "enter", "escape")
        await pilot.pause()
        assert app.screen.query_one("#summary-box").border_title == "Nothing studied"


def test_right_first_time_counts_first_answers_only(store, every_type, clock):
    from quiz.scheduler import Rating
    from quiz.session import StudySession

    session = StudySession(store, [every_type], "ann", clock=clock, fuzz=False)
    session.start()
    session.next()
    session.rate(Rating.GOOD)
    session.next()
    session.submit(["Uzbekistan"])  # wrong: the item comes back in a minute
    clock.advance(minutes=2)
    assert session.next().item.key == "members"
    session.submit(["Armenia", "Belarus"])
    summary = session.summary()
    assert (summary.answers, summary.graded, summary.correct) == (3, 1, 0)


def test_queue_counts_leave_out_siblings_buried_by_an_answer(every_type, clock):
    from quiz.scheduler import Rating, Scheduler
    from quiz.study.queue import Queued, StudyQueue

    items = {item.key: item for item in every_type.items()}

    def queued(key: str) -> Queued:
        return Queued(every_type.id, key, lambda: items[key])

    # One gap of the cloze is due for review, its sibling gap is new: answering one buries
    # the other, which is then no longer to go.
    queue = StudyQueue(
        reviews=[queued("articles::c1"), queued("troops")],
        new=[queued("articles::c2"), queued("capital")],
    )
    assert queue.counts(clock()) == (2, 0, 2)
    shown = queue.pop(clock())
    assert shown.key == "articles::c1" and queue.counts(clock()) == (2, 0, 1)
    after = Scheduler(fuzz=False).review(Scheduler.new_state(clock()), Rating.EASY, clock())
    queue.answered(shown, after, clock().replace(hour=23))
    assert queue.counts(clock()) == (1, 0, 1)
    assert queue.pop(clock()).key == "troops"
    assert queue.counts(clock()) == (1, 0, 0)
    assert queue.pop(clock()).key == "capital"
    assert queue.counts(clock()) == (0, 0, 0) and queue.pop(clock()) is None
