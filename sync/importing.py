"""`progsync import`: workouts from files (FIT, Garmin Connect JSON, Intervals.icu, Zwift) into a
plan in the workout language.

The use case only: read each file, pick its reader by extension and content
(`progsync.workouts.import_*`), write the sessions with `toml_out`, and say what the language
could not express (each such thing is also kept as a note in the plan). The athlete profile (the
config's `[athlete]`, or `--plan`'s) names paces and resolves % of FTP / max HR.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from progsync.workouts.errors import ProgsyncError
from progsync.workouts.import_common import Imported, ImportFormatError
from progsync.workouts.profile import Profile
from progsync.workouts.units import Units

from .config import Config


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
    from progsync.workouts.toml_out import plan_toml

    from .commands import athlete_profile

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
