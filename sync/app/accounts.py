"""`login`, `logout` and `whoami`: connecting accounts, never prompting without a terminal."""

from __future__ import annotations

import os
import sys

import click

from progsync.sync.settings.config import SERVICES, Config
from progsync.sync.settings.credentials import (
    ENV_INTERVALS_ATHLETE,
    ENV_INTERVALS_KEY,
    intervals_credentials,
    keyring_delete,
    store_intervals,
)
from progsync.sync.settings.errors import AuthError
from progsync.sync.settings.secrets import register_secret


def interactive() -> bool:
    return sys.stdin.isatty() and os.environ.get("CI", "").lower() not in ("1", "true")


def login_intervals(config: Config, athlete_id: str | None, api_key_stdin: bool) -> str:
    """Ask for (or read) the athlete id and API key, verify them with one call, store them."""
    if api_key_stdin:
        api_key = sys.stdin.readline().strip()
    elif interactive():
        api_key = click.prompt(
            "Intervals.icu API key (Settings → Developer)", hide_input=True
        ).strip()
    else:
        raise AuthError(
            "`progsync login intervals` needs a terminal to ask for the API key",
            f"run it in a terminal, pipe the key with --api-key-stdin, or set {ENV_INTERVALS_KEY} "
            f"and {ENV_INTERVALS_ATHLETE} for headless use",
        )
    if not athlete_id:
        athlete_id = config.intervals.athlete_id
    if not athlete_id:
        if interactive() and not api_key_stdin:
            athlete_id = click.prompt("Athlete id (like i12345; 0 = the key's owner)", default="0")
        else:
            athlete_id = "0"
    register_secret(api_key)
    from progsync.sync.services.intervals_client import client_for

    athlete = client_for(config, str(athlete_id), api_key).athlete()
    store_intervals(str(athlete_id), api_key)
    name = athlete.name or athlete.id
    return f"Connected Intervals.icu as {name} ({athlete.id}); the key is in the OS keyring."


def login_garmin(config: Config) -> str:
    from progsync.sync.services.garmin import login_interactive

    return login_interactive(config, interactive())


def logout(service: str) -> str:
    removed = keyring_delete("intervals" if service == "intervals" else "garmin-tokens")
    if removed:
        return f"Removed the {service} credentials from the keyring."
    return f"No {service} credentials were in the keyring (environment variables, if set, still apply)."


def whoami(config: Config, to: tuple[str, ...]) -> list[str]:
    services = [t.split(":")[0] for t in to] or list(SERVICES)
    lines = []
    for service in services:
        if service == "intervals":
            try:
                creds = intervals_credentials(
                    config.intervals.athlete_id, coached=config.member is not None
                )
            except AuthError as exc:
                lines.append(f"intervals: not connected ({exc.hint})")
                continue
            from progsync.sync.services.intervals_client import client_for

            athlete = client_for(config, creds.athlete_id, creds.api_key).athlete()
            lines.append(
                f"intervals: {athlete.name or '?'} ({athlete.id}), "
                f"credentials from the {creds.source}"
            )
        elif service == "garmin":
            from progsync.sync.services.garmin import whoami_line

            lines.append(whoami_line(config))
    return lines
