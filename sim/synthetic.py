"""Synthetic scenarios: seeded, plausible theatres of any size, for benchmarks and tests.

Real scenarios (``scenarios/idlib_2017.yaml``) have a few dozen actors; whole wars have hundreds
to thousands of armed groups (Syria had over a thousand in 2013). :func:`synthetic_scenario`
builds a theatre of ``n_groups`` groups with the statistical shape of such a war, so that the
model can be timed and tested at any size without writing a scenario by hand:

* **Sizes** are heavy-tailed (lognormal): most groups have a few hundred fighters, a few have
  tens of thousands.
* **Ideologies** come from a mixture of three clusters on the 0..1 scale: secular nationalist,
  Islamist and jihadist.
* **Money**: each group holds some months of upkeep in stock and an own income close to its
  upkeep (the default ``resources.upkeep`` is 1.2 k$ per fighter and year), so groups neither
  all starve nor all grow.
* **Patrons**: a few (2 to 8, growing with the log of the size), each with a preferred
  ideology and a budget; a group is tied to a patron with a probability that falls with their
  ideological distance.
* **Units**: some groups have sub-units (a Poisson number, ``units_per_group`` on average), each
  holding a share of the group's fighters, some with an ideology of their own.
* **Coalitions**: a share of the groups start in coalitions of 2 to 5 ideologically adjacent
  members.
* **Pressure**: a piecewise-constant government-pressure timeline with a few changes, and one
  intervention (the largest patron halves its budget half-way through).

Every rule runs with its declared defaults unless ``rules`` overrides them. The scenario goes
through :func:`sim.scenario.validate_scenario` like any file, and is a pure function of its
arguments: the same arguments give the identical scenario. :func:`write_scenario_yaml` writes
one to a YAML file that ``coalsim run`` accepts.

Typical use::

    from sim import CoalitionModel
    from sim.synthetic import synthetic_scenario
    model = CoalitionModel(synthetic_scenario(1000, seed=1), rng=0).run()
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from sim.scenario import Scenario, validate_scenario

# Ideology clusters: (weight, centre, spread) on the 0 (secular) .. 1 (jihadist) scale.
IDEOLOGY_MIXTURE = ((0.35, 0.15, 0.08), (0.40, 0.50, 0.10), (0.25, 0.88, 0.06))
UPKEEP = 1.2  # k$ per fighter and year: the resources rule's default upkeep


def default_patrons(n_groups: int) -> int:
    """Number of patrons for a theatre of ``n_groups`` groups: 2, growing to 8 with size."""
    return max(2, min(8, round(2 * math.log10(max(n_groups, 1)))))


def synthetic_data(
    n_groups: int,
    *,
    seed: int = 0,
    units_per_group: float = 0.5,
    n_patrons: int | None = None,
    coalition_share: float = 0.2,
    start: dt.date = dt.date(2020, 1, 6),
    weeks: int = 52,
    rules: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The mapping of a synthetic scenario, before validation (see :func:`synthetic_scenario`).

    Returns:
        A plain mapping in the scenario file format (dates as ``datetime.date``).

    Raises:
        ValueError: If a size or share is out of range.
    """
    if n_groups < 1:
        raise ValueError(f"expected n_groups >= 1, got {n_groups}")
    if weeks < 1:
        raise ValueError(f"expected weeks >= 1, got {weeks}")
    if units_per_group < 0:
        raise ValueError(f"expected units_per_group >= 0, got {units_per_group}")
    if not 0.0 <= coalition_share <= 1.0:
        raise ValueError(f"expected coalition_share in [0, 1], got {coalition_share}")
    n_p = default_patrons(n_groups) if n_patrons is None else n_patrons
    if n_p < 0:
        raise ValueError(f"expected n_patrons >= 0, got {n_p}")
    rng = np.random.default_rng(seed)
    width = len(str(n_groups - 1))
    end = start + dt.timedelta(days=7 * weeks)

    # Groups: heavy-tailed sizes, mixture ideologies, money around upkeep.
    fighters = np.clip(np.round(rng.lognormal(math.log(400.0), 1.2, n_groups)), 30, 60_000)
    weights, centres, spreads = (np.array(x) for x in zip(*IDEOLOGY_MIXTURE, strict=True))
    cluster = rng.choice(len(weights), size=n_groups, p=weights)
    ideology = np.clip(rng.normal(centres[cluster], spreads[cluster]), 0.0, 1.0).round(3)
    cohesion = rng.beta(5.0, 4.0, n_groups).round(3)
    exposure = rng.beta(2.0, 2.5, n_groups).round(3)
    n_units = rng.poisson(units_per_group, n_groups) if units_per_group > 0 else None
    unit_share = rng.uniform(0.05, 0.3, n_groups)  # of the core, per unit
    upkeep = UPKEEP * fighters * (1.0 + (unit_share * (0 if n_units is None else n_units)))
    resources = (upkeep * rng.uniform(0.2, 1.2, n_groups)).round(1)
    income = (upkeep * rng.uniform(0.6, 1.4, n_groups)).round(1)

    # Patrons: spread over the ideology scale; budgets together pay ~15% of all upkeep.
    patron_ideology = np.sort(rng.uniform(0.05, 0.95, n_p)).round(2)
    budget_w = rng.lognormal(0.0, 0.7, n_p)
    budgets = (0.15 * upkeep.sum() * budget_w / max(budget_w.sum(), 1e-12)).round(0)
    patrons = [
        {"name": f"P{q + 1}", "ideology": float(patron_ideology[q]), "budget": float(budgets[q])}
        for q in range(n_p)
    ]
    # A tie is likelier to an ideologically close patron; its strength 0.3 .. 0.9.
    tie_p = 0.35 * np.exp(-4.0 * np.abs(ideology[:, None] - patron_ideology[None, :]))
    has_tie = rng.random((n_groups, n_p)) < tie_p
    tie = rng.uniform(0.3, 0.9, (n_groups, n_p)).round(2)

    # Coalitions: ideologically adjacent groups in blocks of 2..5.
    n_in = round(coalition_share * n_groups)
    chosen = rng.choice(n_groups, size=n_in, replace=False) if n_in >= 2 else np.zeros(0, int)
    chosen = chosen[np.argsort(ideology[chosen], kind="stable")]
    coalition_of: dict[int, str] = {}
    coalitions = []
    k = 0
    while len(chosen) - k >= 2:
        size = min(int(rng.integers(2, 6)), len(chosen) - k)
        cname = f"C{len(coalitions) + 1}"
        coalitions.append({"name": cname, "cohesion": round(float(rng.uniform(0.4, 0.8)), 3)})
        for g in chosen[k : k + size].tolist():
            coalition_of[g] = cname
        k += size

    groups = []
    for i in range(n_groups):
        name = f"G{i:0{width}d}"
        spec: dict[str, Any] = {
            "name": name,
            "fighters": float(fighters[i]),
            "ideology": float(ideology[i]),
            "cohesion": float(cohesion[i]),
            "exposure": float(exposure[i]),
            "resources": float(resources[i]),
            "income": float(income[i]),
        }
        ties = {patrons[q]["name"]: float(tie[i, q]) for q in np.flatnonzero(has_tie[i])}
        if ties:
            spec["patrons"] = ties
        if i in coalition_of:
            spec["coalition"] = coalition_of[i]
        if n_units is not None and n_units[i] > 0:
            units = []
            for u in range(int(n_units[i])):
                unit: dict[str, Any] = {
                    "name": f"{name}.u{u + 1}",
                    "fighters": float(max(10.0, round(unit_share[i] * fighters[i]))),
                }
                if rng.random() < 0.5:  # half the units lean away from their group
                    shift = rng.normal(0.0, 0.1)
                    unit["ideology"] = float(np.clip(ideology[i] + shift, 0.0, 1.0).round(3))
                units.append(unit)
            spec["units"] = units
        groups.append(spec)

    # Pressure: a level at the start and three changes at random weeks.
    change_weeks = sorted(set(rng.integers(1, max(2, weeks), size=3).tolist()))
    pressure = [{"start": start, "intensity": round(float(rng.uniform(0.2, 0.5)), 2)}]
    for w in change_weeks:
        pressure.append(
            {
                "start": start + dt.timedelta(days=7 * w),
                "intensity": round(float(rng.uniform(0.1, 0.9)), 2),
            }
        )
    interventions = []
    if n_p > 0:
        big = int(np.argmax(budgets))
        interventions.append(
            {
                "date": start + dt.timedelta(days=7 * (weeks // 2)),
                "action": "set_patron_budget",
                "patron": patrons[big]["name"],
                "value": float(budgets[big] / 2),
                "notes": "synthetic: the largest patron halves its budget half-way through",
            }
        )
    return {
        "name": f"synthetic_{n_groups}_s{seed}",
        "description": (
            f"Synthetic theatre of {n_groups} groups (sim.synthetic, seed {seed}): lognormal "
            "sizes, mixture ideologies, patrons, coalitions of 2-5, a pressure timeline."
        ),
        "start": start,
        "end": end,
        "step_days": 7,
        "patrons": patrons,
        "coalitions": coalitions,
        "groups": groups,
        "pressure": pressure,
        "interventions": interventions,
        "rules": dict(rules or {}),
    }


def synthetic_scenario(
    n_groups: int,
    *,
    seed: int = 0,
    units_per_group: float = 0.5,
    n_patrons: int | None = None,
    coalition_share: float = 0.2,
    start: dt.date = dt.date(2020, 1, 6),
    weeks: int = 52,
    rules: dict[str, dict[str, Any]] | None = None,
) -> Scenario:
    """A validated synthetic scenario of ``n_groups`` armed groups (see the module docstring).

    Args:
        n_groups: Number of armed groups (units and coalitions come on top).
        seed: Seed of the generator; the same arguments give the identical scenario.
        units_per_group: Mean number of units per group (Poisson); 0 for none.
        n_patrons: Number of patrons; default 2 to 8, growing with ``log10(n_groups)``.
        coalition_share: Share of the groups that start in a coalition (of 2 to 5 members).
        start: Start date.
        weeks: Length of the run in weekly steps.
        rules: Rule settings as in a scenario file's ``rules:`` section (default: all rules
            with their defaults).

    Returns:
        The validated scenario.

    Raises:
        ValueError: If a size or share is out of range.
        sim.scenario.ScenarioError: If the result does not validate (a bug here).
    """
    data = synthetic_data(
        n_groups,
        seed=seed,
        units_per_group=units_per_group,
        n_patrons=n_patrons,
        coalition_share=coalition_share,
        start=start,
        weeks=weeks,
        rules=rules,
    )
    return validate_scenario(data, f"<synthetic {n_groups} groups, seed {seed}>")


def write_scenario_yaml(scenario: Scenario, path: str | Path) -> Path:
    """Write a scenario as a YAML file (fields left at their defaults are omitted).

    Returns:
        The path written.
    """
    path = Path(path)
    data = scenario.model_dump(mode="json", exclude_defaults=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
