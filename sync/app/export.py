"""`progsync export`: write one file per session and format into a folder, or (`--format ics`)
one calendar file holding every session."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from progsync.sync.app.loading import Loaded
from progsync.workouts.encode import Format, encode
from progsync.workouts.errors import InputError, Issue, Location

if TYPE_CHECKING:
    from icalendar import Calendar


@dataclass
class ExportResult:
    written: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def export_sessions(loaded: Loaded, formats: list[Format], out_dir: Path) -> ExportResult:
    """Encode every session first, then write: a failing session leaves no half-written folder."""
    result = ExportResult()
    outputs = []
    profiles = {c.plan.name: c.profile for c in loaded.plans}
    for session in loaded.sessions:
        max_hr = profiles[session.plan].max_hr if session.plan in profiles else None
        for fmt in formats:
            output = encode(session, fmt, max_hr=max_hr, profile=profiles.get(session.plan))
            outputs.append(output)
            result.warnings.extend(w for w in output.warnings if w not in result.warnings)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for output in outputs:
            path = out_dir / output.filename
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(output.data)
            tmp.replace(path)
            result.written.append(path)
    except OSError as exc:
        raise write_error(out_dir, exc) from None
    return result


def calendar_path(loaded: Loaded, out: Path) -> Path:
    """`-o plan.ics` is the file itself; any other `-o` is a folder that gets `<plan>.ics`."""
    if out.suffix.lower() == ".ics":
        return out
    from progsync.workouts.model import slugify

    keys = {c.plan.key for c in loaded.plans}
    name = slugify(keys.pop()) if len(keys) == 1 else "plan"
    return out / f"{name or 'plan'}.ics"


def export_calendar(loaded: Loaded, path: Path) -> Path:
    """Write every session as one VCALENDAR at `path`, with one VEVENT per session.

    When `path` already holds a calendar (an earlier export), an unchanged event keeps its
    SEQUENCE and DTSTAMP and a changed one gets SEQUENCE + 1, so an app that imports the file
    again updates its events. A file there that is not a calendar is left alone (an error).
    """
    import datetime as dt

    from progsync.workouts.ics import calendar_of, parse_calendar

    previous = None
    if path.is_file():
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise write_error(path, exc) from None
        previous = parse_calendar(data, str(path))
        _refuse_others(previous, loaded, path)
    names = sorted({c.plan.name for c in loaded.plans})
    now = dt.datetime.now(dt.UTC)
    data = calendar_of(loaded.sessions, " + ".join(names) or "progsync", now, previous)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        raise write_error(path, exc) from None
    return path


def _refuse_others(previous: Calendar, loaded: Loaded, path: Path) -> None:
    """An export rewrites the whole file: never over events that are not this plan's."""
    from progsync.workouts.ics import identity_of

    ours = {s.identity.split("/", 1)[0] for s in loaded.sessions} | {
        c.plan.key for c in loaded.plans
    }
    others = [
        c
        for c in previous.walk("VEVENT")
        if (identity := identity_of(c)) is None or identity.split("/", 1)[0] not in ours
    ]
    if others:
        raise InputError(
            [
                Issue(
                    f"{path} holds {len(others)} event(s) that are not this plan's, and an "
                    "export rewrites the whole file; nothing was written",
                    Location(str(path)),
                    f"keep them with `progsync push ... --to ics:{path}` (it changes only this "
                    "plan's events), or export to another file",
                )
            ]
        )


def write_error(where: Path, exc: OSError) -> InputError:
    """A folder or file that cannot be written (read-only, full, a file in the way) as one line."""
    reason = exc.strerror or str(exc)
    return InputError(
        [
            Issue(
                f"cannot write to {where}: {reason}",
                Location(str(exc.filename or where)),
                "choose a folder you can write to (-o PATH), or check its permissions and free space",
            )
        ]
    )
