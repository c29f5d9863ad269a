"""The synthetic scenario generator: deterministic, valid, the requested sizes, runnable."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.model import CoalitionModel
from sim.scenario import load_scenario
from sim.synthetic import synthetic_data, synthetic_scenario, write_scenario_yaml


def test_same_seed_same_scenario():
    assert synthetic_scenario(80, seed=3) == synthetic_scenario(80, seed=3)


def test_other_seed_other_scenario():
    assert synthetic_scenario(80, seed=3) != synthetic_scenario(80, seed=4)


@pytest.mark.parametrize("n", [1, 2, 7, 120])
def test_requested_sizes(n):
    s = synthetic_scenario(n, seed=1, n_patrons=3, weeks=10)
    assert len(s.groups) == n
    assert len(s.patrons) == 3
    assert (s.end - s.start).days == 70
    assert len({g.name for g in s.groups}) == n


def test_shape_of_the_theatre():
    s = synthetic_scenario(400, seed=2, units_per_group=1.0, coalition_share=0.3)
    members: dict[str, int] = {}
    for g in s.groups:
        if g.coalition:
            members[g.coalition] = members.get(g.coalition, 0) + 1
    assert set(members) == {c.name for c in s.coalitions}
    assert all(2 <= k <= 5 for k in members.values())
    assert 0.25 * 400 <= sum(members.values()) <= 0.3 * 400 + 1
    fighters = sorted(g.fighters for g in s.groups)
    assert fighters[-1] > 10 * fighters[len(fighters) // 2]  # heavy-tailed sizes
    n_units = sum(len(g.units) for g in s.groups)
    assert 300 <= n_units <= 500  # Poisson, mean 1 per group
    assert any(g.patrons for g in s.groups)
    assert len(s.pressure) >= 2
    assert [p.start for p in s.pressure] == sorted(p.start for p in s.pressure)


def test_no_units_no_coalitions_no_patrons():
    s = synthetic_scenario(30, seed=0, units_per_group=0, coalition_share=0, n_patrons=0)
    assert not s.coalitions and not s.patrons and not s.interventions
    assert all(not g.units and not g.patrons for g in s.groups)


def test_rules_are_passed_through():
    rules = {"truces": {"base_rate": 0.5}, "tactical_cooperation": {"enabled": False}}
    s = synthetic_scenario(20, rules=rules, start=dt.date(2019, 1, 7))
    assert s.rule_values("truces") == {"base_rate": 0.5}
    assert not s.rule_enabled("tactical_cooperation")
    assert s.start == dt.date(2019, 1, 7)


@pytest.mark.parametrize(
    "kwargs", [{"n_groups": 0}, {"weeks": 0}, {"coalition_share": 1.5}, {"units_per_group": -1}]
)
def test_bad_arguments(kwargs):
    args = {"n_groups": 10, **kwargs}
    with pytest.raises(ValueError):
        synthetic_data(args.pop("n_groups"), **args)


def test_yaml_round_trip(tmp_path):
    s = synthetic_scenario(40, seed=5)
    path = write_scenario_yaml(s, tmp_path / "synthetic.yaml")
    assert load_scenario(path) == s


def test_runs_a_few_steps_deterministically():
    s = synthetic_scenario(50, seed=7, weeks=6)
    a = CoalitionModel(s, rng=1).run()
    b = CoalitionModel(s, rng=1).run()
    assert a.steps == 6 and not a.running
    assert a.log.rows == b.log.rows
    assert a.actors.n >= 50
