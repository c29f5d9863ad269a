"""``coalsim compare``: an ensemble of runs against the historical record, from the shell.

Added to the ``coalsim`` command by :data:`sim.cli.EXTENSIONS` through :func:`add_parsers`,
together with ``coalsim calibrate`` (:mod:`calibration.calibrate_cli`).
Heavy imports (pandas, the model, matplotlib) happen inside :func:`cmd_compare`, so that
``coalsim --help`` stays fast. Bad input (a scenario, date, option or record that cannot be
used) raises :class:`~sim.scenario.ScenarioError`, which ``coalsim`` prints before exiting with
status 2 and no traceback.

This module reads the files it is given and writes only into ``--out``.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from pathlib import Path

DEFAULT_RUNS = 100
DEFAULT_OUT = Path("out") / "compare"


def add_parsers(subparsers) -> None:
    """Add ``compare`` to ``coalsim``'s subcommands."""
    p = subparsers.add_parser(
        "compare",
        help="compare an ensemble of runs with the historical record",
        description=(
            "Run SCENARIO with --runs seeds in parallel and compare the runs with the "
            "historical record between --from and --until: event counts per quarter, the "
            "probability of each recorded event, Brier and log scores of monthly "
            "probabilities, alignment agreement (adjusted Rand index), each beside a null "
            "model. Prints the headline scores and writes a Markdown report with plots "
            "(see docs/comparison.md)."
        ),
    )
    p.add_argument("scenario", help="scenario file (YAML)")
    p.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="number of runs (default 100)")
    p.add_argument("--seed", type=int, default=0, help="seed of the ensemble (default 0)")
    p.add_argument(
        "--from", dest="start", metavar="DATE", help="first day compared (default: scenario start)"
    )
    p.add_argument(
        "--until", dest="end", metavar="DATE", help="last day compared (default: scenario end)"
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help=f"folder for report.md, plots and tables (default: {DEFAULT_OUT}/<scenario name>)",
    )
    p.add_argument("--workers", type=int, help="processes (default: the available cores)")
    p.add_argument(
        "--record",
        metavar="DIR",
        help="folder with events.csv and groups.csv (default: the shipped record)",
    )
    p.add_argument(
        "--tolerance",
        type=float,
        default=6.0,
        metavar="MONTHS",
        help="time tolerance of the per-event match (default 6)",
    )
    from sim.cli import add_no_fitted, add_set

    add_set(p)
    add_no_fitted(p)
    p.set_defaults(func=cmd_compare)

    from calibration.calibrate_cli import add_parser as add_calibrate

    add_calibrate(subparsers)


def cmd_compare(args: argparse.Namespace) -> int:
    """Run the comparison, print the headline and write the report."""
    from sim.cli import make_folder, parse_date, parse_settings
    from sim.scenario import Problem, ScenarioError, load_scenario, with_params

    problems = []
    if args.runs < 1:
        problems.append(Problem("--runs", f"expected a whole number >= 1, got {args.runs}"))
    if args.seed < 0:
        problems.append(Problem("--seed", f"expected a whole number >= 0, got {args.seed}"))
    if args.workers is not None and args.workers < 1:
        problems.append(Problem("--workers", f"expected a whole number >= 1, got {args.workers}"))
    if not args.tolerance > 0:
        problems.append(Problem("--tolerance", f"expected a positive number, got {args.tolerance}"))
    if problems:
        raise ScenarioError("command line", problems)
    start = parse_date(args.start, "--from")
    end = parse_date(args.end, "--until")
    scenario = load_scenario(args.scenario, use_fitted=not args.no_fitted)
    if args.set:
        settings = parse_settings(args.set)
        scenario = with_params(scenario, settings, source=f"{args.scenario} (--set)")

    from calibration.comparison import prepare, run_comparison
    from calibration.record import load_record_dir

    record = load_record_dir(args.record) if args.record else None
    prepare(scenario, record, start, end, tolerance_months=args.tolerance)  # checks the window
    out = make_folder(Path(args.out) if args.out else DEFAULT_OUT / scenario.name)

    from tqdm import tqdm

    t0 = time.perf_counter()
    with tqdm(total=args.runs, unit="run", delay=1.0, file=sys.stderr, leave=False) as bar:
        result = run_comparison(
            scenario,
            runs=args.runs,
            seed=args.seed,
            start=start,
            end=end,
            workers=args.workers,
            record=record,
            tolerance_months=args.tolerance,
            progress=lambda done, _total: bar.update(done - bar.n),
        )
    elapsed = time.perf_counter() - t0
    result.meta["command"] = "coalsim " + shlex.join(sys.argv[1:] if sys.argv[1:] else [])
    result.meta["wall_time"] = elapsed
    report = result.write_report(out)
    m = result.meta
    print(
        f"scenario {m['scenario']!r}: {m['runs']} runs (seed {m['seed']}, {m['workers']} "
        f"worker(s)), window {m['start']} .. {m['end']}, {elapsed:.1f} s"
    )
    print(m["rules"])
    print(
        f"record: {m['record_events']} events in the window, {m['mappable_events']:.0f} "
        f"the scenario can express; null model: {m['null_method']}"
    )
    print(result.headline_text())
    for w in result.warnings:
        print(f"note: {w}")
    print(f"wrote {report} (plots and tables beside it)")
    return 0
