"""What every workout reader shares: the result of an import and its error.

Each format has one reader module (`import_fit`, `import_garmin`, `import_intervals`,
`import_zwo`) that turns one file's content into `Imported`: a model `Session` (the same model
the plan compiler builds, so `toml_out` writes it and every encoder reads it) and the list of
what the language cannot express. Whatever is lost is also kept as a note on its step (or the
session), so it is reported and never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from .errors import ProgsyncError
from .model import Block, Session, Sport, Step
from .units import Units

#: The date an imported session carries in the model when its source has none (a file, a
#: library workout); `toml_out.plan_toml(dated=False)` lays such sessions out by day instead.
UNDATED = dt.date(2000, 1, 1)


class ImportFormatError(ProgsyncError):
    """A file that is not a workout of the format it claims, or that its reader cannot read."""

    exit_code = 2


@dataclass(frozen=True)
class Imported:
    """One imported workout: the session, and what the language could not express of it."""

    session: Session
    lost: tuple[str, ...] = ()


class Losses:
    """Collects what a reader cannot express, each also kept as words on its step."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> None:
        if text not in self.items:
            self.items.append(text)


def with_note(step: Step, extra: str) -> Step:
    """`step` with `extra` appended to its note."""
    note = f"{step.note} · {extra}" if step.note else extra
    return replace(step, note=note)


def imported_session(
    name: str,
    steps: tuple[Block, ...],
    *,
    sport: Sport = "run",
    notes: str | None = None,
    date: dt.date | None = None,
    units: Units = "km",
    source_file: str | None = None,
    indoor: bool = False,
) -> Session:
    """A model session for an imported workout (estimates are the compiler's job: 0 here)."""
    return Session(
        plan="imported",
        date=date or UNDATED,
        name=" ".join(name.split()) or "Imported workout",
        sport=sport,
        notes=notes.strip() if notes and notes.strip() else None,
        units=units,
        steps=steps,
        estimated_duration_s=0.0,
        estimated_distance_m=0.0,
        source_file=source_file,
        indoor=indoor,
    )
