"""Generators: a progression session and a multi-week block, written as plan TOML.

A block either builds for `--weeks` or is built back from a race (`race_block_plan`): base and
build weeks with down weeks counted back from the peak, a taper, the race on its date and the
rest after it (docs/blocks.md). All of them size what they write with the athlete's profile and the coaching rules, so the output
passes `progsync check` as generated; the CLI checks it again and reports anything left.

Why this module is long: a block to a race is built backwards in one place (base, build,
down weeks, peak, taper, race, rest), next to the forward block and the progression
generator it reuses, so the numbers of docs/blocks.md live in one file.
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
    weeks: int,
    long_run_s: float,
    build: float,
    down_every: int,
    easy_runs: int,
    downs: frozenset[int] | None = None,
) -> list[WeekPlan]:
    """The block's weeks, each sized from the real (rounded) totals of the weeks before.

    Build weeks grow by `build`; every `down_every`th week (or the weeks numbered in `downs`,
    when given) is 25% under the peak; the week after resumes one build step under the peak,
    never more than 25% over the down week.
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
        down = number in downs if downs is not None else bool(down_every and number % down_every == 0)
        if down:
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
    _check_block_options(weeks, runs, build, down_every, long_run_s)
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


# -- blocks built back from a race ----------------------------------------------------------------
#: Distance words of `--race` (as `profile --race` knows them) → the race distances of the checks.
RACE_WORDS = {"5k": "5k", "10k": "10k", "half": "half", "hm": "half", "marathon": "marathon", "m": "marathon"}
RACE_METRES = {"5k": 5000.0, "10k": 10000.0, "half": 21097.5, "marathon": 42195.0}
RACE_TITLES = {"5k": "5k race", "10k": "10k race", "half": "Half marathon race", "marathon": "Marathon race"}
#: Warm-up before the race (none before a marathon: the first kilometres are the warm-up).
RACE_WARMUP_S = {"5k": 900.0, "10k": 900.0, "half": 600.0, "marathon": 0.0}
#: The taper: each week after the peak as a share of the peak week's volume, up to the race
#: week. The peak is 2 weeks before a 5k, 10k or half and 3 weeks before a marathon.
TAPER = {"5k": (0.75,), "10k": (0.75,), "half": (0.75,), "marathon": (0.8, 0.7)}
#: The race week's running before the race, as a share of the peak week (the taper rule allows 60%).
RACE_WEEK_SHARE = 0.5
#: After the race (the coaching seeds): days without running, then days of short easy runs.
#: 5k/10k: a few days off; half: 5-7 days off, then short easy runs; marathon: 1-2 weeks off,
#: then 1-2 weeks easy. The block takes the long end of each rest.
RECOVERY = {"5k": (3, 4), "10k": (4, 3), "half": (7, 7), "marathon": (14, 14)}
#: Week 1's long run when `--long-run` is not given.
RACE_LONG_RUN_S = {"5k": 3600.0, "10k": 4200.0, "half": 4800.0, "marathon": 6000.0}
RECOVERY_RUN_S = 1800.0
SHAKEOUT_S = 1200.0
RACE_WEEK_QUALITY_S = 1800.0
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class RaceGoal:
    """What `--race "half 2027-03-14 1:32:00"` asks for: a distance, a day, maybe a goal time."""

    distance: str
    date: dt.date
    goal_s: float | None = None
    name: str | None = None

    @property
    def metres(self) -> float:
        return RACE_METRES[self.distance]

    @property
    def title(self) -> str:
        return self.name or RACE_TITLES[self.distance]

    def result(self) -> str | None:
        """The goal as a race result (`half 1:32:00`), which paces derive from."""
        return None if self.goal_s is None else f"{self.distance} {format_duration_clock(self.goal_s)}"


def format_duration_clock(seconds: float) -> str:
    total = int(round(seconds))
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


def parse_race_goal(text: str) -> RaceGoal | None:
    """`half 2027-03-14` or `half 2027-03-14 1:32:00` → a RaceGoal; None when `text` has no date
    (it is then a race result, `10k 41:30`, which only derives paces)."""
    from .units import parse_duration

    words = text.split()
    dates = [w for w in words if len(w) == 10 and w[4] == "-" and w[7] == "-"]
    if not dates:
        return None
    example = 'e.g. --race "half 2027-03-14" or --race "half 2027-03-14 1:32:00"'
    if len(words) not in (2, 3) or words[1] != dates[0]:
        raise GenerateError(f"--race {text!r} is not a race: distance, date and maybe a goal", example)
    distance = RACE_WORDS.get(words[0].lower())
    if distance is None:
        raise GenerateError(
            f"--race {text!r}: '{words[0]}' is not a race distance",
            "a block builds to a 5k, 10k, half or marathon; " + example,
        )
    try:
        day = dt.date.fromisoformat(words[1])
    except ValueError:
        raise GenerateError(f"--race {text!r}: '{words[1]}' is not a date", "write YYYY-MM-DD") from None
    goal = None
    if len(words) == 3:
        from .vdot import RaceError, parse_race

        try:
            goal = parse_duration(words[2])
            parse_race(f"{distance} {words[2]}")
        except RaceError as exc:
            raise GenerateError(str(exc).replace("race = ", "--race goal "), exc.hint) from None
        except ValueError:
            raise GenerateError(
                f"--race {text!r}: '{words[2]}' is not a goal time", "write h:mm:ss, e.g. 1:32:00"
            ) from None
    return RaceGoal(distance, day, goal)


def goal_paces(goal: RaceGoal, units: Units) -> dict[str, str]:
    """The quality paces a goal time asks for (VDOT), as `[athlete] paces` entries."""
    from .vdot import paces_from_race

    result = goal.result()
    if result is None:
        return {}
    derived = paces_from_race(result)
    return {
        name: format_pace(derived[name][1], units, suffix=False)
        for name in ("marathon", "half", "10k", "5k", "threshold")
    }


@dataclass(frozen=True)
class BlockShape:
    """Where a race block's weeks fall: week 1 starts on `start`; the race is in week `weeks`."""

    start: dt.date
    weeks: int
    peak: int
    downs: frozenset[int]

    @property
    def race_week_start(self) -> dt.date:
        return self.start + dt.timedelta(days=7 * (self.weeks - 1))


def race_shape(
    goal: RaceGoal,
    weeks: int | None,
    start: dt.date | None,
    down_every: int,
    kept: tuple[int, frozenset[int]] | None = None,
) -> BlockShape:
    """The block's weeks counted back from the race: the peak 2 (marathon 3) weeks before the
    race week, down weeks every `down_every` weeks before the peak.

    `kept` (re-anchoring): the first week written again and the down weeks before it, which
    stay; the down weeks then go on from the last of them as well as back from the new peak."""
    taper = len(TAPER[goal.distance]) + 1
    least = taper + 3
    if start is not None:
        if start > goal.date:
            raise GenerateError(
                f"--start {start.isoformat()} is after the race on {goal.date.isoformat()}",
                "the block starts before race day",
            )
        weeks = (goal.date - start).days // 7 + 1
    else:
        weeks = weeks or 12
        monday = goal.date - dt.timedelta(days=goal.date.weekday())
        start = monday - dt.timedelta(days=7 * (weeks - 1))
    if not least <= weeks <= 52:
        raise GenerateError(
            f"{weeks} weeks to a {goal.distance} race: a block to it has {least} to 52 weeks",
            f"start earlier (--start) or give --weeks {max(least, 8)} or more",
        )
    peak = weeks - taper
    downs: set[int] = set()
    if down_every >= 2:
        week = peak - (down_every - 1)
        while week >= 2:
            downs.add(week)
            week -= down_every
    if kept is not None and down_every >= 2:
        first, before = kept
        last = max(before, default=1)
        back = sorted(w for w in downs if w >= first and w > last)
        downs = set(before) | set(back)
        for mark, most in [*((b, down_every) for b in back), (peak, down_every - 1)]:
            while mark - last > most and last + down_every < peak:
                last += down_every
                downs.add(last)
            last = mark
    return BlockShape(start, weeks, peak, frozenset(downs))


def _race_step(goal: RaceGoal, profile: Profile, units: Units) -> tuple[str, float]:
    """The race as a step (`21.1km @half -- race`) and its estimated seconds."""
    km = goal.metres / 1000
    if goal.goal_s is not None:
        pace = goal.goal_s / km
        label = format_pace(pace, units, suffix=False)
        note = f"race: goal {format_duration_clock(goal.goal_s)}"
    elif goal.distance in profile.paces:
        pace = profile.paces[goal.distance].centre
        label, note = goal.distance, "race"
    else:
        easy = profile.paces.get("easy")
        pace = (easy.centre if easy else 360.0) * 0.8
        label, note = "", "race"
    target = f" @{label}" if label else ""
    return f"{format_distance(goal.metres, units)}{target} -- {note}", pace * km


@dataclass(frozen=True)
class _Planned:
    """One session of a race block: its day, kind and length."""

    date: dt.date
    kind: str  # easy, long, progression, shakeout, race
    seconds: float


def race_block_sessions(
    goal: RaceGoal,
    shape: BlockShape,
    profile: Profile,
    *,
    long_run_s: float,
    build: float,
    down_every: int,
    runs: int,
    settings: Settings,
) -> tuple[list[tuple[int, str, list[_Planned]]], float]:
    """Every week of the block (number, title, sessions) and the race's estimated seconds."""
    layout = DAY_LAYOUTS[runs]
    easy_runs = sum(1 for _, kind in layout if kind == "easy")
    sizes = block_weeks(shape.peak, long_run_s, build, down_every, easy_runs, downs=shape.downs)
    base = sizes[0]
    heaviest = max((w.total for w in sizes[:-1]), default=0.0)
    if sizes[-1].total <= heaviest:  # the peak week is the block's heaviest, whatever the rounding
        sizes[-1] = _week(heaviest + 300, base, down=False)
    peak_total = sizes[-1].total
    for share in TAPER[goal.distance]:
        sizes.append(_week(peak_total * share, base, down=False))
    long_days = settings.number("race-week", "long_days")
    hard_days = settings.number("race-week", "hard_days")
    _, race_s = _race_step(goal, profile, "km")
    race_total = race_s + RACE_WARMUP_S[goal.distance]

    def day_of(week: int, day: str) -> dt.date:
        week_start = shape.start + dt.timedelta(days=7 * (week - 1))
        return week_start + dt.timedelta(days=(WEEKDAYS.index(day) - week_start.weekday()) % 7)

    out: list[tuple[int, str, list[_Planned]]] = []
    for number, size in enumerate(sizes, start=1):
        planned: list[_Planned] = []
        for day, kind in layout:
            date = day_of(number, day)
            gap = (goal.date - date).days
            seconds = {"easy": size.easy_s, "long": size.long_s, "progression": size.progression_s}[kind]
            if kind == "long" and gap <= long_days:
                kind, seconds = "easy", min(size.easy_s, 3600.0)
            if kind == "progression" and gap <= hard_days:
                kind, seconds = "easy", size.easy_s
            planned.append(_Planned(date, kind, seconds))
        title = f"Week {number}"
        if size.down:
            title += " — down week"
        elif number == shape.peak:
            title += " — peak week"
        elif number > shape.peak:
            title += " — taper"
        out.append((number, title, planned))
    # The race week: short easy runs, a little quality if it is far enough from the race, a
    # shakeout the day before, the race, and nothing after it.
    number = shape.weeks
    before = [
        (day_of(number, day), kind) for day, kind in layout if day_of(number, day) < goal.date
    ]
    previous = sum(p.seconds for p in out[-1][2])
    budget = min(RACE_WEEK_SHARE * peak_total, previous * 1.25 - race_total)
    quality = [d for d, kind in before if kind == "progression" and (goal.date - d).days > hard_days]
    shakeout = [d for d, _ in before if (goal.date - d).days == 1]
    easy_days = [d for d, _ in before if d not in quality and d not in shakeout]
    left = budget - RACE_WEEK_QUALITY_S * len(quality) - SHAKEOUT_S * len(shakeout)
    if easy_days and left < 1200 * len(easy_days):
        quality, easy_days = [], easy_days + quality
        easy_days.sort()
        left = budget - SHAKEOUT_S * len(shakeout)
    easy_s = max(1200.0, min(2400.0, (left / len(easy_days)) // 300 * 300)) if easy_days else 0.0
    planned = [_Planned(d, "easy", easy_s) for d in easy_days]
    planned += [_Planned(d, "progression", RACE_WEEK_QUALITY_S) for d in quality]
    planned += [_Planned(d, "shakeout", SHAKEOUT_S) for d in shakeout]
    planned.append(_Planned(goal.date, "race", race_total))
    # The recovery: days off, then short easy runs, on the layout's days.
    off, easy = RECOVERY[goal.distance]
    first_easy = goal.date + dt.timedelta(days=off + 1)
    last = goal.date + dt.timedelta(days=off + easy)

    def recovery(week: int) -> list[_Planned]:
        return [
            _Planned(day_of(week, day), "easy", RECOVERY_RUN_S)
            for day, _ in layout
            if first_easy <= day_of(week, day) <= last
        ]

    planned += recovery(number)
    out.append((number, f"Week {number} — race week", sorted(planned, key=lambda p: p.date)))
    week = number + 1
    while shape.start + dt.timedelta(days=7 * (week - 1)) <= last:
        out.append((week, f"Week {week} — recovery", recovery(week)))
        week += 1
    return out, race_s


def race_block_plan(
    profile: Profile,
    goal: RaceGoal,
    *,
    weeks: int | None,
    start: dt.date | None,
    long_run_s: float,
    build: float,
    down_every: int,
    runs: int = 5,
    to: str = "marathon",
    name: str | None = None,
    units: Units = "km",
    settings: Settings | None = None,
    athletes: tuple[str, ...] = (),
    athlete: dict[str, object] | None = None,
    command: str = "",
    kept: tuple[int, frozenset[int]] | None = None,
) -> str:
    """A block built back from a race: base and build weeks with down weeks, the peak 2-3 weeks
    out, a taper, the race on its date and the rest after it (see docs/blocks.md).

    Every session has its own `date`, so `new block --update` can re-anchor the block when the
    race moves. `athlete` is written as the plan's `[athlete]` table (a goal's paces)."""
    settings = settings or Settings()
    _check_block_options(weeks or 12, runs, build, down_every, long_run_s)
    plan_progression(profile, units, duration_s=2700, to=to, settings=settings)
    shape = race_shape(goal, weeks, start, down_every, kept)
    planned, _ = race_block_sessions(
        goal,
        shape,
        profile,
        long_run_s=long_run_s,
        build=build,
        down_every=down_every,
        runs=runs,
        settings=settings,
    )
    title = name or f"{goal.title.removesuffix(' race')} {goal.date.isoformat()}"
    lines = [
        f"# {shape.weeks}-week block to the {goal.title.lower()} on {goal.date:%a %d %b %Y}, "
        f"written by `progsync new block`: {runs} runs a week,",
        f"# the peak in week {shape.peak}, a taper, the race, and the recovery after it.",
        "# Check it with `progsync check FILE`; edit freely, then `progsync push FILE`.",
    ]
    if command:
        lines.append(f"# Re-anchor it when the race moves: {command}")
    lines += [
        "",
        "[plan]",
        f"name = {_toml_string(title)}",
        "# The plan's stable id: keep it when you rename the plan, so a push updates the same",
        "# workouts instead of adding a second copy.",
        f'id = "{(slugify(title) or "block")[:48]}-{shape.start.isoformat()}"',
        f"start = {shape.start.isoformat()}",
        f'units = "{units}"',
    ]
    if athletes:
        squad = '"all"' if "all" in athletes else "[" + ", ".join(f'"{a}"' for a in athletes) + "]"
        lines.append(f"athletes = {squad}")
    if athlete:
        lines += ["", "[athlete]"]
        for key, value in athlete.items():
            if isinstance(value, dict):
                inner = ", ".join(f"{k} = {_toml_string(str(v))}" for k, v in value.items())
                lines.append(f"{key} = {{ {inner} }}")
            else:
                lines.append(f"{key} = {_toml_string(str(value))}")
    for _number, week_title, sessions in planned:
        lines += ["", f"# {week_title}"]
        if not sessions:
            lines.append("# (no running: rest)")
        for item in sessions:
            lines += ["", *race_session_lines(item, goal, profile, units, to, settings)]
    return "\n".join(lines) + "\n"


def race_session_lines(
    item: _Planned, goal: RaceGoal, profile: Profile, units: Units, to: str, settings: Settings
) -> list[str]:
    """One `[[session]]` table of a race block."""
    lines = ["[[session]]", f"date = {item.date.isoformat()}"]
    length = format_duration(item.seconds)
    if item.kind == "easy":
        lines += ['name = "Easy run"', f'steps = ["{length} @easy"]', 'tags = ["easy"]']
    elif item.kind == "shakeout":
        lines += [
            'name = "Shakeout"',
            f'steps = ["{length} @easy -- loose and short, the day before the race"]',
            'tags = ["easy"]',
        ]
    elif item.kind == "long":
        lines += [
            'name = "Long run"',
            f'steps = ["{length} @long -- steady, conversational"]',
            'tags = ["long"]',
        ]
    elif item.kind == "progression":
        spec = plan_progression(profile, units, duration_s=item.seconds, to=to, settings=settings)
        lines += [
            'name = "Progression run"',
            f"progression = {spec.table(units)}",
            'tags = ["quality", "progression"]',
        ]
    else:
        step, _ = _race_step(goal, profile, units)
        steps = [step]
        warmup = RACE_WARMUP_S[goal.distance]
        if warmup:
            steps.insert(0, f"{format_duration(warmup)} @easy -- warm-up")
        lines += [
            f"name = {_toml_string(goal.title)}",
            "steps = [" + ", ".join(_toml_string(s) for s in steps) + "]",
            f'tags = ["race", "{goal.distance}", "goal"]',
        ]
    return lines


def _check_block_options(
    weeks: int, runs: int, build: float, down_every: int, long_run_s: float
) -> None:
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
