"""FIT workout files: written with Garmin's Encoder, checked by Garmin's Decoder."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from progsync.workouts.encode import describe_session
from progsync.workouts.fit import encode_fit, workout_name
from progsync.workouts.model import (
    End,
    HeartRateTarget,
    HeartRateZoneTarget,
    OpenTarget,
    PaceTarget,
    PowerTarget,
    Repeat,
    Session,
    Step,
    iter_steps,
)
from progsync.workouts.plan import compile_plan

from .conftest import WEEK_FIXTURE, compile_text
from .support import FIXTURES
from .support.fitcheck import decode, decoded_messages, expected_messages

if TYPE_CHECKING:
    # Only in the SDK's bundled stubs (mesgs.pyi): there is no garmin_fit_sdk.mesgs at run time.
    from garmin_fit_sdk.mesgs import FitMessages

SAMPLES = FIXTURES / "fit-sdk-samples"


def example_sessions() -> list[Session]:
    path = WEEK_FIXTURE
    return list(compile_plan(path.read_text(), str(path), {}).plan.sessions)


@pytest.mark.parametrize("session", example_sessions(), ids=lambda s: s.slug)
def test_every_example_session_decodes_and_matches(session: Session) -> None:
    data = encode_fit(session).data
    messages = decode(data)
    (file_id,) = messages["file_id_mesgs"]
    assert file_id["type"] == "workout"
    (workout,) = messages["workout_mesgs"]
    assert workout["wkt_name"] == workout_name(session)
    assert session.name.startswith(workout["wkt_name"])
    assert workout["sport"] == "running"
    assert workout["num_valid_steps"] == len(messages["workout_step_mesgs"])
    assert decoded_messages(messages) == expected_messages(session.steps)


def test_output_is_deterministic_and_dated_by_the_session() -> None:
    session = example_sessions()[1]
    assert encode_fit(session).data == encode_fit(session).data
    created = decode(encode_fit(session).data)["file_id_mesgs"][0]["time_created"]
    assert created == dt.datetime(2026, 11, 24, tzinfo=dt.UTC)


def test_names_and_notes_reach_the_file() -> None:
    sessions = example_sessions()
    strides = next(s for s in sessions if "strides" in s.name)
    steps = decode(encode_fit(strides).data)["workout_step_mesgs"]
    assert any(m.get("notes") == "smooth and tall" for m in steps)
    long_run = next(s for s in sessions if s.progression)
    names = [m.get("wkt_step_name") for m in decode(encode_fit(long_run).data)["workout_step_mesgs"]]
    assert names == ["Easy start", "Stage 1/3", "Stage 2/3", "Stage 3/3"]


def test_session_written_like_the_repeat_sample_encodes_to_the_same_steps() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "tue"
        name = "Example 2"
        steps = ["warmup 1min @z2", { repeat = 3, steps = ["500m @pz5", "500m @pz3"] }, "cooldown hr<125 @pz1"]
        """
    )
    ours = decode(encode_fit(compiled.plan.sessions[0]).data)["workout_step_mesgs"]
    theirs = decode((SAMPLES / "WorkoutRepeatSteps.fit").read_bytes())["workout_step_mesgs"]
    keys = ("message_index", "duration_type", "duration_value", "target_type", "target_value", "intensity")
    assert [tuple(m.get(k) for k in keys) for m in ours] == [tuple(m.get(k) for k in keys) for m in theirs]


def test_custom_targets_use_fit_offsets() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "tue"
        steps = ["1min @50-60%max", "500m @300-310w", "10min @4:00-4:10", "50kcal @140-150bpm"]
        """
    )
    steps = decode(encode_fit(compiled.plan.sessions[0]).data)["workout_step_mesgs"]
    assert (steps[0]["custom_target_value_low"], steps[0]["custom_target_value_high"]) == (94 + 100, 113 + 100)
    assert (steps[1]["custom_target_value_low"], steps[1]["custom_target_value_high"]) == (1300, 1310)
    assert (steps[2]["custom_target_value_low"], steps[2]["custom_target_value_high"]) == (4000, 4167)
    assert steps[3]["duration_type"] == "calories" and steps[3]["duration_value"] == 50


# --- round trip: random valid sessions → FIT → decode → the same steps ----------------------
ends = st.one_of(
    st.builds(lambda s: End(kind="time", value=float(s)), st.integers(1, 4 * 3600)),
    st.builds(lambda m: End(kind="distance", value=float(m)), st.integers(1, 50_000)),
    st.just(End(kind="lap")),
    st.builds(lambda b: End(kind="hr_below", value=float(b)), st.integers(80, 200)),
)
targets = st.one_of(
    st.just(OpenTarget()),
    st.builds(
        lambda a, w: PaceTarget(slow=float(a + w), fast=float(a), label="p"),
        st.integers(160, 600),
        st.integers(0, 30),
    ),
    st.builds(lambda z: HeartRateZoneTarget(zone=z, label="z"), st.integers(1, 5)),
    st.builds(lambda lo, w: HeartRateTarget(low=lo, high=lo + w, label="b"), st.integers(80, 180), st.integers(1, 20)),
    st.builds(lambda lo, w: PowerTarget(low=lo, high=lo + w, label="w"), st.integers(100, 500), st.integers(1, 40)),
)
steps = st.builds(
    lambda kind, end, target: Step(kind=kind, end=end, target=target),
    st.sampled_from(["warmup", "run", "recover", "rest", "cooldown"]),
    ends,
    targets,
)
blocks = st.recursive(
    steps,
    lambda inner: st.builds(
        lambda n, body: Repeat(count=n, steps=tuple(body)), st.integers(1, 20), st.lists(inner, min_size=1, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(blocks, min_size=1, max_size=6), st.text(min_size=1, max_size=40))
def test_round_trip_random_sessions(body: list[Step | Repeat], name: str) -> None:
    session = Session(
        plan="Prop",
        date=dt.date(2026, 11, 24),
        name=name,
        steps=tuple(body),
        estimated_duration_s=0,
        estimated_distance_m=0,
    )
    messages = decode(encode_fit(session).data)
    assert decoded_messages(messages) == expected_messages(session.steps)
    assert messages["workout_mesgs"][0].get("wkt_name") == workout_name(session)


def _strings(messages: FitMessages) -> list[tuple[str, str]]:
    found: list[tuple[str, object]] = []
    for workout in messages.get("workout_mesgs", []):
        found += [("wkt_name", workout.get("wkt_name")), ("wkt_description", workout.get("wkt_description"))]
    for step in messages.get("workout_step_mesgs", []):
        found += [("wkt_step_name", step.get("wkt_step_name")), ("notes", step.get("notes"))]
    return [(field, str(value)) for field, value in found if value]


def test_no_fit_string_is_cut_mid_word() -> None:
    """FIT strings have fixed sizes (16/16/50 bytes in Garmin's C SDK): cut between words only."""
    long_note = "keep the shoulders loose and the cadence quick, then build to marathon effort and hold it"
    long = compile_text(
        '[[session]]\nday = "sun"\nname = "Sunday long run with a progressive fast finish"\n'
        f'notes = "{long_note}. Finish strong, not all-out. Drink every twenty minutes."\n'
        f'steps = ["warmup 15min @easy -- {long_note}", "40min @marathon -- {long_note}"]\n'
    ).plan.sessions
    sessions = [*example_sessions(), *long]
    for session in sessions:
        words = set((session.name + " " + (session.notes or "") + " " + " ".join(
            (s.note or "") + " " + (s.name or "") for s in iter_steps(session.steps)
        )).replace(",", " ").replace(".", " ").replace("·", " ").split())
        words |= set(describe_session(session).replace(",", " ").replace(".", " ").replace(":", " ").split())
        words |= {"Run", "Running", "Warm", "up", "Warmup", "Cool", "down", "Cooldown", "Recover", "Rest"}
        for field, text in _strings(decode(encode_fit(session).data)):
            last = text.replace(",", " ").replace(".", " ").replace("·", " ").split()[-1]
            assert last in words or not last.isalpha(), (session.name, field, text)
    (messages,) = [decode(encode_fit(s).data) for s in long]
    name = messages["workout_mesgs"][0]["wkt_name"]
    assert isinstance(name, str) and "Sunday long run".startswith(name)
