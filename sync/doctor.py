"""`progsync doctor`: check everything a nightly push needs, and say how to fix each problem."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from typing import Any

from progsync.workouts.errors import ProgsyncError

from .config import Config, default_config_path, load_config, state_dir


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # ok | warn | fail | skip
    detail: str
    fix: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _config(path: str | None) -> tuple[Check, Config | None]:
    try:
        config = load_config(path)
    except ProgsyncError as exc:
        issues = getattr(exc, "issues", ())
        detail = exc.message
        if issues:  # every problem at once, each with its file:line
            detail = "; ".join(
                f"{i.location.prefix()}: {i.message}" if i.location else i.message for i in issues
            )
        return Check(
            "config", "fail", detail, exc.hint or "fix the file as the message says"
        ), None
    if config.path is None:
        return (
            Check(
                "config",
                "warn",
                f"no config file at {default_config_path()}",
                "copy config.example.toml there to set your paces and default destination",
            ),
            config,
        )
    return Check("config", "ok", f"{config.path} is valid"), config


def _keyring() -> Check:
    from .credentials import ENV_GARMIN_TOKENS, ENV_INTERVALS_KEY, keyring_status

    usable, backend = keyring_status()
    if usable:
        return Check("keyring", "ok", backend)
    return Check(
        "keyring",
        "warn",
        f"no usable keyring: {backend}",
        f"on a headless machine either `pip install keyrings.alt` (an encrypted file keyring) or set "
        f"{ENV_INTERVALS_KEY} / {ENV_GARMIN_TOKENS} in the environment of the cron job (docs/cron.md)",
    )


def _destinations(config: Config) -> list[Check]:
    from .http import AuthError, Unreachable

    checks = []
    try:
        from .credentials import intervals_credentials

        creds = intervals_credentials(config.intervals.get("athlete_id"))
    except AuthError as exc:
        checks.append(Check("intervals", "skip", "not connected", exc.hint))
    else:
        from .accounts import _intervals_client

        try:
            athlete = _intervals_client(config, creds.athlete_id, creds.api_key).athlete()
            checks.append(
                Check(
                    "intervals",
                    "ok",
                    f"{athlete.get('name', '?')} ({creds.athlete_id}), key from the {creds.source}",
                )
            )
        except (AuthError, Unreachable) as exc:
            checks.append(Check("intervals", "fail", exc.message, exc.hint))
    try:
        from .destinations.garmin import load_tokens

        load_tokens()
    except AuthError as exc:
        checks.append(Check("garmin", "skip", "not connected", exc.hint))
    else:
        from .destinations.garmin import whoami_line

        try:
            checks.append(Check("garmin", "ok", whoami_line(config).removeprefix("garmin: ")))
        except ProgsyncError as exc:
            checks.append(Check("garmin", "fail", exc.message, exc.hint))
    return checks


def _clock() -> Check:
    now = dt.datetime.now()
    if not 2024 <= now.year <= 2100:
        return Check(
            "clock",
            "fail",
            f"the clock says {now:%Y-%m-%d}",
            "set the system time (NTP); dates decide what is pushed",
        )
    return Check(
        "clock", "ok", f"{now:%Y-%m-%d %H:%M} local ({dt.datetime.now().astimezone().tzname()})"
    )


def _ledger() -> Check:
    from .ledger import LedgerError
    from .service import ledger_path, open_ledger

    try:
        with open_ledger() as ledger:
            count = ledger.db.execute("SELECT count(*) FROM items").fetchone()[0]
    except (LedgerError, Exception) as exc:  # noqa: BLE001 - any failure is reported
        return Check(
            "ledger",
            "fail",
            f"{ledger_path()}: {exc}",
            "check permissions, or move the file away to rebuild it",
        )
    return Check("ledger", "ok", f"{ledger_path()} ({count} items)")


def _locks() -> Check:
    from .ledger import LockHeld, destination_lock

    held = []
    folder = state_dir()
    for lock in sorted(folder.glob("push-*.lock")) if folder.exists() else []:
        name = lock.stem.removeprefix("push-")
        try:
            with destination_lock(folder, name):
                pass
        except LockHeld as exc:
            held.append(exc.message)
    if held:
        return Check(
            "lock",
            "warn",
            "; ".join(held),
            "a push is running; if not, remove the .lock file named",
        )
    return Check("lock", "ok", "no push running")


def _versions() -> Check:
    from importlib.metadata import PackageNotFoundError, version

    try:
        gc = version("garminconnect")
    except PackageNotFoundError:
        return Check(
            "versions", "warn", "garminconnect is not installed", "pip install garminconnect"
        )
    py = ".".join(map(str, sys.version_info[:3]))
    note = None
    if sys.version_info < (3, 12):
        note = "Python 3.11 gets garminconnect 0.3.2; newer releases (Garmin auth fixes) need Python ≥ 3.12"
    return Check("versions", "ok" if not note else "warn", f"Python {py}, garminconnect {gc}", note)


def run_doctor(config_path: str | None) -> list[Check]:
    config_check, config = _config(config_path)
    checks = [config_check, _keyring()]
    if config is not None:
        checks.extend(_destinations(config))
    checks.extend([_clock(), _ledger(), _locks(), _versions()])
    if os.environ.get("CI") or not sys.stdin.isatty():
        checks.append(Check("terminal", "ok", "no terminal: progsync will never prompt"))
    return checks


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == "fail" for c in checks) else 0
