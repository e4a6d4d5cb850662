"""Completed activities from Intervals.icu and Garmin Connect, with a disk cache of their files.

Read-only towards both services: one listing of the date range (activities keep appearing, so it
is fetched on every run), then the FIT file of each listed activity that could match the plan (in
the date window, of a sport progsync knows), downloaded once and kept under
`<data dir>/activities/<service>/<id>.fit` (written to a temporary file and renamed, so a
crash never leaves half a file there). A second review of the same weeks downloads nothing.

- Intervals.icu: `GET /api/v1/athlete/{id}/activities?oldest=&newest=` (listActivities), then
  `GET /api/v1/activity/{id}/fit-file` (downloadActivityFitFile), both in the OpenAPI spec
  (tests/fixtures/intervals-icu/openapi-spec.json). Activities that reached Intervals.icu from
  Strava are listed as stubs, `{"id", "source": "STRAVA", "_note": "STRAVA activities are not
  available via the API", "start_date_local"}`, and their files answer 422 (Strava's API terms;
  hhopke/intervals-icu-mcp#14, platypus45/domestique#2): a warning each, never a failure.
- Garmin Connect, through garminconnect: `get_activities_by_date(start, end)` and
  `download_activity(id, dl_fmt=ORIGINAL)`, a ZIP holding the .fit. Both 0.3.2
  (`garminconnect/__init__.py`) and 0.3.20 (`garminconnect/api/activities.py`) call
  `GET /activitylist-service/activities/search/activities?startDate=&endDate=&start=&limit=20`,
  page after page of 20 until a page comes back empty (so a listing is at least two requests),
  and `GET /download-service/files/activity/{id}`.

A folder of FIT files (a watch over USB) is the third source (`folder_activities`). The races
a block is built to come from the same services (`progsync.sync.services.races`).

Service errors map to progsync's as for push: 401/403 AuthError (exit 3), 429/5xx/unreachable
Unreachable after retries (exit 5), an odd 200 OddReply (exit 5); a file that one activity
cannot give (404, 422, not a FIT/ZIP) is a warning naming the activity.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from progsync.sync.services.http import Pacer
from progsync.sync.settings.config import Config, data_dir
from progsync.sync.settings.errors import RemoteError
from progsync.workouts.activity import Activity, ActivityError, read_fit
from progsync.workouts.errors import Issue, Location, ProgsyncError
from progsync.workouts.model import Sport

#: Intervals.icu activity `type` → our sports (the types progsync itself sends, and their kin).
INTERVALS_SPORTS: dict[str, Sport] = {
    "Run": "run",
    "TrailRun": "run",
    "VirtualRun": "run",
    "Ride": "bike",
    "VirtualRide": "bike",
    "GravelRide": "bike",
    "MountainBikeRide": "bike",
    "EBikeRide": "bike",
    "Swim": "swim",
    "OpenWaterSwim": "swim",
    "WeightTraining": "strength",
    "Workout": "cardio",
    "HighIntensityIntervalTraining": "hiit",
    "Yoga": "yoga",
}
#: Garmin Connect `activityType.typeKey` → our sports.
GARMIN_SPORTS: dict[str, Sport] = {
    "running": "run",
    "trail_running": "run",
    "treadmill_running": "run",
    "track_running": "run",
    "indoor_running": "run",
    "virtual_run": "run",
    "cycling": "bike",
    "road_biking": "bike",
    "indoor_cycling": "bike",
    "virtual_ride": "bike",
    "mountain_biking": "bike",
    "gravel_cycling": "bike",
    "e_bike_fitness": "bike",
    "lap_swimming": "swim",
    "open_water_swimming": "swim",
    "strength_training": "strength",
    "indoor_cardio": "cardio",
    "hiit": "hiit",
    "yoga": "yoga",
}


class SourceError(ProgsyncError):
    """An activity source that cannot be read (a folder that is not there); exit code 2."""

    exit_code = 2


class Unavailable(Exception):
    """One activity's file cannot be had (a Strava stub, 404, 422, not a FIT file): a warning."""


@dataclass(frozen=True)
class Listed:
    """One item of a service's activity listing."""

    remote_id: str
    day: dt.date | None
    sport: Sport | None
    kind: str
    unavailable: str | None = None


@dataclass
class Fetched:
    """What one fetch cost: listing requests, files downloaded, files read from the cache."""

    listed: int = 0
    downloaded: int = 0
    cached: int = 0
    skipped: int = 0


class Source(Protocol):
    """A service that lists activities and gives their FIT files."""

    service: str
    label: str

    def listing(self, start: dt.date, until: dt.date) -> list[Listed]: ...

    def download(self, remote_id: str) -> bytes: ...

    def requests_made(self) -> Counter[str]: ...


# -- the cache ----------------------------------------------------------------------------------
class FileCache:
    """Downloaded activity files, one per id: `<root>/<id>.fit`, written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, remote_id: str) -> Path:
        return self.root / (re.sub(r"[^A-Za-z0-9_.-]", "_", remote_id) + ".fit")

    def read(self, remote_id: str) -> bytes | None:
        try:
            return self.path(remote_id).read_bytes()
        except OSError:
            return None

    def write(self, remote_id: str, data: bytes) -> str | None:
        """Keep a file; a message (for a warning) when the cache cannot be written."""
        target = self.path(remote_id)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-", suffix=".fit")
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            return f"cannot keep the file in the cache {self.root}: {exc.strerror or exc}"
        return None

    def forget(self, remote_id: str) -> None:
        self.path(remote_id).unlink(missing_ok=True)


def cache_for(service: str) -> FileCache:
    return FileCache(data_dir() / "activities" / service)


# -- the fetch ----------------------------------------------------------------------------------
def remote_activities(
    source: Source,
    start: dt.date,
    until: dt.date,
    cache: FileCache,
    stats: Fetched | None = None,
) -> tuple[list[Activity], list[Issue]]:
    """Activities of `source` run from `start` to `until`: one listing, then each file from the
    cache or, when it is not there (or is damaged), downloaded once and cached."""

    stats = stats if stats is not None else Fetched()
    out: list[Activity] = []
    warnings: list[Issue] = []
    listed = source.listing(start, until)
    stats.listed = len(listed)

    def warn(item: Listed, message: str, hint: str | None = None) -> None:
        where = Location(f"{source.service}:{item.remote_id}")
        warnings.append(
            Issue(
                f"{source.label} activity {item.remote_id}: {message}",
                where,
                hint,
                severity="warning",
            )
        )

    for item in listed:
        if item.day is not None and not start <= item.day <= until:
            continue
        if item.unavailable is not None:
            warn(item, item.unavailable, "connect the device to the service directly")
            continue
        if item.sport is None:
            stats.skipped += 1
            continue
        name = f"{source.service}:{item.remote_id}"
        data = cache.read(item.remote_id)
        activity: Activity | None = None
        if data is not None:
            try:
                activity = read_fit(data, name)
                stats.cached += 1
            except ActivityError:
                cache.forget(item.remote_id)
                data = None  # damaged in the cache: fetched again below
        if data is None:
            try:
                data = source.download(item.remote_id)
            except Unavailable as exc:
                warn(item, f"no file: {exc}")
                continue
            stats.downloaded += 1
            try:
                activity = read_fit(data, name)
            except ActivityError as exc:
                warn(item, f"skipped: {exc.message}")
                continue
            problem = cache.write(item.remote_id, data)
            if problem:
                warn(item, problem)
        if activity is not None and start <= activity.date <= until:
            out.append(activity)
    return out, warnings


def fetch_remote(
    service: str, config: Config, start: dt.date, until: dt.date, stats: Fetched | None = None
) -> tuple[list[Activity], list[Issue]]:
    """`--from intervals` / `--from garmin`: the source built from the config, and its fetch."""
    source: Source = intervals_source(config) if service == "intervals" else garmin_source(config)
    found, warnings = remote_activities(source, start, until, cache_for(service), stats)
    for note in getattr(source, "notes", []):
        warnings.append(Issue(note, severity="warning"))
    return found, warnings


# -- Intervals.icu ------------------------------------------------------------------------------
def _day(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text)[:10])
    except ValueError:
        return None


class IntervalsSource:
    service = "intervals"

    def __init__(self, client: Any) -> None:
        self.client = client
        self.label = f"Intervals.icu ({client.athlete_id})"

    def requests_made(self) -> Counter[str]:
        return Counter(self.client.calls)

    def listing(self, start: dt.date, until: dt.date) -> list[Listed]:
        from progsync.sync.services.replies import intervals_activities

        params = {"oldest": start.isoformat(), "newest": until.isoformat()}
        data = self.client.request("GET", "/activities", "listing activities", params=params)
        out = []
        for item in intervals_activities(data):
            kind = item.type or ""
            unavailable = None
            if item.source == "STRAVA" and not item.type:
                unavailable = (
                    "synced from Strava, which Intervals.icu may not pass on through its API "
                    f"({item.note or 'no data'})"
                )
            elif item.source == "MANUAL" and not item.file_type:
                unavailable = "entered by hand: there is no file of laps to compare"
            out.append(
                Listed(
                    remote_id=str(item.id),
                    day=_day(item.start_date_local),
                    sport=INTERVALS_SPORTS.get(kind),
                    kind=kind,
                    unavailable=unavailable,
                )
            )
        return out

    def download(self, remote_id: str) -> bytes:
        what = f"downloading activity {remote_id}"
        try:
            data = self.client.request(
                "GET", f"/api/v1/activity/{remote_id}/fit-file", what, raw=True
            )
        except RemoteError as exc:  # 404, 422 (a Strava activity): this activity only
            raise Unavailable(exc.message) from None
        return unpack(bytes(data or b""))


def intervals_source(config: Config) -> IntervalsSource:
    from progsync.sync.services.intervals_client import client_for

    return IntervalsSource(client_for(config))


# -- Garmin Connect -----------------------------------------------------------------------------
def unpack(data: bytes) -> bytes:
    """The FIT file in a download: as it is, inside a ZIP (Garmin's "original"), or gzipped."""
    if data[8:12] == b".FIT":
        return data
    if data[:2] == b"\x1f\x8b":
        import gzip
        import zlib

        try:
            return unpack(gzip.decompress(data))
        except (OSError, EOFError, zlib.error) as exc:
            raise Unavailable(f"a damaged gzip file ({exc})") from None
    if data[:2] == b"PK":
        import zlib

        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = [n for n in archive.namelist() if n.lower().endswith(".fit")]
                if not names:
                    raise Unavailable(
                        f"the ZIP holds no .fit file ({', '.join(archive.namelist()) or 'empty'})"
                    )
                return archive.read(names[0])
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise Unavailable(f"a damaged ZIP file ({exc})") from None
        except (RuntimeError, NotImplementedError) as exc:  # encrypted, or an unknown method
            raise Unavailable(f"a ZIP file progsync cannot open ({exc})") from None
    shown = "an empty reply" if not data else f"{len(data)} bytes that are not a FIT file"
    raise Unavailable(shown)


class GarminSource:
    service = "garmin"
    label = "Garmin Connect"

    def __init__(self, garmin: Any, tokens: Any, pacer: Pacer | None = None) -> None:
        from progsync.sync.services.garmin.calls import GarminCalls, garmin_pacer

        self.garmin = garmin
        self.conn = GarminCalls(
            garmin, tokens, pacer or garmin_pacer()
        )
        self.notes = self.conn.notes

    def requests_made(self) -> Counter[str]:
        return Counter(self.conn.calls)

    def _call(self, name: str, what: str, func: Callable[[], Any]) -> Any:
        """The one guarded Garmin call (`garmin.calls`); a 404 is `Unavailable` here."""
        from progsync.sync.services.garmin.client import Gone

        try:
            return self.conn.call(name, what, func)
        except Gone:
            raise Unavailable("not found (HTTP 404)") from None

    def listing(self, start: dt.date, until: dt.date) -> list[Listed]:
        from progsync.sync.services.replies import garmin_activities

        def run() -> Any:
            return self.garmin.get_activities_by_date(start.isoformat(), until.isoformat())

        try:
            data = self._call("get_activities_by_date", "listing activities", run)
        except Unavailable as exc:
            raise RemoteError(f"Garmin Connect: {exc} while listing activities") from None
        out = []
        for item in garmin_activities(data):
            key = (item.activityType.typeKey if item.activityType else None) or ""
            out.append(
                Listed(
                    remote_id=str(item.activityId),
                    day=_day(item.startTimeLocal),
                    sport=GARMIN_SPORTS.get(key),
                    kind=key,
                )
            )
        return out

    def download(self, remote_id: str) -> bytes:
        formats = type(self.garmin).ActivityDownloadFormat

        def run() -> Any:
            return self.garmin.download_activity(remote_id, dl_fmt=formats.ORIGINAL)

        data = self._call("download_activity", f"downloading activity {remote_id}", run)
        if not isinstance(data, bytes | bytearray):
            raise Unavailable(f"a {type(data).__name__} instead of a file")
        return unpack(bytes(data))


def garmin_source(config: Config) -> GarminSource:
    from progsync.sync.services.garmin.calls import garmin_pacer
    from progsync.sync.services.garmin.client import api_url, connect
    from progsync.sync.services.garmin.tokens import load_tokens

    tokens = load_tokens(config.member)
    pacer = garmin_pacer(config.garmin.timeout)
    return GarminSource(connect(tokens.tokens, api_url(config)), tokens, pacer)


def folder_activities(folder: Path) -> tuple[list[Activity], list[Issue]]:
    """Every activity in the FIT files under `folder` (recursively), and warnings for files
    that could not be read."""
    if not folder.is_dir():
        raise SourceError(
            f"activity folder '{folder}' does not exist",
            "give the folder that holds the .fit files, e.g. --from folder:/media/GARMIN/Activity",
        )
    out: list[Activity] = []
    warnings: list[Issue] = []
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".fit" and p.is_file()):
        try:
            activity = read_fit(path.read_bytes(), str(path))
        except ActivityError as exc:
            warnings.append(
                Issue(f"skipped: {exc.message}", Location(str(path)), exc.hint, severity="warning")
            )
            continue
        except OSError as exc:
            warnings.append(
                Issue(
                    f"skipped: cannot read {path}: {exc}", Location(str(path)), severity="warning"
                )
            )
            continue
        if activity is not None:
            out.append(activity)
    return out, warnings
