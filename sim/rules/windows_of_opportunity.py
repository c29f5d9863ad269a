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

import numpy as np
from numba import njit

from sim.relations import Status
from sim.rules.base import Param, Rule


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

    def step(self) -> None:
        """Fight a week of every ongoing fight, then start new fights."""
        self._fight_rounds()
        self._initiate()

    # -- ongoing fights ----------------------------------------------------------------------
    def _fight_rounds(self) -> None:
        m = self.model
        a = m.actors
        rel = m.relations
        slots, lo, hi = rel.pairs(Status.FIGHTING)
        if len(slots) == 0:
            return
        power = m.power
        total = m.totals
        pw_lo = power[lo] ** self.decisiveness
        pw_hi = power[hi] ** self.decisiveness
        denom = pw_lo + pw_hi
        p_lo = np.divide(pw_lo, denom, out=np.full(len(lo), 0.5), where=denom > 0)
        lo_wins = m.rng.random(len(lo)) < p_lo
        win = np.where(lo_wins, lo, hi)
        lose = np.where(lo_wins, hi, lo)
        scale = m.dt_weeks  # weekly rounds' worth of fighting; losses are capped below
        engaged = self.engagement * np.minimum(total[win], total[lose]) * scale
        ratio = np.divide(power[lose], power[win], out=np.ones(len(win)), where=power[win] > 0)
        lost_loser = self.loss_rate * engaged
        lost_winner = self.loss_rate * engaged * np.minimum(ratio, 1.0)
        absorbed = self.absorb_fighters * engaged
        n = a.n
        lost = np.bincount(lose, weights=lost_loser, minlength=n) + np.bincount(
            win, weights=lost_winner, minlength=n
        )
        moved = np.bincount(lose, weights=absorbed, minlength=n)
        frac_lost = np.divide(lost, total, out=np.zeros(n), where=total > 0)
        frac_moved = np.divide(moved, total, out=np.zeros(n), where=total > 0)
        cap = np.clip(frac_lost + frac_moved, 0.0, 0.95)
        over = np.divide(
            cap, frac_lost + frac_moved, out=np.ones(n), where=frac_lost + frac_moved > 0
        )
        m.apply_losses(frac_lost * over, by="side", cause="lost")
        gains = m.apply_losses(frac_moved * over, by="side", cause="absorbed")
        # The absorbed fighters go to each winner's leading group, in proportion to what it won.
        won_from = np.bincount(lose, weights=absorbed, minlength=n)
        share = np.divide(
            absorbed, won_from[lose], out=np.zeros(len(lose)), where=won_from[lose] > 0
        )
        m.ledger_add("absorbed", m.lead_group(win), share * gains[lose])
        for w, l_ in zip(win.tolist(), lose.tolist(), strict=True):
            m.capture(l_, w, min(1.0, self.capture * scale))
        rel.strength[slots] += np.divide(
            lost_loser + lost_winner,
            total[lo] + total[hi],
            out=np.zeros(len(lo)),
            where=(total[lo] + total[hi]) > 0,
        )
        m.refresh()
        # Beaten sides below the threshold dissolve into the side that beat them.
        for w, l_ in zip(win.tolist(), lose.tolist(), strict=True):
            if a.alive[l_] and a.alive[w] and m.totals[l_] < self.dissolve_below:
                m.dissolve(l_, absorber=w, causes=[("fighters_below_threshold", 1.0)])

    # -- new fights --------------------------------------------------------------------------
    def _initiate(self) -> None:
        m = self.model
        lo, hi = m.candidate_pairs(self.contacts)
        if len(lo) == 0:
            return
        status, slot = m.relations.state(lo, hi)
        open_ = (status != Status.FIGHTING) & (status != Status.TRUCE)
        lo, hi, status, slot = lo[open_], hi[open_], status[open_], slot[open_]
        if len(lo) == 0:
            return
        grudge = m.relations.grudge(slot, m.steps)
        allied = (status == Status.ALLIANCE).astype(float)
        weights = np.array([getattr(self, w) for w in _WEIGHTS])
        args = (
            grudge,
            allied,
            m.power,
            m.power_share,
            m.actors.power_share_ema,
            m.side_ideology,
            m.income_share,
            m.pressure,
            weights,
        )
        terms_ab = _attack_terms(lo, hi, *args)
        terms_ba = _attack_terms(hi, lo, *args)
        h_ab = self.base_rate * np.exp(terms_ab.sum(axis=1))
        h_ba = self.base_rate * np.exp(terms_ba.sum(axis=1))
        p = m.hazard_to_prob(h_ab + h_ba)
        starts = np.flatnonzero(m.rng.random(len(lo)) < p)
        if len(starts) == 0:
            return
        ab_first = m.rng.random(len(starts)) * (h_ab[starts] + h_ba[starts]) < h_ab[starts]
        for k, first in zip(starts.tolist(), ab_first.tolist(), strict=True):
            att, tgt = (lo[k], hi[k]) if first else (hi[k], lo[k])
            terms = terms_ab if first else terms_ba
            causes = list(zip(TERMS, terms[k].tolist(), strict=True))
            m.start_fight(int(att), int(tgt), causes)


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


@njit(cache=True)
def _attack_terms(
    att, tgt, grudge, allied, power, share_now, share_ema, ideology, income_share, pressure, w
):  # pragma: no cover - compiled
    """Log-hazard terms of ``att[k]`` attacking ``tgt[k]``, one row per pair (see TERMS)."""
    k = len(att)
    out = np.empty((k, 8))
    for j in range(k):
        a, b = att[j], tgt[j]
        pa, pb = power[a], power[b]
        r = pa / (pa + pb) if pa + pb > 0 else 0.5
        decline = 0.0
        if share_ema[a] > 0:
            decline = min(1.0, max(0.0, (share_ema[a] - share_now[a]) / share_ema[a]))
        out[j, 0] = w[0] * abs(ideology[a] - ideology[b])
        out[j, 1] = w[1] * abs(2 * r - 1)
        out[j, 2] = w[2] * (2 * r - 1)
        out[j, 3] = w[3] * decline
        out[j, 4] = w[4] * income_share[b]
        out[j, 5] = w[5] * grudge[j]
        out[j, 6] = -w[6] * pressure
        out[j, 7] = -w[7] * allied[j]
    return out
