"""The scenario file format, as pydantic models.

A scenario describes a theatre of war at a start date: its armed groups (with their units), the
coalitions they belong to, their patrons, the outside pressure over time, scheduled interventions
and which rules run with which parameters. ``docs/scenarios.md`` documents every field.

Field-level checks (types, ranges, unknown keys) are pydantic's; checks across fields (unknown
parents, duplicate names, rule parameters) are in :meth:`Scenario.consistency_problems`, which
:func:`sim.scenario.validate_scenario` runs. Amounts of
money are in thousands of US dollars; yearly flows are converted to per-step flows by the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from sim.rules import RULES, rule_conflicts
from sim.scenario.fitted import FittedSource

Unit = Annotated[float, Field(ge=0.0, le=1.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


def rule_problems(rules: Any, prefix: str = "rules.") -> Iterator[tuple[str, str]]:
    """Yield ``(path, message)`` for every bad entry of a ``rules:`` mapping.

    Unknown rules and parameters, a non-boolean ``enabled``, values that are not numbers, out of
    the parameter's declared range, or fractional for a whole-number parameter. Used for a
    scenario's ``rules:`` and for fitted-parameter files (:mod:`sim.scenario.fitted`).

    Args:
        rules: ``{rule: {param: value}}``.
        prefix: Put before each path (``"rules."`` in a scenario, ``""`` in a fitted file).
    """
    if not isinstance(rules, dict):
        yield prefix.rstrip("."), "expected a mapping of rule names to their parameters"
        return
    for rname, cfg in rules.items():
        path = f"{prefix}{rname}"
        if rname not in RULES:
            yield path, f"expected a rule among {list(RULES)}, got {rname!r}"
            continue
        if not isinstance(cfg, dict):
            yield path, "expected a mapping of parameter names to values"
            continue
        rule = RULES[rname]
        for key, value in cfg.items():
            if key == "enabled":
                if not isinstance(value, bool):
                    yield f"{path}.enabled", f"expected true or false, got {value!r}"
                continue
            try:
                why = rule.param(key).check(value)
            except KeyError:
                names = [p.name for p in rule.params]
                yield f"{path}.{key}", f"expected a parameter of {rname} among {names}"
                continue
            if why:
                yield f"{path}.{key}", why


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Spec):
    name: Annotated[str, Field(min_length=1)]
    aliases: list[str] = []
    notes: str = ""
    sources: list[str] = []


class PatronSpec(_Named):
    """A state or organisational sponsor that divides a yearly budget among its clients."""

    ideology: Unit = Field(description="Preferred ideology of clients (0 secular .. 1 jihadist).")
    budget: NonNegative = Field(0.0, description="Yearly support to all clients, k$.")


class UnitSpec(_Named):
    """A sub-unit (brigade, sector) of a group; it can leave its group with its fighters."""

    fighters: NonNegative
    ideology: Unit | None = Field(None, description="Defaults to the group's ideology.")
    cohesion: Unit | None = Field(None, description="Defaults to the group's cohesion.")
    exposure: Unit | None = Field(None, description="Defaults to the group's exposure.")
    patrons: dict[str, Unit] | None = Field(
        None, description="Patron ties of the unit; defaults to the group's."
    )


class GroupSpec(_Named):
    """An armed group: the actor that holds resources, patron ties and units."""

    fighters: NonNegative = Field(description="Fighters in the group's core (not in units).")
    resources: NonNegative = Field(0.0, description="Stock of resources at the start, k$.")
    income: NonNegative = Field(0.0, description="Own yearly income (territory, crossings), k$.")
    ideology: Unit
    cohesion: Unit = 0.5
    exposure: Unit = Field(0.5, description="Share of the group on the government front line.")
    patrons: dict[str, Unit] = Field({}, description="Patron name -> strength of the tie.")
    coalition: str | None = Field(None, description="Coalition the group belongs to.")
    coalition_name: str | None = Field(
        None, description="Name a coalition takes when one forms around this group."
    )
    units: list[UnitSpec] = []


class CoalitionSpec(_Named):
    """An umbrella of groups (a merger such as HTS, or a front such as the NFL)."""

    leader: str | None = Field(None, description="Leading member; default: most fighters.")
    cohesion: Unit = 0.5


class PressurePoint(_Spec):
    """Outside (government) pressure from a date on, until the next point."""

    start: dt.date
    intensity: Unit
    notes: str = ""


class Intervention(_Spec):
    """A change applied on a date (e.g. a patron cuts support)."""

    date: dt.date
    action: Literal["set_patron_budget", "set_patron_tie", "set_group"]
    patron: str | None = None
    group: str | None = None
    field: Literal["ideology", "cohesion", "income", "resources", "exposure"] | None = None
    value: float
    notes: str = ""
    sources: list[str] = []


class Propensity(_Spec):
    """Landscape-theory propensity between two actors (symmetric)."""

    a: str
    b: str
    value: Annotated[float, Field(ge=-1.0, le=1.0)]


class LandscapeSpec(_Spec):
    """Inputs of the landscape alignment rule (Axelrod & Bennett 1993)."""

    sizes: dict[str, NonNegative] = Field({}, description="Actor -> size; default: fighters.")
    propensities: list[Propensity] = []


class Scenario(_Spec):
    """A validated scenario. Build it with :func:`sim.scenario.load_scenario`."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    start: dt.date
    end: dt.date
    step_days: Annotated[int, Field(ge=1, le=366)] = 7
    patrons: list[PatronSpec] = []
    coalitions: list[CoalitionSpec] = []
    groups: Annotated[list[GroupSpec], Field(min_length=1)]
    pressure: list[PressurePoint] = []
    interventions: list[Intervention] = []
    rules: dict[str, dict[str, Any]] = {}
    fitted: str | None = Field(
        None,
        exclude=True,  # not content: its values are in ``rules`` once the scenario is loaded
        description="Fitted-parameter file merged into rules (relative to the scenario's folder).",
    )
    landscape: LandscapeSpec = LandscapeSpec()

    # Set by the loader: the fitted file whose values were merged into ``rules``.
    _fitted_source: FittedSource | None = PrivateAttr(None)

    # -- consistency -------------------------------------------------------------------------
    def consistency_problems(self):
        """Yield ``(path, message)`` for every cross-field inconsistency."""
        if self.end <= self.start:
            yield "end", f"expected a date after start ({self.start}), got {self.end}"
        seen: dict[str, str] = {}

        def claim(name: str, path: str):
            if name in seen:
                return path, f"duplicate name {name!r} (already used at {seen[name]})"
            seen[name] = path
            return None

        for kind, items in (("patrons", self.patrons), ("coalitions", self.coalitions)):
            for i, item in enumerate(items):
                if p := claim(item.name, f"{kind}[{i}].name"):
                    yield p
        for i, g in enumerate(self.groups):
            if p := claim(g.name, f"groups[{i}].name"):
                yield p
            for k, u in enumerate(g.units):
                if p := claim(u.name, f"groups[{i}].units[{k}].name"):
                    yield p
        yield from self._alias_problems(seen)
        patrons = {p.name for p in self.patrons}
        coalitions = {c.name: c for c in self.coalitions}
        groups = {g.name for g in self.groups}
        actors = set(self.group_names())
        members: dict[str, list[str]] = {c: [] for c in coalitions}
        for i, g in enumerate(self.groups):
            for pname in g.patrons:
                if pname not in patrons:
                    yield (
                        f"groups[{i}].patrons.{pname}",
                        f"expected a patron among {sorted(patrons)}",
                    )
            if g.coalition is not None:
                if g.coalition not in coalitions:
                    yield (
                        f"groups[{i}].coalition",
                        f"expected a coalition among {sorted(coalitions)}, got {g.coalition!r}",
                    )
                else:
                    members[g.coalition].append(g.name)
            for k, u in enumerate(g.units):
                for pname in u.patrons or {}:
                    if pname not in patrons:
                        yield (
                            f"groups[{i}].units[{k}].patrons.{pname}",
                            f"expected a patron among {sorted(patrons)}",
                        )
        aliases = {
            al
            for items in (self.patrons, self.coalitions, self.groups)
            for x in items
            for al in x.aliases
        }
        # Several groups may share a coalition_name: whichever leads, the coalition has it.
        for i, g in enumerate(self.groups):
            cn = g.coalition_name
            if cn is not None and (cn in seen or cn in aliases):
                where = seen.get(cn, "an alias")
                yield f"groups[{i}].coalition_name", f"name {cn!r} is already used ({where})"
        landscape_on = self.rule_enabled("landscape_alignment")
        if landscape_on and len(self.coalitions) < 2:
            yield (
                "rules.landscape_alignment.enabled",
                "landscape_alignment needs at least two coalitions (its sides)",
            )
        for i, c in enumerate(self.coalitions):
            if c.leader is not None and c.leader not in members[c.name]:
                yield (
                    f"coalitions[{i}].leader",
                    f"expected a member of {c.name!r} among {members[c.name]}, got {c.leader!r}",
                )
            if len(members[c.name]) < 2 and not landscape_on:
                yield (
                    f"coalitions[{i}]",
                    f"expected at least two member groups in {c.name!r} (groups name it in "
                    f"their 'coalition' field), found {len(members[c.name])}",
                )
        last = None
        for i, pp in enumerate(self.pressure):
            if last is not None and pp.start <= last:
                yield f"pressure[{i}].start", f"expected dates in increasing order, got {pp.start}"
            last = pp.start
        for i, iv in enumerate(self.interventions):
            yield from self._intervention_problems(i, iv, patrons, actors)
        yield from self._rule_problems()
        for name in self.landscape.sizes:
            if name not in groups:
                yield f"landscape.sizes.{name}", "expected the name of a group"
        for i, pr in enumerate(self.landscape.propensities):
            for side in ("a", "b"):
                if getattr(pr, side) not in groups:
                    yield f"landscape.propensities[{i}].{side}", "expected the name of a group"

    def _named_items(self):
        """``(path, item)`` of every named thing: patrons, coalitions, groups and units."""
        for kind, items in (("patrons", self.patrons), ("coalitions", self.coalitions)):
            for i, item in enumerate(items):
                yield f"{kind}[{i}]", item
        for i, g in enumerate(self.groups):
            yield f"groups[{i}]", g
            for k, u in enumerate(g.units):
                yield f"groups[{i}].units[{k}]", u

    def _alias_problems(self, names: dict[str, str]):
        """An alias may not be another's name, nor another's alias."""
        aliases: dict[str, str] = {}
        for path, item in self._named_items():
            for a, alias in enumerate(item.aliases):
                here = f"{path}.aliases[{a}]"
                if alias in names and names[alias] != f"{path}.name":
                    yield here, f"alias {alias!r} is the name at {names[alias]}"
                elif alias in aliases and not aliases[alias].startswith(f"{path}."):
                    yield here, f"alias {alias!r} is also an alias at {aliases[alias]}"
                aliases.setdefault(alias, here)

    def _intervention_problems(self, i, iv, patrons, groups):
        path = f"interventions[{i}]"
        if not (self.start <= iv.date <= self.end):
            yield f"{path}.date", f"expected a date in [{self.start}, {self.end}], got {iv.date}"
        needs = {
            "set_patron_budget": ("patron",),
            "set_patron_tie": ("patron", "group"),
            "set_group": ("group", "field"),
        }[iv.action]
        for key in needs:
            if getattr(iv, key) is None:
                yield f"{path}.{key}", f"required by action {iv.action!r}"
        if iv.patron is not None and iv.patron not in patrons:
            yield f"{path}.patron", f"expected a patron among {sorted(patrons)}, got {iv.patron!r}"
        if iv.group is not None and iv.group not in groups:
            yield f"{path}.group", f"expected a group or unit name, got {iv.group!r}"
        elif iv.field in ("income", "resources") and iv.group not in self._group_set():
            yield f"{path}.group", f"expected a group (units hold no {iv.field}), got {iv.group!r}"
        bounded = iv.action == "set_patron_tie" or iv.field in ("ideology", "cohesion", "exposure")
        if bounded and not 0.0 <= iv.value <= 1.0:
            yield f"{path}.value", f"expected a number in [0, 1], got {iv.value}"
        elif iv.value < 0:
            yield f"{path}.value", f"expected a number >= 0, got {iv.value}"

    def _rule_problems(self):
        yield from rule_problems(self.rules)
        enabled = [r for r in RULES if self.rule_enabled(r)]
        for a, b in rule_conflicts(enabled):
            yield f"rules.{b}.enabled", f"{b} and {a} cannot both run: {b} replaces {a}"

    # -- accessors ---------------------------------------------------------------------------
    @property
    def fitted_source(self) -> FittedSource | None:
        """The fitted-parameter file the loader merged into ``rules`` (or chose not to use)."""
        return self._fitted_source

    def fitted_in_effect(self) -> dict[str, Any]:
        """``{"rule.param": value}`` of the fitted values this scenario runs with.

        A fitted value overridden by the scenario's own ``rules:`` or by ``--set`` is left out.
        """
        src = self._fitted_source
        if src is None or not src.used:
            return {}
        out = {}
        for key, value in src.values.items():
            rule, _, param = key.partition(".")
            if self.rules.get(rule, {}).get(param) == value:
                out[key] = value
        return out

    def rules_origin(self) -> str:
        """One line on where the rule parameters come from, for reports and the front end.

        E.g. ``rules: 5 fitted values from calibration/fitted/idlib_2017.yaml; declared
        defaults otherwise``.
        """
        own = sum(len(cfg) for cfg in self.rules.values())  # ``enabled`` switches included
        src = self._fitted_source
        if src is not None and src.used:
            active = self.fitted_in_effect()
            n = len(src.values)
            used = f"{n}" if len(active) == n else f"{len(active)} of {n}"
            line = f"rules: {used} fitted value(s) from {src.path}"
            others = own - len(active)
            if others:
                line += f", {others} set by the scenario or --set"
            return line + "; declared defaults otherwise"
        line = "rules: declared defaults"
        if own:
            line += f" except {own} value(s) set by the scenario or --set"
        if src is not None:
            line += f" (the scenario's fitted file {src.declared!r} not used)"
        return line

    def rule_enabled(self, name: str) -> bool:
        """Whether rule ``name`` runs in this scenario."""
        cfg = self.rules.get(name, {})
        enabled = cfg.get("enabled") if isinstance(cfg, dict) else None
        return RULES[name].enabled_by_default if enabled is None else bool(enabled)

    def rule_values(self, name: str) -> dict[str, float]:
        """Parameter values set for rule ``name`` (defaults not included)."""
        cfg = self.rules.get(name, {})
        return {k: v for k, v in cfg.items() if k != "enabled"}

    def _group_set(self) -> set[str]:
        return {g.name for g in self.groups}

    def group_names(self) -> list[str]:
        """All group and unit names, in file order."""
        return [n for g in self.groups for n in (g.name, *(u.name for u in g.units))]
