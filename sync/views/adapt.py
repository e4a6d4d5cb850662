"""`progsync adapt` on the terminal and as JSON: each proposal as a small diff (before → after,
the reason, the rule's code), what was written, and any warning the adapted plan gained. The
proposals themselves come from `progsync.sync.app.adapt` over `progsync.workouts.adapt`.
"""

from __future__ import annotations

import json
from typing import Any

from progsync.sync.app.adapt import AdaptArgs, Adapted, adapt_plans
from progsync.sync.views.text import visible
from progsync.workouts.adapt import Proposal


def run_adapt(args: AdaptArgs) -> int:
    results = adapt_plans(args)
    coach = any(r.athlete is not None for r in results)
    if args.as_json:
        document = [adapted_json(r) for r in results]
        print(json.dumps(document[0] if not coach else {"athletes": document}, indent=2))
    else:
        for result in results:
            show(result)
    return 0


# -- output -----------------------------------------------------------------------------------
def proposal_json(p: Proposal) -> dict[str, Any]:
    return {
        "code": p.code,
        "kind": p.kind,
        "changes": p.changes,
        "identity": p.identity,
        "date": p.date.isoformat() if p.date else None,
        "name": p.name,
        "before": p.before,
        "after": p.after,
        "reason": p.reason,
        "line": p.source_line,
        "paces": {label: round(pace, 1) for label, pace in p.paces},
    }


def adapted_json(result: Adapted) -> dict[str, Any]:
    return {
        "athlete": result.athlete,
        "proposals": [proposal_json(p) for p in result.proposals],
        "changes": sum(p.changes for p in result.proposals),
        "written": result.written,
        "not_written": list(result.skipped),
        "new_warnings": [w.as_dict() for w in result.new_warnings],
        "warnings": [w.as_dict() for w in result.warnings],
        "fetched": result.fetched,
    }


def show(result: Adapted) -> None:
    import click

    if result.athlete is not None:
        click.echo(f"{result.athlete}:")
    if not result.proposals:
        click.echo("nothing to adapt: the coming weeks already fit what was run")
    for p in result.proposals:
        where = f"{p.date:%a %d %b} {p.name}" if p.date else "[athlete] paces"
        mark = "=" if not p.changes else "~"
        click.echo(visible(f"{mark} {where}  [{p.code}]", lines=True))
        if p.changes:
            click.echo(visible(f"    - {p.before}", lines=True))
            click.echo(visible(f"    + {p.after}", lines=True))
        click.echo(visible(f"    because {p.reason}", lines=True))
    for line in result.skipped:
        click.secho(visible(f"not written: {line}", lines=True), fg="yellow", err=True)
    for issue in result.new_warnings:
        click.secho(
            visible(f"the adapted plan has a new warning: {issue.render()}", lines=True),
            fg="yellow",
            err=True,
        )
    for issue in result.warnings:
        click.secho(visible(issue.render(), lines=True), fg="yellow", err=True)
    changes = sum(p.changes for p in result.proposals)
    if result.written:
        click.echo(f"wrote {result.written}: {changes} change(s)")
    elif changes:
        click.echo(f"{changes} change(s) proposed; --write to make them, -o NEW.toml for a copy")
