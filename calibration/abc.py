"""Calibration of rule parameters against the record by ABC-SMC (pyabc).

The pieces:

* **Priors** (:mod:`calibration.priors`): from the ranges the rules declare, uniform or
  log-uniform; ABC works in the prior's space (log10 for log-uniform priors).
* **Model** (:class:`SimulationModel`): one run of the scenario with the proposed parameter
  values, from the scenario's start to the window's end, reduced to the comparison's summary
  statistics (:func:`calibration.comparison.summary_statistics`): events of each type per
  half-year, months with an event on each of the record's 8 most frequent (class, pair)
  combinations, and the adjusted Rand index with the recorded alignment on every 1 January and
  1 July after the window's first day. Several patterns at once, as pattern-oriented modelling
  asks.
* **Distance**: ``pyabc.distance.AdaptivePNormDistance`` with ``p = 1``: each statistic is
  divided by its spread (mean absolute deviation, :func:`spread`) in the latest generation's
  simulations, refitted every generation, and no statistic weighs more than
  :data:`MAX_WEIGHT_RATIO` times the lightest one (so a statistic that almost never varies
  cannot dominate). A statistic that never varies gets weight 0.
* **Samplers** (:func:`make_sampler`): pyabc's multicore sampler on the local cores by
  default, one process (``workers=1``) for a reproducible calibration, or a Dask cluster.
* **History**: a SQLite database. :func:`calibrate` continues a stored calibration of the
  same configuration (the same scenario content, parameters, priors, window, record and
  statistics; the population size may not change either) for the generations still missing,
  and refuses a database that holds a different one.

Seeds: each simulation's seed is a hash of the calibration's seed and the proposed parameter
values (:func:`particle_seed`), so every particle in the database can be re-run exactly from
its stored values, whatever sampler ran it. The proposals themselves come from numpy's global
random state: :func:`calibrate` seeds it with ``seed`` before pyabc starts, which makes a
calibration with ``workers=1`` reproducible; pyabc's multicore and Dask samplers reseed every
worker from the operating system, so those calibrations are not reproducible draw for draw
(only in distribution).

This module runs the model through :mod:`sim.model` and never changes it or the scenario file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from calibration.priors import Prior, natural_values, pyabc_prior
from calibration.record import Record
from sim.scenario import Problem, Scenario, ScenarioError

STATISTICS_VERSION = 1
"""Bumped when the statistics change, so an old database is not continued with new ones."""

MAX_WEIGHT_RATIO = 10.0
"""Largest ratio of two statistics' weights in the adaptive distance."""

EPSILON_MULTIPLIER = 0.95
"""Factor applied to the median distance that sets each generation's threshold. Slightly below
1 so that the threshold always falls: with count statistics many runs share exactly the same
distance (e.g. every run in which nothing happens), and a threshold equal to the median of
tied distances would accept all of them generation after generation."""

META_KEY = "coalsim_calibration"
"""Key of the configuration in the run's pyabc meta information."""


# -- the configuration ---------------------------------------------------------------------
@dataclass
class CalibrationSetup:
    """Everything that defines a calibration, apart from its budget and sampler.

    Attributes:
        scenario: The scenario (its other rule parameters stay as the file sets them).
        priors: The calibrated parameters.
        start: First day of the window whose statistics are fitted.
        end: Last day of the window; runs stop there.
        dates: Alignment dates (every 1 January and 1 July after ``start`` in the window).
        record: The record (``None``: the shipped one).
        seed: Seed of the proposals and of every simulation's seed.
        population: Particles per generation.
        observed: The observed statistics (default: the record's, :func:`observed`).
        synthetic: A label when ``observed`` is synthetic (tests), stored with the run.
    """

    scenario: Scenario
    priors: list[Prior]
    start: dt.date
    end: dt.date
    dates: list[dt.date]
    record: Record | None = None
    seed: int = 0
    population: int = 100
    observed: dict[str, float] | None = None
    synthetic: str = ""

    @property
    def names(self) -> list[str]:
        """The calibrated parameters' names."""
        return [p.name for p in self.priors]

    def fingerprint(self) -> dict:
        """What must match for a stored calibration to be continued (JSON-able)."""
        return {
            "scenario": self.scenario.name,
            "scenario_sha256": scenario_digest(self.scenario),
            "record_sha256": record_digest(self.record),
            "params": [[p.name, p.scale, p.low, p.high] for p in self.priors],
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "dates": [d.isoformat() for d in self.dates],
            "seed": int(self.seed),
            "population": int(self.population),
            "statistics_version": STATISTICS_VERSION,
            "observed_sha256": _digest(json.dumps(self.observed_statistics(), sort_keys=True)),
            "synthetic": self.synthetic,
        }

    def observed_statistics(self) -> dict[str, float]:
        """The statistics the calibration fits (the record's unless given)."""
        if self.observed is None:
            self.observed = observed(self)
        return self.observed


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of a scenario's validated content."""
    return _digest(json.dumps(scenario.model_dump(mode="json"), sort_keys=True, default=str))


def record_digest(record: Record | None) -> str:
    """SHA-256 of a record's events and groups (``"shipped"`` for the shipped record)."""
    if record is None:
        return "shipped"
    parts = [
        getattr(record, "events", None),
        getattr(record, "groups", None),
    ]
    text = "".join(p.to_csv(index=False) for p in parts if p is not None)
    return _digest(text)


def build_setup(
    scenario: Scenario,
    priors: Sequence[Prior],
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    record: Record | None = None,
    seed: int = 0,
    population: int = 100,
    observed: dict[str, float] | None = None,
    synthetic: str = "",
) -> CalibrationSetup:
    """Check the window against the scenario and the record and build the setup.

    Raises:
        ScenarioError: For a window outside the scenario, without recorded events, a
            population below 2 or a negative seed.
    """
    from calibration.comparison import prepare

    problems = []
    if not isinstance(population, int | np.integer) or population < 2:
        problems.append(Problem("--population", f"expected a whole number >= 2, got {population}"))
    if not isinstance(seed, int | np.integer) or seed < 0:
        problems.append(Problem("--seed", f"expected a whole number >= 0, got {seed}"))
    if not priors:
        problems.append(Problem("--params", "expected at least one parameter"))
    if problems:
        raise ScenarioError("calibration", problems)
    ctx = prepare(scenario, record, start, end)
    dates = [d for d in ctx.dates if d > ctx.start]
    return CalibrationSetup(
        scenario,
        list(priors),
        ctx.start,
        ctx.end,
        dates,
        record,
        int(seed),
        int(population),
        observed,
        synthetic,
    )


# -- one simulation ------------------------------------------------------------------------
_STATISTICS: dict[tuple, object] = {}


def statistics_for(
    scenario: Scenario,
    record: Record | None,
    start: dt.date,
    end: dt.date,
    dates: Sequence[dt.date],
    key: tuple | None = None,
):
    """The :class:`calibration.summary.RunStatistics` of a window, built once per process.

    ``key`` identifies the content (pyabc's Dask sampler unpickles the model for every job, so
    object identity cannot); default: digests of the scenario and the record.
    """
    from calibration.comparison import prepare
    from calibration.summary import RunStatistics

    if key is None:
        key = (scenario_digest(scenario), record_digest(record))
    full = (*key, start, end, tuple(dates))
    hit = _STATISTICS.get(full)
    if hit is None:
        if len(_STATISTICS) >= 8:
            _STATISTICS.pop(next(iter(_STATISTICS)))
        ctx = prepare(scenario, record, start, end)
        _STATISTICS[full] = hit = RunStatistics(ctx, dates)
    return hit


def particle_seed(seed: int, values: Sequence[float]) -> int:
    """The seed of a simulation: a hash of the calibration seed and the proposed values."""
    bits = np.asarray(values, dtype=np.float64).view(np.uint64)
    entropy = [int(seed), *(int(b) for b in bits)]
    return int(np.random.SeedSequence(entropy).generate_state(1, dtype=np.uint32)[0])


def run_statistics(
    scenario: Scenario,
    settings: dict[str, float],
    seed: int,
    start: dt.date,
    end: dt.date,
    dates: Sequence[dt.date],
    record: Record | None = None,
    key: tuple | None = None,
) -> dict[str, float]:
    """Run ``scenario`` with ``settings`` and ``seed`` to ``end``; its summary statistics.

    Args:
        scenario: The base scenario (the record side of the comparison is built from it).
        settings: ``{rule.param: value}`` set for this run.
        seed: The run's seed.
        start: First day of the window.
        end: Last day of the window; the run stops there.
        dates: Alignment dates.
        record: The record (``None``: the shipped one).
        key: Content key of ``scenario`` and ``record`` (see :func:`statistics_for`).

    Returns:
        The statistics of :func:`calibration.comparison.summary_statistics` (computed by
        :class:`calibration.summary.RunStatistics`), NaN replaced by 0.
    """
    from sim.model import CoalitionModel
    from sim.scenario import with_params

    stats_of = statistics_for(scenario, record, start, end, dates, key)
    run_scenario = with_params(scenario, settings, source="calibration") if settings else scenario
    model = CoalitionModel(run_scenario, rng=int(seed), until=end).run()
    alignments = {d: model.alignment(d) for d in dates}
    stats = stats_of(model.events(), alignments)
    return {k: (float(v) if math.isfinite(v) else 0.0) for k, v in stats.items()}


def observed(setup: CalibrationSetup) -> dict[str, float]:
    """The record's statistics under the names of :func:`run_statistics`."""
    from calibration.comparison import observed_statistics

    stats = observed_statistics(setup.record, setup.scenario, setup.start, setup.end, setup.dates)
    return {k: float(v) for k, v in stats.items()}


class SimulationModel:
    """The model pyabc calls: parameters (sampling space) -> summary statistics.

    Picklable (the Dask sampler sends it to the workers with cloudpickle).
    """

    def __init__(self, setup: CalibrationSetup) -> None:
        self.scenario = setup.scenario
        self.priors = list(setup.priors)
        self.start, self.end, self.dates = setup.start, setup.end, list(setup.dates)
        self.record = setup.record
        self.seed = int(setup.seed)
        self.key = (scenario_digest(setup.scenario), record_digest(setup.record))

    def settings(self, pars) -> dict[str, float]:
        """A pyabc parameter as ``{rule.param: value}`` in natural units."""
        return natural_values(self.priors, pars)

    def seed_of(self, pars) -> int:
        """The seed of the simulation of ``pars``."""
        return particle_seed(self.seed, [float(pars[p.name]) for p in self.priors])

    def __call__(self, pars) -> dict[str, float]:
        """Run the scenario with ``pars`` and return its summary statistics."""
        return run_statistics(
            self.scenario,
            self.settings(pars),
            self.seed_of(pars),
            self.start,
            self.end,
            self.dates,
            self.record,
            self.key,
        )


# -- distance and samplers -------------------------------------------------------------------
def spread(*, samples: np.ndarray, **kwargs) -> np.ndarray:
    """Scale of each statistic: mean absolute deviation from the mean over the samples.

    Unlike the median absolute deviation (pyabc's default), it is not 0 for counts of rare
    events that most runs do not have.
    """
    return np.nanmean(np.abs(samples - np.nanmean(samples, axis=0)), axis=0)


def make_distance():
    """The adaptive, weighted L1 distance (see the module docstring)."""
    from pyabc.distance import AdaptivePNormDistance

    return AdaptivePNormDistance(
        p=1, scale_function=spread, max_scale_weight_ratio=MAX_WEIGHT_RATIO
    )


def make_epsilon():
    """Acceptance threshold: a fixed share of the previous generation's median distance.

    :data:`EPSILON_MULTIPLIER` times the weighted median (see there why not the median).
    """
    from pyabc.epsilon import QuantileEpsilon

    return QuantileEpsilon(alpha=0.5, quantile_multiplier=EPSILON_MULTIPLIER)


def available_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _reachable(address: str, timeout: float = 5.0) -> None:
    """Fail fast (``OSError``) when nothing listens at a ``tcp://host:port`` address."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    if parts.scheme != "tcp" or not parts.hostname or not parts.port:
        return  # other protocols: let distributed try
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout):
        pass


def make_sampler(workers: int | None = None, scheduler: str | None = None, client=None):
    """A pyabc sampler.

    Args:
        workers: Local processes (default: the available cores); 1 runs in this process
            (pyabc's ``SingleCoreSampler``, reproducible with a seed).
        scheduler: Address of a Dask scheduler (``tcp://host:8786``): pyabc's
            ``DaskDistributedSampler`` on that cluster.
        client: An existing ``distributed.Client`` (instead of ``scheduler``).

    Raises:
        ScenarioError: If the scheduler cannot be reached.
    """
    from pyabc.sampler import (
        DaskDistributedSampler,
        MulticoreEvalParallelSampler,
        SingleCoreSampler,
    )

    if client is not None or scheduler:
        if client is None:
            from distributed import Client

            try:
                _reachable(scheduler)
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:
                raise ScenarioError(
                    "command line",
                    [Problem("--scheduler", f"cannot connect to {scheduler}: {exc}")],
                ) from None
        return DaskDistributedSampler(dask_client=client)
    n = available_cores() if workers is None else int(workers)
    if n <= 1:
        return SingleCoreSampler()
    return MulticoreEvalParallelSampler(n_procs=n)


# -- running ---------------------------------------------------------------------------------
@dataclass
class Calibration:
    """A calibration in its database.

    Attributes:
        setup: The configuration.
        db: Path of the SQLite database.
        run_id: The run's id in the database.
        history: pyabc's ``History`` of the run.
        resumed: Whether this call continued a stored run.
        generations_before: Generations stored before this call.
        elapsed: Wall time of this call's sampling, seconds.
        log: Lines reported while it ran.
    """

    setup: CalibrationSetup
    db: Path
    run_id: int
    history: object
    resumed: bool = False
    generations_before: int = 0
    elapsed: float = 0.0
    log: list[str] = field(default_factory=list)

    @property
    def generations(self) -> int:
        """Generations stored."""
        return int(self.history.n_populations)


def db_url(path: str | Path) -> str:
    """The SQLAlchemy address of a SQLite file."""
    return "sqlite:///" + str(Path(path).resolve())


def stored_runs(db: str | Path) -> list[tuple[int, dict | None]]:
    """``(run id, configuration)`` of each calibration stored in ``db`` (``None``: not ours).

    Raises:
        ScenarioError: If ``db`` is not a pyabc database.
    """
    import ast

    from pyabc import History

    try:
        history = History(db_url(db))
        runs = history.all_runs()
    except Exception as exc:  # sqlalchemy raises many kinds for a file that is not a database
        raise ScenarioError(
            "command line",
            [Problem("--db", f"{db} exists but is not a pyabc database ({type(exc).__name__})")],
        ) from None
    out = []
    for run in runs:
        config = None
        try:
            options = ast.literal_eval(run.json_parameters or "None")
            if isinstance(options, dict) and META_KEY in options:
                config = json.loads(options[META_KEY])
        except (ValueError, SyntaxError, TypeError):
            config = None
        out.append((int(run.id), config))
    return out


def _differences(a: dict, b: dict) -> list[str]:
    return [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def find_run(db: str | Path, setup: CalibrationSetup) -> int | None:
    """The id of the stored run of ``setup`` in ``db``, ``None`` if the database is new.

    Raises:
        ScenarioError: If ``db`` holds runs, but none of this configuration.
    """
    if not Path(db).exists() or Path(db).stat().st_size == 0:
        return None
    runs = stored_runs(db)
    if not runs:
        return None
    fp = json.loads(json.dumps(setup.fingerprint()))
    for run_id, config in runs:
        if config == fp:
            return run_id
    ours = [c for _, c in runs if c is not None]
    if ours:
        diff = _differences(ours[-1], fp)
        why = f"it holds a calibration that differs in: {', '.join(diff)}"
    else:
        why = "it holds pyabc runs that are not coalsim calibrations"
    raise ScenarioError(
        "command line",
        [Problem("--db", f"{db} belongs to another calibration ({why}); use another --db")],
    )


class _Progress(logging.Handler):
    """Turns pyabc's log records into one line per event, with the elapsed wall time."""

    def __init__(self, emit: Callable[[str], None], t0: float, lines: list[str]) -> None:
        super().__init__(logging.INFO)
        self._emit, self._t0, self._lines = emit, t0, lines

    def emit(self, record: logging.LogRecord) -> None:
        msg = record.getMessage()
        if record.name == "ABC" and msg.startswith(("t:", "Accepted:", "Stop", "Calibration")):
            line = f"[{time.perf_counter() - self._t0:8.1f} s] {msg}"
        elif record.levelno >= logging.WARNING:
            line = f"[{time.perf_counter() - self._t0:8.1f} s] {record.name}: {msg}"
        else:
            return
        self._lines.append(line)
        self._emit(line)


def calibrate(
    setup: CalibrationSetup,
    db: str | Path,
    generations: int,
    *,
    sampler=None,
    minimum_epsilon: float = 0.0,
    progress: Callable[[str], None] | None = None,
) -> Calibration:
    """Run (or continue) the ABC-SMC calibration of ``setup`` into the database ``db``.

    Args:
        setup: The configuration (:func:`build_setup`).
        db: SQLite file; created if missing, continued if it holds this configuration.
        generations: Total generations wanted (those already stored count).
        sampler: A pyabc sampler (default: :func:`make_sampler` on the local cores).
        minimum_epsilon: Stop early once the acceptance threshold falls below it.
        progress: Called with a line per generation (epsilon, acceptance, wall time).

    Returns:
        The calibration, its history in the database.

    Raises:
        ScenarioError: If ``db`` belongs to another configuration, or bad budgets.
    """
    from pyabc import ABCSMC

    if not isinstance(generations, int | np.integer) or generations < 1:
        raise ScenarioError(
            "calibration",
            [Problem("--generations", f"expected a whole number >= 1, got {generations}")],
        )
    db = Path(db)
    db.parent.mkdir(parents=True, exist_ok=True)
    run_id = find_run(db, setup)
    observed_stats = setup.observed_statistics()
    warm_up(setup)
    sampler = sampler if sampler is not None else make_sampler()
    result = Calibration(setup, db, -1, None)
    t0 = time.perf_counter()
    with _pyabc_log(_Progress(progress or (lambda _line: None), t0, result.log)):
        abc = ABCSMC(
            SimulationModel(setup),
            pyabc_prior(setup.priors),
            make_distance(),
            population_size=setup.population,
            sampler=sampler,
            eps=make_epsilon(),
        )
        done = 0
        if run_id is None:
            _seed_everything(setup.seed, 0)
            history = abc.new(
                db_url(db),
                observed_stats,
                meta_info={META_KEY: json.dumps(setup.fingerprint())},
            )
            run_id = int(history.id)
        else:
            history = abc.load(db_url(db), run_id)
            done = int(history.n_populations)
            _seed_everything(setup.seed, done)
        result.run_id, result.history = run_id, history
        result.resumed, result.generations_before = done > 0, done
        remaining = generations - done
        if remaining <= 0:
            return result
        t0 = time.perf_counter()
        try:
            result.history = abc.run(minimum_epsilon=minimum_epsilon, max_nr_populations=remaining)
        finally:
            result.elapsed = time.perf_counter() - t0
    return result


@contextlib.contextmanager
def _pyabc_log(handler: logging.Handler):
    """Route pyabc's log through ``handler`` instead of the stream handler pyabc adds."""
    logger = logging.getLogger("ABC")
    old_level, old_handlers = logger.level, list(logger.handlers)
    for h in old_handlers:
        logger.removeHandler(h)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        for h in old_handlers:
            logger.addHandler(h)
        logger.setLevel(old_level)


def warm_up(setup: CalibrationSetup) -> None:
    """Prepare the record side and load the model's compiled kernels in this process.

    pyabc's multicore sampler forks fresh workers every generation; what the parent holds
    already (the comparison context, numba's kernels) they need not build again.
    """
    from sim.model import CoalitionModel

    model = SimulationModel(setup)
    statistics_for(setup.scenario, setup.record, setup.start, setup.end, setup.dates, model.key)
    until = min(setup.end, setup.scenario.start + dt.timedelta(days=4 * setup.scenario.step_days))
    CoalitionModel(setup.scenario, rng=0, until=until).run()


def _seed_everything(seed: int, generation: int) -> None:
    """Seed numpy's and Python's global generators (pyabc draws its proposals from them)."""
    state = np.random.SeedSequence([int(seed), int(generation)]).generate_state(2)
    np.random.seed(int(state[0]))  # noqa: NPY002 - pyabc draws from the legacy global state
    random.seed(int(state[1]))


def open_calibration(db: str | Path, setup: CalibrationSetup) -> Calibration:
    """The stored calibration of ``setup`` in ``db``, without sampling.

    Raises:
        ScenarioError: If ``db`` has no calibration of this configuration.
    """
    from pyabc import History

    run_id = find_run(db, setup) if Path(db).exists() else None
    if run_id is None:
        raise ScenarioError("command line", [Problem("--db", f"{db} holds no such calibration")])
    history = History(db_url(db))
    history.id = run_id
    return Calibration(setup, Path(db), run_id, history, True, int(history.n_populations))
