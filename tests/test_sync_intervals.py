"""The sync engine against a fake Intervals.icu over real sockets, with the real `requests`."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import PushOutcome, ledger_path, run_clear, run_push, run_status
from progsync.sync.services.http import VirtualClock
from progsync.sync.settings.config import Config, IntervalsSettings

from .conftest import run_cli
from .support import ROOT
from .support.fake_intervals import FakeIntervals, Fault
from .support.plans import TODAY, WEEK, write_plan


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    server = FakeIntervals().start()
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    monkeypatch.setenv("PROGSYNC_TODAY", TODAY)
    yield server
    server.stop()
    assert server.validation_errors == [], "every request body matches the OpenAPI schemas"




def push(path: Path, config: Config | None = None, **kwargs: Any) -> PushOutcome:  # run_push's options
    config = config or Config()
    loaded = load_plans([str(path)], config)
    return run_push(loaded, ["intervals"], config, **kwargs)


def test_first_push_then_re_push_makes_no_writes(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    outcome = push(plan)
    assert outcome.exit_code == 0
    report = outcome.reports[0]
    assert report.counts["create"] == 6
    assert len(fake.writes()) == 1, "six new sessions, one bulk request"
    assert len(fake.requests("GET", "/events")) == 1
    events = fake.by_external()
    assert set(events) == {f"progsync:block/{i}" for i in (
        "2026-11-23/0", "tempo", "2026-11-25/0", "2026-11-26/0", "2026-11-28/0", "2026-11-29/0")}
    tempo = events["progsync:block/tempo"]
    assert tempo["category"] == "WORKOUT" and tempo["type"] == "Run"
    assert tempo["start_date_local"] == "2026-11-24T00:00:00"
    assert tempo["target"] == "PACE"
    assert "3x\n- 8m 4:10-4:00/km Pace" in tempo["description"]
    assert tempo["moving_time"] == 15 * 60 + 30 * 60 + 10 * 60

    fake.log.clear()
    again = push(plan)
    assert again.exit_code == 0
    assert again.reports[0].counts["unchanged"] == 6
    assert fake.writes() == []
    assert len(fake.log) == 1, "a re-push is exactly one list request"


def test_writes_are_chunked(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    config = Config(intervals=IntervalsSettings(chunk_size=4))
    push(plan, config)
    bulk = fake.requests("POST", "/events/bulk")
    assert len(bulk) == math.ceil(6 / 4)
    assert [len(r[3]) for r in bulk] == [4, 2]


def test_edit_move_and_delete(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    before = fake.by_external()
    foreign = fake.add_foreign("2026-11-27")
    foreign_marked_elsewhere = fake.add_foreign("2026-11-27", external_id="other-app:1")

    edited = WEEK.replace('steps = ["30min @easy"]', 'steps = ["35min @easy"]')
    edited = edited.replace('day = "tue"\nid = "tempo"', 'day = "fri"\nid = "tempo"')
    edited = edited.replace('[[session]]\nday = "wed"\nsteps = ["40min @easy"]\n', "")
    write_plan(tmp_path, edited)
    fake.log.clear()
    outcome = push(plan)
    counts = outcome.reports[0].counts
    assert (counts["update"], counts["move"], counts["delete"], counts["unchanged"]) == (1, 1, 1, 3)
    after = fake.by_external()
    assert after["progsync:block/tempo"]["id"] == before["progsync:block/tempo"]["id"], "moved in place"
    assert after["progsync:block/tempo"]["start_date_local"].startswith("2026-11-27")
    assert after["progsync:block/2026-11-28/0"]["id"] == before["progsync:block/2026-11-28/0"]["id"]
    assert "35m" in after["progsync:block/2026-11-28/0"]["description"]
    assert "progsync:block/2026-11-25/0" not in after
    assert foreign in fake.events and foreign_marked_elsewhere in fake.events, "foreign events untouched"
    writes = fake.writes()
    assert [(w[0], w[1].rsplit("/", 1)[-1]) for w in writes] == [("POST", "bulk"), ("PUT", "bulk-delete")]
    assert writes[1][3] == [{"external_id": "progsync:block/2026-11-25/0"}]


def test_past_sessions_are_never_deleted_unless_asked(fake: FakeIntervals, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-27")
    shortened = WEEK.replace('[[session]]\nday = "mon"\nsteps = ["40min @easy"]\n', "")
    write_plan(tmp_path, shortened)
    outcome = push(plan, start=__import__("datetime").date(2026, 11, 20))
    assert outcome.reports[0].counts["keep"] == 1
    assert "progsync:block/2026-11-23/0" in fake.by_external()
    outcome = push(plan, start=__import__("datetime").date(2026, 11, 20), delete_past=True)
    assert outcome.reports[0].counts["delete"] == 1
    assert "progsync:block/2026-11-23/0" not in fake.by_external()


def test_window_limits_the_push(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    outcome = push(plan, window="3d")
    assert outcome.reports[0].counts["create"] == 3
    assert sorted(e["start_date_local"][:10] for e in fake.events.values()) == ["2026-11-23", "2026-11-24", "2026-11-25"]
    assert any("after 2026-11-25" in note for note in outcome.reports[0].notes)


def test_lost_ledger_is_rebuilt_from_external_ids(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    ledger_path().unlink()
    fake.log.clear()
    outcome = push(plan)
    assert outcome.reports[0].counts["unchanged"] == 6
    assert fake.writes() == []
    import sqlite3

    rows = sqlite3.connect(ledger_path()).execute("select count(*) from items").fetchone()
    assert rows == (6,)


def test_fields_the_service_derives_are_not_changes(fake: FakeIntervals, tmp_path: Path) -> None:
    """Intervals.icu recomputes moving_time, distance and load and nulls empty tags: 0 writes."""
    plan = write_plan(tmp_path)
    push(plan)
    sent = {e["external_id"]: e for e in fake.requests("POST", "/events/bulk")[0][3]}
    stored = fake.by_external()
    assert any(stored[k]["distance"] != sent[k]["distance"] for k in sent), "the fake derives distance"
    assert all(e["tags"] is None and "icu_training_load" in e for e in stored.values())
    fake.log.clear()
    assert push(plan).reports[0].writes == 0
    ledger_path().unlink()
    assert push(plan).reports[0].writes == 0, "a lost ledger is rebuilt without writes too"
    assert fake.writes() == []


def test_a_workout_edited_by_hand_is_reported_and_put_back(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    tempo = fake.by_external()["progsync:block/tempo"]
    tempo["name"] = "Tempo (moved to the track)"
    tempo["description"] += "\n- 10m Z1 Pace"
    outcome = push(plan)
    (update,) = [a for a in outcome.reports[0].actions if a.op != "unchanged"]
    assert (update.op, update.identity) == ("update", "block/tempo")
    assert "changed on the destination" in update.reason
    tempo = fake.by_external()["progsync:block/tempo"]
    assert tempo["name"] == "Tempo" and not tempo["description"].endswith("- 10m Z1 Pace")
    assert push(plan).reports[0].writes == 0


def test_upsert_fallback_when_the_server_duplicates(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    fake.upsert_broken = True
    write_plan(tmp_path, WEEK.replace('steps = ["30min @easy"]', 'steps = ["33min @easy"]'))
    outcome = push(plan)
    assert outcome.exit_code == 0
    externals = [e["external_id"] for e in fake.events.values()]
    assert len(externals) == len(set(externals)) == 6, "no duplicate left behind"
    assert "33m" in fake.by_external()["progsync:block/2026-11-28/0"]["description"]
    assert fake.requests("PUT", "/events/10")
    fake.log.clear()
    write_plan(tmp_path, WEEK.replace('steps = ["30min @easy"]', 'steps = ["34min @easy"]'))
    push(plan)
    assert [w[0] for w in fake.writes()] == ["PUT"], "the fallback is remembered"


@pytest.mark.parametrize(
    "fault",
    [
        Fault("POST", "/bulk", status=429, retry_after="1"),
        Fault("POST", "/bulk", status=500),
        Fault("POST", "/bulk", drop=True),
        Fault("GET", "/events", status=503, times=2),
        Fault("POST", "/bulk", delay=0.5),
    ],
    ids=["429-retry-after", "500", "dropped", "503-twice", "slow"],
)
def test_transient_faults_are_retried(fake: FakeIntervals, tmp_path: Path, fault: Fault,
                                     virtual_clock: VirtualClock) -> None:
    fake.faults.append(fault)
    outcome = push(write_plan(tmp_path))
    assert outcome.exit_code == 0, outcome.as_dict()
    assert len(fake.by_external()) == 6
    if fault.retry_after:
        assert 1.0 in virtual_clock.sleeps, "Retry-After honoured"
    elif fault.status or fault.drop:
        assert 0.5 in virtual_clock.sleeps, "backed off before the retry"


def test_persistent_failure_is_exit_5_and_the_next_run_completes(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    fake.faults.append(Fault("POST", "/bulk", status=502, times=10))
    outcome = push(plan)
    assert outcome.exit_code == 5
    assert "failed after 4 tries" in outcome.errors[0][1].message
    assert fake.events == {}
    fake.faults.clear()
    assert push(plan).exit_code == 0
    assert len(fake.by_external()) == 6


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"PROGSYNC_INTERVALS_API_KEY": "wrong-key-123"}, "HTTP 401"),
        ({"PROGSYNC_INTERVALS_ATHLETE_ID": "i999"}, "HTTP 403"),
    ],
)
def test_auth_failures_explain_what_to_check(fake: FakeIntervals, tmp_path: Path, env: dict[str, str], expected: str) -> None:
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "intervals", env=env)
    assert result.returncode == 3
    assert expected in result.stderr
    assert "API_KEY" in result.stderr and "i12345" in result.stderr
    assert "wrong-key-123" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_missing_credentials_name_both_options(tmp_path: Path) -> None:
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "intervals")
    assert result.returncode == 3
    assert "progsync login intervals" in result.stderr
    assert "PROGSYNC_INTERVALS_API_KEY" in result.stderr


def test_secrets_never_reach_output(fake: FakeIntervals, tmp_path: Path) -> None:
    fake.faults.append(Fault("POST", "/bulk", status=500, times=10))
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "intervals", "--json")
    assert result.returncode == 5
    doc = json.loads(result.stdout)
    assert doc["errors"][0]["exit_code"] == 5
    assert fake.api_key not in result.stdout + result.stderr


def test_push_killed_half_way_is_completed_without_duplicates(fake: FakeIntervals, tmp_path: Path, isolated_user: Path) -> None:
    plan = write_plan(tmp_path)
    config = isolated_user / "config.toml"
    config.write_text("[intervals]\nchunk_size = 2\n")
    fake.faults.append(Fault("POST", "/bulk", delay=30, skip=1))
    env = dict(os.environ)
    proc = subprocess.Popen([sys.executable, "-m", "progsync.sync", "push", str(plan), "--to", "intervals"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while len(fake.requests("POST", "/bulk")) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(fake.events) == 2, "the first chunk landed before the kill"
    fake.faults.clear()
    result = run_cli("push", str(plan), "--to", "intervals")
    assert result.returncode == 0, result.stderr
    externals = [e["external_id"] for e in fake.events.values()]
    assert len(externals) == len(set(externals)) == 6


@pytest.mark.parametrize("tz", ["Pacific/Kiritimati", "Etc/GMT+12", "UTC"])
def test_dates_land_on_the_planned_day_in_any_time_zone(fake: FakeIntervals, tmp_path: Path, tz: str) -> None:
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "intervals", env={"TZ": tz})
    assert result.returncode == 0, result.stderr
    days = sorted(e["start_date_local"] for e in fake.events.values())
    assert days[0] == "2026-11-23T00:00:00"
    assert fake.by_external()["progsync:block/tempo"]["start_date_local"] == "2026-11-24T00:00:00"


def test_status_lists_items_and_push_errors(fake: FakeIntervals, tmp_path: Path) -> None:
    push(write_plan(tmp_path))
    event = fake.by_external()["progsync:block/tempo"]
    event["push_errors"] = [{"service": "garmin", "message": "Garmin permission missing", "date": "2026-11-22T10:00:00Z"}]
    (label, rows), = run_status(["intervals"], Config())
    assert label == "Intervals.icu (i12345)"
    assert len(rows) == 6
    tempo = next(r for r in rows if r.identity == "block/tempo")
    assert tempo.problems == ["garmin: Garmin permission missing"]
    result = run_cli("status", "--to", "intervals", "--json")
    doc = json.loads(result.stdout)
    assert len(doc["destinations"][0]["items"]) == 6


def test_clear_removes_only_progsyncs_items(fake: FakeIntervals, tmp_path: Path) -> None:
    push(write_plan(tmp_path))
    foreign = fake.add_foreign("2026-11-25")
    import datetime as dt

    outcome = run_clear(["intervals"], Config(), dt.date(2026, 11, 24), dt.date(2026, 11, 26))
    assert outcome.reports[0].counts["delete"] == 3
    remaining = sorted(e["start_date_local"][:10] for e in fake.events.values())
    assert remaining == ["2026-11-23", "2026-11-25", "2026-11-28", "2026-11-29"]
    assert foreign in fake.events


def test_plan_shows_the_diff_without_writing(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    result = run_cli("plan", str(plan), "--to", "intervals", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["destinations"][0]["counts"]["create"] == 6
    assert fake.writes() == []
    text = run_cli("push", str(plan), "--to", "intervals", "--dry-run")
    assert "create" in text.stdout and "Tempo" in text.stdout
    assert fake.writes() == []


@pytest.mark.parametrize("reply", [{"events": []}, [{"name": "no id"}], [{"id": 1, "start_date_local": "soon"}]])
def test_an_odd_listing_is_a_clear_error_and_changes_nothing(fake: FakeIntervals, tmp_path: Path, reply: object) -> None:
    plan = write_plan(tmp_path)
    fake.faults.append(Fault("GET", "/events", reply=reply))
    outcome = push(plan)
    assert outcome.exit_code == 5 and fake.writes() == []
    ((_, error),) = outcome.errors
    assert "Intervals.icu sent" in error.message
