"""Several fake Garmin Connect accounts behind one server, told apart by the bearer token.

Garmin's config has one `[garmin] api_url`, so a squad's accounts are all reached at one
address, as on the live service, where the token identifies the user (each athlete logs in
with their own email and password and gets their own DI token pair). `FakeGarminSquad` keeps
one `FakeGarmin` per account as that account's state (its workouts, calendar, tokens and its
own request log) and dispatches every request to the account whose access token it carries;
the token refresh goes to the account whose refresh token it posts. A token no account knows
(a revoked login) is answered 401, as the live API answers an invalid token.

Each account's tokens are JWTs with the account's own name as subject, so no two accounts (or
two refreshes) ever share a token.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from .fake_garmin import FakeGarmin, jwt
from .fake_http import FakeServer

__all__ = ["FakeGarminSquad"]

TOKEN_PATH = "/di-oauth2-service/oauth/token"


class FakeGarminSquad(FakeServer):
    def __init__(self, names: tuple[str, ...] | list[str]) -> None:
        super().__init__()
        self.accounts: dict[str, FakeGarmin] = {}
        for name in names:
            account = FakeGarmin()
            account.server.server_close()  # only its state is used; this server answers for it
            account.access_token = jwt(time.time() + 3600 * 24, name=name)
            account.valid_tokens = {account.access_token}
            account.refresh_token = f"refresh-token-{name}"
            self.accounts[name] = account
        self._current = threading.local()

    # -- helpers for tests --------------------------------------------------------------------
    def tokens(self, name: str) -> str:
        """The token bundle `progsync login garmin --athlete NAME` would have stored."""
        return self.accounts[name].tokens()

    def revoke(self, name: str) -> None:
        """The athlete revoked the app (or changed the password): every token of theirs is dead."""
        account = self.accounts[name]
        account.valid_tokens.clear()
        account.refresh_token = f"revoked-{name}"

    def clear_logs(self) -> None:
        """Forget every request, the server's and each account's."""
        with self.lock:
            self.log.clear()
            for account in self.accounts.values():
                account.log.clear()

    def owner(self, token: str) -> str | None:
        return next((n for n, a in self.accounts.items() if token in a.valid_tokens), None)

    # -- the service --------------------------------------------------------------------------
    def check_auth(self, headers: Any, path: str) -> tuple[int, Any] | None:
        self._current.name = None
        if path == TOKEN_PATH:
            return None
        auth = headers.get("Authorization", "")
        name = self.owner(auth[7:]) if auth.startswith("Bearer ") else None
        if name is None:
            return 401, {"message": "Unauthorized"}
        self._current.name = name
        return None

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        name = getattr(self._current, "name", None)
        if path == TOKEN_PATH and method == "POST":
            fields = dict(pair.split("=", 1) for pair in str(body).split("&") if "=" in pair)
            name = next((n for n, a in self.accounts.items() if a.refresh_token == fields.get("refresh_token")), None)
            if name is None:
                return 401, {"error": "invalid_grant"}
        if name is None:
            return 401, {"message": "Unauthorized"}
        account = self.accounts[name]
        account.log.append((method, path, query, body))
        status, reply = account.route(method, path, query, body)
        if path == TOKEN_PATH and status == 200:
            # FakeGarmin names a refreshed token by its refresh count alone; give it the
            # account's name, so two accounts refreshed in the same second differ.
            account.valid_tokens.discard(account.access_token)
            account.access_token = jwt(time.time() + 3600 * 24, name=f"{name}-refreshed{account.refreshes}")
            account.valid_tokens.add(account.access_token)
            reply = {**reply, "access_token": account.access_token}
        return status, reply
