"""The resolved, immutable workout model every encoder and destination reads.

Units are fixed: time in seconds, distance in metres, pace in seconds per kilometre (with the
matching speeds in m/s), heart rate in bpm, power in watts. Nothing here needs the profile any
more: every named pace and zone is already a number.

Plain frozen dataclasses: they are built thousands of times per plan and imported on every
command, where pydantic's import and validation cost would dominate start-up. Input is validated
where it enters (the plan compiler); `to_jsonable` gives the documented JSON form.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import field, fields, is_dataclass
from typing import Any, Literal

from .records import record
from .units import Units, format_pace

StepKind = Literal["warmup", "run", "recover", "rest", "cooldown"]
EndKind = Literal["time", "distance", "lap", "hr_below", "hr_above", "calories"]
RampDirection = Literal["rising", "falling"]
Sport = Literal["run", "bike", "swim", "strength", "cardio", "yoga", "hiit", "mobility", "other"]


@record(kw_only=True, slots=True)
class End:
    """How a step ends: a time (s), a distance (m), the lap button, a heart rate (bpm), or kcal."""

    kind: EndKind
    value: float | None = None


@record(kw_only=True, slots=True)
class OpenTarget:
    """No target: run by feel."""

    kind: Literal["open"] = "open"
    label: str = "open"


@record(kw_only=True, slots=True)
class PaceTarget:
    """A pace range; `slow` >= `fast` in seconds per km."""

    kind: Literal["pace"] = "pace"
    slow: float
    fast: float
    label: str

    @property
    def slow_mps(self) -> float:
        return 1000.0 / self.slow

    @property
    def fast_mps(self) -> float:
        return 1000.0 / self.fast

    @property
    def centre(self) -> float:
        return (self.slow + self.fast) / 2

    def describe(self, units: Units) -> str:
        if round(self.slow) == round(self.fast):
            return format_pace(self.slow, units)
        return f"{format_pace(self.slow, units, suffix=False)}-{format_pace(self.fast, units)}"


@record(kw_only=True, slots=True)
class HeartRateTarget:
    """A heart-rate range in bpm."""

    kind: Literal["hr"] = "hr"
    low: int
    high: int
    label: str


@record(kw_only=True, slots=True)
class HeartRateZoneTarget:
    """A zone of the watch's own heart-rate zones; `low`/`high` are the profile's bpm if known."""

    kind: Literal["hr_zone"] = "hr_zone"
    zone: int
    low: int | None = None
    high: int | None = None
    label: str


@record(kw_only=True, slots=True)
class PowerTarget:
    """A power range in watts."""

    kind: Literal["power"] = "power"
    low: int
    high: int
    label: str


@record(kw_only=True, slots=True)
class PowerZoneTarget:
    """A zone of the watch's own power zones."""

    kind: Literal["power_zone"] = "power_zone"
    zone: int
    label: str


@record(kw_only=True, slots=True)
class RpeTarget:
    """Perceived effort: no device can follow it, so encoders carry it as a note."""

    kind: Literal["rpe"] = "rpe"
    value: float
    label: str


@record(kw_only=True, slots=True)
class CadenceTarget:
    """A cadence range in steps per minute (revolutions per minute for cycling)."""

    kind: Literal["cadence"] = "cadence"
    low: int
    high: int
    label: str


Target = (
    OpenTarget
    | PaceTarget
    | HeartRateTarget
    | HeartRateZoneTarget
    | PowerTarget
    | PowerZoneTarget
    | RpeTarget
    | CadenceTarget
)


@record(kw_only=True, slots=True)
class Step:
    """One executable step. `name` is a short label for watches ("Stage 2/3")."""

    type: Literal["step"] = "step"
    kind: StepKind
    end: End
    target: Target = field(default_factory=OpenTarget)
    secondary: Target | None = None
    note: str | None = None
    name: str | None = None
    source: str | None = None
    #: A ramp: the target goes from one end of its range to the other over the step, `rising`
    #: (slower to faster pace, fewer to more watts or bpm) or `falling`; None: a steady range.
    ramp: RampDirection | None = None


@record(kw_only=True, slots=True)
class Repeat:
    """`count` times the `steps`."""

    type: Literal["repeat"] = "repeat"
    count: int
    steps: tuple[Block, ...]


Block = Step | Repeat


@record(kw_only=True, slots=True)
class ProgressionInfo:
    """What a `progression = {...}` spec asked for, kept so checks and `show` can explain it."""

    start: str
    to: str
    stages: int
    easy_share: float
    by: Literal["time", "distance"]
    total: float


@record(kw_only=True, slots=True)
class Session:
    """A dated, fully resolved session of a plan."""

    plan: str
    date: dt.date
    slot: int = 0
    name: str
    sport: Sport = "run"
    time: dt.time | None = None
    notes: str | None = None
    id: str | None = None
    plan_id: str | None = None
    tags: tuple[str, ...] = ()
    units: Units = "km"
    steps: tuple[Block, ...]
    progression: ProgressionInfo | None = None
    workout: str | None = None
    estimated_duration_s: float
    estimated_distance_m: float
    source_file: str | None = None
    source_line: int | None = None
    #: A treadmill or indoor run: distance steps were turned into time at their paces.
    indoor: bool = False
    #: The squad member this session was compiled for (coach mode), else None.
    athlete: str | None = None

    @property
    def identity(self) -> str:
        """Stable key of this session on a calendar: plan + explicit id, or plan + date + slot.

        The plan part is the plan's `id` when it has one (so renaming the plan keeps every
        identity), else the slug of its name; in coach mode it starts with the athlete
        (`anna@block/tempo`), so one athlete's push can never touch another's items."""
        base = member_key(self.athlete, plan_key(self.plan_id or self.plan))
        if self.id:
            return f"{base}/{self.id}"
        return f"{base}/{self.date.isoformat()}/{self.slot}"

    @property
    def slug(self) -> str:
        return slugify(self.name) or "session"

    @property
    def file_stem(self) -> str:
        stem = f"{self.date.isoformat()}_{self.slug}"
        return stem if self.slot == 0 else f"{stem}-{self.slot + 1}"

    def describe(self) -> str:
        return f"'{self.name}' ({self.date:%a} {self.date.isoformat()})"


@record(kw_only=True, slots=True)
class Plan:
    """A compiled plan: its sessions in date order and where they came from."""

    name: str
    units: Units
    sessions: tuple[Session, ...]
    source_files: tuple[str, ...] = ()
    start: dt.date | None = None
    id: str | None = None
    athlete: str | None = None

    @property
    def key(self) -> str:
        """The plan part of its sessions' identities (see `Session.identity`)."""
        return member_key(self.athlete, plan_key(self.id or self.name))


def iter_steps(blocks: tuple[Block, ...]) -> list[Step]:
    """Every executable step once, in order, ignoring repeat counts."""
    out: list[Step] = []
    for block in blocks:
        if isinstance(block, Repeat):
            out.extend(iter_steps(block.steps))
        else:
            out.append(block)
    return out


def flatten(blocks: tuple[Block, ...]) -> list[Step]:
    """The steps as the athlete runs them, repeats unrolled."""
    out: list[Step] = []
    for block in blocks:
        if isinstance(block, Repeat):
            body = flatten(block.steps)
            for _ in range(block.count):
                out.extend(body)
        else:
            out.append(block)
    return out


def member_key(athlete: str | None, key: str) -> str:
    """A plan key as seen by one squad member (`anna@block`), or the key itself."""
    return f"{athlete}@{key}" if athlete else key


def plan_key(name: str) -> str:
    """The plan part of every identity: the slug of the plan's name."""
    return slugify(name) or "plan"


def slugify(text: str) -> str:
    """A file- and URL-safe lower-case slug: `Run2PB progression` → `run2pb-progression`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60]


def to_jsonable(value: Any) -> Any:
    """The documented JSON form of any model object (speeds and identities included)."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {f.name: to_jsonable(getattr(value, f.name)) for f in fields(value)}
        if isinstance(value, PaceTarget):
            out["slow_mps"] = round(value.slow_mps, 4)
            out["fast_mps"] = round(value.fast_mps, 4)
        if isinstance(value, Session):
            out["identity"] = value.identity
        return out
    if isinstance(value, tuple | list):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
