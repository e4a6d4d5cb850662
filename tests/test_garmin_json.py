"""Garmin Connect workout JSON against payloads recorded from the live service."""

from __future__ import annotations

import json
from typing import Any

import pytest

from progsync.workouts.encode import EncodeError
from progsync.workouts.garmin_json import MAX_STEPS, count_steps, encode_workout
from progsync.workouts.model import Repeat

from .conftest import compile_text
from .support import FIXTURES

GARMIN = FIXTURES / "garmin-connect"

MEGA_RUN = """
[[session]]
day = "tue"
name = "MEGA RUN - Complete API Test"
steps = [
  "warmup lap",
  "10min @z4",
  "recover 400m @120-140bpm",
  "50kcal @3.5-4.0m/s & 160-175bpm",
  { repeat = 3, steps = [
      { repeat = 4, steps = ["400m @4.5-5.0m/s", "recover 200m"] },
      "rest 3min",
  ] },
  "cooldown lap",
]
"""


def _id(obj: dict[str, Any] | None, key: str) -> int | None:
    return None if obj is None else obj[key]


def normalise(steps: list[dict[str, Any]]) -> list[Any]:
    """What must match: ids, values, order and nesting (not server ids or local numbering)."""
    out: list[Any] = []
    for step in steps:
        end_id = step["endCondition"]["conditionTypeId"]
        entry: dict[str, Any] = {
            "type": step["type"],
            "stepType": step["stepType"]["stepTypeId"],
            "end": end_id,
            # the lap button ignores its value (the recording carries a meaningless 1000)
            "endValue": None if end_id == 1 else float(step["endConditionValue"]),
        }
        if step["type"] == "RepeatGroupDTO":
            entry["iterations"] = step["numberOfIterations"]
            entry["smartRepeat"] = step["smartRepeat"]
            entry["steps"] = normalise(step["workoutSteps"])
        else:
            entry["target"] = step["targetType"]["workoutTargetTypeId"]
            # Both orders display correctly on watches; progsync sends the faster bound first.
            values = [step.get("targetValueOne"), step.get("targetValueTwo")]
            entry["values"] = sorted(round(float(v), 3) for v in values if v is not None)
            entry["zone"] = step.get("zoneNumber")
            entry["secondary"] = _id(step.get("secondaryTargetType"), "workoutTargetTypeId")
            secondary = [step.get("secondaryTargetValueOne"), step.get("secondaryTargetValueTwo")]
            entry["secondaryValues"] = sorted(float(v) for v in secondary if v is not None)
        out.append(entry)
    return out


def numbering(steps: list[dict[str, Any]]) -> list[Any]:
    return [
        (s["stepOrder"], s["childStepId"], numbering(s.get("workoutSteps", [])))
        for s in steps
    ]


def ours() -> dict[str, Any]:
    return encode_workout(compile_text(MEGA_RUN).plan.sessions[0]).data


def test_equivalent_to_the_recorded_input() -> None:
    recorded = json.loads((GARMIN / "WorkoutRunningNestedRepeatsInput.json").read_text())
    payload = ours()
    assert payload["sportType"]["sportTypeId"] == recorded["sportType"]["sportTypeId"] == 1
    assert payload["workoutName"] == recorded["workoutName"]
    ours_steps = payload["workoutSegments"][0]["workoutSteps"]
    recorded_steps = recorded["workoutSegments"][0]["workoutSteps"]
    assert normalise(ours_steps) == normalise(recorded_steps)


def test_numbering_matches_what_the_service_stores() -> None:
    stored = json.loads((GARMIN / "WorkoutRunningNestedRepeatsOutput.json").read_text())
    assert numbering(ours()["workoutSegments"][0]["workoutSteps"]) == numbering(
        stored["workoutSegments"][0]["workoutSteps"]
    )


def test_shaped_like_the_stored_output_where_they_overlap() -> None:
    stored = json.loads((GARMIN / "WorkoutRunningNestedRepeatsOutput.json").read_text())
    payload = ours()
    assert set(payload) <= set(stored) | {"author"}
    stored_segment = stored["workoutSegments"][0]
    assert set(payload["workoutSegments"][0]) <= set(stored_segment)

    def walk(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
        for mine, theirs in zip(a, b, strict=True):
            assert set(mine) <= set(theirs), set(mine) - set(theirs)
            for key in ("stepType", "endCondition", "targetType"):
                if key in mine and mine[key] is not None:
                    assert set(mine[key]) <= set(theirs[key])
                    for sub in mine[key]:
                        if sub != "displayable" or key != "endCondition":
                            assert mine[key][sub] == theirs[key][sub], (key, sub)
            walk(mine.get("workoutSteps", []), theirs.get("workoutSteps", []))

    walk(payload["workoutSegments"][0]["workoutSteps"], stored_segment["workoutSteps"])


def test_pace_faster_bound_first_in_metres_per_second() -> None:
    session = compile_text('[[session]]\nday = "tue"\nsteps = ["10min @4:00-4:10"]\n').plan.sessions[0]
    step = encode_workout(session).data["workoutSegments"][0]["workoutSteps"][0]
    assert step["targetType"]["workoutTargetTypeId"] == 6
    assert step["targetValueOne"] == pytest.approx(1000 / 240, abs=1e-5)
    assert step["targetValueTwo"] == pytest.approx(1000 / 250, abs=1e-5)
    assert step["zoneNumber"] is None


@pytest.mark.parametrize(
    ("text", "target_id", "one", "two", "zone"),
    [
        ("10min @z3", 4, None, None, 3),
        ("10min @140-150bpm", 4, 140.0, 150.0, None),
        ("10min @240-260w", 2, 240.0, 260.0, None),
        ("10min @pz4", 2, None, None, 4),
        ("10min @open", 1, None, None, None),
        ("10min @rpe 7", 1, None, None, None),
    ],
)
def test_target_ids(text: str, target_id: int, one: float | None, two: float | None, zone: int | None) -> None:
    session = compile_text(f'[[session]]\nday = "tue"\nsteps = ["{text}"]\n').plan.sessions[0]
    step = encode_workout(session).data["workoutSegments"][0]["workoutSteps"][0]
    assert step["targetType"]["workoutTargetTypeId"] == target_id
    assert (step["targetValueOne"], step["targetValueTwo"], step["zoneNumber"]) == (one, two, zone)


def test_rpe_and_notes_go_to_the_step_description_with_a_warning() -> None:
    session = compile_text('[[session]]\nday = "tue"\nsteps = ["10min @rpe 7 -- steady"]\n').plan.sessions[0]
    encoded = encode_workout(session)
    step = encoded.data["workoutSegments"][0]["workoutSteps"][0]
    assert step["description"] == "RPE 7 · steady"
    assert any("RPE" in w and "'Run'" in w for w in encoded.warnings)


def test_description_tells_a_human() -> None:
    session = compile_text(
        '[[session]]\nday = "sun"\nprogression = { duration = "60min", to = "marathon", stages = 3 }\n'
    ).plan.sessions[0]
    payload = encode_workout(session).data
    assert payload["description"].startswith("Progression run (about 1:00:00")
    assert "building to marathon" in payload["description"]
    assert payload["estimatedDurationInSecs"] == 3600


def test_step_limit_folds_repeats_then_refuses() -> None:
    many = ", ".join(['"400m @5k"', '"200m jog"'] * 30)
    session = compile_text(f'[[session]]\nday = "tue"\nsteps = [{many}]\n').plan.sessions[0]
    assert count_steps(session.steps) == 60
    encoded = encode_workout(session)
    (group,) = encoded.data["workoutSegments"][0]["workoutSteps"]
    assert group["numberOfIterations"] == 30
    assert any("50-step limit" in w for w in encoded.warnings)

    distinct = ", ".join(f'"{i + 1}min @easy"' for i in range(MAX_STEPS + 1))
    too_many = compile_text(f'[[session]]\nday = "tue"\nsteps = [{distinct}]\n').plan.sessions[0]
    with pytest.raises(EncodeError, match="at most 50"):
        encode_workout(too_many)
    assert not isinstance(too_many.steps[0], Repeat)
