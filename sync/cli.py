"""The `progsync` command line. Commands stay thin: they parse options and call plain functions.

Heavy modules (rich, requests, garminconnect, the FIT SDK) are imported inside the commands that
need them, so `progsync check` starts about as fast as the interpreter.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from progsync.workouts.errors import ProgsyncError

EXIT_CODES = """Exit codes: 0 ok · 1 some operations failed · 2 bad input · 3 authentication needed ·
4 another push holds the lock · 5 destination unreachable"""


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


def _config(ctx: click.Context) -> Any:
    from .config import load_config

    return load_config(ctx.obj.get("config_path"))


def _print_issues(issues: list[Any], stream: Any = None) -> None:
    for issue in issues:
        color = "yellow" if issue.severity == "warning" else "red"
        click.secho(issue.render(), fg=color, err=True)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def check(ctx: click.Context, files: tuple[str, ...], strict: bool, as_json: bool) -> int:
    """Parse and resolve plan FILES; report errors and warnings."""
    from .commands import check_plans

    report = check_plans(files, _config(ctx), strict=strict)
    if as_json:
        import json

        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        _print_issues(report.issues)
        for line in report.summary_lines():
            click.echo(line)
    return report.exit_code


@cli.command()
@click.argument("file")
@click.option("--session", "which", help="Only sessions whose name contains NAME, or on DATE.")
@click.option("--json", "as_json", is_flag=True, help="Print the resolved model as JSON.")
@click.pass_context
def show(ctx: click.Context, file: str, which: str | None, as_json: bool) -> int:
    """Show each session of FILE step by step, with resolved targets and an intensity profile."""
    from .commands import select_sessions
    from .loading import load_plans

    loaded = load_plans([file], _config(ctx))
    sessions = select_sessions(loaded.sessions, which)
    if as_json:
        import json

        from progsync.workouts.model import to_jsonable

        click.echo(json.dumps({"sessions": to_jsonable(sessions)}, indent=2))
        return 0
    from rich.console import Console

    from .render import session_table

    console = Console()
    profile = loaded.plans[0].profile
    for session in sessions:
        console.print(session_table(session, profile))
        console.print()
    _print_issues(loaded.warnings)
    return 0


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["fit", "garmin-json", "intervals"]),
    multiple=True,
    default=["fit"],
    show_default=True,
    help="Output format; repeat for several.",
)
@click.option("-o", "--output", "out_dir", default=".", type=click.Path(file_okay=False), help="Folder to write into.")
@click.pass_context
def export(ctx: click.Context, files: tuple[str, ...], formats: tuple[str, ...], out_dir: str) -> int:
    """Write each session of FILES as YYYY-MM-DD_<slug>.<ext> files."""
    from pathlib import Path

    from .export import export_sessions
    from .loading import load_plans

    loaded = load_plans(files, _config(ctx))
    _print_issues(loaded.warnings)
    result = export_sessions(loaded, list(formats), Path(out_dir))  # type: ignore[arg-type]
    for warning in result.warnings:
        click.secho(f"warning: {warning}", fg="yellow", err=True)
    for path in result.written:
        click.echo(f"wrote {path}")
    return 0


def main() -> None:
    """Entry point: run the CLI and render our own errors once, without a traceback."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except ProgsyncError as exc:
        click.secho(exc.render(), fg="red", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
