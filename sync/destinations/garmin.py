"""Garmin Connect as a destination (see issue: Garmin destination)."""

from __future__ import annotations

from typing import Any

from progsync.workouts.errors import ProgsyncError


class NotYetAvailable(ProgsyncError):
    exit_code = 2


def build_garmin_destination(config: Any, max_hr: dict[str, int | None]) -> Any:
    raise NotYetAvailable(
        "the Garmin Connect destination is not available in this version",
        "use --to intervals (Intervals.icu can forward workouts to Garmin) or "
        "--to folder:/path/to/GARMIN/NewFiles with the watch mounted over USB",
    )


def login_interactive(config: Any, interactive: bool) -> str:
    build_garmin_destination(config, {})
    return ""


def whoami_line(config: Any) -> str:
    return "garmin: not available in this version"
