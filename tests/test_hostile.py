"""Hostile environments end in clear errors (#25): a server that trickles its reply, a disk that
cannot be written, one forbidden athlete in a squad, control characters in names."""

from __future__ import annotations

import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.reconcile.ledger import destination_lock
from progsync.sync.services.http import Pacer, Retryable, VirtualClock
from progsync.sync.settings.errors import TooSlow, Unreachable

from .conftest import run_cli
from .support.fake_garmin import FakeGarmin
from .support.fake_http import Fault
from .support.fake_intervals import FakeIntervals
from .support.plans import write_plan


@pytest.fixture
def intervals(isolated_user: Path) -> Iterator[tuple[FakeIntervals, dict[str, str]]]:
    server = FakeIntervals().start()
    env = {
        "PROGSYNC_TODAY": "2026-11-22",
        "PROGSYNC_INTERVALS_URL": server.url,
        "PROGSYNC_INTERVALS_API_KEY": server.api_key,
        "PROGSYNC_INTERVALS_ATHLETE_ID": server.athlete_id,
    }
    yield server, env
    server.stop()


@pytest.fixture
def garmin(isolated_user: Path) -> Iterator[tuple[FakeGarmin, dict[str, str]]]:
    server = FakeGarmin().start()
    env = {
        "PROGSYNC_TODAY": "2026-11-22",
        "PROGSYNC_GARMIN_URL": server.url,
        "PROGSYNC_GARMIN_TOKENS": server.tokens(),
    }
    yield server, env
    server.stop()


# -- a total deadline per request -----------------------------------------------------------
# A trickling reply: every read succeeds (one byte every 0.2 s), so the (5, 30) s per-read
# timeout of `requests` never fires; only a total deadline ends it. The deadline is real time,
# so these tests set it to half a second.
TIMEOUT = "timeout = 0.5\n"


def _timed_push(plan: Path, to: str, env: dict[str, str]) -> tuple[int, str, float]:
    began = time.monotonic()
    result = run_cli("push", str(plan), "--to", to, env=env)
    return result.returncode, result.stderr, time.monotonic() - began


def _lock_is_free(state: Path, key: str) -> bool:
    with destination_lock(state, key):
        return True


def test_a_trickling_intervals_reply_ends_the_push_in_bounded_time(
    intervals: tuple[FakeIntervals, dict[str, str]], isolated_user: Path, tmp_path: Path
) -> None:
    server, env = intervals
    (isolated_user / "config.toml").write_text("[intervals]\n" + TIMEOUT)
    plan = write_plan(tmp_path)
    server.faults.append(Fault("GET", "/events", trickle=0.2))
    code, err, took = _timed_push(plan, "intervals", env)
    assert code == 5, err
    assert "Intervals.icu listing events: no complete reply within 0.5 s" in err
    assert "timeout" in err and "Traceback" not in err
    assert took < 5
    assert _lock_is_free(isolated_user / "state", "intervals:i12345")
    # The reply to a write trickles: the write was carried out; the push still ends, and the
    # next one (no exit 4: the lock is free) completes without duplicating anything.
    server.faults.append(Fault("POST", "/events/bulk", trickle=0.2))
    code, err, took = _timed_push(plan, "intervals", env)
    assert code == 5 and "saving events (POST /events/bulk): no complete reply within 0.5 s" in err, err
    assert took < 5
    code, err, _ = _timed_push(plan, "intervals", env)
    assert code == 0, err
    assert len(server.events) == 6


def test_a_trickling_garmin_reply_ends_the_push_in_bounded_time(
    garmin: tuple[FakeGarmin, dict[str, str]], isolated_user: Path, tmp_path: Path
) -> None:
    server, env = garmin
    (isolated_user / "config.toml").write_text("[garmin]\n" + TIMEOUT)
    plan = write_plan(tmp_path)
    server.faults.append(Fault("GET", "/workout-service/workouts", trickle=0.2))
    code, err, took = _timed_push(plan, "garmin", env)
    assert code == 5, err
    assert "Garmin Connect" in err and "no complete reply within 0.5 s" in err
    assert "Traceback" not in err
    assert took < 5
    assert _lock_is_free(isolated_user / "state", "garmin")
    server.faults.append(Fault("POST", "/workout-service/workout", trickle=0.2))
    code, err, took = _timed_push(plan, "garmin", env)
    assert code == 5 and "no complete reply within 0.5 s" in err, err
    assert took < 5
    code, err, _ = _timed_push(plan, "garmin", env)
    assert code == 0, err
    assert len(server.marked()) == 6


def test_retries_and_their_waits_stay_within_the_deadline() -> None:
    clock = VirtualClock()
    pacer = Pacer(min_interval=0.0, timeout=10.0, clock=clock)
    tries = 0

    def busy() -> None:
        nonlocal tries
        tries += 1
        raise Retryable("HTTP 429", after=4.0)

    with pytest.raises(Unreachable) as caught:
        pacer.call("Intervals.icu saving events", busy, "hint")
    assert not isinstance(caught.value, TooSlow)
    assert tries == 3 and clock.slept == 8.0, "a third wait of 4 s would pass the 10 s deadline"
    assert "within its 10 s" in caught.value.message


def test_the_timeout_setting_is_checked(isolated_user: Path, tmp_path: Path) -> None:
    (isolated_user / "config.toml").write_text('[garmin]\ntimeout = "soon"\n')
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "garmin")
    assert result.returncode == 2
    assert "[garmin] timeout" in result.stderr and "positive number of seconds" in result.stderr


# -- disks that refuse a write --------------------------------------------------------------
# The tests run as root, where a chmod does not stop a write, so the refusals are injected where
# the operating system reports them: `os.mkdir` under a read-only mount answers EROFS; on a full
# disk the log file's writes answer ENOSPC and SQLite answers "database or disk is full".
def _read_only(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    import errno
    import os

    real_mkdir = os.mkdir

    def mkdir(path: str | os.PathLike[str], mode: int = 0o777, *, dir_fd: int | None = None) -> None:
        if str(path).startswith(str(root)):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        real_mkdir(path, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "mkdir", mkdir)


def _assert_clean_failure(result: subprocess.CompletedProcess[str], code: int, *needles: str) -> None:
    out, err = result.stdout, result.stderr
    assert result.returncode == code, err
    for needle in needles:
        assert needle in err, err
    for noise in ("Traceback", "internal error", "--- Logging error ---"):
        assert noise not in err + out


def test_a_read_only_data_dir_is_a_clear_error(
    intervals: tuple[FakeIntervals, dict[str, str]],
    isolated_user: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    server, env = intervals
    plan = write_plan(tmp_path)
    _read_only(monkeypatch, isolated_user / "data")
    result = run_cli("push", str(plan), "--to", "intervals", env=env)
    data = str(isolated_user / "data")
    _assert_clean_failure(result, 6, data, "Read-only file system", "PROGSYNC_DATA_DIR")
    assert server.writes() == []
    as_json = run_cli("push", str(plan), "--to", "intervals", "--json", env=env)
    doc = json.loads(as_json.stdout)
    assert as_json.returncode == 6 and doc["ok"] is False and doc["exit_code"] == 6
    assert data in doc["errors"][0]["message"] and doc["errors"][0]["hint"]
    status = run_cli("status", "--to", "intervals", "--json", env=env)
    assert status.returncode == 6 and json.loads(status.stdout)["exit_code"] == 6
    doctor = run_cli("doctor", "--json", env=env)
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert doctor.returncode == 1
    assert checks["data dir"]["status"] == "fail" and "Read-only" in checks["data dir"]["detail"]
    assert checks["state dir"]["status"] == "ok"


def test_a_read_only_state_dir_is_a_clear_error(
    intervals: tuple[FakeIntervals, dict[str, str]],
    isolated_user: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json

    server, env = intervals
    plan = write_plan(tmp_path)
    _read_only(monkeypatch, isolated_user / "state")
    result = run_cli("push", "--quiet", str(plan), "--to", "intervals", env=env)
    log = str(isolated_user / "state" / "progsync.log")
    _assert_clean_failure(result, 6, log, "Read-only file system", "PROGSYNC_STATE_DIR")
    assert server.writes() == []
    as_json = run_cli("push", str(plan), "--to", "intervals", "--json", env=env)
    assert as_json.returncode == 6 and json.loads(as_json.stdout)["errors"][0]["exit_code"] == 6
    doctor = run_cli("doctor", env=env)
    assert doctor.returncode == 1
    assert "[XX] state dir" in doctor.stdout and "[ok] data dir" in doctor.stdout


class _FullStream:
    """A log file on a full disk: opening worked, every write fails."""

    def __init__(self) -> None:
        import io

        self._io = io.StringIO()

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.ENOSPC, "No space left on device")

    def flush(self) -> None:
        pass

    def __getattr__(self, name: str) -> object:
        return getattr(self._io, name)


class _FullLedger:
    """A SQLite connection on a full disk: reads work, recording an item fails."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:  # Connection.execute's parameters
        if sql.lstrip().upper().startswith("INSERT OR REPLACE INTO ITEMS"):
            raise sqlite3.OperationalError("database or disk is full")
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._db, name)


def test_a_full_disk_is_one_clear_error_and_the_next_push_converges(
    intervals: tuple[FakeIntervals, dict[str, str]],
    isolated_user: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import json
    import logging
    import sqlite3

    server, env = intervals
    plan = write_plan(tmp_path)
    real_connect = sqlite3.connect
    monkeypatch.setattr(logging.FileHandler, "_open", lambda self: _FullStream())
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: _FullLedger(real_connect(*a, **k)))
    result = run_cli("push", "--quiet", str(plan), "--to", "intervals", env=env)
    _assert_clean_failure(result, 6, "the disk is full", str(isolated_user / "data"), "free some space")
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) <= 4, result.stderr
    assert result.stderr.count("cannot write the log file") == 1
    as_json = run_cli("push", str(plan), "--to", "intervals", "--json", env=env)
    assert as_json.returncode == 6 and json.loads(as_json.stdout)["exit_code"] == 6
    monkeypatch.undo()
    freed = run_cli("push", str(plan), "--to", "intervals", env=env)
    assert freed.returncode == 0, freed.stderr
    assert len(server.events) == 6
    again = run_cli("push", str(plan), "--to", "intervals", "--json", env=env)
    counts = json.loads(again.stdout)["destinations"][0]["counts"]
    assert counts["unchanged"] == 6 and sum(counts.values()) == 6


# -- coach mode: one forbidden athlete ------------------------------------------------------
def test_one_forbidden_athlete_is_named_and_the_squad_still_reported(
    coach_intervals: FakeIntervals, isolated_user: Path, tmp_path: Path
) -> None:
    import json

    from .support.plans import BLOCK, SQUAD

    # The coach's key reaches i201 and i202; i999 answers 403 (tests/conftest.py, as the live
    # service does for an athlete one does not coach: forum.intervals.icu thread 609).
    cara = '\n[athletes.cara]\npaces = { easy = "5:30", marathon = "4:20" }\nintervals = "i999"\n'
    (isolated_user / "config.toml").write_text(SQUAD + cara)
    plan = tmp_path / "block.toml"
    plan.write_text(BLOCK)
    pushed = run_cli("push", str(plan), "--to", "intervals", "--athlete", "all")
    assert pushed.returncode == 3
    assert "cara: intervals: error:" in pushed.stderr and "for cara (athlete id i999)" in pushed.stderr
    assert '[athletes.cara] intervals = "i999"' in pushed.stderr and "added you as a coach" in pushed.stderr
    hint = pushed.stderr.split("hint:")[1]
    assert not hint.strip().startswith("check the API key"), "not the runner's own-key advice"
    log = (isolated_user / "state" / "progsync.log").read_text()
    assert "ERROR progsync.sync: cara: intervals: Intervals.icu refused" in log

    status = run_cli("status", "--athlete", "all", "--to", "intervals", "--json")
    assert status.returncode == 3, status.stderr
    doc = json.loads(status.stdout)
    assert [d["label"] for d in doc["destinations"]] == ["anna: Intervals.icu (i201)", "ben: Intervals.icu (i202)"]
    assert all(len(d["items"]) == 3 for d in doc["destinations"])
    assert doc["ok"] is False and doc["exit_code"] == 3
    assert [(e["destination"], e["exit_code"]) for e in doc["errors"]] == [("cara: intervals", 3)]
    assert "[athletes.cara]" in doc["errors"][0]["hint"]
    tables = run_cli("status", "--athlete", "all", "--to", "intervals")
    assert tables.returncode == 3
    assert "anna: Intervals.icu (i201)" in tables.stdout and "ben: Intervals.icu (i202)" in tables.stdout
    assert "cara: intervals: error:" in tables.stderr

    plan_run = run_cli("plan", str(plan), "--to", "intervals", "--athlete", "all", "--json")
    plan_doc = json.loads(plan_run.stdout)
    assert plan_run.returncode == 3 and len(plan_doc["destinations"]) == 2
    cleared = run_cli("clear", "--to", "intervals", "--athlete", "all", "--dry-run", "--json")
    assert cleared.returncode == 3 and len(json.loads(cleared.stdout)["destinations"]) == 2
    doctor = run_cli("doctor", "--athlete", "all", "--json")
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["anna: intervals"]["status"] == "ok" and checks["ben: intervals"]["status"] == "ok"
    assert checks["cara: intervals"]["status"] == "fail"
    assert "[athletes.cara]" in checks["cara: intervals"]["fix"]
    review = run_cli("review", str(plan), "--from", "intervals", "--athlete", "all", "--json")
    assert review.returncode == 3, review.stderr
    athletes = json.loads(review.stdout)["athletes"]
    assert [a["athlete"] for a in athletes] == ["anna", "ben", "cara"]
    assert "error" in athletes[2] and "error" not in athletes[0]


# -- terminal control characters in names ---------------------------------------------------
CONTROL_PLAN = """
[plan]
name = "Block"
start = 2026-11-23

[athlete]
paces = { easy = "5:30", marathon = "4:15", 5k = "3:40" }

[[session]]
day = "tue"
name = "Tempo \\u001b[31mred\\u001b]0;owned\\u0007 [/x]"
notes = "coach says \\u001b[2J hi"
steps = ["warmup 20min @easy -- go \\u001b[1mup \\u009b31m", "20min @marathon"]
"""


def _no_raw_control(*texts: str) -> None:
    for text in texts:
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, repr(text)


def test_control_characters_never_reach_the_terminal_raw(
    intervals: tuple[FakeIntervals, dict[str, str]], tmp_path: Path
) -> None:
    server, env = intervals
    plan = write_plan(tmp_path, CONTROL_PLAN)
    shown = run_cli("show", str(plan), env=env)
    assert shown.returncode == 0, shown.stderr
    _no_raw_control(shown.stdout, shown.stderr)
    # The parser removes them from the plan with a located warning; markup is shown as text.
    assert "control character" in shown.stderr and "week.toml:" in shown.stderr, shown.stderr
    assert "Tempo red" in shown.stdout and "[/x]" in shown.stdout, "shown as text, markup too"
    assert "coach says  hi" in shown.stdout or "coach says hi" in shown.stdout
    watch = run_cli("show", str(plan), "--watch", env=env)
    _no_raw_control(watch.stdout, watch.stderr)
    assert "Tempo red" in watch.stdout
    planned = run_cli("plan", str(plan), "--to", "intervals", env=env)
    assert planned.returncode == 0, planned.stderr
    _no_raw_control(planned.stdout, planned.stderr)
    assert "Tempo red" in planned.stdout
    pushed = run_cli("push", str(plan), "--to", "intervals", env=env)
    assert pushed.returncode == 0, pushed.stderr
    _no_raw_control(pushed.stdout, pushed.stderr)
    # A name that comes back from the service listing (renamed there, ledger lost): status.
    event = next(e for e in server.events.values() if "Tempo" in str(e.get("name")))
    event["name"] = "renamed \x1b[5mblink\x1b[0m"
    from progsync.sync.app.push import ledger_path

    ledger_path().unlink()
    status = run_cli("status", "--to", "intervals", env=env)
    assert status.returncode == 0, status.stderr
    _no_raw_control(status.stdout, status.stderr)
    assert "\\x1b[5mblink" in status.stdout
