"""Logging in to Garmin Connect (email, password, MFA) and the cooldown after failed logins:
repeated failures get an account rate-limited by Garmin, so after 3 progsync waits 15 minutes.
Only the token bundle is kept (in the OS keyring); the password never is.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from progsync.sync.services.garmin.client import (
    LOGIN_COOLDOWN_S,
    LOGIN_MAX_ATTEMPTS,
    api_url,
    connect,
    dump_tokens,
    login_hint,
)
from progsync.sync.services.garmin.destination import GarminDestination
from progsync.sync.services.garmin.tokens import load_tokens, token_names
from progsync.sync.settings.config import Config, state_dir
from progsync.sync.settings.credentials import ENV_GARMIN_TOKENS, keyring_set
from progsync.sync.settings.errors import AuthError
from progsync.sync.settings.secrets import redact, register_secret


# -- login --------------------------------------------------------------------------------------
def _cooldown_path() -> Path:
    return state_dir() / "garmin-login.json"


def check_login_cooldown(now: float | None = None) -> None:
    """Refuse a login attempt while too many recent ones failed (Garmin rate-limits accounts)."""
    now = now or time.time()
    path = _cooldown_path()
    attempts: list[float] = []
    if path.exists():
        try:
            attempts = [float(t) for t in json.loads(path.read_text()).get("failed", [])]
        except (ValueError, OSError):
            attempts = []
    recent = [t for t in attempts if now - t < LOGIN_COOLDOWN_S]
    if len(recent) >= LOGIN_MAX_ATTEMPTS:
        wait = int(LOGIN_COOLDOWN_S - (now - min(recent))) // 60 + 1
        raise AuthError(
            f"{len(recent)} Garmin logins failed in the last {LOGIN_COOLDOWN_S // 60} minutes",
            f"wait about {wait} minutes before trying again: repeated logins get the account "
            "rate-limited by Garmin",
        )


def record_login_failure(now: float | None = None) -> None:
    path = _cooldown_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    attempts: list[float] = []
    if path.exists():
        try:
            attempts = json.loads(path.read_text()).get("failed", [])
        except (ValueError, OSError):
            attempts = []
    attempts = [*attempts, now or time.time()][-10:]
    path.write_text(json.dumps({"failed": attempts}))


def login_interactive(config: Config, interactive: bool) -> str:
    """Ask for email, password and (if Garmin asks) the MFA code; keep only the token bundle."""
    import click

    if not interactive:
        raise AuthError(
            "`progsync login garmin` needs a terminal to ask for the password",
            f"run it in a terminal once; for headless machines copy the tokens with "
            f"{ENV_GARMIN_TOKENS} (see docs/cron.md)",
        )
    check_login_cooldown()
    email = click.prompt("Garmin Connect email")
    password = click.prompt("Password (not stored)", hide_input=True)
    register_secret(password)
    import garminconnect

    try:
        garmin = garminconnect.Garmin(email, password, return_on_mfa=True)
        status, state = garmin.login()
        if status == "needs_mfa":
            code = click.prompt("MFA code from Garmin")
            garmin.resume_login(state, code)
    except Exception as exc:  # noqa: BLE001 - every library failure is a login failure
        record_login_failure()
        raise AuthError(
            f"Garmin login failed: {redact(str(exc))[:200]}",
            "check the email and password; after 3 failures progsync waits 15 minutes",
        ) from None
    keyring_set(token_names(config.member)[0], dump_tokens(garmin))
    name = getattr(garmin, "full_name", None) or getattr(garmin, "display_name", None) or email
    return f"Connected Garmin Connect as {name}; the tokens are in the OS keyring (the password is not kept)."


def whoami_line(config: Config) -> str:
    try:
        tokens = load_tokens(config.member)
    except AuthError as exc:
        return f"garmin: not connected ({exc.hint})"
    garmin = connect(tokens.tokens, api_url(config), config.member)
    destination = GarminDestination(garmin, tokens)
    destination.login_hint = login_hint(config.member)
    profile = (
        destination._call("connectapi", "reading the profile", "/userprofile-service/socialProfile")
        or {}
    )
    name = profile.get("fullName") or profile.get("displayName") or "?"
    return f"garmin: {name} ({profile.get('displayName', '?')}), tokens from the {tokens.where}"
