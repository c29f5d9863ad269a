"""Record names -> scenario keys, and simulated names -> keys."""

from __future__ import annotations

import pytest

from calibration.mapping import build_mapping, initial_structure
from calibration.record import load_record
from sim import load_scenario
from sim.scenario import ScenarioError
from tests.calibration.helpers import GROUPS, ROOT, small_record, small_scenario, write_record
from tests.factory import group, scenario


@pytest.fixture(scope="module")
def idlib():
    record = load_record()
    return record, build_mapping(record, load_scenario(ROOT / "scenarios" / "idlib_2017.yaml"))


def test_idlib_record_names_map_to_units_groups_and_emergent_coalitions(idlib):
    _, m = idlib
    assert (m.kinds["Jabhat Fateh al-Sham"], m.key("Jabhat Fateh al-Sham")) == (
        "group",
        "Jabhat Fateh al-Sham",
    )
    assert m.kinds["Jund al-Aqsa"] == "unit"
    # HTS is the coalition that forms around JFS (its coalition_name): same key as JFS.
    assert (m.kinds["Hay'at Tahrir al-Sham"], m.key("Hay'at Tahrir al-Sham")) == (
        "emergent",
        "Jabhat Fateh al-Sham",
    )
    assert m.key("National Front for Liberation") == "Faylaq al-Sham"
    # Two groups share the coalition_name: the key is the name itself.
    assert m.key("Syrian National Army") == "Syrian National Army"
    # Founded by a merger or operations room: the first listed component's key.
    assert (m.kinds["Syrian Liberation Front (2018)"], m.key("Syrian Liberation Front (2018)")) == (
        "derived",
        "Ahrar al-Sham",
    )
    assert m.key("Fa Ithbatu Operations Room") == "Hurras al-Din"
    assert m.key("Fateh al-Mubin Operations Room") == "Jabhat Fateh al-Sham"
    assert m.kinds["Liwa al-Muqatilin al-Ansar"] == "unmapped"
    assert m.key("Liwa al-Muqatilin al-Ansar") is None
    assert set(m.kinds.values()) <= {"group", "unit", "emergent", "derived", "unmapped"}


def test_simulated_names_map_to_the_same_keys(idlib):
    _, m = idlib
    assert m.sim_key("Hay'at Tahrir al-Sham") == "Jabhat Fateh al-Sham"
    assert m.sim_key("Hay'at Tahrir al-Sham (2)") == "Jabhat Fateh al-Sham"
    assert m.sim_key("Hurras al-Din (3)") == "Hurras al-Din"
    assert m.sim_key("Ahrar al-Sham coalition") == "Ahrar al-Sham"
    assert m.sim_key("Jund al-Aqsa coalition") == "Jund al-Aqsa"
    assert m.sim_key("Jaysh al-Ahrar") == "Jaysh al-Ahrar"
    assert m.sim_key("Something else (2)") == "Something else (2)"


def test_aliases_on_either_side_resolve(tmp_path):
    # The scenario calls the record's "Alpha" by its record alias "A", and lists "Bravo" as
    # an alias of its own "Bee".
    write_record(tmp_path, [("E1", "2020-01-05", "fight", "Alpha", "Bravo")], GROUPS)
    record = load_record(tmp_path / "events.csv")
    s = scenario([group("A"), group("Bee", aliases=["Bravo"]), group("Charlie")])
    m = build_mapping(record, s)
    assert m.key("Alpha") == "A" and m.key("Bravo") == "Bee" and m.key("Charlie") == "Charlie"
    assert m.record_of == {"A": "Alpha", "Bee": "Bravo", "Charlie": "Charlie"}
    assert m.key("Union") is None  # no coalition_name, no founding event


def test_overrides_force_or_drop_a_mapping(tmp_path):
    record = small_record(tmp_path)
    s = small_scenario()
    assert build_mapping(record, s).key("Union") == "Alpha"
    m = build_mapping(record, s, overrides={"Union": "Charlie", "B": None})
    assert m.key("Union") == "Charlie" and m.key("Bravo") is None
    assert m.via["Bravo"].startswith("override")
    with pytest.raises(ScenarioError, match="expected a scenario key"):
        build_mapping(record, s, overrides={"Union": "Nobody"})


def test_initial_structure_puts_units_in_their_groups(idlib):
    record, m = idlib
    init = initial_structure(load_scenario(ROOT / "scenarios" / "idlib_2017.yaml"), m)
    assert init["Jund al-Aqsa"] == "Jabhat Fateh al-Sham"
    assert init["Jaysh al-Ahrar"] == "Ahrar al-Sham"
    assert init["Faylaq al-Sham"] is None
    assert set(init) <= set(record.names)
