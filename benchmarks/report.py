"""The results table: printed, and written into docs/benchmarks.md between two markers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

START = "<!-- benchmark results: written by benchmarks/run.py -->"
END = "<!-- end of benchmark results -->"
COLUMNS = ("measure", "size", "median", "p99", "target", "Anki", "ours/Anki", "met")


@dataclass(frozen=True)
class Row:
    """One line of the table; durations in seconds, memory in MB."""

    measure: str
    size: str
    median: float | None
    p99: float | None = None
    target: str = ""
    met: bool | None = None
    anki: float | None = None
    ratio: float | None = None
    anki_p99: float | None = None
    ratio_p99: float | None = None
    unit: str = "s"


def fmt(value: float | None, unit: str = "s") -> str:
    """A duration, memory size or ratio, short and readable."""
    if value is None:
        return "—"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "x":
        return f"{value:.2f}x"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def _cells(row: Row) -> list[str]:
    verdict = {True: "yes", False: "**no**", None: ""}[row.met]
    anki = fmt(row.anki, row.unit) if row.anki is not None else "—"
    ratio = fmt(row.ratio, "x") if row.ratio is not None else ""
    if row.anki_p99 is not None:
        anki += f" / {fmt(row.anki_p99, row.unit)}"
    if row.ratio_p99 is not None:
        ratio += f" / {fmt(row.ratio_p99, 'x')}"
    return [
        row.measure,
        row.size,
        fmt(row.median, row.unit),
        fmt(row.p99, row.unit) if row.p99 is not None else "",
        row.target,
        anki,
        ratio,
        verdict,
    ]


def markdown_table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(_cells(row)) + " |" for row in rows]
    return "\n".join(lines)


def text_table(rows: list[Row]) -> str:
    """The rows aligned in columns, for the terminal."""
    table = [list(COLUMNS), *(_cells(row) for row in rows)]
    table = [[cell.replace("**", "") for cell in line] for line in table]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in table
    )


def results_section(
    rows: list[Row], machine: dict[str, str], settings: str, notes: list[str]
) -> str:
    """The generated part of docs/benchmarks.md."""
    described = "\n".join(f"- {key}: {value}" for key, value in machine.items())
    noted = "\n".join(f"- {note}" for note in notes)
    return (
        f"{START}\n\n{markdown_table(rows)}\n\n{noted}\n\nRun: `{settings}`\n\n"
        f"Machine:\n\n{described}\n\n{END}"
    )


def write_results(path: Path, section: str) -> None:
    """Put the results section in `path`, replacing the last one and keeping the rest."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        before = text[: text.index(START)]
        after = text[text.index(END) + len(END) :]
        text = before + section + after
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + section + "\n"
    path.write_text(text, encoding="utf-8")
