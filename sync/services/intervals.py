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
- `push --adopt-foreign`: a WORKOUT event without progsync's `external_id`, on a session's date
  and with its name, is taken over in place (`PUT /events/{id}` with the session's event).

The client (requests, pacing, the calls and their replies) is `services.intervals_client`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any

from progsync.sync.reconcile.model import (
    Action,
    Desired,
    Foreign,
    Recorder,
    Remote,
    fingerprint,
)
from progsync.sync.services.intervals_client import (
    Gone,
    IntervalsClient,
    client_for,
    kept_fields,
)
from progsync.sync.settings.config import Config
from progsync.sync.settings.errors import RemoteError
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
        IntervalsEvent,
    )

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
    # Event.indoor (Intervals.icu OpenAPI spec), sent either way: an update keeps the fields it
    # is not sent, so an adopted indoor event would stay indoor for an outdoor session (and
    # differ from the plan at every push). `kept_fields` compares it only when true.
    event["indoor"] = bool(session.indoor)
    return event, text.warnings


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
        #: The events of the last listing, and the dates it covered (for `list_foreign`).
        self._listed: tuple[dt.date, dt.date, list[IntervalsEvent]] | None = None

    def requests_made(self) -> Counter[str]:
        return Counter(self.client.calls)

    def remember(self, ledger: Ledger) -> None:
        """Keep the upsert fallback for this account once the server has shown it duplicates."""
        if not self.upsert_ok:
            ledger.set_meta(self.key, "upsert_ok", "false")

    def prepare(self, session: Session) -> Desired:
        event, warnings = event_for(session, self.max_hr.get(session.plan))
        return Desired(session, event, fingerprint(kept_fields(event)), warnings)

    def _events(self, start: dt.date, end: dt.date) -> list[IntervalsEvent]:
        if self._listed is not None and self._listed[0] <= start and end <= self._listed[1]:
            return [e for e in self._listed[2] if start <= e.day <= end]
        events = self.client.list_events(start, end)
        self._listed = (start, end, events)
        return events

    def list_foreign(self, start: dt.date, end: dt.date) -> list[Foreign]:
        """The WORKOUT events a person made (no `external_id`). An event with another tool's
        `external_id` is left to that tool: taken over, its next sync would no longer find it
        and would add it again."""
        return [
            Foreign(e.key, e.day, str(e.name or ""), f"Intervals.icu event {e.key}")
            for e in self._events(start, end)
            if not e.external_id
        ]

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]:
        groups: dict[str, list[IntervalsEvent]] = {}
        for event in self._events(start, end):
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
        for action in [a for a in actions if a.op == "adopt"]:
            if not self._adopt(action, recorder):
                saves.append(action)  # deleted since the listing: created like any session
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

    def _adopt(self, action: Action, recorder: Recorder) -> bool:
        """Take the foreign event over in place: `PUT /events/{id}` with the session's event,
        whose `external_id` makes it progsync's (the push recognises its events by it). A PUT is
        idempotent, so a lost reply is settled by the next listing, which shows the marker.
        False when the event is gone (404), so the session is created instead."""
        event_id = _adopted_id(action)
        assert action.desired is not None and event_id is not None
        try:
            event = self.client.update_event(event_id, action.desired.payload)
        except Gone:
            return False
        except RemoteError as exc:
            recorder.fail(action, str(exc))
            return True
        recorder.saved(action, event.key)
        return True

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


def _adopted_id(action: Action) -> str | None:
    return action.adopts.remote_id if action.adopts is not None else None


def _listed_id(action: Action) -> str | None:
    """The id of the event the listing showed for this session (never the ledger's: the event
    the ledger remembers may have been deleted by hand since)."""
    return action.remote.remote_id if action.remote is not None else None


def _as_create(action: Action) -> Action:
    from dataclasses import replace

    return replace(action, remote=None)
