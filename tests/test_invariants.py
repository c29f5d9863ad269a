"""Invariants that hold in any scenario and seed (property tests with hypothesis).

- fighters are never negative;
- every alive unit is in exactly one alive group, every group in at most one alive coalition,
  and every alive coalition has at least two alive members;
- a row's own fighters change only through logged recruitment, losses or absorption
  (movement of units changes groups' totals but not own fighters).
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import CoalitionModel
from sim.state import Kind
from tests.factory import group, scenario


@st.composite
def scenarios(draw):
    n = draw(st.integers(2, 6))
    groups = []
    for k in range(n):
        units = [
            {"name": f"g{k}u{u}", "fighters": draw(st.floats(0, 3000))}
            for u in range(draw(st.integers(0, 2)))
        ]
        groups.append(
            group(
                f"g{k}",
                fighters=draw(st.floats(0, 20000)),
                ideology=draw(st.floats(0, 1)),
                cohesion=draw(st.floats(0, 1)),
                resources=draw(st.floats(0, 50000)),
                income=draw(st.floats(0, 30000)),
                exposure=draw(st.floats(0, 1)),
                patrons={"P": draw(st.floats(0, 1))},
                units=units,
            )
        )
    coalitions = []
    if n >= 4 and draw(st.booleans()):
        coalitions = [{"name": "C", "cohesion": draw(st.floats(0, 1))}]
        groups[0]["coalition"] = groups[1]["coalition"] = "C"
    pressure = [{"start": "2020-01-01", "intensity": draw(st.floats(0, 1))}]
    rules = {
        "windows_of_opportunity": {"base_rate": draw(st.floats(0, 0.2))},
        "defection": {"base_rate": draw(st.floats(0, 0.2))},
        "minimum_winning_coalition": {"rate": draw(st.floats(0, 1))},
    }
    return scenario(
        groups,
        coalitions=coalitions,
        pressure=pressure,
        rules=rules,
        patrons=[{"name": "P", "ideology": 0.3, "budget": draw(st.floats(0, 1e5))}],
        end="2020-09-30",
    )


def check_hierarchy(m: CoalitionModel) -> None:
    a = m.actors
    n = a.n
    alive, kind, parent = a.alive[:n], a.kind[:n], a.parent[:n]
    for i in np.flatnonzero(alive).tolist():
        p = parent[i]
        if kind[i] == Kind.UNIT:
            assert p >= 0 and alive[p] and kind[p] == Kind.GROUP
        elif kind[i] == Kind.GROUP:
            assert p < 0 or (alive[p] and kind[p] == Kind.COALITION)
        else:
            assert p < 0
            assert len(a.members(i)) >= 2
            assert a.leader[i] in a.members(i).tolist()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(s=scenarios(), seed=st.integers(0, 2**31))
def test_invariants_hold_every_step(s, seed):
    m = CoalitionModel(s, rng=seed)
    check_hierarchy(m)
    while m.running:
        n_before = m.actors.n
        before = m.actors.fighters[:n_before].copy()
        m.step()
        a = m.actors
        assert (a.fighters[: a.n] >= -1e-9).all()
        check_hierarchy(m)
        flow = m.ledger["recruited"][:n_before] - m.ledger["lost"][:n_before]
        flow += m.ledger["absorbed"][:n_before]
        np.testing.assert_allclose(a.fighters[:n_before] - before, flow, atol=1e-6)


def test_units_keep_fighters_when_they_move():
    s = scenario(
        [
            group("A", 5000, 0.5, units=[{"name": "A1", "fighters": 700, "ideology": 1.0}]),
            group("B", 8000, 1.0),
        ],
        rules={
            "defection": {"base_rate": 0.2, "ideology_weight": 10, "cohesion_weight": 0},
            "windows_of_opportunity": {"enabled": False},
            "resources": {"enabled": False},
        },
    )
    m = CoalitionModel(s, rng=1).run()
    ev = m.events()
    left = ev[(ev.actor == "A1") & ev.event_type.isin(["split"])]
    assert len(left) >= 1
    assert m.actors.fighters[m.actors.index["A1"]] == 700
