"""`progsync import --from garmin` (the calendar of a date range, and `--library`) and `push
--to garmin --adopt-foreign`, against the fake Garmin Connect through the real `garminconnect`
client (real sockets); and `import --from intervals --library` against the fake Intervals.icu."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_cli
from .support.fake_garmin import FakeGarmin
from .support.fake_intervals import FakeIntervals

#: A marker as progsync ends the description of its own workouts with (another plan's).
OWN = "[progsync other/2026-11-25/1 2026-11-25 0123abcd]"


@pytest.fixture
def garmin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    server = FakeGarmin().start()
    monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    yield server
    server.stop()


def paths(server: FakeGarmin) -> list[tuple[str, str]]:
    return [(m, p) for m, p, _, _ in server.log]


def import_range(tmp_path: Path, first: str, last: str, out: str = "plan.toml") -> Path:
    path = tmp_path / out
    result = run_cli("import", "--from", "garmin", "--from-date", first, "--until", last,
                     "-o", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    return path


def test_calendar_import_over_two_months_costs_one_listing_a_month_and_one_read_a_workout(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    tempo = garmin.add_saved("Coach's tempo", ("2026-11-30",))
    long_run = garmin.add_saved("Long run", ("2026-12-02", "2026-12-06"))
    garmin.add_saved("Outside the range", ("2026-12-07",))
    garmin.add_saved("Not on the calendar")
    garmin.add_race_event("2026-12-05")
    plan = import_range(tmp_path, "2026-11-28", "2026-12-06")
    assert paths(garmin) == [
        ("GET", "/calendar-service/year/2026/month/10"),  # months are 0-based (real-services.md)
        ("GET", "/calendar-service/year/2026/month/11"),
        ("GET", f"/workout-service/workout/{tempo}"),
        ("GET", f"/workout-service/workout/{long_run}"),  # once, though scheduled twice
    ]
    text = plan.read_text()
    assert text.count("[[session]]") == 3
    for day in ("2026-11-30", "2026-12-02", "2026-12-06"):
        assert f"date = {day}" in text
    assert "Outside the range" not in text and "Not on the calendar" not in text
    assert "City Half Marathon" not in text, "a race on the calendar is not a workout"
    assert "{ repeat = " in text, "the recorded workout's repeats"
    check = run_cli("check", str(plan))
    assert check.returncode == 0, check.stdout + check.stderr


def test_progsyncs_own_workout_is_imported_without_its_marker_and_said_so(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    garmin.add_saved("Pushed before", ("2026-11-25",), description=f"Relaxed.\n\n{OWN}")
    path = tmp_path / "plan.toml"
    result = run_cli("import", "--from", "garmin", "--from-date", "2026-11-23",
                     "--until", "2026-11-29", "-o", str(path))
    assert result.returncode == 0, result.stderr
    text = path.read_text()
    assert 'notes = "Relaxed."' in text and "[progsync" not in text
    assert "is progsync's own" in result.stderr


@pytest.mark.parametrize("put_status", [204, 200])
def test_push_with_adoption_makes_no_new_workouts(
    garmin: FakeGarmin, tmp_path: Path, put_status: int
) -> None:
    """The issue's done-when: a calendar import from the fake followed by a push with adoption
    makes 0 new workouts; the push after it makes 0 writes. (The PUT's empty reply as 204 and
    as 200, which garminconnect >= 0.3.7 fails to parse: real-services.md.)"""
    garmin.put_status = put_status
    tempo = garmin.add_saved("Coach's tempo", ("2026-11-24",))
    easy = garmin.add_saved("Easy run", ("2026-11-26",))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    other = garmin.add_saved("Added after the import", ("2026-11-26",))
    before = {k: dict(v) for k, v in garmin.workouts.items()}
    schedules = garmin.scheduled()
    garmin.log.clear()

    pushed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert f"adopted Garmin Connect workout {tempo} 'Coach's tempo' on 2026-11-24" in pushed.stderr
    assert f"adopted Garmin Connect workout {easy} 'Easy run' on 2026-11-26" in pushed.stderr
    assert garmin.requests("POST") == [], "no new workout, no new calendar entry"
    assert sorted(p for m, p, _, _ in garmin.writes()) == [
        f"/workout-service/workout/{tempo}", f"/workout-service/workout/{easy}"
    ], "one replace per adopted workout, nothing else"
    assert set(garmin.workouts) == set(before) and garmin.scheduled() == schedules
    assert garmin.workouts[other] == before[other], "a workout of another name is not touched"
    marked = garmin.marked()
    assert sorted(w["workoutId"] for w in marked.values()) == sorted([tempo, easy])

    garmin.log.clear()
    again = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert again.returncode == 0, again.stdout + again.stderr
    assert garmin.writes() == []
    assert "adopted" not in again.stderr


def test_an_adopted_workout_stored_differently_is_said(garmin: FakeGarmin, tmp_path: Path) -> None:
    """Adopting is a replace, read back like the push's own (Garmin has stored other values
    than were sent with HTTP 200: python-garminconnect #333, #370)."""
    garmin.add_saved("Coach's tempo", ("2026-11-24",))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    garmin.corrupt_pace = True
    pushed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert "Garmin stored the adopted 'Coach's tempo' (2026-11-24) differently" in pushed.stderr


def test_push_without_adoption_duplicates(garmin: FakeGarmin, tmp_path: Path) -> None:
    """The control: without --adopt-foreign each imported session is a new workout beside the
    one it came from."""
    garmin.add_saved("Coach's tempo", ("2026-11-24",))
    garmin.add_saved("Easy run", ("2026-11-26",))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    pushed = run_cli("push", str(plan), "--to", "garmin")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert len(garmin.workouts) == 4 and len(garmin.scheduled()) == 4


def test_a_workout_on_several_dates_of_the_plan_is_adopted_once(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    """Garmin schedules one workout on many dates; progsync keeps one workout per session. The
    workout is adopted by its first date, the push gives the other date a workout of its own and
    takes the shared workout's entry there off: one workout a day, as before, and convergent."""
    easy = garmin.add_saved("Easy run", ("2026-11-24", "2026-11-27"))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    pushed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "it was also on 2026-11-27" in pushed.stderr
    days = sorted(day for _, day in garmin.scheduled())
    assert days == ["2026-11-24", "2026-11-27"], "one entry on each date, none doubled"
    assert (easy, "2026-11-24") in garmin.scheduled()
    assert len(garmin.marked()) == 2 and len(garmin.workouts) == 2
    garmin.log.clear()
    again = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert again.returncode == 0
    assert garmin.writes() == []


def test_a_workout_also_on_a_date_the_plan_lacks_is_left_alone(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    """Adopting it would make the push take its other entry off the calendar: not adopted."""
    easy = garmin.add_saved("Easy run", ("2026-11-24", "2026-11-30"))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    stored = dict(garmin.workouts[easy])
    pushed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "not adopted" in pushed.stderr and "2026-11-30" in pushed.stderr
    assert garmin.workouts[easy] == stored
    assert (easy, "2026-11-24") in garmin.scheduled() and (easy, "2026-11-30") in garmin.scheduled()


def test_library_import_writes_reusable_workouts(garmin: FakeGarmin, tmp_path: Path) -> None:
    tempo = garmin.add_saved("Tempo 3 x 10")
    hills = garmin.add_saved("Hills", ("2026-11-24",))
    garmin.add_saved("Pushed by progsync", ("2026-11-25",), description=OWN)
    path = tmp_path / "library.toml"
    result = run_cli("import", "--from", "garmin", "--library", "-o", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 workouts" in result.stdout
    assert "1 workout(s) pushed by progsync left out" in result.stderr
    assert paths(garmin) == [
        ("GET", "/workout-service/workouts"),
        ("GET", f"/workout-service/workout/{tempo}"),
        ("GET", f"/workout-service/workout/{hills}"),
    ], "the list, then each workout progsync did not make"
    text = path.read_text()
    assert "[workout.tempo-3-x-10]" in text and "[workout.hills]" in text
    assert "[[session]]\n" not in text.replace("#   [[session]]", "")
    assert "date =" not in text.replace("#   date =", "")
    # the library is used by naming a workout in a dated session
    path.write_text(text + '\n[[session]]\ndate = 2026-12-01\nworkout = "hills"\n')
    shown = run_cli("show", str(path))
    assert shown.returncode == 0, shown.stdout + shown.stderr
    assert "Hills" in shown.stdout


def test_not_logged_in_says_how_to_log_in(tmp_path: Path) -> None:
    for args in (("--from-date", "2026-11-23", "--until", "2026-11-29"), ("--library",)):
        result = run_cli("import", "--from", "garmin", *args)
        assert result.returncode != 0
        assert "no Garmin Connect tokens" in result.stderr
        assert "progsync login garmin" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--from-date", "2026-13-01", "--until", "2026-12-06"), ["--from-date", "2026-13-01"]),
        (("--from-date", "2026-12-01", "--until", "soon"), ["--until", "soon"]),
        (("--from-date", "2026-12-06", "--until", "2026-12-01"), ["--until 2026-12-01 is before"]),
        (("--from-date", "2026-12-01"), ["--from needs --from-date and --until"]),
        (("--library", "--until", "2026-12-01"), ["--library", "no dates"]),
    ],
)
def test_bad_dates_name_the_option(args: tuple[str, ...], words: list[str]) -> None:
    result = run_cli("import", "--from", "garmin", *args)
    assert result.returncode in (1, 2)
    for word in words:
        assert word in result.stderr
    assert "Traceback" not in result.stderr


def test_library_options_need_a_service() -> None:
    result = run_cli("import", "--library")
    assert result.returncode == 2 and "add --from" in result.stderr


@pytest.fixture
def intervals(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    server = FakeIntervals().start()
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    yield server
    server.stop()
    assert server.validation_errors == []


def test_intervals_library_is_one_request(intervals: FakeIntervals, tmp_path: Path) -> None:
    intervals.add_library_workout("Threshold", "Warmup\n- 10m Z2 HR\n\n3x\n- 8m Z4 HR\n- 2m Z1 HR\n")
    intervals.add_library_workout("From a file", None)
    path = tmp_path / "library.toml"
    result = run_cli("import", "--from", "intervals", "--library", "-o", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [(m, p.split("/")[-1]) for m, p, _, _ in intervals.log] == [("GET", "workouts")]
    assert "'From a file': no workout text" in result.stderr
    text = path.read_text()
    assert "[workout.threshold]" in text and "{ repeat = 3," in text
