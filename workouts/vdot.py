"""Training paces from one race result, with Daniels' VDOT model.

Source: J. Daniels & J. Gilbert, *Oxygen Power* (1979), as used in Daniels' *Running Formula*:
- oxygen cost of running at v metres/minute: VO2 = -4.60 + 0.182258 v + 0.000104 v²
- share of VO2max sustainable for t minutes:
  %max = 0.8 + 0.1894393 e^(-0.012778 t) + 0.2989558 e^(-0.1932605 t)
- VDOT = VO2 / %max for the race. Equivalent race times solve the same VDOT for another
  distance; training paces run at a fraction of VDOT (easy 59–74 %, threshold about 88 %).
"""

from __future__ import annotations

import math
import re

from .units import parse_duration

RACE_DISTANCES_M = {
    "5k": 5000.0,
    "10k": 10000.0,
    "half": 21097.5,
    "hm": 21097.5,
    "marathon": 42195.0,
    "m": 42195.0,
    "15k": 15000.0,
    "3k": 3000.0,
    "mile": 1609.344,
}

#: Training-pace intensities as fractions of VDOT: (slow end, fast end).
TRAINING_FRACTIONS = {
    "recovery": (0.56, 0.60),
    "easy": (0.62, 0.70),
    "long": (0.62, 0.70),
    "threshold": (0.88, 0.88),
}


class RaceError(ValueError):
    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def vo2_cost(v_m_per_min: float) -> float:
    return -4.60 + 0.182258 * v_m_per_min + 0.000104 * v_m_per_min**2


def sustainable_fraction(minutes: float) -> float:
    return (
        0.8 + 0.1894393 * math.exp(-0.012778 * minutes) + 0.2989558 * math.exp(-0.1932605 * minutes)
    )


def vdot(distance_m: float, seconds: float) -> float:
    minutes = seconds / 60
    return vo2_cost(distance_m / minutes) / sustainable_fraction(minutes)


def velocity_for_vo2(vo2: float) -> float:
    """Inverse of `vo2_cost`: metres per minute that cost `vo2`."""
    a, b, c = 0.000104, 0.182258, -4.60 - vo2
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


def equivalent_time(score: float, distance_m: float) -> float:
    """Seconds in which a runner of this VDOT races `distance_m` (bisection)."""
    lo, hi = 60.0, 60.0 * 60 * 10
    for _ in range(80):
        mid = (lo + hi) / 2
        if vdot(distance_m, mid) > score:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def parse_race(text: str) -> tuple[float, float]:
    """`10k 41:30`, `half 1:32:10`, `marathon 3:15:00` → (metres, seconds)."""
    match = re.fullmatch(r"\s*(\S+)\s+(\S+)\s*", text.lower())
    if not match or match.group(1) not in RACE_DISTANCES_M:
        raise RaceError(
            f"race = {text!r} is not a race result",
            'write the distance and the time, e.g. "10k 41:30", "half 1:32:10", '
            '"marathon 3:15:00" or "5k 19:45"',
        )
    try:
        seconds = parse_duration(match.group(2))
    except ValueError as exc:
        raise RaceError(f"race = {text!r}: bad time", "write h:mm:ss or mm:ss") from exc
    distance = RACE_DISTANCES_M[match.group(1)]
    pace = seconds / (distance / 1000)
    if not 150 <= pace <= 720:
        hint = "check the time: races between 2:30/km and 12:00/km are understood"
        clock = re.fullmatch(r"(\d{1,2}):(\d{2})", match.group(2))
        if (
            clock
            and 150
            <= (int(clock.group(1)) * 3600 + int(clock.group(2)) * 60) / (distance / 1000)
            <= 720
        ):
            hint = (
                f"{match.group(2)} reads as minutes:seconds; for hours write "
                f'"{match.group(1)} {match.group(2)}:00"'
            )
        raise RaceError(f"race = {text!r} means {int(pace) // 60}:{int(pace) % 60:02d}/km", hint)
    return distance, seconds


def paces_from_race(text: str) -> dict[str, tuple[float, float]]:
    """Named training paces (slow, fast) in s/km derived from one race result."""
    distance, seconds = parse_race(text)
    score = vdot(distance, seconds)
    paces: dict[str, tuple[float, float]] = {}
    for name, (slow_f, fast_f) in TRAINING_FRACTIONS.items():
        slow = 60000.0 / velocity_for_vo2(score * slow_f)
        fast = 60000.0 / velocity_for_vo2(score * fast_f)
        paces[name] = (round(slow, 1), round(fast, 1))
    for name, race_distance in (
        ("marathon", 42195.0),
        ("half", 21097.5),
        ("10k", 10000.0),
        ("5k", 5000.0),
    ):
        pace = round(equivalent_time(score, race_distance) / (race_distance / 1000), 1)
        paces[name] = (pace, pace)
    return paces


def vdot_of(text: str) -> float:
    distance, seconds = parse_race(text)
    return vdot(distance, seconds)
