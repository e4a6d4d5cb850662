"""The `progsync` entry point: a plain `check` runs without importing click; everything else goes
through the click CLI (`cli.py`). See `runner.py` for why, and for the guarded runner both use.
"""

from __future__ import annotations

import sys

from progsync.sync.cli.runner import guarded, parse_check, run_check


def main() -> None:
    """Run `check` directly when its arguments are plain, else the click CLI."""
    args = parse_check(sys.argv[1:])
    if args is None:
        from progsync.sync.cli.commands import main as click_main

        click_main()
        return
    code = guarded(lambda: run_check(args), as_json=args.as_json)
    sys.stdout.flush()
    sys.exit(code)


if __name__ == "__main__":
    main()
