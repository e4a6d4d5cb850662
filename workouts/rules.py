"""The coaching rules: their names, rationale, tunable thresholds and how `[checks]` sets them.

Only the catalogue lives here (cheap to import, and what `progsync explain` prints); the
analysis that applies the rules is in `checks.py`.

Why this module is long: it holds the words of every rule (title, why, each threshold with
its unit and default) that `explain`, docs/checks.md and docs/adapt.md show; the code that
applies them is elsewhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any, Literal

from .errors import StepSyntaxError, did_you_mean
from .records import record
from .units import format_duration, parse_duration, parse_pace

ParamKind = Literal["duration", "pace_delta", "share", "ratio", "count", "days", "choice", "pace"]
Value = float | str


@record
class Param:
    """One threshold of a rule: its config key, default (as written in the config) and meaning."""

    name: str
    default: str | int | float
    kind: ParamKind
    help: str
    choices: tuple[str, ...] = ()


@record
class Rule:
    """A coaching rule: its code, title, what it looks at (`scope`), why, and thresholds."""

    code: str
    title: str
    scope: Literal["progression", "week", "adapt"]
    why: str
    params: tuple[Param, ...] = ()


RULES: tuple[Rule, ...] = (
    Rule(
        "progression-continuous",
        "A progression run is continuous",
        "progression",
        "A progression run trains the athlete to speed up on tired legs without a break. A rest "
        "or a walk inside the build resets the effort and turns it into an interval session. "
        "Easy running in a warm-up or cool-down is fine; standing or walking between stages "
        "is what this rule flags.",
    ),
    Rule(
        "progression-gradual",
        "Each stage is a little faster than the one before",
        "progression",
        "The stages of a progression climb in natural steps: never slower than the stage before "
        "(that is a fartlek), and never a surge. A jump of more than about 30 s/km (roughly 8% in "
        "speed) between consecutive stages turns a controlled build into a sudden change of gear.",
        (
            Param(
                "max_jump",
                "30s",
                "pace_delta",
                'largest pace step between consecutive stages, per km ("30s", or "48s/mi")',
            ),
        ),
    ),
    Rule(
        "progression-patient-start",
        "The run starts easy, and stays easy long enough",
        "progression",
        "The first part of a progression run is easy and lasts at least 10 minutes, so the "
        "body is warm before the pace rises and the run has somewhere to go. Opening at or "
        "near the final pace defeats the purpose: it is a tempo run, not a progression.",
        (
            Param("min_opening", "10min", "duration", "shortest easy opening"),
            Param(
                "min_gap",
                "20s",
                "pace_delta",
                "the opening is at least this much slower than the final stage, per km",
            ),
        ),
    ),
    Rule(
        "progression-controlled-finish",
        "The finish is strong, not maximal",
        "progression",
        "A progression run finishes strong but controlled. The last stage is not faster than "
        "the athlete's threshold pace by default: faster than that the run stops being an "
        "aerobic session and needs the recovery of a hard interval day.",
        (
            Param(
                "limit",
                "threshold",
                "pace",
                "fastest allowed final stage: a named pace of the profile, or a pace like 3:55",
            ),
        ),
    ),
    Rule(
        "progression-stage-length",
        "Stages last roughly 5 to 20 minutes",
        "progression",
        "A stage shorter than about 5 minutes is over before the body settles at the new pace; "
        "one longer than about 20 minutes is a tempo run of its own. Either way the gradual "
        "build is lost.",
        (
            Param("min_stage", "5min", "duration", "shortest stage"),
            Param("max_stage", "20min", "duration", "longest stage"),
        ),
    ),
    Rule(
        "progression-size",
        "A progression run lasts about 30 minutes to 2 hours",
        "progression",
        "Shorter than about 30 minutes there is no room for an easy start and gradual stages; "
        "longer than about 2 hours the fast finish becomes a race effort on depleted legs. "
        "The warm-up counts, the cool-down does not.",
        (
            Param("min_total", "30min", "duration", "shortest progression (warm-up to last stage)"),
            Param("max_total", "2h", "duration", "longest progression (warm-up to last stage)"),
        ),
    ),
    Rule(
        "easy-share",
        "Most running is easy",
        "week",
        "Endurance coaches from Lydiard to Seiler agree that most training time is easy: about "
        "three quarters or more. A week with less easy running than that piles up fatigue "
        "without more fitness. Counted over running time (rest steps excluded); steps at or "
        "slower than the easy pace, jogs, warm-ups, cool-downs, zones 1-2 and RPE up to 4 are "
        "easy. Weeks with fewer than `min_sessions` runs are not judged.",
        (
            Param("min_share", "75%", "share", "smallest share of running time at easy effort"),
            Param("min_sessions", 3, "count", "judge only weeks with at least this many runs"),
        ),
    ),
    Rule(
        "quality-spacing",
        "Quality days are not back to back",
        "week",
        "A quality session (progression, tempo, intervals, race) needs an easy day or a rest day "
        "after it; two on consecutive days (or on the same day) means the second is run "
        "tired, or the first was not hard. A session is quality when it is tagged quality, "
        "progression, tempo, threshold, intervals, hills, fartlek or race, is a progression "
        "run, or has at least `min_hard` at faster than easy effort (so strides do not count).",
        (
            Param(
                "min_hard",
                "8min",
                "duration",
                "faster-than-easy running that makes a session quality",
            ),
        ),
    ),
    Rule(
        "weekly-load",
        "Weekly volume rises gradually",
        "week",
        "Injury risk rises with sudden jumps in load. A week is flagged when its planned "
        "volume is more than 1.3 times the average of the previous four weeks, or more than 30% "
        "over the previous week. Weeks follow the plan's `start` (Monday weeks without it); "
        "give earlier weeks with `--history` to judge the first weeks of a file.",
        (
            Param("max_ratio", 1.3, "ratio", "largest ratio to the average of the last 4 weeks"),
            Param("max_increase", "30%", "share", "largest increase over the previous week"),
            Param(
                "by", "time", "choice", "measure volume by time or distance", ("time", "distance")
            ),
        ),
    ),
    Rule(
        "down-week",
        "A down week follows at most three build weeks",
        "week",
        "Adaptation happens in recovery. After at most three weeks of rising volume, plan a "
        "down week 20-30% lower than the peak, then build again. A week counts as a build week "
        "when its volume is higher than the week before; a down week is at least `min_drop` "
        "below the highest week since the last down week.",
        (
            Param("max_build_weeks", 3, "count", "most build weeks in a row"),
            Param("min_drop", "20%", "share", "how much lower a down week is than the peak"),
        ),
    ),
    Rule(
        "race-recovery",
        "Recover after a race before quality work",
        "week",
        "A race is a hard session whose recovery takes longer than training: about two weeks of "
        "easy (or no) running after a marathon, about a week after a half marathon, a few days "
        "after a 10k or 5k. A quality session sooner than that is flagged. A race is a session "
        "tagged race (or named '... race' or parkrun); its distance comes from a tag "
        "(marathon, half, 10k, 5k) or from the session's length.",
        (
            Param("marathon", 14, "days", "days after a marathon before quality work"),
            Param("half", 7, "days", "days after a half marathon"),
            Param("10k", 4, "days", "days after a 10k"),
            Param("5k", 3, "days", "days after a 5k"),
        ),
    ),
    Rule(
        "taper",
        "The last weeks before a race are lighter than the peak",
        "week",
        "Fitness is built in the weeks before the taper; the taper lets the fatigue go while the "
        "fitness stays. From the heaviest of the 4 weeks before the race week, each week is "
        "lighter than the one before, the week before the race week at least `min_drop` under "
        "the peak, and the running of the race week before the race at most `max_race_week` of "
        "the peak (the race itself not counted). Judged for goal races: a race tagged goal, and "
        "every half marathon and marathon; at least 3 weeks of running before the race week.",
        (
            Param("min_drop", "10%", "share", "how much lighter the week before the race week is"),
            Param(
                "max_race_week",
                "60%",
                "share",
                "largest share of the peak week run in the race week before the race",
            ),
        ),
    ),
    Rule(
        "race-week",
        "No long run or hard session in the final days before a race",
        "week",
        "A long run or a hard session in the last days before a race is run on the legs the race "
        "needs. Some quality is kept in the taper, but no quality session within `hard_days` of a "
        "goal race and no long run within `long_days`. A long run is a session tagged long or "
        "named '... long run'; quality as in quality-spacing. Goal races as in taper.",
        (
            Param("long_days", 6, "days", "no long run this many days before the race"),
            Param("hard_days", 3, "days", "no quality session this many days before the race"),
        ),
    ),
    Rule(
        "duplicate-session",
        "A session is written once a day",
        "week",
        "Two sessions with the same name and the same steps on the same day are almost always "
        "one session pasted twice: the watch would get two long runs on a Sunday. A double day "
        "is two different sessions (an easy morning run and an evening workout), or the same "
        "run under two names (`Easy run AM`, `Easy run PM`).",
    ),
    Rule(
        "session-dates",
        "Sessions lie within the plan's weeks",
        "week",
        "A session long before the plan's `start`, or weeks away from every other session of "
        "its plan, is most often a typo in its date (2025-12-16 in a 2026 plan): `check` would "
        "count it in the wrong week and `push` would skip it as past without a word.",
        (
            Param(
                "max_gap",
                28,
                "days",
                "most days before the plan's start, or from the plan's nearest other session",
            ),
        ),
    ),
    Rule(
        "long-run-growth",
        "The long run grows gradually",
        "week",
        "The long run is the biggest single load of a week, and the one most likely to hurt "
        "when it jumps: coaches lengthen it by about 10-20% (or 10-20 minutes) a week. A week's "
        "long run (tagged or named long, its only run, or clearly longer than its other runs) "
        "is compared with the longest run of the weeks before (`weeks` of them, so a "
        "down week does not make the next long run look like a jump); it is flagged when it is "
        "more than `max_increase` and more than `max_minutes` longer (whichever allows more: "
        "+20 min on a 60-minute run, +25% on a two-hour one). Races are not long runs.",
        (
            Param("max_increase", "25%", "share", "largest rise over the recent longest run"),
            Param("max_minutes", "20min", "duration", "largest rise in time"),
            Param("weeks", 3, "count", "how many weeks before make the recent longest run"),
        ),
    ),
)

RULES_BY_CODE = {rule.code: rule for rule in RULES}

#: The rules of `progsync adapt` (`workouts.adapt`): what it changes in the coming weeks after
#: what was run, and why. They have no `[checks]` settings; docs/adapt.md gives their sources.
ADAPT_RULES: tuple[Rule, ...] = (
    Rule(
        "adapt-missed-quality",
        "A missed quality session is not crammed in",
        "adapt",
        "Consistency beats heroics: a quality session missed in the last week is not squeezed "
        "into the coming days, where it would sit next to the next quality session "
        "(quality-spacing) and add to the week's load (weekly-load). adapt says so and the plan "
        "goes on. One missed easy run changes nothing at all.",
    ),
    Rule(
        "adapt-bridge-week",
        "A broken week becomes a bridge",
        "adapt",
        "When two or more sessions of the last week were missed, or less than 60% of its "
        "planned time was run, the coming week is built from what was actually run: at most "
        "25% more time than that (under weekly-load's 30%). Easy steps get shorter; quality "
        "sessions are kept but shorter (their warm-up and cool-down, then a repeat at a time "
        "while the easy share would fall under easy-share's minimum); the long run is not "
        "increased.",
    ),
    Rule(
        "adapt-time-off",
        "Time off is rebuilt, not resumed",
        "adapt",
        "Seven or more days without running, with sessions planned in them: the first week "
        "back is about 60% (50-70%) of the last full week (a week run to at least 80% of its "
        "plan; else what the plan asked of the week of the last run), with no quality session "
        "in its first three days (they become easy runs).",
    ),
    Rule(
        "adapt-build-back",
        "After a lighter week, back to the plan within the load limit",
        "adapt",
        "A week adapt made lighter (a bridge, time off, a race's rest, a down week) is followed "
        "by weeks that rise back to the plan gradually: each at most 25% over the week before "
        "and at most 1.25 times the average of the four before (weekly-load allows 30% and "
        "1.3). This may reach beyond the adapted weeks, until a week of the plan fits.",
    ),
    Rule(
        "adapt-progression-cue",
        "A progression run that finished all-out or stalled gets a cue",
        "adapt",
        "Progression runs start patiently and finish strong, never all-out. When the last "
        "progression run finished faster than its planned top pace, or had a stage slower "
        "than the stage before, the next one keeps its paces and gets a cue in its notes "
        "('Controlled finish ...', 'Each stage a little faster ...'). Two on-pace "
        "progressions in a row: the plan goes on as written.",
    ),
    Rule(
        "adapt-easy-pace",
        "Easy runs run too fast get a note",
        "adapt",
        "Mostly easy: when a reviewed week's easy share was under the easy-share minimum and "
        "its easy steps (or easy runs by feel) ran faster than the easy range, the coming easy "
        "runs get a note ('Easy means easy ...'); their targets do not change. Races are not "
        "counted.",
    ),
    Rule(
        "adapt-race-rest",
        "Rest after a race",
        "adapt",
        "A race (a session tagged race, or a run at 5k, 10k, half or marathon distance at "
        "faster than easy pace) is followed by the rest the coaching seeds give for its "
        "distance: 5k 3 days off then 4 easy, 10k 4 off then 3 easy, half 7 off then 7 "
        "easy, marathon 14 off then 14 easy (generate.RECOVERY). Sessions in the days off are "
        "removed; in the easy days quality sessions and runs over 30 minutes become 30-minute "
        "easy runs.",
    ),
    Rule(
        "adapt-down-week",
        "Three rising weeks are followed by a down week",
        "adapt",
        "Adaptation happens in recovery. After three completed weeks in a row with more "
        "running each than the week before, the coming week becomes a down week at 75% of "
        "the last (20-30% less), unless it is already at most 80% of it.",
    ),
    Rule(
        "adapt-paces",
        "Fitness shows: new paces are proposed with the evidence",
        "adapt",
        "Quality sessions run faster than a named pace of [athlete] paces at a steady heart "
        "rate (not above the step's heart-rate target) three times, or a race result at a "
        "distance the paces name: adapt proposes the pace that was run, with the runs as "
        "evidence, when it differs by 2 s/km or more. Written only with --write (or -o).",
    ),
)
ADAPT_BY_CODE = {rule.code: rule for rule in ADAPT_RULES}
#: Every code `progsync explain` knows.
EXPLAINED = {**RULES_BY_CODE, **ADAPT_BY_CODE}


@record
class SettingProblem:
    """A wrong entry of a `[checks]` table; `key` is its dotted path inside `[checks]`."""

    key: str
    message: str
    hint: str | None = None


class SettingsError(ValueError):
    def __init__(self, problems: list[SettingProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@record
class Settings:
    """Which rules run and with which thresholds (pace deltas in s/km, durations in s)."""

    disabled: frozenset[str] = frozenset()
    values: Mapping[str, Mapping[str, Value]] = field(default_factory=dict)

    def enabled(self, code: str) -> bool:
        return code not in self.disabled

    def get(self, code: str, name: str) -> Value:
        override = self.values.get(code, {})
        if name in override:
            return override[name]
        rule = RULES_BY_CODE[code]
        param = next(p for p in rule.params if p.name == name)
        return parse_value(param, param.default)

    def number(self, code: str, name: str) -> float:
        value = self.get(code, name)
        assert isinstance(value, float)
        return value

    def text(self, code: str, name: str) -> str:
        return str(self.get(code, name))


def parse_value(param: Param, raw: Any) -> Value:
    """A threshold as written in the config → its number (or text); ValueError when wrong."""
    kind = param.kind
    if isinstance(raw, bool):
        raise ValueError(raw)
    if kind == "duration":
        if not isinstance(raw, str):
            raise ValueError(raw)
        return parse_duration(raw)
    if kind == "pace_delta":
        if isinstance(raw, int | float):
            return float(raw)
        text = str(raw).strip().lower().replace(" ", "")
        per_mile = text.endswith("/mi")
        text = text.removesuffix("/km").removesuffix("/mi").removesuffix("s")
        seconds = float(text)
        return seconds / 1.609344 if per_mile else seconds
    if kind == "share":
        if isinstance(raw, str):
            share = float(raw.strip().rstrip("%")) / 100
        elif isinstance(raw, int | float):
            share = float(raw) / 100 if raw > 1 else float(raw)
        else:
            raise ValueError(raw)
        if not 0 <= share <= 1:
            raise ValueError(raw)
        return share
    if kind == "ratio":
        if not isinstance(raw, int | float) or raw < 1:
            raise ValueError(raw)
        return float(raw)
    if kind in ("count", "days"):
        if not isinstance(raw, int) or raw < 0:
            raise ValueError(raw)
        return float(raw)
    if kind == "choice":
        if str(raw) not in param.choices:
            raise ValueError(raw)
        return str(raw)
    text = str(raw).strip()
    if ":" in text:
        parse_pace(text, "km")
    return text


def _example(param: Param) -> str:
    value = param.default
    return f'"{value}"' if isinstance(value, str) else str(value)


def parse_settings(table: Mapping[str, Any] | None) -> Settings:
    """Read a `[checks]` table: `disable = [...]` and `[checks.RULE]` tables of thresholds."""
    if not table:
        return Settings()
    problems: list[SettingProblem] = []
    disabled: set[str] = set()
    values: dict[str, dict[str, Value]] = {}
    codes = list(RULES_BY_CODE)
    for key, entry in table.items():
        if key == "disable":
            names = entry if isinstance(entry, list) else [entry]
            for name in names:
                if str(name) not in RULES_BY_CODE:
                    problems.append(
                        SettingProblem(
                            "disable",
                            f"disable names an unknown rule '{name}'",
                            did_you_mean(str(name), codes) or "progsync explain lists the rules",
                        )
                    )
                else:
                    disabled.add(str(name))
            continue
        rule = RULES_BY_CODE.get(key)
        if rule is None:
            problems.append(
                SettingProblem(
                    key,
                    f"unknown rule '{key}' in [checks]",
                    did_you_mean(key, [*codes, "disable"]) or "progsync explain lists the rules",
                )
            )
            continue
        if not isinstance(entry, Mapping):
            problems.append(
                SettingProblem(
                    key,
                    f"[checks] {key} must be a table",
                    f"[checks.{key}] with enabled = false, or thresholds",
                )
            )
            continue
        params = {p.name: p for p in rule.params}
        for name, raw in entry.items():
            if name == "enabled":
                if not isinstance(raw, bool):
                    problems.append(
                        SettingProblem(f"{key}.enabled", "enabled must be true or false")
                    )
                elif not raw:
                    disabled.add(key)
                continue
            param = params.get(name)
            if param is None:
                known = ", ".join(["enabled", *params])
                problems.append(
                    SettingProblem(
                        f"{key}.{name}",
                        f"rule {key} has no setting '{name}'",
                        did_you_mean(name, ["enabled", *params]) or f"settings: {known}",
                    )
                )
                continue
            try:
                values.setdefault(key, {})[name] = parse_value(param, raw)
            except (ValueError, StepSyntaxError):
                choices = f" (one of {', '.join(param.choices)})" if param.choices else ""
                problems.append(
                    SettingProblem(
                        f"{key}.{name}",
                        f"{key}.{name} = {raw!r} is not {param.help}{choices}",
                        f"e.g. {name} = {_example(param)}",
                    )
                )
    if problems:
        raise SettingsError(problems)
    return Settings(frozenset(disabled), values)


def explain(code: str) -> str:
    """What `progsync explain RULE` prints: the rule, why it exists, its defaults and settings."""
    rule = EXPLAINED[code]
    lines = [f"{rule.code}: {rule.title}", ""]
    lines.extend(_wrap(rule.why, 88))
    lines.append("")
    if rule.scope == "adapt":
        lines.extend(
            _wrap(
                "Applies to: progsync adapt PLAN --from SOURCE, which proposes it for the coming "
                "weeks and changes the plan only with --write or -o (docs/adapt.md).",
                88,
            )
        )
        return "\n".join(lines)
    applies = (
        "every progression = {...} session, every session tagged or named progression, and any "
        "session without repeats whose run steps get faster over time"
        if rule.scope == "progression"
        else "the weeks of the plans checked together (plus --history)"
    )
    lines.extend(_wrap(f"Applies to: {applies}.", 88))
    lines.append("")
    lines.append("Settings (config file, or a plan's [checks] table):")
    lines.append(f"  [checks.{rule.code}]")
    lines.append("  enabled = true")
    for param in rule.params:
        shown = _example(param)
        if param.kind == "duration":
            shown = f'"{format_duration(parse_duration(str(param.default)))}"'
        lines.append(f"  {param.name} = {shown}    # {param.help}")
    lines.append("")
    lines.append(f'Turn it off: [checks] disable = ["{rule.code}"]')
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, width)
