"""What a learner has chosen for their study: settings over the decks', fitted FSRS parameters."""

from __future__ import annotations

from quiz import settings
from quiz.deck.model import Settings
from quiz.scheduler import Scheduler
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
