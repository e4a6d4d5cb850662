"""`progsync import --from intervals` and `push --adopt-foreign` against the fake Intervals.icu
(real sockets, the real `requests` client)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import run_cli
from .support.fake_intervals import FakeIntervals

MARKER = "progsync:"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    server = FakeIntervals().start()
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")
    yield server
    server.stop()
    assert server.validation_errors == [], "every request body matches the OpenAPI schemas"


def _calendar(fake: FakeIntervals) -> None:
    fake.add_foreign("2026-11-24", "Coach's tempo")
    fake.add_foreign("2026-11-26", "Easy run")
    fake.add_foreign("2026-12-10", "Outside the range")


def _import(tmp_path: Path) -> Path:
    out = tmp_path / "plan.toml"
    result = run_cli("import", "--from", "intervals", "--from-date", "2026-11-23",
                     "--until", "2026-11-29", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "2 sessions" in result.stdout
    return out


def test_calendar_import_writes_the_events_as_dated_sessions(fake: FakeIntervals, tmp_path: Path) -> None:
    _calendar(fake)
    text = _import(tmp_path).read_text()
    assert "date = 2026-11-24" in text and "date = 2026-11-26" in text
    assert 'name = "Coach\'s tempo"' in text
    assert '"30min @z2"' in text  # the fake's "- 30m Z2 HR"
    assert "Outside the range" not in text
    check = run_cli("check", str(tmp_path / "plan.toml"))
    assert check.returncode == 0, check.stdout + check.stderr


def test_push_with_adoption_makes_no_new_workouts(fake: FakeIntervals, tmp_path: Path) -> None:
    _calendar(fake)
    plan = _import(tmp_path)
    before = set(fake.events)
    pushed = run_cli("push", str(plan), "--to", "intervals", "--adopt-foreign")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert "adopted Intervals.icu event" in pushed.stderr
    assert set(fake.events) == before, "no new event: the two were taken over"
    adopted = [e for e in fake.events.values() if (e.get("external_id") or "").startswith(MARKER)]
    assert sorted(e["start_date_local"][:10] for e in adopted) == ["2026-11-24", "2026-11-26"]
    # a second push changes nothing
    fake.log.clear()
    again = run_cli("push", str(plan), "--to", "intervals", "--adopt-foreign")
    assert again.returncode == 0
    assert fake.writes() == []


def test_push_without_adoption_duplicates(fake: FakeIntervals, tmp_path: Path) -> None:
    """The control: without --adopt-foreign the imported sessions are created beside the
    events they came from."""
    _calendar(fake)
    plan = _import(tmp_path)
    pushed = run_cli("push", str(plan), "--to", "intervals")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    assert len(fake.events) == 5

