"""The command line: readable tables, --json, and one-line errors with exit code 2."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import pactlab as pl

from .cli_runner import run_cli


def run(capsys, *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, *args)


def test_presets_lists_all(capsys) -> None:
    code, out, _ = run(capsys, "presets", "--json")
    assert code == 0
    assert [p["name"] for p in json.loads(out)] == pl.preset_names()


@pytest.mark.parametrize("name", pl.preset_names())
def test_show_toml_round_trips(capsys, tmp_path: Path, name: str) -> None:
    target = tmp_path / f"{name}.toml"
    code, _, _ = run(capsys, "show", name, "--toml", "-o", str(target))
    assert code == 0
    assert pl.load_pact(target) == pl.load_pact(name)
    code, out, _ = run(capsys, "show", name)
    assert code == 0 and "schedule.start" in out and "parties.investor_code" in out


def test_evaluate_json_has_the_metrics(capsys) -> None:
    code, out, err = run(capsys, "evaluate", "--no-flips", "korea-final-2025-11", "--paths", "300", "--seed", "3",
                         "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert payload["manifest"]["seed"] == 3 and payload["manifest"]["paths"] == 300
    inv = payload["metrics"]["investor"]
    for key in ("npv_mean", "irr_p5", "irr_p50", "irr_p95", "p_recoup", "recoup_year_p50", "cvar"):
        assert key in inv
    assert payload["metrics"]["host"]["capex"] > 0
    assert set(payload["capex_by_sector"]) <= {"energy", "shipbuilding", "semiconductors",
                                               "critical_minerals", "manufacturing", "infrastructure"}
    assert "waterfall.review.investor_share" in payload["assumed_terms"]
    assert any(r["confidence"] == "assumption" for r in payload["assumptions"])


def test_evaluate_table_is_readable(capsys) -> None:
    code, out, _ = run(capsys, "evaluate", "--no-flips", "japan-mou-2025", "--paths", "200")
    assert code == 0
    assert "IRR P50" in out and "assumed terms" in out and "$550.0B" in out


@pytest.mark.slow
def test_compare_same_seed_same_numbers(capsys) -> None:
    args = ("compare", *pl.preset_names(), "--paths", "300", "--json", "--no-robust")
    _, first, _ = run(capsys, *args)
    _, second, _ = run(capsys, *args)
    assert first == second                       # byte-identical, manifests included
    payload = json.loads(first)
    assert set(payload["metrics"]) == set(pl.preset_names())
    assert all(m["data_as_of"]["trade_flows"].startswith("calendar 2024") for m in payload["manifests"])
    _, csv_text, _ = run(capsys, "compare", "korea-final-2025-11", "--paths", "300", "--csv")
    assert csv_text.splitlines()[0] == "metric,korea-final-2025-11"
    assert "individually rational for both (mean gains >= 0)," in csv_text


def test_set_and_term_overrides_apply(capsys) -> None:
    base = json.loads(run(capsys, "evaluate", "--no-flips", "korea-final-2025-11", "--paths", "200", "--json")[1])
    cheap = json.loads(run(capsys, "evaluate", "--no-flips", "korea-final-2025-11", "--paths", "200", "--json",
                           "--set", "discount.investor.KOR=0.02")[1])
    assert cheap["metrics"]["investor"]["npv_mean"] > base["metrics"]["investor"]["npv_mean"]
    capped = json.loads(run(capsys, "evaluate", "--no-flips", "korea-final-2025-11", "--paths", "200", "--json",
                            "--term", "schedule.annual_cap=10")[1])
    assert capped["metrics"]["investor"]["peak_call"] <= 10.0 + 1e-9


def test_assumptions_file(capsys, tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text("[discount]\nhost = 0.03\n", encoding="utf-8")
    code, out, _ = run(capsys, "evaluate", "--no-flips", "korea-final-2025-11", "--paths", "100", "--json",
                       "--assumptions", str(path))
    assert code == 0
    assert any(r["key"] == "discount.host" and r["value"] == 0.03 for r in json.loads(out)["assumptions"])


BAD = [
    (("evaluate", "korea-final-2099"), "not a preset"),
    (("evaluate", "korea-final-2025-11", "--paths", "abc"), "--paths"),
    (("evaluate", "korea-final-2025-11", "--paths", "0"), "--paths"),
    (("evaluate", "korea-final-2025-11", "--seed", "-1"), "--seed"),
    (("evaluate", "korea-final-2025-11", "--set", "markets.sofr.vol=x"), "markets.sofr.vol"),
    (("evaluate", "korea-final-2025-11", "--set", "novalue"), "key=value"),
    (("evaluate", "korea-final-2025-11", "--set", "markets.nothing=1"), "markets.nothing"),
    (("evaluate", "korea-final-2025-11", "--term", "waterfall.tiers[1].investor_share=1.4"),
     "waterfall.tiers[1].investor_share"),
    (("evaluate", "korea-final-2025-11", "--assumptions", "missing.toml"), "missing.toml"),
    (("frobnicate",), "frobnicate"),
]


@pytest.mark.parametrize("args,needle", BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_input_is_one_line_and_exit_2(capsys, args, needle) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and needle in lines[0]
    assert "Traceback" not in err


def test_bad_term_sheet_file_is_one_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "korea.toml"
    text = Path(pl.__file__).parent.joinpath("inputs/terms/presets/korea-final-2025-11.toml").read_text()
    path.write_text(text.replace("{ investor_share = 0.1 }", "{ investor_share = 1.4 }"))
    code, out, err = run(capsys, "evaluate", "--no-flips", str(path))
    assert code == 2 and out == ""
    assert err.strip() == ("error: korea.toml: waterfall.tiers[1].investor_share: must be <= 1.0, "
                           "got 1.4")


def test_failed_write_leaves_nothing(capsys, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.toml"
    code, _, err = run(capsys, "show", "japan-mou-2025", "--toml", "-o", str(target))
    assert code == 2 and "does not exist" in err
    assert not target.parent.exists()


@pytest.mark.slow
def test_reserves_command(capsys) -> None:
    code, out, _ = run(capsys, "reserves", "korea-final-2025-11", "--paths", "200")
    assert code == 0
    assert "2025" in out and "ARA ratio P5" in out and "KOR: reserves $416.3B" in out
    code, out, _ = run(capsys, "reserves", "korea-final-2025-11", "--paths", "200", "--json")
    payload = json.loads(out)
    assert payload["by_year"]["year"][0] == 2025
    assert len(payload["by_year"]["year"]) == pl.load_assumptions().fx.horizon_years
    assert any(r["key"] == "macro.KOR.reserves" and r["value"] == 416.29 for r in payload["macro_inputs"])


@pytest.mark.slow
def test_compare_shows_the_fx_rows_for_every_pact(capsys) -> None:
    code, out, _ = run(capsys, "compare", *pl.preset_names(), "--paths", "200", "--no-robust")
    assert code == 0
    for row in ("commitment / reserves", "minimum ARA ratio P50", "P(ARA ratio < 80%)",
                "P(reserve crisis"):
        assert row in out
    assert "84.1%" in out and "41.5%" in out
    assert "ARA EM metric not applied" in out   # Japan, said so rather than made up


def test_tariffs_what_if(capsys) -> None:
    code, out, _ = run(capsys, "tariffs", "--korea", "25", "--japan", "15", "--paths", "300")
    assert code == 0
    assert "Korea loses" in out and "of GDP" in out and "GTAP ESUBM" in out and "2024" in out
    assert "first year P5" in out and "Boehm" in out and "tariffs as of 2026-10-09" in " ".join(out.split())
    code, out, _ = run(capsys, "tariffs", "--korea", "25", "--japan", "15", "--sector", "autos",
                       "--json", "--paths", "300")
    payload = json.loads(out)
    by = payload["by_sector"]
    assert by["machinery"]["investor_export_change"] == 0.0
    assert by["cars"]["investor_export_change"] < 0 and by["total"]["investor_export_change"] < 0
    kor = payload["exports_lost"]["KOR"]
    assert set(kor) == {"first_year", "long_run"} and set(kor["long_run"]) == {"p5", "p50", "p95"}
    assert 0 < kor["first_year"]["p50"] < kor["long_run"]["p50"]
    assert set(payload["value_added_lost"]) == {"KOR", "JPN", "EU27", "TWN", "CHE"}


@pytest.mark.slow
def test_tariffs_for_a_pact(capsys) -> None:
    code, out, _ = run(capsys, "tariffs", "korea-final-2025-11", "--json")
    payload = json.loads(out)
    assert payload["as_of"] == payload["manifest"]["as_of"] == "2026-10-09"
    assert "no_deal rows" in payload["no_deal_case"] and "166bn" in payload["ieepa_refunds"]
    code, out, _ = run(capsys, "tariffs", "korea-final-2025-11", "--as-of", "2025-11-14",
                       "--compare-to", "2026-10-09")
    flat = " ".join(out.split())
    assert code == 0 and "tariffs as of 2025-11-14" in flat and "tariffs as of 2026-10-09" in flat
    code, out, _ = run(capsys, "tariffs", "korea-final-2025-11", "--as-of", "2025-11-14",
                       "--compare-to", "2026-10-09", "--json")
    both = json.loads(out)
    assert (both["before"]["as_of"], both["after"]["as_of"]) == ("2025-11-14", "2026-10-09")
    assert both["before"]["present_value"]["investor_value_added_relief"] > \
        both["after"]["present_value"]["investor_value_added_relief"]
    assert payload["present_value"]["investor_value_added_relief"] > 0
    code, out, _ = run(capsys, "tariffs", "japan-mou-2025")
    assert code == 0 and "what no deal costs" in out


@pytest.mark.parametrize("args,needle", [
    (("tariffs",), "name a pact"),
    (("tariffs", "--korea", "25", "--sector", "fishing"), "--sector"),
    (("tariffs", "--korea", "-5"), "--korea"),
    (("tariffs", "korea-final-2025-11", "--korea", "25"), "not both"),
])
def test_tariffs_bad_input(capsys, args, needle) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_the_readme_copy_edit_compare_steps_work(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "show", "korea-final-2025-11", "--toml", "-o", "my-deal.toml")
    assert code == 0, err
    text = Path("my-deal.toml").read_text(encoding="utf-8").replace("annual_cap = 20.0", "annual_cap = 30.0")
    Path("my-deal.toml").write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "compare", "korea-final-2025-11", "my-deal.toml", "--paths", "200",
                         "--csv")
    assert code == 0, err
    assert out.splitlines()[0] == "metric,korea-final-2025-11,my-deal"
    peak = next(line for line in out.splitlines() if line.startswith("investor: peak annual call"))
    assert peak.split(",")[1:] == ["20", "30"]


def test_the_same_pact_twice_gets_two_columns_and_term_overrides_are_named(capsys) -> None:
    code, out, err = run(capsys, "compare", "korea-final-2025-11", "korea-final-2025-11",
                         "--paths", "100", "--json", "--term", "schedule.annual_cap=25", "--no-robust")
    assert code == 0, err
    payload = json.loads(out)
    label = "korea-final-2025-11 (schedule.annual_cap=25)"
    assert list(payload["rows"]) == [label, f"{label} [2]"]
    assert payload["manifests"][0]["term_overrides"] == {"schedule.annual_cap": 25}
    code, out, _ = run(capsys, "compare", "korea-final-2025-11", "--paths", "100", "--no-robust",
                       "--term", "schedule.annual_cap=25", "--set", "discount.host=0.03")
    assert "--term schedule.annual_cap=25" in out and "--set discount.host=0.03" in out


@pytest.mark.slow
def test_negotiate_prints_the_solutions_and_writes_their_term_sheets(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "neg"
    args = ("negotiate", "korea-us-demand-2025-09", "--space", "korea", "--sample", "lhs", "--n", "60",
            "--paths", "300", "--agents", "boulware,conceder",
            "--set", "host_objective.view=welfare",   # the stated view needs calibrated preferences
            "-o", str(folder))
    code, out, err = run(capsys, *args)
    assert code == 0, err
    assert "Nash bargaining solution" in out and "Where the presets sit" in out
    assert "the disagreement point is (0, 0)" in out and "korea-final-2025-11 is" in out
    assert "Alternating offers: ended by" in out
    nash = pl.load_pact(folder / "nash.toml")
    assert nash.name == "korea-us-demand-2025-09-nash"
    assert (folder / "candidates.csv").read_text().startswith("candidate,commitment,")
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert 'id="chart-negotiation"' in html and "The Nash deal beside korea-final-2025-11" in html
    code, out, _ = run(capsys, "evaluate", "--no-flips", str(folder / "nash.toml"), "--paths", "100", "--json")
    assert code == 0 and json.loads(out)["manifest"]["pact"] == "korea-us-demand-2025-09-nash"
    code, out, _ = run(capsys, *args[:-2], "--json")
    payload = json.loads(out)
    assert payload["disagreement_point"] == [0.0, 0.0] and payload["solutions"]["nash"]["terms"]


@pytest.mark.parametrize("args,needle", [
    (("negotiate", "korea-final-2025-11"), "name at least one issue"),
    (("negotiate", "korea-final-2025-11", "--issue", "schedule.annual_cap"), "LO:HI"),
    (("negotiate", "korea-final-2025-11", "--issue", "schedule.cap=1:5"), "schedule.cap"),
    (("negotiate", "korea-final-2025-11", "--space", "mars"), "--space"),
    (("negotiate", "korea-final-2025-11", "--space", "korea", "--agents", "boulware"), "--agents"),
    (("negotiate", "korea-final-2025-11", "--space", "korea", "--agents", "a,b"), "tactic"),
    (("negotiate", "korea-final-2025-11", "--space", "korea", "--sample", "lhs"), "--n"),
    (("negotiate", "korea-final-2025-11", "--space", "korea"), "full grid"),
])
def test_negotiate_bad_input(capsys, args, needle) -> None:
    code, out, err = run(capsys, *args, "--paths", "50")
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


EXPLORE_SPEC = """
name = "cli"
pacts = ["korea-final-2025-11"]
outcomes = ["investor_gain_mean", "p_crisis"]
[uncertainties]
"trade.deal_withdrawal_prob" = { low = 0.02, high = 0.3 }
[levers]
"schedule.annual_cap" = { levels = [10.0, 30.0] }
[sampler]
points = 24
paths = 100
"""


@pytest.mark.slow
def test_explore_sensitivity_and_discover(capsys, tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(EXPLORE_SPEC, encoding="utf-8")
    code, _, err = run(capsys, "explore", str(spec), "-o", str(tmp_path / "run"))
    assert code == 0 and "24 points" in err
    code, out, _ = run(capsys, "sensitivity", str(tmp_path / "run"), "--outcome", "investor_gain_mean")
    assert code == 0 and "trade.deal_withdrawal_prob" in out and "Spearman" in out
    code, out, err = run(capsys, "discover", str(tmp_path / "run"), "--where",
                         "investor_gain_mean < (select median(investor_gain_mean) from results)",
                         "--threshold", "0.6", "--report", str(tmp_path / "r.html"))
    assert code == 0, err
    assert "The trade-off" in out and "The chosen box" in out
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="chart-tornado"' in html and 'id="chart-prim"' in html and 'id="prim-box"' in html
    code, out, _ = run(capsys, "discover", str(tmp_path / "run"), "--where", "p_crisis >= 0", "--json")
    assert json.loads(out)["share"] == 1.0


@pytest.mark.parametrize("args,needle", [
    (("explore", "missing.toml", "-o", "out"), "missing.toml"),
    (("sensitivity", "nowhere", "--outcome", "y"), "not a pactlab run"),
    (("explore", "{spec}", "-o", "{run}", "--executor", "cloud"), "--executor"),
    (("explore", "{spec}", "-o", "{run}", "--scheduler", "tcp://x:1"), "--scheduler"),
    (("sensitivity", "{run}", "--outcome", "wealth"), "--outcome"),
    (("discover", "{run}", "--where", "nonsense > 1"), "--where"),
    (("discover", "{run}", "--where", "investor_gain_mean < -1e9"), "holds for none"),
])
def test_explore_bad_input(capsys, tmp_path: Path, args, needle) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(EXPLORE_SPEC.replace("points = 24", "points = 4"), encoding="utf-8")
    if any("{run}" in a for a in args) and args[0] != "explore":
        run(capsys, "explore", str(spec), "-o", str(tmp_path / "run"))
    filled = [a.format(spec=spec, run=tmp_path / "run") for a in args]
    code, out, err = run(capsys, *filled)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_hostile_sheets_and_unit_slips_are_one_line(capsys, tmp_path: Path) -> None:
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 2000 + "]" * 2000 + "\n", encoding="utf-8")
    huge = tmp_path / "huge.toml"
    text = Path(pl.__file__).parent.joinpath("inputs/terms/presets/korea-final-2025-11.toml").read_text()
    huge.write_text(text.replace("amount = 200.0", "amount = 1e308"), encoding="utf-8")
    for args, needle in ((("evaluate", str(deep)), "nested too deeply"),
                         (("evaluate", str(huge)), "money is in USD billions"),
                         (("evaluate", "korea-final-2025-11", "--term", "tariffs.deal.general=15"),
                          "use 0.15 for 15%"),
                         (("evaluate", "korea-final-2025-11", "--set", "fx.sudden_stop_prb=0.1"),
                          "did you mean fx.sudden_stop_prob")):
        code, out, err = run(capsys, *args, "--paths", "10")
        assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1, err
    code, out, err = run(capsys, "tariffs", "--korea", "0.25", "--paths", "50")
    assert code == 0 and "is read as 0.25%" in err


def test_show_toml_keeps_comments_and_will_not_overwrite(capsys, tmp_path: Path) -> None:
    target = tmp_path / "copy.toml"
    assert run(capsys, "show", "korea-final-2025-11", "--toml", "-o", str(target))[0] == 0
    assert target.read_text(encoding="utf-8").startswith("# US–Korea MOU")
    code, _, err = run(capsys, "show", "japan-mou-2025", "--toml", "-o", str(target))
    assert code == 2 and "--force" in err and "korea-final" in target.read_text(encoding="utf-8")
    assert run(capsys, "show", "japan-mou-2025", "--toml", "-o", str(target), "--force")[0] == 0
    assert pl.load_pact(target) == pl.load_pact("japan-mou-2025")
    code, _, err = run(capsys, "show", "japan-mou-2025", "-o", str(tmp_path / "x.toml"))
    assert code == 2 and "only with --toml" in err


def test_version_and_the_assumptions_catalogue(capsys) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"pactlab {pl.__version__}"
    code, out, _ = run(capsys, "assumptions", "--json")
    rows = {r["key"]: r for r in json.loads(out)}
    assert rows["fx.horizon_years"]["unit"] == "years" and rows["fx.horizon_years"]["range"] == "1 to 150"
    assert rows["trade.short_run_share"]["source"].startswith("Boehm")
    assert rows["valuation.host_strategic_value"]["value"] == 0.0
    assert all(r["source"] and r["confidence"] in ("high", "medium", "assumption") for r in rows.values())


def test_titles_say_the_date_the_tariffs_are_known_to(capsys) -> None:
    _, out, _ = run(capsys, "compare", "korea-final-2025-11", "--paths", "100", "--no-robust")
    assert "[tariffs as of 2026-10-09]" in " ".join(out.split())
    _, out, _ = run(capsys, "compare", "korea-final-2025-11", "--paths", "100", "--as-of", "2025-11-14",
                    "--no-robust")
    assert "tariffs as of 2025-11-14]" in " ".join(out.split())     # a narrow table wraps its title
    _, out, _ = run(capsys, "evaluate", "korea-final-2025-11", "--paths", "100", "--json", "--no-flips")
    manifest = json.loads(out)["manifest"]
    assert manifest["as_of"] == "2026-10-09" and "2026-10-09" in manifest["data_as_of"]["tariff_schedule"]


def test_evaluate_reserves_and_tariffs_take_csv(capsys) -> None:
    code, out, _ = run(capsys, "evaluate", "--no-flips", "korea-final-2025-11", "--paths", "100", "--csv")
    assert code == 0 and out.splitlines()[0] == "metric,value" and "investor.irr_p50," in out
    code, out, _ = run(capsys, "reserves", "korea-final-2025-11", "--paths", "100", "--csv")
    assert code == 0 and out.startswith("year,calls_mean,") and len(out.splitlines()) == 16
    code, out, _ = run(capsys, "tariffs", "--korea", "25", "--paths", "50", "--csv")
    assert code == 0 and out.startswith("sector,investor_exports,") and "\ntotal," in out
