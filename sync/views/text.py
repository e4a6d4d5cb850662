"""Text made safe for a terminal, at the edge where it is printed (cheap: `re` only, so the
click-free `check` path can use it too).
"""

from __future__ import annotations

import re

#: Characters that drive a terminal rather than print: C0 controls but tab and newline, DEL, C1
#: controls (8-bit CSI), and the bidirectional overrides that reorder what a line shows.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def visible(text: str, lines: bool = False) -> str:
    """User or service text made safe for a terminal: every control character shown as an
    escape (`ESC[31m` → `\\x1b[31m`), so a session name cannot recolour, move the cursor, rewrite
    the title or hide a line. Newlines are kept with `lines`, escaped otherwise (a name is one
    line). Applied at the edge, to what is printed; files and JSON keep the text as it is."""
    pattern = _CONTROL if lines else _CONTROL_OR_NEWLINE
    return pattern.sub(_escape, text)


_CONTROL_OR_NEWLINE = re.compile(_CONTROL.pattern[:-1] + "\n]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
