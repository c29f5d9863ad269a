"""Ensembles: seeds from a SeedSequence, identical results whatever the number of workers."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from calibration.ensemble import ensemble_seeds, run_ensemble
from sim import CoalitionModel, load_scenario
from tests.calibration.helpers import ROOT

SMALL = ROOT / "scenarios" / "three_groups.yaml"


def test_seeds_are_reproducible_distinct_and_stable_when_adding_runs():
    seeds = ensemble_seeds(7, 5)
    assert seeds == ensemble_seeds(7, 5)
    assert len(set(seeds)) == 5 and all(0 <= s < 2**32 for s in seeds)
    assert ensemble_seeds(7, 3) == seeds[:3]
    assert ensemble_seeds(8, 3) != seeds[:3]


def test_ensemble_is_identical_with_one_or_two_workers_and_matches_single_runs():
    s = load_scenario(SMALL)
    until, dates = dt.date(2020, 9, 1), [dt.date(2020, 4, 1), dt.date(2020, 8, 1)]
    one = run_ensemble(s, 3, seed=5, until=until, dates=dates, workers=1)
    two = run_ensemble(s, 3, seed=5, until=until, dates=dates, workers=2)
    assert two.workers == 2 and one.seeds == two.seeds
    for a, b in (
        (one.events, two.events),
        (one.dyads, two.dyads),
        (one.alignments, two.alignments),
    ):
        pd.testing.assert_frame_equal(a, b)
    assert len(one.events) > 0 and set(one.events["run"]) <= {0, 1, 2}
    model = CoalitionModel(s, rng=one.seeds[1], until=until).run()
    expected = model.events()
    got = one.events[one.events["run"] == 1]
    assert got["event_type"].tolist() == expected["event_type"].astype(str).tolist()
    assert got["actor"].tolist() == expected["actor"].tolist()
    assert one.alignment_dicts(1)[dates[1]] == model.alignment(dates[1])
