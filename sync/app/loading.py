"""Reading plan files from disk (globs included) and compiling them with the config's profile.

Plans are compiled on the athlete's calendar day, `today()` (`PROGSYNC_TODAY` pins it, as for
push and review), which resolves a relative `[plan] start = "next-monday"`.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import TYPE_CHECKING

from progsync.sync.settings.config import Config, today
from progsync.workouts.errors import InputError, Issue, Location
from progsync.workouts.model import Session
from progsync.workouts.plan import Compiled, compile_plan
from progsync.workouts.records import record
from progsync.workouts.source import read_source

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from progsync.workouts.activity import Activity

    #: The activities actually run before the compiled plans, the warnings of reading them, and
    #: the source's name (`check --history-from`): a function the use case passes to
    #: `load_plans`, so that loading never reaches the network itself.
    ActualHistory = Callable[[list[Compiled]], tuple[Sequence[Activity], Sequence[Issue], str]]


@record
class Loaded:
    """Every compiled plan of one command, and their sessions in date order."""

    plans: tuple[Compiled, ...]
    coaching: tuple[Issue, ...] = ()

    @property
    def sessions(self) -> list[Session]:
        out = [s for c in self.plans for s in c.plan.sessions]
        return sorted(out, key=lambda s: (s.date, s.plan, s.slot))

    @property
    def warnings(self) -> list[Issue]:
        notes = (n for c in self.plans for n in c.notes if n.severity == "warning")
        return [*(w for c in self.plans for w in c.warnings), *notes, *self.coaching]

    @property
    def notes(self) -> list[Issue]:
        """What was changed for the athlete (coach mode): shown, but not warnings."""
        return [n for c in self.plans for n in c.notes if n.severity == "note"]


def expand_paths(patterns: tuple[str, ...] | list[str]) -> list[Path]:
    """Plan paths from arguments; globs are expanded here too, for shells (and cron) that don't."""
    paths: list[Path] = []
    issues: list[Issue] = []
    for pattern in patterns:
        matches = sorted(glob.glob(pattern)) if any(c in pattern for c in "*?[") else [pattern]
        if not matches:
            issues.append(Issue(f"no plan file matches '{pattern}'", Location(pattern)))
        for match in matches:
            path = Path(match)
            if path.is_dir():
                issues.append(
                    Issue(
                        f"plan file '{match}' is a folder, not a file",
                        Location(match),
                        f"name the .toml files in it, e.g. '{path / '*.toml'}'",
                    )
                )
            elif not path.is_file():
                issues.append(
                    Issue(
                        f"plan file '{match}' does not exist",
                        Location(match),
                        "check the path; plans are .toml files",
                    )
                )
            elif path not in paths:
                paths.append(path)
    if issues:
        raise InputError(issues)
    return paths


def load_plans(
    patterns: tuple[str, ...] | list[str],
    config: Config,
    history: tuple[str, ...] | list[str] = (),
    actual: ActualHistory | None = None,
) -> Loaded:
    """Compile every plan; errors of all files are reported together, and identity clashes too.

    The coaching checks run over the plans (and the `history` files, which only inform the
    week rules); their warnings join the compile warnings. `actual` (given by the use case that
    reads an activity source: loading never reaches the network) makes the weeks before the plan
    what was actually run instead.
    """
    if history and actual:
        raise InputError(
            [
                Issue(
                    "--history and --history-from cannot be combined",
                    hint="the weeks before the plan are either earlier plan files or what was "
                    "actually run",
                )
            ]
        )
    compiled = _compile_all(patterns, config)
    issues: list[Issue] = []
    seen: dict[str, Session] = {}
    for plan in compiled:
        for session in plan.plan.sessions:
            other = seen.get(session.identity)
            if other is not None:
                issues.append(
                    Issue(
                        f"session {session.describe()} has the same identity as "
                        f"{other.describe()} in {other.source_file}:{other.source_line}",
                        Location(session.source_file or "?", session.source_line),
                        "two files with the same [plan] name and dates clash: give each plan "
                        "its own name, or the sessions distinct ids",
                    )
                )
            seen[session.identity] = session
    if issues:
        raise InputError(issues)
    from progsync.workouts.checks import run_checks

    checked = {Path(f) for c in compiled for f in c.plan.source_files}
    earlier = _compile_all(history, config, exclude=checked) if history else []
    if actual is None:
        return Loaded(tuple(compiled), tuple(run_checks(compiled, config.checks, earlier)))
    activities, fetched, source = actual(compiled)
    found = run_checks(compiled, config.checks, earlier, activities, source)
    return Loaded(tuple(compiled), (*fetched, *found))


def for_member(compiled: Compiled, athlete: str) -> Compiled:
    """A plan compiled for one squad member: every session (and the plan) carries the athlete."""
    from dataclasses import replace

    plan = compiled.plan
    sessions = tuple(replace(s, athlete=athlete) for s in plan.sessions)
    return replace(compiled, plan=replace(plan, sessions=sessions, athlete=athlete))


def _compile_all(
    patterns: tuple[str, ...] | list[str], config: Config, exclude: set[Path] | None = None
) -> list[Compiled]:
    issues: list[Issue] = []
    compiled: list[Compiled] = []
    for path in expand_paths(patterns):
        if exclude and path in exclude:
            continue
        try:
            text = read_source(path)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        try:
            result = compile_plan(text, str(path), config.athlete, today=today())
            compiled.append(for_member(result, config.member) if config.member else result)
        except InputError as exc:
            issues.extend(exc.issues)
    if issues:
        raise InputError(issues)
    if config.member and config.adjust:
        from progsync.workouts.adjust import adjust_plans

        return adjust_plans(compiled, config.adjust, config.checks, config.member)
    return compiled
