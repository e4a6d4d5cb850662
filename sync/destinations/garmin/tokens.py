"""Where the Garmin token bundle lives (keyring, environment text, or a 0600 file), and saving
refreshed tokens back there. Every token value is registered as a secret, so it is redacted
from every message and log line.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ...credentials import ENV_GARMIN_TOKENS, keyring_get, keyring_set
from ...http import (
    AuthError,
    register_secret,
)
from .client import KEYRING_NAME, LOGIN_HINT


# -- tokens -------------------------------------------------------------------------------------
class TokenSource:
    """Where the token bundle came from, so refreshed tokens can be saved back there."""

    def __init__(self, tokens: str, where: str, path: Path | None = None) -> None:
        self.tokens = tokens
        self.where = where
        self.path = path
        for value in _token_values(tokens):
            register_secret(value)

    def save(self, tokens: str) -> str | None:
        """Save refreshed tokens back; returns a note for the user when that is impossible."""
        if tokens == self.tokens:
            return None
        for value in _token_values(tokens):
            register_secret(value)
        if self.where == "keyring":
            keyring_set(KEYRING_NAME, tokens)
        elif self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(tokens)
            os.replace(tmp, self.path)
        else:
            return (
                f"Garmin refreshed the tokens, but {ENV_GARMIN_TOKENS} holds them as text and "
                "cannot be updated: point it at a 0600 file instead"
            )
        self.tokens = tokens
        return None


def _token_values(tokens: str) -> list[str]:
    try:
        data = json.loads(tokens)
    except ValueError:
        return [tokens]
    return (
        [str(v) for v in data.values() if isinstance(v, str) and len(v) >= 8]
        if isinstance(data, dict)
        else []
    )


def load_tokens() -> TokenSource:
    stored = keyring_get(KEYRING_NAME)
    if stored:
        return TokenSource(stored, "keyring")
    env = os.environ.get(ENV_GARMIN_TOKENS)
    if env:
        if env.lstrip().startswith("{"):
            return TokenSource(env, "environment")
        path = Path(env).expanduser()
        if not path.is_file():
            raise AuthError(f"{ENV_GARMIN_TOKENS} names {path}, which is not a file", LOGIN_HINT)
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuthError(
                f"the Garmin token file {path} is readable by other users",
                f"run `chmod 600 {path}`",
            )
        return TokenSource(path.read_text().strip(), "file", path)
    raise AuthError(
        "no Garmin Connect tokens",
        f"{LOGIN_HINT}; on a headless machine set {ENV_GARMIN_TOKENS} to the token JSON or to "
        "the path of a 0600 file holding it (see docs/cron.md)",
    )
