"""FIT workout files, written with Garmin's official `garmin-fit-sdk` Encoder.

The Encoder takes raw field values, so scaling happens here: time in ms, distance in cm, speed in
mm/s, custom heart rate as bpm + 100, custom power as watts + 1000. Repeats are flat: after a
loop's body comes a step with duration type `repeat_until_steps_cmplt` whose duration value is
the message index of the loop's first step and whose target value is the count.

Output is deterministic: `time_created` is the session's own date (and time, if it has one),
and the serial number is derived from the session's identity.

FIT strings have fixed sizes on the device (see `STRING_BYTES`), so text is shortened at word
boundaries, never mid-word, with a priority: the name first, then what the target needs in
words (RPE), then the cue. A step name that does not fit whole is repeated in full in the
step's notes, after the target, so nothing the runner needs during the step is lost.
"""

from __future__ import annotations

import datetime as dt
import zlib
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

MESG_FILE_ID = 0
MESG_WORKOUT = 26
MESG_WORKOUT_STEP = 27
FIT_MANUFACTURER_DEVELOPMENT = 255
#: Usable bytes of each FIT string field (the array size minus its NUL terminator). The sizes
#: are the ones Garmin's C SDK allocates (garmin/fit-c-sdk `fit_example.h`:
#: FIT_WORKOUT_MESG_WKT_NAME_COUNT 16, FIT_WORKOUT_STEP_MESG_WKT_STEP_NAME_COUNT 16,
#: FIT_WORKOUT_STEP_MESG_NOTES_COUNT 50); `wkt_description` has no size there, and 100 bytes
#: is progsync's own choice.
STRING_BYTES = {"wkt_name": 15, "wkt_step_name": 15, "notes": 49, "wkt_description": 100}
MAX_STRING_BYTES = 100
_TRAILING = " \t,;:·-–—+&/(["
_SENTENCE_END = ".!?;"

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
    """A FIT string: no control characters (a NUL ends a FIT string), at most 100 UTF-8 bytes,
    cut at a word boundary."""
    return shorten(value, MAX_STRING_BYTES)


def _clean(value: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in value).split())


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def shorten(value: str | None, limit: int) -> str | None:
    """`value` in at most `limit` UTF-8 bytes, cut only between words (None if no word fits).

    A cut prefers the end of a sentence when that keeps at least half the room, so a long
    description loses its last sentence rather than ending "…Finish st". Separators left
    dangling at the cut (`,`, `·`, `+`, `-`) are dropped."""
    if not value:
        return None
    text = _clean(value)
    if _size(text) <= limit:
        return text or None
    best: str | None = None
    sentence: str | None = None
    for index, char in enumerate(text):
        if char != " ":
            continue
        candidate = text[:index].rstrip(_TRAILING)
        if not candidate or _size(candidate) > limit:
            if _size(text[:index]) > limit:
                break
            continue
        best = candidate
        if candidate[-1] in _SENTENCE_END:
            sentence = candidate
    if sentence is not None and _size(sentence) * 2 >= limit:
        return sentence
    return best


def step_strings(step: Step) -> tuple[str, str | None]:
    """(wkt_step_name, notes) of a step, each within its FIT size.

    The name gets its own field; what the notes hold comes in priority order — the target in
    words (RPE, which no FIT target carries), the full name when it had to be shortened, then
    the cue — each part whole if it fits, the last one shortened at a word boundary."""
    full = _clean(step.name or _default_name(step))
    name = shorten(full, STRING_BYTES["wkt_step_name"])
    parts: list[str] = []
    if isinstance(step.target, RpeTarget):
        parts.append(f"RPE {step.target.value:g}")
    if name != full:
        parts.append(full)
    if name is None:
        name = _default_name(step)
    if step.note:
        parts.append(_clean(step.note))
    return name, join_within(parts, STRING_BYTES["notes"])


def join_within(parts: list[str], limit: int, separator: str = " · ") -> str | None:
    """Parts joined by `separator` in order, within `limit` bytes; the first part that does not
    fit whole is shortened at a word boundary and ends the text."""
    out = ""
    for part in parts:
        if not part:
            continue
        glue = separator if out else ""
        joined = out + glue + part
        if _size(joined) <= limit:
            out = joined
            continue
        rest = shorten(part, limit - _size(out + glue))
        if rest:
            out += glue + rest
        break
    return out or None


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
    if isinstance(target, CadenceTarget):
        # the custom_target_cadence_low/high subfields (Profile.xlsx); written as the plan
        # says them, in steps per minute, the unit Garmin Connect uses for running cadence
        return TARGET_TYPES["cadence"], 0, target.low, target.high
    raise EncodeError(f"no FIT target for {target!r}")  # pragma: no cover


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
            step_name, notes = step_strings(block)
            message: dict[str, Any] = {
                "mesg_num": MESG_WORKOUT_STEP,
                "message_index": len(out),
                "wkt_step_name": step_name,
                "duration_type": duration_type,
                "duration_value": duration_value,
                "target_type": target_type,
                "target_value": target_value,
                "custom_target_value_low": low,
                "custom_target_value_high": high,
                "intensity": INTENSITY[block.kind],
                "notes": notes,
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


def workout_name(session: Session) -> str:
    """The session's name within `wkt_name` (its sport's name if not even one word fits)."""
    return shorten(session.name, STRING_BYTES["wkt_name"]) or {"run": "Run"}.get(
        session.sport, session.sport.capitalize()
    )


def fit_caveats(session: Session) -> tuple[Caveat, ...]:
    """What the FIT file does not carry exactly: text cut to the device's string sizes (the
    workout's name to 15 bytes, a step's name and notes, the description) and RPE in words."""
    out: list[Caveat] = []
    name = workout_name(session)
    if name != _clean(session.name):
        out.append(
            caveat(
                session,
                "degraded",
                f"name cut to '{name}' ({STRING_BYTES['wkt_name']} bytes)",
                f"a FIT workout name holds {STRING_BYTES['wkt_name']} bytes; the watch shows "
                f"'{name}'",
                warn=False,
            )
        )
    description = _clean(describe_session(session))
    if description and shorten(description, STRING_BYTES["wkt_description"]) != description:
        out.append(
            caveat(
                session,
                "degraded",
                f"description cut to {STRING_BYTES['wkt_description']} bytes",
                f"the FIT description holds {STRING_BYTES['wkt_description']} bytes; the rest "
                "of it is left out",
                warn=False,
            )
        )
    for step in iter_steps(session.steps):
        if step.ramp is not None:
            # A FIT workout_step has one steady target (FIT profile, workout_step).
            out.append(
                caveat(
                    session,
                    "degraded",
                    "ramp → a steady range",
                    "a FIT workout step has no ramp; the ramp is a range of its ends",
                )
            )
        if isinstance(step.target, RpeTarget):
            out.append(
                caveat(
                    session,
                    "degraded",
                    "RPE → the step's notes",
                    f"FIT has no RPE target; 'RPE {step.target.value:g}' is in the step's notes",
                    warn=False,
                )
            )
        full = _clean(step.name or _default_name(step))
        named, notes = step_strings(step)
        wanted = [full] if named != full else []
        if step.note:
            wanted.append(_clean(step.note))
        if any(part not in (notes or "") for part in wanted):
            out.append(
                caveat(
                    session,
                    "degraded",
                    f"a step's name or notes cut to {STRING_BYTES['notes']} bytes",
                    f"a FIT step's notes hold {STRING_BYTES['notes']} bytes; step '{full}' lost "
                    "part of its name or cue",
                    warn=False,
                )
            )
    return tuple(dict.fromkeys(out))


def encode_fit(session: Session, *, max_hr: int | None = None) -> Encoded[bytes]:
    """The FIT workout file of one session, as bytes, and what it could not hold whole."""
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
        "wkt_name": workout_name(session),
        "sport": SPORTS.get(session.sport, 0),
        # sub_sport 1 = treadmill (FIT profile, types.sub_sport)
        "sub_sport": 1 if session.indoor and session.sport == "run" else 0,
        "num_valid_steps": len(steps),
    }
    description = shorten(describe_session(session), STRING_BYTES["wkt_description"])
    if description:
        workout["wkt_description"] = description
    encoder.write_mesg(workout)
    for step in steps:
        encoder.write_mesg(step)
    return Encoded(bytes(encoder.close()), fit_caveats(session))
