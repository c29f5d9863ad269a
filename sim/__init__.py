"""coalsim's model package: scenario -> model -> event log and time series.

Typical use::

    from sim import load_scenario, CoalitionModel
    model = CoalitionModel(load_scenario("scenarios/idlib_2017.yaml"), rng=42).run()
    events = model.events()

The model (and with it Mesa) is imported on first use, so that reading and validating
scenarios, e.g. in the command line, stays quick.
"""

from typing import TYPE_CHECKING

from sim.scenario import Scenario, ScenarioError, load_scenario

if TYPE_CHECKING:
    from sim.model import CoalitionModel

__all__ = ["CoalitionModel", "Scenario", "ScenarioError", "load_scenario"]


def __getattr__(name: str):
    if name == "CoalitionModel":
        from sim.model import CoalitionModel

        return CoalitionModel
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
