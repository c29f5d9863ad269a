"""What a calibration found: posterior summary, plots, predictive check, fitted parameters.

* :func:`posterior_particles`: the last generation's particles in natural units, with weights.
* :func:`summary_table`: per parameter the prior, the default, the posterior mean, median and
  90% credible interval (weighted 5th and 95th percentiles) and how much narrower the
  interval is than the prior's (``shrinkage``, in the prior's own space: log10 for
  log-uniform priors; 0 = no narrower than the prior, 1 = a point).
* :func:`generations_table`: epsilon, simulations, acceptance rate, effective sample size and
  wall time per generation.
* :func:`plot_marginals`, :func:`plot_pairs`, :func:`plot_epsilon`: PNG plots.
* :func:`predictive_check`: the comparison (:mod:`calibration.comparison`) of an ensemble whose
  every run uses its own posterior draw (drawn with the particles' weights) and its own seed.
* :func:`write_fitted` / :func:`load_fitted` / :func:`apply_fitted`: the posterior medians as
  a scenario's ``rules:`` mapping.

This module reads a calibration's database and runs the model through
:mod:`calibration.ensemble`; it never changes the model or a scenario file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from calibration.priors import Prior
from sim.scenario import Problem, Scenario, ScenarioError, read_fitted
from sim.scenario.fitted import settings_of

SUMMARY_COLUMNS = [
    "parameter",
    "prior",
    "default",
    "mean",
    "median",
    "q05",
    "q95",
    "prior_q05",
    "prior_q95",
    "shrinkage",
]


# -- particles and summaries -----------------------------------------------------------------
def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Quantile ``q`` of a weighted sample (inverse of the weighted empirical CDF, midpoints)."""
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return float(np.interp(q, cdf, v))


def posterior_particles(history, priors: Sequence[Prior], t: int | None = None) -> pd.DataFrame:
    """Particles of generation ``t`` (default: the last) with their weights.

    One column per parameter in natural units (whole numbers rounded), plus ``weight``
    (summing to 1).
    """
    frame, w = history.get_distribution(m=0, t=t)
    out = pd.DataFrame({p.name: [p.natural(x) for x in frame[p.name]] for p in priors})
    out["weight"] = np.asarray(w, dtype=float) / float(np.sum(w))
    return out.reset_index(drop=True)


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size of normalised weights."""
    w = np.asarray(weights, dtype=float)
    return float(w.sum() ** 2 / np.sum(w**2))


def summary_table(particles: pd.DataFrame, priors: Sequence[Prior]) -> pd.DataFrame:
    """The posterior summary, one row per parameter (see the module docstring)."""
    w = particles["weight"].to_numpy()
    rows = []
    for p in priors:
        v = particles[p.name].to_numpy(dtype=float)
        q05, q95 = weighted_quantile(v, w, 0.05), weighted_quantile(v, w, 0.95)
        width = p.internal(max(q95, p.low)) - p.internal(max(q05, p.low))
        prior_width = 0.9 * (p.hi - p.lo)
        rows.append(
            {
                "parameter": p.name,
                "prior": p.describe(),
                "default": p.default,
                "mean": float(np.sum(v * w) / w.sum()),
                "median": weighted_quantile(v, w, 0.5),
                "q05": q05,
                "q95": q95,
                "prior_q05": p.quantile(0.05),
                "prior_q95": p.quantile(0.95),
                "shrinkage": float(1.0 - width / prior_width) if prior_width > 0 else 0.0,
            }
        )
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def generations_table(history) -> pd.DataFrame:
    """One row per stored generation.

    Columns ``t, epsilon, samples, particles, acceptance, ess, wall_seconds``; the calibration
    sample drawn before generation 0 is ``t = -1``, without epsilon.
    """
    pops = history.get_all_populations().sort_values("t").reset_index(drop=True)
    rows = []
    for r in pops.itertuples(index=False):
        t = int(r.t)
        particles = float(r.particles) if t >= 0 and pd.notna(r.particles) else float("nan")
        ess = float("nan")
        if t >= 0:
            _, w = history.get_distribution(m=0, t=t)
            ess = effective_sample_size(w)
        rows.append(
            {
                "t": t,
                "epsilon": float(r.epsilon) if t >= 0 else float("nan"),
                "samples": int(r.samples),
                "particles": particles,
                "acceptance": particles / r.samples if t >= 0 and r.samples else float("nan"),
                "ess": ess,
                "wall_seconds": float(r.wall_time) if pd.notna(r.wall_time) else float("nan"),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["t", "epsilon", "samples", "particles", "acceptance", "ess", "wall_seconds"],
    )


def format_summary(table: pd.DataFrame) -> str:
    """The summary table as aligned text."""
    lines = [
        f"{'parameter':<38}{'default':>10}{'mean':>10}{'median':>10}{'q05':>10}{'q95':>10}"
        f"{'shrink':>8}"
    ]
    for r in table.itertuples(index=False):
        lines.append(
            f"{r.parameter:<38}{r.default:>10.4g}{r.mean:>10.4g}{r.median:>10.4g}"
            f"{r.q05:>10.4g}{r.q95:>10.4g}{r.shrinkage:>8.2f}"
        )
    return "\n".join(lines)


def markdown_table(frame: pd.DataFrame, digits: int = 4) -> str:
    """A DataFrame as a Markdown table (numbers with ``digits`` significant digits)."""

    def cell(v) -> str:
        if isinstance(v, float | np.floating):
            return "-" if not np.isfinite(v) else f"{v:.{digits}g}"
        return str(v)

    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    sep = "| " + " | ".join("---" for _ in frame.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, sep, *body])


# -- plots -----------------------------------------------------------------------------------
def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_marginals(
    particles: pd.DataFrame,
    priors: Sequence[Prior],
    path: Path,
    truth: Mapping[str, float] | None = None,
) -> Path:
    """Posterior marginals, one panel per parameter.

    Each panel: the weighted histogram over the prior's support, the prior's density (flat in
    the prior's space), the median and 90% interval, the default (and the true value for
    synthetic data).
    """
    plt = _pyplot()
    n = len(priors)
    cols = min(3, n)
    rows = int(np.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), squeeze=False)
    w = particles["weight"].to_numpy()
    for ax, p in zip(axes.flat, priors, strict=False):
        v = particles[p.name].to_numpy(dtype=float)
        x = np.array([p.internal(max(a, p.low)) for a in v])
        bins = np.linspace(p.lo, p.hi, 31)
        ax.hist(
            x, bins=bins, weights=w, density=True, color="#4c72b0", alpha=0.75, label="posterior"
        )
        ax.axhline(1.0 / (p.hi - p.lo), color="grey", ls=":", label="prior")
        q05, q50, q95 = (weighted_quantile(v, w, q) for q in (0.05, 0.5, 0.95))
        ax.axvspan(
            p.internal(max(q05, p.low)), p.internal(max(q95, p.low)), color="#4c72b0", alpha=0.12
        )
        ax.axvline(p.internal(max(q50, p.low)), color="#4c72b0", lw=2, label="median")
        if p.low <= p.default <= p.high:
            ax.axvline(p.internal(p.default), color="black", ls="--", label="default")
        if truth and p.name in truth:
            ax.axvline(p.internal(truth[p.name]), color="#c44e52", lw=2, label="true")
        ax.set_title(p.name, fontsize=9)
        ax.set_xlabel("log10 of the value" if p.scale == "log" else "value", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Posterior marginals (shaded: 90% credible interval)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_pairs(particles: pd.DataFrame, priors: Sequence[Prior], path: Path) -> Path:
    """Every pair of parameters: the particles over the whole prior support.

    Marker areas are proportional to the weights; axes are in the priors' spaces.
    """
    plt = _pyplot()
    n = len(priors)
    fig, axes = plt.subplots(n, n, figsize=(2.4 * n + 0.6, 2.4 * n + 0.6), squeeze=False)
    w = particles["weight"].to_numpy()
    size = 4 + 200 * w / w.max()
    xs = {
        p.name: np.array([p.internal(max(a, p.low)) for a in particles[p.name].to_numpy(float)])
        for p in priors
    }
    for i, pi in enumerate(priors):
        for j, pj in enumerate(priors):
            ax = axes[i, j]
            if i == j:
                ax.hist(xs[pi.name], bins=np.linspace(pi.lo, pi.hi, 21), weights=w, color="#4c72b0")
                ax.set_xlim(pi.lo, pi.hi)
            elif i > j:
                ax.scatter(xs[pj.name], xs[pi.name], s=size, alpha=0.4, color="#4c72b0", lw=0)
                ax.set_xlim(pj.lo, pj.hi)
                ax.set_ylim(pi.lo, pi.hi)
            else:
                ax.axis("off")
                continue
            ax.tick_params(labelsize=6)
            if i == n - 1:
                label = pj.name + (" (log10)" if pj.scale == "log" else "")
                ax.set_xlabel(label, fontsize=7)
            if j == 0 and i > 0:
                label = pi.name + (" (log10)" if pi.scale == "log" else "")
                ax.set_ylabel(label, fontsize=7)
    fig.suptitle("Posterior pairs (last generation)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def plot_epsilon(generations: pd.DataFrame, path: Path) -> Path:
    """Acceptance threshold and acceptance rate per generation."""
    plt = _pyplot()
    g = generations[generations["t"] >= 0]
    fig, ax = plt.subplots(figsize=(7, 3.8))
    ax.plot(g["t"], g["epsilon"], "o-", color="#4c72b0")
    ax.set_xlabel("generation")
    ax.set_xticks(g["t"].tolist())
    ax.set_ylabel("epsilon (weighted L1 distance)", color="#4c72b0")
    ax.set_yscale("log")
    ax2 = ax.twinx()
    ax2.plot(g["t"], g["acceptance"], "s--", color="#dd8452")
    ax2.set_ylabel("acceptance rate", color="#dd8452")
    ax2.set_ylim(0, 1)
    ax.set_title(
        "Epsilon and acceptance per generation\n(epsilon is in each generation's own units:\n"
        "the adaptive distance is reweighted every generation)",
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# -- fitted parameters -----------------------------------------------------------------------
def fitted_rules(table: pd.DataFrame, priors: Sequence[Prior]) -> dict[str, dict[str, float]]:
    """The posterior medians as a ``rules:`` mapping (``{rule: {param: value}}``)."""
    by_name = {p.name: p for p in priors}
    rules: dict[str, dict[str, float]] = {}
    for r in table.itertuples(index=False):
        rule, _, param = r.parameter.partition(".")
        p = by_name[r.parameter]
        value = float(f"{float(r.median):.4g}")
        value = min(max(value, p.declared[0]), p.declared[1])
        rules.setdefault(rule, {})[param] = round(value) if p.integer else value
    return rules


def write_fitted(path: Path, rules: Mapping, header: Sequence[str]) -> Path:
    """Write a ``rules:`` mapping as YAML with a comment header."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump({k: dict(v) for k, v in rules.items()}, sort_keys=True)
    text = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header) + body
    path.write_text(text, encoding="utf-8")
    return path


def load_fitted(path: str | Path) -> dict[str, dict[str, float]]:
    """Read a fitted-parameter file (a ``rules:`` mapping, or a mapping with ``rules:``).

    The reader is the scenario loader's (:func:`sim.scenario.read_fitted`); the values are
    checked against the rules' declared ranges like a scenario's ``rules:``.

    Raises:
        ScenarioError: Naming the file if it is missing or not such a mapping, or naming the
            file and the parameter (``defection.base_rate``) for a value the rules refuse.
    """
    from sim.scenario.fitted import fitted_problems

    rules = read_fitted(path)
    problems = fitted_problems(rules)
    if problems:
        raise ScenarioError(str(path), problems)
    return rules


def apply_fitted(scenario: Scenario, path: str | Path) -> Scenario:
    """``scenario`` with the parameters of a fitted-parameter file set (validated).

    The file's values win over the scenario's own (they are applied like ``--set``); a
    scenario file can instead name the file in ``fitted:`` (see docs/scenarios.md), where its
    own ``rules:`` win.
    """
    from sim.scenario import with_params

    return with_params(scenario, settings_of(load_fitted(path)), source=str(path))


# -- posterior predictive check --------------------------------------------------------------
def draw_settings(
    particles: pd.DataFrame, priors: Sequence[Prior], n: int, seed: int
) -> list[dict[str, float]]:
    """``n`` posterior draws (resampled with the particles' weights), as ``--set`` mappings."""
    rng = np.random.default_rng(np.random.SeedSequence([int(seed), 1]))
    w = particles["weight"].to_numpy()
    idx = rng.choice(len(particles), size=n, replace=True, p=w / w.sum())
    return [{p.name: float(particles.loc[i, p.name]) for p in priors} for i in idx]


def run_draws(
    scenario: Scenario,
    settings: Sequence[dict[str, float]],
    seeds: Sequence[int],
    until: dt.date,
    dates: Sequence[dt.date],
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """An :class:`~calibration.ensemble.Ensemble` whose run k uses ``settings[k]``, ``seeds[k]``.

    Runs go to a ``spawn`` process pool (``workers=1``: in this process) and are collected in
    draw order, so the result does not depend on ``workers``.
    """
    from calibration.ensemble import Ensemble, run_jobs

    jobs = [(dict(settings[k]), int(seeds[k])) for k in range(len(settings))]
    events, dyads, alignments, elapsed, workers = run_jobs(
        scenario, jobs, until, dates, workers, progress
    )
    return Ensemble(
        [int(s) for s in seeds],
        events,
        dyads,
        alignments,
        elapsed=elapsed,
        workers=workers,
    )


def predictive_check(
    scenario: Scenario,
    particles: pd.DataFrame,
    priors: Sequence[Prior],
    *,
    runs: int = 100,
    seed: int = 0,
    start: dt.date | None = None,
    end: dt.date | None = None,
    record=None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
):
    """The comparison report of ``runs`` runs, each with its own posterior draw and seed.

    Args:
        scenario: The base scenario.
        particles: :func:`posterior_particles`.
        priors: The calibrated parameters.
        runs: Number of draws (one run each).
        seed: Seed of the draws and of the runs' seeds.
        start: First day compared (default: the scenario's start).
        end: Last day compared (default: the scenario's end); runs stop there.
        record: The record (``None``: the shipped one).
        workers: Processes (default: the available cores).
        progress: Called as ``progress(done, total)``.

    Returns:
        A :class:`~calibration.comparison.ComparisonResult`; its ``meta`` says the runs are
        posterior draws.
    """
    from calibration.comparison import compare_ensemble, prepare
    from calibration.ensemble import ensemble_seeds

    if runs < 1:
        raise ScenarioError("calibration", [Problem("--check-runs", "expected at least 1 run")])
    ctx = prepare(scenario, record, start, end)
    settings = draw_settings(particles, priors, runs, seed)
    seeds = ensemble_seeds(seed, runs)
    ensemble = run_draws(scenario, settings, seeds, ctx.end, ctx.dates, workers, progress)
    result = compare_ensemble(ctx, ensemble)
    result.meta["seed"] = int(seed)
    result.meta["posterior_draws"] = runs
    result.warnings.insert(
        0,
        f"posterior predictive check: each of the {runs} runs uses its own draw of the "
        f"calibrated parameters ({', '.join(p.name for p in priors)}) from the posterior, "
        "drawn with the particles' weights; the other parameters are the scenario's",
    )
    return result
