"""Tactical cooperation: ideologically close sides and sides with a common enemy ally more."""

from __future__ import annotations

from sim import CoalitionModel
from tests.factory import group, only, run, scenario


def alliances(distance: float) -> int:
    s = scenario(
        [group("A", 3000, 0.3), group("B", 3000, 0.3 + distance)],
        rules=only("tactical_cooperation", tactical_cooperation={"base_rate": 0.02}),
    )
    return sum(int((run(s, seed).events().event_type == "alliance").sum()) for seed in range(15))


def test_closer_sides_ally_more():
    assert alliances(0.0) > 2 * max(alliances(0.5), 1)


def test_common_enemy_is_detected():
    s = scenario(
        [group("A", 100, 0.5), group("B", 100, 0.5), group("E", 100, 0.5)],
        rules=only("tactical_cooperation"),
    )
    m = CoalitionModel(s, rng=0)
    a, b, e = (m.actors.index[k] for k in "ABE")
    m.start_fight(a, e, [])
    import numpy as np

    assert m.common_enemy(np.array([a]), np.array([b]))[0] == 0.0
    m.start_fight(e, b, [])
    assert m.common_enemy(np.array([a]), np.array([b]))[0] == 1.0
