"""Shared fixtures: an isolated user environment, a profile and a plan compiler."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from progsync.workouts.plan import Compiled, compile_plan
from progsync.workouts.profile import Profile, build_profile

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"

ATHLETE = {
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


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `progsync` entry point in a subprocess, as a user or cron would."""
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
