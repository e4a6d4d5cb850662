"""The athlete profile: named paces, heart-rate figures and power, which resolve step targets.

A profile comes from the `[athlete]` table of the config file and the `[athlete]` table of a
plan. The plan's wins by group, as a whole: if it gives any pace (`paces` or `race`), the
config's paces and race are not used at all, so a pace is never half the plan's and half the
config's; the same for heart rate (`max_hr`, `lthr`, `resting_hr`, `hr_zones`). Other keys
(`pace_tolerance`, `ftp`) are overridden one by one. Each pace remembers where it came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from .errors import StepSyntaxError, did_you_mean
from .records import record
from .units import Units, parse_duration, parse_pace

PACE_NAMES = ("easy", "recovery", "long", "marathon", "half", "threshold", "10k", "5k")
PACE_ALIASES = {
    "mp": "marathon",
    "hmp": "half",
    "tempo": "threshold",
    "lt": "threshold",
    "recover": "recovery",
    "rec": "recovery",
    "jog": "recovery",
    "lr": "long",
}
#: Paces that fall back to another when the profile does not give them.
PACE_FALLBACKS = {"recovery": "easy", "long": "easy"}
#: Keys that one layer of the profile gives as a whole (see the module's docstring).
PROFILE_GROUPS = (("paces", "race"), ("max_hr", "lthr", "resting_hr", "hr_zones"))
DEFAULT_PACE_TOLERANCE_S = 5.0
DEFAULT_HR_TOLERANCE = 3
DEFAULT_POWER_TOLERANCE = 5

#: Zone bounds as fractions of LTHR (Friel's running zones) and of max HR (the common 5-zone model).
LTHR_ZONES = ((0.65, 0.85), (0.85, 0.89), (0.90, 0.94), (0.95, 0.99), (1.00, 1.06))
MAX_HR_ZONES = ((0.50, 0.60), (0.60, 0.70), (0.70, 0.80), (0.80, 0.90), (0.90, 1.00))

PROFILE_KEYS = (
    "paces",
    "pace_tolerance",
    "max_hr",
    "lthr",
    "resting_hr",
    "hr_zones",
    "ftp",
    "race",
    "units",
)


@record
class ProfileProblem:
    """A key of the profile that is wrong: `key` is its dotted path inside `[athlete]`."""

    key: str
    message: str
    hint: str | None = None


class ProfileError(ValueError):
    def __init__(self, problems: list[ProfileProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@record
class PaceRange:
    """A pace range in s/km: `slow` >= `fast`."""

    slow: float
    fast: float

    @property
    def centre(self) -> float:
        return (self.slow + self.fast) / 2


@record
class Profile:
    """Resolved athlete figures. Paces in s/km; heart rate in bpm; power in watts."""

    paces: Mapping[str, PaceRange] = field(default_factory=dict)
    pace_tolerance: float = DEFAULT_PACE_TOLERANCE_S
    max_hr: int | None = None
    lthr: int | None = None
    resting_hr: int | None = None
    hr_zones: tuple[tuple[int, int], ...] | None = None
    ftp: int | None = None
    race: str | None = None
    derived: tuple[str, ...] = ()
    #: Where each pace came from: "plan", "config", "derived from race 10k 42:00 (config)".
    sources: Mapping[str, str] = field(default_factory=dict)

    def source(self, name: str) -> str:
        """Where a named pace comes from, following the fallbacks (`long`: "as easy, plan")."""
        if name in self.paces:
            return self.sources.get(name, "profile")
        seen = name
        while seen not in self.paces and seen in PACE_FALLBACKS:
            seen = PACE_FALLBACKS[seen]
        if seen in self.paces:
            return f"as {seen}, {self.sources.get(seen, 'profile')}"
        return "not set"

    def pace(self, name: str) -> PaceRange:
        """A named pace, following aliases and fallbacks; KeyError with a hint when unknown."""
        key = canonical_pace_name(name)
        if key is None:
            raise StepSyntaxError(
                f"unknown pace '{name}'",
                hint=did_you_mean(name, [*PACE_NAMES, *PACE_ALIASES])
                or f"named paces are {', '.join(PACE_NAMES)}",
            )
        seen = key
        while seen not in self.paces and seen in PACE_FALLBACKS:
            seen = PACE_FALLBACKS[seen]
        if seen not in self.paces:
            raise StepSyntaxError(
                f"the athlete profile has no '{key}' pace",
                hint=f'add it under [athlete] paces, e.g. {key} = "4:30", or give a race '
                'result (race = "10k 45:00") to derive every pace',
            )
        return self.paces[seen]

    def hr_zone(self, zone: int) -> tuple[int, int] | None:
        """bpm bounds of a heart-rate zone 1..5, when the profile can tell them."""
        if self.hr_zones and 1 <= zone <= len(self.hr_zones):
            return self.hr_zones[zone - 1]
        if self.lthr:
            lo, hi = LTHR_ZONES[zone - 1]
            return round(self.lthr * lo), round(self.lthr * hi)
        if self.max_hr:
            lo, hi = MAX_HR_ZONES[zone - 1]
            return round(self.max_hr * lo), round(self.max_hr * hi)
        return None


def canonical_pace_name(name: str) -> str | None:
    key = name.lower()
    key = PACE_ALIASES.get(key, key)
    return key if key in PACE_NAMES else None


def athlete_layers(
    *layers: tuple[str, Mapping[str, Any] | None],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Merge named `[athlete]` layers (later wins), each group of `PROFILE_GROUPS` as a whole;
    also returns which layer each key came from."""
    out: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for name, layer in layers:
        if not layer:
            continue
        for group in PROFILE_GROUPS:
            if any(key in layer for key in group):
                for key in group:
                    out.pop(key, None)
                    origin.pop(key, None)
        for key, value in layer.items():
            out[key] = dict(value) if isinstance(value, Mapping) else value
            origin[key] = name
    return out, origin


def _pace_range(text: str, units: Units, tolerance: float) -> PaceRange:
    if "-" in text.strip().lstrip("-"):
        left, right = text.split("-", 1)
        a, b = parse_pace(left, units), parse_pace(right, units)
        return PaceRange(slow=max(a, b), fast=min(a, b))
    centre = parse_pace(text, units)
    return PaceRange(slow=centre + tolerance, fast=centre - tolerance)


def _positive_int(data: Mapping[str, Any], key: str, problems: list[ProfileProblem]) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 30 <= value <= 260:
        problems.append(
            ProfileProblem(
                key, f"{key} = {value!r} is not a heart rate", "write whole bpm, e.g. 171"
            )
        )
        return None
    return value


def build_profile(
    data: Mapping[str, Any], units: Units = "km", origin: Mapping[str, str] | None = None
) -> Profile:
    """Validate a merged `[athlete]` table into a Profile; ProfileError lists every problem.

    `origin` names the layer each key came from (`athlete_layers`), for the paces' sources.
    Paces derived from a race fill only the gaps, and follow the paces given: with an easy
    pace given, `long` and `recovery` are not derived (they fall back to that easy pace)."""
    origin = origin or {}
    problems: list[ProfileProblem] = []
    for key in data:
        if key not in PROFILE_KEYS:
            problems.append(
                ProfileProblem(
                    key,
                    f"unknown athlete key '{key}'",
                    did_you_mean(key, PROFILE_KEYS) or f"known keys: {', '.join(PROFILE_KEYS)}",
                )
            )
    units_value = data.get("units", units)
    if units_value not in ("km", "mi"):
        problems.append(ProfileProblem("units", f"units = {units_value!r}", 'use "km" or "mi"'))
        units_value = units
    tolerance = DEFAULT_PACE_TOLERANCE_S
    if "pace_tolerance" in data:
        # Seconds per km in km plans and per mile in mile plans, as docs/dsl.md says; "5s/km" or
        # "5s/mi" name the unit. Kept internally in seconds per km, like every pace.
        raw = data["pace_tolerance"]
        try:
            per = str(units_value)
            text = str(raw).strip().lower()
            for suffix in ("/km", "/mi"):
                if text.endswith(suffix):
                    per, text = suffix[1:], text[: -len(suffix)]
            value = (
                float(raw)
                if isinstance(raw, int | float) and not isinstance(raw, bool)
                else parse_duration(text)
            )
            if not 0 <= value <= 60:
                raise StepSyntaxError("out of range")
            tolerance = value * 1000.0 / (1609.344 if per == "mi" else 1000.0)
        except StepSyntaxError:
            problems.append(
                ProfileProblem(
                    "pace_tolerance",
                    f"pace_tolerance = {raw!r} is not a tolerance",
                    'write seconds per km (per mile in mile plans), e.g. "5s", "5s/km" or "5s/mi"',
                )
            )

    paces: dict[str, PaceRange] = {}
    raw_paces = data.get("paces", {})
    if not isinstance(raw_paces, Mapping):
        problems.append(
            ProfileProblem("paces", "paces must be a table", 'paces = { easy = "5:30" }')
        )
        raw_paces = {}
    for name, text in raw_paces.items():
        canonical = canonical_pace_name(str(name))
        if canonical is None:
            problems.append(
                ProfileProblem(
                    f"paces.{name}",
                    f"unknown pace name '{name}'",
                    did_you_mean(str(name), PACE_NAMES)
                    or f"named paces are {', '.join(PACE_NAMES)}",
                )
            )
            continue
        try:
            paces[canonical] = _pace_range(str(text), units_value, tolerance)
        except StepSyntaxError as exc:
            problems.append(
                ProfileProblem(f"paces.{name}", f"paces.{name}: {exc.message}", exc.hint)
            )

    zones: tuple[tuple[int, int], ...] | None = None
    if "hr_zones" in data:
        raw_zones = data["hr_zones"]
        try:
            zones = tuple((int(lo), int(hi)) for lo, hi in raw_zones)
            if len(zones) != 5 or any(lo >= hi for lo, hi in zones):
                raise ValueError
        except (TypeError, ValueError):
            problems.append(
                ProfileProblem(
                    "hr_zones",
                    "hr_zones must be five [low, high] bpm pairs",
                    "hr_zones = [[110, 130], [130, 145], [145, 158], [158, 170], [170, 188]]",
                )
            )
            zones = None

    ftp = data.get("ftp")
    if ftp is not None and (isinstance(ftp, bool) or not isinstance(ftp, int) or ftp <= 0):
        problems.append(
            ProfileProblem("ftp", f"ftp = {ftp!r} is not a power", "write watts, e.g. 280")
        )
        ftp = None

    race = data.get("race")
    derived: tuple[str, ...] = ()
    if race is not None:
        from .vdot import RaceError, paces_from_race

        try:
            derived_paces = paces_from_race(str(race))
        except RaceError as exc:
            problems.append(ProfileProblem("race", str(exc), exc.hint))
        else:
            given = set(paces)
            derived = tuple(
                k
                for k in derived_paces
                if k not in given and not (k in PACE_FALLBACKS and PACE_FALLBACKS[k] in given)
            )
            for key in derived:
                slow, fast = derived_paces[key]
                if slow == fast:
                    slow, fast = slow + tolerance, fast - tolerance
                paces[key] = PaceRange(slow=slow, fast=fast)

    pace_origin = origin.get("paces", "profile")
    race_origin = f" ({origin['race']})" if "race" in origin else ""
    sources = {
        name: f"derived from race {race}{race_origin}" if name in derived else pace_origin
        for name in paces
    }
    profile = Profile(
        paces=paces,
        sources=sources,
        pace_tolerance=tolerance,
        max_hr=_positive_int(data, "max_hr", problems),
        lthr=_positive_int(data, "lthr", problems),
        resting_hr=_positive_int(data, "resting_hr", problems),
        hr_zones=zones,
        ftp=ftp,
        race=str(race) if race is not None else None,
        derived=derived,
    )
    if problems:
        raise ProfileError(problems)
    return profile
