"""`progsync cron`: ready-to-paste crontab and systemd user units for a nightly push."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from progsync.workouts.errors import InputError, Issue, ProgsyncError

UNIT = "progsync"
#: What a nightly push to Garmin schedules ahead by default: Garmin watches load only about 30
#: scheduled workouts (jpickup/GarminTools #26), so a whole block would overflow the watch.
GARMIN_WINDOW = "28d"


@dataclass(frozen=True)
class CronSetup:
    command: list[str]
    crontab: str
    service: str
    timer: str


def executable() -> list[str]:
    """The absolute command that runs this progsync (the script, or the interpreter + module)."""
    script = Path(sys.argv[0]).resolve() if sys.argv and sys.argv[0] else None
    if script and script.name == "progsync" and script.is_file():
        return [str(script)]
    found = shutil.which("progsync")
    if found:
        return [str(Path(found).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "progsync.sync"]


def build(
    plans: list[str],
    to: list[str],
    at: str,
    config: str | None,
    window: str | None = None,
    garmin: bool = False,
    athletes: list[str] | None = None,
) -> CronSetup:
    """The command, crontab line and systemd units of a nightly push.

    `window` limits each push to the days ahead (`--window`); with a Garmin target and no
    `window` it is `GARMIN_WINDOW`, and `window = "all"` pushes the whole plan."""
    try:
        hour, minute = (int(x) for x in at.split(":"))
        if not (0 <= hour < 24 and 0 <= minute < 60):
            raise ValueError
    except ValueError:
        raise InputError(
            [Issue(f"--at '{at}' is not a time of day", hint="e.g. --at 03:30")]
        ) from None
    paths = [str(Path(p).expanduser().resolve()) for p in plans]
    command = [*executable()]
    if config:
        command += ["--config", str(Path(config).expanduser().resolve())]
    command += ["push", "--quiet", *paths]
    for dest in to:
        command += ["--to", dest]
    for athlete in athletes or []:
        command += ["--athlete", athlete]
    if window is None and garmin:
        window = GARMIN_WINDOW
    why = ""
    if window and window != "all":
        command += ["--window", window]
        if garmin:
            why = (
                f"# --window {window}: Garmin watches hold only about 30 scheduled workouts, so "
                "each night schedules the next weeks\n"
            )
    line = " ".join(shlex.quote(c) for c in command)
    crontab = (
        "# progsync: nightly push (prints nothing unless something failed, so cron mails only failures)\n"
        f"{why}{minute} {hour} * * * {line}\n"
    )
    service = (
        "[Unit]\n"
        "Description=progsync: push training plans to the calendar\n"
        "Wants=network-online.target\n"
        "After=network-online.target\n\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={line}\n"
        "# Secrets for headless machines (0600 file, never in this unit):\n"
        f"EnvironmentFile=-%h/.config/{UNIT}/env\n"
    )
    timer = (
        "[Unit]\n"
        "Description=Nightly progsync push\n\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {hour:02d}:{minute:02d}:00\n"
        "RandomizedDelaySec=10min\n"
        "Persistent=true\n\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )
    return CronSetup(command, crontab, service, timer)


def systemd_user_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "systemd" / "user"


def install(setup: CronSetup) -> list[str]:
    """Write the systemd user units; returns what to run next. Explains when it cannot."""
    if not sys.platform.startswith("linux"):
        raise ProgsyncError(
            f"systemd user units are a Linux feature; this is {sys.platform}",
            "paste the crontab line into `crontab -e` (or use launchd / Task Scheduler)",
        )
    folder = systemd_user_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{UNIT}.service").write_text(setup.service)
        (folder / f"{UNIT}.timer").write_text(setup.timer)
    except OSError as exc:
        raise ProgsyncError(f"cannot write to {folder}: {exc}", "paste the units by hand") from exc
    steps = [
        f"wrote {folder / (UNIT + '.service')}",
        f"wrote {folder / (UNIT + '.timer')}",
        "now run:  systemctl --user daemon-reload && systemctl --user enable --now progsync.timer",
        "to run it while logged out:  loginctl enable-linger $USER",
    ]
    if not shutil.which("systemctl"):
        steps.append("note: systemctl was not found here; use the crontab line instead")
    return steps
