"""Intervals.icu as a destination: planned WORKOUT events over its REST API, with `requests`.

- One `GET /events` for the date range lists what is there (progsync's events carry
  `external_id = progsync:<identity>`).
- Creates and updates go in `POST /events/bulk?upsert=true`, chunked; deletes in one
  `PUT /events/bulk-delete` by external_id.
- If the server answers an upsert by creating a second event instead of updating the one it
  has, progsync deletes the duplicate, remembers that upsert misbehaves for this account, and
  updates with `PUT /events/{id}` from then on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from progsync.workouts.intervals_text import encode_intervals_text
from progsync.workouts.model import (
    HeartRateTarget,
    HeartRateZoneTarget,
    PaceTarget,
    Session,
    iter_steps,
)

from ..config import Config
from ..engine import Action, Desired, Recorder, Remote, fingerprint
from ..http import (
    DEFAULT_TIMEOUT,
    AuthError,
    Pacer,
    RemoteError,
    Retryable,
    bounded,
    redact,
    request_timeout,
    retry_after,
    shared_pacer,
)

if TYPE_CHECKING:
    from ..ledger import Ledger
    from . import Target

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
        server's); the JSON reply, or with `raw` the body's bytes."""
        import requests

        url = (self.origin if path.startswith("/api/") else self.base) + path

        def once() -> Any:
            self.calls[f"{method} {path.split('?')[0]}"] += 1
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise Retryable(f"{type(exc).__name__}") from None
            if response.status_code == 429 or response.status_code >= 500:
                raise Retryable(
                    f"HTTP {response.status_code}", retry_after(response.headers.get("Retry-After"))
                )
            if response.status_code in (401, 403):
                raise AuthError(
                    f"Intervals.icu refused the credentials (HTTP {response.status_code}) while {what}",
                    auth_hint(self.athlete_id),
                )
            if response.status_code >= 400:
                try:
                    detail = response.json().get("error") or response.text
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

        return self.pacer.call(f"Intervals.icu {what}", once, UNREACHABLE_HINT)

    def athlete(self) -> dict[str, Any]:
        return self.request("GET", "", "reading the athlete") or {}

    def list_events(self, oldest: dt.date, newest: dt.date) -> list[dict[str, Any]]:
        params = {"oldest": oldest.isoformat(), "newest": newest.isoformat(), "category": "WORKOUT"}
        return self.request("GET", "/events", "listing events", params=params) or []

    def bulk_upsert(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self.request("POST", "/events/bulk?upsert=true", "saving events", json=events) or []

    def update_event(self, event_id: str, event: dict[str, Any]) -> dict[str, Any]:
        return self.request("PUT", f"/events/{event_id}", "updating an event", json=event) or {}

    def bulk_delete(self, doomed: list[dict[str, Any]]) -> int:
        result = self.request("PUT", "/events/bulk-delete", "deleting events", json=doomed) or {}
        return int(result.get("eventsDeleted", 0))


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


def client_for(config: Config) -> IntervalsClient:
    """A client with the stored (or environment) credentials, paced at `[intervals] rate_limit`:
    the config's athlete (a squad member's in coach mode, reached with the coach's key)."""
    import os

    from ..credentials import intervals_credentials

    creds = intervals_credentials(
        config.intervals.get("athlete_id"), coached=config.member is not None
    )
    base = (
        os.environ.get("PROGSYNC_INTERVALS_URL")
        or config.intervals.get("base_url")
        or DEFAULT_BASE_URL
    )
    # Intervals.icu allows about 10 requests per second per IP (forum thread 609); 8/s by default,
    # across the whole run (every athlete of a squad goes through the same pacer).
    per_second = float(config.intervals.get("rate_limit", 8))
    pacer = shared_pacer(
        f"intervals {base}",
        1.0 / per_second if per_second > 0 else 0.0,
        request_timeout(config.intervals),
    )
    return IntervalsClient(creds.athlete_id, creds.api_key, str(base), pacer=pacer)


def build(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> IntervalsDestination:
    """Intervals.icu with the stored (or environment) credentials, paced at `[intervals] rate_limit`."""
    client = client_for(config)
    destination = IntervalsDestination(client, int(config.intervals.get("chunk_size", 50)), max_hr)
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
        from ..replies import intervals_events

        out: dict[str, Remote] = {}
        for event in intervals_events(self.client.list_events(start, end)):
            external = event.get("external_id") or ""
            if not external.startswith(MARKER):
                continue
            identity = external[len(MARKER) :]
            fields = kept_fields(event)
            out[identity] = Remote(
                identity=identity,
                remote_id=str(event["id"]),
                date=dt.date.fromisoformat(str(event["start_date_local"])[:10]),
                name=str(event.get("name") or ""),
                fingerprint=fingerprint(fields),
                details={"push_errors": event.get("push_errors") or []},
            )
        return out

    def apply(self, actions: list[Action], recorder: Recorder) -> None:
        saves = [a for a in actions if a.op in ("create", "update", "move")]
        deletes = [a for a in actions if a.op == "delete"]
        if not self.upsert_ok:
            updates = [a for a in saves if a.remote_id]
            saves = [a for a in saves if not a.remote_id]
            for action in updates:
                self._put(action, recorder)
        for start in range(0, len(saves), self.chunk_size):
            chunk = saves[start : start + self.chunk_size]
            try:
                saved = self.client.bulk_upsert([a.desired.payload for a in chunk if a.desired])
            except RemoteError as exc:
                for action in chunk:
                    recorder.fail(action, str(exc))
                continue
            by_external = {str(e.get("external_id")): e for e in saved}
            duplicates: list[Action] = []
            for action in chunk:
                event = by_external.get(MARKER + action.identity)
                if event is None:
                    recorder.fail(action, "Intervals.icu did not return the event")
                    continue
                if action.remote_id and str(event["id"]) != action.remote_id:
                    duplicates.append(action)
                    self._forget_duplicate(str(event["id"]))
                    continue
                recorder.saved(action, str(event["id"]))
            if duplicates:
                self.upsert_ok = False
                for action in duplicates:
                    self._put(action, recorder)
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

    def _forget_duplicate(self, event_id: str) -> None:
        self.client.bulk_delete([{"id": int(event_id)}])

    def _put(self, action: Action, recorder: Recorder) -> None:
        assert action.desired is not None and action.remote_id is not None
        try:
            event = self.client.update_event(action.remote_id, action.desired.payload)
        except RemoteError as exc:
            recorder.fail(action, str(exc))
            return
        recorder.saved(action, str(event.get("id", action.remote_id)))
