"""The workloads the benchmarks time, each runnable in a child process of its own.

:mod:`benchmarks.run` starts a fresh interpreter per workload where caches or earlier sizes
must not pollute the measurement (cold starts, compilation, peak memory per size), and reads
the one JSON object each command prints on the last line of its standard output::

    python -m benchmarks.workloads idlib-first --runs 3
    python -m benchmarks.workloads synthetic --groups 1000 --steps 52 --runs 1
    python -m benchmarks.workloads versus --agents 400 --alliance-steps 5 --reps 3

Times are wall-clock seconds from :func:`time.perf_counter`; memory is the process's peak
resident set (``ru_maxrss``), in MiB.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
IDLIB = ROOT / "scenarios" / "idlib_2017.yaml"
if str(ROOT) not in sys.path:  # also when run as a script or in a spawned worker
    sys.path.insert(0, str(ROOT))


def peak_rss_mib() -> float:
    """Peak resident set size of this process so far, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """``(seconds, result)`` of calling ``fn``."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# -- the Idlib scenario ----------------------------------------------------------------------
def idlib_run(scenario, seed: int) -> int:
    """One run of a scenario to its end (construction included); returns the event count."""
    from sim.model import CoalitionModel

    return len(CoalitionModel(scenario, rng=seed).run().log)


_WORKER: dict[str, Any] = {}


def init_worker(path: str) -> None:
    """Pool initialiser: load the scenario once and warm the compiled kernels up."""
    from sim.scenario import load_scenario

    _WORKER["scenario"] = load_scenario(path)
    idlib_run(_WORKER["scenario"], 0)


def idlib_pool(workers: int) -> ProcessPoolExecutor:
    """A spawn pool (as calibrations use) whose workers load Idlib once and warm up."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=init_worker,
        initargs=(str(IDLIB),),
    )


def ensemble_run(seed: int) -> int:
    """One ensemble member in a pool worker set up by :func:`init_worker`."""
    return idlib_run(_WORKER["scenario"], seed)


def idlib_first(runs: int) -> dict[str, Any]:
    """Imports, scenario load, the first run and ``runs`` more, in this (fresh) process."""
    t_import, _ = timed(lambda: __import__("sim.model"))
    from sim.scenario import load_scenario

    t_load, scenario = timed(lambda: load_scenario(IDLIB))
    t_first, _ = timed(lambda: idlib_run(scenario, 0))
    later = [timed(lambda s=s: idlib_run(scenario, s))[0] for s in range(1, runs + 1)]
    return {"import_s": t_import, "load_s": t_load, "first_s": t_first, "later_s": later}


# -- synthetic scenarios ---------------------------------------------------------------------
def step_times(model, steps: int) -> list[float]:
    """Wall time of each of the next ``steps`` steps (fewer if the model stops)."""
    out = []
    for _ in range(steps):
        if not model.running:
            break
        t0 = time.perf_counter()
        model.step()
        out.append(time.perf_counter() - t0)
    return out


def warm_up() -> None:
    """Load (or compile) every kernel on a tiny synthetic model before anything is timed."""
    from sim.model import CoalitionModel
    from sim.synthetic import synthetic_scenario

    model = CoalitionModel(synthetic_scenario(60, seed=99, weeks=4), rng=99)
    model.run()


def synthetic(groups: int, steps: int, runs: int, seed: int = 1) -> dict[str, Any]:
    """Generate, build and step synthetic scenarios of ``groups`` groups ``runs`` times."""
    from sim.model import CoalitionModel
    from sim.synthetic import synthetic_scenario

    warm_up()
    rss_base = peak_rss_mib()
    gen, build, per_step, events, rows, sides_end = [], [], [], [], [], []
    for r in range(runs):
        t_gen, scenario = timed(lambda r=r: synthetic_scenario(groups, seed=seed + r, weeks=steps))
        t_build, model = timed(lambda scenario=scenario, r=r: CoalitionModel(scenario, rng=r))
        per_step.append(step_times(model, steps))
        gen.append(t_gen)
        build.append(t_build)
        events.append(len(model.log))
        rows.append(model.actors.n)
        sides_end.append(len(model.sides))
        del model, scenario
    return {
        "groups": groups,
        "gen_s": gen,
        "build_s": build,
        "step_s": per_step,
        "events": events,
        "rows": rows,
        "sides_end": sides_end,
        "rss_base_mib": rss_base,
        "rss_peak_mib": peak_rss_mib(),
    }


# -- Mesa's alliance_formation example beside coalsim ----------------------------------------
def versus(agents: int, alliance_steps: int, coalsim_steps: int, reps: int) -> dict[str, Any]:
    """Interleave Mesa's ``alliance_formation`` example and coalsim at ``agents`` agents.

    The example is imported from the installed mesa package and run headless; coalsim runs a
    synthetic scenario of ``agents`` groups without units. Interleaving exposes both to the
    same machine load.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from mesa.examples.advanced.alliance_formation.model import MultiLevelAllianceModel
    from sim.model import CoalitionModel
    from sim.synthetic import synthetic_scenario

    warm_up()
    scenarios = [
        synthetic_scenario(agents, seed=r, units_per_group=0.0, weeks=coalsim_steps)
        for r in range(reps)
    ]
    alliance, coalsim, counts = [], [], {}
    n_alliance = n_coalsim = 0
    for r in range(reps):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            am = MultiLevelAllianceModel(n=agents, rng=42 + r)
            n_alliance = len(am.agents)
            alliance.extend(step_times(am, alliance_steps))
        cm = CoalitionModel(scenarios[r], rng=r)
        n_coalsim = len(cm.agents)
        coalsim.extend(step_times(cm, coalsim_steps))
        for k, v in cm.events()["event_type"].value_counts().items():
            counts[str(k)] = counts.get(str(k), 0) + int(v)
        del am, cm
    return {
        "agents": agents,
        "alliance_step_s": alliance,
        "coalsim_step_s": coalsim,
        "alliance_mesa_agents": n_alliance,
        "coalsim_mesa_agents": n_coalsim,
        "coalsim_events": counts,
        "coalsim_steps": coalsim_steps,
        "alliance_steps": alliance_steps,
    }


def main(argv: list[str] | None = None) -> int:
    """Run one workload and print its result as JSON on the last line."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.workloads")
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("idlib-first")
    q.add_argument("--runs", type=int, default=3)
    q = sub.add_parser("synthetic")
    q.add_argument("--groups", type=int, required=True)
    q.add_argument("--steps", type=int, default=52)
    q.add_argument("--runs", type=int, default=1)
    q = sub.add_parser("versus")
    q.add_argument("--agents", type=int, required=True)
    q.add_argument("--alliance-steps", type=int, default=5)
    q.add_argument("--coalsim-steps", type=int, default=52)
    q.add_argument("--reps", type=int, default=3)
    args = p.parse_args(argv)
    if args.cmd == "idlib-first":
        out = idlib_first(args.runs)
    elif args.cmd == "synthetic":
        out = synthetic(args.groups, args.steps, args.runs)
    else:
        out = versus(args.agents, args.alliance_steps, args.coalsim_steps, args.reps)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
