"""Metric functions on hand-built inputs with known answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calibration.dyads import pair_of
from calibration.metrics import adjusted_rand_index, brier_score, log_score, skill_score
from calibration.metrics.counts import count_summary, quarterly_counts
from calibration.metrics.event_match import DAYS_PER_MONTH, match_events
from calibration.metrics.scores import LOG_CLIP

D = dt.date


def test_brier_of_a_perfect_forecast_is_zero_and_its_skill_one():
    o = np.array([0, 1, 0, 0, 1])
    null = np.full(5, 0.4)
    assert brier_score(o, o) == 0.0
    assert brier_score(null, o) == pytest.approx((3 * 0.16 + 2 * 0.36) / 5)
    assert skill_score(brier_score(o, o), brier_score(null, o)) == 1.0


def test_a_forecast_equal_to_the_null_has_skill_zero():
    rng = np.random.default_rng(1)
    p = rng.random(50)
    o = (rng.random(50) < 0.3).astype(float)
    assert skill_score(brier_score(p, o), brier_score(p, o)) == 0.0
    assert skill_score(log_score(p, o), log_score(p, o)) == 0.0
    assert skill_score(0.2, 0.4) == pytest.approx(0.5)
    assert skill_score(0.6, 0.4) == pytest.approx(-0.5)
    assert np.isnan(skill_score(0.1, 0.0))


def test_log_score_clips_certain_mistakes():
    # A certain miss costs -log(LOG_CLIP), not infinity; a certain hit costs -log(1 - clip).
    assert log_score([0.0], [1]) == pytest.approx(-np.log(LOG_CLIP))
    assert log_score([1.0], [1]) == pytest.approx(-np.log(1 - LOG_CLIP))
    assert log_score([0.5, 0.5], [0, 1]) == pytest.approx(np.log(2))


def test_ari_known_values():
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 1]) == 1.0
    assert adjusted_rand_index(["a", "a", "b", "b"], ["x", "x", "y", "y"]) == 1.0
    assert adjusted_rand_index([0, 0, 1, 1], [0, 0, 1, 2]) == pytest.approx(4 / 7)
    assert adjusted_rand_index([0, 0, 1, 1], [0, 1, 0, 1]) == pytest.approx(-0.5)
    # Degenerate partitions: all alone or all together agree with themselves only.
    assert adjusted_rand_index([1, 2, 3], [4, 5, 6]) == 1.0
    assert adjusted_rand_index([1, 1, 1], [2, 2, 2]) == 1.0
    assert adjusted_rand_index([1, 2, 3], [1, 1, 1]) == 0.0
    assert np.isnan(adjusted_rand_index([1], [1]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=30))
def test_ari_is_symmetric_label_free_and_at_most_one(pairs):
    a = [x for x, _ in pairs]
    b = [y for _, y in pairs]
    ari = adjusted_rand_index(a, b)
    assert ari <= 1.0 + 1e-12
    assert ari == pytest.approx(adjusted_rand_index(b, a))
    assert ari == pytest.approx(adjusted_rand_index([f"L{x}" for x in a], [y + 7 for y in b]))


def sim(rows):
    """Keyed simulated dyads: (run, date, cls, a, b[, a_cover, b_cover])."""
    out = []
    for r in rows:
        run, date, cls, a, b = r[:5]
        ac = frozenset(r[5]) if len(r) > 5 else frozenset({a})
        bc = frozenset(r[6]) if len(r) > 6 else frozenset({b})
        out.append((run, pd.Timestamp(date), cls, a, b, pair_of(a, b), ac, bc))
    return pd.DataFrame(out, columns=["run", "date", "cls", "a", "b", "pair", "a_cover", "b_cover"])


def rec(rows):
    """Recorded dyads: (event_id, date, cls, a, b[, a_cover, b_cover])."""
    out = []
    for r in rows:
        eid, date, cls, a, b = r[:5]
        ac = frozenset(r[5]) if len(r) > 5 else frozenset({a})
        bc = frozenset(r[6]) if len(r) > 6 else frozenset({b})
        out.append(
            {
                "event_id": eid,
                "part": "1/1",
                "date": pd.Timestamp(date),
                "event_type": cls,
                "cls": cls,
                "actor": a,
                "target": b,
                "a": a,
                "b": b,
                "pair": pair_of(a, b),
                "mappable": True,
                "why": "",
                "a_cover": ac,
                "b_cover": bc,
            }
        )
    return pd.DataFrame(out)


def test_event_probability_and_timing_error_on_a_hand_built_ensemble():
    r = rec([("E1", "2020-03-01", "fight", "A", "B")])
    s = sim(
        [
            (0, "2020-04-01", "fight", "A", "B"),  # one month late
            (0, "2020-09-15", "fight", "A", "B"),  # farther: not the nearest
            (1, "2020-01-01", "fight", "B", "A"),  # two months early, parties swapped
            (2, "2021-06-01", "fight", "A", "B"),  # outside the tolerance
            (3, "2020-03-01", "truce", "A", "B"),  # another class
        ]
    )
    out = match_events(r, s, runs=4, tolerance_months=6)
    row = out.iloc[0]
    assert row["probability"] == 0.5
    late, early = 31 / DAYS_PER_MONTH, -60 / DAYS_PER_MONTH
    assert row["timing_error_months"] == pytest.approx(np.median([late, early]))
    assert row["abs_timing_error_months"] == pytest.approx((late - early) / 2)
    assert row["coalition_probability"] == 0.5


def test_coalition_level_counts_an_event_involving_a_member():
    # Recorded: U (a coalition that contains C) fights B. Run 0: the simulated coalition X,
    # which contains U's key, fights B. Run 1: C (a member of U in the record) fights B.
    # Run 2: D, unrelated, fights B.
    r = rec([("E1", "2020-03-01", "fight", "U", "B", {"U", "C"}, {"B"})])
    s = sim(
        [
            (0, "2020-03-08", "fight", "X", "B", {"X", "U"}, {"B"}),
            (1, "2020-03-08", "fight", "C", "B"),
            (2, "2020-03-08", "fight", "D", "B"),
        ]
    )
    row = match_events(r, s, runs=4).iloc[0]
    assert row["probability"] == 0.0
    assert row["coalition_probability"] == 0.5


def test_quarterly_counts_median_band_and_errors():
    record = pd.DataFrame(
        {"date": pd.to_datetime(["2020-01-05", "2020-02-05", "2020-04-05"]), "event_type": "fight"}
    )
    # Four runs with 0, 1, 2 and 3 fights in the first quarter; none in the second.
    rows = [(run, "2020-01-10", "fight") for run in range(4) for _ in range(run)]
    sim_events = pd.DataFrame(rows, columns=["run", "date", "event_type"])
    sim_events["date"] = pd.to_datetime(sim_events["date"])
    c = quarterly_counts(record, sim_events, 4, D(2020, 1, 1), D(2020, 6, 30))
    q1 = c[(c["quarter"] == "2020Q1") & (c["event_type"] == "fight")].iloc[0]
    assert (q1["record"], q1["median"]) == (2, 1.5)
    assert q1["low"] == pytest.approx(np.quantile([0, 1, 2, 3], 0.05))
    assert q1["high"] == pytest.approx(np.quantile([0, 1, 2, 3], 0.95))
    q2 = c[(c["quarter"] == "2020Q2") & (c["event_type"] == "fight")].iloc[0]
    assert (q2["record"], q2["median"], q2["high"]) == (1, 0.0, 0.0)
    assert len(c) == 2 * 8  # two quarters x eight types
    summary = count_summary(c)
    # |1.5 - 2| + |0 - 1| over 16 cells; 15 of 16 recorded counts are inside the band.
    assert summary["count_error"] == pytest.approx(1.5 / 16)
    assert summary["band_coverage"] == pytest.approx(15 / 16)
