"""Coach mode, per athlete: a volume scale for easy and long sessions, and rest days that move
a session to the nearest allowed day without putting two quality days together (issue 19).

Compiled through the real loader for each roster member, and pushed to the fake Intervals.icu
with one athlete id per member.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.squad import members
from progsync.sync.settings.config import load_config
from progsync.workouts.model import Repeat, Session, Step, flatten

from .conftest import run_cli
from .support import plain_steps
from .support.fake_intervals import FakeIntervals

ROSTER = """
[athletes.anna]
paces = {{ easy = "5:10", marathon = "3:55", 5k = "3:20" }}
intervals = "i201"
{anna}

[athletes.ben]
paces = {{ easy = "6:00", marathon = "4:50", 5k = "4:10" }}
intervals = "i202"
"""

BLOCK = """
[plan]
name = "Squad block"
start = 2026-11-23

[[session]]
day = "mon"
name = "Easy"
steps = ["10km @easy"]

[[session]]
day = "tue"
id = "tempo"
name = "Tempo"
steps = ["warmup 15min @easy", "20min @marathon", "cooldown 10min @easy"]

[[session]]
day = "thu"
name = "Intervals"
tags = ["intervals"]
steps = ["warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min @easy"] }, "cooldown 10min @easy"]

[[session]]
day = "fri"
name = "Strides"
steps = ["45min @easy", { repeat = 4, steps = ["20s @5k", "1min @easy"] }]

[[session]]
day = "sun"
name = "Long run"
tags = ["long"]
steps = ["1h20min @easy", "20min @marathon"]
"""


@pytest.fixture
def squad(coach_intervals: FakeIntervals, isolated_user: Path) -> FakeIntervals:
    return coach_intervals


def roster(isolated_user: Path, anna: str) -> None:
    (isolated_user / "config.toml").write_text(ROSTER.format(anna=anna))


def plan(tmp_path: Path, text: str = BLOCK) -> Path:
    path = tmp_path / "block.toml"
    path.write_text(text)
    return path


def sessions_of(path: Path, athlete: str) -> list[Session]:
    config = load_config(None)
    (pair,) = [p for p in members(config, [athlete]) if p[0] == athlete]
    return load_plans([str(path)], pair[1]).sessions


def lengths(session: Session) -> list[float | None]:
    return [b.end.value for b in session.steps if isinstance(b, Step)]


def days(sessions: list[Session]) -> dict[str, str]:
    return {s.name: f"{s.date:%a}" for s in sessions}


def test_scale_shortens_easy_and_long_running_and_keeps_the_work(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, "scale = 0.8")
    path = plan(tmp_path)
    anna = {s.name: s for s in sessions_of(path, "anna")}
    ben = {s.name: s for s in sessions_of(path, "ben")}
    assert lengths(anna["Easy"]) == [8000.0], "10 km × 0.8"
    assert lengths(anna["Strides"]) == [36 * 60.0], "45 min × 0.8; the strides (a repeat) stay"
    anna_strides, ben_strides = anna["Strides"].steps[1], ben["Strides"].steps[1]
    assert isinstance(anna_strides, Repeat) and isinstance(ben_strides, Repeat)
    assert anna_strides == replace(ben_strides, steps=anna_strides.steps)
    assert [s.end for s in plain_steps(anna_strides.steps)] == [s.end for s in plain_steps(ben_strides.steps)]
    assert lengths(anna["Long run"]) == [64 * 60.0, 20 * 60.0], "the long run's easy part only"
    for kept in ("Tempo", "Intervals"):
        assert [s.end for s in flatten(anna[kept].steps)] == [s.end for s in flatten(ben[kept].steps)], kept
    assert anna["Easy"].estimated_duration_s < ben["Easy"].estimated_duration_s * 0.9
    assert anna["Easy"].identity == "anna@squad-block/2026-11-23/0", "same identity: an update, not a move"

    result = run_cli("check", str(path), "--athlete", "anna", "--strict")
    assert result.returncode == 0, result.stderr
    assert "note[scale]: anna: easy volume × 0.8 in 3 session(s): 'Easy' Mon 23 Nov" in result.stderr
    assert "'Long run' Sun 29 Nov 1:40:00 → 1:24:00" in result.stderr


def test_a_rest_day_moves_the_session_to_the_nearest_free_day_and_says_so(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, 'rest_days = ["mon", "fri"]')
    path = plan(tmp_path)
    anna = days(sessions_of(path, "anna"))
    # Monday's easy run: Tuesday is a workout, Sunday before is the last week's, so a day
    # later is taken, a day earlier is another week: Wednesday, free and in the same week.
    # Friday's strides: Saturday is free.
    assert anna == {"Easy": "Wed", "Tempo": "Tue", "Intervals": "Thu", "Strides": "Sat", "Long run": "Sun"}
    assert days(sessions_of(path, "ben"))["Easy"] == "Mon", "ben trains on Mondays"

    result = run_cli("check", str(path), "--athlete", "anna", "--json")
    (doc,) = json.loads(result.stdout)["athletes"]
    assert result.returncode == 0 and doc["ok"] is True
    notes = [n["message"] for n in doc["notes"]]
    assert notes == [
        "anna: 'Easy' moved from Mon 23 Nov to Wed 25 Nov (Monday is anna's rest day)",
        "anna: 'Strides' moved from Fri 27 Nov to Sat 28 Nov (Friday is anna's rest day)",
    ]
    assert doc["warnings"] == [], "a move is a note, not a warning"


NO_MONDAY = BLOCK.replace('[[session]]\nday = "mon"\nname = "Easy"\nsteps = ["10km @easy"]\n', "")


def test_a_quality_session_is_never_moved_next_to_another_quality_day(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, 'rest_days = ["tue"]')
    path = plan(tmp_path, NO_MONDAY)
    # A day later (Wednesday) is free but next to Thursday's intervals: a day earlier it is.
    assert days(sessions_of(path, "anna"))["Tempo"] == "Mon"
    result = run_cli("check", str(path), "--athlete", "anna")
    assert result.returncode == 0 and "quality-spacing" not in result.stderr, result.stderr
    assert "'Tempo' moved from Tue 24 Nov to Mon 23 Nov" in result.stderr


def test_a_session_with_nowhere_to_go_stays_with_a_warning(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, 'rest_days = ["tue"]')
    # Wed and Fri sit next to Thursday's intervals, Mon and Fri hold runs (a workout needs a day
    # of its own), Thu is a workout, and Sun 22 and Sat 21 come before the plan's first day.
    assert days(sessions_of(plan(tmp_path), "anna"))["Tempo"] == "Tue"
    result = run_cli("check", str(plan(tmp_path)), "--athlete", "anna")
    assert result.returncode == 0
    assert "warning[rest-day]: anna: 'Tempo' stays on Tue 24 Nov, anna's rest day" in result.stderr
    strict = run_cli("check", str(plan(tmp_path)), "--athlete", "anna", "--strict")
    assert strict.returncode == 2 and "error[rest-day]: anna: 'Tempo' stays" in strict.stderr


def test_push_puts_moved_sessions_on_the_athletes_calendar_and_a_repush_writes_nothing(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, 'rest_days = ["fri"]\nscale = 0.9')
    path = plan(tmp_path)
    result = run_cli("push", str(path), "--to", "intervals", "--athlete", "all")
    assert result.returncode == 0, result.stderr
    assert "anna: 'Strides' moved from Fri 27 Nov to Sat 28 Nov" in result.stderr
    anna = {e["name"]: e["start_date_local"][:10] for e in squad.calendar("i201").values()}
    ben = {e["name"]: e["start_date_local"][:10] for e in squad.calendar("i202").values()}
    assert anna["Strides"] == "2026-11-28" and ben["Strides"] == "2026-11-27"
    easy = next(e for e in squad.calendar("i201").values() if e["name"] == "Easy")
    assert "- 9km" in easy["description"], easy["description"]
    squad.log.clear()
    again = run_cli("push", str(path), "--to", "intervals", "--athlete", "all", "--quiet")
    assert again.returncode == 0 and again.stdout == again.stderr == "", "quiet means quiet: notes too"
    assert squad.writes() == []


@pytest.mark.parametrize(
    ("anna", "piece"),
    [
        ('scale = "lots"', "[athletes.anna] scale = 'lots' is not a number"),
        ("scale = 0.1", "[athletes.anna] scale = 0.1 is outside 0.3–1.5"),
        ('rest_days = ["funday"]', "[athletes.anna] rest_days = ['funday'] is not a list of days"),
        ('rest_days = ["mon", "tue", "wed", "thu", "fri", "sat"]', "fewer than two days to train"),
    ],
)
def test_bad_adjustments_are_config_errors(squad: FakeIntervals, isolated_user: Path, tmp_path: Path, anna: str, piece: str) -> None:
    roster(isolated_user, anna)
    result = run_cli("check", str(plan(tmp_path)), "--athlete", "anna")
    assert result.returncode == 2
    assert piece in result.stderr and "config.toml" in result.stderr, result.stderr


def test_doctor_checks_each_athlete_of_the_squad(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, "")
    extra = (
        '\n[athletes.cara]\nrace = "10k 50:00"\nintervals = "i999"\n'
        '\n[athletes.dan]\nrace = "10k 40:00"\ngarmin = true\n'
        f'\n[athletes.eve]\npaces = {{ easy = "banana" }}\nfolder = "{tmp_path}/unplugged/GARMIN/NewFiles"\n'
    )
    with (isolated_user / "config.toml").open("a") as handle:
        handle.write(extra)
    result = run_cli("doctor", "--athlete", "all", "--json")
    assert result.returncode == 1, result.stdout + result.stderr
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["anna: intervals"]["status"] == "ok" and "(i201)" in checks["anna: intervals"]["detail"]
    assert checks["ben: intervals"]["status"] == "ok"
    assert checks["cara: intervals"]["status"] == "fail" and "403" in checks["cara: intervals"]["detail"]
    assert checks["dan: garmin"]["status"] == "fail"
    assert "progsync login garmin --athlete dan" in checks["dan: garmin"]["fix"]
    assert checks["eve: profile"]["status"] == "fail" and "banana" in checks["eve: profile"]["detail"]
    assert checks["eve: folder"]["status"] == "fail" and "is the watch mounted?" in checks["eve: folder"]["fix"]
    assert "intervals" not in checks, "the coach's own account is not what was asked about"
    assert [r[0] for r in squad.log] == ["GET"] * 3, "one cheap read per Intervals.icu athlete"

    one = run_cli("doctor", "--athlete", "anna")
    assert one.returncode == 0, one.stdout
    assert "anna: intervals:" in one.stdout and "ben:" not in one.stdout
    unknown = run_cli("doctor", "--athlete", "anne")
    assert unknown.returncode == 1 and "no athlete 'anne' in the roster" in unknown.stdout


def test_new_block_for_the_squad_names_it_and_is_checked_on_each_profile(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, "")
    out = tmp_path / "squad.toml"
    result = run_cli("new", "block", "--start", "2026-11-23", "--weeks", "2", "--athlete", "anna", "--athlete", "ben", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert 'athletes = ["anna", "ben"]' in out.read_text()
    assert "[athlete]" not in out.read_text(), "each athlete's own profile, from the roster"
    check = run_cli("check", str(out), "--json")
    assert [a["athlete"] for a in json.loads(check.stdout)["athletes"]] == ["anna", "ben"]
    # A finish pace one athlete's profile lacks is an error naming that athlete.
    (isolated_user / "config.toml").write_text(ROSTER.format(anna="").replace('{ easy = "6:00", marathon = "4:50", 5k = "4:10" }', '{ easy = "6:00" }'))
    bad = run_cli("new", "block", "--start", "2026-11-23", "--athlete", "all", "--to", "marathon")
    assert bad.returncode == 2 and "ben: the athlete profile has no 'marathon' pace" in bad.stderr, bad.stderr
    assert "add it under [athletes.ben] paces" in bad.stderr, "where a coach sets ben's paces"


QUALITY_MWF = """
[plan]
name = "Hard days"
start = 2026-11-23

[[session]]
day = "mon"
name = "Tempo"
tags = ["tempo"]
steps = ["warmup 15min @easy", "20min @marathon", "cooldown 10min @easy"]

[[session]]
day = "wed"
name = "Intervals"
tags = ["intervals"]
steps = ["warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min @easy"] }, "cooldown 10min @easy"]

[[session]]
day = "fri"
name = "Hills"
tags = ["hills"]
steps = ["warmup 15min @easy", { repeat = 8, steps = ["1min @5k", "2min @easy"] }, "cooldown 10min @easy"]
"""


def test_a_move_never_lands_beside_a_quality_session_still_waiting_to_move(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    # Tuesday is free, but next to Wednesday's intervals, which are waiting to move and then
    # have nowhere to go either: the old order put the tempo there, two quality days in a row.
    roster(isolated_user, 'rest_days = ["mon", "wed"]')
    path = plan(tmp_path, QUALITY_MWF)
    assert days(sessions_of(path, "anna")) == {"Tempo": "Mon", "Intervals": "Wed", "Hills": "Fri"}
    result = run_cli("check", str(path), "--athlete", "anna")
    assert "quality-spacing" not in result.stderr, result.stderr
    assert result.stderr.count("warning[rest-day]") == 2


def test_all_of_an_athletes_plans_are_adjusted_together(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, 'rest_days = ["tue"]')
    (tmp_path / "club.toml").write_text('[plan]\nname = "Club"\nstart = 2026-11-23\n\n[[session]]\nday = "thu"\nname = "Club intervals"\n'
                                        'tags = ["intervals"]\nsteps = ["warmup 15min @easy", "5km @5k", "cooldown 10min @easy"]\n')
    (tmp_path / "own.toml").write_text('[plan]\nname = "Own"\nstart = 2026-11-23\n\n[[session]]\nday = "tue"\nname = "Tempo"\n'
                                       'tags = ["tempo"]\nsteps = ["warmup 15min @easy", "20min @marathon", "cooldown 10min @easy"]\n')
    config = load_config(None)
    (pair,) = members(config, ["anna"])
    loaded = load_plans([str(tmp_path / "club.toml"), str(tmp_path / "own.toml")], pair[1])
    # Wednesday is free in its own plan but beside the club's Thursday intervals.
    assert days(loaded.sessions) == {"Club intervals": "Thu", "Tempo": "Mon"}
    assert [len(c.plan.sessions) for c in loaded.plans] == [1, 1], "each session stays in its plan"


def test_races_do_not_move_and_long_runs_get_a_day_of_their_own(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, 'rest_days = ["sat", "sun"]')
    text = BLOCK + '\n[[session]]\nday = "sat"\nname = "Shakeout"\nsteps = ["30min @easy"]\n'
    anna = days(sessions_of(plan(tmp_path, text), "anna"))
    assert anna["Shakeout"] == "Wed", "a free day of the same week before doubling up on Friday"
    assert anna["Long run"] == "Mon", "never doubled up (Friday holds a run): the next free day, Mon 30 Nov"
    race = BLOCK.replace('name = "Long run"\ntags = ["long"]', 'name = "Parkrun"\ntags = ["race"]')
    result = run_cli("check", str(plan(tmp_path, race)), "--athlete", "anna")
    assert "'Parkrun' stays on Sun 29 Nov, anna's rest day: a race does not move" in result.stderr


def test_scale_rounds_half_up_and_keeps_progression_runs(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    roster(isolated_user, "scale = 0.9")
    text = BLOCK + ('\n[[session]]\ndate = 2026-11-28\nname = "Long progression"\ntags = ["long"]\n'
                    'progression = { duration = "80min", to = "marathon", stages = 3 }\n')
    anna = {s.name: s for s in sessions_of(plan(tmp_path, text), "anna")}
    ben = {s.name: s for s in sessions_of(plan(tmp_path, text), "ben")}
    assert lengths(anna["Strides"]) == [41 * 60.0], "45 min × 0.9 = 40.5 min: 41, as a person rounds"
    assert lengths(anna["Long progression"]) == lengths(ben["Long progression"]), "its stages are the session"
