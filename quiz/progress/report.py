"""Reports as a terminal table (Rich), CSV for spreadsheets, or JSON for scripts."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text

from quiz.progress.items import ItemAnalysis
from quiz.progress.stats import GroupBy, ProgressRow, standing
from quiz.scheduler import study_day
from quiz.textsafe import cell, safe


class Format(StrEnum):
    """How a report is printed."""

    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def format_duration(seconds: float) -> str:
    """12 s, 3 min 5 s, 1 h 02 min."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def percent(share: float | None) -> str:
    """A share as a whole percentage, or a dash when there is none."""
    return f"{share:.0%}" if share is not None else "-"


def local_day(when: datetime | None) -> str:
    """The local date of a time, or a dash."""
    return when.astimezone().date().isoformat() if when is not None else "-"


def _rounded(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


PROGRESS_FIGURES = (
    "total",
    "seen",
    "mastered",
    "due",
    "overdue",
    "first_answers",
    "first_right",
    "first_accuracy",
    "retention_reviews",
    "retention_passed",
    "true_retention",
    "reviews",
    "seconds",
    "last_studied",
)
ITEM_FIELDS = (
    "deck",
    "item",
    "type",
    "path",
    "line",
    "answers",
    "right",
    "facility",
    "discrimination",
    "wrong_choices",
    "flags",
)


def progress_fields(by: GroupBy) -> list[str]:
    """The columns of a class report's CSV, in order."""
    keys = ["learner"]
    if by is not GroupBy.TAG:
        keys.append("deck")
    if by is not GroupBy.DECK:
        keys.append(by.value)
    keys += PROGRESS_FIGURES
    if by is GroupBy.DECK:
        keys.append("status")
    return keys


def progress_record(row: ProgressRow, by: GroupBy, now: datetime) -> dict[str, Any]:
    """A report row as plain data, for CSV and JSON."""
    record: dict[str, Any] = {"learner": row.learner}
    if by is not GroupBy.TAG:
        record["deck"] = row.deck_id
    if by is not GroupBy.DECK:
        record[by.value] = row.group
    record.update(
        total=row.total,
        seen=row.seen,
        mastered=row.mastered,
        due=row.due,
        overdue=row.overdue,
        first_answers=row.first_answers,
        first_right=row.first_right,
        first_accuracy=_rounded(row.accuracy),
        retention_reviews=row.retention_reviews,
        retention_passed=row.retention_passed,
        true_retention=_rounded(row.true_retention),
        reviews=row.reviews,
        seconds=round(row.seconds, 3),
        last_studied=row.last_studied.isoformat() if row.last_studied else None,
    )
    if by is GroupBy.DECK:
        record["status"] = standing(row, now).label
    return record


def short_duration(seconds: float) -> str:
    """12s, 3m05s, 1h02m: time spent, for narrow tables."""
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def days_ago(when: datetime | None, now: datetime) -> str:
    """today, yesterday, 5 d ago, or never: when a learner last studied."""
    if when is None:
        return "never"
    days = (study_day(now) - study_day(when)).days
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} d ago"


def progress_tables(rows: Sequence[ProgressRow], by: GroupBy, now: datetime) -> list[Table]:
    """The class report for a terminal: a table per deck when there are several learners."""
    names = {row.learner for row in rows}
    several = len(names) > 1
    if not several or by is GroupBy.TAG:
        only = f" of {next(iter(names))}" if len(names) == 1 else ""
        return [_progress_table(f"Progress by {by.value}{only}", rows, by, now, several, True)]
    decks: dict[str | None, list[ProgressRow]] = {}
    for row in rows:
        decks.setdefault(row.deck_id, []).append(row)
    return [
        _progress_table(f"Deck {deck_id}", deck_rows, by, now, several, False)
        for deck_id, deck_rows in decks.items()
    ]


def _progress_table(
    title: str,
    rows: Sequence[ProgressRow],
    by: GroupBy,
    now: datetime,
    with_learner: bool,
    with_deck: bool,
) -> Table:
    table = Table(
        title=cell(title),
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        # The box's blank rule alone separates columns: eleven of them must fit in 80.
        padding=0,
        show_edge=False,
    )
    if with_learner:
        table.add_column("learner", overflow="ellipsis", no_wrap=True, min_width=7)
    with_deck = with_deck and by is not GroupBy.TAG
    if with_deck:
        table.add_column("deck", overflow="ellipsis", no_wrap=True, min_width=8)
    if by is not GroupBy.DECK:
        table.add_column(by.value, overflow="ellipsis", no_wrap=True, min_width=8)
    for name in ("seen", "mastered", "due", "first\nright", "retention", "reviews", "time"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("last\nstudied", no_wrap=True)
    if by is GroupBy.DECK:
        table.add_column("status", no_wrap=True)
    for row in rows:
        cells: list[str | Text] = [cell(row.learner)] if with_learner else []
        if with_deck:
            cells.append(cell(row.deck_id or ""))
        if by is not GroupBy.DECK:
            cells.append(cell(row.group))
        cells += [
            f"{row.seen}/{row.total}",
            str(row.mastered),
            str(row.due),
            percent(row.accuracy),
            percent(row.true_retention),
            str(row.reviews),
            short_duration(row.seconds),
            days_ago(row.last_studied, now),
        ]
        if by is GroupBy.DECK:
            mark = standing(row, now)
            cells.append(Text(mark.label, style="bold red" if mark.behind else ""))
        table.add_row(*cells)
    return table


def relative_path(path: str) -> str:
    """A path relative to the working folder when it lies inside it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    return path if rel.startswith("..") else rel


def item_record(item: ItemAnalysis) -> dict[str, Any]:
    """An item's analysis as plain data, for CSV and JSON."""
    return {
        "deck": item.deck_id,
        "item": item.item_key,
        "type": item.card_type,
        "path": relative_path(item.path),
        "line": item.line,
        "answers": item.answers,
        "right": item.right,
        "facility": _rounded(item.facility),
        "discrimination": _rounded(item.discrimination),
        "wrong_choices": dict(item.distractors),
        "flags": list(item.flags),
    }


def items_table(items: Sequence[ItemAnalysis]) -> Table:
    """Item analysis for a terminal."""
    table = Table(
        title="Item analysis (first answers)",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=0,
        show_edge=False,
    )
    table.add_column("deck", overflow="ellipsis", no_wrap=True, min_width=8)
    table.add_column("item", overflow="ellipsis", no_wrap=True, min_width=8)
    table.add_column("answers", justify="right")
    table.add_column("facility", justify="right")
    table.add_column("discrim-\nination", justify="right")
    table.add_column("wrong choices picked", ratio=1)
    table.add_column("flags", style="yellow")
    for item in items:
        table.add_row(
            cell(item.deck_id),
            cell(item.item_key),
            str(item.answers),
            percent(item.facility),
            f"{item.discrimination:+.2f}" if item.discrimination is not None else "-",
            cell(", ".join(f"{choice}: {n}" for choice, n in item.distractors)),
            cell(", ".join(item.flags)),
        )
    return table


def flagged_lines(items: Sequence[ItemAnalysis]) -> list[str]:
    """Each flagged item as path:line:col: warning: ..., like `quiz check` prints problems."""
    out = []
    for item in items:
        if item.flags:
            facility = percent(item.facility)
            discrimination = (
                f"{item.discrimination:+.2f}" if item.discrimination is not None else "-"
            )
            out.append(
                f"{relative_path(item.path)}:{item.line}:1: warning: {item.item_key}: "
                f"{', '.join(item.flags)} (facility {facility}, discrimination "
                f"{discrimination}, {item.answers} learners)"
            )
    return out


def to_csv(fields: Sequence[str], records: Sequence[dict[str, Any]]) -> str:
    """Records as CSV with a header row; nested values are written as JSON."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                # A control character or break in a field would forge a line or send an escape.
                k: safe(json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
                if isinstance(v, str | dict | list)
                else v
                for k, v in record.items()
            }
        )
    return buffer.getvalue()


_JSON_UNSAFE = re.compile(
    "[\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)


def to_json(key: str, records: Sequence[dict[str, Any]], now: datetime) -> str:
    """Records as one JSON document, with when they were made."""
    text = json.dumps(
        {"generated_at": now.isoformat(), key: list(records)}, ensure_ascii=False, indent=2
    )
    # JSON escapes only C0 controls itself; C1 controls and bidi overrides are escaped too.
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
