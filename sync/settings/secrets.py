"""Secrets never reach a log, the terminal or a disk: every message that leaves progsync passes
`redact`, which hides each registered secret in the forms services echo it back in (itself,
URL-encoded, base64 alone and as HTTP basic auth, padded or not) and any token-shaped value
after a known key. Credentials register what they load; the log file's filter redacts too.
"""

from __future__ import annotations

import re
import threading

_SECRETS: set[str] = set()
_LOCK = threading.Lock()
_PATTERNS = [
    re.compile(r"(Authorization['\"]?\s*[:=]\s*['\"]?(?:Basic|Bearer)\s+)[A-Za-z0-9+/=._-]+", re.I),
    re.compile(
        r"((?:api[_-]?key|token|password|refresh_token|access_token|di_token)['\"]?\s*[:=]\s*['\"]?)[^'\"\s,&}]+",
        re.I,
    ),
]


def encoded_forms(secret: str) -> set[str]:
    """The ways a secret travels and gets echoed back: itself, URL-encoded, and base64 of it
    alone and of HTTP basic auth (`API_KEY:<key>` is Intervals.icu's), padded or not."""
    import base64
    from urllib.parse import quote, quote_plus

    forms = {secret, quote(secret, safe=""), quote_plus(secret)}
    for raw in (secret, f"API_KEY:{secret}"):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            text = encode(raw.encode()).decode()
            forms |= {text, text.rstrip("=")}
    return {f for f in forms if len(f) >= 4}


def register_secret(secret: str | None) -> None:
    """Remember a secret so that `redact` hides it, and its encoded forms, wherever they appear."""
    if secret and len(secret) >= 4:
        with _LOCK:
            _SECRETS.update(encoded_forms(secret))


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "***")
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text
