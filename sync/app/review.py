"""`progsync review`: fetch completed activities, compare them with the plan, show the result.

Read-only towards every service: it lists activities and downloads their files, and writes
nothing but its own download cache. Activities come from a folder of FIT files (a watch's
`GARMIN/Activity` over USB, or files the user saved) or from Intervals.icu and Garmin Connect
(`activity_sources`: one listing, each file downloaded once into the cache), and are decoded
here with Garmin's `garmin-fit-sdk`; the comparison itself is pure (`progsync.workouts.review`).
`history_activities` gives `check --history-from` the weeks actually run before a plan.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from progsync.sync.cli.runner import visible
from progsync.workouts.errors import InputError, Issue, Location, ProgsyncError
from progsync.workouts.model import Session, Sport, to_jsonable
from progsync.workouts.plan import Compiled
from progsync.workouts.profile import Profile
from progsync.workouts.review import (
    MOVE_DAYS,
    REPEAT_STEP,
    Activity,
    Lap,
    Review,
    SessionReview,
    StepReview,
    WeekReview,
    WorkoutStep,
    review,
)
from progsync.workouts.units import Units, format_clock, format_distance, format_pace

#: FIT `sport` names (as the SDK decodes them) → our sports.
FIT_SPORTS: dict[str, Sport] = {
    "running": "run",
    "cycling": "bike",
    "e_biking": "bike",
    "swimming": "swim",
    "training": "strength",
    "fitness_equipment": "cardio",
    "hiit": "hiit",
}


class ReviewError(ProgsyncError):
    """An activity source that cannot be read (bad option, unreadable folder); exit code 2."""

    exit_code = 2


# -- FIT activity files -----------------------------------------------------------------------
def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    number = _number(value)
    return None if number is None or number <= 0 else round(number)


def _local_date(start: dt.datetime, messages: Any) -> dt.date:
    """The activity's calendar day where it was run: FIT times are UTC, and the `activity`
    message's `local_timestamp` (seconds since the FIT epoch, local time) gives the offset.
    Without it the UTC day is used."""
    for activity in messages.get("activity_mesgs", []):
        local = activity.get("local_timestamp")
        stamp = activity.get("timestamp")
        if isinstance(local, int | float) and isinstance(stamp, dt.datetime):
            epoch = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
            offset = epoch + dt.timedelta(seconds=local) - stamp
            return (start + offset).date()
    return start.date()


def _workout(steps: Any) -> tuple[WorkoutStep, ...]:
    """The `workout_step` messages of an activity in raw FIT numbers (the SDK decodes the enums
    to names; its profile maps them back), to compare with a session's steps."""
    from garmin_fit_sdk import Profile

    durations = {name: number for number, name in Profile["types"]["wkt_step_duration"].items()}
    intensities = {name: number for number, name in Profile["types"]["intensity"].items()}
    out: list[WorkoutStep] = []
    for raw in sorted(steps, key=lambda m: m.get("message_index") or 0):
        kind = raw.get("duration_type")
        duration = durations.get(kind) if isinstance(kind, str) else kind
        if not isinstance(duration, int):
            return ()  # a step we cannot read: judge the activity without its workout
        value = raw.get("duration_value")
        level = raw.get("intensity")
        intensity = intensities.get(level) if isinstance(level, str) else level
        repeat = raw.get("target_value")
        is_repeat = duration == REPEAT_STEP
        out.append(
            WorkoutStep(
                duration=duration,
                value=value if isinstance(value, int) else None,
                intensity=intensity if isinstance(intensity, int) and not is_repeat else None,
                repeat=repeat if isinstance(repeat, int) and is_repeat else None,
            )
        )
    return tuple(out)


def read_fit(data: bytes, source: str) -> Activity | None:
    """The activity in a FIT file; None for FIT files of another type (workouts, settings).

    Raises ReviewError when the file is not FIT or is damaged beyond its laps."""
    from garmin_fit_sdk import Decoder, Stream

    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    if not decoder.is_fit():
        raise ReviewError(f"{source} is not a FIT file", "activity files end in .fit")
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    file_ids = messages.get("file_id_mesgs", [])
    if file_ids and file_ids[0].get("type") not in ("activity", None):
        return None
    sessions = messages.get("session_mesgs", [])
    raw_laps = messages.get("lap_mesgs", [])
    if not sessions and not raw_laps:
        if errors:
            raise ReviewError(f"{source} is damaged: {errors[0]}", "copy it from the watch again")
        return None
    laps = []
    for raw in raw_laps:
        start = raw.get("start_time") or raw.get("timestamp")
        seconds = _number(raw.get("total_timer_time"))
        if not isinstance(start, dt.datetime) or seconds is None:
            continue
        index = raw.get("wkt_step_index")
        laps.append(
            Lap(
                start=start,
                seconds=seconds,
                metres=_number(raw.get("total_distance")),
                avg_hr=_int(raw.get("avg_heart_rate")),
                max_hr=_int(raw.get("max_heart_rate")),
                step_index=index if isinstance(index, int) else None,
                trigger=str(trigger)
                if isinstance(trigger := raw.get("lap_trigger"), str)
                else None,
            )
        )
    laps.sort(key=lambda lap: lap.start)
    first = sessions[0] if sessions else {}
    start = first.get("start_time") or (laps[0].start if laps else None)
    if not isinstance(start, dt.datetime):
        raise ReviewError(f"{source} has no start time", "is it an activity file?")
    seconds = _number(first.get("total_timer_time"))
    if seconds is None:
        seconds = sum(lap.seconds for lap in laps)
    metres = _number(first.get("total_distance"))
    if metres is None and any(lap.metres for lap in laps):
        metres = sum(lap.metres or 0 for lap in laps)
    sport_name = first.get("sport") or (raw_laps[0].get("sport") if raw_laps else None)
    workout = (messages.get("workout_mesgs") or [{}])[0]
    wkt_name = workout.get("wkt_name")
    device = file_ids[0].get("garmin_product") if file_ids else None
    return Activity(
        source=source,
        start=start,
        date=_local_date(start, messages),
        sport=FIT_SPORTS.get(str(sport_name), "other"),
        seconds=seconds,
        metres=metres,
        avg_hr=_int(first.get("avg_heart_rate")),
        laps=tuple(laps),
        workout_name=wkt_name if isinstance(wkt_name, str) and wkt_name.strip() else None,
        workout_steps=len(messages.get("workout_step_mesgs", [])) or None,
        workout=_workout(messages.get("workout_step_mesgs", [])),
        device=device if isinstance(device, str) else None,
    )


def folder_activities(folder: Path) -> tuple[list[Activity], list[Issue]]:
    """Every activity in the FIT files under `folder` (recursively), and warnings for files
    that could not be read."""
    if not folder.is_dir():
        raise ReviewError(
            f"activity folder '{folder}' does not exist",
            "give the folder that holds the .fit files, e.g. --from folder:/media/GARMIN/Activity",
        )
    out: list[Activity] = []
    warnings: list[Issue] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".fit" and p.is_file()):
        try:
            activity = read_fit(path.read_bytes(), str(path))
        except ReviewError as exc:
            warnings.append(
                Issue(f"skipped: {exc.message}", Location(str(path)), exc.hint, severity="warning")
            )
            continue
        except OSError as exc:
            warnings.append(
                Issue(
                    f"skipped: cannot read {path}: {exc}", Location(str(path)), severity="warning"
                )
            )
            continue
        if activity is not None:
            out.append(activity)
    return out, warnings


# -- the command ------------------------------------------------------------------------------
def _today() -> dt.date:
    from progsync.sync.app.push import today

    return today()  # PROGSYNC_TODAY pins it, as for push


@dataclass
class ReviewArgs:
    files: list[str]
    source: str
    config_path: str | None = None
    week: int | None = None
    start: dt.date | None = None
    until: dt.date | None = None
    as_json: bool = False
    today: dt.date = field(default_factory=lambda: _today())
    #: Coach mode: (athlete, that athlete's config) pairs, each reviewed on its own account.
    members: list[tuple[str | None, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Outcome:
    review: Review
    units: Units
    warnings: tuple[Issue, ...]
    start: dt.date
    until: dt.date
    fetched: dict[str, int] = field(default_factory=dict)


def _window(
    sessions: Sequence[Session], anchor: dt.date, args: ReviewArgs
) -> tuple[dt.date, dt.date]:
    if args.week is not None:
        if args.week < 1:
            raise ReviewError(f"--week {args.week} is not a week", "weeks count from 1")
        first = anchor + dt.timedelta(days=7 * (args.week - 1))
        return first, first + dt.timedelta(days=6)
    dates = [s.date for s in sessions]
    start = args.start or (min(dates) if dates else args.today)
    until = args.until or (max(dates) if dates else args.today)
    if until < start:
        raise ReviewError(f"--until {until} is before --from-date {start}")
    return start, until


#: The remote sources of `--from` (sync/activity_sources.py).
SERVICES = ("intervals", "garmin")


def fetch_activities(
    source: str, config: Any, start: dt.date, until: dt.date, stats: Any = None
) -> tuple[list[Activity], list[Issue]]:
    """Activities of `source` run from `start` to `until` (inclusive): a folder of FIT files, or
    Intervals.icu / Garmin Connect (one listing, files from the download cache or downloaded)."""
    if source.startswith("folder:"):
        found, warnings = folder_activities(Path(source.removeprefix("folder:")).expanduser())
        return [a for a in found if start <= a.date <= until], warnings
    if source in SERVICES:
        from progsync.sync.services.activities import fetch_remote

        return fetch_remote(source, config, start, until, stats)
    raise ReviewError(
        f"unknown activity source '{source}'",
        "use --from folder:PATH (a folder of .fit activity files), --from intervals or "
        "--from garmin",
    )


#: How many weeks before a plan `check --history-from` fetches (the load rule looks 4 back, the
#: down-week rule a few build weeks).
HISTORY_WEEKS = 6


def history_window(plans: Sequence[Compiled]) -> tuple[dt.date, dt.date] | None:
    """The weeks before the plans: from `HISTORY_WEEKS` before their start to the day before."""
    starts = [c.plan.start for c in plans if c.plan.start is not None]
    dates = [s.date for c in plans for s in c.plan.sessions]
    if starts:
        anchor = min(starts)
    elif dates:
        anchor = min(dates) - dt.timedelta(days=min(dates).weekday())
    else:
        return None
    return anchor - dt.timedelta(days=7 * HISTORY_WEEKS), anchor - dt.timedelta(days=1)


def history_activities(
    source: str, config: Any, plans: Sequence[Compiled]
) -> tuple[list[Activity], list[Issue]]:
    """`check --history-from SOURCE`: the activities actually run in the weeks before `plans`."""
    window = history_window(plans)
    if window is None:
        return [], []
    return fetch_activities(source, config, *window)


def compute(args: ReviewArgs, config: Any = None, loaded: Any = None) -> Outcome:
    """Load the plans (unless `loaded` already holds them), fetch the activities of their
    dates, and compare."""
    from progsync.sync.app.loading import load_plans
    from progsync.sync.settings.config import load_config

    config = config if config is not None else load_config(args.config_path)
    if loaded is None:
        loaded = load_plans(args.files, config)
    profiles = {id(s): c.profile for c in loaded.plans for s in c.plan.sessions}
    default_profile = loaded.plans[0].profile if loaded.plans else Profile()
    starts = [c.plan.start for c in loaded.plans if c.plan.start is not None]
    everything = loaded.sessions
    if starts:
        anchor = min(starts)
    elif everything:
        anchor = everything[0].date - dt.timedelta(days=everything[0].date.weekday())
    else:
        anchor = args.today - dt.timedelta(days=args.today.weekday())
    start, until = _window(everything, anchor, args)
    slack = dt.timedelta(days=MOVE_DAYS)
    # the sessions just outside the window match too, so their activities are not claimed
    # by a session inside it (workouts.review.match)
    sessions = [s for s in everything if start - 2 * slack <= s.date <= until + 2 * slack]
    from progsync.sync.services.activities import Fetched

    stats = Fetched()
    activities, warnings = fetch_activities(
        args.source, config, start - slack, until + slack, stats
    )

    def profile_of(session: Session | None) -> Profile:
        return profiles.get(id(session), default_profile) if session else default_profile

    result = review(sessions, activities, profile_of, args.today, anchor, (start, until))
    units: Units = loaded.plans[0].plan.units if loaded.plans else "km"
    fetched = vars(stats) if args.source in SERVICES else {}
    every = tuple(dict.fromkeys((*loaded.warnings, *warnings)))  # each warning once
    return Outcome(result, units, every, start, until, dict(fetched))


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
    from progsync.sync.services.http import redact
    from progsync.sync.services.registry import Target

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
