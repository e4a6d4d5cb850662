"""Blocks built back from a race (`new block --race`, `--race-from`, `--update`) and the taper rules.

The races come from the fake Intervals.icu (a RACE_A event) and the fake Garmin Connect calendar
(a race event) in the shapes the services use; the blocks are loaded and checked as a user's
plan would be, and measured week by week.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.settings.config import load_config
from progsync.workouts.model import Session

from .conftest import ATHLETE, run_cli
from .support.fake_garmin import FakeGarmin
from .support.fake_intervals import FakeIntervals

RACE_DAY = dt.date(2027, 3, 14)
#: The seeds' rest after a race, the least of each range: no running for this many days.
SEEDS_REST = {"5k": 3, "10k": 3, "half": 5, "marathon": 7}


@pytest.fixture
def athlete_config(isolated_user: Path) -> Path:
    config = isolated_user / "config.toml"
    paces = ", ".join(f'{k} = "{v}"' for k, v in ATHLETE["paces"].items())
    config.write_text(f"[athlete]\npaces = {{ {paces} }}\nmax_hr = 188\nlthr = 171\n")
    return config


def sessions_of(path: Path, config: Path) -> list[Session]:
    loaded = load_plans([str(path)], load_config(config))
    assert loaded.warnings == [], [w.message for w in loaded.warnings]
    return loaded.sessions


def weekly(sessions: list[Session], start: dt.date, until: dt.date | None = None) -> dict[int, float]:
    """Running seconds per week of the block (week 0 starts on `start`), before `until`."""
    out: dict[int, float] = {}
    for s in sessions:
        if until is None or s.date < until:
            week = (s.date - start).days // 7
            out[week] = out.get(week, 0.0) + s.estimated_duration_s
    return out


def assert_block_shape(path: Path, config: Path, distance: str, race_day: dt.date, regular: bool = True) -> None:
    """`regular`: down weeks exactly 3-4 weeks apart (a re-anchored block may have one closer)."""
    sessions = sessions_of(path, config)
    start = tomllib.loads(path.read_text())["plan"]["start"]  # the block's weeks count from here
    races = [s for s in sessions if "race" in s.tags]
    assert [(r.date, distance in r.tags) for r in races] == [(race_day, True)], "the race is on its date"
    race_week = (race_day - start).days // 7
    loads = weekly(sessions, start)
    before = [loads.get(w, 0.0) for w in range(race_week)]
    peak = max(range(race_week), key=lambda w: (before[w], w))
    assert race_week - peak in (2, 3), f"peak in week {peak + 1}, the race in week {race_week + 1}"
    taper = before[peak:]
    assert all(b < a for a, b in pairwise(taper)), f"each taper week lighter: {taper}"
    race_week_load = weekly(sessions, start, until=race_day).get(race_week, 0.0)
    assert race_week_load <= 0.6 * before[peak], (race_week_load, before[peak])
    rest_end = race_day + dt.timedelta(days=SEEDS_REST[distance])
    assert not [s for s in sessions if race_day < s.date <= rest_end], "no run in the rest after the race"
    after = [s for s in sessions if s.date > race_day]
    assert after and all(s.tags == ("easy",) for s in after), "the recovery is easy running"
    # Down weeks every 3-4 weeks before the peak: 20-30% under the highest week since the last one.
    downs: list[int] = []
    for w in range(1, peak):
        highest = max(before[downs[-1] if downs else 0 : w])
        if before[w] <= 0.8 * highest + 1:
            assert before[w] >= 0.7 * highest - 1, f"week {w + 1} is a down week of 20-30%"
            downs.append(w)
    assert downs, "the build has down weeks"
    marks = [0, *downs, peak + 1]
    assert all(1 <= b - a <= 4 for a, b in pairwise(marks)), f"down weeks every 3-4 weeks: {downs}"
    assert all(b - a in (3, 4) or not regular for a, b in pairwise(downs)), downs
    strict = run_cli("check", "--strict", str(path))
    assert strict.returncode == 0, strict.stderr


@pytest.mark.parametrize(
    ("distance", "weeks", "extra"),
    [
        ("5k", 8, []),
        ("5k", 14, ["--down-every", "3"]),
        ("10k", 10, []),
        ("10k", 20, ["--runs", "4"]),
        ("half", 8, []),
        ("half", 12, ["--down-every", "3"]),
        ("half", 20, ["--runs", "6"]),
        ("marathon", 9, []),
        ("marathon", 16, []),
        ("marathon", 20, ["--runs", "6", "--down-every", "3"]),
    ],
)
def test_a_block_to_a_race_is_built_back_from_race_day(
    tmp_path: Path, athlete_config: Path, distance: str, weeks: int, extra: list[str]
) -> None:
    out = tmp_path / "block.toml"
    result = run_cli("new", "block", "--race", f"{distance} {RACE_DAY}", "--weeks", str(weeks), "-o", str(out), *extra)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "", "the block passes every check as written"
    assert_block_shape(out, athlete_config, distance, RACE_DAY)
    text = out.read_text()
    assert text.count("— race week") == 1 and "— taper" in text and "— recovery" in text


def test_a_block_from_start_to_a_saturday_race_keeps_the_final_days_easy(tmp_path: Path, athlete_config: Path) -> None:
    saturday = dt.date(2027, 4, 17)
    out = tmp_path / "block.toml"
    result = run_cli("new", "block", "--race", f"10k {saturday}", "--start", "2027-01-20", "-o", str(out))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    sessions = sessions_of(out, athlete_config)
    assert sessions[0].date >= dt.date(2027, 1, 20)
    late = [s for s in sessions if 0 < (saturday - s.date).days <= 6]
    assert late and not [s for s in late if s.name == "Long run"], "no long run in the last six days"
    assert not [s for s in late if (saturday - s.date).days <= 3 and "quality" in s.tags]
    assert_block_shape(out, athlete_config, "10k", saturday)


def test_a_goal_time_sets_the_race_pace_and_the_quality_paces(tmp_path: Path, athlete_config: Path) -> None:
    out = tmp_path / "block.toml"
    result = run_cli("new", "block", "--race", f"half {RACE_DAY} 1:32:00", "--weeks", "10", "-o", str(out))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    text = out.read_text()
    assert '"21.1km @4:22 -- race: goal 1:32:00"' in text
    assert 'race = "half 1:32:00"' in text and 'marathon = "4:32"' in text
    assert_block_shape(out, athlete_config, "half", RACE_DAY)


@pytest.mark.parametrize(
    ("race", "message"),
    [
        ("ultra 2027-03-14", "'ultra' is not a race distance"),
        ("half 2027-02-30", "'2027-02-30' is not a date"),
        ("half 2027-03-14 1:32", "reads as minutes:seconds"),
        ("half 2027-01-10", "a block to it has 5 to 52 weeks"),
    ],
)
def test_a_race_that_cannot_be_built_to_is_a_clear_error(athlete_config: Path, race: str, message: str) -> None:
    result = run_cli("new", "block", "--race", race, "--start", "2027-01-04")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


# -- the rules ----------------------------------------------------------------------------------
NO_TAPER = """[plan]
name = "Own block"
start = 2027-02-01

[[session]]
week = [1, 2, 3, 4]
day = "tue"
name = "Easy run"
steps = ["50min @easy"]
tags = ["easy"]

[[session]]
week = [1, 2, 3, 4]
day = "thu"
name = "Easy run"
steps = ["50min @easy"]
tags = ["easy"]

[[session]]
week = [1, 2, 3, 4]
day = "sun"
name = "Long run"
steps = ["1h30min @long"]
tags = ["long"]

[[session]]
date = 2027-03-04
name = "Tempo"
steps = ["15min @easy", "20min @threshold", "10min @easy"]
tags = ["quality"]

[[session]]
date = 2027-03-07
name = "Half marathon race"
steps = ["21.1km @half"]
tags = ["race", "half"]
"""


def test_a_race_without_a_taper_and_a_hard_session_three_days_out_are_flagged(tmp_path: Path, athlete_config: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(NO_TAPER)
    result = run_cli("check", str(plan))
    assert "warning[taper]: no taper before the half race 'Half marathon race' (Sun 2027-03-07): the week before the race week is the heaviest" in result.stderr, result.stderr
    assert "warning[race-week]: a hard session 3 days before the half race" in result.stderr
    assert "warning[race-week]: a long run" not in result.stderr
    explained = run_cli("explain", "taper")
    assert explained.returncode == 0 and "max_race_week = \"60%\"" in explained.stdout
    assert "race-week" in run_cli("explain").stdout


# -- races on the calendars --------------------------------------------------------------------
@pytest.fixture
def intervals(monkeypatch: pytest.MonkeyPatch, athlete_config: Path) -> Iterator[FakeIntervals]:
    server = FakeIntervals().start()
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-12-07")
    yield server
    server.stop()
    assert server.validation_errors == []


def test_the_block_anchors_to_the_a_race_on_intervals(intervals: FakeIntervals, tmp_path: Path, athlete_config: Path) -> None:
    intervals.add_race("2027-02-07", "Club 10k", category="RACE_B", distance=10000.0)
    intervals.add_race("2027-04-11", "Spring Marathon", category="RACE_A", distance=42195.0)
    intervals.add_foreign("2027-01-05")
    out = tmp_path / "block.toml"
    result = run_cli("new", "block", "--race-from", "intervals", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "to 'Spring Marathon' on Sun 11 Apr 2027" in result.stdout
    assert_block_shape(out, athlete_config, "marathon", dt.date(2027, 4, 11))
    listed = [r[1] for r in intervals.requests("GET", "/events")]
    assert listed == ["/api/v1/athlete/i12345/events"], "one listing of the race events"
    assert intervals.writes() == [], "reading the race writes nothing"


def test_the_block_anchors_to_the_race_event_on_the_garmin_calendar(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, athlete_config: Path
) -> None:
    server = FakeGarmin().start()
    try:
        monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
        monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
        monkeypatch.setenv("PROGSYNC_TODAY", "2026-12-07")
        server.add_race_event("2027-01-30", "Winter 5k", primary=False)
        server.add_race_event("2027-03-21", "Harbour Half Marathon")
        server.add_race_event("2027-02-14", "Club dinner", primary=False, is_race=False)
        out = tmp_path / "block.toml"
        result = run_cli("new", "block", "--race-from", "garmin", "-o", str(out))
        assert result.returncode == 0, result.stderr
        assert_block_shape(out, athlete_config, "half", dt.date(2027, 3, 21))
        assert 'name = "Harbour Half Marathon"' in out.read_text()
    finally:
        server.stop()


def test_an_empty_calendar_is_a_clear_error(intervals: FakeIntervals) -> None:
    result = run_cli("new", "block", "--race-from", "intervals")
    assert result.returncode == 2, result.stderr
    assert "no race on the Intervals.icu calendar from 2026-12-07" in result.stderr
    assert "RACE_A" in result.stderr


def test_update_re_anchors_the_block_after_the_race_moves(
    intervals: FakeIntervals, tmp_path: Path, athlete_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    race = intervals.add_race("2027-03-14", "City Half")
    out = tmp_path / "block.toml"
    assert run_cli("new", "block", "--race-from", "intervals", "--start", "2026-12-07", "-o", str(out)).returncode == 0
    before = out.read_text().replace('name = "Easy run"\n', 'name = "Easy run"  # my own note\n', 1)
    out.write_text(before)
    intervals.events[race]["start_date_local"] = "2027-03-28T00:00:00"
    monkeypatch.setenv("PROGSYNC_TODAY", "2027-01-06")
    result = run_cli("new", "block", "--race-from", "intervals", "--update", str(out))
    assert result.returncode == 0, result.stderr
    assert "re-anchored" in result.stdout
    after = out.read_text()
    cut = before.index("date = 2027-01-06")  # the first session from today on
    kept = before[: before.rindex("[[session]]", 0, cut)].rstrip("\n")
    assert after.startswith(kept), "the plan and the sessions before today are byte for byte"
    assert "# my own note" in after and after.count("[[session]]") > kept.count("[[session]]")
    assert_block_shape(out, athlete_config, "half", dt.date(2027, 3, 28), regular=False)


def test_coach_mode_builds_each_athlete_a_block_to_their_own_race(
    coach_intervals: FakeIntervals, isolated_user: Path, tmp_path: Path
) -> None:
    (isolated_user / "config.toml").write_text(
        '[athletes.anna]\npaces = { easy = "5:10", marathon = "3:55", 5k = "3:20" }\nintervals = "i201"\n\n'
        '[athletes.ben]\nrace = "10k 44:30"\nintervals = "i202"\n'
    )
    coach_intervals.add_race("2027-03-14", "Anna's half", athlete="i201")
    coach_intervals.add_race("2027-04-25", "Ben's 10k", distance=10000.0, athlete="i202")
    out = tmp_path / "block.toml"
    result = run_cli("new", "block", "--race-from", "intervals", "--athlete", "all", "-o", str(out))
    assert result.returncode == 0, result.stderr
    anna, ben = tmp_path / "block-anna.toml", tmp_path / "block-ben.toml"
    assert 'athletes = ["anna"]' in anna.read_text() and 'athletes = ["ben"]' in ben.read_text()
    assert 'date = 2027-03-14\nname = "Anna\'s half"' in anna.read_text()
    assert 'date = 2027-04-25\nname = "Ben\'s 10k"' in ben.read_text()
    assert "warning" not in result.stderr, "each block passes the checks on its athlete's profile"
    for path in (anna, ben):
        assert run_cli("check", "--strict", str(path)).returncode == 0


def test_the_report_marks_taper_race_and_recovery_weeks(tmp_path: Path, athlete_config: Path) -> None:
    from progsync.sync.views.report import build_view

    out = tmp_path / "block.toml"
    assert run_cli("new", "block", "--race", f"marathon {RACE_DAY}", "--weeks", "12", "-o", str(out)).returncode == 0
    view = build_view(load_plans([str(out)], load_config(athlete_config)))
    marks = {w.number: [m for m in ("race", "taper", "recovery", "down") if getattr(w, m)] for w in view.weeks}
    assert marks[9] == [] and marks[10] == ["taper"] and marks[11] == ["taper"], marks
    assert marks[12] == ["race"]
    assert [n for n, m in marks.items() if m == ["recovery"]] == [13, 14, 15, 16]
    assert [n for n, m in marks.items() if m == ["down"]] == [2, 6], "a taper week is not also a down week"
    page = run_cli("report", str(out), "-o", str(tmp_path / "block.html"))
    assert page.returncode == 0, page.stderr
    html = (tmp_path / "block.html").read_text()
    assert 'class="tag">taper<' in html and 'class="tag">recovery<' in html
    assert html.count('class="bar taper"') == 2 and html.count('class="bar recovery"') == 4
    assert "week 10 (2027-02-22)" in html and "— taper week" in html
