"""Write model sessions as the workout language's TOML: the inverse of the plan compiler.

Every imported workout (workouts/import_*.py) becomes a `Session` of the model; this module
writes it as `[[session]]` tables (or, for saved workouts without a date, `[workout.KEY]`
tables: `library_toml`) whose steps read back (through `dsl.parse_step` and the plan compiler) to
the same steps. What it writes, per step, is `[kind] AMOUNT [@ TARGET] [-- note]`:

- a pace is written in the plan's units, to the tenth of a second when the source had one; a
  pace range that is one of the athlete's named paces (within half a second per km at both ends)
  is written as that name; a pace range that is exactly a single pace ± the profile's
  `pace_tolerance` is written as that single pace (it reads back to the same range); an exact
  single value (a range of width 0) is written `4:00-4:00`, never widened by the tolerance;
- heart rate and power likewise: `145bpm` for 142-148, `140-150bpm`, `145-145bpm` for one value;
  zones as `z2` / `pz3`, cadence in spm (rpm for rides), a ramp as `ramp FROM-TO`;
- the language has no step names: a step's name leads its note.

Each step string is read back with `dsl.parse_step` before it is written; a target the language
cannot hold (a pace faster than it accepts, say) is moved into the note, and reported in the
result's `lost` list, so nothing is dropped silently.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from .dsl import parse_step
from .errors import ProgsyncError, StepSyntaxError
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
    RpeTarget,
    Session,
    Sport,
    Step,
    Target,
)
from .profile import PACE_NAMES, Profile
from .units import METRES_PER_UNIT, Units, format_duration, pace_in_units

#: Two paces closer than this (s/km) are the same pace: a FIT speed is kept in mm/s and a
#: Garmin speed in m/s to 6 places, which moves a pace by less than 0.1 s/km.
PACE_SLACK = 0.5
_PERCENT_HR = re.compile(r"\d{2,3}(?:-\d{2,3})?%(?:max|lthr)")


@dataclass
class Written:
    """The TOML text and what could not be expressed in the language (each kept as a note)."""

    text: str
    lost: list[str] = field(default_factory=list)


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's), without control characters."""
    clean = "".join(c if c.isprintable() or c in "\n\t" else " " for c in text)
    return json.dumps(clean, ensure_ascii=False)


def format_pace_exact(seconds_per_km: float, units: Units) -> str:
    """A pace in the plan's units, to the tenth of a second when it has one: `4:05`, `4:05.3`."""
    tenths = round(pace_in_units(seconds_per_km, units) * 10)
    minutes, rest = divmod(tenths, 600)
    seconds, tenth = divmod(rest, 10)
    return f"{minutes}:{seconds:02d}" + (f".{tenth}" if tenth else "")


def amount_text(end: End, units: Units) -> str:
    value = end.value or 0.0
    if end.kind == "time":
        return format_duration(value) if float(value).is_integer() else f"{value:g}s"
    if end.kind == "distance":
        miles = value / METRES_PER_UNIT["mi"]
        if units == "mi" and value >= 400 and abs(miles * 100 - round(miles * 100)) < 0.001:
            return f"{round(miles, 2):g}mi"
        if value >= 1000 and abs(value - round(value)) < 0.001:
            return f"{round(value) / 1000:.10g}km"
        return f"{value:.10g}m"
    if end.kind == "hr_below":
        return f"hr<{round(value)}"
    if end.kind == "hr_above":
        return f"hr>{round(value)}"
    if end.kind == "calories":
        return f"{round(value)}kcal"
    return "lap"


def _span(low: float, high: float, unit: str, tolerance: float, ramp: str | None) -> str:
    if ramp == "falling":
        return f"ramp {high:g}-{low:g}{unit}"
    if ramp == "rising":
        return f"ramp {low:g}-{high:g}{unit}"
    if low != high and abs((high - low) - 2 * tolerance) < 1e-9:
        return f"{(low + high) / 2:g}{unit}"
    return f"{low:g}-{high:g}{unit}"


def named_pace(target: PaceTarget, profile: Profile) -> str | None:
    """The athlete's named pace this range is (both ends within `PACE_SLACK`), if any."""
    for name in PACE_NAMES:
        pace = profile.paces.get(name)
        if pace is None:
            continue
        if abs(pace.slow - target.slow) <= PACE_SLACK and abs(pace.fast - target.fast) <= PACE_SLACK:
            return name
    return None


def target_text(
    target: Target, units: Units, profile: Profile, sport: Sport, ramp: str | None = None
) -> str:
    """The language's spelling of a target ("" for none)."""
    if isinstance(target, OpenTarget):
        return ""
    if isinstance(target, PaceTarget):
        slow = format_pace_exact(target.slow, units)
        fast = format_pace_exact(target.fast, units)
        if ramp == "rising":
            return f"ramp {slow}-{fast}"
        if ramp == "falling":
            return f"ramp {fast}-{slow}"
        name = named_pace(target, profile)
        if name:
            return name
        tol = profile.pace_tolerance
        if abs((target.slow - target.fast) - 2 * tol) < 0.05:
            return format_pace_exact(target.centre, units)
        return f"{slow}-{fast}"
    if isinstance(target, HeartRateZoneTarget):
        return f"z{target.zone}"
    if isinstance(target, PowerZoneTarget):
        return f"pz{target.zone}"
    if isinstance(target, HeartRateTarget):
        if ramp is None and _PERCENT_HR.fullmatch(target.label.lower().replace(" ", "")):
            return target.label  # `75-80%max` reads back to the same bpm and exports as a %
        return _span(target.low, target.high, "bpm", 3, ramp)
    if isinstance(target, PowerTarget):
        return _span(target.low, target.high, "w", 5, ramp)
    if isinstance(target, CadenceTarget):
        return _span(target.low, target.high, "rpm" if sport == "bike" else "spm", 3, ramp)
    if isinstance(target, RpeTarget):
        return f"rpe {target.value:g}"
    raise AssertionError(target)  # pragma: no cover - every target kind is handled above


def _clean_note(text: str) -> str:
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def step_text(step: Step, units: Units, profile: Profile, sport: Sport, lost: list[str]) -> str:
    """One step string that `dsl.parse_step` reads back to `step`."""
    head = amount_text(step.end, units)
    if step.kind != "run":
        head = f"{step.kind} {head}"
    notes = [_clean_note(part) for part in (step.name, step.note) if part]
    notes = [n for n in notes if n]
    targets = [target_text(step.target, units, profile, sport, step.ramp)]
    if step.secondary is not None:
        targets.append(target_text(step.secondary, units, profile, sport))
    if not targets[0] and len(targets) > 1:
        targets = [targets[1]]
    wanted = " & ".join(t for t in targets if t)
    candidates = [wanted] if wanted else [""]
    if len(targets) > 1 and all(targets):
        candidates.append(targets[0])
    for index, candidate in enumerate(candidates):
        text = head + (f" @{candidate}" if candidate else "")
        note = " · ".join(notes)
        if index:
            left_out = wanted.split(" & ", 1)[1]
            note = " · ".join([*notes, left_out]) if notes else left_out
            lost.append(f"{head}: the second target {left_out} is in the step's note")
        if note:
            text += " -- " + note.replace("--", "–")
        try:
            parse_step(text, units, profile)
        except (StepSyntaxError, ProgsyncError):
            continue
        return text
    # The language cannot hold this target: keep it as words (a ride's speed in km/h).
    if isinstance(step.target, PaceTarget) and sport == "bike":
        wanted = f"{3600 / step.target.slow:.1f}-{3600 / step.target.fast:.1f} km/h"
    words = " · ".join([*notes, f"target {wanted}"]) if wanted else " · ".join(notes)
    lost.append(f"{head}: target {wanted} kept as a note (the language does not accept it)")
    return head + (" -- " + words.replace("--", "–") if words else "")


def _blocks(
    blocks: tuple[Block, ...], units: Units, profile: Profile, sport: Sport, lost: list[str], indent: str
) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Repeat):
            inner = _blocks(block.steps, units, profile, sport, lost, indent + "  ")
            body = ", ".join(line.strip().rstrip(",") for line in inner)
            out.append(f"{indent}{{ repeat = {block.count}, steps = [{body}] }},")
        else:
            out.append(f"{indent}{toml_string(step_text(block, units, profile, sport, lost))},")
    return out


def session_table(
    session: Session, profile: Profile, *, when: str | None = None, lost: list[str] | None = None
) -> str:
    """One `[[session]]` table. `when` is its date line(s) (default `date = <its date>`)."""
    found: list[str] = [] if lost is None else lost
    lines = ["[[session]]", when if when is not None else f"date = {session.date.isoformat()}"]
    lines.extend(_session_body(session, profile, found, dated=True))
    return "\n".join(lines) + "\n"


def workout_table(
    key: str, session: Session, profile: Profile, *, lost: list[str] | None = None
) -> str:
    """One `[workout.KEY]` table (a reusable workout, dsl.md "Reusable workouts"): the session
    without anything that belongs to a date (its time and id)."""
    found: list[str] = [] if lost is None else lost
    lines = [f"[workout.{key}]", *_session_body(session, profile, found, dated=False)]
    return "\n".join(lines) + "\n"


def _session_body(session: Session, profile: Profile, found: list[str], *, dated: bool) -> list[str]:
    lines = [f"name = {toml_string(session.name)}"]
    if session.sport != "run":
        lines.append(f'sport = "{session.sport}"')
    if dated and session.time is not None:
        lines.append(f'time = "{session.time:%H:%M}"')
    if dated and session.id:
        lines.append(f"id = {toml_string(session.id)}")
    if session.indoor:
        lines.append("indoor = true")
    if session.notes:
        lines.append(f"notes = {toml_string(session.notes)}")
    if session.tags:
        lines.append("tags = [" + ", ".join(toml_string(t) for t in session.tags) + "]")
    steps = _blocks(session.steps, session.units, profile, session.sport, found, "  ")
    lines.append("steps = [")
    lines.extend(steps)
    lines.append("]")
    return lines


def workout_keys(names: list[str]) -> list[str]:
    """A TOML bare key for each name, unique: "Tempo 3 x 10" -> "tempo-3-x-10", then "-2"..."""
    keys: list[str] = []
    for name in names:
        base = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "workout"
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base}-{n}"
        keys.append(key)
    return keys


def library_toml(
    name: str,
    sessions: list[Session],
    profile: Profile,
    *,
    units: Units = "km",
    header: str | None = None,
) -> Written:
    """Saved workouts without dates, as a plan of `[workout.KEY]` tables and no sessions: a
    library to copy from (a session uses one with `workout = "KEY"` and a date)."""
    lost: list[str] = []
    out: list[str] = []
    if header:
        out.extend(f"# {line}".rstrip() for line in header.splitlines())
    keys = workout_keys([s.name for s in sessions])
    example = keys[0] if keys else "NAME"
    out.extend(
        [
            "# A library: each [workout.KEY] below is one saved workout, with no date. Put one on",
            "# the calendar with a session that names it, e.g.",
            "#",
            "#   [[session]]",
            "#   date = 2026-12-01",
            f'#   workout = "{example}"',
            "[plan]",
            f"name = {toml_string(name)}",
            f'units = "{units}"',
            "",
        ]
    )
    for key, session in zip(keys, sessions, strict=True):
        found: list[str] = []
        out.append(workout_table(key, _in_units(session, units), profile, lost=found))
        lost.extend(f"{session.name}: {item}" for item in found)
    return Written("\n".join(out), lost)


_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def plan_toml(
    name: str,
    sessions: list[Session],
    profile: Profile,
    *,
    units: Units = "km",
    dated: bool = True,
    header: str | None = None,
) -> Written:
    """A whole plan file. Undated sessions (`dated` False: workouts read from files) are laid
    out one a day from `start = "next-monday"`, in the order given."""
    lost: list[str] = []
    out: list[str] = []
    if header:
        out.extend(f"# {line}".rstrip() for line in header.splitlines())
    out.append("[plan]")
    out.append(f"name = {toml_string(name)}")
    if dated and sessions:
        out.append(f"start = {min(s.date for s in sessions).isoformat()}")
    else:
        out.append('start = "next-monday"')
    out.append(f'units = "{units}"')
    out.append("")
    for index, session in enumerate(sessions):
        when = None
        if not dated:
            week, day = divmod(index, 7)
            when = f'week = {week + 1}\nday = "{_DAYS[day]}"'
        found: list[str] = []
        out.append(session_table(_in_units(session, units), profile, when=when, lost=found))
        lost.extend(f"{session.name}: {item}" for item in found)
    return Written("\n".join(out), lost)


def _in_units(session: Session, units: Units) -> Session:
    from dataclasses import replace

    return replace(session, units=units) if session.units != units else session

