"""Bad input is the common case: each error names file, line, column and the text, with a hint."""

from __future__ import annotations

import pytest

from progsync.workouts.errors import InputError
from progsync.workouts.plan import compile_plan

from .conftest import ATHLETE

HEAD = '[plan]\nname = "P"\nstart = 2026-11-23\n\n'

# (plan body after the [plan] header, message fragment, hint fragment, line number, quoted text)
CASES = [
    ('[[session]]\nday = "tue"\nsteps = ["10min @marthon"]\n', "unknown pace 'marthon'", "did you mean 'marathon'", 7, "marthon"),
    ('[[session]]\nday = "tue"\nsteps = ["10min @4.30"]\n', "unknown target '4.30'", "4:30", 7, "4.30"),
    ('[[session]]\nday = "tue"\nsteps = ["10 furlongs"]\n', "is not an amount", "say how long", 7, "10 furlongs"),
    ('[[session]]\nday = "tue"\nsteps = ["5 x 1km"]\n', "is not an amount", "repeat = 5", 7, "5 x 1km"),
    ('[[session]]\nday = "thur"\nsteps = ["10min"]\n', "'thur' is not a day", "did you mean 'thu'", 6, None),
    ('[[session]]\nsteps = ["10min"]\n', "needs a day or a date", "day = ", 5, None),
    ('[[session]]\nday = "tue"\n', "needs steps or a progression", "steps = [", 5, None),
    ('[[session]]\nday = "tue"\nstep = ["10min"]\n', "unknown key 'step'", "did you mean 'steps'", 7, None),
    ('[[session]]\nday = "tue"\nweek = 0\nsteps = ["10min"]\n', "is not a week number", "count from 1", 7, None),
    ('[[session]]\ndate = 2026-11-24\nday = "tue"\nsteps = ["10min"]\n', "has a date and also a day", None, 6, None),
    ('[[session]]\nday = "tue"\nworkout = "tempo"\n', "unknown workout 'tempo'", "[workout.tempo]", 7, None),
    ('[workout.tempo]\nsteps = ["20min @threshold"]\n[[session]]\nday = "tue"\nworkout = "tmepo"\n', "unknown workout 'tmepo'", "did you mean 'tempo'", 9, None),
    ('[[session]]\nday = "tue"\nsteps = [{ repeat = 0, steps = ["1km"] }]\n', "repeat = 0 is not a count", "1 to 99", 7, None),
    ('[[session]]\nday = "tue"\nsteps = [{ repeat = 3, step = ["1km"] }]\n', "unknown key 'step' in a repeat", None, 7, None),
    ('[[session]]\nday = "tue"\nsteps = [42]\n', "not a step", "a step is a string", 7, None),
    ('[[session]]\nday = "tue"\nsteps = "10min"\n', "steps must be a list", None, 7, None),
    ('[[session]]\nday = "tue"\nprogression = { duration = "60min", to = "marthon" }\n', "unknown pace 'marthon'", "marathon", 7, None),
    ('[[session]]\nday = "tue"\nprogression = { duration = "60min", from = "marathon", to = "easy" }\n', "is not faster than", "finishes faster", 7, None),
    ('[[session]]\nday = "tue"\nprogression = { duration = "60min", to = "marathon", stages = 0 }\n', "stages = 0", "1 to 20", 7, None),
    ('[[session]]\nday = "tue"\nprogression = { to = "marathon" }\n', "exactly one of duration or distance", None, 7, None),
    ('[[session]]\nday = "tue"\nprogression = { duration = "60min", to = "marathon", easy = "120%" }\n', "is not a share", "60%", 7, None),
    ('[[session]]\nday = "tue"\nprogression = { duration = "60min", to = "z4" }\n', "is not a pace", "progressions build pace", 7, None),
    ('[[session]]\nday = "tue"\nsport = "skiing"\nsteps = ["10min"]\n', "unknown sport 'skiing'", None, 7, None),
    ('[[session]]\nday = "tue"\ntime = "25:00"\nsteps = ["10min"]\n', "not a time of day", "07:30", 7, None),
    ('[athlete]\npaces = { easy = "5:3o" }\n[[session]]\nday = "tue"\nsteps = ["10min"]\n', "not a pace", "minutes:seconds", 6, None),
    ('[athlete]\nmax_hr = 1880\n[[session]]\nday = "tue"\nsteps = ["10min"]\n', "is not a heart rate", None, 6, None),
    ('[athlete]\npace = { easy = "5:30" }\n[[session]]\nday = "tue"\nsteps = ["10min"]\n', "unknown athlete key 'pace'", "did you mean 'paces'", 6, None),
    ('[athlete]\nrace = "10k fast"\n[[session]]\nday = "tue"\nsteps = ["10min"]\n', "bad time", None, 6, None),
    ('[[session]]\nday = tue\nsteps = ["10min"]\n', "TOML syntax", "need quotes", 6, None),
    ('[[session]]\nday = "tue"\nsteps = ["10min", \n', "TOML syntax", None, None, None),
    ('[[session]]\nid = "a"\nday = "tue"\nsteps = ["10min"]\n[[session]]\nid = "a"\nday = "wed"\nsteps = ["10min"]\n', "two sessions have id = 'a'", "unique", 10, None),
    ('[sessions]\nday = "tue"\n', "unknown key 'sessions'", "did you mean 'session'", 5, None),
]


@pytest.mark.parametrize(("body", "message", "hint", "line", "quoted"), CASES)
def test_malformed_plans(body: str, message: str, hint: str | None, line: int | None, quoted: str | None) -> None:
    with pytest.raises(InputError) as caught:
        compile_plan(HEAD + body, "plans/bad.toml", ATHLETE)
    issue = caught.value.issues[0]
    assert message in issue.message, issue.render()
    if hint:
        assert hint in (issue.hint or ""), issue.render()
    assert issue.location is not None and issue.location.file == "plans/bad.toml"
    if line is not None:
        assert issue.location.line == line, issue.render()
    rendered = caught.value.render()
    assert rendered.startswith("plans/bad.toml:")
    if quoted:
        col, row = issue.location.column, issue.location.line
        assert col is not None and row is not None
        source = (HEAD + body).splitlines()[row - 1]
        assert source[col - 1 : col - 1 + len(quoted)] == quoted


def test_rendered_error_shows_caret_under_the_text() -> None:
    with pytest.raises(InputError) as caught:
        compile_plan(HEAD + '[[session]]\nday = "tue"\nsteps = ["10min @marthon"]\n', "p.toml", ATHLETE)
    text = caught.value.render()
    assert 'p.toml:7:18: error: unknown pace' in text
    assert "^^^^^^^" in text
    assert "hint: did you mean 'marathon'?" in text
