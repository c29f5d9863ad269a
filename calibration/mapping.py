"""Which record name stands for which scenario actor, and which simulated name for which key.

Recorded and simulated events are compared in one name space, the *keys*. The rule, in order
(the first that applies wins; ``overrides`` can force any record name):

1. A record name that is a scenario group, unit or coalition name, or whose name or one of whose
   ``groups.csv`` aliases is a scenario name or scenario alias, maps to that scenario actor
   (kind ``group``, ``unit`` or ``coalition``); its key is the scenario name.
2. A record name that is the ``coalition_name`` of scenario groups (HTS for Jabhat Fateh al-Sham,
   the National Front for Liberation for Faylaq al-Sham) is a coalition that can *emerge* in a
   run: kind ``emergent``. Its key is the founding group's name when exactly one group carries
   that ``coalition_name``, otherwise the ``coalition_name`` itself (the Syrian National Army,
   Hurras al-Din: whichever of its groups leads, the simulated coalition has that name).
3. A record name that founded itself by a ``merge`` or a multi-member ``alliance`` event maps to
   the key of its *founding leader*: the first listed component that maps (the record lists the
   leading group first: the Syrian Liberation Front -> Ahrar al-Sham, Fa Ithbatu -> Hurras
   al-Din, Fateh al-Mubin -> HTS -> Jabhat Fateh al-Sham). Kind ``derived``.
4. Anything else is ``unmapped``: the scenario has no counterpart (Jaysh al-Hama, Faylaq
   al-Majd, the 2020 Ahrar military wing...). Events involving it cannot be reproduced.

A simulated name maps to a key by the same logic read backwards: a group or unit is its own
key; a coalition, after dropping the model's `` (2)`` suffix, is the key of its ``coalition_name``
(rule 2) or, when it is called ``"<group> coalition"``, that group's name. So the simulated
coalition formed around Jabhat Fateh al-Sham (named "Hay'at Tahrir al-Sham") and the record's
HTS share the key ``Jabhat Fateh al-Sham``, and "Ahrar al-Sham coalition" shares Ahrar al-Sham's.

This module reads a :class:`~calibration.record.Record` and a scenario; it runs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from dataclasses import dataclass

import pandas as pd

from calibration.record import Record, normalise
from sim.scenario import Problem, Scenario, ScenarioError

KINDS = ("group", "unit", "coalition", "emergent", "derived", "unmapped")
_SUFFIX = re.compile(r"^(.*) \((\d+)\)$")
COALITION_SUFFIX = " coalition"


@dataclass(frozen=True)
class ScenarioMapping:
    """The correspondence between a record's names, a scenario's actors and simulated names.

    Attributes:
        keys: Record name -> key (``None`` when unmapped).
        kinds: Record name -> one of :data:`KINDS`.
        via: Record name -> how it was mapped, in words (for the report).
        base: Scenario group and unit names -> ``"group"`` or ``"unit"``.
        coalition_keys: Name a simulated coalition can have -> its key.
        record_of: Scenario group or unit name -> the record name mapped to it.
    """

    keys: dict[str, str | None]
    kinds: dict[str, str]
    via: dict[str, str]
    base: dict[str, str]
    coalition_keys: dict[str, str]
    record_of: dict[str, str]

    def key(self, record_name: str) -> str | None:
        """Key of a record name (``None`` when the scenario has no counterpart)."""
        return self.keys.get(record_name)

    def sim_key(self, name: str) -> str:
        """Key of a simulated actor name (group, unit or coalition, as in the event log)."""
        if not name or name in self.base:
            return name
        if name in self.coalition_keys:
            return self.coalition_keys[name]
        m = _SUFFIX.match(name)
        stem = m.group(1) if m else name
        if stem in self.coalition_keys:
            return self.coalition_keys[stem]
        if stem.endswith(COALITION_SUFFIX) and stem[: -len(COALITION_SUFFIX)] in self.base:
            return stem[: -len(COALITION_SUFFIX)]
        return name

    def frame(self) -> pd.DataFrame:
        """The mapping as a table: ``record_name, kind, key, via``."""
        return pd.DataFrame(
            [
                {"record_name": n, "kind": self.kinds[n], "key": self.keys[n] or "", "via": v}
                for n, v in self.via.items()
            ],
            columns=["record_name", "kind", "key", "via"],
        )


def build_mapping(
    record: Record, scenario: Scenario, overrides: MappingABC[str, str | None] | None = None
) -> ScenarioMapping:
    """Map every record name to a scenario key (see the module docstring for the rule).

    Args:
        record: A loaded record.
        scenario: A validated scenario.
        overrides: Record name (or alias) -> scenario key to force, or ``None`` to leave it
            unmapped.

    Returns:
        The mapping.

    Raises:
        ScenarioError: If an override names an unknown record name or key.
    """
    base: dict[str, str] = {}
    lookup: dict[str, str] = {}  # normalised scenario name or alias -> scenario name
    for g in scenario.groups:
        base[g.name] = "group"
        for u in g.units:
            base[u.name] = "unit"
    for c in scenario.coalitions:
        lookup[normalise(c.name)] = c.name
        for a in c.aliases:
            lookup.setdefault(normalise(a), c.name)
    for g in scenario.groups:
        lookup[normalise(g.name)] = g.name
        for u in g.units:
            lookup[normalise(u.name)] = u.name
    for g in scenario.groups:
        for a in g.aliases:
            lookup.setdefault(normalise(a), g.name)
        for u in g.units:
            for a in u.aliases:
                lookup.setdefault(normalise(a), u.name)
    scenario_coalitions = {c.name for c in scenario.coalitions}

    holders: dict[str, list[str]] = {}
    for g in scenario.groups:
        if g.coalition_name:
            holders.setdefault(g.coalition_name, []).append(g.name)
    coalition_keys: dict[str, str] = {c: c for c in scenario_coalitions}
    for cname, groups in holders.items():
        coalition_keys[cname] = groups[0] if len(groups) == 1 else cname
    cname_lookup = {normalise(c): c for c in holders}

    keys: dict[str, str | None] = {}
    kinds: dict[str, str] = {}
    via: dict[str, str] = {}

    forced: dict[str, str | None] = {}
    problems = []
    valid_keys = set(base) | set(coalition_keys.values())
    for name, key in (overrides or {}).items():
        canon = record.resolve(name)
        if canon is None:
            problems.append(Problem(f"overrides.{name}", "expected a record group name"))
        elif key is not None and key not in valid_keys:
            problems.append(Problem(f"overrides.{name}", f"expected a scenario key, got {key!r}"))
        else:
            forced[canon] = key
    if problems:
        raise ScenarioError("mapping overrides", problems)

    founders = _founders(record)
    names = record.names
    for name in names:
        if name in forced:
            key = forced[name]
            keys[name] = key
            kinds[name] = _kind_of(key, base, scenario_coalitions) if key else "unmapped"
            via[name] = "override" if key else "override: unmapped"
            continue
        hit = None
        for form in (name, *record.aliases_of(name)):
            hit = lookup.get(normalise(form))
            if hit is not None:
                how = "scenario name" if form == name == hit else f"{form!r} in the scenario"
                break
        if hit is not None:
            keys[name] = hit
            kinds[name] = "coalition" if hit in scenario_coalitions else base[hit]
            via[name] = how
            continue
        cname = None
        for form in (name, *record.aliases_of(name)):
            cname = cname_lookup.get(normalise(form))
            if cname:
                break
        if cname is not None:
            keys[name] = coalition_keys[cname]
            kinds[name] = "emergent"
            via[name] = f"coalition_name of {', '.join(holders[cname])}"
            continue
        keys[name] = None  # filled in by founders below, if any
        kinds[name] = "unmapped"
        via[name] = "no counterpart in the scenario"

    # Rule 3, repeated until nothing changes (founders may be derived themselves).
    changed = True
    while changed:
        changed = False
        for name, (event_id, components) in founders.items():
            if keys.get(name) is not None or name in forced:
                continue
            for comp in components:
                if keys.get(comp) is not None:
                    keys[name] = keys[comp]
                    kinds[name] = "derived"
                    via[name] = f"founding leader {comp} ({event_id})"
                    changed = True
                    break

    record_of = {}
    for name in names:
        k = keys[name]
        if k in base and kinds[name] in ("group", "unit") and k not in record_of:
            record_of[k] = name
    return ScenarioMapping(keys, kinds, via, base, coalition_keys, record_of)


def _kind_of(key: str, base: dict[str, str], coalitions: set[str]) -> str:
    if key in base:
        return base[key]
    return "coalition" if key in coalitions else "emergent"


def _founders(record: Record) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Record name -> (event id, components) of the entity's founding event.

    The founding event is the first ``merge`` or multi-member ``alliance`` it is the actor of.
    """
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for ev in record.events.itertuples(index=False):
        multi = ev.event_type == "merge" or (ev.event_type == "alliance" and len(ev.targets) > 1)
        if multi and ev.actor not in out:
            out[ev.actor] = (ev.event_id, ev.targets)
    return out


def initial_structure(scenario: Scenario, mapping: ScenarioMapping) -> dict[str, str | None]:
    """The scenario's hierarchy on its start date, in record names.

    Every scenario group and unit with a record counterpart gets its parent: a unit its group,
    a group its coalition (the record name mapped to that coalition, else the coalition's
    scenario name), or ``None`` when independent. Used to start the recorded alignment (see
    :class:`calibration.membership.MembershipHistory`).
    """
    coalition_record = {}
    for name, key in mapping.keys.items():
        if mapping.kinds[name] == "coalition" and key not in coalition_record:
            coalition_record[key] = name
    out: dict[str, str | None] = {}
    for g in scenario.groups:
        g_rec = mapping.record_of.get(g.name)
        if g_rec is not None:
            parent = coalition_record.get(g.coalition, g.coalition) if g.coalition else None
            out[g_rec] = parent
        for u in g.units:
            u_rec = mapping.record_of.get(u.name)
            if u_rec is not None:
                out[u_rec] = g_rec if g_rec is not None else g.name
    return out
