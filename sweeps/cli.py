"""``coalsim sweep`` and ``coalsim analyze``: the command-line side of :mod:`sweeps`.

:func:`add_parsers` is called by :mod:`sim.cli` (see ``EXTENSIONS``). Heavy imports (pandas,
pyarrow, dask, SALib, matplotlib) happen inside the command functions so that ``coalsim
--help`` stays fast. Bad input (sweep file, results folder, scheduler address, outcome name)
raises :class:`~sim.scenario.ScenarioError`, which the CLI prints and exits with status 2.
"""

from __future__ import annotations

import argparse

from sim.scenario import Problem, ScenarioError


def _count(text: str, least: int) -> int:
    try:
        n = int(text)
    except ValueError:
        n = least - 1
    if n < least:
        raise argparse.ArgumentTypeError(f"expected a whole number >= {least}, got {text!r}")
    return n


def _workers(text: str) -> int:
    return _count(text, 0)


def _positive(text: str) -> int:
    return _count(text, 1)


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) a sweep."""
    from sweeps.driver import plan, run_sweep
    from sweeps.spec import load_sweep

    sweep = load_sweep(args.file, use_fitted=not args.no_fitted)
    if args.scheduler is not None and "://" not in args.scheduler:
        raise ScenarioError(
            "--scheduler",
            [
                Problem(
                    "--scheduler",
                    f"expected an address like tcp://HOST:8786, got {args.scheduler!r}",
                )
            ],
        )
    if args.dry_run:
        design, seeds = plan(sweep)
        print(
            f"{args.file}: valid sweep {sweep.spec.name!r}: {sweep.spec.design.method} design, "
            f"{len(sweep.params)} parameter(s), {len(design)} points x {len(seeds)} replicates "
            f"= {len(design) * len(seeds)} runs of {sweep.scenario.name!r} "
            f"from {sweep.scenario.start} to {sweep.end} (hash {sweep.spec_hash})"
        )
        print(f"base of every run: {sweep.scenario.rules_origin()}")
        return 0
    print(f"base of every run: {sweep.scenario.rules_origin()}")
    report = run_sweep(
        sweep,
        args.out,
        workers=args.workers,
        scheduler=args.scheduler,
        local_cluster=args.local_cluster,
        retry_failed=args.retry_failed,
        progress=not args.no_progress,
    )
    print(report.summary())
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Summarise a sweep's results: intervals, sensitivity indices, scenario discovery."""
    from sweeps.analysis import analyze

    result = analyze(args.dir, outcome=args.outcome, min_coverage=args.min_coverage)
    print(result.summary())
    return 0


def add_parsers(subparsers) -> None:
    """Add ``sweep`` and ``analyze`` to ``coalsim``'s subcommands."""
    p = subparsers.add_parser(
        "sweep",
        help="run a parameter sweep (local pool or Dask), resumable",
        description=(
            "Run every point and replicate of a sweep file, streaming one Parquet row per run "
            "to DIR/runs. Running the same command again resumes (finished runs are skipped). "
            "The file format is documented in docs/sweeps.md."
        ),
    )
    p.add_argument("file", help="sweep file (YAML)")
    p.add_argument("--out", required=True, metavar="DIR", help="results folder")
    p.add_argument(
        "--workers",
        type=_workers,
        metavar="N",
        help="local pool processes (default: CPUs; 0 runs in this process, for debugging)",
    )
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--scheduler", metavar="tcp://HOST:PORT", help="run on an existing Dask scheduler"
    )
    where.add_argument(
        "--local-cluster",
        type=_positive,
        metavar="N",
        help="run on a local Dask cluster of N single-threaded workers",
    )
    p.add_argument(
        "--retry-failed", action="store_true", help="run again the runs recorded with an error"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="validate the file and print the design's size"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    from sim.cli import add_no_fitted

    add_no_fitted(p)
    p.set_defaults(func=cmd_sweep)

    a = subparsers.add_parser(
        "analyze",
        help="summaries, Morris/Sobol indices and scenario discovery of a sweep",
        description=(
            "Write DIR/analysis/: summary.csv (per point, intervals over replicates), "
            "morris.csv or sobol.csv when the design allows, PRIM boxes for named outcomes, "
            "PNG plots and report.md."
        ),
    )
    a.add_argument("dir", help="results folder of `coalsim sweep`")
    a.add_argument(
        "--outcome", metavar="NAME", help="scenario discovery for this outcome only (default: all)"
    )
    a.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        metavar="C",
        help="PRIM: choose the densest box covering at least this share of the cases (0.5)",
    )
    a.set_defaults(func=cmd_analyze)
