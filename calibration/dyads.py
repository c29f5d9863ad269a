"""Events as dyads: the common currency in which recorded and simulated events are compared.

A dyad is one event between two parties (or one party, for ``dissolve``), with its date, its
type and its *class*. Multi-party events are expanded:

* a ``merge`` gives one dyad per component: (new entity, component). A component that maps to
  the same key as the new entity (its founding leader, e.g. Jabhat Fateh al-Sham in HTS) is
  dropped, since an entity cannot merge with itself;
* an ``alliance`` with several targets (an operations room) gives one dyad per pair of members;
  the room itself is not a party. A two-party ``alliance`` is one dyad (actor, target);
* ``dissolve`` is a one-party dyad (actor, ``""``); who absorbed it is not compared.

Types are compared by class (:data:`MATCH_CLASS`): ``merge`` and ``join`` are both "A becomes a
member of B's side" and ``defect`` and ``split`` both "A leaves B". The model logs a group
joining a lone group as a ``merge`` and a unit leaving its group as a ``split``, while the record
codes what was declared (a join, a defection); comparing by class keeps that difference of
bookkeeping from counting as a miss. Counts per quarter use the exact types.

Each dyad also carries the *cover* of each party: the keys of the party and of everything under
it at the time (before the event), for the coalition-level match ("an event involving a member
counts for its coalition").

This module turns event tables into dyad tables; it runs nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from calibration.mapping import ScenarioMapping
from calibration.membership import MembershipHistory
from calibration.record import Record

MATCH_CLASS = {
    "merge": "merge/join",
    "join": "merge/join",
    "defect": "defect/split",
    "split": "defect/split",
    "alliance": "alliance",
    "fight": "fight",
    "truce": "truce",
    "dissolve": "dissolve",
}
CLASSES = ("merge/join", "defect/split", "alliance", "fight", "truce", "dissolve")
UNARY = ("dissolve",)

RECORD_DYAD_COLUMNS = [
    "event_id",
    "part",
    "date",
    "event_type",
    "cls",
    "actor",
    "target",
    "a",
    "b",
    "pair",
    "mappable",
    "why",
    "a_cover",
    "b_cover",
]
SIM_DYAD_COLUMNS = ["step", "date", "event_type", "actor", "target", "a_cover", "b_cover"]


PAIR_SEP = " | "


def pair_of(a: str, b: str) -> str:
    """Unordered pair key ``"a | b"`` (names sorted); a one-party event's key is ``"a"``."""
    if not b:
        return a
    return f"{a}{PAIR_SEP}{b}" if a <= b else f"{b}{PAIR_SEP}{a}"


def is_unary(pair: str) -> bool:
    """Whether a pair key is a one-party key."""
    return PAIR_SEP not in pair


def _parties(event_type: str, actor: str, targets: tuple[str, ...]) -> list[tuple[str, str]]:
    if event_type == "merge":
        return [(actor, t) for t in targets]
    if event_type == "alliance" and len(targets) > 1:
        return [
            (targets[i], targets[j])
            for i in range(len(targets))
            for j in range(i + 1, len(targets))
        ]
    if event_type in UNARY:
        return [(actor, "")]
    return [(actor, targets[0])] if targets else [(actor, "")]


def record_dyads(
    record: Record,
    mapping: ScenarioMapping,
    history: MembershipHistory | None = None,
    start=None,
    end=None,
) -> pd.DataFrame:
    """The record's events as dyads, with keys and covers.

    Args:
        record: A loaded record.
        mapping: Its mapping to a scenario.
        history: The record's membership history (built if not given).
        start: First day to include (default: the record's start).
        end: Last day to include (default: the record's end).

    Returns:
        One row per dyad (:data:`RECORD_DYAD_COLUMNS`): ``actor``/``target`` are record names,
        ``a``/``b`` their keys (``None`` when unmapped; ``b`` is ``""`` for a one-party event),
        ``pair`` the unordered key pair (:func:`pair_of`), ``mappable`` whether the scenario
        can produce it (``why`` says why not), ``part`` ``"k/n"`` for the k-th of n dyads of
        one event.
    """
    history = history or MembershipHistory(record)
    events = record.events if start is None else record.between(start, end or record.end)
    rows = []
    for ev in events.itertuples(index=False):
        parents = history.parents_before(ev.event_id)
        parts = _parties(ev.event_type, ev.actor, ev.targets)
        kept = []
        for x, y in parts:
            a, b = mapping.key(x), (mapping.key(y) if y else "")
            if ev.event_type == "merge" and a is not None and a == b:
                continue  # the founding leader does not merge with itself
            kept.append((x, y, a, b))
        for k, (x, y, a, b) in enumerate(kept):
            why = ""
            if a is None or b is None:
                missing = [n for n, key in ((x, a), (y, b)) if key is None]
                why = "no scenario counterpart for " + " and ".join(missing)
            elif a == b:
                why = f"both parties map to {a!r}"
            mappable = not why
            rows.append(
                {
                    "event_id": ev.event_id,
                    "part": f"{k + 1}/{len(kept)}",
                    "date": ev.date,
                    "event_type": ev.event_type,
                    "cls": MATCH_CLASS[ev.event_type],
                    "actor": x,
                    "target": y,
                    "a": a,
                    "b": b,
                    "pair": pair_of(a, b) if mappable else None,
                    "mappable": mappable,
                    "why": why,
                    "a_cover": _record_cover(x, a, parents, mapping),
                    "b_cover": _record_cover(y, b, parents, mapping) if y else frozenset(),
                }
            )
    return pd.DataFrame(rows, columns=RECORD_DYAD_COLUMNS)


def _record_cover(name: str, key: str | None, parents: dict, mapping: ScenarioMapping) -> frozenset:
    keys = {mapping.key(x) for x in MembershipHistory.subtree(name, parents)}
    keys.add(key)
    keys.discard(None)
    return frozenset(keys)


def simulated_dyads(events: pd.DataFrame, frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """A run's event log as dyads of simulated names, with covers.

    Args:
        events: ``model.events()`` (columns ``step, date, event_type, actor, target``).
        frame: ``model.timeseries.frame()``; when given, each party's cover lists the party and
            every actor under it in the snapshot before the event's step; otherwise the party
            alone.

    Returns:
        One row per dyad (:data:`SIM_DYAD_COLUMNS`); covers are ``;``-joined names.
    """
    children_at: dict[int, dict[str, list[str]]] = {}
    if frame is not None and len(events):
        need = np.unique(np.maximum(events["step"].to_numpy(dtype=np.int64) - 1, 0))
        steps = frame["step"].to_numpy(dtype=np.int64)
        parents = frame["parent"].to_numpy(dtype=object)
        keep = np.isin(steps, need) & (parents != "")
        actors = frame["actor"].to_numpy(dtype=object)[keep]
        for st, c, par in zip(
            steps[keep].tolist(), actors.tolist(), parents[keep].tolist(), strict=True
        ):
            children_at.setdefault(st, {}).setdefault(par, []).append(c)

    def cover(name: str, step: int) -> str:
        if not name:
            return ""
        kids = children_at.get(max(step - 1, 0), {})
        out = [name]
        for c in kids.get(name, []):
            out.append(c)
            out.extend(kids.get(c, []))
        return ";".join(out)

    rows = []
    for ev in events.itertuples(index=False):
        etype = str(ev.event_type)
        targets = (
            tuple(t for t in str(ev.target).split(";") if t)
            if etype == "merge"
            else ((str(ev.target),) if ev.target else ())
        )
        step = int(ev.step)
        for x, y in _parties(etype, str(ev.actor), targets):
            rows.append((step, ev.date, etype, x, y, cover(x, step), cover(y, step)))
    out = pd.DataFrame(rows, columns=SIM_DYAD_COLUMNS)
    out["date"] = pd.to_datetime(out["date"])
    return out


def key_dyads(dyads: pd.DataFrame, mapping: ScenarioMapping) -> pd.DataFrame:
    """Add keys to simulated dyads: columns ``cls, a, b, pair, a_cover, b_cover`` (key sets).

    Dyads whose two parties share a key (a coalition and its own founding leader) are dropped.
    """
    if not len(dyads):
        out = dyads.copy()
        for col in ("cls", "a", "b", "pair"):
            out[col] = pd.Series(dtype=object)
        return out
    memo: dict[str, str] = {}

    def key(name: str) -> str:
        if name not in memo:
            memo[name] = mapping.sim_key(name)
        return memo[name]

    cover_memo: dict[str, frozenset] = {}

    def cover(text: str) -> frozenset:
        if text not in cover_memo:
            cover_memo[text] = frozenset(key(n) for n in text.split(";") if n)
        return cover_memo[text]

    out = dyads.copy()
    out["cls"] = out["event_type"].astype(str).map(MATCH_CLASS)
    out["a"] = [key(x) for x in out["actor"].tolist()]
    out["b"] = [key(y) if y else "" for y in out["target"].tolist()]
    out = out[np.asarray(out["a"] != out["b"])].copy()
    out["pair"] = [pair_of(a, b) for a, b in zip(out["a"], out["b"], strict=True)]
    out["a_cover"] = [cover(c) for c in out["a_cover"].tolist()]
    out["b_cover"] = [cover(c) for c in out["b_cover"].tolist()]
    return out
