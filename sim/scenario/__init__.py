"""Scenario files: their schema, loading and validation.

Data flows one way: a file is read here into a validated :class:`Scenario`, which the model
(:mod:`sim.model`) is built from. Nothing here knows about the model.
"""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import (
    load_scenario,
    load_scenario_text,
    validate_scenario,
    with_params,
)
from sim.scenario.schema import Scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_scenario_text",
    "validate_scenario",
    "with_params",
]
