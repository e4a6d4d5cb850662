"""Intervals.icu converges on the plan from what its calendar shows, whatever a crash, a fault or
a person left there — as Garmin Connect does (tests/test_garmin_converge.py).

The sweeps stop a push at every request boundary of a first push and of an edit push: request k
is either never sent or carried out by the server with its reply lost, and the process dies
there (a BaseException raised from `requests.Session.send`: nothing of progsync runs after it
except `finally` blocks, as after SIGKILL; test_sync_intervals.py kills a real process too).
After the kill the next push must leave the calendar equal to a clean run's, a third push must
make no writes, and nothing may be left FAILED.

Live-service behaviour the fake reproduces (tests/support/fake_intervals.py, docs/destinations.md):
a person's delete in the app removes the event, and a later `PUT /events/{id}` on that id
answers 404 (glebmish/intervals-icu-cli `internal/cmd/events.go`); the service derives
`moving_time`, `distance` and `workout_doc` itself (maintainer, forum thread 609); upsert by
`external_id` may create a second event instead of updating (thread 63624: it matches "only
against events created by your application"), which `upsert_broken` reproduces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import run_push, run_status
from progsync.sync.settings.config import Config

from .conftest import run_cli
from .support.fake_intervals import FakeIntervals, Fault
from .support.plans import EDITED, TODAY, WEEK, Killed, kill_at, write_plan


def push(path: Path, config: Config | None = None, **kwargs: Any) -> Any:
    config = config or Config()
    return run_push(load_plans([str(path)], config), ["intervals"], config, **kwargs)


def calendar(server: FakeIntervals, athlete: str | None = None) -> list[tuple[str, str, str, str]]:
    """What a person sees: per progsync event its identity, day, name and workout text."""
    events = server.calendar(athlete or server.athlete_id).values()
    return sorted(
        (str(e["external_id"]), e["start_date_local"][:10], str(e.get("name")), str(e.get("description")))
        for e in events
        if str(e.get("external_id") or "").startswith("progsync:")
    )


def foreign_events(server: FakeIntervals, athlete: str | None = None) -> list[dict[str, Any]]:
    return sorted(
        (e for e in server.calendar(athlete or server.athlete_id).values()
         if not str(e.get("external_id") or "").startswith("progsync:")),
        key=lambda e: e["id"],
    )


def settled(outcome: Any, server: FakeIntervals, plan: Path, where: object = "") -> None:
    """The push succeeded with nothing FAILED, and a further push changes nothing."""
    assert outcome.exit_code == 0, (where, outcome.as_dict())
    assert all(not r.failed for r in outcome.reports), where
    server.log.clear()
    third = push(plan)
    assert third.exit_code == 0 and all(r.writes == 0 for r in third.reports), (where, third.as_dict())
    assert server.writes() == [], where


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("PROGSYNC_TODAY", TODAY)
    return monkeypatch


def fresh(env: pytest.MonkeyPatch, home: Path, upsert_broken: bool = False) -> FakeIntervals:
    """A new fake account and an empty ledger."""
    server = FakeIntervals().start()
    server.upsert_broken = upsert_broken
    env.setenv("PROGSYNC_INTERVALS_URL", server.url)
    env.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    env.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    for folder in (home / "state", home / "data"):
        for path in folder.glob("*"):
            if path.is_file():
                path.unlink()
    return server


@pytest.fixture
def fake(env: pytest.MonkeyPatch, isolated_user: Path) -> Iterator[FakeIntervals]:
    server = fresh(env, isolated_user)
    yield server
    server.stop()
    assert server.validation_errors == [], "every request body matches the OpenAPI schemas"


def clean_calendar(env: pytest.MonkeyPatch, home: Path, tmp_path: Path, before: str | None,
                   plan_text: str) -> tuple[list[tuple[str, str, str, str]], int]:
    server = fresh(env, home)
    try:
        if before is not None:
            assert push(write_plan(tmp_path, before)).exit_code == 0
        server.log.clear()
        assert push(write_plan(tmp_path, plan_text)).exit_code == 0
        return calendar(server), len(server.log)
    finally:
        server.stop()


# -- a person's hands on the calendar -----------------------------------------------------------
def test_an_event_deleted_by_hand_comes_back_on_the_next_push(fake: FakeIntervals, tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    assert push(plan).exit_code == 0
    expected = calendar(fake)
    gone = fake.by_external()["progsync:block/2026-11-25/0"]["id"]
    fake.delete_by_hand(gone)

    [(_, rows)] = run_status(["intervals"], Config())
    assert [r.on_destination for r in rows if r.identity == "block/2026-11-25/0"] == [False]
    shown = run_cli("status", "--to", "intervals", "--json")
    [row] = [r for d in json.loads(shown.stdout)["destinations"] for r in d["items"]
             if r["identity"] == "block/2026-11-25/0"]
    assert row["on_destination"] is False and row["problems"] == ["removed by hand; the next push puts it back"]

    fake.log.clear()
    outcome = push(plan)
    report = outcome.reports[0]
    assert report.counts["create"] == 1 and report.counts["unchanged"] == 5, report.as_dict()
    assert [m for m, p, *_ in fake.writes()] == ["POST"], "one create, no PUT on the stale id"
    assert calendar(fake) == expected
    settled(outcome, fake, plan)


def test_an_event_deleted_by_hand_comes_back_when_upsert_duplicates(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    server = fresh(env, isolated_user, upsert_broken=True)
    try:
        plan = write_plan(tmp_path)
        assert push(plan).exit_code == 0
        expected = calendar(server)
        server.delete_by_hand(server.by_external()["progsync:block/tempo"]["id"])
        outcome = push(plan)
        assert calendar(server) == expected
        settled(outcome, server, plan)
    finally:
        server.stop()


@pytest.mark.parametrize("hand", ["move", "edit", "copy", "copy-without-id", "delete-two"])
def test_what_a_person_did_by_hand_is_put_back(fake: FakeIntervals, tmp_path: Path, hand: str) -> None:
    plan = write_plan(tmp_path)
    assert push(plan).exit_code == 0
    expected = calendar(fake)
    events = fake.by_external()
    tempo = events["progsync:block/tempo"]["id"]
    foreign_before = foreign_events(fake)
    if hand == "move":
        fake.move_by_hand(tempo, "2026-11-27")
    elif hand == "edit":
        fake.edit_by_hand(tempo, "- 20m Z4 HR\n- 10m Z1 HR")
    elif hand == "copy":
        fake.copy_by_hand(tempo)
    elif hand == "copy-without-id":
        foreign_copy = fake.copy_by_hand(tempo, keep_external_id=False)
    else:
        fake.delete_by_hand(tempo)
        fake.delete_by_hand(events["progsync:block/2026-11-29/0"]["id"])
    outcome = push(plan)
    assert calendar(fake) == expected, hand
    if hand != "delete-two":
        assert tempo in fake.events, "the event a person moved, edited or copied keeps its id"
    if hand == "copy-without-id":
        assert [e["id"] for e in foreign_events(fake)] == [foreign_copy], "a copy without our marker is not ours"
    else:
        assert foreign_events(fake) == foreign_before
    settled(outcome, fake, plan, hand)


def test_an_event_deleted_between_listing_and_update_is_created_again(fake: FakeIntervals, tmp_path: Path) -> None:
    """A 404 on the update means gone: converge again, never a permanent failure."""
    fake.upsert_broken = True
    plan = write_plan(tmp_path)
    assert push(plan).exit_code == 0
    push(plan)  # learns that upsert duplicates: updates go by PUT /events/{id} from here on
    write_plan(tmp_path, WEEK.replace('steps = ["30min @easy"]', 'steps = ["33min @easy"]'))
    saturday = fake.by_external()["progsync:block/2026-11-28/0"]["id"]
    original_route = fake.route

    def route(method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if method == "PUT" and path.endswith(f"/events/{saturday}") and saturday in fake.events:
            fake.delete_by_hand(saturday)  # a person deletes it the moment before the PUT lands
        return original_route(method, path, query, body)

    with mock.patch.object(fake, "route", route):
        outcome = push(plan)
    assert outcome.exit_code == 0, outcome.as_dict()
    assert "33m" in fake.by_external()["progsync:block/2026-11-28/0"]["description"]
    settled(outcome, fake, plan)


# -- a process killed at any request ------------------------------------------------------------
def sweep(env: pytest.MonkeyPatch, home: Path, tmp_path: Path, before: str | None, plan_text: str,
          upsert_broken: bool = False) -> int:
    expected, requests_of_push = clean_calendar(env, home, tmp_path, before, plan_text)
    assert requests_of_push >= 2
    for k in range(1, requests_of_push + 1):
        for lose_reply in (False, True):
            server = fresh(env, home, upsert_broken)
            try:
                foreign = server.add_foreign("2026-11-25")
                if before is not None:
                    assert push(write_plan(tmp_path, before)).exit_code == 0
                plan = write_plan(tmp_path, plan_text)
                with pytest.raises(Killed), kill_at(k, lose_reply, server):
                    push(plan)
                recovery = push(plan)
                where = f"killed at request {k} ({'reply lost' if lose_reply else 'not sent'})"
                assert calendar(server) == expected, where
                assert [e["id"] for e in foreign_events(server)] == [foreign], where
                settled(recovery, server, plan, where)
            finally:
                server.stop()
    return requests_of_push


def test_a_first_push_killed_at_any_request_converges(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    assert sweep(env, isolated_user, tmp_path, None, WEEK) == 2, "1 listing + 1 bulk save"


def test_an_edit_push_killed_at_any_request_converges(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    assert sweep(env, isolated_user, tmp_path, WEEK, EDITED) == 3, "1 listing + 1 bulk save + 1 bulk delete"


def test_an_edit_push_killed_at_any_request_converges_when_upsert_duplicates(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    sweep(env, isolated_user, tmp_path, WEEK, EDITED, upsert_broken=True)


# -- faults on every write ----------------------------------------------------------------------
WRITES = [("POST", "/events/bulk"), ("PUT", "/events/bulk-delete"), ("PUT", "/events/")]


@pytest.mark.parametrize("upsert_broken", [False, True], ids=["upsert", "upsert-duplicates"])
@pytest.mark.parametrize("fault", ["dropped", "reply-lost", "500-after-acting"])
def test_every_write_dropped_or_its_reply_lost_converges(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path, fault: str, upsert_broken: bool) -> None:
    expected, _ = clean_calendar(env, isolated_user, tmp_path, WEEK, EDITED)
    server = fresh(env, isolated_user, upsert_broken)
    try:
        assert push(write_plan(tmp_path, WEEK)).exit_code == 0
        push(write_plan(tmp_path, WEEK))  # with upsert broken, progsync has learnt it by now
        plan = write_plan(tmp_path, EDITED)
        for method, part in WRITES:
            server.faults.append(Fault(method, part, drop=fault != "500-after-acting",
                                       after=fault != "dropped",
                                       status=500 if fault == "500-after-acting" else None))
        first = push(plan)
        assert first.exit_code != 0 or not any(r.failed for r in first.reports), first.as_dict()
        outcome = push(plan) if first.exit_code else first
        assert calendar(server) == expected, fault
        settled(outcome, server, plan, fault)
    finally:
        server.stop()
    assert server.validation_errors == []


def test_dropped_connections_never_leave_sessions_off_the_calendar(fake: FakeIntervals, tmp_path: Path) -> None:
    """Six dropped connections in a row (more than one run's retries): the run fails with exit 5,
    and the next run puts every session on the calendar — none stuck FAILED for good."""
    plan = write_plan(tmp_path)
    fake.faults.append(Fault("POST", "/events/bulk", drop=True, times=6))
    first = push(plan)
    assert first.exit_code == 5
    outcome = push(plan)
    assert len(calendar(fake)) == 6
    settled(outcome, fake, plan)


# -- coach mode ---------------------------------------------------------------------------------
SQUAD = """
[intervals]
athlete_id = "i100"

[athletes.anna]
paces = { easy = "5:10", marathon = "3:55", 5k = "3:20" }
intervals = "i201"

[athletes.ben]
paces = { easy = "6:00", marathon = "4:50", 5k = "4:10" }
intervals = "i202"
"""


def test_a_squad_converges_after_hand_deletes_and_a_kill(coach_intervals: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    (isolated_user / "config.toml").write_text(SQUAD)
    plan = write_plan(tmp_path, re.sub(r"\[athlete\]\n[^\[]*", "", WEEK))
    assert run_cli("push", str(plan), "--to", "intervals", "--athlete", "all").returncode == 0
    expected = {a: calendar(coach_intervals, a) for a in ("i201", "i202")}
    assert all(len(v) == 6 for v in expected.values()) and expected["i201"] != expected["i202"], expected
    for athlete, identity in (("i201", "progsync:anna@block/tempo"), ("i202", "progsync:ben@block/2026-11-25/0")):
        ids = {e["external_id"]: e["id"] for e in coach_intervals.calendar(athlete).values()}
        del coach_intervals.calendar(athlete)[ids[identity]]  # each athlete deletes one by hand

    with pytest.raises(Killed), kill_at(3, True, coach_intervals):  # anna's listing, her save, ben's listing
        run_cli("push", str(plan), "--to", "intervals", "--athlete", "all")
    result = run_cli("push", str(plan), "--to", "intervals", "--athlete", "all")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "FAILED" not in result.stdout
    assert {a: calendar(coach_intervals, a) for a in ("i201", "i202")} == expected
    coach_intervals.log.clear()
    assert run_cli("push", str(plan), "--to", "intervals", "--athlete", "all").returncode == 0
    assert coach_intervals.writes() == []


# -- odd replies to writes ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "part", "reply"),
    [
        ("POST", "/events/bulk", {"ok": True}),
        ("POST", "/events/bulk", [{"external_id": "progsync:block/tempo"}]),
        ("POST", "/events/bulk", "<html>Bad gateway</html>"),
        ("PUT", "/events/bulk-delete", ["deleted"]),
        ("PUT", "/events/10", {"ok": True}),
    ],
)
def test_an_odd_reply_to_a_write_is_exit_5_naming_the_request(fake: FakeIntervals, tmp_path: Path, method: str, part: str, reply: Any) -> None:
    plan = write_plan(tmp_path)
    assert push(plan).exit_code == 0
    fake.upsert_broken = part == "/events/10"  # updates then go by PUT /events/{id}
    if fake.upsert_broken:
        push(write_plan(tmp_path, WEEK.replace('steps = ["30min @easy"]', 'steps = ["31min @easy"]')))
    edited = write_plan(tmp_path, EDITED)
    fake.faults.append(Fault(method, part, reply=reply))
    result = run_cli("push", str(edited), "--to", "intervals", "--json")
    assert result.returncode == 5, result.stdout + result.stderr
    shown = json.loads(result.stdout)
    message = json.dumps(shown)
    assert "internal error" not in message and "Traceback" not in result.stderr
    assert f"{method} {part.rstrip('0123456789')}" in message, message
    outcome = push(edited)
    identities = [c[0] for c in calendar(fake)]
    assert len(identities) == 5 and len(set(identities)) == 5, identities
    settled(outcome, fake, edited)
