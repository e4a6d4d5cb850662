"""Garmin Connect, through the `garminconnect` library, in one module per concern:

- `client`: the one seam into the library (`connect`) and the mapping of its failures;
- `tokens`: where the token bundle lives and how refreshed tokens are saved back;
- `readback`: comparing what Garmin stored with what was sent;
- `destination`: the destination itself, which converges the calendar on the plan;
- `login`: interactive login and the cooldown after failed logins.

`build` is the factory `sync.destinations.build_destination` calls.
"""

from __future__ import annotations

from .client import api_url, connect, dump_tokens
from .destination import GarminDestination, build
from .login import check_login_cooldown, login_interactive, record_login_failure, whoami_line
from .readback import compare_stored
from .tokens import TokenSource, load_tokens

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
