"""A learner's study settings: each one's meaning, how it is written, and which value wins."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quiz.deck.model import Settings

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingError(ValueError):
    """A setting name or value that cannot be used, with what would be accepted."""


@dataclass(frozen=True)
class StudySettings:
    """Everything that shapes a learner's study of one deck, resolved to its values."""

    desired_retention: float = 0.9
    new_per_day: int = 20
    reviews_per_day: int = 200
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval: int = 36500  # days, as FSRS's default
    rollover_hour: int = 4
    answer_time_cap: timedelta = timedelta(seconds=60)  # Anki's default "maximum answer time"
    leech_threshold: int = 8  # lapses at which an item becomes a leech, as Anki's default
    leech_action: str = "suspend"  # or "tag": marked as a leech and still studied


@dataclass(frozen=True)
class Spec:
    """One setting: what it means, and how its value is read from text and shown."""

    help: str
    parse: Callable[[str], object]
    show: Callable[[object], str]


def _number(low: float, high: float, whole: bool) -> Callable[[str], object]:
    kind = "a whole number" if whole else "a number"

    def parse(text: str) -> object:
        try:
            value: float = int(text) if whole else float(text)
        except ValueError as exc:
            raise SettingError(f"expected {kind} from {low:g} to {high:g}, not {text!r}") from exc
        if not low <= value <= high:
            raise SettingError(f"expected {kind} from {low:g} to {high:g}, not {text}")
        return value

    return parse


def _retention(text: str) -> object:
    percent = text.endswith("%")
    wrong = SettingError(f"expected a retention from 0.70 to 0.99 (or 70% to 99%), not {text!r}")
    try:
        number = float(text.removesuffix("%"))
    except ValueError as exc:
        raise wrong from exc
    share = number / 100 if percent or number > 1 else number
    if not 0.7 <= share <= 0.99:
        raise wrong
    return round(share, 4)


def duration(text: str) -> timedelta:
    """A duration written as a number and a unit: 30s, 10m, 1h, 1d."""
    match = _DURATION.match(text.strip())
    if match is None:
        raise SettingError(f"expected a duration such as 30s, 10m, 1h or 1d, not {text!r}")
    return timedelta(seconds=float(match[1]) * _UNITS[match[2]])


def show_duration(value: timedelta) -> str:
    """A duration as it is written in settings: the largest unit that divides it."""
    seconds = value.total_seconds()
    for unit in "dhm":
        if seconds >= _UNITS[unit] and seconds % _UNITS[unit] == 0:
            return f"{seconds / _UNITS[unit]:g}{unit}"
    return f"{seconds:g}s"


def _steps(text: str) -> object:
    parts = text.replace(",", " ").split()
    steps = tuple(duration(p) for p in parts)
    if any(not timedelta(seconds=1) <= s < timedelta(days=1) for s in steps):
        raise SettingError("each step is from 1s to under a day; for longer, let FSRS schedule")
    return steps


def _cap(text: str) -> object:
    value = duration(text)
    if not timedelta(seconds=5) <= value <= timedelta(hours=1):
        raise SettingError(f"expected an answer time cap from 5s to 1h, not {text}")
    return value


def _leech_action(text: str) -> object:
    if text not in ("suspend", "tag"):
        raise SettingError(f"expected suspend or tag, not {text!r}")
    return text


def _show_steps(value: object) -> str:
    assert isinstance(value, tuple)
    return " ".join(show_duration(s) for s in value) or "(none)"


def _show_duration(value: object) -> str:
    assert isinstance(value, timedelta)
    return show_duration(value)


def _show_retention(value: object) -> str:
    assert isinstance(value, float)
    return f"{value:.2f}"


SPECS: dict[str, Spec] = {
    "desired_retention": Spec(
        "the chance of recall FSRS schedules reviews for (0.70-0.99)", _retention, _show_retention
    ),
    "new_per_day": Spec("new items introduced a day, per deck", _number(0, 9999, True), str),
    "reviews_per_day": Spec("reviews shown a day, per deck", _number(0, 99999, True), str),
    "learning_steps": Spec("the waits between a new item's first answers", _steps, _show_steps),
    "relearning_steps": Spec(
        "the waits between answers after a lapse", _steps, _show_steps
    ),
    "maximum_interval": Spec(
        "the longest wait between reviews, in days", _number(1, 36500, True), str
    ),
    "rollover_hour": Spec(
        "the local hour at which a study day begins (0-23)", _number(0, 23, True), str
    ),
    "answer_time_cap": Spec(
        "the most time one answer is recorded as taking", _cap, _show_duration
    ),
    "leech_threshold": Spec(
        "the lapses at which an item is marked a leech", _number(1, 999, True), str
    ),
    "leech_action": Spec("what marking a leech does: suspend or tag", _leech_action, str),
}
assert set(SPECS) == {f.name for f in fields(StudySettings)}


def parse(key: str, text: str) -> object:
    """The value of a setting as written on the command line."""
    spec = SPECS.get(key)
    if spec is None:
        from quiz.deck.reader import suggestion

        raise SettingError(f"no setting {key!r}{suggestion(key, tuple(SPECS))}")
    return spec.parse(text)


def show(key: str, value: object) -> str:
    """A setting's value as a learner writes it."""
    return SPECS[key].show(value)


def to_json(value: object) -> str:
    """A setting's value as the database keeps it."""
    if isinstance(value, timedelta):
        return json.dumps(value.total_seconds())
    if isinstance(value, tuple):
        return json.dumps([s.total_seconds() for s in value])
    return json.dumps(value)


def from_json(key: str, text: str) -> object:
    """A setting's value from the database; durations are kept as seconds."""
    value = json.loads(text)
    if key in ("learning_steps", "relearning_steps"):
        return tuple(timedelta(seconds=s) for s in value)
    if key == "answer_time_cap":
        return timedelta(seconds=value)
    return value


def resolve(deck: Settings, learner: Mapping[str, object]) -> StudySettings:
    """The settings in force: the learner's own, else the deck file's, else the defaults."""
    from_deck: dict[str, Any] = {
        "desired_retention": deck.desired_retention,
        "new_per_day": deck.new_per_day,
        "reviews_per_day": deck.reviews_per_day,
    }
    # Values were checked by `parse` when they were set, so they have their setting's type.
    chosen: dict[str, Any] = {**from_deck, **{k: v for k, v in learner.items() if k in SPECS}}
    return replace(StudySettings(), **chosen)
