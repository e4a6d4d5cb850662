"""The `progsync` command line. Commands stay thin: they parse options and call plain functions.

Heavy modules (rich, requests, garminconnect, the FIT SDK) are imported inside the commands that
need them, so `progsync check` starts about as fast as the interpreter.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from progsync.workouts.errors import Issue

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


def _config(ctx: click.Context) -> Any:
    from .config import load_config

    return load_config(ctx.obj.get("config_path"))


def _print_issues(issues: list[Any]) -> None:
    for issue in issues:
        color = {"warning": "yellow", "note": None}.get(issue.severity, "red")
        click.secho(_visible(issue.render()), fg=color, err=True)


def _visible(text: str) -> str:
    """Plan or service text for a plain line: control characters shown (`runner.visible`)."""
    from .runner import visible

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
    from .runner import CheckArgs, run_check

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
    from .commands import select_sessions
    from .loading import load_plans

    loaded = load_plans([file], config)
    sessions = select_sessions(loaded.sessions, which)
    if as_json:
        import json

        from progsync.workouts.model import to_jsonable

        click.echo(json.dumps({"sessions": to_jsonable(sessions)}, indent=2))
        return
    if as_watch:
        from .render import watch_screens

        for session in sessions:
            click.echo("\n".join(watch_screens(session)) + "\n")
        _print_issues([*loaded.notes, *loaded.warnings])
        return
    from rich.console import Console

    from .render import pace_sources_line, session_table

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

    from .export import calendar_path, export_calendar, export_sessions
    from .loading import load_plans

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

    from .loading import load_plans
    from .report import write_report

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
            from .review import ReviewArgs, compute

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


def _date(value: str | None) -> Any:
    if value is None:
        return None
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (YYYY-MM-DD)") from None


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
    from .squad import members

    return members(config, names, files)


def _sync_options(func: Any) -> Any:
    func = click.option("--until", "until", help="Last date to touch (YYYY-MM-DD).")(func)
    func = click.option("--from", "start", help="First date to touch (default: today).")(func)
    func = click.option("--window", help="Only sessions from today to today+N days, e.g. 14d.")(
        func
    )
    func = click.option(
        "--delete-past",
        is_flag=True,
        default=None,
        help="Also delete removed sessions on past dates.",
    )(func)
    func = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")(func)
    func = click.option("--strict", is_flag=True, help="Refuse to push while any warning stands.")(
        func
    )
    func = _history_option(func)
    func = click.option(
        "--max-delete",
        type=click.IntRange(0),
        default=None,
        metavar="N",
        help="Allow up to N deletions (default: refuse to delete all, or most, of a plan).",
    )(func)
    func = click.option(
        "--adopt",
        multiple=True,
        metavar="PLAN",
        help="Take over PLAN's workouts (a renamed plan): they are replaced by this plan's.",
    )(func)
    func = click.option(
        "--trust-listing",
        is_flag=True,
        help="Believe a listing that shows none of the items pushed before (you removed them).",
    )(func)
    return _athlete_option(_to_option(func))


def _run_sync(
    ctx: click.Context,
    files: tuple[str, ...],
    *,
    to: tuple[str, ...],
    window: str | None,
    start: str | None,
    until: str | None,
    delete_past: bool | None,
    as_json: bool,
    strict: bool,
    history: tuple[str, ...],
    dry_run: bool,
    max_delete: int | None = None,
    adopt: tuple[str, ...] = (),
    trust_listing: bool = False,
    athletes: tuple[str, ...] = (),
    quiet: bool = False,
) -> int:
    from progsync.workouts.errors import InputError, ProgsyncError

    from .loading import load_plans
    from .logs import setup_logging
    from .output import PushView
    from .service import PushOutcome, run_push

    setup_logging()
    members = _members(ctx, athletes, files)
    view = PushView(as_json=as_json, quiet=quiet, dry_run=dry_run)
    combined = PushOutcome()
    for member, config in members:
        try:
            loaded = load_plans(files, config, history)
            if strict and loaded.warnings:
                raise InputError([w.escalated() for w in loaded.warnings])
        except ProgsyncError as exc:
            if member is None:
                raise
            # One athlete's bad profile does not stop the squad.
            combined.errors.append((member, exc))
            continue
        if not as_json and not quiet:
            if member is not None and (loaded.warnings or loaded.notes):
                click.echo(f"{member}:", err=True)
            _print_issues([*loaded.notes, *loaded.warnings])
        with view:
            outcome = run_push(
                loaded,
                to,
                config,
                dry_run=dry_run,
                window=window,
                start=_date(start),
                until=_date(until),
                delete_past=delete_past,
                on_event=view.on_event,
                on_plan=view.on_plan,
                max_delete=max_delete,
                adopt=adopt,
                trust_listing=trust_listing,
            )
        combined.reports.extend(outcome.reports)
        combined.errors.extend(outcome.errors)
        combined.default_destination = combined.default_destination or outcome.default_destination
    view.finish(combined)
    return combined.exit_code


@cli.command(name="plan")
@click.argument("files", nargs=-1, required=True)
@_sync_options
@click.pass_context
def plan_cmd(ctx: click.Context, /, files: tuple[str, ...], **options: Any) -> int:
    """Show what a push of FILES would change on each destination (no writes)."""
    return _run_sync(ctx, files, dry_run=True, **options)


@cli.command()
@click.argument("files", nargs=-1, required=True)
@_sync_options
@click.option("--dry-run", is_flag=True, help="Same as `progsync plan`: show, don't write.")
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Print nothing on success; one line per destination otherwise.",
)
@click.option(
    "--adopt-foreign",
    is_flag=True,
    help="First take the Intervals.icu events of the same date and name under progsync's "
    "management (after `progsync import --from intervals`), instead of adding copies.",
)
@click.pass_context
def push(
    ctx: click.Context, /, files: tuple[str, ...], adopt_foreign: bool = False, **options: Any
) -> int:
    """Make each destination's calendar match the plan FILES (globs are fine)."""
    if adopt_foreign and not options.get("dry_run"):
        from .importing import adopt_foreign as adopt

        if options.get("athletes"):
            raise click.UsageError("--adopt-foreign works on your own calendar, not a squad's")
        for line in adopt(_config(ctx), files, options["to"]):
            click.echo(line, err=True)
    return _run_sync(ctx, files, **options)


@cli.command()
@_to_option
@_athlete_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def status(
    ctx: click.Context, to: tuple[str, ...], athletes: tuple[str, ...], as_json: bool
) -> int:
    """List what progsync has on each calendar, with any problems.

    A destination that fails (in coach mode: an athlete whose calendar the key may not reach) is
    named with its error; every other one is still listed. The exit code is the worst error's."""
    from progsync.workouts.errors import ProgsyncError

    from .output import print_status
    from .service import run_status

    results = []
    errors: list[tuple[str, ProgsyncError]] = []
    for _member, config in _members(ctx, athletes):
        results.extend(run_status(to, config, errors=errors))
    return print_status(results, as_json, errors)


@cli.command()
@_to_option
@click.option("--from", "start", help="First date (default: today).")
@click.option("--until", "until", help="Last date (default: no limit).")
@click.option("--dry-run", is_flag=True, help="Show what would be removed.")
@click.option("--yes", is_flag=True, help="Do not ask (needed without a terminal and dates).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@_athlete_option
@click.pass_context
def clear(
    ctx: click.Context,
    to: tuple[str, ...],
    start: str | None,
    until: str | None,
    dry_run: bool,
    yes: bool,
    as_json: bool,
    athletes: tuple[str, ...],
) -> int:
    """Remove progsync's own items in a date range (never anything it did not create)."""
    from .logs import setup_logging
    from .output import PushView
    from .service import PushOutcome, run_clear

    setup_logging()
    members = _members(ctx, athletes)
    first, last = _date(start), _date(until)

    def clear_all(begin: Any, end: Any, dry: bool) -> PushOutcome:
        combined = PushOutcome()
        for _, config in members:
            outcome = run_clear(to, config, begin, end, dry_run=dry)
            combined.reports.extend(outcome.reports)
            combined.errors.extend(outcome.errors)
        return combined

    if first is None and last is None and not dry_run and not yes:
        if not _stdin_is_terminal():
            from progsync.workouts.errors import InputError

            raise InputError(
                [
                    Issue(
                        "`progsync clear` with no dates deletes every progsync workout from "
                        "today on; without a terminal to ask, it needs --yes",
                        hint="add --yes, or limit it: --from DATE --until DATE "
                        "(see first with --dry-run)",
                    )
                ]
            )
        preview = clear_all(None, None, True)
        doomed = [a for r in preview.reports for a in r.actions if a.op == "delete"]
        if doomed and not preview.errors:
            where = ", ".join(r.label for r in preview.reports if r.actions)
            click.confirm(
                f"Delete {len(doomed)} progsync workout(s) from {min(a.date for a in doomed)} "
                f"to {max(a.date for a in doomed)} on {where}?",
                abort=True,
                err=True,
            )
        elif not preview.errors:
            PushView(as_json=as_json, quiet=False, dry_run=True).finish(preview)
            return 0
    view = PushView(as_json=as_json, quiet=False, dry_run=dry_run)
    outcome = clear_all(first, last, dry_run)
    view.finish(outcome)
    return outcome.exit_code


def _stdin_is_terminal() -> bool:
    """Whether someone can answer a question (tests replace this)."""
    return sys.stdin.isatty()


@cli.command()
@click.argument("service", type=click.Choice(["intervals", "garmin"]))
@click.option("--athlete-id", help="Intervals.icu athlete id (i12345, or 0 for the key's owner).")
@click.option(
    "--api-key-stdin", is_flag=True, help="Read the Intervals.icu API key from standard input."
)
@click.option(
    "--athlete",
    "athlete",
    metavar="NAME",
    help="Coach mode: store this roster athlete's Garmin tokens (Intervals.icu uses your key).",
)
@click.pass_context
def login(
    ctx: click.Context,
    service: str,
    athlete_id: str | None,
    api_key_stdin: bool,
    athlete: str | None,
) -> int:
    """Store credentials for SERVICE in the OS keyring (verified with one call)."""
    from .accounts import login_garmin, login_intervals

    if service == "intervals":
        message = login_intervals(_config(ctx), athlete_id, api_key_stdin)
    else:
        ((_, config),) = _members(ctx, (athlete,) if athlete else ())
        message = login_garmin(config)
    click.echo(message)
    return 0


@cli.command()
@click.argument("service", type=click.Choice(["intervals", "garmin"]))
def logout(service: str) -> int:
    """Remove SERVICE's credentials from the keyring."""
    from .accounts import logout as do_logout

    click.echo(do_logout(service))
    return 0


@cli.command()
@_to_option
@click.pass_context
def whoami(ctx: click.Context, to: tuple[str, ...]) -> int:
    """Show the account in use for each connected service."""
    from .accounts import whoami as who

    for line in who(_config(ctx), to):
        click.echo(line)
    return 0


@cli.command()
@click.argument("files", nargs=-1, required=True)
@_to_option
@click.option("--at", default="03:30", show_default=True, help="Time of day to run.")
@click.option("--install", "do_install", is_flag=True, help="Write the systemd user units.")
@click.option(
    "--window",
    help="Each night push only the next N days (default for Garmin: 28d; `all` for everything).",
)
@_athlete_option
@click.pass_context
def cron(
    ctx: click.Context,
    files: tuple[str, ...],
    to: tuple[str, ...],
    at: str,
    do_install: bool,
    window: str | None,
    athletes: tuple[str, ...],
) -> int:
    """Print crontab and systemd lines for a nightly push of FILES (or install the units)."""
    from .cron import build, install
    from .service import parse_window, resolve_targets

    if window not in (None, "all"):
        parse_window(window)
    members = _members(ctx, athletes) if athletes else []  # checks the names now, not at 3:30
    garmin = any(
        t.kind == "garmin"
        for _, config in members or [(None, _config(ctx))]
        for t in resolve_targets(to, config)
    )
    setup = build(
        list(files), list(to), at, ctx.obj.get("config_path"), window, garmin, list(athletes)
    )
    if do_install:
        for line in install(setup):
            click.echo(line)
        return 0
    click.echo("# crontab -e, then paste:")
    click.echo(setup.crontab)
    click.echo("# or a systemd user timer: ~/.config/systemd/user/progsync.service")
    click.echo(setup.service)
    click.echo("# ~/.config/systemd/user/progsync.timer")
    click.echo(setup.timer)
    click.echo("# (progsync cron ... --install writes both units)")
    return 0


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@_athlete_option
@click.pass_context
def doctor(ctx: click.Context, as_json: bool, athletes: tuple[str, ...]) -> int:
    """Check config, keyring, credentials, clock, ledger and lock; explain each fix."""
    from .doctor import exit_code, run_doctor

    checks = run_doctor(ctx.obj.get("config_path"), athletes)
    if as_json:
        import json

        click.echo(
            json.dumps(
                {"ok": exit_code(checks) == 0, "checks": [c.as_dict() for c in checks]}, indent=2
            )
        )
        return exit_code(checks)
    marks = {
        "ok": ("ok", "green"),
        "warn": ("!!", "yellow"),
        "fail": ("XX", "red"),
        "skip": ("--", "blue"),
    }
    for check in checks:
        mark, color = marks[check.status]
        click.secho(_visible(f"[{mark}] {check.name}: {check.detail}"), fg=color)
        if check.fix and check.status != "ok":
            click.echo(_visible(f"     fix: {check.fix}"))
    return exit_code(checks)


@cli.command()
@click.argument("rule", required=False)
def explain(rule: str | None) -> int:
    """Explain coaching RULE: why it exists, its defaults and how to tune it (no RULE: list)."""
    from progsync.workouts.rules import RULES, RULES_BY_CODE
    from progsync.workouts.rules import explain as explain_rule

    if rule is None:
        click.echo("Coaching rules (progsync explain RULE for details):")
        for item in RULES:
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


_race_option = click.option(
    "--race", metavar="RESULT", help='A recent race, e.g. "10k 41:30": derives missing paces.'
)
_plan_option = click.option(
    "--plan", "plan_file", metavar="FILE", help="Use this plan's [athlete] over the config's."
)


@cli.command(name="import")
@click.argument("files", nargs=-1)
@click.option(
    "--from",
    "service",
    type=click.Choice(["intervals", "garmin"]),
    default=None,
    help="Read the workouts on this calendar instead of files.",
)
@click.option("--from-date", default=None, help="First calendar date to read (YYYY-MM-DD).")
@click.option("--until", default=None, help="Last calendar date to read (YYYY-MM-DD).")
@click.option("-o", "--output", default=None, help="Write the plan to this file (default: print it).")
@click.option("--name", default=None, help="The plan's name (default: Imported workouts).")
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
) -> int:
    """Read workouts (FIT, Garmin Connect JSON, Intervals.icu text or JSON, Zwift .zwo), or a
    calendar's (--from intervals), into a plan in the workout language (docs/import.md)."""
    from .importing import import_calendar, import_files

    if service is not None:
        if files:
            raise click.UsageError("give files or --from, not both")
        first, last = _date(from_date), _date(until)
        if first is None or last is None:
            raise click.UsageError("--from needs --from-date and --until (YYYY-MM-DD)")
        result = import_calendar(
            _config(ctx), service, first, last, plan_file=plan_file, name=name
        )
    elif not files:
        raise click.UsageError("give workout files, or --from intervals with dates")
    else:
        result = import_files(_config(ctx), files, plan_file=plan_file, name=name)
    for item in result.lost:
        click.secho(_visible(f"warning: {item}"), fg="yellow", err=True)
    if output is None:
        click.echo(result.text, nl=False)
    else:
        _write_new(output, result.text, force)
        click.echo(f"wrote {output}: {result.sessions} sessions")
    return 0


@cli.command()
@_plan_option
@_race_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@click.pass_context
def profile(ctx: click.Context, plan_file: str | None, race: str | None, as_json: bool) -> int:
    """Print the athlete's paces (with VDOT-derived ones), heart-rate zones and power."""
    from .commands import athlete_profile
    from .render import profile_lines

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
    from .commands import check_text

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
    from progsync.workouts.generate import (
        plan_progression,
        progression_session,
        progression_snippet,
    )
    from progsync.workouts.rules import parse_settings
    from progsync.workouts.units import parse_distance

    from .commands import athlete_profile

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
    type=click.Choice(["intervals", "garmin"]),
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
    from progsync.workouts.generate import GenerateError, block_plan, parse_race_goal
    from progsync.workouts.rules import parse_settings

    from .commands import athlete_profile

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
        from .export import write_error

        raise write_error(path, exc) from None


def _kept_downs(path: Any, start: Any, day: Any) -> tuple[int, frozenset[int]]:
    """The first week a re-anchored block writes again (today's), and the down weeks before it
    (from the block's `# Week N — down week` headers)."""
    import re

    first = (day - start).days // 7 + 2  # today's week keeps its kind
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    downs = {int(n) for n in re.findall(r"^# Week (\d+) — down week", text, re.MULTILINE)}
    return first, frozenset(w for w in downs if w < first)


def _calendar_goal(service: str, config: Any, who: str | None) -> Any:
    """The next race on the athlete's calendar (a year ahead), as a RaceGoal."""
    import datetime as dt

    from progsync.workouts.errors import InputError
    from progsync.workouts.generate import RaceGoal

    from .activity_sources import calendar_races, next_race
    from .service import today

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

    from progsync.workouts.generate import (
        RACE_LONG_RUN_S,
        GenerateError,
        goal_paces,
        race_block_plan,
    )
    from progsync.workouts.profile import ProfileError, build_profile
    from progsync.workouts.rules import parse_settings

    from .commands import athlete_profile, block_start, reanchor
    from .service import today

    if goal is None and not race_from:
        raise click.UsageError('--update needs the race: --race "half 2027-03-14" or --race-from')
    squad = _members(ctx, athletes)
    if update and len(squad) > 1:
        raise click.UsageError("--update re-anchors one athlete's block: give one --athlete")
    first_day = _date(start)
    if update:
        first_day = block_start(Path(update))
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
                text = reanchor(old, text, today(), first_day)
                path.write_text(text, encoding="utf-8")
            except OSError as exc:
                from .export import write_error

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


@cli.command()
@click.argument("files", nargs=-1, required=True)
@click.option(
    "--from",
    "source",
    required=True,
    metavar="SOURCE",
    help="Where the completed activities are: folder:PATH (FIT files), intervals or garmin.",
)
@click.option("--week", type=int, help="Only week N of the plan (1 = the week of its start).")
@click.option("--from-date", "start", help="First date to review (YYYY-MM-DD).")
@click.option("--until", "until", help="Last date to review (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document with every figure.")
@_athlete_option
@click.pass_context
def review(
    ctx: click.Context,
    /,
    files: tuple[str, ...],
    source: str,
    week: int | None,
    start: str | None,
    until: str | None,
    as_json: bool,
    athletes: tuple[str, ...] = (),
) -> int:
    """Compare what was run with plan FILES, session by session and step by step (read-only)."""
    from .review import ReviewArgs, run_review

    args = ReviewArgs(files=list(files), source=source, config_path=ctx.obj.get("config_path"))
    args.week, args.start, args.until, args.as_json = week, _date(start), _date(until), as_json
    if athletes or any("athletes" in _peek_text(f) for f in files):
        args.members = _members(ctx, athletes, files)
    return run_review(args)


def _peek_text(path: str) -> str:
    from .runner import _peek

    return _peek(path)


def main() -> None:
    """Entry point: run the CLI and render our own errors once, without a traceback."""
    from .runner import guarded

    def body() -> int:
        try:
            code = cli.main(standalone_mode=False)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            return 130
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.ClickException as exc:
            exc.show()
            return 2 if isinstance(exc, click.UsageError) else exc.exit_code
        return code if isinstance(code, int) else 0

    def show(text: str) -> None:
        click.secho(text, fg="red", err=True)

    sys.exit(guarded(body, show, as_json="--json" in sys.argv[1:]))


if __name__ == "__main__":
    main()
