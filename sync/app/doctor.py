"""`progsync doctor`: check everything a nightly push needs, and say how to fix each problem."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from progsync.sync.settings.config import (
    SERVICES,
    Config,
    default_config_path,
    load_config,
    state_dir,
)
from progsync.workouts.errors import ProgsyncError


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
        from progsync.workouts.errors import InputError

        if isinstance(exc, InputError) and len(exc.issues) > 0:
            # Every problem, each with its file:line and hint, as `check` shows them.
            detail = "\n     ".join(issue.render() for issue in exc.issues)
            return Check("config", "fail", detail, "fix the file as each line says"), None
        return Check(
            "config", "fail", exc.message, exc.hint or "fix the file as the message says"
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
    from progsync.sync.settings.credentials import (
        ENV_GARMIN_TOKENS,
        ENV_INTERVALS_KEY,
        keyring_status,
    )

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


def _destinations(
    config: Config, wanted: tuple[str, ...] = SERVICES, prefix: str = ""
) -> list[Check]:
    """One cheap call per connected service. Outside coach mode a service that is not
    connected is skipped; for a squad member (`prefix` = "anna: ") whose roster entry names
    the service it is a failure, since that athlete's push would fail."""
    from progsync.sync.settings.errors import AuthError, Unreachable

    missing = "fail" if prefix else "skip"
    checks = []
    if "intervals" in wanted:
        try:
            from progsync.sync.settings.credentials import intervals_credentials

            creds = intervals_credentials(
                config.intervals.athlete_id, coached=config.member is not None
            )
        except AuthError as exc:
            hint = exc.hint
            if prefix:  # a squad member is reached with the coach's key; the id is the roster's
                hint = "run `progsync login intervals` with your own (the coach's) API key"
            checks.append(Check(f"{prefix}intervals", missing, "not connected", hint))
        else:
            from progsync.sync.services.intervals_client import client_for

            try:
                athlete = client_for(config, creds.athlete_id, creds.api_key).athlete()
                checks.append(
                    Check(
                        f"{prefix}intervals",
                        "ok",
                        f"{athlete.name or '?'} ({creds.athlete_id}), key from the "
                        f"{creds.source}",
                    )
                )
            except (AuthError, Unreachable) as exc:
                error: ProgsyncError = exc
                if prefix:  # whose roster entry to check, not the coach's login (service.py)
                    from progsync.sync.app.push import member_error
                    from progsync.sync.services.registry import Target

                    _, error = member_error(exc, config, Target("intervals", "intervals"))
                checks.append(Check(f"{prefix}intervals", "fail", error.message, error.hint))
    if "garmin" in wanted:
        try:
            from progsync.sync.services.garmin import load_tokens

            load_tokens(config.member)
        except AuthError as exc:
            checks.append(Check(f"{prefix}garmin", missing, "not connected", exc.hint))
        else:
            from progsync.sync.services.garmin import whoami_line

            try:
                line = whoami_line(config).removeprefix("garmin: ")
                checks.append(Check(f"{prefix}garmin", "ok", line))
            except ProgsyncError as exc:
                checks.append(Check(f"{prefix}garmin", "fail", exc.message, exc.hint))
    return checks


def _member_checks(config: Config, names: tuple[str, ...]) -> list[Check]:
    """Per squad member (`doctor --athlete`): the profile, and each destination of the roster
    entry (the coach's key reaching their Intervals.icu id, their own Garmin tokens, their
    folder), each named after the athlete."""
    from pathlib import Path

    from progsync.sync.app.squad import member_config, select
    from progsync.workouts.errors import InputError
    from progsync.workouts.profile import ProfileError, build_profile

    try:
        athletes = select(config, names)
    except InputError as exc:
        issue = exc.issues[0]
        return [Check("athletes", "fail", issue.message, issue.hint)]
    checks = []
    for athlete in athletes:
        prefix = f"{athlete.name}: "
        try:
            units = str(athlete.profile.get("units", "km"))
            profile = build_profile(athlete.profile, "mi" if units == "mi" else "km")
        except ProfileError as exc:
            problem = exc.problems[0]
            checks.append(Check(f"{prefix}profile", "fail", problem.message, problem.hint))
        else:
            known = ", ".join(sorted(profile.paces)) or "no paces (only open or HR steps work)"
            checks.append(Check(f"{prefix}profile", "ok", f"paces: {known}"))
        member = member_config(config, athlete)
        wanted = tuple(d for d in SERVICES if d in athlete.destinations)
        checks.extend(_destinations(member, wanted, prefix))
        if athlete.folder:
            folder = Path(athlete.folder).expanduser()
            if folder.is_dir() or folder.parent.is_dir():
                checks.append(Check(f"{prefix}folder", "ok", str(folder)))
            else:
                checks.append(
                    Check(
                        f"{prefix}folder",
                        "fail",
                        f"{folder.parent} does not exist",
                        "is the watch mounted? (a push creates only the last folder)",
                    )
                )
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
    from progsync.sync.app.push import ledger_path, open_ledger
    from progsync.sync.settings.errors import LedgerError

    try:
        with open_ledger() as ledger:
            count = ledger.db.execute("SELECT count(*) FROM items").fetchone()[0]
    except LedgerError as exc:
        return Check("ledger", "fail", exc.message, exc.hint)
    except Exception as exc:  # noqa: BLE001 - any failure is reported
        return Check(
            "ledger",
            "fail",
            f"{ledger_path()}: {exc}",
            "check permissions, or move the file away to rebuild it",
        )
    return Check("ledger", "ok", f"{ledger_path()} ({count} items)")


def _writable(name: str, folder: Path, holds: str, variable: str) -> Check:
    """Whether a file can be created and written in `folder` (created if missing): the only
    test that a read-only mount or a full disk fails as root too (permissions do not stop root)."""
    import tempfile

    from progsync.sync.settings.errors import disk_error

    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".progsync-probe-") as probe:
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        error = disk_error(exc.filename or folder, exc)
        return Check(name, "fail", f"{folder} ({holds}): {error.message}", error.hint)
    return Check(name, "ok", f"{folder} is writable ({holds}; set {variable} to move it)")


def _locks() -> Check:
    from progsync.sync.reconcile.ledger import LockHeld, destination_lock

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
    return _client_check(py, gc)


#: The first garminconnect release with the fixes for Garmin's 2026 login changes (TLS
#: fingerprinting, email MFA, Cloudflare 403 / CAPTCHA detection: python-garminconnect #332,
#: #337, releases 0.3.3-0.3.12). Every one of them declares Python >= 3.12.
LOGIN_FIXES = (0, 3, 3)


def _client_check(py: str, gc: str) -> Check:
    """Warn when the installed garminconnect predates the 2026 login fixes, and say what to do."""
    parts = tuple(int(p) for p in re.findall(r"\d+", gc)[:3])
    if parts >= LOGIN_FIXES:
        return Check("versions", "ok", f"Python {py}, garminconnect {gc}")
    if sys.version_info >= (3, 12):
        hint = "run `pip install -U garminconnect`"
    else:
        hint = (
            "newer releases declare Python >= 3.12 but run on 3.11: "
            "`pip install --ignore-requires-python garminconnect==0.3.20` (or use Python 3.12+)"
        )
    return Check(
        "versions",
        "warn",
        f"Python {py}, garminconnect {gc}: this client predates Garmin's 2026 login fixes, so "
        "`progsync login garmin` may fail (pushes with saved tokens still work)",
        hint,
    )


def run_doctor(config_path: str | None, athletes: tuple[str, ...] = ()) -> list[Check]:
    """Every check; with `athletes` (coach mode), each athlete's instead of the coach's own."""
    config_check, config = _config(config_path)
    checks = [config_check, _keyring()]
    if config is not None:
        checks.extend(_member_checks(config, athletes) if athletes else _destinations(config))
    from progsync.sync.settings.config import data_dir

    checks.extend(
        [
            _clock(),
            _writable("data dir", data_dir(), "ledger, outbox", "PROGSYNC_DATA_DIR"),
            _writable("state dir", state_dir(), "log, push locks", "PROGSYNC_STATE_DIR"),
            _ledger(),
            _locks(),
            _versions(),
        ]
    )
    if os.environ.get("CI") or not sys.stdin.isatty():
        checks.append(Check("terminal", "ok", "no terminal: progsync will never prompt"))
    return checks


def exit_code(checks: list[Check]) -> int:
    return 1 if any(c.status == "fail" for c in checks) else 0
