"""Garmin Connect, through the `garminconnect` library, in one module per concern:

- `client`: the one seam into the library (`connect`) and the mapping of its failures;
- `tokens`: where the token bundle lives and how refreshed tokens are saved back;
- `readback`: comparing what Garmin stored with what was sent;
- `calls`: the one guarded call (counted, paced, retried, errors mapped, tokens saved back);
- `destination`: the destination itself, which converges the calendar on the plan;
- `calendar`: reading the calendar of a date range, the saved workouts and one workout whole
  (`progsync import --from garmin`);
- `login`: interactive login and the cooldown after failed logins.

`build` is the factory `sync.destinations.build_destination` calls.
"""

from __future__ import annotations

from progsync.sync.services.garmin.client import api_url, connect, dump_tokens
from progsync.sync.services.garmin.destination import GarminDestination, build
from progsync.sync.services.garmin.login import (
    check_login_cooldown,
    login_interactive,
    record_login_failure,
    whoami_line,
)
from progsync.sync.services.garmin.readback import compare_stored
from progsync.sync.services.garmin.tokens import TokenSource, load_tokens

__all__ = [
    "GarminDestination",
    "TokenSource",
    "api_url",
    "build",
    "check_login_cooldown",
    "compare_stored",
    "connect",
    "dump_tokens",
    "load_tokens",
    "login_interactive",
    "record_login_failure",
    "whoami_line",
]
