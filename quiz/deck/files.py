"""Deck files on disk: finding them, reading them safely, and telling when one changed."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import shlex
import stat
from collections.abc import Iterator
from pathlib import Path

from quiz.deck.problems import Problem, Severity

MAX_FILE_BYTES = 20 * 1024 * 1024
# Exams (quiz/exams/) sit beside decks, named NAME.exam.yaml so that a folder's decks skip them.
EXAM_SUFFIXES = (".exam.yaml", ".exam.yml")


def is_exam_file(path: Path) -> bool:
    """True for a file named as exams are."""
    return path.name.lower().endswith(EXAM_SUFFIXES)


def deck_files(path: Path) -> Iterator[Path]:
    """The deck files a path names: the file itself, or the YAML files of a folder."""
    if path.is_dir():
        yield from sorted(
            p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and not is_exam_file(p)
        )
    else:
        yield path


def exam_files(path: Path) -> Iterator[Path]:
    """The exam files a path names: the file itself if it is one, or those in a folder."""
    if path.is_dir():
        yield from sorted(p for p in path.rglob("*") if is_exam_file(p))
    elif is_exam_file(path):
        yield path


def file_hash(data: bytes) -> str:
    """The content hash that tells whether a deck file changed."""
    return hashlib.sha256(data).hexdigest()


def read_deck_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes, or a problem saying why it cannot be read."""
    name = str(path)
    limit = MAX_FILE_BYTES // (1024 * 1024)
    too_big = f"decks are limited to {limit} MB"
    try:
        if path.is_dir():
            return None, [_unreadable(name, "is a directory, not a deck file")]
        # Non-blocking, so that opening a FIFO does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as f:
            info = os.fstat(f.fileno())
            # A FIFO would wait forever and /dev/zero would never end.
            if not stat.S_ISREG(info.st_mode):
                return None, [_unreadable(name, "is not a regular file")]
            size = info.st_size
            if size > MAX_FILE_BYTES:
                message = f"file is {size / 1048576:.1f} MB; {too_big}"
                return None, [_unreadable(name, message)]
            # Read no more than the limit even if the file grows while it is read.
            data = f.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            message = f"file is over {limit} MB; {too_big}"
            return None, [_unreadable(name, message)]
        return data, []
    except OSError as exc:
        return None, [_unreadable(name, f"cannot read file: {exc.strerror}")]


_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def decode_deck(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Deck bytes as text; decks are UTF-8, with or without a byte-order mark."""
    for bom, encoding in _WIDE_BOMS:
        if data.startswith(bom):
            message = f"file is {encoding} text (it starts with a {encoding} byte-order mark); "
            return None, [_not_utf8(path, 0, 0, message + "save it as UTF-8")]
    try:
        # Any further marks left by joining files are dropped too; YAML counts none of them.
        return data.decode("utf-8-sig").lstrip("\ufeff"), []
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        # Columns count characters, as YAML's own error marks do, not bytes.
        line_start = before[before.rfind(b"\n") + 1 :]
        column = len(line_start.decode("utf-8", errors="replace")) + 1
        return None, [
            _not_utf8(path, line, column, f"file is not UTF-8 text (byte 0x{data[exc.start]:02x})")
        ]


def _unreadable(path: str, message: str) -> Problem:
    # About the whole file: no line or column.
    return Problem(path, 0, 0, Severity.ERROR, message, check_rule="unreadable-file")


def _not_utf8(path: str, line: int, column: int, message: str) -> Problem:
    return Problem(path, line, column, Severity.ERROR, message, check_rule="not-utf8")


_DECK_KEY = re.compile(r"^deck[ \t]*:", re.MULTILINE)


def id_place(path: Path) -> tuple[int, int]:
    """The line and column of a deck file's `deck:` key, or (0, 0) when it cannot be found."""
    data, _ = read_deck_bytes(path)
    text = data.decode("utf-8", errors="replace") if data is not None else ""
    found = _DECK_KEY.search(text)
    if found is None:
        return 0, 0
    return text.count("\n", 0, found.start()) + 1, 1


def exam_given(path: Path) -> Problem:
    """The error for an exam file named where a deck is wanted, with the command that sits it."""
    return Problem(
        str(path),
        0,
        0,
        Severity.ERROR,
        "is an exam file, not a deck",
        check_rule="exam-file",
        hint=f"sit it with 'quiz exam {shlex.quote(str(path))}'",
    )
