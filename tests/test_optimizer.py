"""Scoring and fitting FSRS on review logs, beside fsrs-rs-python's own evaluation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs_rs_python as fsrs_rs
import pytest
from simulated_learner import START, simulate, simulated_database

from quiz.optimizer import (
    LoggedReview,
    ReviewLogError,
    evaluate,
    fsrs_items,
    metrics,
    predictions,
    read_review_csv,
    scored_reviews,
)
from quiz.scheduler import DEFAULT_PARAMETERS, Rating, Scheduler


@pytest.fixture(scope="module")
def log() -> list[LoggedReview]:
    return simulate(cards=400, days=180)


def test_the_defaults_score_as_fsrs_rs_scores_them(log: list[LoggedReview]) -> None:
    scored = scored_reviews(log, UTC)
    ours = metrics(scored, predictions(scored))
    theirs = fsrs_rs.FSRS(fsrs_rs.DEFAULT_PARAMETERS).evaluate(fsrs_items(scored))
    assert len(scored) > 1000
    assert ours.log_loss == pytest.approx(theirs.log_loss, abs=0.001)
    assert ours.rmse_bins == pytest.approx(theirs.rmse_bins, abs=0.001)
    assert ours.auc is not None and 0.5 < ours.auc < 1


def test_predictions_are_what_quizs_own_scheduler_gives(log: list[LoggedReview]) -> None:
    scored = scored_reviews(log, UTC)[:2000]
    scheduler = Scheduler(fuzz=False, tz=UTC)
    expected = []
    for item in scored:
        # Replay the history on noon UTC of consecutive study days, in py-fsrs via quiz.
        at = START.replace(hour=12)
        state = scheduler.new_state(at)
        for rating, elapsed in item.history:
            at += timedelta(days=elapsed)
            state = scheduler.review(state, Rating(rating), at)
        expected.append(scheduler.recall_after(item.elapsed, state.stability))
    assert predictions(scored) == pytest.approx(expected, abs=1e-5)


def test_fitted_parameters_beat_the_defaults_on_later_reviews(log: list[LoggedReview]) -> None:
    result = evaluate(log, UTC)
    assert result.optimized is not None and result.defaults_on_tested is not None
    assert result.optimized.log_loss < result.defaults_on_tested.log_loss
    assert result.optimized.rmse_bins < result.defaults_on_tested.rmse_bins
    assert result.better
    assert result.parameters is not None and len(result.parameters) == 21
    # Fitting recovers the learner's faster forgetting of first impressions.
    assert result.parameters[2] < DEFAULT_PARAMETERS[2]
    document = result.as_dict()
    assert document["reviews_scored"] == result.reviews_scored
    assert set(document["defaults"]) == {"log_loss", "rmse_bins", "auc"}  # type: ignore[arg-type]


def test_too_few_reviews_are_scored_but_not_fitted() -> None:
    result = evaluate(simulate(cards=10, days=60), UTC)
    assert result.reviews_scored > 0
    assert result.optimized is None
    assert not result.better


def test_only_reviews_a_study_day_or_more_apart_are_scored() -> None:
    at = datetime(2026, 1, 5, 20, 0, tzinfo=UTC)
    log = [
        LoggedReview("a", Rating.GOOD, at),
        LoggedReview("a", Rating.GOOD, at + timedelta(minutes=10)),  # same study day
        LoggedReview("a", Rating.AGAIN, at + timedelta(hours=10)),  # next morning: a day
        LoggedReview("a", Rating.GOOD, at + timedelta(days=3)),
    ]
    scored = scored_reviews(log, UTC)
    assert [(s.elapsed, s.recalled, len(s.history)) for s in scored] == [
        (1, False, 2),
        (2, True, 3),  # from the morning of the 6th to the evening of the 8th
    ]


def test_the_csv_form_reads_and_errors_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "card_id,review_rating,review_time,review_duration\n"
        "a,3,2026-01-05T08:00:00Z,5000\n"
        "a,1,2026-01-07T08:00:00+00:00,7000\n",
        encoding="utf-8",
    )
    assert read_review_csv(path) == [
        LoggedReview("a", Rating.GOOD, datetime(2026, 1, 5, 8, tzinfo=UTC), 5000),
        LoggedReview("a", Rating.AGAIN, datetime(2026, 1, 7, 8, tzinfo=UTC), 7000),
    ]
    path.write_text(
        "card_id,review_rating,review_time,review_duration\na,5,2026-01-05T08:00:00Z,1\n",
        encoding="utf-8",
    )
    with pytest.raises(ReviewLogError, match=r"log\.csv:2:1: error: review_rating must be"):
        read_review_csv(path)
    path.write_text("id,rating\n", encoding="utf-8")
    with pytest.raises(ReviewLogError, match=r"log\.csv:1:1: error: a review log starts with"):
        read_review_csv(path)


def anki_package_with_history(tmp_path: Path) -> Path:
    """A package written by the real Anki, whose revlog holds a made-up multi-day history."""
    from anki.collection import Collection, ExportAnkiPackageOptions

    folder = tmp_path / "anki"
    folder.mkdir()
    collection = Collection(str(folder / "collection.anki2"))
    basic = collection.models.by_name("Basic")
    deck_id = collection.decks.id("History")
    card_ids = []
    for front in ("one", "two"):
        note = collection.new_note(basic)  # type: ignore[arg-type]
        note.fields[0], note.fields[1] = front, front.upper()
        collection.add_note(note, deck_id)
        card_ids.append(note.cards()[0].id)
    day = 86_400_000
    start = int(datetime(2026, 1, 5, 9, tzinfo=UTC).timestamp() * 1000)
    rows = [
        # card one: learn, then reviews 1 and 4 days later, one forgotten
        (start, card_ids[0], 3, 0, 0), (start + 600_000, card_ids[0], 3, 1, 0),
        (start + day, card_ids[0], 1, 1, 1), (start + 5 * day, card_ids[0], 3, 4, 1),
        # card two: a history, then "forget" (manual, no interval), then a new one
        (start, card_ids[1], 3, 1, 0), (start + 2 * day, card_ids[1], 3, 3, 1),
        (start + 3 * day, card_ids[1], 0, 0, 4),
        (start + 4 * day, card_ids[1], 3, 1, 0), (start + 6 * day, card_ids[1], 4, 5, 1),
        # a rescheduling entry, which is not a review
        (start + 7 * day, card_ids[1], 0, 9, 4),
    ]  # fmt: skip
    for index, (ms, card, ease, interval, kind) in enumerate(rows):
        ms += index  # revlog ids are unique milliseconds
        collection.db.execute(
            "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " values (?, ?, -1, ?, ?, 0, 2500, 8000, ?)",
            ms, card, ease, interval, kind,
        )  # fmt: skip
    package = tmp_path / "history.apkg"
    collection.export_anki_package(
        out_path=str(package),
        options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False
        ),
        limit=None,
    )
    collection.close()
    return package


def test_an_anki_revlog_is_read_as_ankis_fsrs_reads_it(tmp_path: Path) -> None:
    from quiz.optimizer import read_anki_revlog

    reviews = read_anki_revlog(anki_package_with_history(tmp_path))
    # Card one's four reviews; card two's two after "forget"; no manual entries.
    assert len(reviews) == 6
    assert all(r.duration_ms == 8000 for r in reviews)
    scored = scored_reviews(reviews, UTC)
    assert sorted((s.elapsed, s.rating) for s in scored) == [(1, 1), (2, 4), (4, 3)]


def test_quiz_optimize_evaluate_prints_the_metrics_as_json(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from quiz.cli import main

    path = tmp_path / "log.csv"
    rows = ["card_id,review_rating,review_time,review_duration"]
    for r in simulate(30, 90):
        rows.append(f"{r.card_id},{int(r.rating)},{r.time.isoformat()},{r.duration_ms}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["optimize", "--evaluate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    scored = scored_reviews(read_review_csv(path), None)
    assert document["reviews_scored"] == len(scored)
    assert document["defaults"]["log_loss"] == pytest.approx(
        metrics(scored, predictions(scored)).log_loss
    )
    assert document["optimized"] is None  # too few reviews to fit


def test_quiz_optimize_evaluate_reports_a_bad_log_at_its_line(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quiz.cli import main

    path = tmp_path / "log.csv"
    path.write_text(
        "card_id,review_rating,review_time,review_duration\nx,3,yesterday,0\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["optimize", "--evaluate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2:1: error: review_time is not an ISO 8601 time: 'yesterday'" in result.output
    assert "Traceback" not in result.output


def test_quiz_optimize_adopts_parameters_that_predict_the_learners_reviews_better(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from quiz.cli import main
    from quiz.store import open_store
    from quiz.study.learner import learner_scheduler

    db, deck = simulated_database(tmp_path, cards=300, days=180)

    run = CliRunner().invoke
    result = run(main, ["optimize", "--db", str(db), "--learner", "sim", "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["adopted"] is True
    assert document["optimized"]["log_loss"] < document["defaults"]["log_loss"]
    store = open_store(db)
    try:
        fitted = store.fitted_parameters("sim")
        assert fitted is not None and fitted.reviews == document["reviews_scored"]
        # Every later session of this learner schedules with them.
        in_use = learner_scheduler(store, "sim", "sim", deck.settings).parameters
        assert in_use == pytest.approx(fitted.parameters)
        assert in_use != pytest.approx(DEFAULT_PARAMETERS)
    finally:
        store.close()
    result = run(main, ["optimize", "--db", str(db), "--learner", "sim", "--reset"])
    assert "back to FSRS's default parameters" in result.output
    store = open_store(db)
    try:
        in_use = learner_scheduler(store, "sim", "sim", deck.settings).parameters
        assert in_use == pytest.approx(DEFAULT_PARAMETERS)
    finally:
        store.close()


def test_quiz_settings_sets_shows_and_refuses_with_a_hint(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quiz.cli import main

    db = ["--db", str(tmp_path / "quiz.db"), "--learner", "ann"]
    run = CliRunner().invoke
    result = run(main, ["settings", "desired_retention", "85%", *db])
    assert result.exit_code == 0, result.output
    assert "desired_retention  0.85" in result.output and "yours" in result.output
    result = run(main, ["settings", "learning_steps", "30s", "5m", *db])
    assert "learning_steps  30s 5m" in result.output
    listing = run(main, ["settings", *db]).output
    assert "rollover_hour      4            default" in listing
    refused = run(main, ["settings", "desired_retention", "0.5", *db])
    assert refused.exit_code == 1
    assert "expected a retention from 0.70 to 0.99" in refused.output
    typo = run(main, ["settings", "new_per_dya", "5", *db])
    assert "no setting 'new_per_dya' (did you mean 'new_per_day'?)" in typo.output
    unset = run(main, ["settings", "desired_retention", "--unset", *db])
    assert "desired_retention  0.90         default" in unset.output


def test_more_retention_costs_more_reviews_a_day() -> None:
    from quiz.optimizer import optimal_retention, workloads
    from quiz.settings import StudySettings

    loads = workloads([0.8, 0.9, 0.95], 1000, StudySettings())
    per_day = [w.reviews_per_day for w in loads]
    assert per_day == sorted(per_day) and per_day[0] > 0
    assert [w.remembered for w in loads] == sorted(w.remembered for w in loads)
    assert 0.7 <= optimal_retention(1000, StudySettings()) <= 0.95


def test_quiz_settings_shows_what_the_desired_retention_costs(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from quiz.cli import main

    db = tmp_path / "quiz.db"
    deck_file = tmp_path / "d.yaml"
    deck_file.write_text(
        "deck: d\ntitle: D\ncards:\n"
        + "".join(f'  - {{id: c{i}, front: "f{i}", back: "b{i}"}}\n' for i in range(40)),
        encoding="utf-8",
    )
    from quiz.library import open_deck
    from quiz.session import StudySession
    from quiz.store import open_store

    own = open_store(db)
    deck, _ = open_deck(own, deck_file, START)
    assert deck is not None
    session = StudySession(own, [deck], "ann", clock=lambda: START)
    session.start()
    assert session.next() is not None
    session.rate(Rating.GOOD)
    own.close()
    result = CliRunner().invoke(
        main, ["settings", "desired_retention", "--db", str(db), "--learner", "ann"]
    )
    assert result.exit_code == 0, result.output
    assert "for your 40 items" in result.output
    assert "0.90:" in result.output and "<- yours" in result.output
    assert "costs least per item remembered" in result.output


async def test_the_statistics_screen_says_how_well_fsrs_predicts_and_when_to_optimise(
    tmp_path: Path,
) -> None:
    from textual.widgets import Static

    from quiz.store import open_store
    from quiz.tui.app import make_app
    from quiz.tui.screens.stats import StatsScreen

    db, deck = simulated_database(tmp_path, cards=300, days=180)

    async def note() -> str:
        store = open_store(db)
        app = make_app(store, [deck], "sim", clock=lambda: START + timedelta(days=181))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("s")
            await pilot.pause()
            assert isinstance(app.screen, StatsScreen)
            text = str(app.screen.query_one("#fsrs-note", Static).content)
        store.close()
        return text

    before = await note()
    assert before.startswith("FSRS: default parameters · log loss 0.")
    assert "run quiz optimize to fit them to your reviews" in before
    from click.testing import CliRunner

    from quiz.cli import main

    CliRunner().invoke(main, ["optimize", "--db", str(db), "--learner", "sim"])
    after = await note()
    assert after.startswith("FSRS: fitted to your reviews · log loss 0.")
    assert "quiz optimize" not in after
    assert float(after.split("log loss ")[1][:5]) < float(before.split("log loss ")[1][:5])
