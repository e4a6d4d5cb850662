"""Human-facing views of a compiled plan: step tables and the terminal intensity profile.

Text from a plan or a service (names, notes) goes through `cell` (rich tables: control
characters shown as escapes, and rich markup escaped, so `[/x]` in a name is text) or
`runner.visible` (plain lines) before it reaches the terminal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from progsync.workouts.describe import describe_end
from progsync.workouts.describe import describe_target as describe_words
from progsync.workouts.effort import shown_seconds
from progsync.workouts.errors import StepSyntaxError
from progsync.workouts.model import (
    Block,
    HeartRateZoneTarget,
    PaceTarget,
    PowerZoneTarget,
    Repeat,
    RpeTarget,
    Session,
    Step,
    Target,
    flatten,
)
from progsync.workouts.profile import Profile
from progsync.workouts.units import (
    Units,
    format_clock,
    format_distance,
    format_pace,
)

if TYPE_CHECKING:
    from rich.console import RenderableType

BARS = " ▁▂▃▄▅▆▇█"


def cell(text: object) -> str:
    """Plan or service text for a rich table cell or title: shown, never interpreted (neither
    terminal control characters nor rich markup)."""
    from rich.markup import escape

    from progsync.sync.views.text import visible

    return escape(visible(str(text)))


def describe_amount(step: Step, units: Units) -> str:
    """A step's length as the DSL spells it (`10min`, `until HR < 130`), for tables."""
    return describe_end(step.end, units, compact=True)


def describe_target(target: Target, units: Units) -> str:
    """The resolved target in plain words: `4:05-3:55/km`, `HR zone 2 (145-152 bpm)`, `240-260 W`."""
    return describe_words(target, units, compact=True)


def target_words(target: Target, units: Units) -> str:
    """The resolved target, with the plan's own words when they add something:
    `4:05-3:55/km (marathon)`, `140-150 bpm`."""
    resolved = describe_target(target, units)
    label = target.label
    return resolved + (f" ({label})" if label and label not in resolved else "")


def _level(step: Step, profile: Profile) -> int:
    """Effort 0..8 for the intensity profile: rest is 0; pace scales from easy-slow to 5k."""
    if step.kind == "rest":
        return 0
    target = step.target
    if isinstance(target, PaceTarget):
        slow = profile.paces["easy"].slow + 30 if "easy" in profile.paces else 420.0
        fast = profile.paces["5k"].fast if "5k" in profile.paces else 200.0
        if slow <= fast:
            return 4
        share = (slow - target.centre) / (slow - fast)
        return max(1, min(8, round(1 + share * 7)))
    if isinstance(target, HeartRateZoneTarget | PowerZoneTarget):
        return max(1, min(8, round(target.zone * 8 / 5)))
    if isinstance(target, RpeTarget):
        return max(1, min(8, round(target.value * 0.8)))
    return 3 if step.kind in ("run",) else 2


def intensity_profile(session: Session, profile: Profile, width: int = 60) -> str:
    """A one-line bar chart of effort over time, so a progression visibly climbs."""
    steps = flatten(session.steps)
    spans = [(shown_seconds(s, profile), _level(s, profile)) for s in steps]
    total = sum(t for t, _ in spans) or 1.0
    chars: list[str] = []
    for column in range(width):
        moment = (column + 0.5) / width * total
        elapsed = 0.0
        for seconds, level in spans:
            elapsed += seconds
            if moment <= elapsed:
                chars.append(BARS[level])
                break
        else:
            chars.append(BARS[spans[-1][1]] if spans else " ")
    return "".join(chars)


def session_table(session: Session, profile: Profile) -> RenderableType:
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    units = session.units
    title = f"{session.date:%a %d %b %Y}  {cell(session.name)}"
    if session.time:
        title += f"  {session.time:%H:%M}"
    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("#", justify="right", style="dim")
    table.add_column("step")
    table.add_column("amount", justify="right")
    table.add_column("target")
    table.add_column(f"resolved ({'per km' if units == 'km' else 'per mile'})")
    table.add_column("note", style="dim")

    counter = [0]

    def add(blocks: tuple[Block, ...], indent: str) -> None:
        for block in blocks:
            if isinstance(block, Repeat):
                table.add_row("", f"{indent}[bold]{block.count}×[/bold]", "", "", "", "")
                add(block.steps, indent + "  ")
                continue
            counter[0] += 1
            kind = block.name or block.kind
            target = block.target
            table.add_row(
                str(counter[0]),
                f"{indent}{cell(kind)}",
                describe_amount(block, units),
                cell(target.label) if target.kind != "open" else "—",
                cell(describe_target(target, units)),
                cell(block.note or ""),
            )

    add(session.steps, "")
    totals = Text(
        f"  about {format_clock(session.estimated_duration_s)} · "
        f"{format_distance(session.estimated_distance_m, units)}",
        style="bold",
    )
    parts: list[RenderableType] = [table, totals]
    if session.progression:
        p = session.progression
        parts.append(
            Text(
                f"  progression: {p.start} → {p.to} in {p.stages} stages after "
                f"{round(p.easy_share * 100)}% easy",
                style="cyan",
            )
        )
    parts.append(Text("  " + intensity_profile(session, profile), style="green"))
    if session.notes:
        from progsync.sync.views.text import visible

        parts.append(Text(f"  {visible(session.notes, lines=True)}", style="italic"))
    return Group(*parts)


def profile_lines(profile: Profile, units: Units) -> list[str]:
    """The athlete profile as `progsync profile` prints it: paces with their source, HR, power.

    With a race result, the VDOT-derived paces are listed beside the profile's own, so a runner
    sees both even where an explicit pace wins.
    """
    from progsync.workouts.profile import PACE_NAMES
    from progsync.workouts.vdot import paces_from_race, vdot_of

    def shown(slow: float, fast: float) -> str:
        if abs(slow - fast) <= 2 * profile.pace_tolerance + 0.01:
            return format_pace((slow + fast) / 2, units)
        return f"{format_pace(slow, units, suffix=False)}-{format_pace(fast, units)}"

    derived: dict[str, tuple[float, float]] = {}
    lines: list[str] = []
    if profile.race:
        derived = paces_from_race(profile.race)
        lines.append(
            f"race {profile.race}: VDOT {vdot_of(profile.race):.1f} "
            "(Daniels & Gilbert, Oxygen Power, 1979)"
        )
    width = max(18, *(len(profile.source(n)) + 2 for n in PACE_NAMES))
    header = f"{'pace':<11}{'used':>15}  {'source':<{width}}"
    if derived:
        header += f"{'from race':>15}"
    lines += ["", header]
    for name in PACE_NAMES:
        try:
            pace = profile.pace(name)
        except StepSyntaxError:
            pace = None
        used = shown(pace.slow, pace.fast) if pace else "—"
        source = profile.source(name)
        row = f"{name:<11}{used:>15}  {source:<{width}}"
        if name in derived:
            slow, fast = derived[name]
            row += f"{shown(slow, fast) if slow != fast else format_pace(slow, units):>15}"
        lines.append(row.rstrip())
    lines.append("")
    if profile.max_hr:
        lines.append(f"max HR     {profile.max_hr} bpm")
    if profile.lthr:
        lines.append(f"LTHR       {profile.lthr} bpm")
    if profile.hr_zone(1) is not None:
        zones = "  ".join(
            f"z{z} {lo}-{hi}" for z in range(1, 6) if (b := profile.hr_zone(z)) for lo, hi in [b]
        )
        lines.append(f"HR zones   {zones}")
    if profile.ftp:
        lines.append(f"FTP        {profile.ftp} W")
    lines.append(f"tolerance  ± {profile.pace_tolerance:g} s around single paces")
    return lines


def pace_sources_line(profile: Profile, units: Units) -> str:
    """One line for `show`: each named pace in use and where it came from."""
    from progsync.workouts.profile import PACE_NAMES

    parts: list[str] = []
    for name in PACE_NAMES:
        try:
            pace = profile.pace(name)
        except StepSyntaxError:
            continue
        text = (
            format_pace(pace.centre, units, suffix=False)
            if abs(pace.slow - pace.fast) <= 2 * profile.pace_tolerance + 0.01
            else f"{format_pace(pace.fast, units, suffix=False)}-"
            f"{format_pace(pace.slow, units, suffix=False)}"
        )
        parts.append(f"{name} {text} ({profile.source(name)})")
    return f"paces per {units}: " + ", ".join(parts) if parts else "paces: none set"


# -- the watch preview (`progsync show --watch`) -----------------------------------------------
WATCH_KINDS = {
    "warmup": "Warm up",
    "run": "Run",
    "recover": "Recover",
    "rest": "Rest",
    "cooldown": "Cool down",
}


def watch_amount(step: Step, units: Units) -> str:
    """The step's length as a watch counts it down: `10:00`, `1.00 km`, `0.25 mi`."""
    end = step.end
    if end.kind == "time":
        return format_clock(end.value or 0)
    if end.kind == "distance":
        per_unit = 1000.0 if units == "km" else 1609.344
        return f"{(end.value or 0) / per_unit:.2f} {units}"
    return describe_amount(step, units)


def watch_end(step: Step, units: Units) -> str:
    """What ends the step, in the words a runner needs the evening before."""
    end = step.end
    if end.kind == "time":
        return f"after {format_clock(end.value or 0)}"
    if end.kind == "distance":
        return f"at {watch_amount(step, units)}"
    if end.kind == "lap":
        return "when you press the lap button"
    if end.kind == "hr_below":
        return f"when heart rate falls below {end.value:g} bpm"
    if end.kind == "hr_above":
        return f"when heart rate rises above {end.value:g} bpm"
    return f"after {end.value:g} kcal"


def watch_target(target: Target | None, units: Units) -> str:
    """The target as the watch shows it, in the runner's units."""
    if target is None or target.kind == "open":
        return "no target"
    if isinstance(target, PaceTarget):
        slow = format_pace(target.slow, units, suffix=False)
        fast = format_pace(target.fast, units, suffix=False)
        return f"{slow}-{fast} /{units}" if slow != fast else f"{slow} /{units}"
    if isinstance(target, HeartRateZoneTarget):
        bpm = f" ({target.low}-{target.high} bpm)" if target.low and target.high else ""
        return f"heart rate zone {target.zone}{bpm}"
    if isinstance(target, RpeTarget):
        return f"no target (RPE {target.value:g} in the notes)"
    return describe_target(target, units)


def watch_screens(session: Session) -> list[str]:
    """The session screen by screen, as the watch will guide it: one line per step, with its
    name and notes as the watch's fields hold them (`fit.step_strings`), its length, target,
    what ends it, and the repeat counter ("Rep 2 of 5")."""
    from progsync.workouts.fit import step_strings, workout_name

    units = session.units
    head = f"{session.date:%a %d %b %Y}  {session.name}  (about {format_clock(session.estimated_duration_s)})"
    lines = [head]
    if workout_name(session) != session.name:
        lines.append(f'  (a FIT file on the watch names it "{workout_name(session)}")')
    counter = [0]

    def walk(blocks: tuple[Block, ...], reps: tuple[str, ...]) -> None:
        for block in blocks:
            if isinstance(block, Repeat):
                for i in range(1, block.count + 1):
                    walk(block.steps, (*reps, f"Rep {i} of {block.count}"))
                continue
            counter[0] += 1
            name, notes = step_strings(block)
            kind = WATCH_KINDS[block.kind]
            label = name if name.lower() == kind.lower() else f"{kind}: {name}"
            rep = f"{' · '.join(reps)}  " if reps else ""
            lines.append(
                f"  {counter[0]:>2}. {rep}{label}  {watch_amount(block, units)}  "
                f"{watch_target(block.target, units)}"
            )
            if block.secondary is not None:
                lines.append(f"      also: {watch_target(block.secondary, units)}")
            if notes:
                lines.append(f"      notes: {notes}")
            if block.end.kind not in ("time", "distance"):
                lines.append(f"      ends {watch_end(block, units)}")

    walk(session.steps, ())
    from progsync.sync.views.text import visible

    return [visible(line) for line in lines]
