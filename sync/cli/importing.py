"""`progsync import`: workouts people already have (FIT, Garmin Connect JSON, Intervals.icu text
or event JSON, Zwift `.zwo`), the workouts on an Intervals.icu or Garmin Connect calendar, or
their saved workouts (`--library`), written as a plan in the workout language (docs/import.md).
"""

from __future__ import annotations

import click

from progsync.sync.cli.base import _config, _date, _plan_option, _visible, cli
from progsync.sync.cli.new import _write_new
from progsync.sync.settings.config import SERVICES


@cli.command(name="import")
@click.argument("files", nargs=-1)
@click.option(
    "--from",
    "service",
    type=click.Choice(SERVICES),
    default=None,
    help="Read the workouts on this service's calendar (or library) instead of files.",
)
@click.option("--from-date", default=None, help="First calendar date to read (YYYY-MM-DD).")
@click.option("--until", default=None, help="Last calendar date to read (YYYY-MM-DD).")
@click.option(
    "--library",
    is_flag=True,
    help="With --from: read the saved workouts (no dates) instead of the calendar.",
)
@click.option(
    "-o", "--output", default=None, help="Write the plan to this file (default: print it)."
)
@click.option("--name", default=None, help="The plan's name (default: Imported workouts; from a calendar, the service and the dates).")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@_plan_option
@click.pass_context
def import_cmd(
    ctx: click.Context,
    files: tuple[str, ...],
    output: str | None,
    name: str | None,
    force: bool,
    plan_file: str | None,
    service: str | None,
    from_date: str | None,
    until: str | None,
    library: bool,
) -> int:
    """Read workouts (FIT, Garmin Connect JSON, Intervals.icu text or JSON, Zwift .zwo), a
    calendar's (--from intervals|garmin with --from-date and --until) or the saved workouts
    (--from intervals|garmin --library) into a plan in the workout language (docs/import.md)."""
    from progsync.sync.app.importing import import_calendar, import_files, import_library

    if service is None and (library or from_date or until):
        raise click.UsageError("--library, --from-date and --until read a service: add --from")
    if service is not None and files:
        raise click.UsageError("give files or --from, not both")
    if service is not None and library:
        if from_date or until:
            raise click.UsageError(
                "--library reads the saved workouts, which have no dates: "
                "leave out --from-date and --until"
            )
        result = import_library(_config(ctx), service, plan_file=plan_file, name=name)
    elif service is not None:
        first, last = _date(from_date, "--from-date"), _date(until, "--until")
        if first is None or last is None:
            raise click.UsageError(
                "--from needs --from-date and --until (YYYY-MM-DD), or --library"
            )
        result = import_calendar(_config(ctx), service, first, last, plan_file=plan_file, name=name)
    elif not files:
        raise click.UsageError("give workout files, or --from intervals|garmin with dates")
    else:
        result = import_files(_config(ctx), files, plan_file=plan_file, name=name)
    for item in result.lost:
        click.secho(_visible(f"warning: {item}"), fg="yellow", err=True)
    if output is None:
        click.echo(result.text, nl=False)
    else:
        _write_new(output, result.text, force)
        noun = "workouts" if library else "sessions"
        click.echo(f"wrote {output}: {result.sessions} {noun}")
    return 0
