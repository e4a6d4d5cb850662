"""The three formats agree on every session of the examples, and `export` writes them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from progsync.workouts.fit import encode_fit
from progsync.workouts.garmin_json import encode_workout
from progsync.workouts.intervals_text import encode_intervals_text
from progsync.workouts.model import Session, flatten
from progsync.workouts.plan import compile_plan

from .conftest import WEEK_FIXTURE, run_cli
from .support import EXAMPLES
from .support.fitcheck import decode


def sessions() -> list[Session]:
    out: list[Session] = []
    for path in sorted(EXAMPLES.glob("*.toml")):
        out.extend(compile_plan(path.read_text(), str(path), {}).plan.sessions)
    return out


#: A step as the formats are compared: its end condition and value.
Flat = tuple[str, float | None]


def garmin_flat(steps: Sequence[Mapping[str, Any]]) -> list[Flat]:
    out: list[Flat] = []
    for step in steps:
        if step["type"] == "RepeatGroupDTO":
            body = garmin_flat(step["workoutSteps"])
            out.extend(body * step["numberOfIterations"])
        else:
            out.append((step["endCondition"]["conditionTypeKey"], step["endConditionValue"]))
    return out


def fit_flat(messages: Sequence[Mapping[str, Any]]) -> list[Flat]:
    out: list[Flat] = []
    index = 0
    counters: dict[int, int] = {}
    while index < len(messages):
        m = messages[index]
        if m["duration_type"] == "repeat_until_steps_cmplt":
            done = counters.get(index, 1)
            if done < m["target_value"]:
                counters[index] = done + 1
                index = m["duration_value"]
                continue
            counters.pop(index, None)
            index += 1
            continue
        kind = {"time": "time", "distance": "distance", "open": "lap.button"}[m["duration_type"]]
        value = m.get("duration_time") or m.get("duration_distance")
        out.append((kind, value))
        index += 1
    return out


@pytest.mark.parametrize("session", sessions(), ids=lambda s: s.slug)
def test_three_formats_agree(session: Session) -> None:
    expected = [
        ({"time": "time", "distance": "distance", "lap": "lap.button"}[s.end.kind], s.end.value)
        for s in flatten(session.steps)
    ]
    garmin = encode_workout(session).data["workoutSegments"][0]["workoutSteps"]
    assert garmin_flat(garmin) == expected
    assert fit_flat(decode(encode_fit(session).data)["workout_step_mesgs"]) == expected
    text = encode_intervals_text(session).data
    repeats = [line for line in text.splitlines() if line.endswith("x") and line[:-1].isdigit()]
    step_lines = [line for line in text.splitlines() if line.startswith("- ")]
    executed = 0
    current = 1
    for line in text.splitlines():
        if line in repeats:
            current = int(line[:-1])
        elif line == "":
            current = 1
        elif line.startswith("- "):
            executed += current
    assert executed == len(expected)
    assert len(step_lines) >= 1


def test_export_writes_decodable_files(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("export", str(WEEK_FIXTURE), "--format", "fit", "--format", "intervals",
                     "--format", "garmin-json", "-o", str(out))
    assert result.returncode == 0, result.stderr
    files = sorted(p.name for p in out.iterdir())
    assert "2026-11-24_run2pb-progression.fit" in files
    assert "2026-11-29_long-run-fast-finish.txt" in files
    assert len(files) == 6 * 3
    for fit in out.glob("*.fit"):
        decode(fit.read_bytes())
    first = {p.name: p.read_bytes() for p in out.iterdir()}
    again = run_cli("export", str(WEEK_FIXTURE), "--format", "fit", "--format", "intervals",
                    "--format", "garmin-json", "-o", str(out))
    assert again.returncode == 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == first, "byte-identical on re-export"
    assert "wrote" in result.stdout


def test_export_of_a_session_garmin_cannot_carry_is_a_clear_input_error(tmp_path: Path) -> None:
    steps = ", ".join(f'"{i + 1}min @easy"' for i in range(60))
    plan = tmp_path / "long.toml"
    plan.write_text(f'[plan]\nstart = 2026-11-23\n[athlete]\npaces = {{ easy = "5:30" }}\n[[session]]\nday = "tue"\nsteps = [{steps}]\n')
    result = run_cli("export", str(plan), "--format", "garmin-json", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "takes at most 50" in result.stderr and "hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir()), "nothing half-written"
