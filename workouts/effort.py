"""How long a step takes and how hard it is: the one estimator every view and check uses.

Before this module, the plan's totals, the coaching checks and the terminal profile each had
their own idea of a step's length, and they disagreed on steps ended by the lap button. Now:

- `step_seconds` is what a step is *expected* to take: its time, or its distance at its pace
  (the easy pace when it has no pace target). A step ended by the lap button, a heart rate or
  calories has no expected length, so it counts 0 toward totals and checks.
- `shown_seconds` is how wide a step is *drawn*: the same, except that an open-ended step is
  drawn one minute wide, so a picture never hides a step.
- `effort` places a step in one of five zones named after the athlete's own paces (or the zone
  a heart-rate, power or RPE target states), with a height for pictures that keeps apart two
  stages of one zone, so a progression run visibly climbs in stages.

The pace zones are progsync's own, anchored on the profile's named paces (docs/report.md):
Z1 easy (the easy range or slower), Z2 steady (between easy and marathon), Z3 tempo (around
marathon pace), Z4 threshold (around threshold pace), Z5 hard (5k and faster). Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from .model import (
    Block,
    HeartRateTarget,
    HeartRateZoneTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    RpeTarget,
    Step,
)
from .profile import Profile
from .records import record
from .units import Units

#: Pace (s/km) assumed for distance steps when the profile has no easy pace.
FALLBACK_PACE = 360.0
#: Width, in seconds, a step with no expected length is drawn with.
OPEN_STEP_SECONDS = 60.0

ZONE_NAMES = ("rest", "easy", "steady", "tempo", "threshold", "hard")


def easy_pace(profile: Profile) -> float:
    """The centre of the easy pace, or the fallback when the profile has none."""
    easy = profile.paces.get("easy")
    return easy.centre if easy else FALLBACK_PACE


def step_seconds(step: Step, profile: Profile) -> float:
    """How long a step is expected to take; steps ended by lap, heart rate or kcal count 0."""
    value = step.end.value or 0.0
    if step.end.kind == "time":
        return value
    if step.end.kind == "distance":
        pace = step.target.centre if isinstance(step.target, PaceTarget) else easy_pace(profile)
        return value / 1000 * pace
    return 0.0


def as_time(blocks: tuple[Block, ...], profile: Profile, units: Units = "km") -> tuple[Block, ...]:
    """Distance steps as time at their pace, for a treadmill (its distance is unreliable).

    A step's own pace target sets the time (the easy pace when it has none, as for the plan's
    totals); targets stay, and the distance goes into the note ("1 km"), so the runner knows
    what the time stands for. Times are whole seconds.
    """
    from .units import format_distance

    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Repeat):
            out.append(replace(block, steps=as_time(block.steps, profile, units)))
        elif block.end.kind == "distance":
            seconds = float(round(step_seconds(block, profile)))
            distance = format_distance(block.end.value or 0, units)
            note = f"{distance} on the treadmill" + (f" · {block.note}" if block.note else "")
            out.append(
                replace(block, end=replace(block.end, kind="time", value=seconds), note=note)
            )
        else:
            out.append(block)
    return tuple(out)


def shown_seconds(step: Step, profile: Profile) -> float:
    """How wide a step is drawn: its expected length, or one minute when it has none."""
    return step_seconds(step, profile) or OPEN_STEP_SECONDS


@record
class Effort:
    """Zone 0 (rest) to 5 (hard), and a height 0..1 for pictures."""

    zone: int
    height: float

    @property
    def name(self) -> str:
        return ZONE_NAMES[self.zone]

    @property
    def label(self) -> str:
        return "rest" if self.zone == 0 else f"Z{self.zone} {self.name}"


@record
class PaceScale:
    """The athlete's pace anchors (s/km) that zones and heights are measured against."""

    easy_fast: float
    marathon: float
    threshold: float
    fast: float
    tolerance: float

    @classmethod
    def of(cls, profile: Profile) -> PaceScale:
        paces = profile.paces

        def centre(name: str) -> float | None:
            pace = paces.get(name)
            return pace.centre if pace else None

        easy = paces.get("easy")
        easy_fast = easy.fast if easy else 330.0
        threshold = centre("threshold") or centre("half") or (easy_fast * 0.78)
        marathon = centre("marathon") or threshold * 1.07
        fast = centre("5k") or centre("10k") or threshold * 0.93
        return cls(easy_fast, marathon, threshold, fast, profile.pace_tolerance)

    def zone(self, pace: float) -> int:
        if pace >= self.easy_fast - self.tolerance:
            return 1
        if pace > self.marathon + (self.marathon - self.threshold) / 2:
            return 2
        if pace > (self.marathon + self.threshold) / 2:
            return 3
        if pace > (self.threshold + self.fast) / 2:
            return 4
        return 5

    def height(self, pace: float) -> float:
        slow, fast = self.easy_fast + 60, self.fast - 15
        share = (slow - pace) / (slow - fast) if slow > fast else 0.5
        return round(0.15 + 0.85 * max(0.0, min(1.0, share)), 3)


def effort(step: Step, profile: Profile, scale: PaceScale | None = None) -> Effort:
    """The zone and drawing height of one step (see the module docstring)."""
    if step.kind == "rest":
        return Effort(0, 0.06)
    target = step.target
    if isinstance(target, PaceTarget):
        scale = scale or PaceScale.of(profile)
        return Effort(scale.zone(target.centre), scale.height(target.centre))
    zone: int | None = None
    if isinstance(target, HeartRateZoneTarget | PowerZoneTarget):
        zone = target.zone
    elif isinstance(target, HeartRateTarget):
        centre = (target.low + target.high) / 2
        bounds = [profile.hr_zone(z) for z in range(1, 6)]
        known = [(z, b) for z, b in enumerate(bounds, start=1) if b is not None]
        zone = next((z for z, (lo, hi) in known if centre <= hi), 5 if known else 2)
    elif isinstance(target, PowerTarget):
        if profile.ftp:
            share = (target.low + target.high) / 2 / profile.ftp
            zone = 1 + sum(share > limit for limit in (0.56, 0.76, 0.91, 1.06))
        else:
            zone = 3
    elif isinstance(target, RpeTarget):
        zone = 1 + sum(target.value > limit for limit in (3, 4, 6, 8))
    if zone is None:  # no target: warm-ups, jogs and open running are easy
        return Effort(1, 0.2 if step.kind == "recover" else 0.25)
    zone = max(1, min(5, zone))
    return Effort(zone, round(0.15 + 0.85 * (zone - 1) / 4, 3))
