"""coalsim's model package: scenario -> model -> event log and time series.

Typical use::

    from sim import load_scenario, CoalitionModel
    model = CoalitionModel(load_scenario("scenarios/idlib_2017.yaml"), rng=42).run()
    events = model.events()
"""

from sim.model import CoalitionModel
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["CoalitionModel", "Scenario", "ScenarioError", "load_scenario"]
