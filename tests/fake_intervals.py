"""A fake Intervals.icu on 127.0.0.1: real HTTP, the event endpoints with the real field names.

Every request body is validated against the schemas of the OpenAPI spec in
`shared/fixtures/intervals-icu/openapi-spec.json` (strictly: unknown fields are errors). Basic
auth is checked. Faults can be injected: status codes with Retry-After, dropped connections and
slow replies.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import jsonschema

from .conftest import SHARED

SPEC = json.loads((SHARED / "fixtures" / "intervals-icu" / "openapi-spec.json").read_text())


def _strict(schema: Any) -> Any:
    if isinstance(schema, dict):
        out = {k: _strict(v) for k, v in schema.items()}
        if out.get("type") == "object" and "properties" in out:
            out.setdefault("additionalProperties", False)
        return out
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


COMPONENTS = _strict(SPEC["components"])


def validator(ref: str, array: bool = False) -> jsonschema.protocols.Validator:
    item = {"$ref": f"#/components/schemas/{ref}"}
    schema = {"components": COMPONENTS, **({"type": "array", "items": item} if array else item)}
    return jsonschema.Draft7Validator(schema)


EVENT_ARRAY = validator("EventEx", array=True)
EVENT = validator("EventEx")
DOOMED_ARRAY = validator("DoomedEvent", array=True)


@dataclass
class Fault:
    """Answer the next `times` requests matching `method` and `path_part` with a fault."""

    method: str
    path_part: str
    status: int | None = None
    retry_after: str | None = None
    drop: bool = False
    delay: float = 0.0
    times: int = 1
    skip: int = 0


@dataclass
class FakeIntervals:
    athlete_id: str = "i12345"
    api_key: str = "test-key-5ecret"
    events: dict[int, dict[str, Any]] = field(default_factory=dict)
    log: list[tuple[str, str, dict[str, list[str]], Any]] = field(default_factory=list)
    validation_errors: list[str] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    upsert_broken: bool = False
    next_id: int = 1000

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeIntervals:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- helpers for tests --------------------------------------------------------------------
    def requests(self, method: str | None = None, part: str = "") -> list[tuple[str, str, dict[str, list[str]], Any]]:
        return [r for r in self.log if (method is None or r[0] == method) and part in r[1]]

    def writes(self) -> list[tuple[str, str, dict[str, list[str]], Any]]:
        return [r for r in self.log if r[0] in ("POST", "PUT", "DELETE")]

    def add_foreign(self, day: str, name: str = "Coach's session", external_id: str | None = None) -> int:
        with self.lock:
            self.next_id += 1
            self.events[self.next_id] = {
                "id": self.next_id,
                "category": "WORKOUT",
                "type": "Run",
                "start_date_local": f"{day}T00:00:00",
                "name": name,
                "description": "- 30m Z2 HR",
                "external_id": external_id,
            }
            return self.next_id

    def by_external(self) -> dict[str, dict[str, Any]]:
        return {e["external_id"]: e for e in self.events.values() if e.get("external_id")}

    # -- the HTTP side ------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method: str) -> None:
                parsed = urlparse(self.path)
                query = parse_qs(parsed.query)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                with fake.lock:
                    fake.log.append((method, parsed.path, query, body))
                    fault = next((f for f in fake.faults if f.method == method and f.path_part in parsed.path and f.times > 0), None)
                    if fault and fault.skip > 0:
                        fault.skip -= 1
                        fault = None
                    elif fault:
                        fault.times -= 1
                if fault:
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
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(f"API_KEY:{fake.api_key}".encode()).decode()
                if auth != expected:
                    self._send(401, {"status": 401, "error": "Unauthorized"})
                    return
                prefix = "/api/v1/athlete/"
                if not parsed.path.startswith(prefix):
                    self._send(404, {"status": 404, "error": "Not found", "path": parsed.path})
                    return
                rest = parsed.path[len(prefix) :].split("/")
                if rest[0] not in (fake.athlete_id, "0"):
                    self._send(403, {"status": 403, "error": "Access denied"})
                    return
                try:
                    status, reply = fake.route(method, rest[1:], query, body)
                except jsonschema.ValidationError as exc:
                    fake.validation_errors.append(f"{method} {parsed.path}: {exc.message}")
                    status, reply = 422, {"status": 422, "error": exc.message}
                self._send(status, reply)

            def do_GET(self) -> None:
                self._handle("GET")

            def do_POST(self) -> None:
                self._handle("POST")

            def do_PUT(self) -> None:
                self._handle("PUT")

            def do_DELETE(self) -> None:
                self._handle("DELETE")

        return Handler

    def _create(self, event: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        stored = {**event, "id": self.next_id}
        self.events[self.next_id] = stored
        return stored

    def route(self, method: str, parts: list[str], query: dict[str, list[str]], body: Any) -> tuple[int, Any]:
        with self.lock:
            if (parts == [""] or parts == []) and method == "GET":
                return 200, {"id": self.athlete_id, "name": "Test Runner"}
            if parts[:1] == ["events"]:
                tail = parts[1:]
                if method == "GET" and not tail:
                    oldest = query.get("oldest", ["0000"])[0]
                    newest = query.get("newest", ["9999"])[0]
                    categories = query.get("category", [])
                    found = [
                        e for e in self.events.values()
                        if oldest <= e["start_date_local"][:10] <= newest
                        and (not categories or e.get("category") in categories)
                    ]
                    return 200, sorted(found, key=lambda e: e["id"])
                if method == "POST" and tail == ["bulk"]:
                    EVENT_ARRAY.validate(body)
                    upsert = query.get("upsert", ["false"])[0] == "true"
                    out = []
                    existing = self.by_external()
                    for event in body:
                        current = existing.get(event.get("external_id")) if upsert and not self.upsert_broken else None
                        if current is not None:
                            current.update(event)
                            out.append(current)
                        else:
                            out.append(self._create(event))
                    return 200, out
                if method == "PUT" and tail == ["bulk-delete"]:
                    DOOMED_ARRAY.validate(body)
                    deleted = 0
                    for doomed in body:
                        for key, event in list(self.events.items()):
                            if ("id" in doomed and event["id"] == doomed["id"]) or (
                                "external_id" in doomed and event.get("external_id") == doomed["external_id"]
                            ):
                                del self.events[key]
                                deleted += 1
                    return 200, {"eventsDeleted": deleted}
                if method == "PUT" and len(tail) == 1 and tail[0].isdigit():
                    EVENT.validate(body)
                    event = self.events.get(int(tail[0]))
                    if event is None:
                        return 404, {"status": 404, "error": "Event not found"}
                    event.update(body)
                    return 200, event
            return 404, {"status": 404, "error": "Not found"}
