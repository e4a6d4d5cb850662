"""The sync engine: make a destination's calendar match the plan, safely, every time.

`reconcile` is pure: desired sessions, the ledger and the destination's listing in, a list of
actions out (create / adopt / update / move / delete / unchanged / keep). `push` applies them through a
destination, which records each success in the ledger the moment it happens.

Scope rules, so nothing foreign is touched: only items carrying progsync's marker are ever
updated or deleted, only those of the plans being pushed, only inside the date range, and never
on past dates unless asked. The one exception is asked for by name: `push --adopt-foreign` takes
over an item of another's with a session's date and name (`reconcile`'s `foreign`).

The ledger is a cache; the destination's listing is the truth. Whenever a destination can be
listed, what it shows decides: an item the listing lacks is created again, an item whose remote
state is off (`Remote.repair`: a second copy, a missing or doubled calendar entry) is repaired,
ledger rows are brought in line with the listing, and rows of items that are gone are dropped.
A listing that contradicts the ledger wholesale (empty while the ledger holds several items in
the range) is not believed: the push stops before any write (`UntrustedListing`, exit 5).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from progsync.sync.reconcile.ledger import Entry, Ledger
from progsync.sync.reconcile.model import (
    LOG,
    WRITE_OPS,
    Action,
    Adopting,
    Desired,
    Destination,
    Foreign,
    Op,
    PushReport,
    Recorder,
    Remote,
    Scope,
    plan_of,
    same_name,
)
from progsync.sync.settings.errors import UntrustedListing
from progsync.workouts.model import Session


def reconcile(
    desired: Iterable[Desired],
    entries: dict[str, Entry],
    remote: dict[str, Remote] | None,
    scope: Scope,
    foreign: Iterable[Foreign] = (),
    pending: Mapping[str, str] | None = None,
    adopt_all: bool = False,
) -> list[Action]:
    """Compare the plan with what was pushed before and what the destination holds now.

    `remote` is None when the destination cannot be listed; then the ledger alone decides.
    `foreign` are items progsync did not make: with `adopt_all` (`push --adopt-foreign`) a
    session the destination lacks takes over the one of its date and name (`adopt`) instead of
    being created beside it; without it, only the one `pending` names for it (an adoption an
    interrupted push had begun: identity -> foreign id). Each foreign item is taken at most
    once, never one dated before today unless past dates may be changed (it may be tied to a
    completed activity), and nothing else of them is ever touched.
    """
    actions: list[Action] = []
    pending = pending or {}
    unclaimed = [
        f
        for f in (foreign if remote is not None else ())
        if f.date >= scope.today or scope.delete_past
    ]
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
            other = next(
                (
                    f
                    for f in unclaimed
                    if f.date == session.date
                    and (
                        f.remote_id == pending[identity]
                        if identity in pending
                        else adopt_all and same_name(f.name, session.name)
                    )
                ),
                None,
            )
            if other is not None:
                unclaimed.remove(other)
                actions.append(
                    Action(
                        "adopt",
                        identity,
                        session.date,
                        session.name,
                        item,
                        entry,
                        None,
                        reason=f"takes over {other.what}",
                        adopts=other,
                    )
                )
                continue
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


@dataclass(frozen=True)
class Computed:
    actions: list[Action]
    warnings: list[str]
    #: Ledger rows (identities) of items the listing shows are gone and the plan no longer has.
    stale: list[str] = field(default_factory=list)


#: The ledger's meta key of an adoption under way (`push`), followed by the session's identity.
ADOPTING = "adopting:"

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
    adopt_foreign: bool = False,
    pending: Mapping[str, str] | None = None,
) -> Computed:
    """Prepare payloads, list the destination once for the affected range, and reconcile
    (with the foreign items of that range, when adopting them or finishing adoptions an
    interrupted push began: `pending`)."""
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
    foreign: list[Foreign] = []
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
            if (adopt_foreign or pending) and isinstance(destination, Adopting):
                foreign = destination.list_foreign(low, high)
        else:
            remote = {}
    actions = reconcile(desired, entries, remote, scope, foreign, pending, adopt_foreign)
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
    adopt_foreign: bool = False,
) -> PushReport:
    """Reconcile and (unless `dry_run`) apply. Failures are collected, not raised.

    An adoption is written down in the ledger before it is applied and struck off once it is
    done (or no longer needed): a push killed in the middle leaves it there, and the next push,
    with or without `--adopt-foreign`, finishes it instead of creating the session beside the
    foreign item."""
    pending = ledger.meta_with_prefix(destination.key, ADOPTING)
    computed = compute(
        destination, sessions, ledger, scope, trust_listing, adopt_foreign, pending
    )
    actions = computed.actions
    report = PushReport(
        destination.key, destination.label, actions, dry_run, warnings=computed.warnings
    )
    LOG.info("%s %s: %s", "plan" if dry_run else "push", destination.key, dict(report.counts))
    if on_plan:
        on_plan(actions)
    adopting = {a.identity: a.adopts.remote_id for a in actions if a.adopts is not None}
    if not dry_run:
        for identity, remote_id in adopting.items():
            ledger.set_meta(destination.key, ADOPTING + identity, remote_id)
    report = apply_actions(destination, report, ledger, on_event)
    if not dry_run:
        for identity in computed.stale:
            ledger.forget(destination.key, identity)
        # Struck off once this push settled the session (adopted, created, found there), not
        # while the session is outside its dates or the adoption failed.
        settled = {a.identity for a in actions} - {a.identity for a, _ in report.failed}
        for identity in (set(pending) | set(adopting)) & settled:
            ledger.drop_meta(destination.key, ADOPTING + identity)
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
