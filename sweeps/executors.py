"""Where runs execute: a local process pool or a Dask cluster, behind one as-completed loop.

- :class:`InProcess`: one run after the other in this process (``--workers 0``), for debugging.
- :class:`LocalPool`: :class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn``
  context (no state inherited from the parent; the same fresh-interpreter conditions as a Dask
  worker). A worker process that dies breaks the pool: the pool is rebuilt and the runs that
  were in flight are submitted again (a run that breaks it three times is recorded as an error).
- :class:`DaskCluster`: a ``distributed.Client`` on an existing scheduler (``tcp://HOST:PORT``)
  or on a ``LocalCluster(n_workers=N, threads_per_worker=1)``. A worker that dies is replaced
  by its nanny (or the others take over) and the scheduler re-runs its tasks; a run whose task
  kills three workers comes back as ``KilledWorker`` and is recorded as an error.

:func:`execute` keeps a bounded number of runs in flight (twice the workers, so a sweep of any
size streams through memory), hands every finished run to a sink (the results store) as soon
as it completes, and shows a tqdm bar with rate and ETA. A run that raises is recorded by
:func:`sweeps.runner.run_one` itself, with its error text; the loop goes on.

Nothing here knows about Parquet or the model: tasks go in, :class:`RunResult` objects come out.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from sim.scenario import Problem, ScenarioError
from sweeps.runner import RunConfig, RunResult, RunTask, error_result, run_one

MAX_ATTEMPTS = 3


class SweepAborted(RuntimeError):
    """The executor itself failed (e.g. the Dask scheduler went away); resume later."""


class InProcess:
    """Runs one after the other in this process (``--workers 0``: for debugging and tests)."""

    name = "current process"

    def describe(self) -> str:
        """One line for the user."""
        return "current process (no pool)"

    def capacity(self) -> int:
        """Runs that can execute at once."""
        return 1

    def submit(self, config: RunConfig, task: RunTask, attempt: int):
        """Run now; returns a finished future."""
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(run_one(config, task))
        except Exception as exc:
            fut.set_exception(exc)
        return fut

    def wait(self, futures) -> set:
        """All futures are done already."""
        return set(futures)

    def outcome(self, fut) -> RunResult | Exception:
        """The run's result, or the exception that prevented it."""
        return fut.exception() or fut.result()

    def lost_worker(self, exc: Exception) -> bool:
        """No worker to lose."""
        return False

    def restart(self) -> None:
        """Nothing to restart."""

    def close(self, cancel: bool = False) -> None:
        """Nothing to close."""


class LocalPool:
    """A process pool on this machine (``spawn`` context)."""

    name = "local process pool"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = max(1, workers or os.cpu_count() or 1)
        self._ctx = multiprocessing.get_context("spawn")
        self._pool = self._new()

    def _new(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(max_workers=self.workers, mp_context=self._ctx)

    def describe(self) -> str:
        """One line for the user."""
        return f"{self.name} with {self.workers} worker(s)"

    def capacity(self) -> int:
        """Runs that can execute at once."""
        return self.workers

    def submit(self, config: RunConfig, task: RunTask, attempt: int):
        """Start one run; returns a future."""
        return self._pool.submit(run_one, config, task)

    def wait(self, futures) -> set:
        """Block until at least one future is done; returns the done ones."""
        done, _ = cf.wait(list(futures), return_when=cf.FIRST_COMPLETED)
        return done

    def outcome(self, fut) -> RunResult | Exception:
        """The run's result, or the exception that prevented it."""
        try:
            return fut.result()
        except Exception as exc:
            return exc

    def lost_worker(self, exc: Exception) -> bool:
        """Whether an exception means a worker process died (the run should be retried)."""
        return isinstance(exc, BrokenProcessPool)

    def restart(self) -> None:
        """Replace a broken pool."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new()

    def close(self, cancel: bool = False) -> None:
        """Shut the pool down (cancelling queued runs when ``cancel``)."""
        self._pool.shutdown(wait=not cancel, cancel_futures=cancel)


class DaskCluster:
    """A Dask cluster: an existing scheduler, or a local cluster started here."""

    def __init__(self, address: str | None = None, n_workers: int | None = None) -> None:
        from distributed import Client, LocalCluster

        self.address = address
        self._cluster = None
        if address is None:
            self._cluster = LocalCluster(
                n_workers=max(1, n_workers or os.cpu_count() or 1),
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # no fixed port, loopback only
                silence_logs=logging.ERROR,
            )
            self.client = Client(self._cluster)
        else:
            try:
                self.client = Client(address, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise ScenarioError(
                    "--scheduler",
                    [Problem("--scheduler", f"cannot reach a Dask scheduler at {address}: {exc}")],
                ) from None

    def describe(self) -> str:
        """One line for the user."""
        n = len(self.client.scheduler_info(n_workers=-1).get("workers", {}))
        where = self.address or f"a local Dask cluster ({self.client.scheduler.address})"
        return f"Dask scheduler {where} with {n} worker(s) now"

    def capacity(self) -> int:
        """Threads of the workers now connected (at least 1)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return 1

    def submit(self, config: RunConfig, task: RunTask, attempt: int):
        """Start one run; returns a future."""
        key = f"coalsim-{config.spec_hash}-{task.key}-a{attempt}"
        return self.client.submit(run_one, config, task, key=key, pure=False)

    def wait(self, futures) -> set:
        """Block until at least one future is done; returns the done ones."""
        from distributed import wait

        done, _ = wait(list(futures), return_when="FIRST_COMPLETED")
        return set(done)

    def outcome(self, fut) -> RunResult | Exception:
        """The run's result, or the exception that prevented it."""
        if fut.status == "cancelled":
            raise SweepAborted(
                "a run was cancelled by the Dask scheduler (did the scheduler restart?); "
                "run the same command again to resume"
            )
        try:
            return fut.result()
        except Exception as exc:
            if fut.status == "error":
                return exc  # e.g. KilledWorker: recorded as the run's error
            raise SweepAborted(f"lost the Dask scheduler: {exc}; run again to resume") from exc

    def lost_worker(self, exc: Exception) -> bool:
        """Dask re-runs the tasks of lost workers itself."""
        return False

    def restart(self) -> None:
        """Nothing to do: Dask replaces lost workers itself."""

    def close(self, cancel: bool = False) -> None:
        """Close the client (and the local cluster, if started here)."""
        try:
            self.client.close()
        finally:
            if self._cluster is not None:
                self._cluster.close()


@dataclass
class Tally:
    """What an :func:`execute` call did."""

    ok: int = 0
    errors: int = 0
    submitted: int = 0
    budget_reached: bool = False
    seconds: float = 0.0


def execute(
    backend,
    config: RunConfig,
    tasks: Iterator[RunTask],
    sink: Callable[[RunResult], None],
    *,
    total: int,
    initial: int = 0,
    deadline: float | None = None,
    progress: bool = True,
) -> Tally:
    """Run tasks on ``backend``, passing each finished run to ``sink`` as it completes.

    Args:
        backend: A :class:`LocalPool` or :class:`DaskCluster`.
        config: Shared run configuration.
        tasks: The runs to do (consumed lazily).
        sink: Called in this process with every finished run (success or error).
        total: Runs in the whole sweep (for the progress bar).
        initial: Runs already done before this call (the bar starts there).
        deadline: ``time.monotonic()`` after which no new run is started.
        progress: Show the tqdm bar (on standard error).

    Returns:
        The tally of this call.
    """
    from tqdm import tqdm

    t0 = time.perf_counter()
    tally = Tally()
    pending: dict = {}  # future -> (task, attempt)
    attempts: dict[str, int] = {}
    exhausted = False
    bar = tqdm(
        total=total,
        initial=initial,
        unit="run",
        file=sys.stderr,
        disable=not progress,
        dynamic_ncols=True,
        mininterval=0.5,
        smoothing=0.1,
    )

    def fill() -> None:
        nonlocal exhausted
        limit = 2 * backend.capacity()
        while not exhausted and len(pending) < limit:
            if deadline is not None and time.monotonic() >= deadline:
                tally.budget_reached = True
                exhausted = True
                return
            task = next(tasks, None)
            if task is None:
                exhausted = True
                return
            attempts[task.key] = 1
            pending[backend.submit(config, task, 1)] = task
            tally.submitted += 1

    def finish(result: RunResult) -> None:
        attempts.pop(result.key, None)
        sink(result)
        if result.ok:
            tally.ok += 1
        else:
            tally.errors += 1
        bar.update(1)
        if tally.errors:
            bar.set_postfix_str(f"{tally.errors} error(s)", refresh=False)

    try:
        fill()
        while pending:
            done = backend.wait(pending)
            retry: list[RunTask] = []
            for fut in [f for f in pending if f in done]:  # in submission order
                task = pending.pop(fut)
                out = backend.outcome(fut)
                if isinstance(out, RunResult):
                    finish(out)
                elif backend.lost_worker(out):
                    retry.append(task)
                else:
                    finish(error_result(config, task, f"{type(out).__name__}: {out}"))
            if retry:
                # A dead process breaks the whole pool: every run in flight must start again.
                retry += list(pending.values())
                pending.clear()
                backend.restart()
                for task in retry:
                    n = attempts[task.key] = attempts[task.key] + 1
                    if n > MAX_ATTEMPTS:
                        msg = f"a worker process died while running it ({MAX_ATTEMPTS} attempts)"
                        finish(error_result(config, task, msg))
                    else:
                        pending[backend.submit(config, task, n)] = task
            fill()
    finally:
        bar.close()
        tally.seconds = time.perf_counter() - t0
    return tally
