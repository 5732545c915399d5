"""`quiz progress` (with its export and import) and `quiz items`: reports on learners' work."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from quiz.cli.group import main, open_learner, store_options
from quiz.scheduler import utc_now
from quiz.store.database import Store
from quiz.textsafe import safe

REPORT_FORMATS = ["table", "csv", "json"]


def _known_decks(store: Store, decks: tuple[str, ...]) -> list[str] | None:
    """The --deck ids given (None for every deck), each checked to be in the database."""
    if not decks:
        return None
    from quiz.progress.stats import deck_ids

    known = set(deck_ids(store))
    for deck_id in decks:
        if deck_id not in known:
            raise click.ClickException(
                f"no deck '{deck_id}' in {store.path}: open it once (quiz decks PATH) first"
            )
    return list(decks)


@main.group(name="progress", invoke_without_command=True)
@click.option("--all", "everyone", is_flag=True, help="Every learner with reviews, not one.")
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only this deck (repeatable).")
@click.option(
    "--by",
    type=click.Choice(["deck", "tag", "card"]),
    default="deck",
    show_default=True,
    help="One row per learner and deck, topic tag or card.",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(REPORT_FORMATS),
    default="table",
    show_default=True,
    help="table to read, csv for spreadsheets, json for scripts.",
)
@store_options
@click.pass_context
def progress(
    ctx: click.Context, everyone: bool, decks: tuple[str, ...], by: str, output: str
) -> None:
    """Progress of the learner (or --all): seen, mastered, due, accuracy, retention, time.

    `quiz progress export` and `quiz progress import` carry progress between machines.
    Definitions: docs/progress.md.
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from quiz.progress.report import (
        progress_fields,
        progress_record,
        progress_tables,
        to_csv,
        to_json,
    )
    from quiz.progress.stats import GroupBy, class_report

    if everyone and (ctx.find_root().obj or {}).get("learner"):
        raise click.UsageError("give --learner NAME or --all, not both")
    store, learner = open_learner(ctx)
    now = utc_now()
    group = GroupBy(by)
    chosen = _known_decks(store, decks)
    rows = class_report(
        store, now, learners=None if everyone else [learner], decks=chosen, by=group
    )
    if output == "table":
        if not rows:
            click.echo("no progress yet: no learner has reviews in these decks", err=True)
            return
        console = Console(highlight=False)
        for table in progress_tables(rows, group, now):
            console.print(table)
        return
    records = [progress_record(row, group, now) for row in rows]
    if output == "csv":
        click.echo(to_csv(progress_fields(group), records), nl=False)
    else:
        click.echo(to_json("rows", records, now))


@progress.command(name="export")
@click.option(
    "-o",
    "--output",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path, allow_dash=True),
    help="The file to write ('-' for standard output).",
)
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only this deck (repeatable).")
@click.option(
    "--format",
    "kind",
    type=click.Choice(["quiz", "xapi"]),
    default="quiz",
    show_default=True,
    help="quiz: a progress file; xapi: a JSON array of xAPI statements, for an LRS.",
)
@click.option(
    "--home-page", metavar="URL", help="With --format xapi: the institution's (default: lrs set)."
)
@store_options
@click.pass_context
def progress_export(
    ctx: click.Context, target: Path, decks: tuple[str, ...], kind: str, home_page: str | None
) -> None:
    """Write the learner's reviews to a portable progress file, for `quiz progress import`."""
    from quiz.progress.exchange import ProgressFileError, export_progress, write_progress_file

    store, learner = open_learner(ctx, check=False)
    chosen = _known_decks(store, decks)
    if kind == "xapi":
        _export_xapi(store, learner, target, chosen, home_page)
        return
    try:
        if str(target) == "-":
            count = export_progress(store, learner, sys.stdout, utc_now(), chosen)
        else:
            count = write_progress_file(store, learner, target, utc_now(), chosen)
    except ProgressFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {count} review(s) of {learner} to {target}", err=True)


def _export_xapi(
    store: Store, learner: str, target: Path, decks: list[str] | None, home_page: str | None
) -> None:
    from quiz.progress.exchange import ProgressFileError
    from quiz.xapi.config import LrsConfigError, check_home_page
    from quiz.xapi.outbox import HOME_PAGE, default_activity_base, profile
    from quiz.xapi.pull import write_statements_file
    from quiz.xapi.statements import Profile

    settings = store.lrs_settings()
    if home_page is not None:
        try:
            check_home_page(home_page)
        except LrsConfigError as exc:
            raise click.ClickException(str(exc)) from exc
        chosen = Profile(home_page, default_activity_base(home_page))
    elif HOME_PAGE in settings:
        chosen = profile({**settings, "endpoint": "-"}) or Profile("", "")
    else:
        raise click.UsageError("give --home-page URL (or set an LRS with `quiz lrs set`)")
    try:
        path = None if str(target) == "-" else target
        count, text = write_statements_file(store, learner, chosen, path, decks)
    except ProgressFileError as exc:
        raise click.ClickException(str(exc)) from exc
    if text:
        click.echo(text, nl=False)
    click.echo(f"wrote {count} statement(s) of {learner} to {target}", err=True)


@progress.command(name="import")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@store_options
@click.pass_context
def progress_import(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Merge progress files into the database; importing a file again changes nothing.

    Every file is checked first: if any is damaged or foreign, nothing is imported.
    """
    import sqlite3

    from quiz.progress.exchange import ProgressFileError, import_progress, read_progress_file
    from quiz.xapi.pull import is_statements_file, read_statements_file

    store, _ = open_learner(ctx)
    read, failed = [], False
    voided: list[tuple[str, str]] = []
    for path in files:
        try:
            if is_statements_file(path):
                # xAPI statements (`export --format xapi`, or an LRS's): the same merge.
                gathered = read_statements_file(path)
                read.extend(gathered.files)
                voided.extend(gathered.voided)
                for line in gathered.warnings():
                    click.echo(safe(line), err=True)
            else:
                read.append(read_progress_file(path))
                for line in read[-1].warnings():
                    click.echo(safe(line), err=True)
        except ProgressFileError as exc:
            click.echo(safe(exc), err=True)
            failed = True
    if failed:
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    try:
        reports = import_progress(store, read, utc_now(), voided)
    except sqlite3.Error as exc:
        raise click.ClickException(f"{store.path}: nothing was imported: {exc}") from exc
    for report in reports:
        first, *warnings = report.lines()
        click.echo(safe(first))
        for line in warnings:
            click.echo(safe(line), err=True)


@main.command(name="items")
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only this deck (repeatable).")
@click.option(
    "--format",
    "output",
    type=click.Choice(REPORT_FORMATS),
    default="table",
    show_default=True,
    help="table to read, csv for spreadsheets, json for scripts.",
)
@click.option("--flagged", is_flag=True, help="Only the items flagged for a look.")
@click.option(
    "--min-answers",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="Flag items only once this many learners answered them.",
)
@store_options
@click.pass_context
def items_command(
    ctx: click.Context, decks: tuple[str, ...], output: str, flagged: bool, min_answers: int
) -> None:
    """Item analysis from learners' first answers: facility, discrimination, wrong choices.

    Items to look at (negative discrimination, almost all right or all wrong) are flagged
    and listed as path:line:col: warning: ... Definitions: docs/progress.md.
    """
    from rich.console import Console

    from quiz.progress.items import item_analysis
    from quiz.progress.report import (
        ITEM_FIELDS,
        flagged_lines,
        item_record,
        items_table,
        to_csv,
        to_json,
    )

    store, _ = open_learner(ctx)
    now = utc_now()
    items = item_analysis(store, _known_decks(store, decks), min_answers=min_answers)
    if flagged:
        items = [item for item in items if item.flags]
    if output == "table":
        Console(highlight=False).print(items_table(items))
        for line in flagged_lines(items):
            click.echo(safe(line))
    elif output == "csv":
        click.echo(to_csv(ITEM_FIELDS, [item_record(item) for item in items]), nl=False)
    else:
        click.echo(to_json("items", [item_record(item) for item in items], now))
