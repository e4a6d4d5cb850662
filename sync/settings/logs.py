"""The log file: every remote operation and its result, rotated, with secrets redacted.

A log file that cannot be created (a read-only state dir) stops the command with a clear
`DiskError`; one that fails later (a full disk) says so once on stderr and is switched off for
the rest of the run, instead of printing logging's `--- Logging error ---` traceback per record.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from contextlib import suppress
from pathlib import Path

from progsync.sync.settings.config import state_dir
from progsync.sync.settings.secrets import redact

LOGGER = logging.getLogger("progsync")
MAX_BYTES = 1_000_000
BACKUPS = 3


class RedactingFilter(logging.Filter):
    """Replaces every registered secret and token-looking value in each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        if record.exc_info:
            import traceback

            text = "".join(traceback.format_exception(*record.exc_info))
            record.msg = f"{record.msg}\n{redact(text)}"
            record.exc_info = None
            record.exc_text = None
        return True


class QuietFileHandler(logging.handlers.RotatingFileHandler):
    """The rotating log file, which degrades to nothing (with one line on stderr) when a write
    fails, rather than printing a traceback for every record."""

    broken = False

    def emit(self, record: logging.LogRecord) -> None:
        if not self.broken:
            super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        self.broken = True
        error = sys.exc_info()[1]
        reason = getattr(error, "strerror", None) or str(error)
        with suppress(OSError, ValueError):
            sys.stderr.write(
                f"progsync: cannot write the log file {self.baseFilename} ({reason}); "
                "the log is off for the rest of this run\n"
            )
        with suppress(OSError, ValueError):
            if self.stream is not None:
                self.stream.close()


def log_path() -> Path:
    return state_dir() / "progsync.log"


def setup_logging() -> Path:
    """Attach the rotating log file to the root logger (once); library warnings go there too."""
    root = logging.getLogger()
    path = log_path()
    if any(getattr(h, "progsync", False) for h in root.handlers):
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = QuietFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
    except OSError as exc:
        from progsync.sync.settings.errors import disk_error

        raise disk_error(path, exc, "the log file") from None
    handler.progsync = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("urllib3", "requests", "garminconnect", "curl_cffi"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
