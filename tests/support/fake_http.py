"""A real HTTP server on 127.0.0.1 for fakes of remote services, with fault injection."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlparse

Request = tuple[str, str, dict[str, list[str]], Any]


NO_REPLY = object()


@dataclass
class Fault:
    """Answer `times` requests matching `method` and `path_part` (after skipping `skip`) with a fault.

    `after=True` carries the request out first and then fails (a dropped connection or a 5xx
    after the server acted: the reply is lost, as a timeout on a live service can be); `reply`
    answers 200 with that body instead of the real one (an empty or malformed listing).
    `trickle` carries the request out and sends the real reply's headers at once, then its body
    one byte every `trickle` seconds, led by 10,000 spaces (valid JSON, and minutes long): a
    server whose every read succeeds, so only a total deadline ends the wait.
    """

    method: str
    path_part: str
    status: int | None = None
    retry_after: str | None = None
    drop: bool = False
    delay: float = 0.0
    times: int = 1
    skip: int = 0
    hold: threading.Event | None = None  # wait (up to 30 s) until the test sets it, then go on
    after: bool = False
    reply: Any = NO_REPLY
    trickle: float = 0.0


class FakeServer:
    """Subclasses implement `check_auth` and `route`; requests and faults are handled here."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.log: list[Request] = []
        self.faults: list[Fault] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.server.block_on_close = False
        # A short poll so that stop() returns at once (the default 0.5 s poll made every test
        # that starts a fake wait half a second on teardown).
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, method: str | None = None, part: str = "") -> list[Request]:
        return [r for r in self.log if (method is None or r[0] == method) and part in r[1]]

    def writes(self) -> list[Request]:
        return [r for r in self.log if r[0] in ("POST", "PUT", "DELETE")]

    def check_auth(self, headers: Any, path: str) -> tuple[int, Any] | None:
        raise NotImplementedError

    def route(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        raise NotImplementedError

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            fault = next((f for f in self.faults if f.method == method and f.path_part in path and f.times > 0), None)
            if fault and fault.skip > 0:
                fault.skip -= 1
                return None
            if fault:
                fault.times -= 1
            return fault

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without TCP_NODELAY a keep-alive client
            # (garminconnect 0.3.20 reuses one session) waits ~40 ms per reply for the delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None, trickle: float = 0.0) -> None:
                binary = isinstance(body, bytes)  # a file download (FIT, ZIP)
                data = b"" if status == 204 or body is None else body if binary else json.dumps(body).encode()
                if trickle:
                    data = b" " * 10_000 + data
                self.send_response(status)
                if data:
                    self.send_header("Content-Type", "application/octet-stream" if binary else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                if trickle:
                    self.wfile.flush()
                    try:
                        for byte in data:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(trickle)
                    except OSError:  # the client gave up and closed the connection
                        self.close_connection = True
                    return
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parsed = urlparse(self.path)
                query = parse_qs(parsed.query)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                with fake.lock:
                    fake.log.append((method, parsed.path, query, body))
                fault = fake._take_fault(method, parsed.path)
                if fault and fault.reply is not NO_REPLY:
                    self._send(200, fault.reply)
                    return
                if fault and fault.after:
                    denied = fake.check_auth(self.headers, parsed.path)
                    if not denied:
                        with fake.lock:
                            fake.route(method, parsed.path, query, body)
                if fault:
                    if fault.hold is not None:
                        fault.hold.wait(30)
                    if fault.delay:
                        time.sleep(fault.delay)
                    if fault.drop:
                        self.close_connection = True
                        self.connection.shutdown(2)
                        return
                    if fault.status:
                        headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                        self._send(fault.status, {"status": fault.status, "error": "injected"}, headers)
                        return
                denied = fake.check_auth(self.headers, parsed.path)
                if denied:
                    self._send(*denied)
                    return
                with fake.lock:
                    status, reply = fake.route(method, parsed.path, query, body)
                self._send(status, reply, trickle=fault.trickle if fault else 0.0)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler
