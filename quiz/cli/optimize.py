"""`quiz optimize`: how well FSRS predicts a review log, and parameters fitted to it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from quiz.cli.group import main
from quiz.optimizer import Evaluation, LoggedReview, ReviewLogError, evaluate, read_review_csv


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
    required=True,
    metavar="FILE",
    help="Score a review log: CSV (card_id,review_rating,review_time,review_duration) "
    "or an Anki .apkg/.colpkg.",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table to read, json for scripts.",
)
def optimize(log_file: Path, output: str) -> None:
    """Score FSRS's default and fitted parameters on a review log, as srs-benchmark does.

    Only reviews made a study day or more after the card's previous one are scored; the
    fitted parameters are scored on later reviews than they were fitted on. How: docs/scheduling.md.
    """
    try:
        reviews = _read_log(log_file)
        hidden = not sys.stderr.isatty()
        with click.progressbar(length=3, label="optimizing", file=sys.stderr, hidden=hidden) as bar:
            result = evaluate(reviews, progress=lambda _: bar.update(1))
    except ReviewLogError as exc:
        raise click.ClickException(str(exc)) from exc
    if output == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        click.echo(_table(result))
