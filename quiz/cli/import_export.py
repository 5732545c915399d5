"""`quiz import` and `quiz export`: decks to and from CSV, Anki and Moodle GIFT."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from quiz.cli.group import main, open_learner, print_problems, store_options
from quiz.library import resolve
from quiz.scheduler import utc_now
from quiz.textsafe import safe

if TYPE_CHECKING:
    from quiz.interchange.convert import Report
    from quiz.interchange.deck_yaml import ImportedDeck
    from quiz.store.database import Store


def _formats_help(formats: dict[str, str]) -> str:
    width = max(map(len, formats)) + 1
    rows = (f"  {name:<{width}}{what}" for name, what in formats.items())
    return "\b\nFormats:\n" + "\n".join(rows)


def _interchange_failed(path: Path, exc: Exception) -> click.ClickException:
    line = getattr(exc, "line", None)
    return click.ClickException(safe(f"{path}{f':{line}' if line else ''}: {exc}"))


def _report(output: Path, report: Report) -> None:
    click.echo(safe(f"wrote {output}: {report.cards} card(s)"), err=True)
    for reason in report.skipped:
        click.echo(safe(f"  left out {reason}"), err=True)
    for note in report.notes[:20]:
        click.echo(safe(f"  {note}"), err=True)
    if len(report.notes) > 20:
        click.echo(f"  ... and {len(report.notes) - 20} more", err=True)


def _import_help() -> str:
    from quiz.interchange import IMPORT_FORMATS

    return (
        "Import a CSV/TSV file, an Anki package or a Moodle GIFT or XML file into a new "
        "YAML deck.\n\n"
        "Nothing is written when the file cannot be imported, and an existing deck is never "
        "overwritten.\n\n" + _formats_help(IMPORT_FORMATS)
    )


def _export_help() -> str:
    from quiz.interchange import EXPORT_FORMATS

    return (
        "Export a deck (a bundled deck id or a YAML file) to Anki, Moodle GIFT or XML, or CSV.\n\n"
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
    type=click.Choice(["csv", "tsv", "apkg", "gift", "moodle"]),
    help="The file's format (default: from its extension).",
)
@click.option("--deck-id", help="The new deck's id (default: from the output file's name).")
@click.option(
    "--no-history",
    is_flag=True,
    help="Leave an Anki package's review history out (default: it goes to --learner).",
)
@click.option(
    "--strict", is_flag=True, help="A bad CSV row fails the import (default: it is reported)."
)
@store_options
@click.pass_context
def import_command(
    ctx: click.Context,
    source: Path,
    output: Path,
    fmt: str | None,
    deck_id: str | None,
    no_history: bool,
    strict: bool,
) -> None:
    from quiz.deck.vocabulary import SLUG
    from quiz.interchange import InterchangeError
    from quiz.interchange.convert import import_deck

    if deck_id is not None and not SLUG.match(deck_id):
        raise click.BadParameter(
            f"'{deck_id}' is not a slug like 'csto-basics'", param_hint="--deck-id"
        )
    history = _History(ctx)
    try:
        report = import_deck(
            source,
            output,
            fmt,
            deck_id,
            history=not no_history,
            strict=strict,
            before_write=history.check,
        )
    except InterchangeError as exc:
        raise _interchange_failed(source, exc) from exc
    _report(output, report)
    history.write(source, output, report)


class _History:
    """An Anki package's reviews: where they will go is checked before the deck is written."""

    def __init__(self, ctx: click.Context) -> None:
        self.ctx = ctx
        self.store: Store | None = None
        self.learner = ""

    def check(self, imported: ImportedDeck, deck_id: str) -> None:
        """Open the database when there are reviews, and refuse a deck id another file has."""
        from quiz.interchange.anki import AnkiImport

        if not isinstance(imported, AnkiImport) or not imported.revlog:
            return
        self.store, self.learner = open_learner(self.ctx)
        previous = self.store.deck_path(deck_id)
        if previous is not None and Path(previous).exists():
            raise click.ClickException(
                safe(
                    f"deck id '{deck_id}' is already used by {previous} in {self.store.path}; "
                    "give another --deck-id (or --no-history)"
                )
            )

    def write(self, source: Path, output: Path, report: Report) -> None:
        """Say what came over of the Anki cards' states, and import their reviews."""
        from quiz.interchange.anki import AnkiImport
        from quiz.interchange.anki_history import import_history, place_history
        from quiz.library import open_deck
        from quiz.store.database import StoreError

        imported, deck = report.imported, report.deck
        if not isinstance(imported, AnkiImport) or deck is None:
            return
        placed = place_history(imported, {card.id: card.variants() for card in deck.cards})
        for line in placed.lines():
            click.echo(safe(f"  {line}"), err=True)
        if self.store is None or not placed.reviews:
            return
        now = utc_now()
        try:
            synced, problems = open_deck(self.store, output, now)
            if synced is None:  # pragma: no cover - the deck was just checked as written
                print_problems(problems)
                raise click.ClickException(f"{output}: the deck could not be loaded")
            result = import_history(self.store, self.learner, synced, placed, str(source), now)
        except StoreError as exc:
            raise click.ClickException(
                safe(f"{exc}; {output} was written without the review history")
            ) from exc
        click.echo(
            safe(
                f"imported {result.added} review(s) of {placed.cards} Anki card(s) for "
                f"{self.learner} into {self.store.path}"
                + (f"; {result.duplicates} were already there" if result.duplicates else "")
            ),
            err=True,
        )
        for line in result.lines()[1:]:
            click.echo(safe(line), err=True)


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
    type=click.Choice(["apkg", "gift", "moodle", "csv", "tsv"]),
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
        print_problems(problems)
        raise click.ClickException(f"{deck}: the deck could not be loaded; nothing was written")
    try:
        report = export_deck(loaded, output, fmt)
    except InterchangeError as exc:
        raise _interchange_failed(output, exc) from exc
    _report(output, report)
