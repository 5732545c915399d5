"""`quiz optimize`: how well FSRS predicts a review log, and parameters fitted to it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from quiz.cli.group import main, open_learner, store_options
from quiz.optimizer import Evaluation, LoggedReview, ReviewLogError, evaluate, read_review_csv
from quiz.scheduler import ROLLOVER_HOUR, utc_now
from quiz.store.settings import ALL_DECKS
from quiz.study.learner import learner_log, learner_settings
from quiz.textsafe import safe


def _read_log(path: Path) -> list[LoggedReview]:
    if path.suffix.lower() in (".apkg", ".colpkg"):
        from quiz.optimizer import read_anki_revlog

        return read_anki_revlog(path)
    return read_review_csv(path)


def _table(result: Evaluation) -> str:
    lines = [f"reviews scored: {result.reviews_scored:,} (made a study day or more after the last)"]
    lines.append(f"{'':10} {'log loss':>9} {'RMSE(bins)':>11} {'AUC':>6}")
    rows = [("defaults", result.defaults)]
    if result.optimized is not None:
        rows.append(("optimized", result.optimized))
    for name, m in rows:
        auc = f"{m.auc:.3f}" if m.auc is not None else "-"
        lines.append(f"{name:10} {m.log_loss:9.4f} {m.rmse_bins:11.4f} {auc:>6}")
    if result.optimized is None:
        lines.append("too few reviews to fit parameters (400 scored reviews are needed)")
    elif result.defaults_on_tested is not None:
        verdict = "better" if result.better else "not better"
        same = result.defaults_on_tested.log_loss
        lines.append(
            "optimized: fitted on earlier reviews, scored on later ones (time-series splits);"
            f" the defaults on those reviews: log loss {same:.4f}; fitted parameters {verdict}"
        )
    return "\n".join(lines)


@main.command(name="optimize")
@click.option(
    "--evaluate",
    "log_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE",
    help="Only score a review log, adopting nothing: CSV "
    "(card_id,review_rating,review_time,review_duration) or an Anki .apkg/.colpkg.",
)
@click.option("--deck", "deck_id", metavar="ID", help="Fit on this deck's reviews, for it alone.")
@click.option("--reset", is_flag=True, help="Go back to FSRS's default parameters.")
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table to read, json for scripts.",
)
@store_options
@click.pass_context
def optimize(
    ctx: click.Context, log_file: Path | None, deck_id: str | None, reset: bool, output: str
) -> None:
    """Fit FSRS to your own reviews, and use the fitted parameters if they predict better.

    The defaults and the fitted parameters are both scored on your later reviews (fitted on
    the earlier ones, as srs-benchmark does); the fitted ones are adopted only if their log
    loss is lower. With --evaluate, any review log is scored and nothing is stored.
    How: docs/scheduling.md.
    """
    if log_file is not None:
        try:
            result = _with_progress(_read_log(log_file), ROLLOVER_HOUR)
        except ReviewLogError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(json.dumps(result.as_dict(), indent=2) if output == "json" else _table(result))
        return
    store, learner = open_learner(ctx)
    try:
        scope = deck_id or ALL_DECKS
        if reset:
            done = store.clear_parameters(learner, scope)
            click.echo("back to FSRS's default parameters" if done else "no fitted parameters")
            return
        hour = learner_settings(store, learner).rollover_hour
        reviews = learner_log(store, learner, [deck_id] if deck_id else None)
        try:
            result = _with_progress(reviews, hour)
        except ReviewLogError as exc:
            raise click.ClickException(f"{safe(learner)} has no reviews to score yet") from exc
        adopted = result.better and result.parameters is not None
        if adopted and result.parameters is not None:
            store.save_parameters(
                learner, scope, result.parameters, result.reviews_scored, result.as_dict(),
                utc_now(),
            )  # fmt: skip
        if output == "json":
            click.echo(json.dumps({**result.as_dict(), "adopted": adopted}, indent=2))
            return
        click.echo(_table(result))
        who = f"{safe(learner)}, {_scope(deck_id)}"
        if adopted:
            click.echo(f"adopted for {who}: the fitted parameters schedule from now on")
        else:
            click.echo(f"kept for {who}: the parameters in use (the fitted ones were not better)")
    finally:
        store.close()


def _scope(deck_id: str | None) -> str:
    return f"deck {safe(deck_id)}" if deck_id else "all decks"


def _with_progress(reviews: list[LoggedReview], hour: int) -> Evaluation:
    hidden = not sys.stderr.isatty()
    with click.progressbar(length=3, label="optimizing", file=sys.stderr, hidden=hidden) as bar:
        return evaluate(reviews, hour=hour, progress=lambda _: bar.update(1))
