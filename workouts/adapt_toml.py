"""Writing `progsync adapt`'s proposals into the plan's own TOML text, with tomlkit: comments,
order and every untouched line stay byte for byte; a session shared by several weeks
(`week = [...]`) loses the changed week from its list and is appended as a dated session of its
own. Pure: text and proposals in, text out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from .adapt import Proposal
from .generate import format_step
from .model import Block, Repeat
from .units import Units, format_pace


# -- writing the proposals into the plan's TOML -----------------------------------------------
def _toml_value(value: Any) -> Any:
    import tomlkit

    if isinstance(value, Mapping):
        table = tomlkit.inline_table()
        for key, inner in value.items():
            table[key] = _toml_value(inner)
        return table
    if isinstance(value, list):
        array = tomlkit.array()
        for inner in value:
            array.append(_toml_value(inner))
        return array
    return tomlkit.item(value)


def _block_item(block: Block, units: Units) -> Any:
    import tomlkit

    if isinstance(block, Repeat):
        table = tomlkit.inline_table()
        table["repeat"] = block.count
        inner = tomlkit.array()
        for step in block.steps:
            inner.append(_block_item(step, units))
        table["steps"] = inner
        return table
    return block.source or format_step(block, units)


def _steps_item(blocks: tuple[Block, ...], units: Units) -> Any:
    import tomlkit

    array = tomlkit.array()
    for block in blocks:
        array.append(_block_item(block, units))
    if len(blocks) > 1:
        array.multiline(True)
    return array


def apply_proposals(
    text: str,
    filename: str,
    proposals: Sequence[Proposal],
    start: dt.date | None,
    units: Units,
) -> tuple[str, tuple[str, ...]]:
    """`text` with the proposals made, and what could not be written (a pace the plan does not
    set, a session from another file). Edited with tomlkit: comments, order and every line of
    the sessions that do not change stay byte for byte.

    A session written once for several weeks (`week = [1, 2, 3]`) that changes in one of them
    leaves that week's number out of its list, and the changed session follows as a session of
    its own with that `date` (and the id it had, `ID-wN`), so the other weeks stay as written."""
    import tomlkit
    from tomlkit.items import AoT, Table

    from .source import SourceMap

    doc = tomlkit.parse(text)
    src = SourceMap(text, filename)
    aot = doc.get("session")
    lines: dict[int, int] = {}
    index = 0
    while (span := src.table("session", index)) is not None:
        lines[span.start] = index
        index += 1
    skipped: list[str] = []
    edits: dict[str, list[Proposal]] = {}
    for p in proposals:
        if p.kind in ("steps", "notes", "remove") and p.identity is not None:
            edits.setdefault(p.identity, []).append(p)
    removed: set[int] = set()
    added: list[Table] = []
    for items in edits.values():
        first = items[0]
        where = lines.get(first.source_line or -1)
        if not isinstance(aot, AoT) or where is None or first.date is None:
            skipped.append(f"{first.name} on {first.date}: not a session of {filename}")
            continue
        table = aot[where]
        weeks = table.get("week")
        shared = isinstance(weeks, list) and len(weeks) > 1
        target: Table = table
        if shared:
            assert start is not None and isinstance(weeks, list)
            week = (first.date - start).days // 7 + 1
            position = [int(w) for w in weeks].index(week)
            del weeks[position]
            if any(p.kind == "remove" for p in items):
                continue
            target = tomlkit.table()
            target["date"] = first.date
            for key, value in table.items():
                if key in ("day", "week"):
                    continue
                if key == "id":
                    target["id"] = f"{value}-w{week}"
                    continue
                target[key] = _toml_value(value.unwrap() if hasattr(value, "unwrap") else value)
            added.append(target)
        for p in items:
            if p.kind == "remove":
                removed.add(where)
                break
            if p.kind == "notes" and p.notes is not None:
                target["notes"] = p.notes
            if p.kind == "steps" and p.steps is not None:
                for key in ("progression", "workout"):
                    if key in target:
                        del target[key]
                target["steps"] = _steps_item(p.steps, units)
                if p.new_name is not None:
                    target["name"] = p.new_name
                if p.tags is not None:
                    target["tags"] = _toml_value(list(p.tags))
    if isinstance(aot, AoT):
        for where in sorted(removed, reverse=True):
            del aot[where]
        if added and len(aot):
            aot[len(aot) - 1].add(tomlkit.nl())
        for number, table in enumerate(added):
            if number < len(added) - 1:
                table.add(tomlkit.nl())
            aot.append(table)
    for p in proposals:
        if p.kind != "paces":
            continue
        athlete = doc.get("athlete")
        paces = athlete.get("paces") if athlete is not None else None
        for label, pace in p.paces:
            if paces is None or label not in paces:
                skipped.append(
                    f"{label} pace: the plan's [athlete] paces do not set it (set it where it "
                    "is: the config's [athlete] table)"
                )
                continue
            paces[label] = format_pace(pace, units, suffix=False)
    return tomlkit.dumps(doc), tuple(skipped)
