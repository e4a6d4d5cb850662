"""Finding where a value was written in a TOML file, so errors can point at it.

`tomllib` returns values without positions; this map scans the text for table headers, keys and
string literals, which is enough to put a caret under the offending text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import Location

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


@dataclass(frozen=True)
class Span:
    """A range of lines (1-based, end exclusive) that one table occupies."""

    start: int
    end: int


class SourceMap:
    def __init__(self, text: str, filename: str) -> None:
        self.filename = filename
        self.lines = text.splitlines()
        self.headers: list[tuple[int, str, bool]] = []
        # Header positions by table name, so that finding the n-th `[[session]]` is O(1) and a
        # plan of 10,000 sessions compiles in linear time.
        self._by_name: dict[str, list[int]] = {}
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match and not line.lstrip().startswith("#"):
                name = match.group(2).replace('"', "").replace("'", "").replace(" ", "")
                self._by_name.setdefault(name, []).append(len(self.headers))
                self.headers.append((number, name, match.group(1) == "[["))

    def whole(self) -> Span:
        return Span(1, len(self.lines) + 1)

    def table(self, name: str, occurrence: int = 0) -> Span | None:
        """Lines of the `occurrence`-th `[name]` or `[[name]]` table."""
        indices = self._by_name.get(name, [])
        if not 0 <= occurrence < len(indices):
            return None
        index = indices[occurrence]
        end = self.headers[index + 1][0] if index + 1 < len(self.headers) else len(self.lines) + 1
        return Span(self.headers[index][0], end)

    def at(self, line: int, column: int | None = None, length: int = 0) -> Location:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return Location(self.filename, line, column, text, length)

    def key(self, span: Span | None, key: str) -> Location:
        """The line of `key = ...` inside a table (or the table's header when not found)."""
        if span is None:
            return Location(self.filename)
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        inline = re.compile(rf"[{{,]\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for number in range(span.start, min(span.end, len(self.lines) + 1)):
            line = self.lines[number - 1]
            match = pattern.search(line) or inline.search(line)
            if match:
                column = line.index(key, match.start()) + 1
                return self.at(number, column, len(key))
        for number, header, _ in self.headers:
            if span.start <= number < span.end and header.split(".")[0] == key:
                line = self.lines[number - 1]
                return self.at(number, line.index(key) + 1, len(key))
        return self.at(span.start)

    def literal(
        self, span: Span | None, value: str, after: tuple[int, int] = (0, 0)
    ) -> Location | None:
        """The first place at or after `after` (line, column) where `"value"` is written."""
        if span is None:
            return None
        quoted = [f'"{value}"', f"'{value}'"]
        for number in range(max(span.start, after[0]), min(span.end, len(self.lines) + 1)):
            line = self.lines[number - 1]
            from_col = after[1] if number == after[0] else 0
            best = -1
            for candidate in quoted:
                pos = line.find(candidate, from_col)
                if pos >= 0 and (best < 0 or pos < best):
                    best = pos
            if best >= 0:
                return self.at(number, best + 2, len(value))
        return None

    def setting(self, section: str, path: str) -> Location:
        """Where `path` (`rule` or `rule.key`) of a `[section]` table is written, whether as
        `[section.rule]` tables, keys of `[section]`, or inline tables."""
        rule, _, key = path.partition(".")
        own = self.table(f"{section}.{rule}")
        if own is not None:
            return self.key(own, key) if key else self.at(own.start)
        return self.key(self.table(section) or self.whole(), key or rule)
