"""xAPI 1.0.3 statements for reviews: what is sent to a Learning Record Store, and read back."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, assert_never
from urllib.parse import quote

from quiz.deck.model import (
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
from quiz.grading import format_number
from quiz.scheduler import CardState
from quiz.store.base import state_to_json
from quiz.store.reviews import ReviewRecord

ANSWERED = "http://adlnet.gov/expapi/verbs/answered"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
# Our extensions' namespace: an identifier only (.invalid never resolves), never fetched.
QUIZ_IRI = "https://quiz.invalid/xapi"
EXT = f"{QUIZ_IRI}/extensions"
EXT_RATING = f"{EXT}/rating"
EXT_STATE = f"{EXT}/fsrs-state"
EXT_RESPONSE = f"{EXT}/response"
EXT_OUTCOME = f"{EXT}/outcome"
EXT_REVIEW = f"{EXT}/review-id"
EXT_DECK = f"{EXT}/deck-id"
EXT_ITEM = f"{EXT}/item-key"
EXT_CARD = f"{EXT}/card-id"
# Review ids that are not UUIDs (from old progress files) get a stable one in this namespace.
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, QUIZ_IRI)
_DURATION = re.compile(r"^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$")


@dataclass(frozen=True)
class Profile:
    """Who the learner is to the LRS and where the activities live."""

    home_page: str  # the institution's, for the actor's account
    activity_base: str  # activities are {activity_base}/decks/{deck}/items/{item}

    def deck_iri(self, deck_id: str) -> str:
        """The deck's activity id."""
        return f"{self.activity_base}/decks/{quote(deck_id, safe='')}"

    def item_iri(self, deck_id: str, item_key: str) -> str:
        """An item's activity id."""
        return f"{self.deck_iri(deck_id)}/items/{quote(item_key, safe='')}"

    def exam_iri(self, exam_id: str) -> str:
        """An exam's activity id."""
        return f"{self.activity_base}/exams/{quote(exam_id, safe='')}"


@dataclass(frozen=True)
class Interaction:
    """How xAPI describes one item and a response to it."""

    kind: str  # the interactionType
    pattern: list[str]  # correctResponsesPattern: any one of them is right
    components: dict[str, list[dict[str, Any]]]
    response: str | None
    scaled: float | None  # the share right, when the item gives partial credit
    name: str  # the question as the learner saw it


def statement_id(review_id: str) -> str:
    """The statement id of a review: its id when a UUID, else a UUID derived from it."""
    try:
        return str(uuid.UUID(hex=review_id)) if len(review_id) in (32, 36) else _derived(review_id)
    except ValueError:
        return _derived(review_id)


def _derived(review_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, review_id))


def voiding_id(target: str) -> str:
    """The id of the statement voiding `target`: the same on every retry."""
    return str(uuid.uuid5(NAMESPACE, f"voided:{target}"))


def actor(learner: str, home_page: str) -> dict[str, Any]:
    """The learner as an xAPI account agent."""
    return {"objectType": "Agent", "account": {"homePage": home_page, "name": learner}}


def _components(prefix: str, texts: tuple[str, ...]) -> list[dict[str, Any]]:
    return [{"id": f"{prefix}{n}", "description": {"und": text}} for n, text in enumerate(texts, 1)]


def _ids(prefix: str, texts: tuple[str, ...], chosen: list[str]) -> list[str]:
    index = {text: f"{prefix}{n}" for n, text in enumerate(texts, 1)}
    return [index.get(text, quote(text, safe="")) for text in chosen]


def _strings(response: object) -> list[str]:
    if isinstance(response, list | tuple):
        return [r for r in response if isinstance(r, str)]
    return [response] if isinstance(response, str) else []


def interaction(item: Item, response: Any) -> Interaction:
    """The interaction type, right answers and response of an item, by card type."""
    card = item.card
    match card:
        case Flashcard():
            back = item.variant == "reverse"
            shown, expected = (card.back, card.front) if back else (card.front, card.back)
            return Interaction("other", [expected], {}, None, None, shown)
        case Choice():
            picked = _strings(response)
            scaled = None
            if card.multiple and card.answers:
                hits = len(set(picked) & set(card.answers))
                misses = len(set(picked) - set(card.answers))
                scaled = 0.0 if misses else hits / len(set(card.answers))
            return Interaction(
                "choice",
                ["[,]".join(_ids("c", card.choices, list(card.answers)))],
                {"choices": _components("c", card.choices)},
                "[,]".join(_ids("c", card.choices, picked)) if response is not None else None,
                scaled,
                card.question,
            )
        case TrueFalse():
            said = None if not isinstance(response, bool) else str(response).lower()
            return Interaction(
                "true-false", [str(card.answer).lower()], {}, said, None, card.statement
            )
        case Cloze():
            index = item.gap_index or 0
            shown = card.with_gap(index)
            return Interaction("fill-in", list(card.gaps[index]), {}, _text(response), None, shown)
        case Typed():
            accepted = [card.answer, *card.accept]
            return Interaction("fill-in", accepted, {}, _text(response), None, card.question)
        case Numeric():
            margin = card.allowed_error()
            low, high = card.answer - margin, card.answer + margin
            pattern = (
                f"{format_number(low)}[:]{format_number(high)}"
                if margin
                else format_number(card.answer)
            )
            return Interaction("numeric", [pattern], {}, _text(response), None, card.question)
        case Order():
            order = _strings(response)
            placed = sum(1 for a, b in zip(order, card.items, strict=False) if a == b)
            return Interaction(
                "sequencing",
                ["[,]".join(_ids("i", card.items, list(card.items)))],
                {"choices": _components("i", card.items)},
                "[,]".join(_ids("i", card.items, order)) if response is not None else None,
                placed / len(card.items) if card.items else None,
                card.question,
            )
        case Match():
            lefts = tuple(left for left, _ in card.pairs)
            rights = tuple(sorted({right for _, right in card.pairs}))
            chosen = response if isinstance(response, Mapping) else {}
            paired = sum(1 for left, answer in card.pairs if chosen.get(left) == answer)

            def pairs(mapping: Mapping[str, str]) -> str:
                return "[,]".join(
                    f"{_ids('s', lefts, [k])[0]}[.]{_ids('t', rights, [v])[0]}"
                    for k, v in mapping.items()
                    if isinstance(v, str)
                )

            return Interaction(
                "matching",
                [pairs(dict(card.pairs))],
                {"source": _components("s", lefts), "target": _components("t", rights)},
                pairs(chosen) if response is not None else None,
                paired / len(card.pairs) if card.pairs else None,
                card.question,
            )
        case _:
            assert_never(card)


def _text(response: object) -> str | None:
    return response if isinstance(response, str) else None


def iso_duration(ms: int) -> str:
    """Milliseconds as an ISO 8601 duration, exactly (PT8.25S)."""
    seconds, rest = divmod(ms, 1000)
    return f"PT{seconds}.{rest:03d}S".replace(".000S", "S")


def duration_ms(text: str) -> int | None:
    """The inverse of `iso_duration` (hours and minutes accepted too); None if not one."""
    found = _DURATION.match(text)
    if not found or not any(found.groups()):
        return None
    hours, minutes, seconds = found.groups()
    total = int(hours or 0) * 3600 + int(minutes or 0) * 60
    return total * 1000 + round(float(seconds or 0) * 1000)


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _state(state: CardState) -> Any:
    return json.loads(state_to_json(state) or "null")


def item_activity(item: Item, about: Interaction, profile: Profile) -> dict[str, Any]:
    """An item as the activity of an `answered` statement (in study or in an exam)."""
    definition: dict[str, Any] = {
        "type": INTERACTION,
        "name": {"und": about.name[:500] or item.key},
        "interactionType": about.kind,
        "correctResponsesPattern": about.pattern,
        **about.components,
    }
    return {
        "objectType": "Activity",
        "id": profile.item_iri(item.deck_id, item.key),
        "definition": definition,
    }


def deck_activity(deck_id: str, profile: Profile) -> dict[str, Any]:
    """A deck as a context activity."""
    return {
        "objectType": "Activity",
        "id": profile.deck_iri(deck_id),
        "definition": {"type": ASSESSMENT},
    }


def answered(review: ReviewRecord, item: Item, profile: Profile) -> dict[str, Any]:
    """The `answered` statement of one review."""
    about = interaction(item, review.response)
    result: dict[str, Any] = {"duration": iso_duration(review.duration_ms)}
    if review.outcome is not None:
        result["success"] = review.outcome == "right"
        scaled = {"right": 1.0, "wrong": 0.0}.get(review.outcome, about.scaled)
        if scaled is not None:
            result["score"] = {"scaled": round(scaled, 4)}
    if about.response is not None:
        result["response"] = about.response
    result["extensions"] = {
        EXT_RATING: review.rating,
        EXT_STATE: _state(review.state_after),
        EXT_RESPONSE: review.response,
        EXT_OUTCOME: review.outcome,
    }
    return {
        "id": statement_id(review.id),
        "actor": actor(review.learner, profile.home_page),
        "verb": {"id": ANSWERED, "display": {"en-US": "answered"}},
        "object": item_activity(item, about, profile),
        "result": result,
        "context": {
            "platform": "quiz",
            "contextActivities": {"parent": [deck_activity(review.deck_id, profile)]},
            "extensions": {
                EXT_REVIEW: review.id,
                EXT_DECK: review.deck_id,
                EXT_ITEM: review.item_key,
                EXT_CARD: review.card_id,
            },
        },
        "timestamp": timestamp(review.reviewed_at),
    }


def voiding(target: str, who: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The statement that voids statement `target` (an undone answer), by the same actor."""
    return {
        "id": voiding_id(target),
        "actor": who,
        "verb": {"id": VOIDED, "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": target},
        "timestamp": timestamp(at),
    }


@dataclass(frozen=True)
class ReadReview:
    """A review as read back from an `answered` statement."""

    learner: str
    home_page: str
    id: str
    deck_id: str
    item_key: str
    card_id: str
    reviewed_at: datetime
    rating: int
    outcome: str | None
    response: Any
    duration_ms: int


def read_answered(statement: Mapping[str, Any]) -> ReadReview | None:
    """The review an `answered` statement of quiz carries; None for any other statement."""
    try:
        if statement["verb"]["id"] != ANSWERED:
            return None
        account = statement["actor"]["account"]
        context = statement["context"]["extensions"]
        result = statement["result"]
        extensions = result["extensions"]
        at = datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
        ms = duration_ms(result.get("duration", "PT0S"))
        rating = extensions[EXT_RATING]
        outcome = extensions.get(EXT_OUTCOME)
        if outcome not in (None, "right", "partly", "wrong"):
            return None
        if at.tzinfo is None or ms is None or not isinstance(rating, int):
            return None
        return ReadReview(
            learner=str(account["name"]),
            home_page=str(account["homePage"]),
            id=str(context[EXT_REVIEW]),
            deck_id=str(context[EXT_DECK]),
            item_key=str(context[EXT_ITEM]),
            card_id=str(context[EXT_CARD]),
            reviewed_at=at.astimezone(UTC),
            rating=rating,
            outcome=outcome,
            response=extensions.get(EXT_RESPONSE),
            duration_ms=ms,
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def voided_target(statement: Mapping[str, Any]) -> str | None:
    """The statement id a voiding statement voids; None for any other statement."""
    try:
        target = statement["object"]
        if statement["verb"]["id"] == VOIDED and target["objectType"] == "StatementRef":
            return str(target["id"])
    except (KeyError, TypeError):
        pass
    return None
