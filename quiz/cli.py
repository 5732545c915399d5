"""The `quiz` command line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from quiz import __version__
from quiz.deck.files import deck_files
from quiz.deck.problems import Problem
from quiz.library import Library, bundled_decks_dir, load_library, resolve
from quiz.scheduler import utc_now
from quiz.store.database import Store, StoreError, default_db_path, open_store

F = TypeVar("F", bound=Callable[..., Any])


def default_learner() -> str:
    """The OS user name, which is the learner unless --learner says otherwise."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "learner"


def _remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    # Options may come before or after the subcommand; the one given last wins.
    ctx.ensure_object(dict)
    root = ctx.find_root()
    root.ensure_object(dict)
    if value is not None:
        root.obj[param.name] = value
    return value


def store_options(func: F) -> F:
    """Add --db and --learner to a command."""
    func = click.option(
        "--learner",
        metavar="NAME",
        callback=_remember,
        expose_value=False,
        help="Whose progress to use (default: your user name).",
    )(func)
    func = click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=_remember,
        expose_value=False,
        envvar="QUIZ_DB",
        help="Database file (default: QUIZ_DB, else the user data folder).",
    )(func)
    return func


def _open(ctx: click.Context) -> tuple[Store, str]:
    obj = ctx.find_root().obj or {}
    try:
        store = open_store(obj.get("db") or default_db_path())
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    return store, obj.get("learner") or default_learner()


def _print_problems(problems: list[Problem]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


def _library(store: Store, names: list[str]) -> Library:
    paths, problems = resolve(names) if names else (sorted(deck_files(bundled_decks_dir())), [])
    library = load_library(store, paths, utc_now())
    library.problems[:0] = problems
    _print_problems(library.problems)
    return library


def _run_app(store: Store, library: Library, learner: str, study: list[str] | None) -> None:
    from quiz.library import DeckReloader
    from quiz.session import StudySession
    from quiz.tui.app import QuizApp

    session = StudySession(store, library.decks, learner)
    QuizApp(session, study=study, reloader=DeckReloader(store, library.paths)).run()


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="quiz")
@store_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """Study question decks in the terminal, scheduled by FSRS.

    With no command, opens the home screen on the bundled decks.
    """
    if ctx.invoked_subcommand is None:
        store, learner = _open(ctx)
        library = _library(store, [])
        _run_app(store, library, learner, None)


@main.command()
@click.argument("decks", nargs=-1, metavar="[DECK_ID_OR_PATH]...")
@store_options
@click.pass_context
def study(ctx: click.Context, decks: tuple[str, ...]) -> None:
    """Study decks: bundled deck ids, YAML files or folders of them (default: all bundled)."""
    store, learner = _open(ctx)
    library = _library(store, list(decks))
    if not library.decks:
        raise click.ClickException("no deck could be loaded")
    _run_app(store, library, learner, [d.id for d in library.decks])


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: path:line:col: severity: message [rule]; json: a list of problems.",
)
def check(paths: tuple[Path, ...], strict: bool, output: str) -> None:
    """Check deck files and folders: every problem, with its place and rule.

    Exit status: 0 no errors, 1 errors, 2 a file could not be read at all.
    Rules and how to silence them: docs/authoring.md.
    """
    import json

    from quiz.deck.lint import check_paths

    result = check_paths(paths, strict=strict)
    if output == "json":
        rows = [
            {
                "path": p.path,
                "line": p.line,
                "column": p.column,
                "severity": p.severity.value,
                "message": p.message,
                "rule": p.rule,
            }
            for p in result.problems
        ]
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for problem in result.problems:
            click.echo(str(problem))
    if result.problems:
        click.echo(
            f"{result.errors} error(s), {result.warnings} warning(s) in {result.files} file(s)",
            err=True,
        )
    else:
        click.echo(f"{result.files} deck file(s) checked: no problems", err=True)
    sys.exit(result.exit_code)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the deck format, for editors (see docs/authoring.md)."""
    import json

    from quiz.deck.schema import deck_schema

    click.echo(json.dumps(deck_schema(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def new(path: Path) -> None:
    """Write a starter deck with one commented example of each card type."""
    from quiz.deck.starter import write_starter

    try:
        write_starter(path)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; choose another name") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from exc
    click.echo(f"wrote {path}; edit it, then run: quiz check {path}", err=True)


def _formats_help(formats: dict[str, str]) -> str:
    return "\b\nFormats:\n" + "\n".join(f"  {name:<5} {what}" for name, what in formats.items())


def _interchange_failed(path: Path, exc: Exception) -> click.ClickException:
    line = getattr(exc, "line", None)
    return click.ClickException(f"{path}{f':{line}' if line else ''}: {exc}")


def _report(output: Path, cards: int, skipped: list[str]) -> None:
    click.echo(f"wrote {output}: {cards} card(s)", err=True)
    for reason in skipped[:10]:
        click.echo(f"  left out {reason}", err=True)
    if len(skipped) > 10:
        click.echo(f"  ... and {len(skipped) - 10} more left out", err=True)


def _import_help() -> str:
    from quiz.interchange import IMPORT_FORMATS

    return (
        "Import a CSV/TSV file or an Anki package into a new YAML deck.\n\n"
        "Nothing is written when the file cannot be imported, and an existing deck is never "
        "overwritten.\n\n" + _formats_help(IMPORT_FORMATS)
    )


def _export_help() -> str:
    from quiz.interchange import EXPORT_FORMATS

    return (
        "Export a deck (a bundled deck id or a YAML file) to Anki, Moodle GIFT or CSV.\n\n"
        + _formats_help(EXPORT_FORMATS)
    )


@main.command(name="import", help=_import_help())
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The YAML deck file to write; it must not exist yet.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "apkg"]),
    help="The file's format (default: from its extension).",
)
@click.option("--deck-id", help="The new deck's id (default: from the output file's name).")
def import_command(source: Path, output: Path, fmt: str | None, deck_id: str | None) -> None:
    from quiz.deck.loader import SLUG
    from quiz.interchange import InterchangeError
    from quiz.interchange.convert import import_deck

    if deck_id is not None and not SLUG.match(deck_id):
        raise click.BadParameter(
            f"'{deck_id}' is not a slug like 'csto-basics'", param_hint="--deck-id"
        )
    try:
        report = import_deck(source, output, fmt, deck_id)
    except InterchangeError as exc:
        raise _interchange_failed(source, exc) from exc
    _report(output, report.cards, report.skipped)


@main.command(name="export", help=_export_help())
@click.argument("deck", metavar="DECK_ID_OR_PATH")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced if it exists).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["apkg", "gift", "csv", "tsv"]),
    help="The format to write (default: from the output's extension).",
)
def export_command(deck: str, output: Path, fmt: str | None) -> None:
    from quiz.deck.loader import check_deck
    from quiz.interchange import InterchangeError
    from quiz.interchange.convert import export_deck

    paths, problems = resolve([deck])
    if len(paths) > 1:
        raise click.ClickException(f"{deck} holds {len(paths)} decks; export one deck file")
    if paths:
        loaded, problems = check_deck(paths[0])
    if not paths or loaded is None:
        _print_problems(problems)
        raise click.ClickException(f"{deck}: the deck could not be loaded; nothing was written")
    try:
        report = export_deck(loaded, output, fmt)
    except InterchangeError as exc:
        raise _interchange_failed(output, exc) from exc
    _report(output, report.cards, report.skipped)


@main.command(name="decks")
@click.argument("names", nargs=-1, metavar="[DECK_ID_OR_PATH]...")
@store_options
@click.pass_context
def list_decks(ctx: click.Context, names: tuple[str, ...]) -> None:
    """List decks with their due, new and total counts for the learner."""
    from rich.console import Console
    from rich.table import Table

    from quiz.session import StudySession

    store, learner = _open(ctx)
    library = _library(store, list(names))
    session = StudySession(store, library.decks, learner)
    table = Table(title=f"Decks for {learner}", title_justify="left")
    for column in ("deck", "title", "due", "new", "cards"):
        table.add_column(column, justify="right" if column in ("due", "new", "cards") else "left")
    for row in session.overview():
        table.add_row(row.deck.id, row.deck.title, str(row.due), str(row.new), str(row.total))
    Console(highlight=False).print(table)


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
    store, learner = _open(ctx)
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
@store_options
@click.pass_context
def progress_export(ctx: click.Context, target: Path, decks: tuple[str, ...]) -> None:
    """Write the learner's reviews to a portable progress file, for `quiz progress import`."""
    from quiz.progress.exchange import ProgressFileError, export_progress, write_progress_file

    store, learner = _open(ctx)
    chosen = _known_decks(store, decks)
    try:
        if str(target) == "-":
            count = export_progress(store, learner, sys.stdout, utc_now(), chosen)
        else:
            count = write_progress_file(store, learner, target, utc_now(), chosen)
    except ProgressFileError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"wrote {count} review(s) of {learner} to {target}", err=True)


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

    store, _ = _open(ctx)
    read, failed = [], False
    for path in files:
        try:
            read.append(read_progress_file(path))
        except ProgressFileError as exc:
            click.echo(str(exc), err=True)
            failed = True
    if failed:
        click.echo("nothing was imported", err=True)
        sys.exit(1)
    try:
        reports = import_progress(store, read, utc_now())
    except sqlite3.Error as exc:
        raise click.ClickException(f"{store.path}: nothing was imported: {exc}") from exc
    for report in reports:
        first, *warnings = report.lines()
        click.echo(first)
        for line in warnings:
            click.echo(line, err=True)


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

    store, _ = _open(ctx)
    now = utc_now()
    items = item_analysis(store, _known_decks(store, decks), min_answers=min_answers)
    if flagged:
        items = [item for item in items if item.flags]
    if output == "table":
        Console(highlight=False).print(items_table(items))
        for line in flagged_lines(items):
            click.echo(line)
    elif output == "csv":
        click.echo(to_csv(ITEM_FIELDS, [item_record(item) for item in items]), nl=False)
    else:
        click.echo(to_json("items", [item_record(item) for item in items], now))


def _db_path(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    return Path(obj.get("db") or default_db_path())


# Backups belong to the database, not to a learner: only --db.
_db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=_remember,
    expose_value=False,
    envvar="QUIZ_DB",
    help="Database file (default: QUIZ_DB, else the user data folder).",
)


@main.group(name="backup", invoke_without_command=True)
@_db_option
@click.pass_context
def backup(ctx: click.Context) -> None:
    """List the database's backups, newest first; `quiz backup restore NAME` restores one.

    A backup is made before each upgrade of the database and on each day quiz is used; the
    last 7 are kept in a backups/ folder next to the database.
    """
    if ctx.invoked_subcommand is not None:
        return
    from quiz.store.backup import list_backups

    db_path = _db_path(ctx)
    backups = list_backups(db_path)
    if not backups:
        click.echo(f"no backups of {db_path} yet", err=True)
        return
    for item in backups:
        made = item.made_at.strftime("%Y-%m-%d %H:%M UTC")
        size = item.path.stat().st_size / 1024
        click.echo(f"{item.name}  {made}  {item.reason:<15} {size:,.0f} KB")


@backup.command(name="restore")
@click.argument("name")
@_db_option
@click.pass_context
def restore_command(ctx: click.Context, name: str) -> None:
    """Put backup NAME in place of the database, after backing up the database itself."""
    from quiz.store.backup import BackupError, restore_backup

    db_path = _db_path(ctx)
    try:
        restored, saved = restore_backup(db_path, name, utc_now())
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"restored {restored.name} to {db_path}")
    if saved is not None:
        click.echo(f"the file it replaced is kept as {saved.name}")
