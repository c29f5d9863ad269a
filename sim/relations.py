"""Relations between sides: alliance, hostility, active fighting and truce (with expiry).

Only pairs that are not neutral are stored, as a sorted array of pair codes with parallel
status arrays, so a rule can look up the relations of thousands of candidate pairs with one
``searchsorted`` call instead of looping over all pairs. :meth:`RelationTable.graph` gives a
networkx view for plots.
"""

from __future__ import annotations

from enum import IntEnum

import networkx as nx
import numpy as np
from numba import njit


class Status(IntEnum):
    """State of a pair of sides."""

    NEUTRAL = 0
    ALLIANCE = 1
    HOSTILE = 2  # a grudge after fighting or defection; no fighting this week
    FIGHTING = 3
    TRUCE = 4


_SHIFT = np.int64(32)


def pair_codes(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Order-free code of each pair ``(a[k], b[k])``."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    return (lo << _SHIFT) | hi


def split_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inverse of :func:`pair_codes`: the lower and higher index of each pair."""
    codes = np.asarray(codes, dtype=np.int64)
    return codes >> _SHIFT, codes & np.int64(0xFFFFFFFF)


class RelationTable:
    """Sparse store of non-neutral relations.

    Attributes:
        codes: Sorted pair codes.
        status: :class:`Status` of each pair.
        since: Step at which the current status began.
        until: Step at which a truce or grudge expires (-1: no expiry).
        strength: Accumulated cost of a fight (share of both sides' fighters lost).
    """

    def __init__(self) -> None:
        self.codes = np.zeros(0, dtype=np.int64)
        self.status = np.zeros(0, dtype=np.int8)
        self.since = np.zeros(0, dtype=np.int64)
        self.until = np.zeros(0, dtype=np.int64)
        self.strength = np.zeros(0)

    def __len__(self) -> int:
        return len(self.codes)

    def state(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Status and slot of each pair ``(a[k], b[k])`` (neutral pairs: status 0, slot -1)."""
        return _pair_state(self.codes, self.status, a, b)

    def grudge(self, slots: np.ndarray, step: int) -> np.ndarray:
        """How much of each grudge (hostile pair) is left: 1 when new, 0 when it expires."""
        slots = np.asarray(slots)
        out = np.zeros(len(slots))
        ok = slots >= 0
        s = slots[ok]
        span = np.maximum(self.until[s] - self.since[s], 1)
        left = np.clip((self.until[s] - step) / span, 0.0, 1.0)
        out[ok] = np.where((self.status[s] == Status.HOSTILE) & (self.until[s] >= 0), left, 0.0)
        return out

    def expire(self, step: int, status: Status) -> list[tuple[int, int]]:
        """Remove the pairs in ``status`` whose time ran out by ``step``; return them."""
        done = np.flatnonzero((self.status == status) & (self.until >= 0) & (self.until <= step))
        lo, hi = split_codes(self.codes[done])
        if len(done):
            self._delete(done)
        return list(zip(lo.tolist(), hi.tolist(), strict=True))

    def get(self, a: int, b: int) -> Status:
        """Status of the pair ``(a, b)``."""
        status, _slot = self.state(np.array([a]), np.array([b]))
        return Status(int(status[0]))

    def set(
        self, a: int, b: int, status: Status, step: int, until: int = -1, strength: float = 0.0
    ) -> None:
        """Set the relation of ``a`` and ``b`` (neutral removes the pair)."""
        code = np.int64(pair_codes(np.array([a]), np.array([b]))[0])
        pos = int(np.searchsorted(self.codes, code))
        present = pos < len(self.codes) and self.codes[pos] == code
        if status == Status.NEUTRAL:
            if present:
                self._delete(np.array([pos]))
            return
        if present:
            self.status[pos] = status
            self.since[pos] = step
            self.until[pos] = until
            self.strength[pos] = strength
            return
        self.codes = np.insert(self.codes, pos, code)
        self.status = np.insert(self.status, pos, np.int8(status))
        self.since = np.insert(self.since, pos, step)
        self.until = np.insert(self.until, pos, until)
        self.strength = np.insert(self.strength, pos, strength)

    def _delete(self, slots: np.ndarray) -> None:
        keep = np.ones(len(self.codes), dtype=bool)
        keep[slots] = False
        for f in ("codes", "status", "since", "until", "strength"):
            setattr(self, f, getattr(self, f)[keep])

    def remove_actor(self, i: int) -> None:
        """Drop every relation of actor ``i`` (it dissolved or joined another side)."""
        lo, hi = split_codes(self.codes)
        gone = np.flatnonzero((lo == i) | (hi == i))
        if len(gone):
            self._delete(gone)

    def pairs(self, status: Status) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Slots and the two indices of every pair in ``status``."""
        slots = np.flatnonzero(self.status == status)
        lo, hi = split_codes(self.codes[slots])
        return slots, lo, hi

    def graph(self, names: list[str] | None = None) -> nx.Graph:
        """A networkx graph with one edge per stored relation (attribute ``status``)."""
        g = nx.Graph()
        lo, hi = split_codes(self.codes)
        for a, b, s in zip(lo.tolist(), hi.tolist(), self.status.tolist(), strict=True):
            u, v = (names[a], names[b]) if names else (a, b)
            g.add_edge(u, v, status=Status(s).name.lower())
        return g


@njit(cache=True)
def _pair_state(codes, status, a, b):  # pragma: no cover - compiled
    k = len(a)
    out_status = np.zeros(k, np.int8)
    out_slot = np.full(k, -1, np.int64)
    for j in range(k):
        lo, hi = min(a[j], b[j]), max(a[j], b[j])
        code = (np.int64(lo) << 32) | np.int64(hi)
        pos = np.searchsorted(codes, code)
        if pos < len(codes) and codes[pos] == code:
            out_status[j] = status[pos]
            out_slot[j] = pos
    return out_status, out_slot


@njit(cache=True)
def common_enemies(a, b, enemy_lo, enemy_hi, n):  # pragma: no cover - compiled
    """1.0 where ``a[k]`` and ``b[k]`` share an enemy among the pairs ``(enemy_lo, enemy_hi)``.

    Builds each actor's sorted list of enemies once, then intersects two lists per pair, so
    the cost grows with the pairs and the enemies, not with all pairs of actors.
    """
    deg = np.zeros(n + 1, np.int64)
    for e in range(len(enemy_lo)):
        deg[enemy_lo[e] + 1] += 1
        deg[enemy_hi[e] + 1] += 1
    start = np.cumsum(deg)
    fill = start[:-1].copy()
    adj = np.empty(start[-1], np.int64)
    for e in range(len(enemy_lo)):
        x, y = enemy_lo[e], enemy_hi[e]
        adj[fill[x]] = y
        fill[x] += 1
        adj[fill[y]] = x
        fill[y] += 1
    for i in range(n):
        adj[start[i] : start[i + 1]] = np.sort(adj[start[i] : start[i + 1]])
    out = np.zeros(len(a))
    for k in range(len(a)):
        i, j = a[k], b[k]
        p, q = start[i], start[j]
        while p < start[i + 1] and q < start[j + 1]:
            if adj[p] == adj[q]:
                out[k] = 1.0
                break
            if adj[p] < adj[q]:
                p += 1
            else:
                q += 1
    return out
