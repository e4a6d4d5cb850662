"""The roster of coach mode, as the config holds it: `[athletes.NAME]` tables, each an athlete's
profile keys plus where their workouts go (`intervals`, `garmin`, `folder`) and how the plan is
adjusted for them (`scale`, `rest_days`). Validated with the rest of the config, located at the
config file; `progsync.sync.app.squad` turns it into per-athlete configs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from progsync.workouts.adjust import adjustment_problems
from progsync.workouts.errors import Issue, Location

#: Where an athlete's workouts go: every destination kind but a calendar file.
ROUTING_KEYS = ("intervals", "garmin", "folder")
#: Per-athlete adjustments of the plan (`progsync.workouts.adjust`), not profile keys.
ADJUST_KEYS = ("scale", "rest_days")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def roster_issues(table: Mapping[str, Any], where: Location) -> list[Issue]:
    """Problems of the `[athletes]` table (names, routing keys), located at the config file."""
    issues = []
    for name, value in table.items():
        if not NAME.match(name):
            issues.append(
                Issue(
                    f"athlete name '{name}' is not a short lower-case name",
                    where,
                    "use letters, digits, - and _ (e.g. [athletes.anna]): it becomes part of "
                    "every identity on the calendar",
                )
            )
        if not isinstance(value, Mapping):
            issues.append(Issue(f"[athletes.{name}] must be a table", where))
            continue
        issues.extend(Issue(m, where, h) for m, h in adjustment_problems(name, value))
        routes = value.get("intervals"), value.get("garmin"), value.get("folder")
        if not any(routes):
            issues.append(
                Issue(
                    f"[athletes.{name}] says nowhere to send the workouts",
                    where,
                    'add intervals = "i12345", garmin = true or folder = "PATH"',
                )
            )
        if value.get("intervals") is not None and not re.fullmatch(
            r"i?\d+", str(value.get("intervals"))
        ):
            issues.append(
                Issue(
                    f"[athletes.{name}] intervals = {value.get('intervals')!r} is not an "
                    "Intervals.icu athlete id",
                    where,
                    'athlete ids look like "i12345" (the athlete\'s Settings page)',
                )
            )
    return issues
