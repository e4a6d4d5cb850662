"""A completed activity as progsync reads it, and the decoding of FIT activity files into it.

`Activity` and its `Lap`s (and the `WorkoutStep`s of the workout the watch ran) are plain
frozen values, whatever the source (a watch's folder, Intervals.icu, Garmin Connect): review,
the week rules (`check --history-from`) and the report all read these. `read_fit` decodes a FIT
file with Garmin's SDK (imported only then); it sits below both of its users, the sources in
`progsync.sync.services.activities` and the tests.

What a watch writes (real-services.md, "FIT activity files"): a `workout` message and its
`workout_step` messages when a structured workout was run, each lap's `wkt_step_index` pointing
at its step as stored (repeats are not unrolled); FIT times are UTC, the `activity` message's
`local_timestamp` gives the local day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from .errors import ProgsyncError
from .model import Sport

#: The FIT `wkt_step_duration` of a repeat step.
REPEAT_STEP = 6


def _pace(seconds: float, metres: float | None) -> float | None:
    if not metres or metres < 1 or seconds <= 0:
        return None
    return seconds / metres * 1000


@dataclass(frozen=True, slots=True, kw_only=True)
class WorkoutStep:
    """One `workout_step` of the workout a watch ran, in raw FIT numbers: `duration` is the
    `wkt_step_duration` (0 time, 1 distance, 6 repeat, …), `value` its raw `duration_value`
    (ms, cm, the first step of a repeat), `intensity` the FIT intensity, `repeat` the count of
    a repeat step."""

    duration: int
    value: int | None = None
    intensity: int | None = None
    repeat: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Lap:
    """One lap of an activity: timer time (s), distance (m), heart rate, and its workout step."""

    start: dt.datetime
    seconds: float
    metres: float | None = None
    avg_hr: int | None = None
    max_hr: int | None = None
    step_index: int | None = None
    trigger: str | None = None

    @property
    def pace(self) -> float | None:
        return _pace(self.seconds, self.metres)


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity:
    """A completed activity, wherever it came from. `date` is the local calendar day."""

    source: str
    start: dt.datetime
    date: dt.date
    sport: Sport
    seconds: float
    metres: float | None = None
    avg_hr: int | None = None
    laps: tuple[Lap, ...] = ()
    workout_name: str | None = None
    workout_steps: int | None = None
    #: The steps of the workout the watch ran (empty when the file holds none).
    workout: tuple[WorkoutStep, ...] = ()
    device: str | None = None
    name: str | None = None

    @property
    def has_workout_laps(self) -> bool:
        return any(lap.step_index is not None for lap in self.laps)

    @property
    def pace(self) -> float | None:
        return _pace(self.seconds, self.metres)


#: FIT `sport` names (as the SDK decodes them) → our sports.
FIT_SPORTS: dict[str, Sport] = {
    "running": "run",
    "cycling": "bike",
    "e_biking": "bike",
    "swimming": "swim",
    "training": "strength",
    "fitness_equipment": "cardio",
    "hiit": "hiit",
}


class ActivityError(ProgsyncError):
    """An activity file that cannot be read (not FIT, damaged, no start time); exit code 2."""

    exit_code = 2


# -- FIT activity files -----------------------------------------------------------------------
def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None or number <= 0 else round(number)


def _local_date(start: dt.datetime, messages: Any) -> dt.date:
    """The activity's calendar day where it was run: FIT times are UTC, and the `activity`
    message's `local_timestamp` (seconds since the FIT epoch, local time) gives the offset.
    Without it the UTC day is used."""
    for activity in messages.get("activity_mesgs", []):
        local = activity.get("local_timestamp")
        stamp = activity.get("timestamp")
        if isinstance(local, int | float) and isinstance(stamp, dt.datetime):
            epoch = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
            offset = epoch + dt.timedelta(seconds=local) - stamp
            return (start + offset).date()
    return start.date()


def _workout(steps: Any) -> tuple[WorkoutStep, ...]:
    """The `workout_step` messages of an activity in raw FIT numbers (the SDK decodes the enums
    to names; its profile maps them back), to compare with a session's steps."""
    from garmin_fit_sdk import Profile

    durations = {name: number for number, name in Profile["types"]["wkt_step_duration"].items()}
    intensities = {name: number for number, name in Profile["types"]["intensity"].items()}
    out: list[WorkoutStep] = []
    for raw in sorted(steps, key=lambda m: m.get("message_index") or 0):
        kind = raw.get("duration_type")
        duration = durations.get(kind) if isinstance(kind, str) else kind
        if not isinstance(duration, int):
            return ()  # a step we cannot read: judge the activity without its workout
        value = raw.get("duration_value")
        level = raw.get("intensity")
        intensity = intensities.get(level) if isinstance(level, str) else level
        repeat = raw.get("target_value")
        is_repeat = duration == REPEAT_STEP
        out.append(
            WorkoutStep(
                duration=duration,
                value=value if isinstance(value, int) else None,
                intensity=intensity if isinstance(intensity, int) and not is_repeat else None,
                repeat=repeat if isinstance(repeat, int) and is_repeat else None,
            )
        )
    return tuple(out)


def read_fit(data: bytes, source: str) -> Activity | None:
    """The activity in a FIT file; None for FIT files of another type (workouts, settings).

    Raises ActivityError when the file is not FIT or is damaged beyond its laps."""
    from garmin_fit_sdk import Decoder, Stream

    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if not decoder.is_fit():
        raise ActivityError(f"{source} is not a FIT file", "activity files end in .fit")
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    file_ids = messages.get("file_id_mesgs", [])
    if file_ids and file_ids[0].get("type") not in ("activity", None):
        return None
    sessions = messages.get("session_mesgs", [])
    raw_laps = messages.get("lap_mesgs", [])
    if not sessions and not raw_laps:
        if errors:
            raise ActivityError(f"{source} is damaged: {errors[0]}", "copy it from the watch again")
        return None
    laps = []
    for raw in raw_laps:
        start = raw.get("start_time") or raw.get("timestamp")
        seconds = _number(raw.get("total_timer_time"))
        if not isinstance(start, dt.datetime) or seconds is None:
            continue
        index = raw.get("wkt_step_index")
        laps.append(
            Lap(
                start=start,
                seconds=seconds,
                metres=_number(raw.get("total_distance")),
                avg_hr=_int(raw.get("avg_heart_rate")),
                max_hr=_int(raw.get("max_heart_rate")),
                step_index=index if isinstance(index, int) else None,
                trigger=str(trigger)
                if isinstance(trigger := raw.get("lap_trigger"), str)
                else None,
            )
        )
    laps.sort(key=lambda lap: lap.start)
    first = sessions[0] if sessions else {}
    start = first.get("start_time") or (laps[0].start if laps else None)
    if not isinstance(start, dt.datetime):
        raise ActivityError(f"{source} has no start time", "is it an activity file?")
    seconds = _number(first.get("total_timer_time"))
    if seconds is None:
        seconds = sum(lap.seconds for lap in laps)
    metres = _number(first.get("total_distance"))
    if metres is None and any(lap.metres for lap in laps):
        metres = sum(lap.metres or 0 for lap in laps)
    sport_name = first.get("sport") or (raw_laps[0].get("sport") if raw_laps else None)
    workout = (messages.get("workout_mesgs") or [{}])[0]
    wkt_name = workout.get("wkt_name")
    device = file_ids[0].get("garmin_product") if file_ids else None
    return Activity(
        source=source,
        start=start,
        date=_local_date(start, messages),
        sport=FIT_SPORTS.get(str(sport_name), "other"),
        seconds=seconds,
        metres=metres,
        avg_hr=_int(first.get("avg_heart_rate")),
        laps=tuple(laps),
        workout_name=wkt_name if isinstance(wkt_name, str) and wkt_name.strip() else None,
        workout_steps=len(messages.get("workout_step_mesgs", [])) or None,
        workout=_workout(messages.get("workout_step_mesgs", [])),
        device=device if isinstance(device, str) else None,
    )


