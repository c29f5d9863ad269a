"""Analysis on synthetic results (no model runs): intervals, PRIM, Morris and Sobol indices."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from sweeps.analysis import analyze, auc_scores, choose_box, prim, wilson
from sweeps.design import build_design, replicate_seeds
from sweeps.driver import manifest_of, row_schema
from sweeps.runner import param_column, run_key
from sweeps.spec import sweep_from_text
from sweeps.store import ResultStore
from tests.sweeps.conftest import SMALL

RATE, TRUCE, CONTACTS = (
    "windows_of_opportunity.base_rate",
    "truces.base_rate",
    "windows_of_opportunity.contacts",
)


def test_wilson_interval():
    lo, hi = wilson(0, 10)
    assert lo == 0.0 and 0.25 < hi < 0.35
    lo, hi = wilson(5, 10)
    assert lo < 0.5 < hi and abs((lo + hi) / 2 - 0.5) < 1e-12
    assert wilson(10, 10)[1] == 1.0
    assert all(np.isnan(wilson(0, 0)))


def test_prim_finds_the_box():
    rng = np.random.default_rng(0)
    x = pd.DataFrame(rng.uniform(0, 1, size=(2000, 3)), columns=["a", "b", "c"])
    y = ((x["a"] > 0.6) & (x["b"] < 0.5)).to_numpy()
    y = y ^ (rng.uniform(size=len(y)) < 0.03)  # a little noise
    traj = prim(x, y)
    box = choose_box(traj, min_coverage=0.8)
    assert set(box.restricted) == {"a", "b"}
    assert 0.55 < box.limits["a"][0] < 0.7 and 0.4 < box.limits["b"][1] < 0.55
    assert box.density > 0.85 and box.coverage >= 0.8
    assert traj[0].coverage == 1.0 and traj[0].mass == 1.0
    assert all(b2.density > b1.density for b1, b2 in itertools.pairwise(traj))
    auc = auc_scores(x, y)
    assert auc["a"] > 0.8 and auc["b"] < 0.3 and abs(auc["c"] - 0.5) < 0.1


def test_prim_on_grid_values_peels_whole_levels():
    x = pd.DataFrame({"a": np.repeat([0.1, 0.2, 0.3, 0.4], 25)})
    y = x["a"].to_numpy() >= 0.3
    box = choose_box(prim(x, y), 0.9)
    assert box.limits["a"] == (0.3, 0.4) and box.density == 1.0


def synthetic(tmp_path: Path, method: str, samples: int, replicates: int = 2) -> Path:
    """A results folder whose outputs are known functions of the parameters."""
    text = f"""
name: synthetic
scenario: {SMALL}
design: {{method: {method}, samples: {samples}}}
parameters:
  - {{name: {RATE}, low: 0.0001, high: 0.01, scale: log}}
  - {{name: {TRUCE}, low: 0.05, high: 0.5}}
  - {{name: {CONTACTS}, low: 2, high: 40}}
replicates: {replicates}
seed: 5
outputs:
  outcomes:
    - {{name: big_war, event: fight, at_least: 10}}
"""
    sweep = sweep_from_text(text, "synthetic.yaml", base=Path("."))
    design = build_design(sweep)
    schema = row_schema(sweep, design)
    store = ResultStore.open(tmp_path / method, manifest_of(sweep, design), design.table(), text)
    rng = np.random.default_rng(1)
    seeds = replicate_seeds(5, replicates)
    for point in range(len(design)):
        params = design.params_of(point)
        rate = np.log10(params[RATE])  # -4 .. -2
        for r in range(replicates):
            fights = round(10 * (rate + 4) + 2 * params[TRUCE] + rng.integers(0, 2))
            row = {
                "run_key": run_key(point, r),
                "spec_hash": sweep.spec_hash,
                "point": point,
                "replicate": r,
                "seed": seeds[r],
                **{param_column(k): v for k, v in params.items()},
                "status": "ok",
                "steps": 10,
                "stopped_early": False,
                "wall_seconds": 0.1,
                "count.fight": fights,
                "outcome.big_war": fights >= 10,
            }
            store.write(run_key(point, r), row, schema)
    store.compact()
    store.close()
    return tmp_path / method


@pytest.mark.parametrize(
    ("method", "samples", "index", "reps"), [("sobol", 16, "ST", 1), ("morris", 6, "mu_star", 2)]
)
def test_indices_rank_the_influential_parameter_first(tmp_path, method, samples, index, reps):
    root = synthetic(tmp_path, method, samples, reps)
    result = analyze(root)
    table = pd.read_csv(root / "analysis" / f"{method}.csv")
    fights = table[table["output"] == "count.fight"].set_index("parameter")[index]
    assert fights.idxmax() == RATE
    assert fights[RATE] > 5 * fights[CONTACTS]
    report = (root / "analysis" / "report.md").read_text()
    assert method.capitalize() in report and "PRIM box" in report
    assert (root / "analysis" / f"{method}.png").exists()
    assert any("big_war" in line for line in result.lines)
    # the outcome needs a high attack rate: PRIM's box restricts it from below
    traj = pd.read_csv(root / "analysis" / "prim_big_war.csv")
    chosen = traj[traj["chosen"]].iloc[0]
    assert RATE in chosen["restricted"] and chosen[f"{RATE}.low"] > 0.0005


def test_incomplete_design_gets_no_indices_and_errors_are_reported(tmp_path):
    root = synthetic(tmp_path, "morris", 4, replicates=1)
    victim = next((root / "runs").glob("part-*.parquet"))
    df = pd.read_parquet(victim)
    df[~df["point"].isin([2, 3])].to_parquet(victim, index=False)  # points 2, 3 never ran
    manifest = ResultStore(root).manifest()
    store = ResultStore.open(root, manifest, ResultStore(root).read_design())
    failed = df[df["point"] == 2].iloc[0].to_dict()
    failed.update({"status": "error", "error": "ValueError: boom (at x.py:1 in f)"})
    failed.update({c: None for c in failed if c.startswith(("count.", "outcome."))})
    store.write(failed["run_key"], failed, pa.Schema.from_pandas(df, preserve_index=False))
    store.close()
    analyze(root)
    report = (root / "analysis" / "report.md").read_text()
    assert "1 failed, 1 not run yet" in report and "without a completed run" in report
    assert "## Failed runs" in report and "ValueError: boom" in report
    assert not (root / "analysis" / "morris.csv").exists()
