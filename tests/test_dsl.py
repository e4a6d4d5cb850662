"""The step language, construct by construct, in km and in miles."""

from __future__ import annotations

import pytest

from progsync.workouts.dsl import parse_step
from progsync.workouts.errors import StepSyntaxError
from progsync.workouts.model import (
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    RpeTarget,
    Step,
)
from progsync.workouts.profile import Profile, build_profile
from progsync.workouts.units import Units

MILE = 1609.344


def step(text: str, profile: Profile, units: Units = "km") -> Step:
    result, _ = parse_step(text, units, profile)
    return result


@pytest.mark.parametrize(
    ("text", "kind", "end_kind", "value"),
    [
        ("90s", "run", "time", 90),
        ("10min", "run", "time", 600),
        ("1h", "run", "time", 3600),
        ("1h15min", "run", "time", 4500),
        ("warmup 10min", "warmup", "time", 600),
        ("cooldown 5min", "cooldown", "time", 300),
        ("recover 2min", "recover", "time", 120),
        ("2min jog", "recover", "time", 120),
        ("rest 60s", "rest", "time", 60),
        ("run 400m", "run", "distance", 400),
        ("2km", "run", "distance", 2000),
        ("1.5mi", "run", "distance", 1.5 * MILE),
        ("lap", "run", "lap", None),
        ("cooldown hr<120", "cooldown", "hr_below", 120),
        ("recover hr>150", "recover", "hr_above", 150),
    ],
)
def test_amounts_and_kinds(profile: Profile, text: str, kind: str, end_kind: str, value: float | None) -> None:
    result = step(text, profile)
    assert result.kind == kind
    assert result.end.kind == end_kind
    if value is None:
        assert result.end.value is None
    else:
        assert result.end.value == pytest.approx(value, abs=0.1)


def test_m_is_metres_and_short_run_warns(profile: Profile) -> None:
    result, warnings = parse_step("10m @easy", "km", profile)
    assert result.end.kind == "distance" and result.end.value == 10
    assert len(warnings) == 1
    assert "did you mean 10min?" in (warnings[0].hint or "")
    _, none = parse_step("400m @5k", "km", profile)
    assert none == []


def test_absolute_pace_gets_tolerance(profile: Profile) -> None:
    target = step("10min @4:00", profile).target
    assert isinstance(target, PaceTarget)
    assert (target.slow, target.fast) == (245, 235)
    assert target.fast_mps == pytest.approx(1000 / 235)


def test_pace_range_in_either_order(profile: Profile) -> None:
    a = step("10min @4:00-4:10", profile).target
    b = step("10min @4:10-4:00", profile).target
    assert a == PaceTarget(slow=250, fast=240, label="4:00-4:10")
    assert isinstance(b, PaceTarget) and (b.slow, b.fast) == (250, 240)


def test_explicit_units_override_plan_units(profile: Profile) -> None:
    per_km = step("10min @4:00/km", profile, units="mi").target
    per_mile = step("10min @6:30/mi", profile, units="km").target
    assert isinstance(per_km, PaceTarget) and per_km.centre == pytest.approx(240)
    assert isinstance(per_mile, PaceTarget)
    assert per_mile.centre == pytest.approx(390 / 1.609344, abs=0.01)


def test_mile_plan_reads_bare_paces_in_miles(profile: Profile) -> None:
    # A bare distance ("2 @6:30") is no longer read as 2 miles: see tests/test_language.py.
    result = step("2mi @6:30", profile, units="mi")
    assert result.end.value == pytest.approx(2 * MILE, abs=0.1)
    assert isinstance(result.target, PaceTarget)
    assert result.target.centre == pytest.approx(390 * 1000 / MILE, abs=0.01)


def test_named_paces_aliases_and_offsets(profile: Profile) -> None:
    mp = step("20min @mp", profile).target
    assert isinstance(mp, PaceTarget) and mp.centre == 255
    faster = step("20min @marathon-10s", profile).target
    assert isinstance(faster, PaceTarget) and faster.centre == 245
    slower = step("20min @easy+15s", profile).target
    assert isinstance(slower, PaceTarget) and (slower.slow, slower.fast) == (345, 325)
    hmp = step("5km @hmp", profile).target
    assert isinstance(hmp, PaceTarget) and hmp.centre == 245


def test_offsets_are_per_mile_in_mile_plans(profile: Profile) -> None:
    base = step("20min @marathon", profile, units="mi").target
    off = step("20min @marathon-10s", profile, units="mi").target
    assert isinstance(base, PaceTarget) and isinstance(off, PaceTarget)
    assert base.centre - off.centre == pytest.approx(10 * 1000 / MILE)


def test_heart_rate_targets(profile: Profile) -> None:
    zone = step("30min @z2", profile).target
    assert isinstance(zone, HeartRateZoneTarget) and zone.zone == 2
    assert (zone.low, zone.high) == (round(171 * 0.85), round(171 * 0.89))
    bpm = step("30min @140-150bpm", profile).target
    assert isinstance(bpm, HeartRateTarget) and (bpm.low, bpm.high) == (140, 150)
    pmax = step("30min @70-75%max", profile).target
    assert isinstance(pmax, HeartRateTarget) and (pmax.low, pmax.high) == (132, 141)
    plthr = step("30min @90-95%lthr", profile).target
    assert isinstance(plthr, HeartRateTarget) and (plthr.low, plthr.high) == (154, 162)


def test_power_rpe_open(profile: Profile) -> None:
    assert step("5min @250w", profile).target == PowerTarget(low=245, high=255, label="250w")
    assert step("5min @240-260w", profile).target == PowerTarget(low=240, high=260, label="240-260w")
    assert step("5min @pz3", profile).target == PowerZoneTarget(zone=3, label="pz3")
    assert step("5min @rpe 6", profile).target == RpeTarget(value=6, label="rpe 6")
    assert isinstance(step("5min @open", profile).target, OpenTarget)
    assert isinstance(step("5min", profile).target, OpenTarget)


def test_jog_without_target_uses_recovery_then_easy(profile: Profile) -> None:
    jog = step("2min jog", profile).target
    assert isinstance(jog, PaceTarget) and jog.label == "recovery" and jog.slow == 360
    easy_only = build_profile({"paces": {"easy": "5:30"}})
    fallback = step("2min jog", easy_only).target
    assert isinstance(fallback, PaceTarget) and fallback.centre == 330
    assert isinstance(step("2min jog", Profile()).target, OpenTarget)


def test_notes(profile: Profile) -> None:
    result = step("20s @5k -- smooth and tall", profile)
    assert result.note == "smooth and tall"
    assert isinstance(result.target, PaceTarget)


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("10min @marthon", "unknown pace 'marthon'", "did you mean 'marathon'?"),
        ("10min @4.30", "unknown target '4.30'", "4:30"),
        ("10min @", "not followed by a target", None),
        ("@easy", "has no amount", None),
        ("10xyz @easy", "'10xyz' is not an amount", None),
        ("10 mins @z9", "heart-rate zone 9", None),
        ("warmup cooldown 5min", "names the kind twice", None),
        ("10min @4:75", "75 seconds", None),
        ("10min @1:50", "faster than 2:30/km", None),
        ("5 x 1km", "is not an amount", "repeat = 5"),
        ("10min @easy @5k", "one target", None),
        ("10min @rpe 12", "off the scale", None),
        ("10min @80%ftp", "unknown target", None),
        ("10min @300", "unknown target", "300w"),
        ("10min @4:00–4:10", "unknown target", "plain hyphen"),
        ("0min", "0 seconds", None),
    ],
)
def test_step_errors(profile: Profile, text: str, message: str, hint: str | None) -> None:
    with pytest.raises(StepSyntaxError) as caught:
        parse_step(text, "km", profile)
    assert message in caught.value.message
    if hint:
        assert hint in (caught.value.hint or "")
    assert 0 <= caught.value.start <= caught.value.end <= len(text)


def test_percent_hr_needs_profile_figure() -> None:
    with pytest.raises(StepSyntaxError, match="needs max_hr"):
        parse_step("10min @70%max", "km", Profile())


def test_missing_named_pace_says_how_to_add_it() -> None:
    with pytest.raises(StepSyntaxError) as caught:
        parse_step("10min @threshold", "km", build_profile({"paces": {"easy": "5:30"}}))
    assert "no 'threshold' pace" in caught.value.message
    assert "race" in (caught.value.hint or "")
