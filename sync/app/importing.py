"""`progsync import`: workouts from files (FIT, Garmin Connect JSON, Intervals.icu, Zwift) into a
plan in the workout language.

The use case only: read each file, pick its reader by extension and content
(`progsync.workouts.import_*`), write the sessions with `toml_out`, and say what the language
could not express (each such thing is also kept as a note in the plan). The athlete profile (the
config's `[athlete]`, or `--plan`'s) names paces and resolves % of FTP / max HR.

Also `import --from intervals` (the WORKOUT events of a date range, through the destination's
own client) and `push --adopt-foreign` (`adopt_foreign`: before a push, give the unmanaged event
of the same date and name progsync's `external_id`, so the push updates it instead of adding a
copy). Garmin Connect's calendar is not read yet.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from progsync.sync.settings.config import Config
from progsync.workouts.errors import ProgsyncError
from progsync.workouts.import_common import Imported, ImportFormatError
from progsync.workouts.profile import Profile
from progsync.workouts.units import Units


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
    from progsync.sync.services.intervals import client_for
    from progsync.workouts.import_intervals import read_intervals_event
    from progsync.workouts.toml_out import plan_toml

    if service != "intervals":
        raise ProgsyncError(
            f"importing a {service} calendar is not built yet",
            hint="import Garmin Connect workouts from their JSON (workout-service/workout/ID): "
            "progsync import FILE.json",
        )
    if until < start:
        raise ProgsyncError(
            f"--until {until.isoformat()} is before --from-date {start.isoformat()}"
        )
    profile, units, _ = athlete_profile(config, plan_file)
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
    if not imported:
        raise ProgsyncError(
            f"no workouts on the Intervals.icu calendar from {start.isoformat()} to "
            f"{until.isoformat()}"
        )
    sessions = sorted((i.session for i in imported), key=lambda s: s.date)
    written = plan_toml(
        name or "Imported workouts",
        sessions,
        profile,
        units=units,
        header=f"Imported by `progsync import --from intervals` ({start} to {until})",
    )
    lost = [f"{i.session.name}: {item}" for i in imported for item in i.lost]
    lost += written.lost + skipped
    return ImportResult(written.text, len(sessions), tuple(dict.fromkeys(lost)))


def adopt_foreign(config: Config, files: tuple[str, ...], to: tuple[str, ...]) -> list[str]:
    """Before a push: take the Intervals.icu events that another tool (or an import) put on the
    calendar under progsync's management, so the push updates them instead of adding a copy.

    An event without progsync's marker is adopted by the session of the same date and name that
    no event carries yet: its `external_id` becomes `progsync:<identity>` (`PUT /events/{id}`),
    which is how the push recognises its own events. Only Intervals.icu is done."""
    from progsync.sync.app.loading import load_plans
    from progsync.sync.app.push import resolve_targets
    from progsync.sync.services.intervals import MARKER, client_for

    if not any(t.kind == "intervals" for t in resolve_targets(to, config)):
        return []
    sessions = load_plans(files, config).sessions
    if not sessions:
        return []
    client = client_for(config)
    events = client.list_events(min(s.date for s in sessions), max(s.date for s in sessions))
    claimed = {
        (e.external_id or "")[len(MARKER) :]
        for e in events
        if (e.external_id or "").startswith(MARKER)
    }
    foreign = [e for e in events if not (e.external_id or "").startswith(MARKER)]
    lines: list[str] = []
    for session in sessions:
        if session.identity in claimed:
            continue
        for event in foreign:
            if event.day == session.date and (event.name or "").strip() == session.name.strip():
                client.update_event(event.key, {"external_id": MARKER + session.identity})
                foreign.remove(event)
                claimed.add(session.identity)
                lines.append(
                    f"adopted Intervals.icu event {event.key} '{session.name}' on "
                    f"{session.date.isoformat()}"
                )
                break
    return lines
