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
    assert "takes over Intervals.icu event" in pushed.stderr
    assert "2 adopt" in pushed.stdout + pushed.stderr
    assert set(fake.events) == before, "no new event: the two were taken over"
    assert [m for m, _, _, _ in fake.writes()] == ["PUT", "PUT"], "one PUT each, in place"
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



def test_a_dry_run_shows_the_adoptions_and_writes_nothing(fake: FakeIntervals, tmp_path: Path) -> None:
    _calendar(fake)
    plan = _import(tmp_path)
    fake.log.clear()
    shown = run_cli("plan", str(plan), "--to", "intervals", "--adopt-foreign")
    assert shown.returncode == 0, shown.stderr
    assert "Intervals.icu (i12345): 2 adopt" in shown.stdout
    assert " ".join(shown.stdout.split()).count("takes over Intervals.icu event") == 2
    assert fake.writes() == []


def test_adoption_stays_within_the_window_and_after_the_rails(fake: FakeIntervals, tmp_path: Path) -> None:
    _calendar(fake)
    plan = _import(tmp_path)
    pushed = run_cli("push", str(plan), "--to", "intervals", "--adopt-foreign", "--window", "3d")
    assert pushed.returncode == 0, pushed.stderr
    adopted = sorted(e["start_date_local"][:10] for e in fake.events.values() if (e.get("external_id") or "").startswith(MARKER))
    assert adopted == ["2026-11-24"], "the 26th is beyond today + 3 days: neither pushed nor adopted"
    # A push --strict refuses while a warning stands adopts nothing either: it is refused first.
    for event in fake.events.values():
        event.pop("external_id", None)
    with plan.open("a") as f:
        f.write('\n[[session]]\ndate = 2026-11-28\nname = "Very long"\nsteps = ["400min"]\n')
    fake.log.clear()
    strict = run_cli("push", str(plan), "--to", "intervals", "--adopt-foreign", "--strict")
    assert strict.returncode == 2 and "lasts about 7 hours" in strict.stderr, strict.stderr
    assert fake.writes() == [], "a refused push adopts nothing"


def test_an_event_deleted_after_the_listing_is_created_instead(fake: FakeIntervals, tmp_path: Path) -> None:
    from .support.fake_http import Fault

    _calendar(fake)
    plan = _import(tmp_path)
    [tempo_id] = [k for k, e in fake.events.items() if e["name"] == "Coach's tempo"]
    # Deleted by hand between the listing and the PUT: the live service answers 404 (real-services.md).
    fake.faults.append(Fault("PUT", f"/events/{tempo_id}", status=404))
    pushed = run_cli("push", str(plan), "--to", "intervals", "--adopt-foreign")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    ours = sorted(e["start_date_local"][:10] for e in fake.events.values() if (e.get("external_id") or "").startswith(MARKER))
    assert ours == ["2026-11-24", "2026-11-26"], "the session still reaches the calendar"
