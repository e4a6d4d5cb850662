"""`progsync import --from garmin` (the calendar of a date range, and `--library`) and `push
--to garmin --adopt-foreign`, against the fake Garmin Connect through the real `garminconnect`
client (real sockets); and `import --from intervals --library` against the fake Intervals.icu."""

from __future__ import annotations

import json
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


def test_push_with_adoption_replaces_the_calendar_entries_and_leaves_the_saved_workouts(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    """The issue's done-when on Garmin Connect: after a calendar import and a push with
    adoption the calendar holds no new entry (each imported one was taken over) and the push
    after it makes 0 writes. A saved workout may be scheduled on dates nobody read, so adoption
    acts on the calendar entry only: the user's saved workouts stay in the library untouched."""
    tempo = garmin.add_saved("Coach's tempo", ("2026-11-24",))
    easy = garmin.add_saved("Easy run", ("2026-11-26",))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    other = garmin.add_saved("Added after the import", ("2026-11-26",))
    before = {k: dict(v) for k, v in garmin.workouts.items()}
    garmin.log.clear()

    pushed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign", "--json")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    [report] = json.loads(pushed.stdout)["destinations"]
    assert report["counts"]["adopt"] == 2 and report["counts"]["create"] == 0
    assert sorted(a["adopts"] for a in report["actions"]) == [
        f"the entry of Garmin workout {tempo}", f"the entry of Garmin workout {easy}"
    ]
    days = sorted(day for _, day in garmin.scheduled())
    assert days == ["2026-11-24", "2026-11-26", "2026-11-26"], "one entry per session, plus the other"
    for workout_id, stored in before.items():
        assert garmin.workouts[workout_id] == stored, "saved workouts are never changed"
    assert (other, "2026-11-26") in garmin.scheduled(), "a workout of another name is not touched"
    assert (tempo, "2026-11-24") not in garmin.scheduled() and (easy, "2026-11-26") not in garmin.scheduled()
    assert sorted(m["workoutName"] for m in garmin.marked().values()) == ["Coach's tempo", "Easy run"]

    garmin.log.clear()
    again = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert again.returncode == 0, again.stdout + again.stderr
    assert garmin.writes() == [] and "adopt" not in again.stderr


def test_a_dry_run_shows_the_adoptions_and_writes_nothing(garmin: FakeGarmin, tmp_path: Path) -> None:
    tempo = garmin.add_saved("Coach's tempo", ("2026-11-24",))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    garmin.log.clear()
    shown = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign", "--dry-run")
    assert shown.returncode == 0, shown.stderr
    assert "takes over the entry of Garmin" in " ".join(shown.stdout.split())
    assert "Garmin Connect: 1 adopt" in shown.stdout
    assert garmin.writes() == []
    as_json = run_cli("plan", str(plan), "--to", "garmin", "--adopt-foreign", "--json")
    [action] = json.loads(as_json.stdout)["destinations"][0]["actions"]
    assert (action["op"], action["adopts"]) == ("adopt", f"the entry of Garmin workout {tempo}")
    assert garmin.writes() == []


def test_a_kill_between_the_two_steps_of_an_adoption_converges_without_the_flag(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    """The foreign entry goes first: a push killed right after leaves the date empty, and the
    next push (a cron line has no --adopt-foreign) puts the session there; never both."""
    from .support.fake_garmin import Fault

    garmin.add_saved("Coach's tempo", ("2026-11-24",))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    garmin.faults.append(Fault("POST", "/workout-service/workout", status=500, times=99))
    failed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert failed.returncode != 0
    assert garmin.scheduled() == [], "the foreign entry was taken off; the upload failed"
    garmin.faults.clear()
    later = run_cli("push", str(plan), "--to", "garmin")
    assert later.returncode == 0, later.stdout + later.stderr
    assert [day for _, day in garmin.scheduled()] == ["2026-11-24"]
    assert len(garmin.workouts) == 2, "the user's saved workout, and progsync's"


def test_a_workout_on_several_dates_has_each_entry_adopted_and_the_workout_kept(
    garmin: FakeGarmin, tmp_path: Path
) -> None:
    """Garmin schedules one saved workout on many dates. Each entry the plan has is taken over
    by its session; an entry on a date the plan lacks (or a month nobody read) keeps its
    workout, which adoption never changes or deletes, even when the plan changes later."""
    easy = garmin.add_saved("Easy run", ("2026-11-24", "2026-11-27", "2027-01-14"))
    plan = import_range(tmp_path, "2026-11-23", "2026-11-29")
    stored = dict(garmin.workouts[easy])
    pushed = run_cli("push", str(plan), "--to", "garmin", "--adopt-foreign")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert garmin.workouts[easy] == stored
    assert (easy, "2027-01-14") in garmin.scheduled()
    assert sorted(day for _, day in garmin.scheduled()) == ["2026-11-24", "2026-11-27", "2027-01-14"]
    # The plan moves a session by a day: progsync's own workout moves, the user's stays whole.
    plan.write_text(plan.read_text().replace("date = 2026-11-27", "date = 2026-11-28"))
    moved = run_cli("push", str(plan), "--to", "garmin", "--max-delete", "1")
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert garmin.workouts[easy] == stored and (easy, "2027-01-14") in garmin.scheduled()
    assert sorted(day for _, day in garmin.scheduled()) == ["2026-11-24", "2026-11-28", "2027-01-14"]


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
