"""Compiling a TOML plan file into the resolved model: TOML → Plan.

Every problem is collected with its file, line and a hint, and raised together as one
InputError, so a user fixes a file in one pass instead of one error per run.

Why this module is long: the compiler of the plan language is one pass over the TOML with
one diagnostics collector (every problem located and reported together); splitting it by
table would thread that state through every part.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import field, replace
from typing import Any, Literal, cast

from .dsl import pace_sense, parse_step
from .effort import as_time, easy_pace, step_seconds
from .errors import Diagnostics, Issue, Location, StepSyntaxError, did_you_mean
from .model import (
    Block,
    PaceTarget,
    Plan,
    ProgressionInfo,
    Repeat,
    Session,
    Sport,
    Step,
    flatten,
)
from .profile import Profile, ProfileError, athlete_layers, build_profile
from .progression import ProgressionProblem, expand_progression
from .records import record
from .source import SourceMap, Span, parse_toml
from .units import Units

TOP_KEYS = ("plan", "athlete", "session", "workout", "checks")
PLAN_KEYS = ("name", "id", "start", "units", "description", "indoor", "athletes")
SESSION_KEYS = (
    "day",
    "week",
    "date",
    "name",
    "steps",
    "progression",
    "workout",
    "sport",
    "time",
    "notes",
    "id",
    "tags",
    "indoor",
)
WORKOUT_KEYS = ("steps", "progression", "name", "notes", "sport", "tags", "indoor")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = {
    **{d: i for i, d in enumerate(DAYS)},
    **{
        full: i
        for i, full in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
}
SPORTS: dict[str, Sport] = {
    "run": "run",
    "running": "run",
    "trail": "run",
    "bike": "bike",
    "ride": "bike",
    "cycling": "bike",
    "swim": "swim",
    "swimming": "swim",
    "strength": "strength",
    "cardio": "cardio",
    "yoga": "yoga",
    "hiit": "hiit",
    "mobility": "mobility",
    "other": "other",
}
MAX_REPEAT = 99
#: Repeats inside repeats, at most this deep. Intervals.icu has no nested repeats at all (they
#: are unrolled) and Garmin's editor shows one level inside another; a plan needs at most sets
#: of reps (two levels), three leaves room, and deeper is a mistake or a hostile file.
MAX_REPEAT_DEPTH = 3
#: Steps of a session once every repeat is unrolled. The longest real sessions (a 40 x 400 m
#: track session with jogs) stay under 100; anything near this is not a workout, and counting
#: happens on the tree before anything expands.
MAX_UNROLLED_STEPS = 1000
#: The longest session: three days (a multi-day ultra is not a watch workout).
MAX_SESSION_SECONDS = 72 * 3600
#: Dates a plan may use: an earlier or later year is a typo (9999-12-31 overflows date sums).
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)
#: Control characters (C0 except tab/newline/CR, DEL, C1); the escapes that write them in TOML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
_ESCAPE = re.compile(r"\\(u00[01][0-9a-fA-F]|u00[89][0-9a-fA-F]|u007[fF]|U0000[01789][0-9a-fA-F]|U0000007[fF]|[bf])")


def _control_name(char: str) -> str:
    names = {"\x1b": "ESC", "\x07": "BEL", "\x08": "BS", "\x0c": "FF", "\x7f": "DEL"}
    return names.get(char, f"U+{ord(char):04X}")


def _structured(items: Any) -> bool:
    """Whether a `steps` list has a warm-up, cool-down or repeat around its main part."""
    if not isinstance(items, list):
        return False
    for item in items:
        if isinstance(item, Mapping):
            return True
        if isinstance(item, str) and item.strip().split(" ", 1)[0].lower() in (
            "warmup", "warm-up", "wu", "cooldown", "cool-down", "cd"
        ):
            return True
    return False


def _role(step: Step, structured: bool) -> Literal["quality", "easy"] | None:
    if step.kind in ("warmup", "cooldown", "recover"):
        return "easy"
    if step.kind == "run" and structured:
        return "quality"
    return None


def unrolled_count(blocks: Sequence[Block]) -> int:
    """How many steps `blocks` become once every repeat is unrolled, without unrolling them."""
    total = 0
    for block in blocks:
        total += block.count * unrolled_count(block.steps) if isinstance(block, Repeat) else 1
    return total
#: Pace used to estimate distance or time of steps without a pace target, when no easy pace is known.


@record
class Compiled:
    """The result of compiling one plan file: the plan, its warnings and the profile used."""

    plan: Plan
    profile: Profile
    warnings: tuple[Issue, ...]
    checks: Mapping[str, Any] = field(default_factory=dict)
    #: What was changed for one athlete in coach mode (`progsync.workouts.adjust`).
    notes: tuple[Issue, ...] = ()


class _Compiler:
    def __init__(
        self,
        text: str,
        filename: str,
        base_profile: Mapping[str, Any] | None,
        today: dt.date | None = None,
    ) -> None:
        self.today = today
        self.text = text
        self.filename = filename
        self.base_profile = base_profile or {}
        self.src = SourceMap(text, filename)
        self.diag = Diagnostics()
        self.units: Units = "km"
        self.indoor = False
        self.profile = Profile()

    # -- helpers -------------------------------------------------------------------------------
    def error(
        self,
        message: str,
        location: Location | None,
        hint: str | None = None,
        context: str | None = None,
    ) -> None:
        self.diag.error(Issue(message, location or Location(self.filename), hint, context))

    def warn(
        self,
        message: str,
        location: Location | None,
        hint: str | None = None,
        context: str | None = None,
        code: str | None = None,
    ) -> None:
        self.diag.warn(Issue(message, location or Location(self.filename), hint, context, code))

    def unknown_keys(
        self, table: Mapping[str, Any], known: Sequence[str], span: Span | None, what: str
    ) -> None:
        for key in table:
            if key not in known:
                self.error(
                    f"unknown key '{key}' in {what}",
                    self.src.key(span, key),
                    did_you_mean(key, known) or f"known keys: {', '.join(known)}",
                )

    # -- the file ------------------------------------------------------------------------------
    def compile(self) -> Compiled:
        data: dict[str, Any] = parse_toml(self.src)
        data = self._without_controls(data)
        self.unknown_keys(data, TOP_KEYS, self.src.whole(), "the plan file")

        plan_table = data.get("plan", {})
        plan_span = self.src.table("plan")
        if not isinstance(plan_table, Mapping):
            self.error("[plan] must be a table", self.src.key(self.src.whole(), "plan"))
            plan_table = {}
        self.unknown_keys(plan_table, PLAN_KEYS, plan_span, "[plan]")
        name = plan_table.get("name") or _stem(self.filename)
        plan_id = self._plan_id(plan_table.get("id"), plan_span)
        units = plan_table.get("units", "km")
        if units not in ("km", "mi"):
            self.error(
                f"units = {units!r} is not a unit",
                self.src.key(plan_span, "units"),
                'use "km" or "mi"',
            )
            units = "km"
        self.units = cast(Units, units)
        self.indoor = self._flag(plan_table, "indoor", plan_span, "[plan]", False)
        squad = plan_table.get("athletes")
        if squad is not None and not (
            squad == "all"
            or (isinstance(squad, list) and squad and all(isinstance(a, str) for a in squad))
        ):
            self.error(
                f"athletes = {squad!r} is not a list of athlete names",
                self.src.key(plan_span, "athletes"),
                'name the roster\'s athletes: athletes = ["anna", "ben"] (or "all")',
            )
        start = plan_table.get("start")
        if start is not None:
            start = self._start(start, self.src.key(plan_span, "start"))

        self._profile(data.get("athlete"))
        checks = self._checks(data.get("checks"))
        workouts = self._workouts(data.get("workout", {}))

        raw_sessions = data.get("session", [])
        if isinstance(raw_sessions, Mapping):
            raw_sessions = [raw_sessions]
        if not isinstance(raw_sessions, list):
            self.error(
                "session must be written as [[session]] tables",
                self.src.key(self.src.whole(), "session"),
            )
            raw_sessions = []
        if not raw_sessions:
            self.warn("the plan has no sessions", Location(self.filename), "add [[session]] tables")

        # Each session is built whole by `_session` (slot 0), paired with its place in the file;
        # its slot (the how-many-th that day, part of its identity) is known once all are sorted.
        drafts: list[tuple[int, Session]] = []
        for index, raw in enumerate(raw_sessions):
            drafts.extend(self._session(index, raw, start, str(name), workouts, plan_id))
        self.diag.raise_if_errors()

        slots: dict[dt.date, int] = {}
        sessions: list[Session] = []
        ids: dict[str, int] = {}
        for order, draft in sorted(drafts, key=lambda d: (d[1].date, d[0])):
            slot = slots.get(draft.date, 0)
            slots[draft.date] = slot + 1
            if draft.id:
                if draft.id in ids:
                    self.error(
                        f"two sessions have id = '{draft.id}'",
                        self.src.key(self.src.table("session", order), "id"),
                        "ids must be unique within a plan",
                    )
                ids[draft.id] = order
            sessions.append(replace(draft, slot=slot) if slot else draft)
        self.diag.raise_if_errors()
        plan = Plan(
            name=str(name),
            units=self.units,
            sessions=tuple(sessions),
            source_files=(self.filename,),
            start=start,
            id=plan_id,
        )
        return Compiled(
            plan=plan, profile=self.profile, warnings=tuple(self.diag.warnings), checks=checks
        )

    def _plan_id(self, value: Any, plan_span: Span | None) -> str | None:
        """`[plan] id`: the stable plan part of every identity, so a renamed plan is the same plan."""
        if value is None:
            return None
        if not isinstance(value, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", value):
            self.error(
                f"id = {value!r} is not a plan id",
                self.src.key(plan_span, "id"),
                'lower-case letters, digits and dashes, e.g. id = "spring-marathon-2027"; '
                "keep it when you rename the plan",
            )
            return None
        return value

    def _start(self, value: Any, where: Location) -> dt.date | None:
        """`[plan] start`: a date, or `"next-monday"` (any day name): the first such day after
        today, so a demo plan's sessions are always ahead (`today` is injected by the caller)."""
        if isinstance(value, str) and value.strip().lower().startswith("next-"):
            day = value.strip().lower().removeprefix("next-")
            if day not in DAY_NAMES:
                self.error(
                    f"start = {value!r} names no day of the week",
                    where,
                    did_you_mean(value.strip(), [f"next-{d}" for d in DAY_NAMES])
                    or 'e.g. start = "next-monday" (or a date: start = 2026-11-23)',
                )
                return None
            today = self.today or dt.date.today()
            return today + dt.timedelta(days=(DAY_NAMES[day] - today.weekday() - 1) % 7 + 1)
        return self._date(value, where)

    def _date(self, raw: Any, where: Location) -> dt.date | None:
        value: dt.date
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        else:
            try:
                value = dt.date.fromisoformat(str(raw))
            except ValueError:
                self.error(
                    f"'{raw}' is not a date", where, "write dates as 2026-11-24 (no quotes needed)"
                )
                return None
        if not FIRST_DATE <= value <= LAST_DATE:
            self.error(
                f"{value.isoformat()} is outside {FIRST_DATE.year}-{LAST_DATE.year}",
                where,
                "check the year (a plan's dates lie between "
                f"{FIRST_DATE.isoformat()} and {LAST_DATE.isoformat()})",
            )
            return None
        return value

    def _without_controls(self, value: Any, path: str = "") -> Any:
        """The TOML data with terminal control characters removed from every text, each
        removal a located warning: an ESC in a name would recolour or clear the terminal in
        `show`, and a watch or calendar has no use for it."""
        if isinstance(value, str):
            if not _CONTROL.search(value):
                return value
            clean = _CONTROL.sub("", _ANSI.sub("", value))
            names = sorted({_control_name(c) for c in _CONTROL.findall(value)})
            self.warn(
                f"the text of {path or 'the plan'} holds control characters ({', '.join(names)})",
                self._control_location(value),
                f"they were removed; the text is now {clean!r}",
            )
            return clean
        if isinstance(value, list):
            return [self._without_controls(v, path) for v in value]
        if isinstance(value, Mapping):
            return {
                k: self._without_controls(v, f"{path}.{k}" if path else str(k))
                for k, v in value.items()
            }
        return value

    def _control_location(self, value: str) -> Location:
        """The line that writes `value`: the text before its first control character, on a
        line with an escape (TOML allows control characters only as escapes)."""
        head = _CONTROL.split(value, maxsplit=1)[0][-12:]
        candidates = [n for n, line in enumerate(self.src.lines, 1) if _ESCAPE.search(line)]
        for number in candidates:
            if head and head in self.src.lines[number - 1]:
                return self.src.at(number)
        return self.src.at(candidates[0]) if candidates else Location(self.filename)

    # -- profile and workouts ------------------------------------------------------------------
    def _profile(self, athlete: Any) -> None:
        span = self.src.table("athlete")
        if athlete is not None and not isinstance(athlete, Mapping):
            self.error("[athlete] must be a table", self.src.key(self.src.whole(), "athlete"))
            athlete = None
        merged, origin = athlete_layers(("config", self.base_profile), ("plan", athlete))
        try:
            self.profile = build_profile(merged, self.units, origin)
        except ProfileError as exc:
            for problem in exc.problems:
                key = problem.key.split(".")[-1]
                in_plan = athlete is not None and (problem.key.split(".")[0] in athlete)
                where = self.src.key(span, key) if in_plan else Location("config [athlete]")
                self.error(problem.message, where, problem.hint)
            # Keep going with what is valid, so step errors are reported too.
            try:
                self.profile = build_profile(
                    {k: v for k, v in merged.items() if k == "paces"}, self.units
                )
            except ProfileError:
                self.profile = Profile()

    def _checks(self, table: Any) -> dict[str, Any]:
        """The plan's own `[checks]` settings, validated here so mistakes point at this file."""
        if table is None:
            return {}
        if not isinstance(table, Mapping):
            self.error("[checks] must be a table", self.src.key(self.src.whole(), "checks"))
            return {}
        from .rules import SettingsError, parse_settings

        try:
            parse_settings(table)
        except SettingsError as exc:
            for problem in exc.problems:
                self.error(problem.message, self.src.setting("checks", problem.key), problem.hint)
            return {}
        return dict(table)

    def _workouts(self, table: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(table, Mapping):
            self.error(
                "workouts must be written as [workout.NAME] tables",
                self.src.key(self.src.whole(), "workout"),
            )
            return {}
        out: dict[str, dict[str, Any]] = {}
        for name, body in table.items():
            span = self.src.table(f"workout.{name}")
            if not isinstance(body, Mapping):
                self.error(f"[workout.{name}] must be a table", self.src.key(span, str(name)))
                continue
            self.unknown_keys(body, WORKOUT_KEYS, span, f"[workout.{name}]")
            out[str(name)] = {"body": body, "span": span}
        return out

    # -- sessions ------------------------------------------------------------------------------
    def _session(
        self,
        index: int,
        raw: Any,
        start: dt.date | None,
        plan_name: str,
        workouts: Mapping[str, dict[str, Any]],
        plan_id: str | None,
    ) -> list[tuple[int, Session]]:
        """The sessions of one `[[session]]` table (one per date it names), each with its
        place in the file; [] after an error, which is reported and located."""
        span = self.src.table("session", index)
        header = self.src.at(span.start) if span else Location(self.filename)
        if not isinstance(raw, Mapping):
            self.error("a session must be a table", header)
            return []
        self.unknown_keys(raw, SESSION_KEYS, span, "[[session]]")
        label = f"session {index + 1}" + (f" '{raw['name']}'" if "name" in raw else "")

        dates = self._session_dates(raw, span, header, start, label)
        found = self._session_body(raw, span, label, workouts)
        if found is None:
            return []
        body, body_span, workout_name = found
        built = self._session_steps(body, body_span, header, label)
        if built is None:
            return []
        blocks, progression = built

        name = (
            raw.get("name")
            or body.get("name")
            or workout_name
            or ("Progression run" if progression else "Run")
        )
        sport_raw = str(raw.get("sport", body.get("sport", "run"))).lower()
        sport = SPORTS.get(sport_raw)
        if sport is None:
            self.error(
                f"unknown sport '{sport_raw}'",
                self.src.key(span, "sport"),
                did_you_mean(sport_raw, SPORTS)
                or f"sports: {', '.join(sorted(set(SPORTS.values())))}",
                context=label,
            )
            return []
        time = self._time(raw.get("time"), span, label)
        indoor = self._flag(
            raw if "indoor" in raw else body,
            "indoor",
            span if "indoor" in raw else body_span,
            label,
            self.indoor,
        )
        if indoor and sport == "run":
            blocks = as_time(blocks, self.profile, self.units)
        notes = raw.get("notes", body.get("notes"))
        tags = self._session_tags(raw.get("tags", body.get("tags", [])), span, label)
        sid = self._session_id(raw.get("id"), span, label)
        size = self._session_size(blocks, body_span, header, label)
        if size is None:
            return []
        duration, distance = size
        out: list[tuple[int, Session]] = []
        for week, date in dates:
            session_id = None
            if sid is not None:
                session_id = sid if len(dates) == 1 else f"{sid}-w{week}"
            session = Session(
                plan=plan_name,
                date=date,
                name=str(name),
                sport=sport,
                time=time,
                notes=str(notes) if notes is not None else None,
                id=session_id,
                plan_id=plan_id,
                tags=tags,
                indoor=indoor,
                units=self.units,
                steps=blocks,
                progression=progression,
                workout=workout_name,
                estimated_duration_s=duration,
                estimated_distance_m=distance,
                source_file=self.filename,
                source_line=span.start if span else None,
            )
            out.append((index, session))
        return out

    def _session_body(
        self,
        raw: Mapping[str, Any],
        span: Span | None,
        label: str,
        workouts: Mapping[str, dict[str, Any]],
    ) -> tuple[Mapping[str, Any], Span | None, str | None] | None:
        """Where a session's steps are written: the session itself, or the `[workout.NAME]`
        it names (with that table's span, and the name); None after an error."""
        if "workout" not in raw:
            return raw, span, None
        workout_name = str(raw["workout"])
        ref = workouts.get(workout_name)
        if ref is None:
            self.error(
                f"unknown workout '{workout_name}'",
                self.src.key(span, "workout"),
                did_you_mean(workout_name, workouts)
                or (
                    f"defined workouts: {', '.join(workouts)}"
                    if workouts
                    else f"define it as [workout.{workout_name}]"
                ),
                context=label,
            )
            return None
        if "steps" in raw or "progression" in raw:
            self.error(
                "a session names a workout and also has its own steps",
                self.src.key(span, "workout"),
                "keep one: workout = ... or steps/progression",
                context=label,
            )
            return None
        return ref["body"], ref["span"], workout_name

    def _session_steps(
        self, body: Mapping[str, Any], body_span: Span | None, header: Location, label: str
    ) -> tuple[tuple[Block, ...], ProgressionInfo | None] | None:
        """A session's blocks, from its `steps` or its `progression`; None after an error."""
        kinds = [k for k in ("steps", "progression") if k in body]
        if len(kinds) != 1:
            self.error(
                "a session needs steps or a progression"
                if not kinds
                else "a session has both steps and a progression",
                header if not kinds else self.src.key(body_span, "progression"),
                'e.g. steps = ["warmup 10min @easy", "20min @threshold", "cooldown 10min @easy"]',
                context=label,
            )
            return None
        if "progression" in body:
            return self._progression(body["progression"], body_span, label)
        found = self._blocks(
            body["steps"], body_span, label, (0, 0), structured=_structured(body["steps"])
        )
        if found is None:
            return None
        if not found[0]:
            self.error(
                "a session needs at least one step",
                self.src.key(body_span, "steps"),
                context=label,
            )
            return None
        return found[0], None

    def _session_tags(self, value: Any, span: Span | None, label: str) -> tuple[str, ...]:
        tags = [value] if isinstance(value, str) else value
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            self.error(
                "tags must be a list of words",
                self.src.key(span, "tags"),
                'tags = ["quality", "hills"]',
                context=label,
            )
            return ()
        return tuple(tags)

    def _session_id(self, value: Any, span: Span | None, label: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
            self.error(
                "id must be a short text",
                self.src.key(span, "id"),
                'id = "long-run-w3"',
                context=label,
            )
            return None
        return str(value)

    def _session_size(
        self, blocks: tuple[Block, ...], body_span: Span | None, header: Location, label: str
    ) -> tuple[float, float] | None:
        """A session's estimated seconds and metres, within the bounds a watch and a day
        have (steps unrolled, hours); None after an error."""
        count = unrolled_count(blocks)
        if count > MAX_UNROLLED_STEPS:
            self.error(
                f"the session unrolls to {count} steps (at most {MAX_UNROLLED_STEPS})",
                self.src.key(body_span, "steps"),
                "check the repeat counts; a watch holds a few dozen steps",
                context=label,
            )
            return None
        duration, distance = estimate(blocks, self.profile)
        if duration > MAX_SESSION_SECONDS:
            self.error(
                f"the session lasts about {duration / 3600:.0f} hours "
                f"(at most {MAX_SESSION_SECONDS // 3600})",
                header,
                "check the repeat counts and amounts",
                context=label,
            )
            return None
        if duration > 6 * 3600:
            self.warn(
                f"the session lasts about {duration / 3600:.0f} hours",
                header,
                "check the repeat counts and amounts",
                context=label,
            )
        return duration, distance

    def _session_dates(
        self,
        raw: Mapping[str, Any],
        span: Span | None,
        header: Location,
        start: dt.date | None,
        label: str,
    ) -> list[tuple[int, dt.date]]:
        if "date" in raw:
            if "day" in raw or "week" in raw:
                self.error(
                    "a session has a date and also a day/week",
                    self.src.key(span, "date"),
                    "keep one of them",
                    context=label,
                )
                return []
            date = self._date(raw["date"], self.src.key(span, "date"))
            return [(1, date)] if date else []
        if "day" not in raw:
            self.error(
                "a session needs a day or a date",
                header,
                'day = "tue" (with week = N) or date = 2026-11-24',
                context=label,
            )
            return []
        day_text = str(raw["day"]).lower()
        if day_text not in DAY_NAMES:
            self.error(
                f"'{raw['day']}' is not a day",
                self.src.key(span, "day"),
                did_you_mean(day_text, DAYS) or "days are mon, tue, wed, thu, fri, sat, sun",
                context=label,
            )
            return []
        if start is None:
            self.error(
                "a session with day = ... needs the plan's start date",
                self.src.key(span, "day"),
                "add start = 2026-11-23 under [plan], or give the session a date",
                context=label,
            )
            return []
        weeks_raw = raw.get("week", 1)
        weeks = weeks_raw if isinstance(weeks_raw, list) else [weeks_raw]
        if not weeks or not all(
            isinstance(w, int) and not isinstance(w, bool) and 1 <= w <= 260 for w in weeks
        ):
            self.error(
                f"week = {weeks_raw!r} is not a week number",
                self.src.key(span, "week"),
                "weeks count from 1; several weeks: week = [1, 2, 3]",
                context=label,
            )
            return []
        twice = sorted({w for w in weeks if weeks.count(w) > 1})
        if twice:
            # `week = [1, 1]` would put the same session on the same day twice.
            self.error(
                f"week = {weeks_raw!r} lists week {', '.join(map(str, twice))} more than once",
                self.src.key(span, "week"),
                "list each week once; for two runs on one day write two sessions",
                context=label,
            )
            return []
        weekday = DAY_NAMES[day_text]
        out = []
        for week in weeks:
            week_start = start + dt.timedelta(days=7 * (week - 1))
            offset = (weekday - week_start.weekday()) % 7
            out.append((week, week_start + dt.timedelta(days=offset)))
        return out

    def _flag(
        self, table: Mapping[str, Any], key: str, span: Span | None, label: str, default: bool
    ) -> bool:
        """A true/false key (`indoor = true`); anything else is a located error."""
        value = table.get(key, default)
        if isinstance(value, bool):
            return value
        self.error(
            f"{key} = {value!r} is not true or false",
            self.src.key(span, key),
            f"write {key} = true (or leave it out)",
            context=label,
        )
        return default

    def _time(self, value: Any, span: Span | None, label: str) -> dt.time | None:
        if value is None:
            return None
        if isinstance(value, dt.time):
            return value
        try:
            return dt.time.fromisoformat(str(value))
        except ValueError:
            self.error(
                f"'{value}' is not a time of day",
                self.src.key(span, "time"),
                'time = "07:30"',
                context=label,
            )
            return None

    def _progression(
        self, spec: Any, span: Span | None, label: str
    ) -> tuple[tuple[Block, ...], ProgressionInfo] | None:
        if not isinstance(spec, Mapping):
            self.error(
                "progression must be a table",
                self.src.key(span, "progression"),
                'progression = { duration = "60min", from = "easy", to = "marathon", stages = 3 }',
                context=label,
            )
            return None
        try:
            result = expand_progression(spec, self.units, self.profile)
        except ProgressionProblem as exc:
            where = (
                self.src.key(span, exc.key)
                if exc.key in spec
                else self.src.key(span, "progression")
            )
            self.error(f"progression: {exc.message}", where, exc.hint, context=label)
            return None
        for step in result[0]:
            # The stages (not the easy opening): the first one slower than easy is reported.
            if (step.name or "").startswith("Stage") and isinstance(step.target, PaceTarget):
                odd = pace_sense(step.target, "quality", self.units, self.profile)
                if odd:
                    where = self.src.key(span, "to" if "to" in spec else "progression")
                    hint = odd.hint
                    if hint and "per-mile" in hint:
                        written = [f'{k} = "{spec[k]}/mi"' for k in ("from", "to") if k in spec]
                        hint = (
                            f"per-mile paces in a km plan? write {', '.join(written)} "
                            "(paces here are per km)"
                        )
                    self.warn(
                        f"progression {(step.name or '').lower()}: "
                        + odd.message.replace("a quality step", "the stage", 1),
                        where,
                        hint,
                        context=label,
                    )
                    break
        return result

    def _blocks(
        self,
        items: Any,
        span: Span | None,
        label: str,
        cursor: tuple[int, int],
        depth: int = 0,
        structured: bool = False,
    ) -> tuple[tuple[Block, ...], tuple[int, int]] | None:
        """The blocks of a `steps` list. `structured`: the list has a warm-up, cool-down or
        repeat, so its plain run steps are the quality part (judged by `pace_sense`)."""
        if not isinstance(items, list):
            self.error(
                "steps must be a list",
                self.src.key(span, "steps"),
                'steps = ["warmup 10min @easy", "20min @threshold", "cooldown 10min @easy"]',
                context=label,
            )
            return None
        out: list[Block] = []
        ok = True
        for number, item in enumerate(items, start=1):
            if isinstance(item, str):
                where = self.src.literal(span, item, cursor)
                if where and where.line is not None and where.column is not None:
                    cursor = (where.line, where.column + len(item))
                try:
                    step, warnings = parse_step(item, self.units, self.profile)
                except StepSyntaxError as exc:
                    ok = False
                    loc = where or self.src.key(span, "steps")
                    if where and where.column is not None:
                        loc = self.src.at(
                            where.line or 0, where.column + exc.start, max(1, exc.end - exc.start)
                        )
                    self.error(
                        exc.message, loc, exc.hint, context=f'{label}, step {number} "{item}"'
                    )
                    continue
                role = _role(step, structured)
                if role and isinstance(step.target, PaceTarget):
                    odd = pace_sense(step.target, role, self.units, self.profile)
                    warnings = [*warnings, odd] if odd else warnings
                for warning in warnings:
                    self.warn(
                        warning.message, where, warning.hint, context=f"{label}, step {number}"
                    )
                out.append(step)
            elif isinstance(item, Mapping) and "repeat" in item:
                extra = [k for k in item if k not in ("repeat", "steps")]
                count = item.get("repeat")
                if depth >= MAX_REPEAT_DEPTH:
                    self.error(
                        f"repeats nested more than {MAX_REPEAT_DEPTH} deep",
                        self.src.key(span, "repeat"),
                        "a repeat may hold a repeat (sets of reps), at most "
                        f"{MAX_REPEAT_DEPTH} deep; write further sets one after another",
                        context=label,
                    )
                    return None
                if extra:
                    self.error(
                        f"unknown key '{extra[0]}' in a repeat",
                        self.src.key(span, extra[0]),
                        "a repeat is { repeat = N, steps = [...] }",
                        context=label,
                    )
                    ok = False
                    continue
                if (
                    isinstance(count, bool)
                    or not isinstance(count, int)
                    or not 1 <= count <= MAX_REPEAT
                ):
                    self.error(
                        f"repeat = {count!r} is not a count",
                        self.src.key(span, "repeat"),
                        f"a whole number from 1 to {MAX_REPEAT}",
                        context=label,
                    )
                    ok = False
                    continue
                inner = self._blocks(
                    item.get("steps"), span, label, cursor, depth + 1, structured=True
                )
                if inner is None:
                    ok = False
                    continue
                body, cursor = inner
                if not body:
                    self.error("a repeat needs steps", self.src.key(span, "repeat"), context=label)
                    ok = False
                    continue
                out.append(Repeat(count=count, steps=body))
            elif isinstance(item, Mapping) and "progression" in item:
                result = self._progression(item["progression"], span, label)
                if result is None:
                    ok = False
                    continue
                out.extend(result[0])
            else:
                shown = item if not isinstance(item, Mapping) else dict(item)
                self.error(
                    f"step {number} is {shown!r}, not a step",
                    self.src.key(span, "steps"),
                    'a step is a string like "10min @easy", a repeat is { repeat = 5, steps = [...] }',
                    context=label,
                )
                ok = False
        return (tuple(out), cursor) if ok else None


def estimate(blocks: tuple[Block, ...], profile: Profile) -> tuple[float, float]:
    """Expected seconds and metres of a session (lengths from `effort.step_seconds`)."""
    default_pace = easy_pace(profile)
    seconds = metres = 0.0
    for step in flatten(blocks):
        step_s = step_seconds(step, profile)
        seconds += step_s
        if step.end.kind == "distance":
            metres += step.end.value or 0.0
        elif step.end.kind == "time" and step.kind != "rest":
            pace = step.target.centre if isinstance(step.target, PaceTarget) else default_pace
            metres += step_s / pace * 1000
    return round(seconds), round(metres)


def _stem(filename: str) -> str:
    base = re.split(r"[\\/]", filename)[-1]
    return base.rsplit(".", 1)[0] or "plan"


def compile_plan(
    text: str,
    filename: str,
    profile: Mapping[str, Any] | None = None,
    *,
    today: dt.date | None = None,
) -> Compiled:
    """Compile the text of one plan file. `profile` is the `[athlete]` table of the config;
    `today` resolves a relative `start = "next-monday"` (default: the system's date)."""
    return _Compiler(text, filename, profile, today).compile()
