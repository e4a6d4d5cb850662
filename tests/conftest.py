"""Shared fixtures: an isolated user environment, a profile and a plan compiler."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict

import pytest

from progsync.sync.services.http import VirtualClock, use_clock
from progsync.workouts.plan import Compiled, compile_plan
from progsync.workouts.profile import Profile, build_profile

from .support import FIXTURES, ROOT

if TYPE_CHECKING:
    from .support.fake_intervals import FakeIntervals

#: examples/week.toml as it was dated before its start became "next-monday": the tests (and the
#: activity fixtures) that rely on its week being 23-29 Nov 2026 read this copy.
WEEK_FIXTURE = FIXTURES / "plans" / "week-2026-11-23.toml"

class AthleteTable(TypedDict):
    """The `[athlete]` table of ATHLETE, as config.toml would give it."""

    paces: dict[str, str]
    max_hr: int
    lthr: int


ATHLETE: AthleteTable = {
    "paces": {
        "easy": "5:10-5:30",
        "recovery": "5:40-6:00",
        "marathon": "4:15",
        "half": "4:05",
        "threshold": "3:58",
        "10k": "3:50",
        "5k": "3:40",
    },
    "max_hr": 188,
    "lthr": 171,
}


@pytest.fixture(autouse=True)
def isolated_user(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own config, data and state dirs, and no real credentials."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("PROGSYNC_DATA_DIR", str(home / "data"))
    monkeypatch.setenv("PROGSYNC_STATE_DIR", str(home / "state"))
    monkeypatch.setenv("PROGSYNC_CONFIG", str(home / "config.toml"))
    (home / "config.toml").write_text("")
    for var in list(os.environ):
        if var.startswith(("PROGSYNC_INTERVALS", "PROGSYNC_GARMIN")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    return home


@pytest.fixture
def profile() -> Profile:
    return build_profile(ATHLETE)


def plan_text(body: str, units: str = "km", athlete: bool = True) -> str:
    head = f'[plan]\nname = "Test"\nstart = 2026-11-23\nunits = "{units}"\n'
    return head + "\n" + textwrap.dedent(body)


def compile_text(body: str, units: str = "km", filename: str = "plan.toml") -> Compiled:
    return compile_plan(plan_text(body, units), filename, ATHLETE)


@pytest.fixture(autouse=True)
def virtual_clock() -> Iterator[VirtualClock]:
    """Pacing and retry backoff wait on a clock that never sleeps; tests assert the waits instead."""
    clock = VirtualClock()
    previous = use_clock(clock)
    yield clock
    use_clock(previous)


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            input: str | None = None, process: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real `progsync` entry point as a user or cron would; its exit code and output.

    In this process by default (the same `main()`, with argv, environment, working directory and
    standard streams of its own, no terminal), which is fast and lets pacing use the test's
    virtual clock. `process=True` starts a real `python -m progsync.sync`: for what only a separate
    process proves (start-up, being killed, locks between processes, no terminal at all).
    """
    if process:
        full_env = dict(os.environ)
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", "progsync.sync", *args],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=cwd or ROOT,
            input=input,
            timeout=120,
        )
    return _run_in_process(list(args), env or {}, cwd or ROOT, input)


def _run_in_process(args: list[str], env: dict[str, str], cwd: Path,
                    input: str | None) -> subprocess.CompletedProcess[str]:
    from progsync.sync.cli import entry

    saved_env = dict(os.environ)
    saved_cwd = os.getcwd()
    saved_streams = sys.argv, sys.stdin, sys.stdout, sys.stderr
    out, err = io.StringIO(), io.StringIO()
    os.environ.update(env)
    if "TZ" in env:
        time.tzset()
    os.chdir(cwd)
    _reset_process_state()
    sys.argv = ["progsync", *args]
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(input or ""), out, err
    code: int = 0
    try:
        entry.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.stdin, sys.stdout, sys.stderr = saved_streams
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        if "TZ" in env:
            time.tzset()
        _reset_process_state()
    return subprocess.CompletedProcess(["progsync", *args], code, out.getvalue(), err.getvalue())


def _reset_process_state() -> None:
    """Forget what one in-process run leaves behind that a new process would not have."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "progsync", False)]:
        root.removeHandler(handler)
        handler.close()
    if "keyring.core" in sys.modules:  # already loaded: this import loads nothing new
        import keyring.core

        keyring.core._keyring_backend = None  # chosen again from the environment


@pytest.fixture
def coach_intervals(isolated_user: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    """The fake Intervals.icu of a coach (i100) who coaches i201 and i202: another id answers
    403, as the live service does (maintainer, forum.intervals.icu thread 609)."""
    from .support.fake_intervals import FakeIntervals

    server = FakeIntervals(athlete_id="i100", coached=("i201", "i202")).start()
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", "i100")
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    yield server
    server.stop()
    assert server.validation_errors == []
