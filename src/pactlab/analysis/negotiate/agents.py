r"""Alternating offers over a set of candidate deals, with a deadline, discounting and the risk
that talks break down.

Two agents take turns proposing a candidate; each knows its own utility of every candidate
(normalised to its *share*: 0 at the disagreement point, 1 at its best individually rational
candidate). Each round the responder accepts an offer worth at least what it would itself
offer next, discounted one round (the "AC_next" rule); otherwise, with probability
``breakdown`` the talks end in no deal (the host's threat: the tariff snaps back), else the
roles swap. An agreement in round :math:`r` is worth :math:`\delta_i^{r-1} u_i`. No agreement by
the deadline is no deal.

Tactics (what an agent asks for, as a share of its best, in round :math:`t` of :math:`T`):

* time-dependent (Faratin, Sierra & Jennings 1998, polynomial family):
  :math:`s(t) = 1 - (t/T)^{1/e}`, with ``boulware`` :math:`e = 0.2` (holds out, concedes late),
  ``linear`` :math:`e = 1` and ``conceder`` :math:`e = 5`;
* ``tit_for_tat`` — relative tit-for-tat (Faratin et al. 1998; Axelrod 1984): concedes as much,
  in its own utility, as the opponent's last offer conceded to it;
* ``hardball`` — asks for its best until the end and accepts nothing below ``target``;
* ``rubinstein`` — knows both discount factors and plays the stationary subgame-perfect
  equilibrium (Rubinstein 1982; Binmore, Rubinstein & Wolinsky 1986) over the candidates: the
  pair of proposals :math:`(x, y)`, the investor's and the host's, where each is the proposer's
  best among those the responder accepts, and the responder is indifferent between accepting
  and proposing its own next round, :math:`u_h(x) = \delta_h u_h(y)`, :math:`u_i(y) = \delta_i
  u_i(x)` (:func:`rubinstein_proposals`). On a unit pie (a linear frontier) that is the formula:
  the first proposer gets :math:`(1-\delta_o)/(1-\delta_s\delta_o)`, :math:`1/(1+\delta)` and
  the responder :math:`\delta/(1+\delta)` when both discount at :math:`\delta`; on a curved
  frontier the shares of each side's best differ from the formula's (they need not sum to
  one). A discount factor must be below 1: at :math:`\delta_i\delta_h = 1` the game has no
  unique split.

An offer is the candidate that gives the opponent the most among those worth at least the
agent's current ask to itself (a "nice" offer; ties go to the lower index).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from ...core.errors import PactError
from .solutions import individually_rational, pareto_front
from .utility import DISAGREEMENT

EXPONENTS = {"boulware": 0.2, "linear": 1.0, "conceder": 5.0}
TACTICS = (*EXPONENTS, "tit_for_tat", "hardball", "rubinstein")
PARTY_NAMES = ("investor", "host")


@dataclass(frozen=True)
class Agent:
    """A negotiator: its tactic, its discount factor per round and (hardball) its floor."""

    tactic: str = "linear"
    discount: float = 1.0
    target: float = 1.0        # hardball: the lowest share of its best it accepts

    def __post_init__(self) -> None:
        if self.tactic not in TACTICS:
            raise PactError(f"--agents: unknown tactic {self.tactic!r}; tactics are {', '.join(TACTICS)}")
        if not 0.0 < self.discount <= 1.0:
            raise PactError(f"--discount: must be in (0, 1], got {self.discount:g}")
        if self.tactic == "rubinstein" and self.discount >= 1.0:
            raise PactError(f"--discount: a rubinstein agent needs a discount factor below 1 "
                            f"(at 1 the game has no unique split), got {self.discount:g}")


@dataclass(frozen=True)
class Outcome:
    """How the talks ended: the agreed candidate (None: no deal), the round, and each side's
    utility of the outcome, discounted to round 1."""

    agreement: int | None
    round: int
    utilities: tuple[float, float]
    ended: str                 # agreement | deadline | breakdown | no_zone (no deal beats none)
    trace: pd.DataFrame


class _Player:
    """An agent's view of the candidates: its own shares and the opponent's."""

    def __init__(self, agent: Agent, own: np.ndarray, other: np.ndarray, other_agent: Agent) -> None:
        self.agent, self.own, self.other, self.opponent = agent, own, other, other_agent
        self.ask_share = 1.0
        self.last_received: float | None = None
        self.proposal: int | None = None          # rubinstein: its equilibrium proposal
        self.expects: int | None = None           # ... and the opponent's, which it accepts

    def ask(self, t: int, deadline: int) -> float:
        """Its ask in round t (1-based) as a share of its best."""
        a = self.agent
        if a.tactic in EXPONENTS:
            return 1.0 - (min(t - 1, deadline) / max(deadline, 1)) ** (1.0 / EXPONENTS[a.tactic])
        if a.tactic == "hardball":
            return 1.0
        if a.tactic == "rubinstein":
            return float(self.own[cast(int, self.proposal)])
        return self.ask_share          # tit for tat: moved by the opponent's concessions

    def offer(self, t: int, deadline: int) -> int:
        """The candidate that gives the opponent most among those worth the ask to itself."""
        if self.agent.tactic == "rubinstein":   # its equilibrium proposal
            return cast(int, self.proposal)
        ask = self.ask(t, deadline)
        ok = np.flatnonzero(self.own >= ask - 1e-12)
        if ok.size == 0:
            ok = np.array([int(np.argmax(self.own))])
        return int(ok[np.argmax(self.other[ok])])

    def accepts(self, candidate: int, t: int, deadline: int) -> bool:
        value = self.own[candidate]
        if self.agent.tactic == "hardball":
            return value >= self.agent.target - 1e-12
        if self.agent.tactic == "rubinstein":  # the equilibrium offer to it, or better
            return value >= self.own[cast(int, self.expects)] - 1e-12
        return value >= self.agent.discount * self.own[self.offer(t + 1, deadline)] - 1e-12

    def observe(self, candidate: int) -> None:
        """Tit for tat: concede, in its own terms, what the opponent just conceded to it."""
        received = self.own[candidate]
        if self.agent.tactic == "tit_for_tat" and self.last_received is not None:
            self.ask_share = float(np.clip(self.ask_share - (received - self.last_received), 0.0, 1.0))
        self.last_received = received


def rubinstein_proposals(x: np.ndarray, delta_0: float, delta_1: float) -> tuple[int, int]:
    r"""The stationary subgame-perfect proposals of alternating offers over candidates with
    shares `x` (n, 2) (negative: never acceptable), party 0 discounting at `delta_0` a round and
    party 1 at `delta_1`: the candidates nearest party 0's proposal and party 1's.

    The frontier of the acceptable candidates, joined by straight lines, is the pie: with
    :math:`h(a)` the most party 1 can have when party 0 has :math:`a`, party 0 proposes
    :math:`(a^*, h(a^*))` and party 1 :math:`(\delta_0 a^*, h(\delta_0 a^*))`, where
    :math:`h(a^*) = \delta_1 h(\delta_0 a^*)`: each responder is indifferent between the offer
    and its own proposal a round later (found by Brent's method; :math:`a^*` is party 0's best
    when even that leaves party 1 more than it would wait for). On a unit pie this is
    Rubinstein's split, to the grid's resolution.

    >>> pie = np.column_stack([np.linspace(0, 1, 1001), np.linspace(1, 0, 1001)])
    >>> a, b = rubinstein_proposals(pie, 0.9, 0.9)
    >>> round(float(pie[a, 0]), 3), round(float(pie[b, 0]), 3)
    (0.526, 0.474)
    """
    if not (0.0 < delta_0 < 1.0 and 0.0 < delta_1 < 1.0):
        raise PactError("--discount: a rubinstein agent needs discount factors in (0, 1) "
                        f"(at 1 the game has no unique split), got {delta_0:g}, {delta_1:g}")
    x = np.asarray(x, dtype=np.float64)
    ok = np.flatnonzero((x >= 0).all(axis=1))
    if ok.size == 0:
        raise PactError("negotiate: no candidate is better than no deal for both sides")
    front = ok[pareto_front(x[ok])]                # sorted by party 0's share, ascending
    a, b = x[front, 0], x[front, 1]

    def h(v: float) -> float:
        return float(np.interp(v, a, b))           # below a[0]: party 1's best, b[0]

    def gap(v: float) -> float:
        return h(v) - delta_1 * h(delta_0 * v)

    star = a[-1] if a[-1] == a[0] or gap(a[-1]) >= 0 else brentq(gap, a[0], a[-1], xtol=1e-12)
    targets = np.array([[star, h(star)], [delta_0 * star, h(delta_0 * star)]])
    nearest = [int(front[np.argmin(np.hypot(*(x[front] - t).T))]) for t in targets]
    return nearest[0], nearest[1]


def shares(u: np.ndarray, d=DISAGREEMENT) -> np.ndarray:
    """Utilities as shares: 0 at `d`, 1 at each side's best individually rational candidate;
    candidates that are not individually rational get -1 (never acceptable)."""
    u = np.asarray(u, dtype=np.float64)
    ir = individually_rational(u, d)
    if not ir.any():
        raise PactError("negotiate: no candidate is better than no deal for both sides")
    best = u[ir].max(axis=0)
    out = (u - np.asarray(d)) / (best - np.asarray(d))
    return np.where(ir[:, None], out, -1.0)


def alternating_offers(u: np.ndarray, agents: tuple[Agent, Agent], rounds: int, *,
                       first: int = 0, breakdown: float = 0.0, seed: int = 0,
                       values: pd.DataFrame | None = None, d=DISAGREEMENT) -> Outcome:
    """Play alternating offers over candidates with utilities `u` (n, 2); `agents[i]` speaks
    for party i (0: investor, 1: host), `first` proposes first. The trace (round, proposer,
    candidate, its terms from `values`, both utilities, accepted) is a DataFrame."""
    if rounds < 1:
        raise PactError(f"--rounds: must be >= 1, got {rounds}")
    if not 0.0 <= breakdown < 1.0:
        raise PactError(f"breakdown probability: must be in [0, 1), got {breakdown}")
    u = np.asarray(u, dtype=np.float64)
    if not individually_rational(u, d).any():     # nothing to agree on: no deal, no rounds
        return Outcome(None, 0, (d[0], d[1]), "no_zone", pd.DataFrame())
    x = shares(u, d)
    players = (_Player(agents[0], x[:, 0], x[:, 1], agents[1]),
               _Player(agents[1], x[:, 1], x[:, 0], agents[0]))
    if any(a.tactic == "rubinstein" for a in agents):   # one equilibrium, both sides know it
        proposals = rubinstein_proposals(x, agents[0].discount, agents[1].discount)
        for i, player in enumerate(players):
            player.proposal, player.expects = proposals[i], proposals[1 - i]
    rng = np.random.default_rng(seed)
    rows = []
    proposer = first
    for t in range(1, rounds + 1):
        me, you = players[proposer], players[1 - proposer]
        candidate = me.offer(t, rounds)
        you.observe(candidate)
        accepted = you.accepts(candidate, t, rounds)
        row = {"round": t, "proposer": PARTY_NAMES[proposer], "candidate": candidate,
               "investor_utility": u[candidate, 0], "host_utility": u[candidate, 1],
               "accepted": accepted}
        if values is not None:
            row |= values.iloc[candidate].to_dict()
        rows.append(row)
        if accepted:
            discounted = cast(tuple[float, float], tuple(
                float(u[candidate, i] * agents[i].discount ** (t - 1)) for i in (0, 1)))
            return Outcome(candidate, t, discounted, "agreement", pd.DataFrame(rows))
        if breakdown and rng.random() < breakdown:
            return Outcome(None, t, (d[0], d[1]), "breakdown", pd.DataFrame(rows))
        proposer = 1 - proposer
    return Outcome(None, rounds, (d[0], d[1]), "deadline", pd.DataFrame(rows))
