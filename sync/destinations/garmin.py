"""Garmin Connect as a destination, through the `garminconnect` library.

- Create = upload the workout JSON, then schedule it on its date (2 calls). The ledger records
  the workout id the moment the upload succeeds (state `uploaded`) and the schedule id the
  moment scheduling succeeds, so a push killed in between is completed by scheduling only —
  after checking the month calendar, because Garmin adds a calendar entry on every schedule call.
- Update = replace the workout in place (`PUT`), which keeps its calendar entry.
- Move = unschedule + schedule on the new date (and replace, if the content changed too).
- Delete = unschedule, then delete the workout.
- Every uploaded workout ends its description with a marker,
  `[progsync <identity> <date> <fingerprint>]`, so the ledger can be rebuilt from
  `get_workouts` and workouts progsync did not create are never touched.
- Read-back check: what Garmin stored is compared with what was sent (sport, step types, end
  conditions, target type ids and values); a mismatch is an error naming the session and step.

The seam: `connect()` is the only place that reaches into the library's internals (the API base
URL and the token-refresh URL), which is what `[garmin] api_url` / `PROGSYNC_GARMIN_URL` set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progsync.workouts.errors import ProgsyncError
from progsync.workouts.garmin_json import encode_workout
from progsync.workouts.model import Session

from ..config import Config, state_dir
from ..credentials import ENV_GARMIN_TOKENS, keyring_get, keyring_set
from ..engine import Action, Desired, Recorder, Remote, fingerprint
from ..http import (
    AuthError,
    Pacer,
    RemoteError,
    Retryable,
    UntrustedListing,
    redact,
    register_secret,
)

if TYPE_CHECKING:
    from ..ledger import Ledger
    from . import Target

DEFAULT_API_URL = "https://connectapi.garmin.com"
KEYRING_NAME = "garmin-tokens"
MARKER = re.compile(r"\[progsync (\S+) (\d{4}-\d{2}-\d{2}) ([0-9a-f]{8,16})\]\s*$")
LOGIN_COOLDOWN_S = 15 * 60
LOGIN_MAX_ATTEMPTS = 3
UNREACHABLE_HINT = "check the network (or [garmin] api_url); the next run completes the push"
LOGIN_HINT = "run `progsync login garmin` in a terminal"
#: Garmin's description limit is unverified (docs/destinations.md); descriptions are kept below
#: this so the marker at the end cannot be pushed out.
DESCRIPTION_LIMIT = 2000


# -- the seam -----------------------------------------------------------------------------------
def connect(tokens: str, api_url: str | None = None) -> Any:
    """A `garminconnect.Garmin` with the token bundle loaded, optionally pointed at `api_url`.

    Pinned behaviour of garminconnect 0.3.x: API URLs are built from `client._connectapi`;
    token refresh posts to the module's `DI_TOKEN_URL` up to 0.3.2 and to the client's own
    `_di_token_url` from the 0.3.1x releases on (0.3.20 derives it from the domain). Loading the tokens directly (instead of
    `Garmin.login`) saves the two profile requests `login` makes on every start.
    """
    import garminconnect
    from garminconnect import client as gc_client

    try:
        # garminconnect >= 0.3.1x retries GETs on 5xx itself, sleeping for real: progsync's
        # Pacer owns retries (one policy, one clock), so the library's are turned off.
        garmin = garminconnect.Garmin(retry_attempts=0)
    except TypeError:
        garmin = garminconnect.Garmin()
    if api_url:
        base = api_url.rstrip("/")
        if not hasattr(garmin.client, "_connectapi"):
            raise ProgsyncError(
                "this garminconnect version cannot be pointed at another server",
                "remove [garmin] api_url / PROGSYNC_GARMIN_URL, or install garminconnect 0.3.x",
            )
        garmin.client._connectapi = base
        token_url = f"{base}/di-oauth2-service/oauth/token"
        gc_client.DI_TOKEN_URL = token_url
        if hasattr(garmin.client, "_di_token_url"):
            garmin.client._di_token_url = token_url
    try:
        garmin.client.loads(tokens)
    except Exception:  # noqa: BLE001 - any failure here means the bundle is unusable
        raise AuthError("the stored Garmin tokens are unreadable", LOGIN_HINT) from None
    return garmin


def dump_tokens(garmin: Any) -> str:
    return str(garmin.client.dumps())


# -- tokens -------------------------------------------------------------------------------------
class TokenSource:
    """Where the token bundle came from, so refreshed tokens can be saved back there."""

    def __init__(self, tokens: str, where: str, path: Path | None = None) -> None:
        self.tokens = tokens
        self.where = where
        self.path = path
        for value in _token_values(tokens):
            register_secret(value)

    def save(self, tokens: str) -> str | None:
        """Save refreshed tokens back; returns a note for the user when that is impossible."""
        if tokens == self.tokens:
            return None
        for value in _token_values(tokens):
            register_secret(value)
        if self.where == "keyring":
            keyring_set(KEYRING_NAME, tokens)
        elif self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(tokens)
            os.replace(tmp, self.path)
        else:
            return (
                f"Garmin refreshed the tokens, but {ENV_GARMIN_TOKENS} holds them as text and "
                "cannot be updated: point it at a 0600 file instead"
            )
        self.tokens = tokens
        return None


def _token_values(tokens: str) -> list[str]:
    try:
        data = json.loads(tokens)
    except ValueError:
        return [tokens]
    return (
        [str(v) for v in data.values() if isinstance(v, str) and len(v) >= 8]
        if isinstance(data, dict)
        else []
    )


def load_tokens() -> TokenSource:
    stored = keyring_get(KEYRING_NAME)
    if stored:
        return TokenSource(stored, "keyring")
    env = os.environ.get(ENV_GARMIN_TOKENS)
    if env:
        if env.lstrip().startswith("{"):
            return TokenSource(env, "environment")
        path = Path(env).expanduser()
        if not path.is_file():
            raise AuthError(f"{ENV_GARMIN_TOKENS} names {path}, which is not a file", LOGIN_HINT)
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuthError(
                f"the Garmin token file {path} is readable by other users",
                f"run `chmod 600 {path}`",
            )
        return TokenSource(path.read_text().strip(), "file", path)
    raise AuthError(
        "no Garmin Connect tokens",
        f"{LOGIN_HINT}; on a headless machine set {ENV_GARMIN_TOKENS} to the token JSON or to "
        "the path of a 0600 file holding it (see docs/cron.md)",
    )


# -- errors -------------------------------------------------------------------------------------
def _classify(exc: Exception, what: str) -> Exception:
    """Map a library or transport exception to ours (Retryable for transient ones).

    `Retryable.sent` is False only where the request surely did not reach the server (a 429, a
    refused or timed-out connect); otherwise a retried upload or schedule looks first. A 404 is
    `Gone` (garminconnect 0.3.20 raises GarminConnectNotFoundError, 0.3.2 "API Error 404").
    """
    import garminconnect
    import requests

    text = redact(str(exc))
    not_found = getattr(garminconnect, "GarminConnectNotFoundError", None)
    if not_found is not None and isinstance(exc, not_found):
        return Gone(text)
    if isinstance(exc, garminconnect.GarminConnectTooManyRequestsError):
        return Retryable("HTTP 429")
    if isinstance(exc, garminconnect.GarminConnectAuthenticationError):
        return AuthError(f"Garmin Connect rejected the tokens while {what}", LOGIN_HINT)
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        unsent = isinstance(exc, requests.ConnectTimeout) or "refused" in str(exc).lower()
        return Retryable(type(exc).__name__, sent=not unsent)
    if isinstance(exc, garminconnect.GarminConnectConnectionError):
        match = re.search(r"API Error (\d{3})|\((\d{3})\)", text)
        status = int(match.group(1) or match.group(2)) if match else 0
        if status == 404:
            return Gone(text)
        if status in (401, 403):
            return AuthError(
                f"Garmin Connect refused the request (HTTP {status}) while {what}",
                LOGIN_HINT,
            )
        if status == 429:
            return Retryable("HTTP 429")
        if status >= 500 or status == 0:
            return Retryable(f"HTTP {status or '?'}", sent=True)
        return RemoteError(f"Garmin Connect: {text[:300]} (while {what})")
    return RemoteError(f"Garmin Connect: {type(exc).__name__}: {text[:300]} (while {what})")


# -- read-back ----------------------------------------------------------------------------------
def _shape(steps: list[dict[str, Any]], path: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for index, step in enumerate(steps, start=1):
        where = f"{path}{index}"
        out.append(
            (where, ("type", step.get("type"), (step.get("stepType") or {}).get("stepTypeId")))
        )
        end = step.get("endCondition") or {}
        value = step.get("endConditionValue")
        if end.get("conditionTypeId") != 1 and value is not None:
            value = round(float(value), 2)
        else:
            value = None
        out.append((where, ("end", end.get("conditionTypeId"), value)))
        if step.get("type") == "RepeatGroupDTO":
            out.append((where, ("repeat", step.get("numberOfIterations"))))
            out.extend(_shape(step.get("workoutSteps") or [], f"{where}."))
            continue
        target = step.get("targetType") or {}
        values = sorted(
            round(float(v), 3)
            for v in (step.get("targetValueOne"), step.get("targetValueTwo"))
            if v is not None
        )
        out.append(
            (
                where,
                (
                    "target",
                    target.get("workoutTargetTypeId"),
                    tuple(values),
                    step.get("zoneNumber"),
                ),
            )
        )
    return out


def compare_stored(sent: dict[str, Any], stored: dict[str, Any]) -> list[str]:
    """Differences between a sent workout and what Garmin stored, one line per step."""
    problems = []
    sent_sport = sent["sportType"]["sportTypeId"]
    stored_sport = (stored.get("sportType") or {}).get("sportTypeId")
    if sent_sport != stored_sport:
        problems.append(f"sport {stored_sport} stored, {sent_sport} sent")
    ours = _shape(sent["workoutSegments"][0]["workoutSteps"])
    segments = stored.get("workoutSegments") or [{}]
    theirs = _shape(segments[0].get("workoutSteps") or [])
    if len(ours) != len(theirs):
        problems.append(
            f"{len(theirs) // 3 or len(theirs)} steps stored, different from what was sent"
        )
        return problems
    for (where, mine), (_, stored_value) in zip(ours, theirs, strict=True):
        if mine != stored_value:
            problems.append(
                f"step {where}: {mine[0]} stored as {stored_value[1:]}, sent {mine[1:]}"
            )
    return problems


# -- the destination ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Copy:
    """One workout carrying progsync's marker (several may share an identity after a fault)."""

    workout_id: str
    day: dt.date
    digest: str
    name: str


@dataclass(frozen=True)
class Scheduled:
    """One calendar entry of a workout."""

    schedule_id: str
    workout_id: str
    day: dt.date


def _months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


class Gone(Exception):
    """Garmin answered 404: the item was already removed (by a person, or an earlier try)."""


class GarminDestination:
    """Converges Garmin Connect on the plan from what its workout list and calendar show.

    The ledger is only a cache here. `list_remote` reads every workout with progsync's marker
    and the calendar months of the range; for each session `apply` then makes sure there is
    exactly one workout with the right content and exactly one calendar entry on the right date:
    extra copies are deleted, entries on wrong dates removed, a missing entry scheduled. A 404 on
    removing something means it is already gone. Uploads and schedules are not idempotent on
    Garmin (each POST adds a workout or a calendar entry), so after a failure that may have been
    carried out (a timeout, a dropped connection, a 5xx) progsync looks before sending again.
    """

    can_list = True

    def __init__(
        self,
        garmin: Any,
        tokens: TokenSource,
        verify: bool = True,
        pacer: Pacer | None = None,
    ) -> None:
        self.garmin = garmin
        self.tokens = tokens
        self.verify = verify
        self.pacer = pacer or Pacer(min_interval=0.25)
        self.key = "garmin"
        self.label = "Garmin Connect"
        self.calls: Counter[str] = Counter()
        self.notes: list[str] = []
        self._calendar: dict[tuple[int, int], list[Scheduled]] = {}
        self._copies: dict[str, list[Copy]] = {}
        self._listed = False

    def requests_made(self) -> Counter[str]:
        return Counter(self.calls)

    def remember(self, ledger: Ledger) -> None:
        """Nothing to keep: tokens are saved back as they change (`TokenSource.save`)."""

    def _call(
        self,
        name: str,
        what: str,
        *args: Any,
        settle: Callable[[], Any] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        def once() -> Any:
            self.calls[name] += 1
            try:
                if name == "replace_workout":
                    return self._replace(*args)
                return getattr(self.garmin, name)(*args)
            except (Retryable, ProgsyncError):
                raise
            except Exception as exc:  # noqa: BLE001 - mapped to our own errors
                raise _classify(exc, what) from None

        try:
            return self.pacer.call(f"Garmin Connect {what}", once, UNREACHABLE_HINT, settle)
        except Gone:
            if missing_ok:
                return None
            raise RemoteError(f"Garmin Connect: not found (HTTP 404) while {what}") from None
        finally:
            self._save_tokens()

    def _replace(self, workout_id: str, payload: dict[str, Any]) -> Any:
        body = {**payload, "workoutId": int(workout_id)}
        if hasattr(self.garmin, "update_workout"):
            try:
                return self.garmin.update_workout(workout_id, body)
            except ValueError:
                # garminconnect >= 0.3.7 calls resp.json() on the PUT's reply, and Garmin answers
                # it with an empty body ("Garmin answers the PUT with an empty body", bpauli/gccli
                # workouts_write_test.go): the update happened. (requests' JSONDecodeError is a
                # ValueError; the read-back check below verifies what was stored.)
                return {}
        response = self.garmin.client.put(
            "connectapi", f"/workout-service/workout/{workout_id}", json=body
        )
        try:
            return response.json()
        except Exception:  # noqa: BLE001 - 204 and empty bodies
            return {}

    def _save_tokens(self) -> None:
        note = self.tokens.save(dump_tokens(self.garmin))
        if note and note not in self.notes:
            self.notes.append(note)

    def prepare(self, session: Session) -> Desired:
        encoded = encode_workout(session)
        payload = encoded.payload
        digest = fingerprint(payload)
        payload["description"] = _with_marker(
            payload.get("description"), f"[progsync {session.identity} {session.date.isoformat()} {digest}]"
        )
        return Desired(session, payload, digest, encoded.warnings)

    # -- reading what is there ------------------------------------------------------------------
    def _list_workouts(self) -> dict[str, list[Copy]]:
        """Every workout with progsync's marker, by identity (all pages)."""
        out: dict[str, list[Copy]] = {}
        offset = 0
        while True:
            page = self._call("get_workouts", "listing workouts", offset, 100)
            if not isinstance(page, list) or not all(
                isinstance(w, dict) and w.get("workoutId") for w in page
            ):
                raise UntrustedListing(
                    "Garmin Connect answered the workout list with something that is not a list "
                    "of workouts; nothing was changed",
                    "this is usually a passing fault: the next run tries again",
                )
            for workout in page:
                match = MARKER.search(str(workout.get("description") or ""))
                if not match:
                    continue
                identity, day, digest = match.groups()
                out.setdefault(identity, []).append(
                    Copy(
                        str(workout["workoutId"]),
                        dt.date.fromisoformat(day),
                        digest,
                        str(workout.get("workoutName") or ""),
                    )
                )
            if len(page) < 100:
                break
            offset += 100
        return out

    def _read_month(self, year: int, month: int) -> list[Scheduled]:
        data = self._call("get_scheduled_workouts", "reading the calendar", year, month)
        items = data.get("calendarItems") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise UntrustedListing(
                f"Garmin Connect answered the calendar of {year}-{month:02d} with something "
                "that is not a calendar; nothing was changed",
                "this is usually a passing fault: the next run tries again",
            )
        out = []
        for item in items:
            if not isinstance(item, dict) or item.get("workoutId") is None:
                continue
            schedule_id = item.get("id") or item.get("workoutScheduleId")
            try:
                day = dt.date.fromisoformat(str(item.get("date"))[:10])
            except ValueError:
                continue
            if schedule_id is not None:
                out.append(Scheduled(str(schedule_id), str(item["workoutId"]), day))
        self._calendar[(year, month)] = out
        return out

    def _entries(self, workout_id: str, days: list[dt.date]) -> list[Scheduled]:
        """The calendar entries of a workout in the months of `days` (read once, then cached)."""
        for year, month in sorted({(d.year, d.month) for d in days}):
            if (year, month) not in self._calendar:
                self._read_month(year, month)
        return [
            e
            for entries in self._calendar.values()
            for e in entries
            if e.workout_id == workout_id
        ]

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]:
        """Our workouts, each with its calendar entries in the months from `start` to `end`."""
        self._copies = self._list_workouts()
        self._listed = True
        if any(start <= c.day <= end for group in self._copies.values() for c in group):
            for year, month in _months(start, end):
                if (year, month) not in self._calendar:
                    self._read_month(year, month)
        out: dict[str, Remote] = {}
        for identity, group in self._copies.items():
            entries = {c.workout_id: self._entries(c.workout_id, []) for c in group}
            keep = min(group, key=lambda c: (not entries[c.workout_id], int(c.workout_id)))
            mine = sorted(entries[keep.workout_id], key=lambda e: e.day)
            repairs = []
            if len(group) > 1:
                repairs.append(f"{len(group) - 1} extra cop{'y' if len(group) == 2 else 'ies'}")
            in_range = any(start <= c.day <= end for c in group)
            if in_range and not mine:
                repairs.append("not on the calendar")
            elif len(mine) > 1:
                repairs.append(f"on the calendar {len(mine)} times")
            day = mine[0].day if len(mine) == 1 else keep.day
            if mine and keep.day != day:
                repairs.append("marker date differs from the calendar")
            out[identity] = Remote(
                identity=identity,
                remote_id=keep.workout_id,
                date=day,
                name=keep.name,
                fingerprint=keep.digest,
                schedule_id=mine[0].schedule_id if len(mine) == 1 else None,
                repair="; ".join(repairs),
            )
        return out

    # -- writing --------------------------------------------------------------------------------
    def _find_upload(self, identity: str, digest: str, day: dt.date) -> dict[str, Any] | None:
        """Settle an upload that may have happened: a workout with this exact marker."""
        self._copies = self._list_workouts()
        for copy_ in self._copies.get(identity, []):
            if copy_.digest == digest and copy_.day == day:
                return {"workoutId": int(copy_.workout_id)}
        return None

    def _upload(self, action: Action) -> tuple[str, dict[str, Any]]:
        assert action.desired is not None
        session = action.desired.session
        stored = self._call(
            "upload_workout",
            "uploading a workout",
            action.desired.payload,
            settle=lambda: self._find_upload(
                action.identity, action.desired.fingerprint if action.desired else "", session.date
            ),
        )
        if not isinstance(stored, dict) or "workoutId" not in stored:
            raise RemoteError("Garmin Connect did not return a workout id")
        return str(stored["workoutId"]), stored

    def _find_schedule(self, workout_id: str, day: dt.date) -> dict[str, Any] | None:
        """Settle a schedule call that may have happened: read the month again, fresh."""
        for entry in self._read_month(day.year, day.month):
            if entry.workout_id == workout_id and entry.day == day:
                return {"workoutScheduleId": int(entry.schedule_id)}
        return None

    def _schedule(self, workout_id: str, day: dt.date) -> str:
        result = self._call(
            "schedule_workout",
            "scheduling a workout",
            workout_id,
            day.isoformat(),
            settle=lambda: self._find_schedule(workout_id, day),
        )
        schedule_id = (
            (result.get("workoutScheduleId") or result.get("id"))
            if isinstance(result, dict)
            else None
        )
        if schedule_id is None:
            # The reply is unusable, but the entry may exist: look once before giving up.
            found = self._find_schedule(workout_id, day)
            if found is None:
                raise RemoteError("Garmin Connect did not return a schedule id")
            schedule_id = found["workoutScheduleId"]
        key = (day.year, day.month)
        if key in self._calendar:
            self._calendar[key].append(Scheduled(str(schedule_id), workout_id, day))
        return str(schedule_id)

    def _unschedule(self, entry: Scheduled) -> None:
        self._call(
            "unschedule_workout", "unscheduling a workout", entry.schedule_id, missing_ok=True
        )
        key = (entry.day.year, entry.day.month)
        if key in self._calendar:
            self._calendar[key] = [
                e for e in self._calendar[key] if e.schedule_id != entry.schedule_id
            ]

    def _drop(self, workout_id: str, days: list[dt.date]) -> None:
        """Remove a workout and its calendar entries; what is already gone is fine."""
        for entry in self._entries(workout_id, days):
            self._unschedule(entry)
        self._call("delete_workout", "deleting a workout", workout_id, missing_ok=True)

    def _check(self, action: Action, workout_id: str, response: Any) -> list[str]:
        if not self.verify or action.desired is None:
            return []
        stored = (
            response if isinstance(response, dict) and response.get("workoutSegments") else None
        )
        if stored is None:
            stored = self._call("get_workout_by_id", "reading a workout back", workout_id)
        return compare_stored(action.desired.payload, stored or {})

    def apply(self, actions: list[Action], recorder: Recorder) -> None:
        for action in actions:
            try:
                if action.op == "delete":
                    self._delete(action, recorder)
                else:
                    self._converge(action, recorder)
            except RemoteError as exc:
                recorder.fail(action, str(exc))

    def _group(self, action: Action) -> list[Copy]:
        group = list(self._copies.get(action.identity, []))
        if not group and not self._listed and action.remote_id and action.entry:
            # No listing of it (resuming without one): the ledger's id is all there is.
            group = [Copy(action.remote_id, action.entry.date, "", action.entry.name)]
        return group

    def _converge(self, action: Action, recorder: Recorder) -> None:
        """Exactly one workout with the plan's content, exactly one entry on the plan's date."""
        assert action.desired is not None
        session = action.desired.session
        entry = action.entry
        group = self._group(action)
        keep = next((c for c in group if action.remote and c.workout_id == action.remote_id), None)
        if keep is None and group:
            keep = group[0]
        days = [session.date, *(c.day for c in group)]
        if entry is not None:
            days.append(entry.date)
        if action.old_date is not None:
            days.append(action.old_date)
        for extra in group:
            if keep is not None and extra.workout_id != keep.workout_id:
                self._drop(extra.workout_id, days)
        problems: list[str] = []
        if keep is None:
            workout_id, stored = self._upload(action)
            recorder.saved(action, workout_id, state="uploaded", final=False)
            problems = self._check(action, workout_id, stored)
            entries: list[Scheduled] = []
        else:
            workout_id = keep.workout_id
            entries = self._entries(workout_id, days)
            if keep.digest != action.desired.fingerprint or keep.day != session.date:
                # Content changed, or the marker carries an old date: replace in place (PUT is
                # idempotent; the workout keeps its id and calendar entries).
                response = self._call(
                    "replace_workout", "replacing a workout", workout_id, action.desired.payload
                )
                problems = self._check(action, workout_id, response)
        right = [e for e in entries if e.day == session.date]
        for wrong in [e for e in entries if e.day != session.date] + right[1:]:
            self._unschedule(wrong)
        if len(entries) != len(right[:1]):
            recorder.saved(action, workout_id, None, state="uploaded", final=False)
        schedule_id = right[0].schedule_id if right else self._schedule(workout_id, session.date)
        if problems:
            recorder.saved(action, workout_id, schedule_id, state="mismatch", final=False)
            recorder.fail(
                action,
                f"Garmin stored '{session.name}' ({session.date}) differently from what was sent: "
                + "; ".join(problems[:5]),
            )
            return
        recorder.saved(action, workout_id, schedule_id)

    def _delete(self, action: Action, recorder: Recorder) -> None:
        group = self._group(action)
        days = [action.date, *(c.day for c in group)]
        if action.entry is not None:
            days.append(action.entry.date)
        for copy_ in group:
            self._drop(copy_.workout_id, days)
        recorder.deleted(action)


def _with_marker(description: Any, marker: str) -> str:
    """The description with the marker on a line of its own at the very end.

    Garmin's description limit is not known (docs/destinations.md); a long description is cut
    before the marker, never the marker, so the workout stays recognisably progsync's.
    """
    text = str(description or "").rstrip()
    room = DESCRIPTION_LIMIT - len(marker) - 2
    if len(text) > room:
        text = text[: max(0, room - 1)].rstrip() + "…"
    return f"{text}\n\n{marker}" if text else marker


def api_url(config: Config) -> str | None:
    return os.environ.get("PROGSYNC_GARMIN_URL") or config.garmin.get("api_url") or None


def build(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> GarminDestination:
    """Garmin Connect with the stored tokens (keyring, or PROGSYNC_GARMIN_TOKENS)."""
    tokens = load_tokens()
    garmin = connect(tokens.tokens, api_url(config))
    verify = bool(config.garmin.get("verify", True))
    return GarminDestination(garmin, tokens, verify=verify)


# -- login --------------------------------------------------------------------------------------
def _cooldown_path() -> Path:
    return state_dir() / "garmin-login.json"


def check_login_cooldown(now: float | None = None) -> None:
    """Refuse a login attempt while too many recent ones failed (Garmin rate-limits accounts)."""
    now = now or time.time()
    path = _cooldown_path()
    attempts: list[float] = []
    if path.exists():
        try:
            attempts = [float(t) for t in json.loads(path.read_text()).get("failed", [])]
        except (ValueError, OSError):
            attempts = []
    recent = [t for t in attempts if now - t < LOGIN_COOLDOWN_S]
    if len(recent) >= LOGIN_MAX_ATTEMPTS:
        wait = int(LOGIN_COOLDOWN_S - (now - min(recent))) // 60 + 1
        raise AuthError(
            f"{len(recent)} Garmin logins failed in the last {LOGIN_COOLDOWN_S // 60} minutes",
            f"wait about {wait} minutes before trying again: repeated logins get the account "
            "rate-limited by Garmin",
        )


def record_login_failure(now: float | None = None) -> None:
    path = _cooldown_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    attempts: list[float] = []
    if path.exists():
        try:
            attempts = json.loads(path.read_text()).get("failed", [])
        except (ValueError, OSError):
            attempts = []
    attempts = [*attempts, now or time.time()][-10:]
    path.write_text(json.dumps({"failed": attempts}))


def login_interactive(config: Config, interactive: bool) -> str:
    """Ask for email, password and (if Garmin asks) the MFA code; keep only the token bundle."""
    import click

    if not interactive:
        raise AuthError(
            "`progsync login garmin` needs a terminal to ask for the password",
            f"run it in a terminal once; for headless machines copy the tokens with "
            f"{ENV_GARMIN_TOKENS} (see docs/cron.md)",
        )
    check_login_cooldown()
    email = click.prompt("Garmin Connect email")
    password = click.prompt("Password (not stored)", hide_input=True)
    register_secret(password)
    import garminconnect

    try:
        garmin = garminconnect.Garmin(email, password, return_on_mfa=True)
        status, state = garmin.login()
        if status == "needs_mfa":
            code = click.prompt("MFA code from Garmin")
            garmin.resume_login(state, code)
    except Exception as exc:  # noqa: BLE001 - every library failure is a login failure
        record_login_failure()
        raise AuthError(
            f"Garmin login failed: {redact(str(exc))[:200]}",
            "check the email and password; after 3 failures progsync waits 15 minutes",
        ) from None
    keyring_set(KEYRING_NAME, dump_tokens(garmin))
    name = getattr(garmin, "full_name", None) or getattr(garmin, "display_name", None) or email
    return f"Connected Garmin Connect as {name}; the tokens are in the OS keyring (the password is not kept)."


def whoami_line(config: Config) -> str:
    try:
        tokens = load_tokens()
    except AuthError as exc:
        return f"garmin: not connected ({exc.hint})"
    garmin = connect(tokens.tokens, api_url(config))
    destination = GarminDestination(garmin, tokens)
    profile = (
        destination._call("connectapi", "reading the profile", "/userprofile-service/socialProfile")
        or {}
    )
    name = profile.get("fullName") or profile.get("displayName") or "?"
    return f"garmin: {name} ({profile.get('displayName', '?')}), tokens from the {tokens.where}"
