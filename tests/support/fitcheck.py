"""Decoding our FIT files with Garmin's own SDK, integrity checks on, back into comparable steps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from garmin_fit_sdk import Decoder, Stream

from progsync.workouts.model import (
    Block,
    HeartRateTarget,
    HeartRateZoneTarget,
    PaceTarget,
    PowerTarget,
    PowerZoneTarget,
    Repeat,
    Step,
)

if TYPE_CHECKING:
    # Only in the SDK's bundled stubs (mesgs.pyi): there is no garmin_fit_sdk.mesgs at run time.
    from garmin_fit_sdk.mesgs import FitMessages


def decode(data: bytes) -> FitMessages:
    """Decode with CRC and integrity checks; fail loudly on any SDK error."""
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit()
    assert decoder.check_integrity(), "FIT CRC/integrity check failed"
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    assert errors == [], errors
    return messages


def expected_messages(blocks: tuple[Block, ...]) -> list[tuple[Any, ...]]:
    """What each workout_step should decode to: comparable tuples built from the model."""
    out: list[tuple[Any, ...]] = []

    def add(items: tuple[Block, ...]) -> None:
        for block in items:
            if isinstance(block, Repeat):
                first = len(out)
                add(block.steps)
                out.append(("repeat_until_steps_cmplt", first, block.count))
                continue
            out.append(_step(block))

    add(blocks)
    return out


def _step(step: Step) -> tuple[Any, ...]:
    end = step.end
    if end.kind == "time":
        duration: tuple[Any, ...] = ("time", round((end.value or 0) * 1000))
    elif end.kind == "distance":
        duration = ("distance", round((end.value or 0) * 100))
    elif end.kind == "lap":
        duration = ("open", None)
    elif end.kind == "calories":
        duration = ("calories", round(end.value or 0))
    else:
        kind = "hr_less_than" if end.kind == "hr_below" else "hr_greater_than"
        duration = (kind, round(end.value or 0) + 100)
    target = step.target
    if isinstance(target, PaceTarget):
        tgt: tuple[Any, ...] = ("speed", 0, round(target.slow_mps * 1000), round(target.fast_mps * 1000))
    elif isinstance(target, HeartRateTarget):
        tgt = ("heart_rate", 0, target.low + 100, target.high + 100)
    elif isinstance(target, HeartRateZoneTarget):
        tgt = ("heart_rate", target.zone, None, None)
    elif isinstance(target, PowerTarget):
        tgt = ("power", 0, target.low + 1000, target.high + 1000)
    elif isinstance(target, PowerZoneTarget):
        tgt = ("power", target.zone, None, None)
    else:
        tgt = ("open", None, None, None)
    intensity = {"run": "active", "rest": "rest", "warmup": "warmup", "cooldown": "cooldown", "recover": "recovery"}
    return (*duration, *tgt, intensity[step.kind])


def decoded_messages(messages: FitMessages) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    # Read as plain dicts: the SDK's bundled stubs spell enum values in camelCase
    # ("repeatUntilStepsCmplt") where its decoder returns snake_case ("repeat_until_steps_cmplt").
    steps: list[dict[str, Any]] = [dict(m) for m in messages["workout_step_mesgs"]]
    for index, m in enumerate(steps):
        assert m["message_index"] == index
        if m["duration_type"] == "repeat_until_steps_cmplt":
            out.append(("repeat_until_steps_cmplt", m["duration_value"], m["target_value"]))
            continue
        out.append(
            (
                m["duration_type"],
                m.get("duration_value"),
                m["target_type"],
                m.get("target_value"),
                m.get("custom_target_value_low"),
                m.get("custom_target_value_high"),
                m["intensity"],
            )
        )
    return out
