"""`progsync import`: workouts from files (FIT, Garmin Connect JSON, Intervals.icu, Zwift) into a
plan in the workout language.

The use case only: read each file, pick its reader by extension and content
(`progsync.workouts.import_*`), write the sessions with `toml_out`, and say what the language
could not express (each such thing is also kept as a note in the plan). The athlete profile (the
config's `[athlete]`, or `--plan`'s) names paces and resolves % of FTP / max HR.

Also from a service (docs/import.md):

- `import --from intervals|garmin --from-date D --until D` (`import_calendar`): the workouts
  planned on the calendar in that range, as a plan with their dates. Intervals.icu: the WORKOUT
  events of the range through the destination's own client (one request). Garmin Connect: one
  calendar month listing per month of the range, then one `workout-service/workout/{id}` per
  distinct workout (`services.garmin.calendar`).
- `import --from intervals|garmin --library` (`import_library`): the saved workouts, which have no
  date, as `[workout.KEY]` tables (the language's reusable workouts) a session can name.
  Intervals.icu: one `GET /workouts`; Garmin Connect: the workout list, then each workout that
  progsync did not make.
`push --adopt-foreign` then takes what was imported over instead of adding copies: that is the
push's own business (an `adopt` action of `reconcile.engine`, applied by each destination).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from progsync.sync.settings.config import Config
from progsync.workouts.errors import ProgsyncError
from progsync.workouts.import_common import Imported, ImportFormatError
from progsync.workouts.profile import Profile
from progsync.workouts.units import Units

#: How each service is named to the user.
LABELS = {"intervals": "Intervals.icu", "garmin": "Garmin Connect"}


@dataclass(frozen=True)
class ImportResult:
    text: str
    sessions: int
    lost: tuple[str, ...]


def read_workouts(path: Path, profile: Profile, units: Units) -> list[Imported]:
    """Every workout of one file, by the file's extension and content."""
    from progsync.workouts.import_fit import read_fit_workout
    from progsync.workouts.import_garmin import read_garmin_workout
    from progsync.workouts.import_intervals import read_intervals_event, read_intervals_text
    from progsync.workouts.import_zwo import read_zwo

    name = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFormatError(f"{name}: cannot read it ({exc.strerror or exc})") from None
    suffix = path.suffix.lower()
    if suffix == ".fit" or data[8:12] == b".FIT":
        return [read_fit_workout(data, profile, units=units, source=name)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFormatError(
            f"{name}: not a text file, nor a FIT file",
            hint="import reads .fit, .zwo, Garmin Connect .json and Intervals.icu text or .json",
        ) from None
    if suffix == ".zwo" or text.lstrip().startswith("<"):
        return [read_zwo(text, profile, units=units, source=name)]
    if suffix == ".json" or text.lstrip()[:1] in "[{":
        try:
            doc: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(
                f"{name}:{exc.lineno}:{exc.colno}: not valid JSON ({exc.msg})"
            ) from None
        items = doc if isinstance(doc, list) else [doc]
        out = []
        for item in items:
            garmin = isinstance(item, dict) and ("workoutSegments" in item or "workout" in item)
            if garmin:
                out.append(read_garmin_workout(item, profile, units=units, source=name))
            else:
                out.append(read_intervals_event(item, profile, units=units, source=name))
        return out
    title = path.stem.replace("_", " ").replace("-", " ").strip() or "Intervals.icu workout"
    return [read_intervals_text(text, profile, name=title, units=units, source=name)]


def import_files(
    config: Config,
    files: tuple[str, ...],
    *,
    plan_file: str | None = None,
    name: str | None = None,
) -> ImportResult:
    """The plan text for the workouts in `files`, and what could not be expressed."""
    from progsync.sync.app.plans import athlete_profile
    from progsync.workouts.toml_out import plan_toml

    profile, units, _ = athlete_profile(config, plan_file)
    imported: list[Imported] = []
    for file in files:
        imported.extend(read_workouts(Path(file), profile, units))
    if not imported:
        raise ProgsyncError("no workouts to import", hint="give .fit, .zwo, .json or .txt files")
    from progsync.workouts.import_common import UNDATED

    dated = all(i.session.date != UNDATED for i in imported)
    sessions = [i.session for i in imported]
    if dated:
        sessions.sort(key=lambda s: s.date)
    written = plan_toml(
        name or "Imported workouts",
        sessions,
        profile,
        units=units,
        dated=dated,
        header="Imported by `progsync import` from: " + ", ".join(Path(f).name for f in files),
    )
    lost = [f"{i.session.name}: {item}" for i in imported for item in i.lost] + written.lost
    return ImportResult(written.text, len(sessions), tuple(dict.fromkeys(lost)))


def import_calendar(
    config: Config,
    service: str,
    start: dt.date,
    until: dt.date,
    *,
    plan_file: str | None = None,
    name: str | None = None,
) -> ImportResult:
    """The planned workouts on a calendar from `start` to `until`, as a dated plan."""
    from progsync.sync.app.plans import athlete_profile
    from progsync.workouts.toml_out import plan_toml

    if until < start:
        raise ProgsyncError(
            f"--until {until.isoformat()} is before --from-date {start.isoformat()}",
            hint="give the first date with --from-date and the last with --until",
        )
    label = _label(service)
    profile, units, _ = athlete_profile(config, plan_file)
    if service == "garmin":
        imported, skipped = _garmin_calendar(config, start, until, profile, units)
    else:
        imported, skipped = _intervals_calendar(config, start, until, profile, units)
    if not imported:
        raise ProgsyncError(
            f"no workouts on the {label} calendar from {start.isoformat()} to {until.isoformat()}",
            hint="; ".join(skipped) or None,
        )
    sessions = sorted((i.session for i in imported), key=lambda s: s.date)
    # A name of its own per range: two imports of different weeks are two plans, so pushing
    # the second never takes the first one's sessions for removed ones (its plan key differs).
    written = plan_toml(
        name or f"{label} {start.isoformat()} to {until.isoformat()}",
        sessions,
        profile,
        units=units,
        header=f"Imported by `progsync import --from {service}` ({start} to {until})",
    )
    lost = [f"{i.session.name}: {item}" for i in imported for item in i.lost]
    lost += written.lost + skipped
    return ImportResult(written.text, len(sessions), tuple(dict.fromkeys(lost)))


def _label(service: str) -> str:
    if service not in LABELS:
        raise ProgsyncError(
            f"cannot import from {service}", hint="--from " + " or --from ".join(LABELS)
        )
    return LABELS[service]


def _intervals_calendar(
    config: Config, start: dt.date, until: dt.date, profile: Profile, units: Units
) -> tuple[list[Imported], list[str]]:
    from progsync.sync.services.intervals_client import client_for
    from progsync.workouts.import_intervals import read_intervals_event

    imported: list[Imported] = []
    skipped: list[str] = []
    for event in client_for(config).list_events(start, until):
        fields = event.fields()
        if not str(fields.get("description") or "").strip():
            skipped.append(f"event {event.key} '{event.name or ''}' on {event.day}: no workout text")
            continue
        imported.append(
            read_intervals_event(
                fields, profile, units=units, source=f"Intervals.icu event {event.key}"
            )
        )
    return imported, skipped


def _garmin_calendar(
    config: Config, start: dt.date, until: dt.date, profile: Profile, units: Units
) -> tuple[list[Imported], list[str]]:
    """Each workout scheduled in the range, on its date (a workout scheduled twice is two
    sessions, read once)."""
    from progsync.sync.services.garmin.calendar import open_account
    from progsync.sync.services.garmin.client import MARKER
    from progsync.sync.services.replies import GarminWorkoutDetail
    from progsync.workouts.import_garmin import read_garmin_workout

    account = open_account(config)
    imported: list[Imported] = []
    skipped: list[str] = []
    details: dict[str, GarminWorkoutDetail | None] = {}
    for entry in account.calendar(start, until):
        if entry.workout_id not in details:
            details[entry.workout_id] = account.workout(entry.workout_id)
        detail = details[entry.workout_id]
        where = f"'{entry.title}' on {entry.day}"
        if detail is None:
            skipped.append(f"{where}: workout {entry.workout_id} no longer exists (left out)")
            continue
        try:
            one = read_garmin_workout(
                detail.document(),
                profile,
                units=units,
                source=f"Garmin Connect workout {entry.workout_id}",
            )
        except ImportFormatError as exc:
            skipped.append(f"{where}: {exc.message} (left out)")
            continue
        imported.append(Imported(replace(one.session, date=entry.day), one.lost))
        if MARKER.search(detail.description or ""):
            skipped.append(
                f"{where} is progsync's own (pushed from a plan): pushing this plan as well adds "
                "a second copy; import the range of another plan's workouts only to replace it"
            )
    return imported, skipped + account.conn.notes


def import_library(
    config: Config, service: str, *, plan_file: str | None = None, name: str | None = None
) -> ImportResult:
    """The saved workouts of a service (not the calendar), as a plan of `[workout.KEY]` tables
    without dates (`toml_out.library_toml`)."""
    from progsync.sync.app.plans import athlete_profile
    from progsync.workouts.toml_out import library_toml

    label = _label(service)
    profile, units, _ = athlete_profile(config, plan_file)
    if service == "garmin":
        imported, skipped = _garmin_library(config, profile, units)
    else:
        imported, skipped = _intervals_library(config, profile, units)
    if not imported:
        raise ProgsyncError(
            f"no saved workouts to import from {label}", hint="; ".join(skipped) or None
        )
    sessions = [i.session for i in imported]
    written = library_toml(
        name or f"{label} workouts",
        sessions,
        profile,
        units=units,
        header=f"Imported by `progsync import --from {service} --library`",
    )
    lost = [f"{i.session.name}: {item}" for i in imported for item in i.lost]
    lost += written.lost + skipped
    return ImportResult(written.text, len(sessions), tuple(dict.fromkeys(lost)))


def _garmin_library(
    config: Config, profile: Profile, units: Units
) -> tuple[list[Imported], list[str]]:
    """Every saved workout progsync did not make (those carry its marker: they are the sessions
    of pushed plans, which are in their plan files already)."""
    from progsync.sync.services.garmin.calendar import open_account
    from progsync.workouts.import_garmin import read_garmin_workout

    account = open_account(config)
    imported: list[Imported] = []
    skipped: list[str] = []
    saved = account.library()
    own = sum(1 for s in saved if s.identity is not None)
    for workout in (s for s in saved if s.identity is None):
        detail = account.workout(workout.workout_id)
        if detail is None:
            continue  # deleted since the listing
        try:
            imported.append(
                read_garmin_workout(
                    detail.document(),
                    profile,
                    units=units,
                    source=f"Garmin Connect workout {workout.workout_id}",
                )
            )
        except ImportFormatError as exc:
            skipped.append(f"'{workout.name}': {exc.message} (left out)")
    if own:
        skipped.append(
            f"{own} workout(s) pushed by progsync left out (they are sessions of your plans)"
        )
    return imported, skipped + account.conn.notes


def _intervals_library(
    config: Config, profile: Profile, units: Units
) -> tuple[list[Imported], list[str]]:
    from progsync.sync.services.intervals_client import client_for
    from progsync.workouts.import_intervals import read_intervals_event

    imported: list[Imported] = []
    skipped: list[str] = []
    for workout in client_for(config).list_workouts():
        if not (workout.description or "").strip():
            skipped.append(f"workout {workout.id} '{workout.name or ''}': no workout text (left out)")
            continue
        imported.append(
            read_intervals_event(
                workout.fields(), profile, units=units, source=f"Intervals.icu workout {workout.id}"
            )
        )
    return imported, skipped
