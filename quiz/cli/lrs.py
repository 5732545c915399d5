"""`quiz lrs`: send answers as xAPI statements to a Learning Record Store, and read them back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from quiz.cli.group import main, open_learner, store_options
from quiz.scheduler import utc_now
from quiz.textsafe import safe

if TYPE_CHECKING:
    from quiz.store.database import Store
    from quiz.xapi.client import LrsClient


@main.group(name="lrs")
def lrs() -> None:
    """Class tracking through a Learning Record Store (xAPI). See docs/lrs.md."""


@lrs.command(name="set")
@click.argument("url")
@click.option("--key", help="The LRS key (Basic auth user); or QUIZ_LRS_KEY.")
@click.option("--secret", help="The LRS secret; or QUIZ_LRS_SECRET.")
@click.option(
    "--home-page", metavar="URL", help="The institution's home page, naming learners' accounts."
)
@click.option("--activity-base", metavar="IRI", help="Where activities live (default: HOME/quiz).")
@click.option("--off", is_flag=True, help="Forget the LRS: nothing more is queued.")
@store_options
@click.pass_context
def lrs_set(
    ctx: click.Context,
    url: str,
    key: str | None,
    secret: str | None,
    home_page: str | None,
    activity_base: str | None,
    off: bool,
) -> None:
    """Send this database's answers to the LRS at URL (its xAPI endpoint) from now on."""
    from quiz.xapi.config import (
        LrsConfigError,
        check_home_page,
        check_url,
        origin,
        save_credentials,
    )
    from quiz.xapi.outbox import ACTIVITY_BASE, ENDPOINT, HOME_PAGE

    store, learner = open_learner(ctx)
    if off:
        store.put_lrs_settings({ENDPOINT: None})
        click.echo("LRS forgotten: answers are no longer queued (those waiting stay)")
        return
    try:
        check_url(url)
        if home_page is not None:
            check_home_page(home_page)
        if (key is None) != (secret is None):
            raise click.UsageError("give both --key and --secret, or neither")
        saved = save_credentials(url, key, secret) if key is not None and secret else None
    except LrsConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    settings = store.lrs_settings()
    store.put_lrs_settings(
        {
            ENDPOINT: url,
            HOME_PAGE: home_page or settings.get(HOME_PAGE) or origin(url),
            ACTIVITY_BASE: activity_base or settings.get(ACTIVITY_BASE),
        }
    )
    click.echo(f"answers will be sent to {url}")
    if saved is not None:
        click.echo(f"credentials saved in {saved} (readable by you only)")
    _earlier(store, learner)


def _earlier(store: Store, learner: str) -> None:
    """Say how much of the learner's work was never queued, and how to send it."""
    from quiz.xapi.backfill import earlier

    reviews, attempts = earlier(store, learner)
    if reviews or attempts:
        exams = f" and {attempts} exam attempt(s)" if attempts else ""
        click.echo(
            f"{reviews} earlier review(s){exams} of {safe(learner)} are not queued (from before "
            "an LRS was set); send them with `quiz lrs push --backfill`"
        )


@lrs.command(name="status")
@store_options
@click.pass_context
def lrs_status(ctx: click.Context) -> None:
    """The LRS, the statements waiting to be sent, and the last error."""
    from quiz.xapi.outbox import ENDPOINT, HOME_PAGE

    store, learner = open_learner(ctx)
    settings = store.lrs_settings()
    status = store.outbox_status()
    click.echo(f"LRS: {settings.get(ENDPOINT, 'none set (nothing is queued)')}")
    if HOME_PAGE in settings:
        click.echo(f"home page: {settings[HOME_PAGE]}")
    click.echo(f"waiting: {status.waiting}")
    if status.rejected:
        click.echo(f"refused by the LRS: {status.rejected} (kept; `quiz lrs push --retry-refused`)")
    click.echo(f"sent: {status.sent}" + (f", last at {status.last_sent_at}" if status.sent else ""))
    if status.last_error:
        click.echo(f"last error: {status.last_error}")
    if ENDPOINT in settings:
        _earlier(store, learner)


def _client(ctx: click.Context) -> tuple[Store, str, LrsClient]:
    from quiz.xapi.client import LrsClient
    from quiz.xapi.config import LrsConfigError, endpoint

    store, learner = open_learner(ctx)
    try:
        return store, learner, LrsClient(endpoint(store))
    except LrsConfigError as exc:
        raise click.ClickException(str(exc)) from exc


@lrs.command(name="push")
@click.option("--batch", type=click.IntRange(1, 1000), default=100, show_default=True)
@click.option("--retries", type=click.IntRange(0), default=3, show_default=True)
@click.option("--retry-refused", is_flag=True, help="Try the statements the LRS refused again.")
@click.option(
    "--backfill",
    is_flag=True,
    help="First queue the learner's reviews and exam attempts from before `quiz lrs set`.",
)
@store_options
@click.pass_context
def lrs_push(
    ctx: click.Context, batch: int, retries: int, retry_refused: bool, backfill: bool
) -> None:
    """Send the waiting statements now, in batches, retrying with backoff."""
    from quiz.xapi.backfill import backfill as queue_earlier
    from quiz.xapi.sender import push

    store, learner, client = _client(ctx)
    if retry_refused:
        store.retry_rejected()
    if backfill:
        done = queue_earlier(store, learner, utc_now())
        exams = f" and {done.attempts} exam attempt(s)" if done.attempts else ""
        click.echo(f"queued {done.reviews} earlier review(s){exams} of {safe(learner)}")
        if done.skipped:
            click.echo(
                f"warning: {done.skipped} review(s) or attempt(s) not queued: their items are "
                "no longer in this database (open their deck once with `quiz decks PATH`, "
                "then backfill again)",
                err=True,
            )
    with client:
        report = push(store, client, batch=batch, retries=retries)
    click.echo(f"sent {report.sent} statement(s); {report.left} waiting")
    if report.error:
        click.echo(f"error: {report.error}", err=True)
    if report.left:
        raise SystemExit(1)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 date or time") from exc
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@lrs.command(name="pull")
@click.option("--since", metavar="DATE", help="Only statements stored since (ISO 8601).")
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only this deck (repeatable).")
@store_options
@click.pass_context
def lrs_pull(ctx: click.Context, since: str | None, decks: tuple[str, ...]) -> None:
    """Read the class's statements for the decks here and merge them into this database."""
    import sqlite3

    from quiz.cli.progress import _known_decks
    from quiz.xapi.client import LrsError
    from quiz.xapi.pull import pull

    when = _since(since)
    store, _, client = _client(ctx)
    chosen = _known_decks(store, decks)
    try:
        with client:
            gathered, reports = pull(store, client, utc_now(), decks=chosen, since=when)
    except LrsError as exc:
        raise click.ClickException(f"nothing was merged: {exc}") from exc
    except sqlite3.Error as exc:
        raise click.ClickException(f"{store.path}: nothing was merged: {exc}") from exc
    exams = f", {gathered.exam_statements} of exam attempts" if gathered.exam_statements else ""
    click.echo(
        f"read {gathered.statements} statement(s): {len(reports)} learner(s), "
        f"{len(gathered.voided)} voided{exams}"
    )
    # Names and ids come from the LRS: printed inert.
    for line in gathered.warnings():
        click.echo(safe(line), err=True)
    for report in reports:
        first, *warnings = report.lines()
        click.echo(safe(first))
        for line in warnings:
            click.echo(safe(line), err=True)
