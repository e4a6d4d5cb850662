"""The roster of coach mode, as the config holds it: `[athletes.NAME]` tables, each an athlete's
profile keys plus where their workouts go (`intervals`, `garmin`, `folder`) and how the plan is
adjusted for them (`scale`, `rest_days`). Validated with the rest of the config, located at the
config file, and read into `Athlete`s there (`Config.athletes`); `progsync.sync.app.squad` turns
each into a per-athlete config.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import field
from typing import Any

from progsync.workouts.adjust import adjustment_problems
from progsync.workouts.errors import Issue, Location
from progsync.workouts.records import record

#: Where an athlete's workouts go: every destination kind but a calendar file.
ROUTING_KEYS = ("intervals", "garmin", "folder")
#: Per-athlete adjustments of the plan (`progsync.workouts.adjust`), not profile keys.
ADJUST_KEYS = ("scale", "rest_days")
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@record
class Athlete:
    """One `[athletes.NAME]` table: the profile keys (the same as `[athlete]`'s, parsed by
    `workouts.profile`), where the workouts go, and the plan's adjustments for them."""

    name: str
    profile: Mapping[str, Any]
    intervals: str | None = None
    garmin: bool = False
    folder: str | None = None
    adjust: Mapping[str, Any] = field(default_factory=dict)

    @property
    def destinations(self) -> tuple[str, ...]:
        out = []
        if self.intervals:
            out.append("intervals")
        if self.garmin:
            out.append("garmin")
        if self.folder:
            out.append(f"folder:{self.folder}")
        return tuple(out)


def read_roster(table: Mapping[str, Any]) -> dict[str, Athlete]:
    """The roster of a checked `[athletes]` table (`roster_issues` found nothing), in order."""
    out = {}
    for name, value in table.items():
        profile = {k: v for k, v in value.items() if k not in (*ROUTING_KEYS, *ADJUST_KEYS)}
        intervals = value.get("intervals")
        folder = value.get("folder")
        out[name] = Athlete(
            name,
            profile,
            str(intervals) if intervals else None,
            bool(value.get("garmin")),
            str(folder) if folder else None,
            {k: value[k] for k in ADJUST_KEYS if k in value},
        )
    return out


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
