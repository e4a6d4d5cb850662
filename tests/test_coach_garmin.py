"""Coach mode on Garmin Connect: each athlete's workouts in their own account, at their own paces.

Against one fake Garmin Connect serving three accounts told apart by the bearer token
(`tests/support/fake_garmin_squad.py`), through the real `garminconnect` client. Every athlete logged in
with their own account (`progsync login garmin --athlete NAME`); here their token bundles come
from `PROGSYNC_GARMIN_TOKENS_NAME`, the headless form of the same per-athlete token set.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import run_cli
from .support.fake_garmin_squad import FakeGarminSquad
from .support.plans import BLOCK

NAMES = ("anna", "ben", "cara")
#: Marathon pace of each athlete (s/km): the tempo's 20 minutes are run at it.
MARATHON = {"anna": 235, "ben": 290, "cara": 260}

SQUAD = """
[athletes.anna]
paces = { easy = "5:10", marathon = "3:55", 5k = "3:20" }
max_hr = 190
garmin = true

[athletes.ben]
paces = { easy = "6:00", marathon = "4:50", 5k = "4:10" }
max_hr = 176
garmin = true

[athletes.cara]
paces = { easy = "5:30", marathon = "4:20", 5k = "3:45" }
max_hr = 182
garmin = true
"""

THURSDAY = '[[session]]\nday = "thu"\nsteps = ["45min @easy"]\n'


@pytest.fixture
def squad(isolated_user: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarminSquad]:
    server = FakeGarminSquad(NAMES).start()
    monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
    for name in NAMES:
        monkeypatch.setenv(f"PROGSYNC_GARMIN_TOKENS_{name.upper()}", server.tokens(name))
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    (isolated_user / "config.toml").write_text(SQUAD)
    yield server
    server.stop()


def write(tmp_path: Path, text: str = BLOCK) -> Path:
    path = tmp_path / "block.toml"
    path.write_text(text)
    return path


def push(plan: Path, *athletes: str) -> tuple[int, dict[str, Any]]:
    chosen = [a for name in (athletes or ("all",)) for a in ("--athlete", name)]
    result = run_cli("push", str(plan), "--to", "garmin", *chosen, "--json")
    assert "Traceback" not in result.stderr
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {}


def tempo_speeds(server: FakeGarminSquad, name: str) -> tuple[float, float]:
    """The pace target of the tempo's main step as stored in `name`'s account (m/s)."""
    tempo = server.accounts[name].marked()[f"{name}@squad-block/tempo"]
    step = tempo["workoutSegments"][0]["workoutSteps"][1]
    assert step["targetType"]["workoutTargetTypeId"] == 6, step  # pace.zone
    return float(step["targetValueOne"]), float(step["targetValueTwo"])


def test_each_athlete_gets_the_block_in_their_own_account_at_their_own_paces(squad: FakeGarminSquad, tmp_path: Path) -> None:
    code, doc = push(write(tmp_path))
    assert code == 0, doc
    assert [d["label"] for d in doc["destinations"]] == [f"{n}: Garmin Connect" for n in NAMES]
    assert all(d["counts"]["create"] == 3 for d in doc["destinations"])
    for name in NAMES:
        account = squad.accounts[name]
        assert sorted(account.marked()) == sorted(
            f"{name}@squad-block/{key}" for key in ("tempo", "2026-11-26/0", "2026-11-29/0")
        ), f"{name}'s account holds {name}'s workouts and nobody else's"
        assert len(account.scheduled()) == 3
        assert len(account.writes()) == 6, "an upload and a schedule per workout, in this account"
        low, high = sorted(tempo_speeds(squad, name))
        centre = 1000 / MARATHON[name]
        assert low < centre < high and high - low < 0.2, (name, low, high, centre)
    speeds = {tempo_speeds(squad, name) for name in NAMES}
    assert len(speeds) == 3, "three profiles, three different paces"
    assert sum(len(a.writes()) for a in squad.accounts.values()) == len(squad.writes()) == 18

    squad.clear_logs()
    code, doc = push(write(tmp_path))
    assert code == 0, doc
    assert all(d["counts"]["unchanged"] == 3 for d in doc["destinations"])
    assert squad.writes() == [], "a re-push makes 0 writes in every account"


def test_removing_a_session_removes_it_in_every_account_and_nothing_else(squad: FakeGarminSquad, tmp_path: Path) -> None:
    foreign = {name: squad.accounts[name].add_foreign(f"{name}'s club run", day="2026-11-26") for name in NAMES}
    push(write(tmp_path))
    squad.clear_logs()
    code, doc = push(write(tmp_path, BLOCK.replace(THURSDAY, "")))
    assert code == 0, doc
    assert [d["counts"]["delete"] for d in doc["destinations"]] == [1, 1, 1]
    for name in NAMES:
        account = squad.accounts[name]
        assert sorted(account.marked()) == [f"{name}@squad-block/2026-11-29/0", f"{name}@squad-block/tempo"]
        assert foreign[name] in account.workouts, "the athlete's own workout stays"
        assert (foreign[name], "2026-11-26") in account.scheduled()
        assert [m for m, _, _, _ in account.writes()] == ["DELETE", "DELETE"], "unschedule, delete"


@pytest.mark.parametrize("expired", [False, True], ids=["refused", "refresh-refused"])
def test_a_revoked_login_fails_that_athlete_alone(squad: FakeGarminSquad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, expired: bool) -> None:
    if expired:  # the client first tries to refresh, and Garmin refuses the refresh token too
        monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS_BEN", squad.accounts["ben"].tokens(expired=True))
    squad.revoke("ben")
    code, doc = push(write(tmp_path))
    assert code == 3, "an authorisation failure, for ben only"
    assert [d["label"] for d in doc["destinations"]] == ["anna: Garmin Connect", "cara: Garmin Connect"]
    assert [(e["destination"], e["exit_code"]) for e in doc["errors"]] == [("ben: garmin", 3)]
    error = doc["errors"][0]
    assert "Garmin Connect" in error["message"]
    assert "progsync login garmin --athlete ben" in error["hint"], error
    assert squad.accounts["ben"].workouts == {}
    assert bool(squad.requests("POST", "/oauth/token")) == expired, "a refresh was tried (and refused)"
    assert len(squad.accounts["anna"].marked()) == 3 and len(squad.accounts["cara"].marked()) == 3

    text = run_cli("push", str(write(tmp_path)), "--to", "garmin", "--athlete", "all")
    assert text.returncode == 3
    assert "ben" in text.stderr and "progsync login garmin --athlete ben" in text.stderr
    assert "Traceback" not in text.stderr


def test_an_athlete_without_a_login_is_told_the_command(squad: FakeGarminSquad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROGSYNC_GARMIN_TOKENS_CARA")
    code, doc = push(write(tmp_path))
    assert code == 3
    assert [(e["destination"], e["exit_code"]) for e in doc["errors"]] == [("cara: garmin", 3)]
    assert "no Garmin Connect tokens for cara" in doc["errors"][0]["message"]
    assert "progsync login garmin --athlete cara" in doc["errors"][0]["hint"]
    assert "PROGSYNC_GARMIN_TOKENS_CARA" in doc["errors"][0]["hint"]
    assert squad.accounts["cara"].log == [] and len(squad.accounts["anna"].marked()) == 3


def test_a_refreshed_token_stays_in_its_own_account(squad: FakeGarminSquad, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyring_file = tmp_path / "keyring.json"  # anna logged in on this machine, ben's are in the environment
    keyring_file.write_text(json.dumps({"progsync/garmin-tokens:anna": squad.accounts["anna"].tokens(expired=True)}))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "tests.support.keyring_file.FileKeyring")
    monkeypatch.setenv("PROGSYNC_TEST_KEYRING", str(keyring_file))
    monkeypatch.delenv("PROGSYNC_GARMIN_TOKENS_ANNA")
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS_BEN", squad.accounts["ben"].tokens(expired=True))
    code, doc = push(write(tmp_path))
    assert code == 0, doc
    assert squad.accounts["anna"].refreshes == 1 and squad.accounts["ben"].refreshes == 1
    assert squad.accounts["anna"].access_token != squad.accounts["ben"].access_token
    for name in NAMES:
        assert {k.split("@")[0] for k in squad.accounts[name].marked()} == {name}
    stored = json.loads(json.loads(keyring_file.read_text())["progsync/garmin-tokens:anna"])
    assert squad.owner(stored["di_token"]) == "anna", "anna's refreshed tokens saved back to her entry"
    assert sorted(json.loads(keyring_file.read_text())) == ["progsync/garmin-tokens:anna"]
    ben = doc["destinations"][1]
    assert ben["label"] == "ben: Garmin Connect"
    assert any("PROGSYNC_GARMIN_TOKENS_BEN holds them as text" in note for note in ben["notes"]), ben


def test_the_fake_refuses_a_token_it_does_not_know(squad: FakeGarminSquad) -> None:
    import requests

    reply = requests.get(f"{squad.url}/workout-service/workouts", headers={"Authorization": "Bearer nobody"}, timeout=5)
    assert reply.status_code == 401
    own = squad.accounts["anna"].access_token
    reply = requests.get(f"{squad.url}/workout-service/workouts", headers={"Authorization": f"Bearer {own}"}, timeout=5)
    assert reply.status_code == 200 and reply.json() == []
    assert squad.owner(own) == "anna" and squad.owner(squad.accounts["ben"].access_token) == "ben"


def test_status_and_clear_for_one_athlete_touch_only_their_account(squad: FakeGarminSquad, tmp_path: Path) -> None:
    push(write(tmp_path))
    status = run_cli("status", "--to", "garmin", "--athlete", "all", "--json")
    assert status.returncode == 0, status.stderr
    assert "anna@squad-block/tempo" in status.stdout and "cara@squad-block/tempo" in status.stdout
    squad.clear_logs()
    cleared = run_cli("clear", "--to", "garmin", "--athlete", "ben", "--yes")
    assert cleared.returncode == 0, cleared.stderr
    assert squad.accounts["ben"].marked() == {}
    assert len(squad.accounts["anna"].marked()) == 3 and len(squad.accounts["cara"].marked()) == 3
    assert squad.accounts["anna"].log == [] and squad.accounts["cara"].log == [], "no request to the others"
