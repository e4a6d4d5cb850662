"""A local folder as a destination: FIT files (and other formats) a watch or an app picks up.

A watch mounted over USB is just a folder (`.../GARMIN/NewFiles`). progsync keeps a small
manifest, `.progsync.json`, in the folder: it is the marker that says which files progsync wrote,
so a lost ledger is rebuilt from it, and files progsync did not write are never touched. A watch
that consumes files from NewFiles leaves the manifest behind, so a consumed file is not pushed
again unless the session changes.

Rails: file names carry the plan (`2026-12-01_block_run.fit`), so two plans' "Run" on the same
day never share a file; a file progsync did not write for this session (foreign, or another
plan's) is never overwritten or deleted; and only the last folder of the path is ever created
(a missing parent means an unplugged watch, which must not look like a successful push), except
for the built-in outbox.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from progsync.sync.reconcile.model import Action, Desired, Recorder, Remote, fingerprint, plan_of
from progsync.sync.settings.config import Config
from progsync.workouts.encode import Format, encode
from progsync.workouts.errors import ProgsyncError
from progsync.workouts.model import Session

if TYPE_CHECKING:
    from progsync.sync.reconcile.ledger import Ledger
    from progsync.sync.services.registry import Target

MANIFEST = ".progsync.json"


class FolderError(ProgsyncError):
    exit_code = 5


def build(
    target: Target, config: Config, max_hr: dict[str, int | None], ledger: Ledger | None
) -> FolderDestination:
    """The folder of a `folder:PATH` target (or the built-in outbox), in `[folder] format`s."""
    formats = list(config.folder.formats)
    assert target.path is not None
    return FolderDestination(target.path, formats, max_hr, create_parents=target.default)


class FolderDestination:
    can_list = True

    def __init__(
        self,
        path: Path,
        formats: list[Format] | None = None,
        max_hr: dict[str, int | None] | None = None,
        create_parents: bool = False,
    ) -> None:
        self.path = path.expanduser().resolve()
        self.create_parents = create_parents
        self.formats: list[Format] = formats or ["fit"]
        self.key = f"folder:{self.path}"
        self.label = f"folder {self.path}"
        self.max_hr = max_hr or {}
        self._ops: Counter[str] = Counter()
        self.notes: list[str] = []

    def requests_made(self) -> Counter[str]:
        return Counter(self._ops)

    def remember(self, ledger: Ledger) -> None:
        """Nothing to learn about a folder."""

    def prepare(self, session: Session) -> Desired:
        files: dict[str, bytes] = {}
        warnings: list[str] = []
        for fmt in self.formats:
            output = encode(session, fmt, max_hr=self.max_hr.get(session.plan))
            files[file_name(session, output.filename)] = output.data
            warnings.extend(output.warnings)
        digest = fingerprint({name: data.hex() for name, data in sorted(files.items())})
        return Desired(session, files, digest, tuple(warnings))

    def _manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        if not path.exists():
            return {"items": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("items"), dict):
                raise ValueError("no items")
            return data
        except (ValueError, OSError) as exc:
            raise FolderError(
                f"the progsync manifest {path} is unreadable: {exc}",
                "move it away; progsync will then treat the folder's files as foreign and "
                "write its own again",
            ) from exc

    def _save_manifest(self, manifest: dict[str, Any]) -> None:
        path = self.path / MANIFEST
        tmp = path.with_name(MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, path)

    def list_remote(self, start: dt.date, end: dt.date) -> dict[str, Remote]:
        self._ops["list"] += 1
        out = {}
        for identity, item in self._manifest()["items"].items():
            day = dt.date.fromisoformat(item["date"])
            if start <= day <= end:
                out[identity] = Remote(
                    identity=identity,
                    remote_id=",".join(item["files"]),
                    date=day,
                    name=item.get("name", ""),
                    fingerprint=item.get("fingerprint"),
                    details={"files": item["files"]},
                )
        return out

    def _ensure_folder(self) -> None:
        """Create the folder, but at most its last part (outbox: all), so a missing watch fails."""
        if self.path.is_dir():
            return
        if self.path.exists():
            raise FolderError(f"{self.path} is not a folder", "give the path of a folder")
        if not self.create_parents and not self.path.parent.is_dir():
            raise FolderError(
                f"{self.path.parent} does not exist, so nothing was written to {self.path}: "
                "is the watch mounted?",
                "plug the watch in (or mount the drive) and push again; progsync creates at "
                "most the last folder of a path",
            )
        try:
            self.path.mkdir(parents=self.create_parents, exist_ok=True)
        except OSError as exc:
            raise FolderError(
                f"cannot create {self.path}: {exc}", "is the watch mounted? check the path"
            ) from exc

    def apply(self, actions: list[Action], recorder: Recorder) -> None:
        self._ensure_folder()
        manifest = self._manifest()
        items: dict[str, Any] = manifest["items"]
        for action in actions:
            try:
                old_files = list(items.get(action.identity, {}).get("files", []))
                # Files another identity wrote stay, even if an old manifest lists them twice.
                claimed = {
                    name
                    for identity, item in items.items()
                    if identity != action.identity
                    for name in item.get("files", [])
                }
                if action.op == "delete":
                    self._remove([f for f in old_files if f not in claimed])
                    items.pop(action.identity, None)
                    self._save_manifest(manifest)
                    recorder.deleted(action)
                    continue
                assert action.desired is not None
                files: dict[str, bytes] = action.desired.payload
                foreign = [
                    name
                    for name, data in files.items()
                    if name in claimed
                    or (name not in old_files and self._differs(self.path / name, data))
                ]
                if foreign:
                    recorder.fail(
                        action,
                        f"{', '.join(foreign)} is already in {self.path} and progsync did not "
                        "write it for this session; left alone (move or rename it, then push "
                        "again)",
                    )
                    continue
                for name, data in files.items():
                    target = self.path / name
                    tmp = target.with_name(f".{name}.tmp")
                    tmp.write_bytes(data)
                    os.replace(tmp, target)
                    self._ops["write"] += 1
                self._remove([f for f in old_files if f not in files and f not in claimed])
                session = action.desired.session
                items[action.identity] = {
                    "date": session.date.isoformat(),
                    "name": session.name,
                    "files": sorted(files),
                    "fingerprint": action.desired.fingerprint,
                }
                self._save_manifest(manifest)
                recorder.saved(action, ",".join(sorted(files)))
            except OSError as exc:
                from progsync.sync.settings.errors import DISK_ERRNOS, disk_error

                if exc.errno in DISK_ERRNOS:  # read-only or full: every other file would fail too
                    raise disk_error(exc.filename or self.path, exc) from None
                recorder.fail(action, f"{type(exc).__name__}: {exc}")

    def _remove(self, names: list[str]) -> None:
        for name in names:
            target = self.path / name
            if target.exists():
                target.unlink()
                self._ops["delete"] += 1

    @staticmethod
    def _differs(path: Path, data: bytes) -> bool:
        """A file is there with other content (the same bytes are safe to write again)."""
        try:
            return path.exists() and path.read_bytes() != data
        except OSError:
            return True


def file_name(session: Session, encoded: str) -> str:
    """`2026-12-01_run.fit` → `2026-12-01_<plan>_run.fit`: unique across plans, sorted by date."""
    day = f"{session.date.isoformat()}_"
    return f"{day}{plan_of(session.identity)}_{encoded.removeprefix(day)}"
