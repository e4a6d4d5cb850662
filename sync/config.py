"""The user's config file: athlete profile, destinations and their non-secret settings.

Looked up in order: `--config PATH`, `$PROGSYNC_CONFIG`, then `config.toml` in the platformdirs
config dir. A missing file is fine (everything has a default); a broken one is an input error.
Secrets never live here: they go to the OS keyring or environment variables.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from progsync.workouts.errors import InputError, Issue, Location, did_you_mean
from progsync.workouts.source import SourceMap, read_source, toml_issue

APP = "progsync"
CONFIG_KEYS = ("athlete", "push", "intervals", "garmin", "folder", "checks")
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "push": ("to", "window", "delete_past"),
    "intervals": ("athlete_id", "base_url", "chunk_size", "rate_limit"),
    "garmin": ("api_url", "verify"),
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


@dataclass(frozen=True)
class Config:
    path: Path | None = None
    athlete: Mapping[str, Any] = field(default_factory=dict)
    push: Mapping[str, Any] = field(default_factory=dict)
    intervals: Mapping[str, Any] = field(default_factory=dict)
    garmin: Mapping[str, Any] = field(default_factory=dict)
    folder: Mapping[str, Any] = field(default_factory=dict)
    checks: Mapping[str, Any] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.path is not None


def load_config(path: str | Path | None = None, *, sync: bool = True) -> Config:
    """Read and check the config file; a missing default file gives the defaults.

    `sync=False` (the `check` path) skips the typed check of the destination sections, which
    `check` never reads and which needs pydantic (see settings.py).
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
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([toml_issue(exc, src)]) from None
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
            for sub in value:
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
    if sync and any(isinstance(data.get(key), Mapping) for key in SECTION_KEYS):
        from .settings import check_sections

        issues.extend(check_sections(data, src))
    if issues:
        raise InputError(issues)
    return Config(
        path=target,
        **{key: dict(data.get(key, {})) for key in CONFIG_KEYS},
    )


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
