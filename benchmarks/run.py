"""coalsim's benchmarks, in one command (see docs/PERFORMANCE.md).

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.run            # the full table, a few minutes
    .venv/bin/python -m benchmarks.run --quick    # smoke run, about a minute; not for the record
    .venv/bin/python benchmarks/run.py --sections 2 --json out/bench.json

Sections (issue #7):

1. The Idlib 2017 scenario to 31 Dec 2020 with default rules: median wall time per run after a
   warm-up run, the first run and kernel compilation in fresh processes, the cold start of
   ``coalsim run``, and ensemble throughput with a spawn process pool on all cores.
2. Synthetic scenarios (:mod:`sim.synthetic`) of 100, 1,000 and 10,000 groups, 52 weekly steps,
   each size in a fresh process: median time per step, peak memory, and the growth of the time
   per step from 1,000 to 10,000 groups.
3. Mesa's own ``alliance_formation`` example (from the installed mesa package, headless) beside
   coalsim at 50 and 400 agents, interleaved in one process: median time per step and the ratio.

Every figure is a median over repeated measurements, and every ratio is taken between
measurements of the same invocation; each row shows its target and PASS or MISS. The machine
may be busy: the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # ``python benchmarks/run.py`` as well as ``-m benchmarks.run``
    sys.path.insert(0, str(ROOT))

from benchmarks import workloads  # noqa: E402

# Targets of issue #7, measured on the project's 2-core machine.
IDLIB_TARGET_S = 0.050
VERSUS_TARGET = 30.0  # coalsim at least this many times faster per step at 400 agents
BIG_STEP_TARGET_S = 0.5
BIG_MEMORY_TARGET_MIB = 1024.0
GROWTH_TARGET = 15.0


@dataclass
class Config:
    """How much to measure (the full run, or a ``--quick`` smoke run)."""

    quick: bool
    idlib_runs: int = 11
    ensemble_batches: int = 3
    ensemble_per_worker: int = 8
    cold_start_reps: int = 3
    compile: bool = True
    sizes: tuple[tuple[int, int, int], ...] = ((100, 52, 3), (1000, 52, 3), (10000, 52, 1))
    versus: tuple[tuple[int, int, int], ...] = ((50, 10, 3), (400, 4, 3))

    @classmethod
    def make(cls, quick: bool) -> Config:
        """The full configuration, or the smoke run's."""
        if not quick:
            return cls(quick=False)
        return cls(
            quick=True,
            idlib_runs=3,
            ensemble_batches=1,
            ensemble_per_worker=2,
            cold_start_reps=1,
            compile=False,
            sizes=((100, 10, 1), (1000, 10, 1), (10000, 3, 1)),
            versus=((50, 3, 1), (400, 2, 1)),
        )


@dataclass
class Row:
    """One line of the results table."""

    section: str
    metric: str
    value: str
    target: str = ""
    status: str = ""


@dataclass
class Results:
    """Rows of the table and the raw measurements behind them."""

    rows: list[Row] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, *args: str) -> None:
        """Add a row (section, metric, value, target, status) and echo it to stderr."""
        self.rows.append(Row(*args))
        r = self.rows[-1]
        line = f"  {r.metric}: {r.value}" + (f"  [{r.target}: {r.status}]" if r.target else "")
        print(line, file=sys.stderr, flush=True)


# -- formatting ------------------------------------------------------------------------------
def fmt_t(seconds: float) -> str:
    """A duration with a readable unit."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def summary(xs: list[float]) -> str:
    """``median (IQR q1-q3, n=k)`` of durations."""
    if len(xs) == 1:
        return f"{fmt_t(xs[0])} (n=1)"
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return f"{fmt_t(statistics.median(xs))} (IQR {fmt_t(q[0])}-{fmt_t(q[2])}, n={len(xs)})"


def verdict(ok: bool) -> str:
    """PASS or MISS."""
    return "PASS" if ok else "MISS"


def load() -> str:
    """The 1-minute load average, as text."""
    return f"{os.getloadavg()[0]:.1f}"


def child(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``python -m benchmarks.workloads ARGS`` in a fresh process; its JSON result."""
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.workloads", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"workload {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def wall(cmd: list[str], reps: int) -> list[float]:
    """Wall times of ``reps`` runs of a command in fresh processes."""
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=True)
        out.append(time.perf_counter() - t0)
    return out


# -- section 1: Idlib ------------------------------------------------------------------------
def section_idlib(cfg: Config, res: Results) -> None:
    """Idlib to 2020: per-run median, first run, compilation, cold start, ensemble."""
    sec = "1 Idlib 2017-2020"
    print(f"[1] Idlib 2017 -> 2020 (load {load()})", file=sys.stderr, flush=True)
    from sim.model import CoalitionModel
    from sim.rules import RULES
    from sim.scenario import load_scenario, with_params

    # The scenario as shipped (its fitted rates); the declared defaults and no rules beside it.
    t_load, scenario = workloads.timed(lambda: load_scenario(workloads.IDLIB))
    declared = load_scenario(workloads.IDLIB, use_fitted=False)
    skeleton = with_params(scenario, {f"{r}.enabled": False for r in RULES})
    n_steps = CoalitionModel(scenario, rng=0).n_steps
    t_first, _ = workloads.timed(lambda: workloads.idlib_run(scenario, 0))
    workloads.idlib_run(skeleton, 0)
    runs, bare_runs, declared_runs = [], [], []
    for s in range(1, cfg.idlib_runs + 1):  # interleaved: all see the same machine load
        runs.append(workloads.timed(lambda s=s: workloads.idlib_run(scenario, s))[0])
        declared_runs.append(workloads.timed(lambda s=s: workloads.idlib_run(declared, s))[0])
        bare_runs.append(workloads.timed(lambda s=s: workloads.idlib_run(skeleton, s))[0])
    med = statistics.median(runs)
    res.raw["idlib"] = {
        "load_s": t_load,
        "first_s": t_first,
        "runs_s": runs,
        "no_rules_runs_s": bare_runs,
        "declared_defaults_runs_s": declared_runs,
        "steps": n_steps,
    }
    res.add(
        sec,
        f"wall time per run, scenario as shipped (fitted rates; {n_steps} weekly steps, "
        f"seeds 1-{cfg.idlib_runs}, after a warm-up)",
        summary(runs),
        f"<= {fmt_t(IDLIB_TARGET_S)}",
        verdict(med <= IDLIB_TARGET_S),
    )
    res.add(sec, "  = time per step (median run / steps)", fmt_t(med / n_steps))
    res.add(
        sec,
        "  same scenario with the declared default rates (`--no-fitted`)",
        summary(declared_runs),
        f"<= {fmt_t(IDLIB_TARGET_S)}",
        verdict(statistics.median(declared_runs) <= IDLIB_TARGET_S),
    )
    res.add(
        sec,
        "  same scenario with every rule off (Mesa loop, refresh, memories, time series)",
        f"{summary(bare_runs)}; the rules cost {med / statistics.median(bare_runs):.1f}x this",
    )
    res.add(sec, "scenario load (YAML + validation), in process", fmt_t(t_load))

    # A fresh process with the kernel cache warm: imports, load, first run, later runs.
    warm = workloads_idlib_first(runs=2)
    res.raw["idlib_fresh_warm_cache"] = warm
    res.add(sec, "fresh process, warm cache: `import sim.model`", fmt_t(warm["import_s"]))
    res.add(
        sec,
        "fresh process, warm cache: first run (loads the cached kernels)",
        f"{fmt_t(warm['first_s'])} (later runs {fmt_t(statistics.median(warm['later_s']))})",
    )
    if cfg.compile:
        with tempfile.TemporaryDirectory(prefix="coalsim-numba-") as cache:
            env = dict(os.environ, NUMBA_CACHE_DIR=cache)  # an empty cache: compile everything
            cold = workloads_idlib_first(runs=2, env=env)
        res.raw["idlib_fresh_cold_cache"] = cold
        compile_s = cold["first_s"] - warm["first_s"]
        res.add(
            sec,
            "numba compilation, cold cache (first run cold - first run warm, fresh processes)",
            f"{fmt_t(compile_s)} (first run cold {fmt_t(cold['first_s'])})",
        )

    coalsim = Path(sys.executable).with_name("coalsim")
    cmd = [str(coalsim)] if coalsim.exists() else [sys.executable, "-m", "sim.cli"]
    bare = wall([sys.executable, "-c", "pass"], cfg.cold_start_reps)
    cli = wall([*cmd, "run", str(workloads.IDLIB)], cfg.cold_start_reps)
    res.raw["cold_start"] = {"python_s": bare, "coalsim_run_s": cli}
    res.add(sec, "cold start of `coalsim run scenarios/idlib_2017.yaml` (warm cache)", summary(cli))
    res.add(sec, "  of which: bare `python -c pass`", summary(bare))

    # Ensemble: a spawn pool on every core; each worker loads the scenario and warms up first.
    # Serial batches (in this process) alternate with pool batches, so that both meet the same
    # machine load and their ratio is the speed-up the pool gives now.
    workers = os.cpu_count() or 1
    per_serial = cfg.ensemble_per_worker
    per_pool = per_serial * workers
    t0 = time.perf_counter()
    pool_rates, serial_rates = [], []
    with workloads.idlib_pool(workers) as pool:
        list(pool.map(workloads.ensemble_run, range(10_000, 10_000 + workers)))
        t_ready = time.perf_counter() - t0
        seed = 20_000
        for _ in range(cfg.ensemble_batches):
            seeds = list(range(seed, seed + per_serial))
            seed += per_serial
            t, _ = workloads.timed(
                lambda seeds=seeds: [workloads.idlib_run(scenario, s) for s in seeds]
            )
            serial_rates.append(60.0 * per_serial / t)
            seeds = list(range(seed, seed + per_pool))
            seed += per_pool
            t, _ = workloads.timed(
                lambda seeds=seeds: list(pool.map(workloads.ensemble_run, seeds))
            )
            pool_rates.append(60.0 * per_pool / t)
    rate = statistics.median(pool_rates)
    speedups = [p / s for p, s in zip(pool_rates, serial_rates, strict=True)]
    res.raw["ensemble"] = {
        "workers": workers,
        "per_pool_batch": per_pool,
        "per_serial_batch": per_serial,
        "pool_runs_per_min": pool_rates,
        "serial_runs_per_min": serial_rates,
    }
    res.add(
        sec,
        f"ensemble throughput, {workers} spawn workers, batches of {per_pool} runs",
        f"{rate:,.0f} runs/min (batches: " + ", ".join(f"{r:,.0f}" for r in pool_rates) + ")",
        f">= {60 / IDLIB_TARGET_S * workers:,.0f} (implied by 50 ms/run)",
        verdict(rate >= 60 / IDLIB_TARGET_S * workers),
    )
    res.add(
        sec,
        f"  speed-up over one process (pool batch / the serial batch of {per_serial} runs"
        " just before it)",
        f"{statistics.median(speedups):.2f}x (serial "
        + ", ".join(f"{r:,.0f}" for r in serial_rates)
        + " runs/min)",
    )
    res.add(
        sec, "  pool start-up (spawn, imports, load, one warm-up run per worker)", fmt_t(t_ready)
    )


def workloads_idlib_first(runs: int, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The ``idlib-first`` workload in a fresh process."""
    return child(["idlib-first", "--runs", str(runs)], env=env)


# -- section 2: synthetic scenarios ----------------------------------------------------------
def section_synthetic(cfg: Config, res: Results) -> None:
    """Time per step and peak memory of synthetic scenarios, one fresh process per size."""
    sec = "2 Synthetic"
    print(f"[2] synthetic scenarios (load {load()})", file=sys.stderr, flush=True)
    medians = {}
    for groups, steps, runs in cfg.sizes:
        out = child(
            ["synthetic", "--groups", str(groups), "--steps", str(steps), "--runs", str(runs)]
        )
        res.raw[f"synthetic_{groups}"] = out
        per_step = [t for run in out["step_s"] for t in run]
        medians[groups] = statistics.median(per_step)
        big = groups >= 10_000
        res.add(
            sec,
            f"{groups:,} groups ({out['rows'][0]:,} rows at the end), {steps} steps x {runs}"
            " run(s): time per step",
            summary(per_step),
            f"<= {fmt_t(BIG_STEP_TARGET_S)}" if big else "",
            verdict(medians[groups] <= BIG_STEP_TARGET_S) if big else "",
        )
        res.add(
            sec,
            f"{groups:,} groups: peak RSS of the process (after warm-up: base)",
            f"{out['rss_peak_mib']:,.0f} MiB (base {out['rss_base_mib']:,.0f} MiB, "
            f"model +{out['rss_peak_mib'] - out['rss_base_mib']:,.0f} MiB)",
            f"<= {BIG_MEMORY_TARGET_MIB:,.0f} MiB" if big else "",
            verdict(out["rss_peak_mib"] <= BIG_MEMORY_TARGET_MIB) if big else "",
        )
        res.add(
            sec,
            f"{groups:,} groups: generate + build (not in the step times)",
            f"{fmt_t(statistics.median(out['gen_s']))} + {fmt_t(statistics.median(out['build_s']))}"
            f"; {statistics.median(out['events']):,.0f} events, "
            f"{statistics.median(out['sides_end']):,.0f} sides at the end",
        )
    if 1000 in medians and 10_000 in medians:
        growth = medians[10_000] / medians[1000]
        res.add(
            sec,
            "growth of the median time per step, 1,000 -> 10,000 groups",
            f"{growth:.1f}x (linear would be 10x)",
            f"<= {GROWTH_TARGET:.0f}x",
            verdict(growth <= GROWTH_TARGET),
        )


# -- section 3: alliance_formation beside coalsim --------------------------------------------
def section_versus(cfg: Config, res: Results) -> None:
    """Mesa's alliance_formation example and coalsim, interleaved, at 50 and 400 agents."""
    sec = "3 vs alliance_formation"
    print(f"[3] Mesa alliance_formation vs coalsim (load {load()})", file=sys.stderr, flush=True)
    for agents, a_steps, reps in cfg.versus:
        out = child(
            [
                *("versus", "--agents", str(agents), "--alliance-steps", str(a_steps)),
                *("--reps", str(reps), "--coalsim-steps", "52"),
            ]
        )
        res.raw[f"versus_{agents}"] = out
        a_med = statistics.median(out["alliance_step_s"])
        c_med = statistics.median(out["coalsim_step_s"])
        ratio = a_med / c_med
        res.add(
            sec,
            f"{agents} agents: alliance_formation ({out['alliance_mesa_agents']} Mesa agents), "
            f"first {a_steps} steps x {reps}: time per step",
            summary(out["alliance_step_s"]),
        )
        ev = out["coalsim_events"]
        res.add(
            sec,
            f"{agents} agents: coalsim ({agents} groups, {out['coalsim_mesa_agents']} Mesa agents"
            f" with coalitions and patrons), 52 steps x {reps}: time per step",
            summary(out["coalsim_step_s"]),
        )
        res.add(
            sec,
            f"{agents} agents: coalsim events per run (fights, truces, defections, ...)",
            ", ".join(f"{k} {v / reps:.0f}" for k, v in sorted(ev.items(), key=lambda kv: -kv[1])),
        )
        at_target = agents == 400
        res.add(
            sec,
            f"{agents} agents: coalsim faster per step by",
            f"{ratio:.1f}x",
            f">= {VERSUS_TARGET:.0f}x" if at_target else "",
            verdict(ratio >= VERSUS_TARGET) if at_target else "",
        )


# -- report ----------------------------------------------------------------------------------
def code_identity() -> dict[str, str]:
    """Commit, the files of ``sim/`` changed since, and a hash of the ``sim/`` sources measured."""

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
            ).stdout.rstrip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    h = hashlib.sha1()
    for path in sorted((ROOT / "sim").rglob("*.py")):
        h.update(path.relative_to(ROOT).as_posix().encode())
        h.update(path.read_bytes())
    dirty = [line[3:] for line in git("status", "--porcelain", "--", "sim").splitlines()]
    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "sim_modified": ", ".join(dirty) if dirty else "none",
        "sim_sha1": h.hexdigest()[:10],
    }


def versions() -> str:
    """Python and the main libraries' versions."""
    import mesa
    import numba
    import numpy

    return (
        f"Python {platform.python_version()}, mesa {mesa.__version__}, numpy {numpy.__version__},"
        f" numba {numba.__version__}"
    )


def table(rows: list[Row]) -> str:
    """The rows as a Markdown table."""
    lines = ["| section | metric | measured | target | status |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.section} | {r.metric} | {r.value} | {r.target} | {r.status} |")
    return "\n".join(lines)


SECTIONS = {"1": section_idlib, "2": section_synthetic, "3": section_versus}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke run: fewer repeats and steps")
    p.add_argument("--sections", default="1,2,3", help="which sections to run (default 1,2,3)")
    p.add_argument("--json", help="also write the raw measurements to this file")
    args = p.parse_args(argv)
    cfg = Config.make(args.quick)
    res = Results()
    ident = code_identity()
    started = dt.datetime.now().astimezone()
    load_start = load()
    t0 = time.perf_counter()
    for key in args.sections.split(","):
        SECTIONS[key.strip()](cfg, res)
    elapsed = time.perf_counter() - t0
    how = ".venv/bin/python -m benchmarks.run" if __spec__ else ".venv/bin/python benchmarks/run.py"
    command = " ".join([how, *(sys.argv[1:] if argv is None else argv)])
    head = [
        f"# coalsim benchmarks{' (--quick: smoke run, not for the record)' if cfg.quick else ''}",
        f"- date: {started:%Y-%m-%d %H:%M %Z}; total {elapsed:.0f} s",
        f"- machine: {os.cpu_count()} cores, {platform.machine()}, {platform.system()}; load"
        f" average (1 min) {load_start} at the start, {load()} at the end",
        f"- code: commit {ident['commit']}; files of sim/ changed since: {ident['sim_modified']};"
        f" sim/*.py sha1 {ident['sim_sha1']}",
        f"- {versions()}",
        f"- command: {command}",
        "",
    ]
    print("\n".join(head) + table(res.rows))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        payload = {"header": head, "identity": ident, "rows": [r.__dict__ for r in res.rows]}
        payload["raw"] = res.raw
        Path(args.json).write_text(json.dumps(payload, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
