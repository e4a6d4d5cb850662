"""`progsync export`: write one file per session and format into a folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from progsync.workouts.encode import Format, encode
from progsync.workouts.errors import InputError, Issue, Location

from .loading import Loaded


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
            output = encode(session, fmt, max_hr=max_hr)
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
