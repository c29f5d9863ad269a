"""Mesa agents: armed groups (and their units), coalitions and patrons.

The agents are thin views on rows of the model's :class:`~sim.state.ActorTable`: reading an
attribute reads the array, so the agents and the vectorised rules never disagree. Use them to
inspect a model (``model.agents_by_type[ArmedGroup].select(lambda g: g.fighters > 1000)``),
in visualisations, or to write a rule agent by agent; the shipped rules act on the arrays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from sim.state import Kind

if TYPE_CHECKING:
    from sim.model import CoalitionModel


class _ActorAgent(mesa.Agent):
    """An agent backed by row ``row`` of the model's actor table."""

    def __init__(self, model: CoalitionModel, row: int) -> None:
        super().__init__(model)
        self.row = row

    @property
    def name(self) -> str:
        """Unique name (as in the scenario or generated for a new coalition)."""
        return self.model.actors.names[self.row]

    @property
    def kind(self) -> Kind:
        """Level in the hierarchy: unit, group or coalition."""
        return Kind(int(self.model.actors.kind[self.row]))

    @property
    def alive(self) -> bool:
        """Whether the actor still exists."""
        return bool(self.model.actors.alive[self.row])

    @property
    def total_fighters(self) -> float:
        """Fighters including those of units or member groups."""
        return float(self.model.totals[self.row])

    @property
    def cohesion(self) -> float:
        """Cohesion, 0 .. 1."""
        return float(self.model.actors.cohesion[self.row])

    @property
    def ideology(self) -> float:
        """Ideology, 0 (secular nationalist) .. 1 (global jihadist)."""
        return float(self.model.side_ideology[self.row])

    @property
    def parent(self) -> _ActorAgent | None:
        """The group a unit belongs to, or the coalition a group belongs to."""
        p = int(self.model.actors.parent[self.row])
        return self.model.agent_of(p) if p >= 0 else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


class ArmedGroup(_ActorAgent):
    """An armed group or a unit inside one (``kind`` tells which)."""

    @property
    def fighters(self) -> float:
        """Own fighters (a group's core; a unit's fighters)."""
        return float(self.model.actors.fighters[self.row])

    @property
    def resources(self) -> float:
        """Stock of resources, k$."""
        return float(self.model.actors.resources[self.row])

    @property
    def patrons(self) -> dict[str, float]:
        """Patron name -> tie strength (non-zero ties only)."""
        ties = self.model.actors.ties[self.row]
        return {p: float(t) for p, t in zip(self.model.patron_names, ties, strict=True) if t > 0}

    @property
    def units(self) -> list[ArmedGroup]:
        """Units of a group (empty for a unit)."""
        return [self.model.agent_of(int(u)) for u in self.model.actors.members(self.row)]


class Coalition(_ActorAgent):
    """An umbrella of groups led by one of them."""

    @property
    def leader(self) -> ArmedGroup | None:
        """The leading member group."""
        lead = int(self.model.actors.leader[self.row])
        return self.model.agent_of(lead) if lead >= 0 else None

    @property
    def members(self) -> list[ArmedGroup]:
        """Member groups."""
        return [self.model.agent_of(int(g)) for g in self.model.actors.members(self.row)]


class Patron(mesa.Agent):
    """A state or organisational sponsor with an ideology preference and a yearly budget."""

    def __init__(self, model: CoalitionModel, column: int) -> None:
        super().__init__(model)
        self.column = column

    @property
    def name(self) -> str:
        """Patron name."""
        return self.model.patron_names[self.column]

    @property
    def budget(self) -> float:
        """Yearly budget for all clients, k$."""
        return float(self.model.patron_budget[self.column])

    @property
    def clients(self) -> dict[str, float]:
        """Client name -> tie strength, for alive clients."""
        a = self.model.actors
        col = a.ties[: a.n, self.column]
        return {a.names[i]: float(col[i]) for i in range(a.n) if col[i] > 0 and a.alive[i]}

    def __repr__(self) -> str:
        return f"Patron({self.name!r})"
