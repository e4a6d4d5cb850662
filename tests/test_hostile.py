"""Hostile environments end in clear errors (#25): a server that trickles its reply, a disk that
cannot be written, one forbidden athlete in a squad, control characters in names."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from progsync.sync.http import Pacer, Retryable, TooSlow, Unreachable, VirtualClock
from progsync.sync.ledger import destination_lock

from .conftest import run_cli
from .fake_garmin import FakeGarmin
from .fake_http import Fault
from .fake_intervals import FakeIntervals
from .test_sync_intervals import write_plan


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
    assert code == 5 and "saving events: no complete reply within 0.5 s" in err, err
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
