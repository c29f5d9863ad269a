"""The whole comparison on a small record and hand-built ensembles with known answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from calibration.comparison import (
    compare_ensemble,
    ensemble_from_runs,
    observed_statistics,
    prepare,
    run_scores,
    summary_statistics,
)
from calibration.dyads import key_dyads
from calibration.metrics.scores import forecast_grid, grid_scores
from calibration.record import load_record
from sim.scenario import ScenarioError
from tests.calibration.helpers import (
    EARLIER,
    GROUPS,
    WINDOW,
    small_record,
    small_scenario,
    write_record,
)

D = dt.date
JAN, JUL = D(2020, 1, 1), D(2020, 7, 1)


def events(rows):
    return pd.DataFrame(rows, columns=["date", "event_type", "actor", "target"])


# What a run that reproduces the record's 2020 exactly logs (the model's names: the coalition
# formed around Alpha is called "Union", its coalition_name).
PERFECT = events(
    [
        ("2020-02-10", "fight", "Alpha", "Bravo"),
        ("2020-03-05", "truce", "Alpha", "Bravo"),
        ("2020-05-01", "merge", "Union", "Alpha;Charlie"),
        ("2020-08-01", "defect", "Charlie", "Union"),
    ]
)
PERFECT_ALIGNMENT = {
    JAN: {"Alpha": "Alpha", "Bravo": "Bravo", "Charlie": "Charlie"},
    JUL: {"Alpha": "Union", "Bravo": "Bravo", "Charlie": "Union"},
}
# A run that gets nothing right: a fight between the wrong pair, everyone allied on 1 July.
WRONG = events([("2020-10-10", "fight", "Bravo", "Charlie")])
WRONG_ALIGNMENT = {
    JAN: PERFECT_ALIGNMENT[JAN],
    JUL: dict.fromkeys(("Alpha", "Bravo", "Charlie"), "X"),
}


@pytest.fixture
def ctx(tmp_path):
    return prepare(small_scenario(), small_record(tmp_path), dates=[JAN, JUL])


def test_a_perfect_ensemble_has_brier_zero_and_skill_one(ctx):
    ens = ensemble_from_runs([PERFECT] * 3, [PERFECT_ALIGNMENT] * 3)
    r = compare_ensemble(ctx, ens)
    assert r.score("brier") == 0.0
    assert r.score("brier", "null") > 0
    assert r.score("brier", "skill") == 1.0
    assert r.score("log") < r.score("log", "null")
    assert r.score("hit_rate") == 1.0 and r.score("coalition_hit_rate") == 1.0
    assert r.score("timing_error_months") == 0.0
    assert r.score("count_error") == 0.0 and r.score("band_coverage") == 1.0
    assert r.score("ari") == 1.0
    assert r.score("coverage") == 1.0
    probs = r.event_probabilities
    assert probs["event_id"].tolist() == ["E20", "E21", "E22", "E23"]
    assert (probs["probability"] == 1.0).all()
    assert list(r.headline.columns) == ["score", "model", "null", "skill"]
    assert {"quarter", "event_type", "record", "median", "low", "high"} <= set(r.counts.columns)
    assert {"date", "ari_median", "ari_low", "ari_high"} <= set(r.alignment.columns)


def test_half_right_ensemble_scores_in_between(ctx):
    ens = ensemble_from_runs([PERFECT, WRONG], [PERFECT_ALIGNMENT, WRONG_ALIGNMENT])
    r = compare_ensemble(ctx, ens)
    assert r.score("hit_rate") == 0.5
    assert 0 < r.score("brier") < r.score("brier", "null")
    jul = r.alignment.set_index("date").loc[JUL]
    assert (jul["ari_median"], jul["ari_low"], jul["ari_high"]) == pytest.approx((0.5, 0.05, 0.95))
    runs = r.alignment_runs.query("date == @JUL")["ari"].tolist()
    assert runs == [1.0, 0.0]


def test_a_forecast_equal_to_the_null_has_skill_zero(ctx):
    ens = ensemble_from_runs([PERFECT, WRONG], [PERFECT_ALIGNMENT, WRONG_ALIGNMENT])
    sim = key_dyads(ens.dyads, ctx.mapping)
    grid = forecast_grid(ctx.dyads, sim, 2, ctx.start, ctx.end, ctx.null)
    grid["p"] = grid["p_null"]
    overall = grid_scores(grid).iloc[0]
    assert overall["brier_skill"] == 0.0 and overall["log_skill"] == 0.0
    assert overall["positives"] == 4


def test_null_model_uses_the_earlier_period_or_warns(tmp_path, ctx):
    assert ctx.null.method == "earlier period"
    # 12 earlier events from 5 Jan 2018 to the end of 2019: six fights, six truces.
    days = (D(2020, 1, 1) - D(2018, 1, 5)).days
    assert ctx.null.expected_events("fight", D(2020, 1, 1), D(2020, 12, 31)) == pytest.approx(
        6 / days * 366
    )
    assert ctx.null.expected_events("merge", D(2020, 1, 1), D(2020, 12, 31)) == 0.0
    short = prepare(small_scenario(), small_record(tmp_path / "short", EARLIER[-2:] + WINDOW))
    assert short.null.method == "leave-one-year-out"
    r = compare_ensemble(short, ensemble_from_runs([PERFECT], [PERFECT_ALIGNMENT]))
    assert any("leave-one-year-out" in w for w in r.warnings)


def test_unmappable_events_are_reported_not_hidden(tmp_path):
    extra = [*EARLIER, *WINDOW, ("E30", "2020-09-01", "join", "Bravo", "Delta Room")]
    write_record(tmp_path, extra, [*GROUPS, ("Delta Room", "")])
    ctx = prepare(small_scenario(), load_record(tmp_path / "events.csv"), dates=[JAN, JUL])
    r = compare_ensemble(ctx, ensemble_from_runs([PERFECT], [PERFECT_ALIGNMENT]))
    assert r.score("coverage") == pytest.approx(4 / 5)
    assert r.score("hit_rate") == 1.0  # over the events the scenario can express
    assert any("E30" in w for w in r.warnings)


def test_bad_windows_are_refused(ctx):
    s, rec = ctx.scenario, ctx.record
    with pytest.raises(ScenarioError, match="scenario's period"):
        prepare(s, rec, start=D(2019, 1, 1))
    with pytest.raises(ScenarioError, match="expected a date after"):
        prepare(s, rec, start=D(2020, 6, 1), end=D(2020, 3, 1))
    with pytest.raises(ScenarioError, match="expected a date YYYY-MM-DD"):
        prepare(s, rec, start="June")
    with pytest.raises(ScenarioError, match="no event between"):
        prepare(s, rec, start=D(2020, 9, 1), end=D(2020, 12, 1))


def test_run_scores_and_summary_statistics_of_one_run(ctx):
    good = run_scores(PERFECT, PERFECT_ALIGNMENT, ctx.record, ctx.scenario, None, None)
    bad = run_scores(WRONG, WRONG_ALIGNMENT, ctx.record, ctx.scenario, None, None)
    assert good["hit_rate"] == 1.0 and good["brier"] == 0.0 and good["ari"] == 1.0
    assert bad["hit_rate"] == 0.0 and bad["brier"] > good["brier"] and bad["ari"] == 0.0
    assert good["count_error"] == 0.0 < bad["count_error"]

    stats = summary_statistics(PERFECT, PERFECT_ALIGNMENT, ctx.record, ctx.scenario)
    observed = observed_statistics(ctx.record, ctx.scenario, dates=[JAN, JUL])
    assert stats == observed  # a perfect run has the record's statistics
    assert stats["count.fight.2020H1"] == 1.0 and stats["count.defect.2020H2"] == 1.0
    assert stats["pair.fight.Alpha | Bravo"] == 1.0
    assert stats["ari.2020-07-01"] == 1.0
    wrong = summary_statistics(WRONG, WRONG_ALIGNMENT, ctx.record, ctx.scenario)
    assert wrong["count.fight.2020H2"] == 1.0 and wrong["pair.fight.Alpha | Bravo"] == 0.0
