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
_NEVER = np.iinfo(np.int64).max


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

    The arrays hold a prefix sorted by pair code, then the pairs added since the last sort.
    Writes are cheap: an existing pair is found by binary search in the prefix (or in a small
    dict of the added pairs) and changed in place; a removed pair is marked neutral. The
    arrays are merged and compacted lazily, with numpy only, the next time they are read, so
    a burst of changes costs one sort.

    Attributes:
        codes: Sorted pair codes.
        status: :class:`Status` of each pair.
        since: Step at which the current status began.
        until: Step at which a truce or grudge expires (-1: no expiry).
        strength: Accumulated cost of a fight (share of both sides' fighters lost).
    """

    _FIELDS = ("_codes", "_status", "_since", "_until", "_strength")

    def __init__(self, capacity: int = 64) -> None:
        self._codes = np.zeros(capacity, dtype=np.int64)
        self._status = np.zeros(capacity, dtype=np.int8)
        self._since = np.zeros(capacity, dtype=np.int64)
        self._until = np.zeros(capacity, dtype=np.int64)
        self._strength = np.zeros(capacity)
        self._n = 0
        self._n_sorted = 0  # rows [0, _n_sorted) are sorted by code
        self._added: dict[int, int] = {}  # pair code -> row, for rows past the sorted prefix
        self._holes = False  # some rows were marked neutral since the last compaction
        self._next_expiry = [_NEVER] * len(Status)  # per status: nothing expires before

    def _find(self, code: int) -> int:
        """Row of pair ``code`` (possibly marked neutral), or -1."""
        row = self._added.get(code)
        if row is not None:
            return row
        k = self._n_sorted
        pos = int(self._codes[:k].searchsorted(code))
        return pos if pos < k and self._codes[pos] == code else -1

    def _tidy(self) -> None:
        if not (self._added or self._holes):
            return
        n = self._n
        keep = np.flatnonzero(self._status[:n] != Status.NEUTRAL)
        if self._added:
            keep = keep[np.argsort(self._codes[keep], kind="stable")]
        for f in self._FIELDS:
            arr = getattr(self, f)
            arr[: len(keep)] = arr[keep]
        self._n = self._n_sorted = len(keep)
        self._added.clear()
        self._holes = False

    @property
    def codes(self) -> np.ndarray:
        """Sorted pair codes."""
        self._tidy()
        return self._codes[: self._n]

    @property
    def status(self) -> np.ndarray:
        """Status of each stored pair."""
        self._tidy()
        return self._status[: self._n]

    @property
    def since(self) -> np.ndarray:
        """Step at which each pair's status began."""
        self._tidy()
        return self._since[: self._n]

    @property
    def until(self) -> np.ndarray:
        """Step at which each truce or grudge expires (-1: no expiry)."""
        self._tidy()
        return self._until[: self._n]

    @property
    def strength(self) -> np.ndarray:
        """Accumulated cost of each fight."""
        self._tidy()
        return self._strength[: self._n]

    def __len__(self) -> int:
        self._tidy()
        return self._n

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
        if step < self._next_expiry[status]:
            return []
        done, self._next_expiry[status] = _due(self.status, self.until, step, int(status))
        if len(done) == 0:
            return []
        lo, hi = split_codes(self.codes[done])
        self.delete(done)
        return list(zip(lo.tolist(), hi.tolist(), strict=True))

    def get(self, a: int, b: int) -> Status:
        """Status of the pair ``(a, b)``."""
        status, _slot = self.state(np.array([a]), np.array([b]))
        return Status(int(status[0]))

    def set(
        self, a: int, b: int, status: Status, step: int, until: int = -1, strength: float = 0.0
    ) -> None:
        """Set the relation of ``a`` and ``b`` (neutral removes the pair)."""
        lo, hi = (a, b) if a < b else (b, a)
        code = (int(lo) << 32) | int(hi)
        row = self._find(code)
        if status == Status.NEUTRAL:
            if row >= 0 and self._status[row] != Status.NEUTRAL:
                self._status[row] = Status.NEUTRAL
                self._holes = True
            return
        if row < 0:
            if self._n == len(self._codes):
                for f in self._FIELDS:
                    old = getattr(self, f)
                    grown = np.zeros(2 * len(old), dtype=old.dtype)
                    grown[: self._n] = old[: self._n]
                    setattr(self, f, grown)
            row = self._n
            self._n += 1
            self._codes[row] = code
            self._added[code] = row
        self._status[row] = status
        self._since[row] = step
        self._until[row] = until
        self._strength[row] = strength
        if 0 <= until < self._next_expiry[status]:
            self._next_expiry[status] = until

    def delete(self, slots: np.ndarray) -> None:
        """Remove the pairs at positions ``slots`` of the sorted arrays (as :attr:`codes`)."""
        self._tidy()
        self._status[slots] = Status.NEUTRAL
        self._holes = self._holes or len(slots) > 0

    def remove_actor(self, i: int) -> None:
        """Drop every relation of actor ``i`` (it dissolved or joined another side)."""
        lo, hi = split_codes(self.codes)
        gone = np.flatnonzero((lo == i) | (hi == i))
        if len(gone):
            self.delete(gone)

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
def _due(status, until, step, which):  # pragma: no cover - compiled
    """Positions of the pairs in status ``which`` expiring by ``step``; the next expiry after."""
    done = np.empty(len(status), np.int64)
    k = 0
    nxt = _NEVER
    for j in range(len(status)):
        if status[j] == which and until[j] >= 0:
            if until[j] <= step:
                done[k] = j
                k += 1
            elif until[j] < nxt:
                nxt = until[j]
    return done[:k], nxt


@njit(cache=True)
def find_pair(codes, a, b):  # pragma: no cover - compiled
    """Position of the pair ``(a, b)`` in the sorted ``codes``, or -1.

    ``codes`` is :attr:`RelationTable.codes`; kernels that read the table share this look-up.
    """
    code = (np.int64(min(a, b)) << 32) | np.int64(max(a, b))
    pos = np.searchsorted(codes, code)
    return pos if pos < len(codes) and codes[pos] == code else -1


@njit(cache=True)
def _pair_state(codes, status, a, b):  # pragma: no cover - compiled
    k = len(a)
    out_status = np.zeros(k, np.int8)
    out_slot = np.full(k, -1, np.int64)
    for j in range(k):
        pos = find_pair(codes, a[j], b[j])
        if pos >= 0:
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
