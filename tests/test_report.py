"""`progsync report`: the page's content from the model, and what a person sees in a browser.

The first half reads the view model and the HTML; the second renders the example week and the
16-week example block in headless Chromium (Debian's `chromium` and `chromium-driver`, driven by
selenium) at a phone's and a desktop's width and checks what a reader would: one card per
session, a progression card that climbs in as many stages as the plan has, nothing wider than
the page, no console errors. Without Chromium the browser tests are skipped on a developer's
machine and fail under CI (`CI=1`, set by `.ci/run`, which installs it).

`PROGSYNC_SCREENSHOTS=docs/img pytest tests/test_report.py` refreshes the screenshots in docs/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from progsync.sync.app.loading import load_plans
from progsync.sync.settings.config import Config
from progsync.sync.views.report import build_view, render_report

from .conftest import WEEK_FIXTURE, run_cli
from .support import EXAMPLES

WEEK = WEEK_FIXTURE
BLOCK = EXAMPLES / "block.toml"


def _view(path: Path) -> Any:
    return build_view(load_plans([str(path)], Config()))


def _card(view: Any, name: str) -> Any:
    cards = [c for w in view.weeks for d in w.days for c in d.cards if c.name == name]
    assert cards, name
    return cards[0]


# -- content ----------------------------------------------------------------------------------
def test_report_command_writes_one_card_per_session(tmp_path: Path) -> None:
    out = tmp_path / "week.html"
    result = run_cli("report", str(WEEK), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert f"wrote {out}" in result.stdout
    html = out.read_text(encoding="utf-8")
    assert html.count('<article class="card') == 6
    assert "Run2PB progression" in html and "Base block" in html


def test_default_output_is_named_after_the_plan_file(tmp_path: Path) -> None:
    result = run_cli("report", str(EXAMPLES / "week.toml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "week.html").is_file()


def test_page_is_self_contained() -> None:
    html = render_report(load_plans([str(BLOCK)], Config()))
    for needle in ("<script", "src=", "href=", "url(", "@import", "http://", "https://", "<link"):
        assert needle not in html, needle


def test_progression_card_climbs_in_its_stages() -> None:
    card = _card(_view(WEEK), "Run2PB progression")
    assert card.progression
    zones = [bar.zone for bar in card.bars]
    assert zones == [1, 2, 3, 3, 4, 1]  # warm-up, 4:30, 4:20, 4:10, 4:00, cool-down
    stages = [bar.height for bar in card.bars[1:5]]
    assert stages == sorted(stages) and len(set(stages)) == 4
    assert card.bars[0].height < stages[0]
    # every step is written out with its zone label too, not only coloured
    assert [line.label for line in card.lines] == ["Z1", "Z2", "Z3", "Z3", "Z4", "Z1"]
    assert "10min 4:35-4:25/km (4:30)" in card.lines[1].text


def test_profile_widths_follow_time() -> None:
    card = _card(_view(WEEK), "Run2PB progression")
    widths = [bar.width for bar in card.bars]  # 15, 10, 10, 10, 10, 10 minutes
    assert widths[0] == pytest.approx(1.5 * widths[1], abs=0.05)
    assert sum(widths) == pytest.approx(240, abs=0.1)


def test_repeats_are_written_as_such() -> None:
    card = _card(_view(WEEK), "5 x 1 km")
    texts = [(line.depth, line.text) for line in card.lines]
    assert (0, "5×") in texts
    assert any(depth == 1 and text.startswith("1km 3:45-3:35/km") for depth, text in texts)
    assert [bar.zone for bar in card.bars].count(5) == 5  # the five reps, unrolled


def test_week_totals_and_legend() -> None:
    view = _view(WEEK)
    (week,) = view.weeks
    assert week.duration == "6:03:40"
    assert week.easy_share == pytest.approx(0.76, abs=0.01)
    assert view.columns[0] == "Mon"
    assert ("marathon", "4:20–4:10/km", "Z3") in view.paces
    assert [z for z, _ in view.hr_zones] == ["Z1", "Z2", "Z3", "Z4", "Z5"]


def test_block_marks_down_and_race_weeks() -> None:
    view = _view(BLOCK)
    assert len(view.weeks) == 16
    assert [w.number for w in view.weeks if w.down] == [4, 8, 12, 16]
    assert [w.number for w in view.weeks if w.race] == [16]
    assert [bar.mark for bar in view.chart][15] == "race down"
    assert not view.loose and not any(w.warnings for w in view.weeks)  # the example is clean


def test_week_warnings_sit_beside_their_week(tmp_path: Path) -> None:
    plan = tmp_path / "block.toml"
    race = '"warmup 20min @easy", "10km @10k -- even pace, strong last 2 km", "cooldown 15min @easy"'
    text = BLOCK.read_text(encoding="utf-8")
    assert race in text
    plan.write_text(text.replace(race, race.replace("20min", "10min").replace("15min", "5min")))
    view = _view(plan)
    assert [w.code for w in view.weeks[15].warnings] == ["easy-share"]
    assert not any(w.warnings for w in view.weeks[:15]) and not view.loose
    html = render_report(load_plans([str(plan)], Config()))
    week16 = html[html.index('id="week-16"') :]
    assert html.count("<b>easy-share</b>") == 1 and "<b>easy-share</b>" in week16


def test_session_warnings_sit_on_their_card(tmp_path: Path) -> None:
    plan = tmp_path / "jump.toml"
    plan.write_text(
        WEEK.read_text(encoding="utf-8").replace('"10min @4:20"', '"10min @3:40"'),
        encoding="utf-8",
    )
    view = _view(plan)
    card = _card(view, "Run2PB progression")
    assert "progression-gradual" in [w.code for w in card.warnings]
    html = render_report(load_plans([str(plan)], Config()))
    assert "progression-gradual" in html


def test_miles_plan_reads_in_miles(tmp_path: Path) -> None:
    plan = tmp_path / "miles.toml"
    plan.write_text(
        '[plan]\nname = "Miles"\nstart = 2026-11-23\nunits = "mi"\n'
        '[athlete]\npaces = { easy = "8:30-9:00", marathon = "7:00" }\n'
        '[[session]]\nday = "tue"\nname = "Tempo"\nsteps = ["2mi @easy", "3mi @marathon"]\n',
        encoding="utf-8",
    )
    view = _view(plan)
    card = _card(view, "Tempo")
    assert card.distance == "5.0 mi"
    html = render_report(load_plans([str(plan)], Config()))
    assert "Paces (per mile)" in html and "/mi" in html and "/km" not in html


def test_a_year_of_training_stays_a_few_hundred_kb(tmp_path: Path) -> None:
    plan = tmp_path / "year.toml"
    made = run_cli(
        "new", "block", "--weeks", "52", "--runs", "6", "--start", "2027-01-04",
        "--race", "10k 41:30", "-o", str(plan),
    )
    assert made.returncode == 0, made.stderr
    out = tmp_path / "year.html"
    assert run_cli("report", str(plan), "-o", str(out)).returncode == 0
    html = out.read_text(encoding="utf-8")
    assert html.count('<article class="card') == 52 * 6
    assert len(html.encode()) < 500_000


def test_bad_plan_gets_a_located_error_and_no_page(tmp_path: Path) -> None:
    plan = tmp_path / "bad.toml"
    plan.write_text('[plan]\nname = "X"\n[[session]]\ndate = 2026-12-01\nname = "R"\nsteps = ["10 min @eazy"]\n')
    out = tmp_path / "bad.html"
    result = run_cli("report", str(plan), "-o", str(out))
    assert result.returncode == 2
    assert "bad.toml:6" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()



# -- what was run, over the plan ----------------------------------------------------------------
ACTIVITIES = Path(__file__).parent / "fixtures" / "activities" / "week"
TICKS = re.compile(r'<line class="actual ?(\w*)" x1="([\d.]+)" y1="([\d.]+)"')


def _reviewed(tmp_path: Path) -> Path:
    out = tmp_path / "run.html"
    result = run_cli("report", str(WEEK), "--from", f"folder:{ACTIVITIES}", "-o", str(out),
                     env={"PROGSYNC_TODAY": "2026-12-10"})
    assert result.returncode == 0, result.stderr
    return out


def _article(html: str, name: str) -> str:
    start = html.index(f"<h3>{name}</h3>")
    return html[start : html.index("</article>", start)]


def test_report_from_activities_draws_what_was_run(tmp_path: Path) -> None:
    html = _reviewed(tmp_path).read_text(encoding="utf-8")
    progression = _article(html, "Run2PB progression")
    assert "<b>done</b> · ran 1:05:00 · 14.1 km at 4:37/km · a progression run" in progression
    ticks = TICKS.findall(progression)
    assert [mark for mark, _, _ in ticks] == ["in"] * 6, "one line per step, each on target"
    heights = [float(y) for _, _, y in ticks[1:5]]  # the four stages: each higher (faster)
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 4, ticks
    intervals = _article(html, "5 x 1 km")
    assert "fast" in [mark for mark, _, _ in TICKS.findall(intervals)]
    easy = _article(html, "Easy run")
    assert len(TICKS.findall(easy)) == 12, "run by feel: one line per split"
    recovery = _article(html, "Recovery run")
    assert "<b>missed</b> · no activity found" in recovery and not TICKS.findall(recovery)
    assert "on Sat 28 Nov" in _article(html, "Long run, fast finish")
    assert "<b>partial</b>" in _article(html, "Easy run + strides")
    assert "pace actually run" in html
    assert re.search(r'<h2 class="actual">Run</h2><dl><dt>ran</dt><dd>5:52:50</dd><dt>distance</dt><dd>83.0 km</dd>', html)
    plain = tmp_path / "plain.html"
    assert run_cli("report", str(WEEK), "-o", str(plain)).returncode == 0
    assert 'class="actual' not in plain.read_text() and "pace actually run" not in plain.read_text()


def test_report_from_a_bad_source_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("report", str(WEEK), "--from", "strava", "-o", str(tmp_path / "x.html"))
    assert result.returncode == 2 and "unknown activity source 'strava'" in result.stderr, result.stderr
    assert not (tmp_path / "x.html").exists()

# -- in a real browser ------------------------------------------------------------------------
def _browser_or_skip() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if chromium and driver:
        return chromium, driver
    if os.environ.get("CI"):
        pytest.fail("CI needs chromium and chromedriver for the report's browser test")
    pytest.skip("chromium and chromedriver are not installed (apt install chromium chromium-driver)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium, driver_path = _browser_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


OVERFLOW_JS = """
const vw = document.documentElement.clientWidth;
const out = [];
for (const el of document.querySelectorAll('body *')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.right > vw + 0.5 || r.left < -0.5) out.push('outside: ' + el.tagName + ' ' + (el.id || ''));
}
for (const el of document.querySelectorAll('.card, .sum, .panel, .day')) {
  if (el.scrollWidth > el.clientWidth + 1) out.push('spills: ' + el.className + ' ' + (el.id || ''));
}
return {scroll: document.documentElement.scrollWidth, vw: vw, bad: out.slice(0, 10)};
"""

STAGES_JS = """
const card = document.getElementById(arguments[0]);
return Array.from(card.querySelectorAll('svg.profile rect')).map(r => {
  const box = r.getBoundingClientRect();
  return [r.getAttribute('class'), box.width, box.height];
});
"""


def _show(driver: Any, page: Path, width: int, shot: Path, tallest: int = 6000) -> dict[str, Any]:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 600},
    )
    driver.get(page.as_uri())
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": min(int(height), tallest), "deviceScaleFactor": 1,
         "mobile": width < 600},
    )
    driver.save_screenshot(str(shot))
    result: dict[str, Any] = driver.execute_script(OVERFLOW_JS)
    return result


def _console_errors(driver: Any) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def _keep(shot: Path, name: str) -> None:
    folder = os.environ.get("PROGSYNC_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, Path(folder) / name)


@pytest.mark.parametrize("width", [390, 1280])
def test_week_in_a_browser(browser: Any, tmp_path: Path, width: int) -> None:
    page = tmp_path / "week.html"
    assert run_cli("report", str(WEEK), "-o", str(page)).returncode == 0
    shot = tmp_path / f"week-{width}.png"
    layout = _show(browser, page, width, shot)
    assert layout["bad"] == [] and layout["scroll"] <= layout["vw"], layout
    assert _console_errors(browser) == []
    cards = browser.find_elements("css selector", "article.card")
    assert len(cards) == 6 and all(c.is_displayed() for c in cards)
    progression = browser.find_element("css selector", "article.card.progression")
    bars = browser.execute_script(STAGES_JS, progression.get_attribute("id"))
    stages = [h for cls, w, h in bars if cls != "z1"]
    assert len(stages) == 4 and stages == sorted(stages) and len(set(stages)) == 4, bars
    assert all(w > 1 for _, w, _ in bars)  # every step is visible at this width
    assert shot.stat().st_size > 10_000
    _keep(shot, "report-week.png" if width == 1280 else "report-week-phone.png")


@pytest.mark.parametrize("width", [390, 1280])
def test_block_in_a_browser(browser: Any, tmp_path: Path, width: int) -> None:
    page = tmp_path / "block.html"
    assert run_cli("report", str(BLOCK), "-o", str(page)).returncode == 0
    shot = tmp_path / f"block-{width}.png"
    layout = _show(browser, page, width, shot, tallest=1700)
    assert layout["bad"] == [] and layout["scroll"] <= layout["vw"], layout
    assert _console_errors(browser) == []
    assert len(browser.find_elements("css selector", "article.card")) == 80
    assert len(browser.find_elements("css selector", "section.week")) == 16
    first = browser.find_elements("css selector", "article.card.progression")[0]
    bars = browser.execute_script(STAGES_JS, first.get_attribute("id"))
    assert len([b for b in bars if b[0] != "z1"]) == 2, bars  # `stages = 2` in week 1
    marks = [t.text for t in browser.find_elements("css selector", "#volume text.mark")]
    assert marks == ["down", "down", "down", "race down"]
    if width == 1280:
        _keep(shot, "report-block.png")


def test_print_layout_keeps_every_card(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "week.html"
    assert run_cli("report", str(WEEK), "-o", str(page)).returncode == 0
    browser.get(page.as_uri())
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        visible = [c.is_displayed() for c in browser.find_elements("css selector", "article.card")]
        pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": True})
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert visible == [True] * 6
    assert len(pdf["data"]) > 10_000
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", pdf["data"][:200])


def test_down_weeks_follow_the_down_week_rules_own_setting(tmp_path: Path) -> None:
    plan = tmp_path / "block.toml"
    plan.write_text(BLOCK.read_text(encoding="utf-8") + '\n[checks.down-week]\nmin_drop = "30%"\n')
    view = _view(plan)  # the down weeks of the example drop 25% under the peak: no longer enough
    assert [w.number for w in view.weeks if w.down] == []



@pytest.mark.parametrize("width", [390, 1280])
def test_reviewed_week_in_a_browser(browser: Any, tmp_path: Path, width: int) -> None:
    page = _reviewed(tmp_path)
    shot = tmp_path / f"run-{width}.png"
    layout = _show(browser, page, width, shot)
    assert layout["bad"] == [] and layout["scroll"] <= layout["vw"], layout
    assert _console_errors(browser) == []
    lines = browser.find_elements("css selector", "svg.profile line.actual")
    assert len(lines) == 38, "37 over the sessions, 1 on the unplanned ride's card"
    assert all(line.rect["width"] > 0 for line in lines), "a 20 s stride is a sliver, but there"
    stages = browser.find_elements("css selector", "article.card.progression svg.profile line.actual")
    assert stages and all(line.rect["width"] > 5 for line in stages[:6])
    tops = [line.rect["y"] for line in stages[1:5]]
    assert tops == sorted(tops, reverse=True), "the stages run faster, drawn higher"
    if width == 1280:
        _keep(shot, "report-review.png")


def test_an_unplanned_run_has_a_card_on_its_day(tmp_path: Path) -> None:
    # half-build week 1 as run (tests/fixtures/activities/moved): a 15-minute shakeout on
    # Saturday that no session accounts for counts in the week's total, so it gets a card
    out = tmp_path / "half.html"
    fixtures = Path(__file__).parent / "fixtures" / "activities"
    result = run_cli("report", str(fixtures / "half-build.toml"), "--from", f"folder:{fixtures / 'moved'}",
                     "-o", str(out), env={"PROGSYNC_TODAY": "2026-12-20"})
    assert result.returncode == 0, result.stderr
    html = out.read_text(encoding="utf-8")
    card = _article(html, "Unplanned run")
    assert 'data-date="2026-12-05"' in html[html.rindex("<article", 0, html.index("<h3>Unplanned run</h3>")):]
    assert "<b>unplanned</b> · ran 15:00 · 2.7 km at 5:30/km" in card
    assert len(TICKS.findall(card)) == 3, "one line per split"
    assert html.count("<h3>Unplanned run</h3>") == 1


def test_open_without_a_browser_says_so_and_gives_the_page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # webbrowser.open returns False when no browser can be started (Python docs, webbrowser).
    import webbrowser

    opened: list[str] = []

    def no_browser(url: str, *args: object, **kwargs: object) -> bool:
        opened.append(url)
        return False

    monkeypatch.setattr(webbrowser, "open", no_browser)
    out = tmp_path / "hm.html"
    result = run_cli("report", str(WEEK), "-o", str(out), "--open")
    assert result.returncode == 0, result.stderr
    assert opened == [out.resolve().as_uri()]
    assert "no browser could be opened" in result.stderr
    assert out.resolve().as_uri() in result.stderr


def test_open_with_a_browser_says_nothing_more(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url, *a, **k: True)
    result = run_cli("report", str(WEEK), "-o", str(tmp_path / "hm.html"), "--open")
    assert result.returncode == 0, result.stderr
    assert "no browser" not in result.stderr


def test_docs_zone_table_puts_10k_pace_where_the_report_does() -> None:
    # docs/report.md's zone table and the report's legend chip (workouts/effort.py) must agree.
    view = _view(WEEK)
    chip = next(zone for name, _, zone in view.paces if name == "10k")
    docs = (Path(__file__).parent.parent / "docs" / "report.md").read_text(encoding="utf-8")
    rows = [line for line in docs.splitlines() if line.startswith("| Z") and "10k" in line]
    assert len(rows) == 1, rows
    assert rows[0].startswith(f"| {chip} "), (chip, rows[0])
    assert "5k pace and faster" in next(r for r in docs.splitlines() if r.startswith("| Z5"))
