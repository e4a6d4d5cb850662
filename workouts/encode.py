"""One entry point to every encoder: a session and a format name → bytes and warnings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from .model import Session

Format = Literal["fit", "garmin-json", "intervals"]
FORMATS: tuple[Format, ...] = ("fit", "garmin-json", "intervals")
EXTENSIONS: dict[Format, str] = {"fit": "fit", "garmin-json": "json", "intervals": "txt"}


@dataclass(frozen=True)
class Output:
    """One encoded session: the file name it should get, its bytes, and any warnings."""

    filename: str
    data: bytes
    warnings: tuple[str, ...]


def encode(session: Session, fmt: Format, max_hr: int | None = None) -> Output:
    """Encode a session; deterministic: the same session gives the same bytes."""
    name = f"{session.file_stem}.{EXTENSIONS[fmt]}"
    if fmt == "fit":
        from .fit import encode_fit

        return Output(name, encode_fit(session), ())
    if fmt == "garmin-json":
        from .garmin_json import encode_workout

        encoded = encode_workout(session)
        text = json.dumps(encoded.payload, indent=2, ensure_ascii=False) + "\n"
        return Output(name, text.encode("utf-8"), encoded.warnings)
    from .intervals_text import encode_intervals_text

    result = encode_intervals_text(session, max_hr=max_hr)
    return Output(name, result.text.encode("utf-8"), result.warnings)
