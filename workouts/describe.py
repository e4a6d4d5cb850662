"""A session's steps as a person reads them: "10 min easy 5:10–5:30/km, then 10 min at 4:00/km".

The calendar feed (`workouts/ics.py`) puts this text in each event's description, where no
watch reads it: it is for the runner glancing at a phone calendar. It reads the resolved model
only (paces already numbers, repeats kept as repeats), like every encoder. Pace ranges are
written fast to slow with an en dash, as runners write them (the terminal table of `show` keeps
the model's slow-fast order); a pace written as one number in the plan is shown as that number.

`describe_end` is also the one describer of step lengths for the terminal tables, the report
and review (`compact=True`: the DSL's own spelling, `10min`, `until HR < 130`).
"""

from __future__ import annotations

import re

from .model import (
    Block,
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
    Step,
    Target,
)
from .units import (
    METRES_PER_UNIT,
    Units,
    format_clock,
    format_distance,
    format_duration,
    format_pace,
)

#: Named paces that read as an adjective before the range (`easy 5:10-5:30/km`).
_ADJECTIVES = ("easy", "recovery")
_PACE_LITERAL = re.compile(r"\d{1,2}:\d{2}(?:\.\d)?(?:/(?:km|mi))?")
_KIND_PREFIX = {"warmup": "warm-up ", "cooldown": "cool-down "}


def describe_duration(seconds: float) -> str:
    """Seconds → `45 s`, `10 min`, `90 min`, `2 min 30 s`, `2 h 15 min` (hours from 2 h on)."""
    total = int(round(seconds))
    hours, rest = divmod(total, 3600) if total >= 7200 else (0, total)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


def describe_length(metres: float, units: Units) -> str:
    """Metres → `400 m`, `1 km`, `1.5 mi` (in the plan's units from a kilometre or a half mile)."""
    if (units == "km" and metres < 1000) or (units == "mi" and metres < 800):
        return f"{round(metres):d} m"
    return f"{round(metres / METRES_PER_UNIT[units], 2):g} {units}"


#: Words for the ends that are not a length, as (compact, prose): the terminal table and the
#: report write `until HR < 130`, a calendar reads `until HR is below 130 bpm`.
_END_WORDS = {
    "hr_below": ("until HR < {value:g}", "until HR is below {value:g} bpm"),
    "hr_above": ("until HR > {value:g}", "until HR is above {value:g} bpm"),
    "calories": ("{value:g} kcal", "{value:g} kcal"),
    "lap": ("until lap", "until you press lap"),
}


def describe_end(end: End, units: Units, *, compact: bool = False) -> str:
    """How a step ends, in prose (`10 min`, `1.5 mi`) or in the DSL's own compact spelling
    (`10min`, `1.5mi`) for tables; the one describer of step lengths."""
    if end.kind == "time":
        return format_duration(end.value or 0) if compact else describe_duration(end.value or 0)
    if end.kind == "distance":
        metres = end.value or 0
        return format_distance(metres, units) if compact else describe_length(metres, units)
    short, prose = _END_WORDS.get(end.kind, _END_WORDS["lap"])
    return (short if compact else prose).format(value=end.value or 0)


def pace_range(target: PaceTarget, units: Units) -> str:
    """`5:10–5:30/km`, or one pace when the range rounds to a single second."""
    fast = format_pace(target.fast, units, suffix=False)
    slow = format_pace(target.slow, units, suffix=False)
    return f"{fast}/{units}" if fast == slow else f"{fast}–{slow}/{units}"


def _pace_words(target: PaceTarget, units: Units) -> str:
    label = target.label.strip()
    if label.lower() in _ADJECTIVES:
        return f"{label.lower()} {pace_range(target, units)}"
    if _PACE_LITERAL.fullmatch(label.lower()):
        # A single pace written in the plan: the number the runner wrote, not its tolerance.
        return f"at {format_pace(target.centre, units)}"
    if any(c.isalpha() for c in label) and ":" not in label:
        return f"at {label} pace {pace_range(target, units)}"
    return f"at {pace_range(target, units)}"


def describe_target(target: Target, units: Units, *, compact: bool = False) -> str:
    """The target in words after the amount (`at 150–160 bpm`, "" for none), or in the compact
    form of the terminal tables (`150-160 bpm`, `4:05-3:55/km` slow-fast, `open`)."""
    dash = "-" if compact else "–"
    if isinstance(target, OpenTarget):
        return "open" if compact else ""
    if isinstance(target, PaceTarget):
        return target.describe(units) if compact else _pace_words(target, units)
    if isinstance(target, HeartRateTarget):
        words, before = f"{target.low}{dash}{target.high} bpm", "at"
    elif isinstance(target, HeartRateZoneTarget):
        bpm = f" ({target.low}{dash}{target.high} bpm)" if target.low and target.high else ""
        words, before = f"HR zone {target.zone}{bpm}", "in"
    elif isinstance(target, PowerTarget):
        words, before = f"{target.low}{dash}{target.high} W", "at"
    elif isinstance(target, PowerZoneTarget):
        words, before = f"power zone {target.zone}", "in"
    elif isinstance(target, RpeTarget):
        words, before = f"RPE {target.value:g}", "at"
    else:
        unit = "rpm" if target.label.lower().endswith("rpm") else "spm"
        words, before = f"{target.low}{dash}{target.high} {unit}", "at a cadence of"
    return words if compact else f"{before} {words}"


def describe_step(step: Step, units: Units) -> str:
    """One step: `warm-up 15 min easy 5:10–5:30/km`, `2 min rest`, `1 km at 5k pace …`."""
    words = [_KIND_PREFIX.get(step.kind, "") + describe_end(step.end, units)]
    target = describe_target(step.target, units)
    if target:
        words.append(target)
    elif step.kind == "rest":
        words.append("rest")
    elif step.kind == "recover":
        words.append("recovery")
    if step.secondary is not None and (second := describe_target(step.secondary, units)):
        words.append(f"and {second}")
    text = " ".join(words)
    if step.note:
        text += f" ({step.note.strip()})"
    return text


def describe_blocks(blocks: tuple[Block, ...], units: Units) -> str:
    """Steps joined by ", then "; a repeat as `5 × (…)`."""
    parts: list[str] = []
    for block in blocks:
        if isinstance(block, Repeat):
            parts.append(f"{block.count} × ({describe_blocks(block.steps, units)})")
        else:
            parts.append(describe_step(block, units))
    return ", then ".join(parts)


def describe_steps(session: Session) -> str:
    """The whole workout as one sentence, first letter capital, full stop at the end."""
    text = describe_blocks(session.steps, session.units)
    return (text[:1].upper() + text[1:] + ".") if text else ""


def calendar_description(session: Session) -> str:
    """Steps, the session's notes, and its estimated time and distance: a calendar description."""
    paragraphs = [describe_steps(session)]
    if session.notes and session.notes.strip():
        paragraphs.append(session.notes.strip())
    distance = session.estimated_distance_m / METRES_PER_UNIT[session.units]
    paragraphs.append(
        f"About {format_clock(session.estimated_duration_s)} · {distance:.1f} {session.units}"
    )
    return "\n\n".join(p for p in paragraphs if p)
