"""The engine's vocabulary: what a destination receives (`Desired`), what it shows (`Remote`),
what is to be done (`Action`, within a `Scope`), the `Destination` protocol every service
implements, the `Recorder` it reports each success or failure to (which writes the ledger at
once), and the `PushReport` a push ends with. Plain frozen values and one protocol, so that the
engine, the guards, the destinations and the views share one shape per concept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from progsync.sync.reconcile.ledger import Entry, Ledger
from progsync.workouts.encode import Caveat
from progsync.workouts.model import Session

LOG = logging.getLogger("progsync.sync")
Op = Literal["create", "adopt", "update", "move", "delete", "unchanged", "keep"]
WRITE_OPS = ("create", "adopt", "update", "move", "delete")


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
class Foreign:
    """An item on a calendar that progsync did not make (it has no marker): what
    `push --adopt-foreign` may take over for the session of the same date and name, instead of
    adding the session beside it. `remote_id` is what adoption acts on (an Intervals.icu event;
    a Garmin Connect calendar entry), `what` names it for the user."""

    remote_id: str
    date: dt.date
    name: str
    what: str


def same_name(a: str, b: str) -> bool:
    """Two names as a person reads them: case and runs of spaces aside."""
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


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
    #: The foreign item an `adopt` takes over (it is then the session's, as a create would be).
    adopts: Foreign | None = None

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
            "adopts": self.adopts.what if self.adopts else None,
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


@runtime_checkable
class Adopting(Protocol):
    """A destination whose calendar may hold items of other tools (or of a person) that
    `push --adopt-foreign` can take over: the services, not a folder or a calendar file."""

    def list_foreign(self, start: dt.date, end: dt.date) -> list[Foreign]:
        """The items without progsync's marker from `start` to `end` (from the listing
        `list_remote` made, when it covered those dates: no extra request)."""
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
            f"{counts[op]} {op}"
            for op in ("create", "adopt", "update", "move", "delete")
            if counts[op]
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
                for op in ("create", "adopt", "update", "move", "delete", "unchanged", "keep")
            },
            "actions": [{**a.as_dict(), "error": failed.get(a.identity)} for a in self.actions],
            "warnings": self.warnings,
            "notes": self.notes,
            "requests": dict(self.requests),
            "fidelity": self.fidelity.as_dict() if self.fidelity is not None else None,
        }
