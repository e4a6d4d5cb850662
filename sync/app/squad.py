"""Coach mode: one plan, many athletes, each on their own paces and their own calendar.

The config's `[athletes.NAME]` tables form the roster. Each holds the same keys as `[athlete]`
(paces, race, max_hr, lthr, units …) plus where that athlete's workouts go:

- `intervals = "i123"`: the athlete's Intervals.icu id, reached with the coach's API key (a
  coach's key may write events for "yourself or someone you are coaching", maintainer,
  forum.intervals.icu thread 609; an id the key may not reach answers 403);
- `garmin = true`: a Garmin Connect account whose tokens were stored with
  `progsync login garmin --athlete NAME` (or are in `PROGSYNC_GARMIN_TOKENS_NAME`);
- `folder = "PATH"`: a folder (a watch over USB, a shared drive).

`member_config` turns the coach's config into one athlete's: their profile in place of
`[athlete]`, their destinations in place of `[push] to`, and `member` set, which stamps every
compiled session with the athlete (identities become `NAME@plan/…`, so one athlete's push can
never touch another's items, and a coach's own items are never in an athlete's scope).
"""

from __future__ import annotations

from dataclasses import replace

from progsync.sync.settings.config import Config
from progsync.sync.settings.roster import Athlete
from progsync.workouts.errors import InputError, Issue, Location, did_you_mean


def select(config: Config, names: tuple[str, ...] | list[str]) -> list[Athlete]:
    """The athletes `--athlete` names (`all` = the whole roster, in config order)."""
    squad = config.athletes
    where = Location(str(config.path or "config"))
    if not squad:
        raise InputError(
            [
                Issue(
                    "--athlete needs a roster, and the config has no [athletes.NAME] tables",
                    where,
                    'see docs/coach.md: add [athletes.anna] with her paces and intervals = "i…"',
                )
            ]
        )
    if "all" in names:
        return list(squad.values())
    unknown = [n for n in names if n not in squad]
    if unknown:
        raise InputError(
            [
                Issue(
                    f"no athlete '{n}' in the roster",
                    where,
                    did_you_mean(n, list(squad)) or f"athletes: {', '.join(squad)}",
                )
                for n in unknown
            ]
        )
    return [squad[n] for n in dict.fromkeys(names)]


def member_config(config: Config, athlete: Athlete) -> Config:
    """The coach's config as seen for one athlete (see the module docstring)."""
    intervals = config.intervals
    if athlete.intervals:
        intervals = replace(intervals, athlete_id=athlete.intervals)
    folder = config.folder
    if athlete.folder:
        folder = replace(folder, path=athlete.folder)
    return replace(
        config,
        athlete=athlete.profile,
        intervals=intervals,
        folder=folder,
        push=replace(config.push, to=athlete.destinations),
        member=athlete.name,
        adjust=athlete.adjust,
    )


def plan_squad(files: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The squad the plan files name in `[plan] athletes` (all of them, in order), if any.

    Only that one key is read here, to choose the athletes before compiling for each of them;
    a file that does not parse names nobody, and compiling it reports the error in full.
    """
    from pathlib import Path

    from progsync.sync.app.loading import expand_paths
    from progsync.workouts.source import SourceMap, parse_toml

    try:
        paths = expand_paths(files)
    except InputError:
        return ()
    names: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8")
            plan = parse_toml(SourceMap(text, str(path))).get("plan") or {}
        except (OSError, UnicodeDecodeError, InputError):
            continue
        value = plan.get("athletes") if isinstance(plan, dict) else None
        if value == "all":
            value = ["all"]
        if isinstance(value, list):
            names.extend(str(v) for v in value if isinstance(v, str))
    return tuple(dict.fromkeys(names))


def members(
    config: Config, names: tuple[str, ...] | list[str], files: tuple[str, ...] | list[str] = ()
) -> list[tuple[str | None, Config]]:
    """(athlete, config) pairs for a command: the `--athlete` names, else the plan's own
    `[plan] athletes`, else one pair (None, the config) outside coach mode."""
    chosen = tuple(names) or plan_squad(files)
    if not chosen:
        return [(None, config)]
    return [(a.name, member_config(config, a)) for a in select(config, chosen)]
