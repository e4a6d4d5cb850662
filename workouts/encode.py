"""What every encoder shares, and one entry point to all of them.

Each format has one adapter module (`fit`, `garmin_json`, `intervals_text`, `zwo`) with one function of
the same shape, `SessionEncoder`: a session in, an `Encoded` out (the format's data and the
`Caveat`s about what it could not carry exactly). What the adapters share lives here, not in one
of them: `EncodeError` for a session a format cannot carry at all, `Caveat`, and
`describe_session`, the summary both Garmin formats put in their description.

A `Caveat` is one model for two uses: its `message` is the warning a push prints ("session
'Tempo' (Tue 2026-12-01): Intervals.icu's cadence targets are for cycling…"), and its `kind`
(`degraded`: the destination keeps it in a weaker form, a cue, a %, a shortened name; `lost`:
the destination does not hold it at all) with a `short` text make the fidelity table of
`progsync plan` (one line per session that is not carried exactly).

`encode(session, fmt)` picks the adapter by format name, importing it only then (the FIT SDK
stays off the `check` path), and gives bytes and a file name for folders and exports.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass
from typing import Any, Generic, Literal, Protocol, TypeVar

from .errors import ProgsyncError
from .model import Session
from .profile import Profile
from .units import format_clock, format_distance

Format = Literal["fit", "garmin-json", "intervals", "zwo"]
FORMATS: tuple[Format, ...] = ("fit", "garmin-json", "intervals", "zwo")
EXTENSIONS: dict[Format, str] = {"fit": "fit", "garmin-json": "json", "intervals": "txt", "zwo": "zwo"}
#: format -> (module in this package, its encoder function)
ENCODERS: dict[Format, tuple[str, str]] = {
    "fit": ("fit", "encode_fit"),
    "garmin-json": ("garmin_json", "encode_workout"),
    "intervals": ("intervals_text", "encode_intervals_text"),
    "zwo": ("zwo", "encode_zwo"),
}

T = TypeVar("T")


class EncodeError(ProgsyncError):
    """A session that a format cannot carry, even degraded: an input problem (exit code 2)."""

    exit_code = 2


CaveatKind = Literal["degraded", "lost"]


@dataclass(frozen=True)
class Caveat:
    """Something of a session that a format does not carry exactly.

    `short` is a few words for the fidelity table ("run cadence → a cue"); `message` is the
    warning in full. `session` is the session's `describe()`, or "" for a notice that concerns
    the whole push rather than one session (said once). `warn` False keeps it out of a push's
    warnings (what every push would repeat, like a name cut to the FIT size): the fidelity table
    of `progsync plan` shows it."""

    kind: CaveatKind
    short: str
    message: str
    session: str = ""
    warn: bool = True

    def __str__(self) -> str:
        return f"session {self.session}: {self.message}" if self.session else self.message


def caveat(
    session: Session | None, kind: CaveatKind, short: str, message: str, warn: bool = True
) -> Caveat:
    """A caveat about `session` (None: about the whole push)."""
    return Caveat(kind, short, message, session.describe() if session is not None else "", warn)


def warnings_of(caveats: tuple[Caveat, ...]) -> tuple[str, ...]:
    """The caveats that are warnings, as warning lines, each once, in order."""
    return tuple(dict.fromkeys(str(c) for c in caveats if c.warn))


@dataclass(frozen=True)
class Encoded(Generic[T]):
    """One session in one format: the data (bytes, a JSON payload or text) and its caveats."""

    data: T
    caveats: tuple[Caveat, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        return warnings_of(self.caveats)


class SessionEncoder(Protocol[T]):
    """The shape of every format's encoder function."""

    def __call__(self, session: Session, *, max_hr: int | None = None) -> Encoded[T]: ...


@dataclass(frozen=True)
class Output:
    """One encoded session: the file name it should get, its bytes, and any caveats."""

    filename: str
    data: bytes
    caveats: tuple[Caveat, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        return warnings_of(self.caveats)


def describe_session(session: Session) -> str:
    """A human summary: what the session is, how long, and its main set."""
    units = session.units
    lines = []
    length = f"about {format_clock(session.estimated_duration_s)}"
    if session.estimated_distance_m:
        length += f", {format_distance(session.estimated_distance_m, units)}"
    if session.progression:
        p = session.progression
        lines.append(
            f"Progression run ({length}): {round(p.easy_share * 100)}% at {p.start}, then "
            f"{p.stages} stage{'s' if p.stages > 1 else ''} building to {p.to}. "
            "Finish strong, never all-out."
        )
    else:
        lines.append(f"{session.name} ({length}).")
    if session.indoor:
        lines.append("Treadmill: distances are times at their paces.")
    if session.notes:
        lines.append(session.notes)
    return " ".join(lines)


def encoder(fmt: Format) -> SessionEncoder[Any]:
    """The encoder function of a format (its module is imported here, on first use)."""
    module, name = ENCODERS[fmt]
    function: SessionEncoder[Any] = getattr(importlib.import_module(f"{__package__}.{module}"), name)
    return function


def as_bytes(data: bytes | str | dict[str, Any]) -> bytes:
    """Encoded data as file content: bytes as they are, text as UTF-8, JSON indented."""
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode("utf-8")
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def encode(
    session: Session, fmt: Format, max_hr: int | None = None, profile: Profile | None = None
) -> Output:
    """Encode a session; deterministic: the same session gives the same bytes. `profile` is
    read by the `.zwo` encoder only (its targets are shares of race paces and FTP)."""
    if fmt == "zwo":
        # Loaded by name like every adapter (`encoder`): the adapters import this module.
        module, name = ENCODERS[fmt]
        encode_zwo = getattr(importlib.import_module(f"{__package__}.{module}"), name)
        result: Encoded[Any] = encode_zwo(session, max_hr=max_hr, profile=profile)
    else:
        result = encoder(fmt)(session, max_hr=max_hr)
    return Output(f"{session.file_stem}.{EXTENSIONS[fmt]}", as_bytes(result.data), result.caveats)
