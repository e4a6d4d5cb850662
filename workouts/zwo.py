"""Zwift workout files (`.zwo`): what Zwift, TrainerRoad and Intervals.icu read.

The inverse of `import_zwo`. A `.zwo` is time-based and its targets are shares: a ride's `Power`
is a share of FTP, a run's a share of the speed of a reference pace (`pace` 0 mile, 1 5k, 2 10k,
3 half, 4 marathon). So:
- a step at a named pace (`@5k`, `@marathon-10s`) is that reference pace (its share computed
  from the target itself); another pace needs the athlete's profile (`profile=`: the 5k pace,
  else 10k, half, marathon, is the reference); without it the pace is a cue, with a caveat;
- watts need `profile.ftp`; power zones are the middle of the Coggan zone;
- a ramp is `Warmup` / `Ramp` / `Cooldown` from its first value to its second; a repeat of one
  work and one recovery step, both timed, is `IntervalsT`; other repeats are unrolled;
- distance steps become time at their pace (the easy pace, or 6:00/km, without one), and steps
  ended by the lap button, heart rate or calories get a placeholder time, each with a caveat;
- heart-rate targets and RPE have no place in a `.zwo`: they travel as the step's text event.
"""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

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
from .profile import Profile, canonical_pace_name
from .units import METRES_PER_UNIT, format_pace

#: Zwift's run reference paces, by the `pace` attribute (the reader's table, inverted).
PACE_INDEX = {"5k": 1, "10k": 2, "half": 3, "marathon": 4}
#: The middle of each Coggan power zone, as a share of FTP.
POWER_ZONES = {1: 0.50, 2: 0.65, 3: 0.83, 4: 0.98, 5: 1.13, 6: 1.35, 7: 1.60}
PLACEHOLDER_S = 600.0
FALLBACK_PACE = 360.0


class _Writer:
    def __init__(self, session: Session, profile: Profile | None) -> None:
        self.session = session
        self.profile = profile
        self.run = session.sport != "bike"
        self.caveats: list[Caveat] = []

    def warn(self, kind: CaveatKind, short: str, message: str) -> None:
        found = caveat(self.session, kind, short, message)
        if found not in self.caveats:
            self.caveats.append(found)

    def reference(self, target: PaceTarget) -> tuple[int, float] | None:
        """(pace index, the reference pace's centre in s/km) for a pace target."""
        label = target.label.lower().replace(" ", "")
        for sign in ("+", "-", ""):
            name, _, delta = label.partition(sign) if sign else (label, "", "")
            key = canonical_pace_name(name) if name.isalnum() else None
            if key in PACE_INDEX and (not sign or delta):
                seconds = float(delta.rstrip("s") or 0) * 1000 / METRES_PER_UNIT[self.session.units]
                offset = seconds if sign == "+" else -seconds
                return PACE_INDEX[key], target.centre - offset
        if self.profile is not None:
            for name, index in PACE_INDEX.items():
                pace = self.profile.paces.get(name)
                if pace is not None:
                    return index, pace.centre
        return None

    def share(self, target: Target, value: float | None = None) -> tuple[str, str]:
        """(attributes for one target value, a cue for what the file cannot hold)."""
        if isinstance(target, PaceTarget) and self.run:
            ref = self.reference(target)
            pace = value if value is not None else target.centre
            if ref is None:
                self.warn("degraded", "pace → a cue (no reference pace)",
                          "a .zwo run target is a share of a race pace; without the athlete's "
                          "paces this pace is a text cue")
                return "", format_pace(pace, self.session.units)
            return f'Power="{ref[1] / pace:.4f}" pace="{ref[0]}"', ""
        if isinstance(target, PowerZoneTarget):
            return f'Power="{POWER_ZONES.get(target.zone, 0.5):.2f}"', ""
        if isinstance(target, PowerTarget):
            watts = value if value is not None else (target.low + target.high) / 2
            if self.profile is not None and self.profile.ftp:
                return f'Power="{watts / self.profile.ftp:.4f}"', ""
            self.warn("degraded", "watts → a cue (no ftp)",
                      "a .zwo power target is a share of FTP; without ftp the watts are a cue")
            return "", f"{watts:g} W"
        if isinstance(target, HeartRateTarget | HeartRateZoneTarget):
            self.warn("lost", "heart rate → a cue", "a .zwo has no heart-rate targets; "
                      "they are text cues")
            if isinstance(target, HeartRateZoneTarget):
                return "", f"HR zone {target.zone}"
            return "", f"HR {target.low}-{target.high}"
        if isinstance(target, RpeTarget):
            return "", f"RPE {target.value:g}"
        if isinstance(target, PaceTarget):
            self.warn("lost", "pace on a ride → a cue", "a ride's .zwo has no pace targets")
            return "", format_pace(target.centre, self.session.units)
        return "", ""

    def seconds(self, step: Step) -> float:
        end = step.end
        if end.kind == "time":
            return end.value or 0.0
        if end.kind == "distance":
            pace = step.target.centre if isinstance(step.target, PaceTarget) else None
            if pace is None and self.profile is not None and "easy" in self.profile.paces:
                pace = self.profile.paces["easy"].centre
            self.warn("degraded", "distance → time at its pace",
                      "a .zwo step is timed; distances are times at their paces")
            return round((end.value or 0.0) / 1000 * (pace or FALLBACK_PACE))
        self.warn("degraded", f"{end.kind} end → {PLACEHOLDER_S / 60:g} minutes",
                  f"a .zwo step is timed; a step ended by {end.kind.replace('_', ' ')} lasts "
                  f"{PLACEHOLDER_S / 60:g} minutes")
        return PLACEHOLDER_S

    def step(self, step: Step) -> str:
        duration = self.seconds(step)
        cues = [c for c in (step.name, step.note) if c]
        cadence = step.secondary if isinstance(step.secondary, CadenceTarget) else None
        target: Target
        if isinstance(step.target, CadenceTarget):
            cadence, target = step.target, OpenTarget()
        else:
            target = step.target
        if step.secondary is not None and cadence is None:
            _, cue = self.share(step.secondary)
            if cue:
                cues.append(cue)
        extra = f' Cadence="{round((cadence.low + cadence.high) / 2)}"' if cadence else ""
        if step.ramp is not None and isinstance(target, PaceTarget | PowerTarget):
            if isinstance(target, PaceTarget):
                ends = (target.slow, target.fast)
            else:
                ends = (float(target.low), float(target.high))
            first, second = ends if step.ramp == "rising" else ends[::-1]
            a, cue_a = self.share(target, first)
            b, cue_b = self.share(target, second)
            tag = {"warmup": "Warmup", "cooldown": "Cooldown"}.get(step.kind, "Ramp")
            if a and b:
                low = a.split('"')[1]
                high = b.split('"')[1]
                pace = a.split('pace="')[1].rstrip('"') if 'pace="' in a else None
                attrs = f'PowerLow="{low}" PowerHigh="{high}"' + (f' pace="{pace}"' if pace else "")
                return self.element(tag, f'Duration="{duration:g}" {attrs}{extra}', cues)
            cues.append(f"{cue_a} to {cue_b}")
            return self.element("FreeRide", f'Duration="{duration:g}"{extra}', cues)
        attrs, cue = self.share(target)
        if cue:
            cues.append(cue)
        if not attrs:
            return self.element("FreeRide", f'Duration="{duration:g}"{extra}', cues)
        return self.element("SteadyState", f'Duration="{duration:g}" {attrs}{extra}', cues)

    def element(self, tag: str, attrs: str, cues: list[str]) -> str:
        if not cues:
            return f"    <{tag} {attrs}/>"
        events = "".join(
            f'\n      <textevent timeoffset="0" message={quoteattr(" · ".join(cues))}/>'
        )
        return f"    <{tag} {attrs}>{events}\n    </{tag}>"

    def blocks(self, blocks: tuple[Block, ...]) -> list[str]:
        out: list[str] = []
        for block in blocks:
            if isinstance(block, Repeat):
                pair = block.steps
                if (
                    len(pair) == 2
                    and all(
                        isinstance(s, Step) and s.end.kind in ("time", "distance") and s.ramp is None
                        for s in pair
                    )
                ):
                    on, off = pair
                    assert isinstance(on, Step) and isinstance(off, Step)
                    on_attrs, _ = self.share(on.target)
                    off_attrs, _ = self.share(off.target)
                    plain = all(
                        s.secondary is None or isinstance(s.secondary, CadenceTarget) for s in (on, off)
                    )
                    if on_attrs and off_attrs and plain:
                        pace = on_attrs.split('pace="')[1].rstrip('"') if 'pace="' in on_attrs else None
                        off_pace = off_attrs.split('pace="')[1].rstrip('"') if 'pace="' in off_attrs else None
                        if pace == off_pace:
                            attrs = (
                                f'Repeat="{block.count}" OnDuration="{self.seconds(on):g}" '
                                f'OffDuration="{self.seconds(off):g}" '
                                f'OnPower="{on_attrs.split(chr(34))[1]}" '
                                f'OffPower="{off_attrs.split(chr(34))[1]}"'
                                + (f' pace="{pace}"' if pace else "")
                                + _cadence_attr("Cadence", on.secondary)
                                + _cadence_attr("CadenceResting", off.secondary)
                            )
                            cues = [c for c in (on.note, off.note) if c]
                            out.append(self.element("IntervalsT", attrs, cues))
                            continue
                self.warn("degraded", "repeat → unrolled",
                          "a .zwo repeats only one work and one recovery step; "
                          "this repeat is written out in full")
                for _ in range(block.count):
                    out.extend(self.blocks(block.steps))
                continue
            out.append(self.step(block))
        return out


def encode_zwo(
    session: Session, *, max_hr: int | None = None, profile: Profile | None = None
) -> Encoded[str]:
    """The `.zwo` of one session. `profile` gives the reference paces and FTP (see above)."""
    writer = _Writer(session, profile)
    body = writer.blocks(session.steps)
    description = session.notes or ""
    lines = [
        "<workout_file>",
        "  <author>progsync</author>",
        f"  <name>{_text(session.name)}</name>",
        f"  <description>{_text(description)}</description>",
        f"  <sportType>{'run' if writer.run else 'bike'}</sportType>",
        "  <tags/>",
        "  <workout>",
        *body,
        "  </workout>",
        "</workout_file>",
    ]
    return Encoded("\n".join(lines) + "\n", tuple(writer.caveats))


def _cadence_attr(name: str, target: Target | None) -> str:
    if isinstance(target, CadenceTarget):
        return f' {name}="{round((target.low + target.high) / 2)}"'
    return ""


def _text(value: str) -> str:
    clean = "".join(c if c.isprintable() else " " for c in value)
    return clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
