"""Joining and merging: spoils, ideology, patrons, protection, and the leader's acceptance."""

from __future__ import annotations

import numpy as np

from sim import CoalitionModel
from tests.factory import group, only, run, scenario


def model(groups, coalitions=(), **params):
    s = scenario(
        list(groups),
        coalitions=list(coalitions),
        rules=only("minimum_winning_coalition", minimum_winning_coalition=params),
    )
    return CoalitionModel(s, rng=0)


def utility(m, g: str, option: str) -> tuple[dict[str, float], bool]:
    rule = m.rule("minimum_winning_coalition")
    terms, accepts = rule.utilities(m.actors.index[g], np.array([m.actors.index[option]]))
    return {k: float(v[0]) for k, v in terms.items()}, bool(accepts[0])


def test_ideological_distance_lowers_utility():
    m = model(
        [
            group("G", 500, 0.5),
            group("Near", 3000, 0.55),
            group("Far", 3000, 0.95),
            group("R", 4000, 0.2),
        ]
    )
    near, _ = utility(m, "G", "Near")
    far, _ = utility(m, "G", "Far")
    assert sum(near.values()) > sum(far.values())


def test_shared_patrons_raise_utility():
    groups = [
        group("G", 500, 0.5, patrons={"P": 1.0}),
        group("X", 3000, 0.5, patrons={"P": 1.0}),
        group("Y", 3000, 0.5),
        group("R", 4000, 0.2),
    ]
    s = scenario(
        groups, patrons=[{"name": "P", "ideology": 0.5}], rules=only("minimum_winning_coalition")
    )
    m = CoalitionModel(s, rng=0)
    x, _ = utility(m, "G", "X")
    y, _ = utility(m, "G", "Y")
    assert x["shared_patrons"] > y["shared_patrons"] == 0


def test_group_under_attack_seeks_protection():
    m = model([group("G", 500, 0.5), group("Ally", 4000, 0.5), group("A", 6000, 0.9)])
    calm, _ = utility(m, "G", "Ally")
    a = m.actors
    a.attacked_ema[a.index["G"]] = 1.0
    a.attacker[a.index["G"]] = a.index["A"]
    attacked, _ = utility(m, "G", "Ally")
    assert calm["protection"] == 0 < attacked["protection"]


def test_dominant_leader_refuses_a_diluting_partner_a_needy_one_accepts():
    # C is already sure to win: a big newcomer only dilutes its leader's share.
    m = model(
        [group("Dominant", 20000, 0.5), group("Big", 8000, 0.5), group("R", 2000, 0.5)],
        tolerance=0.05,
    )
    _, accepts = utility(m, "Big", "Dominant")
    assert not accepts
    # A leader facing a stronger rival needs the newcomer's power.
    m = model(
        [group("Needy", 6000, 0.5), group("Big", 4000, 0.5), group("R", 8000, 0.5)], tolerance=0.05
    )
    _, accepts = utility(m, "Big", "Needy")
    assert accepts


def test_merger_creates_named_coalition_and_lists_components():
    groups = [
        group("Core", 6000, 0.8, coalition_name="United Front"),
        group("Ally1", 800, 0.8),
        group("Ally2", 700, 0.8),
        group("Rival", 7000, 0.2),
    ]
    s = scenario(
        groups, rules=only("minimum_winning_coalition", minimum_winning_coalition={"rate": 1.0})
    )
    m = run(s, 0)
    ev = m.events()
    merges = ev[ev.event_type == "merge"]
    assert len(merges) >= 1
    first = merges.iloc[0]
    assert first.actor == "United Front"
    assert "Core" in first.target.split(";")
    names = set(first.target.split(";")) | set(ev[(ev.event_type == "join")].actor)
    assert {"Ally1", "Ally2"} <= names
    assert m.alignment()["Ally1"] == m.alignment()["Core"]


def test_no_joining_a_side_one_is_fighting():
    m = model([group("G", 500, 0.5), group("X", 4000, 0.5), group("R", 5000, 0.1)])
    a = m.actors
    m.start_fight(a.index["X"], a.index["G"], [])
    opts = m.rule("minimum_winning_coalition").options_for(a.index["G"])
    assert a.index["X"] not in opts.tolist()


def test_a_single_independent_group_can_join_a_coalition():
    s = scenario(
        [
            group("L", 6000, 0.5, coalition="C"),
            group("M", 3000, 0.5, coalition="C"),
            group("G", 800, 0.5),
            group("R", 9000, 0.1, coalition="D"),
            group("R2", 3000, 0.1, coalition="D"),
        ],
        coalitions=[{"name": "C"}, {"name": "D"}],
        rules=only("minimum_winning_coalition", minimum_winning_coalition={"rate": 1.0}),
    )
    m = run(s, 0)
    assert m.alignment()["G"] == "C"


def test_a_would_be_leader_keeps_the_leaders_take_in_its_spoils():
    def spoils(mover: str, option: str, take: float) -> float:
        groups = [group("G", 6000, 0.5), group("Small", 1000, 0.5), group("R", 8000, 0.5)]
        s = scenario(
            groups,
            rules=only("minimum_winning_coalition", "resources", resources={"leader_take": take}),
        )
        return utility(CoalitionModel(s, rng=0), mover, option)[0]["expected_spoils"]

    # G would lead a merger with Small: a larger leader's take raises its spoils...
    assert spoils("G", "Small", 0.5) > spoils("G", "Small", 0.0)
    # ... and lowers those of Small, which would not lead.
    assert spoils("Small", "G", 0.5) < spoils("Small", "G", 0.0)
