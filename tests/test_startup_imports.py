"""Commands that do not touch the network import no network, FIT, Garmin or rendering library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .support import EXAMPLES, ROOT

HEAVY = {"requests", "urllib3", "garminconnect", "curl_cffi", "garmin_fit_sdk", "keyring", "rich", "pydantic", "sqlite3", "platformdirs", "logging", "icalendar"}

PROBE = """
import json, sys
sys.argv = ["progsync", *json.loads(sys.argv[1])]
from progsync.sync.cli.entry import main
try:
    main()
except SystemExit:
    pass
print("MODULES=" + json.dumps(sorted({m.split(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def loaded_modules(*args: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(args))], capture_output=True, text=True, cwd=ROOT, timeout=60)
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES="))
    return set(json.loads(line.removeprefix("MODULES=")))


@pytest.mark.parametrize("args", [["--help"], ["check", str(EXAMPLES / "week.toml")]], ids=["help", "check"])
def test_no_heavy_imports(args: list[str]) -> None:
    assert loaded_modules(*args) & HEAVY == set()


def test_show_needs_rich_but_not_the_network() -> None:
    modules = loaded_modules("show", str(EXAMPLES / "week.toml"))
    assert "rich" in modules
    assert modules & (HEAVY - {"rich"}) == set()


def test_check_does_not_import_click() -> None:
    assert "click" not in loaded_modules("check", str(EXAMPLES / "week.toml"))
    assert "click" not in loaded_modules("--config", "/dev/null", "check", "--strict", "--json", str(EXAMPLES / "week.toml"))
    assert "click" in loaded_modules("check", "--help"), "help and usage errors are click's"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["check", "a.toml"], (None, ["a.toml"], [], False, False)),
        (["--config", "c.toml", "check", "--strict", "--history", "h.toml", "a.toml", "b.toml"], ("c.toml", ["a.toml", "b.toml"], ["h.toml"], True, False)),
        (["--config=c.toml", "check", "--json", "--history=w*.toml", "a.toml"], ("c.toml", ["a.toml"], ["w*.toml"], False, True)),
    ],
)
def test_plain_check_arguments_are_read_without_click(argv: list[str], expected: tuple[str | None, list[str], list[str], bool, bool]) -> None:
    from progsync.sync.cli.runner import parse_check

    args = parse_check(argv)
    assert args is not None
    assert (args.config_path, args.files, args.history, args.strict, args.as_json) == expected


@pytest.mark.parametrize("argv", [["check"], ["check", "-h"], ["check", "--strct", "a.toml"], ["check", "--history"], ["show", "a.toml"], ["--config"], []])
def test_anything_else_goes_to_click(argv: list[str]) -> None:
    from progsync.sync.cli.runner import parse_check

    assert parse_check(argv) is None


def test_fast_and_click_check_print_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
    plan = tmp_path / "p.toml"
    plan.write_text('[plan]\nstart = 2026-11-23\n[[session]]\nday = "tue"\nsteps = ["10m", "15min @easy", "10min @4:45", "10min @4:00"]\n'
                    '[athlete]\npaces = { easy = "5:20", threshold = "3:58" }\n')
    fast = subprocess.run([sys.executable, "-m", "progsync.sync", "check", str(plan)], capture_output=True, text=True, cwd=ROOT)
    slow = subprocess.run([sys.executable, "-c", "from progsync.sync.cli.commands import main; main()", "check", str(plan)], capture_output=True, text=True, cwd=ROOT)
    assert "warning[progression-gradual]" in fast.stderr and "did you mean 10min?" in fast.stderr
    assert (fast.returncode, fast.stdout, fast.stderr) == (slow.returncode, slow.stdout, slow.stderr)


def test_check_defines_its_frozen_classes_as_records() -> None:
    """`@dataclass(frozen=True)` compiles six methods per class at import (~0.5 ms each on the CI
    machine); the modules `check` imports define theirs with `@record` instead (docs/performance.md)."""
    probe = PROBE.replace(
        'print("MODULES="',
        "import dataclasses\n"
        "stdlib = sorted(f'{m.__name__}.{c.__qualname__}' for m in list(sys.modules.values()) if m.__name__.startswith(('progsync.workouts', 'progsync.sync.app', 'progsync.sync.settings'))"
        " for c in vars(m).values() if isinstance(c, type) and c.__module__ == m.__name__ and dataclasses.is_dataclass(c) and c.__dataclass_params__.frozen)\n"
        'print("MODULES="',
    ).replace('json.dumps(sorted({m.split(".")[0] for m in sys.modules}))', "json.dumps(stdlib)")
    result = subprocess.run([sys.executable, "-c", probe, json.dumps(["check", str(EXAMPLES / "week.toml")])], capture_output=True, text=True, cwd=ROOT, timeout=60)
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES="))
    assert json.loads(line.removeprefix("MODULES=")) == []
