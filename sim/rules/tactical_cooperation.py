"""Tactical cooperation: alliances (operations rooms, joint fronts) between sides.

Mechanism. Rebel groups cooperate with those ideologically close to them (Gade, Gabbay, Hafez &
Kelly 2019), against a common enemy (a side both are fighting) and more when the government
presses (operations rooms such as al-Fateh al-Mubin formed under the 2019 offensive). Shared
sponsors encourage cooperation (Bapat & Bond 2012). An alliance lapses with a weekly hazard that
rises with ideological distance. The weekly hazard that a neutral or hostile pair allies is::

    h = base_rate * exp(- ideology_weight * |x_a - x_b| + common_enemy_weight * [common enemy]
                        + threat_weight * pressure + patron_weight * patron_similarity)

State it reads: relations, ideologies, patron ties, the pressure now.
State it writes: relations (alliance); the log.
"""

from __future__ import annotations

import numpy as np

from sim.relations import Status
from sim.rules.base import Param, Rule


class TacticalCooperation(Rule):
    """Alliance formation and lapse between sides (see module docstring)."""

    name = "tactical_cooperation"
    mechanism = "ideological affinity and common enemies drive tactical cooperation"
    sources = (
        "Gade, Gabbay, Hafez & Kelly (2019), Networks of cooperation, JCR 63(9)",
        "Bapat & Bond (2012), Alliances between militant groups, BJPS 42(4)",
    )
    params = (
        Param(
            "base_rate",
            0.0012,
            0.0,
            0.2,
            "Weekly hazard that a pair of identical ideology "
            "allies, without common enemy or pressure.",
            "assumption",
        ),
        Param(
            "ideology_weight",
            6.0,
            0.0,
            20.0,
            "Log-hazard reduction per unit of ideological distance.",
            "Gade, Gabbay, Hafez & Kelly 2019",
        ),
        Param(
            "common_enemy_weight",
            1.5,
            0.0,
            10.0,
            "Log-hazard increase when both fight the same third side.",
            "assumption",
        ),
        Param(
            "threat_weight",
            1.5,
            0.0,
            10.0,
            "Log-hazard per unit of government pressure.",
            "assumption",
        ),
        Param(
            "patron_weight",
            1.0,
            0.0,
            10.0,
            "Log-hazard per unit of patron similarity.",
            "Bapat & Bond 2012",
        ),
        Param(
            "lapse_rate",
            0.01,
            0.0,
            1.0,
            "Weekly hazard that an alliance lapses at zero ideological distance.",
            "assumption",
        ),
        Param(
            "lapse_ideology_weight",
            3.0,
            0.0,
            20.0,
            "Log-hazard of lapsing per unit of ideological distance.",
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

    def step(self) -> None:
        """Let alliances lapse, then form new ones."""
        m = self.model
        slots, lo, hi = m.relations.pairs(Status.ALLIANCE)
        if len(slots):
            dist = np.abs(m.side_ideology[lo] - m.side_ideology[hi])
            h = self.lapse_rate * np.exp(self.lapse_ideology_weight * dist)
            gone = np.flatnonzero(m.rng.random(len(lo)) < m.hazard_to_prob(h))
            for k in gone.tolist():
                m.relations.set(int(lo[k]), int(hi[k]), Status.NEUTRAL, m.steps)

        lo, hi = m.candidate_pairs(self.contacts)
        if len(lo) == 0:
            return
        status, _slot = m.relations.state(lo, hi)
        ok = (status == Status.NEUTRAL) | (status == Status.HOSTILE)
        lo, hi = lo[ok], hi[ok]
        if len(lo) == 0:
            return
        terms = np.column_stack(
            (
                -self.ideology_weight * np.abs(m.side_ideology[lo] - m.side_ideology[hi]),
                self.common_enemy_weight * m.common_enemy(lo, hi),
                np.full(len(lo), self.threat_weight * m.pressure),
                self.patron_weight * m.patron_similarity(lo, hi),
            )
        )
        h = self.base_rate * np.exp(terms.sum(axis=1))
        new = np.flatnonzero(m.rng.random(len(lo)) < m.hazard_to_prob(h))
        for k in new.tolist():
            i, j = int(lo[k]), int(hi[k])
            # The stronger partner is recorded as the actor (it usually leads the room).
            actor, target = (i, j) if m.power[i] >= m.power[j] else (j, i)
            m.relations.set(i, j, Status.ALLIANCE, m.steps)
            m.record("alliance", actor, target, list(zip(TERMS, terms[k].tolist(), strict=True)))


TERMS = ("ideological_distance", "common_enemy", "government_threat", "shared_patrons")
