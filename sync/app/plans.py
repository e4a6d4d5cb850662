"""Plain functions behind the CLI commands that do not touch the network."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from progsync.sync.app.loading import Loaded, load_plans
from progsync.sync.settings.config import Config
from progsync.workouts.errors import InputError, Issue, Location
from progsync.workouts.model import Session
from progsync.workouts.profile import Profile
from progsync.workouts.units import Units, format_clock, format_distance

if TYPE_CHECKING:
    from collections.abc import Sequence

    from progsync.sync.app.loading import ActualHistory
    from progsync.workouts.activity import Activity
    from progsync.workouts.plan import Compiled


@dataclass
class CheckReport:
    """What `progsync check` found: the plans (when they compiled) and every issue."""

    loaded: Loaded | None
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    strict: bool = False

    @property
    def issues(self) -> list[Issue]:
        return [*self.errors, *self.warnings]

    @property
    def exit_code(self) -> int:
        if self.errors or (self.strict and self.warnings):
            return 2
        return 0

    def summary_lines(self) -> list[str]:
        if self.loaded is None:
            return [f"{len(self.errors)} error(s); fix them and run check again."]
        lines = []
        for compiled in self.loaded.plans:
            plan = compiled.plan
            sessions = plan.sessions
            if sessions:
                seconds = sum(s.estimated_duration_s for s in sessions)
                metres = sum(s.estimated_distance_m for s in sessions)
                span = f"{sessions[0].date} → {sessions[-1].date}"
                lines.append(
                    f"{plan.source_files[0]}: '{plan.name}', {len(sessions)} sessions, {span}, "
                    f"about {format_clock(seconds)} and {format_distance(metres, plan.units)}"
                )
            else:
                lines.append(f"{plan.source_files[0]}: '{plan.name}', no sessions")
        verdict = "ok" if self.exit_code == 0 else "failed"
        lines.append(f"{verdict}: {len(self.errors)} error(s), {len(self.warnings)} warning(s)")
        return lines

    def as_dict(self) -> dict[str, object]:
        sessions = self.loaded.sessions if self.loaded else []
        return {
            "ok": self.exit_code == 0,
            "errors": [i.as_dict() for i in self.errors],
            "warnings": [i.as_dict() for i in self.warnings],
            "notes": [i.as_dict() for i in self.loaded.notes] if self.loaded else [],
            "sessions": [
                {
                    "identity": s.identity,
                    "date": s.date.isoformat(),
                    "name": s.name,
                    "estimated_duration_s": s.estimated_duration_s,
                    "estimated_distance_m": s.estimated_distance_m,
                }
                for s in sessions
            ],
        }


def check_plans(
    files: tuple[str, ...] | list[str],
    config: Config,
    strict: bool = False,
    history: tuple[str, ...] | list[str] = (),
    history_from: str | None = None,
) -> CheckReport:
    """Compile plans and collect every error and warning, without raising for input errors.

    Coaching warnings come too; `history` files (earlier weeks), or the activities actually run
    then (`history_from`, a source of `review`), inform the week rules.
    """
    actual: ActualHistory | None = None
    if history_from:
        source = history_from

        def actual(compiled: list[Compiled]) -> tuple[Sequence[Activity], Sequence[Issue], str]:
            from progsync.sync.app.review import history_activities

            activities, warnings = history_activities(source, config, compiled)
            return activities, warnings, source

    try:
        loaded = load_plans(files, config, history, actual)
    except InputError as exc:
        return CheckReport(None, errors=list(exc.issues), strict=strict)
    warnings = list(loaded.warnings)
    if strict:
        return CheckReport(loaded, errors=[w.escalated() for w in warnings], strict=True)
    return CheckReport(loaded, warnings=warnings)


def select_sessions(sessions: list[Session], which: str | None) -> list[Session]:
    """Sessions whose name contains `which` (case-insensitive) or whose date is `which`."""
    if not which:
        return sessions
    try:
        day = dt.date.fromisoformat(which)
    except ValueError:
        day = None
    chosen = [s for s in sessions if (day and s.date == day) or which.lower() in s.name.lower()]
    if not chosen:
        from progsync.workouts.errors import did_you_mean

        raise InputError(
            [
                Issue(
                    f"no session matches '{which}'",
                    hint=did_you_mean(which, [s.name for s in sessions])
                    or "sessions: " + ", ".join(f"{s.date} {s.name}" for s in sessions[:8]),
                )
            ]
        )
    return chosen


def athlete_profile(
    config: Config, plan_file: str | None = None, race: str | None = None, units: str = "km"
) -> tuple[Profile, Units, dict[str, Any]]:
    """The profile a command works with: the config's `[athlete]`, a plan's, then `--race`.

    Returns the profile, the plan's units and the merged `[athlete]` data it was built from.
    """

    from progsync.workouts.profile import ProfileError, athlete_layers, build_profile
    from progsync.workouts.source import SourceMap, parse_toml, read_source

    plan_athlete: dict[str, Any] = {}
    plan_units = units
    src: SourceMap | None = None
    if plan_file:
        path = Path(plan_file)
        text = read_source(path)
        src = SourceMap(text, plan_file)
        data = parse_toml(src)
        plan_athlete = dict(data.get("athlete") or {})
        plan_units = str((data.get("plan") or {}).get("units", units))
    merged, origin = athlete_layers(
        ("config", config.athlete), (f"plan {plan_file}" if plan_file else "plan", plan_athlete)
    )
    if race:
        # `--race` adds a result beside the paces in use (it fills their gaps), whoever gave them.
        merged["race"], origin["race"] = race, "--race"
    if plan_units not in ("km", "mi"):
        plan_units = "km"
    try:
        built = build_profile(merged, cast(Units, plan_units), origin)
    except ProfileError as exc:
        issues = []
        for problem in exc.problems:
            key = problem.key.split(".")[0]
            if src is not None and key in plan_athlete:
                where = src.key(src.table("athlete"), problem.key.split(".")[-1])
            elif key == "race" and race:
                where = Location("--race")
            else:
                where = Location(str(config.path) if config.path else "config [athlete]")
            issues.append(Issue(problem.message, where, problem.hint))
        raise InputError(issues) from None
    return built, cast(Units, plan_units), merged


def check_text(
    text: str, filename: str, config: Config, athlete: Mapping[str, Any] | None = None
) -> list[Issue]:
    """Compile generated plan text with `athlete` (default: the config's) and run every check."""
    from progsync.workouts.checks import run_checks
    from progsync.workouts.plan import compile_plan

    compiled = compile_plan(text, filename, config.athlete if athlete is None else athlete)
    return [*compiled.warnings, *run_checks([compiled], config.checks)]


# -- re-anchoring a race block (`new block --update FILE`) ----------------------------------------
def block_start(path: Path) -> dt.date:
    """The `[plan] start` of a block file (the weeks of a re-anchored block still count from it)."""
    import tomllib

    from progsync.workouts.source import SourceMap, read_source, toml_issue

    text = read_source(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([toml_issue(exc, SourceMap(text, str(path)))]) from None
    start = (data.get("plan") or {}).get("start")
    if not isinstance(start, dt.date):
        raise InputError(
            [
                Issue(
                    "the block has no [plan] start to count its weeks from",
                    Location(str(path)),
                    "add start = YYYY-MM-DD under [plan], the first day of week 1",
                )
            ]
        )
    return start


def _session_day(table: Any, start: dt.date) -> dt.date | None:
    from progsync.workouts.plan import DAY_NAMES

    if "date" in table:
        value = table["date"]
        return value if isinstance(value, dt.date) else None
    day = DAY_NAMES.get(str(table.get("day", "")).lower())
    week = table.get("week", 1)
    if day is None or not isinstance(week, int):
        return None
    week_start = start + dt.timedelta(days=7 * (week - 1))
    return week_start + dt.timedelta(days=(day - week_start.weekday()) % 7)


def reanchor(old_text: str, new_text: str, today: dt.date, start: dt.date) -> str:
    """`old_text` with every session from `today` on replaced by those of `new_text` (the block
    written again to the race's new day). Edited with tomlkit: the sessions before today, the
    `[plan]` and `[athlete]` tables and every comment among them stay byte for byte."""
    import tomlkit
    from tomlkit.items import AoT, Table

    doc = tomlkit.parse(old_text)
    fresh = tomlkit.parse(new_text)
    sessions = doc.get("session")
    kept: list[Table] = []
    if isinstance(sessions, AoT):
        for index in reversed(range(len(sessions))):
            day = _session_day(sessions[index], start)
            if day is None or day >= today:
                del sessions[index]
        kept = list(sessions)
    new_sessions = [
        table
        for table in (fresh.get("session") or [])
        if (_session_day(table, start) or today) >= today
    ]
    if not isinstance(sessions, AoT):
        sessions = AoT([])
        doc.append("session", sessions)
    if kept and new_sessions:
        last = kept[-1]
        body = last.value.body
        while body and body[-1][0] is None:  # the comments of the weeks that are rewritten
            body.pop()
        last.add(tomlkit.nl())
        first_day = _session_day(new_sessions[0], start) or today
        last_day = _session_day(last, start) or today
        if (first_day - start).days // 7 != (last_day - start).days // 7:
            marker = f"date = {first_day.isoformat()}"
            header = new_text.rfind("\n# Week", 0, new_text.find(marker))
            if header >= 0:
                line = new_text[header + 1 :].split("\n", 1)[0]
                last.add(tomlkit.comment(line.removeprefix("# ")))
                last.add(tomlkit.nl())
    for table in new_sessions:
        sessions.append(table)
    return tomlkit.dumps(doc)
