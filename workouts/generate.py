"""Generators: a progression session and a multi-week block, written as plan TOML.

Both size what they write with the athlete's profile and the coaching rules, so the output
passes `progsync check` as generated; the CLI checks it again and reports anything left.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .checks import stages_needed
from .errors import ProgsyncError
from .model import PaceTarget, Step, slugify
from .profile import Profile
from .progression import expand_progression
from .rules import Settings
from .units import Units, format_distance, format_duration, format_pace

DAY_LAYOUTS: dict[int, tuple[tuple[str, str], ...]] = {
    3: (("tue", "progression"), ("thu", "easy"), ("sun", "long")),
    4: (("tue", "easy"), ("wed", "progression"), ("fri", "easy"), ("sun", "long")),
    5: (("tue", "easy"), ("wed", "progression"), ("thu", "easy"), ("sat", "easy"), ("sun", "long")),
    6: (
        ("mon", "easy"),
        ("tue", "easy"),
        ("wed", "progression"),
        ("thu", "easy"),
        ("sat", "easy"),
        ("sun", "long"),
    ),
    7: (
        ("mon", "easy"),
        ("tue", "easy"),
        ("wed", "progression"),
        ("thu", "easy"),
        ("fri", "easy"),
        ("sat", "easy"),
        ("sun", "long"),
    ),
}
DOWN_DROP = 0.25
LONG_RUN_CAP_S = 3 * 3600.0


class GenerateError(ProgsyncError):
    """Options a generator cannot honour; rendered like any input error (exit 2)."""

    exit_code = 2


def format_step(step: Step, units: Units) -> str:
    """A step in the DSL's own spelling; it reads back as the same step."""
    end = step.end
    if end.kind == "time":
        amount = format_duration(end.value or 0)
    elif end.kind == "distance":
        amount = format_distance(end.value or 0, units)
    elif end.kind == "hr_below":
        amount = f"hr<{end.value:g}"
    elif end.kind == "hr_above":
        amount = f"hr>{end.value:g}"
    elif end.kind == "calories":
        amount = f"{end.value:g}kcal"
    else:
        amount = "lap"
    text = amount if step.kind == "run" else f"{step.kind} {amount}"
    if step.target.kind != "open":
        text += f" @{step.target.label}"
        if step.secondary is not None:
            text += f" & {step.secondary.label}"
    if step.note:
        text += f" -- {step.note}"
    return text


def _share(value: float) -> str:
    return f"{round(value * 100)}%"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass(frozen=True)
class ProgressionSpec:
    """What `progsync new progression` asked for, completed with the chosen stage count."""

    total: float
    by: str
    start: str
    to: str
    stages: int
    easy: float

    def table(self, units: Units) -> str:
        amount = (
            f'duration = "{format_duration(self.total)}"'
            if self.by == "time"
            else f'distance = "{format_distance(self.total, units)}"'
        )
        return (
            f"{{ {amount}, from = {_toml_string(self.start)}, to = {_toml_string(self.to)}, "
            f'stages = {self.stages}, easy = "{_share(self.easy)}" }}'
        )

    def as_spec(self, units: Units) -> dict[str, object]:
        key = "duration" if self.by == "time" else "distance"
        amount = (
            format_duration(self.total) if self.by == "time" else format_distance(self.total, units)
        )
        return {
            key: amount,
            "from": self.start,
            "to": self.to,
            "stages": self.stages,
            "easy": _share(self.easy),
        }


def choose_stages(total_s: float, easy: float, gap: float, settings: Settings) -> int:
    """Fewest stages whose pace steps and lengths all pass the progression rules."""
    max_jump = settings.number("progression-gradual", "max_jump")
    lo = settings.number("progression-stage-length", "min_stage")
    hi = settings.number("progression-stage-length", "max_stage")
    fewest = max(2, stages_needed(gap, max_jump))
    for stages in range(fewest, 13):
        length = total_s * (1 - easy) / stages
        if length < lo:
            break
        if length <= hi:
            return stages
    return fewest


def plan_progression(
    profile: Profile,
    units: Units,
    *,
    duration_s: float | None = None,
    distance_m: float | None = None,
    start: str = "easy",
    to: str = "marathon",
    stages: int | None = None,
    easy: float = 0.5,
    settings: Settings | None = None,
) -> ProgressionSpec:
    """Complete a progression request; the stage count is chosen when not given."""
    from .dsl import parse_target
    from .errors import StepSyntaxError

    settings = settings or Settings()
    if (duration_s is None) == (distance_m is None):
        raise GenerateError("give the run's --duration or its --distance", "e.g. --duration 60min")
    if not 0 <= easy < 1:
        raise GenerateError(f"--easy {_share(easy)} is not a share below 100%", "e.g. --easy 50%")
    paces: list[PaceTarget] = []
    for label in (start, to):
        try:
            target = parse_target(label, units, profile)
        except StepSyntaxError as exc:
            raise GenerateError(exc.message, exc.hint) from None
        if not isinstance(target, PaceTarget):
            raise GenerateError(f"'{label}' is not a pace", "use a named pace or a pace like 4:10")
        paces.append(target)
    gap = paces[0].centre - paces[1].centre
    if gap <= 0:
        raise GenerateError(
            f"'{to}' ({format_pace(paces[1].centre, units)}) is not faster than "
            f"'{start}' ({format_pace(paces[0].centre, units)})",
            "a progression finishes faster than it starts",
        )
    total_s = (
        duration_s
        if duration_s is not None
        else (distance_m or 0) / 1000 * ((paces[0].centre + paces[1].centre) / 2)
    )
    chosen = stages or choose_stages(total_s, easy, gap, settings)
    return ProgressionSpec(
        total=duration_s if duration_s is not None else distance_m or 0.0,
        by="time" if duration_s is not None else "distance",
        start=start,
        to=to,
        stages=chosen,
        easy=easy,
    )


def progression_session(spec: ProgressionSpec, units: Units, day: str = "tue") -> str:
    """The `[[session]]` table of a progression in its `progression = {...}` form."""
    return "\n".join(
        [
            "[[session]]",
            f'day = "{day}"               # or date = 2026-11-24',
            'name = "Progression run"',
            f"progression = {spec.table(units)}",
            'tags = ["quality", "progression"]',
            "",
        ]
    )


def progression_snippet(
    spec: ProgressionSpec, profile: Profile, units: Units, day: str = "tue"
) -> str:
    """A ready-to-paste session in both forms: the `progression` table and its expanded steps."""
    steps, _ = expand_progression(spec.as_spec(units), units, profile)
    lines = [_step_comment(step, units) for step in steps]
    described = f"{spec.start} → {spec.to} in {spec.stages} stages after {_share(spec.easy)} easy"
    out = [
        f"# Progression run, {described}:",
        *lines,
        "",
        progression_session(spec, units, day),
        "# ... or the same run as explicit steps (paste one of the two):",
        "[[session]]",
        f'day = "{day}"',
        'name = "Progression run"',
        "steps = [",
        *(f"  {_toml_string(format_step(step, units))}," for step in steps),
        "]",
        'tags = ["quality", "progression"]',
    ]
    return "\n".join(out) + "\n"


def _step_comment(step: Step, units: Units) -> str:
    amount = (
        format_duration(step.end.value or 0)
        if step.end.kind == "time"
        else format_distance(step.end.value or 0, units)
    )
    pace = step.target.describe(units) if isinstance(step.target, PaceTarget) else "open"
    return f"#   {step.name or step.kind:<12} {amount:>8}  {pace}"


def _round5(seconds: float) -> float:
    """Whole 5 minutes, at least 20min."""
    return max(1200.0, round(seconds / 300) * 300.0)


@dataclass(frozen=True)
class WeekPlan:
    """One week of a block: its session lengths in seconds and whether it is a down week."""

    long_s: float
    easy_s: float
    progression_s: float
    down: bool
    easy_runs: int

    @property
    def total(self) -> float:
        return self.long_s + self.progression_s + self.easy_s * self.easy_runs


def _week(target: float, base: WeekPlan, down: bool) -> WeekPlan:
    """Share `target` seconds like the first week; the long run takes the rounding, so the
    week's total stays within 2.5 minutes of the target."""
    factor = target / base.total
    progression = min(4500.0, max(2400.0, _round5(base.progression_s * factor)))
    easy_s = _round5(base.easy_s * factor) if base.easy_runs else base.easy_s
    long_s = target - progression - easy_s * base.easy_runs
    long_s = min(LONG_RUN_CAP_S, _round5(long_s))
    return WeekPlan(long_s, easy_s, progression, down, base.easy_runs)


def block_weeks(
    weeks: int, long_run_s: float, build: float, down_every: int, easy_runs: int
) -> list[WeekPlan]:
    """The block's weeks, each sized from the real (rounded) totals of the weeks before.

    Build weeks grow by `build`; every `down_every`th week is 25% under the peak; the week after
    resumes one build step under the peak, never more than 25% over the down week.
    """
    base = WeekPlan(
        long_s=_round5(long_run_s),
        easy_s=_round5(long_run_s * 0.5),
        progression_s=min(4500.0, max(2400.0, _round5(long_run_s * 0.6))),
        down=False,
        easy_runs=easy_runs,
    )
    out = [base]
    peak = base.total
    for number in range(2, weeks + 1):
        previous = out[-1]
        if down_every and number % down_every == 0:
            out.append(_week(peak * (1 - DOWN_DROP), base, down=True))
            continue
        if previous.down:
            week = _week(min(peak / (1 + build), previous.total * 1.25), base, down=False)
            peak = week.total
        else:
            week = _week(previous.total * (1 + build), base, down=False)
            peak = max(peak, week.total)
        out.append(week)
    return out


def block_plan(
    profile: Profile,
    *,
    weeks: int,
    start: dt.date,
    long_run_s: float,
    build: float,
    down_every: int,
    runs: int = 5,
    to: str = "marathon",
    name: str = "Build block",
    units: Units = "km",
    race: str | None = None,
    settings: Settings | None = None,
    athletes: tuple[str, ...] = (),
) -> str:
    """A multi-week plan: easy runs, one progression and one long run a week, building volume.

    `athletes` (coach mode) names the squad in `[plan] athletes`, so the plan compiles for each
    of them on their own profile without `--athlete`."""
    settings = settings or Settings()
    if not 1 <= weeks <= 52:
        raise GenerateError(f"--weeks {weeks}: a block has 1 to 52 weeks")
    if runs not in DAY_LAYOUTS:
        raise GenerateError(f"--runs {runs}: choose 3 to 7 runs a week")
    if not 0 <= build <= 0.5:
        raise GenerateError(f"--build {_share(build)} is not a weekly build", "e.g. --build 10%")
    if down_every == 1 or down_every < 0:
        raise GenerateError(
            f"--down-every {down_every}: every week cannot be a down week",
            "e.g. --down-every 4 (three build weeks, then a down week); 0 for none",
        )
    if not 30 * 60 <= long_run_s <= LONG_RUN_CAP_S:
        raise GenerateError(
            f"--long-run {format_duration(long_run_s)} is not a long run",
            "between 30min and 3h, e.g. --long-run 80min",
        )
    plan_progression(profile, units, duration_s=2700, to=to, settings=settings)
    layout = DAY_LAYOUTS[runs]
    lines = [
        f"# {weeks}-week block written by `progsync new block`: {runs} runs a week, volume +"
        f"{_share(build)} a week"
        + (f", a down week every {down_every}" if down_every else "")
        + ".",
        "# Check it with `progsync check FILE`; edit freely, then `progsync push FILE`.",
        "",
        "[plan]",
        f"name = {_toml_string(name)}",
        "# The plan's stable id: keep it when you rename the plan, so a push updates the same",
        "# workouts instead of adding a second copy.",
        f'id = "{(slugify(name) or "block")[:48]}-{start.isoformat()}"',
        f"start = {start.isoformat()}",
        f'units = "{units}"',
    ]
    if athletes:
        squad = '"all"' if "all" in athletes else "[" + ", ".join(f'"{a}"' for a in athletes) + "]"
        lines.append(f"athletes = {squad}")
    if race:
        lines += ["", "[athlete]", f"race = {_toml_string(race)}"]
    easy_runs = sum(1 for _, kind in layout if kind == "easy")
    plan = block_weeks(weeks, long_run_s, build, down_every, easy_runs)
    for week, sizes in enumerate(plan, start=1):
        long_s, easy_s, prog_s = sizes.long_s, sizes.easy_s, sizes.progression_s
        title = f"Week {week}" + (" — down week" if sizes.down else "")
        lines += ["", f"# {title}"]
        for day, kind in layout:
            lines += ["", "[[session]]", f"week = {week}", f'day = "{day}"']
            if kind == "easy":
                lines += [
                    'name = "Easy run"',
                    f'steps = ["{format_duration(easy_s)} @easy"]',
                    'tags = ["easy"]',
                ]
            elif kind == "long":
                lines += [
                    'name = "Long run"',
                    f'steps = ["{format_duration(long_s)} @long -- steady, conversational"]',
                    'tags = ["long"]',
                ]
            else:
                spec = plan_progression(profile, units, duration_s=prog_s, to=to, settings=settings)
                lines += [
                    'name = "Progression run"',
                    f"progression = {spec.table(units)}",
                    'tags = ["quality", "progression"]',
                ]
    return "\n".join(lines) + "\n"
