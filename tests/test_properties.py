"""Random and mutated step strings only ever give a valid step or our own error type."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from progsync.workouts.dsl import parse_step
from progsync.workouts.errors import StepSyntaxError
from progsync.workouts.model import Step
from progsync.workouts.profile import build_profile

from .conftest import ATHLETE

PROFILE = build_profile(ATHLETE)
VALID = [
    "warmup 10min @easy",
    "10min @4:00",
    "1km @5k",
    "2min jog",
    "cooldown 5min @easy",
    "400m @3:30-3:35",
    "1h15min @marathon-10s",
    "90s @ 140-150bpm -- relax",
    "rest 60s",
    "lap @z2",
    "20min @rpe 6",
    "10min @250w",
    "cooldown hr<120",
    "1.5mi @6:30/mi",
    "30min @70-75%max",
]
ALPHABET = "0123456789:.-@ abcdefhijklmnoprstuvwxz%<>/+–"


def check(text: str) -> None:
    try:
        step, warnings = parse_step(text, "km", PROFILE)
    except StepSyntaxError as exc:
        assert exc.message
        assert 0 <= exc.start <= exc.end <= len(text)
        return
    assert isinstance(step, Step)
    if step.end.value is not None:
        assert step.end.value > 0
    for warning in warnings:
        assert warning.message


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=30))
def test_random_strings(text: str) -> None:
    check(text)


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(VALID), st.data())
def test_mutated_valid_strings(base: str, data: st.DataObject) -> None:
    text = base
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        char = data.draw(st.sampled_from(ALPHABET))
        if action == "insert":
            text = text[:position] + char + text[position:]
        elif action == "delete" and text:
            text = text[:position] + text[position + 1 :]
        else:
            text = text[:position] + char + text[position + 1 :]
    check(text)


@given(st.sampled_from(VALID))
def test_valid_strings_parse(text: str) -> None:
    step, _ = parse_step(text, "km", PROFILE)
    assert step.source == text.strip()
