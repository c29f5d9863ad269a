"""``coalsim calibrate``: ABC-SMC calibration of rule parameters against the record.

Registered by :func:`calibration.cli.add_parsers`. Heavy imports (pyabc, the model, pandas,
matplotlib) happen inside :func:`cmd_calibrate`. Bad input (scenario, parameter names, dates,
budgets, a database of another calibration, an unreachable scheduler) raises
:class:`~sim.scenario.ScenarioError`: ``coalsim`` prints it and exits with status 2.

Writes only the database (``--db``), the output folder (``--out``) and, when asked, the fitted
parameter file (``--fitted``). See ``docs/calibration.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from pathlib import Path

DEFAULT_ROOT = Path("out") / "calibration"
DEFAULT_POPULATION = 100
DEFAULT_GENERATIONS = 5
DEFAULT_CHECK_RUNS = 50


def add_parser(subparsers) -> None:
    """Add ``calibrate`` to ``coalsim``'s subcommands."""
    p = subparsers.add_parser(
        "calibrate",
        help="calibrate rule parameters against the record (ABC-SMC)",
        description=(
            "Approximate Bayesian computation (ABC-SMC, pyabc) of rule parameters of SCENARIO "
            "against the historical record between --from and --until: priors from the "
            "ranges the rules declare, the comparison's summary statistics (event counts per "
            "type and half-year, the record's key pairs, alignment on 1 Jan / 1 Jul), an "
            "adaptive distance. The history is a SQLite database (--db): run the same "
            "command again to continue an interrupted calibration. Writes the posterior "
            "summary, plots, a posterior predictive comparison report and the fitted "
            "parameters (see docs/calibration.md). The scenario's fitted: file, if any, is "
            "not used: runs start from the declared defaults."
        ),
    )
    p.add_argument("scenario", help="scenario file (YAML)")
    p.add_argument(
        "--params",
        nargs="+",
        metavar="RULE.PARAM",
        help="parameters to calibrate (default: the base rates of windows_of_opportunity, "
        "defection, minimum_winning_coalition, tactical_cooperation and truces)",
    )
    p.add_argument(
        "--from", dest="start", metavar="DATE", help="first day fitted (default: scenario start)"
    )
    p.add_argument(
        "--until",
        dest="end",
        metavar="DATE",
        help="last day fitted (default: scenario end); runs stop there",
    )
    p.add_argument(
        "--population",
        type=int,
        default=DEFAULT_POPULATION,
        help=f"particles per generation (default {DEFAULT_POPULATION})",
    )
    p.add_argument(
        "--generations",
        type=int,
        default=DEFAULT_GENERATIONS,
        help=f"generations in all, stored ones included (default {DEFAULT_GENERATIONS})",
    )
    p.add_argument(
        "--db",
        metavar="PATH",
        help=f"SQLite database (default {DEFAULT_ROOT}/<scenario name>/calibration.db)",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default: the database's folder)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler (tcp://host:8786): simulate on that cluster",
    )
    p.add_argument(
        "--workers",
        type=int,
        help="local processes (default: the available cores; 1: reproducible)",
    )
    p.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    p.add_argument(
        "--min-epsilon",
        type=float,
        default=0.0,
        metavar="EPS",
        help="stop early once epsilon falls below EPS (default 0: never)",
    )
    p.add_argument(
        "--check-runs",
        type=int,
        default=DEFAULT_CHECK_RUNS,
        metavar="N",
        help="posterior draws of the predictive check, one run each (default "
        f"{DEFAULT_CHECK_RUNS}; 0: none)",
    )
    p.add_argument(
        "--check-from", metavar="DATE", help="first day of the predictive check (default: --from)"
    )
    p.add_argument(
        "--check-until", metavar="DATE", help="last day of the predictive check (default: --until)"
    )
    p.add_argument(
        "--fitted",
        metavar="PATH",
        help="also write the fitted parameters (posterior medians, a rules: "
        "mapping) here, e.g. calibration/fitted/idlib_2017.yaml",
    )
    p.add_argument(
        "--record",
        metavar="DIR",
        help="folder with events.csv and groups.csv (default: the shipped record)",
    )
    p.set_defaults(func=cmd_calibrate)


def _check_numbers(args) -> None:
    from sim.scenario import Problem, ScenarioError

    problems = []
    if args.population < 2:
        problems.append(
            Problem("--population", f"expected a whole number >= 2, got {args.population}")
        )
    if args.generations < 1:
        problems.append(
            Problem("--generations", f"expected a whole number >= 1, got {args.generations}")
        )
    if args.seed < 0:
        problems.append(Problem("--seed", f"expected a whole number >= 0, got {args.seed}"))
    if args.workers is not None and args.workers < 1:
        problems.append(Problem("--workers", f"expected a whole number >= 1, got {args.workers}"))
    if args.workers is not None and args.scheduler:
        problems.append(Problem("--workers", "give --workers or --scheduler, not both"))
    if args.check_runs < 0:
        problems.append(
            Problem("--check-runs", f"expected a whole number >= 0, got {args.check_runs}")
        )
    if not args.min_epsilon >= 0:
        problems.append(Problem("--min-epsilon", f"expected a number >= 0, got {args.min_epsilon}"))
    if problems:
        raise ScenarioError("command line", problems)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Calibrate (or continue), then write the summary, plots, check and fitted parameters."""
    from sim.cli import make_folder, parse_date
    from sim.scenario import load_scenario

    _check_numbers(args)
    start = parse_date(args.start, "--from")
    end = parse_date(args.end, "--until")
    check_start = parse_date(args.check_from, "--check-from")
    check_end = parse_date(args.check_until, "--check-until")
    # A calibration re-estimates what a fitted file holds: it starts from the declared
    # defaults, never from the scenario's fitted: file (docs/calibration.md).
    scenario = load_scenario(args.scenario, use_fitted=False)

    from calibration.abc import build_setup, calibrate, find_run, make_sampler
    from calibration.priors import resolve_priors
    from calibration.record import load_record_dir

    priors = resolve_priors(args.params, scenario)
    record = load_record_dir(args.record) if args.record else None
    setup = build_setup(
        scenario, priors, start, end, record=record, seed=args.seed, population=args.population
    )
    if args.check_runs:
        from calibration.comparison import prepare

        prepare(scenario, record, check_start or setup.start, check_end or setup.end)
    db = Path(args.db) if args.db else DEFAULT_ROOT / scenario.name / "calibration.db"
    out = Path(args.out) if args.out else db.parent
    for flag, folder in (("--db", db.parent), ("--out", out)):
        make_folder(folder, flag)

    find_run(db, setup)  # refuses a database of another calibration before any work
    command = "coalsim " + shlex.join(sys.argv[1:])
    print(
        f"calibrating scenario {scenario.name!r} against the record, window {setup.start} .. "
        f"{setup.end}"
    )
    print(f"  {scenario.rules_origin()}")
    if scenario.fitted_source is not None:
        print(
            f"  note: the scenario's fitted file ({scenario.fitted!r}) is not used: a "
            "calibration starts from the declared defaults (priors from the declared ranges)"
        )
    for p in priors:
        print(f"  {p.name:<40} prior {p.describe()}, default {p.default:g}")
    observed = setup.observed_statistics()
    print(
        f"  {len(observed)} summary statistics; population {setup.population}, "
        f"{args.generations} generation(s), seed {setup.seed}"
    )
    sampler = make_sampler(args.workers, args.scheduler)
    where = (
        f"Dask cluster at {args.scheduler} ({sampler.client_cores()} cores)"
        if args.scheduler
        else f"{getattr(sampler, 'n_procs', 1)} local process(es)"
    )
    print(f"  sampler: {type(sampler).__name__} on {where}; database {db}")
    t0 = time.perf_counter()
    try:
        cal = calibrate(
            setup,
            db,
            args.generations,
            sampler=sampler,
            minimum_epsilon=args.min_epsilon,
            progress=lambda line: print(line, flush=True),
        )
    finally:
        client = getattr(sampler, "client", None)
        if client is not None:
            client.close()
    if cal.generations_before:
        print(
            f"continued the stored calibration (run {cal.run_id}, {cal.generations_before} "
            f"generation(s) stored before)"
        )
    print(
        f"sampling: {cal.elapsed:.1f} s in this call; {cal.generations} generation(s) stored, "
        f"{int(cal.history.total_nr_simulations)} simulations in all"
    )

    result = write_outputs(
        cal,
        out,
        check_runs=args.check_runs,
        check_start=check_start,
        check_end=check_end,
        workers=args.workers,
        fitted=Path(args.fitted) if args.fitted else None,
        command=command,
        scenario_path=args.scenario,
    )
    print(result["summary_text"])
    if result.get("check") is not None:
        print(f"posterior predictive check ({args.check_runs} draws, {result['check_window']}):")
        print(result["check"].headline_text())
    print(f"total wall time {time.perf_counter() - t0:.1f} s")
    for path in result["written"]:
        print(f"wrote {path}")
    return 0


def write_outputs(
    cal,
    out: Path,
    *,
    check_runs: int = DEFAULT_CHECK_RUNS,
    check_start: dt.date | None = None,
    check_end: dt.date | None = None,
    workers: int | None = None,
    fitted: Path | None = None,
    command: str = "",
    scenario_path: str = "",
    truth: dict | None = None,
) -> dict:
    """Write a calibration's tables, plots, predictive check, fitted file and report.

    Returns:
        ``written`` (paths), ``summary`` (table), ``summary_text``, ``check`` (the predictive
        comparison or ``None``), ``check_window``.
    """
    from calibration.posterior import (
        fitted_rules,
        format_summary,
        generations_table,
        plot_epsilon,
        plot_marginals,
        plot_pairs,
        posterior_particles,
        predictive_check,
        summary_table,
        write_fitted,
    )

    setup = cal.setup
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    particles = posterior_particles(cal.history, setup.priors)
    table = summary_table(particles, setup.priors)
    gens = generations_table(cal.history)
    table.to_csv(out / "posterior.csv", index=False)
    particles.to_csv(out / "particles.csv", index=False)
    gens.to_csv(out / "generations.csv", index=False)
    written += [out / "posterior.csv", out / "particles.csv", out / "generations.csv"]
    written.append(plot_marginals(particles, setup.priors, out / "marginals.png", truth))
    if len(setup.priors) > 1:
        written.append(plot_pairs(particles, setup.priors, out / "pairs.png"))
    written.append(plot_epsilon(gens, out / "epsilon.png"))

    rules = fitted_rules(table, setup.priors)
    header = [
        f"Fitted rule parameters of scenario {setup.scenario.name!r}: posterior medians of an",
        f"ABC-SMC calibration against the record, window {setup.start} .. {setup.end}",
        f"({cal.generations} generations of {setup.population} particles, "
        f"{int(cal.history.total_nr_simulations)} simulations, seed {setup.seed}).",
        "Written by `coalsim calibrate` (see docs/calibration.md). The content is a scenario's",
        "`rules:` mapping: name this file in a scenario's `fitted:` (a path from the",
        "scenario's folder), paste it under `rules:` or pass each value with",
        "`--set RULE.PARAM=VALUE`. Parameters not listed keep their declared defaults.",
    ]
    if command:
        header.append(f"command: {command}")
    written.append(write_fitted(out / f"{setup.scenario.name}.yaml", rules, header))
    if fitted is not None:
        written.append(write_fitted(fitted, rules, header))

    check = None
    window = ""
    if check_runs:
        t0 = time.perf_counter()
        check = predictive_check(
            setup.scenario,
            particles,
            setup.priors,
            runs=check_runs,
            seed=setup.seed,
            start=check_start or setup.start,
            end=check_end or setup.end,
            record=setup.record,
            workers=workers,
        )
        check.meta["command"] = command
        check.meta["wall_time"] = time.perf_counter() - t0
        window = f"{check.meta['start']} .. {check.meta['end']}"
        written.append(check.write_report(out / "predictive"))
    report = _report(cal, table, gens, check, window, rules, command, scenario_path, truth)
    (out / "report.md").write_text(report, encoding="utf-8")
    written.append(out / "report.md")
    return {
        "written": written,
        "summary": table,
        "summary_text": format_summary(table),
        "check": check,
        "check_window": window,
    }


def _report(cal, table, gens, check, window, rules, command, scenario_path, truth) -> str:
    from calibration.posterior import markdown_table, settings_of

    setup = cal.setup
    sets = " ".join(f"--set {k}={v}" for k, v in settings_of(rules).items())
    lines = [
        f"# Calibration of {setup.scenario.name}",
        "",
        f"- scenario: `{scenario_path or setup.scenario.name}`; window fitted: {setup.start} .. "
        f"{setup.end}",
        f"- base of every run (the calibrated parameters aside): "
        f"{setup.scenario.rules_origin()}; `default` below is the declared default",
        f"- record: {'shipped' if setup.record is None else setup.record.source}"
        + (f" (synthetic observations: {setup.synthetic})" if setup.synthetic else ""),
        f"- ABC-SMC (pyabc): population {setup.population}, {cal.generations} generation(s), "
        f"{int(cal.history.total_nr_simulations)} simulations, seed {setup.seed}",
        f"- {len(setup.observed_statistics())} summary statistics (counts per type and "
        "half-year, the record's 8 key (class, pair) combinations, ARI on "
        + ", ".join(d.isoformat() for d in setup.dates)
        + "); adaptive weighted L1 distance",
        f"- database: `{cal.db}` (run {cal.run_id})",
        f"- sampling wall time: {gens['wall_seconds'].sum():.0f} s (pyabc's times of the "
        f"generations, summed over every call; this call sampled for {cal.elapsed:.0f} s)",
    ]
    if command:
        lines.append(f"- command: `{command}`")
    lines += ["", "How to read this: `docs/calibration.md`.", "", "## Posterior", ""]
    shown = table.copy()
    if truth:
        shown["true"] = [truth.get(n, float("nan")) for n in shown["parameter"]]
    lines += [markdown_table(shown), ""]
    lines += [
        "`q05`/`q95`: the 90% credible interval; `shrinkage`: 1 - its width / the prior's 90% "
        "width (in the prior's space), 0 when the data say nothing.",
        "",
        "![marginals](marginals.png)",
        "",
    ]
    if len(setup.priors) > 1:
        lines += ["![pairs](pairs.png)", ""]
    lines += ["## Generations", "", markdown_table(gens), "", "![epsilon](epsilon.png)", ""]
    lines += [
        "## Fitted parameters",
        "",
        f"Posterior medians, as a `rules:` mapping in `{setup.scenario.name}.yaml`; on the "
        "command line:",
        "",
        f"    {sets}",
        "",
    ]
    if check is not None:
        lines += [
            "## Posterior predictive check",
            "",
            f"The comparison of {check.meta['runs']} runs, each with its own posterior draw, "
            f"window {window}: [predictive/report.md](predictive/report.md).",
            "",
            markdown_table(check.headline),
            "",
        ]
    return "\n".join(lines)
