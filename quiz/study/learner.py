"""What a learner has chosen for their study: settings over the decks', fitted FSRS parameters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from quiz import settings
from quiz.deck.model import Settings
from quiz.optimizer import LoggedReview
from quiz.scheduler import Rating, Scheduler
from quiz.settings import StudySettings
from quiz.store.database import Store
from quiz.store.settings import ALL_DECKS


def learner_settings(
    store: Store, learner: str, deck_id: str = ALL_DECKS, deck: Settings | None = None
) -> StudySettings:
    """The settings in force: the learner's for the deck, for all decks, the deck file's."""
    stored = store.learner_settings(learner, deck_id)
    chosen = {k: settings.from_json(k, v) for k, v in stored.items() if k in settings.SPECS}
    return settings.resolve(deck or Settings(), chosen)


def learner_scheduler(
    store: Store, learner: str, deck_id: str, deck: Settings, fuzz: bool = True
) -> Scheduler:
    """FSRS for this learner and deck: their settings and their fitted parameters, if any."""
    fitted = store.fitted_parameters(learner, deck_id)
    return Scheduler(
        settings=learner_settings(store, learner, deck_id, deck),
        parameters=fitted.parameters if fitted else None,
        fuzz=fuzz,
    )


def learner_log(
    store: Store, learner: str, deck_ids: Sequence[str] | None = None
) -> list[LoggedReview]:
    """The learner's reviews (of these decks, or all), as FSRS's optimiser reads them."""
    wanted = None if deck_ids is None else set(deck_ids)
    one = deck_ids[0] if deck_ids is not None and len(deck_ids) == 1 else None
    return [
        LoggedReview(f"{deck}/{key}", Rating(rating), datetime.fromisoformat(at), ms)
        for deck, key, rating, at, ms in store.review_log(learner, one)
        if wanted is None or deck in wanted
    ]
