"""Coaching checks: every rule has a plan that trips it and a plan that passes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from progsync.workouts.checks import run_checks
from progsync.workouts.errors import InputError, Issue
from progsync.workouts.facts import progression_shape
from progsync.workouts.plan import compile_plan
from progsync.workouts.rules import RULES, SettingsError, explain, parse_settings

from .conftest import ATHLETE, compile_text, plan_text


def issues(body: str, checks: Mapping[str, Any] | None = None, history: str | None = None, units: str = "km") -> list[Issue]:
    compiled = compile_text(body, units)
    earlier = [compile_plan(plan_text(history), "history.toml", ATHLETE)] if history else []
    return run_checks([compiled], checks, earlier)


def codes(body: str, checks: Mapping[str, Any] | None = None, history: str | None = None, units: str = "km") -> list[str | None]:
    return [i.code for i in issues(body, checks, history, units)]


def session(steps: list[str] | str, day: str = "tue", week: int = 1, tags: str = "[]", name: str = "Run") -> str:
    body = steps if isinstance(steps, str) else "steps = [" + ", ".join(f'"{s}"' for s in steps) + "]"
    return f'\n[[session]]\nweek = {week}\nday = "{day}"\nname = "{name}"\n{body}\ntags = {tags}\n'


GOOD_PROGRESSION = ["warmup 15min @easy", "10min @4:30", "10min @4:20", "10min @4:10", "10min @4:00", "cooldown 10min @easy"]


# -- progression runs ------------------------------------------------------------------------
def test_a_good_progression_passes_every_rule() -> None:
    assert codes(session(GOOD_PROGRESSION)) == []


def test_a_run_that_gets_faster_is_recognised_without_a_tag() -> None:
    compiled = compile_text(session(GOOD_PROGRESSION))
    shape = progression_shape(compiled.plan.sessions[0], compiled.profile)
    assert shape is not None
    assert shape.opening.seconds == 15 * 60
    assert [None if s.pace is None else round(s.pace) for s in shape.stages] == [270, 260, 250, 240]
    assert shape.seconds == 55 * 60, "warm-up counts, cool-down does not"


@pytest.mark.parametrize(
    "steps",
    [
        ["warmup 15min @easy", "20min @threshold", "cooldown 10min @easy"],  # a tempo run
        ["10min @4:00", "10min @4:30", "10min @5:00"],  # slower and slower
    ],
)
def test_tempo_and_fading_runs_are_not_progressions(steps: list[str]) -> None:
    compiled = compile_text(session(steps))
    assert progression_shape(compiled.plan.sessions[0], compiled.profile) is None


def test_interval_sessions_are_not_progressions() -> None:
    body = session('steps = ["warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min jog"] }, "cooldown 10min @easy"]')
    assert codes(body) == []


def test_continuous_rule_flags_a_rest_inside_the_build() -> None:
    steps = ["15min @easy", "10min @4:45", "rest 1min", "10min @4:30", "10min @4:15", "cooldown 10min @easy"]
    found = issues(session(steps))
    assert [i.code for i in found] == ["progression-continuous"]
    assert "step 3 'rest 1min'" in found[0].message
    assert codes(session([s for s in steps if not s.startswith("rest")])) == []


def test_gradual_rule_flags_a_slower_stage() -> None:
    found = issues(session(["15min @easy", "10min @4:30", "10min @4:40", "10min @4:15"], tags='["progression"]'))
    assert [i.code for i in found] == ["progression-gradual"]
    assert "slows down: stage 2 (4:40/km) after 4:30/km" in found[0].message


def test_gradual_rule_flags_a_surge_with_the_numbers_and_a_fix() -> None:
    body = session('progression = { duration = "90min", to = "marathon", stages = 2, easy = "70%" }', day="sun")
    found = issues(body)
    assert [i.code for i in found] == ["progression-gradual"]
    assert "stage 2 jumps 32 s/km (4:48 → 4:15/km) (at most 30 s/km" in found[0].message
    assert found[0].hint is not None
    assert "use stages = 3" in found[0].hint
    assert codes(body.replace("stages = 2", "stages = 3")) == []
    assert codes(body, checks={"progression-gradual": {"max_jump": "35s"}}) == []


def test_gradual_jumps_are_reported_in_the_plan_units() -> None:
    body = session(["15min @8:30", "15min @8:00", "15min @7:00"], tags='["progression"]')
    found = issues(body, units="mi")
    assert [i.code for i in found] == ["progression-gradual"]
    assert "jumps 60 s/mi (8:00 → 7:00/mi) (at most 48 s/mi" in found[0].message


def test_patient_start_flags_a_short_opening() -> None:
    found = issues(session(["5min @easy", "10min @4:45", "10min @4:30", "10min @4:15"]))
    assert [i.code for i in found] == ["progression-patient-start"]
    assert "the easy opening lasts 5min, less than 10min" in found[0].message


def test_patient_start_flags_an_opening_near_the_final_pace() -> None:
    found = issues(session(["15min @4:20", "10min @4:15", "10min @4:10"], tags='["progression"]'))
    assert [i.code for i in found] == ["progression-patient-start"]
    assert "opens at 4:20/km, within 10 s/km of the final 4:10/km" in found[0].message


def test_controlled_finish_flags_a_last_stage_faster_than_threshold() -> None:
    body = session(["15min @easy", "10min @4:25", "10min @4:05", "10min @3:45"])
    found = issues(body)
    assert [i.code for i in found] == ["progression-controlled-finish"]
    assert "last stage (3:45/km) is faster than threshold pace (3:58/km)" in found[0].message
    assert codes(body, checks={"progression-controlled-finish": {"limit": "5k"}}) == []
    assert codes(body, checks={"progression-controlled-finish": {"limit": "3:40"}}) == []


def test_stage_length_flags_short_and_long_stages() -> None:
    short = issues(session(["20min @easy", "3min @4:45", "3min @4:30", "3min @4:15", "10min @4:05"]))
    assert [i.code for i in short] == ["progression-stage-length"]
    assert "stage 1 lasts 3min; stage 2 lasts 3min; stage 3 lasts 3min (stages last 5min to 20min)" in short[0].message
    long = issues(session(["15min @easy", "25min @4:40", "25min @4:20"]))
    assert "progression-stage-length" in [i.code for i in long]


def test_size_flags_too_short_and_too_long_progressions() -> None:
    short = codes(session(["10min @easy", "6min @4:45", "6min @4:30"], tags='["progression"]'))
    assert short == ["progression-size"]
    long = issues(session('progression = { duration = "2h30min", to = "marathon", stages = 5, easy = "40%" }', day="sun"))
    assert [i.code for i in long] == ["progression-size"]
    assert "lasts 2h30min (warm-up to last stage)" in long[0].message


def test_a_session_repeated_over_weeks_is_reported_once_with_its_dates() -> None:
    body = '\n[[session]]\nweek = [1, 2, 3]\nday = "tue"\nname = "Surge"\nsteps = ["15min @easy", "10min @4:45", "10min @4:00"]\n'
    found = issues(body)
    assert len(found) == 1
    assert found[0].context == "session 'Surge' (3 times: 2026-11-24, 2026-12-01, 2026-12-08)"


# -- weeks and blocks ------------------------------------------------------------------------
#: A week of one run grows its long run too; the weekly-load tests look at the load alone.
ONLY_LOAD = {"disable": ["long-run-growth"]}


def week(minutes: list[int], number: int = 1, days: Sequence[str] = ("mon", "wed", "fri", "sat", "sun")) -> str:
    return "".join(session([f"{m}min @easy"], day=d, week=number) for m, d in zip(minutes, days, strict=False))


def test_easy_share_flags_a_hard_week_and_names_the_session_to_shorten() -> None:
    body = week([30, 30]) + session(["10min @easy", "30min @threshold"], day="thu", name="Big tempo")
    found = issues(body)
    assert [i.code for i in found] == ["easy-share"]
    assert "only 70% of the running time is easy (1:10:00 of 1:40:00; at least 75%)" in found[0].message
    assert found[0].hint is not None
    assert "'Big tempo' on Thu" in found[0].hint
    assert found[0].location is not None
    assert found[0].location.line is not None


def test_easy_share_passes_a_mostly_easy_week_and_ignores_a_lone_session() -> None:
    assert codes(week([60, 60]) + session(["10min @easy", "30min @threshold"], day="thu")) == []
    assert codes(session(["10min @easy", "30min @threshold"], day="thu")) == []


def test_quality_spacing_flags_back_to_back_quality_days() -> None:
    intervals = session('steps = ["warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min jog"] }, "cooldown 10min @easy"]', day="tue", tags='["quality"]', name="Intervals")
    tempo = session(["warmup 15min @easy", "20min @threshold", "cooldown 10min @easy"], day="wed", name="Tempo")
    found = issues(intervals + tempo)
    assert [i.code for i in found] == ["quality-spacing"]
    assert "two quality sessions on consecutive days: 'Intervals' (Tue 2026-11-24) and 'Tempo' (Wed 2026-11-25)" in found[0].message
    assert codes(intervals + tempo.replace('day = "wed"', 'day = "thu"')) == []


def test_strides_do_not_make_a_session_quality() -> None:
    intervals = session('steps = ["warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min jog"] }]', day="tue", tags='["quality"]')
    strides = session('steps = ["35min @easy", { repeat = 4, steps = ["20s @5k", "1min jog"] }]', day="wed")
    assert codes(intervals + strides) == []


def test_weekly_load_flags_a_jump_over_the_previous_week() -> None:
    body = week([40, 40, 40], 1) + week([60, 60, 60], 2)
    found = issues(body)
    assert [i.code for i in found] == ["weekly-load"]
    assert "volume 3:00:00 is 50% more than the week before (2:00:00; at most +30%)" in found[0].message
    assert codes(week([40, 40, 40], 1) + week([50, 50, 50], 2)) == []
    assert codes(body, checks={"weekly-load": {"max_increase": "60%"}}) == []


def test_weekly_load_flags_a_jump_over_the_four_week_average() -> None:
    body = week([100]) + week([100], 2) + week([125], 3) + week([160], 4)
    found = issues(body, checks={**ONLY_LOAD, "easy-share": {"min_sessions": 5}})
    assert [i.code for i in found] == ["weekly-load"]
    assert "1.48× the average of the 3 weeks before (1:48:20; at most 1.3×)" in found[0].message


def test_weekly_load_can_count_distance() -> None:
    body = week([40, 40, 40], 1) + week([60, 60, 60], 2)
    found = issues(body, checks={"weekly-load": {"by": "distance"}})
    assert "volume 33.75km is 50% more" in found[0].message


def test_down_week_flags_four_build_weeks_in_a_row() -> None:
    loads = [100, 110, 121, 133, 146]
    body = "".join(week([m], n) for n, m in enumerate(loads, start=1))
    found = issues(body)
    assert [i.code for i in found] == ["down-week"]
    assert "4 build weeks in a row without a down week (1:50:00, 2:01:00, 2:13:00, 2:26:00)" in found[0].message
    assert found[0].context is not None
    assert "week of Mon 2026-12-21" in found[0].context
    recovered = [100, 110, 121, 90, 110, 121, 133]
    assert codes("".join(week([m], n) for n, m in enumerate(recovered, start=1))) == []


def test_race_recovery_flags_quality_too_soon_after_a_race() -> None:
    race = session(["10km @10k"], day="sat", tags='["race"]', name="Club 10k")
    tempo = session(["warmup 15min @easy", "20min @threshold", "cooldown 10min @easy"], day="tue", week=2, name="Tempo")
    found = issues(race + tempo)
    assert [i.code for i in found] == ["race-recovery"]
    assert "quality 3 days after the 10k race 'Club 10k' (Sat 2026-11-28) (allow 4 days)" in found[0].message
    assert codes(race + tempo.replace('day = "tue"', 'day = "wed"')) == []


def test_marathon_recovery_takes_two_weeks() -> None:
    race = session(["42.2km @marathon"], day="sun", tags='["race"]', name="City Marathon")
    tempo = session(["warmup 15min @easy", "20min @threshold", "cooldown 10min @easy"], day="sat", week=2, name="Tempo")
    assert codes(race + tempo) == ["race-recovery"]
    assert codes(race + tempo.replace("week = 2", "week = 3")) == ["race-recovery"], "13 days"
    assert codes(race + tempo.replace("week = 2", "week = 3").replace('"sat"', '"sun"')) == []


def test_history_informs_the_week_rules_but_is_not_reported() -> None:
    history = week([40, 40, 40], 1)
    current = week([60, 60, 60], 2)
    assert codes(current) == []
    found = issues(current, history=history)
    assert [i.code for i in found] == ["weekly-load"]
    assert found[0].location is not None
    assert found[0].location.file == "plan.toml"
    assert issues(history, history=current) == [], "warnings about history weeks stay silent"


# -- settings --------------------------------------------------------------------------------
def test_config_disables_a_rule() -> None:
    body = week([30, 30]) + session(["10min @easy", "30min @threshold"], day="thu")
    assert codes(body, checks={"disable": ["easy-share"]}) == []
    assert codes(body, checks={"easy-share": {"enabled": False}}) == []
    assert codes(body, checks={"easy-share": {"min_share": "65%"}}) == []


def test_a_plan_can_tune_its_own_checks() -> None:
    body = week([30, 30]) + session(["10min @easy", "30min @threshold"], day="thu")
    assert codes('[checks]\ndisable = ["easy-share"]\n' + body) == []


@pytest.mark.parametrize(
    ("table", "message", "hint"),
    [
        ({"disable": ["easy-shar"]}, "disable names an unknown rule 'easy-shar'", "did you mean 'easy-share'?"),
        ({"gradual": {}}, "unknown rule 'gradual' in [checks]", None),
        ({"progression-gradual": {"max_jmp": "20s"}}, "rule progression-gradual has no setting 'max_jmp'", "did you mean 'max_jump'?"),
        ({"weekly-load": {"by": "pace"}}, "weekly-load.by = 'pace' is not measure volume by time or distance (one of time, distance)", 'e.g. by = "time"'),
        ({"progression-size": {"max_total": 120}}, "progression-size.max_total = 120 is not", 'e.g. max_total = "2h"'),
    ],
)
def test_bad_settings_are_explained(table: dict[str, Any], message: str, hint: str | None) -> None:
    with pytest.raises(SettingsError) as caught:
        parse_settings(table)
    problem = caught.value.problems[0]
    assert problem.message.startswith(message)
    if hint:
        assert problem.hint == hint


def test_bad_settings_in_a_plan_point_at_the_line() -> None:
    text = plan_text('[checks.progression-gradual]\nmax_jump = "fast"\n' + session(GOOD_PROGRESSION))
    with pytest.raises(InputError) as caught:
        compile_plan(text, "plan.toml", ATHLETE)
    issue = caught.value.issues[0]
    assert issue.location is not None and issue.location.line == 7 and "max_jump = 'fast' is not" in issue.message


def test_every_rule_is_explained_with_its_defaults() -> None:
    for rule in RULES:
        text = explain(rule.code)
        assert text.startswith(f"{rule.code}: {rule.title}")
        assert f"[checks.{rule.code}]" in text
        for param in rule.params:
            assert f"  {param.name} = " in text
        parse_settings({rule.code: {p.name: p.default for p in rule.params}})


def test_defaults_in_the_docs_match_the_rules() -> None:
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "checks.md").read_text()
    for rule in RULES:
        assert f"`{rule.code}`" in doc
        for param in rule.params:
            default = f'"{param.default}"' if isinstance(param.default, str) else str(param.default)
            assert f"`{param.name} = {default}`" in doc, (rule.code, param.name)


def test_examples_pass_every_check() -> None:
    from pathlib import Path

    for path in sorted((Path(__file__).parent.parent / "examples").glob("*.toml")):
        compiled = compile_plan(path.read_text(), str(path), {})
        assert compiled.warnings == ()
        assert run_checks([compiled]) == [], path



def test_every_rule_has_exactly_one_function_and_every_function_a_rule() -> None:
    from progsync.workouts.checks import SESSION_RULES
    from progsync.workouts.rules import RULES_BY_CODE
    from progsync.workouts.weeks import WEEK_RULES

    assert not set(SESSION_RULES) & set(WEEK_RULES)
    assert set(SESSION_RULES) | set(WEEK_RULES) == set(RULES_BY_CODE)


# -- mistakes in the file: the same session twice, a date far away, a long run that jumps (#26) --
def test_the_same_session_twice_on_one_day_warns_once() -> None:
    long_run = session(["80min @easy"], day="sun", name="Long run")
    found = issues(week([40, 40]) + long_run + long_run)
    assert [i.code for i in found] == ["duplicate-session"]
    assert "'Long run' (Sun 2026-11-29) is written twice on Sun 29 Nov" in found[0].message
    assert found[0].location is not None
    assert found[0].location.line is not None
    # A double day of two different runs is not a duplicate.
    double = session(["40min @easy"], day="sun", name="Easy AM") + session(["40min @easy"], day="sun", name="Easy PM")
    assert codes(week([40, 40]) + double) == []


def test_a_year_typo_far_before_the_plan_warns() -> None:
    typo = '\n[[session]]\ndate = 2025-11-25\nname = "Tempo"\nsteps = ["40min @easy"]\n'
    found = issues(week([40, 40, 40]) + typo)
    assert [i.code for i in found] == ["session-dates"]
    assert "is 363 days before the plan's start (2026-11-23)" in found[0].message
    assert found[0].hint is not None
    assert "check the date's year" in found[0].hint


def test_a_session_weeks_away_from_the_rest_of_the_plan_warns() -> None:
    late = '\n[[session]]\ndate = 2027-11-24\nname = "Easy"\nsteps = ["40min @easy"]\n'
    found = issues(week([40, 40, 40]) + late)
    assert [i.code for i in found] == ["session-dates"]
    assert "days from the plan's nearest other session" in found[0].message
    # A race at the end of a block a week after the last run is not far away.
    race = '\n[[session]]\ndate = 2026-12-06\nname = "10k race"\nsteps = ["40min @easy"]\n'
    assert "session-dates" not in codes(week([40, 40, 40]) + race)


def test_a_long_run_that_jumps_warns_even_when_the_week_does_not() -> None:
    # 60 -> 150 min: before, only the weekly total could notice it.
    before = week([60, 60, 60, 60, 60], 1)
    after = week([30, 30, 30, 30], 2, days=("mon", "wed", "fri", "sat")) + session(["150min @easy"], day="sun", week=2, name="Long run")
    found = issues(before + after)
    assert [i.code for i in found] == ["long-run-growth"]
    assert "the long run 'Long run' (Sun 2026-12-06) (2:30:00) is 1:30:00 (150%) longer" in found[0].message
    assert found[0].hint is not None
    assert "keep it under about 1:20:00" in found[0].hint


@pytest.mark.parametrize("minutes", [[60, 70], [60, 75], [90, 60, 95], [100, 120]])
def test_a_long_run_that_grows_gradually_or_returns_after_a_down_week_passes(minutes: list[int]) -> None:
    body = "".join(
        week([30, 30], n) + session([f"{m}min @easy"], day="sun", week=n, name="Long run")
        for n, m in enumerate(minutes, start=1)
    )
    assert "long-run-growth" not in codes(body, checks={"disable": ["weekly-load", "down-week"]})


@pytest.mark.parametrize("code", ["duplicate-session", "session-dates", "long-run-growth"])
def test_the_new_rules_explain_themselves(code: str) -> None:
    from .conftest import run_cli

    result = run_cli("explain", code)
    assert result.returncode == 0 and code in result.stdout, result.stderr


# -- messages that are true (#26) ------------------------------------------------------------------
def test_a_load_hint_after_a_week_without_running_never_says_under_0_00() -> None:
    history = week([60, 60, 60], 1) + week([60, 60, 60], 2)
    found = issues(week([90, 90, 90], 4), history=history, checks={"disable": ["long-run-growth"]})
    assert [i.code for i in found] == ["weekly-load"]
    assert found[0].hint is not None
    assert "0:00" not in found[0].hint
    assert "the week before has no running; build back gradually: keep the week under about 3:54:00" in found[0].hint


def test_an_easy_share_just_under_the_limit_is_not_rounded_up_to_it() -> None:
    body = week([30, 30]) + session(["14min54s @easy"], day="tue") + session(["25min6s @threshold"], day="thu", name="Tempo")
    (found,) = issues(body)
    assert "only 74.9% of the running time is easy (1:14:54 of 1:40:00; at least 75.0%)" in found.message


def test_the_easy_share_hint_never_suggests_shortening_a_race() -> None:
    race = session(["warmup 15min @easy", "10km @10k"], day="sun", name="Xmas 10k", tags='["race", "10k"]')
    found = [i for i in issues(week([30, 30]) + race) if i.code == "easy-share"]
    assert found and found[0].hint is not None and "Xmas 10k" not in found[0].hint
    assert found[0].hint.startswith("add easy running")
