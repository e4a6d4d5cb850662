"""Bad input gets a clear error naming the file, line and offending text, with a hint."""

from __future__ import annotations

from pathlib import Path

from .conftest import EXAMPLES, run_cli

BAD_CONFIG = """
[push]
to = 42
delete_past = "no"

[intervals]
chunk_size = "fifty"

[garmin]
verify = "yes"
"""


def test_config_values_are_checked_by_type_all_at_once(isolated_user: Path) -> None:
    config = isolated_user / "config.toml"
    config.write_text(BAD_CONFIG)
    for command in (["check", str(EXAMPLES / "week.toml")], ["push", str(EXAMPLES / "week.toml")], ["doctor"]):
        result = run_cli(*command)
        assert result.returncode != 0, command
        err = result.stderr + result.stdout
        assert f"{config}:3" in err and "[push] to = 42" in err, (command, err)
        assert f"{config}:4" in err and 'delete_past = "no": must be true or false' in err, err
        assert f"{config}:7" in err and 'chunk_size = "fifty"' in err, err
        assert f"{config}:10" in err and 'verify = "yes"' in err, err
        assert "Traceback" not in err and "internal error" not in err


def test_a_good_config_with_every_key_passes(isolated_user: Path) -> None:
    (isolated_user / "config.toml").write_text(
        '[push]\nto = ["intervals", "folder:/tmp/x"]\nwindow = "14d"\ndelete_past = false\n'
        '[intervals]\nathlete_id = "i123"\nchunk_size = 40\nrate_limit = 5\n'
        '[garmin]\nverify = false\n[folder]\nformat = ["fit", "intervals"]\n'
    )
    assert run_cli("check", str(EXAMPLES / "week.toml")).returncode == 0
