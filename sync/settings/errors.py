"""The errors of `progsync.sync` that a service, a disk or the world can cause, each with the exit
code the command ends with (docs/cron.md lists them). They live at the bottom of `sync/` so that
every layer can raise them and the command line renders them once (`cli/runner.py`).
"""

from __future__ import annotations

import errno
from pathlib import Path

from progsync.workouts.errors import ProgsyncError


class RemoteError(ProgsyncError):
    """The destination answered with an error that retrying will not fix."""

    exit_code = 1


class AuthError(ProgsyncError):
    """Credentials are missing or were rejected: exit code 3."""

    exit_code = 3


class Unreachable(ProgsyncError):
    """The destination could not be reached, even after retries: exit code 5."""

    exit_code = 5


class TooSlow(Unreachable):
    """A request did not complete within its total deadline (`Pacer.timeout`): exit code 5.

    It is not retried (a server that answers that slowly would make every try as slow); the
    request may have been carried out, so the next push looks before it writes again.
    """


class UntrustedListing(ProgsyncError):
    """The destination's listing contradicts what progsync knows it holds: change nothing (5).

    An empty listing while the ledger holds several pushed items, a reply that is not a list, or
    items without ids: believing it would re-create (duplicate) everything or delete by mistake.
    """

    exit_code = 5


class OddReply(ProgsyncError):
    """A destination answered 200 with something that is not what its API documents."""

    exit_code = 5


class LedgerError(ProgsyncError):
    exit_code = 1


class DiskError(LedgerError):
    """progsync's own files (ledger, outbox, log, push locks) or a folder it writes to cannot be
    written: a read-only mount, missing permissions, a full disk. Exit code 6."""

    exit_code = 6


#: The errors of a disk that cannot take a write (not of a missing or damaged file).
DISK_ERRNOS = frozenset({errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM})


def disk_error(path: Path | str | None, exc: OSError, what: str = "") -> DiskError:
    """The message and the fix for a write that the disk refused, naming the path."""
    where = Path(str(path or exc.filename or "?"))
    reason = exc.strerror or str(exc)
    subject = f"{what} {where}" if what else str(where)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskError(
            f"cannot write {subject}: the disk is full ({reason})",
            f"free some space on the disk holding {where.parent} (df -h '{where.parent}'), then "
            "run again: nothing is lost, the next push completes this one",
        )
    return DiskError(
        f"cannot write {subject}: {reason}",
        f"make {where.parent} writable by this user (a read-only mount? permissions?), or point "
        "PROGSYNC_DATA_DIR (ledger, outbox) / PROGSYNC_STATE_DIR (log, locks) at a writable "
        "folder; then run again",
    )
