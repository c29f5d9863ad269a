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

import numpy as np

from sim.rules.base import Param, Rule
from sim.state import Kind


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

    def step(self) -> None:
        """Update cohesion, then let members leave."""
        m = self.model
        a = m.actors
        n = a.n
        alive = a.alive[:n]
        # Cohesion: recovery towards base, shocks from this step's losses.
        coh = a.cohesion[:n]
        lost = np.divide(
            m.ledger["lost"][:n],
            m.totals + m.ledger["lost"][:n],
            out=np.zeros(n),
            where=m.totals > 0,
        )
        lost_side = lost[m.top]
        coh += self.cohesion_recovery * m.dt_years * (a.cohesion_base[:n] - coh)
        coh -= self.loss_shock * np.where(a.kind[:n] == Kind.COALITION, lost, lost_side)
        np.clip(coh, 0.0, 1.0, out=coh)
        m.touch()

        members = np.flatnonzero(alive & (a.parent[:n] >= 0))
        if len(members) == 0:
            return
        parent = a.parent[members]
        lead = np.where(a.kind[parent] == Kind.COALITION, a.leader[parent], parent)
        members_ok = members != lead
        members, parent, lead = members[members_ok], parent[members_ok], lead[members_ok]
        if len(members) == 0:
            return
        terms = self.terms(members, parent, lead)
        f = np.where(a.kind[members] == Kind.UNIT, self.unit_factor, 1.0)
        h = self.base_rate * f * np.exp(sum(terms.values()))
        leaving = np.flatnonzero(m.rng.random(len(members)) < m.hazard_to_prob(h))
        mwc = m.rule("minimum_winning_coalition")
        for k in leaving.tolist():
            i, p = int(members[k]), int(parent[k])
            if not (a.alive[i] and a.parent[i] == p):
                continue
            causes = [(name, float(v[k])) for name, v in terms.items()]
            a.cohesion[p] = max(0.0, a.cohesion[p] - self.defection_shock)
            target, why = mwc.best_destination(i) if mwc is not None else (-1, [])
            i = m.leave(i, causes, grudge_weeks=self.grudge_weeks)
            if target >= 0 and a.alive[target]:
                m.join(i, target, why)

    def terms(
        self, members: np.ndarray, parent: np.ndarray, lead: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Log-hazard terms of leaving for each member (see module docstring)."""
        m = self.model
        a = m.actors
        n = a.n
        top = m.top[members]
        total = m.totals
        # Pay gap, for groups in coalitions (units share their group's purse).
        is_group = a.kind[members] == Kind.GROUP
        fsum = np.bincount(parent, weights=total[members], minlength=n)
        rsum = np.bincount(parent, weights=a.received[members], minlength=n)
        # The leader is a member too and takes its part of the purse.
        lead_groups = np.unique(lead[is_group])
        for lg in lead_groups.tolist():
            p = a.parent[lg]
            fsum[p] += total[lg]
            rsum[p] += a.received[lg]
        fshare = np.divide(
            total[members], fsum[parent], out=np.zeros(len(members)), where=fsum[parent] > 0
        )
        rshare = np.divide(
            a.received[members], rsum[parent], out=np.zeros(len(members)), where=rsum[parent] > 0
        )
        pay_gap = np.where(is_group & (rsum[parent] > 0), fshare - rshare, 0.0)
        ties_i = a.ties[members]
        ties_l = a.ties[lead]
        if a.n_patrons:
            dislike = np.abs(m.patron_ideology[None, :] - a.ideology[lead][:, None])
            pull = (ties_i * (dislike - ties_l)).sum(axis=1)
        else:
            pull = np.zeros(len(members))
        return {
            "ideological_distance": self.ideology_weight
            * np.abs(a.ideology[members] - a.ideology[lead]),
            "pay_gap": self.pay_weight * pay_gap,
            "side_losses": self.loss_weight * a.losses_ema[top],
            "leader_aggression": self.aggression_weight * a.aggression_ema[top],
            "patron_pull": self.patron_weight * pull,
            "cohesion": -self.cohesion_weight * a.cohesion[parent],
        }
