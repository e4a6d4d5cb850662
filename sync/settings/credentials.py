"""Credentials: the OS keyring first, environment variables for headless machines.

Nothing secret is ever written to a file by progsync; every secret loaded is registered for
redaction, so it cannot reach a log, an error message or `--json` output.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from progsync.sync.settings.errors import AuthError
from progsync.sync.settings.secrets import register_secret

SERVICE = "progsync"
ENV_INTERVALS_KEY = "PROGSYNC_INTERVALS_API_KEY"
ENV_INTERVALS_ATHLETE = "PROGSYNC_INTERVALS_ATHLETE_ID"
ENV_GARMIN_TOKENS = "PROGSYNC_GARMIN_TOKENS"


class KeyringUnavailable(Exception):
    """No usable keyring backend (common on headless Linux)."""


def _keyring() -> Any:
    import keyring
    from keyring.backends import fail, null

    backend = keyring.get_keyring()
    if isinstance(backend, fail.Keyring | null.Keyring):
        raise KeyringUnavailable(f"no usable keyring backend ({type(backend).__module__})")
    return keyring


def keyring_get(name: str) -> str | None:
    try:
        value: str | None = _keyring().get_password(SERVICE, name)
    except KeyringUnavailable:
        return None
    except Exception:  # noqa: BLE001 - any backend failure means unavailable
        return None
    if value:
        register_secret(value)
    return value


def keyring_set(name: str, value: str) -> None:
    register_secret(value)
    try:
        _keyring().set_password(SERVICE, name, value)
    except KeyringUnavailable as exc:
        raise AuthError(
            f"cannot store credentials: {exc}",
            "install a keyring backend (e.g. `pip install keyrings.alt` on a headless machine, "
            f"or use a desktop session), or set {ENV_INTERVALS_KEY} / {ENV_GARMIN_TOKENS} in the "
            "environment instead — see docs/cron.md",
        ) from None
    except Exception as exc:  # noqa: BLE001 - any backend failure means unavailable
        raise AuthError(f"the keyring refused to store credentials: {type(exc).__name__}") from None


def keyring_delete(name: str) -> bool:
    try:
        _keyring().delete_password(SERVICE, name)
        return True
    except Exception:  # noqa: BLE001 - any backend failure means unavailable
        return False


def keyring_status() -> tuple[bool, str]:
    """(usable, backend name) for `doctor`."""
    try:
        backend = _keyring().get_keyring()
    except KeyringUnavailable as exc:
        return False, str(exc)
    except Exception as exc:  # noqa: BLE001 - any backend failure means unavailable
        return False, f"{type(exc).__name__}: {exc}"
    return True, f"{type(backend).__module__}.{type(backend).__name__}"


@dataclass(frozen=True)
class IntervalsCredentials:
    athlete_id: str
    api_key: str
    source: str

    def __repr__(self) -> str:
        return f"IntervalsCredentials(athlete_id={self.athlete_id!r}, api_key='***', source={self.source!r})"


def intervals_credentials(
    config_athlete_id: str | None = None, coached: bool = False
) -> IntervalsCredentials:
    """From the keyring, else from the environment; AuthError naming both options otherwise.

    `coached`: the athlete id is a squad member's (coach mode), reached with the coach's key, so
    it wins over the key's own athlete id wherever that comes from.
    """
    stored = keyring_get("intervals")
    if stored:
        try:
            data = json.loads(stored)
            key = str(data["api_key"])
            athlete = str(config_athlete_id or data.get("athlete_id") or "0")
            register_secret(key)
            return IntervalsCredentials(athlete, key, "keyring")
        except (ValueError, KeyError, TypeError):
            pass
    env_key = os.environ.get(ENV_INTERVALS_KEY)
    if env_key:
        register_secret(env_key)
        athlete = (
            config_athlete_id
            if coached and config_athlete_id
            else os.environ.get(ENV_INTERVALS_ATHLETE) or config_athlete_id or "0"
        )
        return IntervalsCredentials(athlete, env_key, "environment")
    raise AuthError(
        "no Intervals.icu credentials",
        f"run `progsync login intervals` in a terminal, or set {ENV_INTERVALS_KEY} (and "
        f"{ENV_INTERVALS_ATHLETE}, e.g. i12345) for cron or headless machines",
    )


def store_intervals(athlete_id: str, api_key: str) -> None:
    keyring_set("intervals", json.dumps({"athlete_id": athlete_id, "api_key": api_key}))
