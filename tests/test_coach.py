"""Coach mode: one plan, a squad, each athlete on their own paces and their own calendar.

Against the fake Intervals.icu with several athlete ids: the coach's key reaches the athletes
they coach, and an id it may not reach answers 403, as the live service does (maintainer,
forum.intervals.icu thread 609: a key may write events for "yourself or someone you are
coaching").
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.services.http import VirtualClock

from .conftest import run_cli
from .support.fake_intervals import FakeIntervals
from .support.plans import BLOCK, SQUAD


@pytest.fixture
def squad(coach_intervals: FakeIntervals, isolated_user: Path) -> FakeIntervals:
    (isolated_user / "config.toml").write_text(SQUAD)
    return coach_intervals


def write(tmp_path: Path, text: str = BLOCK) -> Path:
    path = tmp_path / "block.toml"
    path.write_text(text)
    return path


def push(*args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("push", *args, "--json")
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {}


def tempo_text(server: FakeIntervals, athlete: str) -> str:
    events = {e["external_id"]: e for e in server.calendar(athlete).values()}
    return str(events[f"progsync:{athlete_name(athlete)}@squad-block/tempo"]["description"])


def athlete_name(athlete_id: str) -> str:
    return {"i201": "anna", "i202": "ben"}[athlete_id]


def test_each_athlete_gets_the_plan_at_their_own_paces_on_their_own_calendar(squad: FakeIntervals, tmp_path: Path) -> None:
    own = squad.add_foreign(day="2026-11-24", name="Coach's own run")
    code, doc = push(str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert code == 0, doc
    assert [d["label"] for d in doc["destinations"]] == ["anna: Intervals.icu (i201)", "ben: Intervals.icu (i202)"]
    assert all(d["counts"]["create"] == 3 for d in doc["destinations"])
    assert "20m 4:00-3:50/km Pace" in tempo_text(squad, "i201"), tempo_text(squad, "i201")
    assert "20m 4:55-4:45/km Pace" in tempo_text(squad, "i202"), tempo_text(squad, "i202")
    assert list(squad.calendar("i100")) == [own], "the coach's own calendar is untouched"
    assert len(squad.writes()) == 2, "one bulk write per athlete"

    squad.log.clear()
    code, doc = push(str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert code == 0 and squad.writes() == []
    assert len(squad.log) == 2, "one listing per athlete, nothing else"


def test_removing_a_session_removes_it_for_every_athlete_and_nothing_else(squad: FakeIntervals, tmp_path: Path) -> None:
    push(str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    hers = squad.calendar("i201")
    squad.next_id += 1
    hers[squad.next_id] = {"id": squad.next_id, "category": "WORKOUT", "type": "Run", "name": "Anna's club run",
                           "start_date_local": "2026-11-26T18:00:00", "description": "- 40m Z2 HR", "external_id": None}
    code, doc = push(str(write(tmp_path, BLOCK.replace('[[session]]\nday = "thu"\nsteps = ["45min @easy"]\n', ""))),
                     "--to", "intervals", "--athlete", "all")
    assert code == 0, doc
    assert [d["counts"]["delete"] for d in doc["destinations"]] == [1, 1]
    assert sorted(e["name"] for e in squad.calendar("i201").values()) == ["Anna's club run", "Long progression", "Tempo"]
    assert len(squad.calendar("i202")) == 2


def test_an_athlete_the_key_cannot_reach_fails_alone(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    (isolated_user / "config.toml").write_text(SQUAD + '\n[athletes.cara]\npaces = { easy = "5:30", marathon = "4:20" }\nintervals = "i999"\n')
    code, doc = push(str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert code == 3, "an authorisation failure, for cara only"
    assert [d["label"] for d in doc["destinations"]] == ["anna: Intervals.icu (i201)", "ben: Intervals.icu (i202)"]
    assert [(e["destination"], e["exit_code"]) for e in doc["errors"]] == [("cara: intervals", 3)]
    assert "HTTP 403" in doc["errors"][0]["message"]
    assert len(squad.calendar("i201")) == 3 and "i999" not in squad.calendars


def test_one_athlete_at_a_time_touches_only_that_athlete(squad: FakeIntervals, tmp_path: Path) -> None:
    push(str(write(tmp_path)), "--to", "intervals", "--athlete", "anna")
    assert len(squad.calendar("i201")) == 3 and not squad.calendar("i202")
    code, _ = push(str(write(tmp_path, BLOCK.replace('day = "sun"', 'day = "sat"'))), "--to", "intervals", "--athlete", "ben")
    assert code == 0 and len(squad.calendar("i202")) == 3
    assert {e["start_date_local"][:10] for e in squad.calendar("i201").values()} >= {"2026-11-29"}, "anna unchanged"


def test_check_runs_on_each_athletes_profile(squad: FakeIntervals, tmp_path: Path) -> None:
    result = run_cli("check", str(write(tmp_path)), "--athlete", "all", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert [a["athlete"] for a in doc["athletes"]] == ["anna", "ben"]
    text = run_cli("check", str(write(tmp_path)), "--athlete", "ben")
    assert text.returncode == 0 and text.stdout.startswith("ben:")


def test_an_unknown_athlete_is_a_clear_error(squad: FakeIntervals, tmp_path: Path) -> None:
    result = run_cli("push", str(write(tmp_path)), "--to", "intervals", "--athlete", "anne")
    assert result.returncode == 2
    assert "no athlete 'anne' in the roster" in result.stderr and "anna" in result.stderr
    assert "Traceback" not in result.stderr and squad.writes() == []


def test_a_roster_entry_without_a_destination_is_reported_with_the_config_file(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    (isolated_user / "config.toml").write_text(SQUAD + '\n[athletes.Dan]\npaces = { easy = "5:30" }\n')
    result = run_cli("push", str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert result.returncode == 2
    assert "config.toml" in result.stderr and "athlete name 'Dan'" in result.stderr
    assert "says nowhere to send the workouts" in result.stderr


def test_garmin_tokens_are_kept_per_athlete(monkeypatch: pytest.MonkeyPatch) -> None:
    from progsync.sync.services.garmin import load_tokens
    from progsync.sync.settings.errors import AuthError

    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS_ANNA", '{"di_token": "anna-token-123456"}')
    assert "anna-token" in load_tokens("anna").tokens
    with pytest.raises(AuthError) as caught:
        load_tokens("ben")
    assert "progsync login garmin --athlete ben" in (caught.value.hint or "")
    assert "PROGSYNC_GARMIN_TOKENS_BEN" in (caught.value.hint or "")


def test_an_athlete_whose_profile_cannot_compile_the_plan_fails_alone(squad: FakeIntervals, isolated_user: Path, tmp_path: Path) -> None:
    (isolated_user / "config.toml").write_text(SQUAD + '\n[athletes.cara]\npaces = { easy = "5:30" }\nintervals = "i201"\n')
    result = run_cli("push", str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert result.returncode == 2
    assert "cara:" in result.stderr and "marathon" in result.stderr and "Traceback" not in result.stderr
    assert len(squad.calendar("i201")) == 3 and len(squad.calendar("i202")) == 3


# -- the squad on every command ------------------------------------------------------------------
def test_a_plan_names_its_squad_and_push_uses_it(squad: FakeIntervals, tmp_path: Path) -> None:
    plan = write(tmp_path, BLOCK.replace('start = 2026-11-23', 'start = 2026-11-23\nathletes = ["ben"]'))
    code, doc = push(str(plan), "--to", "intervals")
    assert code == 0, doc
    assert len(squad.calendar("i202")) == 3 and squad.calendar("i201") == {}
    assert len(squad.calendar("i100")) == 0, "the coach's own calendar is untouched"
    checked = run_cli("check", str(plan), "--json")
    assert [a["athlete"] for a in json.loads(checked.stdout)["athletes"]] == ["ben"]


def test_a_bad_squad_key_is_a_located_error(squad: FakeIntervals, tmp_path: Path) -> None:
    plan = write(tmp_path, BLOCK.replace('start = 2026-11-23', 'start = 2026-11-23\nathletes = "anna, ben"'))
    result = run_cli("check", str(plan))
    assert result.returncode == 2
    assert "block.toml:5" in result.stderr and "not a list of athlete names" in result.stderr


def test_show_and_export_per_athlete(squad: FakeIntervals, tmp_path: Path) -> None:
    plan = write(tmp_path)
    shown = run_cli("show", str(plan), "--athlete", "all", "--watch", "--session", "Tempo")
    assert shown.returncode == 0, shown.stderr
    anna, ben = shown.stdout.split("== ben ==")
    assert "== anna ==" in anna and "20:00  4:00-3:50 /km" in anna
    assert "20:00  4:55-4:45 /km" in ben
    out = tmp_path / "out"
    exported = run_cli("export", str(plan), "--athlete", "all", "--format", "fit", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.parent.name for p in out.rglob("*.fit")) == ["anna"] * 3 + ["ben"] * 3
    ics = run_cli("export", str(plan), "--athlete", "ben", "--format", "ics", "-o", str(tmp_path / "squad.ics"))
    assert ics.returncode == 0, ics.stderr
    assert "ben@squad-block/tempo" in (tmp_path / "squad-ben.ics").read_text()


def test_clear_for_one_athlete_leaves_the_others(squad: FakeIntervals, tmp_path: Path) -> None:
    push(str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    result = run_cli("clear", "--to", "intervals", "--athlete", "anna", "--yes")
    assert result.returncode == 0, result.stderr
    assert squad.calendar("i201") == {} and len(squad.calendar("i202")) == 3


def test_cron_line_carries_the_squad(squad: FakeIntervals, tmp_path: Path) -> None:
    result = run_cli("cron", str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert result.returncode == 0, result.stderr
    assert "--to intervals --athlete all" in result.stdout
    unknown = run_cli("cron", str(write(tmp_path)), "--athlete", "anne")
    assert unknown.returncode == 2 and "no athlete 'anne'" in unknown.stderr


def test_requests_are_paced_across_the_whole_squad(squad: FakeIntervals, isolated_user: Path, tmp_path: Path, virtual_clock: VirtualClock, monkeypatch: pytest.MonkeyPatch) -> None:
    # Intervals.icu allows about 10 requests per second per IP, not per athlete (forum thread
    # 609): the next athlete's first request waits for the last athlete's like any other. At
    # 1 request a second (on the virtual clock, so free) the pacing stands out of the requests'
    # own real latency, which jitters the arrivals.
    config = isolated_user / "config.toml"
    config.write_text(SQUAD.replace('athlete_id = "i100"\n', 'athlete_id = "i100"\nrate_limit = 1\n'))
    arrivals: list[float] = []
    check = squad.check_auth

    def stamped(headers: Any, path: str) -> tuple[int, Any] | None:
        arrivals.append(virtual_clock.monotonic())
        return check(headers, path)

    monkeypatch.setattr(squad, "check_auth", stamped)
    code, _ = push(str(write(tmp_path)), "--to", "intervals", "--athlete", "all")
    assert code == 0 and len(arrivals) == 4, "a listing and a bulk write for each of two athletes"
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert min(gaps) >= 0.75, f"a second apart, across athletes too: {gaps}"


def test_adoption_in_coach_mode_takes_over_each_athletes_own_event_and_nothing_of_the_coachs(squad: FakeIntervals, tmp_path: Path) -> None:
    """`[plan] athletes` or `--athlete`: each athlete's push adopts on that athlete's calendar,
    under their own lock and rails; the coach's calendar is never read or written."""
    coach_own = squad.add_foreign(day="2026-11-24", name="Tempo")
    hers = squad.calendar("i201")
    squad.next_id += 1
    hers[squad.next_id] = {"id": squad.next_id, "category": "WORKOUT", "type": "Run", "name": "Tempo",
                           "start_date_local": "2026-11-24T00:00:00", "description": "- 30m Z2 HR", "external_id": None}
    anna_tempo = squad.next_id
    plan = write(tmp_path, BLOCK.replace("start = 2026-11-23", 'start = 2026-11-23\nathletes = ["anna", "ben"]'))
    code, doc = push(str(plan), "--to", "intervals", "--adopt-foreign")
    assert code == 0, doc
    assert [d["counts"]["adopt"] for d in doc["destinations"]] == [1, 0]
    assert hers[anna_tempo]["external_id"] == "progsync:anna@squad-block/tempo"
    assert len(hers) == 3, "her Tempo taken over, not doubled"
    assert squad.calendar("i100")[coach_own]["external_id"] is None, "the coach's own event untouched"
