"""`progsync review` on the terminal and as JSON: the per-session cards (steps against their
targets, marks for pace and heart rate), the week lines, and the coach-mode loop that reviews
each athlete and names the one whose account failed. The comparison itself is
`progsync.sync.app.review` (the use case) over `progsync.workouts.review` (pure).
"""

from __future__ import annotations

import json
from typing import Any

from progsync.sync.app.review import Outcome, ReviewArgs, compute
from progsync.sync.views.text import visible
from progsync.workouts.activity import Activity
from progsync.workouts.errors import InputError, Issue, ProgsyncError
from progsync.workouts.model import to_jsonable
from progsync.workouts.review import SessionReview, StepReview, WeekReview
from progsync.workouts.units import Units, format_clock, format_distance, format_pace


def run_review(args: ReviewArgs) -> int:
    if args.week is not None and (args.start or args.until):
        raise InputError([Issue("--week and --from-date/--until cannot be combined")])
    if args.members:
        return _run_members(args)
    outcome = compute(args)
    if args.as_json:
        print(json.dumps(review_json(outcome), indent=2))
        return 0
    show_review(outcome)
    return 0


def _run_members(args: ReviewArgs) -> int:
    """Coach mode: one review per athlete, each from that athlete's account (Intervals.icu with
    the coach's key and the athlete's id; Garmin with the athlete's own tokens). An athlete whose
    account fails (a 403 for an id the key may not reach) is named with the error, the others
    are still reviewed; the exit code is the worst error's."""
    import click

    from progsync.sync.app.push import member_error
    from progsync.sync.services.registry import Target
    from progsync.sync.settings.secrets import redact

    documents: list[dict[str, Any]] = []
    code = 0
    for member, config in args.members:
        try:
            outcome = compute(args, config)
        except ProgsyncError as exc:
            target = Target(args.source, args.source.partition(":")[0])
            spec, error = member_error(exc, config, target)
            code = max(code, error.exit_code)
            if args.as_json:
                documents.append(
                    {
                        "athlete": member,
                        "error": {
                            "destination": spec,
                            "message": redact(error.message),
                            "hint": error.hint,
                            "exit_code": error.exit_code,
                        },
                    }
                )
            else:
                click.secho(
                    visible(redact(f"{spec}: {error.render()}"), lines=True), fg="red", err=True
                )
            continue
        if args.as_json:
            documents.append({"athlete": member, **review_json(outcome)})
            continue
        print(f"{member}:")
        show_review(outcome)
    if args.as_json:
        print(json.dumps({"ok": code == 0, "exit_code": code, "athletes": documents}, indent=2))
    return code


def show_review(outcome: Outcome) -> None:
    from rich.console import Console

    console = Console()
    for item in outcome.review.sessions:
        for renderable in session_view(item, outcome.units):
            console.print(renderable)
        console.print()
    for week in outcome.review.weeks:
        console.print(week_line(week, outcome.units))
    import click

    for issue in outcome.warnings:
        click.secho(visible(issue.render(), lines=True), fg="yellow", err=True)
    if outcome.fetched:
        got = outcome.fetched
        click.echo(
            f"{got['listed']} activities listed, {got['downloaded']} downloaded, "
            f"{got['cached']} from the cache",
            err=True,
        )


# -- output -----------------------------------------------------------------------------------
MARKS = {
    "in": "✓",
    "fast": "▲",
    "slow": "▼",
    "high": "▲",
    "low": "▼",
}
STATUS_STYLE = {
    "done": "green",
    "moved": "cyan",
    "partial": "yellow",
    "missed": "red",
    "unplanned": "magenta",
    "upcoming": "dim",
}


def _pace(value: float | None, units: Units) -> str:
    return format_pace(value, units) if value is not None else "–"


def _offset(seconds_per_km: float, units: Units) -> str:
    return format_pace(seconds_per_km, units, suffix=False)


def pace_mark(mark: str | None, off: float | None, units: Units) -> str:
    """`✓`, `▲ 0:12 fast`, `▼ 0:08 slow` (per km or mile), or `` when there is no pace target."""
    if mark is None:
        return ""
    if mark == "in" or off is None:
        return MARKS["in"]
    return f"{MARKS[mark]} {_offset(off, units)} {mark}"


def hr_mark(step: StepReview) -> str:
    if step.avg_hr is None:
        return ""
    if step.hr_mark is None:
        return str(step.avg_hr)
    if step.hr_mark == "in":
        return f"{step.avg_hr} ✓"
    return f"{step.avg_hr} {MARKS[step.hr_mark]}{step.hr_off}"


def _amount_done(step: StepReview, units: Units) -> str:
    if step.status == "skipped":
        return "✗ skipped"
    parts = []
    if step.seconds is not None:
        parts.append(format_clock(step.seconds))
    if step.metres:
        parts.append(format_distance(round(step.metres), units))
    text = " · ".join(parts)
    if step.status == "short":
        text += " (short)"
    elif step.status == "long":
        text += " (long)"
    if len(step.laps) > 1:
        text += f" [{len(step.laps)} laps]"
    return text


def _headline(item: SessionReview) -> str:
    from progsync.sync.views.render import cell

    style = STATUS_STYLE[item.status]
    if item.session is not None:
        title = f"{item.session.date:%a %d %b %Y}  {cell(item.session.name)}"
    else:
        assert item.activity is not None
        title = f"{item.activity.date:%a %d %b %Y}  {cell(item.activity.sport)} (not in the plan)"
    how = {"workout": "laps of the watch's workout", "whole-run": "whole run", "none": ""}[
        item.method
    ]
    tail = f" · {how}" if how else ""
    return f"[bold]{title}[/bold]  [{style}]{item.status}[/{style}]{tail}"


def session_view(item: SessionReview, units: Units) -> list[Any]:
    from rich.table import Table
    from rich.text import Text

    from progsync.sync.views.render import cell, describe_amount, describe_target

    out: list[Any] = [Text.from_markup(_headline(item))]
    if item.steps:
        table = Table(box=None, pad_edge=False, header_style="bold")
        for column in ("#", "step", "planned", "target", "actual", "pace", "", "HR"):
            table.add_column(column)
        for step in item.steps:
            planned = step.planned
            label = planned.step.name or planned.step.kind
            if planned.rep is not None:
                label = f"{label} {planned.rep}/{planned.of}"
            table.add_row(
                str(planned.number),
                cell(label),
                describe_amount(planned.step, units),
                describe_target(planned.step.target, units),
                _amount_done(step, units),
                _pace(step.pace, units) if step.status != "skipped" else "",
                pace_mark(step.pace_mark, step.pace_off, units),
                hr_mark(step),
            )
        out.append(table)
    if item.whole is not None and item.activity is not None:
        activity = item.activity
        whole = item.whole
        line = (
            f"  ran {format_clock(activity.seconds)}"
            + (f" · {format_distance(round(activity.metres), units)}" if activity.metres else "")
            + f" at {_pace(activity.pace, units)}"
        )
        if item.session is not None:
            line += (
                f" (planned about {format_clock(item.session.estimated_duration_s)}"
                f" · {format_distance(round(item.session.estimated_distance_m), units)})"
            )
        if whole.target is not None:
            line += (
                f"  target {whole.target.describe(units)} "
                f"{pace_mark(whole.pace_mark, whole.pace_off, units)}"
            )
        out.append(Text(line))
        if len(whole.splits) > 1:
            paces = " ".join(_pace(s.pace, units).split("/")[0] for s in whole.splits)
            extra = f"  splits {paces}"
            if whole.spread is not None:
                extra += f" · spread {_offset(whole.spread, units)}"
            if whole.split is not None:
                extra += f" · {whole.split} split" if whole.split != "even" else " · even"
            out.append(Text(extra))
    if item.progression is not None:
        prog = item.progression
        paces = " → ".join(
            _pace(s.pace, units).split("/")[0] if s.run else "✗"
            for s in (prog.opening, *prog.stages)
        )
        verdict = "✓ a progression run" if prog.ok else "✗ not quite a progression run"
        out.append(Text(f"  progression {paces}: {verdict}"))
        for problem in prog.problems:
            out.append(Text(f"    · {problem}"))
    if item.status == "missed" and item.session is not None:
        out.append(Text("  no activity found for this session"))
    for note in item.notes:
        out.append(Text(visible(f"  {note}", lines=True)))
    return out


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def week_line(week: WeekReview, units: Units) -> str:
    """`Week of Mon 23 Nov: ran 4:21:07 of 5:33:20 planned · 55.1 of 66.3km · easy 74% (planned
    76%) · 3 done, 1 partial, 1 missed, 1 unplanned`."""
    counts = ", ".join(
        f"{week.counts[k]} {k}"
        for k in ("done", "moved", "partial", "missed", "unplanned", "upcoming")
        if week.counts.get(k)
    )
    return (
        f"Week of {week.start:%a %d %b}: ran {format_clock(week.actual_seconds)} of "
        f"{format_clock(week.planned_seconds)} planned · "
        f"{format_distance(round(week.actual_metres), units)} of "
        f"{format_distance(round(week.planned_metres), units)} · "
        f"easy {_share(week.actual_easy_share)} (planned {_share(week.planned_easy_share)})"
        f" · {counts or 'nothing planned'}"
    )


def _activity_json(activity: Activity) -> dict[str, Any]:
    out: dict[str, Any] = to_jsonable(activity)
    out["pace"] = _round(activity.pace)
    for lap, raw in zip(activity.laps, out["laps"], strict=True):
        raw["pace"] = _round(lap.pace)
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def review_json(outcome: Outcome) -> dict[str, Any]:
    """Every figure of the review as plain JSON."""
    sessions = []
    for item in outcome.review.sessions:
        entry: dict[str, Any] = {
            "date": item.date.isoformat(),
            "status": item.status,
            "method": item.method,
            "session": None,
            "activity": _activity_json(item.activity) if item.activity else None,
            "notes": list(item.notes),
        }
        if item.session is not None:
            s = item.session
            entry["session"] = {
                "identity": s.identity,
                "name": s.name,
                "date": s.date.isoformat(),
                "sport": s.sport,
                "planned_seconds": round(s.estimated_duration_s),
                "planned_metres": round(s.estimated_distance_m),
                "source_file": s.source_file,
                "source_line": s.source_line,
            }
        entry["steps"] = [
            {
                "number": st.planned.number,
                "message_index": st.planned.index,
                "name": st.planned.step.name or st.planned.step.kind,
                "kind": st.planned.step.kind,
                "rep": st.planned.rep,
                "of": st.planned.of,
                "planned_end": to_jsonable(st.planned.step.end),
                "target": to_jsonable(st.planned.step.target),
                "status": st.status,
                "laps": len(st.laps),
                "seconds": _round(st.seconds),
                "metres": _round(st.metres),
                "pace": _round(st.pace),
                "pace_mark": st.pace_mark,
                "pace_off": st.pace_off,
                "avg_hr": st.avg_hr,
                "hr_mark": st.hr_mark,
                "hr_off": st.hr_off,
            }
            for st in item.steps
        ]
        entry["whole_run"] = to_jsonable(item.whole) if item.whole else None
        entry["progression"] = None
        if item.progression is not None:
            prog = to_jsonable(item.progression)
            prog["ok"] = item.progression.ok
            entry["progression"] = prog
        sessions.append(entry)
    weeks = [
        {
            **to_jsonable(w),
            "counts": dict(w.counts),
            "planned_seconds": round(w.planned_seconds),
            "planned_metres": round(w.planned_metres),
            "actual_seconds": round(w.actual_seconds, 1),
            "actual_metres": round(w.actual_metres, 1),
        }
        for w in outcome.review.weeks
    ]
    return {
        "from": outcome.start.isoformat(),
        "until": outcome.until.isoformat(),
        "sessions": sessions,
        "weeks": weeks,
        "warnings": [w.as_dict() for w in outcome.warnings],
        "fetched": outcome.fetched,
    }
