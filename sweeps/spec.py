"""The sweep file: its schema (pydantic) and its validation against the scenario and the rules.

A sweep file names a scenario, the rule parameters to vary and how (a grid of values, or ranges
for a Latin hypercube, Sobol or Morris design), the replicates per point and their base seed,
the window, the outputs of every run and an optional stop condition. ``docs/sweeps.md``
documents every field.

:func:`load_sweep` reads a file and returns a :class:`Sweep`: the validated spec, the scenario
with the sweep's ``fixed`` settings applied, and the hash that identifies the sweep's results.
Every problem is reported at once as a :class:`~sim.scenario.ScenarioError` naming the file,
the field path (``parameters[1].high``) and what was expected, so the CLI exits with status 2.

This module reads files and the model's declarations (:data:`sim.rules.RULES`, the scenario
schema); it never runs the model and never writes anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.eventlog import EVENT_TYPES
from sim.rules import RULES, Param
from sim.scenario import Problem, Scenario, ScenarioError, load_scenario, with_params
from sim.scenario.errors import format_loc
from sim.scenario.loader import parse_yaml, read_input

MAX_FILE_BYTES = 1_000_000
EventType = Literal["merge", "join", "defect", "split", "alliance", "fight", "truce", "dissolve"]
if set(EventType.__args__) != set(EVENT_TYPES):  # the vocabulary is the event log's
    raise ImportError("sweeps.spec.EventType is out of date with sim.eventlog.EVENT_TYPES")
Value = bool | int | float
Identifier = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64)]
DOCS = "docs/sweeps.md"


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ParameterSpec(_Spec):
    """One rule parameter the sweep varies."""

    name: str = Field(description="RULE.PARAM, as in `coalsim rules` (or RULE.enabled in grids).")
    values: Annotated[list[Value], Field(min_length=1)] | None = Field(
        None, description="Grid designs: the values to try."
    )
    low: float | None = Field(None, description="LHS/Sobol/Morris designs: lower bound.")
    high: float | None = Field(None, description="LHS/Sobol/Morris designs: upper bound.")
    scale: Literal["linear", "log"] = Field(
        "linear", description="Sample uniformly in the value (linear) or in its logarithm (log)."
    )


class DesignSpec(_Spec):
    """How the points of the sweep are chosen."""

    method: Literal["grid", "lhs", "sobol", "morris"] = "grid"
    samples: Annotated[int, Field(ge=1, le=1_000_000)] | None = Field(
        None, description="lhs: points; sobol: N (a power of 2); morris: trajectories."
    )
    levels: Annotated[int, Field(ge=2, le=100)] = Field(4, description="morris: grid levels.")
    second_order: bool = Field(True, description="sobol: also estimate second-order indices.")
    seed: Annotated[int, Field(ge=0)] | None = Field(
        None, description="Seed of the design's sampler; default: the sweep's seed."
    )


class WindowSpec(_Spec):
    """The dates the runs and their outputs cover."""

    start: dt.date | None = Field(None, description="Events before this date are not counted.")
    end: dt.date | None = Field(None, description="Runs stop at this date.")


class OutcomeSpec(_Spec):
    """A named yes/no outcome of a run (see docs/sweeps.md for the language)."""

    name: Identifier
    description: str = ""
    event: EventType | Annotated[list[EventType], Field(min_length=1)] | None = None
    actor: str | None = None
    target: str | None = None
    either_way: bool = False
    resolve: Literal["auto", "exact", "side"] = "auto"
    after: dt.date | None = None
    before: dt.date | None = None
    at_least: Annotated[int, Field(ge=1)] = 1
    together: Annotated[list[str], Field(min_length=2)] | None = None
    date: dt.date | None = None
    all_: Annotated[list[str], Field(min_length=1)] | None = Field(None, alias="all")
    any_: Annotated[list[str], Field(min_length=1)] | None = Field(None, alias="any")
    not_: str | None = Field(None, alias="not")

    @property
    def kind(self) -> str:
        """Which form the outcome has: event, together, all, any or not."""
        for kind, value in self._forms():
            if value is not None:
                return kind
        return "none"

    def _forms(self):
        return (
            ("event", self.event),
            ("together", self.together),
            ("all", self.all_),
            ("any", self.any_),
            ("not", self.not_),
        )

    @property
    def event_types(self) -> tuple[str, ...]:
        """The event types an event outcome matches."""
        if self.event is None:
            return ()
        return (self.event,) if isinstance(self.event, str) else tuple(self.event)

    @property
    def parts(self) -> tuple[str, ...]:
        """Names of the outcomes a combination refers to."""
        if self.all_ is not None:
            return tuple(self.all_)
        if self.any_ is not None:
            return tuple(self.any_)
        if self.not_ is not None:
            return (self.not_,)
        return ()


class StructureSpec(_Spec):
    """Coalition structure on given dates."""

    dates: Annotated[list[dt.date], Field(min_length=1)]
    sides_of: list[str] = Field([], description="Groups or units whose side is recorded.")


class SeriesSpec(_Spec):
    """The optional per-step table (one row per run, step and actor)."""

    every: Annotated[int, Field(ge=1)] = Field(1, description="Keep every n-th step.")
    kinds: Annotated[list[Literal["unit", "group", "coalition"]], Field(min_length=1)] = [
        "group",
        "coalition",
    ]
    columns: Annotated[
        list[
            Literal[
                "fighters",
                "own_fighters",
                "resources",
                "cohesion",
                "recruited",
                "lost",
                "absorbed",
            ]
        ],
        Field(min_length=1),
    ] = ["fighters"]


class OutputsSpec(_Spec):
    """What every run reports."""

    counts: bool = Field(True, description="Events by type in the window.")
    outcomes: list[OutcomeSpec] = []
    structure: StructureSpec | None = None
    scores: bool = Field(False, description="Comparison scores against the record.")
    series: SeriesSpec | None = None


class StopSpec(_Spec):
    """When runs, or the sweep, end early."""

    when: str | list[str] | None = Field(
        None, description="Outcome name(s): a run ends as soon as one has happened."
    )
    max_hours: Annotated[float, Field(gt=0)] | None = Field(
        None, description="Wall-time budget of one `coalsim sweep` invocation."
    )

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcome names of ``when`` as a tuple."""
        if self.when is None:
            return ()
        return (self.when,) if isinstance(self.when, str) else tuple(self.when)


class SweepSpec(_Spec):
    """A validated sweep file. Build it with :func:`load_sweep`."""

    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    scenario: Annotated[str, Field(min_length=1)]
    window: WindowSpec = WindowSpec()
    fixed: dict[str, Value] = {}
    parameters: list[ParameterSpec] = []
    design: DesignSpec = DesignSpec()
    replicates: Annotated[int, Field(ge=1, le=1_000_000)] = 1
    seed: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0
    outputs: OutputsSpec = OutputsSpec()
    stop: StopSpec = StopSpec()


@dataclass(frozen=True)
class SweptParam:
    """A parameter the sweep varies, with the rule's declaration of it."""

    name: str
    declared: Param | None  # None for RULE.enabled switches
    low: float | None
    high: float | None
    scale: str
    values: tuple[Value, ...] | None

    @property
    def integer(self) -> bool:
        """Whether the parameter takes whole numbers only."""
        return bool(self.declared and self.declared.integer)

    @property
    def switch(self) -> bool:
        """Whether this is a rule's ``enabled`` switch (values true/false)."""
        return self.declared is None


@dataclass(frozen=True)
class Sweep:
    """A sweep ready to run.

    Attributes:
        spec: The validated sweep file.
        source: The sweep file's path (for messages).
        text: The sweep file's text.
        scenario: The scenario with the sweep's ``fixed`` settings applied.
        scenario_path: Where the scenario was read from.
        start: First date of the window (events before it are not counted).
        end: Last date of the window (runs stop there).
        params: The varied parameters, in file order.
        spec_hash: Identifies the results: the spec (without ``name``, ``description``,
            ``replicates`` and ``stop.max_hours``, which do not change any run) and the
            scenario's content.
    """

    spec: SweepSpec
    source: str
    text: str
    scenario: Scenario
    scenario_path: Path
    start: dt.date
    end: dt.date
    params: tuple[SweptParam, ...]
    spec_hash: str

    @property
    def outcome_names(self) -> list[str]:
        """Names of the named outcomes, in file order."""
        return [o.name for o in self.spec.outputs.outcomes]


# -- loading ---------------------------------------------------------------------------------
def _describe(err: dict[str, Any]) -> str:
    if err["type"] == "extra_forbidden":
        return f"unknown field (the fields are listed in {DOCS})"
    if err["type"] == "missing":
        return "required field is missing"
    got = err.get("input")
    msg = err["msg"]
    if isinstance(got, dict | list):
        return msg
    return f"{msg}, got {got!r}"


def _loc(loc: tuple) -> str:
    # pydantic puts the member of a union that failed in the location ("list[...]", "str"):
    # drop those so the path is the file's own.
    parts = [p for p in loc if isinstance(p, int) or not re.search(r"[\[\]]|^(str|int)$", p)]
    return format_loc(tuple(parts))


def parse_sweep_text(text: str, source: str) -> SweepSpec:
    """Parse and validate the structure of a sweep file (stage 1: types, ranges, names)."""
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(source, [Problem("", "expected a mapping at the top of the file")])
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        seen: set[str] = set()
        problems = []
        for e in exc.errors():
            path = _loc(e["loc"])
            if path not in seen:  # a union reports each member's complaint: keep the first
                seen.add(path)
                problems.append(Problem(path, _describe(e)))
        raise ScenarioError(source, problems) from None


def load_sweep(path: str | Path, *, use_fitted: bool = True) -> Sweep:
    """Read and validate a sweep file and the scenario it names.

    Args:
        path: The sweep file (YAML). A relative ``scenario:`` path is taken from the sweep
            file's folder.
        use_fitted: ``False`` ignores the scenario's ``fitted:`` file (``--no-fitted``): the
            runs start from the declared defaults. Either way the scenario's content, fitted
            values included, is part of the sweep's hash.

    Returns:
        The sweep, ready to run.

    Raises:
        ScenarioError: For every problem found in the sweep file (or in its scenario), with
            the file, the field path and what was expected.
    """
    path = Path(path)
    text, source = read_input(path, MAX_FILE_BYTES)
    return sweep_from_text(text, source, base=path.parent, use_fitted=use_fitted)


def sweep_from_text(text: str, source: str, base: Path, *, use_fitted: bool = True) -> Sweep:
    """Validate sweep-file text; ``base`` is the folder a relative scenario path starts from.

    ``use_fitted`` as in :func:`load_sweep`.
    """
    spec = parse_sweep_text(text, source)
    scen_path = Path(spec.scenario)
    if not scen_path.is_absolute():
        scen_path = base / scen_path
    if not scen_path.is_file():
        raise ScenarioError(
            source,
            [
                Problem(
                    "scenario",
                    f"expected a scenario file (relative to {base or '.'}), "
                    f"got {spec.scenario!r}: no such file",
                )
            ],
        )
    # its own errors name the scenario file (or its fitted file)
    scenario = load_scenario(scen_path, use_fitted=use_fitted)
    problems = [Problem(p, m) for p, m in check_sweep(spec, scenario)]
    if problems:
        raise ScenarioError(source, problems)
    if spec.fixed:
        scenario = with_params(scenario, dict(spec.fixed), source=f"{source} (fixed)")
    params = tuple(_swept(p) for p in spec.parameters)
    start = spec.window.start or scenario.start
    end = spec.window.end or scenario.end
    return Sweep(
        spec=spec,
        source=source,
        text=text,
        scenario=scenario,
        scenario_path=scen_path,
        start=start,
        end=end,
        params=params,
        spec_hash=spec_hash(spec, scenario),
    )


def _swept(p: ParameterSpec) -> SweptParam:
    rule, _, pname = p.name.partition(".")
    declared = None if pname == "enabled" else RULES[rule].param(pname)
    return SweptParam(
        name=p.name,
        declared=declared,
        low=p.low,
        high=p.high,
        scale=p.scale,
        values=tuple(p.values) if p.values is not None else None,
    )


def spec_hash(spec: SweepSpec, scenario: Scenario) -> str:
    """Hash of everything that changes what a run returns (16 hex digits)."""
    payload = {
        "spec": spec.model_dump(
            mode="json",
            by_alias=True,
            exclude={
                "name": True,
                "description": True,
                "scenario": True,
                "replicates": True,
                "stop": {"max_hours"},
            },
        ),
        "scenario": scenario.model_dump(mode="json"),
    }
    blob = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:16]


# -- consistency -----------------------------------------------------------------------------
def actor_names(scenario: Scenario) -> tuple[set[str], dict[str, str]]:
    """Names an outcome may use: actors and coalition names, and aliases -> canonical name."""
    names = set(scenario.group_names())
    names |= {c.name for c in scenario.coalitions}
    names |= {g.coalition_name for g in scenario.groups if g.coalition_name}
    aliases: dict[str, str] = {}
    for items in (scenario.groups, scenario.coalitions):
        for x in items:
            for al in x.aliases:
                aliases.setdefault(al, x.name)
    return names, aliases


_SUFFIX = re.compile(r"^(.*) \((\d+)\)$")


def resolve_name(name: str, names: set[str], aliases: dict[str, str]) -> str | None:
    """Canonical name of ``name`` (itself, an alias, or ``Base (k)`` of a coalition name)."""
    if name in names:
        return name
    if name in aliases:
        return aliases[name]
    m = _SUFFIX.match(name)
    if m and m.group(1) in names:
        return name
    return None


def _rule_param(name: str) -> tuple[str | None, Param | None, str | None]:
    """(rule, declared param or None for ``enabled``, why-not)."""
    rule, sep, pname = name.partition(".")
    if not sep or not rule or not pname:
        return None, None, f"expected RULE.PARAM (see `coalsim rules`), got {name!r}"
    if rule not in RULES:
        return None, None, f"expected a rule among {list(RULES)}, got {rule!r}"
    if pname == "enabled":
        return rule, None, None
    try:
        return rule, RULES[rule].param(pname), None
    except KeyError:
        names = [p.name for p in RULES[rule].params]
        return None, None, f"expected a parameter of {rule} among {names}, got {pname!r}"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _check(declared: Param, value: object, name: str) -> str | None:
    """Why ``value`` is not admissible for ``declared`` (with its declared range), or None."""
    if declared.check(value) is None:
        return None
    what = "a whole number" if declared.integer else "a number"
    return (
        f"expected {what} in [{_fmt(declared.low)}, {_fmt(declared.high)}] "
        f"(declared range of {name}), got {value!r}"
    )


def check_sweep(spec: SweepSpec, scenario: Scenario):
    """Yield ``(path, message)`` for every problem of a structurally valid sweep file."""
    method = spec.design.method
    sampled = method != "grid"
    # fixed settings
    fixed_ok = True
    for key, value in spec.fixed.items():
        rule, declared, why = _rule_param(key)
        if declared is None and not why and not isinstance(value, bool):
            why = f"expected true or false, got {value!r}"
        elif declared is not None:
            why = _check(declared, value, key)
        if why:
            fixed_ok = False
            yield f"fixed.{key}", why
    base = scenario
    if spec.fixed and fixed_ok:
        try:  # e.g. two rules that cannot run together
            base = with_params(scenario, dict(spec.fixed))
        except ScenarioError as exc:
            base = None
            for p in exc.problems:
                yield "fixed", f"makes the scenario invalid: {p}"
    enabled_by_fixed = {
        k.partition(".")[0]: v for k, v in spec.fixed.items() if k.endswith(".enabled")
    }
    swept_switches = {
        p.name.partition(".")[0] for p in spec.parameters if p.name.endswith(".enabled")
    }
    # parameters
    seen: dict[str, int] = {}
    if sampled and not spec.parameters:
        yield "parameters", f"expected at least one parameter for a {method} design"
    for i, p in enumerate(spec.parameters):
        path = f"parameters[{i}]"
        if p.name in seen:
            yield f"{path}.name", f"duplicate parameter (already parameters[{seen[p.name]}])"
            continue
        seen[p.name] = i
        if p.name in spec.fixed:
            yield f"{path}.name", f"{p.name} is also in `fixed`: vary it or fix it, not both"
        rule, declared, why = _rule_param(p.name)
        if why:
            yield f"{path}.name", why
            continue
        on = enabled_by_fixed.get(rule, scenario.rule_enabled(rule))
        if declared is not None and not on and rule not in swept_switches:
            yield (
                f"{path}.name",
                f"rule {rule} is off in the scenario, so {p.name} would change nothing: "
                f"switch it on with `fixed: {{{rule}.enabled: true}}`",
            )
        if not sampled:
            if p.values is None:
                yield f"{path}.values", "expected a list of values (a grid design varies lists)"
            for bound in ("low", "high"):
                if getattr(p, bound) is not None:
                    yield (
                        f"{path}.{bound}",
                        "ranges are for lhs, sobol and morris designs; a grid needs `values`",
                    )
            if p.scale != "linear":
                yield f"{path}.scale", "`scale` is for lhs, sobol and morris designs"
            for k, v in enumerate(p.values or []):
                if declared is None:
                    if not isinstance(v, bool):
                        yield f"{path}.values[{k}]", f"expected true or false, got {v!r}"
                elif w := _check(declared, v, p.name):
                    yield f"{path}.values[{k}]", w
            if p.values is not None and len(set(map(repr, p.values))) != len(p.values):
                yield f"{path}.values", "expected distinct values"
            continue
        if declared is None:
            yield f"{path}.name", f"a {method} design varies numbers; switches need a grid"
            continue
        if p.values is not None:
            yield f"{path}.values", f"a {method} design needs `low` and `high`, not `values`"
        rng = f"[{_fmt(declared.low)}, {_fmt(declared.high)}]"
        for bound in ("low", "high"):
            v = getattr(p, bound)
            if v is None:
                yield f"{path}.{bound}", f"required by a {method} design: a number in {rng}"
            elif not declared.low <= v <= declared.high:
                yield (
                    f"{path}.{bound}",
                    f"expected a number in {rng} (declared range of {p.name}), got {_fmt(v)}",
                )
        if p.low is not None and p.high is not None and p.low >= p.high:
            yield f"{path}.high", f"expected a number above low ({_fmt(p.low)}), got {_fmt(p.high)}"
        if p.scale == "log" and p.low is not None and p.low <= 0:
            yield f"{path}.low", f"a log scale needs low > 0, got {_fmt(p.low)}"
        whole = declared.integer and p.low is not None and p.high is not None
        if whole and math.floor(p.high) - math.ceil(p.low) < 1:
            yield f"{path}.high", "a whole-number parameter needs at least two whole values"
    # every combination of switches in a grid must make a valid scenario (rule conflicts)
    switches = [
        (i, p)
        for i, p in enumerate(spec.parameters)
        if p.name.endswith(".enabled") and p.values and all(isinstance(v, bool) for v in p.values)
    ]
    if not sampled and switches and base is not None and len(seen) == len(spec.parameters):
        for combo in itertools.product(*(p.values for _, p in switches)):
            settings = {p.name: v for (_, p), v in zip(switches, combo, strict=True)}
            try:
                with_params(base, settings)
            except ScenarioError as exc:
                where = ", ".join(f"{k}={str(v).lower()}" for k, v in settings.items())
                yield (
                    f"parameters[{switches[0][0]}].values",
                    f"the grid point {where} makes the scenario invalid: {exc.problems[0]}",
                )
                break
    # design
    d = spec.design
    if sampled and d.samples is None:
        what = {"lhs": "points", "sobol": "base samples N (a power of 2)", "morris": "trajectories"}
        yield "design.samples", f"required by a {method} design: the number of {what[method]}"
    if method == "grid" and d.samples is not None:
        yield "design.samples", "a grid design has no `samples` (its points are all combinations)"
    if method == "sobol" and d.samples is not None and d.samples & (d.samples - 1):
        yield "design.samples", f"expected a power of 2 for a Sobol design, got {d.samples}"
    if method == "morris" and d.samples is not None and d.samples < 2:
        yield "design.samples", "expected at least 2 trajectories for a Morris design"
    if method == "morris" and d.levels % 2:
        yield "design.levels", f"expected an even number of levels, got {d.levels}"
    # window
    start = spec.window.start or scenario.start
    end = spec.window.end or scenario.end
    if not scenario.start <= start < scenario.end:
        yield (
            "window.start",
            f"expected a date in [{scenario.start}, {scenario.end}) (the scenario's), got {start}",
        )
    if not scenario.start < end <= scenario.end:
        yield (
            "window.end",
            f"expected a date in ({scenario.start}, {scenario.end}] (the scenario's), got {end}",
        )
    elif end <= start:
        yield "window.end", f"expected a date after the window's start ({start}), got {end}"
    # outputs
    yield from _check_outputs(spec, scenario, start, end)


def _check_outputs(spec: SweepSpec, scenario: Scenario, start: dt.date, end: dt.date):
    out = spec.outputs
    names, aliases = actor_names(scenario)
    members = set(scenario.group_names())
    defined: dict[str, OutcomeSpec] = {}
    for i, o in enumerate(out.outcomes):
        path = f"outputs.outcomes[{i}]"
        if o.name in defined:
            yield f"{path}.name", f"duplicate outcome name {o.name!r}"
        forms = [k for k, v in o._forms() if v is not None]
        if len(forms) != 1:
            yield (
                path,
                "expected exactly one of `event`, `together`, `all`, `any`, `not`, "
                f"got {forms or 'none'}",
            )
            defined[o.name] = o
            continue
        kind = forms[0]
        event_only = ("actor", "target", "after", "before")
        for f in event_only:
            if kind != "event" and getattr(o, f) is not None:
                yield f"{path}.{f}", "only used by `event` outcomes"
        if kind != "event" and (o.either_way or o.at_least != 1 or o.resolve != "auto"):
            yield path, "`either_way`, `at_least` and `resolve` are only used by `event` outcomes"
        if kind != "together" and o.date is not None:
            yield f"{path}.date", "only used by `together` outcomes"
        if kind == "event":
            for f in ("actor", "target"):
                v = getattr(o, f)
                if v is not None and resolve_name(v, names, aliases) is None:
                    yield (
                        f"{path}.{f}",
                        "expected a group, unit, coalition or coalition_name of the scenario "
                        f"(or an alias), got {v!r}",
                    )
            for f in ("after", "before"):
                v = getattr(o, f)
                if v is not None and not start <= v <= end + dt.timedelta(days=1):
                    yield f"{path}.{f}", f"expected a date in the window [{start}, {end}], got {v}"
            if o.after and o.before and o.before <= o.after:
                yield f"{path}.before", f"expected a date after `after` ({o.after}), got {o.before}"
        elif kind == "together":
            for k, v in enumerate(o.together or []):
                c = resolve_name(v, members, aliases)
                if c is None or c not in members:
                    yield (
                        f"{path}.together[{k}]",
                        f"expected a group or unit of the scenario (or an alias), got {v!r}",
                    )
            if o.date is None:
                yield f"{path}.date", "required by a `together` outcome: the date to look at"
            elif not start <= o.date <= end:
                yield (
                    f"{path}.date",
                    f"expected a date in the window [{start}, {end}], got {o.date}",
                )
        else:
            for k, part in enumerate(o.parts):
                if part not in defined:
                    where = f"{path}.{kind}" + (f"[{k}]" if kind != "not" else "")
                    yield (
                        where,
                        f"expected the name of an outcome defined above, among {list(defined)}, "
                        f"got {part!r}",
                    )
        defined[o.name] = o
    if out.structure is not None:
        for k, d in enumerate(out.structure.dates):
            if not start <= d <= end:
                yield (
                    f"outputs.structure.dates[{k}]",
                    f"expected a date in the window [{start}, {end}], got {d}",
                )
        for k, v in enumerate(out.structure.sides_of):
            c = resolve_name(v, members, aliases)
            if c is None or c not in members:
                yield (
                    f"outputs.structure.sides_of[{k}]",
                    f"expected a group or unit of the scenario (or an alias), got {v!r}",
                )
    if out.scores:
        try:
            from calibration.comparison import prepare, run_scores  # noqa: F401
        except ImportError as exc:
            yield (
                "outputs.scores",
                "comparison scores are not available in this installation "
                f"(calibration.comparison.run_scores cannot be imported: {exc}); "
                "set `scores: false`",
            )
        else:
            try:  # the record must cover the window (and the scenario must map onto it)
                prepare(scenario, None, start, end)
            except ScenarioError as exc:
                for p in exc.problems:
                    yield "outputs.scores", f"the comparison with the record refuses: {p}"
    for k, name in enumerate(spec.stop.outcomes):
        path = "stop.when" + (f"[{k}]" if isinstance(spec.stop.when, list) else "")
        if name not in defined:
            yield path, f"expected the name of an outcome among {list(defined)}, got {name!r}"
        elif not _event_based(name, defined):
            yield (
                path,
                "expected an outcome made of events only (`event`, or `all`/`any` of them): "
                "a run can only stop on something that has happened",
            )


def _event_based(name: str, defined: dict[str, OutcomeSpec]) -> bool:
    o = defined.get(name)
    if o is None:
        return True  # an unknown name is reported where it is used
    if o.kind == "event":
        return True
    if o.kind in ("all", "any"):
        return all(_event_based(p, defined) for p in o.parts)
    return False
