"""Coaching checks: what a good progression run and a good training week look like.

Each rule of `rules.RULES` is one function, registered under its code in `SESSION_RULES` (one
session at a time, here) or `weeks.WEEK_RULES` (a timeline of weeks), and reported as a warning
`Issue` whose code is the rule's name, with the numbers that tripped it and a suggestion. The
facts every rule reads are `facts.py`'s. Pure: the plans (with the profiles they were compiled
with) come in, issues go out (`run_checks`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from .errors import Issue
from .model import (
    Session,
)
from .profile import Profile
from .records import record
from .rules import Settings, parse_settings
from .units import Units, format_duration, format_pace

if TYPE_CHECKING:
    from .activity import Activity
    from .plan import Compiled

from .facts import (
    Facts,
    Segment,
    Shape,
    _delta,
    _issue,
    _limit_pace,
    _pace,
    activity_facts,
    session_facts,
)
from .weeks import (
    week_issues,
)


@record
class _Run:
    """What the progression rules look at in one session."""

    session: Session
    shape: Shape
    profile: Profile

    @property
    def units(self) -> Units:
        return self.session.units

    @property
    def stages(self) -> tuple[Segment, ...]:
        return tuple(self.shape.stages)

    @property
    def final(self) -> Segment | None:
        return self.shape.stages[-1] if self.shape.stages else None


def _progression_continuous(run: _Run, settings: Settings) -> list[Issue]:
    session, shape = run.session, run.shape
    out: list[Issue] = []
    code = "progression-continuous"
    if settings.enabled(code) and shape.breaks:
        stops = ", ".join(f"step {b.index} '{b.text}'" for b in shape.breaks[:3])
        out.append(
            _issue(
                code,
                session,
                f"the progression stops inside the build: {stops}",
                "run the stages back to back; keep easy running for the warm-up and cool-down, "
                "or make it an interval session",
            )
        )
    return out


def _progression_gradual(run: _Run, settings: Settings) -> list[Issue]:
    session, units, stages = run.session, run.units, run.stages
    out: list[Issue] = []
    code = "progression-gradual"
    if settings.enabled(code) and len(stages) >= 2:
        limit = settings.number(code, "max_jump")
        slower: list[str] = []
        jumps: list[str] = []
        for k, (a, b) in enumerate(pairwise(stages), start=2):
            if a.pace is None or b.pace is None:
                continue
            step = a.pace - b.pace
            if step < 0:
                slower.append(f"stage {k} ({_pace(b.pace, units)}) after {_pace(a.pace, units)}")
            elif step > limit + 0.5:
                jumps.append(
                    f"stage {k} jumps {_delta(step, units)} "
                    f"({format_pace(a.pace, units, suffix=False)} → {_pace(b.pace, units)})"
                )
        if slower:
            out.append(
                _issue(
                    code,
                    session,
                    "the progression slows down: " + "; ".join(slower),
                    "order the stages from slowest to fastest",
                )
            )
        if jumps:
            out.append(
                _issue(
                    code,
                    session,
                    "; ".join(jumps) + f" (at most {_delta(limit, units)} between stages)",
                    (
                        f"use stages = {_stages_for(session, limit, run.profile)} "
                        "or a closer starting pace"
                        if session.progression
                        else "add a stage in between or bring the paces closer"
                    ),
                )
            )
    return out


def _progression_patient_start(run: _Run, settings: Settings) -> list[Issue]:
    session, units, stages, final, shape = run.session, run.units, run.stages, run.final, run.shape
    out: list[Issue] = []
    code = "progression-patient-start"
    if settings.enabled(code) and stages:
        shortest = settings.number(code, "min_opening")
        gap = settings.number(code, "min_gap")
        opening = shape.opening
        if opening.seconds + 0.5 < shortest:
            out.append(
                _issue(
                    code,
                    session,
                    f"the easy opening lasts {format_duration(opening.seconds)}, "
                    f"less than {format_duration(shortest)}",
                    f"start with at least {format_duration(shortest)} easy before the first stage",
                )
            )
        if (
            final is not None
            and final.pace is not None
            and opening.pace is not None
            and opening.pace - final.pace < gap - 0.5
        ):
            out.append(
                _issue(
                    code,
                    session,
                    f"the run opens at {_pace(opening.pace, units)}, within "
                    f"{_delta(opening.pace - final.pace, units)} of the final "
                    f"{_pace(final.pace, units)}",
                    "open at easy pace and let the stages do the building",
                )
            )
    return out


def _progression_controlled_finish(run: _Run, settings: Settings) -> list[Issue]:
    session, units, final = run.session, run.units, run.final
    out: list[Issue] = []
    code = "progression-controlled-finish"
    if settings.enabled(code) and final is not None and final.pace is not None:
        found = _limit_pace(settings.text(code, "limit"), run.profile, units)
        if found is not None and final.pace < found[0] - 2:
            limit_pace, label = found
            out.append(
                _issue(
                    code,
                    session,
                    f"the last stage ({_pace(final.pace, units)}) is faster than "
                    f"{label} pace ({_pace(limit_pace, units)})",
                    f"finish at {label} pace or slower: strong, not all-out",
                )
            )
    return out


def _progression_stage_length(run: _Run, settings: Settings) -> list[Issue]:
    session, stages = run.session, run.stages
    out: list[Issue] = []
    code = "progression-stage-length"
    if settings.enabled(code) and stages:
        lo = settings.number(code, "min_stage")
        hi = settings.number(code, "max_stage")
        wrong = [
            f"stage {k} lasts {format_duration(s.seconds)}"
            for k, s in enumerate(stages, start=1)
            if s.seconds and (s.seconds + 0.5 < lo or s.seconds - 0.5 > hi)
        ]
        if wrong:
            out.append(
                _issue(
                    code,
                    session,
                    "; ".join(wrong)
                    + f" (stages last {format_duration(lo)} to {format_duration(hi)})",
                    "change the number of stages or the length of the run",
                )
            )
    return out


def _progression_size(run: _Run, settings: Settings) -> list[Issue]:
    session, shape = run.session, run.shape
    out: list[Issue] = []
    code = "progression-size"
    if settings.enabled(code):
        lo = settings.number(code, "min_total")
        hi = settings.number(code, "max_total")
        if shape.seconds and (shape.seconds + 0.5 < lo or shape.seconds - 0.5 > hi):
            out.append(
                _issue(
                    code,
                    session,
                    f"the progression lasts {format_duration(shape.seconds)} "
                    f"(warm-up to last stage); a progression run lasts "
                    f"{format_duration(lo)} to {format_duration(hi)}",
                    "make it shorter, or a long run with a fast finish"
                    if shape.seconds > hi
                    else "make it longer, or run it as a tempo",
                )
            )
    return out


#: The session rules, one function per rule code, in the order their warnings are listed.
SESSION_RULES: dict[str, Callable[[_Run, Settings], list[Issue]]] = {
    "progression-continuous": _progression_continuous,
    "progression-gradual": _progression_gradual,
    "progression-patient-start": _progression_patient_start,
    "progression-controlled-finish": _progression_controlled_finish,
    "progression-stage-length": _progression_stage_length,
    "progression-size": _progression_size,
}


def progression_issues(facts: Facts, settings: Settings) -> list[Issue]:
    """The progression rules for one session."""
    if facts.shape is None:
        return []
    run = _Run(facts.session, facts.shape, facts.profile)
    return [issue for rule in SESSION_RULES.values() for issue in rule(run, settings)]


def _stages_for(session: Session, limit: float, profile: Profile) -> int:
    info = session.progression
    if info is None:
        return 0
    start = _limit_pace(info.start, profile, session.units)
    finish = _limit_pace(info.to, profile, session.units)
    if start is None or finish is None:
        return info.stages + 1
    return stages_needed(start[0] - finish[0], limit)


def stages_needed(gap: float, max_jump: float) -> int:
    """Fewest stages that climb `gap` s/km in jumps of at most `max_jump`."""
    import math

    return max(1, math.ceil(gap / max_jump - 1e-9)) if max_jump > 0 else 1


# -- the whole check ----------------------------------------------------------------------------
def merge_tables(*layers: Mapping[str, Any] | None) -> dict[str, Any]:
    """`[checks]` tables, later ones winning: `disable` lists add up, rule tables merge."""
    out: dict[str, Any] = {}
    for layer in layers:
        for key, value in (layer or {}).items():
            if key == "disable":
                names = value if isinstance(value, list) else [value]
                out["disable"] = [*out.get("disable", []), *names]
            elif isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
                out[key] = {**out[key], **value}
            else:
                out[key] = value
    return out


def run_checks(
    plans: Sequence[Compiled],
    config_table: Mapping[str, Any] | None = None,
    history: Sequence[Compiled] = (),
    actual: Sequence[Activity] = (),
    actual_source: str | None = None,
) -> list[Issue]:
    """Every coaching warning of `plans`; `history` sessions only inform the week rules.

    `actual`: completed activities of the weeks before (`check --history-from`), which inform
    the week rules as what was really run (their messages say so, naming `actual_source`).

    Plans with the same name are one athlete's timeline (a block split over files); history is
    added to every timeline. Warnings repeated by a session written once for many weeks are
    reported once, with the dates.
    """
    groups: dict[str, list[Compiled]] = {}
    for compiled in plans:
        groups.setdefault(compiled.plan.name, []).append(compiled)
    issues: list[Issue] = []
    history_facts = [session_facts(s, c.profile) for c in history for s in c.plan.sessions]
    for group in groups.values():
        settings = parse_settings(merge_tables(config_table, group[0].checks))
        facts = [session_facts(s, c.profile) for c in group for s in c.plan.sessions]
        issues.extend(_folded_progression_issues(facts, settings))
        reported = {c.plan.source_files[0] for c in group if c.plan.source_files}
        starts = [c.plan.start for c in group if c.plan.start is not None]
        actual_facts = activity_facts(actual, group[0].profile) if actual else []
        everything = [*actual_facts, *history_facts, *facts]
        if not everything:
            continue
        first = min(f.session.date for f in [*history_facts, *facts] or everything)
        anchor = min(starts) if starts else first - dt.timedelta(days=first.weekday())
        issues.extend(
            week_issues(
                everything,
                settings,
                anchor,
                reported,
                group[0].plan.units,
                actual_source,
                min(starts) if starts else None,
            )
        )
    return issues


def _folded_progression_issues(facts: Sequence[Facts], settings: Settings) -> list[Issue]:
    """The progression rules, once per rule and place when a session repeats over weeks."""
    found: dict[tuple[Any, ...], tuple[Issue, list[Session]]] = {}
    for f in facts:
        if not f.is_run:
            continue
        for issue in progression_issues(f, settings):
            loc = issue.location
            key = (issue.code, loc.file if loc else None, loc.line if loc else None, issue.message)
            found.setdefault(key, (issue, []))[1].append(f.session)
    out: list[Issue] = []
    for issue, sessions in found.values():
        if len(sessions) > 1:
            dates = ", ".join(s.date.isoformat() for s in sessions[:4])
            more = " …" if len(sessions) > 4 else ""
            context = f"session '{sessions[0].name}' ({len(sessions)} times: {dates}{more})"
            issue = replace(issue, context=context)
        out.append(issue)
    return out
