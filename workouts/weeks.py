"""The week and block rules: a timeline of weeks (planned sessions, and with
`check --history-from` the activities actually run before them) judged for the easy share,
quality spacing, the weekly load, down weeks, race recovery, duplicates, dates, long-run growth,
and before a goal race the taper and the final days. One function per rule code, registered in
`WEEK_RULES` in the order their warnings are listed. Pure.

Why this module is long: every week rule reads the same timeline (`_Timeline`) and words its
finding the same way; one rule per function, all in the order their warnings are listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .errors import Issue
from .model import (
    Session,
)
from .records import record
from .rules import Settings
from .units import Units, format_clock, format_distance, format_duration

if TYPE_CHECKING:
    pass

from .facts import (
    ACTUAL_PLAN,
    Facts,
    _issue,
    _tags,
    is_goal_race,
    is_long_run,
    is_quality,
)


# -- weeks ------------------------------------------------------------------------------------
@record
class Week:
    """A week of the plan (`index` from 1, from its Monday) and the facts of its sessions."""

    index: int
    start: dt.date
    facts: tuple[Facts, ...]
    load: float

    @property
    def label(self) -> str:
        end = self.start + dt.timedelta(days=6)
        return f"week of {self.start:%a} {self.start.isoformat()} – {end.isoformat()}"


def _weeks(facts: Sequence[Facts], anchor: dt.date, by: str) -> list[Week]:
    runs = [f for f in facts if f.is_run]
    if not runs:
        return []
    by_week: dict[int, list[Facts]] = {}
    for f in runs:
        by_week.setdefault((f.session.date - anchor).days // 7, []).append(f)
    first, last = min(by_week), max(by_week)
    weeks: list[Week] = []
    for index in range(first, last + 1):
        members = tuple(by_week.get(index, ()))
        load = sum(f.metres if by == "distance" else f.seconds for f in members)
        weeks.append(Week(index, anchor + dt.timedelta(days=7 * index), members, load))
    return weeks


def _amount(load: float, by: str, units: Units) -> str:
    return format_distance(load, units) if by == "distance" else format_clock(load)


@record
class _Timeline:
    """What the week and block rules look at: one athlete's sessions, grouped into weeks."""

    facts: Sequence[Facts]
    weeks: list[Week]
    reported: set[str]
    units: Units
    by: str
    #: Where the weeks before the plan come from when they are what was actually run.
    actual: str | None = None
    #: The plan's `start` (the earliest of the timeline's files), when it has one.
    start: dt.date | None = None

    def from_actual(self, weeks: Iterable[Week]) -> str:
        """` (…: actual activities from SOURCE)` when any of `weeks` holds completed activities."""
        if self.actual and any(f.session.plan == ACTUAL_PLAN for w in weeks for f in w.facts):
            return f" — the weeks before are actual activities from {self.actual}"
        return ""

    def first_reported(self, members: Iterable[Facts]) -> Session | None:
        """The first session of `members` from a reported file (warnings anchor there)."""
        for f in sorted(members, key=lambda f: f.session.date):
            if f.session.source_file in self.reported:
                return f.session
        return None


def _shares(value: float, limit: float) -> tuple[str, str]:
    """Two shares as percentages with as many decimals as it takes for them to differ, so a
    message never reads "only 75% … at least 75%" (74.9% against 75%)."""
    for decimals in (0, 1, 2):
        shown, least = f"{value:.{decimals}%}", f"{limit:.{decimals}%}"
        if shown != least:
            return shown, least
    return shown, least


def _easy_share(line: _Timeline, settings: Settings) -> list[Issue]:
    weeks = line.weeks
    out: list[Issue] = []
    code = "easy-share"
    if settings.enabled(code):
        share_min = settings.number(code, "min_share")
        sessions_min = settings.number(code, "min_sessions")
        for week in weeks:
            run = sum(f.run_seconds for f in week.facts)
            if len(week.facts) < sessions_min or run <= 0 or any(map(is_goal_race, week.facts)):
                continue  # a race week is judged by the taper rules
            easy = sum(f.easy_seconds for f in week.facts)
            share = easy / run
            anchor_session = line.first_reported(week.facts)
            if share + 1e-9 < share_min and anchor_session is not None:
                # A race is not shortened to make a week easier, nor is what was already run.
                shorter = [
                    f
                    for f in week.facts
                    if not f.race and f.session.plan != ACTUAL_PLAN and f.hard_seconds > 0
                ]
                hint = "add easy running"
                if shorter:
                    hardest = max(shorter, key=lambda f: f.hard_seconds).session
                    hint = (
                        f"make a quality session shorter (e.g. '{hardest.name}' on "
                        f"{hardest.date:%a}) or add easy running"
                    )
                shown, least = _shares(share, share_min)
                out.append(
                    _issue(
                        code,
                        anchor_session,
                        f"only {shown} of the running time is easy "
                        f"({format_clock(easy)} of {format_clock(run)}; at least {least})",
                        hint,
                        week.label,
                    )
                )
    return out


def _quality_spacing(line: _Timeline, settings: Settings) -> list[Issue]:
    facts, reported = line.facts, line.reported
    out: list[Issue] = []
    code = "quality-spacing"
    if settings.enabled(code):
        quality = sorted(
            (f for f in facts if f.is_run and is_quality(f, settings)),
            key=lambda f: (f.session.date, f.session.slot),
        )
        for a, b in pairwise(quality):
            gap = (b.session.date - a.session.date).days
            if gap > 1 or b.session.source_file not in reported:
                continue
            when = "the same day" if gap == 0 else "consecutive days"
            out.append(
                _issue(
                    code,
                    b.session,
                    f"two quality sessions on {when}: {a.session.describe()} and "
                    f"{b.session.describe()}",
                    "put an easy or rest day between quality sessions",
                )
            )
    return out


def _weekly_load(line: _Timeline, settings: Settings) -> list[Issue]:
    weeks, units, by = line.weeks, line.units, line.by
    out: list[Issue] = []
    code = "weekly-load"
    if settings.enabled(code):
        ratio_max = settings.number(code, "max_ratio")
        rise_max = settings.number(code, "max_increase")
        for i, week in enumerate(weeks):
            session = line.first_reported(week.facts)
            if session is None or i == 0:
                continue
            previous = weeks[i - 1]
            history = [w for w in weeks[max(0, i - 4) : i] if w.load > 0]
            problems: list[str] = []
            if previous.load > 0 and week.load > previous.load * (1 + rise_max) + 1:
                problems.append(
                    f"{week.load / previous.load - 1:.0%} more than the week before "
                    f"({_amount(previous.load, by, units)}; at most +{rise_max:.0%})"
                )
            if len(history) >= 2:
                average = sum(w.load for w in history) / len(history)
                if week.load > average * ratio_max + 1:
                    problems.append(
                        f"{week.load / average:.2f}× the average of the {len(history)} weeks "
                        f"before ({_amount(average, by, units)}; at most {ratio_max:g}×)"
                    )
            if problems:
                # Only the limits that apply: a week before without running sets none (it
                # would read "keep the week under about 0:00").
                limits = [week.load]
                if previous.load > 0:
                    limits.append(previous.load * (1 + rise_max))
                if len(history) >= 2:
                    limits.append(sum(w.load for w in history) / len(history) * ratio_max)
                hint = f"keep the week under about {_amount(min(limits), by, units)}"
                if previous.load <= 0:
                    what = "activities" if line.actual else "running"
                    hint = f"the week before has no {what}; build back gradually: {hint}"
                out.append(
                    _issue(
                        code,
                        session,
                        f"volume {_amount(week.load, by, units)} is "
                        + " and ".join(problems)
                        + line.from_actual(weeks[max(0, i - 4) : i]),
                        hint,
                        week.label,
                    )
                )
    return out


def _down_week(line: _Timeline, settings: Settings) -> list[Issue]:
    weeks, units, by = line.weeks, line.units, line.by
    out: list[Issue] = []
    code = "down-week"
    if settings.enabled(code):
        most = settings.number(code, "max_build_weeks")
        drop = settings.number(code, "min_drop")
        streak: list[Week] = []
        peak = 0.0
        for i, week in enumerate(weeks):
            if i == 0:
                peak = week.load
                continue
            if peak and week.load <= peak * (1 - drop) + 1:
                streak, peak = [], week.load
                continue
            peak = max(peak, week.load)
            if week.load > weeks[i - 1].load + 1:
                streak.append(week)
            session = line.first_reported(week.facts)
            if len(streak) > most and streak[-1] is week and session is not None:
                loads = ", ".join(_amount(w.load, by, units) for w in streak)
                out.append(
                    _issue(
                        code,
                        session,
                        f"{len(streak)} build weeks in a row without a down week ({loads})"
                        + line.from_actual(weeks[: i + 1]),
                        f"make this week a down week, {drop:.0%}-30% under "
                        f"{_amount(peak, by, units)}",
                        week.label,
                    )
                )
    return out


def _race_recovery(line: _Timeline, settings: Settings) -> list[Issue]:
    facts, reported = line.facts, line.reported
    out: list[Issue] = []
    code = "race-recovery"
    if settings.enabled(code):
        races = [f for f in facts if f.race]
        for race in races:
            days = int(settings.number(code, race.race or "5k"))
            for f in facts:
                gap = (f.session.date - race.session.date).days
                if (
                    f is race
                    or not 0 <= gap < days
                    or (gap == 0 and f.session.slot <= race.session.slot)
                    or f.session.source_file not in reported
                    or not f.is_run
                    or not is_quality(f, settings)
                ):
                    continue
                out.append(
                    _issue(
                        code,
                        f.session,
                        f"quality {gap} day{'s' if gap != 1 else ''} after the {race.race} race "
                        f"{race.session.describe()} (allow {days} days)",
                        f"run easy until {race.session.date + dt.timedelta(days=days):%a %d %b}",
                    )
                )
    return out


def _duplicate_session(line: _Timeline, settings: Settings) -> list[Issue]:
    code = "duplicate-session"
    if not settings.enabled(code):
        return []
    out: list[Issue] = []
    seen: dict[tuple[Any, ...], Session] = {}
    for f in sorted(line.facts, key=lambda f: (f.session.date, f.session.slot)):
        session = f.session
        if session.plan == ACTUAL_PLAN:
            continue
        key = (session.date, session.name.strip().lower(), session.sport, session.steps)
        first = seen.setdefault(key, session)
        if first is session or session.source_file not in line.reported:
            continue
        out.append(
            _issue(
                code,
                session,
                f"{session.describe()} is written twice on {session.date:%a %d %b}: the same "
                f"name and steps as {first.source_file}:{first.source_line}",
                "remove one copy; for a double day give the runs different names or steps",
            )
        )
    return out


def _session_dates(line: _Timeline, settings: Settings) -> list[Issue]:
    code = "session-dates"
    if not settings.enabled(code):
        return []
    gap = int(settings.number(code, "max_gap"))
    mine = sorted(
        (f.session for f in line.facts if f.session.source_file in line.reported),
        key=lambda s: s.date,
    )
    out: list[Issue] = []
    for i, session in enumerate(mine):
        if line.start is not None and (line.start - session.date).days > gap:
            out.append(
                _issue(
                    code,
                    session,
                    f"{session.describe()} is {(line.start - session.date).days} days before "
                    f"the plan's start ({line.start.isoformat()})",
                    "check the date's year and month; push skips a past session without a word",
                )
            )
            continue
        # Sorted by date, the nearest other session is a neighbour (linear for long plans).
        neighbours = [mine[j].date for j in (i - 1, i + 1) if 0 <= j < len(mine)]
        if not neighbours:
            continue
        nearest = min(abs((session.date - d).days) for d in neighbours)
        if nearest > gap:
            out.append(
                _issue(
                    code,
                    session,
                    f"{session.describe()} is {nearest} days from the plan's nearest other "
                    "session",
                    "check the date's year and month, or move the session to its own plan",
                )
            )
    return out


#: A week's longest run is its long run when it is this much longer than every other run.
LONG_RUN_MARGIN = 1.1


def _is_long_run(long: Facts, week: Week) -> bool:
    """Whether the week's longest run is a long run: tagged or named so, the week's only run,
    or clearly longer than the week's other runs."""
    session = long.session
    if "long" in _tags(session) or "long" in session.name.lower():
        return True
    others = [f.seconds for f in week.facts if f is not long and not f.race]
    return not others or long.seconds > max(others) * LONG_RUN_MARGIN


def _long_run_growth(line: _Timeline, settings: Settings) -> list[Issue]:
    code = "long-run-growth"
    if not settings.enabled(code):
        return []
    rise_max = settings.number(code, "max_increase")
    minutes_max = settings.number(code, "max_minutes")
    span = max(1, int(settings.number(code, "weeks")))
    longest: list[Facts | None] = [
        max((f for f in week.facts if not f.race), key=lambda f: f.seconds, default=None)
        for week in line.weeks
    ]
    out: list[Issue] = []
    for i, long in enumerate(longest):
        before = [f for f in longest[max(0, i - span) : i] if f is not None]
        if long is None or not before or long.session.source_file not in line.reported:
            continue
        if not _is_long_run(long, line.weeks[i]):
            continue  # a week of equal runs has no long run (the weekly load judges it)
        recent = max(before, key=lambda f: f.seconds)
        rise = long.seconds - recent.seconds
        share = rise / recent.seconds if recent.seconds > 0 else 0.0
        # Within either limit is gradual: +20 min is a big share of a short long run and +25% a
        # lot of minutes on a long one, and coaches allow whichever is larger.
        if rise <= 0 or share <= rise_max + 1e-9 or rise <= minutes_max + 0.5:
            continue
        limit = max(recent.seconds * (1 + rise_max), recent.seconds + minutes_max)
        out.append(
            _issue(
                code,
                long.session,
                f"the long run {long.session.describe()} ({format_clock(long.seconds)}) is "
                f"{format_clock(rise)} ({share:.0%}) longer than the longest run of the weeks "
                f"before ({recent.session.describe()}, {format_clock(recent.seconds)}; at most "
                f"+{rise_max:.0%} or +{format_duration(minutes_max)}, whichever is more)",
                f"keep it under about {format_clock(limit)} and build over more weeks",
                line.weeks[i].label,
            )
        )
    return out


def _taper(line: _Timeline, settings: Settings) -> list[Issue]:
    code = "taper"
    out: list[Issue] = []
    if not settings.enabled(code) or not line.weeks:
        return out
    drop = settings.number(code, "min_drop")
    most = settings.number(code, "max_race_week")
    by, units = line.by, line.units
    anchor = line.weeks[0].start - dt.timedelta(days=7 * line.weeks[0].index)
    by_index = {w.index: w for w in line.weeks}
    for race in (f for f in line.facts if is_goal_race(f)):
        if race.session.source_file not in line.reported:
            continue
        index = (race.session.date - anchor).days // 7
        before = [by_index[i] for i in range(index - 8, index) if i in by_index]
        if sum(1 for w in before if w.load > 0) < 3:
            continue
        peak = max(reversed(before[-4:]), key=lambda w: w.load)  # the latest of the heaviest
        problems: list[str] = []
        taper = [w for w in before if w.index > peak.index]
        if not taper:
            problems.append(
                f"the week before the race week is the heaviest ({_amount(peak.load, by, units)})"
            )
        elif taper[-1].load > peak.load * (1 - drop) + 1:
            problems.append(
                f"the week before the race week ({_amount(taper[-1].load, by, units)}) is less "
                f"than {drop:.0%} under the peak ({_amount(peak.load, by, units)})"
            )
        for a, b in pairwise([peak, *taper]):
            if b.load > a.load + 1:
                problems.append(
                    f"the taper rises again in the {b.label} ({_amount(a.load, by, units)} → "
                    f"{_amount(b.load, by, units)})"
                )
        race_week = [
            f
            for f in by_index[index].facts
            if f.session.date < race.session.date and f is not race
        ]
        load = sum(f.metres if by == "distance" else f.seconds for f in race_week)
        if load > peak.load * most + 1:
            problems.append(
                f"the race week runs {_amount(load, by, units)} before the race, more than "
                f"{most:.0%} of the peak ({_amount(peak.load, by, units)})"
            )
        if problems:
            out.append(
                _issue(
                    code,
                    race.session,
                    f"no taper before the {race.race} race {race.session.describe()}: "
                    + "; ".join(problems),
                    f"peak 2-3 weeks out, then cut the volume step by step to under "
                    f"{_amount(peak.load * most, by, units)} in the race week",
                )
            )
    return out


def _race_week(line: _Timeline, settings: Settings) -> list[Issue]:
    code = "race-week"
    out: list[Issue] = []
    if not settings.enabled(code):
        return out
    long_days = settings.number(code, "long_days")
    hard_days = settings.number(code, "hard_days")
    for race in (f for f in line.facts if is_goal_race(f)):
        for f in line.facts:
            gap = (race.session.date - f.session.date).days
            if f is race or not f.is_run or gap < 1 or f.session.source_file not in line.reported:
                continue
            if gap <= hard_days and is_quality(f, settings):
                what = f"a hard session {gap} day{'s' if gap != 1 else ''}"
            elif gap <= long_days and is_long_run(f.session):
                what = f"a long run {gap} day{'s' if gap != 1 else ''}"
            else:
                continue
            out.append(
                _issue(
                    code,
                    f.session,
                    f"{what} before the {race.race} race {race.session.describe()}",
                    "make it a short easy run; keep the last quality session at least "
                    f"{int(hard_days) + 1} days and the last long run {int(long_days) + 1} days "
                    "before the race",
                )
            )
    return out


#: The week and block rules, one function per rule code, in the order their warnings are listed.
WEEK_RULES: dict[str, Callable[[_Timeline, Settings], list[Issue]]] = {
    "easy-share": _easy_share,
    "quality-spacing": _quality_spacing,
    "weekly-load": _weekly_load,
    "down-week": _down_week,
    "race-recovery": _race_recovery,
    "duplicate-session": _duplicate_session,
    "session-dates": _session_dates,
    "long-run-growth": _long_run_growth,
    "taper": _taper,
    "race-week": _race_week,
}


def week_issues(
    facts: Sequence[Facts],
    settings: Settings,
    anchor: dt.date,
    reported: set[str],
    units: Units,
    actual: str | None = None,
    start: dt.date | None = None,
) -> list[Issue]:
    """The week and block rules over one athlete's timeline; issues only for `reported` files.
    `actual` names where completed activities among `facts` came from; `start` is the plan's."""
    by = settings.text("weekly-load", "by")
    line = _Timeline(facts, _weeks(facts, anchor, by), reported, units, by, actual, start)
    return [issue for rule in WEEK_RULES.values() for issue in rule(line, settings)]
