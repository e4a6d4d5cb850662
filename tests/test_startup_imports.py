"""Commands that do not touch the network import no network, FIT, Garmin or rendering library."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import EXAMPLES, ROOT

HEAVY = {"requests", "urllib3", "garminconnect", "curl_cffi", "garmin_fit_sdk", "keyring", "rich", "pydantic", "sqlite3", "platformdirs", "logging"}

PROBE = """
import json, sys
sys.argv = ["progsync", *json.loads(sys.argv[1])]
from progsync.sync.cli import main
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
