"""Fighting between sides: who attacks whom, and what a week of fighting costs.

Mechanism. *Initiation* follows windows of opportunity and vulnerability (Pischedda 2018): a
side attacks a rival when the government threat is low and the rival can be beaten cheaply, or
when its own share of power is collapsing. Ideologically distant and very unequal pairs fight
more, and sharing a sponsor does not protect a pair (Gade, Hafez & Gabbay 2019). Revenue is a
motive: a rival's share of the theatre's own income (crossings, taxation) attracts attacks
(Fjelde & Nilsson 2012). The weekly hazard that side *a* attacks side *b* is::

    h_ab = base_rate * exp( ideology_weight * |x_a - x_b|
                          + asymmetry_weight * |2 r_ab - 1|
                          + opportunity_weight * (2 r_ab - 1)
                          + vulnerability_weight * decline_a
                          + resource_weight * income_share_b
                          + grudge_weight * grudge_ab
                          - threat_weight * pressure
                          - alliance_restraint * allied_ab )

with ``r_ab = P_a / (P_a + P_b)`` and power ``P = fighters * (0.5 + 0.5 * cohesion)``.

*Outcome.* Each week of an ongoing fight is a contest (Hirshleifer 1989): *a* wins the week
with probability ``P_a^m / (P_a^m + P_b^m)``, ``m = decisiveness``. On the engaged front
(``engagement`` times the smaller side) the loser loses ``loss_rate`` of the engaged fighters,
the winner a share of that scaled by the power ratio, and the winner absorbs ``absorb_fighters``
of the engaged fighters and ``capture`` of the loser's income and stock (Pischedda 2020: the
winner takes the loser's fighters and revenue). A side that falls below ``dissolve_below``
fighters dissolves and is absorbed by the side that beat it.

Only candidate pairs are examined: all pairs of sides when there are few, otherwise
``contacts`` random partners per side plus every pair that already has a relation.

State it reads: powers, ideologies, incomes, relations, the pressure now.
State it writes: relations (fighting), fighters (losses, absorption), resources, income,
aggression and attack memories; it dissolves beaten sides through :mod:`sim.structure`.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.kernels import draws_below, np_power, np_sum
from sim.relations import Status, find_pair
from sim.rules.base import Param, Rule
from sim.state import Kind

if TYPE_CHECKING:
    from sim.model import CoalitionModel


class WindowsOfOpportunity(Rule):
    """Initiation and outcome of fights between sides (see module docstring)."""

    name = "windows_of_opportunity"
    mechanism = "windows of opportunity and vulnerability; contest function"
    sources = (
        "Pischedda (2018), Wars within wars, International Security 43(1)",
        "Pischedda (2020), Conflict Among Rebels, Columbia UP",
        "Gade, Hafez & Gabbay (2019), Fratricide in rebel movements, JPR 56(3)",
        "Fjelde & Nilsson (2012), Rebels against rebels, JCR 56(4)",
        "Hirshleifer (1989), Conflict and rent-seeking success functions, Public Choice 63",
    )
    params = (
        Param(
            "base_rate",
            0.0001,
            0.0,
            0.2,
            "Weekly attack hazard of a neutral pair at the "
            "reference point (equal power, same ideology, no pressure).",
            "assumption",
        ),
        Param(
            "ideology_weight",
            3.0,
            0.0,
            10.0,
            "Log-hazard per unit of ideological distance.",
            "Gade, Hafez & Gabbay 2019",
        ),
        Param(
            "asymmetry_weight",
            1.0,
            0.0,
            10.0,
            "Log-hazard per unit of power asymmetry |2r-1|.",
            "Gade, Hafez & Gabbay 2019",
        ),
        Param(
            "opportunity_weight",
            1.5,
            0.0,
            10.0,
            "Log-hazard per unit of the attacker's power advantage 2r-1 (cheap victory).",
            "Pischedda 2018 (window of opportunity)",
        ),
        Param(
            "vulnerability_weight",
            2.0,
            0.0,
            10.0,
            "Log-hazard per unit of relative decline of "
            "the attacker's power share over the last quarter.",
            "Pischedda 2018 (window of vulnerability)",
        ),
        Param(
            "resource_weight",
            2.0,
            0.0,
            10.0,
            "Log-hazard per unit of the target's share of the theatre's own income.",
            "Fjelde & Nilsson 2012",
        ),
        Param(
            "threat_weight",
            2.0,
            0.0,
            10.0,
            "Log-hazard reduction per unit of government pressure.",
            "Pischedda 2018 (low external threat)",
        ),
        Param(
            "grudge_weight",
            1.5,
            0.0,
            10.0,
            "Log-hazard increase for a pair with a fresh grudge (past fighting or "
            "defection); it fades linearly to 0 as the grudge expires.",
            "assumption",
        ),
        Param(
            "alliance_restraint",
            3.0,
            0.0,
            10.0,
            "Log-hazard reduction for allied pairs.",
            "Gade, Gabbay, Hafez & Kelly 2019 (cooperation follows closeness)",
        ),
        Param(
            "decisiveness",
            1.5,
            0.1,
            5.0,
            "Contest exponent m: how much power decides a week of fighting.",
            "Hirshleifer 1989",
        ),
        Param(
            "engagement",
            0.3,
            0.0,
            1.0,
            "Share of the smaller side's fighters engaged in a week of fighting.",
            "assumption",
        ),
        Param(
            "loss_rate",
            0.05,
            0.0,
            0.5,
            "Share of engaged fighters the loser of a week "
            "loses (the winner loses this times P_loser/P_winner).",
            "assumption",
        ),
        Param(
            "absorb_fighters",
            0.05,
            0.0,
            0.5,
            "Share of engaged fighters that go over to the winner of a week.",
            "Pischedda 2020",
        ),
        Param(
            "capture",
            0.05,
            0.0,
            1.0,
            "Share of the loser's own income and stock the winner of a week takes.",
            "Fjelde & Nilsson 2012",
        ),
        Param(
            "dissolve_below",
            100.0,
            0.0,
            5000.0,
            "Fighters under which a beaten side dissolves into the winner.",
            "assumption",
        ),
        Param(
            "contacts",
            32,
            1,
            1000,
            "Candidate partners per side and step when the theatre has more sides than this.",
            "performance setting",
            integer=True,
        ),
    )

    def __init__(self, model: CoalitionModel, values: dict[str, float] | None = None) -> None:
        super().__init__(model, values)
        # Output arrays the kernels fill, kept from step to step: handing freshly allocated
        # arrays back to Python costs a kernel more than its arithmetic on a small theatre.
        self._grow(64)

    def _grow(self, k: int) -> None:
        self._ends = np.empty((k, 2), np.int64)  # lower, higher side of each open pair
        self._work = np.empty((k, 18))  # terms both ways, then the two hazards
        self._p = np.empty(k)  # probability that the pair starts fighting
        self._hit = np.empty(k, np.int64)  # rows of the pairs that do
        self._sides = np.empty((2, k), np.int64)  # winner and loser of each fight

    def step(self) -> None:
        """Fight a week of every ongoing fight, then start new fights."""
        self._fight_rounds()
        self._initiate()

    # -- ongoing fights ----------------------------------------------------------------------
    def _fight_rounds(self) -> None:
        m = self.model
        rel = m.relations
        status = rel.status
        n_fights = _count(status, _FIGHTING)
        if n_fights == 0:
            return
        if n_fights > len(self._p):
            self._grow(n_fights)
        a = m.actors
        scale = m.dt_weeks  # weekly rounds' worth of fighting; losses are capped below
        # One draw per fighting pair (in code order) decides who wins the week; the kernel
        # does the contest, losses, absorption, capture and the fights' cost in one pass.
        _fight_week(
            m.rng.random(n_fights),
            rel.codes,
            status,
            rel.strength,
            m.power,
            m.totals,
            m.top,
            a.alive,
            a.kind,
            a.leader,
            a.fighters,
            a.income,
            a.resources,
            m.ledger["lost"],
            m.ledger["absorbed"],
            (
                self.decisiveness,
                self.engagement,
                scale,
                self.loss_rate,
                self.absorb_fighters,
                min(1.0, self.capture * scale),
            ),
            self._sides,
        )
        m.touch()
        m.refresh()
        # Beaten sides below the threshold dissolve into the side that beat them.
        win, lose = self._sides[:, :n_fights].tolist()
        for w, l_ in zip(win, lose, strict=True):
            if a.alive[l_] and a.alive[w] and m.totals[l_] < self.dissolve_below:
                m.dissolve(l_, absorber=w, causes=[("fighters_below_threshold", 1.0)])

    # -- new fights --------------------------------------------------------------------------
    def _initiate(self) -> None:
        m = self.model
        lo, hi = m.candidate_pairs(self.contacts)
        if len(lo) == 0:
            return
        if len(lo) > len(self._p):
            self._grow(len(lo))
        rel = m.relations
        k = _attack_hazards(
            lo,
            hi,
            rel.codes,
            rel.status,
            rel.since,
            rel.until,
            m.steps,
            m.power,
            m.power_share,
            m.actors.power_share_ema,
            m.side_ideology,
            m.income_share,
            m.pressure,
            _weights(self),
            self.base_rate,
            m.dt_weeks,
            self._ends,
            self._work,
            self._p,
        )
        if k == 0:
            return
        n_starts = draws_below(m.rng.random(k), self._p, self._hit)
        if n_starts == 0:
            return
        # Who attacks whom: a over b with probability h_ab / (h_ab + h_ba).
        draws = m.rng.random(n_starts).tolist()
        for j, u in zip(self._hit[:n_starts].tolist(), draws, strict=True):
            row = self._work[j].tolist()
            h_ab, h_ba = row[16], row[17]
            lo_j, hi_j = self._ends[j].tolist()
            if u * (h_ab + h_ba) < h_ab:
                att, tgt, terms = lo_j, hi_j, row[:8]
            else:
                att, tgt, terms = hi_j, lo_j, row[8:16]
            m.start_fight(att, tgt, list(zip(TERMS, terms, strict=True)))


# The terms of the attack hazard, in the order of the module docstring, and their weights.
TERMS = (
    "ideological_distance",
    "power_asymmetry",
    "opportunity",
    "vulnerability",
    "target_revenue",
    "grudge",
    "government_threat",
    "alliance",
)
_WEIGHTS = (
    "ideology_weight",
    "asymmetry_weight",
    "opportunity_weight",
    "vulnerability_weight",
    "resource_weight",
    "grudge_weight",
    "threat_weight",
    "alliance_restraint",
)
_weights = attrgetter(*_WEIGHTS)  # a rule -> the tuple of its weights

# Plain ints, so the kernels see compile-time constants.
_FIGHTING = int(Status.FIGHTING)
_TRUCE = int(Status.TRUCE)
_ALLIANCE = int(Status.ALLIANCE)
_HOSTILE = int(Status.HOSTILE)
_GROUP = int(Kind.GROUP)
_COALITION = int(Kind.COALITION)


@njit(cache=True)
def _count(status, value):  # pragma: no cover - compiled
    """Number of pairs in ``value``."""
    n = 0
    for s in status:
        n += s == value
    return n


@njit(cache=True)
def _lead_group(side, kind, leader):  # pragma: no cover - compiled
    """The group that acts for a side (as ``CoalitionModel.lead_group``)."""
    return leader[side] if kind[side] == _COALITION else side


@njit(cache=True)
def _fight_week(
    u,
    codes,
    status,
    strength,
    power,
    totals,
    top,
    alive,
    kind,
    leader,
    fighters,
    income,
    resources,
    lost_ledger,
    absorbed_ledger,
    params,
    sides,
):  # pragma: no cover - compiled
    """A week of every fight, in place; writes the winner and loser of each to ``sides``.

    Does what ``CoalitionModel.apply_losses`` (twice), ``ledger_add`` and ``capture`` did, in
    the same order of floating-point operations, so the results are bit-identical to them.
    ``params``: decisiveness, engagement, dt_weeks, loss_rate, absorb_fighters, capture share.
    """
    m, engagement, scale, loss_rate, absorb, cap_frac = params
    k = len(u)
    n = len(totals)
    lo = np.empty(k, np.int64)
    hi = np.empty(k, np.int64)
    slot = np.empty(k, np.int64)
    j = 0
    for s in range(len(codes)):
        if status[s] == _FIGHTING:
            slot[j] = s
            lo[j] = codes[s] >> 32
            hi[j] = codes[s] & 0xFFFFFFFF
            j += 1
    win = sides[0]
    lose = sides[1]
    cost = np.empty(k)  # fighters lost by both sides
    absorbed = np.empty(k)
    lost_by_loser = np.zeros(n)  # bincounts, accumulated in fight order
    lost_by_winner = np.zeros(n)
    moved = np.zeros(n)
    for j in range(k):
        a, b = lo[j], hi[j]
        pw_a = np_power(power[a], m)
        pw_b = np_power(power[b], m)
        denom = pw_a + pw_b
        p_a = pw_a / denom if denom > 0 else 0.5
        w, l_ = (a, b) if u[j] < p_a else (b, a)
        win[j] = w
        lose[j] = l_
        engaged = engagement * min(totals[w], totals[l_]) * scale
        ratio = power[l_] / power[w] if power[w] > 0 else 1.0
        ll = loss_rate * engaged
        lw = loss_rate * engaged * min(ratio, 1.0)
        cost[j] = ll + lw
        absorbed[j] = absorb * engaged
        lost_by_loser[l_] += ll
        lost_by_winner[w] += lw
        moved[l_] += absorbed[j]
    # Shares of each side lost and moved, capped together at 95 %.
    frac_lost = np.zeros(n)
    frac_moved = np.zeros(n)
    for i in range(n):
        lost = lost_by_loser[i] + lost_by_winner[i]
        fl = lost / totals[i] if totals[i] > 0 else 0.0
        fm = moved[i] / totals[i] if totals[i] > 0 else 0.0
        both = fl + fm
        over = min(max(both, 0.0), 0.95) / both if both > 0 else 1.0
        frac_lost[i] = fl * over
        frac_moved[i] = fm * over
    # Every unit and group core loses its side's shares: first the dead, then the absorbed.
    for i in range(n):
        if alive[i] and kind[i] != _COALITION:
            take = fighters[i] * min(max(frac_lost[top[i]], 0.0), 1.0)
            fighters[i] -= take
            lost_ledger[i] += take
    gains = np.zeros(n)
    for i in range(n):
        if alive[i] and kind[i] != _COALITION:
            take = fighters[i] * min(max(frac_moved[top[i]], 0.0), 1.0)
            fighters[i] -= take
            absorbed_ledger[i] -= take
            gains[top[i]] += take
    # The absorbed fighters go to each winner's leading group, in proportion to what it won.
    for j in range(k):
        l_ = lose[j]
        share = absorbed[j] / moved[l_] if moved[l_] > 0 else 0.0
        dest = _lead_group(win[j], kind, leader)
        amount = share * gains[l_]
        fighters[dest] += amount
        absorbed_ledger[dest] += amount
    # Each winner's leading group takes a share of the loser's groups' income and stock.
    # (The groups of each side, in row order, are listed once: scanning every row for each
    # fight made this part grow with fights x rows.)
    start = np.zeros(n + 1, np.int64)
    for i in range(n):
        if alive[i] and kind[i] == _GROUP:
            start[top[i] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    members = np.empty(start[n], np.int64)
    fill = start[:-1].copy()
    for i in range(n):
        if alive[i] and kind[i] == _GROUP:
            members[fill[top[i]]] = i
            fill[top[i]] += 1
    take = np.empty(n)
    for j in range(k):
        dest = _lead_group(win[j], kind, leader)
        for arr in (income, resources):
            g = 0
            for t in range(start[lose[j]], start[lose[j] + 1]):
                i = members[t]
                take[g] = arr[i] * cap_frac
                arr[i] -= take[g]
                g += 1
            arr[dest] += np_sum(take[:g])
    for j in range(k):
        both = totals[lo[j]] + totals[hi[j]]
        strength[slot[j]] += cost[j] / both if both > 0 else 0.0


@njit(cache=True)
def _attack_hazards(
    lo,
    hi,
    codes,
    status,
    since,
    until,
    step,
    power,
    share_now,
    share_ema,
    ideology,
    income_share,
    pressure,
    w,
    base_rate,
    dt_weeks,
    ends,
    work,
    p,
):  # pragma: no cover - compiled
    """Attack hazards of the candidate pairs that are neither fighting nor in a truce.

    Returns how many such pairs there are and fills, for each, ``ends`` (lower, higher side),
    ``work`` (columns 0-7: the terms of lower attacking higher, as :data:`TERMS`; 8-15: higher
    attacking lower; 16, 17: the two hazards) and ``p``, the probability that a fight starts
    between them this step. The arithmetic follows the numpy expressions it replaced operation
    by operation (the row sums in numpy's pairwise order), so the results are bit-identical.
    """
    r_ = 0
    for j in range(len(lo)):
        a, b = lo[j], hi[j]
        # Relation of the pair (as RelationTable.state), then its grudge (as .grudge).
        pos = find_pair(codes, a, b)
        st = status[pos] if pos >= 0 else 0
        if st in (_FIGHTING, _TRUCE):
            continue
        grudge = 0.0
        if st == _HOSTILE and until[pos] >= 0:
            span = max(until[pos] - since[pos], 1)
            grudge = min(max((until[pos] - step) / span, 0.0), 1.0)
        allied = 1.0 if st == _ALLIANCE else 0.0
        ends[r_, 0] = a
        ends[r_, 1] = b
        for d in range(2):
            x, y = (a, b) if d == 0 else (b, a)
            px, py = power[x], power[y]
            r = px / (px + py) if px + py > 0 else 0.5
            decline = 0.0
            if share_ema[x] > 0:
                decline = min(1.0, max(0.0, (share_ema[x] - share_now[x]) / share_ema[x]))
            t = work[r_, 8 * d : 8 * d + 8]
            t[0] = w[0] * abs(ideology[x] - ideology[y])
            t[1] = w[1] * abs(2 * r - 1)
            t[2] = w[2] * (2 * r - 1)
            t[3] = w[3] * decline
            t[4] = w[4] * income_share[y]
            t[5] = w[5] * grudge
            t[6] = -w[6] * pressure
            t[7] = -w[7] * allied
            total = 0.0 + (((t[0] + t[1]) + (t[2] + t[3])) + ((t[4] + t[5]) + (t[6] + t[7])))
            work[r_, 16 + d] = base_rate * np.exp(total)
        p[r_] = -np.expm1(-(work[r_, 16] + work[r_, 17]) * dt_weeks)
        r_ += 1
    return r_
