"""Where a step's time goes, by call: wrapper timing of the model's main functions.

Profilers sample; this counts. Each rule's ``step`` and the model's costly helpers are wrapped
with a timer, and the table gives milliseconds per step and calls per step, so two theatre
sizes can be compared part by part (the growth of each part with the number of groups)::

    .venv/bin/python -m benchmarks.calls 1000 --steps 30
    .venv/bin/python -m benchmarks.calls 10000 --steps 8

The theatre is ``synthetic_scenario(GROUPS, seed=1)`` run with ``rng=1`` (the first steps,
which have the most mergers). Wrapped parts overlap (a rule's time includes the helpers it
calls). The wrappers add about a microsecond per call.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter

from benchmarks.workloads import warm_up


def wrap(counts: Counter, totals: Counter, obj, name: str, key: str) -> None:
    """Replace ``obj.name`` by a timed wrapper that adds to ``totals[key]``, ``counts[key]``."""
    inner = getattr(obj, name)

    def timed(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            totals[key] += time.perf_counter() - t0
            counts[key] += 1

    setattr(obj, name, timed)


def main(argv: list[str] | None = None) -> None:
    """Command line: ``GROUPS [--steps N]``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.calls", description=__doc__)
    parser.add_argument("groups", type=int)
    parser.add_argument("--steps", type=int, default=8)
    args = parser.parse_args(argv)
    from sim import structure
    from sim.model import CoalitionModel
    from sim.synthetic import synthetic_scenario

    warm_up()
    m = CoalitionModel(synthetic_scenario(args.groups, seed=1), rng=1)
    counts: Counter = Counter()
    totals: Counter = Counter()
    for rule in m.rules:
        wrap(counts, totals, rule, "step", f"rule {rule.name}")
    for name in ("restructure", "refresh", "candidate_pairs", "record"):
        wrap(counts, totals, m, name, f"CoalitionModel.{name}")
    mwc = m.rule("minimum_winning_coalition")
    if mwc is not None:
        for name in ("options_for", "utilities"):
            wrap(counts, totals, mwc, name, f"MWC.{name}")
    wrap(counts, totals, structure, "inherit_relations", "structure.inherit_relations")
    for name in ("set", "remove_actor", "_tidy"):
        wrap(counts, totals, m.relations, name, f"RelationTable.{name}")
    step_times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        m.step()
        step_times.append(time.perf_counter() - t0)
    n = args.steps
    print(f"{args.groups} groups, {m.actors.n} rows, steps 1-{n}: median step ", end="")
    print(f"{statistics.median(step_times) * 1e3:.1f} ms, {len(m.log)} events")
    print("| part | ms per step | calls per step |\n|---|---|---|")
    for key, total in totals.most_common():
        print(f"| {key} | {total / n * 1e3:.2f} | {counts[key] / n:.1f} |")


if __name__ == "__main__":
    main()
