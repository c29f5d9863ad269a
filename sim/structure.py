"""Changes of membership: join, merge, leave, move a unit, switch sides, dissolve.

These are the only functions that change the hierarchy, so the invariants hold in one place:
every alive unit is in exactly one alive group; every group is in at most one coalition; a
coalition has at least two members (unless it is a persistent landscape side); fighters move
between actors only through the model's ledger. Relations belong to sides: a group that joins
a side hands its fights and grudges to that side, and a coalition that breaks up leaves its
relations to its last member.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.relations import Status, split_codes
from sim.state import NO, Kind

if TYPE_CHECKING:
    from sim.model import CoalitionModel

Causes = list[tuple[str, float]]


def inherit_relations(m: CoalitionModel, src: int, dst: int) -> None:
    """Give ``dst`` every relation of ``src`` it does not have yet; drop ``src``'s relations."""
    rel = m.relations
    lo, hi = split_codes(rel.codes)
    of_src = (lo == src) | (hi == src)
    slots = np.flatnonzero(of_src)
    if len(slots) == 0:
        return
    other = np.where(lo[slots] == src, hi[slots], lo[slots])
    of_dst = ((lo == dst) | (hi == dst)) & ~of_src
    has = np.where(lo[of_dst] == dst, hi[of_dst], lo[of_dst])
    move = (other != dst) & m.actors.alive[other] & ~np.isin(other, has)
    moves = list(
        zip(
            other[move].tolist(),
            rel.status[slots[move]].tolist(),
            rel.since[slots[move]].tolist(),
            rel.until[slots[move]].tolist(),
            rel.strength[slots[move]].tolist(),
            strict=True,
        )
    )
    rel.delete(slots)  # src's relations: what remove_actor(src) would find again
    for o, status, since, until, strength in moves:
        rel.set(dst, o, Status(status), since, until, strength)


def join(m: CoalitionModel, i: int, target: int, causes: Causes) -> None:
    """Independent group ``i`` joins the side of ``target`` (a merger if that is a lone group)."""
    a = m.actors
    side = int(m.top[target])
    if a.kind[side] == Kind.GROUP:
        merge(m, [side, i], causes)
        return
    a.parent[i] = side
    inherit_relations(m, i, side)
    if not m.extend_merge(side, i):
        m.record("join", i, side, causes)
    m.restructure()


def merge(m: CoalitionModel, components: list[int], causes: Causes) -> int:
    """Independent groups ``components`` form a new coalition; returns its row."""
    a = m.actors
    comps = [int(c) for c in components]
    lead = max(comps, key=lambda c: (m.totals[c], -c))
    base = a.coalition_names[lead] or f"{a.names[lead]} coalition"
    w = np.array([m.totals[c] for c in comps])
    coh = float(np.average(a.cohesion[comps], weights=w)) if w.sum() > 0 else 0.5
    c = m.add_coalition(a.unique_name(base), lead, cohesion=coh)
    for g in comps:
        a.parent[g] = c
        inherit_relations(m, g, c)
    m.record_merge(c, comps, causes)
    m.restructure()
    return c


def leave(m: CoalitionModel, i: int, causes: Causes, grudge_weeks: float = 0.0) -> int:
    """Member ``i`` leaves its parent: a group defects, a unit splits off as a new group."""
    a = m.actors
    p = int(a.parent[i])
    old_side = int(m.top[p])
    if a.kind[i] == Kind.UNIT:
        share = a.fighters[i] / m.totals[p] if m.totals[p] > 0 else 0.0
        a.kind[i] = Kind.GROUP
        for field in ("resources", "income"):
            take = share * getattr(a, field)[p]
            getattr(a, field)[p] -= take
            getattr(a, field)[i] = take
        event = "split"
    else:
        event = "defect"
    a.parent[i] = NO
    m.record(event, i, p, causes)
    if grudge_weeks > 0 and a.alive[old_side]:
        until = m.steps + max(1, round(grudge_weeks / m.dt_weeks))
        m.relations.set(i, old_side, Status.HOSTILE, m.steps, until=until)
    if a.kind[p] == Kind.COALITION:
        check_coalition(m, p)
    m.restructure()
    return i


def move_unit(m: CoalitionModel, u: int, group: int, causes: Causes, why: Causes) -> None:
    """Unit ``u`` leaves its group for ``group``, keeping its fighters."""
    a = m.actors
    old = int(a.parent[u])
    a.parent[u] = group
    m.record("split", u, old, causes)
    m.record("join", u, group, why)
    m.restructure()


def switch(m: CoalitionModel, i: int, side: int, causes: Causes) -> None:
    """Group ``i`` leaves its coalition (if any) and joins coalition ``side`` (no grudge)."""
    a = m.actors
    old = int(a.parent[i])
    if old >= 0:
        a.parent[i] = NO
        m.record("defect", i, old, causes)
        if a.leader[old] == i:
            a.leader[old] = NO
        if len(a.members(old)) == 0:
            m.relations.remove_actor(old)  # an emptied side has no fights or truces left
    a.parent[i] = side
    m.record("join", i, side, causes)
    m.restructure()


def check_coalition(m: CoalitionModel, c: int) -> None:
    """Dissolve coalition ``c`` if fewer than two members remain (unless persistent)."""
    a = m.actors
    if c in m.persistent or not a.alive[c]:
        return
    members = a.members(c)
    if len(members) >= 2:
        if a.leader[c] not in members.tolist():
            a.leader[c] = int(members[np.argmax(m.totals[members])])
        return
    heir = int(members[0]) if len(members) else NO
    if heir >= 0:
        a.parent[heir] = NO
        inherit_relations(m, c, heir)
    else:
        m.relations.remove_actor(c)
    a.alive[c] = False
    m.record("dissolve", c, "", [("members_left", float(len(members)))])
    m.retire(c)


def dissolve(m: CoalitionModel, i: int, absorber: int, causes: Causes) -> None:
    """Actor ``i`` ceases to exist; ``absorber`` (a side, or -1) takes its fighters and units."""
    a = m.actors
    if not a.alive[i]:
        return
    if a.kind[i] == Kind.COALITION:
        for g in a.members(i).tolist():
            _dissolve_group(m, g, absorber, causes)
        if a.alive[i]:
            check_coalition(m, i)
        m.restructure()
        return
    parent = int(a.parent[i])
    _dissolve_group(m, i, absorber, causes)
    if parent >= 0 and a.kind[parent] == Kind.COALITION:
        check_coalition(m, parent)
    m.restructure()


def _dissolve_group(m: CoalitionModel, g: int, absorber: int, causes: Causes) -> None:
    a = m.actors
    units = a.members(g)
    if absorber >= 0:
        dest = m.lead_group(np.array([absorber]))[0]
        for u in units.tolist():
            a.parent[u] = dest
        m.ledger_move(g, dest, a.fighters[g])
        for field in ("resources", "income"):
            getattr(a, field)[dest] += getattr(a, field)[g]
            getattr(a, field)[g] = 0.0
    else:
        for u in units.tolist():
            leave(m, u, [("parent_dissolved", 1.0)])
        m.ledger_loss(g, a.fighters[g])
    a.alive[g] = False
    m.relations.remove_actor(g)
    target = a.names[absorber] if absorber >= 0 else ""
    detail = f"units to {target}: {', '.join(a.names[u] for u in units)}" if len(units) else ""
    m.record("dissolve", g, target, causes, detail=detail)
    m.retire(g)
