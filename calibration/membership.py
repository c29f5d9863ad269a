"""Who belonged to whom in the record, on any date: the recorded alignment.

The record's membership events are replayed in date order (same-day events in file order):

* ``merge`` (actor N, components C...): every component becomes a member of N (a declared
  merger is read as an umbrella whose components stay identifiable, as the model does);
* ``join`` (A joins T): A becomes a member of T, leaving any earlier parent;
* ``defect`` and ``split`` (A leaves B): A becomes independent;
* ``dissolve`` (A, absorber): A ceases to exist; its own members pass to the absorber when one
  is named, else become independent. A later membership event naming A revives it (the record
  has Jund al-Aqsa dissolve in Feb 2017 and reappear as a Hurras al-Din component in 2018).

``alliance`` (operations rooms, two-party alignments), ``fight`` and ``truce`` do not change
membership. ``groups.csv``'s ``ended`` dates are not used: most "ends" are mergers, which the
replay keeps as membership.

*Leaving implies belonging.* When A defects or splits from B without being under B at that
moment, the record is read as saying A had been a member of B: an inferred join of A into B is
inserted at the latest of A's previous membership change, B's founding (its merge or operations
room event, or its ``founded`` date) and A's ``founded`` date. This recovers, for example, that
the Muhaysini-Olayani clerics and Jaysh al-Badia were inside HTS before they left it (Sep and Nov
2017), and that Ansar al-Din was still in HTS when it left "definitively" in Feb 2018 (E055,
after the doubted exit E044). Every inferred join is listed in :attr:`MembershipHistory.changes`.

*Starting structure.* The record says little about who was inside whom before its first
events (that Ahrar al-Sham's regional sectors were part of it, say). A history can therefore
start from a given structure on a given day (the comparison uses the scenario's units and
coalitions on its start date, see :func:`calibration.mapping.initial_structure`): those
memberships are set on that day, before the day's events, and the record's events then apply
as above. Without it, the alignment rests on the record's events alone.

A side is a top-level entity with everything under it; the *alignment* on a date maps every
entity known by then (seen in an event, or founded) and not dissolved to its side.

This module reads a :class:`~calibration.record.Record`; it knows nothing about the model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from calibration.record import Record

MEMBERSHIP_TYPES = ("merge", "join", "defect", "split", "dissolve")
_FIRST = pd.Timestamp("1900-01-01")


@dataclass(frozen=True)
class Change:
    """One membership change.

    Attributes:
        date: When it takes effect.
        event_id: The record event, or ``"inferred (E043)"`` for an inferred join.
        kind: ``"member"`` (entity joins parent), ``"leave"``, ``"dissolve"``, ``"appear"`` or
            ``"set"`` (the starting structure: parent given, or ``None`` for independent).
        entity: Who changes.
        parent: The new parent (``member``) or absorber (``dissolve``), else ``None``.
    """

    date: pd.Timestamp
    event_id: str
    kind: str
    entity: str
    parent: str | None = None


@dataclass(frozen=True)
class _Insert:
    pos: int
    change: Change


@dataclass
class _State:
    parents: dict[str, str | None]
    alive: set[str]
    known: set[str]


class MembershipHistory:
    """The record's membership changes and the state after each of them.

    Args:
        record: A loaded record.
        initial: Starting structure: record name -> parent name (``None``: independent).
        initial_date: The day the starting structure holds (required with ``initial``).

    Attributes:
        changes: All changes in order, inferred joins included.
        warnings: Changes that could not be applied (a join that would make a cycle).
    """

    def __init__(
        self,
        record: Record,
        initial: dict[str, str | None] | None = None,
        initial_date: dt.date | None = None,
    ) -> None:
        self.record = record
        self.warnings: list[str] = []
        founded = zip(record.groups["group"], record.groups["founded"], strict=True)
        self._founded = {g: ts for g, ts in founded if not pd.isna(ts)}
        # Events that found an entity: a merge, or an operations room of several members.
        self._founding = {
            ev.event_id: ev.actor
            for ev in record.events.itertuples(index=False)
            if ev.event_type == "merge" or (ev.event_type == "alliance" and len(ev.targets) > 1)
        }
        self._born_by_event = set(self._founding.values())
        steps = self._explicit_steps(record)
        if initial:
            if initial_date is None:
                raise ValueError("initial_date is required with initial")
            when = pd.Timestamp(initial_date)
            seed = [Change(when, "starting structure", "set", x, p) for x, p in initial.items()]
            pos = next((k for k, st in enumerate(steps) if st[0].date >= when), len(steps))
            steps = [*steps[:pos], seed, *steps[pos:]]
        for _ in range(4 * len(steps) + 4):
            result = self._try(steps)
            if isinstance(result, _Insert):
                steps = [*steps[: result.pos], [result.change], *steps[result.pos :]]
                continue
            self.changes, self._states, self._before = result
            break
        else:  # pragma: no cover - each leave event adds at most one inferred join
            raise RuntimeError("membership replay did not settle")
        self._dates = [c.date for c in self.changes]

    # -- building ----------------------------------------------------------------------------
    @staticmethod
    def _explicit_steps(record: Record) -> list[list[Change]]:
        steps = []
        for ev in record.events.itertuples(index=False):
            d, eid, a, ts = ev.date, ev.event_id, ev.actor, ev.targets
            if ev.event_type == "merge":
                step = [Change(d, eid, "appear", a)]
                step += [Change(d, eid, "member", c, a) for c in ts]
            elif ev.event_type == "join":
                step = [Change(d, eid, "member", a, ts[0])]
            elif ev.event_type in ("defect", "split"):
                step = [Change(d, eid, "leave", a, ts[0])]
            elif ev.event_type == "dissolve":
                step = [Change(d, eid, "dissolve", a, ts[0] if ts else None)]
            else:
                step = [Change(d, eid, "appear", x) for x in (a, *ts)]
            steps.append(step)
        return steps

    def _try(self, steps: list[list[Change]]):
        """Replay ``steps``; return the first inferred join needed, or the replay's result."""
        state = _State({}, set(), set())
        last_change: dict[str, int] = {}
        created: dict[str, int] = {}
        changes: list[Change] = []
        states: list[tuple[dict, frozenset, frozenset]] = []
        before: dict[str, int] = {}
        self.warnings = []
        inferred = {st[0].event_id for st in steps if st[0].event_id.startswith("inferred")}
        for k, step in enumerate(steps):
            eid = step[0].event_id
            if eid in self._founding:
                created.setdefault(self._founding[eid], k)
            if not eid.startswith("inferred") and eid != "starting structure":
                before.setdefault(eid, len(states) - 1)
            for ch in step:
                outside = ch.kind == "leave" and ch.parent not in self._ancestors(
                    ch.entity, state.parents
                )
                if outside and f"inferred ({eid})" in inferred:
                    self.warnings.append(
                        f"{eid}: {ch.entity} leaves {ch.parent} without being in it, even after "
                        "an inferred join (a later change moved it); it just becomes independent"
                    )
                elif outside:
                    b = ch.parent
                    pos = max(
                        last_change.get(ch.entity, -1) + 1,
                        created.get(b, -1) + 1,
                        self._founded_pos(steps, ch.entity, k),
                        self._founded_pos(steps, b, k),
                    )
                    prev = steps[pos - 1][0].date if pos > 0 else _FIRST
                    founded = [self._founded[x] for x in (ch.entity, b) if x in self._founded]
                    date = min(max([prev, *founded]), ch.date)
                    return _Insert(pos, Change(date, f"inferred ({eid})", "member", ch.entity, b))
                self._apply(ch, state)
                if ch.kind in ("member", "leave", "dissolve", "set"):
                    last_change[ch.entity] = k
                changes.append(ch)
                states.append((dict(state.parents), frozenset(state.alive), frozenset(state.known)))
        return changes, states, before

    def _founded_pos(self, steps: list[list[Change]], name: str | None, limit: int) -> int:
        """Index of the first step on or after ``name``'s founding date (at most ``limit``)."""
        ts = self._founded.get(name)
        if ts is None:
            return 0
        for k, step in enumerate(steps[:limit]):
            if step[0].date >= ts:
                return k
        return limit

    def _apply(self, ch: Change, state: _State) -> None:
        p = state.parents
        x = ch.entity
        state.known.add(x)
        if ch.kind == "appear":
            state.alive.add(x)
            p.setdefault(x, None)
        elif ch.kind == "member":
            state.known.add(ch.parent)
            state.alive.add(ch.parent)
            p.setdefault(ch.parent, None)
            if x == ch.parent or x in self._ancestors(ch.parent, p):
                self.warnings.append(
                    f"{ch.event_id}: {x} cannot become a member of {ch.parent}, "
                    "which is already under it; ignored"
                )
                return
            p[x] = ch.parent
            state.alive.add(x)
        elif ch.kind == "leave" or (ch.kind == "set" and ch.parent is None):
            p[x] = None
            state.alive.add(x)
        elif ch.kind == "set":
            state.known.add(ch.parent)
            state.alive.update((x, ch.parent))
            p.setdefault(ch.parent, None)
            p[x] = ch.parent
        elif ch.kind == "dissolve":
            heir = ch.parent if ch.parent is not None and ch.parent != x else None
            if heir is not None:  # the absorber is named by the event: it exists
                state.known.add(heir)
                state.alive.add(heir)
                p.setdefault(heir, None)
            for child, parent in list(p.items()):
                if parent == x:
                    p[child] = heir
            p[x] = None
            state.alive.discard(x)

    @staticmethod
    def _ancestors(x: str, parents: dict[str, str | None]) -> list[str]:
        out, seen = [], {x}
        p = parents.get(x)
        while p is not None and p not in seen:
            out.append(p)
            seen.add(p)
            p = parents.get(p)
        return out

    # -- queries -----------------------------------------------------------------------------
    def _state_on(self, date: dt.date | pd.Timestamp) -> tuple[dict, frozenset, frozenset]:
        ts = pd.Timestamp(date)
        k = -1
        for i, d in enumerate(self._dates):
            if d <= ts:
                k = i
            else:
                break
        if k < 0:
            return {}, frozenset(), frozenset()
        return self._states[k]

    def parents_on(self, date: dt.date | pd.Timestamp) -> dict[str, str | None]:
        """Entity -> its direct parent (or ``None``) after the events dated up to ``date``."""
        parents, alive, known = self._state_on(date)
        return {x: parents.get(x) for x in self._present(date, alive, known)}

    def parents_before(self, event_id: str) -> dict[str, str | None]:
        """Entity -> its direct parent just before event ``event_id`` (alive entities)."""
        k = self._before.get(event_id, -1)
        if k < 0:
            return {}
        parents, alive, _ = self._states[k]
        return {x: parents.get(x) for x in alive}

    def _present(self, date, alive: frozenset, known: frozenset) -> list[str]:
        ts = pd.Timestamp(date)
        out = []
        for name in self.record.names:
            if name in known:
                if name in alive:
                    out.append(name)
            elif name in self._born_by_event:
                continue  # founded by a later merger or operations room
            elif name not in self._founded or self._founded[name] <= ts:
                out.append(name)  # never named in an event yet, but founded (or undated)
        return out

    def side_of(self, name: str, parents: dict[str, str | None]) -> str:
        """Top-level entity above ``name`` (itself when independent)."""
        anc = self._ancestors(name, parents)
        return anc[-1] if anc else name

    def alignment(self, date: dt.date | pd.Timestamp) -> dict[str, str]:
        """Entity -> its side, for every entity present on ``date``."""
        parents = self.parents_on(date)
        return {x: self.side_of(x, parents) for x in parents}

    @staticmethod
    def subtree(name: str, parents: dict[str, str | None]) -> set[str]:
        """``name`` and everything under it."""
        children: dict[str, list[str]] = {}
        for c, p in parents.items():
            if p is not None:
                children.setdefault(p, []).append(c)
        out, todo = {name}, [name]
        while todo:
            for c in children.get(todo.pop(), []):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        return out

    def changes_frame(self) -> pd.DataFrame:
        """All membership changes as a table (inferred joins marked in ``event_id``)."""
        return pd.DataFrame(
            [(c.date, c.event_id, c.kind, c.entity, c.parent or "") for c in self.changes],
            columns=["date", "event_id", "kind", "entity", "parent"],
        )


def recorded_alignment(record: Record, date: dt.date, mapping=None) -> dict[str, str]:
    """The recorded alignment on ``date``: entity -> the side it belongs to.

    Args:
        record: A loaded record.
        date: The day (events dated on it are included).
        mapping: A :class:`~calibration.mapping.ScenarioMapping`; when given, only scenario
            groups and units are returned, keyed by their scenario names.

    Returns:
        Name -> name of its side (a top-level record entity, or itself).
    """
    side = MembershipHistory(record).alignment(date)
    if mapping is None:
        return side
    return {s: side[r] for s, r in mapping.record_of.items() if r in side}
