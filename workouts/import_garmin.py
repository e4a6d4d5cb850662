"""Garmin Connect workout JSON → the model: the reader of `workout-service/workout/{id}`.

The shape is the one `garmin_json` writes and the service answers (tests/fixtures/garmin-connect
`*Output.json`): `workoutSegments[].workoutSteps[]` of `ExecutableStepDTO` and `RepeatGroupDTO`,
keys `stepType.stepTypeKey`, `endCondition.conditionTypeKey` with `endConditionValue`, and
`targetType.workoutTargetTypeKey` with `targetValueOne/Two` or `zoneNumber` (and the same with a
`secondary` prefix). Pace and speed are m/s; heart rate and power bpm / W or a zone; cadence
steps per minute. A step's `description` is its note. Garmin reads the ids, not the keys, so a
step that carries only ids (as people's exports sometimes do) is read by id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .import_common import Imported, ImportFormatError, Losses, imported_session, with_note
from .model import (
    Block,
    CadenceTarget,
    End,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    Sport,
    Step,
    StepKind,
    Target,
)
from .profile import Profile
from .units import Units

SPORTS: dict[str, Sport] = {
    "running": "run",
    "cycling": "bike",
    "swimming": "swim",
    "strength_training": "strength",
    "cardio_training": "cardio",
    "yoga": "yoga",
    "hiit": "hiit",
    "mobility": "mobility",
    "other": "other",
}
SPORT_IDS: dict[int, str] = {1: "running", 2: "cycling", 3: "other", 4: "swimming", 5: "strength_training",
                             6: "cardio_training", 7: "yoga", 9: "hiit", 11: "mobility"}
STEP_KINDS: dict[str, StepKind] = {
    "warmup": "warmup",
    "cooldown": "cooldown",
    "interval": "run",
    "recovery": "recover",
    "rest": "rest",
    "other": "run",
    "main": "run",
}
STEP_IDS = {1: "warmup", 2: "cooldown", 3: "interval", 4: "recovery", 5: "rest", 6: "repeat", 7: "other", 8: "main"}
END_IDS = {1: "lap.button", 2: "time", 3: "distance", 4: "calories", 5: "power", 6: "heart.rate",
           7: "iterations", 8: "fixed.rest"}
TARGET_IDS = {1: "no.target", 2: "power.zone", 3: "cadence", 4: "heart.rate.zone", 5: "speed.zone",
              6: "pace.zone"}


def _key(ref: Any, key_name: str, id_name: str, ids: Mapping[int, str]) -> str | None:
    if not isinstance(ref, Mapping):
        return None
    key = ref.get(key_name)
    if isinstance(key, str):
        return key
    number = ref.get(id_name)
    return ids.get(number) if isinstance(number, int) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _target(step: Mapping[str, Any], prefix: str, profile: Profile, losses: Losses) -> tuple[Target | None, str | None]:
    """(target, words for what could not be read) of one of the step's two targets."""
    type_key = f"{prefix}TargetType" if prefix else "targetType"

    def name(base: str) -> str:
        return f"{prefix}{base[0].upper()}{base[1:]}" if prefix else base

    kind = _key(step.get(type_key), "workoutTargetTypeKey", "workoutTargetTypeId", TARGET_IDS)
    if kind is None or kind == "no.target":
        return (None if prefix else OpenTarget()), None
    one = _number(step.get(name("targetValueOne")))
    two = _number(step.get(name("targetValueTwo")))
    zone_value = step.get(name("zoneNumber"))
    zone = int(zone_value) if isinstance(zone_value, int | float) and zone_value else None
    if kind in ("pace.zone", "speed.zone"):
        if one and two:
            fast, slow = max(one, two), min(one, two)
            return PaceTarget(slow=1000.0 / slow, fast=1000.0 / fast, label="imported"), None
        words = f"pace zone {zone}" if zone else "a pace target without values"
        losses.add(f"{words}: the language has no pace zones (kept as a note)")
        return None, words
    if kind == "heart.rate.zone":
        if zone and 1 <= zone <= 5:
            bounds = profile.hr_zone(zone)
            return HeartRateZoneTarget(
                zone=zone, low=bounds[0] if bounds else None, high=bounds[1] if bounds else None,
                label=f"z{zone}",
            ), None
        if one and two:
            return HeartRateTarget(low=round(min(one, two)), high=round(max(one, two)), label="imported"), None
    if kind == "power.zone":
        if zone and 1 <= zone <= 7:
            return PowerZoneTarget(zone=zone, label=f"pz{zone}"), None
        if one and two:
            return PowerTarget(low=round(min(one, two)), high=round(max(one, two)), label="imported"), None
    if kind in ("cadence", "cadence.zone") and one and two:
        # `cadence.zone` is the key some tools send for id 3 (the id is what Garmin reads)
        return CadenceTarget(low=round(min(one, two)), high=round(max(one, two)), label="imported"), None
    words = f"target {kind} {one or ''}-{two or ''} zone {zone or ''}".strip()
    losses.add(f"{words}: not a target the language has (kept as a note)")
    return None, words


def _end(step: Mapping[str, Any], losses: Losses) -> tuple[End, str | None]:
    kind = _key(step.get("endCondition"), "conditionTypeKey", "conditionTypeId", END_IDS)
    value = _number(step.get("endConditionValue"))
    if kind == "time" and value:
        return End(kind="time", value=value), None
    if kind == "distance" and value:
        return End(kind="distance", value=round(value, 1)), None
    if kind == "calories" and value:
        return End(kind="calories", value=round(value)), None
    if kind == "heart.rate" and value:
        compare = step.get("endConditionCompare")
        return End(kind="hr_below" if compare == "lt" else "hr_above", value=round(value)), None
    if kind in ("lap.button", None):
        return End(kind="lap"), None
    words = f"ends on {kind} {value:g}" if value else f"ends on {kind}"
    losses.add(f"a step that {words}: the language cannot end a step so; it ends on the lap button")
    return End(kind="lap"), words


#: Step fields of swim and strength workouts that the language has no word for, with what a
#: person calls them: kept as words on the step and reported, never dropped in silence.
UNHELD = (
    ("strokeType", "strokeTypeKey", "stroke"),
    ("drillType", "drillTypeKey", "drill"),
    ("equipmentType", "equipmentTypeKey", "equipment"),
)


def _unheld(item: Mapping[str, Any], losses: Losses) -> list[str]:
    """Words for what a step holds that the language cannot (a swim stroke, a drill, equipment,
    a strength exercise and its weight or reps), each also reported in `losses`."""
    words = []
    for key, sub, label in UNHELD:
        value = item.get(key)
        chosen = value.get(sub) if isinstance(value, Mapping) else None
        if chosen:
            words.append(f"{label} {str(chosen).replace('_', ' ').lower()}")
    exercise = item.get("exerciseName") or item.get("category")
    if isinstance(exercise, str) and exercise:
        words.append(f"exercise {exercise.replace('_', ' ').lower()}")
    weight = _number(item.get("weightValue"))
    if weight:
        words.append(f"weight {weight:g}")
    for text in words:
        losses.add(f"a step's {text.split()[0]}: the language has no word for it (kept as a note)")
    return words


def _blocks(items: Sequence[Any], profile: Profile, losses: Losses, where: str) -> list[Block]:
    out: list[Block] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise ImportFormatError(f"{where}: a workout step is not an object")
        step_type = _key(item.get("stepType"), "stepTypeKey", "stepTypeId", STEP_IDS)
        if item.get("type") == "RepeatGroupDTO" or step_type == "repeat":
            count = item.get("numberOfIterations") or item.get("endConditionValue")
            body = _blocks(item.get("workoutSteps") or [], profile, losses, where)
            if not body:
                continue
            until = _key(item.get("endCondition"), "conditionTypeKey", "conditionTypeId", END_IDS)
            if until not in (None, "iterations") or item.get("smartRepeat"):
                losses.add(
                    f"a repeat until {until}: the language repeats a count of times "
                    "(kept once, as a note)"
                )
                first = body[0]
                if isinstance(first, Step):
                    body[0] = with_note(first, f"repeat until {until}")
                out.extend(body)
                continue
            out.append(Repeat(count=max(1, int(count or 1)), steps=tuple(body)))
            continue
        if item.get("type") not in (None, "ExecutableStepDTO"):
            losses.add(f"a step of type {item.get('type')}: read as a plain step (kept as a note)")
        kind = STEP_KINDS.get(step_type or "interval", "run")
        end, end_words = _end(item, losses)
        target, target_words = _target(item, "", profile, losses)
        secondary, secondary_words = _target(item, "secondary", profile, losses)
        description = item.get("description")
        notes = [d for d in (description if isinstance(description, str) else None, end_words,
                             target_words, secondary_words, *_unheld(item, losses)) if d]
        if item.get("type") not in (None, "ExecutableStepDTO"):
            notes.append(f"a {item.get('type')} step")
        out.append(
            Step(
                kind=kind,
                end=end,
                target=target or OpenTarget(),
                secondary=secondary,
                note=" · ".join(notes) or None,
            )
        )
    return out


def own_summary(name: str) -> re.Pattern[str]:
    """The summary progsync's own encoders lead a description with (`encode.describe_session`:
    "Tempo (about 45:00, 9.8 km)."), dropped on import so a round trip does not repeat it."""
    return re.compile(
        rf"^\s*{re.escape(name)} \(about [^)]*\)\.\s*(?:Treadmill: distances are times at their paces\.\s*)?"
    )


#: The marker progsync ends the description of its own Garmin workouts with
#: (`sync/services/garmin/client.py` MARKER); dropped on import, so a workout read back from the
#: calendar does not carry an old identity into the plan's notes.
OWN_MARKER = re.compile(r"\s*\[progsync \S+ \d{4}-\d{2}-\d{2} [0-9a-f]{8,16}\]\s*$")


def read_garmin_workout(
    data: Any, profile: Profile, *, units: Units = "km", source: str = "workout"
) -> Imported:
    """One workout as Garmin Connect returns it (a dict parsed from its JSON)."""
    if isinstance(data, Mapping) and "workout" in data and "workoutSegments" not in data:
        data = data["workout"]  # a calendar item ({workoutScheduleId, workout})
    if not isinstance(data, Mapping) or not isinstance(data.get("workoutSegments"), list):
        raise ImportFormatError(
            f"{source}: not a Garmin Connect workout (no workoutSegments)",
            hint="export it from Garmin Connect (workout-service/workout/ID) as JSON",
        )
    losses = Losses()
    steps: list[Block] = []
    for segment in data["workoutSegments"]:
        if isinstance(segment, Mapping):
            steps.extend(_blocks(segment.get("workoutSteps") or [], profile, losses, source))
    if not steps:
        raise ImportFormatError(f"{source}: the workout has no steps")
    pool = _number(data.get("poolLength"))
    if pool:
        unit = _key(data.get("poolLengthUnit"), "unitKey", "unitId", {}) or "metre"
        losses.add(f"the pool length ({pool:g} {unit}): the language has no word for it")
    sport_key = _key(data.get("sportType"), "sportTypeKey", "sportTypeId", SPORT_IDS) or "running"
    sport = SPORTS.get(sport_key, "other")
    description = data.get("description")
    name = str(data.get("workoutName") or "Garmin workout")
    if isinstance(description, str):
        description = OWN_MARKER.sub("", own_summary(name).sub("", description, count=1))
    session = imported_session(
        name,
        tuple(steps),
        sport=sport,
        notes=description if isinstance(description, str) else None,
        units=units,
        source_file=source,
    )
    return Imported(session, tuple(losses.items))
