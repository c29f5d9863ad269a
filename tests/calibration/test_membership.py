"""The recorded alignment, derived from merge/join/defect/split/dissolve events."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from calibration.membership import MembershipHistory, recorded_alignment
from calibration.record import load_record
from tests.calibration.helpers import write_record

D = dt.date
GROUPS = [(n, "") for n in ("A", "B", "C", "D", "E", "U", "V", "Room")]


def history(tmp_path, events, **kw) -> MembershipHistory:
    write_record(tmp_path, events, GROUPS)
    return MembershipHistory(load_record(tmp_path / "events.csv"), **kw)


def test_alignment_follows_a_sequence_of_merges_defections_and_joins(tmp_path):
    h = history(
        tmp_path,
        [
            ("E1", "2020-01-10", "merge", "U", "A;B;C"),
            ("E2", "2020-03-01", "defect", "B", "U"),
            ("E3", "2020-04-01", "join", "B", "V"),
            ("E4", "2020-05-01", "split", "C", "U"),
            ("E5", "2020-06-01", "join", "V", "U"),  # a coalition under another
            ("E6", "2020-07-01", "alliance", "Room", "A;D;E"),  # operations rooms do not count
        ],
    )
    assert h.alignment(D(2020, 1, 9)) == {n: n for n in "ABCDEV"}  # U, Room: founded later
    jan = h.alignment(D(2020, 1, 10))  # events of the day count
    assert jan["A"] == jan["B"] == jan["C"] == "U"
    assert h.alignment(D(2020, 3, 15))["B"] == "B"
    apr = h.alignment(D(2020, 4, 15))
    assert apr["B"] == "V" and apr["C"] == "U"
    may = h.alignment(D(2020, 5, 15))
    assert may["C"] == "C" and may["A"] == "U"
    jul = h.alignment(D(2020, 7, 15))
    assert jul["B"] == "U" and jul["V"] == "U"  # B is in V, V is in U
    assert jul["D"] == "D" and jul["E"] == "E"


def test_leaving_implies_belonging_since_the_coalition_was_founded(tmp_path):
    h = history(
        tmp_path,
        [
            ("E1", "2020-01-10", "merge", "U", "A;B"),
            ("E2", "2020-06-01", "defect", "D", "U"),  # D was never said to be in U
        ],
    )
    assert h.alignment(D(2020, 1, 9))["D"] == "D"  # not before U existed
    assert h.alignment(D(2020, 2, 1))["D"] == "U"
    assert h.alignment(D(2020, 6, 2))["D"] == "D"
    inferred = h.changes_frame().query("event_id == 'inferred (E2)'")
    assert inferred[["date", "entity", "parent"]].values.tolist() == [
        [pd.Timestamp("2020-01-10"), "D", "U"]
    ]


def test_dissolve_removes_the_actor_and_hands_its_members_to_the_absorber(tmp_path):
    h = history(
        tmp_path,
        [
            ("E1", "2020-01-10", "join", "B", "A"),
            ("E2", "2020-02-10", "dissolve", "A", "V"),
            ("E3", "2020-03-10", "dissolve", "C", ""),
        ],
    )
    feb = h.alignment(D(2020, 2, 15))
    assert "A" not in feb and feb["B"] == "V"
    assert "C" not in h.alignment(D(2020, 3, 15))


def test_a_starting_structure_holds_until_events_change_it(tmp_path):
    events = [("E1", "2020-03-01", "defect", "B", "A"), ("E2", "2020-04-01", "join", "C", "U")]
    h = history(
        tmp_path, events, initial={"B": "A", "C": "A", "D": None}, initial_date=D(2020, 1, 1)
    )
    jan = h.alignment(D(2020, 1, 1))
    assert jan["B"] == jan["C"] == "A" and jan["D"] == "D"
    apr = h.alignment(D(2020, 4, 1))
    assert apr["B"] == "B" and apr["C"] == "U"
    # No inference was needed: B was in A by the starting structure.
    assert not h.changes_frame()["event_id"].str.startswith("inferred").any()


def test_recorded_alignment_of_the_shipped_record():
    record = load_record()
    jul17 = recorded_alignment(record, D(2017, 7, 1))
    assert jul17["Nour al-Din al-Zenki Movement"] == "Hay'at Tahrir al-Sham"
    assert jul17["Suqour al-Sham Brigades"] == "Ahrar al-Sham"
    # Zenki left HTS on 20 Jul 2017 (E037); Ansar al-Din's doubted first exit (E044) is
    # overridden by its definitive one in Feb 2018 (E055): still in HTS on 1 Jan 2018.
    jan18 = recorded_alignment(record, D(2018, 1, 1))
    assert jan18["Nour al-Din al-Zenki Movement"] == "Nour al-Din al-Zenki Movement"
    assert jan18["Ansar al-Din Front"] == "Hay'at Tahrir al-Sham"
    assert recorded_alignment(record, D(2018, 3, 1))["Ansar al-Din Front"] == "Ansar al-Din Front"
    assert (
        recorded_alignment(record, D(2019, 1, 1))["Faylaq al-Sham"]
        == "National Front for Liberation"
    )


def test_an_impossible_departure_is_a_warning_not_a_loop(tmp_path):
    h = history(
        tmp_path,
        [
            ("E1", "2020-01-10", "merge", "U", "A;B"),
            ("E2", "2020-02-10", "dissolve", "U", "V"),  # A passes to V
            ("E3", "2020-03-10", "defect", "A", "U"),  # ... so it cannot leave U
        ],
    )
    assert h.alignment(D(2020, 2, 15))["A"] == "V"
    assert h.alignment(D(2020, 3, 15))["A"] == "A"
    assert len(h.warnings) == 1 and h.warnings[0].startswith("E3: A leaves U")
