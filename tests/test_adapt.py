"""`progsync adapt`: the coming weeks change by the coaching rules after what was run.

Fixtures (tests/fixtures/README.md): `activities/adapt-build.toml`, six weeks of a half
build from Mon 30 Nov 2026, and FIT activities written with Garmin's SDK Encoder by
tests/support/make_activities.py: `activities/adapt/base/` runs weeks 1-3 as planned, every other folder
of `activities/adapt/` one scenario (its files replace the base's of the same day).

Every scenario is run the way a user would: the proposals (`--json`), then `--write`, then
`check` on the adapted plan (no warnings: the plan had none), the lines of the plan that no
change concerns byte for byte, and a second `adapt` on the same activities proposing nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import run_cli
from .support import FIXTURES

ACTIVITIES = FIXTURES / "activities"
PLAN = ACTIVITIES / "adapt-build.toml"
ADAPT = ACTIVITIES / "adapt"


def setup(tmp_path: Path, scenario: str | None, until: str, missed: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """A copy of the plan and a folder of what was run up to `until`: the base's runs (less
    the days `missed`) with the scenario's runs in place of the base's of their day."""
    plan = tmp_path / "plan.toml"
    shutil.copyfile(PLAN, plan)
    folder = tmp_path / "activities"
    folder.mkdir()
    own = sorted((ADAPT / scenario).glob("*.fit")) if scenario else []
    own_days = {p.name[:10] for p in own}
    for path in sorted((ADAPT / "base").glob("*.fit")):
        day = path.name[:10]
        if day <= until and day not in own_days and day not in missed:
            shutil.copyfile(path, folder / path.name)
    for path in own:
        shutil.copyfile(path, folder / path.name)
    return plan, folder


def adapt(plan: Path, folder: Path, today: str, *args: str) -> dict[str, Any]:
    result = run_cli("adapt", str(plan), "--from", f"folder:{folder}", "--json", *args,
                     env={"PROGSYNC_TODAY": today})
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    doc: dict[str, Any] = json.loads(result.stdout)
    assert doc["new_warnings"] == [], doc["new_warnings"]
    return doc


def changes(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in doc["proposals"] if p["changes"]]


def sessions(plan: Path) -> dict[tuple[str, str], float]:
    """(date, name) → planned seconds of the plan as `check` sees it; `check` must be clean."""
    result = run_cli("check", str(plan), "--json", env={"PROGSYNC_TODAY": "2026-12-01"})
    assert result.returncode == 0, result.stdout + result.stderr
    doc = json.loads(result.stdout)
    assert doc["warnings"] == [], doc["warnings"]
    return {(s["date"], s["name"]): s["estimated_duration_s"] for s in doc["sessions"]}


def week_load(plan: Path, monday: str) -> float:
    first = dt.date.fromisoformat(monday)
    days = {(first + dt.timedelta(days=k)).isoformat() for k in range(7)}
    return sum(v for (day, _), v in sessions(plan).items() if day in days)


def written(plan: Path, folder: Path, today: str) -> str:
    """`--write`, then: check is clean, the original's comments and every line that no change
    concerns are still there, and a second run proposes nothing."""
    before = plan.read_text()
    doc = adapt(plan, folder, today, "--write")
    after = plan.read_text()
    assert (after != before) == bool(changes(doc))
    sessions(plan)
    kept = after.splitlines()
    for line in before.splitlines():
        if line.startswith(("week = ", "paces = ")):
            continue  # the only lines a change touches in place (a week taken out, a new pace)
        assert line in kept, f"line changed: {line!r}"
    assert after.startswith(before.split("[[session]]")[0].split("paces = ")[0])
    again = adapt(plan, folder, today)
    assert changes(again) == [], changes(again)
    return after


def test_one_missed_easy_run_changes_nothing(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, None, "2026-12-13", missed=("2026-12-07",))
    doc = adapt(plan, folder, "2026-12-14")
    assert doc["proposals"] == []
    before = plan.read_bytes()
    adapt(plan, folder, "2026-12-14", "--write")
    assert plan.read_bytes() == before


def test_a_missed_quality_session_is_not_crammed_in_and_adapt_says_so(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, None, "2026-12-13", missed=("2026-12-10",))
    doc = adapt(plan, folder, "2026-12-14")
    (only,) = doc["proposals"]
    assert only["code"] == "adapt-missed-quality" and not only["changes"]
    assert only["date"] == "2026-12-10" and "quality spacing" in only["reason"]
    before = plan.read_bytes()
    written(plan, folder, "2026-12-14")
    assert plan.read_bytes() == before


def test_three_missed_sessions_make_the_next_week_a_bridge(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, None, "2026-12-13", missed=("2026-12-08", "2026-12-09", "2026-12-10"))
    doc = adapt(plan, folder, "2026-12-14")
    bridge = [p for p in doc["proposals"] if p["code"] == "adapt-bridge-week"]
    assert {p["date"] for p in bridge} >= {"2026-12-14", "2026-12-15", "2026-12-17", "2026-12-20"}
    assert "3 sessions missed" in bridge[0]["reason"]
    ran = (45 + 70) * 60 + 35 * 60 + 4 * 80  # Mon, Sun, Fri with its strides
    written(plan, folder, "2026-12-14")
    assert week_load(plan, "2026-12-14") <= ran * 1.25 + 60
    planned = sessions(plan)
    assert planned[("2026-12-20", "Long run")] <= 70 * 60, "the long run is not increased"
    text = plan.read_text()
    assert "3min @threshold" in text and "8min @4:20" in text, "quality kept"
    assert planned[("2026-12-17", "Threshold reps")] < 47.5 * 60, "but shorter"
    # back to the plan within the weekly-load limit
    assert week_load(plan, "2026-12-21") <= week_load(plan, "2026-12-14") * 1.3


def test_ten_days_off_rebuild_at_about_sixty_percent_without_quality_at_first(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, None, "2026-12-03")
    full_week = week_load(plan, "2026-11-30")
    doc = adapt(plan, folder, "2026-12-14")
    codes = {p["code"] for p in changes(doc)}
    assert "adapt-time-off" in codes and "adapt-bridge-week" not in codes
    assert "10 days without running" in changes(doc)[0]["reason"]
    written(plan, folder, "2026-12-14")
    planned = sessions(plan)
    assert ("2026-12-15", "Easy run") in planned, "no quality in the first days"
    assert 0.5 * full_week <= week_load(plan, "2026-12-14") <= 0.7 * full_week
    assert ("2026-12-17", "Threshold reps") in planned


@pytest.mark.parametrize(
    ("scenario", "cue"),
    [
        ("all-out-finish", "Controlled finish: the last stage at its planned pace, never faster."),
        ("slower-middle", "Each stage a little faster than the one before."),
    ],
)
def test_a_progression_off_its_shape_gives_the_next_one_a_cue(tmp_path: Path, scenario: str, cue: str) -> None:
    plan, folder = setup(tmp_path, scenario, "2026-12-13")
    doc = adapt(plan, folder, "2026-12-14")
    (change,) = changes(doc)
    assert change["code"] == "adapt-progression-cue" and change["date"] == "2026-12-15"
    assert change["after"] == cue
    text = written(plan, folder, "2026-12-14")
    assert f'notes = "{cue}"' in text
    assert "8min @4:20" in text.split("date = 2026-12-15")[1], "paces kept"


def test_easy_runs_too_fast_get_a_note_and_keep_their_targets(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, "easy-too-fast", "2026-12-13")
    doc = adapt(plan, folder, "2026-12-14")
    noted = {p["date"] for p in changes(doc)}
    assert {p["code"] for p in changes(doc)} == {"adapt-easy-pace"}
    assert noted == {"2026-12-14", "2026-12-16", "2026-12-18", "2026-12-20",
                     "2026-12-21", "2026-12-23", "2026-12-25", "2026-12-27"}
    assert "4:45/km" in changes(doc)[0]["reason"]
    text = written(plan, folder, "2026-12-14")
    assert text.count("Easy means easy") == 8
    assert text.count('"45min @easy"') == 1 + 2  # the shared session, and Mon 14 and 21 Dec


def test_a_half_marathon_raced_is_followed_by_its_rest_and_proposes_its_pace(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, "half-raced", "2026-12-13")
    doc = adapt(plan, folder, "2026-12-14")
    rest = [p for p in doc["proposals"] if p["code"] == "adapt-race-rest"]
    removed = {p["date"] for p in rest if p["kind"] == "remove"}
    assert removed == {"2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17", "2026-12-18", "2026-12-20"}
    easy = [p for p in rest if p["kind"] == "steps"]
    assert {p["date"] for p in easy} == {"2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24",
                                         "2026-12-25", "2026-12-27"}
    (pace,) = [p for p in doc["proposals"] if p["code"] == "adapt-paces"]
    assert pace["paces"] == {"half": 261.0} and "1:31:47" in pace["reason"]
    written(plan, folder, "2026-12-14")
    planned = sessions(plan)
    assert not [k for k in planned if "2026-12-14" <= k[0] <= "2026-12-20"]
    assert all(v <= 30 * 60 for k, v in planned.items() if "2026-12-21" <= k[0] <= "2026-12-27")
    assert 'half = "4:21"' in plan.read_text()


def test_three_rising_weeks_make_the_next_a_down_week(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, "rising", "2026-12-20")
    doc = adapt(plan, folder, "2026-12-21")
    down = [p for p in changes(doc) if p["code"] == "adapt-down-week"]
    assert down and {p["date"][:10] for p in down} <= {f"2026-12-{d}" for d in range(21, 28)}
    peak = 287.0 * 60 + 0.2 * 195 * 60  # week 3: the easy running 20% longer
    written(plan, folder, "2026-12-21")
    assert 0.7 * peak <= week_load(plan, "2026-12-21") <= 0.8 * peak


def test_quality_runs_consistently_faster_propose_new_paces_only_written_when_asked(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, "faster", "2026-12-20")
    before = plan.read_bytes()
    doc = adapt(plan, folder, "2026-12-21")
    (pace,) = changes(doc)
    assert pace["code"] == "adapt-paces" and pace["paces"] == {"threshold": 247.0}
    assert pace["before"] == "threshold = 4:15" and pace["after"] == "threshold = 4:07"
    assert pace["reason"].count("HR 168") == 3
    assert plan.read_bytes() == before, "nothing changes without --write"
    text = written(plan, folder, "2026-12-21")
    assert 'threshold = "4:07"' in text


def test_o_writes_a_copy_and_text_output_reads_as_a_diff(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, "all-out-finish", "2026-12-13")
    copy = tmp_path / "adapted.toml"
    result = run_cli("adapt", str(plan), "--from", f"folder:{folder}", "-o", str(copy),
                     env={"PROGSYNC_TODAY": "2026-12-14"})
    assert result.returncode == 0, result.stderr
    assert "~ Tue 15 Dec Short progression  [adapt-progression-cue]" in result.stdout
    assert "    - (no notes)" in result.stdout and "because the progression on Tue 08 Dec" in result.stdout
    assert plan.read_text() == PLAN.read_text()
    assert "Controlled finish" in copy.read_text()


def test_every_adapt_code_is_explained() -> None:
    from progsync.workouts import adapt as rules_of_adapt
    from progsync.workouts.rules import ADAPT_BY_CODE

    codes = {v for k, v in vars(rules_of_adapt).items() if k.isupper() and isinstance(v, str) and v.startswith("adapt-")}
    assert codes == set(ADAPT_BY_CODE)
    doc = (Path(__file__).parent.parent / "docs" / "adapt.md").read_text()
    for code in codes:
        result = run_cli("explain", code)
        assert result.returncode == 0 and result.stdout.startswith(code)
        assert f"`{code}`" in doc


def test_from_intervals_adapt_costs_what_review_costs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_user: Path
) -> None:
    from .support.fake_intervals import FakeIntervals

    plan, folder = setup(tmp_path, "all-out-finish", "2026-12-13")
    server = FakeIntervals().start()
    try:
        files = sorted(folder.glob("*.fit"))
        for path in files:
            server.add_activity(path.read_bytes(), name=path.stem)
        monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
        monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
        monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
        args = ("adapt", str(plan), "--from", "intervals", "--json")
        result = run_cli(*args, env={"PROGSYNC_TODAY": "2026-12-14"})
        assert result.returncode == 0, result.stderr
        doc = json.loads(result.stdout)
        assert [p["code"] for p in changes(doc)] == ["adapt-progression-cue"]
        listing = f"/api/v1/athlete/{server.athlete_id}/activities"
        assert len(server.requests("GET", listing)) == 1
        assert len(server.log) == 1 + len(files), "one listing, one download per activity"
        server.log.clear()
        again = json.loads(run_cli(*args, env={"PROGSYNC_TODAY": "2026-12-14"}).stdout)
        assert again["fetched"]["downloaded"] == 0 and again["fetched"]["cached"] == len(files)
        assert [(m, p) for m, p, _, _ in server.log] == [("GET", listing)]
        assert server.writes() == []
    finally:
        server.stop()


def test_coach_mode_keeps_each_athletes_adaptations_in_their_own_copy(tmp_path: Path) -> None:
    plan, folder = setup(tmp_path, "all-out-finish", "2026-12-13")
    shared = plan.read_text().replace('name = "Adapt build"\n', 'name = "Adapt build"\nathletes = ["anna", "ben"]\n')
    plan.write_text(shared)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[athletes.anna]\npaces = {{ easy = "5:10-5:30", threshold = "4:15", 5k = "4:00" }}\nfolder = "{tmp_path / "anna"}"\n'
        f'[athletes.ben]\npaces = {{ easy = "5:10-5:30", threshold = "4:15", 5k = "4:00" }}\nfolder = "{tmp_path / "ben"}"\n'
    )
    env = {"PROGSYNC_TODAY": "2026-12-14"}
    base = ("--config", str(config), "adapt", str(plan), "--from", f"folder:{folder}")
    refused = run_cli(*base, "--athlete", "anna", "--write", env=env)
    assert refused.returncode == 2 and "shared plan" in refused.stderr
    assert plan.read_text() == shared
    result = run_cli(*base, "--athlete", "anna", "-o", str(tmp_path / "adapted.toml"), env=env)
    assert result.returncode == 0, result.stderr
    copy = (tmp_path / "adapted-anna.toml").read_text()
    assert 'athletes = ["anna"]' in copy and "Controlled finish" in copy
    assert plan.read_text() == shared and not (tmp_path / "adapted-ben.toml").exists()
