"""The CLI as a user runs it: exit codes, output, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

from .conftest import WEEK_FIXTURE, run_cli
from .support import EXAMPLES


def test_check_example_ok() -> None:
    result = run_cli("check", str(EXAMPLES / "week.toml"))
    assert result.returncode == 0, result.stderr
    assert "6 sessions" in result.stdout
    assert "0 error(s), 0 warning(s)" in result.stdout


def test_check_bad_file_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\nstart = 2026-11-23\n[[session]]\nday = "tue"\nsteps = ["10min @marthon"]\n')
    result = run_cli("check", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{bad}:5:" in result.stderr
    assert "did you mean 'marathon'?" in result.stderr


def test_check_toml_syntax_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[plan]\nname = "x\n')
    result = run_cli("check", str(bad))
    assert result.returncode == 2
    assert "TOML syntax" in result.stderr and f"{bad}:2" in result.stderr


def test_check_missing_file() -> None:
    result = run_cli("check", "nope/missing.toml")
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_check_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    plan = tmp_path / "p.toml"
    plan.write_text('[plan]\nstart = 2026-11-23\n[[session]]\nday = "tue"\nsteps = ["10m"]\n')
    assert run_cli("check", str(plan)).returncode == 0
    strict = run_cli("check", "--strict", str(plan))
    assert strict.returncode == 2
    assert "did you mean 10min?" in strict.stderr


def test_check_json(tmp_path: Path) -> None:
    result = run_cli("check", "--json", str(EXAMPLES / "week.toml"))
    doc = json.loads(result.stdout)
    assert doc["ok"] is True and len(doc["sessions"]) == 6


def test_show_draws_tables_and_profile() -> None:
    result = run_cli("show", str(EXAMPLES / "week.toml"), "--session", "Long run")
    assert result.returncode == 0, result.stderr
    assert "Stage 3/3" in result.stdout
    assert "4:20-4:10/km" in result.stdout
    assert "▃" in result.stdout and "▆" in result.stdout


def test_show_json_is_the_resolved_model() -> None:
    result = run_cli("show", str(WEEK_FIXTURE), "--json", "--session", "2026-11-26")
    doc = json.loads(result.stdout)
    (session,) = doc["sessions"]
    assert session["identity"] == "base-block/2026-11-26/0"
    repeat = session["steps"][1]
    assert repeat["type"] == "repeat" and repeat["count"] == 5
    assert repeat["steps"][0]["target"]["fast_mps"] > repeat["steps"][0]["target"]["slow_mps"]


def test_show_unknown_session() -> None:
    result = run_cli("show", str(EXAMPLES / "week.toml"), "--session", "Lnog run")
    assert result.returncode == 2
    assert "no session matches" in result.stderr


def test_broken_config_is_an_input_error(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[athlete]\npaces = { easy = "5:30" }\n[intervalz]\n')
    result = run_cli("--config", str(config), "check", str(EXAMPLES / "week.toml"))
    assert result.returncode == 2
    assert "did you mean 'intervals'" in result.stderr


def test_config_profile_used_when_plan_has_none(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[athlete]\npaces = { easy = "6:00", marathon = "5:00" }\n')
    plan = tmp_path / "p.toml"
    plan.write_text('[plan]\nstart = 2026-11-23\n[[session]]\nday = "tue"\nsteps = ["10min @marathon"]\n')
    result = run_cli("--config", str(config), "show", str(plan), "--json")
    target = json.loads(result.stdout)["sessions"][0]["steps"][0]["target"]
    assert target["slow"] == 305 and target["fast"] == 295
