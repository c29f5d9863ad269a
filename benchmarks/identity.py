"""Check that an optimisation changed nothing: hashes of event logs and time series.

A change meant only to make the model faster must leave every run identical: the same random
draws in the same order and the same floating-point results. This command runs a fixed set of
scenario/seed pairs (Idlib with its declared defaults and with its fitted rates, the three-group
example, synthetic theatres of 300 groups with 5 and 8 patrons and of 2,000 groups) and hashes
each run's event log and time series::

    .venv/bin/python -m benchmarks.identity save out/bench/identity.json    # before the change
    .venv/bin/python -m benchmarks.identity check out/bench/identity.json   # after it

``check`` lists the pairs whose hash differs and exits 1 if there is any. It takes about a
minute. Hashes are specific to a machine's floating point (numpy uses its own ``exp`` on
AVX-512 CPUs), so save and check on the same machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def cases() -> Iterator[tuple[str, object, range, int | None]]:
    """(name, scenario, seeds, weeks to run or None for the scenario's end)."""
    from sim.scenario import load_scenario, with_params
    from sim.synthetic import synthetic_scenario

    idlib = ROOT / "scenarios" / "idlib_2017.yaml"
    yield "idlib_declared", load_scenario(idlib, use_fitted=False), range(8), None
    yield "idlib_fitted", load_scenario(idlib), range(8), None
    # Landscape alignment needs two coalitions at the start: the synthetic theatre has them.
    yield "three_groups", load_scenario(ROOT / "scenarios" / "three_groups.yaml"), range(6), None
    yield "synthetic_300", synthetic_scenario(300, seed=3), range(3), 30
    yield "synthetic_300_8_patrons", synthetic_scenario(300, seed=4, n_patrons=8), range(2), 30
    yield "synthetic_2000", synthetic_scenario(2000, seed=5), range(1), 12
    landscape = synthetic_scenario(200, seed=6, coalition_share=0.5)
    yield (
        "synthetic_200_landscape",
        with_params(
            landscape,
            {
                "landscape_alignment.enabled": True,
                "minimum_winning_coalition.enabled": False,
                "defection.enabled": False,
            },
        ),
        range(2),
        30,
    )


def fingerprint(model) -> str:
    """Hash of a finished run's event log and time series (as CSV text)."""
    events = model.events().to_csv(index=False).encode()
    series = model.timeseries.frame().to_csv(index=False).encode()
    return hashlib.sha256(events + series).hexdigest()[:16]


def run_all() -> dict[str, str]:
    """``{"case|seed": hash}`` for every case and seed."""
    from sim.model import CoalitionModel

    out = {}
    for name, scenario, seeds, weeks in cases():
        until = None if weeks is None else scenario.start + dt.timedelta(weeks=weeks)
        for seed in seeds:
            key = f"{name}|{seed}"
            out[key] = fingerprint(CoalitionModel(scenario, rng=seed, until=until).run())
            print(f"{key}: {out[key]}", file=sys.stderr, flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Command line: ``save PATH`` or ``check PATH``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.identity", description=__doc__)
    parser.add_argument("mode", choices=["save", "check"])
    parser.add_argument("path", type=Path)
    args = parser.parse_args(argv)
    hashes = run_all()
    if args.mode == "save":
        args.path.parent.mkdir(parents=True, exist_ok=True)
        args.path.write_text(json.dumps(hashes, indent=1))
        print(f"saved {len(hashes)} hashes to {args.path}")
        return 0
    saved = json.loads(args.path.read_text())
    differ = sorted(k for k in hashes if saved.get(k) != hashes[k])
    missing = sorted(set(saved) - set(hashes))
    same = len(hashes) - len(differ)
    print(f"{same} of {len(hashes)} runs identical; differ: {differ or 'none'}")
    if missing:
        print(f"not run now: {missing}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
