"""Garmin Connect workout JSON, as the workout service takes it (`POST /workout-service/workout`).

Garmin trusts the numeric ids and ignores the key strings, so every id here is the documented
one (see docs/destinations.md). Pace targets are m/s, faster bound first; heart-rate zones use
`zoneNumber`, bpm ranges the values; `stepOrder` runs depth-first; each repeat group gets its own
`childStepId`, carried by its direct children. Each step's name, RPE and note go in the step's
`description`, which Garmin stores and shows on the watch (docs/destinations.md).
"""

from __future__ import annotations

import re
from typing import Any

from .encode import Caveat, Encoded, EncodeError, caveat, describe_session
from .model import (
    Block,
    CadenceTarget,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RpeTarget,
    Session,
    Step,
    Target,
    iter_steps,
)

SPORTS: dict[str, tuple[int, str]] = {
    "run": (1, "running"),
    "bike": (2, "cycling"),
    "other": (3, "other"),
    "swim": (4, "swimming"),
    "strength": (5, "strength_training"),
    "cardio": (6, "cardio_training"),
    "yoga": (7, "yoga"),
    "hiit": (9, "hiit"),
    "mobility": (11, "mobility"),
}
STEP_TYPES: dict[str, tuple[int, str]] = {
    "warmup": (1, "warmup"),
    "cooldown": (2, "cooldown"),
    "run": (3, "interval"),
    "recover": (4, "recovery"),
    "rest": (5, "rest"),
    "repeat": (6, "repeat"),
}
END_CONDITIONS: dict[str, tuple[int, str]] = {
    "lap": (1, "lap.button"),
    "time": (2, "time"),
    "distance": (3, "distance"),
    "calories": (4, "calories"),
    "hr_below": (6, "heart.rate"),
    "hr_above": (6, "heart.rate"),
    "iterations": (7, "iterations"),
}
TARGET_TYPES: dict[str, tuple[int, str]] = {
    "open": (1, "no.target"),
    "power": (2, "power.zone"),
    "cadence": (3, "cadence"),
    "hr": (4, "heart.rate.zone"),
    "speed": (5, "speed.zone"),
    "pace": (6, "pace.zone"),
}
#: Garmin Connect refuses or truncates workouts with more steps than this.
MAX_STEPS = 50
MAX_NAME = 256


def _ref(ids: tuple[int, str], id_key: str, key_key: str) -> dict[str, Any]:
    return {id_key: ids[0], key_key: ids[1], "displayOrder": ids[0]}


def sport_type(sport: str) -> dict[str, Any]:
    return _ref(SPORTS.get(sport, SPORTS["other"]), "sportTypeId", "sportTypeKey")


def _target_fields(target: Target | None, prefix: str) -> dict[str, Any]:
    """`targetType`/`targetValueOne`/... (or the `secondary…` variants) for one target."""
    type_key = f"{prefix}TargetType" if prefix else "targetType"
    one = f"{prefix}TargetValueOne" if prefix else "targetValueOne"
    two = f"{prefix}TargetValueTwo" if prefix else "targetValueTwo"
    zone = f"{prefix}ZoneNumber" if prefix else "zoneNumber"
    if target is None or isinstance(target, OpenTarget | RpeTarget):
        if prefix:
            return {type_key: None, one: None, two: None, zone: None}
        ref = TARGET_TYPES["open"]
        return {
            type_key: _ref(ref, "workoutTargetTypeId", "workoutTargetTypeKey"),
            one: None,
            two: None,
            zone: None,
        }
    values: tuple[float | None, float | None, int | None]
    if isinstance(target, PaceTarget):
        kind = "pace"
        values = (round(target.fast_mps, 6), round(target.slow_mps, 6), None)
    elif isinstance(target, HeartRateTarget):
        kind = "hr"
        values = (float(target.low), float(target.high), None)
    elif isinstance(target, HeartRateZoneTarget):
        kind = "hr"
        values = (None, None, target.zone)
    elif isinstance(target, PowerTarget):
        kind = "power"
        values = (float(target.low), float(target.high), None)
    elif isinstance(target, PowerZoneTarget):
        kind = "power"
        values = (None, None, target.zone)
    elif isinstance(target, CadenceTarget):
        # steps per minute in One/Two, as Garmin Connect's own editor stores them
        kind = "cadence"
        values = (float(target.low), float(target.high), None)
    else:  # pragma: no cover - every target kind is handled above
        raise EncodeError(f"unknown target {target!r}")
    return {
        type_key: _ref(TARGET_TYPES[kind], "workoutTargetTypeId", "workoutTargetTypeKey"),
        one: values[0],
        two: values[1],
        zone: values[2],
    }


def _description(step: Step) -> str | None:
    parts = []
    if step.name:
        parts.append(step.name)
    if isinstance(step.target, RpeTarget):
        parts.append(f"RPE {step.target.value:g}")
    if step.note:
        parts.append(step.note)
    return " · ".join(parts) or None


_WRITTEN_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(km|k|mi|mile|miles|m|meters|metres)\b", re.IGNORECASE)
_UNIT_KEYS = {"km": "kilometer", "k": "kilometer", "mi": "mile", "mile": "mile", "miles": "mile",
              "m": "meter", "meters": "meter", "metres": "meter"}


def distance_unit(step: Step, units: str) -> str:
    """The unit Garmin shows a distance step in: as written in the step, else from the plan.

    Garmin's editor and other tools send `preferredEndConditionUnit` with every distance step
    (`{"unitKey": "kilometer"}`, `mile`, `meter`: mgifos/quick-plan `Duration.scala`,
    Raistlfiren/garmin-csv-plan); without it the watch may show 1.61 km for a mile repeat.
    """
    match = _WRITTEN_UNIT.search(step.source or "")
    if match:
        return _UNIT_KEYS[match.group(2).lower()]
    metres = step.end.value or 0.0
    if units == "mi" and metres >= 400 and abs(metres / 1609.344 * 100 - round(metres / 1609.344 * 100)) < 0.05:
        return "mile"
    if metres >= 1000 and abs(metres / 100 - round(metres / 100)) < 0.01:
        return "kilometer"
    return "meter"


class _Numbering:
    def __init__(self) -> None:
        self.order = 0
        self.group = 0


def _step(step: Step, child: int | None, numbering: _Numbering, units: str) -> dict[str, Any]:
    numbering.order += 1
    end_ref = END_CONDITIONS[step.end.kind]
    out: dict[str, Any] = {
        "type": "ExecutableStepDTO",
        "stepOrder": numbering.order,
        "stepType": _ref(STEP_TYPES[step.kind], "stepTypeId", "stepTypeKey"),
        "childStepId": child,
        "description": _description(step),
        "endCondition": {
            **_ref(end_ref, "conditionTypeId", "conditionTypeKey"),
            "displayable": True,
        },
        "endConditionValue": step.end.value,
    }
    if step.end.kind == "distance":
        out["preferredEndConditionUnit"] = {"unitKey": distance_unit(step, units)}
    if step.end.kind in ("hr_below", "hr_above"):
        out["endConditionCompare"] = "lt" if step.end.kind == "hr_below" else "gt"
    out.update(_target_fields(step.target, ""))
    if step.secondary is not None:
        out.update(_target_fields(step.secondary, "secondary"))
    return out


def _blocks(
    blocks: tuple[Block, ...], child: int | None, numbering: _Numbering, units: str
) -> list[dict[str, Any]]:
    out = []
    for block in blocks:
        if isinstance(block, Repeat):
            numbering.order += 1
            numbering.group += 1
            group = numbering.group
            entry: dict[str, Any] = {
                "type": "RepeatGroupDTO",
                "stepOrder": numbering.order,
                "stepType": _ref(STEP_TYPES["repeat"], "stepTypeId", "stepTypeKey"),
                "childStepId": group,
                "numberOfIterations": block.count,
                "smartRepeat": False,
                "endCondition": {
                    **_ref(END_CONDITIONS["iterations"], "conditionTypeId", "conditionTypeKey"),
                    "displayable": False,
                },
                "endConditionValue": float(block.count),
            }
            entry["workoutSteps"] = _blocks(block.steps, group, numbering, units)
            out.append(entry)
        else:
            out.append(_step(block, child, numbering, units))
    return out


def count_steps(blocks: tuple[Block, ...]) -> int:
    """Steps as Garmin counts them: executable steps plus repeat groups."""
    return sum(1 + count_steps(b.steps) if isinstance(b, Repeat) else 1 for b in blocks)


def compress(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Fold consecutive identical runs of blocks into repeats (lossless), shortest pattern first."""
    items = list(blocks)
    changed = True
    while changed:
        changed = False
        for size in range(1, len(items) // 2 + 1):
            i = 0
            out: list[Block] = []
            while i < len(items):
                pattern = items[i : i + size]
                count = 1
                while (
                    items[i + count * size : i + (count + 1) * size] == pattern
                    and len(pattern) == size
                ):
                    count += 1
                if count > 1:
                    body = tuple(pattern)
                    out.append(Repeat(count=count, steps=body))
                    i += count * size
                    changed = True
                else:
                    out.append(items[i])
                    i += 1
            items = out
            if changed:
                break
    return tuple(items)


def encode_workout(session: Session, *, max_hr: int | None = None) -> Encoded[dict[str, Any]]:
    """The workout JSON for one session (the Garmin destination appends its marker)."""
    caveats: list[Caveat] = []
    blocks = session.steps
    if count_steps(blocks) > MAX_STEPS:
        blocks = compress(blocks)
        if count_steps(blocks) > MAX_STEPS:
            raise EncodeError(
                f"session {session.describe()} has {count_steps(blocks)} steps; Garmin Connect "
                f"takes at most {MAX_STEPS}",
                "split it into two sessions, or write repeated parts as { repeat = N, steps = [...] }",
            )
        caveats.append(
            caveat(
                session,
                "degraded",
                "repeated steps folded into repeats (the same run)",
                f"folded repeated steps into repeats to stay within Garmin's {MAX_STEPS}-step "
                "limit",
            )
        )
    for step in iter_steps(blocks):
        if step.ramp is not None:
            # Garmin Connect's workout steps hold one steady target (docs/destinations.md).
            caveats.append(
                caveat(
                    session,
                    "degraded",
                    "ramp → a steady range",
                    "Garmin Connect has no ramp target; the ramp is sent as a range of its ends",
                )
            )
        if isinstance(step.target, RpeTarget):
            caveats.append(
                caveat(
                    session,
                    "degraded",
                    "RPE → the step's notes",
                    f"Garmin has no RPE target; 'RPE {step.target.value:g}' is in the step's notes",
                )
            )
    if session.indoor:
        # No treadmill workout type in Garmin Connect's workout JSON (docs/dsl.md, treadmill runs).
        caveats.append(
            caveat(
                session,
                "degraded",
                "treadmill → only the description says so",
                "Garmin Connect has no treadmill workout; the description says it is one",
                warn=False,
            )
        )
    if len(session.name) > MAX_NAME:
        caveats.append(
            caveat(
                session,
                "degraded",
                f"name cut to {MAX_NAME} characters",
                f"Garmin Connect keeps {MAX_NAME} characters of a workout's name",
                warn=False,
            )
        )
    description = describe_session(session)
    sport = sport_type(session.sport)
    payload: dict[str, Any] = {
        # Garmin keeps names up to 256 characters and cuts silently beyond (garmin_mcp #352;
        # the recorded WorkoutEdgeCasesOutput.json).
        "workoutName": session.name[:MAX_NAME],
        "description": description,
        "sportType": sport,
        "estimatedDurationInSecs": int(session.estimated_duration_s),
        "estimatedDistanceInMeters": float(session.estimated_distance_m),
        "author": {},
        "workoutSegments": [
            {
                "segmentOrder": 1,
                "sportType": sport,
                "workoutSteps": _blocks(blocks, None, _Numbering(), session.units),
            }
        ],
    }
    return Encoded(payload, tuple(dict.fromkeys(caveats)))
