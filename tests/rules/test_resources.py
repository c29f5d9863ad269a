"""Resources: patron support, pooled income and leader's take, upkeep, recruitment, desertion."""

from __future__ import annotations

from sim import CoalitionModel
from tests.factory import group, only, run, scenario


def fighters_at_end(s, name: str) -> float:
    m = run(s, 0)
    return float(m.totals[m.actors.index[name]])


def test_patron_budget_cut_shrinks_the_client():
    def build(cut: bool):
        return scenario(
            [group("A", 5000, 0.3, income=0, resources=1000, patrons={"P": 1.0})],
            patrons=[{"name": "P", "ideology": 0.3, "budget": 12000}],
            interventions=[
                {"date": "2020-03-01", "action": "set_patron_budget", "patron": "P", "value": 0}
            ]
            if cut
            else [],
            rules=only("resources"),
        )

    assert fighters_at_end(build(True), "A") < 0.8 * fighters_at_end(build(False), "A")


def test_support_follows_tie_strength():
    s = scenario(
        [
            group("Strong", 1000, 0.3, income=0, patrons={"P": 1.0}),
            group("Weak", 1000, 0.3, income=0, patrons={"P": 0.2}),
        ],
        patrons=[{"name": "P", "ideology": 0.3, "budget": 10000}],
        rules=only("resources"),
    )
    m = CoalitionModel(s, rng=0)
    m.step()
    a = m.actors
    assert a.received[a.index["Strong"]] > 4 * a.received[a.index["Weak"]]


def test_leader_keeps_a_share_of_pooled_income():
    s = scenario(
        [
            group("L", 1000, 0.5, coalition="C", income=0),
            group("M", 1000, 0.5, coalition="C", income=10000),
        ],
        coalitions=[{"name": "C", "leader": "L"}],
        rules=only("resources", resources={"leader_take": 0.4}),
    )
    m = CoalitionModel(s, rng=0)
    m.step()
    a = m.actors
    assert a.received[a.index["L"]] > a.received[a.index["M"]]


def test_rich_groups_recruit_broke_groups_desert():
    rich = scenario([group("A", 1000, 0.5, income=10000, resources=10000)], rules=only("resources"))
    broke = scenario([group("A", 1000, 0.5, income=0, resources=0)], rules=only("resources"))
    assert fighters_at_end(rich, "A") > 1000 > fighters_at_end(broke, "A")


def test_pressure_hits_exposed_groups():
    def build(exposure):
        return scenario(
            [group("A", 5000, 0.5, exposure=exposure)],
            pressure=[{"start": "2020-01-01", "intensity": 1.0}],
            rules=only("resources", resources={"recruit_rate": 0.0}),
        )

    assert fighters_at_end(build(0.9), "A") < fighters_at_end(build(0.1), "A")


def test_a_units_own_exposure_sets_its_losses():
    s = scenario(
        [
            group(
                "A",
                1000,
                0.5,
                exposure=0.1,
                income=0,
                resources=1e6,
                units=[{"name": "Front", "fighters": 1000, "exposure": 1.0}],
            )
        ],
        pressure=[{"start": "2020-01-01", "intensity": 1.0}],
        rules=only("resources", resources={"recruit_rate": 0.0}),
    )
    m = run(s, 0)
    a = m.actors
    assert a.fighters[a.index["Front"]] < a.fighters[a.index["A"]] - 50


def test_an_intervention_on_the_last_day_is_applied():
    s = scenario(
        [group("A", 1000, 0.5)],
        end="2020-01-29",
        interventions=[
            {
                "date": "2020-01-29",
                "action": "set_group",
                "group": "A",
                "field": "cohesion",
                "value": 0.9,
            }
        ],
        rules=only("resources"),
    )
    m = run(s, 0)
    assert m.actors.cohesion[0] == 0.9
