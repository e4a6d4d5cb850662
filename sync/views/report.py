"""`progsync report`: a week or a block as one self-contained HTML page.

The page is what a runner or coach looks at before trusting a plan: a calendar grid (week rows,
day columns) with one card per session, each card carrying the session's intensity profile as
inline SVG (x = time, height and colour = effort zone from `workouts.effort`), the week's totals
beside it, a chart of weekly volume for a block (down, race, taper and recovery weeks marked), the coaching
warnings next to what they concern, and the athlete's paces and heart-rate zones as a legend.

With a review (`report --from SOURCE`, the activity sources of `progsync review`), each card
also shows what was run: its status and a line over the profile at the height of the pace
actually run, step by step where the watch ran the workout, split by split otherwise; an
activity no session accounts for (unplanned) gets a card of its own on its day.

It reads only the compiled model (`Loaded`), never the TOML. This module turns the model into a
small view model of plain values; the jinja2 template `templates/report.html.j2` lays it out. The
page has no scripts, fonts, images or styles from anywhere else, so it opens offline, mails as
one file and prints (the template has a print stylesheet). Colour is never the only carrier of
meaning: every step is also written out with its zone label, and chart marks are words.

Why this module is long: the report's view model is one pass over the plan (cards, week
totals, zones, the review drawn over it), and splitting it would scatter the one set of
numbers the page shows; the markup itself lives in the template.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progsync.sync.views.render import describe_amount, describe_target, target_words
from progsync.workouts.effort import PaceScale, effort, shown_seconds
from progsync.workouts.errors import Issue
from progsync.workouts.facts import is_goal_race, is_quality, race_distance, session_facts
from progsync.workouts.model import Block, Repeat, Session, Step, flatten
from progsync.workouts.profile import PACE_NAMES, Profile
from progsync.workouts.units import Units, format_clock, format_pace

if TYPE_CHECKING:
    from progsync.sync.app.loading import Loaded
    from progsync.workouts.review import Review, SessionReview

#: Width of a profile's SVG viewBox; the picture scales to the card.
PROFILE_WIDTH = 240
PROFILE_HEIGHT = 40
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEK_OF = re.compile(r"week of \w{3} (\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Bar:
    """One step of a profile: a rectangle in the viewBox, its zone and its words."""

    x: float
    width: float
    height: float
    zone: int
    title: str


@dataclass(frozen=True)
class Tick:
    """What was run over a stretch of the profile: a line at the height of the actual pace;
    `mark` is the review's verdict on it (in, fast, slow, or "" when there is none)."""

    x: float
    width: float
    y: float
    mark: str
    title: str


@dataclass(frozen=True)
class Warning:
    code: str
    message: str
    hint: str


@dataclass(frozen=True)
class Line:
    """One step (or repeat header) as the card writes it out; `depth` indents repeats."""

    text: str
    zone: int | None
    label: str
    depth: int


@dataclass
class Card:
    anchor: str
    name: str
    date: dt.date
    time: str | None
    duration: str
    distance: str
    sport: str
    bars: list[Bar]
    lines: list[Line]
    notes: str | None
    progression: bool
    warnings: list[Warning] = field(default_factory=list)
    #: With a review: the session's status, what was run in words, and the ticks to draw.
    status: str | None = None
    ran: str | None = None
    actual: list[Tick] = field(default_factory=list)


@dataclass
class Day:
    date: dt.date
    cards: list[Card]


@dataclass
class WeekView:
    number: int
    start: dt.date
    end: dt.date
    days: list[Day]
    seconds: float
    metres: float
    easy_share: float | None
    down: bool = False
    race: bool = False
    #: The weeks between the peak and a goal race, and the easy weeks after it (docs/blocks.md).
    taper: bool = False
    recovery: bool = False
    warnings: list[Warning] = field(default_factory=list)
    #: With a review: what was run that week (time, distance, easy share).
    ran: list[tuple[str, str]] = field(default_factory=list)

    @property
    def duration(self) -> str:
        return format_clock(self.seconds)


@dataclass(frozen=True)
class ChartBar:
    x: float
    width: float
    y: float
    height: float
    label: str
    title: str
    mark: str


@dataclass
class ReportView:
    title: str
    units: Units
    first: dt.date
    last: dt.date
    columns: list[str]
    weeks: list[WeekView]
    chart: list[ChartBar]
    paces: list[tuple[str, str, str]]
    hr_zones: list[tuple[str, str]]
    zones: list[tuple[int, str]]
    loose: list[Warning]
    sessions: int
    seconds: float
    metres: float
    generated: str
    reviewed: bool = False


def distance_text(metres: float, units: Units) -> str:
    value = metres / (1000.0 if units == "km" else 1609.344)
    return f"{value:.1f} {units}"


def _bars(session: Session, profile: Profile, scale: PaceScale) -> list[Bar]:
    steps = flatten(session.steps)
    spans = [shown_seconds(s, profile) for s in steps]
    total = sum(spans) or 1.0
    bars: list[Bar] = []
    x = 0.0
    for step, seconds in zip(steps, spans, strict=True):
        level = effort(step, profile, scale)
        width = seconds / total * PROFILE_WIDTH
        words = f"{step.kind} {describe_amount(step, session.units)}"
        if step.target.kind != "open":
            words += f" at {describe_target(step.target, session.units)}"
        bars.append(
            Bar(
                round(x, 2),
                round(width, 2),
                round(level.height * PROFILE_HEIGHT, 1),
                level.zone,
                f"{words} ({level.label})",
            )
        )
        x += width
    return bars


def _lines(blocks: Sequence[Block], profile: Profile, units: Units, scale: PaceScale) -> list[Line]:
    out: list[Line] = []

    def walk(items: Sequence[Block], depth: int) -> None:
        for block in items:
            if isinstance(block, Repeat):
                out.append(Line(f"{block.count}×", None, "", depth))
                walk(block.steps, depth + 1)
                continue
            level = effort(block, profile, scale)
            short = "rest" if level.zone == 0 else f"Z{level.zone}"
            out.append(Line(_step_words(block, units), level.zone, short, depth))

    walk(blocks, 0)
    return out


def _step_words(step: Step, units: Units) -> str:
    words = describe_amount(step, units)
    if step.kind != "run":
        words = f"{step.name or step.kind} {words}"
    elif step.name:
        words = f"{step.name}: {words}"
    if step.target.kind != "open":
        words += f" {target_words(step.target, units)}"
    if step.note:
        words += f" — {step.note}"
    return words


def _card(session: Session, profile: Profile, scale: PaceScale) -> Card:
    return Card(
        anchor=re.sub(r"[^A-Za-z0-9_-]+", "-", session.identity),
        name=session.name,
        date=session.date,
        time=f"{session.time:%H:%M}" if session.time else None,
        duration=format_clock(session.estimated_duration_s),
        distance=distance_text(session.estimated_distance_m, session.units),
        sport=session.sport,
        bars=_bars(session, profile, scale),
        lines=_lines(session.steps, profile, session.units, scale),
        notes=session.notes,
        progression=session.progression is not None or "progression" in session.tags,
    )


def _line_y(pace: float, scale: PaceScale) -> float:
    """Where a pace sits in the profile: the same height a planned step at that pace has."""
    return round(PROFILE_HEIGHT - scale.height(pace) * PROFILE_HEIGHT, 1)


def _overlay(card: Card, item: SessionReview, scale: PaceScale, units: Units) -> None:
    """Put a session's review on its card: status, what was run, and the pace line."""
    activity = item.activity
    card.status = item.status
    if activity is None:
        card.ran = "no activity found" if item.status == "missed" else None
        return
    words = [f"ran {format_clock(activity.seconds)}"]
    if activity.metres:
        pace = f" at {format_pace(activity.pace, units)}" if activity.pace else ""
        words.append(distance_text(activity.metres, units) + pace)
    if item.status == "moved":
        words.append(f"on {activity.date:%a} {activity.date.day} {activity.date:%b}")
    if item.progression is not None:
        words.append(
            "a progression run" if item.progression.ok else "; ".join(item.progression.problems)
        )
    card.ran = " · ".join(words)
    if item.method == "workout":
        for step in item.steps:
            place = step.planned.number - 1
            if step.pace is None or not 0 <= place < len(card.bars):
                continue
            bar, y = card.bars[place], _line_y(step.pace, scale)
            verdict = {"in": " (in range)", "fast": " (fast)", "slow": " (slow)"}
            title = f"step {step.planned.number}: ran {format_pace(step.pace, units)}"
            mark = step.pace_mark or ""
            card.actual.append(Tick(bar.x, bar.width, y, mark, title + verdict.get(mark, "")))
    elif item.whole is not None and item.whole.splits:
        total = sum(split.seconds for split in item.whole.splits) or 1.0
        x = 0.0
        for split in item.whole.splits:
            width = split.seconds / total * PROFILE_WIDTH
            if split.pace is not None:
                title = f"split {split.number}: {format_pace(split.pace, units)}"
                y = _line_y(split.pace, scale)
                card.actual.append(Tick(round(x, 2), round(width, 2), y, "", title))
            x += width


def _unplanned_card(item: SessionReview, profile: Profile, units: Units) -> Card:
    """A card for an activity no session accounts for: what was run, split by split over an
    empty profile (on the athlete's pace scale), so the week's total has a card for each run."""
    activity = item.activity
    assert activity is not None
    noun = "run" if activity.sport == "run" else activity.sport
    card = Card(
        anchor=f"unplanned-{activity.start:%Y%m%dT%H%M%S}",
        name=f"Unplanned {noun}",
        date=activity.date,
        time=None,
        duration=format_clock(activity.seconds),
        distance=distance_text(activity.metres or 0.0, units),
        sport=activity.sport,
        bars=[],
        lines=[],
        notes=None,
        progression=False,
    )
    _overlay(card, item, PaceScale.of(profile), units)
    return card


def _warning(issue: Issue) -> Warning:
    return Warning(issue.code or issue.severity, issue.message, issue.hint or "")


def build_view(
    loaded: Loaded,
    title: str | None = None,
    today: dt.date | None = None,
    checks: Mapping[str, Any] | None = None,
    review: Review | None = None,
) -> ReportView:
    """The report's view model: weeks of cards, totals, chart bars, legend and warnings.

    `checks` is the config's `[checks]` table: down weeks are marked with the `down-week`
    rule's own `min_drop` (the plan's `[checks]` over the config's), as `check` judges them."""
    from progsync.workouts.checks import merge_tables
    from progsync.workouts.rules import parse_settings

    sessions = loaded.sessions
    first_plan = loaded.plans[0]
    profile = first_plan.profile
    settings = parse_settings(merge_tables(checks, first_plan.checks))
    drop = settings.number("down-week", "min_drop")
    units = first_plan.plan.units
    profiles = {id(s): c.profile for c in loaded.plans for s in c.plan.sessions}
    starts = [c.plan.start for c in loaded.plans if c.plan.start is not None]
    if sessions:
        earliest = min(s.date for s in sessions)
    else:
        earliest = min(starts) if starts else (today or dt.date.today())
    anchor = min(starts) if starts else earliest - dt.timedelta(days=earliest.weekday())
    anchor = min(anchor, earliest - dt.timedelta(days=(earliest - anchor).days % 7))
    last = max((s.date for s in sessions), default=anchor)
    count = (last - anchor).days // 7 + 1

    weeks: list[WeekView] = []
    for number in range(count):
        start = anchor + dt.timedelta(days=7 * number)
        days = [Day(start + dt.timedelta(days=d), []) for d in range(7)]
        weeks.append(WeekView(number + 1, start, start + dt.timedelta(days=6), days, 0, 0, None))

    cards_by_place: dict[tuple[str, int | None], list[Card]] = {}
    goal_weeks: set[int] = set()
    quality_weeks: set[int] = set()
    easy: dict[int, tuple[float, float]] = {}
    reviews = {
        r.session.identity: r for r in (review.sessions if review else ()) if r.session is not None
    }
    for session in sessions:
        session_profile = profiles.get(id(session), profile)
        card = _card(session, session_profile, PaceScale.of(session_profile))
        if session.identity in reviews:
            _overlay(card, reviews[session.identity], PaceScale.of(session_profile), units)
        index = (session.date - anchor).days // 7
        week = weeks[index]
        week.days[(session.date - week.start).days].cards.append(card)
        week.seconds += session.estimated_duration_s
        week.metres += session.estimated_distance_m
        if session.sport == "run":
            facts = session_facts(session, session_profile)
            done, total = easy.get(index, (0.0, 0.0))
            easy[index] = (done + facts.easy_seconds, total + facts.run_seconds)
            week.race = week.race or race_distance(session) is not None
            if is_goal_race(facts):
                goal_weeks.add(index)
            if is_quality(facts, settings):
                quality_weeks.add(index)
        place = (session.source_file or session.plan, session.source_line)
        cards_by_place.setdefault(place, []).append(card)
    for item in review.sessions if review else ():
        if item.session is None and item.activity is not None:
            index = (item.activity.date - anchor).days // 7
            if 0 <= index < len(weeks):
                week = weeks[index]
                card = _unplanned_card(item, profile, units)
                week.days[(item.activity.date - week.start).days].cards.append(card)
    for actual in review.weeks if review else ():
        index = (actual.start - anchor).days // 7
        if 0 <= index < len(weeks) and (actual.actual_seconds or actual.planned_seconds):
            share = actual.actual_easy_share
            weeks[index].ran = [
                ("ran", format_clock(actual.actual_seconds)),
                ("distance", distance_text(actual.actual_metres, units)),
                ("easy", "—" if share is None else f"{share:.0%}"),
            ]
    for index, (done, total) in easy.items():
        weeks[index].easy_share = done / total if total else None
    _mark_down_weeks(weeks, drop)
    _mark_race_weeks(weeks, goal_weeks, quality_weeks)

    loose: list[Warning] = []
    for issue in loaded.warnings:
        warning = _warning(issue)
        found = WEEK_OF.search(issue.context or "")
        if found:
            day = dt.date.fromisoformat(found.group(1))
            index = (day - anchor).days // 7
            if 0 <= index < len(weeks):
                weeks[index].warnings.append(warning)
                continue
        loc = issue.location
        cards = cards_by_place.get((loc.file, loc.line)) if loc else None
        if cards:
            for card in cards if len(cards) <= 1 or not issue.context else _named(cards, issue):
                card.warnings.append(warning)
            continue
        loose.append(warning)

    scale = PaceScale.of(profile)
    paces = []
    for name in PACE_NAMES:
        pace = profile.paces.get(name)
        if pace is None:
            continue
        if round(pace.slow) == round(pace.fast):
            shown = format_pace(pace.centre, units)
        else:
            shown = f"{format_pace(pace.slow, units, suffix=False)}–{format_pace(pace.fast, units)}"
        paces.append((name, shown, f"Z{scale.zone(pace.centre)}"))
    hr_zones = [
        (f"Z{z}", f"{bounds[0]}–{bounds[1]} bpm")
        for z in range(1, 6)
        if (bounds := profile.hr_zone(z)) is not None
    ]
    names = [c.plan.name for c in loaded.plans]
    return ReportView(
        title=title or " + ".join(dict.fromkeys(names)),
        units=units,
        first=weeks[0].start,
        last=weeks[-1].end,
        columns=[DAY_NAMES[(anchor.weekday() + d) % 7] for d in range(7)],
        weeks=weeks,
        chart=_chart(weeks, units) if len(weeks) > 1 else [],
        paces=paces,
        hr_zones=hr_zones,
        zones=[
            (z, label)
            for z, label in enumerate(
                ("rest", "Z1 easy", "Z2 steady", "Z3 tempo", "Z4 threshold", "Z5 hard")
            )
        ],
        loose=loose,
        sessions=len(sessions),
        seconds=sum(s.estimated_duration_s for s in sessions),
        metres=sum(s.estimated_distance_m for s in sessions),
        generated=(today or dt.date.today()).isoformat(),
        reviewed=review is not None,
    )


def _named(cards: list[Card], issue: Issue) -> list[Card]:
    """The cards a folded warning names by date ("4 times: 2026-12-01, …"), else the first."""
    dates = set(re.findall(r"\d{4}-\d{2}-\d{2}", issue.context or ""))
    chosen = [c for c in cards if c.date.isoformat() in dates]
    return chosen or cards[:1]


def _mark_down_weeks(weeks: list[WeekView], drop: float) -> None:
    """Down weeks: at least `drop` under the biggest week since the last down week (by time)."""
    peak = 0.0
    for week in weeks:
        if week.seconds <= 0:
            continue
        if peak and week.seconds <= peak * (1 - drop):
            week.down = True
            peak = week.seconds
            continue
        peak = max(peak, week.seconds)


def _mark_race_weeks(weeks: list[WeekView], goals: set[int], quality: set[int]) -> None:
    """Before a goal race (checks.is_goal_race) the taper: the weeks after the heaviest of the
    4 weeks before the race week; after it the recovery: the weeks without a quality session,
    at most 4. Neither is also marked a down week."""
    for index in sorted(goals):
        before = [w for w in weeks[max(0, index - 4) : index] if w.seconds > 0]
        if before:
            peak = max(reversed(before), key=lambda w: w.seconds)
            for week in weeks[peak.number : index]:
                week.taper, week.down = True, False
        for week in weeks[index + 1 : index + 5]:
            if week.number - 1 in quality or week.number - 1 in goals:
                break
            week.recovery, week.down = True, False


def _chart(weeks: list[WeekView], units: Units) -> list[ChartBar]:
    """Bars of weekly time in a 100-high viewBox, one 10 wide per week."""
    most = max((w.seconds for w in weeks), default=0.0) or 1.0
    bars = []
    for i, week in enumerate(weeks):
        height = round(week.seconds / most * 80, 1)
        marks = [
            m
            for m, on in (
                ("race", week.race),
                ("taper", week.taper),
                ("recovery", week.recovery),
                ("down", week.down),
            )
            if on
        ]
        title = (
            f"week {week.number} ({week.start.isoformat()}): {format_clock(week.seconds)}, "
            f"{distance_text(week.metres, units)}"
            + (f" — {', '.join(marks)} week" if marks else "")
        )
        bars.append(
            ChartBar(
                i * 10 + 1.5,
                7,
                round(86 - height, 1),
                height,
                f"W{week.number}",
                title,
                " ".join(marks),
            )
        )
    return bars


def render_report(
    loaded: Loaded,
    title: str | None = None,
    today: dt.date | None = None,
    checks: Mapping[str, Any] | None = None,
    review: Review | None = None,
) -> str:
    """The report of `loaded` as one HTML document (see the module docstring)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("progsync.sync.views", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    view = build_view(loaded, title, today, checks, review)
    env.filters["percent"] = lambda share: "—" if share is None else f"{share:.0%}"
    env.filters["clock"] = format_clock
    env.filters["distance"] = lambda metres: distance_text(metres, view.units)
    env.globals.update(PROFILE_WIDTH=PROFILE_WIDTH, PROFILE_HEIGHT=PROFILE_HEIGHT)
    return env.get_template("report.html.j2").render(view=view)


def write_report(
    loaded: Loaded,
    path: Path,
    title: str | None = None,
    checks: Mapping[str, Any] | None = None,
    review: Review | None = None,
) -> Path:
    """Write the report to `path` (atomically: a half-written page never replaces a good one)."""
    import os

    html = render_report(loaded, title, checks=checks, review=review)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(html, encoding="utf-8")
    os.replace(temporary, path)
    return path
