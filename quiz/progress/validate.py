"""Checks on progress files from elsewhere: bounded reading, and every value in its range."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from quiz.deck.text import one_line
from quiz.safejson import JSONDepthError
from quiz.safejson import loads as bounded_json

# A review is a line of about 250 bytes: 256 MB is about a million reviews, decades of study.
MAX_FILE_BYTES = 256 * 1024 * 1024
# A line is one review; a typed answer is a sentence, not a megabyte.
MAX_LINE_BYTES = 1024 * 1024
# Responses are text, lists or mappings: a few levels at most.
MAX_DEPTH = 16
MAX_LEARNER = 100
MAX_DURATION_MS = 24 * 60 * 60 * 1000
# Reviews are from the years quiz has existed, and not from the future (a day of clock skew).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
SKEW = timedelta(days=1)
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ITEM_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*(?:::[a-z0-9]+)?")
_KIND = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


class InvalidFile(Exception):
    """The file as a whole cannot be read: (line, column, message)."""

    def __init__(self, message: str, line: int = 0, column: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def open_bounded(path: str) -> IO[bytes]:
    """Open a regular file of at most MAX_FILE_BYTES; a FIFO or device is never waited on."""
    try:
        # Non-blocking, so opening a FIFO with no writer returns at once instead of waiting.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise InvalidFile(f"cannot read the file: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = _KIND.get(stat.S_IFMT(info.st_mode), "not a regular file")
            raise InvalidFile(f"cannot read the file: it is {kind}, not a progress file")
        if info.st_size > MAX_FILE_BYTES:
            raise InvalidFile(
                f"the file is {info.st_size / 1024 / 1024:,.0f} MB; progress files are at most "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB (about a million reviews)"
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def lines(file: IO[bytes]) -> Iterator[tuple[int, str]]:
    """The file's lines as text with their numbers, each of at most MAX_LINE_BYTES."""
    read = 0
    for number in range(1, 1 << 62):
        raw = file.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        read += len(raw)
        # The file may grow while it is read: the cap holds for what is read, not for stat.
        if read > MAX_FILE_BYTES:
            raise InvalidFile(f"the file is over {MAX_FILE_BYTES // 1024 // 1024} MB", number)
        if len(raw) > MAX_LINE_BYTES:
            raise InvalidFile(
                f"the line is longer than {MAX_LINE_BYTES // 1024 // 1024} MB; a review is "
                "a few hundred bytes",
                number,
            )
        try:
            yield number, raw.decode("utf-8").removesuffix("\n")
        except UnicodeDecodeError as exc:
            raise InvalidFile("it is not UTF-8 text", number, exc.start + 1) from exc
    return


def parse_line(text: str, number: int) -> Any:
    """One line's JSON, with nesting bounded and only text that can be stored."""
    try:
        value = bounded_json(text, MAX_DEPTH)
    except JSONDepthError as exc:
        raise InvalidFile(f"invalid JSON: {exc}", number) from exc
    except ValueError as exc:
        msg, column = getattr(exc, "msg", str(exc)), getattr(exc, "colno", 1)
        raise InvalidFile(f"invalid JSON: {msg}", number, column) from exc
    _no_surrogates(value, number)
    return value


def _no_surrogates(value: object, number: int) -> None:
    """Refuse a lone surrogate (a \\ud800 escape), which no text can store or print."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = ascii(value[exc.start])[1:-1]
            raise InvalidFile(
                f"text holds a lone surrogate ({bad}), which is not a character", number
            ) from exc
    elif isinstance(value, list):
        for entry in value:
            _no_surrogates(entry, number)
    elif isinstance(value, dict):
        for key, entry in value.items():
            _no_surrogates(key, number)
            _no_surrogates(entry, number)


def learner_problem(learner: object) -> str | None:
    """Why a learner name from a file cannot be used, or None."""
    if not isinstance(learner, str) or not learner.strip():
        return "the header has no learner name"
    if len(learner) > MAX_LEARNER or not learner.isprintable():
        return (
            f"the learner name {one_line(learner[:MAX_LEARNER])!r} must be printable text of "
            f"at most {MAX_LEARNER} characters (no control characters or line breaks)"
        )
    return None


def parse_time(text: str) -> tuple[datetime | None, bool]:
    """An ISO 8601 time with an offset, in UTC, or None; True when it is one but unstorable."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None, False
    if when.tzinfo is None:
        return None, False
    try:
        return when.astimezone(UTC), False
    except OverflowError:
        # Near year 1 or 9999, the offset carries the time out of what a datetime holds.
        return None, True


def refusal(value: dict[str, Any], when: datetime | None, now: datetime) -> str | None:
    """Why a well-formed review is out of range and refused, or None to import it."""
    if when is None or not EARLIEST <= when <= now + SKEW:
        return f"a time outside {EARLIEST.year} to now ('reviewed_at')"
    if not 0 <= value["duration_ms"] <= MAX_DURATION_MS:
        return "a duration outside 0 to a day ('duration_ms')"
    if not SLUG.fullmatch(value["deck_id"]):
        return "a deck id that is not a slug ('deck_id')"
    if not ITEM_KEY.fullmatch(value["item_key"]):
        return "an item key that is not a card id with an optional ::variant ('item_key')"
    if not SLUG.fullmatch(value["card_id"]):
        return "a card id that is not a slug ('card_id')"
    return None


def refused_lines(path: str, refused: dict[str, list[int]]) -> list[str]:
    """A warning per reason: how many reviews were refused and at which lines."""
    out = []
    for reason, numbers in sorted(refused.items()):
        shown = ", ".join(str(n) for n in numbers[:5]) + (", ..." if len(numbers) > 5 else "")
        out.append(
            f"{path}: warning: {len(numbers)} review(s) refused, not imported: {reason} "
            f"(line {shown})"
        )
    return out
