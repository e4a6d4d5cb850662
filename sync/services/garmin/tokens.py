"""Where the Garmin token bundle lives (keyring, environment text, or a 0600 file), and saving
refreshed tokens back there. Every token value is registered as a secret, so it is redacted
from every message and log line.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from progsync.sync.services.garmin.client import KEYRING_NAME, login_hint
from progsync.sync.settings.credentials import ENV_GARMIN_TOKENS, keyring_get, keyring_set
from progsync.sync.settings.errors import AuthError
from progsync.sync.settings.secrets import register_secret


# -- tokens -------------------------------------------------------------------------------------
class TokenSource:
    """Where the token bundle came from, so refreshed tokens can be saved back there."""

    def __init__(
        self,
        tokens: str,
        where: str,
        path: Path | None = None,
        names: tuple[str, str] = (KEYRING_NAME, ENV_GARMIN_TOKENS),
    ) -> None:
        self.keyring_name, self.env_name = names
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
            keyring_set(self.keyring_name, tokens)
        elif self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(tokens)
            os.replace(tmp, self.path)
        else:
            return (
                f"Garmin refreshed the tokens, but {self.env_name} holds them as text and "
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


def token_names(member: str | None = None) -> tuple[str, str]:
    """(keyring entry, environment variable) of the tokens: the runner's, or a squad member's."""
    if member is None:
        return KEYRING_NAME, ENV_GARMIN_TOKENS
    return f"{KEYRING_NAME}:{member}", f"{ENV_GARMIN_TOKENS}_{member.upper().replace('-', '_')}"


def load_tokens(member: str | None = None) -> TokenSource:
    names = token_names(member)
    keyring_name, env_name = names
    login = login_hint(member)
    stored = keyring_get(keyring_name)
    if stored:
        return TokenSource(stored, "keyring", names=names)
    env = os.environ.get(env_name)
    if env:
        if env.lstrip().startswith("{"):
            return TokenSource(env, "environment", names=names)
        path = Path(env).expanduser()
        if not path.is_file():
            raise AuthError(f"{env_name} names {path}, which is not a file", login)
        mode = path.stat().st_mode
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuthError(
                f"the Garmin token file {path} is readable by other users",
                f"run `chmod 600 {path}`",
            )
        return TokenSource(path.read_text().strip(), "file", path, names=names)
    who = f" for {member}" if member else ""
    raise AuthError(
        f"no Garmin Connect tokens{who}",
        f"{login}; on a headless machine set {env_name} to the token JSON or to "
        "the path of a 0600 file holding it (see docs/cron.md)",
    )
