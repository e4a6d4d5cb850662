"""Every TOML example of the docs (docs/*.md and the README) passes `progsync check --strict`
with the docs' own paces (issue 26): the examples a new user copies are plans that work.

Fragments are completed the way the docs present them: step strings go into a `steps` list,
a `steps` or `progression` line into a session, a `[checks]` table into the docs' own plan,
and the config examples (`[intervals]`, `[athletes.*]`) are loaded as the config of a plan.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import run_cli
from .support import ROOT

DOCS = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
#: The docs' own athlete (docs/dsl.md, the first example).
PACES = 'paces = { easy = "5:10-5:30", marathon = "4:15", half = "4:05", threshold = "3:58", 10k = "3:50", 5k = "3:40" }'
PLAN_HEAD = '[plan]\nname = "Docs example"\nstart = 2026-11-23\n'
ATHLETE = f"\n[athlete]\n{PACES}\nmax_hr = 188\nlthr = 171\n"
SESSION = '\n[[session]]\nday = "wed"\nname = "Easy run"\nsteps = ["45min @easy"]\n'


def _blocks() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for match in re.finditer(r"```toml\n(.*?)```", text, re.S):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{doc.relative_to(ROOT)}:{line}", match.group(1)))
    return found


def _is_config(block: str) -> bool:
    return bool(re.search(r"^\[(intervals|garmin|athletes\.|push|folder)", block, re.M))


def _as_plans(block: str) -> list[str]:
    """A docs block completed into plan files, as the docs around it describe it: a list of
    step strings is a list of examples, each its own one-step session."""
    lines = block.strip().splitlines()
    if lines[0].startswith('"'):
        return [
            PLAN_HEAD + ATHLETE + f'\n[[session]]\nday = "tue"\nname = "Step"\nsteps = [{step}]\n'
            for step in (re.sub(r"\s+#.*$", "", line) for line in lines)
        ]
    return [_as_plan(block)]


def _as_plan(block: str) -> str:
    """A docs block completed into a plan file, as the docs around it describe it."""
    lines = block.strip().splitlines()
    if re.match(r"(steps|progression) =", lines[0]):
        return PLAN_HEAD + ATHLETE + '\n[[session]]\nday = "tue"\nname = "Example"\n' + block
    if lines[0].startswith("[checks"):
        return PLAN_HEAD + ATHLETE + SESSION + "\n" + block
    plan = block
    if "[plan]" not in plan:
        plan = PLAN_HEAD + plan
    elif "start =" not in plan:
        plan = plan.replace("[plan]\n", "[plan]\nstart = 2026-11-23\n", 1)
    if "[athlete]" not in plan and "athletes =" not in plan:
        plan += ATHLETE
    if "[[session]]" not in plan and "[workout." not in plan:
        plan += SESSION
    return plan


CASES = _blocks()


def test_the_docs_have_toml_examples() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize(("where", "block"), CASES, ids=[where for where, _ in CASES])
def test_a_docs_example_passes_check_strict(tmp_path: Path, where: str, block: str) -> None:
    config = tmp_path / "config.toml"
    plan = tmp_path / "plan.toml"
    doc = where.split(":")[0]
    extra: list[str] = []
    if _is_config(block):
        config.write_text(block, encoding="utf-8")
        if "[athletes." in block:
            # A coach's roster: the plan is checked for every athlete, with their own paces.
            plan.write_text(PLAN_HEAD + SESSION, encoding="utf-8")
            extra = ["--athlete", "all"]
        else:
            plan.write_text(PLAN_HEAD + ATHLETE + SESSION, encoding="utf-8")
    else:
        # A plan in a doc that also shows a config (a coach's roster) is checked with it.
        roster = next((b for w, b in CASES if w.startswith(doc + ":") and _is_config(b)), "")
        config.write_text(roster, encoding="utf-8")
        plans = _as_plans(block)
        for text in plans[1:]:
            plan.write_text(text, encoding="utf-8")
            _check(where, config, plan, extra)
        plan.write_text(plans[0], encoding="utf-8")
    _check(where, config, plan, extra)


def _check(where: str, config: Path, plan: Path, extra: list[str]) -> None:
    result = run_cli("--config", str(config), "check", "--strict", *extra, str(plan))
    assert result.returncode == 0, f"{where}\n{plan.read_text()}\n{result.stdout}{result.stderr}"
    assert "warning" not in result.stderr, result.stderr


@pytest.mark.parametrize("example", sorted((ROOT / "examples").glob("*.toml")), ids=lambda p: p.name)
def test_an_example_plan_passes_check_strict(tmp_path: Path, example: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("", encoding="utf-8")
    _check(example.name, config, example, [])
