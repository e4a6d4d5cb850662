"""A fake Intervals.icu on 127.0.0.1: real HTTP, the event endpoints with the real field names.

Every request body is validated against the schemas of the OpenAPI spec in
`tests/fixtures/intervals-icu/openapi-spec.json` (strictly: unknown fields are errors). Basic
auth is checked. Faults can be injected: status codes with Retry-After, dropped connections and
slow replies.

Like the live service, the fake does not store an event as it was sent (docs/destinations.md,
"What the real services do"):
- `moving_time`, `distance`, `icu_training_load` and the parsed `workout_doc` are computed from
  the description, whatever the request said ("Intervals.icu will calculate moving_time and
  other fields", "You can't supply a workout_doc": maintainer, forum.intervals.icu thread 609);
- an empty tag list comes back as null;
- `start_date_local` comes back as a local date-time without an offset.

Completed activities (`add_activity`): `GET /athlete/{id}/activities?oldest=&newest=` lists them
newest first, each item valid against the spec's `Activity` schema; `GET
/api/v1/activity/{id}/fit-file` sends the FIT file. An activity synced from Strava is listed as
the stub the live API sends (`{"id", "source": "STRAVA", "_note", "start_date_local"}`) and its
file answers 422 (hhopke/intervals-icu-mcp#14, platypus45/domestique#2).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from typing import Any

import jsonschema

from . import FIXTURES
from .fake_http import FakeServer, Fault

__all__ = ["FakeIntervals", "Fault"]

SPEC = json.loads((FIXTURES / "intervals-icu" / "openapi-spec.json").read_text())


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


COMPONENTS = _strict(SPEC["components"])


def validator(ref: str, array: bool = False) -> jsonschema.protocols.Validator:
    item = {"$ref": f"#/components/schemas/{ref}"}
    schema = {"components": COMPONENTS, **({"type": "array", "items": item} if array else item)}
    return jsonschema.Draft7Validator(schema)


EVENT_ARRAY = validator("EventEx", array=True)
EVENT = validator("EventEx")
DOOMED_ARRAY = validator("DoomedEvent", array=True)
ACTIVITY_ARRAY = validator("Activity", array=True)
WORKOUT_ARRAY = validator("Workout", array=True)
STRAVA_NOTE = "STRAVA activities are not available via the API"
FIT_TYPES = {"running": "Run", "cycling": "Ride", "swimming": "Swim", "training": "WeightTraining"}


def fit_summary(data: bytes) -> dict[str, Any]:
    """What the service reads from an uploaded FIT file (with Garmin's SDK, not progsync)."""
    from garmin_fit_sdk import Decoder, Stream

    messages, _ = Decoder(Stream.from_byte_array(bytearray(data))).read()
    session = (messages.get("session_mesgs") or [{}])[0]
    # The SDK decodes date_time fields (start_time, timestamp) to datetimes; local_date_time
    # fields (local_timestamp) stay seconds since the FIT epoch.
    start = session["start_time"]
    assert isinstance(start, dt.datetime), start
    offset = dt.timedelta(0)
    for activity in messages.get("activity_mesgs", []):
        local = activity.get("local_timestamp")
        if isinstance(local, int | float):
            utc = activity["timestamp"]
            assert isinstance(utc, dt.datetime), utc
            epoch = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
            offset = epoch + dt.timedelta(seconds=local) - utc
    return {
        "start": start,
        "local": (start + offset).replace(tzinfo=None),
        "sport": str(session.get("sport")),
        "seconds": float(session.get("total_timer_time") or 0),
        "metres": float(session.get("total_distance") or 0),
        "avg_hr": session.get("avg_heart_rate"),
    }


_DURATION = re.compile(r"(?<![\w:])(?:(\d+)h)?(?:(\d+)m(?!tr))?(?:(\d+)s)?(?![\w/])")
_DISTANCE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)(km|mtr|mi)(?!\w)")
_REPEAT = re.compile(r"^\s*(\d+)x\s*$")


def derive(description: str) -> dict[str, Any]:
    """What the service computes from workout text: a rough reading of the step lines.

    Not Intervals.icu's parser, only enough to make `moving_time`, `distance` and the load
    differ from what a client estimated (as they do on the live service).
    """
    seconds = 0.0
    metres = 0.0
    steps = []
    repeat = 1
    for line in description.splitlines():
        match = _REPEAT.match(line)
        if match:
            repeat = int(match.group(1))
            continue
        if not line.startswith("-"):
            if not line.strip():
                repeat = 1
            continue
        step_s = 0.0
        for h, m, sec in _DURATION.findall(line[1:]):
            if h or m or sec:
                step_s = int(h or 0) * 3600 + int(m or 0) * 60 + int(sec or 0)
                break
        found = _DISTANCE.search(line)
        step_m = 0.0
        if found:
            value, unit = float(found.group(1)), found.group(2)
            step_m = value * {"km": 1000.0, "mtr": 1.0, "mi": 1609.344}[unit]
            if not step_s:
                step_s = step_m / 3.0  # the service assumes a pace from the athlete's settings
        seconds += step_s * repeat
        metres += (step_m or step_s * 3.1) * repeat
        steps.append({"duration": int(step_s), "distance": round(step_m, 1), "reps": repeat})
    return {
        "moving_time": int(seconds),
        "distance": round(metres, 1),
        "icu_training_load": int(seconds / 60),
        "workout_doc": {"steps": steps, "duration": int(seconds)},
    }


def stored_event(event: dict[str, Any]) -> dict[str, Any]:
    """An event as the service keeps it: derived fields recomputed, empty tags null."""
    out = dict(event)
    if out.get("category") == "WORKOUT" and "description" in out:
        out.update(derive(str(out.get("description") or "")))
    if not out.get("tags"):
        out["tags"] = None
    if out.get("start_date_local"):
        out["start_date_local"] = str(out["start_date_local"])[:19]
    return out


class FakeIntervals(FakeServer):
    def __init__(self, athlete_id: str = "i12345", api_key: str = "test-key-5ecret",
                 coached: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.athlete_id = athlete_id
        self.api_key = api_key
        # A coach's key reaches their own calendar and those of the athletes they coach; any
        # other athlete id answers 403 (maintainer, forum.intervals.icu thread 609).
        self.coached = coached
        self.calendars: dict[str, dict[int, dict[str, Any]]] = {athlete_id: {}}
        self._current = athlete_id
        self.validation_errors: list[str] = []
        self.upsert_broken = False
        self.next_id = 1000
        self.activities: dict[str, dict[str, Any]] = {}
        self.activity_files: dict[str, bytes] = {}

    @property
    def events(self) -> dict[int, dict[str, Any]]:
        """The calendar of the athlete the current request (or, in tests, the owner) is for."""
        return self.calendars.setdefault(self._current, {})

    def calendar(self, athlete: str) -> dict[int, dict[str, Any]]:
        return self.calendars.setdefault(athlete, {})

    def add_library_workout(self, name: str, description: str | None, folder_id: int = 7) -> int:
        """A saved workout of the library (`GET /athlete/{id}/workouts`, OpenAPI `listWorkouts`:
        an array of `Workout`, every folder's: there is no per-folder listing, real-services.md);
        its `description` is the workout text, as an event's is."""
        with self.lock:
            self.next_id += 1
            library: dict[int, dict[str, Any]] = self.__dict__.setdefault("library", {})
            library[self.next_id] = {
                "id": self.next_id, "athlete_id": self.athlete_id, "name": name, "type": "Run",
                "folder_id": folder_id, "indoor": False,
            }
            if description is not None:  # a workout made from a file has no text
                library[self.next_id]["description"] = description
            return self.next_id

    def add_foreign(self, day: str, name: str = "Coach's session", external_id: str | None = None) -> int:
        with self.lock:
            self.next_id += 1
            self.events[self.next_id] = {
                "id": self.next_id,
                "category": "WORKOUT",
                "type": "Run",
                "start_date_local": f"{day}T00:00:00",
                "name": name,
                "description": "- 30m Z2 HR",
                "external_id": external_id,
            }
            return self.next_id

    # -- what a person does in the app (the calendar's own edit and delete) ---------------------
    def delete_by_hand(self, event_id: int) -> None:
        """The app's delete (`DELETE /athlete/{id}/events/{eventId}`): the event is gone, and a
        later `PUT /events/{eventId}` answers 404 (glebmish/intervals-icu-cli; real-services.md)."""
        with self.lock:
            del self.events[event_id]

    def move_by_hand(self, event_id: int, day: str) -> None:
        """Dragging an event to another day keeps its id and external_id."""
        with self.lock:
            event = self.events[event_id]
            event["start_date_local"] = f"{day}{event['start_date_local'][10:]}"

    def edit_by_hand(self, event_id: int, description: str) -> None:
        """Editing the workout text in the app: the service derives its fields again."""
        with self.lock:
            event = self.events[event_id]
            event.update(stored_event({**event, "description": description}))

    def copy_by_hand(self, event_id: int, keep_external_id: bool = True) -> int:
        """A copy made in the app. Whether the live app copies `external_id` is unverified
        (real-services.md), so tests try both: with it, a second progsync copy; without, foreign."""
        with self.lock:
            self.next_id += 1
            copy = {**self.events[event_id], "id": self.next_id}
            if not keep_external_id:
                copy["external_id"] = None
            self.events[self.next_id] = copy
            return self.next_id

    def add_race(self, day: str, name: str = "City Half Marathon", category: str = "RACE_A",
                 distance: float | None = 21097.5, athlete: str | None = None) -> int:
        """A race the athlete entered in the app: an event of category RACE_A, RACE_B or RACE_C
        (the Event schema's categories; watt-mind/coach #97, #154), with its distance in metres."""
        with self.lock:
            self.next_id += 1
            event = {"id": self.next_id, "category": category, "type": "Run", "name": name,
                     "start_date_local": f"{day}T00:00:00", "distance": distance}
            self.calendar(athlete or self.athlete_id)[self.next_id] = {k: v for k, v in event.items() if v is not None}
            return self.next_id

    def by_external(self) -> dict[str, dict[str, Any]]:
        return {e["external_id"]: e for e in self.events.values() if e.get("external_id")}

    def add_activity(self, data: bytes, athlete: str | None = None, name: str = "Run") -> str:
        """A completed activity uploaded from a device (source GARMIN_CONNECT), listed with the
        fields the service derives from its file; returns its id (`i…`, as the service's are)."""
        summary = fit_summary(data)
        with self.lock:
            self.next_id += 1
            activity_id = f"i{self.next_id}"
            listed = {
                "id": activity_id,
                "icu_athlete_id": athlete or self.athlete_id,
                "start_date_local": summary["local"].isoformat(timespec="seconds"),
                "start_date": summary["start"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                "type": FIT_TYPES.get(summary["sport"], "Workout"),
                "name": name,
                "source": "GARMIN_CONNECT",
                "file_type": "fit",
                "moving_time": round(summary["seconds"]),
                "elapsed_time": round(summary["seconds"]),
                "distance": summary["metres"],
                "average_heartrate": summary["avg_hr"],
                "has_heartrate": summary["avg_hr"] is not None,
            }
            self.activities[activity_id] = {k: v for k, v in listed.items() if v is not None}
            self.activity_files[activity_id] = data
            return activity_id

    def add_strava_stub(self, day: str, athlete: str | None = None) -> str:
        """An activity synced from Strava: the API lists only a stub and has no file for it."""
        with self.lock:
            self.next_id += 1
            activity_id = str(16_358_453_000 + self.next_id)
            self.activities[activity_id] = {
                "id": activity_id, "source": "STRAVA", "_note": STRAVA_NOTE,
                "start_date_local": f"{day}T18:30:00", "icu_athlete_id": athlete or self.athlete_id,
            }
            return activity_id

    def _activity_file(self, method: str, path: str) -> tuple[int, Any]:
        """`GET /api/v1/activity/{id}/fit-file` (downloadActivityFitFile)."""
        parts = path.split("/")
        if method != "GET" or len(parts) != 6 or parts[5] != "fit-file":
            return 404, {"status": 404, "error": "Not found"}
        activity = self.activities.get(parts[4])
        if activity is None:
            return 404, {"status": 404, "error": "Activity not found"}
        if activity["icu_athlete_id"] not in (self.athlete_id, *self.coached):
            return 403, {"status": 403, "error": "Access denied"}
        if activity.get("source") == "STRAVA":
            return 422, {"status": 422, "error": "Cannot read Strava activities via the API"}
        return 200, self.activity_files[parts[4]]

    def _list_activities(self, query: dict[str, list[str]]) -> tuple[int, Any]:
        oldest = query.get("oldest", [""])[0]
        if not oldest:
            return 422, {"status": 422, "error": "oldest is required"}
        newest = query.get("newest", ["9999"])[0]
        found = [
            {k: v for k, v in a.items() if k != "_note" or a.get("source") == "STRAVA"}
            for a in self.activities.values()
            if a["icu_athlete_id"] == self._current and oldest[:10] <= a["start_date_local"][:10] <= newest[:10]
        ]
        found.sort(key=lambda a: a["start_date_local"], reverse=True)  # "in desc date order"
        ACTIVITY_ARRAY.validate([{k: v for k, v in a.items() if k != "_note"} for a in found])
        return 200, found

    def check_auth(self, headers: Any, path: str) -> tuple[int, Any] | None:
        expected = "Basic " + base64.b64encode(f"API_KEY:{self.api_key}".encode()).decode()
        if headers.get("Authorization", "") != expected:
            return 401, {"status": 401, "error": "Unauthorized"}
        if path.startswith("/api/v1/activity/"):
            return None  # the owner is checked in `_activity_file`
        prefix = "/api/v1/athlete/"
        if not path.startswith(prefix):
            return 404, {"status": 404, "error": "Not found", "path": path}
        if path[len(prefix) :].split("/")[0] not in (self.athlete_id, "0", *self.coached):
            return 403, {"status": 403, "error": "Access denied"}
        return None

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if path.startswith("/api/v1/activity/"):
            return self._activity_file(method, path)
        athlete, *parts = path[len("/api/v1/athlete/") :].split("/")
        self._current = self.athlete_id if athlete == "0" else athlete
        try:
            return self._route(method, parts, query, body)
        except jsonschema.ValidationError as exc:
            self.validation_errors.append(f"{method} {path}: {exc.message}")
            return 422, {"status": 422, "error": exc.message}
        finally:
            self._current = self.athlete_id

    def _create(self, event: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        stored = stored_event({**event, "id": self.next_id})
        self.events[self.next_id] = stored
        return stored

    def _route(self, method: str, parts: list[str], query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        if (parts == [""] or parts == []) and method == "GET":
            return 200, {"id": self.athlete_id, "name": "Test Runner"}
        if parts == ["workouts"] and method == "GET":
            found = sorted(self.__dict__.get("library", {}).values(), key=lambda w: w["id"])
            WORKOUT_ARRAY.validate(found)  # the reply is what the spec says listWorkouts sends
            return 200, found
        if parts == ["activities"] and method == "GET":
            return self._list_activities(query)
        if parts[:1] == ["events"]:
            tail = parts[1:]
            if method == "GET" and not tail:
                oldest = query.get("oldest", ["0000"])[0]
                newest = query.get("newest", ["9999"])[0]
                # `category` is "Comma separated list of categories" (listEvents, OpenAPI spec)
                categories = [c for value in query.get("category", []) for c in value.split(",")]
                found = [
                    e for e in self.events.values()
                    if oldest <= e["start_date_local"][:10] <= newest
                    and (not categories or e.get("category") in categories)
                ]
                return 200, sorted(found, key=lambda e: e["id"])
            if method == "POST" and tail == ["bulk"]:
                EVENT_ARRAY.validate(body)
                upsert = query.get("upsert", ["false"])[0] == "true"
                out = []
                existing = self.by_external()
                for event in body:
                    current = existing.get(event.get("external_id")) if upsert and not self.upsert_broken else None
                    if current is not None:
                        current.update(stored_event({**current, **event}))
                        out.append(current)
                    else:
                        out.append(self._create(event))
                return 200, out
            if method == "PUT" and tail == ["bulk-delete"]:
                DOOMED_ARRAY.validate(body)
                deleted = 0
                for doomed in body:
                    for key, event in list(self.events.items()):
                        if ("id" in doomed and event["id"] == doomed["id"]) or (
                            "external_id" in doomed and event.get("external_id") == doomed["external_id"]
                        ):
                            del self.events[key]
                            deleted += 1
                return 200, {"eventsDeleted": deleted}
            if method == "DELETE" and len(tail) == 1 and tail[0].isdigit():
                if self.events.pop(int(tail[0]), None) is None:
                    return 404, {"status": 404, "error": "Event not found"}
                return 200, {}
            if method == "PUT" and len(tail) == 1 and tail[0].isdigit():
                EVENT.validate(body)
                event = self.events.get(int(tail[0]))
                if event is None:
                    return 404, {"status": 404, "error": "Event not found"}
                event.update(stored_event({**event, **body}))
                return 200, event
        return 404, {"status": 404, "error": "Not found"}
