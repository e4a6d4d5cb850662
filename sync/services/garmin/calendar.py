"""Reading a Garmin Connect account for `progsync import --from garmin`: the workouts scheduled
on the calendar in a date range, the saved workouts (the library), and each workout whole.

Fewest requests: one `calendar-service/year/{y}/month/{m-1}` listing per month the range covers,
one `workout-service/workouts` page per 100 saved workouts, and one `workout-service/workout/{id}`
per distinct workout (a workout scheduled on several dates is read once). Every call goes
through the one guarded call (`calls.GarminCalls`): counted, paced, retried, its failures mapped
to ours, refreshed tokens saved back.

Which workouts are progsync's is told as the destination tells it: by the marker at the end of
the description (`[progsync <identity> <date> <fingerprint>]`, `client.MARKER`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import partial

from progsync.sync.services.garmin.calls import GarminCalls, garmin_pacer
from progsync.sync.services.garmin.client import MARKER, Gone, api_url, connect, login_hint
from progsync.sync.services.garmin.destination import Scheduled, months, scheduled_entries
from progsync.sync.services.garmin.tokens import load_tokens
from progsync.sync.services.replies import (
    GarminWorkoutDetail,
    garmin_calendar,
    garmin_workout,
    garmin_workouts,
)
from progsync.sync.settings.config import Config


@dataclass(frozen=True)
class Saved:
    """One saved workout of the listing; `identity` is the progsync session it belongs to (from
    its marker), None for a workout progsync did not make."""

    workout_id: str
    name: str
    identity: str | None


class GarminAccount:
    """Reads one Garmin Connect account through its guarded connection."""

    def __init__(self, conn: GarminCalls) -> None:
        self.conn = conn

    def requests_made(self) -> Counter[str]:
        return Counter(self.conn.calls)

    def calendar(self, start: dt.date, until: dt.date) -> list[Scheduled]:
        """The workouts scheduled from `start` to `until`, by date: one request per month
        (`destination.scheduled_entries` says which items those are)."""
        out: list[Scheduled] = []
        for year, month in months(start, until):
            what = f"reading the calendar of {year}-{month:02d}"
            items = garmin_calendar(
                self.conn.call(
                    "get_scheduled_workouts",
                    what,
                    partial(self.conn.garmin.get_scheduled_workouts, year, month),
                ),
                what,
            )
            out.extend(e for e in scheduled_entries(items) if start <= e.day <= until)
        unique = {e.schedule_id: e for e in out}  # an entry listed with two months counts once
        return sorted(unique.values(), key=lambda s: (s.day, s.schedule_id))

    def library(self) -> list[Saved]:
        """Every saved workout, 100 a page, oldest first as the service lists them."""
        out: list[Saved] = []
        offset = 0
        while True:
            reply = self.conn.call(
                "get_workouts",
                "listing workouts",
                partial(self.conn.garmin.get_workouts, offset, 100),
            )
            page = garmin_workouts(reply, "listing workouts")
            for workout in page:
                match = MARKER.search(workout.description or "")
                out.append(
                    Saved(
                        str(workout.workoutId),
                        workout.workoutName or "",
                        match.group(1) if match else None,
                    )
                )
            if len(page) < 100:
                return out
            offset += 100

    def workout(self, workout_id: str) -> GarminWorkoutDetail | None:
        """One whole workout, or None when it is gone (deleted since it was listed)."""
        what = f"reading workout {workout_id}"
        try:
            reply = self.conn.call(
                "get_workout_by_id", what, lambda: self.conn.garmin.get_workout_by_id(workout_id)
            )
        except Gone:
            return None
        return garmin_workout(reply, what)


def open_account(config: Config) -> GarminAccount:
    """The account of the stored tokens (keyring, or PROGSYNC_GARMIN_TOKENS), paced as a push
    is; no tokens is an AuthError saying how to log in."""
    tokens = load_tokens(config.member)
    garmin = connect(tokens.tokens, api_url(config), config.member)
    pacer = garmin_pacer(config.garmin.timeout)
    return GarminAccount(GarminCalls(garmin, tokens, pacer, login_hint(config.member)))
