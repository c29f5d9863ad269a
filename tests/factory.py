"""Builders of small scenarios for tests: every test states only what matters to it."""

from __future__ import annotations

from typing import Any

from sim.model import CoalitionModel
from sim.rules import RULES
from sim.scenario import Scenario, validate_scenario


def group(name: str, fighters: float = 1000, ideology: float = 0.5, **kw: Any) -> dict:
    """A group spec with sensible defaults (income pays its upkeep)."""
    spec = {
        "name": name,
        "fighters": fighters,
        "ideology": ideology,
        "resources": kw.pop("resources", 2.0 * fighters),
        "income": kw.pop("income", 1.5 * fighters),
    }
    spec.update(kw)
    return spec


def only(*names: str, **params: dict) -> dict:
    """A ``rules:`` section that enables exactly ``names``, with optional parameters."""
    rules = {name: {"enabled": name in names} for name in RULES}
    for name, values in params.items():
        rules[name].update(values)
    return rules


def scenario(groups: list[dict], **kw: Any) -> Scenario:
    """A validated scenario from group specs (and any other top-level fields)."""
    data = {"name": "test", "start": "2020-01-01", "end": "2021-01-01", "groups": groups}
    data.update(kw)
    return validate_scenario(data, "<test>")


def run(s: Scenario, seed: int = 0, **kw: Any) -> CoalitionModel:
    """Build and run a model to its end."""
    return CoalitionModel(s, rng=seed, **kw).run()


def count(model: CoalitionModel, event_type: str, actor: str | None = None) -> int:
    """Number of events of a type (optionally by one actor)."""
    ev = model.events()
    ev = ev[ev.event_type == event_type]
    if actor is not None:
        ev = ev[ev.actor == actor]
    return len(ev)


def total_over_seeds(build, event_type: str, seeds: range, actor: str | None = None) -> int:
    """Events of a type summed over runs of ``build()`` with several seeds."""
    s = build()
    return sum(count(run(s, seed), event_type, actor) for seed in seeds)
