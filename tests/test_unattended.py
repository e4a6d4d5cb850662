"""Running as cron does: no terminal, CI=true, credentials from the environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_cli
from .support.fake_intervals import FakeIntervals, Fault
from .support.plans import WEEK, write_plan


@pytest.fixture
def cron_env(isolated_user: Path) -> Iterator[tuple[FakeIntervals, dict[str, str]]]:
    server = FakeIntervals().start()
    env = {
        "CI": "true",
        "PROGSYNC_TODAY": "2026-11-22",
        "PROGSYNC_INTERVALS_URL": server.url,
        "PROGSYNC_INTERVALS_API_KEY": server.api_key,
        "PROGSYNC_INTERVALS_ATHLETE_ID": server.athlete_id,
    }
    yield server, env
    server.stop()


def test_quiet_success_prints_nothing_and_failures_one_line(cron_env: tuple[FakeIntervals, dict[str, str]], tmp_path: Path) -> None:
    server, env = cron_env
    plan = write_plan(tmp_path)
    ok = run_cli("push", "--quiet", str(plan), "--to", "intervals", env=env, input="", process=True)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "", "")
    server.faults.append(Fault("POST", "/bulk", status=500, times=20))
    write_plan(tmp_path, WEEK.replace("40min", "41min"))
    # In this process, so the retries' backoff (0.5 + 1 + 2 s) is waited on the virtual clock.
    failed = run_cli("push", "--quiet", str(plan), "--to", "intervals", env=env, input="")
    assert failed.returncode == 5
    assert failed.stdout == ""
    assert len(failed.stderr.strip().splitlines()) <= 3
    assert "intervals" in failed.stderr


def test_every_exit_code(cron_env: tuple[FakeIntervals, dict[str, str]], tmp_path: Path) -> None:
    server, env = cron_env
    plan = write_plan(tmp_path)
    bad = write_plan(tmp_path, '[[session]]\nday = "tue"\nsteps = ["10min"]\n', name="bad.toml")
    assert run_cli("push", str(plan), "--to", "intervals", env=env).returncode == 0
    assert run_cli("push", str(bad), "--to", "intervals", env=env).returncode == 2
    assert run_cli("push", str(plan), "--to", "intervals", env={**env, "PROGSYNC_INTERVALS_API_KEY": "nope-nope"}).returncode == 3
    server.faults.append(Fault("GET", "/events", status=503, times=20))
    assert run_cli("push", str(plan), "--to", "intervals", env=env).returncode == 5
    server.faults.clear()
    server.faults.append(Fault("POST", "/bulk", status=422, times=1))
    write_plan(tmp_path, WEEK.replace("40min", "42min"))
    partial = run_cli("push", str(plan), "--to", "intervals", "--json", env=env)
    assert partial.returncode == 1
    doc = json.loads(partial.stdout)
    assert doc["ok"] is False and any(a["error"] for a in doc["destinations"][0]["actions"])


def test_log_file_records_operations_without_secrets(cron_env: tuple[FakeIntervals, dict[str, str]], tmp_path: Path, isolated_user: Path) -> None:
    server, env = cron_env
    plan = write_plan(tmp_path)
    run_cli("push", str(plan), "--to", "intervals", env=env)
    run_cli("push", str(plan), "--to", "intervals", env={**env, "PROGSYNC_INTERVALS_API_KEY": "leaky-secret-42"})
    log = (isolated_user / "state" / "progsync.log").read_text()
    assert "intervals:i12345 create 2026-11-24 block/tempo: synced remote_id=" in log
    assert server.api_key not in log and "leaky-secret-42" not in log
    assert "refused the credentials" in log


def test_globs_and_clashes_between_files(cron_env: tuple[FakeIntervals, dict[str, str]], tmp_path: Path) -> None:
    server, env = cron_env
    plans = tmp_path / "plans"
    plans.mkdir()
    write_plan(plans, WEEK, name="a.toml")
    write_plan(plans, WEEK.replace('name = "Block"', 'name = "Other"'), name="b.toml")
    result = run_cli("push", str(plans / "*.toml"), "--to", "intervals", env=env)
    assert result.returncode == 0, result.stderr
    assert len(server.events) == 12
    write_plan(plans, WEEK, name="c.toml")
    clash = run_cli("push", str(plans / "*.toml"), "--to", "intervals", env=env)
    assert clash.returncode == 2
    assert "same identity" in clash.stderr and "c.toml" in clash.stderr


def test_cron_prints_absolute_lines_and_installs_units(tmp_path: Path) -> None:
    plan = write_plan(tmp_path)
    result = run_cli("cron", str(plan), "--to", "intervals", "--at", "04:15", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "15 4 * * * " in result.stdout
    assert str(plan.resolve()) in result.stdout
    assert "push --quiet" in result.stdout and "--to intervals" in result.stdout
    assert "OnCalendar=*-*-* 04:15:00" in result.stdout
    xdg = tmp_path / "xdg"
    installed = run_cli("cron", str(plan), "--install", env={"XDG_CONFIG_HOME": str(xdg)})
    assert installed.returncode == 0, installed.stderr
    service = (xdg / "systemd" / "user" / "progsync.service").read_text()
    assert "ExecStart=/" in service and str(plan.resolve()) in service
    assert "API_KEY" not in service
    assert "enable --now progsync.timer" in installed.stdout
    bad = run_cli("cron", str(plan), "--at", "25:00")
    assert bad.returncode == 2


def test_doctor_reports_each_check(cron_env: tuple[FakeIntervals, dict[str, str]]) -> None:
    _, env = cron_env
    result = run_cli("doctor", "--json", env=env)
    doc = json.loads(result.stdout)
    checks = {c["name"]: c for c in doc["checks"]}
    assert checks["intervals"]["status"] == "ok" and "Test Runner" in checks["intervals"]["detail"]
    assert checks["garmin"]["status"] == "skip" and "PROGSYNC_GARMIN_TOKENS" in checks["garmin"]["fix"]
    assert checks["keyring"]["status"] == "warn" and "keyrings.alt" in checks["keyring"]["fix"]
    assert {"config", "clock", "ledger", "lock", "versions"} <= set(checks)
    assert result.returncode == 0
    broken = run_cli("doctor", env={**env, "PROGSYNC_INTERVALS_API_KEY": "bad-bad-bad"})
    assert broken.returncode == 1
    assert "fix:" in broken.stdout and "bad-bad-bad" not in broken.stdout


@pytest.mark.parametrize(("version", "status"), [("0.3.2", "warn"), ("0.2.26", "warn"), ("0.3.3", "ok"), ("0.3.20", "ok")])
def test_doctor_warns_when_the_garmin_client_predates_the_login_fixes(version: str, status: str) -> None:
    from progsync.sync.app.doctor import _client_check

    check = _client_check("3.11.7", version)
    assert check.status == status
    if status == "warn":
        assert "predates Garmin's 2026 login fixes" in check.detail
        assert "garminconnect==0.3.20" in (check.fix or "") or "pip install -U" in (check.fix or "")
