"""`quiz exam`: take an exam, and the instructor's `results`, `grades` and `schema`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Any

import click

from quiz.cli.group import main, open_learner, print_problems, store_options
from quiz.deck.problems import DeckError
from quiz.exams.spec import ExamSpec


class _ExamGroup(click.Group):
    """`quiz exam EXAM` takes the exam; `quiz exam results ...` and the rest are commands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Options may come first (--db PATH results), so any command name among the arguments
        # is the command; with none, the arguments are an exam to take.
        wants_help = bool(set(args) & {"-h", "--help"})
        if args and not wants_help and not any(a in self.commands for a in args):
            args = ["take", *args]
        return super().parse_args(ctx, args)


def find_exam(name: str) -> ExamSpec:
    """The exam a file path or a bundled exam id names."""
    from quiz.exams.loader import load_exam, read_exam
    from quiz.library import bundled_decks_dir

    path = Path(name)
    try:
        if path.exists():
            return load_exam(path)
        for candidate in sorted((bundled_decks_dir() / "exams").glob("*.exam.y*ml")):
            exam, _, _ = read_exam(candidate)
            if exam is not None and exam.id == name:
                return exam
    except DeckError as exc:
        print_problems(exc.problems)
        raise click.ClickException(f"{name}: the exam file has errors") from None
    raise click.ClickException(f"no such exam file or bundled exam id '{name}'")


@main.group(name="exam", cls=_ExamGroup)
@store_options
def exam() -> None:
    """Exams: `quiz exam EXAM_FILE_OR_ID` takes one; results and grades are for instructors.

    Exam files and scoring: docs/exams.md.
    """


@exam.command(name="take", hidden=True)
@click.argument("name", metavar="EXAM_FILE_OR_ID")
@click.option("--seed", type=int, default=None, hidden=True, help="Draw with this seed.")
@store_options
@click.pass_context
def take(ctx: click.Context, name: str, seed: int | None) -> None:
    """Take an exam (or go on with the attempt left open)."""
    from quiz.exams.attempt import ExamAttempt, ExamError
    from quiz.exams.sources import nearby_deck_paths
    from quiz.library import load_library
    from quiz.scheduler import utc_now
    from quiz.tui.exam_app import make_exam_app

    spec = find_exam(name)
    store, learner = open_learner(ctx)
    paths = nearby_deck_paths(Path(spec.path or "."))
    library = load_library(store, paths, utc_now())
    try:
        attempt = ExamAttempt.begin(store, spec, library.decks, learner, utc_now, seed=seed)
    except ExamError as exc:
        raise click.ClickException(str(exc)) from None
    make_exam_app(attempt).run()
    # An answer that could not be saved (a full disk, a deleted database) ended the exam
    # screen with its message; the exit status says so too, as `quiz study`'s does.
    if store.failure is not None:
        raise click.ClickException(f"during the exam: {store.failure}")
    if attempt.submitted and attempt.grade is not None:
        outcome = {True: " (passed)", False: " (not passed)", None: ""}[attempt.passed]
        click.echo(f"{spec.id}: {learner} scored {attempt.grade:.0%}{outcome}", err=True)


def _exam_ids(store: Any, name: str | None) -> list[str]:
    if name is None:
        ids: list[str] = store.exam_ids()
        return ids
    path = Path(name)
    return [find_exam(name).id] if path.exists() else [name]


@exam.command()
@click.argument("name", required=False, metavar="[EXAM]")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
)
@store_options
@click.pass_context
def results(ctx: click.Context, name: str | None, output: str) -> None:
    """Per learner the attempts, scores, time and counted grade; per question the statistics."""
    from quiz.exams.results import exam_results, results_csv, results_json

    store, _ = open_learner(ctx)
    ids = _exam_ids(store, name)
    if not ids:
        raise click.ClickException(f"no exam attempts in {store.path}")
    all_results = [exam_results(store, exam_id) for exam_id in ids]
    if output == "json":
        data = [results_json(r) for r in all_results]
        click.echo(json.dumps(data[0] if name else data, indent=2, ensure_ascii=False))
        return
    if output == "csv":
        for r in all_results:
            sys.stdout.write(results_csv(r))
        return
    _print_tables(all_results)


def _print_tables(all_results: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from quiz.exams.spec import format_duration

    console = Console(highlight=False)
    for r in all_results:
        people = Table(title=f"{r.exam_id}: {r.title or ''}", title_justify="left")
        for column in ("learner", "attempt", "score", "grade", "time", "counted", "passed"):
            people.add_column(column, justify="left" if column == "learner" else "right")
        for lr in r.learners:
            for a in lr.attempts:
                people.add_row(
                    lr.learner if a.number == 1 else "",
                    str(a.number),
                    f"{a.score:g}/{a.max_score:g}" if a.score is not None else "open",
                    f"{a.grade:.0%}" if a.grade is not None else "-",
                    format_duration(a.seconds) if a.seconds is not None else "-",
                    f"{lr.counted:.0%}" if lr.counted is not None and a.number == 1 else "",
                    {True: "yes", False: "no", None: ""}[lr.passed] if a.number == 1 else "",
                )
        console.print(people)
        items = Table(title="Questions", title_justify="left")
        for column in ("card", "asked", "facility", "discrim.", "place"):
            items.add_column(
                column, justify="right" if column in ("asked", "facility", "discrim.") else "left"
            )
        for q in r.questions:
            items.add_row(
                f"{q.deck_id}/{q.item_key}",
                str(q.attempts),
                f"{q.facility:.0%}" if q.facility is not None else "-",
                f"{q.discrimination:.2f}" if q.discrimination is not None else "-",
                q.place,
            )
        console.print(items)


@exam.command()
@click.argument("name", metavar="EXAM")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the CSV here (default: standard output).",
)
@click.option(
    "--map",
    "mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="CSV of learner,identifier: the Moodle user each learner is (see docs/exams.md).",
)
@click.option(
    "--id-column",
    default="username",
    show_default=True,
    help="The identifier column's header: username, email or idnumber, as Moodle maps it.",
)
@click.option("--grade-column", default=None, help="The grade column's header (default: exam id).")
@store_options
@click.pass_context
def grades(
    ctx: click.Context,
    name: str,
    output: Path | None,
    mapping: Path | None,
    id_column: str,
    grade_column: str | None,
) -> None:
    """The counted grade of each learner (0 to 100) as CSV for Moodle's gradebook import."""
    from quiz.exams.results import exam_results, grades_csv

    store, _ = open_learner(ctx)
    exam_id = _exam_ids(store, name)[0]
    results = exam_results(store, exam_id)
    if not results.learners:
        raise click.ClickException(f"no attempts at exam '{exam_id}' in {store.path}")
    identifiers = _read_mapping(mapping) if mapping else None
    text, missing = grades_csv(results, identifiers, id_column=id_column, grade_column=grade_column)
    for learner in missing:
        click.echo(f"warning: {learner} is not in {mapping}: left out of the grades", err=True)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        rows = text.count("\n") - 1
        click.echo(f"wrote {rows} grade(s) to {output}", err=True)


def _read_mapping(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row or (number == 1 and row[0].strip().lower() == "learner"):
                continue
            if len(row) < 2 or not row[1].strip():
                raise click.ClickException(
                    f"{path}:{number}:1: error: a row must be learner,identifier"
                )
            out[row[0].strip()] = row[1].strip()
    return out


@exam.command()
@click.argument("attempt_id", metavar="ATTEMPT_ID")
@store_options
@click.pass_context
def show(ctx: click.Context, attempt_id: str) -> None:
    """One attempt as the learner saw it: questions, options as shown, answers and marks.

    Attempt ids are in `quiz exam results --format json`.
    """
    from quiz.exams.spec import format_duration

    store, _ = open_learner(ctx)
    record = store.exam_attempt(attempt_id)
    if record is None:
        raise click.ClickException(f"no exam attempt '{attempt_id}' in {store.path}")
    status = (
        f"submitted {record.submitted_at.isoformat()} by {record.submitted_by}"
        if record.submitted_at
        else "open"
    )
    click.echo(f"{record.exam_id} · {record.learner} · seed {record.seed} · {status}")
    if record.score is not None:
        click.echo(f"score {record.score:g} / {record.max_score or 0:g}")
    for r in store.exam_responses(attempt_id):
        flag = " [flagged]" if r.flagged else ""
        mark = f"{r.mark:.2f}" if r.mark is not None else "-"
        click.echo(f"\n{r.position + 1}. {r.deck_id}/{r.item_key}{flag}")
        for number, option in enumerate(r.options, start=1):
            click.echo(f"   {number}. {option}")
        answer = json.dumps(r.response, ensure_ascii=False) if r.response is not None else "-"
        click.echo(f"   answer: {answer}")
        click.echo(
            f"   mark: {mark} · saved {r.changes} time(s) · {format_duration(r.seconds)} on it"
        )


@exam.command()
def schema() -> None:
    """Print the JSON Schema of exam files, for editors."""
    from quiz.exams.schema import exam_schema

    click.echo(json.dumps(exam_schema(), indent=2, ensure_ascii=False))
