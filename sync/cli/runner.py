"""How a command runs: the click-free `check`, and the one guarded runner both entry paths use.

`check` is the command people (and editors, and pre-commit hooks) run most; importing click
costs more than compiling and checking a week, so its few plain arguments are read here
(`parse_check`), and `entry.main` runs it without click. Everything else goes through the click
CLI (`commands.py`). Both paths end in `guarded`, which renders our own errors once, a disk that
refuses a write (read-only, full) as a `DiskError` naming the path, and anything else as a
one-line "internal error" (logged with its traceback to the log file, never printed). With
`--json`, the error is also printed as one JSON document on stdout, so a script always gets one.

Nothing here imports `commands` or `entry`, so the two depend on this module and not on each other.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

from progsync.sync.views.text import visible

ANSI = {"red": "\x1b[31m", "yellow": "\x1b[33m"}


class CheckArgs:
    """`progsync [--config PATH] check [--strict] [--json] [--history FILE]... FILE...`."""

    __slots__ = ("as_json", "athletes", "config_path", "files", "history", "history_from", "strict")

    def __init__(self) -> None:
        self.config_path: str | None = None
        self.files: list[str] = []
        self.history: list[str] = []
        self.history_from: str | None = None
        self.strict = False
        self.as_json = False
        self.athletes: list[str] = []


def parse_check(argv: Sequence[str]) -> CheckArgs | None:
    """The arguments of a plain `check` command line; None when click should read them."""
    args = CheckArgs()
    rest = list(argv)
    while rest and rest[0].startswith("--config"):
        option = rest.pop(0)
        if option == "--config" and rest:
            args.config_path = rest.pop(0)
        elif option.startswith("--config="):
            args.config_path = option.split("=", 1)[1]
        else:
            return None
    if not rest or rest.pop(0) != "check":
        return None
    while rest:
        word = rest.pop(0)
        if word == "--strict":
            args.strict = True
        elif word == "--json":
            args.as_json = True
        elif word == "--history" and rest:
            args.history.append(rest.pop(0))
        elif word.startswith("--history="):
            args.history.append(word.split("=", 1)[1])
        elif word.startswith("-") or not word:
            return None
        else:
            args.files.append(word)
    if not args.files or args.config_path == "":
        return None
    return args


def echo(text: str, color: str | None = None, err: bool = False) -> None:
    """Print a line, coloured only on a terminal (as click.secho does)."""
    stream = sys.stderr if err else sys.stdout
    text = visible(text, lines=True)
    if color and stream.isatty() and "NO_COLOR" not in os.environ:
        text = f"{ANSI[color]}{text}\x1b[0m"
    stream.write(text + "\n")


def _peek(pattern: str) -> str:
    """The text of a plan file, or "" (a cheap look for `[plan] athletes` before compiling)."""
    try:
        with open(pattern, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""


def run_check(args: CheckArgs) -> int:
    """`progsync check`: every error, warning and coaching finding of the plans; exit 0 or 2.

    With `--athlete` (coach mode) the plans are compiled and checked once per athlete, on that
    athlete's paces and zones; the exit code is the worst of them.
    """
    from progsync.sync.app.plans import check_plans
    from progsync.sync.settings.config import Config, load_config

    config = load_config(args.config_path)
    members: list[tuple[str | None, Config]] = [(None, config)]
    if args.athletes or any("athletes" in _peek(f) for f in args.files):
        from progsync.sync.app.squad import members as squad_members

        members = squad_members(config, args.athletes, args.files)
    code = 0
    documents = []
    for member, member_cfg in members:
        report = check_plans(
            args.files,
            member_cfg,
            strict=args.strict,
            history=args.history,
            history_from=args.history_from,
        )
        code = max(code, report.exit_code)
        if args.as_json:
            documents.append(
                {"athlete": member, **report.as_dict()} if member else report.as_dict()
            )
            continue
        if member is not None:
            echo(f"{member}:")
        for note in report.loaded.notes if report.loaded else []:
            echo(note.render(), None, err=True)
        for issue in report.issues:
            echo(issue.render(), "yellow" if issue.severity == "warning" else "red", err=True)
        for line in report.summary_lines():
            echo(line)
    if args.as_json:
        import json

        coach = members[0][0] is not None
        echo(json.dumps({"athletes": documents} if coach else documents[0], indent=2))
    return code


def error_document(message: str, hint: str | None, exit_code: int) -> str:
    """The JSON a `--json` command prints when it ends in an error (the shape of `push --json`'s
    `errors`, with `ok` and `exit_code` as every `--json` document has them)."""
    import json

    from progsync.sync.settings.secrets import redact

    error = {"destination": None, "message": redact(message), "hint": hint, "exit_code": exit_code}
    return json.dumps({"ok": False, "exit_code": exit_code, "errors": [error]}, indent=2)


def guarded(
    body: Callable[[], int],
    show_error: Callable[[str], None] | None = None,
    as_json: bool = False,
) -> int:
    """Run a command body; its exit code, or the exit code of the error it ended with."""
    from progsync.workouts.errors import ProgsyncError

    def default_show(text: str) -> None:
        echo(text, "red", err=True)

    show = show_error or default_show

    def fail(exc: ProgsyncError) -> int:
        show(visible(exc.render(), lines=True))
        if as_json:  # a located input error's render names file and line; others: message + hint
            plain = type(exc).render is ProgsyncError.render
            echo(error_document(exc.message if plain else exc.render(), exc.hint, exc.exit_code))
        return exc.exit_code

    try:
        return body()
    except ProgsyncError as exc:
        return fail(exc)
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        return 130
    except OSError as exc:
        from progsync.sync.settings.errors import DISK_ERRNOS, disk_error

        if exc.errno in DISK_ERRNOS:
            return fail(disk_error(exc.filename, exc))
        return _internal(exc, show, as_json)
    except Exception as exc:  # noqa: BLE001 - the last resort: one line, the traceback to the log
        return _internal(exc, show, as_json)


def _internal(exc: Exception, show: Callable[[str], None], as_json: bool) -> int:
    import logging

    from progsync.sync.settings.secrets import redact

    logging.getLogger("progsync").exception("internal error")
    text = redact(
        f"internal error: {type(exc).__name__}: {exc}\n"
        "This is a bug in progsync; please report it with the command you ran."
    )
    show(visible(text, lines=True))
    if as_json:
        echo(error_document(text, None, 1))
    return 1
