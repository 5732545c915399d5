"""`quiz settings`: a learner's own study settings, over the defaults their decks give."""

from __future__ import annotations

import click

from quiz import settings
from quiz.cli.group import main, open_learner, store_options
from quiz.deck.model import Settings
from quiz.scheduler import utc_now
from quiz.store.database import Store
from quiz.store.settings import ALL_DECKS
from quiz.study.learner import retention_costs, setting_rows
from quiz.textsafe import safe

# A study day is the learner's, whatever the deck: its start is not set per deck.
_LEARNER_WIDE = {"rollover_hour"}


def _deck_settings(store: Store, deck_id: str | None) -> Settings | None:
    if deck_id is None:
        return None
    found = store.deck_settings(deck_id)
    if found is None:
        known = store.deck_ids()
        from quiz.deck.reader import suggestion

        raise click.ClickException(
            f"no deck {safe(deck_id)!r} in {store.path}{suggestion(deck_id, tuple(known))}"
        )
    return found


@main.command(name="settings")
@click.argument("key", required=False)
@click.argument("value", required=False, nargs=-1)
@click.option("--deck", "deck_id", metavar="ID", help="For this deck only (default: all decks).")
@click.option("--unset", is_flag=True, help="Remove your value: the deck's or the default applies.")
@store_options
@click.pass_context
def settings_command(
    ctx: click.Context, key: str | None, value: tuple[str, ...], deck_id: str | None, unset: bool
) -> None:
    """Show the study settings in force, or set one: `quiz settings desired_retention 0.85`.

    Your own values win over a deck file's `settings:` and those over the defaults; with
    --deck they apply to that deck only. What each one does: docs/scheduling.md.
    """
    store, learner = open_learner(ctx)
    try:
        deck = _deck_settings(store, deck_id)
        scope = deck_id or ALL_DECKS
        if key is not None and key not in settings.SPECS:
            raise click.ClickException(str(settings.SettingError(_unknown(key))))
        if key is not None and (value or unset):
            if deck_id and key in _LEARNER_WIDE:
                raise click.ClickException(f"{key} is one for all your decks: leave out --deck")
            if unset:
                store.set_learner_setting(learner, scope, key, None, utc_now())
            else:
                try:
                    parsed = settings.parse(key, " ".join(value))
                except settings.SettingError as exc:
                    raise click.ClickException(f"{key}: {exc}") from exc
                store.set_learner_setting(learner, scope, key, settings.to_json(parsed), utc_now())
        _print(store, learner, deck_id, deck, key)
        if key == "desired_retention":
            _retention_costs(store, learner, deck_id, deck)
    finally:
        store.close()


def _unknown(key: str) -> str:
    from quiz.deck.reader import suggestion

    return f"no setting {safe(key)!r}{suggestion(key, tuple(settings.SPECS))}"


def _print(
    store: Store, learner: str, deck_id: str | None, deck: Settings | None, key: str | None
) -> None:
    rows = [r for r in setting_rows(store, learner, deck_id, deck) if key in (None, r.key)]
    width = max(len(r.key) for r in rows)
    where = f"deck {deck_id}" if deck_id else "all decks"
    click.echo(f"{safe(learner)}, {safe(where)}:")
    for row in rows:
        click.echo(f"  {row.key:<{width}}  {row.shown:<12} {row.origin:<17} {row.help}")


def _retention_costs(
    store: Store, learner: str, deck_id: str | None, deck: Settings | None
) -> None:
    """What each retention would cost this learner's collection, by FSRS's simulator."""
    costs = retention_costs(store, learner, deck_id, deck)
    if costs is None:
        click.echo("  (study a deck first to see what a retention costs)")
        return
    click.echo(f"  What it costs over a year, for your {costs.items:,} items (FSRS's simulator):")
    for load in costs.loads:
        mark = "  <- yours" if load.retention == costs.chosen else ""
        click.echo(
            f"    {load.retention:.2f}: {load.reviews_per_day:6.1f} reviews a day,"
            f" {load.remembered:,.0f} items remembered{mark}"
        )
    click.echo(f"  The retention that costs least per item remembered: {costs.optimal:.2f}")
