"""Intervals.icu workout text (and the event or library-workout JSON around it) → the model.

The grammar read is the one `intervals_text` writes and Intervals.icu documents (forum threads
1163 "Workout builder" and 123701 "Workout builder syntax quick guide";
/docs/destinations.md): a line starting with `-` is a step; `Nx` alone on a line (or ending a
heading) opens a repeat that runs to the next blank line; `Warmup` / `Cooldown` headings make
their steps warm-up / cool-down steps; durations `1h2m30s`, `10m` (minutes), `30s`, `5'`, `30"`;
distances `2km`, `1mi`, `400mtr`; targets `4:30/km Pace`, `5:10-4:50/km Pace`, `Z2 HR`,
`70-80% HR` (of max HR), `90-95% LTHR`, `200-240w`, `Z3` or `75%` alone (power: a zone, % of
FTP), `90rpm`; `ramp` before a range; `Press lap` ends the step on the lap button (its duration
is a placeholder). The text before the first duration is the step's cue: its note.

Pace zones and % of threshold pace have no equivalent in the language unless the profile has a
threshold pace; what cannot be read into a target is kept as the step's note and reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .import_common import Imported, ImportFormatError, Losses, imported_session
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
    RampDirection,
    Repeat,
    Sport,
    Step,
    StepKind,
    Target,
)
from .profile import Profile
from .units import METRES_PER_UNIT, Units

SPORTS: dict[str, Sport] = {"run": "run", "virtualrun": "run", "trailrun": "run", "ride": "bike",
                            "virtualride": "bike", "gravelride": "bike", "mountainbikeride": "bike",
                            "swim": "swim", "weighttraining": "strength", "yoga": "yoga",
                            "workout": "other", "walk": "other", "hike": "other"}

_REPEAT = re.compile(r"^(.*?)(?<![\w.])(\d+)\s*[x×]\s*$", re.IGNORECASE)
_DURATION = re.compile(r"(?<![\w:.])(?:(\d+)h)?(?:(\d+)m(?![a-z]))?(?:(\d+)s)?(?![\w/])", re.IGNORECASE)
_PRIME = re.compile(r"(?<![\w.])(\d+)(['\"])")
_DISTANCE = re.compile(r"(?<![\w.:])(\d+(?:\.\d+)?)\s*(km|mi|mtr)\b", re.IGNORECASE)
_PACE = re.compile(
    r"(\d{1,2}:\d{2}(?:\.\d)?)(?:\s*-\s*(\d{1,2}:\d{2}(?:\.\d)?))?\s*/\s*(km|mi)\s+pace\b", re.IGNORECASE
)
_PCT_PACE = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*%\s*pace\b", re.IGNORECASE)
_ZONE_PACE = re.compile(r"\bz(\d)\s*pace\b", re.IGNORECASE)
_ZONE_HR = re.compile(r"\bz(\d)\s*(?:hr|lthr)\b", re.IGNORECASE)
_PCT_HR = re.compile(r"(\d+)(?:\s*-\s*(\d+))?\s*%\s*(hr|lthr)\b", re.IGNORECASE)
_WATTS = re.compile(r"(\d+)(?:\s*-\s*(\d+))?\s*w\b", re.IGNORECASE)
_PCT_POWER = re.compile(r"(\d+(?:\.\d+)?)(?:\s*-\s*(\d+(?:\.\d+)?))?\s*%(?!\s*(?:hr|lthr|pace|mmp)\b)", re.IGNORECASE)
_ZONE_POWER = re.compile(r"\bz(\d)\b(?!\s*(?:hr|lthr|pace))", re.IGNORECASE)
_RPM = re.compile(r"(\d+)(?:\s*-\s*(\d+))?\s*rpm\b", re.IGNORECASE)
_LAP = re.compile(r"\bpress\s*lap\b", re.IGNORECASE)
_RAMP = re.compile(r"\bramp\b", re.IGNORECASE)
_FREERIDE = re.compile(r"\bfree\s*ride\b", re.IGNORECASE)
_INTENSITY = re.compile(r"\bintensity\s*=\s*(\w+)", re.IGNORECASE)
_HEADINGS: dict[str, StepKind] = {"warmup": "warmup", "warm up": "warmup", "warm-up": "warmup",
                                  "cooldown": "cooldown", "cool down": "cooldown", "cool-down": "cooldown"}


def _seconds(pace: str) -> float:
    minutes, _, rest = pace.partition(":")
    return int(minutes) * 60 + float(rest)


def _ramp(first: float, second: float, pace: bool) -> RampDirection:
    if pace:
        return "rising" if first > second else "falling"
    return "rising" if first < second else "falling"


class _Line:
    """One step line, consumed token by token: what is left at the end is the cue."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.first = len(text)

    def take(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        match = pattern.search(self.text)
        if match is None or not match.group(0).strip():
            return None
        self.first = min(self.first, match.start())
        self.text = self.text[: match.start()] + " " * len(match.group(0)) + self.text[match.end() :]
        return match


def _step(
    body: str, kind: StepKind, sport: Sport, profile: Profile, losses: Losses
) -> Step:
    line = _Line(body)
    notes: list[str] = []
    lap = line.take(_LAP) is not None
    ramp = line.take(_RAMP) is not None
    line.take(_FREERIDE)
    intensity = line.take(_INTENSITY)
    if intensity:
        named: dict[str, StepKind] = {
            "warmup": "warmup", "cooldown": "cooldown", "recovery": "recover", "rest": "rest"
        }
        kind = named.get(intensity.group(1).lower(), kind)
    target: Target = OpenTarget()
    direction: RampDirection | None = None
    if m := line.take(_PACE):
        unit = m.group(3).lower()
        a = _seconds(m.group(1)) * 1000 / METRES_PER_UNIT[unit]
        b = _seconds(m.group(2)) * 1000 / METRES_PER_UNIT[unit] if m.group(2) else a
        target = PaceTarget(slow=max(a, b), fast=min(a, b), label="imported")
        direction = _ramp(a, b, True) if ramp and a != b else None
    elif m := line.take(_PCT_PACE):
        threshold = profile.paces.get("threshold")
        a = float(m.group(1))
        b = float(m.group(2)) if m.group(2) else a
        if threshold:
            # % Pace is a share of threshold *speed*: 80% is slower than threshold.
            pa, pb = threshold.centre * 100 / a, threshold.centre * 100 / b
            target = PaceTarget(slow=max(pa, pb), fast=min(pa, pb), label="imported")
            direction = _ramp(pa, pb, True) if ramp and a != b else None
        else:
            notes.append(m.group(0).strip())
            losses.add(f"'{m.group(0).strip()}': % of threshold pace needs a threshold pace in the profile (kept as a note)")
    elif m := line.take(_ZONE_PACE):
        notes.append(m.group(0).strip())
        losses.add(f"'{m.group(0).strip()}': the language has no pace zones (kept as a note)")
    elif m := line.take(_ZONE_HR):
        zone = int(m.group(1))
        bounds = profile.hr_zone(zone) if 1 <= zone <= 5 else None
        if 1 <= zone <= 5 and "lthr" not in m.group(0).lower():
            target = HeartRateZoneTarget(zone=zone, low=bounds[0] if bounds else None,
                                         high=bounds[1] if bounds else None, label=f"z{zone}")
        else:
            notes.append(m.group(0).strip())
            losses.add(f"'{m.group(0).strip()}': not a heart-rate zone of the language (kept as a note)")
    elif m := line.take(_PCT_HR):
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        base_name = "lthr" if m.group(3).lower() == "lthr" else "max"
        base = profile.lthr if base_name == "lthr" else profile.max_hr
        if base:
            lo, hi = round(base * min(a, b) / 100), round(base * max(a, b) / 100)
            label = f"{min(a, b)}-{max(a, b)}%{base_name}" if a != b else f"{a}%{base_name}"
            target = HeartRateTarget(low=lo, high=hi, label=label if not ramp else "imported")
            direction = _ramp(a, b, False) if ramp and a != b else None
        else:
            notes.append(m.group(0).strip())
            what = "lthr" if base_name == "lthr" else "max_hr"
            losses.add(f"'{m.group(0).strip()}': needs {what} in the profile (kept as a note)")
    elif m := line.take(_WATTS):
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        target = PowerTarget(low=min(a, b), high=max(a, b), label="imported")
        direction = _ramp(a, b, False) if ramp and a != b else None
    elif m := line.take(_PCT_POWER):
        a = float(m.group(1))
        b = float(m.group(2)) if m.group(2) else a
        if profile.ftp:
            wa, wb = round(profile.ftp * a / 100), round(profile.ftp * b / 100)
            target = PowerTarget(low=min(wa, wb), high=max(wa, wb), label="imported")
            direction = _ramp(a, b, False) if ramp and a != b else None
        else:
            notes.append(m.group(0).strip() + " FTP")
            losses.add(f"'{m.group(0).strip()}': % of FTP needs ftp in the profile (kept as a note)")
    elif m := line.take(_ZONE_POWER):
        target = PowerZoneTarget(zone=int(m.group(1)), label=f"pz{m.group(1)}")
    secondary: Target | None = None
    if m := line.take(_RPM):
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        cadence = CadenceTarget(low=min(a, b), high=max(a, b), label="imported")
        if isinstance(target, OpenTarget):
            target = cadence
        else:
            secondary = cadence
    end: End | None = None
    if m := line.take(_DISTANCE):
        unit = m.group(2).lower()
        metres = float(m.group(1)) * (1.0 if unit == "mtr" else METRES_PER_UNIT[unit])
        end = End(kind="distance", value=round(metres, 1))
    elif m := line.take(_PRIME):
        value = int(m.group(1)) * (60 if m.group(2) == "'" else 1)
        end = End(kind="time", value=float(value))
    else:
        for match in _DURATION.finditer(line.text):
            if match.group(0) and any(match.groups()):
                h, mi, s = (int(g) if g else 0 for g in match.groups())
                line.take(re.compile(re.escape(match.group(0)) + r"(?![\w/])"))
                end = End(kind="time", value=float(h * 3600 + mi * 60 + s))
                break
    if lap or end is None:
        end = End(kind="lap")
    cue = " ".join(body[: line.first].split()).strip(" -:,")
    rest = " ".join(line.text[line.first :].split()).strip(" -:,")
    words = " ".join(w for w in (cue, rest) if w)
    lowered = words.lower()
    cue_kinds: tuple[tuple[str, StepKind], ...] = (
        ("recover", "recover"), ("recovery", "recover"), ("rest", "rest")
    )
    for word, word_kind in cue_kinds:
        if lowered == word and kind == "run":
            kind, words = word_kind, ""
    if words:
        notes.insert(0, words)
    return Step(kind=kind, end=end, target=target, secondary=secondary,
                note=" · ".join(notes) or None, ramp=direction)


def read_intervals_text(
    text: str, profile: Profile, *, name: str = "Intervals.icu workout", sport: Sport = "run",
    units: Units = "km", date: dt.date | None = None, source: str = "workout",
) -> Imported:
    """An Intervals.icu workout description."""
    losses = Losses()
    blocks: list[Block] = []
    notes: list[str] = []
    repeat: tuple[int, list[Step]] | None = None
    heading: StepKind | None = None

    def close() -> None:
        nonlocal repeat
        if repeat is not None:
            if repeat[1]:
                blocks.append(Repeat(count=repeat[0], steps=tuple(repeat[1])))
            repeat = None

    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            close()
            heading = None
            continue
        if stripped.startswith("-"):
            kind = heading or "run"
            step = _step(stripped[1:], kind, sport, profile, losses)
            if repeat is not None:
                repeat[1].append(step)
            else:
                blocks.append(step)
            continue
        close()
        if m := _REPEAT.match(stripped):
            repeat = (max(1, int(m.group(2))), [])
            heading = None
            continue
        lowered = stripped.lower().rstrip(":")
        if lowered in _HEADINGS:
            heading = _HEADINGS[lowered]
            continue
        heading = None
        if not blocks:
            notes.append(stripped)
        else:
            notes.append(stripped)
            losses.add(f"the line '{stripped}' between steps is kept in the session's notes")
    close()
    if not blocks:
        raise ImportFormatError(
            f"{source}: no workout steps (lines starting with '-')",
            hint="an Intervals.icu workout is lines like '- 10m Z2 HR' and '5x' before a block",
        )
    session = imported_session(name, tuple(blocks), sport=sport, notes="\n".join(notes) or None,
                               units=units, date=date, source_file=source)
    return Imported(session, tuple(losses.items))


def read_intervals_event(
    data: Any, profile: Profile, *, units: Units = "km", source: str = "workout.json"
) -> Imported:
    """An Intervals.icu event (`/events`) or library workout (`/workouts`) as JSON."""
    if not isinstance(data, Mapping):
        raise ImportFormatError(f"{source}: not an Intervals.icu event or workout")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ImportFormatError(
            f"{source}: the Intervals.icu item has no workout text (description)",
            hint="progsync reads the workout from its description; workout_doc alone is not read",
        )
    kind = str(data.get("type") or "Run").lower()
    date = None
    start = data.get("start_date_local")
    if isinstance(start, dt.datetime):
        date = start.date()
    elif isinstance(start, dt.date):
        date = start
    elif isinstance(start, str) and len(start) >= 10:
        try:
            date = dt.date.fromisoformat(start[:10])
        except ValueError:
            date = None
    return read_intervals_text(description, profile, name=str(data.get("name") or "Intervals.icu workout"),
                               sport=SPORTS.get(kind, "other"), units=units, date=date, source=source)
