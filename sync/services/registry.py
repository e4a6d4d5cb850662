"""Where sessions go: one module per destination, each behind the engine's `Destination` protocol.

Every module has one factory, `build(target, config, max_hr, ledger)`, that turns a resolved
`--to` value and the config into a ready destination; `build_destination` picks the module by the
target's kind and imports it only then (network clients stay off the `check` path). What is
special to one destination (Intervals.icu's upsert fallback, Garmin's token notes) stays behind
the protocol: `notes` for the user, `remember(ledger)` for what it learnt about the account.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from progsync.sync.settings.config import DESTINATIONS

if TYPE_CHECKING:
    from progsync.sync.reconcile.ledger import Ledger
    from progsync.sync.reconcile.model import Destination
    from progsync.sync.settings.config import Config



@dataclass(frozen=True)
class Target:
    """A resolved `--to` value."""

    spec: str
    kind: str
    path: Path | None = None
    default: bool = False


def build_destination(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> Destination:
    """The destination `target` names, built by its module's factory."""
    if target.kind not in DESTINATIONS:
        raise ValueError(f"no destination of kind {target.kind!r}")
    module = importlib.import_module(f"progsync.sync.services.{target.kind}")
    destination: Destination = module.build(target, config, max_hr, ledger)
    return destination
