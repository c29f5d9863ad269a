"""The model's rules, one module per mechanism, and the registry that scenarios name them by.

Rules run each step in the order of :data:`RULES`: the economy first (income, upkeep,
recruitment, losses to outside pressure), then relations between sides (truces, fighting,
tactical cooperation), then alignment (defection and splitting, then joining and merging; or
landscape alignment instead of both).
"""

from __future__ import annotations

from sim.rules.base import Param, Rule
from sim.rules.defection import Defection
from sim.rules.landscape_alignment import LandscapeAlignment
from sim.rules.minimum_winning_coalition import MinimumWinningCoalition
from sim.rules.resources import Resources
from sim.rules.tactical_cooperation import TacticalCooperation
from sim.rules.truces import Truces
from sim.rules.windows_of_opportunity import WindowsOfOpportunity

RULES: dict[str, type[Rule]] = {
    r.name: r
    for r in (
        Resources,
        Truces,
        WindowsOfOpportunity,
        TacticalCooperation,
        Defection,
        MinimumWinningCoalition,
        LandscapeAlignment,
    )
}

# (rule, rule that replaces it): the second cannot run together with the first.
_REPLACES = (
    ("minimum_winning_coalition", "landscape_alignment"),
    ("defection", "landscape_alignment"),
)


def rule_conflicts(enabled: list[str]) -> list[tuple[str, str]]:
    """Pairs of enabled rules that cannot run together."""
    return [(a, b) for a, b in _REPLACES if a in enabled and b in enabled]


__all__ = ["RULES", "Param", "Rule", "rule_conflicts"]
