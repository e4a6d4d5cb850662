"""The step language: `[kind] AMOUNT [@ TARGET] [-- note]` → a resolved Step.

Examples: `warmup 10min @easy`, `1km @5k`, `2min jog`, `10min @4:00-4:10`, `lap @z2`,
`cooldown hr<120`, `6x... ` is not a step (repeats are TOML tables).

Why this module is long: it is the whole step grammar (lengths, targets, notes, ranges, units)
with one located error per way a step can be wrong; the parts only make sense together.
"""

from __future__ import annotations

import contextlib
import re
from typing import Literal

from .errors import StepSyntaxError, did_you_mean
from .model import (
    CadenceTarget,
    End,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    RampDirection,
    RpeTarget,
    Step,
    StepKind,
    Target,
)
from .profile import PACE_ALIASES, PACE_NAMES, Profile, canonical_pace_name
from .records import record
from .units import Units, format_pace, is_duration, parse_distance, parse_duration, parse_pace

KINDS: dict[str, StepKind] = {
    "warmup": "warmup",
    "warm-up": "warmup",
    "wu": "warmup",
    "cooldown": "cooldown",
    "cool-down": "cooldown",
    "cd": "cooldown",
    "run": "run",
    "recover": "recover",
    "recovery": "recover",
    "jog": "recover",
    "rest": "rest",
}

_HR_END = re.compile(r"hr\s*([<>])\s*(\d{2,3})(?:bpm)?")
_PACE_RANGE = re.compile(
    r"(\d{1,2}:\d{2}(?:\.\d)?)\s*(?:-\s*(\d{1,2}:\d{2}(?:\.\d)?))?\s*(/km|/mi)?"
)
_BPM = re.compile(r"(\d{2,3})\s*(?:-\s*(\d{2,3}))?\s*bpm")
_PERCENT_HR = re.compile(r"(\d{2,3})\s*(?:-\s*(\d{2,3}))?\s*%\s*(max|lthr|maxhr)")
_POWER = re.compile(r"(\d{2,4})\s*(?:-\s*(\d{2,4}))?\s*w")
_NAMED = re.compile(r"([a-z0-9]+)\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*s?)?")
_RPE = re.compile(r"rpe\s*(\d+(?:\.\d)?)(?:\s*-\s*(\d+(?:\.\d)?))?")
_CADENCE = re.compile(r"(\d{2,3})\s*(?:-\s*(\d{2,3}))?\s*(spm|rpm)")
_ZONE = re.compile(r"(p)?z([1-9])")
_SPEED = re.compile(r"(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*(m/s|mps|km/h|kph|kmh|mph)")
_SPEED_FACTOR = {
    "m/s": 1.0,
    "mps": 1.0,
    "km/h": 1 / 3.6,
    "kph": 1 / 3.6,
    "kmh": 1 / 3.6,
    "mph": 0.44704,
}


@record
class StepWarning:
    """Something odd in a step string that still compiles (a likely typo), with a hint."""

    message: str
    hint: str | None = None


def parse_step(text: str, units: Units, profile: Profile) -> tuple[Step, list[StepWarning]]:
    """Read one step string; StepSyntaxError (with the offending span) when it cannot."""
    if not isinstance(text, str):
        raise StepSyntaxError(f"a step must be a string, not {type(text).__name__}")
    warnings: list[StepWarning] = []
    note: str | None = None
    body = text
    if "--" in body:
        cut = body.index("--")
        note = body[cut + 2 :].strip() or None
        body = body[:cut]
    target_text: str | None = None
    target_at = -1
    if "@" in body:
        target_at = body.index("@")
        target_text = body[target_at + 1 :].strip()
        body = body[:target_at]
        if not target_text:
            raise StepSyntaxError(
                "'@' is not followed by a target",
                hint="write a pace (@4:30), a named pace (@easy), a zone (@z2) or @open",
                start=target_at,
                end=target_at + 1,
            )
        if "@" in target_text:
            second = text.index("@", target_at + 1)
            raise StepSyntaxError(
                "a step has one target", hint="remove the second '@'", start=second, end=second + 1
            )

    kind: StepKind | None = None
    jog = False
    amount_words: list[tuple[str, int]] = []
    for match in re.finditer(r"\S+", body):
        word = match.group(0)
        lowered = word.lower()
        if lowered in KINDS:
            if kind is not None:
                raise StepSyntaxError(
                    f"'{word}' names the kind twice",
                    hint="a step has one kind: warmup, run, recover/jog, rest or cooldown",
                    start=match.start(),
                    end=match.end(),
                )
            kind = KINDS[lowered]
            jog = lowered == "jog"
            continue
        amount_words.append((word, match.start()))
    kind = kind or "run"

    if not amount_words:
        raise StepSyntaxError(
            f"step '{text.strip()}' has no amount",
            hint="say how long: a time (10min, 90s), a distance (400m, 2km) or lap",
            start=0,
            end=len(text),
        )
    start = amount_words[0][1]
    end_pos = amount_words[-1][1] + len(amount_words[-1][0])
    amount_text = body[start:end_pos]
    end = _parse_amount(amount_text, units, kind, warnings, start, end_pos)

    target: Target
    if target_text is None:
        target = OpenTarget()
        if jog:
            with contextlib.suppress(StepSyntaxError):
                target = _named_pace("recovery", "recovery", profile)
    else:
        ramp_match = _RAMP.match(target_text)
        if ramp_match:
            target_text = target_text[ramp_match.end() :]
        offset = text.index(target_text, target_at)
        parts = target_text.split("&")
        if len(parts) > 2:
            raise StepSyntaxError(
                "a step has at most two targets",
                hint="e.g. @4:00-4:10 & 150-160bpm",
                start=offset,
                end=offset + len(target_text),
            )
        resolved: list[Target] = []
        for part in parts:
            part_at = text.index(part.strip() or "&", offset) if part.strip() else offset
            try:
                if not part.strip():
                    raise StepSyntaxError("'&' needs a target on both sides", end=len(part) + 1)
                one = parse_target(part, units, profile)
                if isinstance(one, PaceTarget):
                    _check_pace(one, warnings)
                    _check_pace_against_profile(one, units, profile, warnings)
                _check_against_profile(one, profile, warnings)
            except StepSyntaxError as exc:
                raise StepSyntaxError(
                    exc.message,
                    exc.hint,
                    start=part_at + exc.start,
                    end=part_at + (exc.end or len(part.strip())),
                ) from None
            resolved.append(one)
        target = resolved[0]
        secondary = resolved[1] if len(resolved) > 1 else None
        ramp = None
        if ramp_match:
            ramp = _ramp_direction(parts[0], target, offset, offset + len(parts[0].rstrip()))
        return (
            Step(
                kind=kind,
                end=end,
                target=target,
                secondary=secondary,
                note=note,
                source=text.strip(),
                ramp=ramp,
            ),
            warnings,
        )
    return Step(kind=kind, end=end, target=target, note=note, source=text.strip()), warnings


_RAMP = re.compile(r"ramp\s+", re.IGNORECASE)
_RAMP_ENDS = re.compile(r"\s*(\d{1,4}(?::\d{2}(?:\.\d)?)?)\s*-\s*(\d{1,4}(?::\d{2}(?:\.\d)?)?)")


def _ramp_direction(written: str, target: Target, start: int, end: int) -> RampDirection:
    """Which way a ramp goes, from the order its two ends are written in: `ramp 5:30-4:30`
    and `ramp 150-250w` rise (the effort grows), `ramp 250-150w` falls."""
    ends = _RAMP_ENDS.match(written)
    if not isinstance(target, PaceTarget | HeartRateTarget | PowerTarget | CadenceTarget) or not ends:
        raise StepSyntaxError(
            "a ramp goes from one value to another",
            hint="e.g. @ramp 5:30-4:45 (pace), @ramp 150-250w, @ramp 130-150bpm",
            start=start,
            end=end,
        )
    first, second = (
        (int(m) * 60 + float(s)) if ":" in v else float(v)
        for v in ends.groups()
        for m, _, s in [v.partition(":")]
    )
    if first == second:
        raise StepSyntaxError(
            "a ramp needs two different values", hint="a steady target needs no 'ramp'",
            start=start, end=end,
        )
    if isinstance(target, PaceTarget):
        return "rising" if first > second else "falling"
    return "rising" if first < second else "falling"


#: A warm-up or cool-down of at most this many metres, written in metres, is almost surely
#: minutes written as `m` (`warmup 60m`): nobody warms up for 60 metres, while a swimmer's
#: `warmup 200m` is metres and reads as no plausible number of minutes.
WARMUP_MINUTES = 60
#: The longest step the language accepts: a day, or 1000 km. Longer is a typo (`99999999h`), and
#: a watch would be handed a number it cannot hold (a FIT duration tops out near 50 days).
MAX_STEP_SECONDS = 24 * 3600
MAX_STEP_METRES = 1_000_000.0


def _parse_amount(
    text: str, units: Units, kind: StepKind, warnings: list[StepWarning], start: int, end: int
) -> End:
    lowered = text.lower().replace(" ", "")
    if lowered in ("lap", "open", "lapbutton", "untillap"):
        return End(kind="lap")
    if kcal := re.fullmatch(r"(\d+)(kcal|cal)", lowered):
        if int(kcal.group(1)) <= 0:
            raise StepSyntaxError("a step cannot burn 0 kcal", start=start, end=end)
        if int(kcal.group(1)) > 20_000:
            raise StepSyntaxError(
                f"'{text}' is more than a step can burn", hint="e.g. 500kcal", start=start, end=end
            )
        return End(kind="calories", value=int(kcal.group(1)))
    hr = _HR_END.fullmatch(lowered)
    if hr:
        if not 40 <= int(hr.group(2)) <= 230:
            raise StepSyntaxError(
                f"'{text}' is not a plausible heart rate",
                hint="e.g. hr<130 or hr>165 (bpm)",
                start=start,
                end=end,
            )
        return End(kind="hr_below" if hr.group(1) == "<" else "hr_above", value=int(hr.group(2)))
    try:
        if is_duration(lowered) or re.fullmatch(r"\d+:\d{2}(:\d{2})?", lowered):
            seconds = parse_duration(lowered)
            if seconds <= 0:
                raise StepSyntaxError("a step cannot last 0 seconds", start=start, end=end)
            if seconds > MAX_STEP_SECONDS:
                raise StepSyntaxError(
                    f"'{text}' is longer than {MAX_STEP_SECONDS // 3600} hours",
                    hint="one step lasts at most a day; check the amount: 1h30min?",
                    start=start,
                    end=end,
                )
            if seconds > 6 * 3600:
                warnings.append(
                    StepWarning(f"'{text}' is over six hours", "check the amount: 1h30min?")
                )
            return End(kind="time", value=seconds)
        if bare := re.fullmatch(r"\d+(\.\d+)?", lowered):
            # `45 @easy` is a forgotten unit far more often than 45 km; both readings are offered.
            number = bare.group(0)
            raise StepSyntaxError(
                f"'{text}' has no unit",
                hint=f"write {number}{units} for a distance or {number}min for a time",
                start=start,
                end=end,
            )
        if re.fullmatch(r"\d+(\.\d+)?(m|km|mi|k)", lowered):
            metres = parse_distance(lowered, units)
            if metres <= 0:
                raise StepSyntaxError("a step cannot cover 0 metres", start=start, end=end)
            if (
                lowered.endswith("m")
                and not lowered.endswith("km")
                and kind != "rest"
                and (metres < 50 or (kind in ("warmup", "cooldown") and metres <= WARMUP_MINUTES))
            ):
                number = lowered[:-1]
                warnings.append(
                    StepWarning(
                        f"'{text}' is {metres:g} metres, a very short {kind} step",
                        f"did you mean {number}min? (m is metres; minutes are min)",
                    )
                )
            if metres > MAX_STEP_METRES:
                raise StepSyntaxError(
                    f"'{text}' is over {MAX_STEP_METRES / 1000:.0f} km",
                    hint="one step covers at most 1000 km; check the amount and its unit",
                    start=start,
                    end=end,
                )
            if metres > 100_000:
                warnings.append(StepWarning(f"'{text}' is over 100 km", "check the amount"))
            return End(kind="distance", value=round(metres, 1))
    except StepSyntaxError as exc:
        raise StepSyntaxError(exc.message, exc.hint, start=start, end=end) from None
    hint = "say how long: a time (10min, 90s, 1h15min), a distance (400m, 2km, 1mi) or lap"
    if repeat := re.fullmatch(r"(\d+)[x×\*](.+)", lowered):
        hint = (
            f"repeats are tables: {{ repeat = {repeat.group(1)}, "
            f'steps = ["{repeat.group(2)}", "2min jog"] }}'
        )
    elif re.fullmatch(r"\d+(\.\d+)?[a-z]+", lowered):
        unit = re.sub(r"[\d.]", "", lowered)
        close = did_you_mean(unit, ["min", "s", "h", "m", "km", "mi"])
        if close:
            hint = f"unknown unit '{unit}': {close}"
    raise StepSyntaxError(f"'{text}' is not an amount", hint=hint, start=start, end=end)


def parse_target(text: str, units: Units, profile: Profile) -> Target:
    """Read a target (the part after `@`) and resolve it against the profile."""
    raw = text.strip()
    low = raw.lower()
    if low in ("open", "none", "free", "any"):
        return OpenTarget()

    if match := _ZONE.fullmatch(low.replace(" ", "").removesuffix("hr")):
        zone = int(match.group(2))
        if match.group(1):
            if zone > 7:
                raise StepSyntaxError(f"power zone {zone} does not exist", hint="use pz1..pz7")
            return PowerZoneTarget(zone=zone, label=raw)
        if zone > 5:
            raise StepSyntaxError(
                f"heart-rate zone {zone} does not exist", hint="heart-rate zones are z1..z5"
            )
        bounds = profile.hr_zone(zone)
        return HeartRateZoneTarget(
            zone=zone,
            low=bounds[0] if bounds else None,
            high=bounds[1] if bounds else None,
            label=raw,
        )

    if match := _RPE.fullmatch(low):
        value = float(match.group(1))
        if match.group(2):
            value = (value + float(match.group(2))) / 2
        if not 1 <= value <= 10:
            raise StepSyntaxError(f"RPE {value:g} is off the scale", hint="RPE runs from 1 to 10")
        return RpeTarget(value=value, label=raw)

    if match := _CADENCE.fullmatch(low):
        a = int(match.group(1))
        b = int(match.group(2)) if match.group(2) else None
        lo, hi = (min(a, b), max(a, b)) if b is not None else (a - 3, a + 3)
        if not 30 <= lo <= 250 or hi > 250:
            raise StepSyntaxError(
                f"'{raw}' is not a plausible cadence", hint="e.g. 180spm or 175-185spm"
            )
        return CadenceTarget(low=lo, high=hi, label=raw)

    if match := _BPM.fullmatch(low):
        a = int(match.group(1))
        b = int(match.group(2)) if match.group(2) else None
        lo, hi = (min(a, b), max(a, b)) if b is not None else (a - 3, a + 3)
        _check_hr(lo, hi, raw)
        return HeartRateTarget(low=lo, high=hi, label=raw)

    if match := _PERCENT_HR.fullmatch(low):
        base_name = "max_hr" if match.group(3) in ("max", "maxhr") else "lthr"
        base = profile.max_hr if base_name == "max_hr" else profile.lthr
        if base is None:
            raise StepSyntaxError(
                f"'{raw}' needs {base_name} in the athlete profile",
                hint=f"add {base_name} = ... under [athlete], or use a bpm range like 140-150bpm",
            )
        a = int(match.group(1))
        b = int(match.group(2)) if match.group(2) else a
        lo_pct, hi_pct = min(a, b), max(a, b)
        if hi_pct > 110 or lo_pct < 40:
            raise StepSyntaxError(f"'{raw}' is outside 40-110%", hint="e.g. 75-80%max")
        lo, hi = round(base * lo_pct / 100), round(base * hi_pct / 100)
        if lo == hi:
            lo, hi = lo - 2, hi + 2
        return HeartRateTarget(low=lo, high=hi, label=raw)

    if match := _POWER.fullmatch(low):
        a = int(match.group(1))
        b = int(match.group(2)) if match.group(2) else None
        lo, hi = (min(a, b), max(a, b)) if b is not None else (a - 5, a + 5)
        if not 30 <= lo <= 2000:
            raise StepSyntaxError(f"'{raw}' is not a plausible power", hint="e.g. 250w or 240-260w")
        return PowerTarget(low=lo, high=hi, label=raw)

    if match := _SPEED.fullmatch(low):
        factor = _SPEED_FACTOR[match.group(3)]
        speed = float(match.group(1)) * factor
        other = float(match.group(2)) * factor if match.group(2) else None
        if speed <= 0 or (other is not None and other <= 0):
            raise StepSyntaxError(f"'{raw}' is not a speed", hint="e.g. 12-13km/h")
        if other is None:
            centre = 1000.0 / speed
            tol = profile.pace_tolerance
            return PaceTarget(slow=centre + tol, fast=centre - tol, label=raw)
        return PaceTarget(
            slow=1000.0 / min(speed, other), fast=1000.0 / max(speed, other), label=raw
        )

    if match := _PACE_RANGE.fullmatch(low):
        unit_suffix = match.group(3) or ""
        first = parse_pace(match.group(1) + unit_suffix, units)
        if match.group(2):
            second = parse_pace(match.group(2) + unit_suffix, units)
            return PaceTarget(slow=max(first, second), fast=min(first, second), label=raw)
        tol = profile.pace_tolerance
        return PaceTarget(slow=first + tol, fast=first - tol, label=raw)

    match = _NAMED.fullmatch(low)
    if match and not match.group(1).isdigit():
        name, sign, amount = match.groups()
        if canonical_pace_name(name) is None:
            what = "pace" if name.isalpha() else "target"
            raise StepSyntaxError(
                f"unknown {what} '{raw}'",
                hint=did_you_mean(name, [*PACE_NAMES, *PACE_ALIASES, "open", "z1", "z2"])
                or "targets: a pace (4:30, 4:20-4:30, 6:50/mi), a named pace (easy, marathon, "
                "threshold...), z1..z5, 140-150bpm, 75-80%max, 250w, 180spm, rpe 6 or open",
                end=len(raw),
            )
        target = _named_pace(name, raw, profile)
        if sign:
            delta = float(amount) * (1000.0 / _unit_metres(units))
            delta = -delta if sign == "-" else delta
            target = PaceTarget(slow=target.slow + delta, fast=target.fast + delta, label=raw)
        return target

    hint = (
        "targets: a pace (4:30, 4:20-4:30, 6:50/mi), a named pace (easy, marathon-10s), "
        "z1..z5, 140-150bpm, 75-80%max, 250w, 180spm, rpe 6 or open"
    )
    if re.fullmatch(r"\d{1,2}[.,']\d{2}(/km|/mi)?", low):
        hint = "write paces with a colon: " + re.sub(r"[.,']", ":", low, count=1)
    elif re.fullmatch(r"\d{3,4}", low):
        minutes, seconds = int(low[:-2]), int(low[-2:])
        if seconds < 60:
            hint = f"a bare number is ambiguous: write {low}w for power or {minutes}:{seconds:02d} for pace"
        else:
            total = int(low)
            hint = (
                f"a bare number is ambiguous: write {low}w for power, or a pace as "
                f"minutes:seconds ({total} seconds is {total // 60}:{total % 60:02d})"
            )
    elif "–" in raw or "—" in raw:
        hint = "use a plain hyphen '-' between the two ends of a range"
    raise StepSyntaxError(f"unknown target '{raw}'", hint=hint, end=len(raw))


def _unit_metres(units: Units) -> float:
    return 1609.344 if units == "mi" else 1000.0


def _named_pace(name: str, label: str, profile: Profile) -> PaceTarget:
    pace = profile.pace(name)
    return PaceTarget(slow=pace.slow, fast=pace.fast, label=label)


def _check_hr(lo: int, hi: int, raw: str) -> None:
    if lo < 40 or hi > 230:
        raise StepSyntaxError(f"'{raw}' is not a plausible heart rate", hint="e.g. 140-150bpm")


def _check_pace(target: PaceTarget, warnings: list[StepWarning]) -> None:
    if target.fast < 150:
        raise StepSyntaxError(
            f"pace '{target.label}' is faster than 2:30/km",
            hint="check the number; for power write 250w, for per-mile paces add /mi",
        )
    if target.slow > 900:
        warnings.append(
            StepWarning(f"pace '{target.label}' is slower than 15:00/km", "is that a walk?")
        )


#: A pace target this much faster than the athlete's own 5k pace is not a training pace (mile
#: race pace is about 0.92 of 5k pace, 400 m about 0.85, short strides down to about 0.82);
#: below it, a typo or a pace written for the other unit (0.62 for a per-km pace in a miles
#: plan) is far likelier.
FASTEST_OF_5K = 0.80
#: Without a 5k pace to compare with, a miles plan's pace faster than this (s/km; 5:00/mi) is
#: most likely a per-km pace written into a miles plan.
FASTEST_MILE_PLAN_PACE = 300 / 1.609344


def _check_pace_against_profile(
    target: PaceTarget, units: Units, profile: Profile, warnings: list[StepWarning]
) -> None:
    """A pace far faster than the athlete can run: a per-km pace in a miles plan, or a typo."""
    five_k = profile.paces.get("5k")
    limit = five_k.centre * FASTEST_OF_5K if five_k else None
    if limit is None and units == "mi":
        limit = FASTEST_MILE_PLAN_PACE
    pace = (target.slow + target.fast) / 2
    if limit is None or pace >= limit:
        return
    written = target.label.lower()
    per_km_hint = units == "mi" and "/mi" not in written and "/km" not in written
    against = (
        f"your 5k pace ({format_pace(five_k.centre, units)})"
        if five_k
        else format_pace(FASTEST_MILE_PLAN_PACE, units)
    )
    number = target.label.split("/")[0]
    warnings.append(
        StepWarning(
            f"pace '{target.label}' ({format_pace(pace, units)}) is far faster than {against}",
            f"paces in a miles plan are per mile; for a per-km pace write @{number}/km"
            if per_km_hint
            else "check the number, or the paces under [athlete]",
        )
    )


def _check_against_profile(target: Target, profile: Profile, warnings: list[StepWarning]) -> None:
    """Values a watch accepts but the athlete cannot run: above max_hr, far above FTP."""
    if isinstance(target, HeartRateTarget) and profile.max_hr and target.high > profile.max_hr:
        warnings.append(
            StepWarning(
                f"'{target.label}' goes above max_hr = {profile.max_hr}",
                "check the numbers (a typo such as 150-50bpm?) or max_hr under [athlete]",
            )
        )
    if isinstance(target, HeartRateTarget) and target.low < 90:
        warnings.append(
            StepWarning(f"'{target.label}' starts below 90 bpm", "check the numbers: 140-150bpm?")
        )
    if isinstance(target, PowerTarget):
        limit = 2 * profile.ftp if profile.ftp else 600
        if target.high > limit:
            warnings.append(
                StepWarning(
                    f"'{target.label}' is above {limit}w"
                    + (f" (twice ftp = {profile.ftp})" if profile.ftp else ""),
                    "check the number; set ftp under [athlete] for power targets",
                )
            )


#: An easy-effort step (warm-up, cool-down, jog) this much slower than the athlete's slowest
#: easy pace is no longer running: a per-mile pace in a km plan reads 1.61 times slower.
SLOWEST_OF_EASY = 1.25
MILE_RATIO = 1.609344


def pace_sense(
    target: PaceTarget, role: Literal["quality", "easy"], units: Units, profile: Profile
) -> StepWarning | None:
    """A written pace that does not fit its step, with the likely cause.

    A quality step (the main set of a structured session, a progression stage) slower than the
    athlete's easy pace (and recovery pace, when there is one), or an easy step (warm-up, cool-down, jog) faster than threshold or far
    slower than easy. Slower than meant in a km plan is most often a per-mile pace pasted in;
    faster than meant in a miles plan, a per-km pace. Named paces come from the profile and fit
    by construction, so only paces written as numbers are judged.
    """
    easy = profile.paces.get("easy")
    if easy is None or not target.label[:1].isdigit():
        return None
    pace = target.centre
    tol = profile.pace_tolerance
    recovery = profile.paces.get("recovery")
    slowest_easy = max(easy.slow, recovery.slow) if recovery else easy.slow
    threshold = profile.paces.get("threshold")
    shown = format_pace(pace, units)
    easy_shown = f"{format_pace(easy.fast, units, suffix=False)}-{format_pace(easy.slow, units)}"
    slower = faster = None
    if role == "quality" and pace > slowest_easy + tol:
        # Slower than even the recovery pace: a jog between reps written as a run step is not.
        slower = f"a quality step at {shown} is slower than your easy pace ({easy_shown})"
    elif role == "easy" and pace > slowest_easy * SLOWEST_OF_EASY:
        slower = f"an easy step at {shown} is far slower than your easy pace ({easy_shown})"
    elif role == "easy" and threshold is not None and pace < threshold.fast - tol:
        faster = (
            f"an easy step at {shown} is faster than your threshold pace "
            f"({format_pace(threshold.centre, units)})"
        )
    number = target.label.split("/")[0]
    written_unit = "/mi" in target.label or "/km" in target.label
    if slower:
        hint = "check the number, or the paces under [athlete]"
        if units == "km" and not written_unit:
            hint = f"a per-mile pace in a km plan? write @{number}/mi (paces here are per km)"
        return StepWarning(slower, hint)
    if faster:
        hint = "check the number, or the paces under [athlete]"
        if units == "mi" and not written_unit:
            hint = f"a per-km pace in a miles plan? write @{number}/km (paces here are per mile)"
        return StepWarning(faster, hint)
    return None
