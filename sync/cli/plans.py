"""Commands on plan files that touch no account: `check`, `show`, `export`, `report`, `explain`, `profile`.
"""

from __future__ import annotations

from typing import Any

import click

from progsync.sync.cli.base import (
    _athlete_option,
    _config,
    _history_option,
    _members,
    _plan_option,
    _print_issues,
    _race_option,
    _visible,
    cli,
)
from progsync.workouts.errors import Issue


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@_history_option
@click.option(
    "--history-from",
    metavar="SOURCE",
    help="Judge the week rules on what was actually run before the plan: intervals, garmin "
    "or folder:PATH (as review --from).",
)
@_athlete_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def check(
    ctx: click.Context,
    files: tuple[str, ...],
    strict: bool,
    history: tuple[str, ...],
    history_from: str | None,
    athletes: tuple[str, ...],
    as_json: bool,
) -> int:
    """Parse and resolve plan FILES; report errors, warnings and coaching advice."""
    from progsync.sync.cli.runner import CheckArgs, run_check

    args = CheckArgs()
    args.config_path = ctx.obj.get("config_path")
    args.files, args.history = list(files), list(history)
    args.strict, args.as_json = strict, as_json
    args.athletes = list(athletes)
    args.history_from = history_from
    return run_check(args)


@cli.command()
@click.argument("file")
@click.option("--session", "which", help="Only sessions whose name contains NAME, or on DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the resolved model as JSON.")
@click.option(
    "--watch", "as_watch", is_flag=True, help="Show each session as the watch will guide it."
)
@_athlete_option
@click.pass_context
def show(
    ctx: click.Context,
    file: str,
    which: str | None,
    as_json: bool,
    as_watch: bool,
    athletes: tuple[str, ...],
) -> int:
    """Show each session of FILE step by step, with resolved targets and an intensity profile."""
    members = _members(ctx, athletes, (file,))
    for member, config in members:
        if member is not None and not as_json:
            click.secho(f"== {member} ==", bold=True)
        _show_one(file, config, which, as_json, as_watch)
    return 0


def _show_one(file: str, config: Any, which: str | None, as_json: bool, as_watch: bool) -> None:
    from progsync.sync.app.loading import load_plans
    from progsync.sync.app.plans import select_sessions

    loaded = load_plans([file], config)
    sessions = select_sessions(loaded.sessions, which)
    if as_json:
        import json

        from progsync.workouts.model import to_jsonable

        click.echo(json.dumps({"sessions": to_jsonable(sessions)}, indent=2))
        return
    if as_watch:
        from progsync.sync.views.render import watch_screens

        for session in sessions:
            click.echo("\n".join(watch_screens(session)) + "\n")
        _print_issues([*loaded.notes, *loaded.warnings])
        return
    from rich.console import Console

    from progsync.sync.views.render import pace_sources_line, session_table

    console = Console()
    profile = loaded.plans[0].profile
    click.echo(pace_sources_line(profile, loaded.plans[0].plan.units) + "\n")
    for session in sessions:
        console.print(session_table(session, profile))
        console.print()
    _print_issues([*loaded.notes, *loaded.warnings])


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["fit", "garmin-json", "intervals", "zwo", "ics"]),
    multiple=True,
    default=["fit"],
    show_default=True,
    help="Output format; repeat for several. ics: one calendar file of every session.",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    default=".",
    type=click.Path(),
    help="Folder to write into (with --format ics, a FILE.ics is the calendar file itself).",
)
@_athlete_option
@click.pass_context
def export(
    ctx: click.Context,
    files: tuple[str, ...],
    formats: tuple[str, ...],
    out_dir: str,
    athletes: tuple[str, ...],
) -> int:
    """Write each session of FILES as YYYY-MM-DD_<slug>.<ext> files (ics: one calendar file).

    In coach mode each athlete's files go to a folder of their own under -o (`out/anna/`), or
    to `plan-anna.ics` when -o names one .ics file."""
    from pathlib import Path

    from progsync.sync.app.export import calendar_path, export_calendar, export_sessions
    from progsync.sync.app.loading import load_plans

    for member, config in _members(ctx, athletes, files):
        loaded = load_plans(files, config)
        _print_issues([*loaded.notes, *loaded.warnings])
        out = Path(out_dir)
        if member is not None:
            is_file = out.suffix.lower() == ".ics"
            out = out.with_name(f"{out.stem}-{member}{out.suffix}") if is_file else out / member
        per_session = [f for f in formats if f != "ics"]
        if "ics" in formats and per_session and out.suffix.lower() == ".ics":
            raise click.BadParameter(
                "-o names one .ics file, but other formats need a folder", param_hint="'-o'"
            )
        if per_session:
            result = export_sessions(loaded, per_session, out)  # type: ignore[arg-type]
            for warning in result.warnings:
                click.secho(_visible(f"warning: {warning}"), fg="yellow", err=True)
            for path in result.written:
                click.echo(f"wrote {path}")
        if "ics" in formats:
            written = export_calendar(loaded, calendar_path(loaded, out))
            click.echo(f"wrote {written}: {len(loaded.sessions)} events")
    return 0


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(dir_okay=False),
    help="HTML file to write (default: the first plan's name with .html, here).",
)
@click.option("--title", help="Heading of the page (default: the plan's name).")
@click.option("--open", "open_it", is_flag=True, help="Open the page in a browser afterwards.")
@click.option(
    "--from",
    "source",
    metavar="SOURCE",
    help="Draw what was run over the plan: activities from folder:PATH, intervals or garmin "
    "(as `review`; read-only).",
)
@_athlete_option
@click.pass_context
def report(
    ctx: click.Context,
    files: tuple[str, ...],
    output: str | None,
    title: str | None,
    open_it: bool,
    source: str | None,
    athletes: tuple[str, ...],
) -> int:
    """Write FILES as one self-contained HTML page: calendar, profiles, totals, warnings."""
    from pathlib import Path

    from progsync.sync.app.loading import load_plans
    from progsync.sync.views.report import write_report

    members = _members(ctx, athletes, files)
    for member, config in members:
        loaded = load_plans(files, config)
        path = Path(output) if output else Path(f"{Path(files[0]).stem}.html")
        if member and len(members) > 1:
            path = path.with_name(f"{path.stem}-{member}{path.suffix or '.html'}")
        _print_issues([*loaded.notes, *loaded.warnings])
        heading = title or (f"{member}: {loaded.plans[0].plan.name}" if member else None)
        review = None
        if source:
            from progsync.sync.app.review import ReviewArgs, compute

            args = ReviewArgs(files=list(files), source=source)
            outcome = compute(args, config, loaded)
            _print_issues([w for w in outcome.warnings if w not in loaded.warnings])
            review = outcome.review
        written = write_report(loaded, path, heading, config.checks, review)
        click.echo(f"wrote {written}")
        if open_it:
            import webbrowser

            url = written.resolve().as_uri()
            # webbrowser.open is False when no browser could be started (a server, a container).
            if not webbrowser.open(url):
                click.echo(
                    f"no browser could be opened here; open the page yourself:\n  {url}", err=True
                )
    return 0


@cli.command()
@click.argument("rule", required=False)
def explain(rule: str | None) -> int:
    """Explain coaching RULE: why it exists, its defaults and how to tune it (no RULE: list)."""
    from progsync.workouts.rules import ADAPT_RULES, RULES
    from progsync.workouts.rules import EXPLAINED as RULES_BY_CODE
    from progsync.workouts.rules import explain as explain_rule

    if rule is None:
        click.echo("Coaching rules (progsync explain RULE for details):")
        for item in RULES:
            click.echo(f"  {item.code:<32}{item.title}")
        click.echo("Rules of progsync adapt:")
        for item in ADAPT_RULES:
            click.echo(f"  {item.code:<32}{item.title}")
        return 0
    if rule not in RULES_BY_CODE:
        from progsync.workouts.errors import InputError, did_you_mean

        raise InputError(
            [
                Issue(
                    f"no coaching rule '{rule}'",
                    hint=did_you_mean(rule, RULES_BY_CODE)
                    or next(
                        (f"did you mean '{c}'?" for c in RULES_BY_CODE if rule.lower() in c),
                        "rules: " + ", ".join(RULES_BY_CODE),
                    ),
                )
            ]
        )
    click.echo(explain_rule(rule))
    return 0


@cli.command()
@_plan_option
@_race_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def profile(ctx: click.Context, plan_file: str | None, race: str | None, as_json: bool) -> int:
    """Print the athlete's paces (with VDOT-derived ones), heart-rate zones and power."""
    from progsync.sync.app.plans import athlete_profile
    from progsync.sync.views.render import profile_lines

    athlete, units, _ = athlete_profile(_config(ctx), plan_file, race)
    if as_json:
        import json

        from progsync.workouts.model import to_jsonable

        paces = {
            name: {
                "slow": round(p.slow, 1),
                "fast": round(p.fast, 1),
                "derived": name in athlete.derived,
            }
            for name, p in athlete.paces.items()
        }
        zones = [athlete.hr_zone(z) for z in range(1, 6)] if athlete.hr_zone(1) else None
        doc = {
            "units": "s/km",
            "paces": paces,
            "race": athlete.race,
            "max_hr": athlete.max_hr,
            "lthr": athlete.lthr,
            "hr_zones": to_jsonable(zones),
            "ftp": athlete.ftp,
        }
        click.echo(json.dumps(doc, indent=2))
        return 0
    if not athlete.paces:
        click.echo(
            "No paces yet: set [athlete] paces in the config, or give a race result "
            '(race = "10k 41:30" there, or --race here).'
        )
    for line in profile_lines(athlete, units):
        click.echo(line)
    return 0
