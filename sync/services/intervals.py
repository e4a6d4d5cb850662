"""Intervals.icu as a destination: planned WORKOUT events over its REST API, with `requests`.

The calendar is the truth and the ledger a cache, as on Garmin Connect: each push lists the
events in range once and converges on exactly one event per session, with the right content
and date, whatever a person, a crash or a dropped connection left there.

- One `GET /events` for the date range lists what is there (progsync's events carry
  `external_id = progsync:<identity>`; several events with one identity are a retried create
  or a copy made by hand: the oldest is kept, the others deleted by id).
- Creates and updates go in `POST /events/bulk?upsert=true`, chunked; deletes in one
  `PUT /events/bulk-delete` by external_id (which removes every copy).
- An event a person deleted by hand is created again: a create never carries the ledger's old
  id, and a `404` on `PUT /events/{id}` means "gone since the listing", so it is created.
- A bulk save is not idempotent when upsert misbehaves, so after a failure that may have been
  carried out (a lost reply, a dropped connection, a 5xx) progsync lists the range and sends
  again only what did not land (`Pacer.call`'s `settle`).
- If the server answers an upsert by creating a second event instead of updating the one it
  has, progsync deletes the duplicate, remembers that upsert misbehaves for this account, and
  updates with `PUT /events/{id}` from then on (upsert by external_id matches "only against
  events created by your application": maintainer, forum.intervals.icu thread 63624).
- Every reply that is read goes through `progsync.sync.services.replies` first: an odd one is exit 5.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from progsync.sync.reconcile.model import Action, Desired, Recorder, Remote, fingerprint
from progsync.sync.services.http import (
    Pacer,
    Retryable,
    bounded,
    retry_after,
    shared_pacer,
)
from progsync.sync.settings.config import DEFAULT_TIMEOUT, Config
from progsync.sync.settings.errors import AuthError, RemoteError
from progsync.sync.settings.secrets import redact
from progsync.workouts.intervals_text import encode_intervals_text
from progsync.workouts.model import (
    HeartRateTarget,
    HeartRateZoneTarget,
    PaceTarget,
    Session,
    iter_steps,
)

if TYPE_CHECKING:
    from progsync.sync.reconcile.ledger import Ledger
    from progsync.sync.services.registry import Target
    from progsync.sync.services.replies import (
        IntervalsAthlete,
        IntervalsEvent,
        IntervalsWorkout,
    )

DEFAULT_BASE_URL = "https://intervals.icu"
MARKER = "progsync:"
SPORT_TYPES = {
    "run": "Run",
    "bike": "Ride",
    "swim": "Swim",
    "strength": "WeightTraining",
    "cardio": "Workout",
    "yoga": "Yoga",
    "hiit": "HighIntensityIntervalTraining",
    "mobility": "Workout",
    "other": "Workout",
}
#: The event fields progsync sets and the service keeps as sent; the fingerprint covers exactly
#: these, so a listing can be compared with the plan even when the ledger is lost. Left out on
#: purpose: `moving_time` and `distance`, which the service recomputes from the description
#: ("Intervals.icu will calculate moving_time and other fields", maintainer, forum.intervals.icu
#: thread 609), so hashing them would make every nightly push rewrite every event. Tags are
#: compared as a list, because an empty list comes back as null.
FIELDS = (
    "category",
    "type",
    "start_date_local",
    "name",
    "description",
    "external_id",
    "tags",
    "target",
)


def kept_fields(event: dict[str, Any]) -> dict[str, Any]:
    """The compared fields of an event (sent or listed), in one normal form."""
    fields = {k: event.get(k) for k in FIELDS}
    fields["tags"] = list(event.get("tags") or [])
    if event.get("indoor"):  # only when set, so outdoor events keep their old fingerprints
        fields["indoor"] = True
    fields["start_date_local"] = str(event.get("start_date_local") or "")[:19]
    fields["description"] = "\n".join(
        line.rstrip() for line in str(event.get("description") or "").splitlines()
    ).strip()
    return fields
UNREACHABLE_HINT = "check the network and [intervals] base_url; the next run completes the push"


class Gone(RemoteError):
    """A write answered 404: the event is no longer there (a person deleted it in the app)."""


def auth_hint(athlete_id: str) -> str:
    return (
        "check the API key from intervals.icu Settings → Developer (progsync sends it as the "
        "password with the username API_KEY — don't paste it as a username or Bearer token), "
        f"and the athlete id ('{athlete_id}' should look like i12345, or 0 for the key's owner); "
        "then run `progsync login intervals`"
    )


class IntervalsClient:
    """A thin, paced client for the event endpoints."""

    def __init__(
        self,
        athlete_id: str,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        pacer: Pacer | None = None,
        timeout: tuple[float, float] = (5.0, 30.0),
    ) -> None:
        import requests

        self.athlete_id = athlete_id
        self.origin = base_url.rstrip("/")
        self.base = self.origin + f"/api/v1/athlete/{athlete_id}"
        self.session = bounded(requests.Session())  # each request's total deadline (http.py)
        self.session.auth = ("API_KEY", api_key)
        self.session.headers["User-Agent"] = "progsync"
        self.pacer = pacer or Pacer(timeout=DEFAULT_TIMEOUT)
        self.timeout = timeout
        self.calls: Counter[str] = Counter()

    def request(
        self, method: str, path: str, what: str, *, raw: bool = False, **kwargs: Any
    ) -> Any:
        """One paced request under the athlete's URL (or, for a path starting `/api/`, under the
        server's), retried when that is safe; the JSON reply, or with `raw` the body's bytes."""
        return self.pacer.call(
            f"Intervals.icu {what}",
            lambda: self._once(method, path, what, raw=raw, **kwargs),
            UNREACHABLE_HINT,
        )

    def _once(self, method: str, path: str, what: str, *, raw: bool = False, **kwargs: Any) -> Any:
        """One attempt: the reply, or Retryable (saying whether it may have been carried out),
        AuthError, Gone (a write's 404) or RemoteError."""
        import requests

        url = (self.origin if path.startswith("/api/") else self.base) + path
        self.calls[f"{method} {path.split('?')[0]}"] += 1
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            # Refused or never connected: not sent. Anything later (a dropped connection, a
            # read timeout) may have been carried out with its reply lost.
            unsent = isinstance(exc, requests.ConnectTimeout) or "NewConnectionError" in str(exc)
            raise Retryable(f"{type(exc).__name__}", sent=not unsent) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise Retryable(
                f"HTTP {response.status_code}",
                retry_after(response.headers.get("Retry-After")),
                sent=response.status_code != 429,
            )
        if response.status_code in (401, 403):
            raise AuthError(
                f"Intervals.icu refused the credentials (HTTP {response.status_code}) while {what}",
                auth_hint(self.athlete_id),
            )
        if response.status_code == 404 and method != "GET":
            raise Gone(f"Intervals.icu: HTTP 404 while {what}")
        if response.status_code >= 400:
            try:
                body = response.json()
                detail = (body.get("error") if isinstance(body, dict) else None) or response.text
            except ValueError:
                detail = response.text
            raise RemoteError(
                redact(
                    f"Intervals.icu: HTTP {response.status_code} while {what}: {str(detail)[:300]}"
                )
            )
        if raw:
            return response.content
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise RemoteError(
                f"Intervals.icu sent a reply that is not JSON while {what}"
            ) from None

    def athlete(self) -> IntervalsAthlete:
        """Whose calendar the key reaches (a login's check, `whoami`, `doctor`)."""
        from progsync.sync.services.replies import intervals_athlete

        return intervals_athlete(self.request("GET", "", "reading the athlete"))

    def list_events(self, oldest: dt.date, newest: dt.date) -> list[IntervalsEvent]:
        from progsync.sync.services.replies import intervals_events

        params = {"oldest": oldest.isoformat(), "newest": newest.isoformat(), "category": "WORKOUT"}
        return intervals_events(self.request("GET", "/events", "listing events", params=params))

    def list_workouts(self) -> list[IntervalsWorkout]:
        """The athlete's workout library, every folder's, in one request (OpenAPI
        `listWorkouts`; there is no listing of one folder: real-services.md)."""
        from progsync.sync.services.replies import intervals_workouts

        return intervals_workouts(self.request("GET", "/workouts", "listing the workout library"))

    def bulk_upsert(self, events: list[dict[str, Any]]) -> list[IntervalsEvent]:
        """Save events (`upsert=true`: matched on external_id). Not idempotent when the server
        creates instead of updating, so a failure that may have been carried out is settled by
        listing the range and sending again only the events that did not land as sent."""
        from progsync.sync.services.replies import intervals_saved

        what = "saving events (POST /events/bulk)"
        pending = list(events)
        landed: list[IntervalsEvent] = []

        def send() -> list[IntervalsEvent]:
            reply = self._once("POST", "/events/bulk?upsert=true", what, json=list(pending))
            saved = intervals_saved(reply, [str(e["external_id"]) for e in pending], what)
            return landed + saved

        def settle() -> list[IntervalsEvent] | None:
            days = [dt.date.fromisoformat(str(e["start_date_local"])[:10]) for e in pending]
            listed = self.list_events(min(days), max(days))
            wanted = {str(e["external_id"]): fingerprint(kept_fields(e)) for e in pending}
            found = [
                e
                for e in listed
                if wanted.get(str(e.external_id)) == fingerprint(kept_fields(e.fields()))
            ]
            done = {str(e.external_id) for e in found}
            landed.extend(found)
            pending[:] = [e for e in pending if str(e["external_id"]) not in done]
            return landed if not pending else None

        return self.pacer.call(f"Intervals.icu {what}", send, UNREACHABLE_HINT, settle)

    def update_event(self, event_id: str, event: dict[str, Any]) -> IntervalsEvent:
        """Replace one event by id (idempotent); `Gone` when it no longer exists."""
        from progsync.sync.services.replies import intervals_event

        what = f"updating event {event_id} (PUT /events/{event_id})"
        return intervals_event(self.request("PUT", f"/events/{event_id}", what, json=event), what)

    def bulk_delete(self, doomed: list[dict[str, Any]]) -> int:
        """Delete by id or external_id (idempotent: what is gone is simply not counted)."""
        from progsync.sync.services.replies import intervals_deleted

        what = "deleting events (PUT /events/bulk-delete)"
        return intervals_deleted(self.request("PUT", "/events/bulk-delete", what, json=doomed), what)


def _target(session: Session) -> str:
    kinds = {type(step.target) for step in iter_steps(session.steps)}
    if PaceTarget in kinds:
        return "PACE"
    if kinds & {HeartRateTarget, HeartRateZoneTarget}:
        return "HR"
    return "AUTO"


def event_for(
    session: Session, max_hr: int | None = None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    text = encode_intervals_text(session, max_hr=max_hr)
    start = session.time or dt.time(0, 0)
    event = {
        "category": "WORKOUT",
        "type": SPORT_TYPES.get(session.sport, "Workout"),
        "start_date_local": dt.datetime.combine(session.date, start).isoformat(timespec="seconds"),
        "name": session.name,
        "description": text.data,
        "external_id": MARKER + session.identity,
        "moving_time": int(session.estimated_duration_s),
        "distance": float(session.estimated_distance_m),
        "tags": list(session.tags),
        "target": _target(session),
    }
    if session.indoor:
        event["indoor"] = True  # Event.indoor (Intervals.icu OpenAPI spec)
    return event, text.warnings


def client_for(
    config: Config, athlete_id: str | None = None, api_key: str | None = None
) -> IntervalsClient:
    """The one way to make an Intervals.icu client: the stored (or environment) credentials, or
    the `athlete_id` and `api_key` given (a login being verified), at `[intervals] base_url` and
    paced at `[intervals] rate_limit` across the whole run: the config's athlete (a squad
    member's in coach mode, reached with the coach's key)."""
    import os

    from progsync.sync.settings.credentials import intervals_credentials

    if athlete_id is None or api_key is None:
        creds = intervals_credentials(
            config.intervals.athlete_id, coached=config.member is not None
        )
        athlete_id, api_key = creds.athlete_id, creds.api_key
    base = (
        os.environ.get("PROGSYNC_INTERVALS_URL")
        or config.intervals.base_url
        or DEFAULT_BASE_URL
    )
    # Intervals.icu allows about 10 requests per second per IP (forum thread 609); 8/s by default,
    # across the whole run (every athlete of a squad goes through the same pacer).
    per_second = config.intervals.rate_limit
    pacer = shared_pacer(
        f"intervals {base}",
        1.0 / per_second if per_second > 0 else 0.0,
        config.intervals.timeout,
    )
    return IntervalsClient(athlete_id, api_key, str(base), pacer=pacer)


def build(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> IntervalsDestination:
    """Intervals.icu with the stored (or environment) credentials, paced at `[intervals] rate_limit`."""
    client = client_for(config)
    destination = IntervalsDestination(client, config.intervals.chunk_size, max_hr)
    if ledger is not None and ledger.get_meta(destination.key, "upsert_ok") == "false":
        destination.upsert_ok = False
    return destination


class IntervalsDestination:
    can_list = True

    def __init__(
        self,
        client: IntervalsClient,
        chunk_size: int = 50,
        max_hr: dict[str, int | None] | None = None,
        upsert_ok: bool = True,
    ) -> None:
        self.client = client
        self.chunk_size = max(1, chunk_size)
        self.key = f"intervals:{client.athlete_id}"
        self.label = f"Intervals.icu ({client.athlete_id})"
        self.max_hr = max_hr or {}
        self.upsert_ok = upsert_ok
        self.notes: list[str] = []

    def requests_made(self) -> Counter[str]:
        return Counter(self.client.calls)

    def remember(self, ledger: Ledger) -> None:
        """Keep the upsert fallback for this account once the server has shown it duplicates."""
        if not self.upsert_ok:
            ledger.set_meta(self.key, "upsert_ok", "false")

    def prepare(self, session: Session) -> Desired:
        event, warnings = event_for(session, self.max_hr.get(session.plan))
        return Desired(session, event, fingerprint(kept_fields(event)), warnings)

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]:
        groups: dict[str, list[IntervalsEvent]] = {}
        for event in self.client.list_events(start, end):
            external = event.external_id or ""
            if external.startswith(MARKER):
                groups.setdefault(external[len(MARKER) :], []).append(event)
        out: dict[str, Remote] = {}
        for identity, copies in groups.items():
            # The oldest copy is kept (a retried create or a copy made by hand came later).
            copies.sort(key=lambda e: (len(e.key), e.key))
            keep, extras = copies[0], copies[1:]
            out[identity] = Remote(
                identity=identity,
                remote_id=keep.key,
                date=keep.day,
                name=str(keep.name or ""),
                fingerprint=fingerprint(kept_fields(keep.fields())),
                details={"push_errors": keep.fields().get("push_errors") or []},
                repair=(
                    f"{len(extras)} extra cop{'y' if len(extras) == 1 else 'ies'}" if extras else ""
                ),
                extra_ids=tuple(e.key for e in extras),
            )
        return out

    def apply(self, actions: list[Action], recorder: Recorder) -> None:
        saves = [a for a in actions if a.op in ("create", "update", "move")]
        deletes = [a for a in actions if a.op == "delete"]
        extras = [(a, extra) for a in saves if a.remote for extra in a.remote.extra_ids]
        if extras:
            try:
                self.client.bulk_delete([{"id": int(extra)} for _, extra in extras])
            except RemoteError as exc:
                for action in dict.fromkeys(a for a, _ in extras):
                    recorder.fail(action, str(exc))
                saves = [a for a in saves if a not in {x for x, _ in extras}]
        posts = saves
        if not self.upsert_ok:
            posts = [a for a in saves if not _listed_id(a)]
            for action in saves:
                if _listed_id(action) and not self._put(action, recorder):
                    posts.append(action)  # deleted since the listing: create it again
        for start in range(0, len(posts), self.chunk_size):
            self._post(posts[start : start + self.chunk_size], recorder)
        if deletes:
            doomed = [{"external_id": MARKER + a.identity} for a in deletes]
            try:
                self.client.bulk_delete(doomed)
            except RemoteError as exc:
                for action in deletes:
                    recorder.fail(action, str(exc))
            else:
                for action in deletes:
                    recorder.deleted(action)

    def _post(self, chunk: list[Action], recorder: Recorder) -> None:
        """One bulk save; an event the server created anew instead of updating the listed one
        (upsert misbehaving) is deleted and the listed one updated by id."""
        try:
            saved = self.client.bulk_upsert([a.desired.payload for a in chunk if a.desired])
        except RemoteError as exc:
            for action in chunk:
                recorder.fail(action, str(exc))
            return
        by_external: dict[str, list[str]] = {}
        for event in saved:
            by_external.setdefault(str(event.external_id), []).append(event.key)
        for action in chunk:
            ids = by_external.get(MARKER + action.identity)
            listed = _listed_id(action)
            if not ids:
                recorder.fail(
                    action, "Intervals.icu did not return the event; the next push looks again"
                )
            elif listed is None or listed in ids:
                recorder.saved(action, listed or ids[0])
            else:
                self.upsert_ok = False
                self.client.bulk_delete([{"id": int(i)} for i in ids])
                if not self._put(action, recorder):
                    self._post([_as_create(action)], recorder)

    def _put(self, action: Action, recorder: Recorder) -> bool:
        """Update the listed event by id; False when it is gone (404), so it can be created."""
        listed = _listed_id(action)
        assert action.desired is not None and listed is not None
        try:
            event = self.client.update_event(listed, action.desired.payload)
        except Gone:
            return False
        except RemoteError as exc:
            recorder.fail(action, str(exc))
            return True
        recorder.saved(action, event.key)
        return True


def _listed_id(action: Action) -> str | None:
    """The id of the event the listing showed for this session (never the ledger's: the event
    the ledger remembers may have been deleted by hand since)."""
    return action.remote.remote_id if action.remote is not None else None


def _as_create(action: Action) -> Action:
    from dataclasses import replace

    return replace(action, remote=None)
