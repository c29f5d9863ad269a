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

NO = -1  # "no parent" / "no leader"


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

    def top(self) -> np.ndarray:
        """Index of each actor's top-level ancestor (itself if it has no parent)."""
        parent = self.parent[: self.n]
        idx = np.arange(self.n)
        top = np.where(parent < 0, idx, parent)
        up = self.parent[top]
        return np.where(up < 0, top, up)  # depth is at most two

    def totals(self) -> np.ndarray:
        """Fighters of each actor including those of its units or member groups."""
        n = self.n
        own = np.where(self.alive[:n], self.fighters[:n], 0.0)
        kind = self.kind[:n]
        parent = self.parent[:n]
        units = (kind == Kind.UNIT) & (parent >= 0)
        total = own + np.bincount(parent[units], weights=own[units], minlength=n)[:n]
        groups = (kind == Kind.GROUP) & (parent >= 0)
        total += np.bincount(parent[groups], weights=total[groups], minlength=n)[:n]
        return total

    def sides(self) -> np.ndarray:
        """Indices of alive top-level groups and coalitions (the actors that fight and ally)."""
        n = self.n
        return np.flatnonzero(self.alive[:n] & (self.parent[:n] < 0) & (self.kind[:n] != Kind.UNIT))

    def members(self, i: int) -> np.ndarray:
        """Alive direct members of actor ``i`` (units of a group, groups of a coalition)."""
        n = self.n
        return np.flatnonzero(self.alive[:n] & (self.parent[:n] == i))
