"""Commands on a learner's items found by a query: cards, suspend, unsuspend, bury, flag, forget."""

from __future__ import annotations

import csv
import difflib
import json
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from quiz.cli.group import main, open_learner, store_options
from quiz.scheduler import utc_now
from quiz.search import Node, QueryError
from quiz.store.database import Store
from quiz.store.search import ItemRow
from quiz.study import marking
from quiz.study.finding import find, recall_now, with_tags
from quiz.study.learner import learner_settings
from quiz.study.marking import ASK_ABOVE
from quiz.study.scope import Scope
from quiz.textsafe import cell

F = TypeVar("F", bound=Callable[..., Any])
COLUMNS = (
    "deck", "item", "type", "state", "due", "stability", "recall", "lapses", "marks", "place",
)  # fmt: skip


def query_argument(func: F) -> F:
    """The QUERY words, joined by spaces; `-term` is a negation, not an option."""
    return click.argument("query", nargs=-1, type=click.UNPROCESSED)(func)


def search(store: Store, learner: str, query: str | Node, now: datetime) -> list[ItemRow]:
    """The items a query matches, or a one-line error naming the query's column."""
    try:
        return find(store, learner, query, now)
    except QueryError as exc:
        raise click.ClickException(f"query: {exc}") from exc


def marks_text(row: ItemRow, now: datetime) -> str:
    """An item's marks, as the listing shows them."""
    marks = []
    if row.suspended:
        marks.append("suspended")
    if row.buried_until is not None and row.buried_until > now:
        marks.append("buried")
    if row.flag:
        marks.append(f"flag:{row.flag}")
    if row.leech:
        marks.append("leech")
    return " ".join(marks)


def listing(
    store: Store, learner: str, rows: Sequence[ItemRow], now: datetime
) -> list[dict[str, Any]]:
    """The rows as `quiz cards` prints them."""
    out = []
    for row, recall in zip(rows, recall_now(store, learner, rows, now), strict=True):
        out.append(
            {
                "deck": row.deck_id,
                "item": row.item_key,
                "type": row.type,
                "state": row.state,
                "due": row.due.isoformat() if row.due and row.state != "new" else None,
                "stability": None if row.stability is None else round(row.stability, 2),
                "recall": None if recall is None else round(recall, 3),
                "lapses": row.lapses,
                "marks": marks_text(row, now),
                "place": f"{row.path}:{row.line}" if row.path else None,
            }
        )
    return out


@main.command(name="cards", context_settings={"ignore_unknown_options": True})
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the items.",
)
@query_argument
@store_options
@click.pass_context
def cards(ctx: click.Context, query: tuple[str, ...], fmt: str) -> None:
    """List the learner's items that QUERY matches (all with no query); see docs/studying.md."""
    store, learner = open_learner(ctx)
    now = utc_now()
    items = listing(store, learner, search(store, learner, " ".join(query), now), now)
    if fmt == "json":
        click.echo(json.dumps(items, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(items)
    else:
        from rich import box
        from rich.console import Console
        from rich.table import Table

        table = Table(
            title=cell(f"{len(items)} items for {learner}"),
            title_justify="left",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
            collapse_padding=True,
        )
        headers = {"stability": "stab", "lapses": "lapse"}
        for column in COLUMNS:
            right = column in ("stability", "recall", "lapses")
            table.add_column(
                headers.get(column, column),
                justify="right" if right else "left",
                no_wrap=column in ("item", "type", "deck"),
            )
        for item in items:
            shown = dict(item)
            # The file's name is enough on screen; csv and json give its whole path.
            shown["place"] = item["place"] and Path(item["place"]).name
            shown["due"] = item["due"] and item["due"][:16].replace("T", " ")
            table.add_row(*(cell("" if shown[c] is None else str(shown[c])) for c in COLUMNS))
        Console(highlight=False).print(table)


def _targets(
    ctx: click.Context, query: tuple[str, ...], yes: bool, verb: str
) -> tuple[Store, str, list[marking.Target], datetime]:
    store, learner = open_learner(ctx)
    now = utc_now()
    if not query:
        raise click.UsageError(
            f"say which items to {verb} with a query, as in: quiz {verb} id:CARD"
        )
    rows = search(store, learner, " ".join(query), now)
    if len(rows) > ASK_ABOVE and not yes:
        click.confirm(f"{verb} {len(rows)} items?", abort=True, err=True)
    return store, learner, [(r.deck_id, r.item_key) for r in rows], now


def _report(change: marking.Change, matched: int, done: str) -> None:
    click.echo(f"{done} {change.changed} of {matched} matching items", err=True)


yes_option = click.option(
    "--yes", "-y", is_flag=True, help=f"Do not ask before changing over {ASK_ABOVE} items."
)


def _mark_command(name: str, kind: str, done: str, doc: str) -> None:
    @main.command(name=name, help=doc, context_settings={"ignore_unknown_options": True})
    @yes_option
    @query_argument
    @store_options
    @click.pass_context
    def command(ctx: click.Context, query: tuple[str, ...], yes: bool) -> None:
        store, learner, targets, now = _targets(ctx, query, yes, name)
        if kind == "bury":
            hour = learner_settings(store, learner).rollover_hour
            change = marking.bury(store, learner, targets, now, hour)
        else:
            change = marking.mark(store, learner, targets, kind, now)
        _report(change, len(targets), done)


_mark_command("suspend", "suspend", "suspended", "Keep the items QUERY matches out of every queue.")
_mark_command(
    "unsuspend", "unsuspend", "unsuspended", "Let suspended items QUERY matches be studied again."
)
_mark_command("bury", "bury", "buried", "Keep the items QUERY matches out of today's queue.")


@main.command(name="flag", context_settings={"ignore_unknown_options": True})
@yes_option
@click.argument("number", type=click.IntRange(0, 4))
@query_argument
@store_options
@click.pass_context
def flag(ctx: click.Context, number: int, query: tuple[str, ...], yes: bool) -> None:
    """Flag the items QUERY matches with NUMBER (1 to 4), or take their flag off (0)."""
    store, learner, targets, now = _targets(ctx, query, yes, "flag")
    change = marking.mark(store, learner, targets, "flag", now, str(number))
    _report(change, len(targets), "flagged" if number else "unflagged")


@main.command(name="forget", context_settings={"ignore_unknown_options": True})
@yes_option
@query_argument
@store_options
@click.pass_context
def forget(ctx: click.Context, query: tuple[str, ...], yes: bool) -> None:
    """Send the items QUERY matches back to new; their reviews stay in the history."""
    store, learner, targets, now = _targets(ctx, query, yes, "forget")
    _report(marking.forget(store, learner, targets, now), len(targets), "forgot")


@main.group(name="learners", invoke_without_command=True)
@store_options
@click.pass_context
def learners(ctx: click.Context) -> None:
    """List the database's learners with their review counts; rename, merge or delete one."""
    if ctx.invoked_subcommand is not None:
        return
    store, _ = open_learner(ctx, check=False)
    for name, count in store.known_learners().items():
        click.echo(f"{cell(name)}\t{count} reviews")


def _known(store: Store, name: str) -> None:
    known = store.known_learners()
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.5)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise click.ClickException(f"no learner '{name}' in this database{hint}")


def _backup(store: Store, reason: str) -> None:
    from quiz.store.backup import make_backup

    if store.path is not None:
        backup = make_backup(store.conn, store.path, reason, utc_now())
        click.echo(f"backed up first: {backup.path}", err=True)


@learners.command(name="rename")
@click.argument("old")
@click.argument("new")
@store_options
@click.pass_context
def learners_rename(ctx: click.Context, old: str, new: str) -> None:
    """Call learner OLD by the name NEW from now on."""
    store, _ = open_learner(ctx, check=False)
    _known(store, old)
    if new in store.known_learners():
        raise click.ClickException(f"'{new}' is already a learner; `quiz learners merge` joins two")
    store.rename_learner(old, new)
    click.echo(f"renamed '{old}' to '{new}'", err=True)


@learners.command(name="merge")
@click.argument("into")
@click.argument("source")
@store_options
@click.pass_context
def learners_merge(ctx: click.Context, into: str, source: str) -> None:
    """Move SOURCE's reviews and marks to INTO, replaying the states of the items either studied."""
    from quiz.study.learners import merge_learners

    store, _ = open_learner(ctx, check=False)
    _known(store, into)
    _known(store, source)
    if into == source:
        raise click.ClickException("a learner cannot be merged into themselves")
    _backup(store, "before-merge")
    kept = merge_learners(store, into, source)
    click.echo(f"merged '{source}' into '{into}'", err=True)
    if kept:
        click.echo(
            f"'{source}' keeps its own rows in {', '.join(kept)} ('{into}' had the same ones)",
            err=True,
        )


@learners.command(name="delete")
@click.argument("name")
@click.option("--yes", "-y", is_flag=True, help="Do not ask first.")
@store_options
@click.pass_context
def learners_delete(ctx: click.Context, name: str, yes: bool) -> None:
    """Delete a learner and all their progress (a backup is made first)."""
    store, _ = open_learner(ctx, check=False)
    _known(store, name)
    count = store.known_learners()[name]
    if not yes:
        click.confirm(f"delete '{name}' and their {count} reviews?", abort=True, err=True)
    _backup(store, "before-delete")
    store.delete_learner(name)
    click.echo(f"deleted '{name}'", err=True)


def study_options(func: F) -> F:
    """Add the custom study options to `quiz study`."""
    options = [
        click.option(
            "--query", "query", metavar="QUERY", help="Only the items this query matches."
        ),
        click.option(
            "--tag",
            "tags",
            multiple=True,
            metavar="TAG",
            help="Only items with this tag (repeatable: any of them).",
        ),
        click.option(
            "--new",
            "extra_new",
            type=click.IntRange(0),
            default=0,
            help="Allow N more new items today.",
        ),
        click.option(
            "--ahead",
            type=click.IntRange(0, 365),
            default=0,
            metavar="DAYS",
            help="Review items due in the next DAYS days now.",
        ),
        click.option(
            "--cram",
            metavar="QUERY",
            help="Practise the items QUERY matches now, in any state, without changing "
            "their schedule.",
        ),
        click.option(
            "--forgotten", is_flag=True, help="Practise the items rated Again today (a cram)."
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def study_scope(
    store: Store,
    learner: str,
    query: str | None,
    tags: Sequence[str],
    extra_new: int,
    ahead: int,
    cram: str | None = None,
    forgotten: bool = False,
) -> tuple[Scope, list[str]]:
    """What `quiz study`'s options let into the queue, and the deck files its matches are in."""
    cramming = cram is not None or forgotten
    if cramming:
        parts = [p for p in (query, cram, "rated:1:1" if forgotten else None) if p]
        query = " ".join(f"({p})" for p in parts)
    if query is None and not tags:
        return Scope(extra_new=extra_new, ahead_days=ahead), []
    try:
        node = with_tags(query or "", tags)
    except QueryError as exc:
        raise click.ClickException(f"query: {exc}") from exc
    rows = search(store, learner, node, utc_now())
    if not rows:
        raise click.ClickException("no item matches; `quiz cards QUERY` shows what a query finds")
    paths = sorted({r.path for r in rows if r.path})
    matched = ((r.deck_id, r.item_key) for r in rows)
    return Scope.of(matched, extra_new, ahead, cram=cramming), paths
