"""Priors of a calibration: the ranges the rules declare, uniform or log-uniform.

Every rule parameter declares an admissible range ``[low, high]`` (:class:`sim.rules.Param`);
the prior of a calibrated parameter is built from it by one fixed, documented rule:

* **log-uniform** for hazards whose range spans orders of magnitude: a parameter whose name
  ends in ``rate`` with ``low == 0`` gets a log-uniform prior on
  ``[min(high / 1000, default / 10), high]`` (a log scale cannot reach 0; the lower bound is
  three decades below the top of the range, or a decade below the default when the default is
  smaller, so the default is always inside the prior). Any parameter with ``low > 0`` and
  ``high / low >= 100`` gets a log-uniform prior on ``[low, high]``.
* **uniform** on ``[low, high]`` for everything else (weights, thresholds, shares).

ABC-SMC works in the prior's own space: the log10 of the value for a log-uniform prior (so
the perturbation kernel moves by factors, not by absolute amounts), the value itself
otherwise; :meth:`Prior.natural` converts back. Whole-number parameters are rounded before a
run. ``rule.enabled`` cannot be calibrated, nor a parameter of a rule the scenario does not run.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from sim.scenario import Problem, Scenario, ScenarioError

DEFAULT_PARAMS = (
    "windows_of_opportunity.base_rate",
    "defection.base_rate",
    "minimum_winning_coalition.rate",
    "tactical_cooperation.base_rate",
    "truces.base_rate",
)
"""Calibrated by default: the base hazards of fighting, defecting, aligning, allying and
agreeing truces. They set how often each kind of event happens at all, which is what the
summary statistics (counts per half-year, key pairs, alignment) constrain most directly."""

LOG_DECADES = 3.0
"""Decades below ``high`` that a log-uniform prior of a ``low == 0`` rate reaches (at least)."""


@dataclass(frozen=True)
class Prior:
    """The prior of one calibrated parameter.

    Attributes:
        name: ``rule.param``.
        low: Lower bound of the prior's support, natural units.
        high: Upper bound, natural units.
        scale: ``"log"`` (log-uniform: uniform in log10 of the value) or ``"linear"``.
        default: The rule's declared default.
        declared: The rule's declared range ``(low, high)``.
        integer: Whether the parameter takes whole numbers only (rounded before a run).
        doc: What the parameter means.
    """

    name: str
    low: float
    high: float
    scale: str
    default: float
    declared: tuple[float, float]
    integer: bool = False
    doc: str = ""

    @property
    def lo(self) -> float:
        """Lower bound in the sampling space (log10 for a log prior)."""
        return math.log10(self.low) if self.scale == "log" else self.low

    @property
    def hi(self) -> float:
        """Upper bound in the sampling space."""
        return math.log10(self.high) if self.scale == "log" else self.high

    def natural(self, x: float) -> float:
        """A value of the sampling space in the parameter's own units (clipped to the prior)."""
        v = 10.0**x if self.scale == "log" else float(x)
        v = min(max(v, self.low), self.high)
        return float(round(v)) if self.integer else v

    def internal(self, v: float) -> float:
        """A value in the parameter's units, in the sampling space."""
        return math.log10(v) if self.scale == "log" else float(v)

    def describe(self) -> str:
        """E.g. ``log-uniform [0.0002, 0.2]``."""
        kind = "log-uniform" if self.scale == "log" else "uniform"
        return f"{kind} [{self.low:.4g}, {self.high:.4g}]"

    def quantile(self, q: float) -> float:
        """Quantile ``q`` of the prior, natural units."""
        return self.natural(self.lo + q * (self.hi - self.lo))


def prior_for(name: str) -> Prior:
    """The prior of ``rule.param`` from the rule's declared range (see the module docstring).

    Raises:
        KeyError: If ``name`` is not a rule parameter.
    """
    from sim.rules import RULES

    rule_name, _, pname = name.partition(".")
    p = RULES[rule_name].param(pname)
    low, high = float(p.low), float(p.high)
    if pname.endswith("rate") and low == 0.0 and high > 0:
        floor = high / 10**LOG_DECADES
        if p.default > 0:
            floor = min(floor, p.default / 10.0)
        return Prior(name, floor, high, "log", p.default, (low, high), p.integer, p.doc)
    if low > 0 and high / low >= 100:
        return Prior(name, low, high, "log", p.default, (low, high), p.integer, p.doc)
    return Prior(name, low, high, "linear", p.default, (low, high), p.integer, p.doc)


def resolve_priors(names: Sequence[str] | None, scenario: Scenario) -> list[Prior]:
    """Check parameter names against the rules and the scenario; return their priors.

    Args:
        names: ``rule.param`` names (``None`` or empty: :data:`DEFAULT_PARAMS`).
        scenario: The scenario calibrated (its enabled rules).

    Raises:
        ScenarioError: Naming every bad name (unknown rule or parameter, ``enabled``, a rule
            the scenario does not run, a duplicate, a parameter with an empty range).
    """
    from sim.rules import RULES

    names = list(names) if names else list(DEFAULT_PARAMS)
    problems, priors, seen = [], [], set()
    for name in names:
        rule_name, sep, pname = name.partition(".")
        if not sep or not pname:
            problems.append(Problem(name, "expected RULE.PARAM, e.g. truces.base_rate"))
            continue
        if rule_name not in RULES:
            problems.append(
                Problem(name, f"expected a rule among {list(RULES)}, got {rule_name!r}")
            )
            continue
        if pname == "enabled":
            problems.append(Problem(name, "whether a rule runs cannot be calibrated"))
            continue
        try:
            RULES[rule_name].param(pname)
        except KeyError:
            known = [p.name for p in RULES[rule_name].params]
            problems.append(Problem(name, f"expected a parameter of {rule_name} among {known}"))
            continue
        if not scenario.rule_enabled(rule_name):
            problems.append(
                Problem(name, f"the rule {rule_name} does not run in scenario {scenario.name!r}")
            )
            continue
        if name in seen:
            problems.append(Problem(name, "named twice"))
            continue
        seen.add(name)
        prior = prior_for(name)
        if not prior.high > prior.low:
            problems.append(Problem(name, "its declared range is a single value"))
            continue
        priors.append(prior)
    if problems:
        raise ScenarioError("--params", problems)
    return priors


def pyabc_prior(priors: Sequence[Prior]):
    """The pyabc ``Distribution`` of independent uniforms in the sampling space."""
    from pyabc import RV, Distribution

    return Distribution(**{p.name: RV("uniform", p.lo, p.hi - p.lo) for p in priors})


def natural_values(priors: Sequence[Prior], internal: dict) -> dict[str, float]:
    """A pyabc parameter (sampling space) as ``{rule.param: value}`` in natural units."""
    return {p.name: p.natural(float(internal[p.name])) for p in priors}
