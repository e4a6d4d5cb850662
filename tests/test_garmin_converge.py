"""Garmin Connect converges on the plan from what it shows, whatever a crash or a fault left.

The sweeps stop a push at every request boundary of a first push and of an edit push: request k
is either never sent or carried out by the server with its reply lost, and the process dies
there. A process death is simulated in-process by raising a BaseException from the transport
(`requests.Session.send`, which both garminconnect versions use): nothing of progsync runs after
it except `finally` blocks, and every ledger row is committed the moment it is written, exactly
as after SIGKILL (the SIGKILL tests in test_sync_garmin.py check the same with a real process).
After the kill, the next push must leave the calendar equal to a clean run's, and a third push
must make no writes, for every k.

Live-service behaviour the fake reproduces (docs/destinations.md, "What the real services do"):
schedule POSTs add an entry on every call (Taxuspt/garmin_mcp `_is_already_scheduled`; kaiord's
bridge spec "SHALL NOT retry a schedule"); deleting what is already gone answers 404 (kaiord
bridge spec; garminconnect 0.3.20 GarminConnectNotFoundError).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import run_push
from progsync.sync.settings.config import Config

from .support.fake_garmin import FakeGarmin, Fault
from .support.plans import EDITED, WEEK, Killed, kill_at, write_plan


def push(path: Path, **kwargs: Any) -> Any:
    config = Config()
    return run_push(load_plans([str(path)], config), ["garmin"], config, **kwargs)


def calendar(server: FakeGarmin) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """What a person sees: per progsync workout its identity, marker date, content, entries."""
    out = []
    for workout in server.workouts.values():
        match = re.search(r"\[progsync (\S+) (\S+) (\S+)\]", workout.get("description") or "")
        if not match:
            continue
        days = tuple(sorted(s["date"] for s in server.schedules.values() if s["workoutId"] == workout["workoutId"]))
        out.append((match.group(1), match.group(2), match.group(3), days))
    return sorted(out)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    return monkeypatch


def fresh(env: pytest.MonkeyPatch, home: Path) -> FakeGarmin:
    """A new fake account and an empty ledger."""
    server = FakeGarmin().start()
    env.setenv("PROGSYNC_GARMIN_URL", server.url)
    env.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    for folder in (home / "state", home / "data"):
        for path in folder.glob("*"):
            if path.is_file():
                path.unlink()
    return server


def sweep(env: pytest.MonkeyPatch, home: Path, tmp_path: Path, before: str | None, plan_text: str) -> int:
    """Kill the push of `plan_text` (after a clean push of `before`) at every request; return k's."""
    clean_server = fresh(env, home)
    try:
        if before is not None:
            assert push(write_plan(tmp_path, before)).exit_code == 0
        clean_server.log.clear()
        assert push(write_plan(tmp_path, plan_text)).exit_code == 0
        requests_of_push = len(clean_server.log)
        expected = calendar(clean_server)
        foreign = clean_server.add_foreign(day="2026-11-25")
    finally:
        clean_server.stop()
    assert requests_of_push > 3
    for k in range(1, requests_of_push + 1):
        for lose_reply in (False, True):
            server = fresh(env, home)
            try:
                foreign = server.add_foreign(day="2026-11-25")
                if before is not None:
                    assert push(write_plan(tmp_path, before)).exit_code == 0
                plan = write_plan(tmp_path, plan_text)
                with pytest.raises(Killed), kill_at(k, lose_reply, server):
                    push(plan)
                recovery = push(plan)
                where = f"killed at request {k} ({'reply lost' if lose_reply else 'not sent'})"
                assert recovery.exit_code == 0, (where, recovery.as_dict())
                assert calendar(server) == expected, where
                assert foreign in server.workouts and (foreign, "2026-11-25") in server.scheduled(), where
                server.log.clear()
                third = push(plan)
                assert third.reports[0].writes == 0 and server.writes() == [], (where, third.as_dict())
            finally:
                server.stop()
    return requests_of_push


def test_a_first_push_killed_at_any_request_converges(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    assert sweep(env, isolated_user, tmp_path, None, WEEK) == 13, "1 listing + 6 uploads + 6 schedules"


def test_an_edit_push_killed_at_any_request_converges(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    sweep(env, isolated_user, tmp_path, WEEK, EDITED)


# -- faults within one run ----------------------------------------------------------------------
@pytest.fixture
def garmin(env: pytest.MonkeyPatch, isolated_user: Path) -> Iterator[FakeGarmin]:
    server = fresh(env, isolated_user)
    yield server
    server.stop()


def one_of_each(server: FakeGarmin) -> None:
    cal = calendar(server)
    assert len(cal) == 6 and len({c[0] for c in cal}) == 6, cal
    assert all(len(days) == 1 and days[0] == marker for _, marker, _, days in cal), cal


@pytest.mark.parametrize("path", ["/workout-service/workout", "/workout-service/schedule/"])
@pytest.mark.parametrize("fault", ["dropped", "500"])
def test_a_post_carried_out_with_its_reply_lost_is_not_sent_again(garmin: FakeGarmin, tmp_path: Path, path: str, fault: str) -> None:
    garmin.faults.append(Fault("POST", path, after=True, skip=2, drop=fault == "dropped", status=500 if fault == "500" else None))
    outcome = push(write_plan(tmp_path))
    assert outcome.exit_code == 0, outcome.as_dict()
    one_of_each(garmin)
    assert len(garmin.requests("POST", path)) == 6, "looked, found it done, did not repeat it"


def test_an_empty_listing_changes_nothing_and_says_why(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    garmin.faults.append(Fault("GET", "/workout-service/workouts", reply=[]))
    garmin.log.clear()
    outcome = push(plan)
    assert outcome.exit_code == 5
    assert garmin.writes() == []
    ((_, error),) = outcome.errors
    assert "listed none of the 6 items" in str(error) and "--trust-listing" in (error.hint or "")
    one_of_each(garmin)


@pytest.mark.parametrize("reply", [{"error": "maintenance"}, [{"workoutName": "no id"}], "<html>"])
def test_a_malformed_listing_changes_nothing(garmin: FakeGarmin, tmp_path: Path, reply: Any) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    garmin.faults.append(Fault("GET", "/workout-service/workouts", reply=reply))
    garmin.log.clear()
    outcome = push(plan)
    assert outcome.exit_code == 5 and garmin.writes() == []


def test_all_removed_by_hand_is_refused_until_trusted(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    for workout_id in list(garmin.marked().values()):
        del garmin.workouts[workout_id["workoutId"]]
    garmin.schedules.clear()
    assert push(plan).exit_code == 5 and garmin.workouts == {}
    assert push(plan, trust_listing=True).exit_code == 0
    one_of_each(garmin)


def test_an_entry_removed_by_hand_is_put_back(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    tempo = garmin.marked()["block/tempo"]["workoutId"]
    (schedule_id,) = [k for k, s in garmin.schedules.items() if s["workoutId"] == tempo]
    del garmin.schedules[schedule_id]
    garmin.log.clear()
    outcome = push(plan)
    (action,) = [a for a in outcome.reports[0].actions if a.op != "unchanged"]
    assert (action.op, action.identity, action.reason) == ("update", "block/tempo", "not on the calendar")
    assert [m for m, _, _, _ in garmin.writes()] == ["POST"], "scheduled again, not uploaded again"
    one_of_each(garmin)


def test_duplicates_left_by_others_are_cleaned_up(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    tempo = garmin.marked()["block/tempo"]
    copy = garmin._store({k: v for k, v in tempo.items() if k != "workoutId"})
    garmin._schedule(copy["workoutId"], "2026-11-24")
    garmin._schedule(tempo["workoutId"], "2026-11-24")
    outcome = push(plan)
    assert outcome.exit_code == 0
    one_of_each(garmin)
    assert tempo["workoutId"] in garmin.workouts, "the one the ledger knows is kept"


def test_a_done_activity_on_the_calendar_is_not_a_second_entry(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    tempo = garmin.marked()["block/tempo"]["workoutId"]
    garmin.add_done_activity(tempo, "2026-11-24")
    garmin.log.clear()
    outcome = push(plan)
    assert outcome.exit_code == 0 and garmin.writes() == [], "neither a duplicate to repair nor one to delete"
    one_of_each(garmin)


@pytest.mark.parametrize("what", ["/workout-service/schedule/", "/workout-service/workout/"])
def test_a_404_on_removing_means_already_gone(garmin: FakeGarmin, tmp_path: Path, what: str) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    # Removed by a person between our listing and our request: the service answers 404.
    garmin.faults.append(Fault("DELETE", what, status=404, after=True))
    write_plan(tmp_path, EDITED)
    outcome = push(plan)
    assert outcome.exit_code == 0, outcome.as_dict()
    assert push(plan).reports[0].writes == 0


def test_a_500_on_delete_after_deleting_is_retried_into_a_404(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    garmin.faults.append(Fault("DELETE", "/workout-service/workout/", status=500, after=True))
    write_plan(tmp_path, EDITED)
    assert push(plan).exit_code == 0
    assert push(plan).reports[0].writes == 0


def test_persistent_500s_on_delete_fail_and_the_next_run_finishes(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    push(plan)
    garmin.faults.append(Fault("DELETE", "/workout-service/workout/", status=500, times=10))
    write_plan(tmp_path, EDITED)
    assert push(plan).exit_code == 5
    garmin.faults.clear()
    assert push(plan).exit_code == 0
    assert push(plan).reports[0].writes == 0
    assert sorted(c[0] for c in calendar(garmin)) == sorted(
        ["block/tempo", "block/2026-11-24/0", "block/2026-11-26/0", "block/2026-11-28/0", "block/2026-11-29/0"]
    )


def test_status_shows_what_differs_on_the_service(garmin: FakeGarmin, tmp_path: Path) -> None:
    from progsync.sync.app.push import run_status

    plan = write_plan(tmp_path)
    push(plan)
    tempo = garmin.marked()["block/tempo"]["workoutId"]
    for key in [k for k, s in garmin.schedules.items() if s["workoutId"] == tempo]:
        del garmin.schedules[key]
    ((_, rows),) = run_status(["garmin"], Config())
    (row,) = [r for r in rows if r.identity == "block/tempo"]
    assert any("not on the calendar" in p for p in row.problems), row


@pytest.mark.parametrize(
    ("method", "part", "reply", "piece"),
    [
        ("POST", "/workout-service/workout", {"ok": True}, "answered uploading a workout without a workout id"),
        ("POST", "/workout-service/workout", "done", "answered uploading a workout without a workout id"),
        ("GET", "/calendar-service/", {"calendarItems": "none"}, "unexpected calendar while reading the calendar of 2026-11"),
        ("GET", "/calendar-service/", [], "sent a list while reading the calendar of 2026-11"),
    ],
)
def test_an_odd_reply_to_any_request_is_exit_5_and_the_next_push_converges(garmin: FakeGarmin, tmp_path: Path, method: str, part: str, reply: Any, piece: str) -> None:
    from .conftest import run_cli

    assert push(write_plan(tmp_path)).exit_code == 0
    plan = write_plan(tmp_path, EDITED)  # reads the calendar, uploads a session, moves one
    garmin.faults.append(Fault(method, part, reply=reply))
    result = run_cli("push", str(plan), "--to", "garmin")
    assert result.returncode == 5, result.stdout + result.stderr
    assert piece in result.stdout + result.stderr and "internal error" not in result.stdout + result.stderr
    outcome = push(plan)
    assert outcome.exit_code == 0 and not outcome.reports[0].failed, outcome.as_dict()
    cal = calendar(garmin)
    assert len(cal) == 5 and len({c[0] for c in cal}) == 5 and all(len(c[3]) == 1 for c in cal), cal
    garmin.log.clear()
    assert push(plan).reports[0].writes == 0 and garmin.writes() == []
