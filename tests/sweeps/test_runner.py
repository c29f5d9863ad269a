"""One run (runner) and the as-completed loop (executors), in this process."""

from __future__ import annotations

import concurrent.futures as cf
import pickle
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from sweeps.design import build_design, replicate_seeds
from sweeps.executors import InProcess, execute
from sweeps.runner import RunConfig, RunResult, RunTask, run_one
from sweeps.spec import sweep_from_text
from tests.sweeps.conftest import SMALL, SMALL_SWEEP


def small():
    return sweep_from_text(SMALL_SWEEP, "small.yaml", base=Path("."))


def test_run_one_is_deterministic_and_picklable():
    s = small()
    config = RunConfig.from_sweep(s)
    design = build_design(s)
    task = RunTask(1, 0, replicate_seeds(s.spec.seed, 1)[0], design.params_of(1))
    config2, task2 = pickle.loads(pickle.dumps((config, task)))
    a, b = run_one(config, task), run_one(config2, task2)
    assert a.ok, a.row["error"]
    a.row.pop("wall_seconds"), b.row.pop("wall_seconds")
    assert a.row == b.row
    assert a.row["run_key"] == "p000001-r00000" and a.row["param.truces.base_rate"] == 0.4
    assert a.row["end_date"].isoformat() == "2021-06-30" and a.row["stopped_early"] is False
    assert a.row["count.fight"] >= 1 and "outcome.njf_fights_vim" in a.row
    assert a.row["structure.2021-01-01.side.Hill Town Battalion"]


def test_a_failing_run_returns_its_error_instead_of_raising():
    s = small()
    task = RunTask(0, 0, 1, {"truces.base_rate": 7.0})  # out of range: with_params raises
    r = run_one(RunConfig.from_sweep(s), task)
    assert not r.ok and r.row["status"] == "error"
    assert "ScenarioError" in r.row["error"] and "truces.base_rate" in r.row["error"]
    assert r.row["run_key"] == "p000000-r00000" and r.row["seed"] == 1


def test_stop_condition_ends_runs_early():
    text = SMALL_SWEEP.replace("outputs:", "stop: {when: any_fight}\noutputs:").replace(
        "  outcomes:\n", "  outcomes:\n    - {name: any_fight, event: fight}\n", 1
    )
    s = sweep_from_text(text, "stop.yaml", base=Path("."))
    design = build_design(s)
    r = run_one(RunConfig.from_sweep(s), RunTask(3, 0, 5, design.params_of(3)))
    assert r.ok and r.row["stopped_early"] is True
    assert r.row["outcome.any_fight"] is True
    assert r.row["count.fight"] >= 1 and r.row["end_date"] < s.end
    assert r.row["outcome.any_fight.first"] < r.row["end_date"]
    assert r.row["structure.2021-01-01.n_sides"] is None  # not reached


def test_series_table():
    text = SMALL_SWEEP + "  series: {every: 10, kinds: [group], columns: [fighters, resources]}\n"
    s = sweep_from_text(text, "series.yaml", base=Path("."))
    r = run_one(RunConfig.from_sweep(s), RunTask(0, 2, 9, build_design(s).params_of(0)))
    df = r.series
    assert list(df.columns) == [
        "run_key",
        "point",
        "replicate",
        "step",
        "date",
        "actor",
        "kind",
        "side",
        "fighters",
        "resources",
    ]
    assert set(df["kind"]) == {"group"} and (df["run_key"] == "p000000-r00002").all()
    steps = sorted(set(df["step"]))
    assert steps[:3] == [0, 10, 20] and steps[-1] == r.row["steps"]


def test_loop_records_errors_and_goes_on():
    s = small()
    config = RunConfig.from_sweep(s)
    tasks = [
        RunTask(0, 0, 1, {"truces.base_rate": 0.2}),
        RunTask(1, 0, 1, {"truces.base_rate": 9.0}),  # fails
        RunTask(2, 0, 1, {"truces.base_rate": 0.3}),
    ]
    got: list[RunResult] = []
    tally = execute(InProcess(), config, iter(tasks), got.append, total=3, progress=False)
    assert (tally.ok, tally.errors) == (2, 1)
    assert [r.key for r in got] == ["p000000-r00000", "p000001-r00000", "p000002-r00000"]
    assert [r.ok for r in got] == [True, False, True]


class FlakyPool(InProcess):
    """A pool whose worker 'dies' the first time each run is tried."""

    def __init__(self):
        self.tried: dict[str, int] = {}
        self.restarts = 0

    def submit(self, config, task, attempt):
        n = self.tried[task.key] = self.tried.get(task.key, 0) + 1
        if n == 1 or task.point == 9:
            fut: cf.Future = cf.Future()
            fut.set_exception(BrokenProcessPool("a worker died"))
            return fut
        return super().submit(config, task, attempt)

    def lost_worker(self, exc):
        return isinstance(exc, BrokenProcessPool)

    def restart(self):
        self.restarts += 1


def test_loop_retries_runs_of_a_dead_worker_then_gives_up():
    config = RunConfig.from_sweep(small())
    tasks = [RunTask(0, 0, 1, {}), RunTask(9, 0, 1, {})]  # point 9 always kills its worker
    got: list[RunResult] = []
    pool = FlakyPool()
    tally = execute(pool, config, iter(tasks), got.append, total=2, progress=False)
    assert (tally.ok, tally.errors) == (1, 1)
    by_key = {r.key: r for r in got}
    assert by_key["p000000-r00000"].ok
    assert "worker process died" in by_key["p000009-r00000"].row["error"]
    assert pool.tried["p000009-r00000"] == 3 and pool.restarts >= 2


def test_time_budget_stops_submitting():
    config = RunConfig.from_sweep(small())
    tasks = iter([RunTask(p, 0, 1, {}) for p in range(5)])
    got: list[RunResult] = []
    tally = execute(InProcess(), config, tasks, got.append, total=5, deadline=0.0, progress=False)
    assert tally.budget_reached and got == []


def test_small_scenario_path_is_absolute():
    assert Path(str(SMALL)).is_absolute()


def test_comparison_scores_on_the_idlib_scenario():
    idlib = Path(__file__).resolve().parents[2] / "scenarios" / "idlib_2017.yaml"
    text = (
        f"name: s\nscenario: {idlib}\nwindow: {{end: 2017-09-30}}\n"
        "outputs: {counts: false, scores: true}\n"
    )
    s = sweep_from_text(text, "scores.yaml", base=Path("."))
    r = run_one(RunConfig.from_sweep(s), RunTask(0, 0, 3, {}))
    assert r.ok, r.row["error"]
    assert 0.0 <= r.row["score.hit_rate"] <= 1.0
    assert {"score.brier", "score.count_error", "score.ari"} <= set(r.row)
