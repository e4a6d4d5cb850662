"""The signature session: a continuous run that starts easy and gets faster in even stages.

`progression = { duration = "60min", from = "easy", to = "marathon", stages = 3, easy = "50%" }`
expands to an opening block at `from` for the `easy` share, then `stages` equal stages whose paces
step evenly from `from` towards `to`, the last exactly at `to`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from .dsl import MAX_STEP_METRES, MAX_STEP_SECONDS, parse_step, parse_target
from .errors import StepSyntaxError, did_you_mean
from .model import End, PaceTarget, ProgressionInfo, Step
from .profile import Profile
from .records import record
from .units import Units, format_pace, is_duration, parse_distance, parse_duration

PROGRESSION_KEYS = ("duration", "distance", "from", "to", "stages", "easy", "warmup", "cooldown")


@record
class ProgressionProblem(Exception):
    """A key of a progression table that is wrong; `key` names it for the error location."""

    key: str
    message: str
    hint: str | None = None


def parse_share(value: Any) -> float:
    """`"70%"`, `70`, `0.7` → 0.7."""
    if isinstance(value, str):
        text = value.strip().rstrip("%").strip()
        share = float(text) / 100
    elif isinstance(value, int | float) and not isinstance(value, bool):
        share = float(value) / 100 if value > 1 else float(value)
    else:
        raise ValueError(value)
    return share


def expand_progression(
    spec: Mapping[str, Any], units: Units, profile: Profile
) -> tuple[tuple[Step, ...], ProgressionInfo]:
    """The steps of a progression run; ProgressionProblem names the key that is wrong."""
    for key in spec:
        if key not in PROGRESSION_KEYS:
            raise ProgressionProblem(
                key,
                f"unknown progression key '{key}'",
                did_you_mean(key, PROGRESSION_KEYS) or f"keys: {', '.join(PROGRESSION_KEYS)}",
            )
    if ("duration" in spec) == ("distance" in spec):
        raise ProgressionProblem(
            "duration",
            "a progression needs exactly one of duration or distance",
            'e.g. duration = "60min" or distance = "12km"',
        )
    by: Literal["time", "distance"] = "time" if "duration" in spec else "distance"
    raw_total = spec["duration" if by == "time" else "distance"]
    try:
        if by == "time":
            total = parse_duration(str(raw_total))
        else:
            text = str(raw_total)
            if is_duration(text):
                raise StepSyntaxError("that is a time", hint="use duration = ... for a time")
            total = parse_distance(text, units)
    except StepSyntaxError as exc:
        raise ProgressionProblem(
            "duration" if by == "time" else "distance", exc.message, exc.hint
        ) from None
    if total <= 0:
        raise ProgressionProblem(by, "a progression needs a positive length")
    if total > (MAX_STEP_SECONDS if by == "time" else MAX_STEP_METRES):
        raise ProgressionProblem(
            "duration" if by == "time" else "distance",
            f"'{raw_total}' is longer than a day or 1000 km",
            "check the amount and its unit",
        )

    stages = spec.get("stages", 3)
    if isinstance(stages, bool) or not isinstance(stages, int) or not 1 <= stages <= 20:
        raise ProgressionProblem("stages", f"stages = {stages!r}", "a whole number from 1 to 20")

    try:
        easy = parse_share(spec.get("easy", "50%"))
        if not 0 <= easy < 1:
            raise ValueError
    except ValueError:
        raise ProgressionProblem(
            "easy", f"easy = {spec.get('easy')!r} is not a share", 'e.g. easy = "60%"'
        ) from None

    start_label = str(spec.get("from", "easy"))
    if "to" not in spec:
        raise ProgressionProblem(
            "to", "a progression needs a finishing pace", 'e.g. to = "marathon" or to = "4:05"'
        )
    to_label = str(spec["to"])
    start = _pace(start_label, "from", units, profile)
    finish = _pace(to_label, "to", units, profile)
    if finish.centre >= start.centre:
        raise ProgressionProblem(
            "to",
            f"'{to_label}' ({format_pace(finish.centre, units)}) is not faster than "
            f"'{start_label}' ({format_pace(start.centre, units)})",
            "a progression finishes faster than it starts",
        )

    body_share = (1 - easy) / stages
    quantum = 1.0 if by == "time" else 10.0
    stage_amount = round(total * body_share / quantum) * quantum
    opening = total - stage_amount * stages

    steps: list[Step] = []
    if "warmup" in spec:
        steps.append(_extra_step(spec["warmup"], "warmup", units, profile))
    if opening > 0:
        steps.append(
            Step(
                kind="run",
                end=End(kind=by, value=opening),
                target=start,
                name="Easy start" if start_label == "easy" else f"Start @{start_label}",
                note="relaxed, conversational",
            )
        )
    tol = profile.pace_tolerance
    for k in range(1, stages + 1):
        if k == stages:
            target = finish
        else:
            centre = start.centre + (finish.centre - start.centre) * k / stages
            target = PaceTarget(
                slow=centre + tol, fast=centre - tol, label=format_pace(centre, units, suffix=False)
            )
        steps.append(
            Step(
                kind="run",
                end=End(kind=by, value=stage_amount),
                target=target,
                name=f"Stage {k}/{stages}",
                note="finish strong, not all-out" if k == stages else None,
            )
        )
    if "cooldown" in spec:
        steps.append(_extra_step(spec["cooldown"], "cooldown", units, profile))
    info = ProgressionInfo(
        start=start_label, to=to_label, stages=stages, easy_share=easy, by=by, total=total
    )
    return tuple(steps), info


def _pace(label: str, key: str, units: Units, profile: Profile) -> PaceTarget:
    try:
        target = parse_target(label, units, profile)
    except StepSyntaxError as exc:
        raise ProgressionProblem(key, exc.message, exc.hint) from None
    if not isinstance(target, PaceTarget):
        raise ProgressionProblem(
            key,
            f"{key} = '{label}' is not a pace",
            "progressions build pace: use a named pace (easy, marathon) or a pace like 4:10",
        )
    return target


def _extra_step(value: Any, kind: str, units: Units, profile: Profile) -> Step:
    text = str(value).strip()
    if not text.lower().startswith(kind):
        text = f"{kind} {text}"
    if "@" not in text:
        text += " @easy"
    try:
        step, _ = parse_step(text, units, profile)
    except StepSyntaxError as exc:
        raise ProgressionProblem(kind, exc.message, exc.hint) from None
    return step
