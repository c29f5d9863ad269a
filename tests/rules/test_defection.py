"""Defection and splitting: direction of each effect, on the hazard and in simulated ensembles."""

from __future__ import annotations

from sim import CoalitionModel
from sim.rules.defection import TERMS
from tests.factory import group, only, run, scenario

SEEDS = range(40)


def coalition_scenario(member_ideology=0.5, tie=0.0, cohesion=0.5, **rule_params):
    return scenario(
        [
            group("L", 8000, 0.5, coalition="C", patrons={"P": 1.0}),
            group("M", 2000, member_ideology, coalition="C", patrons={"P": tie} if tie else {}),
            group("N", 2000, 0.5, coalition="C"),
        ],
        coalitions=[{"name": "C", "leader": "L", "cohesion": cohesion}],
        patrons=[{"name": "P", "ideology": 0.5, "budget": 0}],
        rules=only("defection", defection=rule_params),
    )


def member_terms(m: CoalitionModel, name: str) -> dict[str, float]:
    members, _parent, terms, _factor = m.rule("defection").terms()
    row = members.tolist().index(m.actors.index[name])
    return dict(zip(TERMS, terms[row].tolist(), strict=True))


def hazard_terms(s) -> dict[str, float]:
    return member_terms(CoalitionModel(s, rng=0), "M")


def defections_of_m(s) -> int:
    total = 0
    for seed in SEEDS:
        ev = run(s, seed).events()
        total += int(((ev.event_type == "defect") & (ev.actor == "M")).sum())
    return total


def test_ideological_distance_raises_the_hazard():
    near = sum(hazard_terms(coalition_scenario(0.5)).values())
    far = sum(hazard_terms(coalition_scenario(1.0)).values())
    assert far > near


def test_more_ideological_distance_more_defection():
    near = defections_of_m(coalition_scenario(0.55))
    far = defections_of_m(coalition_scenario(1.0))
    assert far > 2 * max(near, 1)


def test_stronger_tie_to_the_coalitions_patron_less_defection():
    assert hazard_terms(coalition_scenario(tie=1.0))["patron_pull"] < 0
    weak = defections_of_m(coalition_scenario(0.9))
    strong = defections_of_m(coalition_scenario(0.9, tie=1.0))
    assert strong < weak


def test_patron_that_dislikes_the_leader_pulls_out():
    s = scenario(
        [
            group("L", 8000, 0.9, coalition="C"),
            group("M", 2000, 0.5, coalition="C", patrons={"Q": 1.0}),
        ],
        coalitions=[{"name": "C", "leader": "L"}],
        patrons=[{"name": "Q", "ideology": 0.1}],
        rules=only("defection"),
    )
    assert hazard_terms(s)["patron_pull"] > 0


def test_cohesion_holds_members_in():
    loose = sum(hazard_terms(coalition_scenario(0.8, cohesion=0.1)).values())
    tight = sum(hazard_terms(coalition_scenario(0.8, cohesion=0.9)).values())
    assert tight < loose


def test_losses_and_aggression_raise_the_hazard():
    m = CoalitionModel(coalition_scenario(0.7), rng=0)
    a = m.actors
    base = sum(member_terms(m, "M").values())
    a.losses_ema[a.index["C"]] = 0.3
    hurt = sum(member_terms(m, "M").values())
    a.aggression_ema[a.index["C"]] = 2.0
    aggressive = sum(member_terms(m, "M").values())
    assert base < hurt < aggressive


def test_the_leader_never_defects():
    m = CoalitionModel(coalition_scenario(0.7), rng=0)
    members, _parent, _terms, _factor = m.rule("defection").terms()
    assert m.actors.index["L"] not in members.tolist()
    assert {m.actors.index["M"], m.actors.index["N"]} <= set(members.tolist())


def test_units_split_off_as_groups():
    s = scenario(
        [group("A", 3000, 0.3, units=[{"name": "A1", "fighters": 500, "ideology": 1.0}])],
        rules=only("defection", defection={"base_rate": 0.2, "unit_factor": 1.0}),
    )
    m = run(s, 0)
    ev = m.events()
    split = ev[ev.event_type == "split"]
    assert list(split.actor) == ["A1"] and list(split.target) == ["A"]
    assert m.agent_of(m.actors.index["A1"]).kind.name == "GROUP"


def test_coalition_dissolves_when_one_member_is_left():
    s = scenario(
        [group("L", 8000, 0.0, coalition="C"), group("M", 2000, 1.0, coalition="C")],
        coalitions=[{"name": "C"}],
        rules=only("defection", defection={"base_rate": 0.2}),
    )
    ev = run(s, 0).events()
    assert ("defect", "M", "C") in set(zip(ev.event_type, ev.actor, ev.target, strict=True))
    assert ((ev.event_type == "dissolve") & (ev.actor == "C")).sum() == 1


def test_members_lose_cohesion_when_their_side_loses_fighters():
    s = coalition_scenario(0.5, cohesion=0.8, base_rate=0.0)
    m = CoalitionModel(s, rng=0)
    a = m.actors
    before = a.cohesion[a.index["M"]]
    m.ledger_loss(a.index["L"], 3000)  # the side loses a quarter of its fighters
    m.refresh()
    m.rule("defection").step()
    assert a.cohesion[a.index["M"]] < before - 0.05
    assert a.cohesion[a.index["C"]] < 0.8 - 0.05


def test_a_unit_with_somewhere_to_go_moves_as_a_unit():
    s = scenario(
        [
            group("A", 3000, 0.2, units=[{"name": "A1", "fighters": 400, "ideology": 0.9}]),
            group("B", 5000, 0.9),
            group("R", 6000, 0.5),
        ],
        rules=only(
            "defection",
            "minimum_winning_coalition",
            defection={"base_rate": 0.2, "unit_factor": 1.0},
        ),
    )
    m = run(s, 1)
    ev = m.events()
    moved = ev[(ev.actor == "A1") & (ev.event_type == "join")]
    assert list(moved.target)[:1] == ["B"]
    a = m.actors
    assert a.kind[a.index["A1"]] == 0 and a.parent[a.index["A1"]] == a.index["B"]
