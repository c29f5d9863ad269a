"""What every rule is: a named mechanism with documented, bounded parameters.

A rule reads and writes the model's state arrays (:mod:`sim.state`), its relation table
(:mod:`sim.relations`) and appends to its event log (:mod:`sim.eventlog`). It never reads the
scenario file or anything downstream of the model (comparison, calibration, plots).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from sim.model import CoalitionModel


@dataclass(frozen=True)
class Param:
    """A tunable parameter of a rule.

    Attributes:
        name: Key used in scenario files and ``--set RULE.PARAM=VALUE``.
        default: Value used when the scenario does not set it.
        low: Smallest admissible value (inclusive); also the calibration prior's lower bound.
        high: Largest admissible value (inclusive); also the prior's upper bound.
        doc: What the parameter means, with its unit.
        source: The literature the parameter's role (and where possible its default) follows.
        integer: Whether only whole numbers are admissible.
    """

    name: str
    default: float
    low: float
    high: float
    doc: str
    source: str = ""
    integer: bool = False

    def check(self, value: object) -> str | None:
        """Return why ``value`` is not admissible, or ``None`` when it is."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"expected a number in [{self.low}, {self.high}], got {value!r}"
        if self.integer and float(value) != int(value):
            return f"expected a whole number in [{self.low}, {self.high}], got {value!r}"
        if not (self.low <= value <= self.high):
            return f"expected a number in [{self.low}, {self.high}], got {value!r}"
        return None


class Rule:
    """Base class of the model's rules.

    Subclasses set the class attributes and implement :meth:`step`. Parameters arrive as
    attributes named like the :class:`Param` entries.

    Args:
        model: The model the rule acts on.
        values: Parameter values, already validated; missing ones take their defaults.
    """

    name: ClassVar[str]
    mechanism: ClassVar[str]
    sources: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    enabled_by_default: ClassVar[bool] = True

    def __init__(self, model: CoalitionModel, values: dict[str, float] | None = None) -> None:
        self.model = model
        values = values or {}
        for p in self.params:
            v = values.get(p.name, p.default)
            setattr(self, p.name, int(v) if p.integer else float(v))

    @classmethod
    def param(cls, name: str) -> Param:
        """Return the declaration of parameter ``name``.

        Raises:
            KeyError: If the rule has no such parameter.
        """
        for p in cls.params:
            if p.name == name:
                return p
        raise KeyError(name)

    def step(self) -> None:
        """Apply the rule for one time step."""
        raise NotImplementedError
