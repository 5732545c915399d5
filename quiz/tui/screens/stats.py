"""The learner's statistics: activity, the study calendar, due forecast, retention, mastery."""

from __future__ import annotations

from datetime import timedelta

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane
from textual_plotext import PlotextPlot
from textual_plotext.plot import Plot

from quiz.optimizer import current_fit
from quiz.progress.report import percent
from quiz.progress.stats import LearnerStats, learner_stats
from quiz.session import StudySession
from quiz.store.settings import ALL_DECKS
from quiz.study.learner import learner_log, learner_settings
from quiz.tui.widgets.footer import KeyFooter

ACTIVITY_DAYS = 30
FORECAST_DAYS = 30
CALENDAR_WEEKS = 53
# Narrow half-block bars leave a gap between days, even 30 of them in 80 columns.
BAR_WIDTH = 0.4
PAD = " " * 4
# Cells of the calendar, from no reviews to the busiest days.
CALENDAR_SHADES = ["#3a3f4b", "#0e4429", "#006d32", "#26a641", "#39d353"]


def count_ticks(highest: int) -> tuple[list[float], list[str]]:
    """Whole-number ticks from 0 to at least `highest`: 1, 2 or 5 times a power of ten apart."""
    step, scale = 1, 1
    while -(-highest // step) > 4:
        for factor in (2, 5, 10):
            step = factor * scale
            if -(-highest // step) <= 4:
                break
        scale *= 10
    top = max(step, -(-highest // step) * step)
    ticks = range(0, top + 1, step)
    return [float(t) for t in ticks], [str(t) for t in ticks]


def calendar_text(stats: LearnerStats) -> Text:
    """A year of study days as weekday rows by week columns, brighter for more reviews."""
    # A grid of days rather than a chart: plotext's matrix plot cannot line its cells up
    # with weekday and month labels, which is what makes a calendar readable.
    today = stats.today
    first = today - timedelta(days=today.weekday() + 7 * (CALENDAR_WEEKS - 1))
    busiest = max((n for d, n in stats.daily.items() if d >= first), default=0)
    months = [" "] * CALENDAR_WEEKS
    for week in range(CALENDAR_WEEKS):
        monday = first + timedelta(days=7 * week)
        # A month's short name takes three columns; skip one that would overrun the last.
        fits = week + 3 <= CALENDAR_WEEKS
        if monday.day <= 7 and fits and all(c == " " for c in months[max(0, week - 1) : week]):
            months[week : week + 3] = list(monday.strftime("%b"))
    # The pad is a span of its own: SVG snapshots drop a span's leading spaces.
    text = Text(PAD, no_wrap=True)
    text.append("".join(months) + "\n", style="dim")
    for weekday, name in enumerate(("Mon", "", "Wed", "", "Fri", "", "Sun")):
        text.append(f"{name:<4}", style="dim")
        for week in range(CALENDAR_WEEKS):
            day = first + timedelta(days=7 * week + weekday)
            if day > today:
                text.append(" ")
                continue
            count = stats.daily.get(day, 0)
            shade = 0 if not count else 1 + min(3, (4 * count - 1) // max(busiest, 1))
            text.append("■", style=CALENDAR_SHADES[shade])
        text.append("\n")
    text.append(PAD)
    text.append("less ", style="dim")
    for colour in CALENDAR_SHADES:
        text.append("■", style=colour)
    text.append(" ")
    text.append("more", style="dim")
    return text


class StatsScreen(Screen[None]):
    """How studying goes for the current learner, in all decks or one."""

    BINDINGS = [
        Binding("d", "next_deck", "Next deck"),
        Binding("l", "app.browse('is:leech')", "Leeches"),
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, session: StudySession) -> None:
        super().__init__()
        self.session = session
        # None is every deck; the others are single deck ids.
        self.scopes: list[str | None] = [None, *(d.id for d in session.decks)]
        self.scope = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="stats-intro")
        with TabbedContent(id="stats-tabs"):
            with TabPane("Reviews", id="tab-reviews"):
                yield Static(id="practice-note")
                yield PlotextPlot(id="reviews-chart")
            with TabPane("Calendar", id="tab-calendar"):
                yield Static(id="calendar-note")
                yield Static(id="calendar")
            with TabPane("Due", id="tab-due"):
                yield PlotextPlot(id="forecast-chart")
            with TabPane("Retention", id="tab-retention"):
                yield Static(id="retention-note")
                yield Static(id="fsrs-note")
                yield PlotextPlot(id="retention-chart")
            with TabPane("Mastery", id="tab-mastery"):
                yield DataTable(id="mastery-table", cursor_type="none", zebra_stripes=True)
            with TabPane("Hardest", id="tab-hardest"):
                yield Static(id="hardest-note")
                yield DataTable(id="hardest-table", cursor_type="none", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        mastery = self.query_one("#mastery-table", DataTable)
        for label in ("Deck or #tag", "Mastered", "", "Seen"):
            mastery.add_column(label, key=label)
        hardest = self.query_one("#hardest-table", DataTable)
        for label in ("Lapses", "Again", "Deck", "Card"):
            hardest.add_column(label, key=label)
        self.refresh_stats()

    def action_next_deck(self) -> None:
        """Show the next deck, then all decks again."""
        self.scope = (self.scope + 1) % len(self.scopes)
        self.refresh_stats()

    def refresh_stats(self) -> None:
        """Recompute every figure for the chosen decks."""
        session = self.session
        chosen = self.scopes[self.scope]
        decks = [d.id for d in session.decks] if chosen is None else [chosen]
        stats = learner_stats(session.store, session.learner, decks, session.clock())
        self._intro(stats, chosen)
        self._reviews(stats)
        self._practice(decks)
        self._calendar(stats)
        self._forecast(stats)
        self._retention(stats)
        self._fsrs(decks, chosen)
        self._mastery(stats)
        self._hardest(stats)

    def _intro(self, stats: LearnerStats, chosen: str | None) -> None:
        title = "all decks" if chosen is None else chosen
        days = "day" if stats.streak == 1 else "days"
        self.query_one("#stats-intro", Static).update(
            Text.assemble(
                (stats.learner, "bold"),
                (" · ", "dim"),
                (title, "bold"),
                (" (d: next deck)", "dim"),
                ("\n", ""),
                (f"{stats.mastered} of {stats.total} mastered", "green"),
                (" · ", "dim"),
                (f"{stats.due} due now", ""),
                (" · ", "dim"),
                (f"streak {stats.streak} {days}", "yellow"),
                (" · ", "dim"),
                (f"true retention {percent(stats.true_retention)}", ""),
            )
        )

    def _reviews(self, stats: LearnerStats) -> None:
        days = stats.reviews_on(ACTIVITY_DAYS)
        plot = self.query_one("#reviews-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        xs = list(range(-ACTIVITY_DAYS + 1, 1))
        counts = [n for _, n in days]
        plt.bar(xs, counts, width=BAR_WIDTH, marker="hd")
        self._count_axis(plt, max(counts))
        # Weekly ticks counted back from today, so today always has its label.
        ticks = sorted(xs[::-7])
        labels = [days[x + ACTIVITY_DAYS - 1][0].strftime("%d %b") for x in ticks]
        plt.xticks([float(x) for x in ticks], labels)
        plt.title(f"Reviews per day, last {ACTIVITY_DAYS} days")
        plot.refresh()

    def _practice(self, decks: list[str]) -> None:
        """Cram answers, apart from the reviews: they never change a schedule or feed FSRS."""
        since = self.session.clock() - timedelta(days=ACTIVITY_DAYS)
        done = self.session.store.practice_summary(self.session.learner, decks, since)
        note = Text("Cram practice, not charted nor fed to FSRS: ", style="dim")
        if not done.answers:
            note.append(f"none in {ACTIVITY_DAYS} days", style="dim")
        else:
            note.append(f"{done.answers} answers in {ACTIVITY_DAYS} days", style="bold")
            if done.graded:
                note.append(f", {percent(done.right / done.graded)} right")
            if done.last is not None:
                note.append(f", last {done.last.astimezone():%d %b}", style="dim")
        self.query_one("#practice-note", Static).update(note)

    @staticmethod
    def _count_axis(plt: Plot, highest: int) -> None:
        ticks, labels = count_ticks(highest)
        plt.yticks(ticks, labels)
        plt.ylim(0, ticks[-1])

    def _calendar(self, stats: LearnerStats) -> None:
        year = stats.today - timedelta(days=364)
        studied = sum(1 for d, n in stats.daily.items() if d >= year and n)
        days = "day" if stats.streak == 1 else "days"
        self.query_one("#calendar-note", Static).update(
            Text.assemble(
                (f"Studied on {studied} of the last 365 days", ""),
                (" · ", "dim"),
                (f"current streak {stats.streak} {days}", "yellow"),
            )
        )
        self.query_one("#calendar", Static).update(calendar_text(stats))

    def _forecast(self, stats: LearnerStats) -> None:
        plot = self.query_one("#forecast-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        xs = list(range(FORECAST_DAYS))
        counts = stats.forecast[:FORECAST_DAYS]
        plt.bar(xs, counts, width=BAR_WIDTH, marker="hd", color="orange")
        self._count_axis(plt, max(counts))
        ticks = xs[::7]
        labels = [(stats.today + timedelta(days=x)).strftime("%d %b") for x in ticks]
        plt.xticks([float(x) for x in ticks], ["today", *labels[1:]])
        plt.title(f"Items due in the next {FORECAST_DAYS} days (overdue ones count today)")
        plot.refresh()

    def _retention(self, stats: LearnerStats) -> None:
        points = [(i, 100 * p.share) for i, p in enumerate(stats.retention) if p.share is not None]
        plot = self.query_one("#retention-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_figure()
        desired = stats.desired_retention * 100
        weeks = len(stats.retention)
        note = Text.assemble(
            ("━ your true retention", "cyan"), ("  ", ""), (f"━ desired {desired:.0f}%", "green")
        )
        if points:
            plt.plot([i for i, _ in points], [v for _, v in points], marker="braille", color="cyan")
        else:
            note.append("  (no reviews of learned items yet)", style="dim")
        self.query_one("#retention-note", Static).update(note)
        plt.plot([0, weeks - 1], [desired, desired], marker="braille", color="green")
        # Retention lives high up: show from a round ten below the lowest point.
        lowest = min([desired, *(v for _, v in points)])
        bottom = max(0, int(lowest - 5) // 10 * 10)
        step = 10 if 100 - bottom <= 50 else 20
        ticks = list(range(100, bottom - 1, -step))
        plt.yticks([float(t) for t in ticks], [f"{t}%" for t in ticks])
        plt.ylim(bottom, 100)
        plt.xlim(0, weeks - 1)
        xticks = list(range(0, weeks, 4))
        labels = [stats.retention[t].first_day.strftime("%d %b") for t in xticks]
        plt.xticks([float(x) for x in xticks], labels)
        plt.title(f"True retention per week, last {weeks} weeks")
        plot.refresh()

    def _fsrs(self, decks: list[str], chosen: str | None) -> None:
        """How well FSRS's parameters in use predict these reviews, and whether to optimise."""
        session = self.session
        store, learner = session.store, session.learner
        stored = store.fitted_parameters(learner, chosen or ALL_DECKS)
        fit = current_fit(
            learner_log(store, learner, decks),
            stored.parameters if stored else None,
            stored.reviews if stored else None,
            learner_settings(store, learner).rollover_hour,
        )
        note = Text("FSRS: ", style="dim")
        note.append("fitted to your reviews" if fit.fitted else "default parameters")
        if fit.metrics is not None:
            m = fit.metrics
            note.append(f" · log loss {m.log_loss:.3f} · RMSE {100 * m.rmse_bins:.1f}%")
        if fit.suggest:
            note.append(" · run ", style="dim")
            note.append("quiz optimize", style="bold")
            note.append(" to fit them to your reviews", style="dim")
        self.query_one("#fsrs-note", Static).update(note)

    def _mastery(self, stats: LearnerStats) -> None:
        table = self.query_one("#mastery-table", DataTable)
        table.clear()
        for row in stats.by_deck:
            self._mastery_row(table, row.group, row.mastered, row.seen, row.total)
        for row in stats.by_tag:
            self._mastery_row(table, f"#{row.group}", row.mastered, row.seen, row.total)

    @staticmethod
    def _mastery_row(
        table: DataTable[Text], name: str, mastered: int, seen: int, total: int
    ) -> None:
        share = mastered / total if total else 0.0
        filled = round(10 * share)
        bar = Text.assemble(("█" * filled, "green"), ("░" * (10 - filled), "dim"))
        bar.append(f" {share:>4.0%}")
        table.add_row(
            Text(name),
            Text(f"{mastered} of {total}", justify="right"),
            bar,
            Text(f"{seen} of {total}", justify="right"),
        )

    def _hardest(self, stats: LearnerStats) -> None:
        leeches = (
            f"{stats.leeches} leech{'es' if stats.leeches != 1 else ''} "
            f"(forgotten {stats.leech_threshold} times or more): rewrite or split them"
        )
        note = Text(leeches if stats.leeches else "No leeches. The cards forgotten most:", "dim")
        note.append("  l: browse the items marked leeches (is:leech)", style="bold")
        self.query_one("#hardest-note", Static).update(note)
        table = self.query_one("#hardest-table", DataTable)
        table.clear()
        for item in stats.hardest:
            table.add_row(
                Text(str(item.lapses), justify="right", style="bold red" if item.leech else ""),
                Text(str(item.agains), justify="right"),
                Text(item.deck_id),
                Text(item.prompt),
            )
        if not stats.hardest:
            table.add_row(Text(""), Text(""), Text(""), Text("Nothing forgotten yet.", style="dim"))
