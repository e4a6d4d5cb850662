"""Per-athlete adjustments in coach mode: a volume scale, and days the athlete cannot train.

A coach writes one block for a squad; the runners differ in how much easy running they can
take and on which days they can run. Two adjustments coaches make by hand (issue 19), applied
to one athlete's compiled plan before the coaching checks run, so the checks judge what that
athlete will really be given:

- **`scale = 0.85`** shortens (or, above 1, lengthens) the easy volume: in easy and long
  sessions (a session tagged `long`, or one the `quality-spacing` rule does not count as
  quality), each top-level step at easy effort that ends on a time or a distance is scaled and
  rounded to what a person would write (a minute, 100 m or 0.1 mi). What makes a session work
  is kept as written: a long run's fast finish, strides and their jogs (inside repeats),
  intervals, tempo sessions, progression runs (`progression = {...}`, whose stages and easy
  share are the session) and races.
- **`rest_days = ["wed"]`** moves a session planned on one of those weekdays to the nearest
  allowed day (a day later first, then a day earlier, up to three days away), onto a free
  day where there is one (an easy run may double up with another easy run), never before the
  plan's first day, never so that a quality session or a long run shares a day, and never so
  that a quality session sits next to another quality day (counting sessions still waiting to
  move, which may stay). Races do not move. A session that cannot be placed stays where it
  was, with a warning. All of an athlete's plan files are adjusted together.

Each change is reported as a note (severity `note`, code `rest-day` or `scale`), which `check`,
`plan`, `show` and `push` print so the coach sees what moved; a note is not a warning, so it
neither fails `--strict` nor makes a quiet cron line talk. The module is pure: sessions in,
adjusted sessions and notes out (`adjust_sessions`), or an athlete's compiled plans in and out
(`adjust_plans`, which loading calls in coach mode).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from .errors import Issue, Location
from .model import Block, End, Session, Step
from .units import format_clock

if TYPE_CHECKING:
    from .plan import Compiled

#: How far (in days) a session on a rest day may move, in the order the days are tried.
MOVE_ORDER = (1, -1, 2, -2, 3, -3)
#: What a scale may be: below this the session is no longer the coach's session.
SCALE_RANGE = (0.3, 1.5)
MILE = 1609.344


@dataclass(frozen=True)
class Adjustments:
    """One athlete's adjustments: `scale` for easy volume, `rest_days` as weekdays (Mon = 0)."""

    scale: float = 1.0
    rest_days: frozenset[int] = frozenset()

    @property
    def active(self) -> bool:
        return self.scale != 1.0 or bool(self.rest_days)


def _rounded(end: End, factor: float, units: str) -> End:
    value = (end.value or 0.0) * factor
    if end.kind == "time":
        step = 60.0 if value >= 300 else 10.0
    elif units == "mi":
        step = MILE / 10 if value >= MILE / 2 else 10.0
    else:
        step = 100.0 if value >= 1000 else 10.0
    # Half up, as a person rounds (Python's round() would take 22.5 min to 22 and 40.5 to 40).
    return replace(end, value=max(step, math.floor(value / step + 0.5) * step))


def scale_steps(
    blocks: tuple[Block, ...], factor: float, units: str, easy: Any
) -> tuple[tuple[Block, ...], bool]:
    """Top-level easy time/distance steps scaled by `factor`; (steps, whether any changed)."""
    out: list[Block] = []
    changed = False
    for block in blocks:
        if (
            isinstance(block, Step)
            and block.kind != "rest"
            and block.end.kind in ("time", "distance")
            and easy(block)
        ):
            end = _rounded(block.end, factor, units)
            changed = changed or end != block.end
            out.append(replace(block, end=end))
        else:
            out.append(block)
    return tuple(out), changed


def _when(day: dt.date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _where(session: Session) -> Location | None:
    return Location(session.source_file, session.source_line) if session.source_file else None


def _is_long(session: Session) -> bool:
    return "long" in {t.lower() for t in session.tags}


@dataclass(frozen=True)
class Judge:
    """What the caller knows about sessions, so this module keeps no second copy of the checks'
    rules or of the step-length estimate: `quality(session)`, `race(session)`,
    `easy_step(session, step)` and `estimate(session, steps) -> (seconds, metres)`."""

    quality: Any
    race: Any
    easy_step: Any
    estimate: Any


def adjust_sessions(
    sessions: Sequence[Session],
    adjustments: Adjustments,
    *,
    who: str,
    judge: Judge,
    start: dt.date | None = None,
) -> tuple[tuple[Session, ...], tuple[Issue, ...]]:
    """Apply one athlete's adjustments to all the sessions of their plans (all files at once,
    so a session moved in one plan never lands beside another plan's quality day)."""
    notes: list[Issue] = []
    out = list(sessions)
    if adjustments.scale != 1.0:
        scaled = []
        for i, session in enumerate(out):
            # Progression runs keep their shape (stages and easy share) as the plan wrote them.
            if session.progression is not None or judge.race(session):
                continue
            if not (_is_long(session) or not judge.quality(session)):
                continue
            steps, changed = scale_steps(
                session.steps,
                adjustments.scale,
                session.units,
                lambda step, session=session: judge.easy_step(session, step),
            )
            if not changed:
                continue
            seconds, metres = judge.estimate(session, steps)
            out[i] = replace(
                session, steps=steps, estimated_duration_s=seconds, estimated_distance_m=metres
            )
            scaled.append(
                f"'{session.name}' {_when(session.date)} "
                f"{format_clock(session.estimated_duration_s)} → {format_clock(seconds)}"
            )
        if scaled:
            notes.append(
                Issue(
                    f"{who}: easy volume × {adjustments.scale:g} in {len(scaled)} session(s): "
                    + ", ".join(scaled),
                    _where(sessions[0]),
                    code="scale",
                    severity="note",
                )
            )
    if adjustments.rest_days:
        first = min([s.date for s in out] + ([start] if start else []), default=None)
        out, moved = _move_off_rest_days(out, adjustments.rest_days, who, judge, first)
        notes.extend(moved)
    out.sort(key=lambda s: (s.date, s.slot))
    return tuple(out), tuple(notes)


def _move_off_rest_days(
    sessions: list[Session],
    rest: frozenset[int],
    who: str,
    judge: Judge,
    first_day: dt.date | None,
) -> tuple[list[Session], list[Issue]]:
    notes: list[Issue] = []
    placed: dict[dt.date, list[Session]] = {}
    doomed = []
    for session in sorted(sessions, key=lambda s: (s.date, s.slot)):
        if session.date.weekday() in rest:
            doomed.append(session)
        else:
            placed.setdefault(session.date, []).append(session)
    quality = {id(s): bool(judge.quality(s)) for s in sessions}
    #: Sessions that need a day of their own: quality sessions and long runs.
    solo = {id(s): quality[id(s)] or _is_long(s) for s in sessions}
    waiting = list(doomed)  # still on their rest day: they may stay there, so they count

    def quality_near(day: dt.date, session: Session) -> bool:
        days = {day + dt.timedelta(days=offset) for offset in (-1, 0, 1)}
        near = [s for d in days for s in placed.get(d, [])]
        near += [s for s in waiting if s is not session and s.date in days]
        return any(quality[id(s)] for s in near)

    for session in doomed:
        if judge.race(session):
            target = None
            why = "a race does not move"
        else:
            target = _nearest_day(session, rest, placed, quality, solo, quality_near, first_day)
            why = (
                "no day within three days is free to take it (rest days, days before the "
                "plan, days that hold another run it cannot share, or a quality session on or "
                "next to that day)"
            )
        waiting.remove(session)
        day_name = f"{session.date:%A}"
        if target is None:
            placed.setdefault(session.date, []).append(session)
            notes.append(
                Issue(
                    f"{who}: '{session.name}' stays on {_when(session.date)}, {who}'s rest "
                    f"day: {why}",
                    _where(session),
                    "move it in the plan, or change this athlete's rest_days",
                    code="rest-day",
                    severity="warning",
                )
            )
            continue
        slot = max((s.slot for s in placed.get(target, [])), default=-1) + 1
        moved = replace(session, date=target, slot=slot)
        quality[id(moved)], solo[id(moved)] = quality[id(session)], solo[id(session)]
        placed.setdefault(target, []).append(moved)
        notes.append(
            Issue(
                f"{who}: '{session.name}' moved from {_when(session.date)} to {_when(target)} "
                f"({day_name} is {who}'s rest day)",
                _where(session),
                code="rest-day",
                severity="note",
            )
        )
    return [s for day in sorted(placed) for s in placed[day]], notes


def _nearest_day(
    session: Session,
    rest: frozenset[int],
    placed: Mapping[dt.date, list[Session]],
    quality: Mapping[int, bool],
    solo: Mapping[int, bool],
    quality_near: Any,
    first_day: dt.date | None,
) -> dt.date | None:
    """Where a session on a rest day goes: the nearest allowed day, preferring (in this order)
    a day of the same Monday–Sunday week (the week's volume is what the coach planned), a
    free day over doubling up with another easy run, nearer over farther, later over earlier.
    A quality session or a long run needs a day of its own, and a quality session never sits
    next to a quality day; nothing moves before the plan's first day."""
    week = session.date.isocalendar()[:2]
    options = []
    for offset in MOVE_ORDER:
        day = session.date + dt.timedelta(days=offset)
        here = placed.get(day, [])
        if day.weekday() in rest or (first_day is not None and day < first_day):
            continue
        if solo[id(session)] and here:
            continue
        if quality[id(session)] and quality_near(day, session):
            continue
        if any(solo[id(s)] for s in here):
            continue
        options.append((day.isocalendar()[:2] != week, bool(here), MOVE_ORDER.index(offset), day))
    return min(options)[3] if options else None


def parse_adjustments(table: Mapping[str, Any]) -> Adjustments:
    """`scale` and `rest_days` of an `[athletes.NAME]` table (already validated)."""
    from .plan import DAY_NAMES

    scale = table.get("scale", 1.0)
    days = table.get("rest_days") or []
    if isinstance(days, str):
        days = [days]
    return Adjustments(float(scale), frozenset(DAY_NAMES[str(d).lower()] for d in days))


def adjustment_problems(name: str, table: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(message, hint) for each bad `scale` or `rest_days` of `[athletes.NAME]`."""
    from .plan import DAY_NAMES

    problems = []
    if "scale" in table:
        scale = table["scale"]
        low, high = SCALE_RANGE
        if isinstance(scale, bool) or not isinstance(scale, int | float):
            problems.append(
                (f"[athletes.{name}] scale = {scale!r} is not a number", "e.g. scale = 0.85")
            )
        elif not low <= scale <= high:
            problems.append(
                (
                    f"[athletes.{name}] scale = {scale:g} is outside {low:g}–{high:g}",
                    "scale shortens easy volume, e.g. scale = 0.85 for 85%",
                )
            )
    if "rest_days" in table:
        days = table["rest_days"]
        if isinstance(days, str):
            days = [days]
        if not isinstance(days, list) or not all(
            isinstance(d, str) and d.lower() in DAY_NAMES for d in days
        ):
            problems.append(
                (
                    f"[athletes.{name}] rest_days = {table['rest_days']!r} is not a list of days",
                    'e.g. rest_days = ["wed"] (days are mon, tue, wed, thu, fri, sat, sun)',
                )
            )
        elif len({DAY_NAMES[d.lower()] for d in days}) >= 6:
            problems.append(
                (
                    f"[athletes.{name}] rest_days leaves fewer than two days to train",
                    "list the days the athlete cannot train, at most five",
                )
            )
    return problems


def adjust_plans(
    compiled: list[Compiled],
    table: Mapping[str, Any],
    checks: Mapping[str, Any],
    who: str,
) -> list[Compiled]:
    """One athlete's plans with their `scale` and `rest_days` (`table`) applied, all files at
    once so a move never lands beside another plan's quality day. `checks` is the config's
    `[checks]`, merged with each plan's own to tell quality sessions from easy ones."""
    from .checks import merge_tables
    from .facts import is_easy, is_quality, race_distance, session_facts
    from .plan import estimate
    from .rules import parse_settings

    adjustments = parse_adjustments(table)
    if not adjustments.active or not compiled:
        return compiled
    settings = {id(c): parse_settings(merge_tables(checks, c.checks)) for c in compiled}
    by_file = {f: i for i, c in enumerate(compiled) for f in c.plan.source_files}

    def plan_of(session: Session) -> Compiled:
        """The plan a session (or an adjusted copy of it) came from, by its source file."""
        return compiled[by_file.get(session.source_file or "", 0)]

    def quality(session: Session) -> bool:
        c = plan_of(session)
        return is_quality(session_facts(session, c.profile), settings[id(c)])

    judge = Judge(
        quality=quality,
        race=lambda s: race_distance(s) is not None,
        easy_step=lambda s, step: is_easy(step, plan_of(s).profile) is True,
        estimate=lambda s, steps: estimate(steps, plan_of(s).profile),
    )
    starts = [c.plan.start for c in compiled if c.plan.start is not None]
    everything = [s for c in compiled for s in c.plan.sessions]
    sessions, notes = adjust_sessions(
        everything, adjustments, who=who, judge=judge, start=min(starts) if starts else None
    )
    # Back to their plans: a moved or scaled session is a copy, found by its source file.
    mine: list[list[Session]] = [[] for _ in compiled]
    for session in sessions:
        mine[by_file.get(session.source_file or "", 0)].append(session)
    out = [
        replace(c, plan=replace(c.plan, sessions=tuple(mine[i]))) for i, c in enumerate(compiled)
    ]
    out[0] = replace(out[0], notes=(*out[0].notes, *notes))
    return out
