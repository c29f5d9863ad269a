"""Landscape alignment: actors switch sides to lower their frustration (Axelrod & Bennett 1993).

Mechanism. Actor *i* has size ``s_i`` and a symmetric propensity ``p_ij`` to be aligned with
*j* (positive: wants to be on the same side). With ``d_ij = 1`` when *i* and *j* are on
different sides, *i*'s frustration and the system's energy are::

    F_i = sum_j s_j p_ij d_ij            E = sum_{i<j} s_i s_j p_ij d_ij

Actors move one at a time to the side that lowers their frustration most; since
``Delta E = s_i * Delta F_i``, every move lowers the energy and the configuration settles in a
local minimum of ``E``. This rule replaces joining (minimum winning coalition) and defection: it
is the alternative alignment rule, and can run alone.

In a scenario the actors are the groups and the sides are the coalitions present at the start
(at least two; they persist when emptied). Sizes come from ``landscape.sizes`` or the groups'
fighters; propensities from ``landscape.propensities`` where given, otherwise::

    p_ij = ideology_weight * (1 - 2 |x_i - x_j|) + patron_weight * patron_similarity(i, j)

The propensity matrix is dense: the rule is meant for the tens of actors the theory was built
for, not for thousands.

State it reads: ideologies, patron ties, fighters. State it writes: the hierarchy; the log.
"""

from __future__ import annotations

import numpy as np

from sim.rules.base import Param, Rule
from sim.state import Kind


def frustration(sizes: np.ndarray, prop: np.ndarray, sides: np.ndarray) -> np.ndarray:
    """Frustration ``F_i = sum_j s_j p_ij d_ij`` of every actor."""
    d = sides[:, None] != sides[None, :]
    return (prop * d) @ sizes


def energy(sizes: np.ndarray, prop: np.ndarray, sides: np.ndarray) -> float:
    """Energy ``E = sum_{i<j} s_i s_j p_ij d_ij`` of a configuration."""
    d = sides[:, None] != sides[None, :]
    return float(0.5 * (np.outer(sizes, sizes) * prop * d).sum())


def frustration_by_side(
    sizes: np.ndarray, prop: np.ndarray, sides: np.ndarray, n_sides: int
) -> np.ndarray:
    """``out[i, k]``: frustration of actor *i* if it stood on side *k* (others fixed)."""
    p = prop - np.diag(np.diag(prop))  # an actor is never frustrated with itself
    onehot = np.zeros((len(sides), n_sides))
    onehot[np.arange(len(sides)), sides] = 1.0
    total = p @ sizes
    same = (p * sizes[None, :]) @ onehot  # sum_j s_j p_ij [side_j == k]
    return total[:, None] - same


def best_moves(
    sizes: np.ndarray, prop: np.ndarray, sides: np.ndarray, n_sides: int, tol: float = 1e-12
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Actors that can lower their frustration, their best side, and the gain."""
    fk = frustration_by_side(sizes, prop, sides, n_sides)
    now = fk[np.arange(len(sides)), sides]
    best = np.argmin(fk, axis=1)
    gain = now - fk[np.arange(len(sides)), best]
    movers = np.flatnonzero(gain > tol * (1.0 + np.abs(now)))
    return movers, best[movers], gain[movers]


def descend(
    sizes: np.ndarray,
    prop: np.ndarray,
    sides: np.ndarray,
    n_sides: int,
    rng: np.random.Generator,
    max_moves: int = 100_000,
) -> np.ndarray:
    """Move actors one at a time (a random improver each time) until no one gains.

    Returns:
        The configuration reached: a local minimum of :func:`energy`.
    """
    sides = sides.copy()
    for _ in range(max_moves):
        movers, best, _gain = best_moves(sizes, prop, sides, n_sides)
        if len(movers) == 0:
            break
        k = int(rng.integers(len(movers)))
        sides[movers[k]] = best[k]
    return sides


def is_local_minimum(sizes: np.ndarray, prop: np.ndarray, sides: np.ndarray, n_sides: int) -> bool:
    """Whether no single actor can lower its frustration by switching."""
    return len(best_moves(sizes, prop, sides, n_sides)[0]) == 0


class LandscapeAlignment(Rule):
    """Frustration-lowering side switches between coalitions (see module docstring)."""

    name = "landscape_alignment"
    mechanism = "landscape theory of aggregation (frustration minimisation)"
    sources = ("Axelrod & Bennett (1993), A landscape theory of aggregation, BJPS 23(2)",)
    enabled_by_default = False
    params = (
        Param(
            "moves_per_step",
            1,
            1,
            100_000,
            "Largest number of actors that switch side in "
            "one step (the theory moves one at a time).",
            "Axelrod & Bennett 1993",
            integer=True,
        ),
        Param(
            "ideology_weight",
            1.0,
            0.0,
            5.0,
            "Default propensity per unit of ideological closeness: p = w (1 - 2|x_i - x_j|).",
            "Gade, Gabbay, Hafez & Kelly 2019",
        ),
        Param(
            "patron_weight",
            0.5,
            0.0,
            5.0,
            "Default propensity added per unit of patron similarity.",
            "Bapat & Bond 2012",
        ),
    )

    def __init__(self, model, values=None) -> None:
        super().__init__(model, values)
        a = model.actors
        n = a.n
        self.sides = np.flatnonzero(a.alive[:n] & (a.kind[:n] == Kind.COALITION))
        if len(self.sides) < 2:
            raise ValueError("landscape_alignment needs at least two coalitions (the sides)")
        model.persistent.update(self.sides.tolist())
        self.groups = np.flatnonzero(a.alive[:n] & (a.kind[:n] == Kind.GROUP))
        spec = model.scenario_spec.landscape
        sizes = {k: float(v) for k, v in spec.sizes.items()}
        self.sizes = np.array([sizes.get(a.names[g], float(model.totals[g])) for g in self.groups])
        x = a.ideology[self.groups]
        prop = self.ideology_weight * (1.0 - 2.0 * np.abs(x[:, None] - x[None, :]))
        g = len(self.groups)
        ii, jj = np.meshgrid(np.arange(g), np.arange(g), indexing="ij")
        sim = model.patron_similarity(self.groups[ii.ravel()], self.groups[jj.ravel()]).reshape(
            g, g
        )
        prop += self.patron_weight * sim
        pos = {a.names[gi]: k for k, gi in enumerate(self.groups)}
        for pr in spec.propensities:
            prop[pos[pr.a], pos[pr.b]] = prop[pos[pr.b], pos[pr.a]] = pr.value
        np.fill_diagonal(prop, 0.0)
        self.prop = prop

    def current_sides(self) -> np.ndarray:
        """Side index (into :attr:`sides`) of every actor; -1 for independent ones."""
        parent = self.model.actors.parent[self.groups]
        lookup = {int(s): k for k, s in enumerate(self.sides)}
        return np.array([lookup.get(int(p), -1) for p in parent])

    def step(self) -> None:
        """Move up to ``moves_per_step`` actors, one at a time, to their least frustrating side."""
        m = self.model
        a = m.actors
        alive = a.alive[self.groups]
        sides = self.current_sides()
        free = np.flatnonzero(alive & (sides < 0))
        for k in free.tolist():  # independent actors first take their best side
            placed = alive & (sides >= 0)  # only actors already on a side frustrate them
            fk = frustration_by_side(
                self.sizes * placed, self.prop, np.maximum(sides, 0), len(self.sides)
            )
            sides[k] = int(np.argmin(fk[k]))
            m.join(int(self.groups[k]), int(self.sides[sides[k]]), [("frustration", fk[k].min())])
        for _ in range(self.moves_per_step):
            movers, best, gain = best_moves(self.sizes * alive, self.prop, sides, len(self.sides))
            movers_alive = alive[movers]
            movers, best, gain = movers[movers_alive], best[movers_alive], gain[movers_alive]
            if len(movers) == 0:
                return
            k = int(m.rng.integers(len(movers)))
            i = int(self.groups[movers[k]])
            before = float(frustration(self.sizes * alive, self.prop, sides)[movers[k]])
            causes = [("frustration_before", before), ("frustration_gain", float(gain[k]))]
            m.switch(i, int(self.sides[best[k]]), causes)
            sides[movers[k]] = best[k]

    def alignment(self) -> dict[str, str]:
        """Group name -> side name, now."""
        a = self.model.actors
        sides = self.current_sides()
        return {
            a.names[g]: a.names[self.sides[s]] if s >= 0 else ""
            for g, s in zip(self.groups.tolist(), sides.tolist(), strict=True)
        }
