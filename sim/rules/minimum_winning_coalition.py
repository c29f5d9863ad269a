"""Joining and merging by minimum-winning-coalition utility.

Mechanism. Groups ally to win and to keep as large a share of the spoils as they can, so they
seek the coalition that is just strong enough to win (Riker 1962; Christia 2012). For a group
*g* with power ``P_g`` weighing a side *C*, the expected spoils of being in ``S = C + g``,
relative to its proportional share of the theatre's power ``P_g / P_tot``, are::

    E(S) = W(S) * (1 - leader_take) * P_tot / P_S,     W(S) = P_S^m / (P_S^m + P_R^m)

where ``P_R`` is the strongest side outside ``S`` and ``m = decisiveness``; staying alone gives
``E(g) = W(g) * P_tot / P_g``. The utility of joining is::

    U = spoils_weight * (E(S) - E(g)) - ideology_weight * |x_g - x_C|
        + patron_weight * patron_similarity(g, C) + protection_weight * threat_g * P_C / (P_C + P_A)

where the last term is protection-seeking by a group under attack from side *A* (the six
factions that joined Ahrar al-Sham "for protection" in January 2017). *C*'s leader accepts when
its own expected spoils do not fall by more than ``tolerance`` and *g* is within
``max_distance`` of it ideologically. An independent group reconsiders its alignment with a
weekly hazard ``rate``; it moves to its best acceptable option when ``U > threshold``. Choosing
another independent group means a merger into a new coalition led by the stronger of the two;
further groups that join it in the same step are listed as components of the same merger.

Sides a group is fighting, or has a grudge with, are not options. The defection rule uses
:meth:`MinimumWinningCoalition.best_destination` to decide where a defector goes.

State it reads: powers, ideologies, patron ties, relations, attack memories.
State it writes: the hierarchy (through :mod:`sim.structure`); the log.
"""

from __future__ import annotations

import numpy as np

from sim.relations import Status
from sim.rules.base import Param, Rule
from sim.state import TAKEOVER_RATIO, Kind


class MinimumWinningCoalition(Rule):
    """Joining coalitions and merging groups (see module docstring)."""

    name = "minimum_winning_coalition"
    mechanism = "minimum winning coalition (power against share of spoils)"
    sources = (
        "Riker (1962), The Theory of Political Coalitions, Yale UP",
        "Christia (2012), Alliance Formation in Civil Wars, CUP",
        "Bapat & Bond (2012), Alliances between militant groups, BJPS 42(4)",
    )
    params = (
        Param(
            "rate",
            0.02,
            0.0,
            1.0,
            "Weekly hazard that an independent group reconsiders its alignment.",
            "assumption",
        ),
        Param(
            "decisiveness",
            4.0,
            0.5,
            10.0,
            "Exponent m of the win probability: how sharply "
            "a coalition must outweigh its strongest rival to win.",
            "Riker 1962 (winning)",
        ),
        Param(
            "spoils_weight",
            1.0,
            0.0,
            10.0,
            "Utility per unit of expected spoils relative to a proportional share.",
            "Christia 2012",
        ),
        Param(
            "ideology_weight",
            2.0,
            0.0,
            10.0,
            "Utility lost per unit of ideological distance to the partner.",
            "Gade, Gabbay, Hafez & Kelly 2019",
        ),
        Param(
            "patron_weight",
            0.5,
            0.0,
            10.0,
            "Utility per unit of patron similarity.",
            "Bapat & Bond 2012",
        ),
        Param(
            "protection_weight",
            1.5,
            0.0,
            10.0,
            "Utility of protection for a group under "
            "attack, times the partner's share of power against the attacker.",
            "Christia 2012; Idlib Jan 2017 (joins 'for protection')",
        ),
        Param(
            "threshold",
            0.2,
            0.0,
            5.0,
            "Utility a move must exceed (cost of switching).",
            "assumption",
        ),
        Param(
            "tolerance",
            0.1,
            0.0,
            1.0,
            "Largest relative fall of its expected spoils a leader accepts to take a group in.",
            "Riker 1962 (size principle)",
        ),
        Param(
            "max_distance",
            0.5,
            0.0,
            1.0,
            "Largest ideological distance a leader accepts in a new member.",
            "assumption",
        ),
        Param(
            "contacts",
            32,
            1,
            1000,
            "Options a group weighs per decision when the theatre has more sides than this.",
            "performance setting",
            integer=True,
        ),
    )

    def step(self) -> None:
        """Let independent groups reconsider; apply accepted joins and mergers."""
        m = self.model
        a = m.actors
        n = a.n
        solo = np.flatnonzero(a.alive[:n] & (a.kind[:n] == Kind.GROUP) & (a.parent[:n] < 0))
        if len(solo) == 0 or len(m.sides) < 2:
            return
        movers = solo[m.rng.random(len(solo)) < m.hazard_to_prob(np.full(len(solo), self.rate))]
        for g in m.rng.permutation(movers).tolist():
            if not (a.alive[g] and a.parent[g] < 0):
                continue  # merged into someone else's coalition earlier this step
            target, causes = self.best_destination(g)
            if target < 0:
                continue
            if a.kind[target] == Kind.GROUP and a.parent[target] < 0:
                m.merge([target, g], causes)
            else:
                m.join(g, target, causes)

    # -- evaluation --------------------------------------------------------------------------
    def options_for(self, g: int) -> np.ndarray:
        """Actors ``g`` may join: sides for a group, groups for a unit."""
        m = self.model
        a = m.actors
        n = a.n
        alive = a.alive[:n]
        top = m.top
        if a.kind[g] == Kind.UNIT:
            opts = np.flatnonzero(alive & (a.kind[:n] == Kind.GROUP))
        else:
            opts = m.sides
        own_side = top[g]
        opts = opts[(opts != g) & (top[opts] != own_side)]
        if len(opts) > self.contacts:
            opts = np.sort(m.rng.choice(opts, size=self.contacts, replace=False))
        if len(opts) == 0:
            return opts
        status, _slot = m.relations.state(np.full(len(opts), own_side), top[opts])
        return opts[(status != Status.FIGHTING) & (status != Status.HOSTILE)]

    def utilities(self, g: int, opts: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Utility terms of ``g`` for each option, and whether each option's leader accepts."""
        m = self.model
        a = m.actors
        power = m.power.copy()
        top = m.top
        p_g = m.own_power(g)
        if top[g] != g:
            power[top[g]] = max(0.0, power[top[g]] - p_g)  # g's side without g
        sides = m.sides
        side_pow = power[sides]
        p_tot = side_pow.sum() + (p_g if top[g] != g else 0.0)
        dm = self.decisiveness
        # Strongest side outside each option's side (and outside g).
        others = sides[sides != g]
        op = power[others]
        order = np.argsort(-op, kind="stable")
        best = others[order[0]] if len(order) else -1
        p1 = op[order[0]] if len(order) else 0.0
        p2 = op[order[1]] if len(order) > 1 else 0.0
        c = top[opts]
        p_c = power[c]
        p_r = np.where(c == best, p2, p1)
        p_s = p_c + p_g
        w_s = _win(p_s, p_r, dm)
        theta = m.leader_take
        # Who would lead S: g if it outweighs the current leader (a lone group: if stronger;
        # a coalition: by the takeover ratio); the leader keeps theta of the pooled spoils.
        lead = m.lead_group(c)
        p_l = m.own_power_many(lead)
        ratio = np.where(a.kind[c] == Kind.COALITION, TAKEOVER_RATIO, 1.0)
        g_leads = p_g > ratio * p_l
        frac_g = np.divide(p_g, p_s, out=np.zeros(len(c)), where=p_s > 0)
        share_g = np.where(g_leads, theta, 0.0) + (1 - theta) * frac_g
        tiny = p_g <= 1e-9 * max(p_tot, 1.0)  # a group with (almost) no power gains nothing
        e_join = np.zeros(len(c)) if tiny else w_s * share_g * p_tot / p_g
        e_alone = 0.0 if tiny else _win(np.array([p_g]), np.array([p1]), dm)[0] * p_tot / p_g
        att = a.attacker[g]
        threat = min(1.0, float(a.attacked_ema[g]))
        if att >= 0 and a.alive[att] and threat > 0:
            p_a = power[top[att]]
            protect = threat * np.divide(p_c, p_c + p_a, out=np.zeros(len(c)), where=p_c + p_a > 0)
            protect[c == top[att]] = 0.0
        else:
            protect = np.zeros(len(c))
        dist = np.abs(a.ideology[g] - m.side_ideology[opts])
        terms = {
            "expected_spoils": self.spoils_weight * np.clip(e_join - e_alone, -3.0, 3.0),
            "ideological_distance": -self.ideology_weight * dist,
            "shared_patrons": self.patron_weight * m.patron_similarity(np.full(len(opts), g), opts),
            "protection": self.protection_weight * protect,
        }
        # The receiving leader's view: its expected spoils with and without g.
        frac_l = np.divide(p_l, p_s, out=np.zeros(len(c)), where=p_s > 0)
        share_with = np.where(g_leads, 0.0, theta) + (1 - theta) * frac_l
        share_wo = theta + (1 - theta) * np.divide(p_l, p_c, out=np.zeros(len(c)), where=p_c > 0)
        e_l_with = w_s * share_with
        e_l_wo = _win(p_c, p_r, dm) * share_wo
        accepts = (e_l_with >= (1 - self.tolerance) * e_l_wo) & (dist <= self.max_distance)
        return terms, accepts

    def best_destination(self, g: int) -> tuple[int, list[tuple[str, float]]]:
        """The option ``g`` would move to now (-1 if none beats the threshold), and its causes."""
        opts = self.options_for(g)
        if len(opts) == 0:
            return -1, []
        terms, accepts = self.utilities(g, opts)
        u = sum(terms.values())
        u = np.where(accepts, u, -np.inf)
        k = int(np.argmax(u))
        if not np.isfinite(u[k]) or u[k] <= self.threshold:
            return -1, []
        return int(opts[k]), [(name, float(v[k])) for name, v in terms.items()]


def _win(p_s: np.ndarray, p_r: np.ndarray, m: float) -> np.ndarray:
    """Contest probability that power ``p_s`` beats ``p_r``."""
    ps = np.power(p_s, m)
    pr = np.power(p_r, m)
    return np.divide(ps, ps + pr, out=np.ones(len(ps)), where=(ps + pr) > 0)
