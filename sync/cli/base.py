"""What every command shares: the `progsync` click group, the common options (`--athlete`,
`--to`, `--history`, `--plan`, `--race`), the config of the invocation, and small parsing
helpers. Commands live in the modules beside this one, one module per family; they parse options
and call one function of `progsync.sync.app`, then hand the result to `progsync.sync.views`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from progsync.sync.settings.config import Config

EXIT_CODES = """Exit codes: 0 ok · 1 some operations failed · 2 bad input · 3 authentication needed ·
4 another push holds the lock · 5 destination unreachable · 6 a disk refused a write"""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("progsync")
    except PackageNotFoundError:
        return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="PROGSYNC_CONFIG",
    help="Config file (default: the user config dir's config.toml).",
)
@click.version_option(package_name="progsync", message="progsync %(version)s")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Write running workouts in TOML; push them to Garmin Connect, Intervals.icu or a watch."""
    ctx.obj = {"config_path": config_path}


def _config(ctx: click.Context) -> Config:
    from progsync.sync.settings.config import load_config

    return load_config(ctx.obj.get("config_path"))


def _print_issues(issues: list[Any]) -> None:
    for issue in issues:
        color = {"warning": "yellow", "note": None}.get(issue.severity, "red")
        click.secho(_visible(issue.render()), fg=color, err=True)


def _visible(text: str) -> str:
    """Plan or service text for a plain line: control characters shown (`runner.visible`)."""
    from progsync.sync.views.text import visible

    return visible(text, lines=True)


_athlete_option = click.option(
    "--athlete",
    "athletes",
    multiple=True,
    metavar="NAME",
    help="Coach mode: for this athlete of the [athletes] roster (repeatable, or `all`).",
)


_history_option = click.option(
    "--history",
    multiple=True,
    metavar="FILE",
    help="Earlier weeks' plan files (repeatable, globs fine): they inform the week rules.",
)


def _date(value: str | None, option: str | None = None) -> dt.date | None:
    """The date `value` names; a bad one is a usage error naming `option` when given."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"'{value}' is not a date (YYYY-MM-DD)", param_hint=f"'{option}'" if option else None
        ) from None


_to_option = click.option(
    "--to",
    "to",
    multiple=True,
    metavar="DEST",
    help="intervals, garmin, folder:PATH or ics:FILE (repeatable; default: [push] to, else the outbox folder).",
)


def _members(
    ctx: click.Context, names: tuple[str, ...], files: tuple[str, ...] = ()
) -> list[tuple[str | None, Any]]:
    """(athlete, config) pairs: one per selected athlete (`--athlete`, else the plan's
    `[plan] athletes`), or (None, the config) without any (see `squad.members`)."""
    config = _config(ctx)
    if not names and not files:
        return [(None, config)]
    from progsync.sync.app.squad import members

    return members(config, names, files)


_race_option = click.option(
    "--race", metavar="RESULT", help='A recent race, e.g. "10k 41:30": derives missing paces.'
)
_plan_option = click.option(
    "--plan", "plan_file", metavar="FILE", help="Use this plan's [athlete] over the config's."
)


def _peek_text(path: str) -> str:
    from progsync.sync.cli.runner import _peek

    return _peek(path)
