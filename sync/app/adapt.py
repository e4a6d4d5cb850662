"""`progsync adapt PLAN --from SOURCE`: propose changes to the coming weeks from what was run.

The use case: load the plan, fetch and review the activities up to yesterday exactly as
`review` does (`review.compute`: one listing, the download cache), hand the plan, the review
and today to the pure rules (`progsync.workouts.adapt`), and show the proposals (a diff,
session by session, or `--json`). Nothing changes unless asked: `--write` edits the plan in
place, `-o NEW.toml` writes a copy; both through `workouts.adapt_toml.apply_proposals` (tomlkit:
only the changed lines differ), and the adapted plan is checked again so a new coaching
warning is named rather than written silently.

Coach mode (`--athlete NAME`, or a plan with `[plan] athletes`): each athlete is adapted from
that athlete's own activities and gets an own copy, `PLAN-NAME.toml` beside the plan (or
`-o`), whose `[plan] athletes` names only that athlete; the shared plan is never rewritten for
one athlete (docs/adapt.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from progsync.workouts.adapt import DEFAULT_WEEKS, Context, Proposal, adapt
from progsync.workouts.adapt_toml import apply_proposals
from progsync.workouts.errors import InputError, Issue, Location
from progsync.workouts.model import Block
from progsync.workouts.units import Units

#: How far back the review looks (the down-week rule needs three weeks, time off a week more).
LOOK_BACK_DAYS = 8 * 7


@dataclass
class AdaptArgs:
    file: str
    source: str
    config_path: str | None = None
    weeks: int = DEFAULT_WEEKS
    write: bool = False
    output: str | None = None
    as_json: bool = False
    today: dt.date | None = None
    #: Coach mode: (athlete, that athlete's config) pairs.
    members: list[tuple[str | None, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Adapted:
    athlete: str | None
    proposals: tuple[Proposal, ...]
    units: Units
    text: str
    new_text: str
    skipped: tuple[str, ...]
    new_warnings: tuple[Issue, ...]
    warnings: tuple[Issue, ...]
    fetched: dict[str, int]
    written: str | None = None


def _today() -> dt.date:
    from progsync.sync.settings.config import today

    return today()


def compute(args: AdaptArgs, config: Any, athlete: str | None) -> Adapted:
    """Review what was run up to yesterday and propose the changes."""
    from progsync.sync.app.loading import load_plans
    from progsync.sync.app.review import ReviewArgs
    from progsync.sync.app.review import compute as review_compute
    from progsync.workouts.checks import merge_tables, run_checks
    from progsync.workouts.plan import estimate
    from progsync.workouts.rules import parse_settings
    from progsync.workouts.source import read_source

    today = args.today or _today()
    loaded = load_plans([args.file], config)
    if len(loaded.plans) != 1:
        raise InputError([Issue("adapt takes one plan file", hint="adapt each file on its own")])
    compiled = loaded.plans[0]
    plan = compiled.plan
    sessions = list(plan.sessions)
    if plan.start is not None:
        anchor = plan.start
    elif sessions:
        anchor = sessions[0].date - dt.timedelta(days=sessions[0].date.weekday())
    else:
        anchor = today - dt.timedelta(days=today.weekday())
    start = max(anchor, today - dt.timedelta(days=LOOK_BACK_DAYS))
    until = today - dt.timedelta(days=1)
    review_args = ReviewArgs(
        files=[args.file], source=args.source, config_path=args.config_path, today=today
    )
    review_args.start, review_args.until = start, max(start, until)
    outcome = review_compute(review_args, config, loaded)
    settings = parse_settings(merge_tables(config.checks, compiled.checks))
    ctx = Context(profile=compiled.profile, settings=settings, anchor=anchor, units=plan.units)

    def seconds(blocks: tuple[Block, ...]) -> float:
        return estimate(blocks, compiled.profile)[0]

    proposals = adapt(sessions, outcome.review, today, ctx, seconds, args.weeks)
    text = read_source(Path(args.file))
    new_text, skipped = apply_proposals(text, args.file, proposals, plan.start, plan.units)
    if athlete is not None:
        new_text = _only(new_text, athlete)
    new_warnings: tuple[Issue, ...] = ()
    if new_text != text:
        from progsync.workouts.plan import compile_plan

        profile_table = getattr(config, "athlete", None)
        after = compile_plan(new_text, args.file, profile_table, today=today)
        before = _counts([*compiled.warnings, *run_checks([compiled], config.checks)])
        found = [*after.warnings, *run_checks([after], config.checks)]
        grown = {code for code, n in _counts(found).items() if n > before.get(code, 0)}
        new_warnings = tuple(w for w in found if w.code in grown)
    return Adapted(
        athlete=athlete,
        proposals=proposals,
        units=plan.units,
        text=text,
        new_text=new_text,
        skipped=skipped,
        new_warnings=new_warnings,
        warnings=outcome.warnings,
        fetched=outcome.fetched,
    )


def _counts(issues: list[Issue]) -> dict[str | None, int]:
    """Warnings by rule code: a code with more warnings after adapting has a new one (the
    messages of the old ones may name other volumes)."""
    out: dict[str | None, int] = {}
    for issue in issues:
        out[issue.code] = out.get(issue.code, 0) + 1
    return out


def _only(text: str, athlete: str) -> str:
    """A coach plan's copy for one athlete: `[plan] athletes` names only them."""
    import tomlkit

    doc = tomlkit.parse(text)
    table = doc.get("plan")
    if table is not None and "athletes" in table:
        table["athletes"] = [athlete]
    return tomlkit.dumps(doc)


def _copy_path(file: str, athlete: str) -> str:
    path = Path(file)
    return str(path.with_name(f"{path.stem}-{athlete}{path.suffix}"))


def adapt_plans(args: AdaptArgs) -> list[Adapted]:
    """Adapt the plan for the config's athlete, or each athlete of `members`; with `--write`
    or `-o` the adapted text is written (a coach's copies one per athlete)."""
    from progsync.sync.settings.config import load_config

    members = args.members or [(None, load_config(args.config_path))]
    coach = any(m is not None for m, _ in members)
    if coach and args.write:
        raise InputError(
            [
                Issue(
                    "--write would rewrite the shared plan for one athlete",
                    Location(args.file),
                    "each athlete's adaptations go to their own copy: -o NEW.toml writes "
                    "NEW-ATHLETE.toml for each (docs/adapt.md)",
                )
            ]
        )
    results: list[Adapted] = []
    for athlete, config in members:
        result = compute(args, config, athlete)
        target: str | None = None
        if args.write:
            target = args.file
        elif args.output:
            target = args.output if not coach else _copy_path(args.output, str(athlete))
        if target is not None and result.new_text != result.text:
            _write(Path(target), result.new_text)
            result = Adapted(**{**vars(result), "written": target})
        results.append(result)
    return results


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        from progsync.sync.app.export import write_error

        raise write_error(path, exc) from None
