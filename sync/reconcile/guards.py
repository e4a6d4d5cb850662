"""Safety rails applied to a reconciled push before anything is written, on every destination.

`reconcile` says what would make a calendar match the plan file; these rules catch the cases where
the plan file, not the calendar, is what went wrong:

- **Mass deletion.** A plan cut down to its header (an editor crash, a bad merge, a sync
  conflict) reconciles to "delete everything". Like rsync's `--max-delete`, a push that would
  delete every remaining item of a plan, or more than half of them (and at least 3), is refused
  unless `--max-delete N` allows that many. A delete matched by a create of the same name on the
  same date is a replacement (new ids, an adopted plan), not a loss, and is not counted.
- **A renamed plan.** Identities begin with the plan's id (or its name's slug): renaming a plan
  without an `id` makes every session new. When the creates of a push land on dates that already
  hold the same sessions of another plan (by the ledger), the push is refused and names the other
  plan and the one-command adoption (`--adopt OTHER`), instead of writing a second copy. Two
  plans that both have an explicit `[plan] id` are never taken for a rename of each other: a
  rename keeps an explicit id, so distinct ids are distinct plans (`explicit` names the plan
  keys known to be explicit ids: this push's, and those the ledger recorded at earlier pushes).

Both are pure functions of the actions (and ledger entries), so `plan` can show them as warnings
and `push` can refuse before the first remote write.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from progsync.sync.reconcile.ledger import Entry
from progsync.sync.reconcile.model import Action, Scope, plan_of
from progsync.workouts.errors import ProgsyncError

SHOWN = 8  # sessions listed in a refusal; the rest are counted


class Refused(ProgsyncError):
    """A safety rail stopped a push before any write: exit code 2 (the input needs a look)."""

    exit_code = 2


def _listing(actions: list[Action]) -> str:
    shown = ", ".join(f"{a.date} {a.name}" for a in actions[:SHOWN])
    more = len(actions) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def check_deletes(actions: list[Action], label: str, max_delete: int | None) -> Refused | None:
    """The mass-deletion rule (see the module docstring); None when the push may go ahead."""
    creates = {(a.date, a.name) for a in actions if a.op in ("create", "adopt")}
    losses = [a for a in actions if a.op == "delete" and (a.date, a.name) not in creates]
    if not losses:
        return None
    total = len(losses)
    if max_delete is not None:
        if total <= max_delete:
            return None
        why = f"would delete {total} session(s), more than --max-delete {max_delete} allows"
    else:
        lost = {a.identity for a in losses}
        remaining: Counter[str] = Counter()
        for action in actions:
            if action.op in ("update", "move", "unchanged") or action.identity in lost:
                remaining[plan_of(action.identity)] += 1
        deleted = Counter(plan_of(a.identity) for a in losses)
        flagged = [
            (plan, count, remaining[plan])
            for plan, count in sorted(deleted.items())
            if count == remaining[plan] or (2 * count > remaining[plan] and count >= 3)
        ]
        if not flagged:
            return None
        why = "; ".join(
            f"would delete {'all' if count == of else count} of the {of} remaining session(s) "
            f"of plan '{plan}'"
            for plan, count, of in flagged
        )
    return Refused(
        f"{label}: {why} ({_listing(losses)}); nothing was changed",
        "if the plan file is right (not emptied or cut short by an editor, merge or sync), "
        f"allow it with --max-delete {total}",
    )


def check_duplicates(
    actions: list[Action],
    entries: Iterable[Entry],
    scope: Scope,
    label: str,
    explicit: frozenset[str] = frozenset(),
) -> Refused | None:
    """The renamed-plan rule: this push's sessions copy another plan's on the same dates.

    Plans whose keys are all in `explicit` (explicit `[plan] id`s) are never each other's rename.
    """
    # Every session this push keeps on the calendar, not only the new ones: a push killed
    # between an adoption's creates and its deletes must not leave both copies for good.
    creates = [a for a in actions if a.desired is not None]
    if not any(a.op == "create" for a in creates):
        return None
    others: dict[str, set[tuple[object, str]]] = defaultdict(set)
    for entry in entries:
        plan = plan_of(entry.identity)
        if plan in scope.plans or not scope.contains(entry.date) or entry.date < scope.today:
            continue
        others[plan].add((entry.date, entry.name))
    for plan, held in sorted(others.items()):
        copies = [a for a in creates if (a.date, a.name) in held]
        if plan in explicit:
            copies = [a for a in copies if plan_of(a.identity) not in explicit]
        if copies and (len(copies) >= 2 or len(copies) == len(held)) and 2 * len(copies) >= len(
            held
        ):
            mine = ", ".join(sorted(scope.plans)) or "this plan"
            if {plan_of(a.identity) for a in copies} <= explicit:
                # This plan has its own id already; 'plan' was pushed without one, or before
                # progsync recorded ids (an older ledger).
                never_again = (
                    f"; if '{plan}' is a separate plan with an `id` of its own, push it once "
                    "more (progsync then records its id) and push this plan again"
                )
            else:
                never_again = (
                    " (add `id = \"...\"` under [plan] so a rename never does this again)"
                )
            return Refused(
                f"{label}: {len(copies)} session(s) of this push ({_listing(copies)}) are also "
                f"there from plan '{plan}'; pushing would make a second copy (was '{plan}' "
                f"renamed to '{mine}'?); nothing was changed",
                f"to take over plan '{plan}'s workouts, run the same push with --adopt {plan}"
                f"{never_again}; if the two plans are really separate, give their sessions "
                "different names",
            )
    return None
