"""Truces: fights end in truces with a duration; truces expire into grudges and can break."""

from __future__ import annotations

import numpy as np

from sim import CoalitionModel
from sim.relations import Status
from tests.factory import group, only, scenario


def fighting_model(seed=0, distance=0.0, **truce_params):
    s = scenario(
        [group("A", 3000, 0.4), group("B", 3000, 0.4 + distance)],
        rules=only(
            "truces",
            "windows_of_opportunity",
            truces=truce_params,
            windows_of_opportunity={"base_rate": 0.0},
        ),
    )
    m = CoalitionModel(s, rng=seed)
    m.start_fight(0, 1, [("test", 1.0)])
    return m


def test_fights_end_in_truces():
    ends = []
    for seed in range(10):
        m = fighting_model(seed)
        while m.running and m.relations.get(0, 1) == Status.FIGHTING:
            m.step()
        ends.append(m.relations.get(0, 1))
    assert ends.count(Status.TRUCE) >= 8


def test_truce_expires_into_a_grudge_then_neutral():
    m = fighting_model(0, base_rate=1.0, mean_duration=2.0, break_rate=0.0, grudge_weeks=3)
    seen = []
    while m.running:
        m.step()
        seen.append(m.relations.get(0, 1))
    assert Status.TRUCE in seen and Status.HOSTILE in seen and seen[-1] == Status.NEUTRAL
    assert seen.index(Status.TRUCE) < seen.index(Status.HOSTILE)


def truce_breaks(distance: float) -> int:
    broken = 0
    for seed in range(20):
        m = fighting_model(seed, distance, base_rate=1.0, mean_duration=500, break_rate=0.02)
        m.run()
        ev = m.events()
        broken += int(ev.causes.str.contains("truce_broken").sum())
    return broken


def test_truces_between_distant_sides_break_more():
    assert truce_breaks(0.6) > truce_breaks(0.0)


def test_costly_fights_end_sooner():
    rule_model = fighting_model(0)
    rule = rule_model.rule("truces")
    cheap = rule.base_rate * np.exp(rule.cost_weight * 0.0)
    costly = rule.base_rate * np.exp(rule.cost_weight * 0.3)
    assert costly > cheap


def test_grudges_fade_and_expire_without_the_truce_rule():
    s = scenario(
        [group("A", 1000, 0.5), group("B", 1000, 0.5)],
        rules=only("windows_of_opportunity", windows_of_opportunity={"base_rate": 0}),
    )
    m = CoalitionModel(s, rng=0)
    m.relations.set(0, 1, Status.HOSTILE, 0, until=4)
    _status, slot = m.relations.state(np.array([0]), np.array([1]))
    levels = [m.relations.grudge(slot, step)[0] for step in range(5)]
    assert levels == sorted(levels, reverse=True) and levels[0] == 1 and levels[-1] == 0
    for _ in range(5):
        m.step()
    assert m.relations.get(0, 1) == Status.NEUTRAL
