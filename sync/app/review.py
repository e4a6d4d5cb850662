"""`progsync review` as a use case: fetch completed activities and compare them with the plan.

Read-only towards every service: it lists activities and downloads their files, and writes
nothing but its own download cache. Activities come from a folder of FIT files (a watch's
`GARMIN/Activity` over USB, or files the user saved) or from Intervals.icu and Garmin Connect
(`progsync.sync.services.activities`: one listing, each file downloaded once into the cache),
decoded by `progsync.workouts.activity`; the comparison itself is pure
(`progsync.workouts.review`). `history_activities` gives `check --history-from` the weeks
actually run before a plan. `progsync.sync.views.review` shows the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from progsync.sync.services.activities import folder_activities
from progsync.sync.settings.config import SERVICES
from progsync.workouts.activity import Activity
from progsync.workouts.errors import Issue, ProgsyncError
from progsync.workouts.model import Session
from progsync.workouts.plan import Compiled
from progsync.workouts.profile import Profile
from progsync.workouts.review import (
    MOVE_DAYS,
    Review,
    review,
)
from progsync.workouts.units import Units


class ReviewError(ProgsyncError):
    """A review that cannot be asked for (a bad --week, --until before --from-date, an unknown
    source); exit code 2."""

    exit_code = 2


# -- the command ------------------------------------------------------------------------------
def _today() -> dt.date:
    from progsync.sync.settings.config import today

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
