"""The sync engine: make a destination's calendar match the plan, safely, every time.

`reconcile` is pure: desired sessions, the ledger and the destination's listing in, a list of
actions out (create / update / move / delete / unchanged / keep). `push` applies them through a
destination, which records each success in the ledger the moment it happens.

Scope rules, so nothing foreign is touched: only items carrying progsync's marker are ever
updated or deleted, only those of the plans being pushed, only inside the date range, and never
on past dates unless asked.

The ledger is a cache; the destination's listing is the truth. Whenever a destination can be
listed, what it shows decides: an item the listing lacks is created again, an item whose remote
state is off (`Remote.repair`: a second copy, a missing or doubled calendar entry) is repaired,
ledger rows are brought in line with the listing, and rows of items that are gone are dropped.
A listing that contradicts the ledger wholesale (empty while the ledger holds several items in
the range) is not believed: the push stops before any write (`UntrustedListing`, exit 5).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from progsync.sync.reconcile.ledger import Entry, Ledger
from progsync.sync.settings.errors import UntrustedListing
from progsync.workouts.encode import Caveat
from progsync.workouts.model import Session

LOG = logging.getLogger("progsync.sync")
Op = Literal["create", "update", "move", "delete", "unchanged", "keep"]
WRITE_OPS = ("create", "update", "move", "delete")


@dataclass(frozen=True)
class Desired:
    """A session as one destination will receive it: its payload and a fingerprint of it."""

    session: Session
    payload: Any
    fingerprint: str
    warnings: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        return self.session.identity


@dataclass(frozen=True)
class Remote:
    """A progsync item found on the destination (recognised by its marker)."""

    identity: str
    remote_id: str
    date: dt.date
    name: str
    fingerprint: str | None = None
    schedule_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    #: Why the remote state needs fixing even when content and date are right ("" when it does
    #: not): e.g. "not on the calendar", "2 extra copies". A repair is pushed as an update.
    repair: str = ""
    #: Ids of further items carrying the same identity (a retried create, a copy made by hand):
    #: the update that repairs them removes them, keeping `remote_id`.
    extra_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Action:
    op: Op
    identity: str
    date: dt.date
    name: str
    desired: Desired | None = None
    entry: Entry | None = None
    remote: Remote | None = None
    old_date: dt.date | None = None
    reason: str = ""

    @property
    def remote_id(self) -> str | None:
        if self.remote is not None:
            return self.remote.remote_id
        return self.entry.remote_id if self.entry else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "op": self.op,
            "identity": self.identity,
            "date": self.date.isoformat(),
            "old_date": self.old_date.isoformat() if self.old_date else None,
            "name": self.name,
            "remote_id": self.remote_id,
            "reason": self.reason or None,
        }


@dataclass(frozen=True)
class Scope:
    """What a push may touch: these plans, these dates."""

    plans: frozenset[str]
    start: dt.date
    end: dt.date | None = None
    delete_past: bool = False
    today: dt.date = field(default_factory=dt.date.today)

    def contains(self, day: dt.date) -> bool:
        return day >= self.start and (self.end is None or day <= self.end)


def plan_of(identity: str) -> str:
    return identity.split("/", 1)[0]


def fingerprint(data: Any) -> str:
    """A short stable hash of a payload (canonical JSON)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def reconcile(
    desired: Iterable[Desired],
    entries: dict[str, Entry],
    remote: dict[str, Remote] | None,
    scope: Scope,
) -> list[Action]:
    """Compare the plan with what was pushed before and what the destination holds now.

    `remote` is None when the destination cannot be listed; then the ledger alone decides.
    """
    actions: list[Action] = []
    wanted: dict[str, Desired] = {}
    for item in desired:
        if scope.contains(item.session.date):
            wanted[item.identity] = item

    for identity, item in wanted.items():
        session = item.session
        entry = entries.get(identity)
        found = remote.get(identity) if remote is not None else None
        exists = found is not None if remote is not None else entry is not None
        if not exists:
            reason = "removed from the destination since the last push" if entry else ""
            actions.append(
                Action(
                    "create", identity, session.date, session.name, item, entry, None, reason=reason
                )
            )
            continue
        current_date = found.date if found else entry.date  # type: ignore[union-attr]
        current_fp = (found.fingerprint if found and found.fingerprint else None) or (
            entry.fingerprint if entry else None
        )
        op: Op = "unchanged"
        reason = ""
        if found is None and entry is not None and entry.state == "uploaded":
            # Only without a listing: with one, what the destination shows decides (repair).
            op, reason = "create", "resuming an interrupted push"
        elif current_date != session.date:
            op = "move"
        elif entry is not None and entry.state == "mismatch":
            op, reason = "update", "the last read-back differed"
        elif current_fp != item.fingerprint:
            op = "update"
            if entry is not None and entry.fingerprint == item.fingerprint and found is not None:
                reason = "changed on the destination since the last push; put back to the plan"
        elif found is not None and found.repair:
            op, reason = "update", found.repair
        actions.append(
            Action(
                op,
                identity,
                session.date,
                session.name,
                item,
                entry,
                found,
                old_date=current_date if op == "move" else None,
                reason=reason,
            )
        )

    known: dict[str, tuple[Entry | None, Remote | None]] = {}
    for identity, entry in entries.items():
        known[identity] = (entry, remote.get(identity) if remote is not None else None)
    for identity, found in (remote or {}).items():
        if identity not in known:
            known[identity] = (None, found)
    for identity, (entry, found) in sorted(known.items()):
        if identity in wanted or plan_of(identity) not in scope.plans:
            continue
        if remote is not None and found is None:
            continue  # already gone from the destination
        day = found.date if found else entry.date  # type: ignore[union-attr]
        name = found.name if found else entry.name  # type: ignore[union-attr]
        if day < scope.today and not scope.delete_past:
            if scope.contains(day):
                actions.append(
                    Action("keep", identity, day, name, None, entry, found, reason="in the past")
                )
            continue
        if not scope.contains(day):
            continue
        actions.append(Action("delete", identity, day, name, None, entry, found))
    return sorted(actions, key=lambda a: (a.date, a.identity))


class Recorder:
    """What a destination calls as each remote operation succeeds or fails."""

    def __init__(
        self,
        ledger: Ledger | None,
        destination: str,
        on_event: Callable[[Action, str, str | None], None] | None = None,
    ) -> None:
        self.ledger = ledger
        self.destination = destination
        self.on_event = on_event
        self.failed: list[tuple[Action, str]] = []

    def saved(
        self,
        action: Action,
        remote_id: str | None,
        schedule_id: str | None = None,
        state: str = "synced",
        final: bool = True,
    ) -> None:
        """A create/update/move step succeeded: record it at once."""
        assert action.desired is not None
        session = action.desired.session
        if self.ledger is not None:
            self.ledger.record(
                Entry(
                    destination=self.destination,
                    identity=action.identity,
                    plan=plan_of(action.identity),
                    date=session.date,
                    name=session.name,
                    remote_id=remote_id,
                    schedule_id=schedule_id,
                    fingerprint=action.desired.fingerprint if state == "synced" else None,
                    state=state,
                )
            )
        LOG.info(
            "%s %s %s %s: %s remote_id=%s schedule_id=%s",
            self.destination,
            action.op,
            action.date,
            action.identity,
            state,
            remote_id,
            schedule_id,
        )
        if final and self.on_event:
            self.on_event(action, "ok", None)

    def deleted(self, action: Action) -> None:
        if self.ledger is not None:
            self.ledger.forget(self.destination, action.identity)
        LOG.info("%s delete %s %s: deleted", self.destination, action.date, action.identity)
        if self.on_event:
            self.on_event(action, "ok", None)

    def fail(self, action: Action, message: str) -> None:
        LOG.error(
            "%s %s %s %s: FAILED %s",
            self.destination,
            action.op,
            action.date,
            action.identity,
            message,
        )
        self.failed.append((action, message))
        if self.on_event:
            self.on_event(action, "failed", message)


class Destination(Protocol):
    """Where sessions go. Implementations live in `progsync.sync.services.registry`."""

    key: str
    label: str
    can_list: bool
    #: Things the user should know after a push (e.g. tokens that could not be saved back).
    notes: list[str]

    def prepare(self, session: Session) -> Desired: ...

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]: ...

    def apply(self, actions: list[Action], recorder: Recorder) -> None: ...

    def requests_made(self) -> Counter[str]: ...

    def remember(self, ledger: Ledger) -> None:
        """Keep what this push learnt about the account (after a real push, not a dry run)."""
        ...


@dataclass(frozen=True)
class SessionFidelity:
    """What one destination keeps of one session: exact, or its caveats (degraded, lost)."""

    session: Session
    caveats: tuple[Caveat, ...] = ()

    @property
    def exact(self) -> bool:
        return not self.caveats

    def of_kind(self, kind: str) -> list[str]:
        return list(dict.fromkeys(c.short for c in self.caveats if c.kind == kind))

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": self.session.identity,
            "date": self.session.date.isoformat(),
            "name": self.session.name,
            "exact": self.exact,
            "degraded": self.of_kind("degraded"),
            "lost": self.of_kind("lost"),
        }


@dataclass(frozen=True)
class Fidelity:
    """The fidelity table of one destination: every session in scope, and the caveats that
    concern the whole push (e.g. Intervals.icu's own HR settings, a calendar holding text)."""

    sessions: tuple[SessionFidelity, ...]
    notes: tuple[Caveat, ...] = ()

    @property
    def exact(self) -> bool:
        return not self.notes and all(s.exact for s in self.sessions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "exact": self.exact,
            "sessions_exact": sum(1 for s in self.sessions if s.exact),
            "sessions": [s.as_dict() for s in self.sessions],
            "notes": [{"kind": c.kind, "text": c.short, "message": c.message} for c in self.notes],
        }


@dataclass
class PushReport:
    destination: str
    label: str
    actions: list[Action]
    dry_run: bool
    failed: list[tuple[Action, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    #: What the destination keeps of each session (`progsync plan` only; None on a push).
    fidelity: Fidelity | None = None

    @property
    def counts(self) -> Counter[str]:
        return Counter(a.op for a in self.actions)

    @property
    def writes(self) -> int:
        return sum(1 for a in self.actions if a.op in WRITE_OPS)

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        counts = self.counts
        parts = [
            f"{counts[op]} {op}" for op in ("create", "update", "move", "delete") if counts[op]
        ]
        if counts["unchanged"]:
            parts.append(f"{counts['unchanged']} unchanged")
        if counts["keep"]:
            parts.append(f"{counts['keep']} kept (past)")
        verb = "would change" if self.dry_run else "pushed"
        text = f"{self.label}: {', '.join(parts) or 'nothing to do'}"
        if self.failed:
            text += f"; {len(self.failed)} FAILED"
        elif self.writes and not self.dry_run:
            text = f"{self.label}: {verb} — {', '.join(parts)}"
        return text

    def as_dict(self) -> dict[str, Any]:
        failed = {a.identity: message for a, message in self.failed}
        return {
            "destination": self.destination,
            "label": self.label,
            "dry_run": self.dry_run,
            "ok": self.ok,
            "counts": {
                op: self.counts.get(op, 0)
                for op in ("create", "update", "move", "delete", "unchanged", "keep")
            },
            "actions": [{**a.as_dict(), "error": failed.get(a.identity)} for a in self.actions],
            "warnings": self.warnings,
            "notes": self.notes,
            "requests": dict(self.requests),
            "fidelity": self.fidelity.as_dict() if self.fidelity is not None else None,
        }


@dataclass(frozen=True)
class Computed:
    actions: list[Action]
    warnings: list[str]
    #: Ledger rows (identities) of items the listing shows are gone and the plan no longer has.
    stale: list[str] = field(default_factory=list)


#: How many pushed items in the listed range must all be missing from a listing before progsync
#: stops believing it (one or two removed by hand is plausible; all of many is a bad reply).
UNTRUSTED_MIN_ITEMS = 3


def check_listing(
    label: str,
    entries: dict[str, Entry],
    remote: dict[str, Remote],
    low: dt.date,
    high: dt.date,
) -> None:
    """Refuse a listing that lacks every one of several items the ledger says are there."""
    pushed = [
        e
        for e in entries.values()
        if e.remote_id and low <= e.date <= high
    ]
    if len(pushed) >= UNTRUSTED_MIN_ITEMS and not any(e.identity in remote for e in pushed):
        raise UntrustedListing(
            f"{label} listed none of the {len(pushed)} items progsync pushed between {low} and "
            f"{high}; nothing was changed",
            "if the service is having a bad moment the next run converges; if you removed them "
            "by hand on purpose, run the push with --trust-listing to create them again",
        )


def compute(
    destination: Destination,
    sessions: list[Session],
    ledger: Ledger,
    scope: Scope,
    trust_listing: bool = False,
) -> Computed:
    """Prepare payloads, list the destination once for the affected range, and reconcile."""
    warnings: list[str] = []
    desired: list[Desired] = []
    for session in sessions:
        if not scope.contains(session.date):
            continue
        item = destination.prepare(session)
        desired.append(item)
        warnings.extend(w for w in item.warnings if w not in warnings)
    entries = {
        k: v for k, v in ledger.entries(destination.key).items() if plan_of(k) in scope.plans
    }
    remote: dict[str, Remote] | None = None
    if destination.can_list:
        days = [d.session.date for d in desired] + [
            e.date for e in entries.values() if scope.contains(e.date)
        ]
        if days:
            low = max(min(days), scope.start)
            high = max(days) if scope.end is None else min(max(days), scope.end)
            high = max(low, high)
            remote = {
                k: v
                for k, v in destination.list_remote(low, high).items()
                if plan_of(k) in scope.plans
            }
            if not trust_listing:
                check_listing(destination.label, entries, remote, low, high)
        else:
            remote = {}
    actions = reconcile(desired, entries, remote, scope)
    stale: list[str] = []
    if remote is not None:
        touched = {a.identity for a in actions}
        stale = [
            identity
            for identity, entry in entries.items()
            if identity not in remote and identity not in touched and scope.contains(entry.date)
        ]
    return Computed(actions, warnings, stale)


def push(
    destination: Destination,
    sessions: list[Session],
    ledger: Ledger,
    scope: Scope,
    dry_run: bool = False,
    on_event: Callable[[Action, str, str | None], None] | None = None,
    on_plan: Callable[[list[Action]], None] | None = None,
    trust_listing: bool = False,
) -> PushReport:
    """Reconcile and (unless `dry_run`) apply. Failures are collected, not raised."""
    computed = compute(destination, sessions, ledger, scope, trust_listing)
    actions = computed.actions
    report = PushReport(
        destination.key, destination.label, actions, dry_run, warnings=computed.warnings
    )
    LOG.info("%s %s: %s", "plan" if dry_run else "push", destination.key, dict(report.counts))
    if on_plan:
        on_plan(actions)
    report = apply_actions(destination, report, ledger, on_event)
    if not dry_run:
        for identity in computed.stale:
            ledger.forget(destination.key, identity)
    return report


def apply_actions(
    destination: Destination,
    report: PushReport,
    ledger: Ledger,
    on_event: Callable[[Action, str, str | None], None] | None = None,
) -> PushReport:
    """Apply a report's writes (unless it is a dry run), recording each success in the ledger.

    Shared by `push` and `progsync clear` (which reconciles an empty plan over a date range).
    """
    writes = [a for a in report.actions if a.op in WRITE_OPS]
    if not report.dry_run and writes:
        recorder = Recorder(ledger, destination.key, on_event)
        destination.apply(writes, recorder)
        report.failed = recorder.failed
    _adopt_unrecorded(report.actions, ledger, destination.key, report.dry_run)
    report.requests = destination.requests_made()
    return report


def _adopt_unrecorded(actions: list[Action], ledger: Ledger, key: str, dry_run: bool) -> None:
    """Unchanged items whose ledger row is missing or disagrees with the listing: rewrite it.

    (A push killed after the service answered but before the row was written leaves a row
    that says "uploaded" for an item the listing shows complete.)
    """
    if dry_run:
        return
    for action in actions:
        if action.op != "unchanged" or not action.remote or not action.desired:
            continue
        entry, found = action.entry, action.remote
        if entry is None or (
            entry.state,
            entry.remote_id,
            entry.schedule_id,
            entry.date,
            entry.fingerprint,
        ) != ("synced", found.remote_id, found.schedule_id, found.date, action.desired.fingerprint):
            session = action.desired.session
            ledger.record(
                Entry(
                    destination=key,
                    identity=action.identity,
                    plan=plan_of(action.identity),
                    date=session.date,
                    name=session.name,
                    remote_id=action.remote.remote_id,
                    schedule_id=action.remote.schedule_id,
                    fingerprint=action.desired.fingerprint,
                )
            )

