"""Reading and writing durations, distances and paces as people write them.

Internally time is seconds, distance is metres and pace is seconds per kilometre.
"""

from __future__ import annotations

import re
from typing import Literal

from .errors import StepSyntaxError

Units = Literal["km", "mi"]
METRES_PER_UNIT: dict[str, float] = {"km": 1000.0, "mi": 1609.344}

_TIME_UNITS = {"h": "h", "hr": "h", "min": "min", "mins": "min", "s": "s", "sec": "s", "secs": "s"}
_TIME_PART = re.compile(r"(\d+(?:\.\d+)?)(mins|min|secs|sec|hr|h|s)")
_TIME_FULL = re.compile(r"(?:\d+(?:\.\d+)?(?:mins|min|secs|sec|hr|h|s))+")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_DISTANCE = re.compile(r"(\d+(?:\.\d+)?)(m|km|mi|k)?")
_PACE = re.compile(r"(\d{1,2}):(\d{2})(?:\.(\d))?")


def parse_duration(text: str) -> float:
    """`90s`, `10min`, `1h`, `1h15min`, `1:15:00` or `45:00` → seconds."""
    raw = text.strip().lower().replace(" ", "")
    if _TIME_FULL.fullmatch(raw):
        seen: set[str] = set()
        total = 0.0
        for number, unit in _TIME_PART.findall(raw):
            key = _TIME_UNITS[unit]
            if key in seen:
                raise StepSyntaxError(f"'{text}' names the same unit twice", end=len(text))
            seen.add(key)
            total += float(number) * {"h": 3600, "min": 60, "s": 1}[key]
        return total
    clock = _CLOCK.fullmatch(raw)
    if clock:
        a, b, c = clock.groups()
        if c is None:
            return int(a) * 60 + int(b)
        return int(a) * 3600 + int(b) * 60 + int(c)
    raise StepSyntaxError(
        f"'{text}' is not a duration",
        hint="write time as 90s, 10min, 1h or 1h15min",
        end=len(text),
    )


def is_duration(text: str) -> bool:
    return bool(_TIME_FULL.fullmatch(text.strip().lower().replace(" ", "")))


def parse_distance(text: str, units: Units) -> float:
    """`400m`, `2km`, `1.5mi`, or a bare number in the plan's units → metres."""
    raw = text.strip().lower().replace(" ", "")
    match = _DISTANCE.fullmatch(raw)
    if not match:
        raise StepSyntaxError(
            f"'{text}' is not a distance",
            hint="write distance as 400m, 2km or 1.5mi",
            end=len(text),
        )
    value = float(match.group(1))
    unit = match.group(2) or units
    if unit == "m":
        return value
    if unit == "k":
        unit = "km"
    return value * METRES_PER_UNIT[unit]


def parse_pace(text: str, units: Units) -> float:
    """`4:00`, `4:00/km`, `6:30/mi` → seconds per kilometre."""
    raw = text.strip().lower().replace(" ", "")
    unit: str = units
    for suffix in ("/km", "/mi"):
        if raw.endswith(suffix):
            unit = suffix[1:]
            raw = raw[: -len(suffix)]
    match = _PACE.fullmatch(raw)
    if not match:
        raise StepSyntaxError(
            f"'{text}' is not a pace",
            hint="write pace as minutes:seconds, e.g. 4:05 or 6:30/mi",
            end=len(text),
        )
    minutes, seconds, tenths = match.groups()
    if int(seconds) >= 60:
        raise StepSyntaxError(
            f"'{text}' has {seconds} seconds", hint="seconds run from 00 to 59", end=len(text)
        )
    per_unit = int(minutes) * 60 + int(seconds) + (int(tenths) / 10 if tenths else 0)
    return per_unit * 1000.0 / METRES_PER_UNIT[unit]


def pace_in_units(seconds_per_km: float, units: Units) -> float:
    return seconds_per_km * METRES_PER_UNIT[units] / 1000.0


def format_pace(seconds_per_km: float, units: Units, suffix: bool = True) -> str:
    """Seconds per km → `4:05/km` (or per mile), rounded to the second."""
    total = int(round(pace_in_units(seconds_per_km, units)))
    text = f"{total // 60}:{total % 60:02d}"
    return f"{text}/{units}" if suffix else text


def format_duration(seconds: float) -> str:
    """Seconds → `45s`, `10min`, `1h15min`, `2min30s` (the DSL's own spelling)."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}min")
    if secs or not parts:
        parts.append(f"{secs}s")
    return "".join(parts)


def format_clock(seconds: float) -> str:
    """Seconds → `1:05:00` or `45:00`."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def format_distance(metres: float, units: Units) -> str:
    """Metres → `400m`, `2km`, `1.5mi` (the DSL's own spelling)."""
    if (units == "km" and metres < 1000) or (units == "mi" and metres < 800):
        return f"{metres:g}m"
    value = metres / METRES_PER_UNIT[units]
    return f"{round(value, 2):g}{units}"
