"""xAPI to a real Ralph LRS: the outbox, the sender, voiding, pulling a class back."""

from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from lrs_helpers import configure, queued_statements, unique, validate_with_ralph
from progress_helpers import session_answer, study_days
from ralph_lrs import HOME_PAGE, PASSWORD, RALPH, USER, Ralph, free_port
from testkit import TEST_DECKS, FakeClock

from quiz.cli import main
from quiz.deck.model import Deck
from quiz.library import open_deck
from quiz.scheduler import Rating
from quiz.session import StudySession
from quiz.store import open_store
from quiz.xapi.client import LrsClient
from quiz.xapi.config import endpoint
from quiz.xapi.sender import push
from quiz.xapi.statements import EXT_REVIEW, VOIDED, statement_id, voiding_id

# The LRS credentials come from the environment, as a school would set them.
pytestmark = pytest.mark.usefixtures("lrs_credentials")


def test_no_statement_is_queued_until_an_lrs_is_set(store, every_type, clock):
    study_days(store, every_type, "ann", clock, 1)
    assert store.reviews("ann")
    assert store.outbox_status().waiting == 0


def test_a_study_sessions_statements_arrive_once_each(ralph, store, every_type, clock):
    configure(store, ralph.url)
    learner = unique("ann")
    study_days(store, every_type, learner, clock, 3, lambda day, key: day == 0)
    reviews = store.reviews(learner)
    queued = queued_statements(store)
    # One statement per review, written with it: the same ids, none missing.
    assert sorted(s["id"] for s in queued) == sorted(statement_id(r["id"]) for r in reviews)
    validate_with_ralph(queued)
    kinds = {s["object"]["definition"]["interactionType"] for s in queued}
    every = {"other", "choice", "true-false", "fill-in", "numeric", "sequencing", "matching"}
    assert kinds == every
    with LrsClient(endpoint(store)) as client:
        report = push(store, client, batch=7)
        assert (report.sent, report.left, report.error) == (len(reviews), 0, None)
        assert push(store, client).sent == 0
    got = ralph.of(learner)
    assert sorted(s["id"] for s in got) == sorted(s["id"] for s in queued)
    validate_with_ralph(got)
    assert store.outbox_status().sent == len(reviews)


class DiesAfter(httpx.BaseTransport):
    """The real network, but the process 'dies' right after the LRS took the Nth batch."""

    def __init__(self, posts: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.posts = posts

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        reply = self.inner.handle_request(request)
        if request.method == "POST":
            self.posts -= 1
            if self.posts == 0:
                reply.read()
                raise SystemExit("killed mid-push")
        return reply


def test_a_sender_killed_mid_batch_delivers_the_rest_once(ralph, store, every_type, clock):
    configure(store, ralph.url)
    learner = unique("bob")
    study_days(store, every_type, learner, clock, 2)
    total = store.outbox_status().waiting
    with pytest.raises(SystemExit), LrsClient(endpoint(store), transport=DiesAfter(2)) as client:
        push(store, client, batch=4)
    # The LRS stored two batches; only the first was recorded as sent before the 'crash'.
    assert len(ralph.of(learner)) == 8
    assert store.outbox_status().waiting == total - 4
    with LrsClient(endpoint(store)) as client:
        report = push(store, client, batch=4)
    assert report.left == 0
    ids = [s["id"] for s in ralph.of(learner)]
    assert len(ids) == len(set(ids)) == total


def test_a_push_killed_for_real_loses_and_repeats_nothing(ralph, tmp_path, every_type, clock):
    db = tmp_path / "killed.db"
    learner_store = open_store(db)
    configure(learner_store, ralph.url)
    deck, _ = open_deck(learner_store, TEST_DECKS / "every-type.yaml", clock())
    assert deck is not None
    learner = unique("kim")
    study_days(learner_store, deck, learner, clock, 4)
    total = learner_store.outbox_status().waiting
    learner_store.close()
    command = [str(RALPH.with_name("quiz")), "--db", str(db), "lrs", "push", "--batch", "1"]
    env = {"PYTHONPATH": str(Path(__file__).parent.parent), "QUIZ_LRS_KEY": USER}
    env |= {"QUIZ_LRS_SECRET": PASSWORD, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # Killed without warning once the LRS has some of them, whatever it was doing then.
    for _ in range(600):
        if len(ralph.of(learner)) >= 3 or process.poll() is not None:
            break
        subprocess.run(["sleep", "0.05"], check=True)
    process.kill()
    process.wait()
    finished = subprocess.run(command, env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    ids = [s["id"] for s in ralph.of(learner)]
    assert len(ids) == len(set(ids)) == total


def test_the_lrs_down_when_answering_and_up_later(tmp_path, store, every_type, clock):
    server = Ralph(tmp_path / "later")
    configure(store, server.url)
    learner = unique("cy")
    study_days(store, every_type, learner, clock, 1)
    total = store.outbox_status().waiting
    with LrsClient(endpoint(store), timeout=2) as client:
        waits: list[float] = []
        report = push(store, client, retries=2, sleep=waits.append)
    assert (report.sent, report.left) == (0, total)
    assert waits == [1.0, 2.0]  # backing off, doubling
    status = store.outbox_status()
    assert status.waiting == total and "cannot reach the LRS" in (status.last_error or "")
    server.start()
    try:
        with LrsClient(endpoint(store)) as client:
            assert push(store, client).sent == total
        assert len(server.of(learner)) == total
        assert store.outbox_status().last_error is None
    finally:
        server.stop()


def test_undo_voids_a_sent_statement_and_drops_a_queued_one(ralph, store, every_type, clock):
    configure(store, ralph.url)
    learner = unique("dee")
    session = StudySession(store, [every_type], learner, clock=clock, fuzz=False)
    session.start()
    first = session.next()
    assert first is not None
    session_answer(session, first.item, False)
    sent_review = session.last_answer.review.id
    with LrsClient(endpoint(store)) as client:
        push(store, client)
    clock.advance(seconds=30)
    second = session.next()
    assert second is not None
    session_answer(session, second.item, False)
    queued_review = session.last_answer.review.id
    session.undo()  # the second: still queued, so simply dropped
    assert store.outbox_status().waiting == 0
    session.undo()  # the first: already at the LRS, so voided there
    voiding = queued_statements(store)
    assert [s["verb"]["id"] for s in voiding] == [VOIDED]
    assert voiding[0]["object"] == {"objectType": "StatementRef", "id": statement_id(sent_review)}
    validate_with_ralph(voiding)
    with LrsClient(endpoint(store)) as client:
        push(store, client)
    got = {s["id"]: s for s in ralph.of(learner)}
    assert statement_id(queued_review) not in got
    assert got[voiding_id(statement_id(sent_review))]["verb"]["id"] == VOIDED


def test_rerating_voids_the_old_statement_and_sends_the_new(ralph, store, every_type, clock):
    configure(store, ralph.url)
    learner = unique("eve")
    session = StudySession(store, [every_type], learner, clock=clock, fuzz=False)
    session.start()
    while (shown := session.next()) is not None and shown.item.card.type == "flashcard":
        session_answer(session, shown.item, False)
        clock.advance(seconds=10)
    assert shown is not None
    session_answer(session, shown.item, True)
    old = session.last_answer.review.id
    with LrsClient(endpoint(store)) as client:
        push(store, client)
        new = session.rerate(Rating.HARD).review.id
        queued = queued_statements(store)
        assert [s["id"] for s in queued] == [voiding_id(statement_id(old)), statement_id(new)]
        push(store, client)
    got = {s["id"] for s in ralph.of(learner)}
    assert {statement_id(old), statement_id(new), voiding_id(statement_id(old))} <= got


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def progress_rows(db: Path, *args: str) -> list[dict[str, Any]]:
    result = run("--db", str(db), "progress", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["rows"]


def learner_db(tmp_path: Path, name: str, url: str, clock: FakeClock) -> tuple[Path, Deck]:
    path = tmp_path / f"{name}.db"
    store = open_store(path)
    deck, problems = open_deck(store, TEST_DECKS / "class.yaml", clock())
    assert deck is not None, problems
    store.close()
    result = run("--db", str(path), "lrs", "set", url, "--home-page", HOME_PAGE)
    assert result.exit_code == 0, result.output
    return path, deck


def test_pull_into_a_fresh_database_reproduces_the_class_progress(ralph, tmp_path, clock):
    names = [unique("ann"), unique("bob")]
    start = clock.now
    expected = []
    files: list[str] = []
    for n, name in enumerate(names):
        clock.now = start
        path, deck = learner_db(tmp_path, name, ralph.url, clock)
        store = open_store(path)
        study_days(store, deck, name, clock, 6, lambda day, key, n=n: (day + n) % 3 == 0)
        # One answer taken back after it was sent: the class report must not count it.
        session = StudySession(store, [deck], name, clock=clock, fuzz=False)
        session.start()
        shown = session.next()
        if shown is not None:
            session_answer(session, shown.item, False)
            with LrsClient(endpoint(store)) as client:
                push(store, client)
            session.undo()
        store.close()
        pushed = run("--db", str(path), "--learner", name, "lrs", "push")
        assert pushed.exit_code == 0, pushed.output
        expected += progress_rows(path, "--learner", name)
        exported = tmp_path / f"{name}.quizprogress"
        done = run("--db", str(path), "--learner", name, "progress", "export", "-o", str(exported))
        assert done.exit_code == 0, done.output
        files.append(str(exported))
    teacher, _ = learner_db(tmp_path, "teacher", ralph.url, clock)
    pulled = run("--db", str(teacher), "lrs", "pull")
    assert pulled.exit_code == 0, pulled.output
    rows = [r for r in progress_rows(teacher, "--all") if r["learner"] in names]
    assert sorted(rows, key=lambda r: r["learner"]) == sorted(expected, key=lambda r: r["learner"])
    # Pulling again changes nothing: the same merge as progress files, idempotent.
    assert run("--db", str(teacher), "lrs", "pull").exit_code == 0
    assert [r for r in progress_rows(teacher, "--all") if r["learner"] in names] == rows
    # And the same class as the learners' progress files give, item analysis included.
    collected, _ = learner_db(tmp_path, "collected", ralph.url, clock)
    assert run("--db", str(collected), "progress", "import", *files).exit_code == 0
    assert progress_rows(collected, "--all") == rows
    teacher_items = run("--db", str(teacher), "items", "--format", "json").output
    collected_items = run("--db", str(collected), "items", "--format", "json").output
    assert json.loads(teacher_items)["items"] == json.loads(collected_items)["items"]


def test_lrs_set_refuses_plain_http_except_to_this_machine(tmp_path):
    db = str(tmp_path / "q.db")
    refused = run("--db", db, "lrs", "set", "http://lrs.example.edu/xAPI")
    assert refused.exit_code == 1
    assert "HTTPS" in refused.output
    assert run("--db", db, "lrs", "set", "https://lrs.example.edu/xAPI").exit_code == 0
    assert run("--db", db, "lrs", "set", "http://localhost:8100/xAPI").exit_code == 0


def test_credentials_are_kept_in_a_file_only_the_user_can_read(tmp_path, monkeypatch):
    monkeypatch.delenv("QUIZ_LRS_KEY")
    monkeypatch.delenv("QUIZ_LRS_SECRET")
    db = str(tmp_path / "q.db")
    url = "https://lrs.example.edu/xAPI"
    assert run("--db", db, "lrs", "set", url, "--key", "k", "--secret", "s").exit_code == 0
    path = tmp_path / "lrs-credentials.json"
    assert path.stat().st_mode & 0o777 == 0o600
    assert json.loads(path.read_text())[url] == {"key": "k", "secret": "s"}
    store = open_store(tmp_path / "q.db")
    assert (endpoint(store).key, endpoint(store).secret) == ("k", "s")
    path.chmod(0o644)
    status = run("--db", db, "lrs", "push")
    assert status.exit_code == 1 and "chmod 600" in status.output
    store.close()


def test_status_shows_the_queue_and_the_last_error(tmp_path, store, every_type, clock):
    configure(store, f"http://127.0.0.1:{free_port()}/xAPI")  # nothing listens there
    study_days(store, every_type, "fay", clock, 1)
    waiting = store.outbox_status().waiting
    out = run("--db", str(store.path), "lrs", "status").output
    assert f"waiting: {waiting}" in out
    pushed = run("--db", str(store.path), "lrs", "push", "--retries", "0")
    assert pushed.exit_code == 1
    assert "cannot reach the LRS" in run("--db", str(store.path), "lrs", "status").output


def test_a_learners_statements_file_imports_like_a_pull(tmp_path, store, every_type, clock):
    configure(store, "https://lrs.example.edu/xAPI")
    study_days(store, every_type, "gus", clock, 3)
    out = tmp_path / "gus.json"
    db = str(store.path)
    exported = run(
        "--db", db, "--learner", "gus", "progress", "export", "--format", "xapi", "-o", str(out)
    )
    assert exported.exit_code == 0, exported.output
    statements = json.loads(out.read_text())
    assert len(statements) == len(store.reviews("gus"))
    validate_with_ralph(statements)
    fresh = tmp_path / "fresh.db"
    other = open_store(fresh)
    open_deck(other, TEST_DECKS / "every-type.yaml", clock())
    other.close()
    imported = run("--db", str(fresh), "progress", "import", str(out))
    assert imported.exit_code == 0, imported.output
    assert progress_rows(fresh, "--learner", "gus") == progress_rows(Path(db), "--learner", "gus")
    assert "already here" in run("--db", str(fresh), "progress", "import", str(out)).output


def test_every_kind_of_statement_passes_ralphs_xapi_model(store, every_type, clock):
    # Ralph's own xAPI 1.0.3 statement model. (`ralph validate -f xapi` checks statements
    # against the profiles Ralph bundles: it takes any `answered` statement for its virtual
    # classroom's "answered poll", so it cannot judge statements of any other tool.)
    configure(store, "https://lrs.example.edu/xAPI")
    session = StudySession(store, [every_type], "hal", clock=clock, fuzz=False)
    session.start()
    while (shown := session.next()) is not None:
        session_answer(session, shown.item, shown.item.key.endswith("2"))
        clock.advance(seconds=8)
    statements = queued_statements(store)
    with store.atomic():
        store.mark_sent(store.outbox_batch(1000), clock())
    session.undo()
    voids = queued_statements(store)
    assert [s["verb"]["id"] for s in voids] == [VOIDED]
    validate_with_ralph(statements + voids)


def intro_text(app: Any) -> str:
    return str(app.screen.query_one("#home-intro").render())


async def test_the_home_screen_marks_waiting_statements_until_the_tui_sends_them(
    ralph, store, every_type, clock
):
    from quiz.tui.app import make_app

    configure(store, f"http://127.0.0.1:{free_port()}/xAPI")  # nothing listens there
    learner = unique("ida")
    study_days(store, every_type, learner, clock, 1)
    waiting = store.outbox_status().waiting
    app = make_app(store, [every_type], learner, clock=clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(100):
            await pilot.pause(0.1)
            if store.outbox_status().last_error:
                break
        assert f"↑{waiting} to send" in intro_text(app)
    configure(store, ralph.url)
    app = make_app(store, [every_type], learner, clock=clock, fuzz=False)
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(300):
            await pilot.pause(0.1)
            if "to send" not in intro_text(app):
                break
        assert "to send" not in intro_text(app)
    assert store.outbox_status().waiting == 0
    assert len(ralph.of(learner)) == waiting


def test_two_senders_at_once_send_each_statement_once_and_void_nothing(
    ralph, store, every_type, clock
):
    configure(store, ralph.url)
    learner = unique("jo")
    study_days(store, every_type, learner, clock, 1)
    batch = store.outbox_batch(1000)
    # Both took the same batch (the TUI's sender and `quiz lrs push`, say); both delivered it.
    with LrsClient(endpoint(store)) as client:
        client.post([q.statement for q in batch])
        client.post([q.statement for q in batch])
    for _ in range(2):
        with store.atomic():
            assert store.mark_sent(batch, clock()) == []
    assert store.outbox_status().waiting == 0
    assert len(ralph.of(learner)) == len(batch)


def test_the_lrs_benchmark_runs_on_a_tiny_class(tmp_path):
    import sys

    bench = Path(__file__).parent.parent / "benchmarks" / "lrs_bench.py"
    done = subprocess.run(
        [
            *(sys.executable, str(bench), "--learners", "3", "--reviews", "20", "--cards", "10"),
            *("--workdir", str(tmp_path / "work"), "--json", str(tmp_path / "figures.json")),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads((tmp_path / "figures.json").read_text())
    assert figures["learners x reviews"] == "3 x 20 = 60 statements"
    assert "statements/s" in figures["sending every outbox"]


def test_statements_out_of_range_are_refused_with_a_warning_and_the_rest_imported(
    tmp_path, store, every_type, clock
):
    configure(store, "https://lrs.example.edu/xAPI")
    study_days(store, every_type, "kit", clock, 1)
    good = queued_statements(store)
    future = json.loads(json.dumps(good[0]))
    future["id"] = str(uuid.uuid4())
    future["timestamp"] = "2999-01-01T00:00:00Z"
    future["context"]["extensions"][EXT_REVIEW] = "f" * 32
    forged = json.loads(json.dumps(good[1]))
    forged["id"] = str(uuid.uuid4())
    forged["actor"]["account"]["name"] = "kit\n\x1b[2Jroot"
    forged["context"]["extensions"][EXT_REVIEW] = "e" * 32
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps([*good, future, forged]))
    fresh = tmp_path / "fresh.db"
    other = open_store(fresh)
    open_deck(other, TEST_DECKS / "every-type.yaml", clock())
    other.close()
    result = CliRunner().invoke(main, ["--db", str(fresh), "progress", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 statement(s) refused, not imported: a time outside 2000 to now" in result.output
    assert "an account name that is not a learner name" in result.output
    assert "\x1b" not in result.output
    assert f"{len(good)} new review(s) for kit" in result.output


def test_a_statements_file_that_is_not_json_is_an_error_at_its_place(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('[{"id": 1},\n  {oops}]')
    result = run("--db", str(tmp_path / "q.db"), "progress", "import", str(path))
    assert result.exit_code == 1
    assert f"{path}:2:4: error:" in result.output
