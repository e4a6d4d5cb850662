"""`progsync new`: generators that write sessions and blocks in the language (`new progression`,
`new block`, to a race with `--race` / `--race-from`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from progsync.sync.cli.base import (
    _athlete_option,
    _config,
    _date,
    _members,
    _plan_option,
    _print_issues,
    _race_option,
    cli,
)
from progsync.sync.settings.config import SERVICES, Config
from progsync.workouts.errors import Issue

if TYPE_CHECKING:
    from progsync.workouts.generate import RaceGoal


@cli.group()
def new() -> None:
    """Write new sessions and plans, sized for the athlete and passing the coaching checks."""


def _report_squad(
    ctx: click.Context, text: str, filename: str, profiles: list[Any], squad: list[Any]
) -> int:
    """The coaching warnings of a generated plan, for each athlete it was written for."""
    for (who, _profile, _units, data), (_who, config) in zip(profiles, squad, strict=True):
        if who is not None:
            click.echo(f"{who}:", err=True)
        _report_generated(ctx, text, filename, data, config)
    return 0


def _report_generated(
    ctx: click.Context, text: str, filename: str, athlete: Any, config: Any = None
) -> int:
    from progsync.sync.app.plans import check_text

    issues = check_text(text, filename, config or _config(ctx), athlete)
    if issues:
        _print_issues(issues)
        click.secho(
            f"{len(issues)} coaching warning(s): adjust the options, or tune [checks].",
            fg="yellow",
            err=True,
        )
    return 0


def _seconds(value: str, option: str) -> float:
    from progsync.workouts.errors import StepSyntaxError
    from progsync.workouts.units import parse_duration

    try:
        return parse_duration(value)
    except StepSyntaxError as exc:
        hint = exc.hint or ""
        if value.strip().lower().endswith("m") and value.strip()[:-1].strip().isdigit():
            hint = f"m is metres; for minutes write {value.strip()[:-1].strip()}min"
        raise click.BadParameter(
            f"'{value}': {exc.message}" + (f" ({hint})" if hint else ""), param_hint=option
        ) from None


def _share(value: str, option: str) -> float:
    from progsync.workouts.progression import parse_share

    try:
        return parse_share(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a share, e.g. 50%", param_hint=option) from None


@new.command(name="progression")
@click.option("--duration", help="Length of the run, e.g. 60min (or --distance).")
@click.option("--distance", help="Length of the run, e.g. 12km.")
@click.option("--to", "to", default="marathon", show_default=True, help="Finishing pace.")
@click.option("--from", "start", default="easy", show_default=True, help="Opening pace.")
@click.option("--stages", type=click.IntRange(1, 12), help="Stages (default: fewest that pass).")
@click.option(
    "--easy", default="50%", show_default=True, help="Share of the run at the opening pace."
)
@click.option("--day", default="tue", show_default=True, help="Day to write in the session.")
@_plan_option
@_race_option
@click.pass_context
def new_progression(
    ctx: click.Context,
    duration: str | None,
    distance: str | None,
    to: str,
    start: str,
    stages: int | None,
    easy: str,
    day: str,
    plan_file: str | None,
    race: str | None,
) -> int:
    """Print a ready-to-paste progression session for the athlete's profile."""
    from progsync.sync.app.plans import athlete_profile
    from progsync.workouts.generate import (
        plan_progression,
        progression_session,
        progression_snippet,
    )
    from progsync.workouts.rules import parse_settings
    from progsync.workouts.units import parse_distance

    config = _config(ctx)
    athlete, units, data = athlete_profile(config, plan_file, race)
    metres = None
    if distance is not None:
        from progsync.workouts.errors import StepSyntaxError

        try:
            metres = parse_distance(distance, units)
        except StepSyntaxError as exc:
            raise click.BadParameter(exc.message, param_hint="--distance") from None
    spec = plan_progression(
        athlete,
        units,
        duration_s=_seconds(duration, "--duration") if duration else None,
        distance_m=metres,
        start=start,
        to=to,
        stages=stages,
        easy=_share(easy, "--easy"),
        settings=parse_settings(config.checks),
    )
    click.echo(progression_snippet(spec, athlete, units, day), nl=False)
    plan = f'[plan]\nname = "new progression"\nstart = 2026-01-05\nunits = "{units}"\n'
    session = progression_session(spec, units, day)
    return _report_generated(ctx, plan + session, "<new progression>", data)


@new.command(name="block")
@click.option(
    "--weeks",
    type=click.IntRange(1, 52),
    help="Weeks in the block (default 8; to a race: 12, the race week the last before recovery).",
)
@click.option(
    "--start", "start", help="First day of week 1 (YYYY-MM-DD); to a race: from here to race day."
)
@click.option(
    "--long-run",
    help="Week 1's long run (default 80min; to a race 60min for a 5k, 70min 10k, 80min half, "
    "100min marathon).",
)
@click.option("--build", default="10%", show_default=True, help="Weekly volume increase.")
@click.option(
    "--down-every",
    type=click.IntRange(0, 52),
    default=4,
    show_default=True,
    help="Every Nth week is a down week (0: none).",
)
@click.option(
    "--runs", type=click.IntRange(3, 7), default=5, show_default=True, help="Runs a week."
)
@click.option("--to", "to", default="marathon", show_default=True, help="Progression finish pace.")
@click.option("--name", help="The plan's name (default: Build block, or the race and its day).")
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    help="Write to FILE (default: print).",
)
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@_plan_option
@click.option(
    "--race",
    metavar="RACE",
    help='The race to build to, "half 2027-03-14" or with a goal time "half 2027-03-14 1:32:00" '
    '(5k, 10k, half, marathon); or a recent result, "10k 41:30", that only derives paces.',
)
@click.option(
    "--race-from",
    type=click.Choice(SERVICES),
    help="Build to the next race on this calendar (Intervals.icu RACE_A, then B, C; Garmin race "
    "events).",
)
@click.option(
    "--update",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Re-anchor this block to the race's day; the sessions before today stay as they are.",
)
@_athlete_option
@click.pass_context
def new_block(
    ctx: click.Context,
    weeks: int | None,
    start: str | None,
    long_run: str | None,
    build: str,
    down_every: int,
    runs: int,
    to: str,
    name: str | None,
    output: str | None,
    force: bool,
    plan_file: str | None,
    race: str | None,
    race_from: str | None,
    update: str | None,
    athletes: tuple[str, ...],
) -> int:
    """Write a multi-week plan: easy runs, a progression and a long run each week.

    To a race (--race "half 2027-03-14", or --race-from intervals|garmin) the block is built
    back from race day: base and build weeks with down weeks, the peak 2-3 weeks out, a taper,
    the race, and the rest after it (docs/blocks.md).

    With --athlete (coach mode) the plan names the squad and is checked on each athlete's
    profile; a stage no athlete's paces can reach is an error naming that athlete. With
    --race-from each athlete gets a block to their own race (one file each)."""
    from progsync.sync.app.plans import athlete_profile
    from progsync.workouts.generate import GenerateError, block_plan, parse_race_goal
    from progsync.workouts.rules import parse_settings

    goal = parse_race_goal(race) if race else None
    if goal is not None or race_from or update:
        return _race_block(
            ctx,
            goal,
            race_from=race_from,
            update=update,
            weeks=weeks,
            start=start,
            long_run=long_run,
            build=build,
            down_every=down_every,
            runs=runs,
            to=to,
            name=name,
            output=output,
            force=force,
            plan_file=plan_file,
            athletes=athletes,
        )
    if start is None:
        raise click.UsageError(
            'give --start (the first day of week 1), or a race: --race "half 2027-03-14"'
        )
    first_day = _date(start)
    assert first_day is not None  # --start was given: checked above
    weeks = weeks or 8
    squad = _members(ctx, athletes)
    profiles = [(m, *athlete_profile(c, plan_file, race)) for m, c in squad]
    _first, athlete, units, _data = profiles[0]
    for who, profile, _units, _data in profiles if athletes else []:
        from progsync.workouts.generate import plan_progression

        try:
            plan_progression(profile, units, duration_s=2700, to=to, settings=None)
        except GenerateError as exc:
            hint = (exc.hint or "").replace("[athlete]", f"[athletes.{who}]")
            raise GenerateError(f"{who}: {exc.message}", hint or None) from None
    config = squad[0][1]
    text = block_plan(
        athlete,
        athletes=athletes,
        weeks=weeks,
        start=first_day,
        long_run_s=_seconds(long_run or "80min", "--long-run"),
        build=_share(build, "--build"),
        down_every=down_every,
        runs=runs,
        to=to,
        name=name or "Build block",
        units=units,
        race=race,
        settings=parse_settings(config.checks),
    )
    if output is None:
        click.echo(text, nl=False)
        return _report_squad(ctx, text, "<new block>", profiles, squad)
    _write_new(output, text, force)
    click.echo(f"wrote {output}: {weeks} weeks, {weeks * runs} sessions")
    return _report_squad(ctx, text, output, profiles, squad)


def _write_new(output: str, text: str, force: bool) -> None:
    from pathlib import Path

    path = Path(output)
    if path.exists() and not force:
        from progsync.workouts.errors import InputError

        raise InputError(
            [Issue(f"{output} exists", hint="choose another file, or add --force to replace it")]
        )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        from progsync.sync.app.export import write_error

        raise write_error(path, exc) from None


def _kept_downs(path: Any, start: Any, day: Any) -> tuple[int, frozenset[int]]:
    """The first week a re-anchored block writes again (today's), and the down weeks before it
    (from the block's `# Week N — down week` headers)."""
    import re

    first = (day - start).days // 7 + 2  # today's week keeps its kind
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    downs = {int(n) for n in re.findall(r"^# Week (\d+) — down week", text, re.MULTILINE)}
    return first, frozenset(w for w in downs if w < first)


def _calendar_goal(service: str, config: Config, who: str | None) -> RaceGoal:
    """The next race on the athlete's calendar (a year ahead), as a RaceGoal."""
    import datetime as dt

    from progsync.sync.services.races import calendar_races, next_race
    from progsync.sync.settings.config import today
    from progsync.workouts.errors import InputError
    from progsync.workouts.generate import RaceGoal

    label = {"intervals": "Intervals.icu", "garmin": "Garmin Connect"}[service]
    first = today()
    found = next_race(calendar_races(service, config, first, first + dt.timedelta(days=365)))
    whose = f"{who}'s " if who else "the "
    if found is None:
        raise InputError(
            [
                Issue(
                    f"no race on {whose}{label} calendar from {first.isoformat()} to a year ahead",
                    hint="enter the race there (Intervals.icu: a RACE_A, RACE_B or RACE_C event;"
                    ' Garmin Connect: a race event), or give it: --race "half 2027-03-14"',
                )
            ]
        )
    if found.distance is None:
        raise InputError(
            [
                Issue(
                    f"the race '{found.name}' on {found.day.isoformat()} ({found.where}) has no "
                    "distance progsync can tell",
                    hint=f'give it: --race "half {found.day.isoformat()}" (5k, 10k, half or '
                    "marathon)",
                )
            ]
        )
    return RaceGoal(found.distance, found.day, None, f"{found.name}")


def _race_block(
    ctx: click.Context,
    goal: Any,
    *,
    race_from: str | None,
    update: str | None,
    weeks: int | None,
    start: str | None,
    long_run: str | None,
    build: str,
    down_every: int,
    runs: int,
    to: str,
    name: str | None,
    output: str | None,
    force: bool,
    plan_file: str | None,
    athletes: tuple[str, ...],
) -> int:
    """`new block` to a race: one block for the squad (or the athlete), or with --race-from in
    coach mode one block per athlete, to that athlete's race; --update re-anchors a file."""
    from pathlib import Path

    from progsync.sync.app.plans import athlete_profile, block_start, reanchor
    from progsync.sync.settings.config import today
    from progsync.workouts.generate import (
        RACE_LONG_RUN_S,
        GenerateError,
        goal_paces,
        race_block_plan,
    )
    from progsync.workouts.profile import ProfileError, build_profile
    from progsync.workouts.rules import parse_settings

    if goal is None and not race_from:
        raise click.UsageError('--update needs the race: --race "half 2027-03-14" or --race-from')
    squad = _members(ctx, athletes)
    if update and len(squad) > 1:
        raise click.UsageError("--update re-anchors one athlete's block: give one --athlete")
    first_day = block_start(Path(update)) if update else _date(start)
    goals = [goal if goal is not None else _calendar_goal(str(race_from), c, m) for m, c in squad]
    # One file for the squad when everyone races the same race; else one file each.
    groups: list[tuple[list[tuple[str | None, Any]], Any]] = []
    if all(g == goals[0] for g in goals) or not athletes:
        groups.append((squad, goals[0]))
    else:
        groups.extend(([member], g) for member, g in zip(squad, goals, strict=True))
    written: list[str] = []
    for members, target in groups:
        profiles = [(m, *athlete_profile(c, plan_file)) for m, c in members]
        who, athlete, units, data = profiles[0]
        extra: dict[str, object] = {}
        paces = goal_paces(target, units)
        if paces:
            extra = {"race": target.result(), "paces": paces}
            try:
                # The goal's quality paces over the athlete's own (easy and recovery kept).
                merged = {**data, "race": extra["race"], "paces": {**(data.get("paces") or {}), **paces}}
                athlete = build_profile(merged, units)
            except ProfileError as exc:
                raise GenerateError(str(exc)) from None
        for member, profile, _units, _data in profiles if athletes else []:
            from progsync.workouts.generate import plan_progression

            try:
                plan_progression(profile, units, duration_s=2700, to=to, settings=None)
            except GenerateError as exc:
                hint = (exc.hint or "").replace("[athlete]", f"[athletes.{member}]")
                raise GenerateError(f"{member}: {exc.message}", hint or None) from None
        names = tuple(m for m, _ in members if m is not None)
        squad_names = athletes if len(groups) == 1 else names
        command = ""
        if race_from:
            command = f"progsync new block --race-from {race_from} --update FILE"
            if names and len(groups) > 1:
                command += f" --athlete {names[0]}"
        text = race_block_plan(
            athlete,
            target,
            weeks=None if first_day is not None else weeks,
            start=first_day,
            long_run_s=_seconds(long_run, "--long-run")
            if long_run
            else RACE_LONG_RUN_S[target.distance],
            build=_share(build, "--build"),
            down_every=down_every,
            runs=runs,
            to=to,
            name=name,
            units=units,
            settings=parse_settings(members[0][1].checks),
            athletes=squad_names,
            athlete=extra if not squad_names else None,
            command=command,
            kept=_kept_downs(Path(update), first_day, today()) if update else None,
        )
        if update:
            path = Path(update)
            from progsync.workouts.source import read_source

            try:
                old = read_source(path)
                text = reanchor(old, text, today(), block_start(path))
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                from progsync.sync.app.export import write_error

                raise write_error(path, exc) from None
            click.echo(
                f"re-anchored {update} to '{target.title}' on {target.date:%a %d %b %Y}; "
                f"the sessions before {today().isoformat()} are as they were"
            )
            _report_squad(ctx, text, update, profiles, [(m, c) for m, c in members])
            continue
        target_file = output
        if output and len(groups) > 1 and who is not None:
            base = Path(output)
            target_file = str(base.with_name(f"{base.stem}-{who}{base.suffix}"))
        if target_file is None:
            if len(groups) > 1:
                click.echo(f"# ---- {who}: {target.title} on {target.date.isoformat()} ----")
            click.echo(text, nl=False)
            _report_squad(ctx, text, "<new block>", profiles, [(m, c) for m, c in members])
            continue
        _write_new(target_file, text, force)
        written.append(target_file)
        sessions = text.count("[[session]]")
        click.echo(
            f"wrote {target_file}: {sessions} sessions to '{target.title}' on "
            f"{target.date:%a %d %b %Y}" + (f" ({who})" if who and len(groups) > 1 else "")
        )
        _report_squad(ctx, text, target_file, profiles, [(m, c) for m, c in members])
    return 0
