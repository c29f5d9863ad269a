"""End to end on the local process pool: a sweep, its resume, a SIGKILL, the analysis."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.scenario import ScenarioError
from sweeps.analysis import analyze
from sweeps.design import build_design, replicate_seeds
from sweeps.driver import run_sweep
from sweeps.runner import RunConfig, RunTask, run_one
from sweeps.spec import load_sweep
from sweeps.store import ResultStore
from tests.sweeps.conftest import CLI, N_SMALL, ROOT, coalsim, comparable, env, expected_keys


def raw_rows(out: Path) -> int:
    """Rows in every result file, without any de-duplication."""
    return sum(pq.read_metadata(f).num_rows for f in (out / "runs").glob("*.parquet"))


def test_sweep_writes_one_row_per_run(reference):
    df = ResultStore(reference).read_runs()
    assert set(df["run_key"]) == expected_keys(4, 4)
    assert raw_rows(reference) == N_SMALL
    assert (df["status"] == "ok").all()
    assert df.groupby("replicate")["seed"].nunique().eq(1).all()  # paired seeds
    assert df.groupby("point")["param.truces.base_rate"].nunique().eq(1).all()
    # the attack rate raises the number of fights
    by_rate = df.groupby("param.windows_of_opportunity.base_rate")["count.fight"].mean()
    assert by_rate[0.02] > by_rate[0.002]


def test_same_point_and_seed_alone_as_in_the_pool(reference, small_sweep_file):
    sweep = load_sweep(small_sweep_file)
    design = build_design(sweep)
    seeds = replicate_seeds(sweep.spec.seed, sweep.spec.replicates)
    pool = comparable(ResultStore(reference).read_runs()).set_index("run_key")
    config = RunConfig.from_sweep(sweep)
    for point, rep in ((0, 0), (3, 2)):
        row = run_one(config, RunTask(point, rep, seeds[rep], design.params_of(point))).row
        row.pop("wall_seconds")
        alone = pd.DataFrame([row]).set_index("run_key")
        expected = pool.loc[[row["run_key"]], alone.columns]
        for col in alone.columns:
            a, b = alone[col].iloc[0], expected[col].iloc[0]
            assert (pd.isna(a) and pd.isna(b)) or a == b, (col, a, b)


def test_rerun_skips_finished_runs(reference, small_sweep_file):
    r = coalsim("sweep", str(small_sweep_file), "--out", str(reference), "--workers", "2")
    assert r.returncode == 0, r.stderr
    assert f"{N_SMALL} runs in the sweep: all {N_SMALL} already done" in r.stdout
    assert raw_rows(reference) == N_SMALL


def test_resume_after_sigkill(tmp_path, small_sweep_file, reference):
    out = tmp_path / "out"
    log = open(tmp_path / "killed.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            *CLI,
            "sweep",
            str(small_sweep_file),
            "--out",
            str(out),
            "--workers",
            "1",
            "--no-progress",
        ],
        cwd=ROOT,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the pool workers die with it
    )
    try:
        deadline = time.monotonic() + 180
        while len(list(out.glob("runs/p*.parquet"))) < 3:
            assert proc.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline, "no run finished in time"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
    done = ResultStore(out).finished()
    assert 3 <= len(done) < N_SMALL, "killed too late to test a resume"
    assert all(s == "ok" for s in done.values())

    # resumed in the CLI's own process (--workers 0): also shows that runs do not depend on
    # where they execute
    r = coalsim("sweep", str(small_sweep_file), "--out", str(out), "--workers", "0")
    assert r.returncode == 0, r.stderr
    assert f"{len(done)} already done, {N_SMALL - len(done)} run now" in r.stdout
    df = ResultStore(out).read_runs()
    assert set(df["run_key"]) == expected_keys(4, 4) and df["run_key"].is_unique
    assert raw_rows(out) == N_SMALL  # no duplicated row anywhere on disk
    assert not list(out.rglob(".tmp-*"))
    pd.testing.assert_frame_equal(comparable(df), comparable(ResultStore(reference).read_runs()))


def test_another_sweep_file_is_refused(tmp_path, small_sweep_file, reference):
    changed = tmp_path / "changed.yaml"
    changed.write_text(small_sweep_file.read_text().replace("seed: 11", "seed: 12"))
    with pytest.raises(ScenarioError) as info:
        run_sweep(load_sweep(changed), reference, workers=0, progress=False)
    assert "results of another sweep" in str(info.value) and str(reference) in str(info.value)
    assert raw_rows(reference) == N_SMALL


def test_analyze(reference):
    r = coalsim("analyze", str(reference), "--outcome", "njf_fights_vim")
    assert r.returncode == 0, r.stderr
    assert "16 completed" in r.stdout and "report:" in r.stdout
    a = reference / "analysis"
    report = (a / "report.md").read_text()
    assert "16 completed" in report and "Scenario discovery" in report
    assert "### `njf_fights_vim`" in report and "vim_with_fhb`" not in report
    summary = pd.read_csv(a / "summary.csv")
    assert set(summary["point"]) == {0, 1, 2, 3}
    assert (summary.groupby("point")["n"].max() == 4).all()
    iv = summary.dropna(subset=["lo"])
    assert (iv["lo"] <= iv["mean"] + 1e-12).all() and (iv["mean"] <= iv["hi"] + 1e-12).all()
    assert (a / "counts.png").stat().st_size > 1000
    assert (a / "correlations.csv").exists()  # a grid: rank correlations, no Sobol/Morris
    with pytest.raises(ScenarioError, match="among"):
        analyze(reference, outcome="nonsense")
