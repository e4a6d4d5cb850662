"""FIT workout files → the model, decoded with Garmin's own `garmin-fit-sdk` Decoder.

The inverse of `fit`: `workout` gives the name, sport and description, each `workout_step` a step.
The SDK hands back the scaled sub-fields (`duration_time` in s, `duration_distance` in m,
`custom_target_speed_low` in m/s, …) and the raw values: custom heart rate is bpm + 100 (0–100:
% of max HR), custom power W + 1000 (0–1000: % of FTP). A `repeat_until_steps_cmplt` step closes
a loop that starts at the message index in its `duration_value` and runs `target_value` times;
loops nest by pointing further back. A step's name (when it is not the default for its kind)
and notes become its note.
"""

from __future__ import annotations

from typing import Any

from .import_common import Imported, ImportFormatError, Losses, imported_session
from .model import (
    Block,
    CadenceTarget,
    End,
    EndKind,
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

SPORTS: dict[str, Sport] = {"running": "run", "cycling": "bike", "swimming": "swim", "training": "strength",
                            "hiit": "hiit", "generic": "other"}
KINDS: dict[str, StepKind] = {"active": "run", "interval": "run", "rest": "rest", "warmup": "warmup",
                              "cooldown": "cooldown", "recovery": "recover", "other": "run"}
DEFAULT_NAMES = {"Warm up", "Cool down", "Run", "Recover", "Rest"}


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _hr(raw: int, profile: Profile, losses: Losses) -> tuple[int | None, str]:
    """A custom heart-rate value: bpm + 100, or (0-100) a % of max HR."""
    if raw > 100:
        return raw - 100, f"{raw - 100}bpm"
    if profile.max_hr:
        return round(profile.max_hr * raw / 100), f"{raw}%max"
    losses.add(f"{raw}% of max HR: no max_hr in the profile (kept as a note)")
    return None, f"{raw}% of max HR"


def _target(
    kind: Any, value: Any, low: Any, high: Any, profile: Profile, losses: Losses
) -> tuple[Target | None, str | None]:
    zone = _int(value) or 0
    lo, hi = _int(low), _int(high)
    if kind in (None, "open"):
        return None, None
    if kind == "speed" and lo and hi:
        # the SDK gives the raw mm/s here; m/s = raw / 1000
        return PaceTarget(slow=1_000_000 / min(lo, hi), fast=1_000_000 / max(lo, hi), label="imported"), None
    if kind == "heart_rate":
        if zone and 1 <= zone <= 5:
            bounds = profile.hr_zone(zone)
            return HeartRateZoneTarget(zone=zone, low=bounds[0] if bounds else None,
                                       high=bounds[1] if bounds else None, label=f"z{zone}"), None
        if lo is not None and hi is not None:
            a, a_words = _hr(lo, profile, losses)
            b, b_words = _hr(hi, profile, losses)
            if a is None or b is None:
                return None, f"heart rate {a_words} to {b_words}"
            label = "imported"
            if lo <= 100 and hi <= 100:
                label = f"{lo}-{hi}%max"
            return HeartRateTarget(low=min(a, b), high=max(a, b), label=label), None
    if kind == "power":
        if zone and 1 <= zone <= 7:
            return PowerZoneTarget(zone=zone, label=f"pz{zone}"), None
        if lo is not None and hi is not None:
            if lo > 1000 and hi > 1000:
                return PowerTarget(low=min(lo, hi) - 1000, high=max(lo, hi) - 1000, label="imported"), None
            if profile.ftp:
                watts = sorted(round(profile.ftp * (v if v <= 1000 else v - 1000) / 100) for v in (lo, hi))
                return PowerTarget(low=watts[0], high=watts[1], label="imported"), None
            losses.add(f"power {lo}-{hi}% of FTP: no ftp in the profile (kept as a note)")
            return None, f"power {lo}-{hi}% of FTP"
    if kind == "cadence" and lo and hi:
        return CadenceTarget(low=min(lo, hi), high=max(lo, hi), label="imported"), None
    words = f"target {kind} {zone or ''} {lo or ''}-{hi or ''}".strip()
    losses.add(f"{words}: not a target the language has (kept as a note)")
    return None, words


def _step(message: dict[str, Any], profile: Profile, losses: Losses) -> Step:
    duration = message.get("duration_type")
    raw = _int(message.get("duration_value"))
    notes: list[str] = []
    end: End
    if duration == "time" and raw:
        end = End(kind="time", value=raw / 1000)
    elif duration == "distance" and raw:
        end = End(kind="distance", value=round(raw / 100, 1))
    elif duration in ("hr_less_than", "hr_greater_than") and raw is not None:
        bpm, words = _hr(raw, profile, losses)
        kind: EndKind = "hr_below" if duration == "hr_less_than" else "hr_above"
        if bpm is None:
            end = End(kind="lap")
            notes.append(f"until {words}")
        else:
            end = End(kind=kind, value=bpm)
    elif duration == "calories" and raw:
        end = End(kind="calories", value=raw)
    elif duration == "open" or raw is None:
        end = End(kind="lap")
    else:
        losses.add(f"a step that ends on {duration}: it ends on the lap button (kept as a note)")
        end = End(kind="lap")
        notes.append(f"until {duration} {raw}")
    target, target_words = _target(message.get("target_type"), message.get("target_value"),
                            message.get("custom_target_value_low"),
                            message.get("custom_target_value_high"), profile, losses)
    secondary, secondary_words = _target(
        message.get("secondary_target_type"), message.get("secondary_target_value"),
        message.get("secondary_custom_target_value_low"),
        message.get("secondary_custom_target_value_high"), profile, losses)
    name = message.get("wkt_step_name")
    if isinstance(name, str) and name.strip() and name.strip() not in DEFAULT_NAMES:
        notes.insert(0, name.strip())
    text = message.get("notes")
    if isinstance(text, str) and text.strip() and (not notes or text.strip() not in notes[0]):
        notes.append(text.strip())
    notes.extend(w for w in (target_words, secondary_words) if w)
    return Step(
        kind=KINDS.get(str(message.get("intensity") or "active"), "run"),
        end=end,
        target=target or OpenTarget(),
        secondary=secondary,
        note=" · ".join(notes) or None,
    )


def _nest(messages: list[dict[str, Any]], profile: Profile, losses: Losses) -> list[Block]:
    """The flat step list → blocks: each repeat step wraps the blocks since its first index."""
    out: list[tuple[int, Block]] = []  # (message index where the block starts, block)
    for index, message in enumerate(messages):
        duration = message.get("duration_type")
        if isinstance(duration, str) and duration.startswith("repeat_until"):
            first = _int(message.get("duration_value")) or 0
            body = [block for start, block in out if start >= first]
            out = [(start, block) for start, block in out if start < first]
            if duration == "repeat_until_steps_cmplt":
                count = _int(message.get("target_value")) or 1
                out.append((first, Repeat(count=max(1, count), steps=tuple(body))))
                continue
            what = duration.removeprefix("repeat_until_").replace("_", " ")
            losses.add(f"a repeat until {what}: the language repeats a count of times (kept once, as a note)")
            tagged = [(first, block) for block in body]
            if tagged and isinstance(tagged[0][1], Step):
                first_step = tagged[0][1]
                note = f"repeat until {what} {message.get('target_value')}"
                tagged[0] = (first, Step(**{**{f: getattr(first_step, f) for f in first_step.__slots__},
                                            "note": f"{first_step.note} · {note}" if first_step.note else note}))
            out.extend(tagged)
            continue
        out.append((index, _step(message, profile, losses)))
    return [block for _, block in out]


def read_fit_workout(data: bytes, profile: Profile, *, units: Units = "km", source: str = "workout.fit") -> Imported:
    """One FIT workout file's bytes."""
    from garmin_fit_sdk import Decoder, Stream

    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if not decoder.is_fit():
        raise ImportFormatError(f"{source}: not a FIT file", hint="a FIT workout file starts with a FIT header")
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read()
    if errors:
        raise ImportFormatError(f"{source}: the FIT file is damaged ({errors[0]})")
    steps_messages = messages.get("workout_step_mesgs") or []
    if not steps_messages:
        raise ImportFormatError(f"{source}: not a FIT workout (it has no workout steps)",
                                hint="activity files are read by `progsync review`, not `import`")
    workout = (messages.get("workout_mesgs") or [{}])[0]
    losses = Losses()
    ordered: list[dict[str, Any]] = sorted(
        (dict(m) for m in steps_messages), key=lambda m: _int(m.get("message_index")) or 0
    )
    blocks = _nest(ordered, profile, losses)
    sport = SPORTS.get(str(workout.get("sport") or "running"), "other")
    description = workout.get("wkt_description")
    name = str(workout.get("wkt_name") or source.rsplit("/", 1)[-1].rsplit(".", 1)[0])
    from .import_garmin import own_summary

    if isinstance(description, str):
        description = own_summary(name).sub("", description, count=1)
    session = imported_session(
        name, tuple(blocks), sport=sport,
        notes=description if isinstance(description, str) else None,
        units=units, source_file=source,
        indoor=workout.get("sub_sport") == "treadmill",
    )
    return Imported(session, tuple(losses.items))
