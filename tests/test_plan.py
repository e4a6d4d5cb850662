"""Compiling whole plans: dates, weeks, reusable workouts, progressions, identity, estimates."""

from __future__ import annotations

import datetime as dt

import pytest

from progsync.workouts.errors import InputError
from progsync.workouts.model import PaceTarget, Repeat, flatten
from progsync.workouts.plan import compile_plan

from .conftest import ATHLETE, WEEK_FIXTURE, compile_text, plan_text
from .support import EXAMPLES, plain_steps


def test_days_weeks_and_dates() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "tue"
        steps = ["30min @easy"]

        [[session]]
        day = "sun"
        week = 2
        steps = ["30min @easy"]

        [[session]]
        date = 2026-12-25
        steps = ["30min @easy"]

        [[session]]
        day = "thu"
        week = [1, 3]
        id = "thursday"
        steps = ["30min @easy"]
        """
    )
    dates = [s.date for s in compiled.plan.sessions]
    assert dates == [
        dt.date(2026, 11, 24),
        dt.date(2026, 11, 26),
        dt.date(2026, 12, 6),
        dt.date(2026, 12, 10),
        dt.date(2026, 12, 25),
    ]
    ids = [s.id for s in compiled.plan.sessions]
    assert ids == [None, "thursday-w1", None, "thursday-w3", None]


def test_week_days_follow_the_start_even_mid_week() -> None:
    text = '[plan]\nstart = 2026-11-25\n[[session]]\nday = "mon"\nsteps = ["30min"]\n'
    compiled = compile_plan(text, "w.toml", ATHLETE)
    assert compiled.plan.sessions[0].date == dt.date(2026, 11, 30)
    assert compiled.plan.name == "w"


def test_several_sessions_a_day_get_slots_and_identities() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "tue"
        name = "AM"
        steps = ["30min @easy"]

        [[session]]
        day = "tue"
        name = "PM"
        time = "18:00"
        steps = ["20min @easy"]

        [[session]]
        day = "wed"
        id = "tempo"
        steps = ["20min @threshold"]
        """
    )
    am, pm, tempo = compiled.plan.sessions
    assert (am.slot, pm.slot) == (0, 1)
    assert am.identity == "test/2026-11-24/0"
    assert pm.identity == "test/2026-11-24/1"
    assert pm.time == dt.time(18, 0)
    assert tempo.identity == "test/tempo"
    assert pm.file_stem == "2026-11-24_pm-2"


def test_repeats_nest_and_flatten() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "thu"
        steps = [
          "warmup 15min @easy",
          { repeat = 2, steps = [{ repeat = 3, steps = ["400m @5k", "200m jog"] }, "rest 3min"] },
          "cooldown 10min",
        ]
        """
    )
    session = compiled.plan.sessions[0]
    outer = session.steps[1]
    assert isinstance(outer, Repeat) and outer.count == 2
    inner = outer.steps[0]
    assert isinstance(inner, Repeat) and inner.count == 3
    assert len(flatten(session.steps)) == 1 + 2 * (3 * 2 + 1) + 1


def test_reusable_workouts_in_any_week() -> None:
    compiled = compile_text(
        """
        [workout.tempo]
        name = "Tempo 3x10"
        steps = ["warmup 15min @easy", { repeat = 3, steps = ["10min @threshold", "2min jog"] }]

        [workout.prog]
        progression = { duration = "60min", to = "marathon" }

        [[session]]
        day = "tue"
        week = [1, 2]
        workout = "tempo"

        [[session]]
        day = "sat"
        workout = "prog"
        name = "Saturday progression"
        """
    )
    names = [(s.name, s.workout) for s in compiled.plan.sessions]
    assert names == [
        ("Tempo 3x10", "tempo"),
        ("Saturday progression", "prog"),
        ("Tempo 3x10", "tempo"),
    ]
    assert compiled.plan.sessions[1].progression is not None


def test_progression_stages_step_evenly_to_the_target() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "sun"
        progression = { duration = "90min", from = "easy", to = "marathon", stages = 2, easy = "70%" }
        """
    )
    session = compiled.plan.sessions[0]
    opening, first, last = plain_steps(session.steps)
    assert opening.end.value == 63 * 60
    assert first.end.value == last.end.value == 13.5 * 60
    assert sum(s.end.value or 0 for s in (opening, first, last)) == 90 * 60
    assert isinstance(opening.target, PaceTarget) and opening.target.label == "easy"
    assert isinstance(last.target, PaceTarget) and last.target.centre == 255
    assert isinstance(first.target, PaceTarget)
    assert first.target.centre == pytest.approx((320 + 255) / 2)
    assert session.estimated_duration_s == 5400


def test_progression_by_distance_with_warmup_and_cooldown() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "sun"
        progression = { distance = "12km", to = "threshold", stages = 4, easy = "40%", warmup = "10min", cooldown = "cooldown 5min @recovery" }
        """
    )
    steps = plain_steps(compiled.plan.sessions[0].steps)
    assert [s.kind for s in steps] == ["warmup", "run", "run", "run", "run", "run", "cooldown"]
    body = steps[1:-1]
    assert sum(s.end.value or 0 for s in body) == pytest.approx(12000)
    centres = [s.target.centre for s in body if isinstance(s.target, PaceTarget)]
    assert centres == sorted(centres, reverse=True), "every stage is faster than the one before"
    assert centres[-1] == 238
    assert [s.name for s in body[1:]] == ["Stage 1/4", "Stage 2/4", "Stage 3/4", "Stage 4/4"]


def test_progression_in_miles() -> None:
    compiled = compile_text(
        """
        [athlete]
        paces = { easy = "8:30", marathon = "7:00" }

        [[session]]
        day = "sun"
        progression = { distance = 10, to = "marathon", stages = 2, easy = "50%" }
        """,
        units="mi",
    )
    steps = plain_steps(compiled.plan.sessions[0].steps)
    assert sum(s.end.value or 0 for s in steps) == pytest.approx(10 * 1609.344, abs=10)
    assert isinstance(steps[-1].target, PaceTarget)
    assert steps[-1].target.centre == pytest.approx(420 / 1.609344, abs=0.01)


def test_plan_athlete_paces_replace_the_configs_as_a_whole() -> None:
    # Was "key by key" (the config's easy mixed into the plan's paces); issue 26 makes the plan's
    # paces the one source: a pace it does not give is an error, never the config's.
    body = """
        [athlete]
        paces = { marathon = "4:00" }

        [[session]]
        day = "tue"
        steps = ["10min @marathon", "10min @easy"]
        """
    with pytest.raises(InputError) as caught:
        compile_text(body)
    assert "the athlete profile has no 'easy' pace" in caught.value.render()
    compiled = compile_text(body.replace('marathon = "4:00"', 'marathon = "4:00", easy = "5:20"'))
    marathon, easy = plain_steps(compiled.plan.sessions[0].steps)
    assert isinstance(marathon.target, PaceTarget) and marathon.target.centre == 240
    assert isinstance(easy.target, PaceTarget) and easy.target.centre == 320
    assert compiled.profile.max_hr == 188, "heart rate is its own group: the config's stays"


def test_estimates_use_step_paces() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "tue"
        steps = ["10km @4:00", "rest 2min", "20min @5:00"]
        """
    )
    session = compiled.plan.sessions[0]
    assert session.estimated_duration_s == 2400 + 120 + 1200
    assert session.estimated_distance_m == 10000 + 4000


def test_race_result_derives_paces_and_explicit_paces_win() -> None:
    text = plan_text(
        """
        [athlete]
        race = "10k 41:30"
        paces = { easy = "5:40" }

        [[session]]
        day = "tue"
        steps = ["10min @easy", "10min @threshold", "10min @marathon"]
        """
    )
    compiled = compile_plan(text, "p.toml", {})
    easy, threshold, marathon = plain_steps(compiled.plan.sessions[0].steps)
    assert isinstance(easy.target, PaceTarget) and easy.target.centre == 340
    assert isinstance(threshold.target, PaceTarget)
    # Daniels' tables for VDOT 50 (10k 41:21): threshold 4:15/km, marathon 3:10:49 (4:31/km).
    assert 250 <= threshold.target.centre <= 260
    assert isinstance(marathon.target, PaceTarget)
    assert 266 <= marathon.target.centre <= 276


def test_example_week_compiles_cleanly() -> None:
    path = EXAMPLES / "week.toml"
    compiled = compile_plan(path.read_text(), str(path), {})
    assert compiled.warnings == ()
    names = [s.name for s in compiled.plan.sessions]
    assert "Run2PB progression" in names and "5 x 1 km" in names
    assert any(s.progression for s in compiled.plan.sessions)


RELATIVE = '[plan]\nname = "Demo"\nstart = "{start}"\n\n[[session]]\nday = "mon"\nsteps = ["30min"]\n' \
    '\n[[session]]\nday = "sun"\nsteps = ["60min"]\n'


@pytest.mark.parametrize(
    ("today", "monday"),
    [("2026-12-07", "2026-12-14"), ("2026-12-06", "2026-12-07"), ("2026-12-10", "2026-12-14"),
     ("2026-12-31", "2027-01-04")],
)
def test_a_relative_start_is_the_next_such_day_after_today(today: str, monday: str) -> None:
    """`start = "next-monday"` is the first Monday after the injected today (never today)."""
    plan = compile_plan(RELATIVE.format(start="next-monday"), "demo.toml", today=dt.date.fromisoformat(today)).plan
    assert plan.start == dt.date.fromisoformat(monday)
    assert [s.date for s in plan.sessions] == [plan.start, plan.start + dt.timedelta(days=6)]
    assert all(s.date > dt.date.fromisoformat(today) for s in plan.sessions)


def test_a_relative_start_can_name_any_day() -> None:
    plan = compile_plan(RELATIVE.format(start="next-Thursday"), "demo.toml", today=dt.date(2026, 12, 7)).plan
    assert plan.start == dt.date(2026, 12, 10)


def test_a_relative_start_naming_no_day_is_a_located_error() -> None:
    with pytest.raises(InputError) as caught:
        compile_plan(RELATIVE.format(start="next-mnoday"), "demo.toml", today=dt.date(2026, 12, 7))
    text = caught.value.render()
    assert "demo.toml:3" in text and "names no day of the week" in text
    assert "did you mean 'next-monday'" in text


def test_the_fixture_copy_of_the_example_week_differs_only_in_its_start() -> None:
    """Tests that need the example's old dates read tests/fixtures/plans/week-2026-11-23.toml."""
    example = (EXAMPLES / "week.toml").read_text().splitlines()
    fixture = WEEK_FIXTURE.read_text().splitlines()
    differ = [(a, b) for a, b in zip(example, fixture, strict=True) if a != b]
    assert [(a.split("#")[0].strip(), b.split("#")[0].strip()) for a, b in differ] == [
        ('start = "next-monday"', "start = 2026-11-23")
    ]


def test_input_error_collects_every_problem() -> None:
    with pytest.raises(InputError) as caught:
        compile_text(
            """
            [[session]]
            day = "tue"
            steps = ["10min @marthon", "5min @4.30"]

            [[session]]
            day = "funday"
            steps = ["10min"]
            """
        )
    assert len(caught.value.issues) == 3
