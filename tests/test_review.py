"""`progsync review`: what was run, step by step, against the plan (read-only).

Fixtures (tests/fixtures/README.md): FIT activities written with Garmin's SDK Encoder that run
the example week in known ways, and two runs recorded by real Garmin devices.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import WEEK_FIXTURE, run_cli
from .support import FIXTURES

ACTIVITIES = FIXTURES / "activities"


def review(*args: str) -> dict[str, Any]:
    result = run_cli("review", str(WEEK_FIXTURE), *args, "--json", env={"PROGSYNC_TODAY": "2026-12-10"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


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
    from progsync.workouts.activity import read_fit

    for path in sorted((ACTIVITIES / "real-device").glob("*.fit")):
        activity = read_fit(path.read_bytes(), str(path))
        assert activity is not None, path
        assert activity.sport == "run"


def test_the_committed_activities_are_what_the_script_writes(tmp_path: Path) -> None:
    from .support import make_activities

    written = make_activities.scenarios()
    for name, data in written.items():
        assert (ACTIVITIES / name).read_bytes() == data, name


# -- matching by what was run (tests/fixtures/activities/half-build.toml) -----------------------
HALF = ACTIVITIES / "half-build.toml"


def half_review(folder: str, *args: str) -> dict[str, Any]:
    result = run_cli("review", str(HALF), "--from", f"folder:{ACTIVITIES / folder}", *args, "--json",
                     env={"PROGSYNC_TODAY": "2026-12-20"})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def by_session(doc: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(s["session"]["date"], s["session"]["name"]): s for s in doc["sessions"] if s["session"]}


def test_a_session_run_a_day_late_with_its_workout_is_moved_not_the_days_own() -> None:
    # Tuesday's "Short progression" run on Wednesday, the watch running that very workout under
    # the name progsync's encoder gives it ("Short": 15 bytes, cut at a word)
    sessions = by_session(half_review("moved", "--week", "1"))
    tuesday = sessions[("2026-12-01", "Short progression")]
    assert tuesday["status"] == "moved" and tuesday["method"] == "workout", tuesday
    assert tuesday["activity"]["date"] == "2026-12-02"
    assert tuesday["activity"]["workout_name"] == "Short"
    assert tuesday["progression"]["ok"] is True
    wednesday = sessions[("2026-12-02", "Easy run")]
    assert wednesday["status"] == "missed", "Wednesday's easy run was not run"


def test_a_swap_with_a_name_cut_to_16_bytes_goes_to_the_sessions_that_were_run() -> None:
    # Thursday ran Friday's strides (the watch's name cut to 16 bytes mid-word: "Easy run +
    # strid"), Friday ran Thursday's reps: each is its own session, moved, step by step
    sessions = by_session(half_review("moved", "--week", "1"))
    friday = sessions[("2026-12-04", "Easy run + strides")]
    assert friday["activity"]["workout_name"] == "Easy run + strid"
    assert (friday["status"], friday["method"], friday["activity"]["date"]) == ("moved", "workout", "2026-12-03")
    assert [s["status"] for s in friday["steps"]] == ["done"] * 9
    thursday = sessions[("2026-12-03", "Threshold reps")]
    assert (thursday["status"], thursday["method"], thursday["activity"]["date"]) == ("moved", "workout", "2026-12-04")
    assert not any("not this session's" in note for s in sessions.values() for note in s["notes"])


def test_a_renamed_session_is_compared_step_by_step() -> None:
    # the watch holds the long run under the name it had before the plan renamed it
    sessions = by_session(half_review("moved", "--week", "1"))
    sunday = sessions[("2026-12-06", "Long run")]
    assert sunday["activity"]["workout_name"] == "Sunday long"
    assert (sunday["status"], sunday["method"]) == ("done", "workout"), sunday
    assert any("'Sunday long'" in note and "step by step" in note for note in sunday["notes"])


def test_four_of_five_reps_under_another_name_is_partial() -> None:
    sessions = by_session(half_review("short-reps", "--week", "1"))
    thursday = sessions[("2026-12-03", "Threshold reps")]
    assert thursday["activity"]["workout_name"] == "LT 5x3"
    assert (thursday["status"], thursday["method"]) == ("partial", "workout"), thursday
    skipped = [(s["name"], s["rep"]) for s in thursday["steps"] if s["status"] == "skipped"]
    assert skipped == [("run", 5), ("recover", 5)]


def test_a_week_window_does_not_claim_the_sunday_before_it() -> None:
    # --week 2: the week-1 long run on Sunday 6 Dec is just outside; it belongs to week 1
    doc = half_review("moved", "--week", "2")
    assert {s["status"] for s in doc["sessions"]} == {"missed"}, doc["sessions"]
    assert all(s["activity"] is None for s in doc["sessions"])
    (week,) = doc["weeks"]
    assert week["start"] == "2026-12-07" and week["actual_seconds"] == 0
    # reviewed with its own week, the same run is Sunday's long run
    week1 = by_session(half_review("moved", "--week", "1"))
    assert week1[("2026-12-06", "Long run")]["activity"]["date"] == "2026-12-06"
    # the one exception: week 2's Monday run the day before, with its workout on the watch
    edge = half_review("edge", "--week", "2")
    monday = by_session(edge)[("2026-12-07", "Easy run")]
    assert (monday["status"], monday["method"], monday["activity"]["date"]) == ("moved", "workout", "2026-12-06")
    assert [w["start"] for w in edge["weeks"]] == ["2026-12-07"]
    week1 = by_session(half_review("edge", "--week", "1"))
    assert week1[("2026-12-06", "Long run")]["status"] == "missed"
    assert all(s["status"] != "unplanned" for s in half_review("edge", "--week", "1")["sessions"])


def test_an_unplanned_run_gets_a_card() -> None:
    doc = half_review("moved", "--week", "1")
    (extra,) = [s for s in doc["sessions"] if s["status"] == "unplanned"]
    assert extra["date"] == "2026-12-05" and extra["activity"]["sport"] == "run"
    assert doc["weeks"][0]["counts"] == {"done": 2, "moved": 3, "missed": 1, "unplanned": 1}
    text = run_cli("review", str(HALF), "--from", f"folder:{ACTIVITIES / 'moved'}", "--week", "1",
                   env={"PROGSYNC_TODAY": "2026-12-20", "COLUMNS": "160"})
    assert "Sat 05 Dec 2026  run (not in the plan)  unplanned" in text.stdout


def test_even_splits_are_even() -> None:
    text = run_cli("review", str(HALF), "--from", f"folder:{ACTIVITIES / 'moved'}", "--week", "1",
                   env={"PROGSYNC_TODAY": "2026-12-20", "COLUMNS": "160"})
    assert text.returncode == 0, text.stderr
    monday = text.stdout[text.stdout.index("Mon 30 Nov") : text.stdout.index("Tue 01 Dec")]
    assert "spread 0:00 · even" in monday and "positive split" not in monday, monday
    (monday_doc,) = [s for s in half_review("moved", "--week", "1")["sessions"] if s["date"] == "2026-11-30"]
    assert monday_doc["whole_run"]["split"] == "even"


def test_a_watch_name_matches_only_as_itself_or_cut_to_16_bytes() -> None:
    from progsync.workouts.plan import compile_plan
    from progsync.workouts.review import same_name

    plan = compile_plan(HALF.read_text(encoding="utf-8"), str(HALF)).plan
    by_name = {s.name: s for s in plan.sessions}
    strides, easy = by_name["Easy run + strides"], by_name["Easy run"]
    assert same_name(strides, "Easy run + strid"), "cut to FIT's 16 bytes mid-word"
    assert same_name(strides, "Easy run"), "progsync's own cut: 15 bytes, at a word"
    assert same_name(easy, "easy  RUN"), "case and spacing aside"
    assert not same_name(easy, "Easy run + strid"), "a longer name is another workout"
    assert not same_name(easy, "Tempo")
    long_name = "Easy run + strides and a long tail of words that no watch could ever show"
    assert not same_name(strides, long_name)
