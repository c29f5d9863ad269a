"""One run of a sweep: (point, replicate, seed) -> one output row (and optionally its series).

:func:`run_one` is a pure, picklable, module-level function: it gets everything it needs in
its arguments (the scenario travels inside :class:`RunConfig`, so a remote Dask worker needs no
access to the sweep's files, only the installed project), builds the model with the point's
parameters and the replicate's seed, runs it to the end of the window (or until a ``stop.when``
outcome has happened) and returns the row. It never raises for a failing run: the error is
returned in the row (``status = "error"``, ``error`` = the exception and where it happened), so
the sweep records it and goes on. The same task gives the same row (but ``wall_seconds``) alone,
in a process pool or on a Dask worker.
"""

from __future__ import annotations

import datetime as dt
import time
import traceback
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sweeps.spec import OutputsSpec

if TYPE_CHECKING:
    import pandas as pd

    from sim.scenario import Scenario
    from sweeps.spec import Sweep

# Columns every row has, before the parameters and the outputs.
KEY_COLUMNS = ("run_key", "spec_hash", "point", "replicate", "seed")
RUN_COLUMNS = ("status", "error", "steps", "end_date", "stopped_early", "wall_seconds")
NONDETERMINISTIC = ("wall_seconds",)


def run_key(point: int, replicate: int) -> str:
    """Name of a run: ``p000012-r00003`` (point 12, replicate 3)."""
    return f"p{point:06d}-r{replicate:05d}"


def param_column(name: str) -> str:
    """Column of a varied parameter in the results."""
    return f"param.{name}"


@dataclass(frozen=True)
class RunConfig:
    """What every run of a sweep shares (picklable; sent with each task).

    Attributes:
        spec_hash: The sweep's hash (stored in every row).
        scenario: The scenario with the sweep's fixed settings applied.
        window_start: Events before this date are not counted.
        window_end: Runs stop at this date.
        outputs: What to report.
        stop_when: Outcome names that end a run early.
    """

    spec_hash: str
    scenario: Scenario
    window_start: dt.date
    window_end: dt.date
    outputs: OutputsSpec
    stop_when: tuple[str, ...] = ()

    @classmethod
    def from_sweep(cls, sweep: Sweep) -> RunConfig:
        """The run configuration of a loaded sweep."""
        return cls(
            spec_hash=sweep.spec_hash,
            scenario=sweep.scenario,
            window_start=sweep.start,
            window_end=sweep.end,
            outputs=sweep.spec.outputs,
            stop_when=sweep.spec.stop.outcomes,
        )


@dataclass(frozen=True)
class RunTask:
    """One run: a point of the design, a replicate and its seed."""

    point: int
    replicate: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The run's key (see :func:`run_key`)."""
        return run_key(self.point, self.replicate)


@dataclass
class RunResult:
    """A finished run: its row and, when the sweep asks for it, its per-step series."""

    key: str
    row: dict[str, Any]
    series: pd.DataFrame | None = None

    @property
    def ok(self) -> bool:
        """Whether the run completed."""
        return self.row.get("status") == "ok"


def _base_row(config: RunConfig, task: RunTask) -> dict[str, Any]:
    row: dict[str, Any] = {
        "run_key": task.key,
        "spec_hash": config.spec_hash,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
    }
    for name, value in task.params.items():
        row[param_column(name)] = value
    return row


def describe_error(exc: BaseException) -> str:
    """``"ValueError: message (at sim/x.py:12 in f)"``: the error and its innermost frame."""
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    tb = traceback.extract_tb(exc.__traceback__)
    if tb:
        f = tb[-1]
        text += f" (at {f.filename}:{f.lineno} in {f.name})"
    return text


def error_result(config: RunConfig, task: RunTask, message: str, wall: float = 0.0) -> RunResult:
    """The row of a run that failed (or whose worker died)."""
    row = _base_row(config, task)
    row.update(
        status="error",
        error=message,
        steps=None,
        end_date=None,
        stopped_early=None,
        wall_seconds=wall,
    )
    return RunResult(task.key, row, None)


def run_one(config: RunConfig, task: RunTask) -> RunResult:
    """Run one point and replicate; never raises for an error of the run itself."""
    t0 = time.perf_counter()
    try:
        return _run(config, task, t0)
    except Exception as exc:
        return error_result(config, task, describe_error(exc), time.perf_counter() - t0)


def _run(config: RunConfig, task: RunTask, t0: float) -> RunResult:
    from sim.model import CoalitionModel
    from sim.scenario import with_params
    from sweeps.outputs import ModelView, Names, StopWatcher, compute_outputs

    scenario = config.scenario
    if task.params:
        scenario = with_params(scenario, dict(task.params), source=f"point {task.point}")
    names = Names(scenario)
    model = CoalitionModel(scenario, rng=task.seed, until=config.window_end)
    watcher = None
    if config.stop_when:
        watcher = StopWatcher(config.stop_when, config.outputs.outcomes, names, config.window_start)
        view = ModelView(model)
    stopped = False
    while model.running:
        model.step()
        if watcher is not None and model.running and watcher.check(model, view):
            stopped = True
            break
    row = _base_row(config, task)
    outputs = compute_outputs(
        model,
        config.outputs,
        names,
        config.window_start,
        stopped,
        base=config.scenario,
        key=config.spec_hash,
    )
    series = _series(model, config, task) if config.outputs.series is not None else None
    row.update(
        status="ok",
        error=None,
        steps=int(model.steps),
        end_date=model.date,
        stopped_early=stopped,
        wall_seconds=time.perf_counter() - t0,
    )
    row.update(outputs)
    return RunResult(task.key, row, series)


def _series(model, config: RunConfig, task: RunTask) -> pd.DataFrame:
    spec = config.outputs.series
    df = model.timeseries.frame()
    last = int(df["step"].max()) if len(df) else 0
    keep = df["kind"].astype(str).isin(spec.kinds) & (
        (df["step"] % spec.every == 0) | (df["step"] == last)
    )
    df = df.loc[keep, ["step", "date", "actor", "kind", "side", *spec.columns]]
    df = df.reset_index(drop=True)
    df["kind"] = df["kind"].astype(str)
    df.insert(0, "replicate", task.replicate)
    df.insert(0, "point", task.point)
    df.insert(0, "run_key", task.key)
    return df
