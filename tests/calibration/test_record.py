"""The record: the shipped copy, alias resolution, and bad rows refused with row and column."""

from __future__ import annotations

import hashlib

import pytest

from calibration.record import RECORD_DIR, RecordError, load_record, split_names
from sim.scenario import ScenarioError
from tests.calibration.helpers import GROUPS, write_record

# The README's SHA-256 sums: the shipped CSVs must stay byte-identical.
SHA256 = {
    "events.csv": "48ff67cbbda28cfba62936c2534dbbfdfc15b676dd574dee2ee32694895e4a76",
    "groups.csv": "bf57cf60545c985aeb1704b8a9edb4a9f3cadee31dfe48043640cbd68844ebb0",
}


@pytest.fixture(scope="module")
def shipped():
    return load_record()


def test_shipped_files_are_byte_identical_to_the_readme_sums():
    for name, digest in SHA256.items():
        assert hashlib.sha256((RECORD_DIR / name).read_bytes()).hexdigest() == digest


def test_shipped_record_loads_whole_and_sorted(shipped):
    assert len(shipped.events) == 102 and len(shipped.groups) == 57
    assert shipped.events["date"].is_monotonic_increasing
    hts = shipped.events.set_index("event_id").loc["E017"]
    assert hts["event_type"] == "merge" and len(hts["targets"]) == 6
    assert hts["targets"][0] == "Jabhat Fateh al-Sham"
    month = shipped.events.set_index("event_id").loc["E024"]
    assert month["date_precision"] == "month" and month["date"].day == 1


def test_aliases_resolve_to_canonical_names(shipped):
    assert shipped.resolve("HTS") == "Hay'at Tahrir al-Sham"
    assert shipped.resolve("hts") == "Hay'at Tahrir al-Sham"  # case-insensitive
    assert shipped.resolve("Hay\u2019at Tahrir al-Sham") == "Hay'at Tahrir al-Sham"
    # The bare form of an alias with a note, and an alias with ';' inside parentheses.
    assert shipped.resolve("Liwa al-Aqsa") == "Jund al-Aqsa"
    assert shipped.resolve("al-Nusra Front") == "Jabhat Fateh al-Sham"
    long = "AQ loyalists inside HTS (Sami al-Oraydi;Abu Julaybib;Abu Hammam al-Shami)"
    assert shipped.resolve(long) == "al-Qaeda loyalist network"
    assert shipped.resolve("Nobody") is None


def test_split_names_keeps_semicolons_inside_parentheses():
    assert split_names("a;b (x;y); c;;") == ["a", "b (x;y)", "c"]


def test_events_written_with_aliases_get_canonical_names(tmp_path):
    write_record(
        tmp_path,
        [
            ("E1", "2020-01-05", "fight", "A", "B"),
            ("E2", "2020-02", "merge", "Union", "Alpha Front;B", "month"),
        ],
        GROUPS,
    )
    rec = load_record(tmp_path / "events.csv")
    assert rec.events["actor"].tolist() == ["Alpha", "Union"]
    assert rec.events["target"].tolist() == ["Bravo", "Alpha;Bravo"]
    assert rec.events["date"].iloc[1].isoformat()[:10] == "2020-02-01"


BAD_ROWS = [
    (("E2", "2020-02-30", "fight", "Alpha", "Bravo"), "row 2, column date", "2020-02-30"),
    (("E2", "2020-02-03", "ambush", "Alpha", "Bravo"), "row 2, column event_type", "ambush"),
    (("E2", "2020-02-03", "fight", "Zulu", "Bravo"), "row 2, column actor", "unknown group 'Zulu'"),
    (("E2", "2020-02-03", "fight", "Alpha", "Bravo;Charlie"), "row 2, column target", "one"),
    (("E2", "2020-02-03", "join", "Alpha", ""), "row 2, column target", "needs a target"),
    (("E2", "2020-02-03", "truce", "Alpha", "A"), "row 2, column target", "actor itself"),
    (("E2", "2020-02-15", "fight", "Alpha", "Bravo", "month"), "row 2, column date", "1st"),
    (
        ("E2", "2020-02-15", "fight", "Alpha", "Bravo", "week"),
        "row 2, column date_precision",
        "week",
    ),
    (("E1", "2020-02-15", "fight", "Alpha", "Bravo"), "row 2, column event_id", "duplicate"),
]


@pytest.mark.parametrize(("row", "where", "what"), BAD_ROWS)
def test_a_bad_event_row_is_refused_with_its_row_and_column(tmp_path, row, where, what):
    write_record(tmp_path, [("E1", "2020-01-05", "fight", "Alpha", "Bravo"), row], GROUPS)
    with pytest.raises(RecordError) as err:
        load_record(tmp_path / "events.csv")
    assert isinstance(err.value, ScenarioError)  # so the CLI exits 2
    text = str(err.value)
    assert where in text and what in text
    assert "row 1," not in text  # the good row is not blamed


def test_every_bad_row_is_reported_at_once(tmp_path):
    rows = [
        ("E1", "2020-01-05", "fight", "Alpha", "Bravo"),
        ("E2", "not a date", "fight", "Alpha", "Bravo"),
        ("E3", "2020-01-05", "fight", "Alpha", "Nobody"),
    ]
    write_record(tmp_path, rows, GROUPS)
    with pytest.raises(RecordError) as err:
        load_record(tmp_path / "events.csv")
    assert len(err.value.problems) == 2
    assert [p.path for p in err.value.problems] == ["row 2, column date", "row 3, column target"]


def test_bad_group_rows_and_headers_are_refused(tmp_path):
    write_record(
        tmp_path, [("E1", "2020-01-05", "fight", "Alpha", "Bravo")], [*GROUPS, ("Delta", "B")]
    )
    with pytest.raises(
        RecordError, match=r"row 5, column aliases: alias 'B' is the name of|also an alias"
    ):
        load_record(tmp_path / "events.csv")
    (tmp_path / "events.csv").write_text("event_id,date\nE1,2020-01-01\n", encoding="utf-8")
    write_record(tmp_path / "g", [], GROUPS)
    with pytest.raises(RecordError, match="header: missing column"):
        load_record(tmp_path / "events.csv", tmp_path / "g" / "groups.csv")
