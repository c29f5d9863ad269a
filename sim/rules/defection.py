"""Defection and splitting: groups leave coalitions, units leave groups.

Mechanism. A member leaves when it is ideologically far from its leader, is paid less than its
weight, its side keeps losing, its leader attacks others, its patrons pull it away, and when the
bonds holding its parent together are weak (Christia 2012: weaker partners defect from a
strongest partner who cannot commit to share; Staniland 2014: groups with weak social ties
fragment under pressure; the Idlib record: Zenki left HTS over its attack on Ahrar, Jaysh
al-Ahrar and the clerics over disrespect and failure to reform, units after setbacks).
The weekly hazard that member *i* of parent *P* (led by *L*) leaves is::

    h_i = base_rate * f * exp( ideology_weight * |x_i - x_L|
                             + pay_weight * (fighter_share_i - resource_share_i)
                             + loss_weight * losses_P
                             + aggression_weight * aggression_P
                             + patron_weight * sum_p tie_ip (|y_p - x_L| - tie_Lp)
                             - cohesion_weight * cohesion_P )

with ``f = unit_factor`` for units and 1 for groups; ``losses_P`` is the share of its fighters
the side lost over the last quarter and ``aggression_P`` the fights it started in that time.
A patron that also backs the leader (``tie_Lp``) holds its clients in; one that dislikes the
leader's ideology (``|y_p - x_L|``) pulls them out.

Where a defector goes is decided by the minimum-winning-coalition rule when it runs (it may
join another side at once, as the Saraqib units joined HTS in July 2017); otherwise, and when
no option beats staying alone, a group becomes independent (``defect``) and a unit becomes a
group of its own (``split``). Each departure lowers the parent's cohesion by
``defection_shock``; cohesion recovers towards its initial level at ``cohesion_recovery`` a year
and falls with losses.

State it reads: ideologies, resources received, losses and aggression memories, patron ties.
State it writes: cohesion; the hierarchy (through :mod:`sim.structure`); the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.kernels import draws_below
from sim.rules.base import Param, Rule
from sim.state import Kind

if TYPE_CHECKING:
    from sim.model import CoalitionModel


class Defection(Rule):
    """Members leaving their coalition or group (see module docstring)."""

    name = "defection"
    mechanism = "grievance and cohesion driven defection and splitting"
    sources = (
        "Christia (2012), Alliance Formation in Civil Wars, CUP",
        "Staniland (2014), Networks of Rebellion, Cornell UP",
        "Bapat & Bond (2012), Alliances between militant groups, BJPS 42(4)",
    )
    params = (
        Param(
            "base_rate",
            0.004,
            0.0,
            0.2,
            "Weekly hazard of leaving at the reference point (no grievance, cohesion 0).",
            "assumption",
        ),
        Param(
            "unit_factor",
            2.0,
            0.0,
            10.0,
            "Multiplier of the base rate for units leaving their group.",
            "assumption",
        ),
        Param(
            "ideology_weight",
            4.0,
            0.0,
            10.0,
            "Log-hazard per unit of ideological distance from the leader.",
            "Christia 2012; Gade et al. 2019",
        ),
        Param(
            "pay_weight",
            3.0,
            0.0,
            10.0,
            "Log-hazard per unit of the gap between a "
            "member's share of fighters and its share of resources received.",
            "Christia 2012",
        ),
        Param(
            "loss_weight",
            4.0,
            0.0,
            20.0,
            "Log-hazard per unit of the side's share of fighters lost over the last quarter.",
            "Staniland 2014; Idlib 2019-20 setbacks",
        ),
        Param(
            "aggression_weight",
            0.7,
            0.0,
            10.0,
            "Log-hazard per fight the side started over the last quarter.",
            "Idlib record (Zenki, Jul 2017)",
        ),
        Param(
            "patron_weight",
            2.0,
            0.0,
            10.0,
            "Log-hazard per unit of patron pull away from the leader.",
            "Bapat & Bond 2012",
        ),
        Param(
            "cohesion_weight",
            3.0,
            0.0,
            10.0,
            "Log-hazard reduction per unit of the parent's cohesion.",
            "Staniland 2014",
        ),
        Param(
            "defection_shock",
            0.05,
            0.0,
            1.0,
            "Cohesion a parent loses with each departure.",
            "assumption",
        ),
        Param(
            "loss_shock",
            0.5,
            0.0,
            10.0,
            "Cohesion lost per unit share of fighters lost.",
            "Staniland 2014",
        ),
        Param(
            "cohesion_recovery",
            0.5,
            0.0,
            5.0,
            "Yearly rate at which cohesion returns to its initial level.",
            "assumption",
        ),
        Param(
            "grudge_weeks",
            26.0,
            0.0,
            520.0,
            "Weeks the former parent holds a grudge against a defector.",
            "assumption",
        ),
    )

    def __init__(self, model: CoalitionModel, values: dict[str, float] | None = None) -> None:
        super().__init__(model, values)
        self._grow(64)

    def _grow(self, size: int) -> None:
        """(Re)allocate the kernel's output buffers for at least ``size`` members."""
        self._cap = size
        self._who = np.empty((size, 2), np.int64)  # member, parent
        self._terms = np.empty((size, len(TERMS)))
        self._p = np.empty(size)  # probability of leaving this step
        self._idx = np.empty(size, np.int64)  # who leaves

    def step(self) -> None:
        """Update cohesion, then let members leave."""
        m = self.model
        a = m.actors
        n = a.n
        if n > self._cap:
            self._grow(max(n, 2 * self._cap))
        k = _cohesion_and_hazards(
            n,
            a.alive,
            a.kind,
            a.parent,
            a.leader,
            m.top,
            m.totals,
            a.received,
            a.ideology,
            a.ties,
            m.patron_ideology,
            a.losses_ema,
            a.aggression_ema,
            a.cohesion,
            a.cohesion_base,
            m.ledger["lost"],
            self.ideology_weight,
            self.pay_weight,
            self.loss_weight,
            self.aggression_weight,
            self.patron_weight,
            self.cohesion_weight,
            self.cohesion_recovery * m.dt_years,
            self.loss_shock,
            self.unit_factor,
            self.base_rate,
            m.dt_weeks,
            self._who,
            self._terms,
            self._p,
        )
        m.touch()
        if k == 0:
            return
        hits = draws_below(m.rng.random(k), self._p, self._idx)
        if hits == 0:
            return
        mwc = m.rule("minimum_winning_coalition")
        for e in self._idx[:hits].tolist():
            i, p = self._who[e].tolist()
            if not (a.alive[i] and a.parent[i] == p):
                continue
            causes = list(zip(TERMS, self._terms[e].tolist(), strict=True))
            a.cohesion[p] = max(0.0, a.cohesion[p] - self.defection_shock)
            target, why = mwc.best_destination(i) if mwc is not None else (-1, [])
            if target >= 0 and a.kind[i] == Kind.UNIT:
                m.move_unit(i, target, causes, why)  # a brigade goes over to another group
                continue
            i = m.leave(i, causes, grudge_weeks=self.grudge_weeks)
            if target >= 0 and a.alive[target]:
                m.join(i, target, why)

    def terms(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Members that may leave now, their parents, their log-hazard terms and base factor.

        Returns:
            ``members``, ``parent``, ``terms`` (one row per member, columns as :data:`TERMS`)
            and ``factor`` (``unit_factor`` for units, 1 for groups).
        """
        m = self.model
        a = m.actors
        n = a.n
        weights = np.array([getattr(self, w) for w in _WEIGHTS])
        return _leave_terms(
            a.alive[:n],
            a.kind[:n],
            a.parent[:n],
            a.leader[:n],
            m.top,
            m.totals,
            a.received[:n],
            a.ideology[:n],
            a.ties[:n],
            m.patron_ideology,
            a.losses_ema[:n],
            a.aggression_ema[:n],
            a.cohesion[:n],
            weights,
            self.unit_factor,
        )


TERMS = (
    "ideological_distance",
    "pay_gap",
    "side_losses",
    "leader_aggression",
    "patron_pull",
    "cohesion",
)
_WEIGHTS = (
    "ideology_weight",
    "pay_weight",
    "loss_weight",
    "aggression_weight",
    "patron_weight",
    "cohesion_weight",
)
_UNIT, _COALITION = int(Kind.UNIT), int(Kind.COALITION)


@njit(cache=True)
def _update_cohesion(
    cohesion, base, top, totals, lost, recovery, shock
):  # pragma: no cover - compiled
    """Move cohesion towards its base, minus the side's share of fighters lost (in place)."""
    n = len(cohesion)
    lost_side = np.zeros(n)
    for i in range(n):
        lost_side[top[i]] += lost[i]
    for i in range(n):
        s = top[i]  # every unit, group and coalition feels its side's losses
        share = lost_side[s] / (totals[s] + lost_side[s]) if totals[s] + lost_side[s] > 0 else 0.0
        c = cohesion[i] + recovery * (base[i] - cohesion[i]) - shock * share
        cohesion[i] = min(1.0, max(0.0, c))


@njit(cache=True)
def _leave_terms(
    alive,
    kind,
    parent,
    leader,
    top,
    totals,
    received,
    ideology,
    ties,
    patron_ideology,
    losses,
    aggression,
    cohesion,
    w,
    unit_factor,
):  # pragma: no cover - compiled
    n = len(alive)
    # Who may leave: every alive member but the one its parent is led by.
    lead = np.full(n, -1, np.int64)
    count = 0
    for i in range(n):
        p = parent[i]
        if alive[i] and p >= 0:
            lead[i] = leader[p] if kind[p] == _COALITION else p
            if lead[i] != i:
                count += 1
    members = np.empty(count, np.int64)
    k = 0
    for i in range(n):
        if alive[i] and parent[i] >= 0 and lead[i] != i:
            members[k] = i
            k += 1
    # Shares of a coalition's fighters and purse, the leader included (groups only).
    fsum = np.zeros(n)
    rsum = np.zeros(n)
    counted = np.zeros(n, np.bool_)
    for i in members:
        p = parent[i]
        fsum[p] += totals[i]
        rsum[p] += received[i]
        if kind[i] != _UNIT and not counted[lead[i]]:
            counted[lead[i]] = True
            fsum[parent[lead[i]]] += totals[lead[i]]
            rsum[parent[lead[i]]] += received[lead[i]]
    terms = np.empty((count, 6))
    factor = np.ones(count)
    par = np.empty(count, np.int64)
    for k in range(count):
        i = members[k]
        p = parent[i]
        lo = lead[i]
        par[k] = p
        gap = 0.0
        if kind[i] != _UNIT and rsum[p] > 0:
            fshare = totals[i] / fsum[p] if fsum[p] > 0 else 0.0
            gap = fshare - received[i] / rsum[p]
        pull = 0.0
        for q in range(len(patron_ideology)):
            pull += ties[i, q] * (abs(patron_ideology[q] - ideology[lo]) - ties[lo, q])
        terms[k, 0] = w[0] * abs(ideology[i] - ideology[lo])
        terms[k, 1] = w[1] * gap
        terms[k, 2] = w[2] * losses[top[i]]
        terms[k, 3] = w[3] * aggression[top[i]]
        terms[k, 4] = w[4] * pull
        terms[k, 5] = -w[5] * cohesion[p]
        if kind[i] == _UNIT:
            factor[k] = unit_factor
    return members, par, terms, factor


@njit(cache=True)
def _cohesion_and_hazards(
    n,
    alive,
    kind,
    parent,
    leader,
    top,
    totals,
    received,
    ideology,
    ties,
    patron_ideology,
    losses,
    aggression,
    cohesion,
    cohesion_base,
    lost,
    w_ideology,
    w_pay,
    w_loss,
    w_aggression,
    w_patron,
    w_cohesion,
    recovery,
    shock,
    unit_factor,
    base_rate,
    dt,
    out_who,
    out_terms,
    out_p,
):  # pragma: no cover - compiled
    """One step's cohesion update (in place), then every member's chance of leaving.

    Arrays are the actor table's (``n`` rows used). Writes each member and its parent, its
    log-hazard terms (columns as :data:`TERMS`) and its probability of leaving this step into
    the first entries of ``out_who``, ``out_terms`` and ``out_p``; returns how many there are.
    """
    _update_cohesion(cohesion[:n], cohesion_base[:n], top, totals, lost[:n], recovery, shock)
    w = np.array((w_ideology, w_pay, w_loss, w_aggression, w_patron, w_cohesion))  # as _WEIGHTS
    members, par, terms, factor = _leave_terms(
        alive[:n],
        kind[:n],
        parent[:n],
        leader[:n],
        top,
        totals,
        received[:n],
        ideology[:n],
        ties[:n],
        patron_ideology,
        losses[:n],
        aggression[:n],
        cohesion[:n],
        w,
        unit_factor,
    )
    for k in range(len(members)):
        out_who[k, 0] = members[k]
        out_who[k, 1] = par[k]
        s = 0.0  # numpy's row sum of the terms: in order, from zero
        for c in range(terms.shape[1]):
            out_terms[k, c] = terms[k, c]
            s += terms[k, c]
        h = base_rate * factor[k] * np.exp(s)
        out_p[k] = -np.expm1(-h * dt)
    return len(members)
