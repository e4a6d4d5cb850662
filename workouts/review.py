"""Planned against actual: align a completed activity's laps with a session's steps and judge them.

Pure: activities arrive already decoded (`Activity`, `Lap`; `workouts.activity` decodes FIT
activity files, `progsync.sync.services.activities` fetches them), so everything here is plain arithmetic over the compiled model.

A watch that runs a structured workout writes, for every lap, the index of the workout step it
belonged to (`lap.wkt_step_index`, the `message_index` of the `workout_step` message). progsync's
FIT encoder numbers the steps of a session in a fixed way (`workouts.fit.workout_steps`: repeats
are flat, followed by a repeat step), so the same numbering here maps every lap back to the
planned step it ran — through repeats, by counting occurrences. Activities without workout laps
(run by feel, or recorded by another app) are compared as a whole run, with their splits.

Matching (`match`) is by what was run, not only by name: every (session, activity) pair of the
same sport within `MOVE_DAYS` gets a cost from its evidence (the watch's workout has this
session's name — a FIT name cut to 16 bytes counts when it is a prefix — and/or its steps,
`WorkoutStep`, compared with the session's steps as `workouts.fit` encodes them) plus a day per
day moved, and pairs are taken cheapest first over the whole review window, so an activity is
matched at most once. docs/review.md describes the rules.

Units as in the model: seconds, metres, seconds per km, bpm.

Why this module is long: matching, lap alignment and judging (steps, whole runs, progressions,
weeks) share the planned-step numbering that maps a lap back to its step; they are kept
together so that numbering has one home.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .activity import REPEAT_STEP, Activity, Lap, WorkoutStep
from .facts import is_declared_progression, is_easy, progression_shape, session_facts
from .model import (
    Block,
    HeartRateTarget,
    HeartRateZoneTarget,
    PaceTarget,
    Repeat,
    Session,
    Step,
)
from .profile import Profile

WholeSplit = Literal["negative", "even", "positive"]

SessionStatus = Literal["done", "partial", "missed", "moved", "unplanned", "upcoming"]
StepStatus = Literal["done", "short", "long", "skipped", "open"]
PaceMark = Literal["in", "fast", "slow"]
HrMark = Literal["in", "high", "low"]

#: Slack on pace ranges, s/km: watch speeds are stored in mm/s, so a lap exactly on a range
#: boundary can read a second off.
PACE_SLACK = 1.0
#: A step is complete at this share of its planned time or distance (lap presses are not exact).
STEP_COMPLETE = 0.9
#: A step ran long beyond this share.
STEP_LONG = 1.15
#: A run without workout laps counts as done at this share of the planned duration.
RUN_COMPLETE = 0.85
#: An activity without the session's workout matches a session only within this duration ratio.
MATCH_RATIO = (0.5, 1.6)
#: How far (days) a session may have moved and still be recognised.
MOVE_DAYS = 3
#: Two laps at one step: the second is a new occurrence only once the first reached this share.
EXTRA_LAP_SHARE = 0.9
#: Halves within this many s/km of each other are an even split.
EVEN_SPLIT = 2.0
#: Bytes a watch keeps of a workout's name (FIT `wkt_name` is a 16-byte field): a name of at
#: most this size that is a prefix of the session's name was cut, and counts as the same name.
NAME_BYTES = 16
#: A FIT string holds at most this many bytes (`workouts.fit.MAX_STRING_BYTES`).
FIT_TEXT_BYTES = 100
#: Relative slack when comparing a step's planned time or distance with the watch's.
STEP_LENGTH_SLACK = 0.02
#: An activity outside the review window is claimed by a session inside it only when it ran
#: that session's workout, and at most this many days from it.
EDGE_DAYS = 2
#: Cost of each kind of evidence that an activity ran a session (lower is stronger); a day
#: moved costs `DAY_COST`. See `evidence`.
EVIDENCE_COST = {0: 0.0, 1: 0.5, 2: 1.0, 3: 2.0, 4: 3.5}
DAY_COST = 1.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedStep:
    """A step as run: `number` is its 1-based place in the unrolled session, `index` its FIT
    `message_index`, `rep` which time round a repeat (1-based) and `of` how many rounds."""

    number: int
    index: int
    step: Step
    rep: int | None = None
    of: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StepReview:
    planned: PlannedStep
    laps: tuple[Lap, ...]
    status: StepStatus
    seconds: float | None = None
    metres: float | None = None
    pace: float | None = None
    pace_mark: PaceMark | None = None
    pace_off: float | None = None
    avg_hr: int | None = None
    hr_mark: HrMark | None = None
    hr_off: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    number: int
    seconds: float
    metres: float | None
    pace: float | None
    avg_hr: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class WholeRun:
    """A run compared as a whole: its pace against the session's main target, and its splits."""

    pace_mark: PaceMark | None
    pace_off: float | None
    target: PaceTarget | None
    splits: tuple[Split, ...]
    spread: float | None
    second_half_faster: bool | None
    #: negative (second half faster), even (within EVEN_SPLIT s/km) or positive.
    split: WholeSplit | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class StageReview:
    name: str
    planned: PaceTarget | None
    pace: float | None
    run: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressionReview:
    """Whether a progression run was one: stages faster each time, a patient opening, a
    controlled finish (not faster than the planned top pace)."""

    opening: StageReview
    stages: tuple[StageReview, ...]
    each_faster: bool | None
    patient_opening: bool | None
    controlled_finish: bool | None
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionReview:
    session: Session | None
    activity: Activity | None
    status: SessionStatus
    method: Literal["workout", "whole-run", "none"]
    steps: tuple[StepReview, ...] = ()
    whole: WholeRun | None = None
    progression: ProgressionReview | None = None
    notes: tuple[str, ...] = ()

    @property
    def date(self) -> dt.date:
        if self.session is not None:
            return self.session.date
        assert self.activity is not None
        return self.activity.date


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekReview:
    start: dt.date
    planned_seconds: float
    planned_metres: float
    actual_seconds: float
    actual_metres: float
    planned_easy_share: float | None
    actual_easy_share: float | None
    counts: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Review:
    sessions: tuple[SessionReview, ...]
    weeks: tuple[WeekReview, ...]


# -- helpers ----------------------------------------------------------------------------------
def _pace(seconds: float, metres: float | None) -> float | None:
    if not metres or metres < 1 or seconds <= 0:
        return None
    return seconds / metres * 1000


def judge_pace(pace: float | None, target: object) -> tuple[PaceMark | None, float | None]:
    """`in`, `fast` or `slow` against a pace range, and by how many s/km (0 when in)."""
    if pace is None or not isinstance(target, PaceTarget):
        return None, None
    if pace < target.fast - PACE_SLACK:
        return "fast", round(target.fast - pace, 1)
    if pace > target.slow + PACE_SLACK:
        return "slow", round(pace - target.slow, 1)
    return "in", 0.0


def _hr_range(target: object, profile: Profile) -> tuple[int, int] | None:
    if isinstance(target, HeartRateTarget):
        return target.low, target.high
    if isinstance(target, HeartRateZoneTarget):
        if target.low is not None and target.high is not None:
            return target.low, target.high
        return profile.hr_zone(target.zone)
    return None


def judge_hr(hr: int | None, step: Step, profile: Profile) -> tuple[HrMark | None, int | None]:
    """`in`, `high` or `low` against the step's heart-rate target (main or secondary)."""
    if hr is None:
        return None, None
    bounds = _hr_range(step.target, profile) or _hr_range(step.secondary, profile)
    if bounds is None:
        return None, None
    low, high = bounds
    if hr > high:
        return "high", hr - high
    if hr < low:
        return "low", low - hr
    return "in", 0


def planned_steps(blocks: tuple[Block, ...]) -> list[PlannedStep]:
    """The steps as run, each with the FIT message index progsync's encoder gives it."""
    out: list[PlannedStep] = []
    counter = 0

    def number(items: tuple[Block, ...]) -> list[tuple[int, Step | tuple[int, list[object]]]]:
        nonlocal counter
        numbered: list[tuple[int, Step | tuple[int, list[object]]]] = []
        for block in items:
            if isinstance(block, Repeat):
                body = number(block.steps)
                numbered.append((counter, (block.count, list(body))))
                counter += 1  # the repeat step itself
            else:
                numbered.append((counter, block))
                counter += 1
        return numbered

    def unroll(items: Sequence[object], rep: int | None, of: int | None) -> None:
        for item in items:
            assert isinstance(item, tuple)
            index, content = item
            if isinstance(content, Step):
                out.append(
                    PlannedStep(number=len(out) + 1, index=index, step=content, rep=rep, of=of)
                )
            else:
                count, body = content
                for k in range(1, count + 1):
                    unroll(body, k, count)

    unroll(number(blocks), None, None)
    return out


def _planned_amount(step: Step) -> tuple[Literal["time", "distance"], float] | None:
    if step.end.kind in ("time", "distance") and step.end.value:
        return step.end.kind, step.end.value
    return None


def _step_review(planned: PlannedStep, laps: tuple[Lap, ...], profile: Profile) -> StepReview:
    if not laps:
        return StepReview(planned=planned, laps=(), status="skipped")
    seconds = sum(lap.seconds for lap in laps)
    metres_known = [lap.metres for lap in laps if lap.metres is not None]
    metres = sum(metres_known) if metres_known else None
    pace = _pace(seconds, metres)
    weighted = [(lap.avg_hr, lap.seconds) for lap in laps if lap.avg_hr is not None]
    hr = (
        round(sum(h * s for h, s in weighted) / sum(s for _, s in weighted))
        if weighted and sum(s for _, s in weighted) > 0
        else None
    )
    amount = _planned_amount(planned.step)
    status: StepStatus = "open"
    if amount is not None:
        kind, value = amount
        actual = seconds if kind == "time" else (metres or 0.0)
        ratio = actual / value
        status = "short" if ratio < STEP_COMPLETE else "long" if ratio > STEP_LONG else "done"
    pace_mark, pace_off = judge_pace(pace, planned.step.target)
    hr_mark, hr_off = judge_hr(hr, planned.step, profile)
    return StepReview(
        planned=planned,
        laps=laps,
        status=status,
        seconds=seconds,
        metres=metres,
        pace=pace,
        pace_mark=pace_mark,
        pace_off=pace_off,
        avg_hr=hr,
        hr_mark=hr_mark,
        hr_off=hr_off,
    )


def align(plan: Sequence[PlannedStep], laps: Sequence[Lap]) -> list[tuple[PlannedStep, list[Lap]]]:
    """Each planned step with the laps that ran it, in order.

    Laps carry the message index of their workout step; the k-th occurrence of an index in a
    repeat is the k-th round. A lap whose index jumps ahead skips the steps in between (the lap
    button skips a step). A second lap at the same index before the step reached most of its
    planned amount is an extra lap press inside the step and joins it. Laps without an index
    (or pointing at no remaining step) join the step they follow.
    """
    slots: list[tuple[PlannedStep, list[Lap]]] = [(p, []) for p in plan]
    cursor = -1  # index into slots of the step currently running

    def reached(position: int) -> bool:
        planned, got = slots[position]
        amount = _planned_amount(planned.step)
        if amount is None:
            return True
        kind, value = amount
        done = sum(lap.seconds if kind == "time" else (lap.metres or 0.0) for lap in got)
        return done >= EXTRA_LAP_SHARE * value

    for lap in laps:
        target: int | None = None
        if lap.step_index is not None:
            if cursor >= 0 and slots[cursor][0].index == lap.step_index and not reached(cursor):
                target = cursor
            else:
                for position in range(cursor + 1, len(slots)):
                    if slots[position][0].index == lap.step_index:
                        target = position
                        break
                if target is None and cursor >= 0 and slots[cursor][0].index == lap.step_index:
                    target = cursor
        if target is None:
            if cursor < 0:
                if not slots:
                    continue
                target = 0
            else:
                target = cursor
        slots[target][1].append(lap)
        cursor = target
    return slots


# -- sessions ---------------------------------------------------------------------------------
def review_workout(session: Session, activity: Activity, profile: Profile) -> list[StepReview]:
    plan = planned_steps(session.steps)
    return [
        _step_review(planned, tuple(got), profile) for planned, got in align(plan, activity.laps)
    ]


def main_pace_target(session: Session) -> PaceTarget | None:
    """The pace target of the longest step, the target a run by feel is judged against."""
    best: tuple[float, PaceTarget] | None = None
    for planned in planned_steps(session.steps):
        target = planned.step.target
        amount = _planned_amount(planned.step)
        if isinstance(target, PaceTarget) and amount is not None:
            length = amount[1] if amount[0] == "time" else amount[1] / 1000 * target.centre
            if best is None or length > best[0]:
                best = (length, target)
    return best[1] if best else None


def review_whole(session: Session | None, activity: Activity) -> WholeRun:
    splits = tuple(
        Split(number=i, seconds=lap.seconds, metres=lap.metres, pace=lap.pace, avg_hr=lap.avg_hr)
        for i, lap in enumerate(activity.laps, start=1)
    )
    # a final stub under a third of a typical lap says little about pacing
    full = [s for s in splits if s.pace is not None]
    if len(full) > 2 and full[-1].seconds < 0.33 * max(s.seconds for s in full):
        full = full[:-1]
    paces = [s.pace for s in full if s.pace is not None]
    spread = round(max(paces) - min(paces), 1) if len(paces) >= 2 else None
    kind: WholeSplit | None = None
    if len(full) >= 2:
        half = len(full) // 2
        first, second = full[:half], full[len(full) - half :]
        p1 = _pace(sum(s.seconds for s in first), sum(s.metres or 0 for s in first))
        p2 = _pace(sum(s.seconds for s in second), sum(s.metres or 0 for s in second))
        if p1 is not None and p2 is not None:
            gain = p1 - p2
            kind = "even" if abs(gain) <= EVEN_SPLIT else "negative" if gain > 0 else "positive"
    target = main_pace_target(session) if session else None
    mark, off = judge_pace(activity.pace, target)
    return WholeRun(
        pace_mark=mark,
        pace_off=off,
        target=target,
        splits=splits,
        spread=spread,
        second_half_faster=None if kind is None else kind == "negative",
        split=kind,
    )


def review_progression(
    session: Session, steps: Sequence[StepReview], profile: Profile
) -> ProgressionReview | None:
    """Judge a progression run from its step reviews; None if the session is not one."""
    shape = progression_shape(session, profile)
    if shape is None or not shape.stages:
        return None
    by_number = {s.planned.number: s for s in steps}
    starts = [shape.opening.index, *(s.index for s in shape.stages)]
    last = max(by_number) if by_number else 0
    ends = [*(i - 1 for i in starts[1:]), last]

    def part(first: int, final: int, name: str) -> StageReview:
        members = [
            by_number[n]
            for n in range(first, final + 1)
            if n in by_number
            and by_number[n].planned.step.kind not in ("rest", "recover", "cooldown")
        ]
        run = [m for m in members if m.status != "skipped"]
        seconds = sum(m.seconds or 0 for m in run)
        metres = sum(m.metres or 0 for m in run)
        target = next(
            (
                m.planned.step.target
                for m in members
                if isinstance(m.planned.step.target, PaceTarget)
            ),
            None,
        )
        assert target is None or isinstance(target, PaceTarget)
        return StageReview(name=name, planned=target, pace=_pace(seconds, metres), run=bool(run))

    opening = part(starts[0], ends[0], "opening")
    stages = tuple(
        part(starts[k], ends[k], f"stage {k}/{len(starts) - 1}") for k in range(1, len(starts))
    )
    problems: list[str] = []
    run = [s for s in stages if s.run and s.pace is not None]
    for s in stages:
        if not s.run:
            problems.append(f"{s.name} was skipped")
    each_faster: bool | None = None
    if len(run) >= 2 or (run and opening.pace is not None):
        each_faster = True
        previous = opening if opening.pace is not None else None
        for s in run:
            if (
                previous is not None
                and previous.pace is not None
                and s.pace is not None
                and s.pace >= previous.pace - PACE_SLACK
            ):
                each_faster = False
                problems.append(
                    f"{s.name} ({_clock(s.pace)}) was not faster than the {previous.name} "
                    f"({_clock(previous.pace)})"
                )
            previous = s
    patient: bool | None = None
    if opening.pace is not None and opening.planned is not None:
        patient = opening.pace >= opening.planned.fast - PACE_SLACK
        if not patient:
            problems.append(
                f"the opening ({_clock(opening.pace)}) was faster than planned "
                f"({_clock(opening.planned.fast)} at the quickest): start patiently"
            )
    controlled: bool | None = None
    final = stages[-1]
    if final.run and final.pace is not None and final.planned is not None:
        controlled = final.pace >= final.planned.fast - PACE_SLACK
        if not controlled:
            problems.append(
                f"the finish ({_clock(final.pace)}) was faster than the planned top pace "
                f"({_clock(final.planned.fast)}): strong, not all-out"
            )
    return ProgressionReview(
        opening=opening,
        stages=stages,
        each_faster=each_faster,
        patient_opening=patient,
        controlled_finish=controlled,
        problems=tuple(problems),
    )


def _clock(seconds_per_km: float) -> str:
    total = int(round(seconds_per_km))
    return f"{total // 60}:{total % 60:02d}"


def review_session(
    session: Session, activity: Activity, profile: Profile, moved: bool
) -> SessionReview:
    """Compare one session with the activity that ran it: step by step when the watch ran this
    session's workout (by its name or its steps), else as a whole run."""
    notes: list[str] = []
    if moved:
        notes.append(f"planned for {session.date:%a %d %b}, run on {activity.date:%a %d %b}")
    grade = evidence(session, activity)
    uses_workout = activity.has_workout_laps and grade != 4
    if uses_workout and grade == 1 and activity.workout_name:
        notes.append(
            f"the watch ran this session's steps as workout '{activity.workout_name}': "
            "compared step by step"
        )
    if uses_workout and grade == 2:
        notes.append(
            f"the watch's workout '{activity.workout_name}' has other steps than this session "
            "(changed since it was sent?): laps matched to steps by their step numbers"
        )
    if activity.has_workout_laps and grade == 4:
        notes.append(
            f"the watch ran workout '{activity.workout_name}', not this session's: "
            "compared as a whole run"
        )
    if uses_workout:
        steps = review_workout(session, activity, profile)
        complete = all(s.status in ("done", "long", "open") for s in steps)
        skipped = [s for s in steps if s.status == "skipped"]
        if skipped:
            notes.append(f"{len(skipped)} of {len(steps)} steps not run")
        status: SessionStatus = "moved" if moved else "done" if complete else "partial"
        if moved and not complete:
            notes.append("partly run")
        return SessionReview(
            session=session,
            activity=activity,
            status=status,
            method="workout",
            steps=tuple(steps),
            progression=review_progression(session, steps, profile),
            notes=tuple(notes),
        )
    whole = review_whole(session, activity)
    share = activity.seconds / session.estimated_duration_s if session.estimated_duration_s else 1
    complete = share >= RUN_COMPLETE
    if not complete:
        notes.append(f"ran {share:.0%} of the planned time")
    status = "moved" if moved else "done" if complete else "partial"
    return SessionReview(
        session=session,
        activity=activity,
        status=status,
        method="whole-run",
        whole=whole,
        notes=tuple(notes),
    )


# -- what the watch ran -----------------------------------------------------------------------
def _fit_text(text: str) -> str:
    cleaned = "".join(c if c.isprintable() and c != "\ufffd" else " " for c in text)
    return " ".join(cleaned.split()).casefold()


def same_name(session: Session, workout_name: str) -> bool:
    """Whether the watch's workout name is this session's name, as a FIT file can hold it:
    the same words (case and spacing aside), or — cut to the 16 bytes of FIT's `wkt_name`, by
    progsync's encoder at a word or by another tool mid-word — a prefix of it. A longer name on
    the watch ("Easy run + strides" for a session "Easy run") is another workout."""
    name = _fit_text(workout_name)
    mine = _fit_text(session.name)
    if not name:
        return False
    if name == mine:
        return True
    cut = len(workout_name.encode("utf-8")) <= NAME_BYTES
    long_name = len(session.name.encode("utf-8")) > FIT_TEXT_BYTES
    return (cut or long_name) and mine.startswith(name)


def planned_workout(session: Session) -> tuple[WorkoutStep, ...]:
    """The session's steps as progsync's FIT encoder writes them (what a watch holds); empty
    when the encoder cannot write them (then only the name can tell)."""
    from .encode import EncodeError
    from .fit import workout_steps

    try:
        encoded = workout_steps(session.steps)
    except EncodeError:
        return ()
    out = []
    for raw in encoded:
        repeat = raw["duration_type"] == REPEAT_STEP
        out.append(
            WorkoutStep(
                duration=int(raw["duration_type"]),
                value=raw.get("duration_value"),
                intensity=None if repeat else raw.get("intensity"),
                repeat=raw.get("target_value") if repeat else None,
            )
        )
    return tuple(out)


#: FIT `wkt_step_duration` numbers compared by length (time in ms, distance in cm) and the
#: repeat step.
_LENGTHS = (0, 1)


def same_steps(planned: Sequence[WorkoutStep], ran: Sequence[WorkoutStep]) -> bool:
    """Whether the watch's workout has the planned steps: as many, each ended the same way
    (time, distance, lap press, …) and as long (within `STEP_LENGTH_SLACK`), the repeats over
    the same steps as often. Not the intensity: workouts made in Garmin Connect often mark a
    warm-up or cool-down `active` (docs/review.md)."""
    if len(planned) != len(ran):
        return False
    for mine, theirs in zip(planned, ran, strict=True):
        if mine.duration != theirs.duration:
            return False
        if mine.duration == REPEAT_STEP:
            if (mine.value, mine.repeat) != (theirs.value, theirs.repeat):
                return False
            continue
        if mine.duration in _LENGTHS:
            if not mine.value or not theirs.value:
                if mine.value != theirs.value:
                    return False
            elif abs(theirs.value / mine.value - 1) > STEP_LENGTH_SLACK:
                return False
        elif mine.value != theirs.value:
            return False
    return True


def evidence(
    session: Session, activity: Activity, planned: Sequence[WorkoutStep] | None = None
) -> int:
    """How surely `activity` ran `session` by what the watch held, strongest first:

    0. its workout has the session's name, and its steps (or the file has no steps);
    1. its workout has the session's steps under another name (a renamed session);
    2. its workout has the session's name but other steps (edited since it was sent);
    3. no workout at all (a run by feel, another app);
    4. another workout."""
    named = same_name(session, activity.workout_name) if activity.workout_name else None
    steps: bool | None = None
    if activity.workout:
        mine = planned if planned is not None else planned_workout(session)
        steps = same_steps(mine, activity.workout) if mine else None
    if named and steps is not False:
        return 0
    if steps:
        return 1
    if named:
        return 2
    if named is None and steps is None:
        return 3
    return 4


# -- matching ---------------------------------------------------------------------------------
def _duration_gap(session: Session, activity: Activity) -> float:
    if not session.estimated_duration_s:
        return 0.0
    return abs(activity.seconds / session.estimated_duration_s - 1)


def _within(day: dt.date, window: tuple[dt.date, dt.date] | None) -> bool:
    return window is None or window[0] <= day <= window[1]


def match(
    sessions: Sequence[Session],
    activities: Sequence[Activity],
    window: tuple[dt.date, dt.date] | None = None,
) -> tuple[list[tuple[Session, Activity, bool]], list[Session], list[Activity]]:
    """Pairs (session, activity, moved), unmatched sessions, unmatched activities.

    Every pair of the same sport within MOVE_DAYS days that may match gets a cost: its
    `evidence` (EVIDENCE_COST) plus DAY_COST per day between them; pairs are taken cheapest
    first (ties: closer in duration, closer in days, the earlier session, the earlier
    activity), each session and each activity at most once, over all `sessions` together.

    - A workout that names or has the session's steps matches whatever its length.
    - Without that evidence (by feel, another workout) the duration must be within
      MATCH_RATIO of the plan; another workout matches only on the session's own day, a run
      by feel on another day only where nothing of its sport was planned that day.
    - With a `window` (the dates under review): an activity outside it goes to a session
      inside it only when it ran that session's workout (evidence 0 or 1) within EDGE_DAYS.
      Pass the sessions just outside the window too, so their own activities go to them.
    """
    planned_days = {(s.date, s.sport) for s in sessions}
    shapes = [planned_workout(s) if any(a.workout for a in activities) else () for s in sessions]
    ordered = sorted(activities, key=lambda a: a.start)
    candidates: list[tuple[tuple[float, float, int, dt.date, int, dt.datetime], int, int]] = []
    for si, s in enumerate(sessions):
        for ai, a in enumerate(ordered):
            if s.sport != a.sport:
                continue
            days = abs((a.date - s.date).days)
            if days > MOVE_DAYS:
                continue
            grade = evidence(s, a, shapes[si])
            gap = _duration_gap(s, a)
            if grade >= 3:
                ratio = a.seconds / s.estimated_duration_s if s.estimated_duration_s else 1.0
                if not MATCH_RATIO[0] <= ratio <= MATCH_RATIO[1]:
                    continue
                if days and (grade == 4 or (a.date, a.sport) in planned_days):
                    continue
            crosses = _within(s.date, window) and not _within(a.date, window)
            if crosses and (grade > 1 or days > EDGE_DAYS):
                continue
            cost = EVIDENCE_COST[grade] + DAY_COST * days
            candidates.append(((cost, round(gap, 6), days, s.date, s.slot, a.start), si, ai))
    used_s: set[int] = set()
    used_a: set[int] = set()
    pairs: list[tuple[Session, Activity, bool]] = []
    for _, si, ai in sorted(candidates):
        if si in used_s or ai in used_a:
            continue
        used_s.add(si)
        used_a.add(ai)
        session, activity = sessions[si], ordered[ai]
        pairs.append((session, activity, session.date != activity.date))
    free_sessions = [s for i, s in enumerate(sessions) if i not in used_s]
    free_activities = [a for i, a in enumerate(ordered) if i not in used_a]
    return pairs, free_sessions, free_activities


# -- weeks ------------------------------------------------------------------------------------
def actual_easy_seconds(activity: Activity, profile: Profile) -> tuple[float, float] | None:
    """(easy seconds, running seconds) of a run, judged lap by lap against the easy pace."""
    easy = profile.paces.get("easy")
    if easy is None or activity.sport != "run":
        return None
    limit = easy.fast - profile.pace_tolerance
    laps = activity.laps or (
        Lap(start=activity.start, seconds=activity.seconds, metres=activity.metres),
    )
    easy_s = run_s = 0.0
    for lap in laps:
        pace = lap.pace
        if pace is None:
            continue
        run_s += lap.seconds
        if pace >= limit:
            easy_s += lap.seconds
    return easy_s, run_s


def _week_start(date: dt.date, anchor: dt.date) -> dt.date:
    return anchor + dt.timedelta(days=7 * ((date - anchor).days // 7))


def review_weeks(
    reviews: Sequence[SessionReview],
    anchor: dt.date,
    profile_of: Callable[[Session | None], Profile],
) -> list[WeekReview]:
    groups: dict[dt.date, list[SessionReview]] = {}
    for r in reviews:
        groups.setdefault(
            _week_start(r.date if r.activity is None else r.activity.date, anchor), []
        )
    for r in reviews:
        when = r.activity.date if r.activity is not None else r.date
        groups[_week_start(when, anchor)].append(r)
    out: list[WeekReview] = []
    for start in sorted(groups):
        members = groups[start]
        planned = [
            r.session for r in reviews if r.session and _week_start(r.session.date, anchor) == start
        ]
        p_seconds = sum(s.estimated_duration_s for s in planned)
        p_metres = sum(s.estimated_distance_m for s in planned)
        p_easy = p_run = 0.0
        for s in planned:
            if s.sport != "run":
                continue
            facts = session_facts(s, profile_of(s))
            p_easy += facts.easy_seconds
            p_run += facts.run_seconds
        acts = [r.activity for r in members if r.activity is not None]
        a_easy = a_run = 0.0
        judged = False
        for r in members:
            if r.activity is None:
                continue
            got = actual_easy_seconds(r.activity, profile_of(r.session))
            if got is not None:
                judged = True
                a_easy += got[0]
                a_run += got[1]
        counts: dict[str, int] = {}
        for r in members:
            counts[r.status] = counts.get(r.status, 0) + 1
        out.append(
            WeekReview(
                start=start,
                planned_seconds=p_seconds,
                planned_metres=p_metres,
                actual_seconds=sum(a.seconds for a in acts),
                actual_metres=sum(a.metres or 0 for a in acts),
                planned_easy_share=p_easy / p_run if p_run else None,
                actual_easy_share=a_easy / a_run if judged and a_run else None,
                counts=counts,
            )
        )
    return out


def review(
    sessions: Sequence[Session],
    activities: Iterable[Activity],
    profile_of: Callable[[Session | None], Profile],
    today: dt.date,
    anchor: dt.date | None = None,
    window: tuple[dt.date, dt.date] | None = None,
) -> Review:
    """The whole comparison: every session and every activity, then the weeks.

    With a `window` (the dates under review), `sessions` may reach beyond it (the days a
    session can move): they take part in the matching, so the activities that ran them are not
    claimed by a session inside the window, but only what concerns the window is kept — its
    sessions, a session from outside run inside it, and the unplanned activities inside it —
    and only its weeks."""
    pairs, missed, extra = match(sessions, list(activities), window)
    out: list[SessionReview] = []
    for session, activity, moved in pairs:
        if _within(session.date, window) or _within(activity.date, window):
            out.append(review_session(session, activity, profile_of(session), moved))
    for session in missed:
        if not _within(session.date, window):
            continue
        status: SessionStatus = "missed" if session.date < today else "upcoming"
        out.append(SessionReview(session=session, activity=None, status=status, method="none"))
    for activity in extra:
        if not _within(activity.date, window):
            continue
        out.append(
            SessionReview(
                session=None,
                activity=activity,
                status="unplanned",
                method="whole-run",
                whole=review_whole(None, activity),
            )
        )
    out.sort(key=lambda r: (r.date, r.session.slot if r.session else 99))
    if anchor is None:
        first = min((r.date for r in out), default=today)
        anchor = first - dt.timedelta(days=first.weekday())
    weeks = review_weeks(out, anchor, profile_of)
    if window is not None:
        first, last = window
        weeks = [w for w in weeks if w.start <= last and w.start + dt.timedelta(days=6) >= first]
    return Review(sessions=tuple(out), weeks=tuple(weeks))


def is_progression(session: Session) -> bool:
    return is_declared_progression(session)


def easy_verdict(step: Step, profile: Profile) -> bool | None:
    return is_easy(step, profile)
