"""The ledger: what progsync pushed where, in SQLite, written after every remote success.

One row per (destination, identity). A push killed half-way leaves rows for exactly the
operations that succeeded, so the next run completes the rest without duplicating anything.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from progsync.workouts.errors import ProgsyncError

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    destination TEXT NOT NULL,
    identity    TEXT NOT NULL,
    plan        TEXT NOT NULL,
    date        TEXT NOT NULL,
    name        TEXT NOT NULL,
    remote_id   TEXT,
    schedule_id TEXT,
    fingerprint TEXT,
    state       TEXT NOT NULL DEFAULT 'synced',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (destination, identity)
);
CREATE TABLE IF NOT EXISTS meta (
    destination TEXT NOT NULL,
    key         TEXT NOT NULL,
    value       TEXT,
    PRIMARY KEY (destination, key)
);
"""


@dataclass(frozen=True)
class Entry:
    """What the ledger knows of one pushed session. `state` is `synced`, or a step of a
    multi-call create (e.g. Garmin's `uploaded`, before it is scheduled)."""

    destination: str
    identity: str
    plan: str
    date: dt.date
    name: str
    remote_id: str | None = None
    schedule_id: str | None = None
    fingerprint: str | None = None
    state: str = "synced"


class LedgerError(ProgsyncError):
    exit_code = 1


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(SCHEMA)
        except sqlite3.Error as exc:
            raise LedgerError(
                f"cannot open the ledger {path}: {exc}",
                "check the permissions of the data dir, or move the file away to rebuild it "
                "from the destination's markers",
            ) from exc

    def close(self) -> None:
        self.db.close()

    def entries(self, destination: str) -> dict[str, Entry]:
        rows = self.db.execute(
            "SELECT destination, identity, plan, date, name, remote_id, schedule_id, "
            "fingerprint, state FROM items WHERE destination = ?",
            (destination,),
        ).fetchall()
        return {
            row[1]: Entry(
                destination=row[0],
                identity=row[1],
                plan=row[2],
                date=dt.date.fromisoformat(row[3]),
                name=row[4],
                remote_id=row[5],
                schedule_id=row[6],
                fingerprint=row[7],
                state=row[8],
            )
            for row in rows
        }

    def record(self, entry: Entry) -> None:
        """Insert or replace one entry; committed at once (autocommit)."""
        self.db.execute(
            "INSERT OR REPLACE INTO items (destination, identity, plan, date, name, remote_id, "
            "schedule_id, fingerprint, state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry.destination,
                entry.identity,
                entry.plan,
                entry.date.isoformat(),
                entry.name,
                entry.remote_id,
                entry.schedule_id,
                entry.fingerprint,
                entry.state,
                dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            ),
        )

    def forget(self, destination: str, identity: str) -> None:
        self.db.execute(
            "DELETE FROM items WHERE destination = ? AND identity = ?", (destination, identity)
        )

    def get_meta(self, destination: str, key: str) -> str | None:
        row = self.db.execute(
            "SELECT value FROM meta WHERE destination = ? AND key = ?", (destination, key)
        ).fetchone()
        return row[0] if row else None

    def set_meta(self, destination: str, key: str, value: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO meta (destination, key, value) VALUES (?, ?, ?)",
            (destination, key, value),
        )


class LockHeld(ProgsyncError):
    exit_code = 4


@contextmanager
def destination_lock(state_dir: Path, destination: str) -> Iterator[None]:
    """One push per destination at a time; a second one fails at once with exit code 4."""
    import os
    import re

    state_dir.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", destination)[:80]
    path = state_dir / f"push-{safe}.lock"
    handle = open(path, "a+")  # noqa: SIM115 - held for the duration of the push
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise LockHeld(
            f"another push to {destination} is running ({holder})",
            f"wait for it to finish; if none is running, remove {path}",
        ) from None
    try:
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
        handle.flush()
        yield
    finally:
        handle.close()
