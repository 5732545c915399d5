"""Time a class on a local Ralph LRS: python benchmarks/lrs_bench.py [-h].

Each of 500 learners (default) has a database of their own with 300 reviews, answered through
`quiz.study.answering.answer`, so each review's statement is queued in the outbox as when
studying. Then every learner's outbox is pushed to one Ralph LRS (`ralph runserver --backend
fs` on 127.0.0.1, the tests' server) by a bounded pool of concurrent senders, as from many
machines at once; then the instructor pulls the class into a fresh database and builds the
class report (`quiz progress --all`). Loopback only: the LRS is started here, on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

from machine import describe  # noqa: E402
from ralph_lrs import HOME_PAGE, PASSWORD, USER, Ralph  # noqa: E402
from synthetic import write_deck  # noqa: E402

from quiz.deck.model import (  # noqa: E402
    Choice,
    Cloze,
    Flashcard,
    Item,
    Match,
    Numeric,
    Order,
    TrueFalse,
    Typed,
)
from quiz.grading import expected_answer, grade  # noqa: E402
from quiz.library import open_deck  # noqa: E402
from quiz.progress.exchange import import_progress  # noqa: E402
from quiz.progress.stats import class_report  # noqa: E402
from quiz.scheduler import Rating, Scheduler  # noqa: E402
from quiz.store.database import open_store  # noqa: E402
from quiz.study.answering import answer  # noqa: E402
from quiz.xapi.client import LrsClient  # noqa: E402
from quiz.xapi.config import endpoint, is_loopback  # noqa: E402
from quiz.xapi.outbox import ENDPOINT  # noqa: E402
from quiz.xapi.outbox import HOME_PAGE as HOME_KEY  # noqa: E402
from quiz.xapi.pull import fetch, gather  # noqa: E402
from quiz.xapi.sender import push  # noqa: E402
from quiz.xapi.statements import Profile  # noqa: E402

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def respond(item: Item, right: bool) -> object:
    """A response to an auto-graded item, right or wrong."""
    card = item.card
    match card:
        case Choice():
            wrong = next(c for c in card.choices if c not in card.answers)
            return card.answers[0] if right else wrong
        case TrueFalse():
            return card.answer if right else not card.answer
        case Order():
            return list(card.items) if right else list(reversed(card.items))
        case Match():
            return dict(card.pairs) if right else {k: "?" for k, _ in card.pairs}
        case Numeric() | Cloze() | Typed():
            return expected_answer(item) if right else "zzz"
        case Flashcard():
            return None
    return None


def make_learner(path: Path, deck_path: Path, name: str, reviews: int, url: str, seed: int) -> None:
    """A learner's database with `reviews` answers, every statement queued."""
    rng = random.Random(seed)
    store = open_store(path)
    deck, problems = open_deck(store, deck_path, START)
    assert deck is not None, problems
    store.put_lrs_settings({ENDPOINT: url, HOME_KEY: HOME_PAGE})
    scheduler = Scheduler(0.9, fuzz=False)
    items = deck.items()
    now = START
    # One transaction for the whole history: generating it is not what is measured.
    with store.atomic(durable=False):
        for n in range(reviews):
            item = items[n % len(items)]
            if n and n % len(items) == 0:
                now += timedelta(days=1)
            now += timedelta(seconds=20)
            right = rng.random() < 0.75
            if isinstance(item.card, Flashcard):
                result, response, rating = None, None, Rating.GOOD if right else Rating.AGAIN
            else:
                response = respond(item, right)
                result = grade(item, response)  # type: ignore[arg-type]
                rating = result.proposed
            at = now
            answer(
                store,
                scheduler,
                name,
                item,
                rating,
                result=result,
                response=response,  # type: ignore[arg-type]
                shown_at=at - timedelta(seconds=rng.randint(3, 30)),
                clock=lambda at=at: at,
            )
    store.close()


def send_one(path: Path, batch: int) -> int:
    """One learner's machine sending its outbox; the statements sent."""
    store = open_store(path)
    try:
        with LrsClient(endpoint(store), timeout=300) as client:
            report = push(store, client, batch=batch, retries=5, first_delay=0.5)
        if report.left:
            raise RuntimeError(f"{path.name}: {report.left} left: {report.error}")
        return report.sent
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=300, help="per learner")
    parser.add_argument("--cards", type=int, default=60, help="in the deck")
    parser.add_argument("--senders", type=int, default=8, help="concurrent senders at most")
    parser.add_argument("--batch", type=int, default=1000, help="statements per POST")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args()
    os.environ.setdefault("QUIZ_LRS_KEY", USER)
    os.environ.setdefault("QUIZ_LRS_SECRET", PASSWORD)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lrs-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    ralph = Ralph(work / "ralph")
    # Pages as large as the client asks: Ralph caps them at 100 unless told otherwise.
    ralph.env["RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT"] = "5000"
    host = urlsplit(ralph.url).hostname or ""
    assert is_loopback(host), ralph.url
    ralph.start()
    try:
        figures = run(args, work, ralph)
    finally:
        ralph.stop()
    figures["load average before (1, 5, 15 min)"] = " ".join(f"{x:.2f}" for x in load_before)
    figures["load average after (1, 5, 15 min)"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    machine = describe()
    for key in ("CPU", "cores", "memory", "Python", "SQLite"):
        figures[key] = machine[key]
    for key, value in figures.items():
        print(f"| {key} | {value} |")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


def run(args: argparse.Namespace, work: Path, ralph: Ralph) -> dict[str, object]:
    deck_path = write_deck(work / "deck.yaml", args.cards)
    folder = work / "learners"
    folder.mkdir(exist_ok=True)
    paths = [folder / f"learner{i:04d}.db" for i in range(args.learners)]
    began = time.perf_counter()
    for i, path in enumerate(paths):
        make_learner(path, deck_path, f"learner{i:04d}", args.reviews, ralph.url, seed=i)
    generated = time.perf_counter() - began
    total = args.learners * args.reviews

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.senders) as pool:
        sent = sum(pool.map(lambda p: send_one(p, args.batch), paths))
    sending = time.perf_counter() - began
    assert sent == total, (sent, total)

    teacher = open_store(work / "instructor.db")
    open_deck(teacher, deck_path, START)
    teacher.put_lrs_settings({ENDPOINT: ralph.url, HOME_KEY: HOME_PAGE})
    end = endpoint(teacher)
    profile = Profile(end.home_page, end.activity_base)
    began = time.perf_counter()
    # What `quiz lrs pull` does (`quiz.xapi.pull.pull`), in its two steps, each timed.
    with LrsClient(end, timeout=1800) as client:
        statements = fetch(client, [profile.deck_iri(d) for d in teacher.deck_ids()], None)
    fetched = time.perf_counter() - began
    gathered = gather(statements, end.url, end.home_page)
    reports = import_progress(teacher, gathered.files, datetime.now(UTC), gathered.voided)
    pulled = time.perf_counter() - began
    merged = sum(r.added for r in reports)
    began = time.perf_counter()
    rows = class_report(teacher, datetime.now(UTC))
    reporting = time.perf_counter() - began
    teacher.close()
    assert gathered.statements == total and merged == total, (gathered.statements, merged)
    return {
        "learners x reviews": f"{args.learners} x {args.reviews} = {total:,} statements",
        "deck": f"{args.cards} cards, the eight types in turn",
        "senders at once, statements per POST": f"{args.senders}, {args.batch}",
        "generating the learners' databases (not the LRS)": f"{generated:.1f} s",
        "sending every outbox": f"{sending:.1f} s, {total / sending:,.0f} statements/s",
        "pulling the class into a fresh database": f"{pulled:.1f} s, {total / pulled:,.0f}/s",
        "of which reading from the LRS": f"{fetched:.1f} s, {total / fetched:,.0f} statements/s",
        "of which merging and replaying": f"{pulled - fetched:.1f} s",
        "class report (quiz progress --all) after the pull": f"{reporting:.2f} s, {len(rows)} rows",
        "time to a class report (pull + report)": f"{pulled + reporting:.1f} s",
    }


if __name__ == "__main__":
    main()
