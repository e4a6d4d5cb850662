"""What the tests (and `bench/`) share: the fake services on 127.0.0.1 (`fake_http`,
`fake_intervals`, `fake_garmin`, `fake_garmin_squad`), FIT helpers (`fitcheck`), the script that
writes the FIT activity fixtures (`make_activities`), a file keyring for the subprocess tests,
and the plans several test modules push (`plans`). Test modules import from here, never from
each other.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"
