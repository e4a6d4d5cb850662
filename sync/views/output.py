"""Rendering of plan/push/status results: rich tables and progress for people, JSON for scripts.

Names and messages from plans and services are shown, never interpreted: `render.cell` for
table cells, `runner.visible` for plain lines (terminal control characters as escapes).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from progsync.sync.app.push import PushOutcome, StatusRow
from progsync.sync.reconcile.model import WRITE_OPS, Action, Fidelity
from progsync.sync.settings.secrets import redact
from progsync.sync.views.render import cell
from progsync.sync.views.text import visible
from progsync.workouts.errors import ProgsyncError

OP_STYLE = {
    "create": "green",
    "adopt": "green",
    "update": "yellow",
    "move": "cyan",
    "delete": "red",
    "unchanged": "dim",
    "keep": "dim",
}


class PushView:
    """Shows a plan table before applying, a progress bar while applying, and a summary."""

    def __init__(self, as_json: bool, quiet: bool, dry_run: bool) -> None:
        self.as_json = as_json
        self.quiet = quiet
        self.dry_run = dry_run
        self.interactive = sys.stderr.isatty() and not as_json and not quiet
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> PushView:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def on_plan(self, label: str, actions: list[Action]) -> None:
        if self.as_json or self.quiet:
            return
        changes = [a for a in actions if a.op != "unchanged"]
        if not changes:
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=cell(label), title_justify="left")
        for column in ("change", "date", "session", "detail"):
            table.add_column(column)
        for action in changes:
            detail = action.reason
            if action.op == "move" and action.old_date:
                detail = f"from {action.old_date}"
            style = OP_STYLE[action.op]
            table.add_row(
                f"[{style}]{action.op}[/{style}]", str(action.date), cell(action.name), cell(detail)
            )
        Console(stderr=not self.dry_run).print(table)
        writes = [a for a in actions if a.op in WRITE_OPS]
        if writes and not self.dry_run and self.interactive:
            from rich.progress import Progress

            self._progress = Progress(transient=True)
            self._progress.start()
            self._task = self._progress.add_task(f"pushing to {label}", total=len(writes))

    def on_event(self, action: Action, result: str, message: str | None) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)
        if result == "failed" and not self.as_json:
            click.secho(
                visible(redact(f"failed: {action.op} {action.date} {action.name}: {message}")),
                fg="red",
                err=True,
            )

    def finish(self, outcome: PushOutcome) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self.as_json:
            click.echo(json.dumps(outcome.as_dict(), indent=2))
            return
        code = outcome.exit_code
        for report in outcome.reports:
            for warning in report.warnings:
                if not self.quiet:
                    click.secho(visible(f"warning: {warning}", lines=True), fg="yellow", err=True)
            if self.quiet and report.ok:
                continue
            click.echo(visible(redact(report.summary()), lines=True), err=self.quiet)
            if not self.quiet:
                for note in report.notes:
                    click.echo(visible(f"  note: {note}", lines=True))
                if report.fidelity is not None:
                    for line in fidelity_lines(report.fidelity):
                        click.echo(visible(line, lines=True))
        for spec, error in outcome.errors:
            click.secho(visible(redact(f"{spec}: {error.render()}"), lines=True), fg="red", err=True)
        if outcome.default_destination and not self.quiet and code == 0:
            first = outcome.reports[0] if outcome.reports else None
            where = first.label.removeprefix("folder ") if first else "the outbox"
            if self.dry_run:
                head = (
                    "No destination configured, so a push would write the workouts to the "
                    f"local outbox (nothing was written):\n  {where}\n"
                    "After `progsync push FILE`, copy the .fit files to a watch's "
                    "GARMIN/NewFiles folder, or connect an account:\n"
                )
            else:
                head = (
                    f"No destination configured, so the workouts went to the local outbox:\n"
                    f"  {where}\nCopy the .fit files to a watch's GARMIN/NewFiles folder, or "
                    "connect an account:\n"
                )
            click.echo(
                f"\n{head}"
                "  progsync login intervals   then   progsync push FILE --to intervals\n"
                "  progsync login garmin      then   progsync push FILE --to garmin\n"
                'and set [push] to = "..." in the config to make it the default.'
            )


def fidelity_lines(fidelity: Fidelity) -> list[str]:
    """The fidelity table: a line per caveat that concerns every session, one line per session
    the destination does not keep exactly; nothing at all when everything is exact."""
    if fidelity.exact:
        return []
    lines = ["  fidelity (what the destination keeps of each session):"]
    for note in fidelity.notes:
        lines.append(f"    every session — {note.kind}: {note.short}")
    for row in fidelity.sessions:
        if row.exact:
            continue
        parts = [
            f"{kind}: {'; '.join(found)}"
            for kind in ("degraded", "lost")
            if (found := row.of_kind(kind))
        ]
        session = row.session
        lines.append(f"    {session.date:%a} {session.date} {session.name} — {' · '.join(parts)}")
    exact = sum(1 for s in fidelity.sessions if s.exact)
    if exact and exact < len(fidelity.sessions):
        lines.append(f"    the other {exact} session(s): exact")
    return lines


def print_status(
    results: list[tuple[str, list[StatusRow]]],
    as_json: bool,
    errors: list[tuple[str, ProgsyncError]] | None = None,
) -> int:
    """The status tables (or one JSON document), then each failed destination's error; the
    exit code of the worst error, 0 without any."""
    errors = errors or []
    code = max((err.exit_code for _, err in errors), default=0)
    if as_json:
        doc = {
            "ok": code == 0,
            "exit_code": code,
            "destinations": [
                {"label": label, "items": [r.as_dict() for r in rows]} for label, rows in results
            ],
            "errors": [
                {
                    "destination": spec,
                    "message": redact(err.message),
                    "hint": err.hint,
                    "exit_code": err.exit_code,
                }
                for spec, err in errors
            ],
        }
        click.echo(json.dumps(doc, indent=2))
        return code
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for label, rows in results:
        table = Table(title=cell(label), title_justify="left")
        for column in ("date", "session", "id", "ledger", "on calendar", "problems"):
            table.add_column(column)
        for row in rows:
            on = {True: "yes", False: "[red]missing[/red]", None: "?"}[row.on_destination]
            table.add_row(
                str(row.date),
                cell(row.name),
                cell(row.remote_id or ""),
                "yes" if row.in_ledger else "[yellow]no[/yellow]",
                on,
                cell("; ".join(row.problems)),
            )
        if not rows:
            console.print(f"{cell(label)}: nothing from progsync")
        else:
            console.print(table)
    for spec, error in errors:
        click.secho(visible(redact(f"{spec}: {error.render()}"), lines=True), fg="red", err=True)
    return code
