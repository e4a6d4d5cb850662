"""The calendar feed: `export --format ics` and the `ics:PATH` destination, read back by icalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Component, Event

from progsync.sync.app.loading import load_plans
from progsync.sync.settings.config import Config
from progsync.workouts.describe import calendar_description, describe_steps
from progsync.workouts.ics import (
    EventContent,
    content_of,
    event_content,
    new_calendar,
    parse_calendar,
    progsync_events,
    render,
    to_event,
)

from .conftest import compile_text, run_cli
from .support import EXAMPLES

WEEK_TEXT = (EXAMPLES / "week.toml").read_text()
FOREIGN = (
    "BEGIN:VEVENT\r\n"
    "UID:dentist-42@example.org\r\n"
    "DTSTAMP:20261101T080000Z\r\n"
    "DTSTART:20261124T090000Z\r\n"
    "DTEND:20261124T100000Z\r\n"
    "SUMMARY:Dentist\\, bring card\r\n"
    "X-SOMEONE-ELSE;FOO=bar:keep me\r\n"
    "END:VEVENT\r\n"
)


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROGSYNC_TODAY", "2026-11-22")


def week_identities() -> list[str]:
    return [s.identity for s in load_plans([str(EXAMPLES / "week.toml")], Config()).sessions]


def events(path: Path) -> dict[str, Event]:
    calendar = Calendar.from_ical(path.read_bytes())
    found = calendar.events
    by_uid = {str(e["UID"]): e for e in found}
    assert len(by_uid) == len(found), "one event per UID"
    return by_uid


def sequence(event: Component) -> int:
    """The SEQUENCE an event was written with (it must have one)."""
    value = event["SEQUENCE"]
    assert isinstance(value, int), value
    return value


def push(plan: Path, ics: Path) -> tuple[int, str, str]:
    result = run_cli("push", str(plan), "--to", f"ics:{ics}")
    return result.returncode, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "week.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# --- export ------------------------------------------------------------------------------------


def test_export_is_one_calendar_with_one_all_day_event_per_session(tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    result = run_cli("export", str(EXAMPLES / "week.toml"), "--format", "ics", "-o", str(out))
    assert result.returncode == 0, result.stderr
    calendar = Calendar.from_ical(out.read_bytes())
    assert calendar["PRODID"] and str(calendar["VERSION"]) == "2.0"
    found = events(out)
    assert sorted(found) == sorted(f"{i}@progsync" for i in week_identities())
    assert len(found) == 6
    for event in found.values():
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)
        assert "VALUE=DATE" in event.to_ical().decode().replace("\r\n ", "")
        assert sequence(event) == 0 and event.decoded("DTSTAMP").tzinfo is not None
    tuesday = found["base-block/tue-progression@progsync"]
    assert str(tuesday["SUMMARY"]) == "Run2PB progression"
    assert tuesday.decoded("DTSTART") == dt.date(2026, 11, 24)
    description = str(tuesday["DESCRIPTION"])
    assert description.startswith(
        "Warm-up 15 min easy 5:10–5:30/km, then 10 min at 4:30/km, then 10 min at 4:20/km"
    )
    assert "Start relaxed; each block a little quicker." in description
    assert "About 1:05:00 · 14.1 km" in description


def test_export_of_a_timed_session_lasts_its_estimated_time(tmp_path: Path) -> None:
    plan = write(
        tmp_path,
        '[plan]\nname = "Mornings"\nstart = 2026-11-23\n'
        '[athlete]\npaces = { easy = "5:10-5:30" }\n'
        '[[session]]\nday = "tue"\ntime = "07:30"\nname = "Before work"\nsteps = ["50min @easy"]\n'
        '[[session]]\nday = "thu"\nname = "Whenever"\nsteps = ["30min @easy"]\n',
    )
    result = run_cli("export", str(plan), "--format", "ics", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    found = events(tmp_path / "mornings.ics")  # -o a folder: <plan>.ics in it
    timed = next(e for e in found.values() if str(e["SUMMARY"]) == "Before work")
    assert timed.decoded("DTSTART") == dt.datetime(2026, 11, 24, 7, 30)
    assert timed.decoded("DTSTART").tzinfo is None  # floating: 07:30 wherever the runner is
    assert timed.decoded("DTEND") == dt.datetime(2026, 11, 24, 8, 20)
    whenever = next(e for e in found.values() if str(e["SUMMARY"]) == "Whenever")
    assert whenever.decoded("DTSTART") == dt.date(2026, 11, 26)


def test_export_again_keeps_unchanged_events_and_raises_the_sequence_of_changed_ones(
    tmp_path: Path,
) -> None:
    plan = write(tmp_path, WEEK_TEXT)
    out = tmp_path / "plan.ics"
    assert run_cli("export", str(plan), "--format", "ics", "-o", str(out)).returncode == 0
    first = out.read_bytes()
    assert run_cli("export", str(plan), "--format", "ics", "-o", str(out)).returncode == 0
    assert out.read_bytes() == first, "an unchanged plan exports the same bytes"
    write(tmp_path, WEEK_TEXT.replace('"10min @4:00",', '"10min @3:55",'))
    assert run_cli("export", str(plan), "--format", "ics", "-o", str(out)).returncode == 0
    sequences = {uid: sequence(e) for uid, e in events(out).items()}
    assert sequences.pop("base-block/tue-progression@progsync") == 1
    assert set(sequences.values()) == {0}


def test_export_never_overwrites_a_file_that_is_not_a_calendar(tmp_path: Path) -> None:
    out = tmp_path / "notes.ics"
    out.write_text("my notes\nnot a calendar\n")
    result = run_cli("export", str(EXAMPLES / "week.toml"), "--format", "ics", "-o", str(out))
    assert result.returncode == 5
    assert f"{out}:1: not a calendar file" in result.stderr and "Traceback" not in result.stderr
    assert out.read_text() == "my notes\nnot a calendar\n"


def test_export_never_drops_events_that_are_not_this_plans(tmp_path: Path) -> None:
    out = tmp_path / "family.ics"
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//me//EN\r\n" + FOREIGN + "END:VCALENDAR\r\n"
    out.write_bytes(text.encode())
    result = run_cli("export", str(EXAMPLES / "week.toml"), "--format", "ics", "-o", str(out))
    assert result.returncode == 2
    assert "1 event(s) that are not this plan's" in result.stderr and f"--to ics:{out}" in result.stderr
    assert out.read_bytes() == text.encode()


# --- the ics:PATH destination ------------------------------------------------------------------


def test_push_twice_changes_nothing_the_second_time(tmp_path: Path) -> None:
    plan = write(tmp_path, WEEK_TEXT)
    ics = tmp_path / "cal" / "plan.ics"
    ics.parent.mkdir()
    code, out, err = push(plan, ics)
    assert code == 0, err
    assert "6 create" in out
    first = ics.read_bytes()
    assert sorted(events(ics)) == sorted(f"{i}@progsync" for i in week_identities())
    code, out, err = push(plan, ics)
    assert code == 0, err
    assert "6 unchanged" in out
    assert ics.read_bytes() == first
    assert not list(ics.parent.glob(".*.tmp")), "no temporary file left behind"


def test_an_edit_keeps_every_uid_and_raises_only_that_events_sequence(tmp_path: Path) -> None:
    plan = write(tmp_path, WEEK_TEXT)
    ics = tmp_path / "plan.ics"
    assert push(plan, ics)[0] == 0
    before = events(ics)
    write(tmp_path, WEEK_TEXT.replace('"10min @4:00",', '"10min @3:55",'))
    code, out, err = push(plan, ics)
    assert code == 0, err
    assert "1 update" in out and "5 unchanged" in out
    after = events(ics)
    assert sorted(after) == sorted(before)
    changed = "base-block/tue-progression@progsync"
    assert sequence(after[changed]) == 1
    assert "10 min at 3:55/km" in str(after[changed]["DESCRIPTION"])
    for uid in set(before) - {changed}:
        assert after[uid].to_ical() == before[uid].to_ical(), uid  # SEQUENCE and DTSTAMP kept
    write(tmp_path, WEEK_TEXT.replace('"10min @4:00",', '"10min @3:50",'))
    assert push(plan, ics)[0] == 0
    assert sequence(events(ics)[changed]) == 2, "read back from the file and raised again"


def test_a_moved_session_keeps_its_uid_on_its_new_date(tmp_path: Path) -> None:
    plan = write(tmp_path, WEEK_TEXT)
    ics = tmp_path / "plan.ics"
    assert push(plan, ics)[0] == 0
    moved = WEEK_TEXT.replace('day = "tue"\nname = "Run2PB progression"', 'day = "sat"\nname = "Run2PB progression"')
    assert moved != WEEK_TEXT
    write(tmp_path, moved)
    code, out, err = push(plan, ics)
    assert code == 0, err
    assert "1 move" in out
    found = events(ics)
    assert len(found) == 6
    event = found["base-block/tue-progression@progsync"]
    assert event.decoded("DTSTART") == dt.date(2026, 11, 28)
    assert event.decoded("DTEND") == dt.date(2026, 11, 29)
    assert sequence(event) == 1


def test_a_removed_session_goes_and_foreign_and_other_plans_events_stay(tmp_path: Path) -> None:
    plan = write(tmp_path, WEEK_TEXT)
    other = write(
        tmp_path,
        '[plan]\nname = "Partner plan"\nstart = 2026-11-23\n'
        '[athlete]\npaces = { easy = "6:00-6:20" }\n'
        '[[session]]\nday = "mon"\nname = "Easy run"\nsteps = ["40min @easy"]\n',
        "other.toml",
    )
    ics = tmp_path / "plan.ics"
    assert push(plan, ics)[0] == 0
    assert push(other, ics)[0] == 0
    text = ics.read_bytes().decode()
    ics.write_bytes(text.replace("END:VCALENDAR", FOREIGN + "END:VCALENDAR").encode())
    assert len(events(ics)) == 8

    removed = WEEK_TEXT.replace(
        '[[session]]\nday = "wed"\nname = "Recovery run"\nsteps = ["45min @recovery -- conversational, flat route"]\n',
        "",
    )
    assert removed != WEEK_TEXT
    write(tmp_path, removed)
    code, out, err = push(plan, ics)
    assert code == 0, err
    assert "1 delete" in out and "5 unchanged" in out
    found = events(ics)
    assert "base-block/2026-11-25/0@progsync" not in found
    assert "partner-plan/2026-11-23/0@progsync" in found
    dentist = found["dentist-42@example.org"]
    assert str(dentist["SUMMARY"]) == "Dentist, bring card"
    assert str(dentist["X-SOMEONE-ELSE"]) == "keep me" and dentist["X-SOMEONE-ELSE"].params["FOO"] == "bar"
    assert dentist.decoded("DTSTART") == dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
    assert len(found) == 7


def test_a_lost_ledger_is_rebuilt_from_the_file(tmp_path: Path, isolated_user: Path) -> None:
    plan = write(tmp_path, WEEK_TEXT)
    ics = tmp_path / "plan.ics"
    assert push(plan, ics)[0] == 0
    (isolated_user / "data" / "ledger.sqlite3").unlink()
    code, out, _ = push(plan, ics)
    assert code == 0 and "6 unchanged" in out


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (b"this is not a calendar\n", ":1: "),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n", ":3: "),  # cut short
        (b"BEGIN:VCALENDAR\r\nSUMMARY:caf\xe9\r\nEND:VCALENDAR\r\n", ":2: "),  # not UTF-8
        (b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n", ":3: "),
    ],
    ids=["text", "truncated", "latin-1", "mismatched"],
)
def test_a_corrupt_file_is_a_located_error_and_is_left_untouched(
    tmp_path: Path, content: bytes, where: str
) -> None:
    ics = tmp_path / "cal" / "plan.ics"
    ics.parent.mkdir()
    ics.write_bytes(content)
    code, _, err = push(write(tmp_path, WEEK_TEXT), ics)
    assert code == 5
    assert f"{ics}{where}not a calendar file progsync can read" in err
    assert "Traceback" not in err and "hint:" in err
    assert ics.read_bytes() == content
    assert [p.name for p in ics.parent.iterdir()] == ["plan.ics"]


def test_a_missing_folder_is_an_error_and_nothing_is_created(tmp_path: Path) -> None:
    ics = tmp_path / "unmounted" / "plan.ics"
    code, _, err = push(write(tmp_path, WEEK_TEXT), ics)
    assert code == 5
    assert f"{ics.parent} does not exist" in err
    assert not ics.parent.exists()


def test_a_foreign_event_with_our_uid_is_left_alone(tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    squatter = FOREIGN.replace("dentist-42@example.org", "base-block/2026-11-23/0@progsync")
    ics.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//me//EN\r\n" + squatter + "END:VCALENDAR\r\n")
    code, out, _ = push(write(tmp_path, WEEK_TEXT), ics)
    assert code == 1, out
    found = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert len(found) == 6
    assert [str(e["SUMMARY"]) for e in found if str(e["UID"]) == "base-block/2026-11-23/0@progsync"] == ["Dentist, bring card"]


# --- the person-readable steps -----------------------------------------------------------------


def test_steps_read_as_a_person_says_them() -> None:
    compiled = compile_text(
        """
        [[session]]
        day = "tue"
        name = "Mixed"
        steps = [
          "warmup 2km @easy",
          { repeat = 3, steps = ["400m @5k", "90s rest"] },
          "10min @z2",
          "cooldown lap",
        ]
        """
    )
    session = compiled.plan.sessions[0]
    text = describe_steps(session)
    assert text.startswith("Warm-up 2 km easy 5:10–5:30/km, then 3 × (400 m at 5k pace 3:35–3:45/km, then 1 min 30 s rest)")
    assert "then 10 min in HR zone 2" in text
    assert text.endswith("then cool-down until you press lap.")
    assert calendar_description(session).count("\n\n") == 1  # steps, then time and distance


def test_steps_in_miles() -> None:
    compiled = compile_text('[[session]]\nday = "tue"\nsteps = ["2mi @marathon", "400m @easy"]\n', units="mi")
    text = describe_steps(compiled.plan.sessions[0])
    assert text == "2 mi at marathon pace 4:07–4:23/mi, then 400 m easy 5:10–5:30/mi."



def test_every_kind_of_target_reads_as_words() -> None:
    # Cadence came after the calendar feed: a target it did not know was an internal error.
    steps = '["10min @180spm", "5min @150-160bpm & 175-185spm", "3min @250w", "2min @pz3", "1min @rpe 6"]'
    text = describe_steps(compile_text(f'[[session]]\nday = "tue"\nsteps = {steps}\n').plan.sessions[0])
    assert text == (
        "10 min at a cadence of 177–183 spm, then 5 min at 150–160 bpm and at a cadence of 175–185 spm, "
        "then 3 min at 245–255 W, then 2 min in power zone 3, then 1 min at RPE 6."
    ), text

def test_the_config_can_name_a_calendar_file(tmp_path: Path, isolated_user: Path) -> None:
    ics = tmp_path / "plan.ics"
    (isolated_user / "config.toml").write_text(f'[push]\nto = "ics:{ics}"\n')
    result = run_cli("push", str(write(tmp_path, WEEK_TEXT)))
    assert result.returncode == 0, result.stderr
    assert len(events(ics)) == 6


_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=60)


@settings(max_examples=150, deadline=None)
@given(name=_TEXT, notes=_TEXT, tags=st.lists(st.text("ab, ;\\:", min_size=1, max_size=6), max_size=3), timed=st.booleans())
def test_every_event_reads_back_as_written(name: str, notes: str, tags: list[str], timed: bool) -> None:
    """Any name, notes (CR, U+2028, commas, backslashes) or tags read back equal, so an unchanged
    session never looks changed (which would raise its SEQUENCE on every push)."""
    import dataclasses

    session = compile_text('[[session]]\nday = "tue"\nsteps = ["50min @easy"]\n').plan.sessions[0]
    session = dataclasses.replace(session, name=name, notes=notes, tags=tuple(tags), time=dt.time(7, 30) if timed else None)
    content = event_content(session)
    calendar = new_calendar("test")
    calendar.add_component(to_event(content, 3, dt.datetime(2026, 12, 1, tzinfo=dt.UTC)))
    back = progsync_events(parse_calendar(render(calendar), "t.ics"))[session.identity]
    assert content_of(back[0]) == content
    assert isinstance(content, EventContent) and sequence(back[0]) == 3


def test_clear_removes_progsyncs_events_in_the_range_and_nothing_else(tmp_path: Path) -> None:
    ics = tmp_path / "plan.ics"
    assert push(write(tmp_path, WEEK_TEXT), ics)[0] == 0
    ics.write_bytes(ics.read_bytes().replace(b"END:VCALENDAR", FOREIGN.encode() + b"END:VCALENDAR"))
    result = run_cli("clear", "--to", f"ics:{ics}", "--from", "2026-11-24", "--until", "2026-11-26")
    assert result.returncode == 0, result.stderr
    assert "3 delete" in result.stdout
    assert sorted(str(e["SUMMARY"]) for e in events(ics).values()) == [
        "Dentist, bring card", "Easy run", "Easy run + strides", "Long run, fast finish"]
