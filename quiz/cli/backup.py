"""`quiz backup` and `quiz backup restore`: the database's own backups."""

from __future__ import annotations

from pathlib import Path

import click

from quiz.cli.group import main, remember
from quiz.scheduler import utc_now
from quiz.store.database import default_db_path
from quiz.textsafe import safe


def _db_path(ctx: click.Context) -> Path:
    obj = ctx.find_root().obj or {}
    return Path(obj.get("db") or default_db_path())


# Backups belong to the database, not to a learner: only --db.
_db_option = click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=Path),
    callback=remember,
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
        click.echo(safe(f"{item.name}  {made}  {item.reason:<15} {size:,.0f} KB"))


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
