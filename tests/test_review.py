"""`progsync review`: what was run, step by step, against the plan (read-only).

Fixtures (tests/fixtures/README.md): FIT activities written with Garmin's SDK Encoder that run
the example week in known ways, and two runs recorded by real Garmin devices.
"""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import FIXTURES, WEEK_FIXTURE, run_cli

ACTIVITIES = FIXTURES / "activities"


def review(*args: str) -> dict:  # type: ignore[type-arg]
    result = run_cli("review", str(WEEK_FIXTURE), *args, "--json", env={"PROGSYNC_TODAY": "2026-12-10"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_every_status_of_a_week(tmp_path: Path) -> None:
    doc = review("--from", f"folder:{ACTIVITIES / 'week'}")
    statuses = [(s["date"], s["status"]) for s in doc["sessions"]]
    assert statuses == [
        ("2026-11-23", "done"), ("2026-11-24", "done"), ("2026-11-25", "missed"), ("2026-11-25", "unplanned"),
        ("2026-11-26", "done"), ("2026-11-27", "partial"), ("2026-11-29", "moved"),
    ]
    (week,) = doc["weeks"]
    assert week["counts"] == {"done": 3, "missed": 1, "unplanned": 1, "partial": 1, "moved": 1}
    assert 0 < week["actual_easy_share"] < 1


def test_steps_are_marked_against_their_targets() -> None:
    text = run_cli("review", str(WEEK_FIXTURE), "--from", f"folder:{ACTIVITIES / 'week'}",
                   env={"PROGSYNC_TODAY": "2026-12-10", "COLUMNS": "160"})
    assert text.returncode == 0, text.stderr
    assert "▲ 0:10 fast" in text.stdout, "the too-fast intervals are marked, by how much"
    assert "✓ a progression run" in text.stdout


def test_a_skipped_stage_is_not_a_progression_run() -> None:
    doc = review("--from", f"folder:{ACTIVITIES / 'stage-skipped'}")
    (tuesday,) = [s for s in doc["sessions"] if s["date"] == "2026-11-24"]
    assert tuesday["status"] in ("partial", "done")
    assert json.dumps(tuesday).count("skip") or tuesday["status"] == "partial", tuesday


def test_runs_recorded_by_real_devices_decode() -> None:
    from progsync.sync.review import read_fit

    for path in sorted((ACTIVITIES / "real-device").glob("*.fit")):
        activity = read_fit(path.read_bytes(), str(path))
        assert activity is not None, path
        assert activity.sport == "run"


def test_the_committed_activities_are_what_the_script_writes(tmp_path: Path) -> None:
    from . import make_activities

    written = make_activities.scenarios()
    for name, data in written.items():
        assert (ACTIVITIES / name).read_bytes() == data, name
