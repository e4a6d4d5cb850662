"""The Intervals.icu REST client: one paced, retried, deadline-bound `requests` session per
athlete, the calls progsync makes (events, athlete, library workouts, bulk save and delete,
activities' FIT files), each reply parsed by `services.replies`, and `client_for`, the one way
to make a client (the destination, login, doctor, review's activity source, races and import
all use it).

Authentication is HTTP basic with the username `API_KEY` and the key as the password
(Intervals.icu OpenAPI spec, `securitySchemes.APIKey`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from progsync.sync.reconcile.model import fingerprint
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

if TYPE_CHECKING:
    from progsync.sync.services.replies import (
        IntervalsAthlete,
        IntervalsEvent,
        IntervalsWorkout,
    )

DEFAULT_BASE_URL = "https://intervals.icu"

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


UNREACHABLE_HINT = "check the network and [intervals] base_url; running it again completes what was left"


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
