"""One .ics file as a destination (`--to ics:PATH`): a calendar feed kept in step with the plan.

The file is the listing: progsync's events carry the marker `X-PROGSYNC-IDENTITY` (and the UID
`<identity>@progsync`), so a lost ledger is rebuilt from the file, and every other event in it —
written by hand, by another program, or by progsync for another plan — is kept as it is. A push
reads the file once, changes only the events its actions name, and writes the whole file once,
atomically (a temporary file beside it, then `os.replace`), so an app reading the file over
http never sees half of it. Unchanged events keep their SEQUENCE and DTSTAMP; a changed or moved
one gets SEQUENCE + 1 (read back from the file), so calendar apps update instead of duplicating.

Rails, as for folders: a missing parent folder is an error (progsync creates the file, never its
folders), a file that is not a calendar is a located error and is never overwritten, and an event
of someone else's that already has the UID progsync would write is left alone (that session
fails, the rest go on).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from progsync.sync.reconcile.model import Action, Desired, Recorder, Remote
from progsync.sync.settings.config import Config
from progsync.workouts.errors import ProgsyncError
from progsync.workouts.model import Session

if TYPE_CHECKING:
    from icalendar import Calendar

    from progsync.sync.reconcile.ledger import Ledger
    from progsync.sync.services.registry import Target

CALENDAR_NAME = "Training plan (progsync)"


class IcsError(ProgsyncError):
    exit_code = 5


def build(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> IcsDestination:
    """The calendar file of an `ics:PATH` target."""
    assert target.path is not None
    return IcsDestination(target.path)


class IcsDestination:
    can_list = True

    def __init__(self, path: Path) -> None:
        self.path = path.expanduser().resolve()
        self.key = f"ics:{self.path}"
        self.label = f"calendar file {self.path}"
        self._ops: Counter[str] = Counter()
        self.notes: list[str] = []

    def requests_made(self) -> Counter[str]:
        return Counter(self._ops)

    def remember(self, ledger: Ledger) -> None:
        """Nothing to learn about a file."""

    def prepare(self, session: Session) -> Desired:
        from progsync.workouts.ics import event_content

        content = event_content(session)
        return Desired(session, content, content.fingerprint())

    def _read(self) -> Calendar | None:
        """The file's calendar, None when there is no file yet."""
        from progsync.workouts.ics import parse_calendar

        if self.path.is_dir():
            raise IcsError(f"{self.path} is a folder", "give the path of an .ics file")
        if not self.path.exists():
            return None
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise IcsError(f"cannot read {self.path}: {exc.strerror or exc}") from exc
        self._ops["read"] += 1
        return parse_calendar(data, str(self.path))

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]:
        from progsync.workouts.ics import content_of, progsync_events, sequence_of

        self._ops["list"] += 1
        calendar = self._read()
        if calendar is None:
            return {}
        out: dict[str, Remote] = {}
        for identity, events in progsync_events(calendar).items():
            content = content_of(events[0])
            assert content is not None  # parse_calendar refuses unreadable events of ours
            if not start <= content.day <= end:
                continue
            out[identity] = Remote(
                identity=identity,
                remote_id=content.uid,
                date=content.day,
                name=content.summary,
                fingerprint=content.fingerprint(),
                details={"sequence": sequence_of(events[0])},
                repair=f"{len(events) - 1} extra copies in the file" if len(events) > 1 else "",
            )
        return out

    def _check_parent(self) -> None:
        if not self.path.parent.is_dir():
            raise IcsError(
                f"{self.path.parent} does not exist, so {self.path.name} was not written",
                "create the folder (or mount the drive) and push again; progsync creates the "
                "calendar file, never its folders",
            )

    def apply(self, actions: list[Action], recorder: Recorder) -> None:
        from icalendar import Event

        from progsync.workouts.ics import identity_of, new_calendar, render, revise

        self._check_parent()
        calendar = self._read() or new_calendar(CALENDAR_NAME)
        now = dt.datetime.now(dt.UTC)
        done: list[Action] = []
        for action in actions:
            components = calendar.subcomponents
            mine = [
                i
                for i, c in enumerate(components)
                if isinstance(c, Event) and identity_of(c) == action.identity
            ]
            first = components[mine[0]] if mine else None
            previous = first if isinstance(first, Event) else None
            if action.op == "delete":
                calendar.subcomponents = [c for i, c in enumerate(components) if i not in mine]
                done.append(action)
                continue
            assert action.desired is not None
            content = action.desired.payload
            taken = [
                c
                for c in components
                if isinstance(c, Event)
                and identity_of(c) is None
                and str(c.get("UID", "")) == content.uid
            ]
            if taken:
                recorder.fail(
                    action,
                    f"an event with UID {content.uid} is already in {self.path} and progsync did "
                    "not write it; left alone (remove it, then push again)",
                )
                continue
            event = revise(content, previous, now)
            if mine:
                # In place of the first copy (the file keeps its order); other copies go.
                components[mine[0]] = event
                calendar.subcomponents = [
                    c for i, c in enumerate(components) if i not in mine[1:]
                ]
            else:
                components.append(event)
            done.append(action)
        if not done:
            return
        try:
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            tmp.write_bytes(render(calendar))
            os.replace(tmp, self.path)
            self._ops["write"] += 1
        except OSError as exc:
            for action in done:
                recorder.fail(action, f"cannot write {self.path}: {exc.strerror or exc}")
            return
        for action in done:
            if action.op == "delete":
                recorder.deleted(action)
            else:
                assert action.desired is not None
                recorder.saved(action, action.desired.payload.uid)
