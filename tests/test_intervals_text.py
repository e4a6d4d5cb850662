"""Golden tests for Intervals.icu workout text, construct by construct."""

from __future__ import annotations

import re
import textwrap

import pytest

from progsync.workouts.encode import Encoded
from progsync.workouts.intervals_text import clean_label, encode_intervals_text

from .conftest import compile_text


def text_of(steps: str, units: str = "km", max_hr: int | None = 188, notes: str | None = None) -> Encoded[str]:
    body = f'[[session]]\nday = "tue"\nname = "S"\nsteps = [{steps}]\n'
    if notes:
        body += f'notes = "{notes}"\n'
    session = compile_text(body, units=units).plan.sessions[0]
    return encode_intervals_text(session, max_hr=max_hr)


GOLDEN = [
    ('"10min @4:00"', "- 10m 4:05-3:55/km Pace\n"),
    ('"1h15min @marathon-10s"', "- 1h15m 4:10-4:00/km Pace\n"),
    ('"90s @easy"', "- 1m30s 5:30-5:10/km Pace\n"),
    ('"400m @3:30-3:35"', "- 400mtr 3:35-3:30/km Pace\n"),
    ('"2km @threshold"', "- 2km 4:03-3:53/km Pace\n"),
    ('"1.5mi @6:30/mi"', "- 2.414km 4:07-3:57/km Pace\n"),
    ('"30min @z2"', "- 30m Z2 HR\n"),
    ('"30min @70-75%max"', "- 30m 70-75% HR\n"),
    ('"30min @90-95%lthr"', "- 30m 90-95% LTHR\n"),
    ('"30min @250w"', "- 30m 245-255w\n"),
    ('"30min @pz3"', "- 30m Z3\n"),
    ('"30min @open"', "- 30m\n"),
    ('"lap @easy"', "- 10m 5:30-5:10/km Pace Press lap\n"),
    ('"20min @rpe 6"', "- RPE 6 20m\n"),
    ('"rest 2min"', "- Rest 2m\n"),
    ('"2min jog"', "- Recover 2m 6:00-5:40/km Pace\n"),
    ('"20s @5k -- smooth, 5k feel"', "- smooth, feel 20s 3:45-3:35/km Pace\n"),
    ('"warmup 10min @easy", "cooldown 5min"', "Warmup\n- 10m 5:30-5:10/km Pace\n\nCooldown\n- 5m\n"),
]


@pytest.mark.parametrize(("steps", "expected"), GOLDEN)
def test_golden(steps: str, expected: str) -> None:
    assert text_of(steps).data == expected


def test_miles() -> None:
    result = text_of('"2mi @7:00", "800m @6:00"', units="mi")
    assert result.data == "- 2mi 7:08-6:52/mi Pace\n- 800mtr 6:08-5:52/mi Pace\n"


def test_repeat_block_has_blank_lines_around_it() -> None:
    result = text_of('"warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min jog"] }, "cooldown 10min @easy"')
    assert result.data == textwrap.dedent(
        """\
        Warmup
        - 15m 5:30-5:10/km Pace

        5x
        - 1km 3:45-3:35/km Pace
        - Recover 2m 6:00-5:40/km Pace

        Cooldown
        - 10m 5:30-5:10/km Pace
        """
    )
    assert result.warnings == ()


def test_nested_repeat_is_unrolled_with_a_warning() -> None:
    result = text_of('{ repeat = 2, steps = [{ repeat = 3, steps = ["400m @5k", "200m jog"] }, "rest 3min"] }')
    assert result.data == textwrap.dedent(
        """\
        3x
        - 400mtr 3:45-3:35/km Pace
        - Recover 200mtr 6:00-5:40/km Pace

        - Rest 3m

        3x
        - 400mtr 3:45-3:35/km Pace
        - Recover 200mtr 6:00-5:40/km Pace

        - Rest 3m
        """
    )
    assert any("outer 2x was unrolled" in w and "'S'" in w for w in result.warnings)


def test_bpm_becomes_percent_of_max_or_a_cue() -> None:
    with_max = text_of('"20min @140-150bpm"', max_hr=200)
    assert with_max.data == "- 20m 70-75% HR\n"
    assert any("70-75% of max HR 200" in w for w in with_max.warnings)
    without = text_of('"20min @140-150bpm"', max_hr=None)
    assert without.data == "- HR 140 to 150 20m\n", "a cue only: no bare % that would mean power"
    assert any("no max_hr" in w for w in without.warnings)


def test_unsupported_end_conditions_degrade_to_lap_with_warning() -> None:
    result = text_of('"cooldown hr<120"')
    assert result.data == "Cooldown\n- until HR below 120 10m Press lap\n"
    assert any("heart rate" in w for w in result.warnings)


def test_progression_stage_labels_cannot_be_misread() -> None:
    session = compile_text(
        '[[session]]\nday = "sun"\nprogression = { duration = "60min", to = "marathon", stages = 2 }\n'
    ).plan.sessions[0]
    text = encode_intervals_text(session).data
    assert "- Stage 1 of 2 15m" in text
    assert "- Stage 2 of 2 finish strong, not all out 15m 4:20-4:10/km Pace" in text


def test_notes_lead_and_cannot_become_a_repeat_header() -> None:
    result = text_of('"10min @easy"', notes="Hill session 3x")
    assert result.data.splitlines()[0] == "Hill session 3 times"


@pytest.mark.parametrize(
    ("label", "clean"),
    [("Stage 1/3", "Stage 1 of 3"), ("5k feel – relaxed", "feel relaxed"), ("hold 400m", "hold"), ("go @ 90%", "go")],
)
def test_clean_label(label: str, clean: str) -> None:
    assert clean_label(label) == clean


STEP_LINE = re.compile(r"^- ")
SYNTAX_IN_CUE = re.compile(r"\bZ\d\b|press lap|\bramp\b|\bfreeride\b|\b\d+x\b", re.IGNORECASE)


@pytest.mark.parametrize(
    "note",
    ["stay in Z2, ramp the last 5min", "3x strides after -- press lap when done", "freeride 10min then Z4",
     "- 5x hills", "Z5 6x 400m @ 90%"],
)
def test_cues_and_notes_stay_text(note: str) -> None:
    """Intervals.icu reads zone codes, `press lap`, `ramp`, `Nx` and durations anywhere in a step line
    (forum.intervals.icu thread 4725 reply 29; thread 1163): a note must not add a target or a step."""
    result = text_of(f'"10min @easy -- {note}", "lap -- {note}"', notes=note)
    lines = result.data.splitlines()
    steps = [line for line in lines if STEP_LINE.match(line)]
    assert len(steps) == 2, result.data
    assert not lines[0].startswith("-") and not lines[0].strip().endswith("x")
    assert [line for line in lines if re.fullmatch(r"\d+x", line.strip())] == []
    for line in steps:
        cue = line[2:].rsplit(" Press lap", 1)[0]
        assert not SYNTAX_IN_CUE.search(cue.replace("5:30-5:10/km Pace", "")), line
    assert steps[0].endswith("10m 5:30-5:10/km Pace")
    assert steps[1].endswith("10m Press lap"), "a lap step keeps a placeholder duration"


def test_lap_rest_gets_a_short_placeholder() -> None:
    assert text_of('"rest lap"').data == "- Rest 2m Press lap\n"


@pytest.mark.parametrize("steps", ['"20min @140-150bpm"', '"20min @z2"', '"20min @70-75%max"'])
def test_heart_rate_targets_warn_that_intervals_uses_its_own_settings(steps: str) -> None:
    warnings = text_of(steps, max_hr=188).warnings
    notice = [w for w in warnings if "its own athlete settings" in w]
    assert len(notice) == 1 and "max HR 188" in notice[0] and not notice[0].startswith("session")


def test_pace_targets_need_no_settings_notice() -> None:
    assert not any("athlete settings" in w for w in text_of('"20min @easy"').warnings)


# What we infer of Intervals.icu's parser (forum.intervals.icu threads 1163, 4725 reply 29, 123701;
# docs/destinations.md): a line starting with `-` is a step; `Nx` (also `N x`) in a line before a
# block opens a repeat; on a step line, durations (`10m`, `30s`, `1h`, `5'`), distances (`2km`,
# `1mi`, `400mtr`), paces (`4:30/km`), percentages, watts, rpm and zone codes are read anywhere,
# even inside the cue. Spelled-out units are treated as readable too (unknown, so avoided).
REPEAT_OPENER = re.compile(r"(?<![\w.])\d+\s*[x×](?![a-wyz])", re.IGNORECASE)
READABLE = re.compile(
    r"\bz\s*\d\b|\d+(?:[.,:]\d+)*\s*(?:h|hrs?|hours?|m|mins?|minutes?|s|secs?|seconds?|km|k|mi|"
    r"miles?|mtr|metres?|meters?|w|watts?|rpm|bpm|'|\"|%)(?![a-z])|\d+(?::\d+)?\s*/\s*(?:km|mi)"
    r"|press\s*lap|\bramp\b|free\s*ride",
    re.IGNORECASE,
)
HOSTILE = [
    "Add 4x hill sprints",
    "6 x 400m with 90 s jog",
    "2×1km then 4x400",
    "- then 3 x 1 mile at 7:00/mi",
    "* 10 minutes at 3:30/km, Z2-Z3, 90 % max, 150 bpm",
    "ramp for 1h30 then press lap",
    "strides 8 X 20 secs",
]


def intervals_reading(text: str) -> tuple[list[str], list[str], list[str]]:
    """(step lines, repeat openers, lines before the first step) as we infer the parser sees them."""
    lines = text.splitlines()
    steps = [line for line in lines if line.startswith("-")]
    openers = [line for line in lines if not line.startswith("-") and REPEAT_OPENER.search(line)]
    first = next((i for i, line in enumerate(lines) if line.startswith("-")), len(lines))
    return steps, openers, lines[:first]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_notes_names_and_cues_never_make_repeats_targets_or_steps(hostile: str) -> None:
    """Issue 26: a session note `Add 4x hill sprints` reached the text with its `4x`."""
    steps = f'"10min @easy -- {hostile}", "lap -- {hostile}", {{ repeat = 3, steps = ["1km @5k -- {hostile}"] }}'
    body = f'[[session]]\nday = "tue"\nname = "S"\nnotes = "{hostile}"\nsteps = [{steps}]\n'
    session = compile_text(body).plan.sessions[0]
    text = encode_intervals_text(session, max_hr=188).data
    step_lines, openers, head = intervals_reading(text)
    assert len(step_lines) == 3, text
    assert openers == ["3x"], text  # only progsync's own repeat
    assert head[0] and not head[0].startswith(("-", "*")), text
    amounts = ("10m 5:30-5:10/km Pace", "10m Press lap", "1km 3:45-3:35/km Pace")
    for line, amount in zip(step_lines, amounts, strict=True):
        assert line.endswith(amount), line
        cue = line[2 : -len(amount)]
        assert not READABLE.search(cue) and not REPEAT_OPENER.search(cue), line


def test_a_note_keeps_its_words() -> None:
    note = text_of('"10min @easy"', notes="Add 4x hill sprints of 10s, Z2 between").data.splitlines()[0]
    assert note == "Add 4 times hill sprints of 10s, zone 2 between"
