"""Coaching from the command line: check/push with rules, explain, profile, new progression/block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.settings.config import Config, load_config
from progsync.workouts.checks import run_checks
from progsync.workouts.errors import InputError
from progsync.workouts.model import PaceTarget, flatten
from progsync.workouts.plan import compile_plan

from .conftest import ATHLETE, run_cli
from .support import EXAMPLES

SURGE = """[plan]
name = "Surge"
start = 2026-11-23

[[session]]
day = "tue"
name = "Too quick"
steps = ["15min @easy", "10min @4:45", "10min @4:00"]
"""


@pytest.fixture
def surge(tmp_path: Path) -> Path:
    path = tmp_path / "surge.toml"
    path.write_text(SURGE)
    return path


@pytest.fixture
def athlete_config(isolated_user: Path) -> Path:
    config = isolated_user / "config.toml"
    paces = ", ".join(f'{k} = "{v}"' for k, v in ATHLETE["paces"].items())
    config.write_text(f"[athlete]\npaces = {{ {paces} }}\nmax_hr = 188\nlthr = 171\n")
    return config


def test_check_reports_a_rule_as_a_warning_and_strict_as_an_error(surge: Path, athlete_config: Path) -> None:
    result = run_cli("check", str(surge))
    assert result.returncode == 0
    assert f"{surge}:5: warning[progression-gradual]: stage 2 jumps 45 s/km (4:45 → 4:00/km)" in result.stderr
    assert "(progsync explain progression-gradual)" in result.stderr
    strict = run_cli("check", "--strict", str(surge))
    assert strict.returncode == 2
    assert "error[progression-gradual]" in strict.stderr


def test_config_turns_a_rule_off(surge: Path, athlete_config: Path) -> None:
    athlete_config.write_text(athlete_config.read_text() + '\n[checks]\ndisable = ["progression-gradual"]\n')
    result = run_cli("check", "--strict", str(surge))
    assert result.returncode == 0, result.stderr
    assert "0 warning(s)" in result.stdout


def test_a_misspelt_rule_in_the_config_is_an_input_error(athlete_config: Path) -> None:
    athlete_config.write_text(athlete_config.read_text() + '\n[checks.progression-gradul]\nmax_jump = "20s"\n')
    with pytest.raises(InputError) as caught:
        load_config(athlete_config)
    issue = caught.value.issues[0]
    assert issue.message == "unknown rule 'progression-gradul' in [checks]"
    assert issue.hint == "did you mean 'progression-gradual'?"
    assert issue.location is not None and issue.location.line == 6


def test_push_strict_writes_nothing_while_a_warning_stands(surge: Path, athlete_config: Path, tmp_path: Path) -> None:
    folder = tmp_path / "watch"
    folder.mkdir()
    result = run_cli("push", "--strict", "--to", f"folder:{folder}", str(surge), env={"PROGSYNC_TODAY": "2026-11-22"})
    assert result.returncode == 2
    assert "error[progression-gradual]" in result.stderr
    assert list(folder.iterdir()) == []
    ok = run_cli("push", "--to", f"folder:{folder}", str(surge), env={"PROGSYNC_TODAY": "2026-11-22"})
    assert ok.returncode == 0, ok.stderr
    assert "warning[progression-gradual]" in ok.stderr
    assert len(list(folder.glob("*.fit"))) == 1


def test_check_history_judges_the_first_week(tmp_path: Path) -> None:
    def week(start: str, minutes: int) -> str:
        sessions = "".join(f'\n[[session]]\nday = "{d}"\nsteps = ["{minutes}min"]\n' for d in ("mon", "wed", "fri"))
        return f'[plan]\nname = "Me"\nstart = {start}\n' + sessions

    (tmp_path / "w1.toml").write_text(week("2026-11-16", 40))
    (tmp_path / "w2.toml").write_text(week("2026-11-23", 60))
    config = Config(athlete=ATHLETE)
    alone = load_plans([str(tmp_path / "w2.toml")], config)
    assert alone.coaching == ()
    both = load_plans([str(tmp_path / "w2.toml")], config, history=[str(tmp_path / "w*.toml")])
    assert [i.code for i in both.coaching] == ["weekly-load"]
    assert "50% more than the week before" in both.coaching[0].message, "w2 is not its own history"
    result = run_cli("check", str(tmp_path / "w2.toml"), "--history", str(tmp_path / "w1.toml"), "--json")
    doc = json.loads(result.stdout)
    assert [w["code"] for w in doc["warnings"]] == ["weekly-load"]


def test_explain_lists_and_explains_rules() -> None:
    listing = run_cli("explain")
    assert listing.returncode == 0
    assert "progression-gradual" in listing.stdout and "race-recovery" in listing.stdout
    one = run_cli("explain", "easy-share")
    assert 'min_share = "75%"' in one.stdout and "[checks.easy-share]" in one.stdout
    wrong = run_cli("explain", "gradual")
    assert wrong.returncode == 2 and "did you mean 'progression-gradual'?" in wrong.stderr


def test_profile_prints_vdot_paces_and_explicit_paces_win(tmp_path: Path, athlete_config: Path) -> None:
    result = run_cli("profile", "--race", "10k 41:30")
    assert result.returncode == 0, result.stderr
    assert "VDOT 49.8" in result.stdout
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "4:15/km" in lines["marathon"] and "config" in lines["marathon"]
    assert lines["marathon"].rstrip().endswith("4:32/km"), "the race's own marathon pace beside it"
    # The config gives easy, so long follows it (#26: derived paces follow the paces given).
    assert "as easy, config" in lines["long"]
    doc = json.loads(run_cli("profile", "--race", "10k 41:30", "--json").stdout)
    assert doc["paces"]["marathon"]["derived"] is False and "long" not in doc["paces"]


def test_profile_without_any_paces_says_how_to_get_them() -> None:
    result = run_cli("profile")
    assert result.returncode == 0
    assert "No paces yet" in result.stdout and "--race" in result.stdout


def test_new_progression_prints_both_forms_that_compile_to_the_same_run(athlete_config: Path) -> None:
    result = run_cli("new", "progression", "--duration", "60min", "--to", "marathon")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "the generated session passes every check"
    text = result.stdout
    assert 'progression = { duration = "1h", from = "easy", to = "marathon", stages = 3, easy = "50%" }' in text
    first, second = text.split("# ... or the same run as explicit steps (paste one of the two):")
    head = '[plan]\nname = "P"\nstart = 2026-11-23\n'
    runs = []
    for form in (first, second):
        compiled = compile_plan(head + form, "p.toml", ATHLETE)
        assert compiled.warnings == () and run_checks([compiled]) == []
        runs.append(flatten(compiled.plan.sessions[0].steps))
    assert [s.end for s in runs[0]] == [s.end for s in runs[1]]
    for a, b in zip(*runs, strict=True):
        assert isinstance(a.target, PaceTarget) and isinstance(b.target, PaceTarget)
        assert abs(a.target.centre - b.target.centre) <= 0.5


def test_new_progression_with_options_that_break_a_rule_says_so(athlete_config: Path) -> None:
    result = run_cli("new", "progression", "--duration", "60min", "--to", "5k", "--stages", "2")
    assert result.returncode == 0
    assert "warning[progression-gradual]" in result.stderr
    assert "warning[progression-controlled-finish]" in result.stderr


def test_new_progression_needs_paces(isolated_user: Path) -> None:
    result = run_cli("new", "progression", "--duration", "60min")
    assert result.returncode == 2
    assert "no 'easy' pace" in result.stderr and "Traceback" not in result.stderr
    derived = run_cli("new", "progression", "--duration", "60min", "--race", "half 1:32:00")
    assert derived.returncode == 0, derived.stderr


@pytest.mark.parametrize(
    "options",
    [
        [],
        ["--weeks", "12", "--runs", "6", "--long-run", "100min", "--build", "8%"],
        ["--weeks", "16", "--runs", "3", "--long-run", "60min", "--build", "5%", "--down-every", "3"],
        ["--weeks", "6", "--runs", "7", "--to", "half", "--build", "0%", "--down-every", "0"],
    ],
)
def test_new_block_writes_a_plan_that_passes_every_check(tmp_path: Path, athlete_config: Path, options: list[str]) -> None:
    out = tmp_path / "block.toml"
    result = run_cli("new", "block", "--start", "2026-11-30", "-o", str(out), *options)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    loaded = load_plans([str(out)], load_config(athlete_config))
    assert loaded.warnings == []
    sessions = loaded.sessions
    weeks = int(options[options.index("--weeks") + 1]) if "--weeks" in options else 8
    assert sessions[0].date.isoformat() >= "2026-11-30"
    assert (sessions[-1].date - sessions[0].date).days // 7 == weeks - 1
    progressions = [s for s in sessions if s.progression is not None]
    assert len(progressions) == weeks, "one progression run a week"
    assert len([s for s in sessions if s.name == "Long run"]) == weeks


def test_new_block_builds_with_down_weeks(tmp_path: Path, athlete_config: Path) -> None:
    out = tmp_path / "block.toml"
    run_cli("new", "block", "--start", "2026-11-30", "--weeks", "8", "--long-run", "80min", "--build", "10%", "--down-every", "4", "-o", str(out))
    loaded = load_plans([str(out)], load_config(athlete_config))
    totals: dict[int, float] = {}
    for s in loaded.sessions:
        week = (s.date - loaded.sessions[0].date).days // 7
        totals[week] = totals.get(week, 0) + s.estimated_duration_s
    load = [totals[w] for w in sorted(totals)]
    assert load[1] > load[0] and load[2] > load[1], "build weeks"
    assert load[3] <= 0.8 * load[2] and load[7] <= 0.8 * load[6], "weeks 4 and 8 are down weeks"
    assert "# Week 4 — down week" in out.read_text()
    again = run_cli("new", "block", "--start", "2026-11-30", "-o", str(out))
    assert again.returncode == 2 and "--force" in again.stderr


def test_new_block_reports_what_its_options_break(athlete_config: Path) -> None:
    result = run_cli("new", "block", "--start", "2026-11-30", "--build", "25%", "--down-every", "6")
    assert result.returncode == 0
    assert "[plan]" in result.stdout
    assert "warning[weekly-load]" in result.stderr and "warning[down-week]" in result.stderr


def test_example_week_passes_every_check() -> None:
    loaded = load_plans([str(EXAMPLES / "week.toml")], Config())
    assert loaded.warnings == []


def test_config_example_is_a_valid_config() -> None:
    config = load_config(EXAMPLES.parent / "config.example.toml")
    assert config.athlete["max_hr"] == 188
