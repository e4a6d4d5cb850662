"""Intervals.icu workout text, the `description` of a planned WORKOUT event.

Run targets always say what they are (`Pace`, `HR`), because a bare `75%` or `Z2` means power.
Metres are `mtr` (`m` means minutes). Repeat blocks stand between blank lines. Intervals.icu
cannot nest repeats, so an outer repeat is unrolled (and a warning says so). What the format
cannot carry (heart-rate or calorie end conditions, secondary targets, RPE) degrades to a cue
the athlete can read on the watch, with a warning naming the session.

Two rules of Intervals.icu's parser shape the text (forum.intervals.icu threads 1163, 4725 and
123701; docs/destinations.md "What the real services do"):
- a step needs a duration or distance; a step ended by the lap button (or by heart rate or
  calories, which Intervals.icu cannot express) gets a placeholder one and `Press lap`;
- zone codes, `Press lap`, `ramp`, `freeride`, `Nx`, durations, distances and paces are read
  anywhere in a step line, a line starting with `-` is a step, and `Nx` in a line before a block
  opens a repeat. Cues (step names and notes) are rewritten so that they stay text: `Z2` becomes
  `zone 2`, `Nx` and numbers with units (short or spelled out, `10 minutes`, `3:30/km`) are
  dropped. The session note leads the text as one plain line: a leading `-` goes, `Nx` becomes
  `N times` and `Z2` `zone 2`, the rest of its words stay (it is not a step line).
"""

from __future__ import annotations

import re

from .encode import Caveat, CaveatKind, Encoded, caveat
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
)
from .units import METRES_PER_UNIT, Units, format_pace

#: Words a number can carry that Intervals.icu might read as a duration, distance or target
#: (`m` is minutes to it, `mtr` metres); spelled-out forms too, since what it accepts beyond its
#: documented short forms is unknown.
_UNITS = (
    r"h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?|km|k|mi|miles?|mtr|metres?|meters?|"
    r"yds?|yards?|w|watts?|rpm|bpm|x|×|'|\"|%"
)
_UNIT_TOKEN = re.compile(rf"\b\d+(?:[.,:]\d+)*\s*(?:{_UNITS})(?![a-z])", re.IGNORECASE)
#: A pace: `3:30/km`, `7:00 / mi`, `1:45/100m`.
_PACE_TOKEN = re.compile(
    r"\b\d+(?::\d+)?\s*/\s*(?:km|mi|k|\d*\s*(?:m|mtr|y|yd|yds)\b)", re.IGNORECASE
)
#: `4x`, `4 x` and the multiplication sign: "`6x` (or any `Nx`) in the line before a block starts a repeat" (thread 1163).
_REPEAT_TOKEN = re.compile(r"(?<![\w.])(\d+)\s*[x×](?![a-wyz])", re.IGNORECASE)
_ZONE = (re.compile(r"\bz\s*(\d)\b", re.IGNORECASE), r"zone \1")
_KEYWORDS = (
    _ZONE,
    (re.compile(r"\bpress\s*lap\b", re.IGNORECASE), "lap button"),
    (re.compile(r"\bramp\b", re.IGNORECASE), "build"),
    (re.compile(r"\bfree\s*ride\b", re.IGNORECASE), "free riding"),
    (_REPEAT_TOKEN, " "),
)
#: Placeholder lengths for steps ended by the lap button: Intervals.icu needs a duration to see a
#: step at all ("- 9m Z2 press lap", thread 1163); the watch ends the step on the lap press.
LAP_PLACEHOLDER_S = {"rest": 120.0, "recover": 120.0}
LAP_PLACEHOLDER_DEFAULT_S = 600.0


def clean_label(text: str) -> str:
    """A cue label that Intervals.icu cannot mistake for a duration, distance or target."""
    text = re.sub(r"(\d+)\s*/\s*(\d+)", r"\1 of \2", text)
    text = text.replace("–", " ").replace("—", " ").replace("-", " ")
    text = _PACE_TOKEN.sub(" ", text)
    text = _REPEAT_TOKEN.sub(" ", text)
    text = _UNIT_TOKEN.sub(" ", text)
    text = re.sub(r"[@\[\]=]", " ", text)
    for pattern, replacement in _KEYWORDS:
        text = pattern.sub(replacement, text)
    # Tidy what the removals leave: "at , zone 2" reads "at, zone 2"; no dangling commas.
    text = re.sub(r"\s+([,;.])", r"\1", re.sub(r"\s+", " ", text))
    text = re.sub(r"([,;])(?:\s*[,;])+", r"\1", text)
    return text.strip(" ,;*•")


def plain_note(text: str) -> str:
    """A session note as one line of text that cannot start a step, a repeat or a target.

    It keeps the runner's words (durations and distances stay: the line is not a step), but a
    leading `-`, `*` or `•` goes (that line would be a step), `Nx` becomes `N times` anywhere
    (any `Nx` can open a repeat) and a zone code `Z2` becomes `zone 2`.
    """
    note = re.sub(r"\s+", " ", text).strip()
    note = re.sub(r"^(?:[-*•–—]\s*)+", "", note)
    note = _REPEAT_TOKEN.sub(r"\1 times ", note)
    note = _ZONE[0].sub(_ZONE[1], note)
    return re.sub(r"\s+", " ", note).strip()


def format_time(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = ""
    if hours:
        out += f"{hours}h"
    if minutes:
        out += f"{minutes}m"
    if secs or not out:
        out += f"{secs}s"
    return out


def format_length(metres: float, units: Units) -> str:
    if units == "mi":
        miles = metres / METRES_PER_UNIT["mi"]
        if metres >= 800 and abs(miles * 100 - round(miles * 100)) < 0.05:
            return f"{round(miles, 2):g}mi"
    if metres >= 1000:
        km = metres / 1000
        if abs(km * 1000 - round(km * 1000)) < 0.05:
            return f"{round(km, 3):g}km"
    return f"{round(metres):d}mtr"


class _Writer:
    def __init__(self, session: Session, max_hr: int | None) -> None:
        self.session = session
        self.units: Units = session.units
        self.max_hr = max_hr
        self.caveats: list[Caveat] = []

    def warn(
        self, short: str, message: str, kind: CaveatKind = "degraded", warn: bool = True
    ) -> None:
        found = caveat(self.session, kind, short, message, warn)
        if found not in self.caveats:
            self.caveats.append(found)

    def settings_notice(self) -> None:
        """% and zone targets are expanded by Intervals.icu with ITS athlete settings.

        "percentages are expanded using the current athlete's settings" (forum.intervals.icu
        thread 123701): the bpm the watch shows come from the max HR, LTHR and zones stored in
        Intervals.icu, not from progsync's profile. Said once per push (no session prefix).
        """
        ours = f" (progsync uses max HR {self.max_hr})" if self.max_hr else ""
        text = (
            "Intervals.icu turns % and zone heart-rate targets into bpm with the max HR, LTHR and "
            f"zones in its own athlete settings{ours}: check that they agree"
        )
        found = caveat(None, "degraded", "HR % and zones → bpm from Intervals.icu's settings", text)
        if found not in self.caveats:
            self.caveats.append(found)

    def target(self, target: Target) -> tuple[str, str]:
        """(target text, extra cue) for a target."""
        if isinstance(target, OpenTarget):
            return "", ""
        if isinstance(target, PaceTarget):
            slow = format_pace(target.slow, self.units, suffix=False)
            fast = format_pace(target.fast, self.units, suffix=False)
            pace = fast if slow == fast else f"{slow}-{fast}"
            return f"{pace}/{self.units} Pace", ""
        if isinstance(target, HeartRateZoneTarget):
            self.settings_notice()
            return f"Z{target.zone} HR", ""
        if isinstance(target, HeartRateTarget):
            label = target.label.lower().replace(" ", "")
            percent = re.fullmatch(r"(\d+)(?:-(\d+))?%(max|maxhr|lthr)", label)
            if percent:
                self.settings_notice()
                lo = percent.group(1)
                hi = percent.group(2)
                span = f"{lo}-{hi}" if hi else lo
                return f"{span}% {'LTHR' if percent.group(3) == 'lthr' else 'HR'}", ""
            if self.max_hr:
                lo_pct = round(target.low * 100 / self.max_hr)
                hi_pct = round(target.high * 100 / self.max_hr)
                self.warn(
                    f"HR {target.low}-{target.high} bpm → {lo_pct}-{hi_pct}% of max HR",
                    f"Intervals.icu has no bpm target; {target.low}-{target.high} bpm is sent as "
                    f"{lo_pct}-{hi_pct}% of max HR {self.max_hr}",
                )
                self.settings_notice()
                return f"{lo_pct}-{hi_pct}% HR", ""
            self.warn(
                f"HR {target.low}-{target.high} bpm → a cue (no max_hr)",
                f"Intervals.icu has no bpm target and the profile has no max_hr; "
                f"{target.low}-{target.high} bpm is a cue only",
            )
            return "", f"HR {target.low} to {target.high}"
        if isinstance(target, PowerTarget):
            return f"{target.low}-{target.high}w", ""
        if isinstance(target, PowerZoneTarget):
            return f"Z{target.zone}", ""
        if isinstance(target, RpeTarget):
            self.warn(
                "RPE → a cue",
                f"Intervals.icu has no RPE target; 'RPE {target.value:g}' is a cue only",
                warn=False,
            )
            return "", f"RPE {target.value:g}"
        if isinstance(target, CadenceTarget):
            if self.session.sport == "bike":
                return f"{target.low}-{target.high}rpm", ""
            self.warn(
                "run cadence → a cue",
                "Intervals.icu's cadence targets are for cycling (rpm); "
                f"{target.low}-{target.high} spm is a cue only",
            )
            return "", f"Cadence {target.low} to {target.high} spm"
        raise AssertionError(target)  # pragma: no cover

    def ramp(self, step: Step, steady: str) -> str:
        """A ramp in Intervals.icu's own words (`ramp 5:30-4:30/km Pace`, `ramp 150-250w`),
        its ends in the order the step runs them (forum thread 123701)."""
        target = step.target
        rising = step.ramp == "rising"
        if isinstance(target, PaceTarget):
            slow = format_pace(target.slow, self.units, suffix=False)
            fast = format_pace(target.fast, self.units, suffix=False)
            ends = f"{slow}-{fast}" if rising else f"{fast}-{slow}"
            return f"ramp {ends}/{self.units} Pace"
        if isinstance(target, PowerTarget):
            low, high = (target.low, target.high) if rising else (target.high, target.low)
            return f"ramp {low}-{high}w"
        self.warn("ramp → a steady range", "this ramp is sent as a steady range on Intervals.icu")
        return steady

    def step(self, step: Step) -> str:
        cue_parts: list[str] = []
        if step.name:
            cue_parts.append(step.name)
        elif step.kind in ("recover", "rest"):
            cue_parts.append("Recover" if step.kind == "recover" else "Rest")
        target_text, extra = self.target(step.target)
        if step.ramp is not None:
            target_text = self.ramp(step, target_text)
        if extra:
            cue_parts.append(extra)
        if step.note:
            cue_parts.append(step.note)
        if step.secondary is not None:
            self.warn(
                "second target",
                "Intervals.icu takes one target per step; the second target was left out",
                "lost",
            )
        end = step.end
        tail = ""
        if end.kind == "time":
            amount = format_time(end.value or 0)
        elif end.kind == "distance":
            amount = format_length(end.value or 0, self.units)
        else:
            seconds = LAP_PLACEHOLDER_S.get(step.kind, LAP_PLACEHOLDER_DEFAULT_S)
            amount = format_time(seconds)
            tail = " Press lap"
            if end.kind in ("hr_below", "hr_above"):
                sign = "below" if end.kind == "hr_below" else "above"
                cue_parts.append(f"until HR {sign} {end.value:g}")
                self.warn(
                    "end on heart rate → the lap button",
                    "Intervals.icu cannot end a step on heart rate; it ends on the lap button",
                )
            elif end.kind == "calories":
                cue_parts.append(f"{end.value:g} kcal")
                self.warn(
                    "end on calories → the lap button",
                    "Intervals.icu cannot end a step on calories; it ends on the lap button",
                )
        cue = clean_label(" ".join(cue_parts))
        pieces = [p for p in (cue, amount, target_text) if p]
        return "- " + " ".join(pieces) + tail

    def blocks(self, blocks: tuple[Block, ...]) -> list[list[str]]:
        """Sections of lines; each repeat is its own section so it gets blank lines around it."""
        sections: list[list[str]] = []
        current: list[str] = []
        heading: str | None = None
        for block in blocks:
            if isinstance(block, Repeat):
                if current:
                    sections.append(current)
                    current, heading = [], None
                if any(isinstance(b, Repeat) for b in block.steps):
                    self.warn(
                        "nested repeat → unrolled",
                        f"Intervals.icu cannot nest repeats; the outer {block.count}x was unrolled",
                    )
                    for _ in range(block.count):
                        sections.extend(self.blocks(block.steps))
                    continue
                body = [f"{block.count}x"]
                body.extend(self.step(s) for s in block.steps if isinstance(s, Step))
                sections.append(body)
                continue
            wanted = {"warmup": "Warmup", "cooldown": "Cooldown"}.get(block.kind)
            if wanted and wanted != heading:
                if current:
                    sections.append(current)
                current, heading = [wanted], wanted
            elif not wanted and heading:
                sections.append(current)
                current, heading = [], None
            current.append(self.step(block))
        if current:
            sections.append(current)
        return sections


def encode_intervals_text(session: Session, *, max_hr: int | None = None) -> Encoded[str]:
    """The workout text of one session. `max_hr` lets bpm ranges become % of max HR."""
    writer = _Writer(session, max_hr)
    sections = writer.blocks(session.steps)
    lines: list[str] = []
    note = plain_note(session.notes) if session.notes else ""
    if note:
        lines.extend([note, ""])
    for index, section in enumerate(sections):
        if index:
            lines.append("")
        lines.extend(section)
    return Encoded("\n".join(lines).rstrip() + "\n", tuple(writer.caveats))
