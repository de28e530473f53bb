"""The HTML report: valid, self-contained, one chart per section, the comparison's numbers, and
it opens in headless Chromium without console errors."""
from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

import pactlab as pl
from pactlab.analysis.crisis import crisis_tables
from pactlab.present import comparison_column
from pactlab.present.report import build_report

PACTS = ["korea-final-2025-11", "japan-mou-2025"]
SECTIONS = ["gain-spread", "cash-split", "recoupment", "reserves", "tariff-cost", "gains"]
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
def crisis(evaluations):
    return crisis_tables(evaluations)


@pytest.fixture(scope="module")
def html(evaluations, crisis) -> str:
    return build_report(evaluations, crisis_tables=crisis)


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


def test_same_inputs_same_report(html: str) -> None:
    again = [pl.evaluate(p, paths=300, seed=4) for p in PACTS]
    assert build_report(again, crisis_tables=crisis_tables(again)) == html


@pytest.mark.browser
def test_report_opens_in_headless_chromium(html: str, tmp_path: Path) -> None:
    browser = shutil.which("chromium")
    if browser is None:
        pytest.skip("Chromium is not installed (make test installs Debian's chromium)")
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
    from pactlab.app.cli import main
    target = tmp_path / "report.html"
    with pytest.raises(SystemExit) as info:
        main(["report", "korea-final-2025-11", "-o", str(target), "--paths", "200", "--no-robust"])
        raise SystemExit(0)
    assert (info.value.code or 0) == 0 and target.stat().st_size > 1_000_000
    # a missing folder is made (the README's `-o runs/...` works on a fresh clone); a path
    # through a file is one line, before anything runs
    with pytest.raises(SystemExit) as info:
        main(["report", "korea-final-2025-11", "-o", str(target / "r.html"), "--no-robust"])
    assert info.value.code == 2


def test_the_report_opens_with_its_summary(html: str, evaluations) -> None:
    assert html.index('id="summary"') < html.index('id="comparison"')
    assert "US–Korea MOU (14 Nov 2025)" in html.split("</title>")[0]
    ev = evaluations[0]
    share = f"{ev.metrics['gain']['investor_p_loss']:.1%}"
    assert f"behind in {share} of futures" in html and "What the verdicts hang on" in html
    assert "no pact (P50)" in html


def _downloads(html: str) -> dict[str, str]:
    import re
    return dict(re.findall(r'download="pactlab-([^"]+)" href="([^"]+)"', html))


def test_every_table_downloads_as_csv_and_all_as_one_workbook(html: str, evaluations) -> None:
    import base64
    import io
    import urllib.parse

    import pandas as pd
    links = _downloads(html)
    tables = html.count("<table")
    csvs = {name[:-4]: href for name, href in links.items() if name.endswith(".csv")}
    # one CSV per table (the crisis section's per-pact tables share one long CSV)
    crisis_tables = html.count('<table class="crisis">')
    assert crisis_tables == 1                    # Korea's; Japan has no reserve-crisis test
    assert len(csvs) == tables - (crisis_tables - 1)
    comparison = pd.read_csv(io.StringIO(urllib.parse.unquote(csvs["comparison"].split(",", 1)[1])),
                             index_col="metric")
    expected = comparison_column(evaluations[0])
    assert comparison.iloc[:, 0].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9, nan_ok=True)
    book = pd.read_excel(io.BytesIO(base64.b64decode(links["report-tables.xlsx"].split(",", 1)[1])),
                         sheet_name=None)
    assert set(book) == set(csvs)
    terms = book["terms"].set_index("key")
    assert terms.loc["schedule.annual_cap", "korea-final-2025-11"] == 20
    assert bool(terms.loc["waterfall.spread", "japan-mou-2025 assumed"])


def test_terms_table_reads_as_a_term_sheet(html: str) -> None:
    import re
    table = html.split('id="terms-table"')[1].split("</table>")[0]
    sections = re.findall(r'<tr class="section"><th[^>]*>([^<]+)</th>', table)
    assert sections[:4] == ["Parties", "What the investor puts in", "Who gets the cash", "Schedule"]
    cap = re.search(r'<tr class="differs" data-term="schedule.annual_cap"><td>(.*?)</tr>', table, re.S)
    assert cap and "annual cap on cash calls" in cap[1] and "$20B a year" in cap[1]
    same = re.search(r'<tr data-term="waterfall.tiers\[0\].investor_share">(.*?)</tr>', table, re.S)
    assert same and same[1].count("50%") == 2          # the same in both: not highlighted


def test_crisis_sensitivity_in_the_report(html: str, evaluations) -> None:
    from pactlab.analysis.crisis import crisis_sensitivity
    ev = evaluations[0]
    table = crisis_sensitivity(ev.pact, ev.paths, ev.seed, assumptions=ev.assumptions)
    section = html.split('id="crisis-sensitivity"')[1].split("</section>")[0]
    assert f"{table.iloc[2, 0]:.1%}" in section and "non-pact flows 0.38% of GDP" in section


def test_cash_split_marks_the_switch_and_the_review(evaluations) -> None:
    from pactlab.present.report.figures import _split_events
    final, japan = evaluations
    events = dict((text.split(" ")[0], year) for year, text in _split_events(final))
    assert events["review:"] == final.base_year + 20
    switch = final.tier_switch()
    assert switch is not None and events["90%"] == switch[0] and 0 < switch[1] <= 1
    # by hand: the first full year at the last tier's split, median over the paths that get there
    share = final.outcomes.yearly["share"]
    at_last = np.abs(share - 0.1) < 1e-6
    firsts = [np.flatnonzero(row)[0] for row in at_last if row.any()]
    assert switch[0] == np.median(firsts) + final.base_year
    assert "assumed term" in " ".join(t for _, t in _split_events(final))


def test_a_report_on_private_pledges_reads_right() -> None:
    """Pacts with no MOU cash (the EU: no tranches at all) and investors with no EM reserve test."""
    evs = [pl.evaluate(p, paths=200, seed=2) for p in ("eu-joint-statement-2025-08", "taiwan-2026-01")]
    crisis = crisis_tables(evs)
    assert crisis == {}                                # neither investor has the EM reserve test
    html = build_report(evs, crisis_tables=crisis)
    assert "No pact here has an investor with a reserve-crisis test" in html
    assert "No reserve-crisis test is applied to European Union" in html
    assert "No reserve-crisis test is applied to Taiwan" in html
    terms = html.split('id="terms-table"')[1].split("</table>")[0]
    assert "Private pledge (no public money)" in terms and "$600B" in terms and "$250B" in terms
    assert 'data-term="pledge.by"' in terms


def test_the_report_renders_the_crisis_tables_it_is_given(evaluations, crisis) -> None:
    """It computes nothing: the tables come from the caller (only Korea's: Japan has no EM
    reserve test), and without them the section says so."""
    assert list(crisis) == ["korea-final-2025-11"]
    table = crisis["korea-final-2025-11"]
    assert table.shape == (3, 6) and table.index.name == "sudden_stop_prob"
    bare = build_report(evaluations, crisis_tables=None)
    section = bare.split('id="crisis-sensitivity"')[1].split("</section>")[0]
    assert "not computed for this report" in section and '<table class="crisis">' not in section
    halves = {label: t * 0 + 0.5 for label, t in crisis.items()}
    section = build_report(evaluations, crisis_tables=halves).split(
        'id="crisis-sensitivity"')[1].split("</section>")[0]
    assert section.count("50.0%") == table.size


def test_the_backtest_is_in_the_methods_when_given(evaluations, html: str) -> None:
    from pactlab.analysis.backtest import backtest
    bt = backtest(paths=100, seed=0)
    page = build_report(evaluations, crisis_tables=None, backtest=bt)
    section = page.split('id="backtest"')[1].split("<h3>")[0]
    assert "out of sample" in section and 'id="chart-backtest"' in section
    assert "$210.4B" in section and section.count("<tr>") == 1 + len(bt.years)
    assert 'id="backtest"' not in html        # not given, not shown
