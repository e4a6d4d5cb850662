"""progsync's own exceptions and warnings, rendered once at the CLI edge.

Every error that comes from what a user wrote carries where it was written (file, line, column),
the offending text and a hint, so that the CLI can print it without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from .records import record


class ProgsyncError(Exception):
    """Base of every error progsync raises on purpose. `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def render(self) -> str:
        text = f"error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


#: The widest excerpt of a source line shown under an error.
EXCERPT_WIDTH = 100


@record
class Location:
    """Where something was written: a file, a 1-based line and column, and the line's text."""

    file: str
    line: int | None = None
    column: int | None = None
    source_line: str | None = None
    length: int = 0

    def prefix(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def excerpt(self) -> str:
        if self.source_line is None or self.line is None:
            return ""
        gutter = f"{self.line:>4} | "
        shown = self.source_line.rstrip()
        column = self.column
        if len(shown) > EXCERPT_WIDTH:
            # A very long line (a hostile or generated file) is shown around the caret only.
            first = max(0, (column or 1) - 1 - EXCERPT_WIDTH // 2)
            window = shown[first : first + EXCERPT_WIDTH]
            shown = ("…" if first else "") + window + ("…" if first + EXCERPT_WIDTH < len(shown) else "")
            column = None if column is None else column - first + (1 if first else 0)
        text = f"{gutter}{shown}"
        if column is not None:
            pad = " " * (len(gutter) + column - 1)
            text += "\n" + pad + "^" * max(1, self.length)
        return text


@record
class Issue:
    """One problem found in the input: an error or a warning, with its place and a hint."""

    message: str
    location: Location | None = None
    hint: str | None = None
    context: str | None = None
    code: str | None = None
    severity: str = "error"

    def render(self) -> str:
        head = f"{self.location.prefix()}: " if self.location else ""
        label = self.severity if not self.code else f"{self.severity}[{self.code}]"
        lines = [f"{head}{label}: {self.message}"]
        if self.context:
            lines.append(f"  in {self.context}")
        if self.location and (excerpt := self.location.excerpt()):
            lines.append(excerpt)
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def escalated(self) -> Issue:
        """The same issue as an error (what `--strict` makes of a warning)."""
        return replace(self, severity="error")

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "context": self.context,
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
        }


class InputError(ProgsyncError):
    """Something the user wrote is wrong. Holds one or more issues; exit code 2."""

    exit_code = 2

    def __init__(self, issues: Iterable[Issue]) -> None:
        self.issues = tuple(issues)
        first = self.issues[0] if self.issues else Issue("invalid input")
        super().__init__(first.message, first.hint)

    def render(self) -> str:
        body = "\n\n".join(issue.render() for issue in self.issues)
        if len(self.issues) > 1:
            body += f"\n\n{len(self.issues)} errors; nothing was written."
        return body


class StepSyntaxError(ValueError):
    """A step or target string could not be read. `start`/`end` index the offending text."""

    def __init__(self, message: str, hint: str | None = None, start: int = 0, end: int = 0):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.start = start
        self.end = end


@dataclass
class Diagnostics:
    """Collects issues while a plan is read, so that a user sees every mistake at once."""

    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, issue: Issue) -> None:
        self.errors.append(issue)

    def warn(self, issue: Issue) -> None:
        self.warnings.append(replace(issue, severity="warning"))

    def raise_if_errors(self) -> None:
        if self.errors:
            raise InputError(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest known word, or None when nothing is close."""
    import difflib

    match = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{match[0]}'?" if match else None
