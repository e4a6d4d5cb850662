"""Write the FIT activity fixtures in tests/fixtures/activities/ with Garmin's SDK Encoder.

Each file is what a watch would record running one session of the example week, dated
23-29 Nov 2026 (`tests/fixtures/plans/week-2026-11-23.toml`), in a given way (on pace, too
fast, a stage skipped, a stopped watch, an extra lap press, run by feel without the workout,
moved to another day, a ride that was not planned), or of
`tests/fixtures/activities/half-build.toml` for the matching: sessions moved and swapped with
the workout on the watch under the name progsync's encoder writes (cut to 15 bytes at a word),
cut to 16 bytes mid-word as other tools do, under an old name, four of five reps, the Sunday
before a reviewed week, a session run a day before its week, an unplanned run, even splits. Structured runs embed
the workout exactly as progsync's FIT encoder writes it (`workouts.fit.workout_steps`) and give
every lap its `wkt_step_index`, as a Garmin watch does while it runs a workout.

Deterministic: the same script writes the same bytes (`tests/test_review.py` checks that the
committed files are what this script writes). Regenerate with

    .venv/bin/python -m tests.support.make_activities
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from garmin_fit_sdk import Encoder

from progsync.workouts.fit import SPORTS, workout_steps
from progsync.workouts.model import Session
from progsync.workouts.plan import compile_plan

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "fixtures" / "activities"
FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
#: The runner lives at UTC+1 (Central Europe in winter); FIT times are UTC.
TZ = dt.timedelta(hours=1)
GARMIN = 1
FORERUNNER_965 = 4315
LAP_TRIGGERS = {"manual": 0, "time": 1, "distance": 2, "session_end": 7}


@dataclass(frozen=True)
class RunLap:
    """One lap as run: its workout step (None: no workout), timer seconds, pace, heart rate."""

    step: int | None
    seconds: float
    pace: float
    hr: int
    trigger: str = "time"
    paused: float = 0.0  # timer stopped this long inside the lap


def activity_fit(
    start_local: dt.datetime,
    laps: list[RunLap],
    session: Session | None,
    sport: str = "run",
    workout_name: str | None = None,
) -> bytes:
    """A FIT activity file: file_id, the workout (when `session`; named `workout_name`, else the
    session's full name), events, laps, session."""
    start = (start_local - TZ).replace(tzinfo=dt.UTC)
    encoder = Encoder()
    serial = zlib.crc32(start.isoformat().encode()) & 0x7FFFFFFF
    encoder.write_mesg(
        {
            "mesg_num": 0,
            "type": 4,  # activity
            "manufacturer": GARMIN,
            "product": FORERUNNER_965,
            "serial_number": serial,
            "time_created": start,
        }
    )
    if session is not None:
        steps = workout_steps(session.steps)
        encoder.write_mesg(
            {
                "mesg_num": 26,
                "wkt_name": workout_name or session.name,
                "sport": SPORTS[session.sport],
                "num_valid_steps": len(steps),
            }
        )
        for step in steps:
            encoder.write_mesg(step)
    encoder.write_mesg({"mesg_num": 21, "timestamp": start, "event": 0, "event_type": 0})
    clock = start
    total_timer = total_distance = 0.0
    beats = 0.0
    for index, lap in enumerate(laps):
        metres = lap.seconds * 1000 / lap.pace
        elapsed = lap.seconds + lap.paused
        end = clock + dt.timedelta(seconds=elapsed)
        if lap.paused:
            pause_at = clock + dt.timedelta(seconds=lap.seconds / 2)
            encoder.write_mesg({"mesg_num": 21, "timestamp": pause_at, "event": 0, "event_type": 4})
            resume = pause_at + dt.timedelta(seconds=lap.paused)
            encoder.write_mesg({"mesg_num": 21, "timestamp": resume, "event": 0, "event_type": 0})
        encoder.write_mesg(
            {
                "mesg_num": 20,
                "timestamp": end,
                "distance": round(total_distance + metres, 2),
                "heart_rate": lap.hr,
                "enhanced_speed": round(1000 / lap.pace, 3),
            }
        )
        lap_mesg: dict[str, Any] = {
            "mesg_num": 19,
            "message_index": index,
            "timestamp": end,
            "start_time": clock,
            "event": 9,  # lap
            "event_type": 1,  # stop
            "total_elapsed_time": round(elapsed, 3),
            "total_timer_time": round(lap.seconds, 3),
            "total_distance": round(metres, 2),
            "enhanced_avg_speed": round(1000 / lap.pace, 3),
            "avg_heart_rate": lap.hr,
            "max_heart_rate": lap.hr + 6,
            "lap_trigger": LAP_TRIGGERS[lap.trigger],
            "sport": SPORTS[sport],
        }
        if lap.step is not None:
            lap_mesg["wkt_step_index"] = lap.step
        encoder.write_mesg(lap_mesg)
        clock = end
        total_timer += lap.seconds
        total_distance += metres
        beats += lap.hr * lap.seconds
    encoder.write_mesg({"mesg_num": 21, "timestamp": clock, "event": 0, "event_type": 4})
    encoder.write_mesg(
        {
            "mesg_num": 18,
            "message_index": 0,
            "timestamp": clock,
            "start_time": start,
            "event": 8,  # session
            "event_type": 1,
            "sport": SPORTS[sport],
            "sub_sport": 0,
            "total_elapsed_time": round((clock - start).total_seconds(), 3),
            "total_timer_time": round(total_timer, 3),
            "total_distance": round(total_distance, 2),
            "avg_heart_rate": round(beats / total_timer),
            "num_laps": len(laps),
            "first_lap_index": 0,
        }
    )
    local = clock + TZ
    encoder.write_mesg(
        {
            "mesg_num": 34,
            "timestamp": clock,
            "total_timer_time": round(total_timer, 3),
            "num_sessions": 1,
            "type": 0,
            "event": 26,  # activity
            "event_type": 1,
            "local_timestamp": int((local - FIT_EPOCH).total_seconds()),
        }
    )
    return bytes(encoder.close())


def _sessions() -> dict[str, Session]:
    path = ROOT / "tests" / "fixtures" / "plans" / "week-2026-11-23.toml"
    plan = compile_plan(path.read_text(encoding="utf-8"), "examples/week.toml").plan
    return {s.date.strftime("%a").lower(): s for s in plan.sessions}


def _half_build() -> dict[str, Session]:
    """The sessions of half-build.toml by week and day: `w1-tue`."""
    path = OUT / "half-build.toml"
    plan = compile_plan(path.read_text(encoding="utf-8"), "half-build.toml").plan
    start = plan.start
    assert start is not None
    return {
        f"w{(s.date - start).days // 7 + 1}-{s.date.strftime('%a').lower()}": s
        for s in plan.sessions
    }


def _at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute)


def _dec(day: int, hour: int) -> dt.datetime:
    return _at(day, hour, month=12)


def by_feel_km(seconds: float, paces: list[float], hr: int) -> list[RunLap]:
    """Auto-laps of 1 km, no workout: a run by feel at the given paces, cycled."""
    laps: list[RunLap] = []
    left = seconds
    k = 0
    while left > 0:
        pace = paces[k % len(paces)]
        lap_s = min(pace, left)
        laps.append(RunLap(None, lap_s, pace, hr + (k % 3), "distance"))
        left -= lap_s
        k += 1
    return laps


def scenarios() -> dict[str, bytes]:
    """Every fixture file by its path under tests/fixtures/activities/."""
    s = _sessions()
    files: dict[str, bytes] = {}
    # Mon: the easy hour run by feel, no workout on the watch, in the easy range throughout
    files["week/2026-11-23-easy-by-feel.fit"] = activity_fit(
        _at(23, 7), by_feel_km(3600, [322.0, 318.0, 325.0, 315.0], 138), None
    )
    # Tue: the progression on pace, every stage in its range
    files["week/2026-11-24-progression-on-pace.fit"] = activity_fit(
        _at(24, 18),
        [
            RunLap(0, 900, 320, 136),
            RunLap(1, 600, 270, 150),
            RunLap(2, 600, 260, 156),
            RunLap(3, 600, 250, 162),
            RunLap(4, 600, 241, 168),
            RunLap(5, 600, 325, 145),
        ],
        s["tue"],
    )
    # Wed: the recovery run was not run; a ride was, instead
    files["week/2026-11-25-ride.fit"] = activity_fit(
        _at(25, 17), [RunLap(None, 2400, 120, 125, "session_end")], None, sport="bike"
    )
    # Thu: 5 x 1 km too fast, and an extra lap press in the warm-up
    thu = [RunLap(0, 420, 322, 132, "manual"), RunLap(0, 480, 318, 136)]
    for _ in range(5):
        thu += [RunLap(1, 205, 205, 176, "distance"), RunLap(2, 120, 350, 150)]
    thu.append(RunLap(4, 600, 322, 142))
    files["week/2026-11-26-intervals-too-fast.fit"] = activity_fit(_at(26, 18), thu, s["thu"])
    # Fri: the watch stopped (saved) after the first stride and a bit of its jog
    files["week/2026-11-27-strides-stopped.fit"] = activity_fit(
        _at(27, 7),
        [
            RunLap(0, 2700, 318, 139, paused=95),
            RunLap(1, 20, 210, 150),
            RunLap(2, 25, 350, 142, "session_end"),
        ],
        s["fri"],
    )
    # Sun's long run with the fast finish, run on Saturday instead
    files["week/2026-11-28-long-run-moved.fit"] = activity_fit(
        _at(28, 9),
        [
            RunLap(0, 3780, 322, 140),
            RunLap(1, 540, 298, 150),
            RunLap(2, 540, 277, 156),
            RunLap(3, 540, 256, 163),
        ],
        s["sun"],
    )
    # Tue again: the progression with stage 2 skipped (lap pressed at once), an impatient
    # warm-up, and an all-out finish
    files["stage-skipped/2026-11-24-progression-skipped.fit"] = activity_fit(
        _at(24, 18),
        [
            RunLap(0, 900, 295, 146),
            RunLap(1, 600, 268, 154),
            RunLap(2, 4, 262, 155, "manual"),
            RunLap(3, 600, 250, 165),
            RunLap(4, 600, 226, 182),
            RunLap(5, 600, 330, 150),
        ],
        s["tue"],
    )
    files.update(half_build_scenarios())
    files.update(adapt_scenarios())
    return files


def threshold_reps(reps: int) -> list[RunLap]:
    """Threshold reps (warm-up, 5 x 3 min / 90 s jog, cool-down) with `reps` reps run."""
    laps = [RunLap(0, 900, 320, 135)]
    for _ in range(reps):
        laps += [RunLap(1, 180, 255, 172), RunLap(2, 90, 340, 150)]
    return [*laps, RunLap(4, 600, 325, 142)]


def half_build_scenarios() -> dict[str, bytes]:
    """half-build.toml run in the ways the matching must see through."""
    from progsync.workouts.fit import workout_name

    s = _half_build()
    files: dict[str, bytes] = {}
    # Mon: the easy run by feel, every kilometre at 5:20 (even splits)
    files["moved/2026-11-30-easy-even.fit"] = activity_fit(
        _at(30, 7), by_feel_km(2700, [320.0], 138), None
    )
    # Tue's progression run on Wed, the watch running that very workout, under the name
    # progsync's encoder gives it ("Short progression" is 17 bytes: "Short")
    assert workout_name(s["w1-tue"]) == "Short"
    files["moved/2026-12-02-tuesday-progression.fit"] = activity_fit(
        _dec(2, 18),
        [
            RunLap(0, 600, 320, 135),
            RunLap(1, 480, 280, 150),
            RunLap(2, 480, 270, 156),
            RunLap(3, 480, 260, 162),
            RunLap(4, 600, 325, 145),
        ],
        s["w1-tue"],
        workout_name=workout_name(s["w1-tue"]),
    )
    # Thu and Fri swapped: Friday's strides on Thursday, the name cut to 16 bytes mid-word
    # (as a tool that fills FIT's 16-byte field does) ...
    strides = [RunLap(0, 2100, 320, 140)]
    for _ in range(4):
        strides += [RunLap(1, 20, 235, 150), RunLap(2, 60, 345, 146)]
    cut = s["w1-fri"].name.encode()[:16].decode()
    assert cut == "Easy run + strid"
    files["moved/2026-12-03-friday-strides.fit"] = activity_fit(
        _dec(3, 7), strides, s["w1-fri"], workout_name=cut
    )
    # ... and Thursday's threshold reps on Friday, under their own name
    files["moved/2026-12-04-thursday-reps.fit"] = activity_fit(
        _dec(4, 18), threshold_reps(5), s["w1-thu"]
    )
    # Sat: a shakeout nobody planned
    files["moved/2026-12-05-shakeout.fit"] = activity_fit(
        _dec(5, 9), by_feel_km(900, [330.0], 130), None
    )
    # Sun: the long run, the watch holding it under the name it had before the plan renamed it
    long_run = [RunLap(0, 320, 320, 140, "distance") for _ in range(13)]
    long_run.append(RunLap(0, 4200 - 13 * 320, 320, 141, "session_end"))
    files["moved/2026-12-06-long-run-old-name.fit"] = activity_fit(
        _dec(6, 9), long_run, s["w1-sun"], workout_name="Sunday long"
    )
    # Thu of week 1 on its day under another name, the fifth rep left out
    files["short-reps/2026-12-03-four-of-five.fit"] = activity_fit(
        _dec(3, 18), threshold_reps(4), s["w1-thu"], workout_name="LT 5x3"
    )
    # week 2's Monday easy run done on the Sunday before, with its workout on the watch: a
    # session moved a day across the edge of `--week 2`
    files["edge/2026-12-06-monday-run-early.fit"] = activity_fit(
        _dec(6, 10), [RunLap(0, 1350, 320, 138), RunLap(0, 1350, 320, 139)], s["w2-mon"],
        workout_name=workout_name(s["w2-mon"]),
    )
    return files


def _adapt_build() -> dict[str, Session]:
    """The sessions of adapt-build.toml by week and day: `w1-tue`."""
    path = OUT / "adapt-build.toml"
    plan = compile_plan(path.read_text(encoding="utf-8"), "adapt-build.toml").plan
    start = plan.start
    assert start is not None
    return {
        f"w{(s.date - start).days // 7 + 1}-{s.date.strftime('%a').lower()}": s
        for s in plan.sessions
    }


def run_as_planned(
    session: Session, stretch: float = 1.0, faster: float = 0.0, stages: dict[int, float] | None = None
) -> list[RunLap]:
    """Laps that run `session`'s workout step by step at the centre of each target: easy steps
    `stretch` times as long, steps faster than easy `faster` s/km quicker, and `stages` (step
    number, 1-based → pace) run at the pace given."""
    from progsync.workouts.model import PaceTarget
    from progsync.workouts.review import planned_steps

    laps = []
    for planned in planned_steps(session.steps):
        step = planned.step
        target = step.target
        pace = target.centre if isinstance(target, PaceTarget) else 340.0
        easy = pace >= 310
        if not easy:
            pace -= faster
        if stages and planned.number in stages:
            pace = stages[planned.number]
        if step.end.kind == "time":
            seconds = step.end.value or 0.0
        else:
            seconds = (step.end.value or 0.0) / 1000 * pace
        if easy and step.kind != "rest" and planned.rep is None:
            seconds *= stretch
        laps.append(RunLap(planned.index, seconds, pace, 140 if easy else 168))
    return laps


def _adapt_day(key: str, sessions: dict[str, Session]) -> dt.datetime:
    day = sessions[key].date
    return dt.datetime(day.year, day.month, day.day, 7 if key.endswith(("mon", "wed", "fri")) else 18)


def adapt_scenarios() -> dict[str, bytes]:
    """adapt-build.toml run in the ways `progsync adapt` must answer (tests/test_adapt.py).

    `adapt/base/`: weeks 1-3 run as planned (a test takes the days it needs); every other
    folder holds what one scenario runs instead of (or besides) the base."""
    s = _adapt_build()
    files: dict[str, bytes] = {}

    def name(key: str, what: str) -> str:
        return f"{s[key].date.isoformat()}-{what}.fit"

    for week in (1, 2, 3):
        for day in ("mon", "tue", "wed", "thu", "fri", "sun"):
            key = f"w{week}-{day}"
            files[f"adapt/base/{name(key, s[key].slug)}"] = activity_fit(
                _adapt_day(key, s), run_as_planned(s[key]), s[key]
            )
    # the progression of week 2 finished all-out: the last stage at 3:55 for 4:20 planned
    files[f"adapt/all-out-finish/{name('w2-tue', 'progression-all-out')}"] = activity_fit(
        _adapt_day("w2-tue", s), run_as_planned(s["w2-tue"], stages={4: 235.0}), s["w2-tue"]
    )
    # ... and with its middle stage slower than the first (4:45 after 4:40)
    files[f"adapt/slower-middle/{name('w2-tue', 'progression-slower-middle')}"] = activity_fit(
        _adapt_day("w2-tue", s), run_as_planned(s["w2-tue"], stages={3: 285.0}), s["w2-tue"]
    )
    # the easy runs of week 2 by feel at 4:45 (the easy range is 5:10-5:30)
    for day, minutes in (("mon", 45), ("wed", 40), ("fri", 40), ("sun", 70)):
        key = f"w2-{day}"
        files[f"adapt/easy-too-fast/{name(key, 'easy-fast')}"] = activity_fit(
            _adapt_day(key, s), [RunLap(None, minutes * 60.0, 285.0, 150, "session_end")], None
        )
    # a half marathon raced on the Sunday of week 2 in 1:31:47 (4:21/km), instead of the long run
    files[f"adapt/half-raced/{name('w2-sun', 'half-marathon')}"] = activity_fit(
        _adapt_day("w2-sun", s), [RunLap(None, 5507.0, 261.0, 176, "session_end")], None
    )
    # weeks 2 and 3 with the easy running ever longer: 10%, then 20% more than planned
    for week, stretch in ((2, 1.1), (3, 1.2)):
        for day in ("mon", "wed", "fri", "sun"):
            key = f"w{week}-{day}"
            files[f"adapt/rising/{name(key, 'longer')}"] = activity_fit(
                _adapt_day(key, s), run_as_planned(s[key], stretch=stretch), s[key]
            )
    # the threshold reps of weeks 1-3 each 8 s/km faster than threshold, heart rate as planned
    for week in (1, 2, 3):
        key = f"w{week}-thu"
        files[f"adapt/faster/{name(key, 'reps-faster')}"] = activity_fit(
            _adapt_day(key, s), run_as_planned(s[key], faster=8.0), s[key]
        )
    return files


def main() -> None:
    for name, data in scenarios().items():
        path = OUT / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"wrote {path.relative_to(ROOT)} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
