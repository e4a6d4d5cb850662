"""Races the athlete entered on a calendar, for `new block --race-from intervals|garmin`.

- Intervals.icu: events of category `RACE_A`, `RACE_B`, `RACE_C` (the Event schema's categories;
  watt-mind/coach #97, #154), one `GET /events` with the categories comma-separated.
- Garmin Connect: calendar items with `itemType: "event"` marked `isRace` / `primaryEvent`
  (garmin_mcp PR #286), read month by month (`calendar-service/year/{y}/month/{m-1}`).

The distance comes from the event's distance in metres, or failing that from words in its name.
Both replies are parsed by `services/replies.py` (an odd one is exit 5 naming the request).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from progsync.sync.services import replies
from progsync.sync.services.activities import GarminSource, Unavailable, _day, garmin_source
from progsync.sync.settings.config import Config
from progsync.sync.settings.errors import RemoteError

#: Intervals.icu race priorities, most important first (the event categories of the OpenAPI spec).
RACE_CATEGORIES = ("RACE_A", "RACE_B", "RACE_C")


@dataclass(frozen=True)
class CalendarRace:
    """A race the athlete entered on a calendar: its day, name, distance word and priority."""

    day: dt.date
    name: str
    distance: str | None
    priority: int
    where: str


def race_distance_word(name: str, metres: float | None) -> str | None:
    """`5k`, `10k`, `half` or `marathon` from an event's distance (metres) or its name."""
    if metres:
        for word, length in (("marathon", 42195.0), ("half", 21097.5), ("10k", 10000.0), ("5k", 5000.0)):
            if abs(metres - length) <= length * 0.05:
                return word
    low = name.lower().replace("-", " ")
    if "half" in low or "halbmarathon" in low or "semi" in low:
        return "half"
    if "marathon" in low:
        return "marathon"
    for word in ("10k", "5k"):
        if word in low.replace(" ", ""):
            return word
    if "parkrun" in low:
        return "5k"
    return None


def intervals_races(client: Any, start: dt.date, until: dt.date) -> list[CalendarRace]:
    """`GET /api/v1/athlete/{id}/events?oldest=&newest=&category=RACE_A,RACE_B,RACE_C` (listEvents;
    `category` is a comma-separated list in the OpenAPI spec): the races, A first."""
    params = {
        "oldest": start.isoformat(),
        "newest": until.isoformat(),
        "category": ",".join(RACE_CATEGORIES),
    }
    data = client.request("GET", "/events", "listing race events", params=params)
    out = []
    for event in replies.intervals_races(data):
        day = _day(event.start_date_local)
        if event.category not in RACE_CATEGORIES or day is None:
            continue
        name = event.name or "Race"
        out.append(
            CalendarRace(
                day,
                name,
                race_distance_word(name, event.distance),
                RACE_CATEGORIES.index(event.category),
                f"intervals:event {event.id}",
            )
        )
    return out


def garmin_races(source: GarminSource, start: dt.date, until: dt.date) -> list[CalendarRace]:
    """The race events of the Garmin Connect calendar months from `start` to `until`: calendar
    items with `itemType: "event"` marked `isRace` (the athlete's primary race, `primaryEvent`,
    first; garmin_mcp PR #286), read month by month with `get_scheduled_workouts` (the
    `calendar-service/year/{y}/month/{m-1}` listing)."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (until.year, until.month):
        y, m = year, month

        def run(y: int = y, m: int = m) -> Any:
            return source.garmin.get_scheduled_workouts(y, m)

        try:
            data = source._call("get_scheduled_workouts", "reading the calendar", run)
        except Unavailable as exc:
            raise RemoteError(f"Garmin Connect: {exc} while reading the calendar") from None
        for item in replies.garmin_calendar(data, f"reading the calendar of {y}-{m:02d}"):
            if item.itemType != "event" or not (item.isRace or item.primaryEvent):
                continue
            day = item.day
            if day is None or not start <= day <= until:
                continue
            name = item.title or "Race"
            out.append(
                CalendarRace(
                    day,
                    name,
                    race_distance_word(name, item.distance),
                    0 if item.primaryEvent else 1,
                    f"garmin:calendar item {item.id}",
                )
            )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def calendar_races(service: str, config: Config, start: dt.date, until: dt.date) -> list[CalendarRace]:
    """The races on the athlete's `intervals` or `garmin` calendar between two days."""
    if service == "intervals":
        from progsync.sync.services.intervals_client import client_for

        return intervals_races(client_for(config), start, until)
    return garmin_races(garmin_source(config), start, until)


def next_race(races: list[CalendarRace]) -> CalendarRace | None:
    """The race a block builds to: the most important (A, then B, then C), the soonest of those."""
    return min(races, key=lambda r: (r.priority, r.day), default=None)
