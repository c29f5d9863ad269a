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
        codes = rel.codes
        if len(codes) > self._cap:
            self._grow(max(len(codes), 2 * self._cap))
        k = _lapse_hazards(
            codes,
            rel.status,
            m.side_ideology,
            self.lapse_rate,
            self.lapse_ideology_weight,
            m.dt_weeks,
            self._codes,
            self._p,
        )
        if k:
            hits = _hits(m.rng.random(k), self._p, self._idx)
            if hits:
                for code in self._codes[self._idx[:hits]].tolist():
                    rel.set(code >> 32, code & 0xFFFFFFFF, Status.NEUTRAL, m.steps)

        lo, hi = m.candidate_pairs(self.contacts)
        if len(lo) == 0:
            return
        if len(lo) > self._cap:
            self._grow(max(len(lo), 2 * self._cap))
        k = _formation_hazards(
            lo,
            hi,
            rel.codes,
            rel.status,
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
            self._p,
        )
        if k == 0:
            return
        hits = _hits(m.rng.random(k), self._p, self._idx)
        for e in self._idx[:hits].tolist():
            i, j = self._pairs[e].tolist()
            # The stronger partner is recorded as the actor (it usually leads the room).
            actor, target = (i, j) if m.power[i] >= m.power[j] else (j, i)
            rel.set(i, j, Status.ALLIANCE, m.steps)
            m.record(
                "alliance", actor, target, list(zip(TERMS, self._terms[e].tolist(), strict=True))
            )


TERMS = ("ideological_distance", "common_enemy", "government_threat", "shared_patrons")
_ALLIANCE, _NEUTRAL, _HOSTILE, _FIGHTING = (
    int(Status.ALLIANCE),
    int(Status.NEUTRAL),
    int(Status.HOSTILE),
    int(Status.FIGHTING),
)


@njit(cache=True)
def _hits(u, p, idx):  # pragma: no cover - compiled
    """Write the positions ``k`` with ``u[k] < p[k]`` into ``idx``; return how many."""
    e = 0
    for k in range(len(u)):
        if u[k] < p[k]:
            idx[e] = k
            e += 1
    return e


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
def _formation_hazards(
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
    out_p,
):  # pragma: no cover - compiled
    """Candidate pairs that are neutral or hostile, their log-hazard terms and probabilities.

    Writes the pairs, the terms (columns as :data:`TERMS`) and the probability of allying this
    step into the first entries of ``out_pairs``, ``out_terms`` and ``out_p``, in the order of
    the candidates; returns how many there are.
    """
    # Every actor's enemies (the sides it is fighting), as lists in one array.
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
    mark = np.full(n, -1, np.int64)
    n_p = tie_unit.shape[1]
    k = 0
    for c in range(len(lo)):
        a, b = lo[c], hi[c]
        code = (min(a, b) << 32) | max(a, b)
        pos = np.searchsorted(codes, code)
        if pos < len(codes) and codes[pos] == code:
            st = status[pos]
            if st != _NEUTRAL and st != _HOSTILE:
                continue
        common = 0.0
        for q in range(start[a], start[a + 1]):
            mark[enemies[q]] = c
        for q in range(start[b], start[b + 1]):
            if mark[enemies[q]] == c:
                common = 1.0
                break
        t0 = -w_ideology * np.abs(ideology[a] - ideology[b])
        t1 = w_enemy * common
        t3 = w_patron * (0.0 + _dot(tie_unit[a], tie_unit[b], 0, n_p))
        out_pairs[k, 0] = a
        out_pairs[k, 1] = b
        out_terms[k, 0] = t0
        out_terms[k, 1] = t1
        out_terms[k, 2] = threat
        out_terms[k, 3] = t3
        h = base_rate * np.exp(0.0 + t0 + t1 + threat + t3)  # numpy's row sum: in this order
        out_p[k] = -np.expm1(-h * dt)
        k += 1
    return k


@njit(cache=True)
def _dot(x, y, lo, n):  # pragma: no cover - compiled
    """``sum(x[lo:lo+n] * y[lo:lo+n])`` summed as numpy's pairwise ``sum`` does (same bits).

    numpy splits a sum of more than 128 items in two halves (a multiple of 8 first) and recurses;
    a recursive kernel cannot be loaded from numba's cache, so the halves are kept on a stack.
    """
    if n <= 128:
        return _dot_block(x, y, lo, n)
    todo = np.empty((128, 3), np.int64)  # (start, length, halves done) of open sums
    done = np.empty(128)  # finished partial sums, innermost last
    top, k = 0, 0
    todo[0, 0], todo[0, 1], todo[0, 2] = lo, n, 0
    while top >= 0:
        start, size, state = todo[top, 0], todo[top, 1], todo[top, 2]
        if size <= 128:
            done[k] = _dot_block(x, y, start, size)
            k += 1
            top -= 1
        elif state == 0:
            half = size // 2
            half -= half % 8
            todo[top, 2] = 1
            todo[top + 1, 0], todo[top + 1, 1], todo[top + 1, 2] = start + half, size - half, 0
            todo[top + 2, 0], todo[top + 2, 1], todo[top + 2, 2] = start, half, 0
            top += 2
        else:
            k -= 1
            done[k - 1] = done[k - 1] + done[k]
            top -= 1
    return done[0]


@njit(cache=True)
def _dot_block(x, y, lo, n):  # pragma: no cover - compiled
    """The pairwise sum numpy uses for at most 128 products (8 interleaved partial sums)."""
    if n < 8:
        res = 0.0
        for q in range(lo, lo + n):
            res += x[q] * y[q]
        return res
    r0 = x[lo] * y[lo]
    r1 = x[lo + 1] * y[lo + 1]
    r2 = x[lo + 2] * y[lo + 2]
    r3 = x[lo + 3] * y[lo + 3]
    r4 = x[lo + 4] * y[lo + 4]
    r5 = x[lo + 5] * y[lo + 5]
    r6 = x[lo + 6] * y[lo + 6]
    r7 = x[lo + 7] * y[lo + 7]
    m = n - n % 8
    for q in range(lo + 8, lo + m, 8):
        r0 += x[q] * y[q]
        r1 += x[q + 1] * y[q + 1]
        r2 += x[q + 2] * y[q + 2]
        r3 += x[q + 3] * y[q + 3]
        r4 += x[q + 4] * y[q + 4]
        r5 += x[q + 5] * y[q + 5]
        r6 += x[q + 6] * y[q + 6]
        r7 += x[q + 7] * y[q + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for q in range(lo + m, lo + n):
        res += x[q] * y[q]
    return res
