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

import math

import numpy as np
from numba import njit

from sim.kernels import np_power, row_dot
from sim.relations import Status, find_pair
from sim.rules.base import Param, Rule
from sim.state import TAKEOVER_RATIO, Kind


class MinimumWinningCoalition(Rule):
    """Joining coalitions and merging groups (see module docstring)."""

    name = "minimum_winning_coalition"
    _w: np.ndarray | None = None  # parameter vector of the kernel, built on first use
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
        solo = _independent(a.alive[:n], a.kind[:n], a.parent[:n])
        if len(solo) == 0 or len(m.sides) < 2:
            return
        p = -math.expm1(-self.rate * m.dt_weeks)  # hazard_to_prob, the same for every group
        movers = solo[m.rng.random(len(solo)) < p]
        if len(movers) == 0:
            return
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
        if a.kind[g] == Kind.UNIT:
            pool = np.flatnonzero(a.alive[:n] & (a.kind[:n] == Kind.GROUP))
        else:
            pool = m.sides
        own_side = m.top[g]
        opts = _other_sides(pool, g, own_side, m.top)
        if len(opts) > self.contacts:
            # Drawing positions draws what choosing from the array would, without the copy.
            opts = opts[np.sort(m.rng.choice(len(opts), size=self.contacts, replace=False))]
        if len(opts) == 0:
            return opts
        rel = m.relations
        return _open_to(opts, own_side, m.top, rel.codes, rel.status)

    def _evaluate(self, g: int, opts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Utility terms (one row per option, columns as :data:`TERMS`) and acceptance."""
        m = self.model
        a = m.actors
        top = m.top
        side = top[g]
        p_g = m.power[g]
        if side == g:
            # g is a side: the theatre's power is the refresh's, summed as numpy sums.
            own_adj, p_tot = -1, m.side_power_total()
        else:
            own_adj = side  # g's side is weighed without g
            adj = max(0.0, m.power[side] - p_g)
            side_pow = m.power[m.sides]
            pos = np.searchsorted(m.sides, side)
            if pos < len(side_pow) and m.sides[pos] == side:
                side_pow[pos] = adj
            p_tot = side_pow.sum() + p_g
        att = a.attacker[g]
        threat = min(1.0, float(a.attacked_ema[g]))
        protect_from = int(top[att]) if att >= 0 and a.alive[att] and threat > 0 else -1
        return _mwc_terms(
            g,
            opts,
            own_adj,
            p_tot,
            threat,
            protect_from,
            m.power,
            top,
            m.sides,
            a.kind,
            a.leader,
            a.ideology[g],
            m.side_ideology,
            m._tie_unit,
            self._weights(),
        )

    def _weights(self) -> np.ndarray:
        """The kernel's parameter vector (parameters do not change during a run)."""
        if self._w is None:
            self._w = np.array(
                [
                    self.decisiveness,
                    self.model.leader_take,
                    self.spoils_weight,
                    self.ideology_weight,
                    self.patron_weight,
                    self.protection_weight,
                    self.tolerance,
                    self.max_distance,
                    TAKEOVER_RATIO,
                ]
            )
        return self._w

    def utilities(self, g: int, opts: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Utility terms of ``g`` for each option, and whether each option's leader accepts."""
        terms, accepts = self._evaluate(g, np.asarray(opts, dtype=np.int64))
        return {name: terms[:, k] for k, name in enumerate(TERMS)}, accepts

    def best_destination(self, g: int) -> tuple[int, list[tuple[str, float]]]:
        """The option ``g`` would move to now (-1 if none beats the threshold), and its causes."""
        opts = self.options_for(g)
        if len(opts) == 0:
            return -1, []
        terms, accepts = self._evaluate(g, opts)
        k = _best_option(terms, accepts, self.threshold)
        if k < 0:
            return -1, []
        return int(opts[k]), list(zip(TERMS, terms[k].tolist(), strict=True))


# The terms of a group's utility of an option, in the order of the module docstring.
TERMS = ("expected_spoils", "ideological_distance", "shared_patrons", "protection")


@njit(cache=True)
def _independent(alive, kind, parent):  # pragma: no cover - compiled
    """Alive groups outside any coalition, in row order."""
    keep = np.empty(len(alive), np.int64)
    k = 0
    for i in range(len(alive)):
        if alive[i] and kind[i] == _GROUP and parent[i] < 0:
            keep[k] = i
            k += 1
    return keep[:k]


@njit(cache=True)
def _other_sides(pool, g, own_side, top):  # pragma: no cover - compiled
    """Members of ``pool`` other than ``g`` and outside ``g``'s side, in order."""
    keep = np.empty(len(pool), np.int64)
    k = 0
    for x in pool:
        if x != g and top[x] != own_side:
            keep[k] = x
            k += 1
    return keep[:k]


@njit(cache=True)
def _open_to(opts, own_side, top, codes, status):  # pragma: no cover - compiled
    """Options whose side ``own_side`` is neither fighting nor holding a grudge against."""
    keep = np.empty(len(opts), np.int64)
    k = 0
    for x in opts:
        pos = find_pair(codes, own_side, top[x])
        s = status[pos] if pos >= 0 else 0
        if s != _FIGHTING and s != _HOSTILE:
            keep[k] = x
            k += 1
    return keep[:k]


@njit(cache=True)
def _win1(p_s, p_r, dm):  # pragma: no cover - compiled
    ps = np_power(p_s, dm)
    pr = np_power(p_r, dm)
    return ps / (ps + pr) if ps + pr > 0 else 1.0


@njit(cache=True)
def _mwc_terms(
    g,
    opts,
    own_adj,
    p_tot,
    threat,
    protect_from,
    power,
    top,
    sides,
    kind,
    leader,
    ideology_g,
    side_ideology,
    tie_unit,
    w,
):  # pragma: no cover - compiled
    """Utility terms of ``g`` for each of ``opts`` and whether each option's leader accepts.

    ``own_adj`` is g's side when g weighs it without itself (power less g's), else -1;
    ``w`` = decisiveness, leader_take, the four term weights, tolerance, max_distance and
    the takeover ratio. The arithmetic follows the numpy expressions it replaced step by step
    (same operations in the same order), so results are identical to the last bit.
    """
    dm, theta = w[0], w[1]
    p_g = power[g]
    adj = max(0.0, power[own_adj] - p_g) if own_adj >= 0 else 0.0
    # The strongest side other than g (lowest row among equals) and the runner-up's power.
    best = -1
    p1 = 0.0
    p2 = 0.0
    found = 0
    for s in sides:
        if s == g:
            continue
        v = adj if s == own_adj else power[s]
        if found == 0 or v > p1:
            if found > 0:
                p2 = p1
            p1 = v
            best = s
        elif found == 1 or v > p2:
            p2 = v
        found += 1
    tiny = p_g <= 1e-9 * max(p_tot, 1.0)
    e_alone = 0.0 if tiny else _win1(p_g, p1, dm) * p_tot / p_g
    p_a = 0.0
    if protect_from >= 0:
        p_a = adj if protect_from == own_adj else power[protect_from]
    k = len(opts)
    terms = np.empty((k, 4))
    accepts = np.empty(k, np.bool_)
    for j in range(k):
        o = opts[j]
        c = top[o]
        p_c = adj if c == own_adj else power[c]
        p_r = p2 if c == best else p1
        p_s = p_c + p_g
        w_s = _win1(p_s, p_r, dm)
        is_coalition = kind[c] == _COALITION
        p_l = power[leader[c]] if is_coalition else power[c]
        ratio = w[8] if is_coalition else 1.0
        g_leads = p_g > ratio * p_l
        frac_g = p_g / p_s if p_s > 0 else 0.0
        share_g = (theta if g_leads else 0.0) + (1 - theta) * frac_g
        e_join = 0.0 if tiny else w_s * share_g * p_tot / p_g
        protect = 0.0
        if protect_from >= 0 and c != protect_from:
            protect = threat * (p_c / (p_c + p_a) if p_c + p_a > 0 else 0.0)
        dist = abs(ideology_g - side_ideology[o])
        terms[j, 0] = w[2] * min(max(e_join - e_alone, -3.0), 3.0)
        terms[j, 1] = -w[3] * dist
        terms[j, 2] = w[4] * row_dot(tie_unit, g, o)
        terms[j, 3] = w[5] * protect
        frac_l = p_l / p_s if p_s > 0 else 0.0
        share_with = (0.0 if g_leads else theta) + (1 - theta) * frac_l
        share_wo = theta + (1 - theta) * (p_l / p_c if p_c > 0 else 0.0)
        e_l_with = w_s * share_with
        e_l_wo = _win1(p_c, p_r, dm) * share_wo
        accepts[j] = (e_l_with >= (1 - w[6]) * e_l_wo) and (dist <= w[7])
    return terms, accepts


@njit(cache=True)
def _best_option(terms, accepts, threshold):  # pragma: no cover - compiled
    """Row of the acceptable option with the highest utility above ``threshold``, or -1."""
    best = -1
    u_best = -np.inf
    for j in range(len(accepts)):
        if not accepts[j]:
            continue
        u = ((terms[j, 0] + terms[j, 1]) + terms[j, 2]) + terms[j, 3]
        if best < 0 or u > u_best:
            best = j
            u_best = u
    if best < 0 or not np.isfinite(u_best) or u_best <= threshold:
        return -1
    return best


_GROUP = int(Kind.GROUP)
_COALITION = int(Kind.COALITION)
_FIGHTING = int(Status.FIGHTING)
_HOSTILE = int(Status.HOSTILE)
