"""The engine's decisions and the safety rails as plain functions: table-driven, no server.

`reconcile` takes the plan (as `Desired` payloads), the ledger and what the destination lists,
and says what to do; `check_deletes` and `check_duplicates` refuse pushes that would lose or
double a plan. The fake-server suites (test_sync_*, test_*_converge) reach the same code through
the real clients; these tables pin each decision down on its own.
"""

from __future__ import annotations

import datetime as dt

import pytest

from progsync.sync.reconcile.engine import reconcile
from progsync.sync.reconcile.guards import check_deletes, check_duplicates
from progsync.sync.reconcile.ledger import Entry
from progsync.sync.reconcile.model import Action, Desired, Foreign, Remote, Scope
from progsync.workouts.model import Session

TODAY = dt.date(2026, 11, 22)
DAY = dt.date(2026, 11, 24)


def session(identity: str = "block/tempo", day: dt.date = DAY, name: str = "Tempo") -> Session:
    plan, _, _ = identity.partition("/")
    return Session(plan=plan, date=day, name=name, steps=(), estimated_duration_s=3600.0,
                   estimated_distance_m=10000.0, id=identity.partition("/")[2])


def desired(identity: str = "block/tempo", day: dt.date = DAY, fp: str = "new", name: str = "Tempo") -> Desired:
    item = Desired(session(identity, day, name), {"name": name}, fp)
    assert item.identity == identity, "the test's sessions carry the identity they are filed under"
    return item


def entry(identity: str = "block/tempo", day: dt.date = DAY, fp: str | None = "new", state: str = "synced", name: str = "Tempo") -> Entry:
    return Entry("intervals:i1", identity, identity.split("/")[0], day, name, "7", None, fp, state)


def remote(identity: str = "block/tempo", day: dt.date = DAY, fp: str | None = "new", repair: str = "") -> Remote:
    return Remote(identity, "7", day, "Tempo", fp, repair=repair)


SCOPE = Scope(frozenset({"block"}), start=TODAY, today=TODAY)

CASES = [
    # (what, plan, ledger, listing (None: cannot be listed), expected (op, reason))
    ("new session", [desired()], [], [], ("create", "")),
    ("pushed and unchanged", [desired()], [entry()], [remote()], ("unchanged", "")),
    ("ledger lost, listing has it", [desired()], [], [remote()], ("unchanged", "")),
    ("deleted by hand", [desired()], [entry()], [], ("create", "removed from the destination since the last push")),
    ("plan edited", [desired(fp="v2")], [entry(fp="new")], [remote(fp="new")], ("update", "")),
    ("edited by hand", [desired()], [entry()], [remote(fp="theirs")],
     ("update", "changed on the destination since the last push; put back to the plan")),
    ("moved in the plan", [desired(day=DAY + dt.timedelta(days=2))], [entry()], [remote()], ("move", "")),
    ("moved by hand", [desired()], [entry()], [remote(day=DAY + dt.timedelta(days=1))], ("move", "")),
    ("a copy on the calendar", [desired()], [entry()], [remote(repair="1 extra copy")], ("update", "1 extra copy")),
    ("last read-back differed", [desired()], [entry(state="mismatch")], [remote()], ("update", "the last read-back differed")),
    ("resume without a listing", [desired()], [entry(state="uploaded")], None, ("create", "resuming an interrupted push")),
    ("no listing, in the ledger", [desired()], [entry()], None, ("unchanged", "")),
    ("removed from the plan", [], [entry()], [remote()], ("delete", "")),
    ("removed from the plan, past", [], [entry(day=TODAY - dt.timedelta(days=1))], [remote(day=TODAY - dt.timedelta(days=1))], None),
    ("removed from the plan and by hand", [], [entry()], [], None),
    ("another plan's item", [], [entry("other/x")], [remote("other/x")], None),
]


@pytest.mark.parametrize(("plan", "ledger", "listing", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_reconcile_decides(plan: list[Desired], ledger: list[Entry], listing: list[Remote] | None,
                           expected: tuple[str, str] | None) -> None:
    actions = reconcile(
        plan,
        {e.identity: e for e in ledger},
        None if listing is None else {r.identity: r for r in listing},
        SCOPE,
    )
    acted = [(a.op, a.reason) for a in actions if a.op != "keep"]
    assert acted == ([] if expected is None else [expected])


def test_a_create_never_carries_a_listed_id_from_the_ledger() -> None:
    """The ledger's id of an event deleted by hand is stale: a create has no listed item."""
    [action] = reconcile([desired()], {"block/tempo": entry()}, {}, SCOPE)
    assert action.op == "create" and action.remote is None


def test_past_items_are_kept_and_deleted_only_when_asked() -> None:
    past = TODAY - dt.timedelta(days=2)
    args: tuple[list[Desired], dict[str, Entry], dict[str, Remote]] = (
        [], {"block/x": entry("block/x", past)}, {"block/x": remote("block/x", past)}
    )
    scope = Scope(frozenset({"block"}), start=past, today=TODAY)
    assert [a.op for a in reconcile(*args, scope)] == ["keep"]
    scope = Scope(frozenset({"block"}), start=past, today=TODAY, delete_past=True)
    assert [a.op for a in reconcile(*args, scope)] == ["delete"]


def deletes(n: int, plan: str = "block") -> list[Action]:
    return [Action("delete", f"{plan}/{i}", DAY, f"Run {i}") for i in range(n)]


@pytest.mark.parametrize(
    ("actions", "max_delete", "refused"),
    [
        ([*deletes(1), Action("unchanged", "block/k", DAY, "Kept")], None, False),
        (deletes(1), None, True),  # every remaining item of the plan
        ([*deletes(3), Action("unchanged", "block/k", DAY, "Kept")], None, True),  # most of it
        ([*deletes(1), *(Action("unchanged", f"block/k{i}", DAY, "Kept") for i in range(3))], None, False),
        (deletes(5), 5, False),  # allowed with --max-delete
        (deletes(5), 4, True),
    ],
    ids=["one-of-two", "the-last-one", "most", "few", "allowed", "over-the-allowance"],
)
def test_check_deletes(actions: list[Action], max_delete: int | None, refused: bool) -> None:
    assert (check_deletes(actions, "Intervals.icu", max_delete) is not None) == refused


def test_a_delete_replaced_by_a_create_of_the_same_name_and_day_is_not_a_loss() -> None:
    replaced = [*deletes(3), *(Action("create", f"new/{i}", DAY, f"Run {i}", desired(f"new/{i}", name=f"Run {i}")) for i in range(3))]
    assert check_deletes(replaced, "x", None) is None


def creates(plan: str, names: list[str]) -> list[Action]:
    return [Action("create", f"{plan}/{n}", DAY, n, desired(f"{plan}/{n}", name=n)) for n in names]


@pytest.mark.parametrize(
    ("actions", "ledger", "explicit", "refused"),
    [
        (creates("renamed", ["A", "B"]), [entry("old/a", name="A"), entry("old/b", name="B")], frozenset(), True),
        (creates("renamed", ["A", "B"]), [entry("old/a", name="A"), entry("old/b", name="B")],
         frozenset({"renamed", "old"}), False),  # two plans with their own ids
        (creates("renamed", ["A"]), [entry("old/a", name="A"), entry("old/b", name="B"), entry("old/c", name="C")],
         frozenset(), False),  # one same-named session among three is a coincidence
        (creates("renamed", ["A", "B"]), [entry("renamed/a", name="A")], frozenset(), False),  # its own plan
    ],
    ids=["renamed", "distinct-ids", "coincidence", "own-plan"],
)
def test_check_duplicates(actions: list[Action], ledger: list[Entry], explicit: frozenset[str], refused: bool) -> None:
    scope = Scope(frozenset({"renamed"}), start=TODAY, today=TODAY)
    assert (check_duplicates(actions, ledger, scope, "x", explicit) is not None) == refused


def other(day: dt.date = DAY, name: str = "Tempo", remote_id: str = "f1") -> Foreign:
    return Foreign(remote_id, day, name, f"item {remote_id}")


@pytest.mark.parametrize(
    ("foreign", "pending", "adopt_all", "expected"),
    [
        ([other()], {}, True, ("adopt", "f1")),
        ([other(name="  tempo ")], {}, True, ("adopt", "f1")),  # case and spacing aside
        ([other()], {}, False, ("create", None)),  # without the flag: only what is pending
        ([other(), other(remote_id="f2")], {"block/tempo": "f2"}, False, ("adopt", "f2")),  # an adoption begun
        ([other(name="Intervals")], {}, True, ("create", None)),  # another name
        ([other(day=DAY + dt.timedelta(days=1))], {}, True, ("create", None)),  # another date
        ([other(day=TODAY - dt.timedelta(days=1))], {}, True, ("create", None)),  # in the past
    ],
)
def test_reconcile_adopts(foreign: list[Foreign], pending: dict[str, str], adopt_all: bool, expected: tuple[str, str | None]) -> None:
    past = foreign[0].date < TODAY
    plan = [desired(day=foreign[0].date if past else DAY)]
    scope = Scope(frozenset({"block"}), start=TODAY - dt.timedelta(days=7), today=TODAY)
    [action] = reconcile(plan, {}, {}, scope, foreign, pending, adopt_all)
    assert (action.op, action.adopts.remote_id if action.adopts else None) == expected


def test_each_foreign_item_is_adopted_once_and_never_without_a_listing() -> None:
    two = [desired("block/a", name="Easy"), desired("block/b", name="Easy")]
    actions = reconcile(two, {}, {}, SCOPE, [other(name="Easy")], {}, True)
    assert sorted(a.op for a in actions) == ["adopt", "create"]
    assert [a.op for a in reconcile([desired()], {}, None, SCOPE, [other()], {}, True)] == ["create"]
