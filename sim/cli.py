"""The ``coalsim`` command line: validate scenarios, run them, list the rules.

Commands of the downstream packages (``compare`` and ``calibrate`` from :mod:`calibration`,
``sweep`` and ``analyze`` from :mod:`sweeps`, ``app`` from :mod:`frontend`) are added by their
own ``cli`` modules through :data:`EXTENSIONS`; this module is the program's entry point, not
part of the model, and the model never imports them.

Bad input (a malformed, inconsistent or out-of-range scenario, a bad ``--set`` or date) is
reported with its file, field path and what was expected, and exits with status 2 and no
traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import sys
import time
from pathlib import Path

from sim.scenario import Problem, ScenarioError, load_scenario, with_params

EXIT_BAD_INPUT = 2
# Modules that add subcommands: each has ``add_parsers(subparsers)`` and keeps heavy imports
# inside its command functions, so that ``coalsim --help`` stays fast.
EXTENSIONS = ("calibration.cli", "sweeps.cli", "frontend.cli")


class BadInput(Exception):
    """A command-line argument that cannot be used."""


def parse_settings(items: list[str]) -> dict[str, float | bool]:
    """``["truces.base_rate=0.3", "landscape_alignment.enabled=true"]`` -> mapping."""
    out: dict[str, float | bool] = {}
    problems = []
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            problems.append(Problem(item, "expected RULE.PARAM=VALUE"))
            continue
        low = raw.strip().lower()
        if low in ("true", "false"):
            out[key] = low == "true"
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(Problem(key, f"expected a number, got {raw!r}"))
            continue
        out[key] = int(value) if value.is_integer() else value
    if problems:
        raise ScenarioError("--set", problems)
    return out


def parse_date(text: str | None, flag: str) -> dt.date | None:
    """Parse an ISO date given on the command line."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(
            "command line", [Problem(flag, f"expected a date YYYY-MM-DD, got {text!r}")]
        ) from None


def make_folder(folder: Path, flag: str = "--out") -> Path:
    """Create an output folder named on the command line, or refuse it clearly (exit 2)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ScenarioError(
            "command line", [Problem(flag, f"cannot create {folder}: {exc}")]
        ) from None
    return folder


def add_set(parser: argparse.ArgumentParser) -> None:
    """Add ``--set RULE.PARAM=VALUE`` (repeatable), read by :func:`parse_settings`."""
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="RULE.PARAM=VALUE",
        help="override a rule parameter (repeatable)",
    )


def add_no_fitted(parser: argparse.ArgumentParser) -> None:
    """Add ``--no-fitted`` (run on the declared defaults, not the scenario's fitted file)."""
    parser.add_argument(
        "--no-fitted",
        action="store_true",
        help="ignore the scenario's fitted: file (calibrated parameters): rules run with "
        "their declared defaults where the scenario's own rules: set nothing",
    )


def _load(path: str, settings: list[str] | None = None, use_fitted: bool = True):
    scenario = load_scenario(path, use_fitted=use_fitted)
    if settings:
        scenario = with_params(scenario, parse_settings(settings), source=f"{path} (--set)")
    return scenario


def cmd_validate(args: argparse.Namespace) -> int:
    """Check a scenario file and print a one-line summary."""
    s = _load(args.file, use_fitted=not args.no_fitted)
    units = sum(len(g.units) for g in s.groups)
    print(
        f"{args.file}: valid scenario {s.name!r}: {len(s.groups)} groups, {units} units, "
        f"{len(s.coalitions)} coalitions, {len(s.patrons)} patrons, {s.start} .. {s.end}"
    )
    print(s.rules_origin())
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run a scenario and write its event log and time series."""
    from sim.model import CoalitionModel
    from sim.summary import summarise

    scenario = _load(args.file, args.set, use_fitted=not args.no_fitted)
    until = parse_date(args.until, "--until")
    if until is not None and until <= scenario.start:
        raise ScenarioError(
            "command line",
            [Problem("--until", f"expected a date after {scenario.start}, got {until}")],
        )
    out = Path(args.out) if args.out else None
    if out is not None:
        make_folder(out)
    t0 = time.perf_counter()
    model = CoalitionModel(scenario, rng=args.seed, until=until)
    from tqdm import tqdm

    with tqdm(total=model.n_steps, unit="step", delay=1.0, file=sys.stderr, leave=False) as bar:
        model.run(progress=lambda _step: bar.update(1))
    elapsed = time.perf_counter() - t0
    events = model.events()
    print(summarise(model, events, elapsed))
    if out is not None:
        events.to_csv(out / "events.csv", index=False)
        model.timeseries.frame().to_parquet(out / "timeseries.parquet", index=False)
        print(f"wrote {out / 'events.csv'} and {out / 'timeseries.parquet'}")
    return 0


def cmd_rules(_args: argparse.Namespace) -> int:
    """List the rules and their parameters."""
    from sim.rules import RULES

    for rule in RULES.values():
        state = "on" if rule.enabled_by_default else "off"
        print(f"{rule.name} ({state} by default): {rule.mechanism}")
        for p in rule.params:
            print(f"  {p.name} = {p.default:g}  [{p.low:g}, {p.high:g}]  {p.doc}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``coalsim``."""
    parser = argparse.ArgumentParser(
        prog="coalsim", description="Agent-based simulation of coalitions of armed groups."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("validate", help="check a scenario file")
    p.add_argument("file")
    add_no_fitted(p)
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("run", help="run a scenario")
    p.add_argument("file")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    add_set(p)
    p.add_argument("--until", help="stop at this date (YYYY-MM-DD)")
    p.add_argument("--out", help="folder for events.csv and timeseries.parquet")
    add_no_fitted(p)
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("rules", help="list rules and parameters")
    p.set_defaults(func=cmd_rules)
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise  # the module exists but something it imports is missing
            continue
        module.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``coalsim`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
