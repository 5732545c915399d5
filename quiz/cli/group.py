"""The `quiz` group, and what its commands share: opening the database and the decks."""

from __future__ import annotations

import difflib
import getpass
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
from quiz.store.decks import KnownDeck
from quiz.study.scope import EVERYTHING, Scope

F = TypeVar("F", bound=Callable[..., Any])


def default_learner() -> str:
    """The OS user name, which is the learner unless --learner says otherwise."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "learner"


def remember(ctx: click.Context, param: click.Parameter, value: object) -> object:
    # Options may come before or after the subcommand; the one given last wins.
    ctx.ensure_object(dict)
    root = ctx.find_root()
    root.ensure_object(dict)
    if value is not None:
        root.obj[param.name] = value
    return value


def store_options(func: F) -> F:
    """Add --db, --learner and --new-learner to a command."""
    func = click.option(
        "--new-learner",
        is_flag=True,
        default=None,
        callback=remember,
        expose_value=False,
        help="Start a learner the database does not know yet (else a typo is an error).",
    )(func)
    func = click.option(
        "--learner",
        metavar="NAME",
        callback=remember,
        expose_value=False,
        help="Whose progress to use (default: your user name).",
    )(func)
    func = click.option(
        "--db",
        type=click.Path(dir_okay=False, path_type=Path),
        callback=remember,
        expose_value=False,
        envvar="QUIZ_DB",
        help="Database file (default: QUIZ_DB, else the user data folder).",
    )(func)
    return func


def open_learner(ctx: click.Context, *, check: bool = True) -> tuple[Store, str]:
    """The database and learner that --db and --learner (or their defaults) name."""
    obj = ctx.find_root().obj or {}
    try:
        store = open_store(obj.get("db") or default_db_path())
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    for notice in store.notices:
        click.echo(f"Warning: {notice}", err=True)
    named = obj.get("learner")
    if check and named and not obj.get("new_learner"):
        known = store.known_learners()
        # A name the database does not know is a typo unless it is the first learner.
        if known and named not in known:
            store.close()
            close = difflib.get_close_matches(named, list(known), n=1, cutoff=0.5)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise click.ClickException(
                f"no learner '{named}' in this database{hint} "
                "(`quiz learners` lists them; --new-learner starts a new one)"
            )
    return store, named or default_learner()


def print_problems(problems: list[Problem]) -> None:
    """Each problem on its own line of standard error."""
    for problem in problems:
        click.echo(str(problem), err=True)
        if problem.hint:
            click.echo(f"  = hint: {problem.hint}", err=True)


def load_decks(store: Store, names: list[str]) -> Library:
    """The decks named (ids, files, folders; none: the bundled ones), printing their problems."""
    paths, problems = resolve(names) if names else (sorted(deck_files(bundled_decks_dir())), [])
    library = load_library(store, paths, utc_now())
    library.problems[:0] = problems
    print_problems(library.problems)
    return library


def home_decks(store: Store) -> tuple[Library, list[KnownDeck]]:
    """The home screen's decks: bundled and known ones loaded, and known ones whose file is gone."""
    # A known deck whose file is gone keeps its progress in the database; it is listed as such.
    paths = sorted(deck_files(bundled_decks_dir()))
    seen = {p.resolve() for p in paths}
    gone: list[KnownDeck] = []
    for known in store.known_decks():
        path = Path(known.path)
        if path.resolve() in seen:
            continue
        if path.is_file():
            paths.append(path)
            seen.add(path.resolve())
        else:
            gone.append(known)
    library = load_library(store, paths, utc_now())
    print_problems(library.problems)
    # A deck whose file moved was loaded from its new place: it is not gone.
    loaded = {d.id for d in library.decks}
    return library, [g for g in gone if g.id not in loaded]


def run_app(
    store: Store,
    library: Library,
    learner: str,
    study: list[str] | None,
    gone: list[KnownDeck] | None = None,
    scope: Scope = EVERYTHING,
) -> None:
    """Run the TUI on the library's decks, reloading their files when saved."""
    from quiz.tui.app import make_app

    make_app(
        store,
        library.decks,
        learner,
        study=study,
        watch=library.paths,
        gone=gone,
        scope=scope,
        problems=library.problems,
    ).run()
    # A write that failed during the session (a full disk, a deleted file) was said on the
    # screen; it is said again here, and the exit status is not 0.
    if store.failure is not None:
        raise click.ClickException(f"during the session: {store.failure}")


class QuizGroup(click.Group):
    """The `quiz` group: a store error from any command is one line and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StoreError as exc:
            # A write that failed (a full disk, a read-only file) is the disk's, not a bug.
            raise click.ClickException(str(exc)) from exc


@click.group(
    cls=QuizGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", prog_name="quiz")
@store_options
@click.pass_context
def main(ctx: click.Context) -> None:
    """Study question decks in the terminal, scheduled by FSRS.

    With no command, opens the home screen on the bundled decks and every deck studied before.
    """
    if ctx.invoked_subcommand is None:
        store, learner = open_learner(ctx)
        library, gone = home_decks(store)
        run_app(store, library, learner, None, gone)
