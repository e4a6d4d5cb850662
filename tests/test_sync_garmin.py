"""Garmin Connect through the real `garminconnect` client, against a fake service on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import PushOutcome, ledger_path, run_clear, run_push
from progsync.sync.services.garmin import check_login_cooldown, record_login_failure
from progsync.sync.settings.config import Config
from progsync.sync.settings.errors import AuthError

from .conftest import run_cli
from .support import ROOT
from .support.fake_garmin import FakeGarmin, Fault
from .support.plans import WEEK, write_plan


@pytest.fixture
def garmin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    server = FakeGarmin().start()
    monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    yield server
    server.stop()


def push(path: Path, **kwargs: Any) -> PushOutcome:  # run_push's options
    config = Config()
    return run_push(load_plans([str(path)], config), ["garmin"], config, **kwargs)


def calls(server: FakeGarmin) -> list[tuple[str, str]]:
    return [(m, "/".join(p.split("/")[1:3])) for m, p, _, _ in server.log]


def test_first_push_costs_two_requests_per_workout_and_re_push_none(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    outcome = push(plan)
    assert outcome.exit_code == 0, outcome.as_dict()
    assert len(garmin.requests("POST", "/workout-service/workout")) == 6
    assert len(garmin.requests("POST", "/workout-service/schedule/")) == 6
    assert len(garmin.writes()) == 12
    assert len(garmin.requests("GET")) == 1, "one listing; the upload reply is read back for free"
    tempo = garmin.marked()["block/tempo"]
    assert tempo["description"].endswith("]") and "[progsync block/tempo 2026-11-24 " in tempo["description"]
    steps = tempo["workoutSegments"][0]["workoutSteps"]
    assert [s["stepOrder"] for s in steps] == [1, 2, 5]
    assert steps[1]["workoutSteps"][0]["targetType"]["workoutTargetTypeId"] == 6
    days = sorted(day for _, day in garmin.scheduled())
    assert days == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-28", "2026-11-29"]

    garmin.log.clear()
    again = push(plan)
    assert again.reports[0].counts["unchanged"] == 6
    assert garmin.writes() == []
    assert [(m, p) for m, p, _, _ in garmin.log] == [
        ("GET", "/workout-service/workouts"), ("GET", "/calendar-service/year/2026/month/10")
    ], "a re-push reads the workout list and the calendar month it covers (0-based month), nothing else"


def test_edit_in_place_keeps_the_calendar_entry(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    schedules = garmin.scheduled()
    ids = {k: v["workoutId"] for k, v in garmin.marked().items()}
    write_plan(tmp_path, WEEK.replace('steps = ["30min @easy"]', 'steps = ["36min @easy"]'))
    garmin.log.clear()
    outcome = push(plan)
    assert outcome.reports[0].counts["update"] == 1
    assert [m for m, _, _, _ in garmin.writes()] == ["PUT"], "an edit is one write"
    assert garmin.scheduled() == schedules
    workout = garmin.marked()["block/2026-11-28/0"]
    assert workout["workoutId"] == ids["block/2026-11-28/0"]
    assert workout["workoutSegments"][0]["workoutSteps"][0]["endConditionValue"] == 36 * 60


def test_move_and_delete_and_foreign_workouts(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    foreign = garmin.add_foreign(day="2026-11-25")
    push(plan)
    edited = WEEK.replace('day = "tue"\nid = "tempo"', 'day = "fri"\nid = "tempo"')
    edited = edited.replace('[[session]]\nday = "wed"\nsteps = ["40min @easy"]\n', "")
    write_plan(tmp_path, edited)
    outcome = push(plan)
    counts = outcome.reports[0].counts
    assert (counts["move"], counts["delete"]) == (1, 1)
    marked = garmin.marked()
    assert "block/2026-11-25/0" not in marked
    tempo_id = marked["block/tempo"]["workoutId"]
    assert (tempo_id, "2026-11-27") in garmin.scheduled()
    assert not any(w == tempo_id and d == "2026-11-24" for w, d in garmin.scheduled())
    assert foreign in garmin.workouts and (foreign, "2026-11-25") in garmin.scheduled()
    clear = run_clear(["garmin"], Config(), None, None)
    assert clear.reports[0].counts["delete"] == 5
    assert list(garmin.workouts) == [foreign]


def test_lost_ledger_is_rebuilt_from_markers(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    ledger_path().unlink()
    garmin.log.clear()
    assert push(plan).reports[0].counts["unchanged"] == 6
    assert garmin.writes() == []


def test_killed_between_upload_and_schedule_is_completed_without_duplicates(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    garmin.faults.append(Fault("POST", "/workout-service/schedule/", delay=30))
    proc = subprocess.Popen([sys.executable, "-m", "progsync.sync", "push", str(plan), "--to", "garmin"],
                            cwd=ROOT, env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while not garmin.requests("POST", "/workout-service/schedule/") and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(garmin.workouts) == 1 and garmin.scheduled() == []
    garmin.faults.clear()
    result = run_cli("push", str(plan), "--to", "garmin")
    assert result.returncode == 0, result.stderr
    assert len(garmin.workouts) == 6, "the uploaded workout was not uploaded again"
    assert len(garmin.scheduled()) == 6


def test_schedule_that_succeeded_unrecorded_is_not_repeated(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    db = sqlite3.connect(ledger_path())
    db.execute("UPDATE items SET state = 'uploaded', schedule_id = NULL, fingerprint = NULL WHERE identity = 'block/tempo'")
    db.commit()
    db.close()
    outcome = push(plan)
    assert outcome.exit_code == 0
    assert len(garmin.scheduled()) == 6, "the calendar was checked before scheduling again"


def test_read_back_mismatch_is_an_error_naming_session_and_step(garmin: FakeGarmin, tmp_path: Path) -> None:
    garmin.corrupt_pace = True
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin")
    assert result.returncode == 1
    assert "Garmin stored 'Tempo' (2026-11-24) differently" in result.stderr
    assert "step 2.1: target stored as" in result.stderr
    garmin.corrupt_pace = False
    again = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin")
    assert again.returncode == 0, again.stderr
    assert len(garmin.workouts) == 6


@pytest.mark.parametrize(
    "fault",
    [Fault("POST", "/workout-service/workout", status=429), Fault("GET", "/workout-service/workouts", status=500),
     Fault("POST", "/workout-service/schedule/", drop=True)],
    ids=["429", "500", "dropped"],
)
def test_transient_faults_are_retried(garmin: FakeGarmin, tmp_path: Path, fault: Fault) -> None:
    garmin.faults.append(fault)
    outcome = push(write_plan(tmp_path))
    assert outcome.exit_code == 0, outcome.as_dict()
    assert len(garmin.workouts) == 6 and len(garmin.scheduled()) == 6


def test_refreshed_tokens_are_saved_back_to_the_token_file(garmin: FakeGarmin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    token_file = tmp_path / "garmin-tokens.json"
    token_file.write_text(garmin.tokens(expired=True))
    token_file.chmod(0o600)
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", str(token_file))
    outcome = push(write_plan(tmp_path))
    assert outcome.exit_code == 0, outcome.as_dict()
    assert garmin.refreshes >= 1
    saved = json.loads(token_file.read_text())
    assert saved["di_token"] == garmin.access_token
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"


def test_refreshed_tokens_are_saved_back_to_the_keyring(garmin: FakeGarmin, tmp_path: Path) -> None:
    keyring_file = tmp_path / "keyring.json"
    keyring_file.write_text(json.dumps({"progsync/garmin-tokens": garmin.tokens(expired=True)}))
    env = {"PYTHON_KEYRING_BACKEND": "tests.support.keyring_file.FileKeyring", "PROGSYNC_TEST_KEYRING": str(keyring_file),
           "PROGSYNC_GARMIN_TOKENS": ""}
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin", env=env)
    assert result.returncode == 0, result.stderr
    stored = json.loads(json.loads(keyring_file.read_text())["progsync/garmin-tokens"])
    assert stored["di_token"] == garmin.access_token
    who = run_cli("whoami", "--to", "garmin", env=env)
    assert "Test Runner (runner42), tokens from the keyring" in who.stdout


def test_rejected_tokens_fail_fast_with_exit_3(garmin: FakeGarmin, tmp_path: Path) -> None:
    garmin.valid_tokens.clear()
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin")
    assert result.returncode == 3
    assert "progsync login garmin" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_tokens_and_loose_token_files(tmp_path: Path) -> None:
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin")
    assert result.returncode == 3 and "PROGSYNC_GARMIN_TOKENS" in result.stderr
    loose = tmp_path / "tokens.json"
    loose.write_text("{}")
    loose.chmod(0o644)
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin", env={"PROGSYNC_GARMIN_TOKENS": str(loose)})
    assert result.returncode == 3 and "chmod 600" in result.stderr


def test_login_never_prompts_without_a_terminal() -> None:
    result = run_cli("login", "garmin", input="", process=True)
    assert result.returncode == 3
    assert "needs a terminal" in result.stderr


def test_login_cooldown_after_repeated_failures() -> None:
    now = 1_000_000.0
    for offset in range(3):
        record_login_failure(now + offset)
    with pytest.raises(AuthError, match="3 Garmin logins failed"):
        check_login_cooldown(now + 10)
    check_login_cooldown(now + 16 * 60)


@pytest.mark.parametrize("status", [200, 204])
def test_an_update_answered_with_an_empty_body_is_done(garmin: FakeGarmin, tmp_path: Path, status: int) -> None:
    """garminconnect >= 0.3.7 calls .json() on the PUT reply; Garmin's is empty (bpauli/gccli)."""
    plan = write_plan(tmp_path)
    push(plan)
    garmin.put_status = status
    write_plan(tmp_path, WEEK.replace('steps = ["30min @easy"]', 'steps = ["36min @easy"]'))
    outcome = push(plan)
    assert outcome.exit_code == 0, outcome.as_dict()
    assert outcome.reports[0].counts["update"] == 1
    assert push(plan).reports[0].writes == 0


def test_distance_steps_say_their_unit(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path, WEEK.replace('"1km @5k"', '"1mi @5k"').replace(
        '"40min @easy"]\n\n[[session]]\nday = "thu"', '"400m @5k", "2km @easy"]\n\n[[session]]\nday = "thu"'))
    assert push(plan).exit_code == 0
    def units(identity: str) -> list[str]:
        out: list[str] = []
        def walk(steps: list[dict[str, Any]]) -> None:  # Garmin's workout JSON
            for step in steps:
                if step.get("workoutSteps"):
                    walk(step["workoutSteps"])
                elif (step.get("endCondition") or {}).get("conditionTypeKey") == "distance":
                    out.append(step["preferredEndConditionUnit"]["unitKey"])
        walk(garmin.marked()[identity]["workoutSegments"][0]["workoutSteps"])
        return out
    assert units("block/2026-11-26/0") == ["mile"]
    assert units("block/2026-11-25/0") == ["meter", "kilometer"]


def test_long_names_and_notes_keep_the_name_and_the_marker(garmin: FakeGarmin, tmp_path: Path) -> None:
    name = "Long run with a fast finish " * 8
    notes = "Relax the shoulders, breathe, drink every 20 minutes. " * 80
    plan = write_plan(tmp_path, WEEK.replace('name = "Tempo"', f'name = "{name.strip()}"\nnotes = "{notes.strip()}"'))
    assert push(plan).exit_code == 0
    tempo = garmin.marked()["block/tempo"]
    assert tempo["workoutName"] == name.strip()[:256] and len(name.strip()) > 200
    assert tempo["description"].rstrip().endswith("]"), "the marker survives a long description"
    garmin.log.clear()
    assert push(plan).reports[0].writes == 0


def test_tokens_that_cannot_be_saved_back_are_reported(garmin: FakeGarmin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", garmin.tokens(expired=True))
    outcome = push(write_plan(tmp_path))
    assert outcome.exit_code == 0 and garmin.refreshes >= 1
    assert any("cannot be updated: point it at a 0600 file" in n for n in outcome.reports[0].notes)
