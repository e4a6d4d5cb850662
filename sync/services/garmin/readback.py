"""What Garmin stored, compared with what was sent: sport, step types, end conditions, target
type ids and values. Garmin has been seen to accept a workout with HTTP 200 and store something
else (python-garminconnect #333, #370; garmin_mcp #112, #123), so every upload and replace is
read back (free for uploads: the reply is the stored workout).
"""

from __future__ import annotations

from typing import Any


# -- read-back ----------------------------------------------------------------------------------
def _shape(steps: list[dict[str, Any]], path: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for index, step in enumerate(steps, start=1):
        where = f"{path}{index}"
        out.append(
            (where, ("type", step.get("type"), (step.get("stepType") or {}).get("stepTypeId")))
        )
        end = step.get("endCondition") or {}
        value = step.get("endConditionValue")
        if end.get("conditionTypeId") != 1 and value is not None:
            value = round(float(value), 2)
        else:
            value = None
        out.append((where, ("end", end.get("conditionTypeId"), value)))
        if step.get("type") == "RepeatGroupDTO":
            out.append((where, ("repeat", step.get("numberOfIterations"))))
            out.extend(_shape(step.get("workoutSteps") or [], f"{where}."))
            continue
        target = step.get("targetType") or {}
        values = sorted(
            round(float(v), 3)
            for v in (step.get("targetValueOne"), step.get("targetValueTwo"))
            if v is not None
        )
        out.append(
            (
                where,
                (
                    "target",
                    target.get("workoutTargetTypeId"),
                    tuple(values),
                    step.get("zoneNumber"),
                ),
            )
        )
    return out


def compare_stored(sent: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """Differences between a sent workout and what Garmin stored, one line per step."""
    problems = []
    sent_sport = sent["sportType"]["sportTypeId"]
    stored_sport = (stored.get("sportType") or {}).get("sportTypeId")
    if sent_sport != stored_sport:
        problems.append(f"sport {stored_sport} stored, {sent_sport} sent")
    ours = _shape(sent["workoutSegments"][0]["workoutSteps"])
    segments = stored.get("workoutSegments") or [{}]
    theirs = _shape(segments[0].get("workoutSteps") or [])
    if len(ours) != len(theirs):
        problems.append(
            f"{len(theirs) // 3 or len(theirs)} steps stored, different from what was sent"
        )
        return problems
    for (where, mine), (_, stored_value) in zip(ours, theirs, strict=True):
        if mine != stored_value:
            problems.append(
                f"step {where}: {mine[0]} stored as {stored_value[1:]}, sent {mine[1:]}"
            )
    return problems
