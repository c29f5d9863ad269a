"""The model's state as arrays: one row per actor (unit, group or coalition).

Rules work on these arrays with numpy instead of looping over agents, which keeps a step cheap
for thousands of actors; the Mesa agents in :mod:`sim.agents` are views on rows of this table.
Rows are never reused: a dissolved actor keeps its row with ``alive`` false, so indices stay
valid in the event log and time series.

The hierarchy has three levels. A unit belongs to exactly one group; a group belongs to at most
one coalition; a coalition belongs to nothing. Fighters are held by units and by groups (their
core); a coalition's fighters are its members' sum. Resources are held by groups.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numba import njit

NO = -1  # "no parent" / "no leader"
TAKEOVER_RATIO = 1.5  # a member this many times stronger than its coalition's leader takes over


class Kind(IntEnum):
    """Level of an actor in the hierarchy."""

    UNIT = 0
    GROUP = 1
    COALITION = 2


class ActorTable:
    """Struct of arrays over actors, growing by doubling.

    Args:
        n_patrons: Number of patrons (columns of :attr:`ties`).
        capacity: Initial number of rows.
    """

    FLOAT = (
        "fighters",  # own fighters (0 for coalitions)
        "resources",  # stock, k$ (groups)
        "income",  # own income per step, k$ (groups): territory, crossings, taxation
        "ideology",  # 0 secular nationalist .. 1 global jihadist
        "cohesion",  # 0 .. 1
        "cohesion_base",  # level cohesion recovers towards
        "exposure",  # share on the government front line, 0 .. 1
        "losses_ema",  # recent share of fighters lost (for defection and truces)
        "aggression_ema",  # recent fights initiated (for defection of members)
        "attacked_ema",  # recent attacks suffered (for protection seeking)
        "power_share_ema",  # slow average of the share of theatre power (for vulnerability)
        "received",  # resources received this step, k$ (groups)
    )
    INT = ("kind", "parent", "leader", "attacker", "born")

    def __init__(self, n_patrons: int, capacity: int = 64) -> None:
        self.n = 0
        self.capacity = capacity
        self.n_patrons = n_patrons
        self.names: list[str] = []
        self.coalition_names: list[str | None] = []
        for f in self.FLOAT:
            setattr(self, f, np.zeros(capacity))
        for f in self.INT:
            setattr(self, f, np.full(capacity, NO, dtype=np.int64))
        self.alive = np.zeros(capacity, dtype=bool)
        self.ties = np.zeros((capacity, n_patrons))
        self.index: dict[str, int] = {}

    # -- growth ------------------------------------------------------------------------------
    def _grow(self) -> None:
        new = self.capacity * 2
        for f in (*self.FLOAT, *self.INT, "alive"):
            old = getattr(self, f)
            arr = np.full(new, NO if f in self.INT else 0, dtype=old.dtype)
            arr[: self.n] = old[: self.n]
            setattr(self, f, arr)
        ties = np.zeros((new, self.n_patrons))
        ties[: self.n] = self.ties[: self.n]
        self.ties = ties
        self.capacity = new

    def add(
        self,
        name: str,
        kind: Kind,
        *,
        parent: int = NO,
        fighters: float = 0.0,
        resources: float = 0.0,
        income: float = 0.0,
        ideology: float = 0.5,
        cohesion: float = 0.5,
        exposure: float = 0.5,
        born: int = 0,
        coalition_name: str | None = None,
    ) -> int:
        """Append an actor and return its row index.

        Raises:
            ValueError: If an alive actor already has this name.
        """
        if name in self.index and self.alive[self.index[name]]:
            raise ValueError(f"actor name {name!r} is already in use")
        if self.n == self.capacity:
            self._grow()
        i = self.n
        self.n += 1
        self.names.append(name)
        self.coalition_names.append(coalition_name)
        self.index[name] = i
        self.kind[i] = kind
        self.parent[i] = parent
        self.leader[i] = NO
        self.attacker[i] = NO
        self.born[i] = born
        self.alive[i] = True
        self.fighters[i] = fighters
        self.resources[i] = resources
        self.income[i] = income
        self.ideology[i] = ideology
        self.cohesion[i] = cohesion
        self.cohesion_base[i] = cohesion
        self.exposure[i] = exposure
        return i

    def unique_name(self, base: str) -> str:
        """Return ``base``, or ``base (2)``, ``base (3)``... if an actor already had it."""
        if base not in self.index:
            return base
        k = 2
        while f"{base} ({k})" in self.index:
            k += 1
        return f"{base} ({k})"

    # -- derived quantities ------------------------------------------------------------------
    def view(self, name: str) -> np.ndarray:
        """The first :attr:`n` entries of column ``name``."""
        return getattr(self, name)[: self.n]

    def members(self, i: int) -> np.ndarray:
        """Alive direct members of actor ``i`` (units of a group, groups of a coalition)."""
        n = self.n
        return np.flatnonzero(self.alive[:n] & (self.parent[:n] == i))


_UNIT, _GROUP, _COALITION = int(Kind.UNIT), int(Kind.GROUP), int(Kind.COALITION)


@njit(cache=True)
def derive(alive, kind, parent, fighters, cohesion, income):  # pragma: no cover - compiled
    """Per-actor quantities that the rules share, in one pass over the table.

    Returns:
        ``top`` (top-level ancestor), ``totals`` (fighters with units or members), ``power``
        (totals x (0.5 + 0.5 cohesion)), ``power_share`` (of all sides' power, 0 for non-sides),
        ``income_share`` (own income of the groups under each side, as a share of the
        theatre's), ``sides`` (alive top-level groups, and coalitions with members: an emptied
        landscape side is not a side until someone joins it) and ``groups`` (alive groups).
    """
    n = len(alive)
    top = np.empty(n, np.int64)
    totals = np.zeros(n)
    has_members = np.zeros(n, np.bool_)
    for i in range(n):
        if alive[i] and parent[i] >= 0:
            has_members[parent[i]] = True
    n_sides = 0
    n_groups = 0
    for i in range(n):
        p = parent[i]
        if p < 0:
            top[i] = i
        elif parent[p] < 0:
            top[i] = p
        else:
            top[i] = parent[p]
        if alive[i] and kind[i] != _COALITION:
            totals[i] += fighters[i]
        if alive[i] and p < 0 and (kind[i] == _GROUP or has_members[i]):
            n_sides += 1
        if alive[i] and kind[i] == _GROUP:
            n_groups += 1
    for i in range(n):  # units into their groups
        if alive[i] and kind[i] == _UNIT and parent[i] >= 0:
            totals[parent[i]] += fighters[i]
    for i in range(n):  # groups (with their units) into their coalitions
        if alive[i] and kind[i] == _GROUP and parent[i] >= 0:
            totals[parent[i]] += totals[i]
    power = np.empty(n)
    for i in range(n):
        power[i] = totals[i] * (0.5 + 0.5 * cohesion[i])
    sides = np.empty(n_sides, np.int64)
    groups = np.empty(n_groups, np.int64)
    k = 0
    g = 0
    side_power = 0.0
    income_by_side = np.zeros(n)
    all_income = 0.0
    for i in range(n):
        if alive[i] and parent[i] < 0 and (kind[i] == _GROUP or has_members[i]):
            sides[k] = i
            k += 1
            side_power += power[i]
        if alive[i] and kind[i] == _GROUP:
            groups[g] = i
            g += 1
            income_by_side[top[i]] += income[i]
            all_income += income[i]
    power_share = np.zeros(n)
    if side_power > 0:
        for i in sides:
            power_share[i] = power[i] / side_power
    if all_income > 0:
        income_by_side /= all_income
    return top, totals, power, power_share, income_by_side, sides, groups


@njit(cache=True)
def review_leaders(alive, kind, parent, leader, totals, takeover_ratio):  # pragma: no cover
    """Give every coalition a valid leader; a member ``takeover_ratio`` times stronger takes over.

    The strongest member is the one with most fighters (the lowest row among equals). Changes
    ``leader`` in place.
    """
    n = len(alive)
    strongest = np.full(n, -1, np.int64)
    for i in range(n):
        p = parent[i]
        if alive[i] and kind[i] == _GROUP and p >= 0:
            s = strongest[p]
            if s < 0 or totals[i] > totals[s]:
                strongest[p] = i
    for c in range(n):
        if not (alive[c] and kind[c] == _COALITION) or strongest[c] < 0:
            continue
        lead = leader[c]
        valid = lead >= 0 and alive[lead] and parent[lead] == c
        if not valid or totals[strongest[c]] > takeover_ratio * totals[lead]:
            leader[c] = strongest[c]


@njit(cache=True)
def side_view(kind, leader, ideology, ties):  # pragma: no cover - compiled
    """Ideology and unit-normalised patron ties that each actor shows others.

    A coalition shows its leader's; everyone else its own.
    """
    n = len(kind)
    n_p = ties.shape[1]
    ideo = np.empty(n)
    unit = np.zeros((n, n_p))
    for i in range(n):
        h = i
        if kind[i] == _COALITION and leader[i] >= 0:
            h = leader[i]
        ideo[i] = ideology[h]
        norm = 0.0
        for q in range(n_p):
            norm += ties[h, q] * ties[h, q]
        if norm > 0:
            norm = np.sqrt(norm)
            for q in range(n_p):
                unit[i, q] = ties[h, q] / norm
    return ideo, unit
