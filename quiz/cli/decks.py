"""Commands on deck files and the decks a learner studies: study, check, schema, new, decks."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from quiz.cli.cards import study_options, study_scope
from quiz.cli.group import load_decks, main, open_learner, run_app, store_options
from quiz.deck.problems import Severity
from quiz.textsafe import cell


@main.command()
@click.argument("decks", nargs=-1, metavar="[DECK_ID_OR_PATH]...")
@study_options
@store_options
@click.pass_context
def study(
    ctx: click.Context,
    decks: tuple[str, ...],
    query: str | None,
    tags: tuple[str, ...],
    extra_new: int,
    ahead: int,
    cram: str | None,
    forgotten: bool,
) -> None:
    """Study decks: bundled deck ids, YAML files or folders of them (default: all bundled)."""
    store, learner = open_learner(ctx)
    # Loaded first, so a query sees their cards as the files have them now.
    library = load_decks(store, list(decks))
    scope, matched = study_scope(store, learner, query, tags, extra_new, ahead, cram, forgotten)
    if not decks and set(matched) - {str(p) for p in library.paths}:
        # Without deck names a query spans every deck the database has seen.
        library = load_decks(store, matched)
    if not library.decks:
        raise click.ClickException("no deck could be loaded")
    left_out = {p.path for p in library.problems if p.severity is Severity.ERROR}
    if left_out and sys.stdin.isatty() and sys.stderr.isatty():
        # The study screen would cover the problems just printed: let them be read first.
        click.echo(
            f"{len(left_out)} deck file(s) with errors left out; "
            f"studying {len(library.decks)} deck(s) that loaded.",
            err=True,
        )
        click.pause("Press any key to go on (Ctrl+C to stop)...", err=True)
    run_app(store, library, learner, [d.id for d in library.decks], scope=scope)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Count warnings as errors.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="text: path:line:col: severity: message [rule], with the source line and a hint; "
    "json: a list of problems; github: GitHub Actions annotations; sarif: SARIF 2.1.0.",
)
@click.option(
    "--source/--no-source",
    default=None,
    help="Show each problem's source line with a caret (default: when printing to a terminal).",
)
def check(paths: tuple[Path, ...], strict: bool, output: str, source: bool | None) -> None:
    """Check deck files and folders: every problem, with its place and rule.

    Exit status: 0 no errors, 1 errors, 2 a file could not be read at all.
    Rules and how to silence them: docs/authoring.md.
    """
    from quiz.deck import output as formats
    from quiz.deck.lint import check_paths

    result = check_paths(paths, strict=strict)
    if output == "text":
        show = sys.stdout.isatty() if source is None else source
        printed = formats.text(result.problems, result.sources, show)
        if printed:
            click.echo(printed)
    else:
        click.echo(formats.WRITERS[output](result.problems))
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
    import shlex

    from quiz.deck.starter import write_starter

    if path.suffix not in (".yaml", ".yml"):
        # Folders are scanned for .yaml and .yml files only: any other name would be skipped.
        raise click.ClickException(f"{path}: a deck file's name ends in .yaml or .yml")
    try:
        write_starter(path)
    except FileExistsError:
        raise click.ClickException(f"{path} already exists; choose another name") from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror}") from exc
    # Quoted as a shell needs it, so that the command works when pasted.
    click.echo(f"wrote {path}; edit it, then run: quiz check {shlex.quote(str(path))}", err=True)


@main.command(name="decks")
@click.argument("names", nargs=-1, metavar="[DECK_ID_OR_PATH]...")
@store_options
@click.pass_context
def list_decks(ctx: click.Context, names: tuple[str, ...]) -> None:
    """List decks with their due, new and total counts for the learner."""
    from rich.console import Console
    from rich.table import Table

    from quiz.session import StudySession

    store, learner = open_learner(ctx)
    library = load_decks(store, list(names))
    session = StudySession(store, library.decks, learner)
    table = Table(title=cell(f"Decks for {learner}"), title_justify="left")
    numbers = ("due", "new", "cards", "suspended")
    for column in ("deck", "title", *numbers):
        table.add_column(column, justify="right" if column in numbers else "left")
    for row in session.overview():
        table.add_row(
            cell(row.deck.id),
            cell(row.deck.title),
            str(row.due),
            str(row.new),
            str(row.total),
            str(row.suspended),
        )
    Console(highlight=False).print(table)


@main.command()
def lsp() -> None:
    """Run the language server for deck files, over standard input and output (for editors)."""
    from quiz.lsp import serve

    serve()
