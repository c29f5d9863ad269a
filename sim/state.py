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
def _top_of(i, parent):  # pragma: no cover - compiled
    """Top-level ancestor of row ``i`` (the hierarchy has at most three levels)."""
    p = parent[i]
    if p < 0:
        return i
    return p if parent[p] < 0 else parent[p]


@njit(cache=True)
def derive(alive, kind, parent, fighters, cohesion, income):  # pragma: no cover - compiled
    """Per-actor quantities that the rules share, in one pass over the table.

    Returns:
        ``top`` (top-level ancestor), ``totals`` (fighters with units or members), ``power``
        (totals x (0.5 + 0.5 cohesion)), ``power_share`` (of all sides' power, 0 for non-sides),
        ``income_share`` (own income of the groups under each side, as a share of the
        theatre's), ``sides`` (alive top-level groups, and coalitions with members: an emptied
        landscape side is not a side until someone joins it), and ``groups`` (alive groups).
    """
    out = np.zeros((4, len(alive)))
    top, sides, groups = derive_into(alive, kind, parent, fighters, cohesion, income, out)
    return top, out[0], out[1], out[2], out[3], sides, groups


@njit(cache=True)
def derive_into(alive, kind, parent, fighters, cohesion, income, out):  # pragma: no cover
    """:func:`derive` into the rows of ``out`` (zeros on entry).

    ``out[0:4]`` receive totals, power, power_share and income_share; returns ``top``,
    ``sides`` and ``groups``.
    """
    n = len(alive)
    top = np.empty(n, np.int64)
    totals, power, power_share, income_by_side = out[0], out[1], out[2], out[3]
    has_members = np.zeros(n, np.bool_)
    for i in range(n):
        if alive[i] and parent[i] >= 0:
            has_members[parent[i]] = True
    n_sides = 0
    n_groups = 0
    for i in range(n):
        p = parent[i]
        top[i] = _top_of(i, parent)
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
    for i in range(n):
        power[i] = totals[i] * (0.5 + 0.5 * cohesion[i])
    sides = np.empty(n_sides, np.int64)
    groups = np.empty(n_groups, np.int64)
    k = 0
    g = 0
    for i in range(n):
        if alive[i] and parent[i] < 0 and (kind[i] == _GROUP or has_members[i]):
            sides[k] = i
            k += 1
        if alive[i] and kind[i] == _GROUP:
            groups[g] = i
            g += 1
    _shares_into(alive, kind, top, power, sides, income, power_share, income_by_side)
    return top, sides, groups


@njit(cache=True)
def review_leaders(alive, kind, parent, leader, totals, takeover_ratio):  # pragma: no cover
    """Give every coalition a valid leader; a member ``takeover_ratio`` times stronger takes over.

    The strongest member is the one with most fighters (the lowest row among equals). Changes
    ``leader`` in place and returns whether any leader changed.
    """
    n = len(alive)
    strongest = np.full(n, -1, np.int64)
    for i in range(n):
        p = parent[i]
        if alive[i] and kind[i] == _GROUP and p >= 0:
            s = strongest[p]
            if s < 0 or totals[i] > totals[s]:
                strongest[p] = i
    changed = False
    for c in range(n):
        if alive[c] and kind[c] == _COALITION:
            changed |= _review(c, alive, parent, leader, totals, strongest[c], takeover_ratio)
    return changed


@njit(cache=True)
def _review(c, alive, parent, leader, totals, strongest, takeover_ratio):  # pragma: no cover
    """Leader of coalition ``c`` given its ``strongest`` member (-1: none); True if it changed."""
    if strongest < 0:
        return False
    lead = leader[c]
    valid = lead >= 0 and alive[lead] and parent[lead] == c
    if valid and not totals[strongest] > takeover_ratio * totals[lead]:
        return False
    changed = leader[c] != strongest
    leader[c] = strongest
    return changed


@njit(cache=True)
def side_view(kind, leader, ideology, ties):  # pragma: no cover - compiled
    """Ideology and unit-normalised patron ties that each actor shows others.

    A coalition shows its leader's; everyone else its own.
    """
    n = len(kind)
    ideo = np.empty(n)
    unit = np.zeros((n, ties.shape[1]))
    for i in range(n):
        _view(i, kind, leader, ideology, ties, ideo, unit)
    return ideo, unit


@njit(cache=True)
def refresh_state(
    alive, kind, parent, fighters, cohesion, income, leader, ideology, ties, review, ratio
):  # pragma: no cover - compiled
    """:func:`derive`, then :func:`review_leaders` if ``review``, then :func:`side_view`.

    One call instead of three, and the float columns in one array: in a small theatre the
    cost of a refresh is the calls and the arrays handed back to Python.

    Returns:
        ``floats`` (rows: totals, power, power_share, income_share, side ideology), ``top``,
        ``sides``, ``groups`` and the unit-normalised ties each row shows.
    """
    floats = np.zeros((5, len(alive)))
    top, sides, groups = derive_into(alive, kind, parent, fighters, cohesion, income, floats)
    if review:
        review_leaders(alive, kind, parent, leader, floats[0], ratio)
    unit = np.zeros((len(kind), ties.shape[1]))
    ideo = floats[4]
    for i in range(len(kind)):
        _view(i, kind, leader, ideology, ties, ideo, unit)
    return floats, top, sides, groups, unit


@njit(cache=True)
def snapshot(alive, kind, parent, fighters, cohesion, capacity):  # pragma: no cover
    """Copies of the inputs that :func:`patch` compares, in arrays of ``capacity`` rows."""
    n = len(alive)
    seen = (
        np.zeros(capacity, np.bool_),
        np.zeros(capacity, np.int64),
        np.zeros(capacity, np.int64),
        np.zeros(capacity),
        np.zeros(capacity),
    )
    seen[0][:n] = alive
    seen[1][:n] = kind
    seen[2][:n] = parent
    seen[3][:n] = fighters
    seen[4][:n] = cohesion
    return seen


@njit(cache=True)
def patch(
    alive,
    kind,
    parent,
    fighters,
    cohesion,
    leader,
    ideology,
    ties,
    seen,
    n0,
    derived,
    side_ideology,
    tie_unit,
    takeover_ratio,
    review_all,
):  # pragma: no cover - compiled
    """Bring the derived state up to date after a change of membership, as a full refresh would.

    ``seen`` holds the inputs of the last refresh or patch (see :func:`snapshot`; its first
    ``n0`` rows are valid and its capacity covers every row now), ``derived`` that refresh's
    ``top``, ``totals``, ``power``, ``sides`` and ``groups`` (:func:`derive`). Rows whose
    parent, life, level, fighters or cohesion changed, and coalitions created since, are found
    by comparison; the totals and powers of those rows and of their old and new ancestors are
    recomputed from scratch in :func:`derive`'s order of additions, so every value is
    identical to a full refresh (the shares, which change for every side, are left to
    :func:`shares`). Leaders are reviewed as :func:`review_leaders` does: all coalitions if
    ``review_all``, else only those whose members changed (the others were reviewed with
    their current totals). The side view (:func:`side_view`) is recomputed for the reviewed
    coalitions and for new rows. Ideologies and patron ties are not compared: whoever changes
    them refreshes fully. The loops visit every row, but with branches that are almost always
    false, so a patch costs a fraction of :func:`derive`.

    Outputs that change are new arrays (callers may hold the old ones), except ``seen``,
    ``side_ideology`` and ``tie_unit`` (buffers with spare rows, updated in place).

    Returns:
        ``ok`` (False if a row appeared other than as a new coalition: refresh fully) and the
        new ``top``, ``totals``, ``power``, ``sides``, ``groups``.
    """
    s_alive, s_kind, s_parent, s_fighters, s_cohesion = seen
    top0, totals0, power0, sides0, groups = derived
    n = len(alive)
    for i in range(n0, n):
        if not (alive[i] and kind[i] == _COALITION):
            return False, derived
    # One pass over every row finds the changes (a branch that is almost always false costs
    # next to nothing); everything after works on lists of the rows concerned. ``dirty``: rows
    # whose totals must be recomputed, the changed rows and their old and new ancestors.
    dirty = np.zeros(n, np.bool_)
    dl = np.empty(n, np.int64)  # the dirty rows
    rp = np.empty(n, np.int64)  # rows whose cohesion changed
    moved = np.zeros(n, np.bool_)
    nd = nr = 0
    any_moved = False
    regroup = False  # a row was born, died or changed level: rebuild the list of groups
    for i in range(n):
        new = i >= n0
        if new or cohesion[i] != s_cohesion[i]:
            rp[nr] = i
            nr += 1
        pc = new or parent[i] != s_parent[i]
        lc = new or alive[i] != s_alive[i] or kind[i] != s_kind[i]
        if not (pc or lc or fighters[i] != s_fighters[i]):
            continue
        regroup = regroup or lc
        if pc:
            moved[i] = True
            any_moved = True
        nd = _mark(dirty, dl, nd, i)
        if not new:
            if s_parent[i] >= 0:
                nd = _mark(dirty, dl, nd, s_parent[i])
            nd = _mark(dirty, dl, nd, top0[i])
        p = parent[i]
        if p >= 0:
            nd = _mark(dirty, dl, nd, p)
            if parent[p] >= 0:
                nd = _mark(dirty, dl, nd, parent[p])
    dl = dl[:nd]
    top = top0
    if any_moved or n > n0:
        top = np.empty(n, np.int64)
        top[:n0] = top0
        for i in range(n):
            if moved[max(parent[i], 0)] or moved[i] or i >= n0:
                top[i] = _top_of(i, parent)
    # Totals in derive's order: own fighters, then units in row order, then groups.
    totals = np.empty(n)
    totals[:n0] = totals0
    for d in dl:
        totals[d] = fighters[d] if alive[d] and kind[d] != _COALITION else 0.0
    ul = np.empty(n, np.int64)  # alive rows whose parent is dirty, in row order
    nu = 0
    has_members = np.zeros(n, np.bool_)
    for i in range(n):
        if dirty[max(parent[i], 0)] and parent[i] >= 0 and alive[i]:
            ul[nu] = i
            nu += 1
            has_members[parent[i]] = True
            if kind[i] == _UNIT:
                totals[parent[i]] += fighters[i]
    ul = ul[:nu]
    for i in ul:
        if kind[i] == _GROUP:
            totals[parent[i]] += totals[i]
    power = np.empty(n)
    power[:n0] = power0
    for d in dl:
        power[d] = totals[d] * (0.5 + 0.5 * cohesion[d])
    for i in rp[:nr]:
        power[i] = totals[i] * (0.5 + 0.5 * cohesion[i])
    # Sides: only dirty rows can have become or stopped being one.
    flip = np.zeros(n, np.bool_)
    gone = added = 0
    for d in dl:
        was = False
        k = np.searchsorted(sides0, d)
        if k < len(sides0) and sides0[k] == d:
            was = True
        now = alive[d] and parent[d] < 0 and (kind[d] == _GROUP or has_members[d])
        if now != was:
            flip[d] = True
            if was:
                gone += 1
            else:
                added += 1
    sides = sides0
    if gone or added:
        extra = np.empty(added, np.int64)  # new sides, merged into the old list in order
        k = 0
        for d in dl:
            if flip[d]:
                j = np.searchsorted(sides0, d)
                if not (j < len(sides0) and sides0[j] == d):
                    extra[k] = d
                    k += 1
        extra.sort()
        sides = np.empty(len(sides0) - gone + added, np.int64)
        a_ = b_ = k = 0
        while a_ < len(sides0) or b_ < added:
            if b_ >= added or (a_ < len(sides0) and sides0[a_] < extra[b_]):
                if not flip[sides0[a_]]:
                    sides[k] = sides0[a_]
                    k += 1
                a_ += 1
            else:
                sides[k] = extra[b_]
                k += 1
                b_ += 1
    if regroup:
        groups = np.flatnonzero(alive & (kind == _GROUP))
    # Leaders, then what each reviewed coalition shows to others (its leader's view).
    if review_all:
        review_leaders(alive, kind, parent, leader, totals, takeover_ratio)
        for c in range(n):
            if kind[c] == _COALITION:
                _view(c, kind, leader, ideology, ties, side_ideology, tie_unit)
    else:
        strongest = np.full(n, -1, np.int64)
        for i in ul:
            if kind[i] == _GROUP:
                c = parent[i]
                s = strongest[c]
                if s < 0 or totals[i] > totals[s]:
                    strongest[c] = i
        for c in dl:
            if kind[c] != _COALITION:
                continue
            if alive[c]:
                _review(c, alive, parent, leader, totals, strongest[c], takeover_ratio)
            _view(c, kind, leader, ideology, ties, side_ideology, tie_unit)
    for i in range(n0, n):
        _view(i, kind, leader, ideology, ties, side_ideology, tie_unit)
    for i in dl:
        s_alive[i] = alive[i]
        s_kind[i] = kind[i]
        s_parent[i] = parent[i]
        s_fighters[i] = fighters[i]
        s_cohesion[i] = cohesion[i]
    for i in rp[:nr]:
        s_cohesion[i] = cohesion[i]
    return True, (top, totals, power, sides, groups)


@njit(cache=True)
def _mark(dirty, rows, k, i):  # pragma: no cover - compiled
    """Mark row ``i`` dirty (once) and list it; returns the length of the list."""
    if not dirty[i]:
        dirty[i] = True
        rows[k] = i
        k += 1
    return k


@njit(cache=True)
def _view(i, kind, leader, ideology, ties, side_ideology, tie_unit):  # pragma: no cover
    """:func:`side_view` of row ``i``, written in place."""
    h = leader[i] if kind[i] == _COALITION and leader[i] >= 0 else i
    side_ideology[i] = ideology[h]
    n_p = ties.shape[1]
    norm = 0.0
    for q in range(n_p):
        norm += ties[h, q] * ties[h, q]
    for q in range(n_p):
        tie_unit[i, q] = 0.0
    if norm > 0:
        norm = np.sqrt(norm)
        for q in range(n_p):
            tie_unit[i, q] = ties[h, q] / norm


@njit(cache=True)
def shares(alive, kind, top, power, sides, income):  # pragma: no cover - compiled
    """``power_share`` and ``income_share`` of :func:`derive`."""
    n = len(alive)
    power_share = np.zeros(n)
    income_share = np.zeros(n)
    _shares_into(alive, kind, top, power, sides, income, power_share, income_share)
    return power_share, income_share


@njit(cache=True)
def _shares_into(
    alive, kind, top, power, sides, income, power_share, income_share
):  # pragma: no cover - compiled
    """Each side's share of all sides' power and of the groups' own income, in place.

    Both arrays are zeros on entry; a side's income is its groups' summed in row order.
    """
    side_power = 0.0
    for s in sides:
        side_power += power[s]
    if side_power > 0:
        for s in sides:
            power_share[s] = power[s] / side_power
    all_income = 0.0
    for i in range(len(alive)):
        if alive[i] and kind[i] == _GROUP:
            income_share[top[i]] += income[i]
            all_income += income[i]
    if all_income > 0:
        income_share /= all_income
