"""FIT workout files, written with Garmin's official `garmin-fit-sdk` Encoder.

The Encoder takes raw field values, so scaling happens here: time in ms, distance in cm, speed in
mm/s, custom heart rate as bpm + 100, custom power as watts + 1000. Repeats are flat: after a
loop's body comes a step with duration type `repeat_until_steps_cmplt` whose duration value is
the message index of the loop's first step and whose target value is the count.

Output is deterministic: `time_created` is the session's own date (and time, if it has one),
and the serial number is derived from the session's identity.
"""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

from .garmin_json import EncodeError, describe_session
from .model import (
    Block,
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
)

MESG_FILE_ID = 0
MESG_WORKOUT = 26
MESG_WORKOUT_STEP = 27
FIT_MANUFACTURER_DEVELOPMENT = 255
MAX_STRING_BYTES = 100

DURATION_TYPES = {
    "time": 0,
    "distance": 1,
    "hr_below": 2,
    "hr_above": 3,
    "calories": 4,
    "lap": 5,
    "repeat": 6,
}
TARGET_TYPES = {"speed": 0, "heart_rate": 1, "open": 2, "cadence": 3, "power": 4}
INTENSITY = {"run": 0, "rest": 1, "warmup": 2, "cooldown": 3, "recover": 4}
SPORTS = {
    "run": 1,
    "bike": 2,
    "swim": 5,
    "strength": 10,
    "cardio": 10,
    "yoga": 10,
    "hiit": 62,
    "mobility": 10,
    "other": 0,
}


def _text(value: str | None) -> str | None:
    """A FIT string: no control characters (a NUL ends a FIT string), at most 100 UTF-8 bytes."""
    if not value:
        return None
    cleaned = "".join(c if c.isprintable() else " " for c in value).strip()
    data = cleaned.encode("utf-8")[:MAX_STRING_BYTES]
    return data.decode("utf-8", "ignore").strip() or None


def _duration(step: Step) -> tuple[int, int | None]:
    value = step.end.value
    kind = step.end.kind
    if kind == "time":
        return DURATION_TYPES["time"], round((value or 0) * 1000)
    if kind == "distance":
        return DURATION_TYPES["distance"], round((value or 0) * 100)
    if kind in ("hr_below", "hr_above"):
        return DURATION_TYPES[kind], round(value or 0) + 100
    if kind == "calories":
        return DURATION_TYPES["calories"], round(value or 0)
    return DURATION_TYPES["lap"], None


def _target(target: Target | None) -> tuple[int, int | None, int | None, int | None]:
    """(target_type, target_value, custom_low, custom_high) in raw FIT units."""
    if target is None or isinstance(target, OpenTarget | RpeTarget):
        return TARGET_TYPES["open"], None, None, None
    if isinstance(target, PaceTarget):
        return (
            TARGET_TYPES["speed"],
            0,
            round(target.slow_mps * 1000),
            round(target.fast_mps * 1000),
        )
    if isinstance(target, HeartRateTarget):
        return TARGET_TYPES["heart_rate"], 0, target.low + 100, target.high + 100
    if isinstance(target, HeartRateZoneTarget):
        return TARGET_TYPES["heart_rate"], target.zone, None, None
    if isinstance(target, PowerTarget):
        return TARGET_TYPES["power"], 0, target.low + 1000, target.high + 1000
    if isinstance(target, PowerZoneTarget):
        return TARGET_TYPES["power"], target.zone, None, None
    raise EncodeError(f"no FIT target for {target!r}")  # pragma: no cover


def _notes(step: Step) -> str | None:
    parts = []
    if isinstance(step.target, RpeTarget):
        parts.append(f"RPE {step.target.value:g}")
    if step.note:
        parts.append(step.note)
    return _text(" · ".join(parts))


def workout_steps(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """The flat list of `workout_step` messages (raw values) for a block tree."""
    out: list[dict[str, Any]] = []

    def add(items: tuple[Block, ...]) -> None:
        for block in items:
            if isinstance(block, Repeat):
                first = len(out)
                add(block.steps)
                out.append(
                    {
                        "mesg_num": MESG_WORKOUT_STEP,
                        "message_index": len(out),
                        "duration_type": DURATION_TYPES["repeat"],
                        "duration_value": first,
                        "target_type": TARGET_TYPES["open"],
                        "target_value": block.count,
                        "intensity": INTENSITY["run"],
                    }
                )
                continue
            duration_type, duration_value = _duration(block)
            target_type, target_value, low, high = _target(block.target)
            message: dict[str, Any] = {
                "mesg_num": MESG_WORKOUT_STEP,
                "message_index": len(out),
                "wkt_step_name": _text(block.name or _default_name(block)),
                "duration_type": duration_type,
                "duration_value": duration_value,
                "target_type": target_type,
                "target_value": target_value,
                "custom_target_value_low": low,
                "custom_target_value_high": high,
                "intensity": INTENSITY[block.kind],
                "notes": _notes(block),
            }
            if block.secondary is not None:
                s_type, s_value, s_low, s_high = _target(block.secondary)
                message.update(
                    {
                        "secondary_target_type": s_type,
                        "secondary_target_value": s_value,
                        "secondary_custom_target_value_low": s_low,
                        "secondary_custom_target_value_high": s_high,
                    }
                )
            out.append({k: v for k, v in message.items() if v is not None})

    add(blocks)
    return out


def _default_name(step: Step) -> str:
    return {
        "warmup": "Warm up",
        "cooldown": "Cool down",
        "run": "Run",
        "recover": "Recover",
        "rest": "Rest",
    }[step.kind]


def encode_fit(session: Session) -> bytes:
    """The FIT workout file of one session, as bytes."""
    from garmin_fit_sdk import Encoder

    steps = workout_steps(session.steps)
    if len(steps) > 0xFFFE:
        raise EncodeError(f"session {session.describe()} has too many steps for a FIT file")
    created = dt.datetime.combine(session.date, session.time or dt.time(0, 0), tzinfo=dt.UTC)
    encoder = Encoder()
    encoder.write_mesg(
        {
            "mesg_num": MESG_FILE_ID,
            "type": 5,
            "manufacturer": FIT_MANUFACTURER_DEVELOPMENT,
            "product": 0,
            "serial_number": zlib.crc32(session.identity.encode()) & 0x7FFFFFFF or 1,
            "time_created": created,
        }
    )
    workout: dict[str, Any] = {
        "mesg_num": MESG_WORKOUT,
        "wkt_name": _text(session.name),
        "sport": SPORTS.get(session.sport, 0),
        "sub_sport": 0,
        "num_valid_steps": len(steps),
    }
    description = _text(describe_session(session))
    if description:
        workout["wkt_description"] = description
    encoder.write_mesg(workout)
    for step in steps:
        encoder.write_mesg(step)
    return bytes(encoder.close())
