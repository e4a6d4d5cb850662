"""The one guarded call to Garmin Connect, shared by the destination and the activity source.

Every call through garminconnect is counted (the request counts `push` and `review` report),
paced and retried by our `Pacer` (garminconnect's own retries are off), mapped from the
library's exceptions to ours (`classify`: 401/403 AuthError with whose login to renew, 404
`Gone`, 429/5xx/unreachable retried), and followed by saving the tokens back when the library
refreshed them (`TokenSource.save`; a note for the user when they cannot be saved).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from progsync.sync.services.garmin.client import UNREACHABLE_HINT, classify, dump_tokens
from progsync.sync.services.garmin.tokens import TokenSource
from progsync.sync.services.http import Pacer, Retryable
from progsync.sync.settings.config import DEFAULT_TIMEOUT
from progsync.sync.settings.errors import AuthError
from progsync.workouts.errors import ProgsyncError

T = TypeVar("T")


def garmin_pacer(timeout: float = DEFAULT_TIMEOUT) -> Pacer:
    """The pace of one Garmin Connect account: at most four requests a second (Garmin publishes
    no rate limit, docs/coach.md), each within `timeout` seconds in all (`[garmin] timeout`)."""
    return Pacer(min_interval=0.25, timeout=timeout)


@dataclass
class GarminCalls:
    """One account's connection: the garminconnect client, where its tokens go back, the pace,
    the counts of the calls made and the notes for the user."""

    garmin: Any
    tokens: TokenSource
    pacer: Pacer
    login_hint: str | None = None
    calls: Counter[str] = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)

    def call(
        self,
        name: str,
        what: str,
        func: Callable[[], T],
        settle: Callable[[], T | None] | None = None,
    ) -> T:
        """`func` (a garminconnect call named `name`, doing `what`), guarded as above; raises
        `Gone` on a 404 for the caller to decide what that means."""

        def once() -> T:
            self.calls[name] += 1
            try:
                return func()
            except (Retryable, ProgsyncError):
                raise
            except Exception as exc:  # noqa: BLE001 - mapped to our own errors
                error = classify(exc, what)
                if isinstance(error, AuthError) and self.login_hint:
                    error.hint = self.login_hint  # whose login to renew (coach mode)
                raise error from None

        try:
            return self.pacer.call(f"Garmin Connect {what}", once, UNREACHABLE_HINT, settle)
        finally:
            note = self.tokens.save(dump_tokens(self.garmin))
            if note and note not in self.notes:
                self.notes.append(note)
