"""A scripted study session in its own process, for the crash and concurrency tests.

    study_driver.py study DB DECK LEARNER SEED COUNT   answer COUNT items (0: until killed)
    study_driver.py serve DB DECK                      fork a `study` child per "run LEARNER SEED"
                                                       line read from stdin

Every line is flushed as soon as it is written: "recorded ID" right after an answer is
committed; "undoing ID" and "undone ID" around an undo; "rerating OLD" and "rerated OLD NEW"
around a changed rating (NEW is OLD when the rating did not change). `study` prints
"ready" once the store and deck are open and, with --wait, waits for a line on stdin before
answering. `serve` prints "child PID" for each child and "exited PID STATUS" once it is gone.
"""

from __future__ import annotations

import os
import random
import sys
import traceback
from pathlib import Path

from quiz.grading import Response, is_self_rated
from quiz.library import open_deck
from quiz.scheduler import Rating, utc_now
from quiz.session import Presentation, StudySession
from quiz.store import open_store

# Mostly low ratings, so items stay in learning steps and come back within the session.
RATINGS = [Rating.AGAIN] * 6 + [Rating.HARD] * 3 + [Rating.GOOD]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def response(shown: Presentation, rng: random.Random) -> Response:
    card_type = shown.item.card.type
    if card_type == "true_false":
        return rng.random() < 0.5
    if card_type == "order":
        return rng.sample(shown.options, len(shown.options))
    if card_type == "match":
        lefts = [left for left, _ in shown.item.card.pairs]  # type: ignore[attr-defined]
        return dict(zip(lefts, rng.sample(shown.options, len(shown.options)), strict=True))
    if card_type == "choice":
        return rng.choice(shown.options)
    return rng.choice(["", "no idea", "Moscow", "1992", "4"])


def study(db: str, deck_path: str, learner: str, seed: int, count: int, wait: bool) -> None:
    rng = random.Random(seed)
    store = open_store(db)
    deck, problems = open_deck(store, Path(deck_path), utc_now())
    assert deck is not None, problems
    session = StudySession(store, [deck], learner, rng=rng, fuzz=False)
    session.start()
    say("ready")
    if wait:
        sys.stdin.readline()
    done = 0
    while count == 0 or done < count:
        shown = session.current or session.next()
        if shown is None:
            session.start()
            shown = session.next()
            if shown is None:
                say("nothing due")
                break
        if is_self_rated(shown.item):
            answer = session.rate(rng.choice(RATINGS))
        else:
            answer = session.submit(response(shown, rng))
        say(f"recorded {answer.review.id}")
        done += 1
        roll = rng.random()
        # Announced before and after: a kill in between may or may not have taken effect.
        if roll < 0.1:
            say(f"rerating {answer.review.id}")
            changed = session.rerate(rng.choice(RATINGS))
            say(f"rerated {answer.review.id} {changed.review.id}")
        elif roll < 0.2:
            say(f"undoing {answer.review.id}")
            session.undo()
            say(f"undone {answer.review.id}")
    store.close()


def serve(db: str, deck_path: str) -> None:
    # What only a first start needs (migrations, the YAML parser) is imported here once: a
    # child importing it itself took longer than the test's 0.15 s before its kill on a loaded
    # machine, so that no child ever got past the first start and the log stayed empty.
    import quiz.deck.loader
    import quiz.store.migrations  # noqa: F401

    for line in sys.stdin:
        _, learner, seed = line.split()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                study(db, deck_path, learner, int(seed), 0, wait=False)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        say(f"child {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"exited {pid} {status}")


def main(argv: list[str]) -> None:
    if argv[0] == "serve":
        serve(argv[1], argv[2])
    else:
        db, deck_path, learner, seed, count = argv[1:6]
        study(db, deck_path, learner, int(seed), int(count), wait="--wait" in argv)


if __name__ == "__main__":
    main(sys.argv[1:])
