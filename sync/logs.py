"""The log file: every remote operation and its result, rotated, with secrets redacted."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from .config import state_dir
from .http import redact

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


def log_path() -> Path:
    return state_dir() / "progsync.log"


def setup_logging() -> Path:
    """Attach the rotating log file to the root logger (once); library warnings go there too."""
    root = logging.getLogger()
    path = log_path()
    if any(getattr(h, "progsync", False) for h in root.handlers):
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.progsync = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("urllib3", "requests", "garminconnect", "curl_cffi"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path
