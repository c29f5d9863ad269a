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

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.kernels import draws_below, row_dot
from sim.relations import Status
from sim.rules.base import Param, Rule

if TYPE_CHECKING:
    from sim.model import CoalitionModel


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

    def __init__(self, model: CoalitionModel, values: dict[str, float] | None = None) -> None:
        super().__init__(model, values)
        self._grow(64)

    def _grow(self, size: int) -> None:
        """(Re)allocate the kernels' output buffers for at least ``size`` pairs."""
        self._cap = size
        self._codes = np.empty(size, np.int64)  # alliances that may lapse
        self._pairs = np.empty((size, 2), np.int64)  # candidate pairs that may ally
        self._terms = np.empty((size, len(TERMS)))
        self._p = np.empty(size)  # probability of each event this step
        self._idx = np.empty(size, np.int64)  # which of them happen

    def step(self) -> None:
        """Let alliances lapse, then form new ones."""
        m = self.model
        rel = m.relations
        codes, status = rel.codes, rel.status
        if len(codes) > self._cap:
            self._grow(max(len(codes), 2 * self._cap))
        k = _lapse_hazards(
            codes,
            status,
            m.side_ideology,
            self.lapse_rate,
            self.lapse_ideology_weight,
            m.dt_weeks,
            self._codes,
            self._p,
        )
        if k:
            hits = draws_below(m.rng.random(k), self._p, self._idx)
            if hits:
                for code in self._codes[self._idx[:hits]].tolist():
                    rel.set(code >> 32, code & 0xFFFFFFFF, Status.NEUTRAL, m.steps)
                codes, status = rel.codes, rel.status  # re-sorted without the lapsed pairs

        lo, hi = m.candidate_pairs(self.contacts)
        if len(lo) == 0:
            return
        if len(lo) > self._cap:
            self._grow(max(len(lo), 2 * self._cap))
        k = _open_pairs(lo, hi, codes, status, self._idx)
        if k == 0:
            return
        e = _formation_events(
            m.rng.random(k),
            self._idx,
            lo,
            hi,
            codes,
            status,
            m.side_ideology,
            m._tie_unit,
            m.actors.n,
            self.ideology_weight,
            self.common_enemy_weight,
            self.threat_weight * m.pressure,
            self.patron_weight,
            self.base_rate,
            m.dt_weeks,
            self._pairs,
            self._terms,
        )
        for t in range(e):
            i, j = self._pairs[t].tolist()
            # The stronger partner is recorded as the actor (it usually leads the room).
            actor, target = (i, j) if m.power[i] >= m.power[j] else (j, i)
            rel.set(i, j, Status.ALLIANCE, m.steps)
            m.record(
                "alliance", actor, target, list(zip(TERMS, self._terms[t].tolist(), strict=True))
            )


TERMS = ("ideological_distance", "common_enemy", "government_threat", "shared_patrons")
_ALLIANCE, _NEUTRAL, _HOSTILE, _FIGHTING = (
    int(Status.ALLIANCE),
    int(Status.NEUTRAL),
    int(Status.HOSTILE),
    int(Status.FIGHTING),
)


@njit(cache=True)
def _lapse_hazards(
    codes, status, ideology, rate, weight, dt, out_codes, out_p
):  # pragma: no cover - compiled
    """Alliances of the table (in its order) and the probability that each lapses this step.

    Writes their pair codes and probabilities into the first entries of ``out_codes`` and
    ``out_p``; returns how many there are.
    """
    k = 0
    for s in range(len(codes)):
        if status[s] != _ALLIANCE:
            continue
        lo, hi = codes[s] >> 32, codes[s] & 0xFFFFFFFF
        h = rate * np.exp(weight * np.abs(ideology[lo] - ideology[hi]))
        out_codes[k] = codes[s]
        out_p[k] = -np.expm1(-h * dt)
        k += 1
    return k


@njit(cache=True)
def _open_pairs(lo, hi, codes, status, out_idx):  # pragma: no cover - compiled
    """Positions of the candidate pairs ``(lo[c], hi[c])`` that are neutral or hostile.

    ``codes`` is the relation table's sorted pair codes, ``status`` their status. Writes the
    positions, in order, into the first entries of ``out_idx``; returns how many there are.
    """
    n_codes = len(codes)
    k = 0
    pos = 0
    last = -1
    for c in range(len(lo)):
        code = (np.int64(min(lo[c], hi[c])) << 32) | max(lo[c], hi[c])
        if code < last:  # candidates come sorted by pair: walk the table once, else restart
            pos = 0
        last = code
        if pos < n_codes and codes[pos] < code:
            pos = np.searchsorted(codes[pos:], code) + pos
        found = pos < n_codes and codes[pos] == code
        if found and status[pos] != _NEUTRAL and status[pos] != _HOSTILE:
            continue
        out_idx[k] = c
        k += 1
    return k


@njit(cache=True)
def _formation_events(
    u,
    idx,
    lo,
    hi,
    codes,
    status,
    ideology,
    tie_unit,
    n,
    w_ideology,
    w_enemy,
    threat,
    w_patron,
    base_rate,
    dt,
    out_pairs,
    out_terms,
):  # pragma: no cover - compiled
    """Which open pairs ally: ``u[e] < p`` of the pair ``(lo[c], hi[c])`` with ``c = idx[e]``.

    ``p = -expm1(-h dt)`` with the weekly hazard ``h`` of the module docstring, computed term by
    term as numpy would (same bits). Writes the pairs that ally and their terms (columns as
    :data:`TERMS`) into the first entries of ``out_pairs`` and ``out_terms``; returns how many.

    Most draws exceed any pair's probability: with non-negative ``w_ideology`` and
    ``base_rate`` no term can exceed its bound below (ideological distance 0, a common enemy,
    the largest similarity the rows allow), and ``-expm1(-x) <= x``, so a draw above the
    bound (with a margin far above rounding) settles the pair without computing its terms.
    """
    n_p = tie_unit.shape[1]
    bound = np.inf
    if w_ideology >= 0 and base_rate >= 0:
        most = 0.0  # |similarity| <= the largest squared norm of a row (Cauchy-Schwarz)
        for i in range(tie_unit.shape[0]):
            sq = 0.0
            for q in range(n_p):
                sq += tie_unit[i, q] * tie_unit[i, q]
            most = max(most, sq)
        top = 0.0 + 0.0 + max(w_enemy, 0.0) + threat + abs(w_patron) * most * (1.0 + 1e-9)
        bound = base_rate * np.exp(top) * dt * (1.0 + 1e-6)
    start = np.zeros(0, np.int64)
    enemies = np.zeros(0, np.int64)
    mark = np.zeros(0, np.int64)
    ready = False
    k = 0
    for e in range(len(u)):
        if u[e] >= bound:
            continue
        c = idx[e]
        a, b = lo[c], hi[c]
        if not ready:
            start, enemies = _enemies(codes, status, n)
            mark = np.full(n, -1, np.int64)
            ready = True
        common = 0.0
        if start[a + 1] > start[a] and start[b + 1] > start[b]:
            for q in range(start[a], start[a + 1]):
                mark[enemies[q]] = c
            for q in range(start[b], start[b + 1]):
                if mark[enemies[q]] == c:
                    common = 1.0
                    break
        t0 = -w_ideology * np.abs(ideology[a] - ideology[b])
        t1 = w_enemy * common
        t3 = w_patron * (0.0 + row_dot(tie_unit, a, b))
        h = base_rate * np.exp(0.0 + t0 + t1 + threat + t3)  # numpy's row sum: in this order
        if u[e] < -np.expm1(-h * dt):
            out_pairs[k, 0] = a
            out_pairs[k, 1] = b
            out_terms[k, 0] = t0
            out_terms[k, 1] = t1
            out_terms[k, 2] = threat
            out_terms[k, 3] = t3
            k += 1
    return k


@njit(cache=True)
def _enemies(codes, status, n):  # pragma: no cover - compiled
    """Every actor's enemies (the sides it is fighting): ``enemies[start[i]:start[i + 1]]``."""
    start = np.zeros(n + 1, np.int64)
    for s in range(len(codes)):
        if status[s] == _FIGHTING:
            start[(codes[s] >> 32) + 1] += 1
            start[(codes[s] & 0xFFFFFFFF) + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = start[:-1].copy()
    enemies = np.empty(start[n], np.int64)
    for s in range(len(codes)):
        if status[s] == _FIGHTING:
            x, y = codes[s] >> 32, codes[s] & 0xFFFFFFFF
            enemies[fill[x]] = y
            fill[x] += 1
            enemies[fill[y]] = x
            fill[y] += 1
    return start, enemies
