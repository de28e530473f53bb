"""Every table fits a 100-column terminal: no line is longer than 100 characters and no cell is
cut short with "…" before its border (the keys people copy into ``--term`` and ``--set`` above
all)."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pactlab as pl
from pactlab.app.cli import common

from .app.cli_runner import run_cli

WIDTH = 100
KOREA = "korea-final-2025-11"
FOUR = ["japan-mou-2025", "korea-us-demand-2025-09", "korea-counter-2025-09", KOREA]


@pytest.fixture
def narrow(monkeypatch):
    """The command line's console at 100 columns, as COLUMNS=100 makes it."""
    monkeypatch.setattr(common.out, "width", WIDTH)


def fits(capsys, *args: str) -> str:
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    long = [line for line in out.splitlines() if len(line) > WIDTH]
    assert not long, f"{len(long)} lines over {WIDTH}: {long[0]!r}"
    cut = [line for line in out.splitlines() if re.search(r"\S…\s*[│┃]", line)]
    assert not cut, f"a cell cut short: {cut[0]!r}"
    return out


# --- the unit: tables split, abbreviated or wrapped to fit -----------------------------------

def test_fitted_splits_between_blocks_and_repeats_the_key(narrow) -> None:
    columns = [f"column {i}" for i in range(12)]
    rows = [(str(2025 + y), [f"${1000 + y * 11.1:,.1f}B" for _ in columns]) for y in range(3)]
    tables = common.fitted("t", "year", columns, rows, blocks=[3, 3, 3, 3])
    assert [[c.header for c in t.columns][0] for t in tables] == ["year"] * len(tables)
    sizes = [len(t.columns) - 1 for t in tables]
    assert sum(sizes) == 12 and all(s % 3 == 0 for s in sizes)     # a block is never split
    # each column is 11 wide ("$1,022.2B" is 9, "column 10" wraps to "column" / "10"): 14 with
    # padding and rule, so 6 fit beside the key (4 + 4) in 100; 12 in two tables of six
    assert sizes == [6, 6]


def test_fitted_keeps_one_table_when_it_fits_and_abbreviates_pacts(narrow) -> None:
    rows = [("metric", ["1", "2"])]
    assert len(common.fitted("t", "key", ["a", "b"], rows)) == 1
    names = ["a-very-long-pact-name-2025-09"] * 4
    rows = [("investor gain vs no deal, mean", ["-$249.8B"] * 4)]
    (table,) = common.fitted("t", "metric", names, rows, abbreviate=True)
    assert [c.header for c in table.columns] == ["metric", "A", "B", "C", "D"]
    assert table.caption.splitlines()[0] == "A: a-very-long-pact-name-2025-09"


def test_spread_gives_the_slack_to_the_columns_that_wrap() -> None:
    assert common._spread([5, 5], [8, 20], 100) == [8, 20]          # all fit: their full width
    # 10 + 6 of padding leaves 14 of 30: shared a cell at a time to those below their widest
    assert common._spread([5, 5], [8, 40], 30) == [8, 16]


@pytest.mark.slow
def test_the_console_follows_columns_when_piped() -> None:
    env = {**os.environ, "COLUMNS": str(WIDTH)}
    done = subprocess.run([sys.executable, "-m", "pactlab.app.cli", "show", KOREA], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    widths = [len(line) for line in done.stdout.splitlines()]
    assert max(widths) == WIDTH and "waterfall.tiers[1].investor_share" in done.stdout


# --- every command ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", pl.preset_names())
def test_show_keeps_every_key_whole(capsys, narrow, name: str) -> None:
    out = fits(capsys, "show", name)
    keys = {f.key for f in pl.inputs.terms.fields.term_fields(pl.load_pact(name))}
    lines = [line.split("│")[-2].strip() for line in out.splitlines() if line.count("│") >= 3]
    assert keys <= set(lines)               # each key whole, on one line of its own column


def test_show_stacks_values_under_labels_when_narrower(capsys, monkeypatch) -> None:
    monkeypatch.setattr(common.out, "width", 70)
    code, out, _ = run_cli(capsys, "show", KOREA)
    assert code == 0 and max(map(len, out.splitlines())) <= 70 and "term and value" in out
    assert "tranches[1].recovery_rate" in out and "…" not in out


def test_presets_and_the_assumptions_fit(capsys, narrow) -> None:
    fits(capsys, "presets")
    out = fits(capsys, "assumptions")
    assert "discount.investor.KOR" in out and "allowed" in out and "plausible" in out


def test_assumptions_filter_by_prefix(capsys, narrow) -> None:
    out = fits(capsys, "assumptions", "trade.")
    keys = re.findall(r"^(\S+)\s", out, flags=re.M)
    shown = [k for k in keys if "." in k and not k.startswith(("range:", "allowed:"))]
    catalogue = {r["key"] for r in pl.load_assumptions().provenance()}
    expected = sorted(k for k in catalogue if k.startswith("trade."))
    assert sorted(k for k in shown if k in catalogue) == expected and len(expected) >= 10
    assert "fx.horizon_years" not in out and "Term ranges" not in out
    code, out, _ = run_cli(capsys, "assumptions", "fx.sudden_stop", "--json")
    assert code == 0
    assert sorted(r["key"] for r in json.loads(out)) == sorted(
        k for k in catalogue if k.startswith("fx.sudden_stop"))
    out = fits(capsys, "assumptions", "waterfall.")         # term ranges only
    assert "Term ranges" in out and "waterfall.review.investor_share" in out


def test_an_unknown_prefix_is_one_line_naming_the_nearest(capsys) -> None:
    code, out, err = run_cli(capsys, "assumptions", "trad.")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "'trad.'" in err and "the nearest is 'trade.'" in err


def test_tariff_what_ifs_fit(capsys, narrow) -> None:
    out = fits(capsys, "tariffs", "--korea", "25", "--japan", "15", "--paths", "100")
    assert "chemicals_pharmaceuticals" in out and "(continued)" in out
    fits(capsys, "tariffs", "--from", "2024-12-31", "--to", "2025-12-31", "--paths", "100")


@pytest.mark.slow
def test_the_simulating_commands_fit(capsys, narrow) -> None:
    out = fits(capsys, "reserves", KOREA, "--paths", "200")
    assert "P(ARA<100%)" in out and f"{KOREA} (continued)" in out     # 13 columns in two tables
    fits(capsys, "tariffs", KOREA, "--paths", "100")
    fits(capsys, "tariffs", KOREA, "--as-of", "2025-11-14", "--compare-to", "2026-10-09",
         "--paths", "100")
    out = fits(capsys, "compare", *FOUR, "--paths", "200")
    assert all(f"{k}: {name}" in out for k, name in zip("ABCD", FOUR, strict=True))
    fits(capsys, "evaluate", KOREA, "--paths", "200", "--no-flips")
    fits(capsys, "backtest", "KOR", "--from", "2005", "--paths", "100")


@pytest.mark.slow
def test_robust_and_negotiate_fit(capsys, narrow) -> None:
    out = fits(capsys, "robust", KOREA, "korea-counter-2025-09", "--points", "8", "--paths", "100")
    assert "flips when" in out
    out = fits(capsys, "negotiate", KOREA, "--space", "korea", "--sample", "lhs", "--n", "20",
               "--paths", "100", "--budget", "0", "--stability", "2")
    assert "How robust is the recommendation?" in out


@pytest.mark.slow
def test_sensitivity_and_discover_fit_and_speak_in_words(capsys, narrow, tmp_path: Path) -> None:
    spec = Path(pl.__file__).parents[2] / "examples" / "korea-final.toml"
    small = tmp_path / "kf.toml"
    small.write_text(spec.read_text().replace("points = 400", "points = 12")
                     .replace("paths = 2000", "paths = 60"))
    code, _, err = run_cli(capsys, "explore", str(small), "-o", str(tmp_path / "runs" / "kf"))
    assert code == 0, err                               # runs/ made on the way
    out = fits(capsys, "sensitivity", str(tmp_path / "runs" / "kf"), "--outcome", "investor_gain_mean")
    assert "What moves Korea's mean gain" in out and "rank correlation" in out
    assert "abs_rho" not in out.split("\n┏")[1] and re.search(r"the (higher|lower)", out)
    assert re.search(r"[+-]0\.\d\d", out)               # the sign kept beside the words
    fits(capsys, "discover", str(tmp_path / "runs" / "kf"), "--where", "investor_p_loss > 0.5")
    code, out, err = run_cli(capsys, "discover", str(tmp_path / "runs" / "kf"), "--where",
                             "investor_p_los > 0.5")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "did you mean investor_p_loss?" in err and '"fx.swap_line"' in err


# --- the progress bar: a count, a rate and the time left ---------------------------------------

def test_the_progress_bar_shows_count_rate_and_time_left(monkeypatch) -> None:
    import io

    from rich.console import Console
    buffer = io.StringIO()
    monkeypatch.setattr(common, "err", Console(file=buffer, force_terminal=True, width=WIDTH,
                                               color_system=None))
    clock = iter([0.0])
    monkeypatch.setattr(common.time, "perf_counter", lambda: next(clock, 4.0))
    with common.progress(True, "points") as step:
        step(10, 40)                            # 10 of 40 in 4 s: 2.5 a second
    shown = buffer.getvalue()                   # the bar's last frame, drawn as it stops
    assert "points" in shown and "10/40" in shown and "25%" in shown and "2.5/s" in shown
    assert common.rate_text(1, 30.0) == "30 s each" and common.rate_text(0, 3.0) == ""
    with common.progress(False) as step:
        assert step is None


def test_an_effect_in_words() -> None:
    from pactlab.app.cli.explore import _effect_words
    row = {"rho": -0.62, "abs_rho": 0.62, "p_value": 0.001}
    assert _effect_words("trade.deal_withdrawal_prob", row, "Korea's mean gain", "spearman") == (
        "the higher the deal's withdrawal risk, the lower Korea's mean gain (strongly)")
    row = {"rho": 0.2, "abs_rho": 0.2, "p_value": 0.3}
    assert _effect_words("valuation.crisis_cost_gdp", row, "the host's mean gain", "spearman") == (
        "the more a crisis costs, the higher the host's mean gain (weakly); could be chance")
    assert _effect_words("fx.swap_line", {"ST": 0.41, "S1": 0.3}, "Korea's mean gain", "sobol") == (
        "explains 41% of the spread in Korea's mean gain (30% alone)")
