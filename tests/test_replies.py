"""Odd 200 replies (HTML, empty, wrong shape) are clear errors naming the service, exit 5."""

from __future__ import annotations

from typing import Any

import pytest

from progsync.sync.replies import OddReply, garmin_workouts, intervals_events


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


def test_good_replies_pass_through() -> None:
    events = [{"id": 7, "start_date_local": "2026-11-24T07:00:00", "name": "Run"}]
    assert intervals_events(events) == events
    assert garmin_workouts([{"workoutId": 3, "workoutName": "x"}]) == [{"workoutId": 3, "workoutName": "x"}]


def test_odd_garmin_reply() -> None:
    with pytest.raises(OddReply) as caught:
        garmin_workouts([{"workoutName": "x"}])
    assert "Garmin Connect sent an unexpected item" in caught.value.message and "workoutId" in caught.value.message
