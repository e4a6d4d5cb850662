"""What the tests (and `bench/`) share: the fake services on 127.0.0.1 (`fake_http`,
`fake_intervals`, `fake_garmin`, `fake_garmin_squad`), FIT helpers (`fitcheck`), the script that
writes the FIT activity fixtures (`make_activities`), a file keyring for the subprocess tests,
and the plans several test modules push (`plans`); `plain_steps` reads a session without
repeats as its steps. Test modules import from here, never from each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from progsync.workouts.model import Block, Step

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = ROOT / "examples"


def plain_steps(blocks: Sequence[Block]) -> list[Step]:
    """The blocks of a session that has no repeats, as its steps; a repeat among them fails."""
    steps = [b for b in blocks if isinstance(b, Step)]
    assert len(steps) == len(blocks), f"expected plain steps, got {blocks!r}"
    return steps
