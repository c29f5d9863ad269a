"""Scenario files: their schema, loading and validation.

Data flows one way: a file is read here into a validated :class:`Scenario`, which the model
(:mod:`sim.model`) is built from. Nothing here knows about the model. A scenario's ``fitted:``
file (rule parameters from a calibration) is read and merged here too (:mod:`sim.scenario.fitted`).
"""

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.fitted import FittedSource, read_fitted
from sim.scenario.loader import (
    load_scenario,
    load_scenario_text,
    validate_scenario,
    with_params,
)
from sim.scenario.schema import Scenario

__all__ = [
    "FittedSource",
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_scenario_text",
    "read_fitted",
    "validate_scenario",
    "with_params",
]
