"""Coaching checks: what a good progression run and a good training week look like.

Each rule of `rules.RULES` is one function here, registered under its code in `SESSION_RULES`
(one session at a time) or `WEEK_RULES` (a timeline of weeks), and reported as a warning
`Issue` whose code is the rule's name, with the numbers that tripped it and a suggestion. Pure: the plans (with the
profiles they were compiled with) come in, issues go out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .effort import step_seconds
from .errors import Issue, Location
from .model import (
    CadenceTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RpeTarget,
    Session,
    Step,
    flatten,
)
from .profile import Profile, canonical_pace_name
from .rules import Settings, parse_settings
from .units import Units, format_clock, format_distance, format_duration, format_pace, parse_pace

if TYPE_CHECKING:
    from .activity import Activity
    from .plan import Compiled

QUALITY_TAGS = frozenset(
    {
        "quality",
        "progression",
        "tempo",
        "threshold",
        "intervals",
        "interval",
        "hills",
        "fartlek",
        "race",
        "workout",
    }
)
EASY_TAGS = frozenset({"easy", "recovery"})
RACE_DISTANCES = (("marathon", 30000.0), ("half", 15000.0), ("10k", 8000.0), ("5k", 0.0))
#: Steps slower than this (s/km) inside a progression are walking, not running.
WALK_PACE = 480.0
#: A run needs this much faster pace at the end to count as a progression when it is not declared.
MIN_BUILD = 10.0


# -- per-session facts -----------------------------------------------------------------------
@dataclass(frozen=True)
class Segment:
    """Consecutive steps at one target: `index` is the 1-based position of its first step."""

    index: int
    seconds: float
    pace: float | None
    text: str


@dataclass(frozen=True)
class Shape:
    """A progression run as its parts: the easy opening, the faster stages, any breaks."""

    opening: Segment
    stages: tuple[Segment, ...]
    breaks: tuple[Segment, ...]
    seconds: float


@dataclass(frozen=True)
class Facts:
    session: Session
    profile: Profile
    seconds: float
    metres: float
    easy_seconds: float
    run_seconds: float
    hard_seconds: float
    shape: Shape | None
    race: str | None

    @property
    def is_run(self) -> bool:
        return self.session.sport == "run"


def is_easy(step: Step, profile: Profile) -> bool | None:
    """Whether a step is at easy effort; None when the profile cannot tell."""
    target = step.target
    if isinstance(target, PaceTarget):
        easy = profile.paces.get("easy")
        if easy is None:
            return None
        return target.centre >= easy.fast - profile.pace_tolerance
    if isinstance(target, HeartRateZoneTarget | PowerZoneTarget):
        return target.zone <= 2
    if isinstance(target, HeartRateTarget):
        zone2 = profile.hr_zone(2)
        return None if zone2 is None else target.high <= zone2[1]
    if isinstance(target, PowerTarget):
        return None if not profile.ftp else target.high <= 0.75 * profile.ftp
    if isinstance(target, CadenceTarget):
        return None  # a cadence says how, not how hard
    if isinstance(target, RpeTarget):
        return target.value <= 4
    return True


def session_facts(session: Session, profile: Profile) -> Facts:
    easy = hard = run = 0.0
    for step in flatten(session.steps):
        if step.kind == "rest":
            continue
        seconds = step_seconds(step, profile)
        verdict = is_easy(step, profile)
        if verdict is None:
            continue
        run += seconds
        if verdict:
            easy += seconds
        else:
            hard += seconds
    return Facts(
        session=session,
        profile=profile,
        seconds=session.estimated_duration_s,
        metres=session.estimated_distance_m,
        easy_seconds=easy,
        run_seconds=run,
        hard_seconds=hard,
        shape=progression_shape(session, profile),
        race=race_distance(session),
    )


#: The `plan` of the sessions that stand for completed activities (`activity_facts`).
ACTUAL_PLAN = "actual activities"


def _lap_is_easy(
    seconds: float, metres: float | None, avg_hr: int | None, profile: Profile
) -> bool | None:
    """Whether a stretch of a completed run was easy: by its pace against the easy pace, else by
    its heart rate against zone 2; None when the profile cannot tell."""
    easy = profile.paces.get("easy")
    if easy is not None and metres and seconds > 0:
        return seconds / (metres / 1000) >= easy.fast - profile.pace_tolerance
    zone2 = profile.hr_zone(2)
    if avg_hr is not None and zone2 is not None:
        return avg_hr <= zone2[1]
    return None


def activity_facts(activities: Iterable[Activity], profile: Profile) -> list[Facts]:
    """What the week rules need of completed activities (`check --history-from`): the time
    and distance actually run, and how much of it was easy (lap by lap, by pace or heart rate).

    Each activity stands in as a session of the plan `ACTUAL_PLAN` without steps, from no
    file (so nothing is ever reported on it); races are not recognised in activities.
    """
    out = []
    for activity in sorted(activities, key=lambda a: a.start):
        parts = [(lap.seconds, lap.metres, lap.avg_hr) for lap in activity.laps if lap.seconds > 0]
        if not parts:
            parts = [(activity.seconds, activity.metres, activity.avg_hr)]
        easy = hard = run = 0.0
        for seconds, metres, avg_hr in parts:
            verdict = _lap_is_easy(seconds, metres, avg_hr, profile)
            if verdict is None:
                continue
            run += seconds
            if verdict:
                easy += seconds
            else:
                hard += seconds
        session = Session(
            plan=ACTUAL_PLAN,
            date=activity.date,
            name=activity.name or activity.workout_name or f"{activity.sport} ({activity.source})",
            sport=activity.sport,
            steps=(),
            tags=("actual",),
            estimated_duration_s=activity.seconds,
            estimated_distance_m=activity.metres or 0.0,
        )
        out.append(
            Facts(
                session,
                profile,
                activity.seconds,
                activity.metres or 0.0,
                easy,
                run,
                hard,
                None,
                None,
            )
        )
    return out


def _tags(session: Session) -> set[str]:
    return {t.lower() for t in session.tags}


def race_distance(session: Session) -> str | None:
    """`marathon`, `half`, `10k` or `5k` for a race session, else None."""
    tags = _tags(session)
    words = session.name.lower().replace(",", " ").split()
    if "race" not in tags and "race" not in words and "parkrun" not in words:
        return None
    if "parkrun" in words:
        return "5k"
    for name, _ in RACE_DISTANCES:
        if name in tags:
            return name
    for name, _ in RACE_DISTANCES:  # "10k race": the name says it before the warm-up counts
        if name in words:
            return name
    for name, metres in RACE_DISTANCES:
        if session.estimated_distance_m >= metres:
            return name
    return "5k"


def is_declared_progression(session: Session) -> bool:
    return (
        session.progression is not None
        or "progression" in _tags(session)
        or "progression" in session.name.lower()
    )


def progression_shape(session: Session, profile: Profile) -> Shape | None:
    """The opening, stages and breaks of a progression run; None when it is not one."""
    declared = is_declared_progression(session)
    if not declared and any(isinstance(b, Repeat) for b in session.steps):
        return None
    if session.sport != "run":
        return None
    steps = flatten(session.steps)
    while steps and steps[-1].kind == "cooldown":
        steps.pop()
    segments: list[Segment] = []
    breaks: list[Segment] = []
    pending: list[Segment] = []
    for number, step in enumerate(steps, start=1):
        seconds = step_seconds(step, profile)
        pace = step.target.centre if isinstance(step.target, PaceTarget) else None
        text = step.source or step.kind
        if step.kind in ("rest", "recover") or (pace is not None and pace >= WALK_PACE):
            if segments:
                pending.append(Segment(number, seconds, pace, text))
            continue
        last = segments[-1] if segments else None
        if (
            last is not None
            and not pending
            and (
                (pace is None and last.pace is None)
                or (pace is not None and last.pace is not None and abs(pace - last.pace) < 1)
            )
        ):
            segments[-1] = Segment(last.index, last.seconds + seconds, last.pace, last.text)
            continue
        breaks.extend(pending)
        pending = []
        segments.append(Segment(number, seconds, pace, text))
    if not segments:
        return None
    opening, rest = segments[0], segments[1:]
    if opening.pace is not None:
        while rest and rest[-1].pace is not None and rest[-1].pace >= opening.pace - 5:
            rest.pop()
    if not declared:
        paces = [s.pace for s in rest]
        if len(rest) < 2 or any(p is None for p in paces):
            return None
        known = [p for p in paces if p is not None]
        start = opening.pace if opening.pace is not None else known[0]
        faster = sum(1 for a, b in pairwise(known) if b < a)
        slower = sum(1 for a, b in pairwise(known) if b > a)
        if known[-1] != min(known) or start - known[-1] < MIN_BUILD or faster <= slower:
            return None
    last_index = rest[-1].index if rest else opening.index
    inside = tuple(b for b in breaks if b.index < last_index)
    seconds = sum(s.seconds for s in (opening, *rest)) + sum(b.seconds for b in inside)
    return Shape(opening=opening, stages=tuple(rest), breaks=inside, seconds=seconds)


# -- reporting --------------------------------------------------------------------------------
def _where(session: Session) -> Location:
    return Location(session.source_file or session.plan, session.source_line)


def _issue(
    code: str, session: Session, message: str, hint: str, context: str | None = None
) -> Issue:
    return Issue(
        message,
        _where(session),
        f"{hint} (progsync explain {code})",
        context or f"session {session.describe()}",
        code,
        severity="warning",
    )


def _pace(seconds_per_km: float, units: Units) -> str:
    return format_pace(seconds_per_km, units)


def _delta(seconds_per_km: float, units: Units) -> str:
    per_unit = seconds_per_km * (1.609344 if units == "mi" else 1.0)
    return f"{round(per_unit)} s/{units}"


def _limit_pace(limit: str, profile: Profile, units: Units) -> tuple[float, str] | None:
    if ":" in limit:
        return parse_pace(limit, units), limit
    name = canonical_pace_name(limit)
    if name is None or name not in profile.paces:
        return None
    return profile.paces[name].centre, name


@dataclass(frozen=True)
class _Run:
    """What the progression rules look at in one session."""

    session: Session
    shape: Shape
    profile: Profile

    @property
    def units(self) -> Units:
        return self.session.units

    @property
    def stages(self) -> tuple[Segment, ...]:
        return tuple(self.shape.stages)

    @property
    def final(self) -> Segment | None:
        return self.shape.stages[-1] if self.shape.stages else None


def _progression_continuous(run: _Run, settings: Settings) -> list[Issue]:
    session, shape = run.session, run.shape
    out: list[Issue] = []
    code = "progression-continuous"
    if settings.enabled(code) and shape.breaks:
        stops = ", ".join(f"step {b.index} '{b.text}'" for b in shape.breaks[:3])
        out.append(
            _issue(
                code,
                session,
                f"the progression stops inside the build: {stops}",
                "run the stages back to back; keep easy running for the warm-up and cool-down, "
                "or make it an interval session",
            )
        )
    return out


def _progression_gradual(run: _Run, settings: Settings) -> list[Issue]:
    session, units, stages = run.session, run.units, run.stages
    out: list[Issue] = []
    code = "progression-gradual"
    if settings.enabled(code) and len(stages) >= 2:
        limit = settings.number(code, "max_jump")
        slower: list[str] = []
        jumps: list[str] = []
        for k, (a, b) in enumerate(pairwise(stages), start=2):
            if a.pace is None or b.pace is None:
                continue
            step = a.pace - b.pace
            if step < 0:
                slower.append(f"stage {k} ({_pace(b.pace, units)}) after {_pace(a.pace, units)}")
            elif step > limit + 0.5:
                jumps.append(
                    f"stage {k} jumps {_delta(step, units)} "
                    f"({format_pace(a.pace, units, suffix=False)} → {_pace(b.pace, units)})"
                )
        if slower:
            out.append(
                _issue(
                    code,
                    session,
                    "the progression slows down: " + "; ".join(slower),
                    "order the stages from slowest to fastest",
                )
            )
        if jumps:
            out.append(
                _issue(
                    code,
                    session,
                    "; ".join(jumps) + f" (at most {_delta(limit, units)} between stages)",
                    (
                        f"use stages = {_stages_for(session, limit, run.profile)} "
                        "or a closer starting pace"
                        if session.progression
                        else "add a stage in between or bring the paces closer"
                    ),
                )
            )
    return out


def _progression_patient_start(run: _Run, settings: Settings) -> list[Issue]:
    session, units, stages, final, shape = run.session, run.units, run.stages, run.final, run.shape
    out: list[Issue] = []
    code = "progression-patient-start"
    if settings.enabled(code) and stages:
        shortest = settings.number(code, "min_opening")
        gap = settings.number(code, "min_gap")
        opening = shape.opening
        if opening.seconds + 0.5 < shortest:
            out.append(
                _issue(
                    code,
                    session,
                    f"the easy opening lasts {format_duration(opening.seconds)}, "
                    f"less than {format_duration(shortest)}",
                    f"start with at least {format_duration(shortest)} easy before the first stage",
                )
            )
        if (
            final is not None
            and final.pace is not None
            and opening.pace is not None
            and opening.pace - final.pace < gap - 0.5
        ):
            out.append(
                _issue(
                    code,
                    session,
                    f"the run opens at {_pace(opening.pace, units)}, within "
                    f"{_delta(opening.pace - final.pace, units)} of the final "
                    f"{_pace(final.pace, units)}",
                    "open at easy pace and let the stages do the building",
                )
            )
    return out


def _progression_controlled_finish(run: _Run, settings: Settings) -> list[Issue]:
    session, units, final = run.session, run.units, run.final
    out: list[Issue] = []
    code = "progression-controlled-finish"
    if settings.enabled(code) and final is not None and final.pace is not None:
        found = _limit_pace(settings.text(code, "limit"), run.profile, units)
        if found is not None and final.pace < found[0] - 2:
            limit_pace, label = found
            out.append(
                _issue(
                    code,
                    session,
                    f"the last stage ({_pace(final.pace, units)}) is faster than "
                    f"{label} pace ({_pace(limit_pace, units)})",
                    f"finish at {label} pace or slower: strong, not all-out",
                )
            )
    return out


def _progression_stage_length(run: _Run, settings: Settings) -> list[Issue]:
    session, stages = run.session, run.stages
    out: list[Issue] = []
    code = "progression-stage-length"
    if settings.enabled(code) and stages:
        lo = settings.number(code, "min_stage")
        hi = settings.number(code, "max_stage")
        wrong = [
            f"stage {k} lasts {format_duration(s.seconds)}"
            for k, s in enumerate(stages, start=1)
            if s.seconds and (s.seconds + 0.5 < lo or s.seconds - 0.5 > hi)
        ]
        if wrong:
            out.append(
                _issue(
                    code,
                    session,
                    "; ".join(wrong)
                    + f" (stages last {format_duration(lo)} to {format_duration(hi)})",
                    "change the number of stages or the length of the run",
                )
            )
    return out


def _progression_size(run: _Run, settings: Settings) -> list[Issue]:
    session, shape = run.session, run.shape
    out: list[Issue] = []
    code = "progression-size"
    if settings.enabled(code):
        lo = settings.number(code, "min_total")
        hi = settings.number(code, "max_total")
        if shape.seconds and (shape.seconds + 0.5 < lo or shape.seconds - 0.5 > hi):
            out.append(
                _issue(
                    code,
                    session,
                    f"the progression lasts {format_duration(shape.seconds)} "
                    f"(warm-up to last stage); a progression run lasts "
                    f"{format_duration(lo)} to {format_duration(hi)}",
                    "make it shorter, or a long run with a fast finish"
                    if shape.seconds > hi
                    else "make it longer, or run it as a tempo",
                )
            )
    return out


#: The session rules, one function per rule code, in the order their warnings are listed.
SESSION_RULES: dict[str, Callable[[_Run, Settings], list[Issue]]] = {
    "progression-continuous": _progression_continuous,
    "progression-gradual": _progression_gradual,
    "progression-patient-start": _progression_patient_start,
    "progression-controlled-finish": _progression_controlled_finish,
    "progression-stage-length": _progression_stage_length,
    "progression-size": _progression_size,
}


def progression_issues(facts: Facts, settings: Settings) -> list[Issue]:
    """The progression rules for one session."""
    if facts.shape is None:
        return []
    run = _Run(facts.session, facts.shape, facts.profile)
    return [issue for rule in SESSION_RULES.values() for issue in rule(run, settings)]


def _stages_for(session: Session, limit: float, profile: Profile) -> int:
    info = session.progression
    if info is None:
        return 0
    start = _limit_pace(info.start, profile, session.units)
    finish = _limit_pace(info.to, profile, session.units)
    if start is None or finish is None:
        return info.stages + 1
    return stages_needed(start[0] - finish[0], limit)


def stages_needed(gap: float, max_jump: float) -> int:
    """Fewest stages that climb `gap` s/km in jumps of at most `max_jump`."""
    import math

    return max(1, math.ceil(gap / max_jump - 1e-9)) if max_jump > 0 else 1


def is_quality(facts: Facts, settings: Settings) -> bool:
    tags = _tags(facts.session)
    if tags & QUALITY_TAGS or facts.shape is not None or facts.race:
        return True
    if tags & EASY_TAGS:
        return False
    return facts.hard_seconds + 0.5 >= settings.number("quality-spacing", "min_hard")


# -- weeks ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Week:
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


@dataclass(frozen=True)
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


# -- the whole check ----------------------------------------------------------------------------
def merge_tables(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """`[checks]` tables, later ones winning: `disable` lists add up, rule tables merge."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if key == "disable":
                names = value if isinstance(value, list) else [value]
                out["disable"] = [*out.get("disable", []), *names]
            elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out


def run_checks(
    plans: Sequence[Compiled],
    config_table: Mapping[str, Any] | None = None,
    history: Sequence[Compiled] = (),
    actual: Sequence[Activity] = (),
    actual_source: str | None = None,
) -> list[Issue]:
    """Every coaching warning of `plans`; `history` sessions only inform the week rules.

    `actual`: completed activities of the weeks before (`check --history-from`), which inform
    the week rules as what was really run (their messages say so, naming `actual_source`).

    Plans with the same name are one athlete's timeline (a block split over files); history is
    added to every timeline. Warnings repeated by a session written once for many weeks are
    reported once, with the dates.
    """
    groups: dict[str, list[Compiled]] = {}
    for compiled in plans:
        groups.setdefault(compiled.plan.name, []).append(compiled)
    issues: list[Issue] = []
    history_facts = [session_facts(s, c.profile) for c in history for s in c.plan.sessions]
    for group in groups.values():
        settings = parse_settings(merge_tables(config_table, group[0].checks))
        facts = [session_facts(s, c.profile) for c in group for s in c.plan.sessions]
        issues.extend(_folded_progression_issues(facts, settings))
        reported = {c.plan.source_files[0] for c in group if c.plan.source_files}
        starts = [c.plan.start for c in group if c.plan.start is not None]
        actual_facts = activity_facts(actual, group[0].profile) if actual else []
        everything = [*actual_facts, *history_facts, *facts]
        if not everything:
            continue
        first = min(f.session.date for f in [*history_facts, *facts] or everything)
        anchor = min(starts) if starts else first - dt.timedelta(days=first.weekday())
        issues.extend(
            week_issues(
                everything,
                settings,
                anchor,
                reported,
                group[0].plan.units,
                actual_source,
                min(starts) if starts else None,
            )
        )
    return issues


def _folded_progression_issues(facts: Sequence[Facts], settings: Settings) -> list[Issue]:
    """The progression rules, once per rule and place when a session repeats over weeks."""
    found: dict[tuple[Any, ...], tuple[Issue, list[Session]]] = {}
    for f in facts:
        if not f.is_run:
            continue
        for issue in progression_issues(f, settings):
            loc = issue.location
            key = (issue.code, loc.file if loc else None, loc.line if loc else None, issue.message)
            found.setdefault(key, (issue, []))[1].append(f.session)
    out: list[Issue] = []
    for issue, sessions in found.values():
        if len(sessions) > 1:
            dates = ", ".join(s.date.isoformat() for s in sessions[:4])
            more = " …" if len(sessions) > 4 else ""
            context = f"session '{sessions[0].name}' ({len(sessions)} times: {dates}{more})"
            issue = replace(issue, context=context)
        out.append(issue)
    return out


# -- races: the taper and the final days (issue 29) -------------------------------------------------
def is_goal_race(facts: Facts) -> bool:
    """A race the taper rules judge: tagged goal, or a half marathon or marathon."""
    return facts.race is not None and (
        "goal" in _tags(facts.session) or facts.race in ("half", "marathon")
    )


def is_long_run(session: Session) -> bool:
    return "long" in _tags(session) or "long run" in session.name.lower()


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


WEEK_RULES.update({"taper": _taper, "race-week": _race_week})
