"""Odd 200 replies (HTML, empty, wrong shape) are clear errors naming the service, exit 5."""

from __future__ import annotations

from typing import Any

import pytest

from progsync.sync.services.replies import (
    garmin_workouts,
    intervals_deleted,
    intervals_event,
    intervals_events,
    intervals_saved,
)
from progsync.sync.settings.errors import OddReply


@pytest.mark.parametrize(
    ("data", "piece"),
    [
        (None, "Intervals.icu sent an empty reply while listing events"),
        ("<html><body>Bad gateway</body></html>", "Intervals.icu sent an HTML page while listing events, not JSON"),
        ({"events": []}, "sent a dict while listing events, where a list was expected"),
        ([{"start_date_local": "2026-11-24T00:00:00"}], "item 0.id: Field required"),
        ([{"id": 1}], "item 0.start_date_local: Field required"),
        ([{"id": 1, "start_date_local": "soon"}], "start_date_local = 'soon', not a date"),
    ],
)
def test_odd_intervals_replies(data: Any, piece: str) -> None:
    with pytest.raises(OddReply) as caught:
        intervals_events(data)
    assert piece in caught.value.message
    assert caught.value.exit_code == 5
    assert "try again later" in (caught.value.hint or "")


def test_good_replies_are_parsed_into_events() -> None:
    events = [{"id": 7, "start_date_local": "2026-11-24T07:00:00", "name": "Run", "tags": None}]
    [event] = intervals_events(events)
    assert (event.key, event.day.isoformat(), event.name, event.external_id) == ("7", "2026-11-24", "Run", None)
    assert event.fields() == {**events[0], "external_id": None}, "unread fields are kept for the fingerprint"
    [workout] = garmin_workouts([{"workoutId": 3, "workoutName": "x", "sportType": {}}])
    assert (workout.workoutId, workout.workoutName, workout.description) == (3, "x", None)


def test_odd_garmin_reply() -> None:
    with pytest.raises(OddReply) as caught:
        garmin_workouts([{"workoutName": "x"}])
    assert "Garmin Connect sent an unexpected item" in caught.value.message and "workoutId" in caught.value.message


WHAT = "saving events (POST /events/bulk)"


@pytest.mark.parametrize(
    ("data", "piece"),
    [
        ({"ok": True}, "sent a dict while saving events (POST /events/bulk), where a list was expected"),
        ([{"external_id": "progsync:a"}], "item 0.id: Field required"),
        ([{"id": 3, "start_date_local": "2026-11-24T00:00:00"}], "item 0 has external_id = None, not one of the events sent"),
        (["progsync:a"], "item 0: Input should be a valid dictionary"),
        ("<html>gateway</html>", "sent an HTML page while saving events"),
    ],
)
def test_odd_replies_to_a_save_name_the_request(data: Any, piece: str) -> None:
    with pytest.raises(OddReply) as caught:
        intervals_saved(data, ["progsync:a"], WHAT)
    assert piece in caught.value.message, caught.value.message
    assert caught.value.exit_code == 5


@pytest.mark.parametrize("data", [[], "ok", 3, {"id": None}, {"start_date_local": "2026-11-24"}])
def test_odd_replies_to_an_update(data: Any) -> None:
    with pytest.raises(OddReply, match="updating event 9"):
        intervals_event(data, "updating event 9 (PUT /events/9)")


def test_replies_to_a_delete() -> None:
    assert intervals_deleted({"eventsDeleted": 2}, "deleting") == 2
    assert intervals_deleted(None, "deleting") == 0
    for odd in ([1], {"eventsDeleted": "many"}, "<html>"):
        with pytest.raises(OddReply, match="deleting"):
            intervals_deleted(odd, "deleting")


def test_activity_listings_become_typed_items_and_odd_ones_are_clear_errors() -> None:
    from progsync.sync.services.replies import (
        garmin_activities,
        intervals_activities,
        intervals_races,
    )

    # A Strava stub as Intervals.icu lists it: only id, source, _note and the date (real-services.md).
    [stub] = intervals_activities([{"id": "i9", "source": "STRAVA", "_note": "STRAVA activities are not available via the API", "start_date_local": "2026-11-24T07:00:00"}])
    assert (stub.source, stub.type, stub.note) == ("STRAVA", None, "STRAVA activities are not available via the API")
    [run] = garmin_activities([{"activityId": 5, "startTimeLocal": "2026-11-24 07:00:00", "activityType": {"typeKey": "trail_running", "typeId": 6}}])
    assert run.activityType is not None and run.activityType.typeKey == "trail_running"
    [race] = intervals_races([{"id": 3, "start_date_local": "2027-03-14T00:00:00", "category": "RACE_A", "distance": 21097.5}])
    assert (race.category, race.distance) == ("RACE_A", 21097.5)
    with pytest.raises(OddReply) as caught:
        intervals_races("<html>maintenance</html>")
    assert "Intervals.icu sent an HTML page while listing race events" in caught.value.message
    with pytest.raises(OddReply) as caught:
        garmin_activities([{"startTimeLocal": "2026-11-24 07:00:00"}])
    assert "item 0.activityId: Field required" in caught.value.message
