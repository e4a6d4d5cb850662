"""The `progsync` entry point. `check` runs here without importing click; everything else goes
through the click CLI (`cli.py`).

`check` is the command people (and editors, and pre-commit hooks) run most; importing click
costs more than compiling and checking a week, so its few plain arguments are read here. Any
argument this reader does not know (help, typos, other commands) goes to click, which owns
usage errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

ANSI = {"red": "\x1b[31m", "yellow": "\x1b[33m"}


class CheckArgs:
    """`progsync [--config PATH] check [--strict] [--json] [--history FILE]... FILE...`."""

    __slots__ = ("as_json", "config_path", "files", "history", "strict")

    def __init__(self) -> None:
        self.config_path: str | None = None
        self.files: list[str] = []
        self.history: list[str] = []
        self.strict = False
        self.as_json = False


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
    if color and stream.isatty() and "NO_COLOR" not in os.environ:
        text = f"{ANSI[color]}{text}\x1b[0m"
    stream.write(text + "\n")


def run_check(args: CheckArgs) -> int:
    """`progsync check`: every error, warning and coaching finding of the plans; exit 0 or 2."""
    from .commands import check_plans
    from .config import load_config

    report = check_plans(
        args.files, load_config(args.config_path, sync=False), strict=args.strict, history=args.history
    )
    if args.as_json:
        import json

        echo(json.dumps(report.as_dict(), indent=2))
    else:
        for issue in report.issues:
            echo(issue.render(), "yellow" if issue.severity == "warning" else "red", err=True)
        for line in report.summary_lines():
            echo(line)
    return report.exit_code


def main() -> None:
    """Run `check` directly when its arguments are plain, else the click CLI."""
    args = parse_check(sys.argv[1:])
    if args is None:
        from .cli import main as click_main

        click_main()
        return
    from progsync.workouts.errors import ProgsyncError

    try:
        code = run_check(args)
    except ProgsyncError as exc:
        echo(exc.render(), "red", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        echo("interrupted", err=True)
        code = 130
    except Exception as exc:  # noqa: BLE001 - the last resort: no traceback, ever
        from .http import redact

        echo(
            redact(
                f"internal error: {type(exc).__name__}: {exc}\n"
                "This is a bug in progsync; please report it with the command you ran."
            ),
            "red",
            err=True,
        )
        code = 1
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
