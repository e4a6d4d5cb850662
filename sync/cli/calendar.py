"""Commands that keep a calendar in step with the plan: `plan`, `push`, `status`, `clear`, `cron`,
`doctor`, and `review` (what was run against what was planned).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from progsync.sync.cli.base import (
    _athlete_option,
    _config,
    _date,
    _history_option,
    _members,
    _peek_text,
    _print_issues,
    _to_option,
    _visible,
    cli,
)
from progsync.workouts.errors import Issue


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
        "--adopt-foreign",
        is_flag=True,
        help="A session the calendar lacks takes over the Intervals.icu event or Garmin Connect "
        "calendar entry of its date and name that another tool put there (after `progsync "
        "import --from ...`), instead of being added beside it.",
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
    adopt_foreign: bool = False,
    athletes: tuple[str, ...] = (),
    quiet: bool = False,
) -> int:
    from progsync.sync.app.loading import load_plans
    from progsync.sync.app.push import PushOutcome, run_push
    from progsync.sync.settings.logs import setup_logging
    from progsync.sync.views.output import PushView
    from progsync.workouts.errors import InputError, ProgsyncError

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
                adopt_foreign=adopt_foreign,
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
@click.pass_context
def push(ctx: click.Context, /, files: tuple[str, ...], **options: Any) -> int:
    """Make each destination's calendar match the plan FILES (globs are fine)."""
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
    from progsync.sync.app.push import run_status
    from progsync.sync.views.output import print_status
    from progsync.workouts.errors import ProgsyncError

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
    from progsync.sync.app.push import PushOutcome, run_clear
    from progsync.sync.settings.logs import setup_logging
    from progsync.sync.views.output import PushView

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
    from progsync.sync.app.cron import build, install
    from progsync.sync.app.push import resolve_targets
    from progsync.sync.settings.config import window_days

    if window not in (None, "all"):
        window_days(window)
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
    from progsync.sync.app.doctor import exit_code, run_doctor

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
    from progsync.sync.app.review import ReviewArgs
    from progsync.sync.views.review import run_review

    args = ReviewArgs(files=list(files), source=source, config_path=ctx.obj.get("config_path"))
    args.week, args.start, args.until, args.as_json = week, _date(start), _date(until), as_json
    if athletes or any("athletes" in _peek_text(f) for f in files):
        args.members = _members(ctx, athletes, files)
    return run_review(args)


@cli.command()
@click.argument("file")
@click.option(
    "--from",
    "source",
    required=True,
    metavar="SOURCE",
    help="Where the completed activities are: folder:PATH (FIT files), intervals or garmin.",
)
@click.option(
    "--weeks",
    type=click.IntRange(1, 12),
    default=2,
    show_default=True,
    help="How many coming weeks to adapt.",
)
@click.option("--write", is_flag=True, help="Make the changes in FILE (comments and order kept).")
@click.option("-o", "--output", metavar="NEW.toml", help="Write the adapted plan to a copy.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
@_athlete_option
@click.pass_context
def adapt(
    ctx: click.Context,
    /,
    file: str,
    source: str,
    weeks: int,
    write: bool,
    output: str | None,
    as_json: bool,
    athletes: tuple[str, ...] = (),
) -> int:
    """Propose changes to the coming weeks of FILE from what was run (docs/adapt.md)."""
    from progsync.sync.app.adapt import AdaptArgs
    from progsync.sync.views.adapt import run_adapt

    if write and output:
        raise click.UsageError("--write and -o cannot be combined")
    args = AdaptArgs(file=file, source=source, config_path=ctx.obj.get("config_path"))
    args.weeks, args.write, args.output, args.as_json = weeks, write, output, as_json
    if athletes or "athletes" in _peek_text(file):
        args.members = _members(ctx, athletes, (file,))
    return run_adapt(args)
