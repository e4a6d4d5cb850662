"""A fake Garmin Connect workout service on 127.0.0.1, answering in the recorded shapes.

Implements create, read, replace, delete, list, schedule, unschedule and the month calendar,
plus the two profile endpoints and the DI token refresh. Stored workouts look like
`tests/fixtures/garmin-connect/*Output.json`: server-assigned `workoutId`/`stepId`, owner and
dates, depth-first `stepOrder`. The Bearer token is checked.

Completed activities (`add_activity`): the activity list
(`/activitylist-service/activities/search/activities`, pages of `start`/`limit` filtered by
`startDate`/`endDate`, newest first, items shaped like the list garminconnect returns:
`activityId`, `activityName`, `startTimeLocal`/`startTimeGMT` as "YYYY-MM-DD HH:MM:SS",
`activityType.typeKey`, `duration`, `distance`, `averageHR`) and the original file
(`/download-service/files/activity/{id}`, a ZIP holding `{id}_ACTIVITY.fit`).
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import time
import zipfile
from typing import Any

from . import FIXTURES
from .fake_http import FakeServer, Fault
from .fake_intervals import fit_summary

__all__ = ["FakeGarmin", "Fault", "jwt"]

GARMIN_TYPES = {"running": (1, "running"), "cycling": (2, "cycling"), "swimming": (27, "lap_swimming"), "training": (13, "strength_training")}

OUTPUT = json.loads((FIXTURES / "garmin-connect" / "WorkoutRunningNestedRepeatsOutput.json").read_text())
STEP_DEFAULTS = {k: None for k in OUTPUT["workoutSegments"][0]["workoutSteps"][1] if k not in ("type", "stepId", "stepOrder")}


def jwt(exp: float, name: str = "runner") -> str:
    """A JWT-shaped token: the library reads `exp` to decide when to refresh.

    Garmin's DI tokens are RS256-signed; garminconnect 0.3.20 ignores the payload of a token whose
    header says `alg: none` (garminconnect/client/tokens.py `_decode_jwt_payload`), so the fake
    claims RS256 like the real one. The signature is not checked by the client.
    """

    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'typ': 'JWT'})}.{part({'exp': int(exp), 'sub': name, 'client_id': 'GCM_ANDROID_DARK', 'pad': 'x' * 200})}.sig"


class FakeGarmin(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.valid_tokens = {jwt(time.time() + 3600 * 24)}
        self.access_token = next(iter(self.valid_tokens))
        self.refresh_token = "refresh-token-abcdef"
        self.workouts: dict[int, dict[str, Any]] = {}
        self.schedules: dict[int, dict[str, Any]] = {}
        self.next_id = 900_000_000
        self.next_step = 12_000_000_000
        self.corrupt_pace = False
        self.refreshes = 0
        # Garmin answers the PUT with an empty body (bpauli/gccli workouts_write_test.go); 204 vs
        # 200 is unverified, so tests run both (garminconnect >= 0.3.7 chokes on an empty 200).
        self.put_status = 204

    # -- helpers for tests --------------------------------------------------------------------
    def tokens(self, expired: bool = False) -> str:
        token = self.access_token
        if expired:
            token = jwt(time.time() - 60)
        return json.dumps({"di_token": token, "di_refresh_token": self.refresh_token if expired else None, "di_client_id": "GCM_ANDROID_DARK"})

    def add_foreign(self, name: str = "My own workout", day: str | None = None) -> int:
        with self.lock:
            workout = self._store({"workoutName": name, "description": "hills", "sportType": {"sportTypeId": 1, "sportTypeKey": "running"}, "workoutSegments": [{"segmentOrder": 1, "sportType": {"sportTypeId": 1}, "workoutSteps": []}]})
            if day:
                self._schedule(workout["workoutId"], day)
            return int(workout["workoutId"])

    def add_saved(self, name: str, days: tuple[str, ...] = (), description: str | None = None) -> int:
        """A workout made in Garmin Connect (not by progsync), stored as the service stores one
        (the recorded `WorkoutRunningNestedRepeatsOutput.json`: warm-up, nested repeats with pace
        targets, cool-down) under `name`, and scheduled on each of `days`."""
        with self.lock:
            body = {k: copy.deepcopy(v) for k, v in OUTPUT.items() if k not in ("workoutId", "ownerId")}
            body.update(workoutName=name, description=description)
            workout = self._store(body)
            for day in days:
                self._schedule(workout["workoutId"], day)
            return int(workout["workoutId"])

    def add_race_event(self, day: str, title: str = "City Half Marathon", primary: bool = True,
                       is_race: bool = True) -> int:
        """A race the athlete entered on the Garmin calendar: listed among the month's
        `calendarItems` with `itemType: "event"` and `isRace` / `primaryEvent` (garmin_mcp PR #286)."""
        with self.lock:
            self.next_id += 1
            events: dict[int, dict[str, Any]] = self.__dict__.setdefault("events", {})
            events[self.next_id] = {"id": self.next_id, "itemType": "event", "date": day, "title": title,
                                    "isRace": is_race, "primaryEvent": primary}
            return self.next_id

    def add_done_activity(self, workout_id: int, day: str) -> int:
        """A run done on `day`, shown on the calendar as an `itemType: "activity"` item. Whether
        such an item names the workout it followed is unverified (real-services.md lists only
        the GraphQL summaries' `associatedActivityId`), so the fake takes the worst case: it
        carries the `workoutId`, as a scheduled workout's entry does."""
        with self.lock:
            self.next_id += 1
            events: dict[int, dict[str, Any]] = self.__dict__.setdefault("events", {})
            events[self.next_id] = {"id": self.next_id, "itemType": "activity", "date": day,
                                    "workoutId": workout_id, "title": "Morning Run"}
            return self.next_id

    def scheduled(self) -> list[tuple[int, str]]:
        return sorted((s["workoutId"], s["date"]) for s in self.schedules.values())

    def marked(self) -> dict[str, dict[str, Any]]:
        out = {}
        for workout in self.workouts.values():
            match = re.search(r"\[progsync (\S+) ", workout.get("description") or "")
            if match:
                out[match.group(1)] = workout
        return out

    def activity_store(self) -> dict[int, tuple[dict[str, Any], bytes]]:
        """Completed activities by id: (list item, FIT file), created on first use."""
        store: dict[int, tuple[dict[str, Any], bytes]] = self.__dict__.setdefault("_activities", {})
        return store

    def add_activity(self, data: bytes, name: str = "Run") -> int:
        """A completed activity synced from a watch; returns its `activityId`."""
        summary = fit_summary(data)
        type_id, type_key = GARMIN_TYPES.get(summary["sport"], (4, "other"))
        with self.lock:
            self.next_id += 1
            activity_id = 17_000_000_000 + self.next_id
            self.activity_store()[activity_id] = ({
                "activityId": activity_id,
                "activityName": name,
                "startTimeLocal": summary["local"].strftime("%Y-%m-%d %H:%M:%S"),
                "startTimeGMT": summary["start"].strftime("%Y-%m-%d %H:%M:%S"),
                "activityType": {"typeId": type_id, "typeKey": type_key, "parentTypeId": 17, "isHidden": False},
                "distance": summary["metres"],
                "duration": summary["seconds"],
                "movingDuration": summary["seconds"],
                "elapsedDuration": summary["seconds"],
                "averageHR": float(summary["avg_hr"]) if summary["avg_hr"] else None,
                "ownerId": OUTPUT["ownerId"],
                "manufacturer": "GARMIN",
                "hasSplits": False,
            }, data)
            return activity_id

    def _activity_route(self, method: str, path: str, query: dict[str, list[str]]) -> tuple[int, Any] | None:
        """The activity list and the original-file download; None for other paths."""
        store = self.activity_store()
        if path == "/activitylist-service/activities/search/activities" and method == "GET":
            first = query.get("startDate", ["0000"])[0]
            last = query.get("endDate", ["9999"])[0]
            start = int(query.get("start", ["0"])[0])
            limit = int(query.get("limit", ["20"])[0])
            found = sorted((a for a, _ in store.values() if first <= a["startTimeLocal"][:10] <= last),
                           key=lambda a: a["startTimeLocal"], reverse=True)
            return 200, found[start : start + limit]
        prefix = "/download-service/files/activity/"
        if path.startswith(prefix) and method == "GET":
            item = store.get(int(path[len(prefix):])) if path[len(prefix):].isdigit() else None
            if item is None:
                return 404, {"message": "Activity not found"}
            archive = io.BytesIO()
            with zipfile.ZipFile(archive, "w") as zf:
                zf.writestr(f"{item[0]['activityId']}_ACTIVITY.fit", item[1])
            return 200, archive.getvalue()
        return None

    # -- the service --------------------------------------------------------------------------
    def check_auth(self, headers: Any, path: str) -> tuple[int, Any] | None:
        if path == "/di-oauth2-service/oauth/token":
            return None
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in self.valid_tokens:
            # An expired or unknown token gets 401, as on the live API; the client then
            # refreshes (proactively from `exp`, or after this 401) and retries once.
            return 401, {"message": "Unauthorized"}
        return None

    def _steps(self, steps: list[dict[str, Any]], counter: list[int]) -> list[dict[str, Any]]:
        out = []
        for step in steps:
            counter[0] += 1
            self.next_step += 1
            stored = {"type": step["type"], "stepId": self.next_step, "stepOrder": counter[0], **STEP_DEFAULTS, **step}
            stored["stepOrder"] = counter[0]
            stored["stepId"] = self.next_step
            if self.corrupt_pace and (step.get("targetType") or {}).get("workoutTargetTypeId") == 6:
                stored["targetValueOne"] = stored["targetValueTwo"] = 0.0
            if "workoutSteps" in step:
                stored["workoutSteps"] = self._steps(step["workoutSteps"], counter)
            out.append(stored)
        return out

    def _store(self, body: dict[str, Any], workout_id: int | None = None) -> dict[str, Any]:
        if workout_id is None:
            self.next_id += 1
            workout_id = self.next_id
        stored = {k: v for k, v in OUTPUT.items() if k != "workoutSegments"}
        stored.update(copy.deepcopy(body))
        stored["workoutId"] = workout_id
        stored["ownerId"] = OUTPUT["ownerId"]
        # Names are kept up to 256 characters and cut silently beyond (garmin_mcp #352).
        stored["workoutName"] = str(stored.get("workoutName") or "")[:256]
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S.0")
        stored["updatedDate"] = stamp
        stored.setdefault("createdDate", stamp)
        segments = []
        for segment in body.get("workoutSegments", []):
            seg = {**{k: None for k in OUTPUT["workoutSegments"][0] if k != "workoutSteps"}, **segment}
            seg["workoutSteps"] = self._steps(segment.get("workoutSteps", []), [0])
            segments.append(seg)
        stored["workoutSegments"] = segments
        self.workouts[workout_id] = stored
        return stored

    def _schedule(self, workout_id: int, day: str) -> dict[str, Any]:
        self.next_id += 1
        entry = {"workoutScheduleId": self.next_id, "workoutId": workout_id, "date": day}
        self.schedules[self.next_id] = entry
        workout = self.workouts[workout_id]
        return {"workoutScheduleId": self.next_id, "calendarDate": day, "workout": {"workoutId": workout_id, "workoutName": workout.get("workoutName")}}

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if path == "/di-oauth2-service/oauth/token" and method == "POST":
            fields = dict(pair.split("=", 1) for pair in str(body).split("&") if "=" in pair)
            if fields.get("refresh_token") != self.refresh_token:
                return 401, {"error": "invalid_grant"}
            self.refreshes += 1
            self.access_token = jwt(time.time() + 3600 * 24, name=f"refreshed{self.refreshes}")
            self.valid_tokens.add(self.access_token)
            return 200, {"access_token": self.access_token, "refresh_token": self.refresh_token, "expires_in": 86400}
        if path == "/userprofile-service/socialProfile":
            return 200, {"displayName": "runner42", "fullName": "Test Runner"}
        if path == "/userprofile-service/userprofile/user-settings":
            return 200, {"userData": {"measurementSystem": "metric"}}
        if parts[:2] == ["workout-service", "workouts"] and method == "GET":
            start = int(query.get("start", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
            items = [
                {k: w.get(k) for k in ("workoutId", "ownerId", "workoutName", "description", "updatedDate", "createdDate", "sportType", "estimatedDurationInSecs")}
                for w in sorted(self.workouts.values(), key=lambda w: w["workoutId"])
            ]
            return 200, items[start : start + limit]
        if parts[:2] == ["workout-service", "workout"]:
            if method == "POST" and len(parts) == 2:
                return 200, self._store(body)
            workout_id = int(parts[2])
            if workout_id not in self.workouts:
                return 404, {"message": "Workout not found"}
            if method == "GET":
                return 200, self.workouts[workout_id]
            if method == "PUT":
                if body.get("workoutId") != workout_id:
                    return 400, {"message": "workoutId mismatch"}
                self._store(body, workout_id)
                return self.put_status, None
            if method == "DELETE":
                del self.workouts[workout_id]
                for key in [k for k, s in self.schedules.items() if s["workoutId"] == workout_id]:
                    del self.schedules[key]
                return 204, None
        if parts[:2] == ["workout-service", "schedule"]:
            item = int(parts[2])
            if method == "POST":
                if item not in self.workouts:
                    return 404, {"message": "Workout not found"}
                return 200, self._schedule(item, body["date"])
            if item not in self.schedules:
                return 404, {"message": "Schedule not found"}
            if method == "GET":
                return 200, self.schedules[item]
            if method == "DELETE":
                del self.schedules[item]
                return 204, None
        if parts[:2] == ["calendar-service", "year"] and method == "GET":
            year, month = int(parts[2]), int(parts[4]) + 1
            items = [
                {"id": s["workoutScheduleId"], "itemType": "workout", "workoutId": s["workoutId"], "date": s["date"],
                 "title": self.workouts.get(s["workoutId"], {}).get("workoutName")}
                for s in self.schedules.values()
                if s["date"].startswith(f"{year:04d}-{month:02d}")
            ]
            items += [e for e in self.__dict__.get("events", {}).values() if e["date"].startswith(f"{year:04d}-{month:02d}")]
            return 200, {"startDayOfMonth": 0, "numOfDaysInMonth": 30, "calendarItems": items}
        activity = self._activity_route(method, path, query)
        if activity is not None:
            return activity
        return 404, {"message": f"no route {method} {path}"}
