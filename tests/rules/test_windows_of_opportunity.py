"""Fighting: initiation from distance, pressure and power; outcome by the contest function."""

from __future__ import annotations

import numpy as np
import pytest

from sim import CoalitionModel
from sim.relations import Status
from tests.factory import group, only, run, scenario

SEEDS = range(30)


def pair(distance: float, pressure: float = 0.0, fighters=(3000, 3000)):
    return scenario(
        [group("A", fighters[0], 0.5), group("B", fighters[1], 0.5 + distance)],
        pressure=[{"start": "2020-01-01", "intensity": pressure}],
        rules=only("windows_of_opportunity", "truces", windows_of_opportunity={"base_rate": 0.003}),
    )


def fights(s) -> int:
    return sum(int((run(s, seed).events().event_type == "fight").sum()) for seed in SEEDS)


def test_more_ideological_distance_more_fighting():
    assert fights(pair(0.45)) > 2 * max(fights(pair(0.0)), 1)


def test_government_pressure_suppresses_infighting():
    assert fights(pair(0.4, pressure=1.0)) < fights(pair(0.4, pressure=0.0))


def test_opportunity_the_stronger_side_attacks_more():
    s = pair(0.3, fighters=(9000, 1500))
    attackers = []
    for seed in SEEDS:
        ev = run(s, seed).events()
        attackers += list(ev[ev.event_type == "fight"].actor)
    assert attackers.count("A") > attackers.count("B")


def forced_fight(strong: float, weak: float, seed: int = 0, **params):
    s = scenario(
        [group("S", strong, 0.5), group("W", weak, 0.5)],
        rules=only("windows_of_opportunity", windows_of_opportunity={"base_rate": 0.0, **params}),
        end="2020-03-01",
    )
    m = CoalitionModel(s, rng=seed)
    m.start_fight(m.actors.index["S"], m.actors.index["W"], [("test", 1.0)])
    return m


def test_contest_stronger_side_loses_a_smaller_share():
    m = forced_fight(6000, 3000)
    for _ in range(3):
        m.step()
    ts = m.timeseries.frame()
    lost = ts.groupby("actor").lost.sum()
    assert 0 < lost["S"] / 6000 < lost["W"] / 3000
    absorbed = ts.groupby("actor").absorbed.sum()
    assert absorbed["S"] > 0 > absorbed["W"]
    assert absorbed["S"] == pytest.approx(-absorbed["W"])


def test_weak_side_is_beaten_dissolved_and_absorbed():
    m = forced_fight(20000, 400, dissolve_below=350).run()
    ev = m.events()
    gone = ev[ev.event_type == "dissolve"]
    assert list(gone.actor) == ["W"] and list(gone.target) == ["S"]
    assert not m.actors.alive[m.actors.index["W"]]
    ts = m.timeseries.frame()
    assert ts[ts.actor == "S"].absorbed.sum() > 0


def test_fighting_pairs_stay_fighting_until_a_truce():
    m = forced_fight(5000, 5000)
    for _ in range(5):
        m.step()
    assert m.relations.get(m.actors.index["S"], m.actors.index["W"]) == Status.FIGHTING


def test_candidate_pairs_are_sparse_for_many_sides():
    groups = [group(f"g{k}", 100 + k, (k % 10) / 10) for k in range(300)]
    s = scenario(groups, rules=only("windows_of_opportunity"))
    m = CoalitionModel(s, rng=0)
    lo, hi = m.candidate_pairs(8)
    assert len(lo) <= 300 * 8
    assert (lo < hi).all()
    assert len(np.unique(lo * 1000 + hi)) == len(lo)
