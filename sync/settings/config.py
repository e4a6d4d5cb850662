"""The user's config file: athlete profile, destinations and their non-secret settings.

Looked up in order: `--config PATH`, `$PROGSYNC_CONFIG`, then `config.toml` in the platformdirs
config dir. A missing file is fine (everything has a default); a broken one is an input error.
Secrets never live here: they go to the OS keyring or environment variables.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progsync.workouts.errors import InputError, Issue, Location, did_you_mean
from progsync.workouts.records import record
from progsync.workouts.source import SourceMap, parse_toml, read_source

if TYPE_CHECKING:
    from progsync.sync.settings.roster import Athlete
    from progsync.workouts.encode import Format

APP = "progsync"
CONFIG_KEYS = ("athlete", "athletes", "push", "intervals", "garmin", "folder", "checks")
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "push": ("to", "window", "delete_past"),
    "intervals": ("athlete_id", "base_url", "chunk_size", "rate_limit", "timeout"),
    "garmin": ("api_url", "verify", "timeout"),
    "folder": ("path", "format"),
}


def _user_dir(kind: str) -> Path:
    """platformdirs' user dir of `kind`; on Linux the XDG rule is applied directly (the same
    answer, without importing platformdirs on every start)."""
    if sys.platform.startswith("linux"):
        env, default = {
            "config": ("XDG_CONFIG_HOME", ".config"),
            "data": ("XDG_DATA_HOME", ".local/share"),
            "state": ("XDG_STATE_HOME", ".local/state"),
        }[kind]
        base = os.environ.get(env, "").strip()
        return (Path(base) if base else Path.home() / default) / APP
    import platformdirs

    return Path(getattr(platformdirs, f"user_{kind}_dir")(APP))


def config_dir() -> Path:
    return _user_dir("config")


def today() -> dt.date:
    """The athlete's calendar day (`PROGSYNC_TODAY=YYYY-MM-DD` pins it, for tests and replays)."""
    pinned = os.environ.get("PROGSYNC_TODAY")
    return dt.date.fromisoformat(pinned) if pinned else dt.date.today()


def data_dir() -> Path:
    if env := os.environ.get("PROGSYNC_DATA_DIR"):
        return Path(env)
    return _user_dir("data")


def state_dir() -> Path:
    if env := os.environ.get("PROGSYNC_STATE_DIR"):
        return Path(env)
    if os.environ.get("PROGSYNC_DATA_DIR"):
        return Path(os.environ["PROGSYNC_DATA_DIR"]) / "state"
    return _user_dir("state")


def default_config_path() -> Path:
    if env := os.environ.get("PROGSYNC_CONFIG"):
        return Path(env)
    return config_dir() / "config.toml"


#: The total seconds a request may take, retries and their waits included, unless the config's
#: `[intervals] timeout` / `[garmin] timeout` says otherwise (docs/destinations.md).
DEFAULT_TIMEOUT = 60.0


@record
class PushSettings:
    """`[push]`: where a bare `push` sends (`to`), how many days ahead (`window`, in days, None
    for the whole plan) and whether past sessions are removed from the calendar."""

    to: tuple[str, ...] = ()
    window: int | None = None
    delete_past: bool = False


@record
class IntervalsSettings:
    """`[intervals]`: whose calendar (`athlete_id`, else the stored credentials'), the server,
    events per bulk request, requests per second across the run (Intervals.icu allows about 10
    per second per IP, forum thread 609) and the total seconds one request may take."""

    athlete_id: str | None = None
    base_url: str | None = None
    chunk_size: int = 50
    rate_limit: float = 8.0
    timeout: float = DEFAULT_TIMEOUT


@record
class GarminSettings:
    """`[garmin]`: the API's address (a proxy or a test server), whether each upload is read
    back and compared, and the total seconds one request may take."""

    api_url: str | None = None
    verify: bool = True
    timeout: float = DEFAULT_TIMEOUT


@record
class FolderSettings:
    """`[folder]`: the folder of a bare `--to folder` (None: the built-in outbox) and the file
    formats written there."""

    path: str | None = None
    formats: tuple[Format, ...] = ("fit",)


@record
class Config:
    """The config file, checked and typed: every default is here or in the section types above.

    `athlete`, `checks` and `adjust` stay tables: the pure core parses them
    (`workouts.profile`, `workouts.rules.parse_settings`, `workouts.adjust`), merged with a
    plan's own `[athlete]` and `[checks]`, and they are checked here by those same parsers.
    """

    path: Path | None = None
    athlete: Mapping[str, Any] = field(default_factory=dict)
    push: PushSettings = PushSettings()
    intervals: IntervalsSettings = IntervalsSettings()
    garmin: GarminSettings = GarminSettings()
    folder: FolderSettings = FolderSettings()
    checks: Mapping[str, Any] = field(default_factory=dict)
    #: Coach mode: the roster (`[athletes.NAME]`), and the member this config was narrowed to.
    athletes: Mapping[str, Athlete] = field(default_factory=dict)
    member: str | None = None
    #: The member's `scale` and `rest_days` (`progsync.workouts.adjust`), when they have any.
    adjust: Mapping[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.path is not None


def load_config(path: str | Path | None = None) -> Config:
    """Read and check the config file; a missing default file gives the defaults.

    Every value is checked by type in every command (`_value_problem`), without pydantic, whose
    import would triple the start-up of `check`.
    """
    explicit = path is not None or "PROGSYNC_CONFIG" in os.environ
    target = Path(path) if path is not None else default_config_path()
    if not target.exists():
        if explicit:
            raise InputError(
                [
                    Issue(
                        f"config file {target} does not exist",
                        Location(str(target)),
                        "copy config.example.toml there, or drop --config / PROGSYNC_CONFIG",
                    )
                ]
            )
        return Config()
    text = read_source(target, "config file")
    src = SourceMap(text, str(target))
    data = parse_toml(src)
    issues: list[Issue] = []
    for key, value in data.items():
        if key not in CONFIG_KEYS:
            issues.append(
                Issue(
                    f"unknown section '{key}' in the config",
                    src.key(src.whole(), key),
                    did_you_mean(key, CONFIG_KEYS) or f"sections: {', '.join(CONFIG_KEYS)}",
                )
            )
        elif not isinstance(value, Mapping):
            issues.append(Issue(f"[{key}] must be a table", src.key(src.whole(), key)))
        elif key in SECTION_KEYS:
            for sub, item in value.items():
                if sub in SECTION_KEYS[key]:
                    problem = _value_problem(key, sub, item)
                    if problem:
                        issues.append(
                            Issue(
                                f"[{key}] {sub} = {_shown(item)}: {problem[0]}",
                                src.setting(key, sub),
                                problem[1],
                            )
                        )
                if sub not in SECTION_KEYS[key]:
                    issues.append(
                        Issue(
                            f"unknown key '{sub}' in [{key}]",
                            src.key(src.table(key), sub),
                            did_you_mean(sub, SECTION_KEYS[key])
                            or f"keys: {', '.join(SECTION_KEYS[key])}",
                        )
                    )
    if isinstance(data.get("checks"), Mapping):
        issues.extend(_check_settings(data["checks"], src))
    athletes: dict[str, Athlete] = {}
    if isinstance(data.get("athletes"), Mapping):
        from progsync.sync.settings.roster import read_roster, roster_issues

        issues.extend(roster_issues(data["athletes"], src.key(src.whole(), "athletes")))
        if not issues:
            athletes = read_roster(data["athletes"])
    if issues:
        raise InputError(issues)
    return Config(
        path=target,
        athlete=dict(data.get("athlete", {})),
        push=_push(data.get("push", {})),
        intervals=_intervals(data.get("intervals", {})),
        garmin=_garmin(data.get("garmin", {})),
        folder=_folder(data.get("folder", {})),
        checks=dict(data.get("checks", {})),
        athletes=athletes,
    )


def _push(table: Mapping[str, Any]) -> PushSettings:
    to = table.get("to", ())
    return PushSettings(
        to=(to,) if isinstance(to, str) else tuple(to),
        window=window_days(table.get("window")),
        delete_past=table.get("delete_past", PushSettings.delete_past),
    )


def _intervals(table: Mapping[str, Any]) -> IntervalsSettings:
    athlete_id = table.get("athlete_id")
    return IntervalsSettings(
        athlete_id=None if athlete_id is None else str(athlete_id),
        base_url=table.get("base_url") or None,
        chunk_size=table.get("chunk_size", IntervalsSettings.chunk_size),
        rate_limit=float(table.get("rate_limit", IntervalsSettings.rate_limit)),
        timeout=float(table.get("timeout", DEFAULT_TIMEOUT)),
    )


def _garmin(table: Mapping[str, Any]) -> GarminSettings:
    return GarminSettings(
        api_url=table.get("api_url") or None,
        verify=table.get("verify", GarminSettings.verify),
        timeout=float(table.get("timeout", DEFAULT_TIMEOUT)),
    )


def _folder(table: Mapping[str, Any]) -> FolderSettings:
    value: Any = table.get("format", FolderSettings.formats)  # checked: one format or a list
    formats: tuple[Format, ...] = tuple(value) if isinstance(value, list | tuple) else (value,)
    return FolderSettings(path=table.get("path") or None, formats=formats)


def window_days(value: str | int | None) -> int | None:
    """Days ahead from `--window` or `[push] window`: 14, "14d" or "2w"; None or "" for no limit."""
    if value is None or value == "":
        return None
    match = re.fullmatch(r"\s*(\d+)\s*(d|w)?\s*", str(value).lower())
    if not match:
        raise InputError(
            [Issue(f"window '{value}' is not a number of days", hint="e.g. --window 14d or 2w")]
        )
    days = int(match.group(1))
    return days * 7 if match.group(2) == "w" else days


#: The one list of destination kinds (`--to KIND`, `[push] to`): the accounts progsync talks
#: to (`SERVICES`), a folder (a watch over USB) and a calendar file. `services/registry.py`
#: builds each from the module of the same name.
SERVICES = ("intervals", "garmin")
DESTINATIONS = (*SERVICES, "folder", "ics")
#: The formats a folder may hold (`[folder] format`): `progsync.workouts.encode.FORMATS`, written
#: out so that `check` does not import the encoders (a test keeps the two equal).
FORMATS: tuple[Format, ...] = ("fit", "garmin-json", "intervals", "zwo")


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + "..."


def _value_problem(section: str, key: str, value: Any) -> tuple[str, str] | None:
    """What is wrong with one setting's value (message, hint), or None.

    Types are checked strictly (TOML has booleans and numbers, so `delete_past = "no"` is a
    mistake, not a truthy string: read as true it once deleted past sessions). Plain code, not
    pydantic: the config is read on every `check`, where pydantic's import would triple the
    start-up time (docs/performance.md).
    """
    if key in ("delete_past", "verify"):
        if not isinstance(value, bool):
            return "must be true or false", f"write {key} = true or {key} = false, without quotes"
    elif key == "to":
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(v, str) and v for v in items):
            return (
                "must be a destination or a list of them",
                'e.g. to = "garmin" or to = ["intervals", "folder:~/watch"]',
            )
        for item in items:
            kind = str(item).partition(":")[0]
            if kind not in DESTINATIONS:
                return f"'{item}' is not a destination", did_you_mean(
                    kind, DESTINATIONS
                ) or "destinations: intervals, garmin, folder:PATH, ics:FILE"
    elif key == "window":
        if not (isinstance(value, int) and not isinstance(value, bool) and value >= 0) and not (
            isinstance(value, str) and re.fullmatch(r"\s*\d+\s*[dw]?\s*", value.lower())
        ):
            return "is not a number of days", 'e.g. window = "14d" or "2w"'
    elif key in ("chunk_size", "rate_limit"):
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or value <= 0:
            return "must be a positive number", f"e.g. {key} = {50 if key == 'chunk_size' else 8}"
        if key == "chunk_size" and (not isinstance(value, int) or value > 500):
            return "must be a whole number up to 500", "e.g. chunk_size = 50"
        if key == "rate_limit" and value > 10:
            return "is above Intervals.icu's limit of 10 requests per second", "e.g. rate_limit = 8"
    elif key == "timeout":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or value <= 0:
            return (
                "must be a positive number of seconds",
                "e.g. timeout = 60 (the most one request, retries included, may take)",
            )
    elif key == "athlete_id":
        if not isinstance(value, str | int) or not re.fullmatch(r"i?\d+", str(value)):
            return (
                "is not an Intervals.icu athlete id",
                'athlete ids look like "i12345" (or "0" for the key\'s owner)',
            )
    elif key in ("base_url", "api_url"):
        if not isinstance(value, str) or not re.match(r"https?://", value):
            return "must be an http(s) URL", f'e.g. {key} = "https://…", or remove the line'
    elif key == "path":
        if not isinstance(value, str) or not value:
            return "must be a folder path in quotes", 'e.g. path = "~/watch/GARMIN/NewFiles"'
    elif key == "format":
        items = value if isinstance(value, list) else [value]
        bad = [v for v in items if v not in FORMATS]
        if bad or not items:
            return (
                f"{_shown(bad[0] if bad else value)} is not a format",
                f"formats: {', '.join(FORMATS)}",
            )
    return None


def _check_settings(table: Mapping[str, Any], src: SourceMap) -> list[Issue]:
    """Problems of the `[checks]` section, located in the config file."""
    from progsync.workouts.rules import SettingsError, parse_settings

    try:
        parse_settings(table)
    except SettingsError as exc:
        return [
            Issue(problem.message, src.setting("checks", problem.key), problem.hint)
            for problem in exc.problems
        ]
    return []
