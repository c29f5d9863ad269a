"""Resources: patronage, war economy, upkeep, recruitment, and losses to outside pressure.

Mechanism. Each group has a stock of resources (k$) and an own income from territory,
crossings and taxation (Fjelde & Nilsson 2012: rebels fight each other over such revenue).
Patrons divide a yearly budget among their clients in proportion to tie strength, size and
ideological fit (Bapat & Bond 2012: sponsors choose and shape their clients). Inside a
coalition the members' own incomes are pooled and the leader keeps ``leader_take`` of the pool
before the rest is shared by fighters: the strongest partner cannot credibly promise an equal
share (Christia 2012). Every step a group pays upkeep per fighter, recruits while it can pay,
loses fighters to desertion when it cannot, and loses front-line fighters to the government's
pressure (the scenario's pressure timeline times the group's ``exposure``).

State it reads: fighters, income, ideology, ties, exposure, parent/leader; the pressure now.
State it writes: resources, received, fighters (recruitment and losses, through the ledger).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.rules.base import Param, Rule
from sim.state import Kind


class Resources(Rule):
    """Income, upkeep, recruitment, desertion and pressure losses (see module docstring)."""

    name = "resources"
    mechanism = "war economy and patronage"
    sources = (
        "Fjelde & Nilsson (2012), Rebels against rebels, JCR 56(4)",
        "Bapat & Bond (2012), Alliances between militant groups, BJPS 42(4)",
        "Christia (2012), Alliance Formation in Civil Wars, CUP",
    )
    params = (
        Param("upkeep", 1.2, 0.0, 20.0, "Cost of one fighter per year, k$.", "assumption"),
        Param(
            "recruit_rate",
            0.15,
            0.0,
            2.0,
            "Largest yearly recruitment, as a share of a group's fighters.",
            "assumption",
        ),
        Param("recruit_cost", 0.5, 0.0, 20.0, "One-off cost of a recruit, k$.", "assumption"),
        Param(
            "reserve_years",
            0.5,
            0.0,
            5.0,
            "Years of upkeep a group keeps in reserve before it spends on recruits.",
            "assumption",
        ),
        Param(
            "desertion_rate",
            0.5,
            0.0,
            5.0,
            "Yearly share of fighters who leave a group that cannot pay them.",
            "assumption",
        ),
        Param(
            "leader_take",
            0.3,
            0.0,
            1.0,
            "Share of a coalition's pooled own income the leader keeps before sharing.",
            "Christia 2012 (the strongest partner cannot commit to share)",
        ),
        Param(
            "patron_fit",
            1.0,
            0.0,
            5.0,
            "How much a patron's allocation falls per unit of ideological distance to a client.",
            "Bapat & Bond 2012",
        ),
        Param(
            "pressure_losses",
            0.25,
            0.0,
            2.0,
            "Yearly share of front-line fighters lost to the government at pressure 1.",
            "assumption",
        ),
    )

    def step(self) -> None:
        """Pay incomes, then upkeep; recruit or desert; apply pressure losses."""
        m = self.model
        a = m.actors
        groups = m.groups
        if len(groups) == 0:
            return
        _economy(
            a.n,
            groups,
            a.kind,
            a.alive,
            m.totals,
            a.parent,
            a.leader,
            a.ideology,
            a.ties,
            a.income,
            a.resources,
            a.exposure,
            a.fighters,
            a.received,
            m.ledger["recruited"],
            m.ledger["lost"],
            m.patron_ideology,
            m.patron_budget,
            m.dt_years,
            m.pressure,
            self.patron_fit,
            self.leader_take,
            self.upkeep,
            self.reserve_years,
            self.recruit_rate,
            self.recruit_cost,
            self.desertion_rate,
            self.pressure_losses,
        )
        m.touch()  # fighters changed: refresh after this rule


_GROUP, _COALITION = int(Kind.GROUP), int(Kind.COALITION)


@njit(cache=True)
def _economy(
    n,
    groups,
    kind,
    alive,
    totals,
    parent,
    leader,
    ideology,
    ties,
    income,
    resources,
    exposure,
    fighters,
    received,
    recruited,
    lost,
    patron_ideology,
    patron_budget,
    dt,
    pressure,
    patron_fit,
    leader_take,
    upkeep,
    reserve_years,
    recruit_rate,
    recruit_cost,
    desertion_rate,
    pressure_losses,
):  # pragma: no cover - compiled
    """One step of the economy for the alive ``groups`` (see the module docstring), in place.

    Arrays are the actor table's and the fighter ledger's (``n`` rows used); ``totals`` are
    the model's totals (a group pays for its units). Sets ``received`` of every row and the
    groups' ``resources``; adds recruits to the groups' own ``fighters`` (and ``recruited``);
    then every unit and group core loses the share of its fighters that desertion (its
    group's) and pressure (its own exposure) take (added to ``lost``), as
    ``CoalitionModel.ledger_add`` and ``apply_losses(by="row", cause="lost")`` would: one
    kernel call instead of a dozen numpy calls.
    """
    n_g = len(groups)
    n_p = len(patron_budget)
    received[:n] = 0.0
    # Patron support, divided by tie x size x ideological fit.
    w = np.zeros((n_g, n_p))
    tot = np.zeros(n_p)
    for k in range(n_g):
        g = groups[k]
        for q in range(n_p):
            fit = max(0.0, 1.0 - patron_fit * abs(ideology[g] - patron_ideology[q]))
            w[k, q] = ties[g, q] * fit * totals[g]
            tot[q] += w[k, q]
    for k in range(n_g):
        for q in range(n_p):
            if tot[q] > 0:
                received[groups[k]] += w[k, q] / tot[q] * patron_budget[q] * dt
    # Own income: kept by independent groups, pooled inside coalitions; the leader keeps
    # leader_take of the pool and the rest is shared by fighters.
    pool = np.zeros(n)
    pool_fighters = np.zeros(n)
    has_members = np.zeros(n, np.bool_)
    for g in groups:
        c = parent[g]
        if c < 0:
            received[g] += income[g]
        else:
            pool[c] += income[g]
            pool_fighters[c] += totals[g]
            has_members[c] = True
    for g in groups:
        c = parent[g]
        if c >= 0 and pool_fighters[c] > 0:
            received[g] += (1.0 - leader_take) * pool[c] * totals[g] / pool_fighters[c]
    for c in range(n):
        if has_members[c] and leader[c] >= 0:
            received[leader[c]] += leader_take * pool[c]
    # Upkeep; recruit with what is above the reserve; desert when the stock is gone.
    desert = np.zeros(n)
    for k in range(n_g):
        g = groups[k]
        f = totals[g]
        st = resources[g] + received[g] - upkeep * dt * f
        spare = max(0.0, st - reserve_years * upkeep * f) / max(recruit_cost, 1e-9)
        recruits = min(recruit_rate * dt * f, spare)
        st -= recruits * recruit_cost
        if st < 0:
            desert[g] = min(1.0, desertion_rate * dt)
        resources[g] = max(st, 0.0)
        fighters[g] += recruits  # recruits join the group's core
        recruited[g] += recruits
    # Units desert with their group but face the front with their own exposure.
    for i in range(n):
        if not alive[i] or kind[i] == _COALITION:
            continue
        g = i if kind[i] == _GROUP else parent[i]
        frac = 0.0
        if g >= 0:
            hit = min(1.0, pressure_losses * dt * pressure * exposure[i])
            frac = min(1.0, max(0.0, 1.0 - (1.0 - desert[g]) * (1.0 - hit)))
        take = fighters[i] * frac
        fighters[i] -= take
        lost[i] += take
