"""What the language lets a plan ask for (issues 25 and 26): bounds on nesting, steps, dates and
lengths, control characters, and no silent misreading of a bare number. Each case is a located
error or warning in well under a second, with no traceback and nothing written."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import run_cli

HEAD = (
    '[plan]\nname = "P"\nstart = 2026-12-14\n\n[athlete]\n'
    'paces = { easy = "5:10-5:30", recovery = "5:40-6:00", threshold = "3:58", 5k = "3:40" }\n'
)


def _nested(levels: int) -> str:
    text = '"1min @easy"'
    for _ in range(levels):
        text = "{ repeat = 2, steps = [" + text + "] }"
    return text


def _push(tmp_path: Path, session: str) -> tuple[int, str, float]:
    """`push` of a one-session plan to a watch folder: exit code, stderr, seconds taken."""
    plan = tmp_path / "p.toml"
    plan.write_text(HEAD + "\n[[session]]\n" + session + "\n", encoding="utf-8")
    began = time.monotonic()
    result = run_cli("push", str(plan), "--to", f"folder:{tmp_path / 'out'}",
                     env={"PROGSYNC_TODAY": "2026-12-01"})
    return result.returncode, result.stderr, time.monotonic() - began


@pytest.mark.parametrize(
    ("session", "pieces"),
    [
        # 60 levels: the OOM killer after 110 s before; 400: RecursionError.
        (f'day = "mon"\nsteps = [{_nested(60)}]', ["p.toml:10:", "brackets nested more than 12 deep", "hint: repeats hold repeats at most 3 deep"]),
        (f'day = "mon"\nsteps = [{_nested(400)}]', ["p.toml:10:", "brackets nested more than 12 deep"]),
        (f'day = "mon"\nsteps = [{_nested(4)}]', ["p.toml:10:", "repeats nested more than 3 deep"]),
        ('day = "mon"\nsteps = [{ repeat = 99, steps = [{ repeat = 99, steps = ["1min", "1min"] }] }]',
         ["p.toml:10:", "unrolls to 19602 steps (at most 1000)"]),
        ('date = 9999-12-31\nsteps = ["10min @easy"]', ["p.toml:9:", "9999-12-31 is outside 2000-2099"]),
        ('day = "mon"\nsteps = ["99999999h @easy"]', ["p.toml:10:11:", "'99999999h' is longer than 24 hours"]),
        ('day = "mon"\nsteps = ["5000km @easy"]', ["p.toml:10:11:", "'5000km' is over 1000 km"]),
        ('day = "mon"\nprogression = { duration = "30h", from = "easy", to = "threshold" }', ["longer than a day or 1000 km"]),
        ('day = "mon"\nsteps = [{ repeat = 99, steps = ["23h"] }]', ["lasts about 2277 hours (at most 72)"]),
    ],
    ids=["60-nested", "400-nested", "4-nested", "unrolled", "year-9999", "99999999h", "5000km", "30h-progression", "99x23h"],
)
def test_a_plan_cannot_ask_for_the_impossible(tmp_path: Path, session: str, pieces: list[str]) -> None:
    code, err, seconds = _push(tmp_path, session)
    assert code == 2, err
    for piece in pieces:
        assert piece in err, err
    assert "internal error" not in err and "Traceback" not in err
    assert seconds < 1.0
    assert not (tmp_path / "out").exists()


def test_three_repeats_deep_is_still_a_plan(tmp_path: Path) -> None:
    code, err, _ = _push(tmp_path, f'day = "mon"\nsteps = [{_nested(3)}]')
    assert code == 0, err


def test_control_characters_are_a_located_warning_and_never_encoded(tmp_path: Path) -> None:
    session = ('day = "mon"\nname = "Easy \\u001b[31mred\\u001b[0m"\nnotes = "ring \\u0007"\n'
               'steps = ["10min @easy -- go \\u001b[2J"]')
    code, err, _ = _push(tmp_path, session)
    assert code == 0, err
    assert "p.toml:10: warning: the text of session.name holds control characters (ESC)" in err
    assert "p.toml:11: warning: the text of session.notes holds control characters (BEL)" in err
    assert "p.toml:12: warning: the text of session.steps holds control characters (ESC)" in err
    exported = run_cli("export", str(tmp_path / "p.toml"), "--format", "intervals",
                       "--format", "garmin-json", "-o", str(tmp_path / "text"))
    assert exported.returncode == 0, exported.stderr
    written = "".join(p.read_text() for p in (tmp_path / "text").iterdir())
    assert "Easy red" in written and "\x1b" not in written and "\x07" not in written
    assert "\\u001b" not in written and "\\u0007" not in written
    shown = run_cli("show", str(tmp_path / "p.toml"))
    assert "\x1b" not in shown.stdout and "Easy red" in shown.stdout


@pytest.mark.parametrize(
    ("units", "steps", "pieces"),
    [
        ("km", '["45 @easy"]', ["p.toml:8:11: error: '45' has no unit", "hint: write 45km for a distance or 45min for a time"]),
        ("km", '["warmup 15 @easy", "8 @threshold"]',
         ["p.toml:8:18: error: '15' has no unit", "write 15km for a distance or 15min", "p.toml:8:30: error: '8' has no unit"]),
        ("mi", '["6.5"]', ["error: '6.5' has no unit", "hint: write 6.5mi for a distance or 6.5min for a time"]),
    ],
)
def test_a_bare_number_in_a_step_is_never_silently_a_distance(
    tmp_path: Path, units: str, steps: str, pieces: list[str]
) -> None:
    plan = tmp_path / "p.toml"
    plan.write_text(f'[plan]\nname = "P"\nunits = "{units}"\n\n[[session]]\ndate = 2026-12-15\n'
                    f"name = \"Run\"\nsteps = {steps}\n", encoding="utf-8")
    result = run_cli("check", str(plan))
    assert result.returncode == 2, result.stdout
    for piece in pieces:
        assert piece in result.stderr, result.stderr


def test_a_bare_number_stays_where_the_field_names_it(tmp_path: Path) -> None:
    plan = tmp_path / "p.toml"
    plan.write_text(HEAD + '\n[[session]]\ndate = 2026-12-15\n'
                    'progression = { distance = 12, from = "easy", to = "threshold", stages = 4 }\n',
                    encoding="utf-8")
    result = run_cli("check", str(plan))
    assert result.returncode == 0, result.stderr
    assert "12km" in result.stdout or "12.0km" in result.stdout or "12.00km" in result.stdout, result.stdout


def _warnings(tmp_path: Path, sessions: str, units: str = "km", athlete: str = "") -> str:
    plan = tmp_path / "p.toml"
    head = HEAD.replace('start = 2026-12-14', f'start = 2026-12-14\nunits = "{units}"')
    if athlete:
        head = head.split("[athlete]")[0] + "[athlete]\n" + athlete + "\n"
    plan.write_text(head + sessions, encoding="utf-8")
    result = run_cli("check", str(plan))
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_per_mile_paces_in_a_km_plan_warn_with_the_likely_cause(tmp_path: Path) -> None:
    err = _warnings(tmp_path, '\n[[session]]\nday = "tue"\nname = "Tempo"\n'
                    'steps = ["warmup 15min @8:45", "8min @6:55", "cooldown 10min @easy"]\n'
                    '\n[[session]]\nday = "thu"\nname = "Prog"\n'
                    'progression = { duration = "50min", from = "7:50", to = "7:05", stages = 3 }\n')
    assert "p.toml:12:11: warning: an easy step at 8:45/km is far slower than your easy pace (5:10-5:30/km)" in err
    assert "hint: a per-mile pace in a km plan? write @8:45/mi (paces here are per km)" in err
    assert "p.toml:12:33: warning: a quality step at 6:55/km is slower than your easy pace (5:10-5:30/km)" in err
    assert "hint: a per-mile pace in a km plan? write @6:55/mi" in err
    assert "p.toml:17:52: warning: progression stage 1/3: the stage at 7:35/km is slower than your easy pace" in err
    assert 'write from = "7:50/mi", to = "7:05/mi"' in err


def test_per_km_easy_paces_in_a_miles_plan_warn(tmp_path: Path) -> None:
    athlete = 'paces = { easy = "8:20-8:50", threshold = "6:25" }'
    err = _warnings(tmp_path, '\n[[session]]\nday = "tue"\nname = "Tempo"\n'
                    'steps = ["warmup 15min @5:20", "20min @6:25", "cooldown 10min @easy"]\n',
                    units="mi", athlete=athlete)
    assert "warning: an easy step at 5:20/mi is faster than your threshold pace (6:25/mi)" in err
    assert "hint: a per-km pace in a miles plan? write @5:20/km (paces here are per mile)" in err


def test_paces_that_fit_their_steps_do_not_warn(tmp_path: Path) -> None:
    err = _warnings(tmp_path, '\n[[session]]\nday = "tue"\nname = "Tempo"\n'
                    'steps = ["warmup 15min @5:25", "20min @4:00", "2min @5:50", "cooldown 10min @6:00"]\n'
                    '\n[[session]]\nday = "sun"\nname = "Long"\nsteps = ["90min @5:40"]\n')
    assert "warning" not in err, err


# -- one source of truth for paces (#26) -------------------------------------------------------------
PLAN_PACES = '[plan]\nname = "P"\nstart = 2026-12-14\n\n[athlete]\n{athlete}\n\n[[session]]\nday = "sun"\nname = "Long"\nsteps = ["80min @long"]\n'


def test_a_plans_paces_are_never_mixed_with_the_configs_race() -> None:
    from progsync.workouts.plan import compile_plan

    text = PLAN_PACES.format(athlete='paces = { easy = "5:10-5:30", threshold = "4:05" }')
    compiled = compile_plan(text, "p.toml", {"race": "10k 42:00", "max_hr": 190})
    long = compiled.profile.pace("long")
    assert (long.fast, long.slow) == (310, 330), "long follows the plan's easy, not the config's race"
    assert "marathon" not in compiled.profile.paces, "no pace comes from the config's race"
    assert compiled.profile.max_hr == 190, "heart rate is another group: the config's stays"
    assert compiled.profile.source("easy") == "plan"
    assert compiled.profile.source("long") == "as easy, plan"


def test_derived_paces_follow_the_paces_given() -> None:
    from progsync.workouts.plan import compile_plan

    text = PLAN_PACES.format(athlete='race = "10k 42:00"\npaces = { easy = "5:10-5:30" }')
    profile = compile_plan(text, "p.toml", {}).profile
    assert (profile.pace("long").fast, profile.pace("long").slow) == (310, 330)
    assert profile.source("threshold") == "derived from race 10k 42:00 (plan)"
    assert profile.source("easy") == "plan"


def test_profile_and_show_say_where_each_pace_came_from(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[athlete]\nrace = "10k 42:00"\n', encoding="utf-8")
    plan = tmp_path / "p.toml"
    plan.write_text(PLAN_PACES.format(athlete='paces = { easy = "5:10-5:30", threshold = "4:05" }'), encoding="utf-8")
    alone = run_cli("--config", str(config), "profile")
    assert "derived from race 10k 42:00 (config)" in alone.stdout, alone.stdout
    with_plan = run_cli("--config", str(config), "profile", "--plan", str(plan))
    lines = {line.split()[0]: line for line in with_plan.stdout.splitlines() if line.strip()}
    assert f"plan {plan}" in lines["easy"] and f"as easy, plan {plan}" in lines["long"], with_plan.stdout
    assert "not set" in lines["marathon"], "the config's race does not fill a plan's paces"
    shown = run_cli("--config", str(config), "show", str(plan))
    assert "paces per km: easy 5:10-5:30 (plan), recovery 5:10-5:30 (as easy, plan), long 5:10-5:30 (as easy, plan), threshold 4:05 (plan)" in shown.stdout, shown.stdout
