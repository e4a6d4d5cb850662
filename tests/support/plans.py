"""Plans and helpers that several test modules use: the week pushed to every destination, its
edited version (a move with an id, a deletion, an edit, a move without an id), the coach's
squad and block, and the stand-in for a process killed mid-push.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from .fake_http import FakeServer

TODAY = "2026-11-22"


WEEK = """
[plan]
name = "Block"
start = 2026-11-23

[athlete]
paces = { easy = "5:30", marathon = "4:15", 5k = "3:40" }
max_hr = 188

[[session]]
day = "mon"
steps = ["40min @easy"]

[[session]]
day = "tue"
id = "tempo"
name = "Tempo"
steps = ["warmup 15min @easy", { repeat = 3, steps = ["8min @marathon-10s", "2min jog"] }, "cooldown 10min @easy"]

[[session]]
day = "wed"
steps = ["40min @easy"]

[[session]]
day = "thu"
name = "Intervals"
steps = ["warmup 15min @easy", { repeat = 5, steps = ["1km @5k", "2min jog"] }, "cooldown 10min"]

[[session]]
day = "sat"
steps = ["30min @easy"]

[[session]]
day = "sun"
name = "Long progression"
progression = { duration = "80min", to = "marathon", stages = 3 }
"""


def write_plan(tmp_path: Path, text: str = WEEK, name: str = "week.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


EDITED = (
    WEEK.replace('day = "tue"\nid = "tempo"', 'day = "fri"\nid = "tempo"')  # a move with an id
    .replace('[[session]]\nday = "wed"\nsteps = ["40min @easy"]\n', "")  # a deletion
    .replace('day = "sat"\nsteps = ["30min @easy"]', 'day = "sat"\nsteps = ["36min @easy"]')  # an edit
    .replace('day = "mon"\nsteps = ["40min @easy"]', 'day = "tue"\nsteps = ["40min @easy"]')  # a move without id
)


class Killed(BaseException):
    """The process died here."""


SQUAD = """
[intervals]
athlete_id = "i100"

[athletes.anna]
paces = { easy = "5:10", marathon = "3:55", 5k = "3:20" }
max_hr = 190
intervals = "i201"

[athletes.ben]
paces = { easy = "6:00", marathon = "4:50", 5k = "4:10" }
max_hr = 176
intervals = "i202"
"""


BLOCK = """
[plan]
name = "Squad block"
start = 2026-11-23

[[session]]
day = "tue"
id = "tempo"
name = "Tempo"
steps = ["warmup 15min @easy", "20min @marathon", "cooldown 10min @easy"]

[[session]]
day = "thu"
steps = ["45min @easy"]

[[session]]
day = "sun"
name = "Long progression"
progression = { duration = "80min", to = "marathon", stages = 3 }
"""


@contextmanager
def kill_at(k: int, lose_reply: bool, server: FakeServer) -> Iterator[list[int]]:
    """Die at the k-th request to `server`: before sending it, or after the server carried it out
    (a BaseException from `requests.Session.send`, which both garminconnect versions use)."""
    import requests

    original = requests.Session.send
    port = f":{server.server.server_address[1]}/"
    seen = [0]

    def send(self: requests.Session, request: Any, **kwargs: Any) -> Any:
        if port in str(request.url):
            seen[0] += 1
            if seen[0] == k:
                if lose_reply:
                    original(self, request, **kwargs)
                raise Killed()
        return original(self, request, **kwargs)

    with mock.patch.object(requests.Session, "send", send):
        yield seen
