"""What the runner sees on the watch: step notes on Garmin Connect, FIT strings that fit the
device's fields, the `show --watch` preview, indoor sessions, cadence targets and watch limits."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import run_push
from progsync.sync.settings.config import Config
from progsync.workouts.garmin_json import encode_workout
from progsync.workouts.model import Session, iter_steps
from progsync.workouts.plan import compile_plan

from .conftest import WEEK_FIXTURE
from .support import EXAMPLES
from .support.fake_garmin import FakeGarmin

WEEK = WEEK_FIXTURE


def example_sessions() -> list[Session]:
    return list(compile_plan(WEEK.read_text(), str(WEEK), {}).plan.sessions)


def executable(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for step in steps:
        if step["type"] == "RepeatGroupDTO":
            out.extend(executable(step["workoutSteps"]))
        else:
            out.append(step)
    return out


@pytest.fixture
def garmin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    server = FakeGarmin().start()
    monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    yield server
    server.stop()


# -- 1. step notes reach Garmin Connect ----------------------------------------------------------
def test_every_example_step_with_a_note_carries_it_in_its_description() -> None:
    noted = 0
    for session in example_sessions():
        sent = executable(encode_workout(session).data["workoutSegments"][0]["workoutSteps"])
        steps = iter_steps(session.steps)
        assert len(sent) == len(steps)
        for step, payload in zip(steps, sent, strict=True):
            if step.note:
                noted += 1
                assert step.note in (payload["description"] or ""), (session.name, payload)
            if not step.note and not step.name:
                assert payload["description"] is None
    assert noted >= 3, "the example week has notes on the recovery run, strides and long run"


def test_step_notes_are_stored_by_garmin_and_read_back(garmin: FakeGarmin, tmp_path: Path) -> None:
    plan = tmp_path / "week.toml"
    shutil.copy(WEEK, plan)
    config = Config()
    outcome = run_push(load_plans([str(plan)], config), ["garmin"], config)
    assert outcome.exit_code == 0, outcome.as_dict()
    stored = {w["workoutName"]: w for w in garmin.marked().values()}
    assert len(stored) == 6
    notes = {}
    for session in example_sessions():
        workout_id = stored[session.name]["workoutId"]
        # read back over the socket, as the read-back check does
        reply = requests.get(
            f"{garmin.url}/workout-service/workout/{workout_id}",
            headers={"Authorization": f"Bearer {garmin.access_token}"},
            timeout=5,
        )
        assert reply.status_code == 200
        body = reply.json()
        for step, got in zip(
            iter_steps(session.steps), executable(body["workoutSegments"][0]["workoutSteps"]), strict=True
        ):
            if step.note:
                notes[step.note] = got["description"]
    assert notes["conversational, flat route"] == "conversational, flat route"
    assert notes["smooth and tall"] == "smooth and tall"
    assert notes["relaxed, conversational"] == "Easy start · relaxed, conversational"
    assert notes["finish strong, not all-out"] == "Stage 3/3 · finish strong, not all-out"


# -- 5. cadence targets --------------------------------------------------------------------------
CADENCE = """
[[session]]
date = 2026-12-01
name = "Cadence drills"
steps = ["10min @easy", "3min @180spm", "5min @4:30 & 175-185spm", "2min @170-180rpm"]
"""


def _cadence_session() -> Session:
    from .conftest import compile_text

    return compile_text(CADENCE).plan.sessions[0]


def test_cadence_targets_round_trip_through_the_fit_sdk_decoder() -> None:
    from progsync.workouts.fit import encode_fit

    from .support.fitcheck import decode

    steps = decode(encode_fit(_cadence_session()).data)["workout_step_mesgs"]
    assert steps[1]["target_type"] == "cadence"
    assert (steps[1]["custom_target_cadence_low"], steps[1]["custom_target_cadence_high"]) == (177, 183)
    assert steps[2]["target_type"] == "speed"
    assert steps[2]["secondary_target_type"] == "cadence"
    assert (steps[2]["secondary_custom_target_cadence_low"], steps[2]["secondary_custom_target_cadence_high"]) == (175, 185)
    assert (steps[3]["custom_target_cadence_low"], steps[3]["custom_target_cadence_high"]) == (170, 180)


def test_cadence_targets_in_garmin_json() -> None:
    sent = executable(encode_workout(_cadence_session()).data["workoutSegments"][0]["workoutSteps"])
    assert sent[1]["targetType"]["workoutTargetTypeKey"] == "cadence"
    assert (sent[1]["targetValueOne"], sent[1]["targetValueTwo"]) == (177.0, 183.0)
    assert sent[2]["targetType"]["workoutTargetTypeKey"] == "pace.zone"
    assert sent[2]["secondaryTargetType"]["workoutTargetTypeKey"] == "cadence"
    assert (sent[2]["secondaryTargetValueOne"], sent[2]["secondaryTargetValueTwo"]) == (175.0, 185.0)


def test_cadence_of_a_run_is_a_cue_on_intervals_icu_with_a_warning() -> None:
    from progsync.workouts.intervals_text import encode_intervals_text

    encoded = encode_intervals_text(_cadence_session())
    lines = encoded.data.splitlines()
    assert lines[1] == "- Cadence 177 to 183 spm 3m"  # a cue first, as for bpm without max HR
    assert any("cadence targets are for cycling" in w for w in encoded.warnings)


@pytest.mark.parametrize("bad", ["@400spm", "@10spm"])
def test_implausible_cadence_is_a_located_error(bad: str) -> None:
    from progsync.workouts.errors import InputError

    from .conftest import compile_text

    with pytest.raises(InputError) as caught:
        compile_text(f'[[session]]\ndate = 2026-12-01\nname = "X"\nsteps = ["3min {bad}"]\n')
    (issue,) = caught.value.issues
    assert "cadence" in issue.message and issue.location is not None and issue.location.line


# -- 4. treadmill and indoor runs ----------------------------------------------------------------
TREADMILL_KM = """
[[session]]
date = 2026-12-01
name = "Treadmill intervals"
indoor = true
steps = ["2km @easy", { repeat = 3, steps = ["1km @5k", "2min @recovery"] }, "10min @easy"]
"""

TREADMILL_MI = """
[plan]
name = "Miles"
start = 2026-11-23
units = "mi"
indoor = true

[athlete]
paces = { easy = "8:30-9:00", marathon = "7:00" }

[[session]]
date = 2026-12-01
name = "Treadmill tempo"
steps = ["1mi @easy", "3mi @marathon"]

[[session]]
date = 2026-12-03
name = "Outside"
indoor = false
steps = ["3mi @easy"]
"""


def _treadmill_km() -> Session:
    from .conftest import compile_text

    return compile_text(TREADMILL_KM).plan.sessions[0]


def test_indoor_distance_steps_become_time_at_their_pace_in_every_format() -> None:
    from progsync.workouts.fit import encode_fit
    from progsync.workouts.intervals_text import encode_intervals_text

    from .support.fitcheck import decode

    session = _treadmill_km()
    assert session.indoor
    # easy 5:10-5:30 -> 5:20/km, 5k 3:40/km: 2 km = 640 s, 1 km = 220 s
    steps = iter_steps(session.steps)
    assert [(s.end.kind, s.end.value) for s in steps] == [
        ("time", 640.0), ("time", 220.0), ("time", 120.0), ("time", 600.0)]
    assert steps[1].target.kind == "pace" and steps[1].note == "1km on the treadmill"

    sent = executable(encode_workout(session).data["workoutSegments"][0]["workoutSteps"])
    assert [(s["endCondition"]["conditionTypeKey"], s["endConditionValue"]) for s in sent][:2] == [
        ("time", 640.0), ("time", 220.0)]
    assert sent[1]["targetType"]["workoutTargetTypeKey"] == "pace.zone"
    assert "Treadmill" in encode_workout(session).data["description"]

    messages = decode(encode_fit(session).data)
    assert messages["workout_mesgs"][0]["sub_sport"] == "treadmill"
    fit_steps = messages["workout_step_mesgs"]
    assert (fit_steps[0]["duration_type"], fit_steps[0]["duration_time"]) == ("time", 640.0)
    assert (fit_steps[1]["duration_type"], fit_steps[1]["duration_time"]) == ("time", 220.0)
    assert fit_steps[1]["target_type"] == "speed"

    text = encode_intervals_text(session).data
    # the distance cannot be in an Intervals.icu cue (it would read as the step's length)
    assert text.splitlines()[0] == "- on the treadmill 10m40s 5:30-5:10/km Pace"
    assert " 3m40s 3:45-3:35/km Pace" in text and "1km" not in text


def test_indoor_in_miles_from_the_plan_table_and_a_session_can_opt_out() -> None:
    plan = compile_plan(TREADMILL_MI, "miles.toml", {}).plan
    tempo, outside = plan.sessions
    assert tempo.indoor and not outside.indoor
    # easy 8:30-9:00/mi -> 8:45/mi = 525 s; marathon 7:00/mi = 420 s a mile
    assert [(s.end.kind, round(s.end.value or 0)) for s in iter_steps(tempo.steps)] == [
        ("time", 525), ("time", 1260)]
    assert iter_steps(tempo.steps)[1].note == "3mi on the treadmill"
    assert [s.end.kind for s in iter_steps(outside.steps)] == ["distance"]


def test_indoor_events_say_so_on_intervals_icu() -> None:
    from progsync.sync.services.intervals import event_for
    from progsync.sync.services.intervals_client import kept_fields

    event, _ = event_for(_treadmill_km())
    assert event["indoor"] is True and kept_fields(event)["indoor"] is True
    outdoor, _ = event_for(example_sessions()[0])
    # sent as false (an update keeps what it is not sent), compared only when true (old fingerprints stay)
    assert outdoor["indoor"] is False and "indoor" not in kept_fields(outdoor)


def test_indoor_must_be_true_or_false() -> None:
    from progsync.workouts.errors import InputError

    from .conftest import compile_text

    with pytest.raises(InputError) as caught:
        compile_text('[[session]]\ndate = 2026-12-01\nname = "X"\nindoor = "yes"\nsteps = ["1km @easy"]\n')
    (issue,) = caught.value.issues
    assert "indoor = 'yes'" in issue.message and issue.location and issue.location.line == 9


# -- 3. the watch preview ------------------------------------------------------------------------
def test_show_watch_prints_the_run_screen_by_screen() -> None:
    from .conftest import run_cli

    result = run_cli("show", str(WEEK), "--watch")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Tue 24 Nov 2026  Run2PB progression  (about 1:05:00)" in out
    assert "   2. Run  10:00  4:35-4:25 /km" in out
    assert "   4. Rep 2 of 5  Run  1.00 km  3:45-3:35 /km" in out
    assert "  11. Rep 5 of 5  Recover  2:00  6:00-5:40 /km" in out
    assert "      notes: conversational, flat route" in out
    # what a FIT file's 16-byte name field keeps of a long name
    assert '(a FIT file on the watch names it "Long run, fast")' in out


def test_show_watch_says_what_ends_an_open_step_and_how_zones_read(tmp_path: Path) -> None:
    from .conftest import plan_text, run_cli

    plan = tmp_path / "hills.toml"
    plan.write_text(plan_text('''
        [athlete]
        max_hr = 188
        lthr = 171

        [[session]]
        date = 2026-12-01
        name = "Hills"
        steps = ["warmup 10min @z2", { repeat = 2, steps = ["60s @rpe 8 -- drive the arms", "jog lap"] }, "cooldown hr<120", "5min @4:30 & 180spm"]
    '''))
    result = run_cli("show", str(plan), "--watch")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "   1. Warm up  10:00  heart rate zone 2 (" in out and " bpm)" in out
    assert "   2. Rep 1 of 2  Run  1:00  no target (RPE 8 in the notes)" in out
    assert "      notes: RPE 8 · drive the arms" in out
    assert "      ends when you press the lap button" in out
    assert "      ends when heart rate falls below 120 bpm" in out
    assert "      also: 177-183 spm" in out


# -- 6. the watch's limits -----------------------------------------------------------------------
def test_a_push_scheduling_more_than_a_watch_holds_warns(
    garmin: FakeGarmin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROGSYNC_TODAY", "2027-01-04")
    config = Config()
    loaded = load_plans([str(EXAMPLES / "block.toml")], config)
    whole = run_push(loaded, ["garmin"], config, dry_run=True)
    (report,) = whole.reports
    assert any("80 workouts are scheduled" in w and "--window 28d" in w for w in report.warnings)
    windowed = run_push(loaded, ["garmin"], config, dry_run=True, window="28d")
    assert not any("workouts are scheduled" in w for w in windowed.reports[0].warnings)
    assert garmin.writes() == []  # a plan only reads


def test_cron_for_garmin_pushes_a_window_by_default(tmp_path: Path) -> None:
    from .conftest import run_cli

    plan = tmp_path / "week.toml"
    shutil.copy(WEEK, plan)
    garmin = run_cli("cron", str(plan), "--to", "garmin")
    assert garmin.returncode == 0, garmin.stderr
    (line,) = [x for x in garmin.stdout.splitlines() if x.startswith("30 3 * * *")]
    assert line.endswith("--to garmin --window 28d")
    assert "Garmin watches hold only about 30 scheduled workouts" in garmin.stdout
    whole = run_cli("cron", str(plan), "--to", "garmin", "--window", "all")
    assert "--window" not in whole.stdout.split("# or a systemd")[0]
    intervals = run_cli("cron", str(plan), "--to", "intervals")
    assert "--window" not in intervals.stdout
    mine = run_cli("cron", str(plan), "--to", "intervals", "--window", "14d")
    assert "--to intervals --window 14d" in mine.stdout
    bad = run_cli("cron", str(plan), "--to", "garmin", "--window", "soon")
    assert bad.returncode == 2 and "window 'soon'" in bad.stderr
