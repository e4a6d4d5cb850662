"""`push --adopt-foreign` converges like every other push, on both services: killed at any
request (before it is sent, or after the server carried it out and the reply was lost), the
next push ends with one item per session and date (the foreign one taken over, never both beside
each other): from the first write on, even a nightly push without the flag (the adoption was
written down in the ledger before it); before it (the push was still reading), the same command
again. The third push writes nothing, and the
user's saved Garmin workouts are never changed (adoption takes the calendar entry, not the
workout: docs/import.md).

Live-service behaviour the fakes reproduce: a Garmin schedule DELETE of an entry already gone
answers 404 (kaiord bridge spec; garminconnect 0.3.20 GarminConnectNotFoundError); an
Intervals.icu update keeps the fields it is not sent (OpenAPI `updateEvent`), which is why the
push sends `indoor` either way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import PushOutcome, run_push
from progsync.sync.settings.config import Config

from .support.fake_garmin import FakeGarmin
from .support.fake_intervals import FakeIntervals
from .support.plans import Killed, kill_at

PLAN = """
[plan]
name = "Imported"

[[session]]
date = 2026-11-24
name = "Coach's tempo"
steps = ["30min"]

[[session]]
date = 2026-11-26
name = "Easy run"
steps = ["40min"]
"""


def push(path: Path, to: str, adopt: bool) -> PushOutcome:
    config = Config()
    return run_push(load_plans([str(path)], config), [to], config, adopt_foreign=adopt)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, isolated_user: Path) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    yield monkeypatch


def _clean(home: Path) -> None:
    for folder in (home / "state", home / "data"):
        for path in folder.glob("*"):
            if path.is_file():
                path.unlink()


def garmin_state(server: FakeGarmin) -> list[tuple[str, str]]:
    """(date, name) of every calendar entry: what the runner sees on the watch's calendar."""
    return sorted((day, str(server.workouts[wid]["workoutName"])) for wid, day in server.scheduled())


def intervals_state(server: FakeIntervals) -> list[tuple[str, str]]:
    return sorted((str(e["start_date_local"])[:10], str(e["name"])) for e in server.events.values())


def state_of(server: FakeGarmin | FakeIntervals) -> list[tuple[str, str]]:
    return garmin_state(server) if isinstance(server, FakeGarmin) else intervals_state(server)


EXPECTED = [("2026-11-24", "Coach's tempo"), ("2026-11-26", "Easy run")]


def start_garmin(env: pytest.MonkeyPatch) -> FakeGarmin:
    server = FakeGarmin().start()
    env.setenv("PROGSYNC_GARMIN_URL", server.url)
    env.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    for day, name in EXPECTED:
        server.add_saved(name, (day,))
    return server


def start_intervals(env: pytest.MonkeyPatch) -> FakeIntervals:
    server = FakeIntervals().start()
    env.setenv("PROGSYNC_INTERVALS_URL", server.url)
    env.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    env.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    for day, name in EXPECTED:
        server.add_foreign(day, name)
    return server


@pytest.mark.parametrize(
    ("to", "reads", "requests"),
    [
        ("garmin", 2, 8),  # workouts, a month; then per session: unschedule, upload, schedule
        ("intervals", 1, 3),  # the listing; then one PUT per event
    ],
)
def test_adoption_killed_at_any_request_converges(
    env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path, to: str, reads: int, requests: int
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    for k in range(1, requests + 2):
        for lose_reply in (False, True):
            _clean(isolated_user)
            server: FakeGarmin | FakeIntervals = start_garmin(env) if to == "garmin" else start_intervals(env)
            saved = {k_: dict(v) for k_, v in server.workouts.items()} if isinstance(server, FakeGarmin) else {}
            where = f"{to}: killed at request {k} ({'reply lost' if lose_reply else 'not sent'})"
            try:
                try:
                    with kill_at(k, lose_reply, server):
                        push(plan, to, adopt=True)
                except Killed:
                    pass
                else:
                    assert k == requests + 1, f"{to}: the push made {k - 1} requests, not {requests}"
                    return
                # Killed while still reading: nothing was decided, the same command again.
                # From the first write on: even a nightly push without the flag finishes it.
                recovery = push(plan, to, adopt=k <= reads)
                assert recovery.exit_code == 0, (where, recovery.as_dict())
                assert state_of(server) == EXPECTED, where
                if isinstance(server, FakeGarmin):
                    for wid, body in saved.items():
                        assert server.workouts[wid] == body, (where, "a saved workout changed")
                server.log.clear()
                third = push(plan, to, adopt=True)
                assert third.reports[0].writes == 0 and server.writes() == [], (where, third.as_dict())
            finally:
                server.stop()
    raise AssertionError(f"{to}: the push was never left to finish")


def test_an_adopted_indoor_event_settles(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    """The foreign event is indoor, the plan's session is not: the PUT must say so, or the
    service keeps `indoor` and every nightly push rewrites the event."""
    server = start_intervals(env)
    try:
        for event in server.events.values():
            event["indoor"] = True
        plan = tmp_path / "plan.toml"
        plan.write_text(PLAN)
        assert push(plan, "intervals", adopt=True).exit_code == 0
        server.log.clear()
        again = push(plan, "intervals", adopt=False)
        assert again.reports[0].writes == 0 and server.writes() == [], again.as_dict()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("day", "name", "external_id", "adopted"),
    [
        ("2026-11-24", "coach's  TEMPO", None, True),  # case and spacing aside
        ("2026-11-24", "Coach's tempo", "trainingpeaks:777", False),  # another tool's event
        ("2026-11-20", "Coach's tempo", None, False),  # in the past (may be tied to an activity)
    ],
)
def test_what_intervals_adoption_takes_and_leaves(
    env: pytest.MonkeyPatch, tmp_path: Path, day: str, name: str, external_id: str | None, adopted: bool
) -> None:
    server = FakeIntervals().start()
    env.setenv("PROGSYNC_INTERVALS_URL", server.url)
    env.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    env.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    try:
        event = server.add_foreign(day, name, external_id=external_id)
        plan = tmp_path / "plan.toml"
        plan.write_text(PLAN.replace("2026-11-24", day))
        config = Config()
        loaded = load_plans([str(plan)], config)
        outcome = run_push(loaded, ["intervals"], config, adopt_foreign=True, start=dt.date(2026, 11, 15))
        ops: dict[str, Any] = {a.date.isoformat(): a.op for a in outcome.reports[0].actions}
        assert ops[day] == ("adopt" if adopted else "create")
        assert server.events[event]["external_id"] == (external_id if not adopted else server.events[event]["external_id"])
        if not adopted:
            assert server.events[event]["name"] == name, "left as it was"
    finally:
        server.stop()
