"""Sessions as iCalendar (RFC 5545) events: the calendar feed behind `export --format ics` and
the `ics:PATH` destination.

Each session is one VEVENT: on its date as an all-day event (`DTSTART;VALUE=DATE`, `DTEND` the
next day), or at its `time` as a floating local time (no time zone, so a 07:00 run stays at 07:00
wherever the runner is) lasting the session's estimated time. Calendar apps recognise an event
again by its UID, so the UID is the session's identity (`base-block/tue-progression@progsync`)
and never changes while the identity does not; the identity is also written as
`X-PROGSYNC-IDENTITY`, the marker that says progsync wrote the event. RFC 5545 §3.8.7.4 asks
that SEQUENCE grow with every significant change (a new date or time in particular), so that
Google Calendar, Apple Calendar and Thunderbird replace their copy instead of keeping the old
one: `revise` raises it by one when an event's content changes and keeps it (and DTSTAMP, so
the bytes stay the same) when it does not.

Pure: bytes in, bytes out, no files. Reading is strict where progsync would write: a file that
is not an iCalendar file is a located `CalendarFileError`, so a caller never overwrites it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from icalendar import Calendar, Component, Event

from .describe import calendar_description
from .encode import Caveat
from .errors import ProgsyncError
from .model import Session

#: What a calendar file does to every session (the fidelity table of `progsync plan --to ics`).
CALENDAR_CAVEAT = Caveat(
    "degraded",
    "a calendar event: the workout as text, no steps or targets for a watch",
    "a calendar file holds each session as an event whose description lists the steps; "
    "no watch or training app gets the workout from it",
    warn=False,
)

PRODID = "-//progsync//progsync calendar feed//EN"
MARKER = "X-PROGSYNC-IDENTITY"
UID_DOMAIN = "progsync"


class CalendarFileError(ProgsyncError):
    """An .ics file progsync cannot read; nothing was written to it."""

    exit_code = 5


def uid_of(identity: str) -> str:
    """The stable UID of a session's event: `<identity>@progsync`."""
    return f"{identity}@{UID_DOMAIN}"


@dataclass(frozen=True)
class EventContent:
    """What a session's event says; equal contents mean an unchanged event."""

    identity: str
    summary: str
    description: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    categories: tuple[str, ...] = ()

    @property
    def uid(self) -> str:
        return uid_of(self.identity)

    @property
    def day(self) -> dt.date:
        return self.start.date() if isinstance(self.start, dt.datetime) else self.start

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, dt.datetime)

    def fingerprint(self) -> str:
        data = [
            self.identity,
            self.summary,
            self.description,
            type(self.start).__name__,
            self.start.isoformat(),
            self.end.isoformat(),
            list(self.categories),
        ]
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def event_content(session: Session) -> EventContent:
    """A session's event: all-day on its date, or from its `time` for its estimated duration."""
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime
    if session.time is not None:
        clock = session.time.replace(tzinfo=None, microsecond=0)
        start = dt.datetime.combine(session.date, clock)
        end = start + dt.timedelta(minutes=max(1, round(session.estimated_duration_s / 60)))
    else:
        start = session.date
        end = session.date + dt.timedelta(days=1)
    return EventContent(
        identity=session.identity,
        summary=_one_newline(session.name),
        description=_one_newline(calendar_description(session)),
        start=start,
        end=end,
        categories=tuple(session.tags),
    )


def _one_newline(text: str) -> str:
    """Text as it reads back from the file, so an unchanged event never looks changed.

    Line breaks become LF (iCalendar text has one kind, `\\n`, so a CR would not read back),
    and a backslash before a capital N too: icalendar 7.3 writes a literal `\\N` unescaped,
    and every reader then takes it for a line break.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\\N", "\n")


def to_event(content: EventContent, sequence: int, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", content.uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC).replace(microsecond=0))
    event.add("sequence", sequence)
    event.add("dtstart", content.start)
    event.add("dtend", content.end)
    event.add("summary", content.summary)
    event.add("description", content.description)
    if content.categories:
        event.add("categories", list(content.categories))
    if content.all_day:
        event.add("transp", "TRANSPARENT")  # a planned run does not make the day look busy
    event.add(MARKER, content.identity)
    return event


def identity_of(event: Component) -> str | None:
    """The identity of an event progsync wrote, or None for anyone else's event."""
    value = event.get(MARKER)
    return str(value) if value is not None else None


def content_of(event: Event) -> EventContent | None:
    """What one of progsync's events says now (None when it is not progsync's or unreadable)."""
    identity = identity_of(event)
    if identity is None:
        return None
    try:
        start = event.decoded("DTSTART")
        end = event.decoded("DTEND")
    except (KeyError, ValueError, TypeError):
        return None
    if not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return None
    raw = event.get("CATEGORIES")
    items = raw if isinstance(raw, list) else [raw] if raw is not None else []
    categories = tuple(str(c) for item in items for c in getattr(item, "cats", [item]))
    return EventContent(
        identity=identity,
        summary=str(event.get("SUMMARY", "")),
        description=str(event.get("DESCRIPTION", "")),
        start=start,
        end=end,
        categories=categories,
    )


def sequence_of(event: Event) -> int:
    try:
        return max(0, int(event.get("SEQUENCE", 0)))
    except (TypeError, ValueError):
        return 0


def revise(content: EventContent, previous: Event | None, now: dt.datetime) -> Event:
    """The event to write for `content`: SEQUENCE 0 when new, +1 when changed, kept otherwise."""
    if previous is None:
        return to_event(content, 0, now)
    old = content_of(previous)
    if old is not None and old == content:
        stamp = previous.get("DTSTAMP")
        kept = getattr(stamp, "dt", None)
        return to_event(content, sequence_of(previous), kept if isinstance(kept, dt.datetime) else now)
    return to_event(content, sequence_of(previous) + 1, now)


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def progsync_events(calendar: Calendar) -> dict[str, list[Event]]:
    """progsync's events by identity (more than one when a file holds copies)."""
    out: dict[str, list[Event]] = {}
    for component in calendar.subcomponents:
        if isinstance(component, Event) and (identity := identity_of(component)) is not None:
            out.setdefault(identity, []).append(component)
    return out


def calendar_of(
    sessions: Iterable[Session], name: str, now: dt.datetime, previous: Calendar | None = None
) -> bytes:
    """A whole calendar of `sessions` (export). Events of `previous` keep or raise their SEQUENCE."""
    before = progsync_events(previous) if previous is not None else {}
    calendar = new_calendar(name)
    for session in sessions:
        content = event_content(session)
        old = before.get(content.identity)
        calendar.add_component(revise(content, old[0] if old else None, now))
    return render(calendar)


def render(calendar: Calendar) -> bytes:
    data: bytes = calendar.to_ical()
    return data


def parse_calendar(data: bytes, source: str) -> Calendar:
    """A calendar file's one VCALENDAR; anything else is a `CalendarFileError` naming the line."""
    text = _decode(data, source)
    _check_lines(text, source)
    try:
        calendar = Calendar.from_ical(text.encode("utf-8"))
    except (ValueError, TypeError, KeyError) as exc:
        raise _error(source, None, None, str(exc).split("\n")[0][:200]) from None
    if not isinstance(calendar, Calendar):
        raise _error(source, None, None, "it holds no VCALENDAR")
    for identity, events in progsync_events(calendar).items():
        for event in events:
            if content_of(event) is None:
                problems = "; ".join(f"{k}: {v}" for k, v in getattr(event, "errors", [])) or (
                    "DTSTART or DTEND missing or not a date"
                )
                raise _error(source, None, None, f"progsync's event {uid_of(identity)}: {problems}")
    return calendar


def _decode(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raw = data.split(b"\n")[line - 1].decode("utf-8", "replace")
        raise _error(source, line, raw, "it is not UTF-8 text") from None


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Unfolded content lines with the number of the physical line each starts on."""
    out: list[tuple[int, str]] = []
    # Only CR LF (or a bare LF) ends a line (RFC 5545 §3.1): str.splitlines would also split on
    # U+0085 or U+2028 inside a value.
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if line[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + line[1:])
        elif line.strip():
            out.append((number, line))
    return out


def _check_lines(text: str, source: str) -> None:
    """Every line `NAME[;PARAM]:value`, BEGIN/END matched, exactly one VCALENDAR."""
    lines = _logical_lines(text)
    if not lines:
        raise _error(source, None, None, "the file is empty")
    stack: list[tuple[str, int]] = []
    closed = False
    for number, line in lines:
        name = line.split(":", 1)[0].split(";", 1)[0].strip().upper()
        if ":" not in line or not name:
            raise _error(source, number, line, "this is not an iCalendar line (NAME:value)")
        value = line.split(":", 1)[1].strip().upper()
        if closed:
            raise _error(source, number, line, "there is more after END:VCALENDAR")
        if not stack and (name, value) != ("BEGIN", "VCALENDAR"):
            raise _error(source, number, line, "an iCalendar file starts with BEGIN:VCALENDAR")
        if name == "BEGIN":
            stack.append((value, number))
        elif name == "END":
            if stack[-1][0] != value:
                raise _error(
                    source,
                    number,
                    line,
                    f"END:{value} does not close BEGIN:{stack[-1][0]} of line {stack[-1][1]}",
                )
            stack.pop()
            closed = not stack
    if stack:
        kind, number = stack[-1]
        raise _error(
            source,
            number,
            None,
            f"BEGIN:{kind} is never closed (is the file cut short?)",
        )


def _error(source: str, line: int | None, text: str | None, reason: str) -> CalendarFileError:
    where = f"{source}:{line}" if line is not None else source
    shown = f": '{text.strip()[:60]}'" if text else ""
    return CalendarFileError(
        f"{where}: not a calendar file progsync can read: {reason}{shown}",
        "progsync left the file as it is; fix that line, or move the file away to start a new "
        "one",
    )

