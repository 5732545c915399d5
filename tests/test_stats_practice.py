"""Statistics show cram answers on their own line, apart from the reviews FSRS learns from."""

from __future__ import annotations

from textual.widgets import Static

from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.study.scope import Scope
from quiz.tui.app import make_app


def note(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#practice-note", Static).content)


async def test_cram_answers_are_counted_apart_from_reviews(store, every_type, clock):
    review = StudySession(store, [every_type], "ann", clock=clock, fuzz=False)
    review.start()
    first = review.next()
    assert first is not None and first.item.key == "treaty-year"
    review.rate(Rating.GOOD)
    states = store.state("ann", "every-type", "treaty-year")
    cram = Scope.of([("every-type", "treaty-year"), ("every-type", "capital")], cram=True)
    session = StudySession(store, [every_type], "ann", clock=clock, fuzz=False, scope=cram)
    session.start()
    answered = []
    while (p := session.next()) is not None and len(answered) < 5:
        answered.append(p.item.key)
        if p.item.key == "capital":
            session.submit("Moscow")
        else:
            session.rate(Rating.AGAIN)
    assert sorted(answered) == ["capital", "treaty-year"]
    # Cramming changed no schedule: the state and the review count are as they were.
    assert store.state("ann", "every-type", "treaty-year") == states
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        text = note(app)
        assert "2 answers in 30 days" in text and "100% right" in text
        assert "nor fed to FSRS" in text


async def test_no_cram_says_so(store, every_type, clock):
    app = make_app(store, [every_type], "ann", clock=clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        assert "none in 30 days" in note(app)
