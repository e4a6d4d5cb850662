"""Safety rails (issue 14): nothing the user did not mean is deleted, overwritten or duplicated.

The CLI runs in process (`progsync.sync.cli.commands.main`, with its real error rendering and exit codes)
against the real folder destination and the fake Intervals.icu / Garmin Connect servers.
"""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.app.push import run_push
from progsync.sync.cli import calendar as cli_calendar
from progsync.sync.cli import commands as cli_module
from progsync.sync.settings.config import Config

from .support.fake_garmin import FakeGarmin
from .support.fake_intervals import FakeIntervals
from .support.plans import WEEK, write_plan

TODAY = "2026-11-22"
HEADER = WEEK.split("[[session]]")[0]  # what an editor crash leaves: the plan with no sessions


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PROGSYNC_TODAY", TODAY)
    yield
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "progsync", False)]:
        root.removeHandler(handler)  # the next test logs to its own state dir
        handler.close()


@pytest.fixture
def intervals(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeIntervals]:
    server = FakeIntervals().start()
    monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
    monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
    monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
    yield server
    server.stop()


@pytest.fixture
def garmin(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeGarmin]:
    server = FakeGarmin().start()
    monkeypatch.setenv("PROGSYNC_GARMIN_URL", server.url)
    monkeypatch.setenv("PROGSYNC_GARMIN_TOKENS", server.tokens())
    yield server
    server.stop()


def progsync(
    capsys: pytest.CaptureFixture[str], *args: str, stdin: str = ""
) -> tuple[int, str, str]:
    """Run the real entry point in process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    argv, stream = sys.argv, sys.stdin
    sys.argv, sys.stdin = ["progsync", *args], io.StringIO(stdin)
    try:
        cli_module.main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv, sys.stdin = argv, stream
    out = capsys.readouterr()
    return code, out.out, out.err


def fit_names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.fit"))


# -- 1. the delete guard ----------------------------------------------------------------------


@pytest.mark.parametrize("dest", ["folder", "intervals", "garmin"])
def test_an_emptied_plan_is_refused_on_every_destination(
    dest: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], request: pytest.FixtureRequest
) -> None:
    folder = tmp_path / "NewFiles"
    to = f"folder:{folder}" if dest == "folder" else dest
    server = request.getfixturevalue(dest) if dest != "folder" else None
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", "--quiet", str(plan), "--to", to)[0] == 0

    def held() -> int:
        if dest == "folder":
            return len(fit_names(folder))
        if isinstance(server, FakeIntervals):
            return len(server.events)
        assert isinstance(server, FakeGarmin)
        return len(server.marked())

    assert held() == 6
    write_plan(tmp_path, HEADER)
    code, out, err = progsync(capsys, "push", "--quiet", str(plan), "--to", to)
    assert code == 2, err
    assert out == ""
    assert "would delete all of the 6 remaining session(s) of plan 'block'" in err
    assert "2026-11-23 Run, 2026-11-24 Tempo" in err, "says what it would delete"
    assert "--max-delete 6" in err and "nothing was changed" in err
    assert held() == 6

    code, _out, err = progsync(capsys, "plan", str(plan), "--to", to)
    assert code == 0
    assert "warning: a push would be refused" in err and "--max-delete 6" in err

    code, _, err = progsync(capsys, "push", "--quiet", str(plan), "--to", to, "--max-delete", "6")
    assert code == 0, err
    assert held() == 0


def test_more_than_half_and_at_least_three(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "NewFiles"
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")[0] == 0
    sessions = WEEK.split("[[session]]")
    # 4 of 6 gone: refused; --max-delete 3 is not enough, 4 is.
    write_plan(tmp_path, "[[session]]".join(sessions[:3]))
    code, _, err = progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")
    assert code == 2 and "would delete 4 of the 6 remaining" in err
    code, _, err = progsync(capsys, "push", str(plan), "--to", f"folder:{folder}", "--max-delete", "3")
    assert code == 2 and "more than --max-delete 3 allows" in err
    assert len(fit_names(folder)) == 6
    # 3 of 6 is not more than half: an ordinary edit goes through.
    write_plan(tmp_path, "[[session]]".join(sessions[:4]))
    code, _out, err = progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")
    assert code == 0, err
    assert len(fit_names(folder)) == 3


def test_replacing_sessions_is_not_a_mass_deletion(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """New ids on every session delete and create the same sessions: not a loss."""
    folder = tmp_path / "NewFiles"
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")[0] == 0
    text = WEEK.replace('id = "tempo"\n', "")
    write_plan(tmp_path, text.replace('day = "tue"\n', 'day = "tue"\nid = "tuesday"\n'))
    code, _out, err = progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")
    assert code == 0, err
    assert len(fit_names(folder)) == 6


# -- 2. clear with no dates --------------------------------------------------------------------


def test_clear_without_dates_needs_yes_without_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], intervals: FakeIntervals
) -> None:
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", str(plan), "--to", "intervals")[0] == 0
    intervals.log.clear()
    code, _out, err = progsync(capsys, "clear", "--to", "intervals")
    assert code == 2
    assert "needs --yes" in err and "--from DATE --until DATE" in err
    assert intervals.log == [], "refused before any request"
    assert len(intervals.events) == 6
    code, _out, err = progsync(capsys, "clear", "--to", "intervals", "--yes")
    assert code == 0, err
    assert intervals.events == {}


def test_clear_without_dates_asks_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "NewFiles"
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")[0] == 0
    monkeypatch.setattr(cli_calendar, "_stdin_is_terminal", lambda: True)
    code, _out, err = progsync(capsys, "clear", "--to", f"folder:{folder}", stdin="n\n")
    assert code != 0
    assert "Delete 6 progsync workout(s) from 2026-11-23 to 2026-11-29" in err
    assert len(fit_names(folder)) == 6
    code, _out, err = progsync(capsys, "clear", "--to", f"folder:{folder}", stdin="y\n")
    assert code == 0, err
    assert fit_names(folder) == []
    # With dates, clear does what it is told without asking (the dates are the confirmation).
    assert progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")[0] == 0
    monkeypatch.setattr(cli_calendar, "_stdin_is_terminal", lambda: False)
    code, _, err = progsync(capsys, "clear", "--to", f"folder:{folder}", "--from", "2026-11-28")
    assert code == 0, err
    assert len(fit_names(folder)) == 4


# -- 3. a renamed plan -------------------------------------------------------------------------


def test_renaming_a_plan_is_refused_then_adopted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], intervals: FakeIntervals
) -> None:
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", str(plan), "--to", "intervals")[0] == 0
    write_plan(tmp_path, WEEK.replace('name = "Block"', 'name = "Winter block"'))
    intervals.log.clear()
    code, _out, err = progsync(capsys, "push", "--quiet", str(plan), "--to", "intervals")
    assert code == 2, err
    assert "also there from plan 'block'" in err
    assert "--adopt block" in err
    assert intervals.writes() == [] and len(intervals.events) == 6

    code, _out, err = progsync(capsys, "push", str(plan), "--to", "intervals", "--adopt", "block")
    assert code == 0, err
    assert len(intervals.events) == 6, "replaced, not duplicated"
    assert all(e.startswith("progsync:winter-block/") for e in intervals.by_external())
    code, out, _ = progsync(capsys, "push", str(plan), "--to", "intervals")
    assert code == 0 and "6 unchanged" in out


def test_a_plan_id_survives_a_rename(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "NewFiles"
    text = WEEK.replace('name = "Block"', 'name = "Block"\nid = "winter-2026"')
    plan = write_plan(tmp_path, text)
    assert progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")[0] == 0
    write_plan(tmp_path, text.replace('name = "Block"', 'name = "Marathon build"'))
    code, out, err = progsync(capsys, "push", str(plan), "--to", f"folder:{folder}")
    assert code == 0, err
    assert "6 unchanged" in out
    config = Config()
    identities = {s.identity for s in load_plans([str(plan)], config).sessions}
    assert "winter-2026/tempo" in identities


def test_a_bad_plan_id_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = write_plan(tmp_path, WEEK.replace('name = "Block"', 'name = "Block"\nid = "Winter 2026"'))
    code, _, err = progsync(capsys, "check", str(plan))
    assert code == 2
    assert "week.toml:4" in err and "is not a plan id" in err


def test_new_block_writes_a_plan_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_file = tmp_path / "block.toml"
    code, _, err = progsync(capsys, "new", "block", "--start", "2026-11-30", "--race", "10k 41:30", "-o", str(out_file))
    assert code == 0, err
    assert 'id = "build-block-2026-11-30"' in out_file.read_text()
    sessions = load_plans([str(out_file)], Config()).sessions
    assert all(s.identity.startswith("build-block-2026-11-30/") for s in sessions)


# -- 4. the folder destination -----------------------------------------------------------------


TUESDAY_RUN = """
[plan]
name = "{name}"
start = 2026-11-30

[athlete]
paces = {{ easy = "5:30" }}

[[session]]
day = "tue"
name = "Run"
steps = ["{minutes}min @easy"]

[[session]]
day = "{other_day}"
name = "{other}"
steps = ["20min @easy"]
"""


def tuesday_run(name: str, minutes: int) -> str:
    """Plan A and plan B both have a "Run" on Tuesday 2026-12-01 (and another session each)."""
    other = ("thu", "Other") if name == "A" else ("fri", "Strides")
    return TUESDAY_RUN.format(name=name, minutes=minutes, other_day=other[0], other=other[1])


def test_two_plans_share_a_folder_without_touching_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "NewFiles"
    a = write_plan(tmp_path, tuesday_run("A", 30), name="a.toml")
    b = write_plan(tmp_path, tuesday_run("B", 50), name="b.toml")
    assert progsync(capsys, "push", str(a), "--to", f"folder:{folder}")[0] == 0
    assert progsync(capsys, "push", str(b), "--to", f"folder:{folder}")[0] == 0
    assert "2026-12-01_a_run.fit" in fit_names(folder) and "2026-12-01_b_run.fit" in fit_names(folder)
    a_bytes = (folder / "2026-12-01_a_run.fit").read_bytes()
    b_text = tuesday_run("B", 50)
    write_plan(tmp_path, b_text.replace('day = "tue"\nname = "Run"\nsteps = ["50min @easy"]\n', 'day = "sat"\nname = "Jog"\nsteps = ["50min @easy"]\n'), name="b.toml")
    assert progsync(capsys, "push", str(b), "--to", f"folder:{folder}")[0] == 0
    assert "2026-12-01_b_run.fit" not in fit_names(folder)
    assert (folder / "2026-12-01_a_run.fit").read_bytes() == a_bytes
    code, out, _ = progsync(capsys, "push", str(a), "--to", f"folder:{folder}")
    assert code == 0 and "2 unchanged" in out


SAME_DAY = """
[plan]
name = "{name}"
id = "{id}"
start = 2026-11-30

[athlete]
paces = {{ easy = "5:30" }}
{sessions}"""
TUESDAY = '\n[[session]]\nday = "tue"\nname = "Easy run"\nsteps = ["40min @easy"]\n'
FRIDAY = '\n[[session]]\nday = "fri"\nname = "Strides"\nsteps = ["30min @easy"]\n'


@pytest.mark.parametrize("first_id", ["half-2027", None])
def test_plans_with_distinct_ids_share_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], first_id: str | None
) -> None:
    """Issue 26: two plans with their own `[plan] id` and the same Tuesday "Easy run" are two
    plans, not a rename; a plan pushed without an id (a rename is possible) is still refused."""
    folder = tmp_path / "NewFiles"
    first = SAME_DAY.format(name="Half", id=first_id, sessions=TUESDAY)
    if first_id is None:
        first = first.replace('id = "None"\n', "")
    a = write_plan(tmp_path, first, name="half.toml")
    b = write_plan(
        tmp_path, SAME_DAY.format(name="Base", id="base-2027", sessions=TUESDAY + FRIDAY), name="base.toml"
    )
    assert progsync(capsys, "push", str(a), "--to", f"folder:{folder}")[0] == 0
    code, out, err = progsync(capsys, "push", str(b), "--to", f"folder:{folder}")
    if first_id is None:
        assert code == 2, err
        assert "also there from plan 'half'" in err
        assert "add `id" not in err, "this plan has an id already"
        assert "push it once more" in err
        return
    assert code == 0, err
    assert "2 create" in out
    assert {"2026-12-01_half-2027_easy-run.fit", "2026-12-01_base-2027_easy-run.fit"} <= set(
        fit_names(folder)
    )
    code, out, err = progsync(capsys, "push", str(a), "--to", f"folder:{folder}")
    assert code == 0 and "1 unchanged" in out, err


def test_a_file_progsync_did_not_write_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "NewFiles"
    folder.mkdir()
    mine = folder / "2026-12-01_a_run.fit"
    mine.write_bytes(b"the athlete's own file")
    a = write_plan(tmp_path, tuesday_run("A", 30), name="a.toml")
    code, _out, err = progsync(capsys, "push", str(a), "--to", f"folder:{folder}")
    assert code == 1
    assert "progsync did not write it" in err
    assert mine.read_bytes() == b"the athlete's own file"
    assert "2026-12-03_a_other.fit" in fit_names(folder), "the rest of the push went through"


def test_an_unmounted_watch_is_not_a_success(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mount = tmp_path / "media" / "me" / "GARMIN"
    plan = write_plan(tmp_path)
    code, _out, err = progsync(capsys, "push", str(plan), "--to", f"folder:{mount}/GARMIN/NewFiles")
    assert code == 5
    assert "is the watch mounted?" in err
    assert not (tmp_path / "media").exists()
    # The last folder alone is created (a watch with an empty NewFiles folder removed).
    (mount / "GARMIN").mkdir(parents=True)
    code, _out, err = progsync(capsys, "push", str(plan), "--to", f"folder:{mount}/GARMIN/NewFiles")
    assert code == 0, err
    assert len(fit_names(mount / "GARMIN" / "NewFiles")) == 6


def test_the_guard_runs_before_the_folder_is_created(tmp_path: Path) -> None:
    """A library caller gets the same rails: run_push refuses, nothing is applied."""
    folder = tmp_path / "NewFiles"
    plan = write_plan(tmp_path)
    config = Config()
    assert run_push(load_plans([str(plan)], config), [f"folder:{folder}"], config).exit_code == 0
    write_plan(tmp_path, HEADER)
    outcome = run_push(load_plans([str(plan)], config), [f"folder:{folder}"], config)
    assert outcome.exit_code == 2
    doc = outcome.as_dict()
    assert "--max-delete 6" in json.dumps(doc)
    assert len(fit_names(folder)) == 6


# -- the ledger is checked before anything is written to a service ----------------------------
# A push records each remote write in the ledger right after it; a ledger that cannot take
# that record would let the write happen and then lose it (on Garmin Connect, a workout that
# the next run no longer knows it made). So the ledger must prove itself first.


def _damage_a_page(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.seek(2 * 4096)  # the third page: a b-tree page of the ledger's tables
        handle.write(b"\xa5" * 4096)


def _garbage(path: Path) -> None:
    path.write_bytes(b"not a ledger\n" * 500)


@pytest.mark.parametrize("damage", [_damage_a_page, _garbage], ids=["damaged-page", "garbage-file"])
@pytest.mark.parametrize("dest", ["intervals", "garmin"])
def test_a_damaged_ledger_stops_the_push_before_any_remote_write(
    dest: str,
    damage: object,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    request: pytest.FixtureRequest,
) -> None:
    from progsync.sync.app.push import ledger_path

    server = request.getfixturevalue(dest)
    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", "--quiet", str(plan), "--to", dest)[0] == 0
    writes = len(server.writes())
    write_plan(tmp_path, WEEK.replace('name = "Tempo"', 'name = "Tempo, longer"'))
    assert callable(damage)
    damage(ledger_path())
    code, _out, err = progsync(capsys, "push", str(plan), "--to", dest)
    assert code == 1, err
    assert f"the ledger {ledger_path()} is damaged" in err and "nothing was pushed" in err
    assert f"mv '{ledger_path()}' '{ledger_path()}.bad'" in err, "the same hint for a bad page and a garbage file"
    assert "internal error" not in err and "Traceback" not in err
    assert len(server.writes()) == writes, "nothing was sent to the service"


def test_a_read_only_ledger_stops_the_push_before_any_remote_write(
    intervals: FakeIntervals, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from progsync.sync.app.push import ledger_path

    plan = write_plan(tmp_path)
    assert progsync(capsys, "push", "--quiet", str(plan), "--to", "intervals")[0] == 0
    writes = len(intervals.writes())
    write_plan(tmp_path, WEEK.replace('name = "Tempo"', 'name = "Tempo, longer"'))
    # The tests run as root here, where a chmod does not stop a write; so open the real file the
    # way sqlite opens one on a read-only mount or without write permission (mode=ro). Where the
    # tests do not run as root, the chmod'ed file is tried too.
    real_connect = sqlite3.connect

    def read_only(database: str, timeout: float = 5.0,
                  isolation_level: Literal["DEFERRED", "EXCLUSIVE", "IMMEDIATE"] | None = "DEFERRED") -> sqlite3.Connection:
        return real_connect(f"file:{database}?mode=ro", timeout, isolation_level=isolation_level, uri=True)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    code, _out, err = progsync(capsys, "push", str(plan), "--to", "intervals")
    assert code == 6, err  # a disk that refuses writes (docs/cron.md, exit codes)
    assert f"the ledger {ledger_path()} cannot be written" in err and "nothing was pushed" in err
    assert "writable by this user" in err and "PROGSYNC_DATA_DIR" in err
    assert len(intervals.writes()) == writes
    monkeypatch.setattr(sqlite3, "connect", real_connect)

    import os

    if os.geteuid() != 0:
        ledger_path().chmod(0o444)
        ledger_path().parent.chmod(0o555)
        try:
            code, _out, err = progsync(capsys, "push", str(plan), "--to", "intervals")
        finally:
            ledger_path().parent.chmod(0o755)
            ledger_path().chmod(0o644)
        assert code == 6 and "cannot be written" in err, err
        assert len(intervals.writes()) == writes
    code, _out, err = progsync(capsys, "push", "--quiet", str(plan), "--to", "intervals")
    assert code == 0, err
    assert len(intervals.writes()) > writes, "once writable again, the change is pushed"


# -- secrets in their encoded forms -----------------------------------------------------------
class EchoingIntervals(FakeIntervals):
    """A service whose error reply quotes the request's Authorization header back, as some
    proxies and API gateways do: the base64 of `API_KEY:<key>`, which is the key itself."""

    def check_auth(self, headers: Any, path: str) -> tuple[int, Any] | None:
        token = str(headers.get("Authorization", "")).removeprefix("Basic ")
        return 400, {"status": 400, "error": f"malformed credentials {token} (expected a key)"}


@pytest.mark.parametrize("as_json", [False, True])
def test_an_echoed_basic_auth_header_is_redacted_everywhere(
    as_json: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import base64

    from progsync.sync.settings.config import state_dir

    server = EchoingIntervals().start()
    try:
        monkeypatch.setenv("PROGSYNC_INTERVALS_URL", server.url)
        monkeypatch.setenv("PROGSYNC_INTERVALS_API_KEY", server.api_key)
        monkeypatch.setenv("PROGSYNC_INTERVALS_ATHLETE_ID", server.athlete_id)
        args = ["push", str(write_plan(tmp_path)), "--to", "intervals", *(["--json"] if as_json else [])]
        code, out, err = progsync(capsys, *args)
    finally:
        server.stop()
    assert server.requests(), "the service was asked"
    assert code != 0
    assert "malformed credentials" in out + err, "the service's message is still shown"
    encoded = base64.b64encode(f"API_KEY:{server.api_key}".encode()).decode()
    log = (state_dir() / "progsync.log").read_text()
    for where, text in (("terminal", out + err), ("log", log)):
        assert encoded not in text and encoded.rstrip("=") not in text, where
        assert server.api_key not in text, where
