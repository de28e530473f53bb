"""The HTML report: valid, self-contained, one chart per section, the comparison's numbers, and
it opens in headless Chromium without console errors."""
from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

import pactlab as pl
from pactlab.present import comparison_column
from pactlab.report import build_report

PACTS = ["korea-final-2025-11", "japan-mou-2025"]
SECTIONS = ["cash-split", "recoupment", "reserves", "tariff-cost", "gains", "gain-spread"]
VOID = {"meta", "br", "img", "input", "link", "hr", "col", "source", "wbr"}


class Structure(HTMLParser):
    """Checks nesting, and collects external sources, sections, charts and table cells."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.external: list[str] = []
        self.sections: list[str] = []
        self.charts: list[str] = []
        self.cells: list[str] = []
        self.scripts = 0
        self._table: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if tag in ("script", "link", "img", "iframe") and str(a.get(key, "")).startswith(("http", "//")):
                self.external.append(a[key])
        if tag == "script":
            self.scripts += 1
        if tag == "section":
            self.sections.append(a.get("id", ""))
        if tag == "div" and "plotly-graph-div" in (a.get("class") or ""):
            self.charts.append(a.get("id", ""))
        if tag == "table":
            self._table = a.get("id")
        if tag == "td" and self._table == "comparison-table":
            self.cells.append(a["data-value"])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag == "table":
            self._table = None


@pytest.fixture(scope="module")
def evaluations():
    return [pl.evaluate(p, paths=300, seed=4) for p in PACTS]


@pytest.fixture(scope="module")
def html(evaluations) -> str:
    return build_report(evaluations)


def test_report_is_valid_self_contained_html(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>")
    parsed = Structure()
    parsed.feed(html)
    assert parsed.errors == [] and parsed.stack == []
    assert parsed.external == []                      # no script, style or image from the network
    assert parsed.scripts == 1 + len(parsed.charts)   # plotly.js inline, then one per chart


def test_one_chart_per_section(html: str) -> None:
    parsed = Structure()
    parsed.feed(html)
    assert parsed.charts == [f"chart-{s}" for s in SECTIONS]
    for section in ("summary", "comparison", "terms", *SECTIONS, "methods"):
        assert section in parsed.sections


def test_table_values_are_the_comparison(html: str, evaluations) -> None:
    parsed = Structure()
    parsed.feed(html)
    columns = [comparison_column(ev) for ev in evaluations]
    expected = [float(col[label]) for label in columns[0].index for col in columns]
    assert [float(v) for v in parsed.cells] == pytest.approx(expected, nan_ok=True, rel=0, abs=0)
    table = pl.compare(PACTS, paths=300, seed=4)
    assert float(parsed.cells[0]) == table.iloc[0, 0]


def test_methods_list_assumptions_sources_and_the_manifest(html: str, evaluations) -> None:
    for r in evaluations[0].assumptions.provenance():
        assert f"<code>{r['key']}</code>" in html
    m = evaluations[0].manifest()
    assert m["pact_sha256"] in html and f"pactlab {pl.__version__}" in html
    assert "US Census 2024 import weights" in html and "Portsmouth" in html


def test_same_inputs_same_report(evaluations) -> None:
    again = [pl.evaluate(p, paths=300, seed=4) for p in PACTS]
    assert build_report(again) == build_report(evaluations)


def test_report_opens_in_headless_chromium(html: str, tmp_path: Path) -> None:
    browser = shutil.which("chromium")
    assert browser, "Debian's chromium is needed: `make test` installs it (apt-get install chromium)"
    page = tmp_path / "report.html"
    page.write_text(html, encoding="utf-8")
    run = subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--enable-logging=stderr", "--v=0", "--virtual-time-budget=10000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=180)
    console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []                               # no errors, no warnings, nothing
    for section in SECTIONS:                           # every chart was drawn
        assert f'id="chart-{section}" class="plotly-graph-div js-plotly-plot"' in run.stdout


def test_cli_report_writes_the_file(tmp_path: Path, capsys) -> None:
    from pactlab.cli import main
    target = tmp_path / "report.html"
    with pytest.raises(SystemExit) as info:
        main(["report", "korea-final-2025-11", "-o", str(target), "--paths", "200"])
        raise SystemExit(0)
    assert (info.value.code or 0) == 0 and target.stat().st_size > 1_000_000
    with pytest.raises(SystemExit) as info:
        main(["report", "korea-final-2025-11", "-o", str(tmp_path / "none" / "r.html")])
    assert info.value.code == 2


def test_the_report_opens_with_its_summary(html: str, evaluations) -> None:
    assert html.index('id="summary"') < html.index('id="comparison"')
    assert "US–Korea MOU (14 Nov 2025)" in html.split("</title>")[0]
    ev = evaluations[0]
    share = f"{ev.metrics['gain']['investor_p_loss']:.1%}"
    assert f"behind in {share} of futures" in html and "What the verdicts hang on" in html
    assert "no pact (P50)" in html
