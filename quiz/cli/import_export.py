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
    from quiz.interchange.anki_history import PlacedHistory
    from quiz.interchange.convert import Report
    from quiz.interchange.importing import DeckFile, ImportResult
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
        "YAML deck, or merge a newer version into one (--update).\n\n"
        "-o names the deck file to write; or a folder (a path without .yaml, made if "
        "missing), where each Anki deck of a package becomes its own file, named after the "
        "deck's path: Geography::Europe as geography-europe.yaml, titled 'Europe'. A package "
        "with several Anki decks needs a folder, or --one-deck for one file with each card "
        "tagged with its Anki deck.\n\n"
        "--update merges into a deck file there (or a folder of them, as -o writes): new "
        "cards are added, changed ones updated in place, comments and layout kept; cards the "
        "new version lacks are kept and named.\n\n"
        "Nothing is written when the file cannot be imported, and -o never overwrites a "
        "deck.\n\n" + _formats_help(IMPORT_FORMATS)
    )


def _export_help() -> str:
    from quiz.interchange import EXPORT_FORMATS

    return (
        "Export a deck (a bundled deck id or a YAML file) to Anki, Moodle GIFT or XML, or CSV.\n\n"
        + _formats_help(EXPORT_FORMATS)
    )


def _print_import(result: ImportResult) -> None:
    for file in result.files:
        if file.merge is not None:
            lines = file.merge.lines()
            click.echo(safe(f"updated {file.path}: {lines[0]}"), err=True)
            for line in lines[1:]:
                click.echo(safe(f"  {line}"), err=True)
        else:
            count = len(file.deck.cards) if file.deck is not None else 0
            named = f" ('{file.title}')" if len(result.files) > 1 else ""
            click.echo(safe(f"wrote {file.path}{named}: {count} card(s)"), err=True)
    notes = [*result.notes, *(note for file in result.files for note in file.notes)]
    for reason in result.skipped:
        click.echo(safe(f"  left out {reason}"), err=True)
    for note in notes[:20]:
        click.echo(safe(f"  {note}"), err=True)
    if len(notes) > 20:
        click.echo(f"  ... and {len(notes) - 20} more", err=True)


@main.command(name="import", help=_import_help())
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The YAML deck file to write (it must not exist yet), or a folder for one file per "
    "Anki deck.",
)
@click.option(
    "--update",
    type=click.Path(exists=True, path_type=Path),
    help="Merge into this deck file (or folder of them) instead of writing a new one.",
)
@click.option(
    "--one-deck",
    is_flag=True,
    help="All of an Anki package's decks in one deck file, each card tagged with its deck.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "tsv", "apkg", "gift", "moodle"]),
    help="The file's format (default: from its extension).",
)
@click.option(
    "--deck-id",
    help="The new deck's id (default: from the output file's name); for one deck only.",
)
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
    output: Path | None,
    update: Path | None,
    one_deck: bool,
    fmt: str | None,
    deck_id: str | None,
    no_history: bool,
    strict: bool,
) -> None:
    from quiz.deck.vocabulary import SLUG
    from quiz.interchange import InterchangeError
    from quiz.interchange.importing import import_decks

    if (output is None) == (update is None):
        raise click.UsageError("give -o (a new deck) or --update (a deck to merge into)")
    if deck_id is not None and not SLUG.match(deck_id):
        raise click.BadParameter(
            f"'{deck_id}' is not a slug like 'csto-basics'", param_hint="--deck-id"
        )
    if deck_id is not None and update is not None:
        raise click.BadParameter("an updated deck keeps its id", param_hint="--deck-id")
    target = output if output is not None else update
    assert target is not None
    history = _History(ctx)
    try:
        result = import_decks(
            source,
            target,
            fmt,
            deck_id,
            history=not no_history,
            strict=strict,
            one_deck=one_deck,
            update=update is not None,
            before_write=history.check,
        )
    except InterchangeError as exc:
        raise _interchange_failed(source, exc) from exc
    _print_import(result)
    history.write(source, result)


class _History:
    """An Anki package's reviews: where they will go is checked before the deck is written."""

    def __init__(self, ctx: click.Context) -> None:
        self.ctx = ctx
        self.store: Store | None = None
        self.learner = ""

    def check(self, files: list[DeckFile]) -> None:
        """Open the database when there are reviews, and refuse a deck id another file has."""
        from quiz.interchange.anki import AnkiImport

        if not any(isinstance(f.imported, AnkiImport) and f.imported.has_history for f in files):
            return
        self.store, self.learner = open_learner(self.ctx)
        for file in files:
            previous = self.store.deck_path(file.deck_id)
            if previous is None or not Path(previous).exists():
                continue
            if Path(previous).resolve() != file.path.resolve():
                raise click.ClickException(
                    safe(
                        f"deck id '{file.deck_id}' is already used by {previous} in "
                        f"{self.store.path}; give another --deck-id (or --no-history)"
                    )
                )

    def write(self, source: Path, result: ImportResult) -> None:
        """Say what came over of the Anki cards' states, and import their reviews."""
        from quiz.interchange.anki import AnkiImport
        from quiz.interchange.anki_history import PlacedHistory, place_history

        placed = []
        for file in result.files:
            if isinstance(file.imported, AnkiImport) and file.deck is not None:
                variants = {card.id: card.variants() for card in file.deck.cards}
                placed.append((file, place_history(file.imported, variants)))
        if not placed:
            return
        combined = PlacedHistory.combined([p for _, p in placed])
        for line in combined.lines(held=self.store is not None):
            click.echo(safe(f"  {line}"), err=True)
        if self.store is None:
            return
        for file, history in placed:
            if history.reviews or history.holds:
                self._import(source, file, history, len(placed) > 1)

    def _import(self, source: Path, file: DeckFile, placed: PlacedHistory, named: bool) -> None:
        from quiz.interchange.anki_history import import_history
        from quiz.library import open_deck
        from quiz.store.database import StoreError

        assert self.store is not None
        now = utc_now()
        try:
            synced, problems = open_deck(self.store, file.path, now)
            if synced is None:  # pragma: no cover - the deck was just checked as written
                print_problems(problems)
                raise click.ClickException(f"{file.path}: the deck could not be loaded")
            result = import_history(self.store, self.learner, synced, placed, str(source), now)
        except StoreError as exc:
            raise click.ClickException(
                safe(f"{exc}; {file.path} was written without the review history")
            ) from exc
        click.echo(
            safe(
                f"imported {result.added} review(s) of {placed.cards} Anki card(s) for "
                f"{self.learner} into {self.store.path}"
                + (f" (deck {file.deck_id})" if named else "")
                + (f"; {result.duplicates} were already there" if result.duplicates else "")
                + (f"; {result.marks} card(s) suspended or buried" if result.marks else "")
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
