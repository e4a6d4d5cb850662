"""What the coaching rules know about a session, an activity, a race: the per-session facts.

`session_facts` reads a compiled session once into `Facts` (its length, its easy and hard time,
its progression shape, whether it is a race and of which distance) and `activity_facts` does the
same for completed activities, so the session rules (`checks.py`), the week rules (`weeks.py`),
review, the report, the coach's adjustments and the generators all judge the same numbers. The
small helpers that word a rule's finding (`_issue`, `_pace`, …) live here too, shared by both
rule modules. Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import TYPE_CHECKING

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
from .records import record
from .rules import Settings
from .units import Units, format_pace, parse_pace

if TYPE_CHECKING:
    from .activity import Activity

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
@record
class Segment:
    """Consecutive steps at one target: `index` is the 1-based position of its first step."""

    index: int
    seconds: float
    pace: float | None
    text: str


@record
class Shape:
    """A progression run as its parts: the easy opening, the faster stages, any breaks."""

    opening: Segment
    stages: tuple[Segment, ...]
    breaks: tuple[Segment, ...]
    seconds: float


@record
class Facts:
    """What the rules read about one session: its time, distance, effort split and shape."""

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


def is_quality(facts: Facts, settings: Settings) -> bool:
    tags = _tags(facts.session)
    if tags & QUALITY_TAGS or facts.shape is not None or facts.race:
        return True
    if tags & EASY_TAGS:
        return False
    return facts.hard_seconds + 0.5 >= settings.number("quality-spacing", "min_hard")


# -- races: the taper and the final days (issue 29) -------------------------------------------------
def is_goal_race(facts: Facts) -> bool:
    """A race the taper rules judge: tagged goal, or a half marathon or marathon."""
    return facts.race is not None and (
        "goal" in _tags(facts.session) or facts.race in ("half", "marathon")
    )


def is_long_run(session: Session) -> bool:
    return "long" in _tags(session) or "long run" in session.name.lower()
