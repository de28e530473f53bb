"""The report says how sure each verdict is ("holds in X%" in its summary) and what would change
it (the drivers and the flip box in words); ``report --no-robust`` leaves both out; ``pactlab
robust -o page.html`` writes the robust result as a self-contained page."""
from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path

import pytest

import pactlab as pl
from pactlab.app import robust_service as rs
from pactlab.present.report import build_report
from tests.app.cli_runner import run_cli
from tests.test_robust_text import LABEL, _result

PACT = "korea-final-2025-11"


@pytest.fixture
def small(monkeypatch) -> None:
    """A tiny strip design and an empty cache, so a report test stays quick."""
    monkeypatch.setattr(rs, "SMALL_POINTS", 2)
    monkeypatch.setattr(rs, "SMALL_PATHS", 20)
    monkeypatch.setattr(rs, "CACHE", rs.RobustCache())


def _csv(html: str, name: str) -> str:
    href = re.search(rf'<a download="pactlab-{name}.csv" href="([^"]+)"', html)
    assert href, name
    return urllib.parse.unquote(href[1].split(",", 1)[1])


def test_the_report_shows_the_strip_and_what_would_change_the_verdict() -> None:
    (ev,) = pl.evaluate_all([PACT], 40, 0)
    assert ev.label == LABEL
    html = build_report([ev], robustness=_result())
    strip = html.split('<table id="robust-strip">')[1].split("</table>")[0]
    ahead = re.search(r'<tr data-verdict="investor_gain_positive">(.*?)</tr>', strip, re.S)[1]
    mine = "yes" if ev.metrics["gain"]["investor_mean"] > 0 else "no"   # the report's own verdict
    assert f'data-share="0.25">{mine} · holds in 25%</td>' in ahead
    assert "4 points over 4 plausible ranges (Latin hypercube), 50 futures each, seed 7" in html
    section = html.split('<section id="what-would-change">')[1].split("</section>")[0]
    assert "<h2>What would change the verdict</h2>" in section
    assert ("Korea comes out ahead when the deal&#39;s withdrawal risk is under 4% a year and a "
            "crisis costs under 6% of GDP.") in section
    assert "The United States comes out ahead at every point of the plausible range." in section
    table = _csv(html, "robustness").splitlines()
    assert table[0] == "pact,verdict,holds_share,at_defaults,here,what_would_change,drivers"
    assert len(table) == 5 and table[1].startswith(f"{LABEL},investor_gain_positive,0.25,False,")
    plain = build_report([ev])
    assert "robust-strip" not in plain and "what-would-change" not in plain


@pytest.mark.slow
def test_report_computes_the_strip_unless_no_robust(capsys, tmp_path: Path, small) -> None:
    target = tmp_path / "r.html"
    code, _, err = run_cli(capsys, "report", PACT, "--paths", "40", "-o", str(target))
    assert code == 0, err
    html = target.read_text(encoding="utf-8")
    assert 'id="robust-strip"' in html and "<h2>What would change the verdict</h2>" in html
    assert "2 points over" in html and "20 futures each, seed 0" in html
    code, _, err = run_cli(capsys, "report", PACT, "--paths", "40", "-o", str(target),
                           "--no-robust")
    assert code == 0, err
    assert "What would change the verdict" not in target.read_text(encoding="utf-8")


def test_robust_writes_a_page_of_its_result(capsys, tmp_path: Path) -> None:
    page = tmp_path / "robust.html"
    code, out, err = run_cli(capsys, "robust", PACT, "--points", "2", "--paths", "20", "--json",
                             "-o", str(page))
    assert code == 0, err
    assert f"wrote {page}" in " ".join(err.split())
    verdicts = json.loads(out)["verdicts"]
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and not re.search(r'src="https?://', html)
    table = html.split('<table id="verdict-table">')[1].split("</table>")[0]
    for v in verdicts:
        row = re.search(rf'<tr data-verdict="{v["verdict"]}">(.*?)</tr>', table, re.S)[1]
        at = "yes" if v["at_defaults"] else "no"
        assert f'data-share="{v["holds_share"]}">{at} · holds in {v["holds_share"]:.0%}' in row
    assert "<h2>What would change the verdict</h2>" in html and 'id="chart-robust-shares"' in html
    assert _csv(html, "robust-verdicts").splitlines()[0].startswith("pact,verdict,holds_share")
    assert html.count("<tr><td><code>") == len(json.loads(out)["ranges"])     # the ranges table


def test_robust_o_checks_its_folder_as_report_does(capsys, tmp_path: Path, monkeypatch) -> None:
    """-o's folder: made if missing, a one-line error (exit 2) where a file stands in the way,
    before anything runs."""
    counted: list[int] = []
    monkeypatch.setattr(rs, "CACHE", rs.RobustCache())
    monkeypatch.setattr(rs, "run_robust", lambda *a, real=rs.run_robust, **k: counted.append(1)
                        or real(*a, **k))
    (tmp_path / "blocker").write_text("x", encoding="utf-8")
    code, _, err = run_cli(capsys, "robust", PACT, "--points", "2", "--paths", "20",
                           "-o", str(tmp_path / "blocker" / "r.html"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "blocker" in err and counted == []
    code, _, err = run_cli(capsys, "robust", PACT, "--points", "2", "--paths", "20",
                           "-o", str(tmp_path / "new" / "r.html"))
    assert code == 0 and (tmp_path / "new" / "r.html").stat().st_size > 1_000_000
