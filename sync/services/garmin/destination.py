"""Garmin Connect as a destination: converge the workout list and the calendar on the plan.

- Every uploaded workout ends its description with a marker,
  `[progsync <identity> <date> <fingerprint>]`, so the ledger can be rebuilt from
  `get_workouts` and workouts progsync did not create are never touched.
- Create = upload, then schedule (2 calls); update = replace in place (`PUT`, which keeps the
  calendar entry); move = replace (the marker carries the date), unschedule, schedule; delete =
  unschedule, then delete. Each push first reads what is there and repairs whatever a crash, a
  fault or a person left (see `GarminDestination`).
- `push --adopt-foreign`: the calendar entry of a workout progsync did not make, on a session's
  date and with its name, is taken off and the session put there as a create (`list_foreign`,
  `_adopt`); the user's saved workout itself is never changed or deleted.

Why this module is long: it is one destination, reading (the workout list and the calendar,
into `Remote`s and `Foreign`s) and writing (converging each session on one workout with one
entry), and both halves share the listing it caches for the push; split, each would reach
into the other's state.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from progsync.sync.reconcile.model import Action, Desired, Foreign, Recorder, Remote, fingerprint
from progsync.sync.services.garmin.calls import GarminCalls, garmin_pacer
from progsync.sync.services.garmin.client import (
    DESCRIPTION_LIMIT,
    MARKER,
    Gone,
    api_url,
    connect,
    login_hint,
)
from progsync.sync.services.garmin.readback import compare_stored
from progsync.sync.services.garmin.tokens import TokenSource, load_tokens
from progsync.sync.services.http import Pacer
from progsync.sync.services.replies import (
    GarminCalendarItem,
    garmin_calendar,
    garmin_schedule_id,
    garmin_uploaded,
    garmin_workouts,
)
from progsync.sync.settings.config import Config
from progsync.sync.settings.errors import OddReply, RemoteError, UntrustedListing
from progsync.workouts.garmin_json import encode_workout
from progsync.workouts.model import Session

if TYPE_CHECKING:
    from progsync.sync.reconcile.ledger import Ledger
    from progsync.sync.services.registry import Target


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
    """One calendar entry of a workout (`title`: the workout's name as the calendar shows it)."""

    schedule_id: str
    workout_id: str
    day: dt.date
    title: str = ""


def scheduled_entries(items: list[GarminCalendarItem]) -> list[Scheduled]:
    """The scheduled workouts among a calendar month's items, each once.

    Only an item of `itemType` "workout" is one: activities, notes and races (`itemType`
    "event") are items too (real-services.md "Calendar", garmin_mcp PR #286), and a completed
    activity is not ours to repair or delete, even should it name a workout."""
    out: list[Scheduled] = []
    for item in items:
        day = item.day
        if item.workoutId is None or item.schedule_id is None or day is None:
            continue
        if item.itemType not in (None, "workout"):
            continue
        if any(e.schedule_id == item.schedule_id for e in out):
            continue
        out.append(Scheduled(item.schedule_id, str(item.workoutId), day, item.title or ""))
    return out


def months(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    """The (year, month) of every calendar month from `start` to `end`, in order."""
    out = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


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
        self.conn = GarminCalls(
            garmin, tokens, pacer or garmin_pacer(), login_hint()
        )
        self.garmin = garmin
        self.verify = verify
        self.key = "garmin"
        self.label = "Garmin Connect"
        self.notes = self.conn.notes
        self._calendar: dict[tuple[int, int], list[Scheduled]] = {}
        self._copies: dict[str, list[Copy]] = {}
        #: The names of the workouts without progsync's marker (the user's, another tool's).
        self._others: dict[str, str] = {}
        self._listed = False

    @property
    def login_hint(self) -> str | None:
        return self.conn.login_hint

    @login_hint.setter
    def login_hint(self, hint: str | None) -> None:
        self.conn.login_hint = hint

    def requests_made(self) -> Counter[str]:
        return Counter(self.conn.calls)

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
        """A garminconnect method by name (or our `replace_workout`), through the one guarded
        call; a 404 is None with `missing_ok` (already gone), else a RemoteError."""

        def run() -> Any:
            if name == "replace_workout":
                return self._replace(*args)
            return getattr(self.garmin, name)(*args)

        try:
            return self.conn.call(name, what, run, settle)
        except Gone:
            if missing_ok:
                return None
            raise RemoteError(f"Garmin Connect: not found (HTTP 404) while {what}") from None

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

    def prepare(self, session: Session) -> Desired:
        encoded = encode_workout(session)
        payload = encoded.data
        digest = fingerprint(payload)
        payload["description"] = _with_marker(
            payload.get("description"),
            f"[progsync {session.identity} {session.date.isoformat()} {digest}]",
        )
        return Desired(session, payload, digest, encoded.warnings)

    # -- reading what is there ------------------------------------------------------------------
    def _list_workouts(self) -> dict[str, list[Copy]]:
        """Every workout with progsync's marker, by identity (all pages)."""
        out: dict[str, list[Copy]] = {}
        others: dict[str, str] = {}
        offset = 0
        while True:
            reply = self._call("get_workouts", "listing workouts", offset, 100)
            try:
                page = garmin_workouts(reply, "listing workouts")
            except OddReply as exc:
                raise UntrustedListing(
                    f"{exc.message}; nothing was changed",
                    "this is usually a passing fault: the next run tries again",
                ) from None
            for workout in page:
                match = MARKER.search(workout.description or "")
                if not match:
                    others[str(workout.workoutId)] = workout.workoutName or ""
                    continue
                identity, day, digest = match.groups()
                out.setdefault(identity, []).append(
                    Copy(
                        str(workout.workoutId),
                        dt.date.fromisoformat(day),
                        digest,
                        workout.workoutName or "",
                    )
                )
            if len(page) < 100:
                break
            offset += 100
        self._others = others
        return out

    def _read_month(self, year: int, month: int) -> list[Scheduled]:
        what = f"reading the calendar of {year}-{month:02d}"
        data = self._call("get_scheduled_workouts", what, year, month)
        try:
            items = garmin_calendar(data, what)
        except OddReply as exc:
            raise UntrustedListing(
                f"{exc.message}; nothing was changed",
                "this is usually a passing fault: the next run tries again",
            ) from None
        out = scheduled_entries(items)
        self._calendar[(year, month)] = out
        return out

    def _all_entries(self) -> list[Scheduled]:
        """Every calendar entry read so far, each once: should a month's listing also show the
        days of its first and last weeks that belong to the months around it (as the
        calendar's grid does; unverified), an entry read with two months is still one entry."""
        seen: dict[str, Scheduled] = {}
        for entries in self._calendar.values():
            for e in entries:
                seen.setdefault(e.schedule_id, e)
        return list(seen.values())

    def _entries(self, workout_id: str, days: list[dt.date]) -> list[Scheduled]:
        """The calendar entries of a workout in the months of `days` (read once, then cached)."""
        for year, month in sorted({(d.year, d.month) for d in days}):
            if (year, month) not in self._calendar:
                self._read_month(year, month)
        return [e for e in self._all_entries() if e.workout_id == workout_id]

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]:
        """Our workouts, each with its calendar entries in the months from `start` to `end`."""
        self._copies = self._list_workouts()
        self._listed = True
        if any(start <= c.day <= end for group in self._copies.values() for c in group):
            for year, month in months(start, end):
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

    def list_foreign(self, start: dt.date, end: dt.date) -> list[Foreign]:
        """The calendar entries from `start` to `end` of workouts without progsync's marker.

        Adoption acts on the entry, never on the saved workout: a saved workout may be
        scheduled on other dates too (months nobody read), and replacing or later deleting it
        would change or remove those. So the entry is taken off the calendar and the session
        put there as progsync's own workout; the user's saved workout stays in the library as
        it was (docs/import.md)."""
        if not self._listed:
            self._copies = self._list_workouts()
            self._listed = True
        ours = {c.workout_id for group in self._copies.values() for c in group}
        for year, month in months(start, end):
            if (year, month) not in self._calendar:
                self._read_month(year, month)
        out = []
        for e in self._all_entries():
            if e.workout_id in ours or not start <= e.day <= end:
                continue
            name = self._others.get(e.workout_id) or e.title
            out.append(Foreign(e.schedule_id, e.day, name, f"the entry of Garmin workout {e.workout_id}"))
        return sorted(out, key=lambda f: (f.date, f.remote_id))

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
        return garmin_uploaded(stored, "uploading a workout"), stored

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
        schedule_id = garmin_schedule_id(result)
        if schedule_id is None:
            # The reply is unusable, but the entry may exist: look once before giving up.
            found = self._find_schedule(workout_id, day)
            if found is None:
                raise OddReply(
                    "Garmin Connect answered scheduling a workout without a schedule id, and the "
                    "calendar does not show the entry",
                    "the service or a proxy in between sent an unexpected reply; the next run "
                    "looks again",
                )
            schedule_id = str(found["workoutScheduleId"])
        key = (day.year, day.month)
        if key in self._calendar:
            self._calendar[key].append(Scheduled(str(schedule_id), workout_id, day))
        return str(schedule_id)

    def _unschedule(self, entry: Scheduled) -> None:
        self._call(
            "unschedule_workout", "unscheduling a workout", entry.schedule_id, missing_ok=True
        )
        for key, entries in self._calendar.items():
            self._calendar[key] = [e for e in entries if e.schedule_id != entry.schedule_id]

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
                elif action.op == "adopt":
                    self._adopt(action, recorder)
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

    def _adopt(self, action: Action, recorder: Recorder) -> None:
        """Take the foreign entry off the calendar, then put the session there as a create
        does. In this order, a crash between the two leaves the date empty, which any next push
        fills (the session is then simply missing); the other order would leave both for good,
        since a push without `--adopt-foreign` never touches the foreign entry. A 404 means the
        entry is gone already. The user's saved workout is not touched (`list_foreign`)."""
        assert action.adopts is not None
        foreign = action.adopts
        self._unschedule(Scheduled(foreign.remote_id, "", foreign.date))
        self._converge(action, recorder)

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


def build(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> GarminDestination:
    """Garmin Connect with the stored tokens (keyring, or PROGSYNC_GARMIN_TOKENS[_MEMBER])."""
    tokens = load_tokens(config.member)
    garmin = connect(tokens.tokens, api_url(config), config.member)
    verify = config.garmin.verify
    pacer = garmin_pacer(config.garmin.timeout)
    destination = GarminDestination(garmin, tokens, verify=verify, pacer=pacer)
    if config.member:
        # Each athlete's account is a destination of its own: their ledger entries, lock and
        # duplicate checks never mix with another athlete's (who has the same sessions).
        destination.key = f"garmin:{config.member}"
        destination.login_hint = login_hint(config.member)
    return destination
