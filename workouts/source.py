"""Finding where a value was written in a TOML file, so errors can point at it.

`tomllib` returns values without positions; this map scans the text for table headers, keys and
string literals, which is enough to put a caret under the offending text. Reading and decoding
the files themselves (BOM, non-UTF-8 bytes, folders) and explaining TOML syntax errors live here
too, so plans and the config report them alike.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import InputError, Issue, Location
from .records import record

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")


@record
class Span:
    """A range of lines (1-based, end exclusive) that one table occupies."""

    start: int
    end: int


class SourceMap:
    def __init__(self, text: str, filename: str) -> None:
        self.filename = filename
        self.text = text
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


_DATE_LIKE = re.compile(r"(?<![\w.:-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")


def decode_source(data: bytes, filename: str) -> str:
    """The text of a TOML file: UTF-8, with a leading byte-order mark (as some Windows editors
    write) accepted. Anything else is an InputError naming the line, column and byte."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        shown = data[line_start : data.find(b"\n", exc.start) if b"\n" in data[exc.start :] else None]
        text = shown.decode("utf-8", errors="replace").rstrip("\r")
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        byte = data[exc.start]
        raise InputError(
            [
                Issue(
                    f"the file is not UTF-8: byte 0x{byte:02x} at byte position {exc.start}",
                    Location(filename, line, column, text, 1),
                    "save the file as UTF-8 (most editors: Save As / Encoding → UTF-8); "
                    "it looks like Latin-1 or Windows-1252"
                    if 0x80 <= byte <= 0xFF
                    else "save the file as UTF-8",
                )
            ]
        ) from None


def read_source(path: str | Path, what: str = "plan file") -> str:
    """Read a TOML file the user named; a missing file, a folder or an unreadable file is an
    InputError with a hint (never an OSError)."""
    file = Path(path)
    shown = str(path)
    if file.is_dir():
        raise InputError(
            [
                Issue(
                    f"{what} '{shown}' is a folder, not a file",
                    Location(shown),
                    f"name the .toml files in it, e.g. '{file / '*.toml'}'",
                )
            ]
        )
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise InputError(
            [
                Issue(
                    f"{what} '{shown}' does not exist",
                    Location(shown),
                    "check the path; plans are .toml files",
                )
            ]
        ) from None
    except OSError as exc:
        raise InputError(
            [
                Issue(
                    f"cannot read {what} '{shown}': {exc.strerror or exc}",
                    Location(shown),
                    "check the file's permissions",
                )
            ]
        ) from None
    return decode_source(data, shown)


def toml_issue(exc: Exception, src: SourceMap) -> Issue:
    """A `tomllib.TOMLDecodeError` as an Issue at its line, with a hint that fits the mistake.

    tomllib reports an impossible date (month 13, Feb 30) as a statement or datetime error; the
    date on that line is named instead, since "check quotes and brackets" would mislead.
    """
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    text = re.sub(r"\s*\(at line.*\)$", "", message)
    hint = "check quotes, commas and brackets on that line"
    if "Invalid value" in text:
        hint = 'text values need quotes: day = "tue", steps = ["10min @easy"]'
    elif "Cannot overwrite" in text or "Cannot declare" in text:
        hint = "a key is written twice; for several sessions use [[session]] (double brackets)"
    if not match:
        return Issue(f"TOML syntax: {text}", Location(src.filename), hint)
    line, column = int(match.group(1)), int(match.group(2))
    source = src.lines[line - 1] if 0 < line <= len(src.lines) else ""
    code = source.split("#", 1)[0]
    for date in _DATE_LIKE.finditer(code):
        year, month, day = (int(g) for g in date.groups())
        problem = _date_problem(year, month, day, date.group(0))
        if problem:
            return Issue(
                f"'{date.group(0)}' is not a date: {problem}",
                src.at(line, date.start() + 1, len(date.group(0))),
                "write dates as YYYY-MM-DD, e.g. 2026-11-24 (no quotes needed)",
            )
    return Issue(f"TOML syntax: {text}", src.at(line, column, 1), hint)


def _date_problem(year: int, month: int, day: int, written: str) -> str | None:
    import calendar
    import datetime as dt

    if not 1 <= month <= 12:
        return f"there is no month {month}"
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        return f"{calendar.month_name[month]} {year} has {last} days"
    if len(written) != 10:
        return f"month and day need two digits ({dt.date(year, month, day).isoformat()})"
    return None



#: Deepest bracket nesting (`[` and `{`, inside values) a TOML file may have. A plan needs about
#: seven levels for the deepest repeats progsync accepts (`steps = [{ repeat, steps = [{ …`,
#: three repeats deep); anything far beyond is not a plan, and tomllib itself runs out of stack
#: near 200 levels, so this is checked on the text before it is parsed.
MAX_TOML_NESTING = 12


def nesting_issue(src: SourceMap, limit: int = MAX_TOML_NESTING) -> Issue | None:
    """The first bracket that nests the file deeper than `limit`, as an Issue, or None.

    A plain scan of the text (strings and comments skipped), linear in its length, so a hostile
    file is refused before anything is parsed or expanded.
    """
    depth = 0
    quotes = ""  # the open multi-line string's quotes, while inside one
    for number, line in enumerate(src.lines, start=1):
        i, n = 0, len(line)
        if quotes:
            close = line.find(quotes)
            if close < 0:
                continue
            quotes, i = "", close + 3
        while i < n:
            ch = line[i]
            if ch == "#":
                break
            if ch in "\"'":
                if line.startswith(ch * 3, i):
                    close = line.find(ch * 3, i + 3)
                    if close < 0:
                        quotes = ch * 3
                        break
                    i = close + 3
                    continue
                j = i + 1
                while j < n and line[j] != ch:
                    j += 2 if ch == '"' and line[j] == "\\" else 1
                i = j + 1
                continue
            if ch in "[{":
                depth += 1
                if depth > limit:
                    return Issue(
                        f"brackets nested more than {limit} deep",
                        src.at(number, i + 1, 1),
                        "repeats hold repeats at most 3 deep "
                        "({ repeat = 3, steps = [{ repeat = 4, steps = [...] }] }); "
                        "write a long session as repeats one after another",
                    )
            elif ch in "]}":
                depth = max(0, depth - 1)
            i += 1
    return None


def parse_toml(src: SourceMap) -> dict[str, Any]:
    """The TOML data of a file, or an InputError located at the problem: the one way progsync
    reads TOML, so plans, the config and the profile all refuse a file nested too deep before
    tomllib's own recursion would fail on it."""
    import tomllib

    deep = nesting_issue(src)
    if deep is not None:
        raise InputError([deep])
    try:
        return tomllib.loads(src.text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([toml_issue(exc, src)]) from None
