"""What a learner has chosen for their study: settings over the decks', fitted FSRS parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from quiz import settings
from quiz.deck.model import Settings
from quiz.optimizer import LoggedReview, Workload, optimal_retention, workloads
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


@dataclass(frozen=True)
class SettingRow:
    """One setting as a learner sees it: its value in force and where that value comes from."""

    key: str
    shown: str
    origin: str  # yours, this deck / yours / deck file / default
    help: str


def setting_rows(
    store: Store, learner: str, deck_id: str | None = None, deck: Settings | None = None
) -> list[SettingRow]:
    """Every setting in force for the learner (in one deck, or all), with its origin."""
    in_force = learner_settings(store, learner, deck_id or ALL_DECKS, deck)
    for_all = store.own_settings(learner, ALL_DECKS)
    for_deck = store.own_settings(learner, deck_id) if deck_id else {}
    # A deck file's value shows as its own only where it differs from the default.
    defaults = StudySettings()
    from_deck = {
        name
        for name in ("desired_retention", "new_per_day", "reviews_per_day")
        if deck is not None and getattr(deck, name) != getattr(defaults, name)
    }
    rows = []
    for key, spec in settings.SPECS.items():
        if key in for_deck:
            origin = "yours, this deck"
        elif key in for_all:
            origin = "yours"
        elif key in from_deck:
            origin = "deck file"
        else:
            origin = "default"
        rows.append(SettingRow(key, settings.show(key, getattr(in_force, key)), origin, spec.help))
    return rows


@dataclass(frozen=True)
class RetentionCosts:
    """What desired retentions would cost a learner's collection, and the cheapest one."""

    items: int
    chosen: float
    loads: list[Workload]
    optimal: float


def retention_costs(
    store: Store, learner: str, deck_id: str | None = None, deck: Settings | None = None
) -> RetentionCosts | None:
    """The simulator's year of reviews at 0.80-0.95 and the learner's own; None: no items yet."""
    items = store.collection_size(learner, deck_id)
    if items == 0:
        return None
    in_force = learner_settings(store, learner, deck_id or ALL_DECKS, deck)
    fitted = store.fitted_parameters(learner, deck_id or ALL_DECKS)
    w = fitted.parameters if fitted else None
    chosen = in_force.desired_retention
    levels = sorted({0.8, 0.85, 0.9, 0.95, chosen})
    loads = workloads(levels, items, in_force, w)
    return RetentionCosts(items, chosen, loads, optimal_retention(items, in_force, w))
