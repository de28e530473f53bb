"""How robust the recommendation is: the Nash deal re-found over seeds, risk aversion and the
plausible ranges; the shares are the counts of the replications, and the run reproduces."""
from __future__ import annotations

import pytest

import pactlab as pl
from pactlab.analysis.negotiate import Issue, IssueSpace
from pactlab.analysis.negotiate.stability import LAMBDAS, _bucket, stability
from pactlab.core.errors import PactError

FINAL = pl.load_pact("korea-final-2025-11")
SPACE = IssueSpace(FINAL, (Issue("schedule.annual_cap", levels=(10.0, 20.0, 35.0)),
                           Issue("fx.swap_line", levels=(0.0, 50.0))))
A = pl.load_assumptions()


@pytest.fixture(scope="module")
def st():
    return stability(SPACE, A, replications=3, n=6, paths=60, seed=4, sample="grid", ranged=False)


def test_the_shares_are_the_replications_counts(st) -> None:
    runs, found = st.runs, st.runs[st.runs["nash"].notna()]
    assert list(runs["risk_aversion"]) == list(LAMBDAS)          # λ cycles through the set
    assert len(set(runs["seed"])) == 3                            # a seed of its own each
    assert st.design["with_nash_deal"] == len(found)
    for issue in SPACE.issues:
        shares = st.shares[issue.key]
        if len(found):
            assert sum(shares.values()) == pytest.approx(1.0)
            for value, share in shares.items():
                count = sum(_bucket(issue, v) == value for v in found[issue.key])
                assert share == pytest.approx(count / len(found))
    table = st.table()
    assert list(table["issue"]) == [i.key for i in SPACE.issues]


def test_the_same_seed_gives_the_same_replications(st) -> None:
    again = stability(SPACE, A, replications=3, n=6, paths=60, seed=4, sample="grid", ranged=False)
    assert again.runs.equals(st.runs) and again.shares == st.shares


def test_continuous_issues_are_counted_by_the_quarter_of_their_range() -> None:
    issue = Issue("waterfall.spread", 0.0, 0.04)
    assert _bucket(issue, 0.005) == "0–0.01" and _bucket(issue, 0.04) == "0.03–0.04"
    assert _bucket(Issue("fx.swap_line", levels=(0.0, 50.0)), 50.0) == "50"


def test_no_replication_is_one_line() -> None:
    with pytest.raises(PactError, match="--stability"):
        stability(SPACE, A, replications=0)


@pytest.mark.slow
def test_ranged_replications_move_the_assumptions() -> None:
    st = stability(SPACE, A, replications=2, n=6, paths=60, seed=1, sample="grid")
    moved = [c for c in st.runs.columns if c.startswith("set:")]
    assert moved and st.runs[moved[0]].nunique() == 2
