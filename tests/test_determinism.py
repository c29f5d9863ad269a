"""Same scenario, parameters and seed give the identical event log, alone or in a process pool."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pandas as pd

from sim import CoalitionModel, load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "idlib_2017.yaml"


def events_csv(seed: int) -> str:
    model = CoalitionModel(load_scenario(SCENARIO), rng=seed).run()
    return model.events().to_csv(index=False)


def test_same_seed_same_log():
    a, b = events_csv(7), events_csv(7)
    assert a == b
    assert a.count("\n") > 10  # the run did something


def test_different_seed_different_log():
    assert events_csv(1) != events_csv(2)


def test_same_log_in_a_process_pool():
    alone = [events_csv(s) for s in (3, 4)]
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, as a sweep uses
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        pooled = list(pool.map(events_csv, (3, 4)))
    assert pooled == alone


def test_timeseries_is_deterministic_too():
    s = load_scenario(SCENARIO)
    a = CoalitionModel(s, rng=5).run().timeseries.frame()
    b = CoalitionModel(s, rng=5).run().timeseries.frame()
    pd.testing.assert_frame_equal(a, b)
