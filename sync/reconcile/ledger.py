"""The ledger: what progsync pushed where, in SQLite, written after every remote success.

One row per (destination, identity). A push killed half-way leaves rows for exactly the
operations that succeeded, so the next run completes the rest without duplicating anything.

Because a row is written right after each remote write, a ledger that cannot be written would
let a push change the calendar and then forget it did. So opening checks, before any remote
call: that the file is a sound SQLite database (`PRAGMA quick_check` finds a damaged page as
well as a garbage file), that it can be written (a rolled-back write), and its schema version
(`PRAGMA user_version`), migrating older ledgers step by step. Opening is serialised by a small
lock file, so simultaneous first pushes on a fresh data dir do not race to create it.
"""

from __future__ import annotations

import datetime as dt
import errno
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from progsync.sync.settings.errors import DiskError, LedgerError, disk_error
from progsync.workouts.errors import ProgsyncError

# MIGRATIONS[n] takes a ledger from schema version n to n + 1. Version 0 is a fresh file, or a
# ledger written before versioning (progsync 0.1), which had exactly the version-1 tables: the
# IF NOT EXISTS statements make the first step right for both. Append, never edit.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE IF NOT EXISTS items (
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
        )""",
        """CREATE TABLE IF NOT EXISTS meta (
            destination TEXT NOT NULL,
            key         TEXT NOT NULL,
            value       TEXT,
            PRIMARY KEY (destination, key)
        )""",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

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


def _move_away(path: Path) -> str:
    return (
        f"move it away (mv '{path}' '{path}.bad'); the next push rebuilds it from the "
        "destination's markers"
    )


def ledger_error(path: Path, exc: sqlite3.Error | OSError) -> ProgsyncError:
    """One clear message per way a ledger can fail, each with what to do."""
    text = str(exc)
    lowered = text.lower()
    if "disk is full" in lowered or getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT):
        full = exc if isinstance(exc, OSError) else OSError(errno.ENOSPC, text)
        return disk_error(path, full, "the ledger")
    if "locked" in lowered or "busy" in lowered:
        return LockHeld(
            f"the ledger {path} is busy ({text}): another progsync is using it",
            "wait for the other push to finish, then run again",
        )
    if "readonly" in lowered or "read-only" in lowered or isinstance(exc, PermissionError):
        return DiskError(
            f"the ledger {path} cannot be written ({text}); nothing was pushed",
            f"make {path} and its folder {path.parent} writable by this user (a push writes "
            "both), or set PROGSYNC_DATA_DIR to a writable folder",
        )
    if "malformed" in lowered or "not a database" in lowered or "corrupt" in lowered:
        return LedgerError(
            f"the ledger {path} is damaged ({text}); nothing was pushed", _move_away(path)
        )
    return LedgerError(
        f"cannot use the ledger {path}: {text}; nothing was pushed",
        "check the permissions of the data dir, or " + _move_away(path),
    )


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _opening(path):
                self.db = sqlite3.connect(str(path), timeout=10, isolation_level=None)
                try:
                    self._open()
                except BaseException:
                    self.db.close()
                    raise
        except (sqlite3.Error, OSError) as exc:
            raise ledger_error(path, exc) from exc

    def _open(self) -> None:
        problems = [row[0] for row in self.db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"database disk image is malformed: {problems[0]}")
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger {self.path} has schema version {version}, newer than this "
                f"progsync knows ({SCHEMA_VERSION})",
                "upgrade progsync (pip install -U progsync), or point PROGSYNC_DATA_DIR elsewhere",
            )
        if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self._migrate(version)
        # A write that is rolled back: proves the file (and its folder, for the WAL) writable.
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute(
                "INSERT OR REPLACE INTO meta (destination, key, value) VALUES ('', 'probe', '')"
            )
        finally:
            self.db.execute("ROLLBACK")

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self, version: int) -> None:
        for step in range(version, SCHEMA_VERSION):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[step]:
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {step + 1}")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def _write(self, sql: str, args: tuple[object, ...]) -> None:
        try:
            self.db.execute(sql, args)
        except sqlite3.Error as exc:
            error = ledger_error(self.path, exc)
            error.message = error.message.replace("nothing was pushed", "stopped mid-push")
            if not isinstance(error, DiskError) or "full" not in error.message:
                error.hint = f"{error.hint}; then push again: the ledger catches up from the markers"
            raise error from exc

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
        self._write(
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
        self._write(
            "DELETE FROM items WHERE destination = ? AND identity = ?", (destination, identity)
        )

    def get_meta(self, destination: str, key: str) -> str | None:
        row = self.db.execute(
            "SELECT value FROM meta WHERE destination = ? AND key = ?", (destination, key)
        ).fetchone()
        return row[0] if row else None

    def set_meta(self, destination: str, key: str, value: str) -> None:
        self._write(
            "INSERT OR REPLACE INTO meta (destination, key, value) VALUES (?, ?, ?)",
            (destination, key, value),
        )

    def meta_with_prefix(self, destination: str, prefix: str) -> dict[str, str]:
        """The meta values whose key starts with `prefix`, by the rest of the key."""
        rows = self.db.execute(
            "SELECT key, value FROM meta WHERE destination = ? AND substr(key, 1, ?) = ?",
            (destination, len(prefix), prefix),
        ).fetchall()
        return {str(key)[len(prefix) :]: str(value) for key, value in rows}

    def drop_meta(self, destination: str, key: str) -> None:
        self._write("DELETE FROM meta WHERE destination = ? AND key = ?", (destination, key))


class LockHeld(ProgsyncError):
    exit_code = 4


@contextmanager
def destination_lock(state_dir: Path, destination: str) -> Iterator[None]:
    """One push per destination at a time; a second one fails at once with exit code 4."""
    import os
    import re

    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", destination)[:80]
    path = state_dir / f"push-{safe}.lock"
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+")  # noqa: SIM115 - held for the duration of the push
    except OSError as exc:
        raise disk_error(path, exc, "the push lock") from None
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
        try:  # who holds it, for the message of a push that finds it held; the flock is the lock
            handle.seek(0)
            handle.truncate()
            handle.write(f"pid {os.getpid()} since {dt.datetime.now():%Y-%m-%d %H:%M:%S}")
            handle.flush()
        except OSError:
            pass  # a full disk: the lock holds without the note
        yield
    finally:
        handle.close()


@contextmanager
def _opening(path: Path) -> Iterator[None]:
    """Serialise opening (creating, migrating) the ledger across processes; held for ms."""
    handle = open(path.with_name(path.name + ".lock"), "a+")  # noqa: SIM115 - held below
    try:
        if sys.platform != "win32":  # Windows: SQLite's own locking must do
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        yield
    finally:
        handle.close()
