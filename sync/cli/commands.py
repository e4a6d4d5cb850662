"""The `progsync` command line (everything but the click-free `check`, see `runner.py`): the
click group of `base.py` with every command family registered on it. Commands stay thin: they
parse options and call plain functions. Heavy modules (rich, requests, garminconnect, the FIT
SDK) are imported inside the commands that need them, so `progsync check` starts about as fast
as the interpreter.
"""

from __future__ import annotations

import sys

import click

from progsync.sync.cli import (  # noqa: F401 - they register commands
    accounts,
    calendar,
    importing,
    new,
    plans,
)
from progsync.sync.cli.base import cli


def main() -> None:
    """Entry point: run the CLI and render our own errors once, without a traceback."""
    from progsync.sync.cli.runner import guarded

    def body() -> int:
        try:
            code = cli.main(standalone_mode=False)
        except click.exceptions.Abort:
            click.echo("aborted", err=True)
            return 130
        except click.exceptions.Exit as exc:
            return exc.exit_code
        except click.ClickException as exc:
            exc.show()
            return 2 if isinstance(exc, click.UsageError) else exc.exit_code
        return code if isinstance(code, int) else 0

    def show(text: str) -> None:
        click.secho(text, fg="red", err=True)

    sys.exit(guarded(body, show, as_json="--json" in sys.argv[1:]))
