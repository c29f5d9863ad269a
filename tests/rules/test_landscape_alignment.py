"""Landscape alignment: energy and frustration, and local minima worked out by hand.

Case 1 (two friendly pairs): A-B and C-D have propensity +1, every cross pair -1, sizes 1.
Splitting {A,B} | {C,D} puts the four hostile pairs on opposite sides: E = 4 * (-1) = -4, the
global minimum; every other split has E >= -1 for a friendly pair cut (e.g. {A,C}|{B,D}:
AB + AD + CB + CD = 1 - 1 - 1 + 1 = 0), and all-together has E = 0.

Case 2 (hostile triangle): three actors with p = -1 for every pair. Any 2-1 split has two pairs
apart: E = -2; all together E = 0. With two sides the minimum is -2, and one actor is always
frustrated (its rival shares its side).
"""

from __future__ import annotations

import itertools

import numpy as np

from sim import CoalitionModel
from sim.rules.landscape_alignment import descend, energy, frustration, is_local_minimum
from tests.factory import group, only, scenario

FRIENDS = np.array([[0, 1, -1, -1], [1, 0, -1, -1], [-1, -1, 0, 1], [-1, -1, 1, 0]], dtype=float)
ONES = np.ones(4)


def test_energy_and_frustration_by_hand():
    sides = np.array([0, 0, 1, 1])
    assert energy(ONES, FRIENDS, sides) == -4
    np.testing.assert_array_equal(frustration(ONES, FRIENDS, sides), [-2, -2, -2, -2])
    assert energy(ONES, FRIENDS, np.array([0, 1, 0, 1])) == 0
    assert energy(ONES, FRIENDS, np.zeros(4, dtype=int)) == 0


def test_descent_reaches_the_hand_computed_minimum_from_every_start():
    rng = np.random.default_rng(0)
    for start in itertools.product([0, 1], repeat=4):
        end = descend(ONES, FRIENDS, np.array(start), 2, rng)
        assert energy(ONES, FRIENDS, end) == -4
        assert end[0] == end[1] != end[2] == end[3]
        assert is_local_minimum(ONES, FRIENDS, end, 2)


def test_hostile_triangle_settles_at_minus_two():
    prop = -np.ones((3, 3)) + np.eye(3)
    rng = np.random.default_rng(1)
    end = descend(np.ones(3), prop, np.zeros(3, dtype=int), 2, rng)
    assert energy(np.ones(3), prop, end) == -2
    brute = min(energy(np.ones(3), prop, np.array(s)) for s in itertools.product([0, 1], repeat=3))
    assert brute == -2


def test_weighted_sizes_matter():
    # A big actor C attracts the undecided B although B slightly prefers A.
    prop = np.array([[0, 0.2, -1], [0.2, 0, 0.1], [-1, 0.1, 0]])
    sizes = np.array([1.0, 1.0, 10.0])
    end = descend(sizes, prop, np.array([0, 0, 1]), 2, np.random.default_rng(0))
    assert end[1] == end[2] != end[0]


def test_model_runs_landscape_alone_to_the_minimum():
    groups = [
        group(n, 1000, 0.5, coalition=c)
        for n, c in (("A", "Left"), ("B", "Right"), ("C", "Left"), ("D", "Right"))
    ]
    props = [
        {"a": a, "b": b, "value": v}
        for (a, b), v in {
            ("A", "B"): 1,
            ("C", "D"): 1,
            ("A", "C"): -1,
            ("A", "D"): -1,
            ("B", "C"): -1,
            ("B", "D"): -1,
        }.items()
    ]
    s = scenario(
        groups,
        coalitions=[{"name": "Left"}, {"name": "Right"}],
        landscape={"propensities": props},
        rules=only("landscape_alignment"),
        end="2020-03-01",
    )
    m = CoalitionModel(s, rng=3).run()
    side = m.alignment()
    assert side["A"] == side["B"] != side["C"] == side["D"]
    switches = m.events()
    assert set(switches.event_type) <= {"defect", "join"}
    rule = m.rule("landscape_alignment")
    assert energy(rule.sizes, rule.prop, rule.current_sides()) == -4 * 1000 * 1000


def test_an_emptied_side_is_not_a_side():
    groups = [group("A", 1000, 0.5, coalition="Left"), group("B", 1000, 0.5, coalition="Right")]
    props = [{"a": "A", "b": "B", "value": 1}]
    s = scenario(
        groups,
        coalitions=[{"name": "Left"}, {"name": "Right"}],
        landscape={"propensities": props},
        rules=only("landscape_alignment"),
        end="2020-02-01",
    )
    m = CoalitionModel(s, rng=0).run()
    side = m.alignment()
    assert side["A"] == side["B"]
    names = {m.actors.names[i] for i in m.sides.tolist()}
    assert len(names) == 1 and names <= {"Left", "Right"}
