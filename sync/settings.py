"""Typed validation of the config's destination sections ([push], [intervals], [garmin], [folder]).

pydantic checks types and values at the edge where the config arrives (strict: `"no"` is not a
boolean, `"fifty"` is not a count), and every problem is reported at once with the config file's
line and key. Only commands that sync import this module: `check` never reads these sections,
and pydantic costs more to import than checking a week of plans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from progsync.workouts.errors import Issue
from progsync.workouts.source import SourceMap


class _Section(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")  # unknown keys: reported by config.py


class PushSettings(_Section):
    to: StrictStr | list[StrictStr] | None = None
    window: StrictStr | StrictInt | None = None
    delete_past: StrictBool = False

    @field_validator("window")
    @classmethod
    def _window(cls, value: str | int | None) -> str | int | None:
        if isinstance(value, str) and not re.fullmatch(r"\s*\d+\s*[dw]?\s*", value.lower()):
            raise ValueError("not a number of days")
        return value


class IntervalsSettings(_Section):
    athlete_id: StrictStr | None = None
    base_url: StrictStr | None = None
    chunk_size: StrictInt = Field(50, ge=1, le=500)
    rate_limit: float = Field(8, gt=0, le=10)


class GarminSettings(_Section):
    api_url: StrictStr | None = None
    verify: StrictBool = True


class FolderSettings(_Section):
    path: StrictStr | None = None
    format: list[Literal["fit", "garmin-json", "intervals"]] | None = None


MODELS: dict[str, type[_Section]] = {
    "push": PushSettings,
    "intervals": IntervalsSettings,
    "garmin": GarminSettings,
    "folder": FolderSettings,
}

_HINTS = {
    ("push", "delete_past"): "write true or false, without quotes",
    ("garmin", "verify"): "write true or false, without quotes",
    ("push", "to"): 'to = "intervals", "garmin", "folder:PATH", or a list of them',
    ("push", "window"): 'window = "14d" (days) or "2w" (weeks)',
    ("intervals", "chunk_size"): "a whole number of events per request, e.g. 50",
    ("intervals", "rate_limit"): "requests per second, at most 10 (Intervals.icu's limit)",
    ("folder", "format"): 'format = ["fit"] (any of fit, garmin-json, intervals)',
}


def check_sections(data: Mapping[str, Any], src: SourceMap) -> list[Issue]:
    """Every type or value problem of the destination sections, located in the config file."""
    issues: list[Issue] = []
    for section, model in MODELS.items():
        table = data.get(section)
        if not isinstance(table, Mapping):
            continue
        try:
            model.model_validate(dict(table))
        except ValidationError as exc:
            seen: set[str] = set()
            for error in exc.errors():
                key = str(error["loc"][0]) if error["loc"] else section
                if key in seen:
                    continue
                seen.add(key)
                issues.append(
                    Issue(
                        f"[{section}] {key} = {table.get(key)!r}: {_reason(error)}",
                        src.key(src.table(section), key),
                        _HINTS.get((section, key)),
                    )
                )
    return issues


def _reason(error: Any) -> str:
    text = str(error.get("msg", "invalid value"))
    return text.removeprefix("Value error, ").replace("Input should be", "should be")
