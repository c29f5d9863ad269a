"""Truces: fights end in truces that last a while, and truces break.

Mechanism. A fighting pair agrees a truce with a weekly hazard that rises with what the fight
has cost both sides (share of their fighters lost since it began) and with the government's
pressure, a common enemy that mediators invoke; local Idlib agreements were typically brokered
by clerics or third factions after days or weeks of fighting (PA-X local agreements). A truce
lasts a random time with mean ``mean_duration`` weeks; it can break earlier with a weekly hazard
that rises with ideological distance, which restarts the fight (logged as a ``fight``). When a
truce runs out, the pair is left with a grudge (``hostile``) that fades after ``grudge_weeks``.

    h_truce = base_rate * exp(cost_weight * cost + threat_weight * pressure)
    h_break = break_rate * exp(ideology_weight * |x_a - x_b| - threat_weight * pressure)

State it reads: relations, ideologies, the pressure now. State it writes: relations; the log.
"""

from __future__ import annotations

import numpy as np

from sim.relations import Status
from sim.rules.base import Param, Rule


class Truces(Rule):
    """Truce agreement, breaking and expiry (see module docstring)."""

    name = "truces"
    mechanism = "costly fighting ends in truces; truces decay or break"
    sources = (
        "PA-X Local Peace Agreements database (local Idlib agreements 2017-2020)",
        "Walter (2002), Committing to Peace, Princeton UP",
    )
    params = (
        Param(
            "base_rate",
            0.25,
            0.0,
            1.0,
            "Weekly hazard that a fighting pair agrees a truce at no cost and no pressure.",
            "assumption (Idlib fights lasted days to weeks)",
        ),
        Param(
            "cost_weight",
            3.0,
            0.0,
            20.0,
            "Log-hazard per unit of the fight's cost (share "
            "of both sides' fighters lost since it began).",
            "Walter 2002",
        ),
        Param(
            "threat_weight",
            1.0,
            0.0,
            10.0,
            "Log-hazard per unit of government pressure.",
            "assumption",
        ),
        Param("mean_duration", 16.0, 1.0, 520.0, "Mean length of a truce, weeks.", "assumption"),
        Param(
            "break_rate",
            0.01,
            0.0,
            1.0,
            "Weekly hazard that a truce breaks at zero ideological distance.",
            "assumption",
        ),
        Param(
            "ideology_weight",
            1.0,
            0.0,
            10.0,
            "Log-hazard of breaking per unit of ideological distance.",
            "Gade, Hafez & Gabbay 2019",
        ),
        Param(
            "grudge_weeks",
            26.0,
            0.0,
            520.0,
            "Weeks a grudge lasts after a truce expires.",
            "assumption",
        ),
    )

    def step(self) -> None:
        """Expire, break and agree truces, and fade grudges."""
        m = self.model
        rel = m.relations
        step = m.steps
        # Truces that ran out leave a grudge (grudges themselves expire in the model's step).
        if self.grudge_weeks > 0:
            for lo, hi in rel.expire(step, Status.TRUCE):
                until = step + max(1, round(self.grudge_weeks / m.dt_weeks))
                rel.set(lo, hi, Status.HOSTILE, step, until=until)
        else:
            rel.expire(step, Status.TRUCE)
        self._break()
        self._agree()

    def _break(self) -> None:
        m = self.model
        slots, lo, hi = m.relations.pairs(Status.TRUCE)
        if len(slots) == 0:
            return
        dist = np.abs(m.side_ideology[lo] - m.side_ideology[hi])
        terms = {
            "ideological_distance": self.ideology_weight * dist,
            "government_threat": np.full(len(lo), -self.threat_weight * m.pressure),
        }
        h = self.break_rate * np.exp(sum(terms.values()))
        broke = np.flatnonzero(m.rng.random(len(lo)) < m.hazard_to_prob(h))
        for k in broke.tolist():
            # The stronger side is taken to move first.
            att, tgt = (lo[k], hi[k]) if m.power[lo[k]] >= m.power[hi[k]] else (hi[k], lo[k])
            causes = [("truce_broken", 1.0)] + [(n, float(v[k])) for n, v in terms.items()]
            m.start_fight(int(att), int(tgt), causes)

    def _agree(self) -> None:
        m = self.model
        rel = m.relations
        slots, lo, hi = rel.pairs(Status.FIGHTING)
        # A fight that began this step is not ended in the same step.
        fresh = rel.since[slots] >= m.steps
        slots, lo, hi = slots[~fresh], lo[~fresh], hi[~fresh]
        if len(slots) == 0:
            return
        terms = {
            "cost_of_fighting": self.cost_weight * rel.strength[slots],
            "government_threat": np.full(len(lo), self.threat_weight * m.pressure),
        }
        h = self.base_rate * np.exp(sum(terms.values()))
        agree = np.flatnonzero(m.rng.random(len(lo)) < m.hazard_to_prob(h))
        if len(agree) == 0:
            return
        weeks = m.rng.exponential(self.mean_duration, size=len(agree))
        for k, w in zip(agree.tolist(), weeks.tolist(), strict=True):
            until = m.steps + max(1, round(w / m.dt_weeks))
            causes = [(n, float(v[k])) for n, v in terms.items()]
            m.make_truce(int(lo[k]), int(hi[k]), until, causes)
