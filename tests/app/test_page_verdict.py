"""The workbench's first ten seconds, in a real browser: the verdict strip in the first screen,
the risks beside their no-pact values, plain labels, a preset change that clears the old state,
honest slider readouts, errors beside the input, and the scenario in the URL."""
from __future__ import annotations

import shutil

import pytest

from tests.app.live_server import live_server

pytestmark = pytest.mark.browser
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def server():
    with live_server(max_paths=10_000) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=ARGS)
        yield b
        b.close()


def _ready(page, timeout: int = 120_000) -> None:
    page.wait_for_function("document.getElementById('verdict').dataset.verdict !== ''",
                           timeout=timeout)


def test_the_verdict_comes_first_with_its_baselines(server, browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/?pact=korea-final-2025-11&paths=500", wait_until="networkidle")
    _ready(page)
    strip = page.locator("#verdict")
    assert strip.get_attribute("data-verdict") in {"both_gain", "investor_behind", "host_behind",
                                                   "both_behind"}
    box = strip.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 800     # inside the first screen
    sentence = strip.locator(".sentence").inner_text()
    assert sentence.startswith("Korea comes out") and "no pact:" in sentence
    crisis = page.locator('#verdict [data-number="p_crisis"]')
    assert float(crisis.get_attribute("data-baseline")) >= 0.0
    assert "tariffs as of 2026-10-09" in strip.locator(".meta").inner_text()
    assert "assumed terms" in strip.locator(".meta").inner_text()
    for key in ("fx.p_crisis", "fx.p_ara_below_80", "fx.min_ara_p50"):   # every risk cell
        cell = page.locator(f'td[data-metric="{key}"]')
        assert cell.get_attribute("data-baseline") not in (None, "")
        assert "(no pact:" in cell.inner_text()
    first = page.locator("#headline tbody tr th").first
    assert first.inner_text().startswith("Investor's gain over no deal")
    assert first.get_attribute("title") == "investor gain vs no deal, mean"
    # readouts in the pact's own units, not the slider's steps
    assert page.locator('[data-for="mou_cash_share"]').inner_text() == "57.1%"
    assert page.locator('[data-for="schedule.annual_cap"]').inner_text() == "$20B a year"
    assert page.locator('[data-for="tariffs.deal.general"]').inner_text() == "15%"
    gains = page.evaluate("document.getElementById('chart-gains').data.map(t => t.x.at(-1))")
    assert gains == ["total", "total"]                              # a total bar in each panel
    scales = page.evaluate("(() => { const l = document.getElementById('chart-gains').layout;"
                           " return [l.yaxis.range, l.yaxis2.range]; })()")
    assert scales[0] == scales[1]                                   # one scale across panels
    modes = page.evaluate("document.getElementById('chart-reserves').data.map(t => t.mode)")
    assert set(modes) == {"lines"}                                  # no stray markers
    # how sure: the small robust design's shares, in the strip
    page.wait_for_function("document.querySelector('#verdict .robust').dataset.robust !== ''",
                           timeout=300_000)
    import json
    shares = json.loads(page.locator("#verdict .robust").get_attribute("data-robust"))
    assert {"investor_gain_positive", "host_gain_positive"} <= set(shares)
    assert all(v is None or 0.0 <= v <= 1.0 for v in shares.values())
    assert "Korea ahead in" in page.locator("#verdict .robust").inner_text()
    assert errors == []


def test_a_preset_change_clears_pins_and_the_url_reproduces_the_view(server, browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.goto(f"{server}/?pact=korea-final-2025-11&paths=500", wait_until="networkidle")
    _ready(page)
    cap = page.locator('input[name="schedule.annual_cap"]')
    cap.fill("40")
    page.wait_for_function("location.search.includes('annual_cap')", timeout=120_000)
    page.wait_for_function("!document.getElementById('status').textContent.startsWith('simulating')",
                           timeout=120_000)
    assert page.locator('[data-for="schedule.annual_cap"]').inner_text() == "$40B a year"
    page.locator("#pin").click()
    assert page.locator("#pinned-head").inner_text() == "pinned: schedule.annual_cap=40.0" or \
        page.locator("#pinned-head").inner_text().startswith("pinned: schedule.annual_cap=40")
    link = page.url
    value = page.locator('td[data-metric="investor.peak_call"]').get_attribute("data-value")
    # the link, opened afresh, gives the same view
    other = browser.new_page(viewport={"width": 1366, "height": 800})
    other.goto(link, wait_until="networkidle")
    _ready(other)
    other.wait_for_function("document.querySelector('td[data-metric=\"investor.peak_call\"]')"
                            ".dataset.value !== ''", timeout=120_000)
    assert other.locator('input[name="schedule.annual_cap"]').input_value() == "40"
    assert other.locator('td[data-metric="investor.peak_call"]').get_attribute("data-value") == value
    # a new preset clears the pin
    page.locator("#preset").select_option("japan-mou-2025")
    page.wait_for_function("document.getElementById('title').textContent.startsWith('japan')",
                           timeout=120_000)
    assert page.locator("#pinned-head").inner_text() == "pinned (none yet)"
    assert page.locator('td[data-metric^="pinned:"]').first.inner_text() == ""
    assert page.locator("#nash").inner_html() == ""


def test_a_bad_input_shows_beside_it_and_greys_the_stale_result(server, browser) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 800})
    page.goto(f"{server}/?pact=korea-final-2025-11&paths=500", wait_until="networkidle")
    _ready(page)
    page.locator("#every-term summary").click()
    deadline = page.locator('input[name="schedule.selection_deadline"]')
    deadline.fill("not a date")
    deadline.dispatch_event("change")
    page.wait_for_function("document.getElementById('error').textContent !== ''", timeout=120_000)
    assert "schedule.selection_deadline" in page.locator("#error").inner_text()
    assert "stale" in (page.locator("#results").get_attribute("class") or "")
    assert page.locator(".input-error").count() == 1
