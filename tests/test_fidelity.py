"""The fidelity table of `progsync plan --to X` (issue 26): per session, what each destination
keeps exactly, degrades or cannot hold, from the encoders' own caveats; nothing when all is exact.

Run in process against the real folder and calendar-file destinations and the fake Intervals.icu
and Garmin Connect servers (a plan lists the destination, as a push would, but writes nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from progsync.workouts.encode import Format, encoder
from progsync.workouts.plan import compile_plan

from .conftest import run_cli
from .support.fake_garmin import FakeGarmin
from .support.fake_intervals import FakeIntervals

TODAY = {"PROGSYNC_TODAY": "2026-12-07"}

MIXED = """
[plan]
name = "Mixed"
start = 2026-12-14

[athlete]
paces = { easy = "5:10-5:30", threshold = "3:58", 5k = "3:40" }
max_hr = 188

[[session]]
day = "mon"
name = "Easy"
steps = ["30min @easy"]

[[session]]
day = "tue"
name = "Cadence drill"
steps = ["10min @easy", "3min @177-183spm", "5min @4:30 & 175-185spm"]

[[session]]
day = "wed"
name = "HR run"
steps = ["40min @140-150bpm", "cooldown hr<120"]

[[session]]
day = "thu"
name = "Treadmill tempo"
indoor = true
steps = ["2km @threshold", "10min @easy"]

[[session]]
day = "sat"
name = "Short progression run"
steps = ["45min @easy"]
"""


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.toml"
    path.write_text(MIXED)
    return path


@pytest.fixture
def intervals() -> Iterator[dict[str, str]]:
    server = FakeIntervals().start()
    yield {
        "PROGSYNC_INTERVALS_URL": server.url,
        "PROGSYNC_INTERVALS_API_KEY": server.api_key,
        "PROGSYNC_INTERVALS_ATHLETE_ID": server.athlete_id,
    }
    server.stop()


@pytest.fixture
def garmin() -> Iterator[dict[str, str]]:
    server = FakeGarmin().start()
    yield {"PROGSYNC_GARMIN_URL": server.url, "PROGSYNC_GARMIN_TOKENS": server.tokens()}
    server.stop()


def table(stdout: str) -> list[str]:
    """The fidelity lines of a plan's output (between its heading and the next blank line)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("  fidelity"))
    out = []
    for line in lines[start + 1 :]:
        if not line.startswith("    "):
            break
        out.append(line.strip())
    return out


def test_intervals_icu(plan: Path, intervals: dict[str, str]) -> None:
    result = run_cli("plan", str(plan), "--to", "intervals", env={**TODAY, **intervals})
    assert result.returncode == 0, result.stderr
    settings = "HR % and zones → bpm from Intervals.icu's settings"
    assert table(result.stdout) == [
        "Tue 2026-12-15 Cadence drill — degraded: run cadence → a cue · lost: second target",
        "Wed 2026-12-16 HR run — degraded: HR 140-150 bpm → 74-80% of max HR; "
        f"{settings}; end on heart rate → the lap button",
        "the other 3 session(s): exact",
    ]


def test_intervals_icu_json(plan: Path, intervals: dict[str, str]) -> None:
    result = run_cli("plan", str(plan), "--to", "intervals", "--json", env={**TODAY, **intervals})
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)["destinations"]
    fidelity = report["fidelity"]
    assert fidelity["exact"] is False and fidelity["sessions_exact"] == 3
    rows = {row["name"]: row for row in fidelity["sessions"]}
    assert len(rows) == 5
    assert rows["Easy"] == {
        "identity": "mixed/2026-12-14/0", "date": "2026-12-14", "name": "Easy", "exact": True,
        "degraded": [], "lost": [],
    }
    assert rows["Cadence drill"]["degraded"] == ["run cadence → a cue"]
    assert rows["Cadence drill"]["lost"] == ["second target"]


def test_garmin_connect(plan: Path, garmin: dict[str, str]) -> None:
    result = run_cli("plan", str(plan), "--to", "garmin", env={**TODAY, **garmin})
    assert result.returncode == 0, result.stderr
    assert table(result.stdout) == [
        "Thu 2026-12-17 Treadmill tempo — degraded: treadmill → only the description says so",
        "the other 4 session(s): exact",
    ]


def test_folder_of_fit_files(plan: Path, tmp_path: Path) -> None:
    folder = tmp_path / "NewFiles"
    result = run_cli("plan", str(plan), "--to", f"folder:{folder}", env=TODAY)
    assert result.returncode == 0, result.stderr
    assert table(result.stdout) == [
        "Sat 2026-12-19 Short progression run — degraded: name cut to 'Short' (15 bytes)",
        "the other 4 session(s): exact",
    ]
    assert not folder.exists(), "plan writes nothing"


def test_folder_of_several_formats_says_which_file(plan: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[folder]\nformat = ["fit", "intervals"]\n')
    result = run_cli("--config", str(config), "plan", str(plan), "--to", f"folder:{tmp_path / 'w'}", env=TODAY)
    assert result.returncode == 0, result.stderr
    lines = table(result.stdout)
    assert "Tue 2026-12-15 Cadence drill — degraded: .txt: run cadence → a cue · lost: .txt: second target" in lines
    assert "Sat 2026-12-19 Short progression run — degraded: .fit: name cut to 'Short' (15 bytes)" in lines


def test_calendar_file(plan: Path, tmp_path: Path) -> None:
    result = run_cli("plan", str(plan), "--to", f"ics:{tmp_path / 'plan.ics'}", env=TODAY)
    assert result.returncode == 0, result.stderr
    assert table(result.stdout) == [
        "every session — degraded: a calendar event: the workout as text, no steps or targets for a watch"
    ]


def test_nothing_is_printed_when_all_is_exact(tmp_path: Path, intervals: dict[str, str]) -> None:
    exact = tmp_path / "exact.toml"
    exact.write_text(MIXED.split("[[session]]\nday = \"tue\"")[0])
    for to, env in ((f"folder:{tmp_path / 'w'}", TODAY), ("intervals", {**TODAY, **intervals})):
        result = run_cli("plan", str(exact), "--to", to, env=env)
        assert result.returncode == 0, result.stderr
        assert "fidelity" not in result.stdout
        doc = json.loads(run_cli("plan", str(exact), "--to", to, "--json", env=env).stdout)
        assert doc["destinations"][0]["fidelity"]["exact"] is True


def test_a_push_has_no_table_and_warns_as_before(plan: Path, tmp_path: Path) -> None:
    result = run_cli("push", str(plan), "--to", f"folder:{tmp_path / 'w'}", "--json", env=TODAY)
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)["destinations"]
    assert report["fidelity"] is None
    assert not any("name holds" in w for w in report["warnings"]), "a table-only caveat"


@pytest.mark.parametrize("fmt", ["fit", "garmin-json", "intervals"])
def test_every_caveat_is_a_kind_and_a_short_text(fmt: Format) -> None:
    """One model: each encoder's caveats carry degraded/lost and a few words; warnings are the
    caveats' messages (what pushes printed before)."""
    compiled = compile_plan(MIXED, "mixed.toml")
    for session in compiled.plan.sessions:
        encoded = encoder(fmt)(session, max_hr=188)
        for caveat in encoded.caveats:
            assert caveat.kind in ("degraded", "lost")
            assert 0 < len(caveat.short) <= 60, caveat.short
        assert set(encoded.warnings) == {str(c) for c in encoded.caveats if c.warn}


def test_fit_says_which_text_it_cut() -> None:
    """FIT strings have fixed sizes (workouts/fit.py STRING_BYTES): what does not fit is a caveat."""
    long_cue = "stay tall, quick feet, relax the shoulders and breathe out on every third step"
    text = MIXED.split("[[session]]")[0] + (
        '[[session]]\nday = "mon"\nname = "Hills"\nnotes = "' + "Long notes. " * 12 + '"\n'
        f'steps = ["10min @easy -- {long_cue}"]\n'
    )
    (session,) = compile_plan(text, "hills.toml").plan.sessions
    shorts = [c.short for c in encoder("fit")(session).caveats]
    assert shorts == ["description cut to 100 bytes", "a step's name or notes cut to 49 bytes"]
    assert encoder("fit")(session).warnings == ()
