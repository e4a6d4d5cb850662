"""The one seam into `garminconnect`, and how its failures map to ours.

`connect()` is the only place that reaches into the library's internals (the API base URL and
the token-refresh URL, which is what `[garmin] api_url` / `PROGSYNC_GARMIN_URL` set, and the
library's HTTP sessions, which get the total request deadline of `http.bounded`). `classify`
turns library and transport exceptions into progsync's: `Retryable` (with `sent` when the
request may have been carried out), `AuthError`, `Gone` (404) or `RemoteError`.
"""

from __future__ import annotations

import os
import re
from typing import Any

from progsync.sync.services.http import Retryable, bounded
from progsync.sync.settings.config import Config
from progsync.sync.settings.errors import AuthError, RemoteError
from progsync.sync.settings.secrets import redact
from progsync.workouts.errors import ProgsyncError

KEYRING_NAME = "garmin-tokens"
MARKER = re.compile(r"\[progsync (\S+) (\d{4}-\d{2}-\d{2}) ([0-9a-f]{8,16})\]\s*$")
LOGIN_COOLDOWN_S = 15 * 60
LOGIN_MAX_ATTEMPTS = 3
UNREACHABLE_HINT = "check the network (or [garmin] api_url); running it again completes what was left"
LOGIN_HINT = "run `progsync login garmin` in a terminal"


def login_hint(member: str | None = None) -> str:
    """How to (re)connect the account: the runner's own, or a squad member's (coach mode)."""
    return f"run `progsync login garmin --athlete {member}` in a terminal" if member else LOGIN_HINT

#: Garmin's description limit is unverified (docs/destinations.md); descriptions are kept below
#: this so the marker at the end cannot be pushed out.
DESCRIPTION_LIMIT = 2000


# -- the seam -----------------------------------------------------------------------------------
def connect(tokens: str, api_url: str | None = None, member: str | None = None) -> Any:
    """A `garminconnect.Garmin` with the token bundle loaded, optionally pointed at `api_url`.

    Pinned behaviour of garminconnect 0.3.x: API URLs are built from `client._connectapi`;
    token refresh posts to the module's `DI_TOKEN_URL` up to 0.3.2 and to the client's own
    `_di_token_url` from the 0.3.1x releases on (0.3.20 derives it from the domain). Loading the tokens directly (instead of
    `Garmin.login`) saves the two profile requests `login` makes on every start.
    """
    import garminconnect
    from garminconnect import client as gc_client

    try:
        # garminconnect >= 0.3.1x retries GETs on 5xx itself, sleeping for real: progsync's
        # Pacer owns retries (one policy, one clock), so the library's are turned off.
        garmin = garminconnect.Garmin(retry_attempts=0)
    except TypeError:
        garmin = garminconnect.Garmin()
    if api_url:
        base = api_url.rstrip("/")
        if not hasattr(garmin.client, "_connectapi"):
            raise ProgsyncError(
                "this garminconnect version cannot be pointed at another server",
                "remove [garmin] api_url / PROGSYNC_GARMIN_URL, or install garminconnect 0.3.x",
            )
        garmin.client._connectapi = base
        token_url = f"{base}/di-oauth2-service/oauth/token"
        gc_client.DI_TOKEN_URL = token_url
        if hasattr(garmin.client, "_di_token_url"):
            garmin.client._di_token_url = token_url
    _bound(garmin.client)
    try:
        garmin.client.loads(tokens)
    except Exception:  # noqa: BLE001 - any failure here means the bundle is unusable
        raise AuthError("the stored Garmin tokens are unreadable", login_hint(member)) from None
    return garmin


def _bound(client: Any) -> None:
    """Give every `requests.Session` the library talks through the total request deadline
    (`http.bounded`, enforced by `Pacer.timeout`): garminconnect 0.3.2 makes a fresh session
    per API call (`_fresh_api_session`), 0.3.1x+ keeps one (`_api_session`); `cs` is the SSO
    and refresh session of both. (The DI token refresh goes through curl_cffi where installed,
    whose own 30 s timeout is total; without it, through a bounded session too.)"""
    import requests
    from garminconnect import client as gc_client

    for name in ("cs", "_api_session"):
        session = getattr(client, name, None)
        if isinstance(session, requests.Session):
            bounded(session)
    fresh = getattr(client, "_fresh_api_session", None)
    if callable(fresh):
        client._fresh_api_session = lambda: bounded(fresh())
    if not getattr(gc_client, "HAS_CFFI", True) and callable(getattr(client, "_http_post", None)):
        client._http_post = lambda url, **kwargs: bounded(requests.Session()).post(url, **kwargs)


def dump_tokens(garmin: Any) -> str:
    return str(garmin.client.dumps())


# -- errors -------------------------------------------------------------------------------------
def classify(exc: Exception, what: str) -> Exception:
    """Map a library or transport exception to ours (Retryable for transient ones).

    `Retryable.sent` is False only where the request surely did not reach the server (a 429, a
    refused or timed-out connect); otherwise a retried upload or schedule looks first. A 404 is
    `Gone` (garminconnect 0.3.20 raises GarminConnectNotFoundError, 0.3.2 "API Error 404").
    """
    import garminconnect
    import requests

    text = redact(str(exc))
    not_found = getattr(garminconnect, "GarminConnectNotFoundError", None)
    if not_found is not None and isinstance(exc, not_found):
        return Gone(text)
    if isinstance(exc, garminconnect.GarminConnectTooManyRequestsError):
        return Retryable("HTTP 429")
    if isinstance(exc, garminconnect.GarminConnectAuthenticationError):
        return AuthError(f"Garmin Connect rejected the tokens while {what}", LOGIN_HINT)
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        unsent = isinstance(exc, requests.ConnectTimeout) or "refused" in str(exc).lower()
        return Retryable(type(exc).__name__, sent=not unsent)
    if isinstance(exc, garminconnect.GarminConnectConnectionError):
        match = re.search(r"API Error (\d{3})|\((\d{3})\)", text)
        status = int(match.group(1) or match.group(2)) if match else 0
        if status == 404:
            return Gone(text)
        if status in (401, 403):
            return AuthError(
                f"Garmin Connect refused the request (HTTP {status}) while {what}",
                LOGIN_HINT,
            )
        if status == 429:
            return Retryable("HTTP 429")
        if status >= 500 or status == 0:
            return Retryable(f"HTTP {status or '?'}", sent=True)
        return RemoteError(f"Garmin Connect: {text[:300]} (while {what})")
    return RemoteError(f"Garmin Connect: {type(exc).__name__}: {text[:300]} (while {what})")


class Gone(Exception):
    """Garmin answered 404: the item was already removed (by a person, or an earlier try)."""


def api_url(config: Config) -> str | None:
    return os.environ.get("PROGSYNC_GARMIN_URL") or config.garmin.api_url
