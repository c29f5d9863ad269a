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
        n = a.n
        dt = m.dt_years
        alive = a.alive[:n]
        kind = a.kind[:n]
        groups = np.flatnonzero(alive & (kind == Kind.GROUP))
        if len(groups) == 0:
            return
        fighters = m.totals[groups]  # a group pays for its units too
        received = np.zeros(n)

        # Patron support, divided by tie x size x ideological fit.
        if a.n_patrons:
            fit = 1.0 - self.patron_fit * np.abs(
                a.ideology[groups][:, None] - m.patron_ideology[None, :]
            )
            w = a.ties[groups] * np.clip(fit, 0.0, None) * fighters[:, None]
            tot = w.sum(axis=0)
            share = np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)
            received[groups] += share @ (m.patron_budget * dt)

        # Own income: kept by independent groups, pooled inside coalitions.
        own = a.income[groups]  # already per step
        coal = a.parent[groups]
        solo = coal < 0
        received[groups[solo]] += own[solo]
        if (~solo).any():
            members = groups[~solo]
            c = coal[~solo]
            pool = np.bincount(c, weights=own[~solo], minlength=n)
            cf = np.bincount(c, weights=fighters[~solo], minlength=n)
            share = np.divide(fighters[~solo], cf[c], out=np.zeros(len(c)), where=cf[c] > 0)
            received[members] += (1.0 - self.leader_take) * pool[c] * share
            leaders = a.leader[np.unique(c)]
            ok = leaders >= 0
            received[leaders[ok]] += self.leader_take * pool[np.unique(c)[ok]]
        a.received[:n] = received
        stock = a.resources[groups] + received[groups] - self.upkeep * dt * fighters

        # Recruit with what is above the reserve; desert when the stock is gone.
        reserve = self.reserve_years * self.upkeep * fighters
        cost = max(self.recruit_cost, 1e-9)
        recruits = np.minimum(
            self.recruit_rate * dt * fighters, np.clip(stock - reserve, 0.0, None) / cost
        )
        stock -= recruits * self.recruit_cost
        broke = stock < 0
        desert = np.where(broke, np.minimum(1.0, self.desertion_rate * dt), 0.0)
        stock = np.clip(stock, 0.0, None)
        a.resources[groups] = stock

        # Recruits join a group's core; desertion and pressure hit units and cores alike.
        m.ledger_add("recruited", groups, recruits)
        loss_frac = np.zeros(n)
        loss_frac[groups] = desert
        if m.pressure > 0:
            loss_frac[groups] = 1.0 - (1.0 - loss_frac[groups]) * (
                1.0 - np.minimum(1.0, self.pressure_losses * dt * m.pressure * a.exposure[groups])
            )
        m.apply_losses(loss_frac, by_group=True, cause="lost")
