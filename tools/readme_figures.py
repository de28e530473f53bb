"""Rewrite every model figure in README.md from the model itself, so none can go stale.

Each figure lives in a block of the README between ``<!-- figures:NAME -->`` and
``<!-- /figures:NAME -->``; this script runs what the block describes (the demo's comparison,
the robust verdicts, the calibrated negotiation, the other pledges) and writes the block
anew. ``--check`` writes nothing and exits 1 when a block differs (a slow test runs it). Timings
are not figures: the benchmarks print those.

    .venv/bin/python tools/readme_figures.py            # rewrite README.md
    .venv/bin/python tools/readme_figures.py --check    # exit 1 if it would change
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pactlab as pl
from pactlab.analysis.calibrate import calibrate
from pactlab.app import service
from pactlab.app.requests import NegotiationRequest
from pactlab.core.units import format_value
from pactlab.present.verdict import verdict

README = Path(__file__).resolve().parents[1] / "README.md"
DEMO = ["japan-mou-2025", "korea-us-demand-2025-09", "korea-counter-2025-09",
        "korea-final-2025-11"]
#: the demo table's rows: (group, metric key)
ROWS = [("gain", "investor_mean"), ("gain", "investor_p_loss"), ("gain", "host_mean"),
        ("gain", "host_p_loss"), ("gain", "individually_rational"), ("fx", "p_crisis"),
        ("fx", "p_crisis_no_pact"), ("gain", "investor:tariff relief"),
        ("fx", "share_of_reserves"), ("investor", "irr_p50")]
usd = lambda v: format_value(v, "usd_bn")
pct = lambda v: format_value(v, "share")


def _table(evs: list) -> str:
    """The demo's comparison, selected rows, as `compare` labels them."""
    from pactlab.analysis.headline import row_label
    from pactlab.model.metrics import METRICS
    by_key = {(g, m.key): m for g, defs in METRICS.items() for m in defs}
    labels = [row_label(g, by_key[(g, k)]) for g, k in ROWS]
    width = max(map(len, labels))
    cols = [max(len(ev.label), 9) for ev in evs]
    head = "metric".ljust(width) + "  " + "  ".join(ev.label.ljust(w) for ev, w in zip(evs, cols, strict=True))
    lines = [head]
    for (g, k), label in zip(ROWS, labels, strict=True):
        unit = by_key[(g, k)].unit
        cells = [format_value(ev.metrics[g][k], unit).ljust(w) for ev, w in zip(evs, cols, strict=True)]
        lines.append(label.ljust(width) + "  " + "  ".join(cells))
    return "\n".join(line.rstrip() for line in lines)


def demo() -> str:
    evs = pl.evaluate_all(DEMO, 10_000, 0)
    jp, demand, counter, final = evs
    g = {ev.label: ev.metrics["gain"] for ev in evs}
    fx = {ev.label: ev.metrics["fx"] for ev in evs}
    rational = [ev.label for ev in evs if g[ev.label]["individually_rational"]]
    host_view = final.assumptions.host_objective.view
    lines = [
        "```text", _table(evs), "```", "",
        f"Read top to bottom (10,000 futures, seed 0, tariffs as of "
        f"{final.assumptions.trade.as_of}; the host's gain in its *{host_view}* view: a dollar "
        f"of tariff revenue counts {1 + final.assumptions.host_objective.revenue_weight:g} of "
        "welfare and a swap line carries its exposure — `--set host_objective.view=welfare` "
        "for welfare alone). " + verdict(final)["sentence"],
        "",
        f"The US's September demand on Korea gives Korea a {pct(fx[demand.label]['p_crisis'])} "
        f"chance of a reserve crisis within {final.assumptions.fx.horizon_years} years, against "
        f"{pct(fx[demand.label]['p_crisis_no_pact'])} with no pact on the same futures; the "
        f"final deal's cap keeps it at {pct(fx[final.label]['p_crisis'])}. *Tariff relief* — "
        "the present value of the value added the deal keeps while it stands — is "
        f"{usd(g[final.label]['investor:tariff relief'])} for Korea and "
        f"{usd(g[jp.label]['investor:tariff relief'])} for Japan. "
        + ("No preset is worth doing for both sides on average."
           if not rational else
           f"Worth doing for both sides on average: {', '.join(rational)}.")
        + f" Korea's counter-proposal gives Korea {usd(g[counter.label]['investor_mean'])} and "
        f"the US {usd(g[counter.label]['host_mean'])}; the final deal gives Korea "
        f"{usd(g[final.label]['investor_mean'])} (behind in "
        f"{pct(g[final.label]['investor_p_loss'])} of futures) and the US "
        f"{usd(g[final.label]['host_mean'])}.",
    ]
    return "\n".join(lines)


def robust() -> str:
    rob = pl.robust(DEMO, points=64, paths=1_000, seed=0)
    share = {(v["pact"], v["verdict"]): v["holds_share"] for v in rob.verdicts}
    words = {"investor_gain_positive": "the investor ahead", "host_gain_positive": "the US ahead",
             "individually_rational": "both ahead",
             "investor_crisis_below": "crisis risk under 10%"}
    lines = [f"On {rob.manifest['points']} points of 1,000 futures over {len(rob.ranges)} "
             "plausible ranges (a Latin hypercube, every point on the same futures), the share of "
             "the plausible world where each verdict holds:", "",
             "| pact | " + " | ".join(words.values()) + " |",
             "|---|" + "---|" * len(words)]
    for name in DEMO:
        cells = [pct(share[(name, k)]) if share.get((name, k)) is not None else "–" for k in words]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def negotiation() -> str:
    cal = calibrate("korea", pl.load_assumptions(), paths=2_000, seed=0)
    held = calibrate("korea", pl.load_assumptions(), paths=2_000, seed=0,
                     hold_out="korea-final-2025-11")
    prefs = {k: float(v) for k, v in cal.fit.point.items()}
    req = NegotiationRequest(pact="korea-us-demand-2025-09", space="korea", sample="lhs",
                             n=1_000, paths=2_000, seed=0, budget=0,
                             assumptions={k: v for k, v in prefs.items()})
    neg = service.negotiate(req).negotiation
    from pactlab.analysis.negotiate.run import SOLUTIONS
    rows = ["solution                     investor gain  P(loss)  host gain  P(loss)  investor P(crisis)"]
    for name, i in neg.solutions.items():
        if i is None:
            continue
        s = neg.stats.iloc[i]
        rows.append(f"{SOLUTIONS[name][0]:<29}{usd(s.investor_mean):<15}{pct(s.investor_p_loss):<9}"
                    f"{usd(s.host_mean):<11}{pct(s.host_p_loss):<9}{pct(s.p_crisis)}".rstrip())
    nash = neg.solutions.get("nash")
    terms = ("" if nash is None else "The Nash deal: " + ", ".join(
        f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
        for k, v in neg.candidates.values.iloc[nash].items()) + ".")
    p = held.prediction or {}
    return "\n".join([
        f"`pactlab calibrate korea` (2,000 futures, seed 0) finds the record "
        f"{'consistent' if cal.fit.consistent else 'inconsistent'} within the plausible bounds "
        f"({pct(cal.to_dict()['consistent_share'])} of {cal.to_dict()['samples']:,} sampled "
        "preference sets explain it). At the point deepest inside the consistent set:", "",
        *[f"- {line}" for line in cal.meaning()], "",
        "With those preferences, `negotiate korea-us-demand-2025-09 --space korea --sample lhs "
        f"--n 1000 --preferences prefs.toml` finds {int(neg.individually_rational.sum()):,} "
        "deals better than no deal for both sides and prints (seed 0; each gain counts the no-deal "
        "cost that side perceives beyond the model):", "",
        "```text", *rows, "```", "", terms, "",
        "Held out, the final deal is predicted by the Nash deal under preferences fitted without "
        f"it at a distance of {p.get('distance', float('nan')):.2f} (the mean over issues of "
        "|predicted − real| / the issue's range; 0 is the deal itself).",
    ])


def pledges() -> str:
    eu, tw, ch = pl.evaluate_all(["eu-joint-statement-2025-08", "taiwan-2026-01",
                                  "switzerland-2025-11"], 10_000, 0)
    line = lambda ev: (f"{ev.label}: tariff relief {usd(ev.metrics['gain']['investor:tariff relief'])}, "
                       f"mean gain {usd(ev.metrics['gain']['investor_mean'])} for the investor and "
                       f"{usd(ev.metrics['gain']['host_mean'])} for the US")
    return ("On 10,000 futures, with today's tariffs — " + "; ".join(map(line, (eu, tw, ch)))
            + ".")


BLOCKS: dict[str, Callable[[], str]] = {"demo": demo, "robust": robust,
                                        "negotiation": negotiation, "pledges": pledges}


def rewrite(text: str, blocks: dict[str, str]) -> str:
    """The README with each named block's body replaced (the markers stay)."""
    for name, body in blocks.items():
        pattern = re.compile(rf"(<!-- figures:{name} -->\n)(?:.*?\n)?(<!-- /figures:{name} -->)",
                             re.S)
        if not pattern.search(text):
            raise SystemExit(f"README.md: no <!-- figures:{name} --> block")
        text = pattern.sub(lambda m, body=body: m.group(1) + body + "\n" + m.group(2), text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md would change")
    parser.add_argument("--only", nargs="*", choices=sorted(BLOCKS), help="just these blocks")
    args = parser.parse_args()
    names = args.only or list(BLOCKS)
    old = README.read_text(encoding="utf-8")
    rewrite(old, dict.fromkeys(names, ""))        # every block's markers, before the runs
    new = rewrite(old, {name: BLOCKS[name]() for name in names})
    if args.check:
        if new != old:
            print("README.md: its figures are stale; run tools/readme_figures.py", file=sys.stderr)
            sys.exit(1)
        return
    README.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
