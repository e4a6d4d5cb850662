"""Pacing, retries and error mapping shared by the network destinations.

- A rate limit (a minimum interval between requests), shared by every session of a service
  in one run (`shared_pacer`): a coach's squad is one client to the service.
- Retries with exponential backoff on 429, 5xx and connection errors, honouring `Retry-After`.
- A total deadline per request (`Pacer.timeout`, `[intervals]`/`[garmin] timeout`, 60 s by
  default), covering every try and every wait between tries: the per-read timeouts of
  `requests` restart with each byte, so a server that trickles its reply would otherwise hold a
  push (and its lock) for ever. `within` arms a watchdog that shuts the request's sockets down
  when the time is up; it reaches the sockets of every `requests.Session` given to `bounded`
  (both clients' sessions are), whatever the library that drives them.
- Every message that leaves here has secrets redacted, in their encoded forms too (base64,
  basic auth, URL-encoding), since services echo what they were sent.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from progsync.sync.settings.errors import TooSlow, Unreachable
from progsync.sync.settings.secrets import redact

T = TypeVar("T")

# Every network path imports this module: from here on, library loggers (garminconnect logs
# tracebacks) never reach the terminal; the log file (progsync.sync.settings.logs) gets them, redacted.
if not logging.getLogger().handlers:
    logging.getLogger().addHandler(logging.NullHandler())

class Retryable(Exception):
    """Raised inside a call to ask for another try; `after` is the server's Retry-After.

    `sent` says the request may have reached the server and been carried out (a timeout, a
    dropped connection, a 5xx after sending): a non-idempotent request must then not be sent
    again before looking whether it took effect (see `Pacer.call`'s `settle`).
    """

    def __init__(self, message: str, after: float | None = None, sent: bool = False) -> None:
        super().__init__(message)
        self.after = after
        self.sent = sent


def _slow_hint(seconds: float) -> str:
    return (
        f"a request, retries included, may take {seconds:g} s at most (`timeout` in "
        "[intervals] or [garmin]); nothing more was sent to this destination. Check the "
        "network or the service's status page; the next run completes what was left"
    )


class _Watch:
    """The watchdog of one try: when its time is up, it shuts down the sockets the try used."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.fired = False
        self._connections: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.ends - time.monotonic(), 0.001)

    def watch(self, connection: Any) -> None:
        with self._lock:
            if self.fired:
                raise TimeoutError("the request's deadline has passed")
            self._connections.append(connection)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            connections = list(self._connections)
        for connection in connections:
            sock = getattr(connection, "sock", None)
            if sock is not None:
                # The plain socket's shutdown, also for TLS: the reading thread's recv returns
                # at once (SSLSocket.shutdown would drop its SSL object under that thread).
                with suppress(OSError):
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)


_ACTIVE = threading.local()


@contextmanager
def within(seconds: float, what: str, total: float | None = None) -> Iterator[None]:
    """Run one try of a request with a total deadline of `seconds` (real time); `total` is
    the request's whole deadline, for the message.

    The sockets of `bounded` sessions that the try uses are shut down when the time is up, which
    ends a read that a per-read timeout would never end; whatever the library then raises
    becomes `TooSlow` naming the request.
    """
    watch = _Watch(seconds)
    previous = getattr(_ACTIVE, "watch", None)
    _ACTIVE.watch = watch
    watch._timer.start()
    try:
        yield
    except Exception:
        if watch.fired:
            limit = total if total is not None else seconds
            raise TooSlow(
                redact(f"{what}: no complete reply within {limit:g} s"), _slow_hint(limit)
            ) from None
        raise
    finally:
        watch._timer.cancel()
        _ACTIVE.watch = previous


def _watched(connection: Any) -> None:
    watch: _Watch | None = getattr(_ACTIVE, "watch", None)
    if watch is not None:
        watch.watch(connection)


def _bounded_adapter(**kwargs: Any) -> Any:
    """A `requests` HTTPAdapter whose connections report to the running `within` (if any), and
    whose connect and read timeouts never exceed the time left."""
    from requests import PreparedRequest, Response
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class Connection(HTTPConnection):
        def request(self, *args: Any, **kw: Any) -> None:
            _watched(self)
            super().request(*args, **kw)

    class SecureConnection(HTTPSConnection):
        def request(self, *args: Any, **kw: Any) -> None:
            _watched(self)
            super().request(*args, **kw)

    class Pool(HTTPConnectionPool):
        ConnectionCls = Connection

    class SecurePool(HTTPSConnectionPool):
        ConnectionCls = SecureConnection

    class BoundedAdapter(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kw: Any) -> None:
            super().init_poolmanager(*args, **kw)
            self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SecurePool}

        def send(
            self,
            request: PreparedRequest,
            stream: bool = False,
            timeout: float | tuple[float, float] | tuple[float, None] | None = None,
            verify: bool | str = True,
            cert: bytes | str | tuple[bytes | str, bytes | str] | None = None,
            proxies: Mapping[str, str] | None = None,
        ) -> Response:
            watch: _Watch | None = getattr(_ACTIVE, "watch", None)
            if watch is not None:
                left = watch.remaining()
                if isinstance(timeout, tuple):
                    connect, read = timeout
                    timeout = (min(connect, left), left if read is None else min(read, left))
                else:
                    timeout = left if timeout is None else min(float(timeout), left)
            return super().send(request, stream, timeout, verify, cert, proxies)

    return BoundedAdapter(**kwargs)


def bounded(session: T) -> T:
    """Make a `requests.Session` honour `within` deadlines (mounted for http and https)."""
    adapter = _bounded_adapter(pool_connections=20, pool_maxsize=20)
    session.mount("http://", adapter)  # type: ignore[attr-defined]
    session.mount("https://", adapter)  # type: ignore[attr-defined]
    return session


class Clock(Protocol):
    """Where pacing and backoff read the time and wait: the seam tests swap instead of sleeping."""

    def monotonic(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    """The real clock: `time.monotonic` and `time.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class VirtualClock:
    """A clock that never waits: `sleep` advances its time and records the wait.

    Tests (and `bench/`) use it to assert the waits that pacing and backoff would have made,
    without spending them. Requests still take their real time on top.
    """

    def __init__(self) -> None:
        self._offset = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        return time.monotonic() + self._offset

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._offset += max(seconds, 0.0)

    @property
    def slept(self) -> float:
        return sum(self.sleeps)


_DEFAULT_CLOCK: Clock = SystemClock()


def use_clock(clock: Clock) -> Clock:
    """Make `clock` the default of every Pacer created from now on; returns the previous one."""
    global _DEFAULT_CLOCK
    previous, _DEFAULT_CLOCK = _DEFAULT_CLOCK, clock
    return previous


def default_clock() -> Clock:
    return _DEFAULT_CLOCK


@dataclass
class Pacer:
    """Rate limit and retry policy for one destination session.

    `min_interval` spaces requests (Intervals.icu allows about 10 per second per IP; Garmin
    publishes no limit, so it is paced gently). Retries back off exponentially unless the server
    says how long to wait (`Retry-After`, capped at `max_wait`). All waiting goes through
    `clock`, so tests run at full speed and still see every wait (`waited`).
    """

    min_interval: float = 0.125
    attempts: int = 4
    backoff: float = 0.5
    max_wait: float = 30.0
    clock: Clock = field(default_factory=default_clock)
    #: The total deadline of one request, every try and every wait between tries included;
    #: None: no deadline (only the per-read timeouts of the client).
    timeout: float | None = None

    def __post_init__(self) -> None:
        self._last: float | None = None
        self._lock = threading.Lock()
        self.waited = 0.0
        self.requests = 0

    def _pace(self) -> None:
        with self._lock:
            self.requests += 1
            now = self.clock.monotonic()
            if self._last is not None:
                delay = self._last + self.min_interval - now
                if delay > 0:
                    self.waited += delay
                    self.clock.sleep(delay)
            self._last = self.clock.monotonic()

    def call(
        self,
        what: str,
        func: Callable[[], T],
        unreachable_hint: str,
        settle: Callable[[], T | None] | None = None,
    ) -> T:
        """Run `func` paced, retrying Retryable errors; Unreachable when tries run out.

        `settle` makes a non-idempotent request safe to retry: after a failure that may have
        been carried out (`Retryable.sent`), it looks at the service (and returns what the
        request would have, or None when it did not happen) before `func` is tried again.

        With `timeout`, the whole request (tries, waits, settling) ends within that many
        seconds: a try still running then is cut off (`TooSlow`, not retried), and a wait that
        would end past it is not made (`Unreachable` at once).
        """
        last: Retryable | None = None
        started: float | None = None
        tries = 0
        for attempt in range(self.attempts):
            self._pace()
            if started is None:
                started = self.clock.monotonic()
            left = None if self.timeout is None else self.timeout - (self.clock.monotonic() - started)
            if left is not None and left <= 0:
                break
            tries += 1
            try:
                if left is None:
                    return func()
                with within(left, what, self.timeout):
                    return func()
            except Retryable as exc:
                last = exc
                if attempt + 1 == self.attempts:
                    break
                wait = exc.after if exc.after is not None else self.backoff * (2**attempt)
                wait = min(max(wait, 0.0), self.max_wait)
                if (
                    self.timeout is not None
                    and self.clock.monotonic() - started + wait >= self.timeout
                ):
                    break
                self.waited += wait
                self.clock.sleep(wait)
                if exc.sent and settle is not None:
                    found = settle()
                    if found is not None:
                        return found
        if last is None or tries < self.attempts:
            limit = f" within its {self.timeout:g} s" if self.timeout is not None else ""
            raise Unreachable(
                redact(f"{what} failed after {tries} tr{'y' if tries == 1 else 'ies'}{limit}: {last}"),
                unreachable_hint,
            )
        raise Unreachable(
            redact(f"{what} failed after {self.attempts} tries: {last}"), unreachable_hint
        )


_SHARED: dict[str, Pacer] = {}
_LOCK = threading.Lock()


def shared_pacer(name: str, min_interval: float, timeout: float | None = None) -> Pacer:
    """The one Pacer of a service for the whole run (this process), however many sessions use it.

    A service's rate limit is per client, not per account: Intervals.icu allows about 10
    requests per second per IP (forum.intervals.icu thread 609), so a coach's push to 20
    athletes must space all its requests as one stream, not each athlete's on its own (each
    athlete's first request would follow the previous athlete's last one at once). A new
    default clock (tests swap it) starts a new Pacer; the strictest interval asked for wins,
    and `timeout` (the total deadline of each request) is the last one asked for.
    """
    with _LOCK:
        pacer = _SHARED.get(name)
        if pacer is None or pacer.clock is not _DEFAULT_CLOCK:
            pacer = _SHARED[name] = Pacer(min_interval=min_interval)
        pacer.min_interval = max(pacer.min_interval, min_interval)
        pacer.timeout = timeout
        return pacer


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())
