"""Plain functions behind `plan`, `push`, `status` and `clear`: destinations, ledger and lock.

Tests call these directly; the CLI only parses options and renders what they return.

Why this module is long: `plan`, `push`, `status` and `clear` share the resolution of
`--to`, the lock, the ledger, the safety rails and the fidelity table; split apart, each would
import the others' halves.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from progsync.sync.app.loading import Loaded
from progsync.sync.reconcile.engine import apply_actions, push
from progsync.sync.reconcile.ledger import Ledger, destination_lock
from progsync.sync.reconcile.model import (
    Action,
    Destination,
    Fidelity,
    PushReport,
    Scope,
    SessionFidelity,
    plan_of,
)
from progsync.sync.services.registry import Target
from progsync.sync.settings.config import (
    DESTINATIONS,
    Config,
    data_dir,
    state_dir,
    today,
    window_days,
)
from progsync.workouts.errors import InputError, Issue, ProgsyncError
from progsync.workouts.model import Session, member_key, plan_key

LOG = logging.getLogger("progsync.sync")


#: Scheduled workouts a Garmin watch loads ahead (jpickup/GarminTools #26: "only about 30").
GARMIN_WATCH_LIMIT = 30


def outbox() -> Path:
    return data_dir() / "outbox"


def ledger_path() -> Path:
    return data_dir() / "ledger.sqlite3"


def resolve_targets(to: tuple[str, ...] | list[str], config: Config) -> list[Target]:
    specs = list(to)
    if not specs:
        specs = list(config.push.to)
    if not specs:
        return [Target(f"folder:{outbox()}", "folder", outbox(), default=True)]
    out = []
    for spec in specs:
        kind, _, rest = spec.partition(":")
        if kind not in DESTINATIONS:
            from progsync.workouts.errors import did_you_mean

            raise InputError(
                [
                    Issue(
                        f"unknown destination '{spec}'",
                        hint=did_you_mean(kind, DESTINATIONS)
                        or "destinations: intervals, garmin, folder:PATH, ics:FILE",
                    )
                ]
            )
        if kind == "folder":
            path = Path(rest) if rest else Path(config.folder.path) if config.folder.path else outbox()
            out.append(Target(f"folder:{path}", "folder", path))
        elif kind == "ics":
            if not rest:
                raise InputError(
                    [
                        Issue(
                            f"destination '{spec}' names no calendar file",
                            hint="e.g. --to ics:~/calendar/plan.ics",
                        )
                    ]
                )
            out.append(Target(f"ics:{rest}", "ics", Path(rest)))
        else:
            out.append(Target(kind, kind))
    return out


def max_hr_by_plan(loaded: Loaded | None) -> dict[str, int | None]:
    if loaded is None:
        return {}
    return {c.plan.name: c.profile.max_hr for c in loaded.plans}


def build_destination(
    target: Target, config: Config, loaded: Loaded | None, ledger: Ledger | None = None
) -> Destination:
    """Instantiate a destination (network clients are imported only here)."""
    from progsync.sync.services.registry import build_destination as build

    return build(target, config, max_hr_by_plan(loaded), ledger)


@contextmanager
def open_ledger() -> Iterator[Ledger]:
    ledger = Ledger(ledger_path())
    try:
        yield ledger
    finally:
        ledger.close()


@dataclass
class PushOutcome:
    reports: list[PushReport] = field(default_factory=list)
    errors: list[tuple[str, ProgsyncError]] = field(default_factory=list)
    default_destination: bool = False

    @property
    def exit_code(self) -> int:
        if self.errors:
            return max(err.exit_code for _, err in self.errors)
        return 0 if all(r.ok for r in self.reports) else 1

    def as_dict(self) -> dict[str, Any]:
        from progsync.sync.settings.secrets import redact

        return {
            "ok": self.exit_code == 0,
            "exit_code": self.exit_code,
            "destinations": [r.as_dict() for r in self.reports],
            "errors": [
                {
                    "destination": spec,
                    "message": redact(err.message),
                    "hint": err.hint,
                    "exit_code": err.exit_code,
                }
                for spec, err in self.errors
            ],
        }


def run_push(
    loaded: Loaded,
    to: tuple[str, ...] | list[str],
    config: Config,
    *,
    dry_run: bool = False,
    window: str | None = None,
    start: dt.date | None = None,
    until: dt.date | None = None,
    delete_past: bool | None = None,
    on_event: Callable[[Action, str, str | None], None] | None = None,
    on_plan: Callable[[str, list[Action]], None] | None = None,
    max_delete: int | None = None,
    adopt: tuple[str, ...] | list[str] = (),
    trust_listing: bool = False,
    adopt_foreign: bool = False,
) -> PushOutcome:
    """Plan (dry run) or push every session of `loaded` to each destination.

    The safety rails of `guards` run on each destination's actions before its first write: a
    push they refuse changes nothing there and ends with exit code 2; a plan shows them as
    warnings. `max_delete` allows that many deletions; `adopt` takes over other plans' items
    (a renamed plan), which are then replaced by this plan's. `trust_listing` believes a listing
    that lacks every item the ledger holds (`engine.check_listing`). `adopt_foreign` lets a
    session the calendar lacks take over the item of its date and name that another tool (or an
    import's source) put there (`engine.reconcile`), under the same lock and after the same
    rails as every other write, and shown by a dry run.
    """
    targets = resolve_targets(to, config)
    days_ahead = window_days(window) if window is not None else config.push.window
    day = today()
    first = start or day
    last = until
    if days_ahead is not None:
        horizon = day + dt.timedelta(days=days_ahead)
        last = min(last, horizon) if last else horizon
    if delete_past is None:
        delete_past = config.push.delete_past
    sessions: list[Session] = loaded.sessions
    adopted = frozenset(member_key(config.member, plan_key(name)) for name in adopt)
    scope = Scope(
        plans=frozenset(
            {plan_of(s.identity) for s in sessions} | {c.plan.key for c in loaded.plans}
        )
        | adopted,
        start=first,
        end=last,
        delete_past=delete_past,
        today=day,
    )
    outcome = PushOutcome(default_destination=any(t.default for t in targets))
    explicit = frozenset(c.plan.key for c in loaded.plans if c.plan.id)
    with open_ledger() as ledger:
        for target in targets:
            try:
                target_scope = scope
                if target.default and start is None and sessions:
                    # The built-in outbox is a local staging folder, not a calendar: nothing on
                    # it was completed, so it takes the whole plan (past-dated sessions too).
                    target_scope = replace(scope, start=min(first, sessions[0].date))
                destination = build_destination(target, config, loaded, ledger)
                if config.member:
                    destination.label = f"{config.member}: {destination.label}"
                lock = destination_lock(state_dir(), destination.key) if not dry_run else _nolock()
                rails = _Rails(
                    destination, ledger, target_scope, dry_run, max_delete, on_plan, explicit
                )
                with lock:
                    report = push(
                        destination,
                        sessions,
                        ledger,
                        target_scope,
                        dry_run=dry_run,
                        on_event=on_event,
                        on_plan=rails,
                        trust_listing=trust_listing,
                        adopt_foreign=adopt_foreign,
                    )
                    report.warnings.extend(rails.warnings)
                    if dry_run:
                        report.fidelity = fidelity(
                            target,
                            destination,
                            [s for s in sessions if target_scope.contains(s.date)],
                            max_hr_by_plan(loaded),
                        )
                    if not dry_run:
                        destination.remember(ledger)
                        record_explicit_ids(ledger, explicit)
                    report.notes.extend(n for n in destination.notes if n not in report.notes)
                before = sum(1 for s in sessions if s.date < target_scope.start)
                if before:
                    report.notes.append(
                        f"{before} session(s) before {target_scope.start} left alone "
                        "(use --from DATE to include them)"
                    )
                if target.kind == "garmin":
                    ahead = sum(
                        1 for s in sessions if s.date >= day and (last is None or s.date <= last)
                    )
                    if ahead > GARMIN_WATCH_LIMIT:
                        report.warnings.append(
                            f"{ahead} workouts are scheduled from today on; Garmin watches load "
                            f"only about {GARMIN_WATCH_LIMIT} (GarminTools #26), so the last ones "
                            "may not reach the watch: push with --window 28d (progsync cron does)"
                        )
                after = sum(1 for s in sessions if last is not None and s.date > last)
                if after:
                    report.notes.append(f"{after} session(s) after {last} left for a later push")
                outcome.reports.append(report)
            except ProgsyncError as exc:
                outcome.errors.append(member_error(exc, config, target))
    return outcome


def member_error(exc: ProgsyncError, config: Config, target: Target) -> tuple[str, ProgsyncError]:
    """The error of one destination, labelled with the athlete in coach mode (and logged so).

    In coach mode an Intervals.icu 403 means the coach's key may not reach this athlete's id
    (the live service answers 403 for an athlete you do not coach, maintainer,
    forum.intervals.icu thread 609): the hint points at that athlete's roster entry, not at
    `progsync login intervals`, since the key itself works for the rest of the squad.
    """
    from progsync.sync.settings.errors import AuthError

    spec = f"{config.member}: {target.spec}" if config.member else target.spec
    if (
        config.member
        and isinstance(exc, AuthError)
        and target.kind == "intervals"
        and "HTTP 403" in exc.message
    ):
        who = config.member
        athlete_id = config.intervals.athlete_id or "?"
        exc.message = f"{exc.message} for {who} (athlete id {athlete_id})"
        exc.hint = (
            f'check that [athletes.{who}] intervals = "{athlete_id}" is {who}\'s athlete id '
            f"(the Settings page of {who}'s Intervals.icu account) and that {who} has added you "
            "as a coach; if every athlete fails like this, renew your own key with "
            "`progsync login intervals`"
        )
    LOG.error("%s: %s", spec, exc.message)
    return spec, exc


@contextmanager
def _nolock() -> Iterator[None]:
    yield


def fidelity(
    target: Target,
    destination: Destination,
    sessions: list[Session],
    max_hr: dict[str, int | None],
) -> Fidelity:
    """What `destination` keeps of each session, from its encoders' own caveats.

    Intervals.icu gets the workout text, Garmin Connect the workout JSON, a folder the formats
    it writes (FIT by default), and a calendar file text only (one caveat for all sessions, in
    `notes`).
    """
    from progsync.workouts.encode import EXTENSIONS, Caveat, Format, encoder

    formats: list[Format] = []
    notes: list[Caveat] = []
    if target.kind == "intervals":
        formats = ["intervals"]
    elif target.kind == "garmin":
        formats = ["garmin-json"]
    elif target.kind == "folder":
        from progsync.sync.services.folder import FolderDestination

        assert isinstance(destination, FolderDestination)
        formats = list(destination.formats)
    elif target.kind == "ics":
        from progsync.workouts.ics import CALENDAR_CAVEAT

        notes.append(CALENDAR_CAVEAT)
    rows: list[SessionFidelity] = []
    for session in sessions:
        mine: list[Caveat] = []
        for fmt in formats:
            hr = max_hr.get(session.plan) if fmt != "garmin-json" else None
            for found in encoder(fmt)(session, max_hr=hr).caveats:
                if len(formats) > 1:  # a folder of several formats: say which file it concerns
                    found = replace(found, short=f".{EXTENSIONS[fmt]}: {found.short}")
                # A notice said once per push (Intervals.icu's own HR settings) still belongs
                # to the sessions it concerns here.
                if found not in mine:
                    mine.append(found)
        rows.append(SessionFidelity(session, tuple(mine)))
    return Fidelity(tuple(rows), tuple(notes))


#: Ledger meta (destination "") marking a plan key as an explicit `[plan] id`, not a name's slug.
EXPLICIT_ID_META = "plan-id:"


def record_explicit_ids(ledger: Ledger, keys: frozenset[str]) -> None:
    """Remember which pushed plans have explicit ids (the renamed-plan rail trusts them)."""
    for key in sorted(keys):
        if ledger.get_meta("", EXPLICIT_ID_META + key) != "explicit":
            ledger.set_meta("", EXPLICIT_ID_META + key, "explicit")


def explicit_ids(ledger: Ledger, keys: Iterable[str]) -> frozenset[str]:
    """The plan keys among `keys` that an earlier push recorded as explicit ids."""
    return frozenset(k for k in keys if ledger.get_meta("", EXPLICIT_ID_META + k) == "explicit")


class _Rails:
    """Runs the safety rails on a destination's actions between reconcile and the first write.

    `engine.push` calls it with the reconciled actions before it applies any; raising here
    stops the push with nothing written. A dry run collects the refusals as warnings instead.
    """

    def __init__(
        self,
        destination: Destination,
        ledger: Ledger,
        scope: Scope,
        dry_run: bool,
        max_delete: int | None,
        on_plan: Callable[[str, list[Action]], None] | None,
        explicit: frozenset[str] = frozenset(),
    ) -> None:
        self.explicit = explicit
        self.destination = destination
        self.ledger = ledger
        self.scope = scope
        self.dry_run = dry_run
        self.max_delete = max_delete
        self.on_plan = on_plan
        self.warnings: list[str] = []

    def __call__(self, actions: list[Action]) -> None:
        from progsync.sync.reconcile.guards import check_deletes, check_duplicates

        label = self.destination.label
        entries = self.ledger.entries(self.destination.key).values()
        known = self.explicit | explicit_ids(self.ledger, {plan_of(e.identity) for e in entries})
        refusals = [
            r
            for r in (
                check_duplicates(actions, entries, self.scope, label, known),
                check_deletes(actions, label, self.max_delete),
            )
            if r is not None
        ]
        if refusals and not self.dry_run:
            for refusal in refusals:
                LOG.warning("refused: %s", refusal.message)
            raise refusals[0]
        self.warnings.extend(
            f"a push would be refused: {r.message.removesuffix('; nothing was changed')}"
            f" (hint: {r.hint})"
            for r in refusals
        )
        if self.on_plan is not None:
            self.on_plan(label, actions)


@dataclass
class StatusRow:
    identity: str
    date: dt.date
    name: str
    remote_id: str | None
    in_ledger: bool
    on_destination: bool | None
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "identity": self.identity,
            "date": self.date.isoformat(),
            "name": self.name,
            "remote_id": self.remote_id,
            "in_ledger": self.in_ledger,
            "on_destination": self.on_destination,
            "problems": self.problems,
        }


def run_status(
    to: tuple[str, ...] | list[str],
    config: Config,
    days_back: int = 7,
    days_ahead: int = 56,
    errors: list[tuple[str, ProgsyncError]] | None = None,
) -> list[tuple[str, list[StatusRow]]]:
    """What progsync has on each destination, from the ledger and one listing.

    With `errors`, a destination that fails (unreachable, refused) is recorded there, labelled
    (`member_error`), and the others are still listed; without it, the error is raised.
    """
    out = []
    day = today()
    with open_ledger() as ledger:
        targets = resolve_targets(to, config)
        for target in targets:
            try:
                destination = build_destination(target, config, None, ledger)
                if config.member:
                    destination.label = f"{config.member}: {destination.label}"
                entries = ledger.entries(destination.key)
                dates = [e.date for e in entries.values()] + [
                    day - dt.timedelta(days=days_back),
                    day + dt.timedelta(days=days_ahead),
                ]
                remote = (
                    destination.list_remote(min(dates), max(dates)) if destination.can_list else {}
                )
            except ProgsyncError as exc:
                if errors is None:
                    raise
                errors.append(member_error(exc, config, target))
                continue
            rows: dict[str, StatusRow] = {}
            for identity, entry in entries.items():
                rows[identity] = StatusRow(
                    identity,
                    entry.date,
                    entry.name,
                    entry.remote_id,
                    True,
                    identity in remote if destination.can_list else None,
                )
                if entry.state != "synced":
                    rows[identity].problems.append(
                        f"incomplete ({entry.state}); the next push completes it"
                    )
                elif destination.can_list and identity not in remote:
                    rows[identity].problems.append(
                        "removed by hand; the next push puts it back"
                    )
            for identity, item in remote.items():
                row = rows.get(identity) or StatusRow(
                    identity, item.date, item.name, item.remote_id, False, True
                )
                rows[identity] = row
                if item.repair:
                    row.problems.append(f"{item.repair}; the next push repairs it")
                for err in item.details.get("push_errors", []) or []:
                    row.problems.append(
                        f"{err.get('service', 'push')}: {err.get('message', '')}".strip()
                    )
            out.append(
                (destination.label, sorted(rows.values(), key=lambda r: (r.date, r.identity)))
            )
    return out


def run_clear(
    to: tuple[str, ...] | list[str],
    config: Config,
    start: dt.date | None,
    until: dt.date | None,
    dry_run: bool = False,
    on_event: Callable[[Action, str, str | None], None] | None = None,
) -> PushOutcome:
    """Delete progsync's own items in a date range (from today by default), every plan.

    This is the engine with an empty plan: every plan found in the ledger or on the destination
    is in scope, `reconcile` turns each of their items in the range into a delete, and
    `apply_actions` applies them exactly as a push would. (Asking before a clear with no dates
    is the CLI's job; the delete guard does not apply, since deleting is the point.)
    """
    from progsync.sync.reconcile.engine import reconcile

    targets = resolve_targets(to, config)
    day = today()
    first = start or day
    outcome = PushOutcome()
    with open_ledger() as ledger:
        for target in targets:
            try:
                destination = build_destination(target, config, None, ledger)
                if config.member:
                    destination.label = f"{config.member}: {destination.label}"
                with destination_lock(state_dir(), destination.key) if not dry_run else _nolock():
                    entries = ledger.entries(destination.key)
                    high = until or max(
                        [e.date for e in entries.values()] + [first + dt.timedelta(days=365)]
                    )
                    remote = (
                        destination.list_remote(first, max(first, high))
                        if destination.can_list
                        else None
                    )
                    plans = frozenset(plan_of(i) for i in [*entries, *(remote or {})])
                    if config.member:  # one athlete's clear never touches another's items
                        plans = frozenset(p for p in plans if p.startswith(f"{config.member}@"))
                    scope = Scope(plans=plans, start=first, end=until, delete_past=True, today=day)
                    actions = reconcile([], entries, remote, scope)
                    report = PushReport(destination.key, destination.label, actions, dry_run)
                    outcome.reports.append(apply_actions(destination, report, ledger, on_event))
            except ProgsyncError as exc:
                outcome.errors.append(member_error(exc, config, target))
    return outcome
