"""Ensembles: N runs of one scenario with different seeds, in parallel on the local cores.

Seeds come from ``numpy.random.SeedSequence(seed).spawn(n)`` (one 32-bit integer each, see
:func:`ensemble_seeds`), runs go to a ``concurrent.futures.ProcessPoolExecutor`` with the
``spawn`` start method, and results are collected in seed order, so an ensemble is identical
whatever the number of workers (``workers=1`` runs in this process, without a pool).

A worker returns small tables only: the run's events, its events as dyads with covers (see
:func:`calibration.dyads.simulated_dyads`) and its alignment on the requested dates.

This module runs the model; it never changes the scenario or the model.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
import pandas as pd

from sim.scenario import Scenario

EVENT_COLUMNS = ["step", "date", "event_type", "actor", "target"]


@dataclass
class Ensemble:
    """The outputs of N runs of one scenario.

    Attributes:
        seeds: The seed of each run, in run order.
        events: Every run's events; columns ``run`` plus :data:`EVENT_COLUMNS`.
        dyads: Every run's dyads (``run`` plus :data:`calibration.dyads.SIM_DYAD_COLUMNS`).
        alignments: Columns ``run, date, actor, side``: who was on which side on each date.
        elapsed: Wall time of the runs, seconds.
        workers: Number of processes used.
    """

    seeds: list[int]
    events: pd.DataFrame
    dyads: pd.DataFrame
    alignments: pd.DataFrame
    elapsed: float = 0.0
    workers: int = 1

    @property
    def runs(self) -> int:
        """Number of runs."""
        return len(self.seeds)

    def alignment_dicts(self, run: int) -> dict[dt.date, dict[str, str]]:
        """One run's alignments as ``{date: {actor: side}}``."""
        sub = self.alignments[self.alignments["run"] == run]
        return {
            d.date(): dict(zip(g["actor"], g["side"], strict=True))
            for d, g in sub.groupby("date", sort=True)
        }


def ensemble_seeds(seed: int, runs: int) -> list[int]:
    """``runs`` independent integer seeds derived from ``seed`` (a ``SeedSequence`` spawn)."""
    children = np.random.SeedSequence(seed).spawn(runs)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]


def simulate(
    scenario: Scenario, seed: int, until: dt.date | None = None, dates: Sequence[dt.date] = ()
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One run: its events, dyads and alignments on ``dates`` (see :class:`Ensemble`)."""
    from calibration.dyads import simulated_dyads
    from sim.model import CoalitionModel

    model = CoalitionModel(scenario, rng=seed, until=until).run()
    events = model.events()
    events = events[EVENT_COLUMNS].copy()
    events["event_type"] = events["event_type"].astype(str)
    dyads = simulated_dyads(events, model.timeseries.frame())
    rows = []
    for d in dates:
        for actor, side in model.alignment(d).items():
            rows.append((pd.Timestamp(d), actor, side))
    alignments = pd.DataFrame(rows, columns=["date", "actor", "side"])
    return events, dyads, alignments


_WORKER_SCENARIO: Scenario | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER_SCENARIO
    _WORKER_SCENARIO = scenario


def _run_job(settings: dict | None, seed: int, until: dt.date | None, dates: tuple):
    assert _WORKER_SCENARIO is not None
    return _simulate_job(_WORKER_SCENARIO, settings, seed, until, dates)


def _simulate_job(scenario, settings, seed, until, dates):
    if settings:
        from sim.scenario import with_params

        scenario = with_params(scenario, settings, "parameter draw")
    return simulate(scenario, seed, until, dates)


def run_jobs(
    scenario: Scenario,
    jobs: Sequence[tuple[dict | None, int]],
    until: dt.date | None,
    dates: Sequence[dt.date],
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, float, int]:
    """Run ``(settings, seed)`` jobs on ``scenario``; gather their frames in job order.

    Runs go to a ``spawn`` process pool (``workers=1``: in this process) and are collected in
    job order, so the result does not depend on ``workers``.

    Returns:
        Events, dyads and alignments (each with a ``run`` column: the job's index), the wall
        time and the number of processes used.
    """
    n = len(jobs)
    workers = default_workers(n) if workers is None else max(1, min(int(workers), n))
    dates = tuple(dates)
    t0 = time.perf_counter()
    results: list = [None] * n
    if workers == 1:
        for k, (settings, seed) in enumerate(jobs):
            results[k] = _simulate_job(scenario, settings, seed, until, dates)
            if progress is not None:
                progress(k + 1, n)
    else:
        ctx = get_context("spawn")
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(scenario,)
        ) as pool:
            futures = {
                pool.submit(_run_job, settings, seed, until, dates): k
                for k, (settings, seed) in enumerate(jobs)
            }
            for done, fut in enumerate(as_completed(futures), start=1):
                results[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done, n)
    elapsed = time.perf_counter() - t0
    parts = [[], [], []]
    for k, res in enumerate(results):
        for part, frame in zip(parts, res, strict=True):
            part.append(frame.assign(run=k))
    events, dyads, alignments = (
        pd.concat(p, ignore_index=True)[["run", *(c for c in p[0].columns if c != "run")]]
        for p in parts
    )
    return events, dyads, alignments, elapsed, workers


def default_workers(runs: int) -> int:
    """Processes to use: the cores this process may run on, at most one per run."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, runs))


def run_ensemble(
    scenario: Scenario,
    runs: int,
    *,
    seed: int = 0,
    until: dt.date | None = None,
    dates: Sequence[dt.date] = (),
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Ensemble:
    """Run ``scenario`` ``runs`` times with seeds from :func:`ensemble_seeds`.

    Args:
        scenario: A validated scenario.
        runs: Number of runs (at least 1).
        seed: Seed of the seed sequence.
        until: Last date to simulate (default: the scenario's end).
        dates: Dates on which to record each run's alignment.
        workers: Processes (default: :func:`default_workers`); 1 runs in this process.
        progress: Called as ``progress(done, total)`` after each run.

    Returns:
        The ensemble, runs in seed order.
    """
    if runs < 1:
        raise ValueError(f"expected at least one run, got {runs}")
    seeds = ensemble_seeds(seed, runs)
    events, dyads, alignments, elapsed, workers = run_jobs(
        scenario, [(None, s) for s in seeds], until, dates, workers, progress
    )
    return Ensemble(seeds, events, dyads, alignments, elapsed=elapsed, workers=workers)
