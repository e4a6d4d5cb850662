"""Zwift workout files (`.zwo`, run and ride) → the model.

A `.zwo` is XML: `<workout_file>` with `<name>`, `<description>`, `<sportType>` (`bike`, `run`)
and a `<workout>` of elements, each with a `Duration` in seconds:
- `SteadyState` (`Power`), `Warmup` / `Cooldown` / `Ramp` (`PowerLow` → `PowerHigh`, a ramp from
  the first to the second), `IntervalsT` (`Repeat`, `OnDuration`/`OffDuration`,
  `OnPower`/`OffPower`), `FreeRide` and `MaxEffort` (no target); `Cadence` on any of them; each
  `textevent`'s `message` is a cue (kept in the step's note).
- A ride's power is a share of FTP (0.75 = 75 %): watts with the profile's `ftp`.
- A run's power is a share of the *speed* of the reference pace its `pace` attribute names
  (0 one mile, 1 5k, 2 10k, 3 half marathon, 4 marathon; Zwift's run workouts): with that
  pace in the profile it becomes a pace (1.0 is the named pace itself).
What the profile cannot resolve is kept as a note and reported.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from .import_common import Imported, ImportFormatError, Losses, imported_session
from .model import (
    Block,
    CadenceTarget,
    End,
    OpenTarget,
    PaceTarget,
    PowerTarget,
    RampDirection,
    Repeat,
    Step,
    StepKind,
    Target,
)
from .profile import Profile
from .units import Units

#: Zwift's run reference paces, by the `pace` attribute.
RUN_PACES = {0: "mile", 1: "5k", 2: "10k", 3: "half", 4: "marathon"}


class _Reader:
    def __init__(self, profile: Profile, run: bool, losses: Losses) -> None:
        self.profile = profile
        self.run = run
        self.losses = losses

    def target(self, share: float, element: ET.Element) -> tuple[Target, str | None]:
        if self.run:
            name = RUN_PACES.get(int(float(element.get("pace") or 1)), "5k")
            ref = self.profile.paces.get(name)
            if ref is None:
                words = f"{share * 100:g}% of {name} pace"
                self.losses.add(f"'{words}': no {name} pace in the profile (kept as a note)")
                return OpenTarget(), words
            if abs(share - 1) < 1e-6:
                return PaceTarget(slow=ref.slow, fast=ref.fast, label=name), None
            pace = ref.centre / share
            return PaceTarget(slow=pace, fast=pace, label="imported"), None
        if self.profile.ftp:
            watts = round(self.profile.ftp * share)
            return PowerTarget(low=watts, high=watts, label="imported"), None
        words = f"{share * 100:g}% FTP"
        self.losses.add(f"'{words}': % of FTP needs ftp in the profile (kept as a note)")
        return OpenTarget(), words

    def ramp(self, low: float, high: float, element: ET.Element) -> tuple[Target, RampDirection | None, str | None]:
        a, a_words = self.target(low, element)
        b, b_words = self.target(high, element)
        if a_words or b_words:
            return OpenTarget(), None, f"from {a_words} to {b_words}"
        direction: RampDirection = "rising" if high > low else "falling"
        if isinstance(a, PaceTarget) and isinstance(b, PaceTarget):
            ends = (a.centre, b.centre)
            return PaceTarget(slow=max(ends), fast=min(ends), label="imported"), direction, None
        if isinstance(a, PowerTarget) and isinstance(b, PowerTarget):
            ends_w = (a.low, b.low)
            return PowerTarget(low=min(ends_w), high=max(ends_w), label="imported"), direction, None
        return OpenTarget(), None, None  # pragma: no cover - both ends resolve alike


def _float(element: ET.Element, key: str, where: str) -> float:
    value = element.get(key)
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        raise ImportFormatError(f"{where}: <{element.tag} {key}=\"{value}\"> is not a number") from None


def _cadence(element: ET.Element, key: str = "Cadence") -> CadenceTarget | None:
    value = element.get(key)
    if value and value.replace(".", "", 1).isdigit():
        rpm = round(float(value))
        return CadenceTarget(low=rpm, high=rpm, label="imported")
    return None


def read_zwo(text: str, profile: Profile, *, units: Units = "km", source: str = "workout.zwo") -> Imported:
    """One `.zwo` file's text."""
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise ImportFormatError(f"{source}: a .zwo file has no DOCTYPE or entities",
                                hint="Zwift writes plain XML; this file is not one of its workouts")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0]
        raise ImportFormatError(f"{source}:{line}: not well-formed XML ({exc})",
                                hint="a .zwo file is XML: <workout_file> … </workout_file>") from None
    workout = root.find("workout")
    if root.tag != "workout_file" or workout is None:
        raise ImportFormatError(f"{source}: not a Zwift workout (no <workout_file><workout>)")
    run = (root.findtext("sportType") or "bike").strip().lower() == "run"
    losses = Losses()
    reader = _Reader(profile, run, losses)
    blocks: list[Block] = []
    kinds: dict[str, StepKind] = {"Warmup": "warmup", "Cooldown": "cooldown", "Ramp": "run"}
    for element in workout:
        tag = element.tag
        cues = [e.get("message", "").strip() for e in element.iter("textevent") if e.get("message")]
        duration = _float(element, "Duration", source)
        end = End(kind="time", value=duration) if duration > 0 else End(kind="lap")
        notes = list(cues)
        if tag == "SteadyState":
            target, words = reader.target(_float(element, "Power", source), element)
            secondary = _cadence(element)
            blocks.append(Step(kind="run", end=end, target=target if not isinstance(target, OpenTarget) or not secondary else secondary,
                               secondary=secondary if not isinstance(target, OpenTarget) else None,
                               note=" · ".join([*notes, *([words] if words else [])]) or None))
        elif tag in kinds:
            target, direction, words = reader.ramp(
                _float(element, "PowerLow", source), _float(element, "PowerHigh", source), element)
            blocks.append(Step(kind=kinds[tag], end=end, target=target, ramp=direction,
                               secondary=_cadence(element) if not isinstance(target, OpenTarget) else None,
                               note=" · ".join([*notes, *([words] if words else [])]) or None))
        elif tag == "IntervalsT":
            count = int(_float(element, "Repeat", source) or 1)
            on_target, on_words = reader.target(_float(element, "OnPower", source), element)
            off_target, off_words = reader.target(_float(element, "OffPower", source), element)
            on = Step(kind="run", end=End(kind="time", value=_float(element, "OnDuration", source)),
                      target=on_target, secondary=_cadence(element) if not isinstance(on_target, OpenTarget) else None,
                      note=" · ".join([*notes, *([on_words] if on_words else [])]) or None)
            off = Step(kind="recover", end=End(kind="time", value=_float(element, "OffDuration", source)),
                       target=off_target,
                       secondary=_cadence(element, "CadenceResting") if not isinstance(off_target, OpenTarget) else None,
                       note=off_words)
            blocks.append(Repeat(count=max(1, count), steps=(on, off)))
        elif tag in ("FreeRide", "MaxEffort"):
            note = "max effort" if tag == "MaxEffort" else None
            blocks.append(Step(kind="run", end=end, note=" · ".join([*notes, *([note] if note else [])]) or None))
        else:
            losses.add(f"<{tag}> is not a Zwift element progsync knows; it was left out")
    if not blocks:
        raise ImportFormatError(f"{source}: the workout has no steps")
    session = imported_session(
        root.findtext("name") or source.rsplit("/", 1)[-1].rsplit(".", 1)[0],
        tuple(blocks), sport="run" if run else "bike",
        notes=root.findtext("description"), units=units, source_file=source,
    )
    return Imported(session, tuple(losses.items))
