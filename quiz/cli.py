"""The `quiz` command line."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from quiz import __version__
from quiz.deck.loader import check_deck, deck_files
from quiz.deck.problems import Problem, Severity
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
def check(paths: tuple[Path, ...]) -> None:
    """Validate deck files; print every problem as path:line:col: severity: message."""
    errors = warnings = files = 0
    for given in paths:
        for path in deck_files(given) if given.exists() else [given]:
            files += 1
            _, problems = check_deck(path)
            for problem in problems:
                click.echo(str(problem))
                if problem.severity is Severity.ERROR:
                    errors += 1
                else:
                    warnings += 1
    if errors or warnings:
        click.echo(f"{errors} error(s), {warnings} warning(s) in {files} file(s)", err=True)
    else:
        click.echo(f"{files} deck file(s) checked: no problems", err=True)
    sys.exit(1 if errors else 0)


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
