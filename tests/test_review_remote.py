"""`progsync review --from intervals|garmin`: the real clients against fakes on 127.0.0.1.

The fakes hold the fixture activities of `tests/fixtures/activities/week` (the example week run
in known ways) and answer in the shapes of the real APIs; the review must come out exactly as
from the folder, with one listing and one download per activity, nothing downloaded again on a
second run, and nothing ever written to the service.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import WEEK_FIXTURE, run_cli
from .support import FIXTURES
from .support.fake_garmin import FakeGarmin
from .support.fake_http import Fault
from .support.fake_intervals import FakeIntervals

WEEK = sorted((FIXTURES / "activities" / "week").glob("*.fit"))
TODAY = {"PROGSYNC_TODAY": "2026-12-10"}
LISTING = "/api/v1/athlete/i12345/activities"
GARMIN_LISTING = "/activitylist-service/activities/search/activities"


def review(*args: str, code: int = 0) -> Any:
    result = run_cli("review", str(WEEK_FIXTURE), *args, "--json", env=TODAY)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    assert result.returncode == code, result.stderr
    return json.loads(result.stdout) if code == 0 else result


def comparable(doc: dict[str, Any]) -> list[Any]:
    """The per-session and per-step results, without where each activity came from."""
    out = []
    for item in doc["sessions"]:
        entry = {k: v for k, v in item.items() if k != "activity"}
        if item["activity"]:
            entry["activity"] = {k: v for k, v in item["activity"].items() if k != "source"}
        out.append(entry)
    return [out, doc["weeks"]]


@pytest.fixture
def intervals(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    server = FakeIntervals().start()
    for path in WEEK:
        server.add_activity(path.read_bytes(), name=path.stem)
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    yield server
    server.stop()


@pytest.fixture
def garmin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    server = FakeGarmin().start()
    for path in WEEK:
        server.add_activity(path.read_bytes(), name=path.stem)
    monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    yield server
    server.stop()


@pytest.fixture
def from_folder() -> list[Any]:
    return comparable(review("--from", f"folder:{FIXTURES / 'activities' / 'week'}"))


def test_intervals_review_matches_the_folder_and_costs_one_listing_and_one_download_each(
    intervals: FakeIntervals, from_folder: list[Any], isolated_user: Path
) -> None:
    doc = review("--from", "intervals")
    assert comparable(doc) == from_folder
    assert [s["status"] for s in doc["sessions"]].count("done") == 3
    assert len(intervals.requests("GET", LISTING)) == 1
    listing = intervals.requests("GET", LISTING)[0]
    assert listing[2]["oldest"] == ["2026-11-20"] and listing[2]["newest"] == ["2026-12-02"]
    downloads = intervals.requests("GET", "/fit-file")
    assert sorted(p for _, p, _, _ in downloads) == sorted(
        f"/api/v1/activity/{i}/fit-file" for i in intervals.activities
    )
    assert len(intervals.log) == 1 + len(WEEK)
    assert doc["fetched"] == {"listed": 6, "downloaded": 6, "cached": 0, "skipped": 0}
    cached = sorted(p.name for p in (isolated_user / "data" / "activities" / "intervals").iterdir())
    assert cached == sorted(f"{i}.fit" for i in intervals.activities), "no temporary files left"

    intervals.log.clear()
    again = review("--from", "intervals")
    assert comparable(again) == from_folder
    assert [(m, p) for m, p, _, _ in intervals.log] == [("GET", LISTING)], "listing only"
    assert again["fetched"]["downloaded"] == 0 and again["fetched"]["cached"] == 6
    assert intervals.writes() == [] and {m for m, *_ in intervals.log} == {"GET"}


def test_a_new_activity_is_the_only_download_of_a_second_review(intervals: FakeIntervals) -> None:
    review("--from", "intervals")
    real = FIXTURES / "activities" / "real-device" / "garmin-fenix2-run-2015-08-15.fit"
    intervals.add_activity(real.read_bytes())  # 2015: outside the window, listed nowhere
    (week_file,) = [p for p in WEEK if p.name.endswith("-ride.fit")]
    new = intervals.add_activity(week_file.read_bytes(), name="the same ride, uploaded twice")
    intervals.log.clear()
    doc = review("--from", "intervals")
    assert [p for _, p, _, _ in intervals.requests("GET", "/fit-file")] == [f"/api/v1/activity/{new}/fit-file"]
    assert doc["fetched"] == {"listed": 7, "downloaded": 1, "cached": 6, "skipped": 0}


def test_a_strava_stub_is_a_warning(intervals: FakeIntervals, from_folder: list[Any]) -> None:
    stub = intervals.add_strava_stub("2026-11-25")
    doc = review("--from", "intervals")
    assert comparable(doc) == from_folder
    (warning,) = [w for w in doc["warnings"] if stub in w["message"]]
    assert "Strava" in warning["message"] and warning["severity"] == "warning"
    assert not intervals.requests("GET", f"/activity/{stub}/"), "no download is tried for a stub"


def test_a_damaged_cached_file_is_downloaded_again(intervals: FakeIntervals, isolated_user: Path,
                                                    from_folder: list[Any]) -> None:
    review("--from", "intervals")
    victim = sorted((isolated_user / "data" / "activities" / "intervals").iterdir())[0]
    victim.write_bytes(b"garbage")
    intervals.log.clear()
    doc = review("--from", "intervals")
    assert comparable(doc) == from_folder
    assert [p for _, p, _, _ in intervals.requests("GET", "/fit-file")] == [f"/api/v1/activity/{victim.stem}/fit-file"]
    assert victim.read_bytes()[8:12] == b".FIT"


def test_a_file_the_service_cannot_give_is_a_warning(intervals: FakeIntervals) -> None:
    (first, *_) = intervals.activities
    intervals.faults.append(Fault("GET", f"/activity/{first}/fit-file", status=404))
    doc = review("--from", "intervals")
    assert any(first in w["message"] and "404" in w["message"] for w in doc["warnings"]), doc["warnings"]
    assert doc["fetched"]["downloaded"] == 5


@pytest.mark.parametrize(("status", "code", "words"), [
    (401, 3, "refused the credentials (HTTP 401)"),
    (403, 3, "refused the credentials (HTTP 403)"),
    (503, 5, "failed after 4 tries: HTTP 503"),
])
def test_service_errors_are_clear_errors(intervals: FakeIntervals, status: int, code: int, words: str) -> None:
    intervals.faults.append(Fault("GET", "/activities", status=status, times=10))
    result = review("--from", "intervals", code=code)
    assert words in result.stderr and "listing activities" in result.stderr


def test_a_wrong_key_is_an_auth_error(intervals: FakeIntervals, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", "not-the-key")
    result = review("--from", "intervals", code=3)
    assert "API_KEY" in result.stderr and "not-the-key" not in result.stderr


def test_an_odd_listing_is_a_clear_error(intervals: FakeIntervals) -> None:
    intervals.faults.append(Fault("GET", "/activities", reply={"activities": []}))
    result = review("--from", "intervals", code=5)
    assert "Intervals.icu sent a dict while listing activities" in result.stderr


def test_garmin_review_matches_the_folder(garmin: FakeGarmin, from_folder: list[Any], isolated_user: Path) -> None:
    doc = review("--from", "garmin")
    assert comparable(doc) == from_folder
    listings = garmin.requests("GET", GARMIN_LISTING)
    # garminconnect pages by 20 until a page comes back empty: 6 activities, two requests.
    assert [q["start"] for _, _, q, _ in listings] == [["0"], ["20"]]
    assert listings[0][2]["startDate"] == ["2026-11-20"] and listings[0][2]["endDate"] == ["2026-12-02"]
    assert len(garmin.requests("GET", "/download-service/files/activity/")) == len(WEEK)
    assert len(garmin.log) == 2 + len(WEEK)
    assert garmin.writes() == []
    cached = isolated_user / "data" / "activities" / "garmin"
    assert all(p.read_bytes()[8:12] == b".FIT" for p in cached.iterdir()), "the ZIP was unpacked"

    garmin.log.clear()
    again = review("--from", "garmin")
    assert comparable(again) == from_folder
    assert {p for _, p, _, _ in garmin.log} == {GARMIN_LISTING} and again["fetched"]["downloaded"] == 0


@pytest.mark.parametrize(("status", "code", "words"), [
    (403, 3, "Garmin Connect"),
    (500, 5, "failed after 4 tries"),
])
def test_garmin_errors_are_clear_errors(garmin: FakeGarmin, status: int, code: int, words: str) -> None:
    garmin.faults.append(Fault("GET", GARMIN_LISTING, status=status, times=10))
    result = review("--from", "garmin", code=code)
    assert words in result.stderr and "listing activities" in result.stderr


def test_garmin_tokens_rejected_is_an_auth_error(garmin: FakeGarmin) -> None:
    garmin.valid_tokens.clear()
    result = review("--from", "garmin", code=3)
    assert "login garmin" in result.stderr


def test_a_missing_garmin_file_is_a_warning(garmin: FakeGarmin) -> None:
    first = min(garmin.activity_store())
    garmin.faults.append(Fault("GET", f"/download-service/files/activity/{first}", status=404))
    doc = review("--from", "garmin")
    assert any(str(first) in w["message"] for w in doc["warnings"]), doc["warnings"]


def test_an_unknown_source_names_the_choices() -> None:
    result = review("--from", "strava", code=2)
    assert "--from intervals" in result.stderr and "--from garmin" in result.stderr


# -- check --history-from -------------------------------------------------------------------------
SMALL_WEEK = """
[plan]
name = "Base block"
start = 2026-11-23

[[session]]
day = "mon"
steps = ["40min"]
"""


def next_week(tmp_path: Path) -> Path:
    """The example week again, one week later: its load depends on the week before."""
    text = (WEEK_FIXTURE).read_text().replace("start = 2026-11-23 ", "start = 2026-11-30 ")
    assert "start = 2026-11-30" in text
    path = tmp_path / "next.toml"
    path.write_text(text)
    return path


def load_warnings(*args: str) -> list[dict[str, Any]]:
    result = run_cli("check", *args, "--json")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return [w for w in json.loads(result.stdout)["warnings"] if w["code"] == "weekly-load"]


def test_a_plan_that_passes_on_plan_history_fails_on_a_much_lower_actual_week(tmp_path: Path) -> None:
    plan = next_week(tmp_path)
    assert load_warnings(str(plan), "--history", str(WEEK_FIXTURE)) == []
    low = tmp_path / "low"
    low.mkdir()
    (low / "easy.fit").write_bytes((FIXTURES / "activities" / "week" / "2026-11-23-easy-by-feel.fit").read_bytes())
    (warning,) = load_warnings(str(plan), "--history-from", f"folder:{low}")
    assert "more than the week before (1:00:00" in warning["message"]
    assert f"the weeks before are actual activities from folder:{low}" in warning["message"]


def test_and_one_that_fails_on_plan_history_passes_on_what_was_run(tmp_path: Path) -> None:
    plan = next_week(tmp_path)
    small = tmp_path / "small.toml"
    small.write_text(SMALL_WEEK)
    (warning,) = load_warnings(str(plan), "--history", str(small))
    assert "actual" not in warning["message"]
    assert load_warnings(str(plan), "--history-from", f"folder:{FIXTURES / 'activities' / 'week'}") == []


def test_history_from_intervals_fetches_the_six_weeks_before(intervals: FakeIntervals, tmp_path: Path) -> None:
    plan = next_week(tmp_path)
    assert load_warnings(str(plan), "--history-from", "intervals") == []
    (listing,) = intervals.requests("GET", LISTING)
    assert listing[2]["oldest"] == ["2026-10-19"] and listing[2]["newest"] == ["2026-11-29"]
    assert len(intervals.requests("GET", "/fit-file")) == len(WEEK)
    intervals.log.clear()
    assert load_warnings(str(plan), "--history-from", "intervals") == []
    assert [p for _, p, _, _ in intervals.log] == [LISTING], "the cache serves the second check"


def test_history_and_history_from_do_not_combine(tmp_path: Path) -> None:
    result = run_cli("check", str(next_week(tmp_path)), "--history", str(WEEK_FIXTURE),
                     "--history-from", "folder:.")
    assert result.returncode == 2 and "cannot be combined" in result.stderr


# -- coach mode -----------------------------------------------------------------------------------
SQUAD = """
[intervals]
athlete_id = "i100"

[athletes.anna]
paces = { easy = "5:10-5:30", marathon = "4:15", 5k = "3:40" }
intervals = "i201"

[athletes.ben]
paces = { easy = "6:00", marathon = "4:50", 5k = "4:10" }
intervals = "i202"
"""


def test_coach_mode_reviews_each_athlete_from_their_own_calendar(
    isolated_user: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = FakeIntervals(athlete_id="i100", coached=("i201", "i202")).start()
    try:
        for path in WEEK:
            server.add_activity(path.read_bytes(), athlete="i201")
        monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
        monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
        (isolated_user / "config.toml").write_text(SQUAD)
        doc = review("--from", "intervals", "--athlete", "anna", "--athlete", "ben")
        anna, ben = doc["athletes"]
        assert (anna["athlete"], ben["athlete"]) == ("anna", "ben")
        assert [s["status"] for s in anna["sessions"]].count("missed") == 1
        assert {s["status"] for s in ben["sessions"]} == {"missed"}, "ben ran nothing"
        assert [p for _, p, _, _ in server.requests("GET", "/activities")] == [
            "/api/v1/athlete/i201/activities", "/api/v1/athlete/i202/activities"]
        assert len(server.requests("GET", "/fit-file")) == len(WEEK)
        (isolated_user / "config.toml").write_text(SQUAD.replace('"i202"', '"i999"'))
        result = review("--from", "intervals", "--athlete", "ben", code=3)
        assert "HTTP 403" in result.stdout, "named in the JSON document, under ben"
    finally:
        server.stop()


def test_a_download_that_is_not_a_fit_file_is_a_warning_and_not_cached(intervals: FakeIntervals,
                                                                       isolated_user: Path) -> None:
    (first, *_) = intervals.activities
    intervals.faults.append(Fault("GET", f"/activity/{first}/fit-file", reply={"status": "ok"}))
    doc = review("--from", "intervals")
    assert any(first in w["message"] and "not a FIT file" in w["message"] for w in doc["warnings"])
    assert not (isolated_user / "data" / "activities" / "intervals" / f"{first}.fit").exists()
    intervals.log.clear()
    review("--from", "intervals")
    assert [p for _, p, _, _ in intervals.requests("GET", "/fit-file")] == [f"/api/v1/activity/{first}/fit-file"]


def test_an_odd_garmin_listing_is_a_clear_error(garmin: FakeGarmin) -> None:
    garmin.faults.append(Fault("GET", GARMIN_LISTING, reply={"message": "maintenance"}))
    result = review("--from", "garmin", code=5)
    assert "Garmin Connect sent an unexpected item while listing activities" in result.stderr


def test_the_text_review_says_what_it_downloaded(intervals: FakeIntervals) -> None:
    first = run_cli("review", str(WEEK_FIXTURE), "--from", "intervals", env={**TODAY, "COLUMNS": "160"})
    assert first.returncode == 0, first.stderr
    assert "✓ a progression run" in first.stdout
    assert "6 activities listed, 6 downloaded, 0 from the cache" in first.stderr
    again = run_cli("review", str(WEEK_FIXTURE), "--from", "intervals", env=TODAY)
    assert "6 activities listed, 0 downloaded, 6 from the cache" in again.stderr


# -- the pieces ---------------------------------------------------------------------------------
def test_unpack_takes_the_fit_file_out_of_a_zip_or_gzip_and_refuses_the_rest() -> None:
    import gzip
    import io
    import zipfile

    from progsync.sync.services.activities import Unavailable, unpack

    fit = WEEK[0].read_bytes()
    assert unpack(fit) == fit
    assert unpack(gzip.compress(fit)) == fit
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "x")
        zf.writestr("123_ACTIVITY.fit", fit)
    assert unpack(archive.getvalue()) == fit
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as zf:
        zf.writestr("123.tcx", "<xml/>")
    for data, words in [(empty.getvalue(), "holds no .fit file"), (b"PK\x03\x04broken", "damaged ZIP"),
                        (b"\x1f\x8bbroken", "damaged gzip"), (b"", "empty reply"), (b"<html>", "not a FIT file")]:
        with pytest.raises(Unavailable, match=words):
            unpack(data)
    # A deflate stream damaged inside a well-formed ZIP or gzip (zlib.error, not an OSError).
    deflated = io.BytesIO()
    with zipfile.ZipFile(deflated, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("1.fit", fit * 4)
    raw = bytearray(deflated.getvalue())
    raw[60:90] = bytes(255 - b for b in raw[60:90])
    packed = bytearray(gzip.compress(fit * 4))
    packed[30:60] = bytes(255 - b for b in packed[30:60])
    for data, words in [(bytes(raw), "ZIP"), (bytes(packed), "damaged gzip")]:
        with pytest.raises(Unavailable, match=words):
            unpack(data)


def test_the_cache_writes_whole_files_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from progsync.sync.services.activities import FileCache

    cache = FileCache(tmp_path / "c")
    assert cache.read("i1") is None
    assert cache.write("i1", b"one") is None and cache.read("i1") == b"one"
    assert cache.path("../evil/1").parent == tmp_path / "c", "ids never leave the cache folder"

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    problem = cache.write("i1", b"two")
    assert problem is not None and "No space left on device" in problem
    assert cache.read("i1") == b"one", "the old file stays whole"
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["i1.fit"], "no temporary file left"


def test_a_manual_entry_is_not_downloaded(intervals: FakeIntervals) -> None:
    with intervals.lock:
        intervals.activities["i9"] = {"id": "i9", "icu_athlete_id": "i12345", "source": "MANUAL",
                                      "type": "Run", "start_date_local": "2026-11-26T19:00:00", "moving_time": 1800}
    doc = review("--from", "intervals")
    assert any("i9" in w["message"] and "by hand" in w["message"] for w in doc["warnings"])
    assert not intervals.requests("GET", "/activity/i9/")
