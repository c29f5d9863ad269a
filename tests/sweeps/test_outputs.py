"""Per-run outputs on hand-built event logs: the outcome language, counts, structure, stops."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sweeps.outputs import (
    GONE,
    Names,
    StopWatcher,
    count_events,
    evaluate_outcomes,
    structure_outputs,
)
from sweeps.spec import OutcomeSpec

D = dt.date
HTS, ZENKI, AHRAR, JFS = (
    "Hay'at Tahrir al-Sham",
    "Nour al-Din al-Zenki Movement",
    "Ahrar al-Sham",
    "Jabhat Fateh al-Sham",
)
NFL = "National Front for Liberation"

# step, date, event_type, actor, target (a week per step from 2017-01-01)
EVENTS = pd.DataFrame(
    [
        (5, "2017-01-29", "merge", HTS, f"{JFS};{ZENKI}", "", ""),
        (30, "2017-07-23", "defect", ZENKI, HTS, "", ""),
        (40, "2017-10-01", "merge", NFL, f"{ZENKI};{AHRAR}", "", ""),
        (60, "2018-02-18", "fight", HTS, NFL, "", ""),
        (70, "2018-04-29", "fight", NFL, HTS, "", ""),
        (105, "2018-12-30", "fight", HTS, "Jaysh al-Izza", "", ""),
        (106, "2019-01-06", "dissolve", AHRAR, "", "", ""),
        (107, "2019-01-13", "merge", "National Front for Liberation (2)", "A;B", "", ""),
    ],
    columns=["step", "date", "event_type", "actor", "target", "causes", "detail"],
)


def side_of(name: str, step: int) -> str | None:
    """Zenki and Ahrar are in the NFL from step 41 on; JFS in HTS from step 6."""
    if name in (ZENKI, AHRAR) and step > 40:
        return NFL
    if name in (JFS, ZENKI) and 5 < step <= 30:
        return HTS
    return name


ALIGN = {
    D(2018, 6, 1): {ZENKI: NFL, AHRAR: NFL, JFS: HTS, "Jaysh al-Izza": "Jaysh al-Izza"},
}


def alignment_on(date):
    return ALIGN.get(date)


def outcome(**kw) -> OutcomeSpec:
    return OutcomeSpec.model_validate(kw)


def evaluate(*outcomes, reached=None, window_start=None, names=None):
    return evaluate_outcomes(
        outcomes,
        EVENTS,
        side_of=side_of,
        alignment_on=alignment_on,
        names=names,
        reached=reached,
        window_start=window_start,
    )


def test_names_resolve_through_sides_for_fights():
    o = outcome(name="hts_fights_zenki", event="fight", actor=HTS, target=ZENKI)
    r = evaluate(o)
    assert r["outcome.hts_fights_zenki"] is True  # Zenki was in the NFL that HTS fought
    assert r["outcome.hts_fights_zenki.first"] == D(2018, 2, 18)
    exact = outcome(name="x", event="fight", actor=HTS, target=ZENKI, resolve="exact")
    assert evaluate(exact)["outcome.x"] is False
    # a group inside a coalition: JFS's side is HTS only from step 6 on
    jfs = outcome(name="jfs_fights", event="fight", actor=JFS)
    assert evaluate(jfs)["outcome.jfs_fights"] is False  # JFS left HTS's side at step 31


def test_membership_events_match_exactly_and_targets_are_split():
    zenki_merges = outcome(name="z", event="merge", target=ZENKI)
    r = evaluate(zenki_merges)
    assert r["outcome.z"] is True and r["outcome.z.first"] == D(2017, 1, 29)
    # a dissolve of a group is not the dissolve of its coalition, and vice versa
    assert evaluate(outcome(name="d", event="dissolve", actor=AHRAR))["outcome.d"] is True
    assert evaluate(outcome(name="d", event="dissolve", actor=NFL))["outcome.d"] is False


def test_numbered_copies_of_emergent_coalitions_match_their_name():
    r = evaluate(outcome(name="m", event="merge", actor=NFL, at_least=2))
    assert r["outcome.m"] is True and r["outcome.m.first"] == D(2019, 1, 13)


def test_direction_dates_and_counts():
    nfl_attacks = outcome(name="a", event="fight", actor=NFL, target=HTS)
    assert evaluate(nfl_attacks)["outcome.a.first"] == D(2018, 4, 29)
    either = outcome(name="a", event="fight", actor=NFL, target=HTS, either_way=True)
    assert evaluate(either)["outcome.a.first"] == D(2018, 2, 18)
    before = outcome(name="b", event="fight", actor=HTS, before=D(2018, 2, 18))
    assert evaluate(before)["outcome.b"] is False
    after = outcome(name="c", event="fight", actor=HTS, after=D(2018, 3, 1), at_least=2)
    r = evaluate(after)
    assert r["outcome.c"] is False  # only one HTS-led fight from March 2018 on
    several = outcome(name="e", event=["fight", "dissolve"], at_least=4)
    assert evaluate(several)["outcome.e.first"] == D(2019, 1, 6)


def test_window_start_ignores_earlier_events():
    o = outcome(name="z", event="defect", actor=ZENKI)
    assert evaluate(o)["outcome.z"] is True
    assert evaluate(o, window_start=D(2018, 1, 1))["outcome.z"] is False


def test_aliases_resolve_to_the_scenario_name():
    names = Names()
    names.names, names.aliases = {HTS, ZENKI}, {"HTS": HTS, "Zenki": ZENKI}
    o = outcome(name="x", event="defect", actor="Zenki", target="HTS")
    assert evaluate(o, names=names)["outcome.x"] is True


def test_together_and_combinations_are_three_valued():
    outs = [
        outcome(name="zenki_ahrar", together=[ZENKI, AHRAR], date=D(2018, 6, 1)),
        outcome(name="zenki_jfs", together=[ZENKI, JFS], date=D(2018, 6, 1)),
        outcome(name="later", together=[ZENKI, AHRAR], date=D(2020, 1, 1)),  # not reached
        outcome(name="fight", event="fight", actor=HTS),
        outcome(name="both", all=["zenki_ahrar", "fight"]),
        outcome(name="unknown_and", all=["later", "fight"]),
        outcome(name="false_and", all=["later", "zenki_jfs"]),
        outcome(name="true_or", any=["later", "fight"]),
        outcome(name="unknown_or", any=["later", "zenki_jfs"]),
        outcome(name="no_fight", **{"not": "fight"}),
        outcome(name="not_unknown", **{"not": "later"}),
    ]
    r = evaluate(*outs)
    got = {k.removeprefix("outcome."): v for k, v in r.items() if not k.endswith(".first")}
    assert got == {
        "zenki_ahrar": True,
        "zenki_jfs": False,
        "later": None,
        "fight": True,
        "both": True,
        "unknown_and": None,
        "false_and": False,
        "true_or": True,
        "unknown_or": None,
        "no_fight": False,
        "not_unknown": None,
    }


def test_runs_that_stopped_early_leave_undecided_outcomes_missing():
    never = outcome(name="n", event="truce")
    early = outcome(name="e", event="truce", before=D(2018, 1, 1))
    r = evaluate(never, early, reached=D(2019, 2, 1))
    assert r["outcome.n"] is None  # could still have happened after the stop
    assert r["outcome.e"] is False  # its deadline had passed


def test_counts_by_type_in_the_window():
    c = count_events(EVENTS)
    assert c["count.fight"] == 3 and c["count.merge"] == 3 and c["count.truce"] == 0
    assert len(c) == 8
    assert count_events(EVENTS, D(2018, 3, 1))["count.fight"] == 2


def test_structure_on_dates():
    s = structure_outputs(
        [D(2018, 6, 1), D(2021, 1, 1)], [ZENKI, "Somebody gone"], alignment_on, Names()
    )
    assert s["structure.2018-06-01.n_sides"] == 3  # NFL, HTS, Jaysh al-Izza
    assert s["structure.2018-06-01.n_coalitions"] == 2  # NFL and HTS are not groups
    assert s[f"structure.2018-06-01.side.{ZENKI}"] == NFL
    assert s["structure.2018-06-01.side.Somebody gone"] == GONE
    assert s["structure.2021-01-01.n_sides"] is None


class FakeModel:
    def __init__(self):
        self.log = type("Log", (), {"rows": []})()


class FakeView:
    side_of = staticmethod(side_of)


def test_stop_watcher_sees_new_events_only_once():
    outs = [
        outcome(name="hts_nfl", event="fight", actor=HTS, target=ZENKI),
        outcome(name="dissolved", event="dissolve", actor=AHRAR),
        outcome(name="both", all=["hts_nfl", "dissolved"]),
    ]
    w = StopWatcher(["both"], outs, Names(), D(2017, 1, 1))
    m = FakeModel()
    rows = [tuple(r) for r in EVENTS.itertuples(index=False)]
    for k, r in enumerate(rows):
        m.log.rows.append((r[0], D.fromisoformat(r[1]), *r[2:]))
        stop = w.check(m, FakeView())
        assert stop == (k >= 6), k  # the dissolve (row 6) completes `both`
        assert not w.check(m, FakeView()) or stop
    assert w.hits == {"hts_nfl": 1, "dissolved": 1}
