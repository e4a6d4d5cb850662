"""progsync benchmarks: start-up, compile throughput, HTTP cost, memory.

Run from the repository root, in an environment where progsync and its test extras are
installed:

    python bench/run.py            # prints a table, writes bench/results/latest.json
    python bench/run.py --quick    # fewer repetitions
    python bench/run.py --only squad --out bench/results/squad.json   # one part
    python bench/run.py --only ratio --venv /tmp/v --out bench/results/ratio.json
        # `progsync check` vs `import tomllib`, here and in the environment /tmp/v too

The HTTP-cost part starts the same fake Intervals.icu and Garmin Connect servers as the tests
(127.0.0.1 only) and counts the requests each push makes; the squad part pushes a block to 20
athletes in coach mode and measures its time, requests per athlete and busiest second.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_STARTUP_RATIO = 3.0
BUDGET_COMPILE_S = 1.0
BUDGET_CHECK_VS_TOMLLIB = 2.5


def median_runtime(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_startup(runs: int, env: dict[str, str]) -> dict[str, Any]:
    cli = [sys.executable, "-m", "progsync.sync"]
    week = str(ROOT / "examples" / "week.toml")
    bare = median_runtime([sys.executable, "-c", "pass"], runs, env)
    out: dict[str, Any] = {"bare_python_s": round(bare, 4)}
    via_click = [sys.executable, "-c", "from progsync.sync.cli.commands import main; main()"]
    for name, cmd in (
        ("help", [*cli, "--help"]),
        ("check", [*cli, "check", week]),
        ("check_via_click", [*via_click, "check", week]),
        ("show", [*cli, "show", week, "--session", "Long run"]),
        # What the standard library alone costs: the floor under any `check`.
        ("import_tomllib", [sys.executable, "-c", "import tomllib"]),
        ("import_tomllib_dataclasses", [sys.executable, "-c", "import tomllib, dataclasses"]),
    ):
        seconds = median_runtime(cmd, runs, env)
        out[name] = {"median_s": round(seconds, 4), "ratio": round(seconds / bare, 2)}
    out["check_within_budget"] = out["check"]["ratio"] <= BUDGET_STARTUP_RATIO
    out["check_vs_import_tomllib"] = round(
        out["check"]["median_s"] / out["import_tomllib"]["median_s"], 2
    )
    return out


def bench_check_ratio(runs: int, env: dict[str, str], venvs: list[Path]) -> dict[str, Any]:
    """`progsync check examples/week.toml` against `python -c "import tomllib"`, side by side.

    The measure of issue #27: the installed console script (what users run) within
    `BUDGET_CHECK_VS_TOMLLIB` × the standard library's TOML parser alone, both started by the
    same environment's interpreter. The commands run alternately, `runs` rounds, each round in a
    rotated order, so that load from other jobs on the machine falls on all of them alike; the
    result is the ratio of the medians and the median of the per-round ratios. `python -m` and a
    direct call of the entry function separate what the console script itself costs.
    """
    week = str(ROOT / "examples" / "week.toml")
    out: dict[str, Any] = {}
    for venv in venvs:
        python = str(venv / "bin" / "python")
        commands = {
            "import_tomllib": [python, "-c", "import tomllib"],
            "console_script": [str(venv / "bin" / "progsync"), "check", week],
            "python_m": [python, "-m", "progsync.sync", "check", week],
            "entry_function": [
                python,
                "-c",
                "from progsync.sync.cli.entry import main; main()",
                "check",
                week,
            ],
            "bare_python": [python, "-c", "pass"],
        }
        for name, cmd in commands.items():  # each must work: a failing command is fast
            result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, check=False)
            if result.returncode != 0:
                raise SystemExit(f"{name} failed in {venv}: {result.stderr.decode()[-500:]}")
        times: dict[str, list[float]] = {name: [] for name in commands}
        names = list(commands)
        for round_ in range(runs):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                start = time.perf_counter()
                subprocess.run(
                    commands[name],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                )
                times[name].append(time.perf_counter() - start)
        base = statistics.median(times["import_tomllib"])
        row: dict[str, Any] = {
            name: {
                "median_s": round(statistics.median(values), 4),
                "vs_import_tomllib": round(statistics.median(values) / base, 2),
            }
            for name, values in times.items()
        }
        paired = [a / b for a, b in zip(times["console_script"], times["import_tomllib"], strict=True)]
        row["paired_ratio_median"] = round(statistics.median(paired), 2)
        row["runs"] = runs
        row["editable"] = _editable(venv)
        # Set, an editable install compiles progsync's own modules from source on every start.
        row["PYTHONDONTWRITEBYTECODE"] = bool(env.get("PYTHONDONTWRITEBYTECODE"))
        row["within_budget"] = row["console_script"]["vs_import_tomllib"] <= BUDGET_CHECK_VS_TOMLLIB
        out[str(venv)] = row
    return out


PHASES = (
    ("tomllib", "import tomllib"),
    ("dataclasses", "import dataclasses"),
    ("pathlib", "import pathlib"),
    ("cli.runner", "import progsync.sync.cli.runner"),
    ("workouts.errors", "import progsync.workouts.errors"),
    ("settings.config", "import progsync.sync.settings.config"),
    ("workouts.model", "import progsync.workouts.model"),
    ("workouts.plan", "import progsync.workouts.plan"),
    ("app.plans", "import progsync.sync.app.plans"),
    ("workouts.checks", "import progsync.workouts.checks"),
    ("the check", "run()"),
)


def bench_check_phases(runs: int, env: dict[str, str]) -> dict[str, Any]:
    """Where `check examples/week.toml` spends its time: each import in turn, then the check.

    Each row includes what it imports that the rows before did not; best of `runs` processes.
    """
    lines = [
        "import contextlib, io, json, time",
        "def run():",
        "    from progsync.sync.cli.runner import parse_check, run_check",
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):",
        f"        run_check(parse_check(['check', {str(ROOT / 'examples' / 'week.toml')!r}]))",
        "t = [time.perf_counter()]",
    ]
    for _, statement in PHASES:
        lines += [statement, "t.append(time.perf_counter())"]
    lines.append("print(json.dumps([b - a for a, b in zip(t, t[1:])]))")
    code = "\n".join(lines)
    samples = []
    for _ in range(runs):
        result = subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        )
        samples.append(json.loads(result.stdout.splitlines()[-1]))
    best = min(samples, key=sum)
    out = {name: round(seconds * 1000, 1) for (name, _), seconds in zip(PHASES, best, strict=True)}
    out["total"] = round(sum(best) * 1000, 1)
    return out


def print_phases(phases: dict[str, float]) -> None:
    print("check, in process (ms, the fastest of the runs)")
    for name, ms in phases.items():
        print(f"  {name:<16} {ms:6.1f}")


def _editable(venv: Path) -> bool:
    """Whether progsync is installed in `venv` in editable mode (a path hook on every start)."""
    return any(venv.glob("lib/python*/site-packages/__editable__*progsync*"))


def generate_plan(weeks: int, copies: int = 1) -> str:
    """A realistic block: 6 sessions a week with repeats, a progression and a long run.

    `copies` > 1 repeats each week's sessions at other times of day (a squad's or a long
    archive's worth of sessions in one plan), for the scale points beyond 260 weeks.
    """
    head = textwrap.dedent(
        f"""
        [plan]
        name = "Bench {weeks}"
        start = 2027-01-04

        [athlete]
        paces = {{ easy = "5:10-5:30", recovery = "5:40-6:00", marathon = "4:15", half = "4:05", threshold = "3:58", 10k = "3:50", 5k = "3:40" }}
        max_hr = 188
        lthr = 171
        """
    )
    body = []
    for week, copy in ((w, c) for w in range(1, weeks + 1) for c in range(copies)):
        minutes = 40 + week % 4 * 5
        when = f'time = "{6 + copy:02d}:00"\n' if copies > 1 else ""
        body.append(
            textwrap.dedent(
                f"""
                [[session]]
                day = "mon"
                week = {week}
                steps = ["{minutes}min @easy"]

                [[session]]
                day = "tue"
                week = {week}
                name = "Intervals"
                steps = ["warmup 15min @easy", {{ repeat = {4 + week % 3}, steps = ["1km @5k", "2min jog"] }}, "cooldown 10min @easy"]

                [[session]]
                day = "wed"
                week = {week}
                steps = ["{minutes}min @recovery"]

                [[session]]
                day = "thu"
                week = {week}
                name = "Progression"
                progression = {{ duration = "{50 + week % 3 * 5}min", to = "threshold", stages = 3, easy = "50%", warmup = "10min", cooldown = "10min" }}

                [[session]]
                day = "fri"
                week = {week}
                steps = ["35min @easy", {{ repeat = 6, steps = ["20s @5k-10s", "1min jog"] }}]

                [[session]]
                day = "sun"
                week = {week}
                name = "Long run"
                progression = {{ duration = "{80 + week % 4 * 10}min", to = "marathon", stages = 2, easy = "70%" }}
                """
            )
            .replace("[[session]]\n", "[[session]]\n" + when)
            .replace('name = "', f'name = "{copy + 1}. ' if copies > 1 else 'name = "')
        )
    return head + "".join(body)


def bench_scale(sizes: list[int]) -> dict[str, Any]:
    """Compile + coaching checks + all three encoders for plans of up to 10,000 sessions.

    Growth should be linear: the time per session stays flat as the plan grows.
    """
    from progsync.workouts.checks import run_checks
    from progsync.workouts.encode import encode
    from progsync.workouts.plan import compile_plan

    out: dict[str, Any] = {}
    for size in sizes:
        copies = max(1, -(-size // (6 * 260)))
        weeks = min(260, -(-size // (6 * copies)))
        text = generate_plan(weeks, copies)
        best: dict[str, float] = {}
        for _ in range(2):  # the faster of two runs: less noise from whatever else runs
            start = time.perf_counter()
            compiled = compile_plan(text, f"scale-{size}.toml", {})
            compiled_at = time.perf_counter()
            run_checks([compiled])
            checked_at = time.perf_counter()
            for session in compiled.plan.sessions:
                for fmt in ("fit", "garmin-json", "intervals"):
                    encode(session, fmt, max_hr=188)
            done = time.perf_counter()
            run = {
                "compile_s": compiled_at - start,
                "checks_s": checked_at - compiled_at,
                "encode_s": done - checked_at,
                "total_s": done - start,
            }
            if not best or run["total_s"] < best["total_s"]:
                best = run
        sessions = len(compiled.plan.sessions)
        out[str(sessions)] = {
            "sessions": sessions,
            **{key: round(value, 3) for key, value in best.items() if key != "total_s"},
            "us_per_session": round(best["total_s"] / sessions * 1e6),
        }
    per = [row["us_per_session"] for row in out.values()]
    out["linear"] = max(per) <= 1.5 * min(per)
    return out


def bench_compile(weeks_list: list[int]) -> dict[str, Any]:
    from progsync.workouts.checks import run_checks
    from progsync.workouts.encode import encode
    from progsync.workouts.plan import compile_plan

    out: dict[str, Any] = {}
    for weeks in weeks_list:
        text = generate_plan(weeks)
        timings = []
        for _ in range(3):
            start = time.perf_counter()
            compiled = compile_plan(text, f"bench-{weeks}.toml", {})
            warnings = run_checks([compiled])
            for session in compiled.plan.sessions:
                for fmt in ("fit", "garmin-json", "intervals"):
                    encode(session, fmt, max_hr=188)
            timings.append(time.perf_counter() - start)
        out[f"{weeks}_weeks"] = {
            "sessions": len(compiled.plan.sessions),
            "coaching_warnings": len(warnings),
            "seconds": round(min(timings), 4),
        }
    out["within_budget"] = out[f"{max(weeks_list)}_weeks"]["seconds"] < BUDGET_COMPILE_S
    return out


def bench_memory(weeks: int) -> dict[str, Any]:
    code = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from bench.run import generate_plan, peak_kib
        from progsync.workouts.encode import encode
        from progsync.workouts.plan import compile_plan
        compiled = compile_plan(generate_plan({weeks}), "m.toml", {{}})
        for s in compiled.plan.sessions:
            for fmt in ("fit", "garmin-json", "intervals"):
                encode(s, fmt, max_hr=188)
        print(peak_kib())
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    kib = int(result.stdout.strip().splitlines()[-1])
    base = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys; sys.path.insert(0, {str(ROOT)!r}); from bench.run import peak_kib; print(peak_kib())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        "peak_rss_mib": round(kib / 1024, 1),
        "bare_python_rss_mib": round(int(base.stdout.split()[-1]) / 1024, 1),
    }


def peak_kib() -> int:
    """Peak RSS of this process in KiB. Linux: VmHWM (ru_maxrss is inherited across fork+exec)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    import resource

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


def bench_http(sessions_weeks: int = 2) -> dict[str, Any]:
    """Requests per push scenario against the fake servers (first, re-push, edit one, delete one)."""
    from progsync.sync.app.loading import load_plans
    from progsync.sync.app.push import run_push
    from progsync.sync.settings.config import Config
    from tests.support.fake_garmin import FakeGarmin
    from tests.support.fake_http import FakeServer
    from tests.support.fake_intervals import FakeIntervals

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PROGSYNC_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ["PROGSYNC_TODAY"] = "2027-01-01"
        os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.null.Keyring"
        plan = Path(tmp) / "plan.toml"
        base = generate_plan(sessions_weeks)
        edited = base.replace('name = "Long run"', 'name = "Long run, edited"', 1)
        deleted = _drop_session(edited, 'day = "wed"\nweek = 1\n')
        assert edited != base and deleted != base
        for name in ("intervals", "garmin"):
            server: FakeServer
            if name == "intervals":
                server = intervals = FakeIntervals().start()
                os.environ.update(
                    {
                        "PROGSYNC_INTERVALS_URL": intervals.url,
                        "PROGSYNC_INTERVALS_API_KEY": intervals.api_key,
                        "PROGSYNC_INTERVALS_ATHLETE_ID": intervals.athlete_id,
                    }
                )
            else:
                server = garmin = FakeGarmin().start()
                os.environ.update(
                    {"PROGSYNC_GARMIN_URL": garmin.url, "PROGSYNC_GARMIN_TOKENS": garmin.tokens()}
                )
            rows = {}
            for scenario, text in (
                ("first push", base),
                ("re-push", base),
                ("edit one", edited),
                ("delete one", deleted),
            ):
                plan.write_text(text)
                server.log.clear()
                loaded = load_plans([str(plan)], Config())
                start = time.perf_counter()
                outcome = run_push(loaded, [name], Config())
                elapsed = time.perf_counter() - start
                writes = [r for r in server.log if r[0] in ("POST", "PUT", "DELETE")]
                rows[scenario] = {
                    "sessions": len(loaded.sessions),
                    "requests": len(server.log),
                    "writes": len(writes),
                    "reads": len(server.log) - len(writes),
                    "seconds": round(elapsed, 3),
                    "ok": outcome.exit_code == 0,
                }
            server.stop()
            results[name] = rows
    return results


def squad_config(athletes: int) -> str:
    """A coach's config: a roster of `athletes`, each on their own paces and Intervals.icu id."""
    out = ['[intervals]\nathlete_id = "i100"\n']
    for n in range(athletes):
        easy, marathon, fast = 300 + 4 * n, 235 + 3 * n, 200 + 3 * n  # s/km
        paces = ", ".join(
            f'{name} = "{value // 60}:{value % 60:02d}"'
            for name, value in (
                ("easy", easy),
                ("recovery", easy + 30),
                ("marathon", marathon),
                ("half", marathon - 8),
                ("threshold", marathon - 15),
                ("10k", fast + 10),
                ("5k", fast),
            )
        )
        out.append(
            f'[athletes.a{n:02d}]\npaces = {{ {paces} }}\nmax_hr = {200 - n % 15}\n'
            f'intervals = "i{300 + n}"\n'
        )
    return "\n".join(out)


def squad_plan(weeks: int) -> str:
    """`generate_plan` without its own [athlete] table: every athlete's profile applies."""
    text = generate_plan(weeks)
    head, _, rest = text.partition("[athlete]")
    return head + "[[session]]" + rest.split("[[session]]", 1)[1]


def bench_squad(athletes: int = 20, weeks: int = 2) -> dict[str, Any]:
    """Coach mode: `push --to intervals --athlete all` for a squad, from scratch and again.

    The same loop as the CLI's (`squad.members`, then compile and push per athlete), against
    the fake Intervals.icu on the real clock, so the pacing waits are spent as on the live
    service. Each request's arrival is stamped at the server: the busiest second of the run is
    what Intervals.icu's limit (about 10 requests per second per IP) would see.
    """
    from progsync.sync.app.loading import load_plans
    from progsync.sync.app.push import run_push
    from progsync.sync.app.squad import members
    from progsync.sync.services.http import SystemClock, use_clock
    from progsync.sync.settings.config import load_config
    from tests.support.fake_intervals import FakeIntervals

    class Stamped(FakeIntervals):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.stamps: list[float] = []

        def check_auth(self, headers: Any, path: str) -> tuple[int, Any] | None:
            with self.lock:
                self.stamps.append(time.monotonic())
            return super().check_auth(headers, path)

    ids = tuple(f"i{300 + n}" for n in range(athletes))
    previous_clock = use_clock(SystemClock())
    results: dict[str, Any] = {"athletes": athletes}
    with tempfile.TemporaryDirectory() as tmp:
        server = Stamped(athlete_id="i100", coached=ids).start()
        os.environ.update(
            {
                "PROGSYNC_DATA_DIR": str(Path(tmp) / "data"),
                "PROGSYNC_STATE_DIR": str(Path(tmp) / "state"),
                "PROGSYNC_TODAY": "2027-01-01",
                "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
                "PROGSYNC_INTERVALS_URL": server.url,
                "PROGSYNC_INTERVALS_API_KEY": server.api_key,
                "PROGSYNC_INTERVALS_ATHLETE_ID": "i100",
            }
        )
        config_path = Path(tmp) / "config.toml"
        config_path.write_text(squad_config(athletes))
        plan = Path(tmp) / "block.toml"
        plan.write_text(squad_plan(weeks))
        for scenario in ("first push", "re-push"):
            server.log.clear()
            server.stamps.clear()
            wall, cpu = time.perf_counter(), time.thread_time()
            process_cpu = time.process_time()
            config = load_config(config_path)
            ok = True
            sessions = 0
            for _, member_config in members(config, ["all"]):
                loaded = load_plans([str(plan)], member_config)
                sessions += len(loaded.sessions)
                ok = run_push(loaded, ["intervals"], member_config).exit_code == 0 and ok
            wall = time.perf_counter() - wall
            cpu = time.thread_time() - cpu
            process_cpu = time.process_time() - process_cpu
            per_athlete: dict[str, int] = {}
            for _, path, _, _ in server.log:
                athlete = path.split("/")[4]
                per_athlete[athlete] = per_athlete.get(athlete, 0) + 1
            writes = [r for r in server.log if r[0] in ("POST", "PUT", "DELETE")]
            stamps = sorted(server.stamps)
            busiest = max(
                (sum(1 for t in stamps[i:] if t < start + 1.0) for i, start in enumerate(stamps)),
                default=0,
            )
            gaps = [b - a for a, b in itertools.pairwise(stamps)]
            results[scenario] = {
                "sessions": sessions,
                "requests": len(server.log),
                "writes": len(writes),
                "requests_per_athlete": sorted(set(per_athlete.values())),
                "athletes_reached": len(per_athlete),
                "busiest_second_requests": busiest,
                "min_gap_s": round(min(gaps), 4) if gaps else None,
                "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3),
                "process_cpu_s": round(process_cpu, 3),
                "events_stored": sum(len(server.calendar(i)) for i in ids),
                "ok": ok and not server.validation_errors,
            }
        server.stop()
    use_clock(previous_clock)
    return results


def _drop_session(text: str, marker: str) -> str:
    """The plan without the [[session]] table that contains `marker`."""
    parts = text.split("[[session]]")
    kept = [p for p in parts if marker not in p]
    return "[[session]]".join(kept)


PARTS = ("startup", "ratio", "phases", "compile", "scale", "memory", "http", "squad")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "latest.json"))
    parser.add_argument(
        "--only",
        action="append",
        choices=PARTS,
        help="run only this part (repeatable); the report then holds only those parts",
    )
    parser.add_argument(
        "--venv",
        action="append",
        type=Path,
        help="the `ratio` part measures this environment's console script too (repeatable; "
        "default: only the running one), e.g. a non-editable `pip install .`",
    )
    args = parser.parse_args()
    env = {**os.environ, "PROGSYNC_CONFIG": os.devnull if os.name != "nt" else "NUL"}
    env["PROGSYNC_CONFIG"] = str(Path(tempfile.mkdtemp()) / "none.toml")
    Path(env["PROGSYNC_CONFIG"]).write_text("")
    runs = 7 if args.quick else 21
    parts: dict[str, Any] = {
        "startup": lambda: bench_startup(runs, env),
        "ratio": lambda: bench_check_ratio(21, env, [Path(sys.prefix), *(args.venv or [])]),
        "phases": lambda: bench_check_phases(11, env),
        "compile": lambda: bench_compile([13, 26, 52]),
        "scale": lambda: bench_scale([1250, 2500, 5000, 10000] if not args.quick else [1250, 5000]),
        "memory": lambda: bench_memory(52),
        "http": bench_http,
        "squad": bench_squad,
    }
    report: dict[str, Any] = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
        },
    }
    for name in PARTS:
        if not args.only or name in args.only:
            report[name] = parts[name]()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print_table(report)
    print(f"\nsaved {out}")
    return 0


def print_table(report: dict[str, Any]) -> None:
    if "startup" in report:
        print_startup(report)
    if "ratio" in report:
        print_ratio(report["ratio"])
    if "phases" in report:
        print_phases(report["phases"])
    if "compile" in report:
        print_compile(report)
    if "scale" in report:
        print_scale(report)
    if "memory" in report:
        print_memory(report)
    if "http" in report:
        print_http(report)
    if "squad" in report:
        print_squad(report["squad"])


def print_squad(squad: dict[str, Any]) -> None:
    print(f"coach mode: {squad['athletes']} athletes, push --to intervals --athlete all")
    for scenario in ("first push", "re-push"):
        row = squad[scenario]
        print(
            f"  {scenario:<11} {row['sessions']:4d} sessions: {row['requests']:3d} requests"
            f" ({row['writes']} writes; {'/'.join(map(str, row['requests_per_athlete']))} per athlete),"
            f" busiest second {row['busiest_second_requests']} requests,"
            f" wall {row['wall_s']:.2f} s, CPU {row['cpu_s']:.2f} s"
        )


def print_startup(report: dict[str, Any]) -> None:
    s = report["startup"]
    print(f"start-up (median; bare python {s['bare_python_s'] * 1000:.0f} ms)")
    names = (
        "help",
        "check",
        "check_via_click",
        "show",
        "import_tomllib",
        "import_tomllib_dataclasses",
    )
    for name in names:
        print(f"  {name:<27} {s[name]['median_s'] * 1000:6.0f} ms   {s[name]['ratio']:4.1f}x bare")
    print(f"  check within {BUDGET_STARTUP_RATIO}x budget: {s['check_within_budget']}")
    print(f"  check vs `import tomllib` alone: {s['check_vs_import_tomllib']}x")


def print_ratio(ratio: dict[str, Any]) -> None:
    for venv, row in ratio.items():
        kind = "editable" if row["editable"] else "installed"
        print(f"check vs `import tomllib`, {row['runs']} alternating runs, {venv} ({kind})")
        for name in ("console_script", "python_m", "entry_function", "import_tomllib", "bare_python"):
            print(
                f"  {name:<16} {row[name]['median_s'] * 1000:6.1f} ms"
                f"   {row[name]['vs_import_tomllib']:4.2f}x import tomllib"
            )
        if row["editable"] and row["PYTHONDONTWRITEBYTECODE"]:
            print("  (PYTHONDONTWRITEBYTECODE is set: without cached bytecode this is not a user's start)")
        print(
            f"  paired ratio (median of per-round console/tomllib): {row['paired_ratio_median']}x;"
            f" within {BUDGET_CHECK_VS_TOMLLIB}x: {row['within_budget']}"
        )


def print_compile(report: dict[str, Any]) -> None:
    print("compile + check + encode all three formats")
    for key, row in report["compile"].items():
        if isinstance(row, dict):
            print(f"  {key:<9} {row['sessions']:4d} sessions  {row['seconds'] * 1000:7.1f} ms")
    print(f"  under {BUDGET_COMPILE_S}s: {report['compile']['within_budget']}")


def print_scale(report: dict[str, Any]) -> None:
    print("scale: compile + checks + encode, time per session")
    for row in report["scale"].values():
        if isinstance(row, dict):
            print(
                f"  {row['sessions']:6d} sessions  compile {row['compile_s']:6.2f} s  checks {row['checks_s']:5.2f} s"
                f"  encode {row['encode_s']:6.2f} s  {row['us_per_session']:5d} µs/session"
            )
    print(f"  linear (µs/session within 1.5x): {report['scale']['linear']}")


def print_memory(report: dict[str, Any]) -> None:
    m = report["memory"]
    print(f"memory: peak RSS {m['peak_rss_mib']} MiB (bare python {m['bare_python_rss_mib']} MiB)")


def print_http(report: dict[str, Any]) -> None:
    print("HTTP requests per push")
    for name, rows in report["http"].items():
        for scenario, row in rows.items():
            print(
                f"  {name:<10} {scenario:<11} {row['sessions']:3d} sessions: {row['requests']:3d} requests ({row['writes']} writes, {row['reads']} reads)"
            )


if __name__ == "__main__":
    raise SystemExit(main())
