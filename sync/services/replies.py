"""Checking the shape of a service's 200 replies before the engine trusts them.

A proxy's HTML page, an empty body or JSON of another shape (a dict where a list was expected,
events without an id or a date) is the service's problem, not a bug in progsync: it becomes an
`OddReply` naming the service and what was wrong (exit 5, like an unreachable destination),
never "internal error". pydantic models at this edge; the destinations call one function each.

Write replies go through here as well as listings: an Intervals.icu bulk save answered with
`{"ok": true}`, or with events that lack an id, stops the push with exit 5 before anything of
that reply is recorded (the next push converges from the listing, which shows what was saved).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from progsync.sync.settings.errors import OddReply

M = TypeVar("M", bound=BaseModel)


class IntervalsEvent(BaseModel):
    """The fields of an Intervals.icu event (GET /athlete/{id}/events, and the events a save
    answers with) that progsync reads; the rest is kept as sent (`extra`) for fingerprinting."""

    model_config = ConfigDict(extra="allow")
    id: int | str
    start_date_local: dt.date | dt.datetime | str
    external_id: str | None = None
    name: str | None = None

    @property
    def key(self) -> str:
        """The id as the ledger keeps it."""
        return str(self.id)

    @property
    def day(self) -> dt.date:
        return dt.date.fromisoformat(str(self.start_date_local)[:10])

    def fields(self) -> dict[str, Any]:
        """Every field of the event as the service sent it (for comparing with the plan)."""
        return self.model_dump()


class IntervalsRace(BaseModel):
    """A race event of the Intervals.icu calendar (`category` RACE_A/B/C, the Event schema of
    the OpenAPI spec; `distance` in metres when the athlete gave one)."""

    model_config = ConfigDict(extra="allow")
    id: int | str
    start_date_local: str
    category: str | None = None
    name: str | None = None
    distance: float | None = None


class IntervalsWorkout(BaseModel):
    """A workout of the Intervals.icu library (`GET /athlete/{id}/workouts`, OpenAPI
    `listWorkouts`: an array of `Workout`); its `description` is the workout text, as an
    event's is. `fields` is the whole item, for the importer."""

    model_config = ConfigDict(extra="allow")
    id: int | str
    name: str | None = None
    description: str | None = None

    def fields(self) -> dict[str, Any]:
        return self.model_dump()


class IntervalsAthlete(BaseModel):
    """`GET /api/v1/athlete/{id}`: whose calendar a key reaches (OpenAPI `getAthlete`)."""

    model_config = ConfigDict(extra="allow")
    id: int | str
    name: str | None = None


class IntervalsDeleted(BaseModel):
    """The reply to `PUT /events/bulk-delete`: `{"eventsDeleted": n}` (OpenAPI spec)."""

    model_config = ConfigDict(extra="allow")
    eventsDeleted: int = 0


class GarminWorkout(BaseModel):
    """The fields of a Garmin Connect workout list item the engine reads."""

    model_config = ConfigDict(extra="allow")
    workoutId: int | str
    workoutName: str | None = None
    description: str | None = None


class GarminCalendarItem(BaseModel):
    """A `calendarItems` entry of `/calendar-service/year/{y}/month/{m}`: for a scheduled
    workout `id` is the schedule id (real-services.md, "Calendar"); other kinds (activities,
    notes, events) carry no `workoutId` and are not progsync's."""

    model_config = ConfigDict(extra="allow")
    id: int | str | None = None
    workoutScheduleId: int | str | None = None
    workoutId: int | str | None = None
    date: str | None = None
    #: `workout`, `activity`, `event` (a race or another event the athlete entered) …
    itemType: str | None = None
    title: str | None = None
    #: An event that is a race, and the athlete's primary one (garmin_mcp PR #286).
    isRace: bool | None = None
    primaryEvent: bool | None = None
    distance: float | None = None

    @property
    def schedule_id(self) -> str | None:
        found = self.id if self.id is not None else self.workoutScheduleId
        return None if found is None else str(found)

    @property
    def day(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(str(self.date)[:10])
        except ValueError:
            return None


class GarminCalendar(BaseModel):
    model_config = ConfigDict(extra="allow")
    calendarItems: list[GarminCalendarItem]


class GarminWorkoutDetail(BaseModel):
    """A whole workout as `GET /workout-service/workout/{id}` returns it (garmin.md "read"): its
    steps are read by the importer (`workouts.import_garmin`), which takes the reply as a file's
    JSON; `document` is that reply as sent."""

    model_config = ConfigDict(extra="allow")
    workoutId: int | str
    workoutName: str | None = None
    description: str | None = None
    workoutSegments: list[dict[str, Any]]

    def document(self) -> dict[str, Any]:
        return self.model_dump()


class GarminSaved(BaseModel):
    """The reply to an upload (`{"workoutId": …, …}`) or a schedule (`{"workoutScheduleId": …}`)."""

    model_config = ConfigDict(extra="allow")
    workoutId: int | str | None = None
    workoutScheduleId: int | str | None = None
    id: int | str | None = None


_EVENTS = TypeAdapter(list[IntervalsEvent])
_RACES = TypeAdapter(list[IntervalsRace])
_WORKOUTS = TypeAdapter(list[GarminWorkout])
_LIBRARY = TypeAdapter(list[IntervalsWorkout])


def intervals_events(data: Any, what: str = "listing events") -> list[IntervalsEvent]:
    """The events of a list reply (a listing or a bulk save), or OddReply saying what was wrong."""
    return _checked(data, _EVENTS, "Intervals.icu", what, "start_date_local")


def intervals_races(data: Any, what: str = "listing race events") -> list[IntervalsRace]:
    """The race events of a listing, or OddReply saying what was wrong with it."""
    return _checked(data, _RACES, "Intervals.icu", what, "start_date_local")


def intervals_workouts(data: Any, what: str = "listing the workout library") -> list[IntervalsWorkout]:
    """The workouts of the library listing, or OddReply saying what was wrong with it."""
    return _checked(data, _LIBRARY, "Intervals.icu", what, None)


def intervals_saved(data: Any, external_ids: list[str], what: str) -> list[IntervalsEvent]:
    """The events a bulk save answered with: a list of events, each with an id and one of the
    external ids that were sent (the service answers with the saved events, OpenAPI
    `createMultipleEvents`); anything else is an OddReply naming the request."""
    events = intervals_events(data, what)
    sent = set(external_ids)
    for index, event in enumerate(events):
        if event.external_id not in sent:
            raise OddReply(
                f"Intervals.icu sent an unexpected item while {what}: item {index} has "
                f"external_id = {event.external_id!r}, not one of the events sent",
                _HINT,
            )
    return events


def intervals_event(data: Any, what: str) -> IntervalsEvent:
    """The one event a `PUT /events/{id}` answered with, or OddReply."""
    if not isinstance(data, dict):
        return intervals_events(data, what)[0] if isinstance(data, list) and data else _odd(
            data, "Intervals.icu", what, "an event"
        )
    return intervals_events([data], what)[0]


def intervals_athlete(data: Any, what: str = "reading the athlete") -> IntervalsAthlete:
    """The athlete of a `GET /athlete/{id}` reply, or OddReply."""
    return _one(data, IntervalsAthlete, "Intervals.icu", what, "an athlete")


def intervals_deleted(data: Any, what: str) -> int:
    """How many events a bulk delete removed (`{"eventsDeleted": n}`), or OddReply."""
    if data is None or data == "":
        return 0  # an empty 200 removed what was asked; the next listing shows the rest
    if not isinstance(data, dict):
        _odd(data, "Intervals.icu", what, "an object")
    try:
        return IntervalsDeleted.model_validate(data).eventsDeleted
    except ValidationError as exc:
        first = exc.errors()[0]
        raise OddReply(
            f"Intervals.icu sent an unexpected reply while {what}: {first['msg']}", _HINT
        ) from None


_HINT = "the service or a proxy in between sent an unexpected page; try again later"


def _one(data: Any, model: type[M], service: str, what: str, expected: str) -> M:
    """One object of a reply parsed into `model`, or OddReply naming the request and the first
    thing that was wrong (`expected`: what a person would call the object)."""
    if not isinstance(data, dict):
        _odd(data, service, what, expected)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise OddReply(
            f"{service} sent an unexpected {expected.split(' ', 1)[1]} while {what}: {where}: "
            f"{first['msg']}",
            _HINT,
        ) from None


def _odd(data: Any, service: str, what: str, expected: str) -> Any:
    if isinstance(data, str):
        shown = "an HTML page" if data.lstrip().startswith("<") else "text"
        raise OddReply(f"{service} sent {shown} while {what}, not JSON", _HINT)
    raise OddReply(
        f"{service} sent a {type(data).__name__} while {what}, where {expected} was expected",
        _HINT,
    )


def garmin_workouts(data: Any, what: str = "listing workouts") -> list[GarminWorkout]:
    """The workouts of a list reply, or OddReply saying what was wrong with it."""
    return _checked(data, _WORKOUTS, "Garmin Connect", what, None)


def garmin_calendar(data: Any, what: str) -> list[GarminCalendarItem]:
    """The items of a calendar month, or OddReply."""
    return _one(data, GarminCalendar, "Garmin Connect", what, "a calendar").calendarItems


def garmin_workout(data: Any, what: str) -> GarminWorkoutDetail:
    """One whole workout (with its steps), or OddReply saying what was wrong with it."""
    return _one(data, GarminWorkoutDetail, "Garmin Connect", what, "a workout")


def garmin_uploaded(data: Any, what: str) -> str:
    """The id of the workout an upload created, or OddReply (the upload may have happened: the
    next push finds it by its marker)."""
    saved = GarminSaved.model_validate(data) if isinstance(data, dict) else None
    if saved is None or saved.workoutId is None:
        raise OddReply(
            f"Garmin Connect answered {what} without a workout id", _HINT + UPLOAD_NOTE
        )
    return str(saved.workoutId)


def garmin_schedule_id(data: Any) -> str | None:
    """The schedule id in a schedule reply, or None when the reply has none (the caller then
    looks at the calendar, since the entry may exist all the same)."""
    if not isinstance(data, dict):
        return None
    saved = GarminSaved.model_validate(data)
    found = saved.workoutScheduleId if saved.workoutScheduleId is not None else saved.id
    return None if found is None else str(found)


UPLOAD_NOTE = "; the next push finds what was saved by its marker"


def _checked(
    data: Any, adapter: TypeAdapter[list[M]], service: str, what: str, date_key: str | None
) -> list[M]:
    """The items of a list reply, each parsed into its model, or OddReply naming the request
    and what was wrong (an empty body, a page, not a list, an item without an id or a date)."""
    if data is None or data == "":
        raise OddReply(f"{service} sent an empty reply while {what} (a list was expected)", _HINT)
    if isinstance(data, str):
        shown = "an HTML page" if data.lstrip().startswith("<") else "text"
        raise OddReply(f"{service} sent {shown} while {what}, not JSON", _HINT)
    if not isinstance(data, list):
        raise OddReply(
            f"{service} sent a {type(data).__name__} while {what}, where a list was expected", _HINT
        )
    try:
        models = adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise OddReply(
            f"{service} sent an unexpected item while {what}: item {where}: {first['msg']}", _HINT
        ) from None
    if date_key is not None:
        for index, item in enumerate(data):
            try:
                dt.date.fromisoformat(str(item[date_key])[:10])
            except ValueError:
                raise OddReply(
                    f"{service} sent an unexpected item while {what}: item {index} has "
                    f"{date_key} = {item[date_key]!r}, not a date",
                    _HINT,
                ) from None
    return models


class IntervalsActivity(BaseModel):
    """The fields of an Intervals.icu activity list item (GET /athlete/{id}/activities) that
    `review` reads; a Strava stub has only `id`, `source`, `_note` and `start_date_local`
    (real-services.md, "Activities")."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: int | str
    start_date_local: str | None = None
    type: str | None = None
    source: str | None = None
    file_type: str | None = None
    note: str | None = Field(default=None, alias="_note")


class GarminActivityType(BaseModel):
    model_config = ConfigDict(extra="allow")
    typeKey: str | None = None


class GarminActivity(BaseModel):
    """The fields of a Garmin Connect activity list item (activitylist-service) `review` reads."""

    model_config = ConfigDict(extra="allow")
    activityId: int | str
    startTimeLocal: str | None = None
    activityType: GarminActivityType | None = None


_ACTIVITIES = TypeAdapter(list[IntervalsActivity])
_GARMIN_ACTIVITIES = TypeAdapter(list[GarminActivity])


def intervals_activities(data: Any, what: str = "listing activities") -> list[IntervalsActivity]:
    """The activities of a list reply, or OddReply saying what was wrong with it."""
    return _checked(data, _ACTIVITIES, "Intervals.icu", what, None)


def garmin_activities(data: Any, what: str = "listing activities") -> list[GarminActivity]:
    """The activities of a list reply, or OddReply saying what was wrong with it."""
    return _checked(data, _GARMIN_ACTIVITIES, "Garmin Connect", what, None)
