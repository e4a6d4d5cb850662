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
NAMES = ("Coach's tempo", "Easy run")


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


EXPECTED = [("2026-11-24", "Coach's tempo"), ("2026-11-26", "Easy run")]


def test_garmin_adoption_killed_at_any_request_converges_without_the_flag(
    env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    requests_of_push = 0
    for k in range(1, 40):
        for lose_reply in (False, True):
            _clean(isolated_user)
            server = FakeGarmin().start()
            env.setenv("PROGSYNC_GARMIN_URL", server.url)
            env.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
            try:
                saved = {server.add_saved(name, (day,)): name for day, name in EXPECTED}
                stored = {wid: dict(server.workouts[wid]) for wid in saved}
                where = f"killed at request {k} ({'reply lost' if lose_reply else 'not sent'})"
                try:
                    with kill_at(k, lose_reply, server):
                        push(plan, "garmin", adopt=True)
                except Killed:
                    pass
                else:
                    requests_of_push = k - 1
                    break
                recovery = push(plan, "garmin", adopt=k <= 2)  # 2 reads: workouts, a month
                assert recovery.exit_code == 0, (where, recovery.as_dict())
                assert garmin_state(server) == EXPECTED, where
                for wid, body in stored.items():
                    assert server.workouts[wid] == body, (where, "a saved workout changed")
                server.log.clear()
                third = push(plan, "garmin", adopt=True)
                assert third.reports[0].writes == 0 and server.writes() == [], (where, third.as_dict())
            finally:
                server.stop()
        if requests_of_push:
            break
    assert requests_of_push == 8, "workouts, a month, then per session: unschedule, upload, schedule"


def test_intervals_adoption_killed_at_any_request_converges_without_the_flag(
    env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(PLAN)
    requests_of_push = 0
    for k in range(1, 20):
        for lose_reply in (False, True):
            _clean(isolated_user)
            server = FakeIntervals().start()
            env.setenv("PROGSYNC_INTERVALS_URL", server.url)
            env.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
            env.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
            try:
                for day, name in EXPECTED:
                    server.add_foreign(day, name)
                where = f"killed at request {k} ({'reply lost' if lose_reply else 'not sent'})"
                try:
                    with kill_at(k, lose_reply, server):
                        push(plan, "intervals", adopt=True)
                except Killed:
                    pass
                else:
                    requests_of_push = k - 1
                    break
                recovery = push(plan, "intervals", adopt=k <= 1)  # 1 read: the listing
                assert recovery.exit_code == 0, (where, recovery.as_dict())
                assert intervals_state(server) == EXPECTED, where
                server.log.clear()
                third = push(plan, "intervals", adopt=False)
                assert third.reports[0].writes == 0 and server.writes() == [], (where, third.as_dict())
            finally:
                server.stop()
        if requests_of_push:
            break
    assert requests_of_push == 3, "a listing, then one PUT per event"


def test_an_adopted_indoor_event_settles(env: pytest.MonkeyPatch, isolated_user: Path, tmp_path: Path) -> None:
    """The foreign event is indoor, the plan's session is not: the PUT must say so, or the
    service keeps `indoor` and every nightly push rewrites the event."""
    server = FakeIntervals().start()
    env.setenv("PROGSYNC_INTERVALS_URL", server.url)
    env.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    env.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    try:
        for day, name in EXPECTED:
            server.events[server.add_foreign(day, name)]["indoor"] = True
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
