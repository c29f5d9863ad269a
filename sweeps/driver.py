"""Running a whole sweep: design, results folder, what is left to do, execution, compaction.

:func:`run_sweep` is what ``coalsim sweep`` does: build the design, open (or create) the
results folder (refusing one made by a different sweep), list the runs whose row is not on
disk yet, run them on the chosen executor, write every run as it finishes, then compact the
small files. Running it again on the same folder resumes: finished runs are skipped (failed
runs too, unless ``retry_failed``).

Runs are ordered replicate by replicate (every point's replicate 0 first), so a sweep that is
cut short (killed, or out of its ``stop.max_hours`` budget) still covers the whole design.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sweeps.design import Design, build_design, replicate_seeds
from sweeps.executors import DaskCluster, InProcess, LocalPool, Tally, execute
from sweeps.outputs import output_columns
from sweeps.runner import RunConfig, RunResult, RunTask, param_column, run_key
from sweeps.spec import Sweep
from sweeps.store import COMPACT_EVERY, ResultStore, arrow_schema


@dataclass
class SweepReport:
    """What a ``coalsim sweep`` invocation did."""

    out: Path
    total: int
    skipped: int
    tally: Tally
    executor: str
    remaining: int

    def summary(self) -> str:
        """A few lines for the user."""
        t = self.tally
        if t.ok + t.errors == 0 and not self.remaining:
            lines = [f"{self.total} runs in the sweep: all {self.skipped} already done"]
        else:
            lines = [
                f"{self.total} runs in the sweep: {self.skipped} already done, "
                f"{t.ok + t.errors} run now ({t.ok} ok, {t.errors} error(s)) "
                f"in {t.seconds:.1f} s on the {self.executor}",
            ]
        if self.remaining:
            why = " (time budget stop.max_hours reached)" if t.budget_reached else ""
            lines.append(
                f"{self.remaining} runs still to do{why}: run the same command again to continue"
            )
        lines.append(f"results in {self.out}/runs (analyse with `coalsim analyze {self.out}`)")
        return "\n".join(lines)


def row_schema(sweep: Sweep, design: Design):
    """The Parquet schema of a run row (score columns are added when they appear)."""
    cols: list[tuple[str, str]] = [
        ("run_key", "str"),
        ("spec_hash", "str"),
        ("point", "int"),
        ("replicate", "int"),
        ("seed", "int"),
    ]
    for p in sweep.params:
        dtype = design.points[p.name].dtype
        kind = "bool" if dtype.kind == "b" else "int" if dtype.kind in "iu" else "float"
        cols.append((param_column(p.name), kind))
    cols += [
        ("status", "str"),
        ("error", "str"),
        ("steps", "int"),
        ("end_date", "date"),
        ("stopped_early", "bool"),
        ("wall_seconds", "float"),
    ]
    cols += output_columns(sweep.spec.outputs)
    return arrow_schema(cols)


def manifest_of(sweep: Sweep, design: Design) -> dict:
    """The ``sweep.json`` of a sweep."""
    spec = sweep.spec
    return {
        "format": 1,
        "spec_hash": sweep.spec_hash,
        "name": spec.name,
        "description": spec.description,
        "sweep_file": str(Path(sweep.source).resolve()),
        "scenario_file": str(sweep.scenario_path.resolve()),
        "scenario": sweep.scenario.name,
        "created": dt.datetime.now().isoformat(timespec="seconds"),
        "method": spec.design.method,
        "parameters": [
            {
                "name": p.name,
                "low": p.low,
                "high": p.high,
                "scale": p.scale,
                "values": list(p.values) if p.values is not None else None,
                "integer": p.integer,
            }
            for p in sweep.params
        ],
        "n_points": len(design),
        "replicates": spec.replicates,
        "seed": spec.seed,
        "window": [sweep.start.isoformat(), sweep.end.isoformat()],
        "outcomes": [
            {"name": o.name, "kind": o.kind, "description": o.description}
            for o in spec.outputs.outcomes
        ],
        "spec": spec.model_dump(mode="json", by_alias=True),
    }


def plan(sweep: Sweep) -> tuple[Design, list[int]]:
    """The design and the replicate seeds of a sweep."""
    return build_design(sweep), replicate_seeds(sweep.spec.seed, sweep.spec.replicates)


def tasks_of(design: Design, seeds: list[int], skip: set[str]) -> Iterator[RunTask]:
    """Runs not in ``skip``, replicate by replicate."""
    for r, seed in enumerate(seeds):
        for point in range(len(design)):
            if run_key(point, r) in skip:
                continue
            yield RunTask(point, r, seed, design.params_of(point))


def run_sweep(
    sweep: Sweep,
    out: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    local_cluster: int | None = None,
    retry_failed: bool = False,
    progress: bool = True,
) -> SweepReport:
    """Run (or resume) a sweep into the results folder ``out``.

    Args:
        sweep: A loaded sweep (:func:`sweeps.spec.load_sweep`).
        out: The results folder.
        workers: Processes of the local pool (default: the number of CPUs; 0: run in this
            process, one after the other).
        scheduler: Address of an existing Dask scheduler (``tcp://HOST:PORT``).
        local_cluster: Start a local Dask cluster with this many single-threaded workers.
        retry_failed: Run again the runs recorded with an error.
        progress: Show a progress bar.

    Raises:
        ScenarioError: If ``out`` holds another sweep's results or cannot be used, or the
            scheduler cannot be reached.
    """
    design, seeds = plan(sweep)
    schema = row_schema(sweep, design)
    store = ResultStore.open(out, manifest_of(sweep, design), design.table(), sweep.text)
    try:
        total = len(design) * len(seeds)
        done = store.finished()
        skip = {k for k, s in done.items() if s == "ok" or not retry_failed}
        skipped = sum(
            1 for r in range(len(seeds)) for p in range(len(design)) if run_key(p, r) in skip
        )
        todo = total - skipped
        config = RunConfig.from_sweep(sweep)
        tally = Tally()
        executor = "nothing to run"
        if todo:
            if scheduler is not None:
                backend = DaskCluster(address=scheduler)
            elif local_cluster is not None:
                backend = DaskCluster(n_workers=local_cluster)
            elif workers == 0:
                backend = InProcess()
            else:
                backend = LocalPool(workers)
            executor = backend.describe()
            deadline = None
            if sweep.spec.stop.max_hours is not None:
                deadline = time.monotonic() + 3600.0 * sweep.spec.stop.max_hours
            written = 0

            def sink(result: RunResult) -> None:
                nonlocal written
                store.write(result.key, result.row, schema, result.series)
                written += 1
                if written % COMPACT_EVERY == 0:
                    store.compact()

            cancel = True
            try:
                tally = execute(
                    backend,
                    config,
                    tasks_of(design, seeds, skip),
                    sink,
                    total=total,
                    initial=skipped,
                    deadline=deadline,
                    progress=progress,
                )
                cancel = False
            finally:
                backend.close(cancel=cancel)
        store.compact()
        remaining = todo - tally.ok - tally.errors
        return SweepReport(Path(out), total, skipped, tally, executor, remaining)
    finally:
        store.close()
