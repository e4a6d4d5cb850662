"""`push --adopt-foreign` on Garmin Connect: before the push, take the workouts another tool (or
a person, or the plan an import came from) scheduled on the calendar under progsync's management,
so the push updates them instead of adding a copy beside each.

On Garmin Connect the identity of a workout is the marker at the end of its description
(`[progsync <identity> <date> <fingerprint>]`): the push rebuilds everything from the workout
list and the calendar, the ledger is only a cache (`destination.GarminDestination`). So a
workout is adopted the one way the push will recognise: it is replaced in place (`PUT
/workout-service/workout/{id}`, which keeps its id and its calendar entries: real-services.md)
with the plan's session, marker included, exactly as the push's own update would write it. The
push then finds it converged (same content, one entry on the right date) and writes nothing;
the ledger row is written from the listing (`engine._adopt_unrecorded`).

What is adopted, and nothing else:

- a workout without the marker, scheduled on the date of a session of the plan that no
  workout carries yet, whose name is the session's name (as the importer wrote it);
- only if every entry of that workout in the months read is on a date where the plan has a
  session of that name: the push keeps one calendar entry per workout, so it removes the
  workout's entries on other dates; those are the plan's own sessions, each then given a workout
  of its own. A workout also on a date the plan does not have is left alone (and said so).

Requests: the workout list (one page per 100), one calendar month per month of the sessions,
and per adopted workout one PUT and one read-back (`readback.compare_stored`, when
`[garmin] verify` is on).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from progsync.sync.services.garmin.calendar import GarminAccount, Scheduled, same_name
from progsync.sync.services.garmin.destination import GarminDestination
from progsync.sync.services.garmin.readback import compare_stored
from progsync.workouts.model import Session


def adopt_foreign(destination: GarminDestination, sessions: Sequence[Session]) -> list[str]:
    """Adopt the foreign workouts of the sessions' dates and names; one line per workout
    adopted or left alone, for the user."""
    if not sessions:
        return []
    account = GarminAccount(destination.conn)
    saved = account.library()
    claimed = {s.identity for s in saved if s.identity is not None}
    foreign = {s.workout_id: s for s in saved if s.identity is None}
    wanted = sorted((s for s in sessions if s.identity not in claimed), key=lambda s: s.date)
    if not wanted or not foreign:
        return []
    # Whole months: the push reads whole months and keeps one entry per workout, so an entry on
    # any day of them counts.
    listed = account.calendar(wanted[0].date, wanted[-1].date, whole_months=True)
    entries = [e for e in listed if e.workout_id in foreign]
    by_workout: dict[str, list[Scheduled]] = defaultdict(list)
    for entry in entries:
        by_workout[entry.workout_id].append(entry)
    lines: list[str] = []
    seen: set[str] = set()
    for session in wanted:
        for entry in entries:
            workout_id = entry.workout_id
            if (
                entry.day != session.date
                or workout_id in seen
                or not same_name(foreign[workout_id].name, session.name)
            ):
                continue
            seen.add(workout_id)
            others = [e for e in by_workout[workout_id] if e is not entry]
            stray = sorted(
                {
                    e.day.isoformat()
                    for e in others
                    if not any(w.date == e.day and same_name(w.name, session.name) for w in wanted)
                }
            )
            label = f"Garmin Connect workout {workout_id} '{session.name}'"
            if stray:
                lines.append(
                    f"not adopted: {label} is also on the calendar on {', '.join(stray)}, which "
                    "the plan does not have; the push adds the plan's own beside it on "
                    f"{session.date.isoformat()}"
                )
                continue
            lines.append(f"adopted {label} on {session.date.isoformat()}" + _split(others))
            problems = _replace(destination, workout_id, session)
            if problems:
                lines.append(
                    f"warning: Garmin stored the adopted '{session.name}' "
                    f"({session.date.isoformat()}) differently from what was sent: "
                    + "; ".join(problems[:5])
                )
            break
    return lines


def _split(others: list[Scheduled]) -> str:
    if not others:
        return ""
    days = ", ".join(sorted({e.day.isoformat() for e in others}))
    return f" (it was also on {days}: the push gives those sessions workouts of their own)"


def _replace(destination: GarminDestination, workout_id: str, session: Session) -> list[str]:
    """Replace the workout in place with the session as the push writes it; what Garmin stored
    differently (read back as the push does)."""
    desired = destination.prepare(session)
    what = f"adopting workout {workout_id}"
    reply = destination._call("replace_workout", what, workout_id, desired.payload)
    if not destination.verify:
        return []
    stored = reply if isinstance(reply, dict) and reply.get("workoutSegments") else None
    if stored is None:
        stored = destination._call(
            "get_workout_by_id", f"reading workout {workout_id} back", workout_id
        )
    return compare_stored(desired.payload, stored if isinstance(stored, dict) else {})
