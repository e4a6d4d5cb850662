"""The folder destination, the default outbox, the push lock and the keyring."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import PushOutcome, run_push
from progsync.sync.reconcile.ledger import LockHeld, destination_lock
from progsync.sync.settings.config import Config, FolderSettings
from progsync.workouts.encode import Format

from .conftest import run_cli
from .support import EXAMPLES, ROOT
from .support.fake_intervals import FakeIntervals, Fault
from .support.fitcheck import decode
from .support.plans import WEEK, write_plan


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")


def folder_push(plan: Path, folder: Path, formats: tuple[Format, ...] = ("fit",)) -> PushOutcome:
    config = Config(folder=FolderSettings(formats=formats))
    return run_push(load_plans([str(plan)], config), [f"folder:{folder}"], config)


def test_readme_main_command_uses_the_outbox(isolated_user: Path) -> None:
    result = run_cli("push", str(EXAMPLES / "week.toml"), process=True)
    assert result.returncode == 0, result.stderr
    outbox = isolated_user / "data" / "outbox"
    fits = sorted(outbox.glob("*.fit"))
    assert len(fits) == 6
    for fit in fits:
        decode(fit.read_bytes())
    assert "progsync login intervals" in result.stdout
    again = run_cli("push", str(EXAMPLES / "week.toml"))
    assert "6 unchanged" in again.stdout


def test_folder_reconciles_and_leaves_foreign_files(tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    folder = tmp_path / "GARMIN" / "NewFiles"
    folder.mkdir(parents=True)
    (folder / "someone-elses.fit").write_bytes(b"not ours")
    outcome = folder_push(plan, folder, ("fit", "intervals"))
    assert outcome.reports[0].counts["create"] == 6
    assert len(list(folder.glob("*.fit"))) == 7 and len(list(folder.glob("*.txt"))) == 6

    edited = WEEK.replace('[[session]]\nday = "wed"\nsteps = ["40min @easy"]\n', "")
    edited = edited.replace('day = "tue"\nid = "tempo"', 'day = "fri"\nid = "tempo"')
    write_plan(tmp_path, edited)
    outcome = folder_push(plan, folder, ("fit", "intervals"))
    counts = outcome.reports[0].counts
    assert (counts["move"], counts["delete"], counts["unchanged"]) == (1, 1, 4)
    names = sorted(p.name for p in folder.iterdir())
    assert "2026-11-25_block_run.fit" not in names
    assert "2026-11-24_block_tempo.fit" not in names and "2026-11-27_block_tempo.fit" in names
    assert (folder / "someone-elses.fit").read_bytes() == b"not ours"


def test_consumed_files_are_not_pushed_again(tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    folder = tmp_path / "NewFiles"
    folder_push(plan, folder)
    for fit in folder.glob("*.fit"):
        fit.unlink()  # the watch imported them
    outcome = folder_push(plan, folder)
    assert outcome.reports[0].counts["unchanged"] == 6
    assert list(folder.glob("*.fit")) == []


def test_lost_ledger_is_rebuilt_from_the_folder_manifest(tmp_path: Path, isolated_user: Path) -> None:
    plan = write_plan(tmp_path)
    folder = tmp_path / "out"
    folder_push(plan, folder)
    (isolated_user / "data" / "ledger.sqlite3").unlink()
    assert folder_push(plan, folder).reports[0].counts["unchanged"] == 6


def test_lock_allows_one_push_per_destination(tmp_path: Path) -> None:
    state = tmp_path / "state"
    with destination_lock(state, "intervals:i1"):
        with pytest.raises(LockHeld) as caught, destination_lock(state, "intervals:i1"):
            pass
        assert caught.value.exit_code == 4
        assert "pid" in caught.value.message
        with destination_lock(state, "folder:/x"):
            pass
    with destination_lock(state, "intervals:i1"):
        pass


def test_two_concurrent_pushes_give_one_exit_code_4(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = FakeIntervals().start()
    try:
        release = threading.Event()  # the first push waits inside its upload until released
        server.faults.append(Fault("POST", "/bulk", hold=release))
        env = {
            "PROGSYNC_INTERVALS_URL": server.url,
            "PROGSYNC_INTERVALS_API_KEY": server.api_key,
            "PROGSYNC_INTERVALS_ATHLETE_ID": server.athlete_id,
        }
        plan = write_plan(tmp_path)
        import os

        full = {**os.environ, **env}
        first = subprocess.Popen([sys.executable, "-m", "progsync.sync", "push", str(plan), "--to", "intervals", "-q"],
                                 cwd=ROOT, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 15
        while not server.requests("POST", "/bulk") and time.monotonic() < deadline:
            time.sleep(0.05)
        second = run_cli("push", str(plan), "--to", "intervals", "-q", env=env)
        release.set()
        out, err = first.communicate(timeout=30)
        assert sorted([first.returncode, second.returncode]) == [0, 4]
        assert "another push to intervals:i12345 is running" in second.stderr
        assert out == "" and err == "", "quiet success prints nothing"
    finally:
        server.stop()


@pytest.fixture
def keyring_env(tmp_path: Path) -> Iterator[tuple[FakeIntervals, dict[str, str]]]:
    """A fake Intervals.icu and a file-backed test keyring, as a desktop user would have."""
    server = FakeIntervals().start()
    yield server, {
        "PYTHON_KEYRING_BACKEND": "tests.support.keyring_file.FileKeyring",
        "PROGSYNC_TEST_KEYRING": str(tmp_path / "keyring.json"),
        "PROGSYNC_INTERVALS_URL": server.url,
    }
    server.stop()


def test_login_stores_the_key_in_the_keyring_and_push_uses_it(keyring_env: tuple[FakeIntervals, dict[str, str]], tmp_path: Path) -> None:
    server, env = keyring_env
    login = run_cli("login", "intervals", "--athlete-id", "i12345", "--api-key-stdin", env=env, input=server.api_key + "\n")
    assert login.returncode == 0, login.stderr
    assert "Test Runner" in login.stdout
    stored = json.loads((tmp_path / "keyring.json").read_text())
    assert json.loads(stored["progsync/intervals"])["athlete_id"] == "i12345"
    assert server.api_key not in login.stdout + login.stderr
    who = run_cli("whoami", "--to", "intervals", env=env)
    assert "Test Runner" in who.stdout and "keyring" in who.stdout
    pushed = run_cli("push", str(write_plan(tmp_path)), "--to", "intervals", env=env)
    assert pushed.returncode == 0, pushed.stderr
    assert len(server.events) == 6
    assert run_cli("logout", "intervals", env=env).returncode == 0
    assert "progsync/intervals" not in json.loads((tmp_path / "keyring.json").read_text())


def test_login_with_a_bad_key_stores_nothing(keyring_env: tuple[FakeIntervals, dict[str, str]], tmp_path: Path) -> None:
    _, env = keyring_env
    result = run_cli("login", "intervals", "--api-key-stdin", env=env, input="bad-key-999\n")
    assert result.returncode == 3
    assert not (tmp_path / "keyring.json").exists()
    assert "bad-key-999" not in result.stderr


def test_login_never_prompts_without_a_terminal() -> None:
    result = run_cli("login", "intervals", input="", process=True)
    assert result.returncode == 3
    assert "needs a terminal" in result.stderr


def test_unknown_destination_is_an_input_error(tmp_path: Path) -> None:
    result = run_cli("push", str(write_plan(tmp_path)), "--to", "intervalz")
    assert result.returncode == 2
    assert "did you mean 'intervals'" in result.stderr


def test_readme_main_command_still_works_after_the_example_week(isolated_user: Path) -> None:
    result = run_cli("push", str(EXAMPLES / "week.toml"), env={"PROGSYNC_TODAY": "2027-06-01"})
    assert result.returncode == 0, result.stderr
    assert len(list((isolated_user / "data" / "outbox").glob("*.fit"))) == 6


def test_real_destinations_leave_past_sessions_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = write_plan(tmp_path)
    outcome = folder_push(plan, tmp_path / "watch")
    assert outcome.reports[0].counts["create"] == 6
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-26")
    edited = folder_push(write_plan(tmp_path, WEEK.replace("40min", "44min")), tmp_path / "watch")
    assert edited.reports[0].counts["update"] == 0, "past sessions are not rewritten"
    assert any("before 2026-11-26 left alone" in n for n in edited.reports[0].notes)


def test_plan_with_no_destination_says_a_push_would_write_to_the_outbox(isolated_user: Path) -> None:
    # `plan` writes nothing: it must not say the workouts went anywhere (issue 26).
    result = run_cli("plan", str(EXAMPLES / "week.toml"))
    assert result.returncode == 0, result.stderr
    assert "went to the local outbox" not in result.stdout
    assert "a push would write the workouts to the local outbox" in result.stdout
    assert "nothing was written" in result.stdout
    assert not list((isolated_user / "data" / "outbox").glob("*.fit"))


@pytest.mark.parametrize("day", [None, "2026-12-07", "2026-12-13", "2027-03-01"])
def test_readme_first_command_pushes_only_upcoming_sessions(
    isolated_user: Path, monkeypatch: pytest.MonkeyPatch, day: str | None
) -> None:
    """Issue 26: on 2026-12-07 the quick start pushed six past sessions into the outbox. The
    README's first command, with no account, on any day (the real one too): only future ones."""
    import datetime as dt

    if day is None:
        monkeypatch.delenv("PROGSYNC_TODAY")
    else:
        monkeypatch.setenv("PROGSYNC_TODAY", day)
    today = dt.date.fromisoformat(day) if day else dt.date.today()
    result = run_cli("push", "examples/week.toml", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    fits = sorted((isolated_user / "data" / "outbox").glob("*.fit"))
    assert len(fits) == 6
    dates = [dt.date.fromisoformat(f.name[:10]) for f in fits]
    assert all(d > today for d in dates), (today, dates)
    assert "went to the local outbox" in result.stdout
