"""Bad input as a new user writes it: each error names the file, line and text, with a hint,
exits 2 and shows no traceback (issue 14, "Error messages that mislead")."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from progsync.workouts.units import Units

from .conftest import run_cli
from .support import EXAMPLES

BODY = '\n[[session]]\ndate = 2026-11-24\nsteps = ["10min @4:30"]\n'


def _plan(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize(
    ("start", "pieces"),
    [
        ("2026-13-01", [":3:9: error: '2026-13-01' is not a date: there is no month 13", "YYYY-MM-DD"]),
        ("2026-02-30", [":3:9: error: '2026-02-30' is not a date: February 2026 has 28 days", "YYYY-MM-DD"]),
    ],
)
def test_an_impossible_date_is_named_not_a_toml_syntax_hint(tmp_path: Path, start: str, pieces: list[str]) -> None:
    plan = _plan(tmp_path, "p.toml", f'[plan]\nname = "P"\nstart = {start}\n{BODY}'.encode())
    result = run_cli("check", plan)
    assert result.returncode == 2
    for piece in pieces:
        assert piece in result.stderr, result.stderr
    assert "quotes, commas" not in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_config_with_an_impossible_date_is_located_too(tmp_path: Path) -> None:
    config = _plan(tmp_path, "config.toml", b"[athlete]\nmax_hr = 188\nborn = 1990-02-30\n")
    result = run_cli("--config", config, "check", _plan(tmp_path, "p.toml", f'[plan]\nname = "P"\n{BODY}'.encode()))
    assert result.returncode == 2
    assert f"{config}:3:8: error: '1990-02-30' is not a date" in result.stderr


def test_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "bom.toml", b'\xef\xbb\xbf[plan]\nname = "P"\n' + BODY.encode())
    result = run_cli("check", plan)
    assert result.returncode == 0, result.stderr


def test_a_latin1_file_is_not_utf8_with_line_and_byte(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "latin1.toml", b'[plan]\nname = "Caf\xe9"\n' + BODY.encode())
    result = run_cli("check", plan)
    assert result.returncode == 2
    assert f"{plan}:2:12: error: the file is not UTF-8: byte 0xe9 at byte position 18" in result.stderr
    assert "save the file as UTF-8" in result.stderr and "Latin-1" in result.stderr
    assert "codec" not in result.stderr


def test_a_folder_is_not_reported_missing(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    result = run_cli("check", str(tmp_path / "plans"))
    assert result.returncode == 2
    assert "is a folder, not a file" in result.stderr and "*.toml" in result.stderr
    assert "does not exist" not in result.stderr
    missing = run_cli("check", str(tmp_path / "nope.toml"))
    assert missing.returncode == 2 and "does not exist" in missing.stderr


def test_a_folder_as_profile_plan_is_a_user_error(tmp_path: Path) -> None:
    result = run_cli("profile", "--plan", str(tmp_path))
    assert result.returncode == 2
    assert "is a folder, not a file" in result.stderr and "Traceback" not in result.stderr


def test_half_in_minutes_suggests_hours() -> None:
    result = run_cli("profile", "--race", "half 1:38")
    assert result.returncode == 2
    assert "--race: error: race = 'half 1:38'" in result.stderr
    assert 'for hours write "half 1:38:00"' in result.stderr


def test_a_bare_number_pace_is_not_suggested_as_seconds_over_59(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "p.toml", b'[plan]\nname = "P"\n\n[[session]]\ndate = 2026-11-24\nsteps = ["10min @270"]\n')
    result = run_cli("check", plan)
    assert result.returncode == 2
    assert f"{plan}:6:18: error: unknown target '270'" in result.stderr
    assert "270w for power" in result.stderr and "270 seconds is 4:30" in result.stderr
    assert "2:70" not in result.stderr


def test_a_duration_in_metres_says_so() -> None:
    result = run_cli("new", "progression", "--duration", "60m")
    assert result.returncode == 2
    assert "'60m' is not a duration" in result.stderr
    assert "m is metres; for minutes write 60min" in result.stderr



def test_delete_past_no_never_deletes_past_sessions(tmp_path: Path) -> None:
    config = _plan(tmp_path, "config.toml", b'[push]\ndelete_past = "no"\n')
    plan = _plan(tmp_path, "p.toml", f'[plan]\nname = "P"\n{BODY}'.encode())
    result = run_cli("--config", config, "push", plan, "--to", f"folder:{tmp_path / 'out'}")
    assert result.returncode == 2 and 'delete_past = "no": must be true or false' in result.stderr
    assert not (tmp_path / "out").exists()


def test_export_into_an_unwritable_folder_is_one_user_error(tmp_path: Path) -> None:
    # A file where a folder should be fails for root too (a chmod'ed folder would not).
    blocker = tmp_path / "file"
    blocker.write_text("x")
    plan = _plan(tmp_path, "p.toml", f'[plan]\nname = "P"\n{BODY}'.encode())
    result = run_cli("export", plan, "-o", str(blocker / "out"))
    assert result.returncode == 2
    assert f"cannot write to {blocker / 'out'}" in result.stderr and "hint: choose a folder" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


def test_new_block_output_that_cannot_be_written_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("new", "block", "--start", "2026-11-23", "--race", "10k 41:30", "-o", str(blocker / "plan.toml"))
    assert result.returncode == 2
    assert "cannot write to" in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("units", "tolerance", "per_km"),
    [("km", "5s", 5.0), ("mi", "5s", 5 / 1.609344), ("mi", "5s/mi", 5 / 1.609344), ("mi", "5s/km", 5.0), ("km", "8s/mi", 8 / 1.609344)],
)
def test_pace_tolerance_is_per_plan_unit_as_documented(units: Units, tolerance: str, per_km: float) -> None:
    from progsync.workouts.profile import build_profile

    profile = build_profile({"pace_tolerance": tolerance}, units)
    assert profile.pace_tolerance == pytest.approx(per_km)


def _warnings(step: str) -> list[str]:
    from progsync.workouts.plan import compile_plan

    from .conftest import ATHLETE

    compiled = compile_plan(f'[plan]\nname = "P"\n\n[[session]]\ndate = 2026-11-24\nsteps = ["{step}"]\n', "p.toml", ATHLETE)
    return [w.message for w in compiled.warnings]


@pytest.mark.parametrize(("step", "piece"), [("10min @150-50bpm", "starts below 90 bpm"), ("10min @190-200bpm", "above max_hr = 188"), ("1min @1000w", "above 600w")])
def test_implausible_targets_warn(step: str, piece: str) -> None:
    assert any(piece in w for w in _warnings(step)), _warnings(step)


def test_a_plausible_step_does_not_warn() -> None:
    assert _warnings("10min @150-160bpm") == []


def test_hr_end_above_250_is_an_error() -> None:
    from progsync.workouts.errors import InputError
    from progsync.workouts.plan import compile_plan

    with pytest.raises(InputError) as caught:
        compile_plan('[plan]\nname = "P"\n\n[[session]]\ndate = 2026-11-24\nsteps = ["run hr>250"]\n', "p.toml")
    assert "'hr>250' is not a plausible heart rate" in caught.value.render()


def test_a_34_hour_session_warns() -> None:
    from progsync.workouts.plan import compile_plan

    from .conftest import ATHLETE

    text = '[plan]\nname = "P"\n\n[[session]]\ndate = 2026-11-24\nsteps = [{ repeat = 20, steps = [{ repeat = 10, steps = ["10min"] }] }]\n'
    warnings = [w.message for w in compile_plan(text, "p.toml", ATHLETE).warnings]
    assert any("lasts about 33 hours" in w for w in warnings), warnings



def _compile(body: str, units: str = "km", athlete: Mapping[str, object] | None = None) -> list[str]:
    from progsync.workouts.plan import compile_plan

    from .conftest import ATHLETE

    text = f'[plan]\nname = "P"\nstart = 2026-11-23\nunits = "{units}"\n\n[[session]]\nday = "tue"\n{body}\n'
    compiled = compile_plan(text, "p.toml", ATHLETE if athlete is None else athlete)
    return [f"{w.message} | {w.hint}" for w in compiled.warnings]


def test_a_per_km_pace_in_a_miles_plan_warns_against_the_athletes_5k() -> None:
    # A 20:00 5k is 4:00/km, 6:26/mi; @4:30 in a miles plan is 4:30/mi = 2:48/km.
    athlete = {"race": "5k 20:00"}
    warnings = _compile('steps = ["3mi @4:30"]', units="mi", athlete=athlete)
    assert any("pace '4:30' (4:30/mi) is far faster than your 5k pace (6:26/mi)" in w for w in warnings), warnings
    assert any("write @4:30/km" in w for w in warnings), warnings
    # The same pace written per km, and a per-mile pace near the athlete's own, do not warn.
    assert _compile('steps = ["3mi @4:30/km", "1mi @6:10"]', units="mi", athlete=athlete) == []


def test_a_per_km_pace_in_a_miles_plan_warns_without_a_profile() -> None:
    warnings = _compile('steps = ["3mi @4:30"]', units="mi", athlete={})
    assert any("is far faster than 5:00/mi" in w for w in warnings), warnings
    assert _compile('steps = ["3mi @7:30"]', units="mi", athlete={}) == []


def test_a_pace_far_faster_than_5k_warns_in_a_km_plan_too() -> None:
    # 2:55/km against a 3:40/km 5k pace: a typo for 3:55 or 4:55, not a training pace.
    warnings = _compile('steps = ["1km @2:55"]')
    assert any("far faster than your 5k pace (3:40/km)" in w and "check the number" in w for w in warnings), warnings
    assert _compile('steps = ["1km @3:25"]') == []  # 200 m / mile-race speed is fine
    assert _compile('steps = ["45min @easy", { repeat = 4, steps = ["20s @3:00", "1min @easy"] }]') == [], "strides at 0.82"


def test_a_week_listed_twice_is_an_error_not_a_doubled_session(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "p.toml", b'[plan]\nname = "P"\nstart = 2026-11-23\n\n[[session]]\nday = "tue"\nweek = [1, 2, 1]\nsteps = ["10min @4:30"]\n')
    result = run_cli("check", plan)
    assert result.returncode == 2, result.stderr
    assert "p.toml:7:1: error: week = [1, 2, 1] lists week 1 more than once" in result.stderr
    assert "list each week once" in result.stderr


@pytest.mark.parametrize(("step", "warns"), [("warmup 60m", True), ("cooldown 15m", True), ("warmup 800m", False), ("warmup 200m", False), ("cooldown 300m", False), ("run 60m @3:00", False)])
def test_a_warmup_in_metres_that_reads_as_minutes_warns(step: str, warns: bool) -> None:
    warnings = _compile(f'steps = ["{step}", "5km @4:30"]')
    assert any("did you mean" in w and "min? (m is metres" in w for w in warnings) is warns, warnings

BAD_CONFIG = """
[push]
to = 42
delete_past = "no"

[intervals]
chunk_size = "fifty"

[garmin]
verify = "yes"
"""


def test_config_values_are_checked_by_type_all_at_once(isolated_user: Path) -> None:
    config = isolated_user / "config.toml"
    config.write_text(BAD_CONFIG)
    for command in (["check", str(EXAMPLES / "week.toml")], ["push", str(EXAMPLES / "week.toml")], ["doctor"]):
        result = run_cli(*command)
        assert result.returncode != 0, command
        err = result.stderr + result.stdout
        assert f"{config}:3" in err and "[push] to = 42" in err, (command, err)
        assert f"{config}:4" in err and 'delete_past = "no": must be true or false' in err, err
        assert f"{config}:7" in err and 'chunk_size = "fifty"' in err, err
        assert f"{config}:10" in err and 'verify = "yes"' in err, err
        assert "Traceback" not in err and "internal error" not in err


def test_a_good_config_with_every_key_passes(isolated_user: Path) -> None:
    (isolated_user / "config.toml").write_text(
        '[push]\nto = ["intervals", "folder:/tmp/x"]\nwindow = "14d"\ndelete_past = false\n'
        '[intervals]\nathlete_id = "i123"\nchunk_size = 40\nrate_limit = 5\n'
        '[garmin]\nverify = false\n[folder]\nformat = ["fit", "intervals"]\n'
    )
    assert run_cli("check", str(EXAMPLES / "week.toml")).returncode == 0


def test_the_config_is_read_into_typed_settings_with_every_default_in_one_place(tmp_path: Path) -> None:
    from progsync.sync.settings.config import (
        FORMATS,
        Config,
        FolderSettings,
        GarminSettings,
        IntervalsSettings,
        PushSettings,
        load_config,
    )
    from progsync.workouts.encode import FORMATS as ENCODER_FORMATS

    assert FORMATS == ENCODER_FORMATS  # config.py spells them out to keep check's start-up lean
    path = tmp_path / "config.toml"
    path.write_text(
        '[push]\nto = "garmin"\nwindow = "2w"\n'
        "[intervals]\nathlete_id = 123\nrate_limit = 5\n"
        '[garmin]\nverify = false\ntimeout = 20\n[folder]\nformat = "zwo"\npath = "/w"\n'
        '[athletes.anna]\nintervals = "i9"\nscale = 0.9\nthreshold = "4:00/km"\n'
    )
    config = load_config(path)
    assert config.push == PushSettings(to=("garmin",), window=14, delete_past=False)
    assert config.intervals == IntervalsSettings(athlete_id="123", rate_limit=5.0)
    assert config.intervals.chunk_size == 50 and config.intervals.timeout == 60.0
    assert config.garmin == GarminSettings(verify=False, timeout=20.0)
    assert config.folder == FolderSettings(path="/w", formats=("zwo",))
    anna = config.athletes["anna"]
    assert (anna.intervals, anna.destinations, dict(anna.adjust)) == ("i9", ("intervals",), {"scale": 0.9})
    assert dict(anna.profile) == {"threshold": "4:00/km"}
    empty = tmp_path / "empty.toml"
    empty.write_text("")
    assert load_config(empty) == Config(path=empty)


def test_a_folder_may_hold_zwift_workouts(tmp_path: Path, isolated_user: Path) -> None:
    (isolated_user / "config.toml").write_text('[folder]\nformat = ["fit", "zwo"]\n')
    out = tmp_path / "zwift"
    result = run_cli("push", str(EXAMPLES / "week.toml"), "--to", f"folder:{out}")
    assert result.returncode == 0, result.stderr
    names = sorted(p.suffix for p in out.iterdir())
    assert ".zwo" in names and ".fit" in names
    assert names.count(".zwo") == names.count(".fit")
