"""Analysis of a sweep's results: summaries, sensitivity indices, scenario discovery, report.

:func:`analyze` reads a results folder (never writes anything but ``DIR/analysis/``) and writes:

- ``summary.csv``: per point and output, the number of runs, the mean and a 95% interval over
  replicates (Wilson for yes/no outcomes, Student t for numbers); ``sides.csv``: per point,
  the share of runs that put a listed group on each side;
- ``morris.csv`` (Morris design: mu, mu*, sigma, mu* confidence per output and parameter) or
  ``sobol.csv`` (Sobol design: S1, ST and their confidence), from SALib on the point means;
  for grids and Latin hypercubes ``correlations.csv`` (Spearman rank correlation of point
  means with each parameter), a screening only;
- ``prim_<outcome>.csv``: the PRIM peeling trajectory of a named outcome (which parameter
  ranges make it likely) and the chosen box; feature scores (AUC of each parameter between
  runs with and without the outcome);
- PNG plots (matplotlib, Agg) and ``report.md``, a short report that links them.

PRIM (Friedman & Fisher 1999) is implemented here (:func:`prim`): peel ``alpha`` of the runs
off one side of one parameter at a time, choosing the peel that most raises the share of runs
with the outcome (the density), while the box keeps at least ``min_mass`` of the runs; the box
reported is the densest one on the trajectory that still holds ``min_coverage`` of the runs
with the outcome (or the first box within 2 points of its density: fewer restrictions).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario import Problem, ScenarioError
from sweeps.store import ResultStore

Z95 = 1.959963984540054
MAX_PLOTTED = 12


# -- intervals -------------------------------------------------------------------------------
def wilson(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k/n`` (NaNs when ``n`` is 0)."""
    if n <= 0:
        return math.nan, math.nan
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if k <= 0 else max(0.0, centre - half)
    hi = 1.0 if k >= n else min(1.0, centre + half)
    return lo, hi


def t_interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% Student-t interval of the mean (interval NaN with fewer than 2 values)."""
    v = np.asarray(values, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if len(v) < 2:
        return mean, math.nan, math.nan
    from scipy.stats import t

    half = float(t.ppf(0.975, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return mean, mean - half, mean + half


def describe(values: pd.Series, boolean: bool) -> dict[str, float]:
    """``n, mean, lo, hi`` of one output over a set of runs (missing values left out)."""
    v = values.dropna()
    if boolean:
        n = len(v)
        k = float(v.astype(bool).sum())
        lo, hi = wilson(k, n)
        return {"n": n, "mean": k / n if n else math.nan, "lo": lo, "hi": hi}
    x = v.to_numpy(dtype=float)
    mean, lo, hi = t_interval(x)
    if len(x) and x.min() >= 0 and not math.isnan(lo):
        lo = max(lo, 0.0)  # counts cannot be negative
    return {"n": len(v), "mean": mean, "lo": lo, "hi": hi}


# -- PRIM ------------------------------------------------------------------------------------
@dataclass
class Box:
    """One box of a PRIM trajectory."""

    limits: dict[str, tuple[float, float]]
    n: int
    mass: float
    coverage: float
    density: float
    restricted: list[str] = field(default_factory=list)


def prim(x: pd.DataFrame, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05) -> list[Box]:
    """Peeling trajectory of PRIM.

    Args:
        x: One row per case (run), one numeric column per parameter.
        y: Whether the outcome happened in each case.
        alpha: Share of the box's cases peeled off in one step.
        min_mass: Smallest share of all cases a box may keep.

    Returns:
        The boxes from the full range to the last peel, each with its limits (the range of
        the cases it keeps), mass (share of cases in it), coverage (share of the cases with
        the outcome that are in it) and density (share of its cases with the outcome).
    """
    names = list(x.columns)
    xv = x.to_numpy(dtype=float)
    yv = np.asarray(y, dtype=bool)
    n_all = len(yv)
    pos = max(1, int(yv.sum()))
    full = {n: (float(xv[:, j].min()), float(xv[:, j].max())) for j, n in enumerate(names)}

    limits = dict(full)  # moved only by the peels themselves

    def box_of(mask: np.ndarray) -> Box:
        restricted = [n for n in names if limits[n] != full[n]]
        k = int(mask.sum())
        return Box(
            dict(limits),
            k,
            k / n_all,
            float(yv[mask].sum()) / pos,
            float(yv[mask].mean()),
            restricted,
        )

    mask = np.ones(n_all, dtype=bool)
    trajectory = [box_of(mask)]
    while True:
        current = yv[mask].mean()
        best = None
        for j in range(len(names)):
            col = xv[:, j]
            inside = col[mask]
            if inside.min() == inside.max():
                continue
            for side in ("low", "high"):
                if side == "low":
                    q = np.quantile(inside, alpha)
                    keep = col > q if q == inside.min() else col >= q
                else:
                    q = np.quantile(inside, 1 - alpha)
                    keep = col < q if q == inside.max() else col <= q
                new = mask & keep
                k = int(new.sum())
                if k == int(mask.sum()) or k < max(1, min_mass * n_all):
                    continue
                d = yv[new].mean()
                if best is None or (d, k) > (best[0], best[1]):
                    best = (d, k, new, j, side)
        if best is None or best[0] <= current:
            return trajectory
        mask, j, side = best[2], best[3], best[4]
        lo, hi = limits[names[j]]
        kept = xv[mask, j]
        limits[names[j]] = (float(kept.min()), hi) if side == "low" else (lo, float(kept.max()))
        trajectory.append(box_of(mask))


def choose_box(trajectory: list[Box], min_coverage: float, tolerance: float = 0.02) -> Box:
    """The box to report: the densest that still holds ``min_coverage`` of the outcome's cases.

    Later peels often add a parameter only to chase noise, so the first box on the trajectory
    whose density is within ``tolerance`` of that densest one is returned (fewer restrictions,
    nearly the same density).
    """
    ok = [b for b in trajectory if b.coverage >= min_coverage - 1e-12] or trajectory[:1]
    best = max(b.density for b in ok)
    return next(b for b in ok if b.density >= best - tolerance)


def auc_scores(x: pd.DataFrame, y: np.ndarray) -> pd.Series:
    """Per parameter: P(value with the outcome > value without) (0.5 = no influence)."""
    yv = np.asarray(y, dtype=bool)
    out = {}
    for name in x.columns:
        a = x.loc[yv, name].to_numpy(dtype=float)
        b = x.loc[~yv, name].to_numpy(dtype=float)
        if len(a) == 0 or len(b) == 0:
            out[name] = math.nan
            continue
        ranks = pd.Series(np.concatenate([a, b])).rank().to_numpy()
        u = ranks[: len(a)].sum() - len(a) * (len(a) + 1) / 2
        out[name] = u / (len(a) * len(b))
    return pd.Series(out)


# -- reading ---------------------------------------------------------------------------------
@dataclass
class Results:
    """A results folder, read for analysis."""

    root: Path
    manifest: dict
    runs: pd.DataFrame  # every run row (ok and error)
    design: pd.DataFrame
    params: list[str]  # parameter names
    numeric: list[str]  # numeric output columns
    boolean: list[str]  # yes/no output columns (named outcomes)
    sides: list[str]  # side-of-group columns

    @property
    def ok(self) -> pd.DataFrame:
        """Runs that completed."""
        return self.runs[self.runs["status"] == "ok"]

    @property
    def expected(self) -> int:
        """Runs of the whole sweep."""
        return int(self.manifest["n_points"]) * int(self.manifest["replicates"])


def read_results(root: str | Path) -> Results:
    """Read a results folder written by ``coalsim sweep``."""
    store = ResultStore(root)
    if not Path(root).is_dir():
        raise ScenarioError(
            str(root), [Problem("", "expected a results folder of `coalsim sweep`")]
        )
    manifest = store.manifest()
    runs = store.read_runs()
    design = store.read_design()
    params = [p["name"] for p in manifest["parameters"]]
    numeric, boolean, sides = [], [], []
    for c in runs.columns:
        if c.startswith("outcome."):
            if not c.endswith(".first"):
                boolean.append(c)
        elif c.startswith("count.") or c.startswith("score."):
            numeric.append(c)
        elif c.startswith("structure."):
            (sides if ".side." in c else numeric).append(c)
    for c in boolean:
        runs[c] = runs[c].astype("boolean")
    return Results(Path(root), manifest, runs, design, params, numeric, boolean, sides)


def _pcol(name: str) -> str:
    return f"param.{name}"


def _label(col: str) -> str:
    return col.removeprefix("outcome.").removeprefix("count.").removeprefix("score.")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_")


# -- summaries -------------------------------------------------------------------------------
def point_summary(res: Results) -> pd.DataFrame:
    """Long table: point, parameters, output, n, mean, lo, hi (vectorised over points)."""
    from scipy.stats import t

    ok = res.ok
    design = res.design.set_index("point")
    parts = []
    for col in res.boolean + res.numeric:
        g = ok.groupby("point", sort=True)[col]
        n = g.count()
        mean = g.mean().astype(float)
        if col in res.boolean:
            k = g.sum().astype(float)
            iv = np.array([wilson(a, b) for a, b in zip(k, n, strict=True)]).reshape(-1, 2)
            lo, hi = iv[:, 0], iv[:, 1]
        else:
            sd = g.std().astype(float)
            half = t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n)
            half = np.where(n >= 2, half, np.nan)
            lo, hi = mean - half, mean + half
            if (ok[col].dropna() >= 0).all():
                lo = np.maximum(lo, 0.0)
        part = pd.DataFrame(
            {"point": n.index.astype(int), "output": col, "n": n, "mean": mean, "lo": lo, "hi": hi}
        )
        parts.append(part)
    if not parts:
        return pd.DataFrame()
    out = pd.concat(parts, ignore_index=True)
    for p in reversed(res.params):
        out.insert(1, p, design.loc[out["point"], p].to_numpy())
    return out.sort_values(["point"], kind="stable").reset_index(drop=True)


def overall_summary(res: Results) -> pd.DataFrame:
    """One row per output over all completed runs (and the median first date of outcomes)."""
    ok = res.ok
    rows = []
    for col in res.boolean + res.numeric:
        r = {"output": col, **describe(ok[col], col in res.boolean)}
        first = f"{col}.first"
        if first in ok.columns:
            d = pd.to_datetime(ok[first]).dropna()
            r["median_first"] = d.median().date().isoformat() if len(d) else ""
        rows.append(r)
    return pd.DataFrame(rows)


def side_shares(res: Results) -> pd.DataFrame:
    """Per point and side column: the share of runs that put the group on each side."""
    rows = []
    for point, g in res.ok.groupby("point", sort=True):
        for col in res.sides:
            v = g[col].dropna()
            for side, k in v.value_counts().items():
                rows.append({"point": int(point), "output": col, "side": side, "share": k / len(v)})
    return pd.DataFrame(rows, columns=["point", "output", "side", "share"])


def point_means(res: Results, col: str) -> pd.Series:
    """Mean of an output per point (NaN for points with no completed run)."""
    m = res.ok.groupby("point")[col].mean().astype(float)
    return m.reindex(range(int(res.manifest["n_points"])))


# -- sensitivity -----------------------------------------------------------------------------
def _problem(res: Results) -> dict:
    bounds = []
    for p in res.manifest["parameters"]:
        lo, hi = float(p["low"]), float(p["high"])
        if p["scale"] == "log":
            lo, hi = math.log10(lo), math.log10(hi)
        bounds.append([lo, hi])
    return {"num_vars": len(bounds), "names": res.params, "bounds": bounds}


def sensitivity(res: Results) -> tuple[str, pd.DataFrame, list[str]]:
    """Indices for every numeric or yes/no output: (kind, long table, notes).

    Morris and Sobol need a completed run at every point (the point means are the model
    output); outputs constant over the design are left out.
    """
    method = res.manifest["method"]
    notes: list[str] = []
    outputs = res.boolean + res.numeric
    rows = []
    if method in ("morris", "sobol"):
        spec = res.manifest["spec"]["design"]
        problem = _problem(res)
        x = res.design[[f"x.{n}" for n in res.params]].to_numpy(dtype=float)
        for col in outputs:
            y = point_means(res, col).to_numpy(dtype=float)
            if np.isnan(y).any():
                notes.append(
                    f"{col}: {int(np.isnan(y).sum())} point(s) without a completed run; "
                    f"no {method} indices (finish the sweep first)"
                )
                continue
            if np.allclose(y, y[0]):
                notes.append(f"{col}: constant over the design, no indices")
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if method == "morris":
                    from SALib.analyze import morris

                    si = morris.analyze(problem, x, y, num_levels=spec["levels"], seed=0)
                    for k, name in enumerate(res.params):
                        rows.append(
                            {
                                "output": col,
                                "parameter": name,
                                "mu": float(si["mu"][k]),
                                "mu_star": float(si["mu_star"][k]),
                                "sigma": float(si["sigma"][k]),
                                "mu_star_conf": float(si["mu_star_conf"][k]),
                            }
                        )
                else:
                    from SALib.analyze import sobol

                    si = sobol.analyze(problem, y, calc_second_order=spec["second_order"], seed=0)
                    for k, name in enumerate(res.params):
                        rows.append(
                            {
                                "output": col,
                                "parameter": name,
                                "S1": float(si["S1"][k]),
                                "S1_conf": float(si["S1_conf"][k]),
                                "ST": float(si["ST"][k]),
                                "ST_conf": float(si["ST_conf"][k]),
                            }
                        )
        return method, pd.DataFrame(rows), notes
    # grid / lhs: rank correlations of point means with the parameters (a screening only)
    design = res.design.set_index("point")
    varied = [p for p in res.params if design[p].nunique() > 1]
    for col in outputs:
        y = point_means(res, col)
        if y.dropna().nunique() < 2:
            notes.append(f"{col}: constant over the design, no correlation")
            continue
        for name in varied:
            xs = design[name].astype(float).reindex(y.index)
            ok = y.notna()
            rho = xs[ok].rank().corr(y[ok].rank())
            rows.append({"output": col, "parameter": name, "spearman": float(rho)})
    return "correlation", pd.DataFrame(rows), notes


# -- scenario discovery ----------------------------------------------------------------------
@dataclass
class Discovery:
    """Scenario discovery for one outcome."""

    outcome: str
    n: int
    k: int
    trajectory: list[Box]
    box: Box | None
    auc: pd.Series
    note: str = ""


def discover(res: Results, col: str, min_coverage: float) -> Discovery:
    """PRIM and feature scores of one yes/no outcome over the completed runs."""
    ok = res.ok
    y = ok[col]
    keep = y.notna()
    xcols = [_pcol(p) for p in res.params if ok[_pcol(p)].nunique() > 1]
    x = ok.loc[keep, xcols].astype(float)
    x.columns = [c.removeprefix("param.") for c in xcols]
    yv = y[keep].astype(bool).to_numpy()
    n, k = len(yv), int(yv.sum())
    if not xcols:
        return Discovery(col, n, k, [], None, pd.Series(dtype=float), "no varied parameter")
    if n == 0 or k in (0, n):
        what = "never" if k == 0 else "always"
        note = f"the outcome {what} happened in the {n} completed runs: nothing to discover"
        return Discovery(col, n, k, [], None, pd.Series(dtype=float), note)
    traj = prim(x, yv)
    return Discovery(col, n, k, traj, choose_box(traj, min_coverage), auc_scores(x, yv))


# -- plots -----------------------------------------------------------------------------------
def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def plot_outcome(res: Results, col: str, path: Path) -> None:
    """Share of runs with the outcome per point, against each parameter (with intervals)."""
    plt = _plt()
    params = [p for p in res.params if res.design[p].nunique() > 1] or res.params[:1]
    if not params:
        return
    n = len(params)
    fig, axes = plt.subplots(1, n, figsize=(3.6 * n, 3.2), squeeze=False, sharey=True)
    g = res.ok.groupby("point")[col]
    k = g.sum().astype(float)
    m = g.count()
    share = k / m.replace(0, np.nan)
    iv = np.array([wilson(a, b) for a, b in zip(k, m, strict=True)])
    design = res.design.set_index("point").loc[share.index]
    scale = {p["name"]: p["scale"] for p in res.manifest["parameters"]}
    for ax, name in zip(axes[0], params, strict=False):
        xs = design[name].astype(float).to_numpy()
        ax.errorbar(
            xs, share, yerr=[share - iv[:, 0], iv[:, 1] - share], fmt="o", ms=3, alpha=0.6, lw=0.8
        )
        if scale.get(name) == "log":
            ax.set_xscale("log")
        ax.set_xlabel(name, fontsize=8)
        ax.set_ylim(-0.05, 1.05)
    axes[0][0].set_ylabel(f"P({_label(col)})")
    fig.suptitle(f"{_label(col)}: share of replicates per point (95% Wilson)", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_prim(d: Discovery, path: Path) -> None:
    """PRIM trajectory: coverage against density, the chosen box marked."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(4.6, 3.6))
    cov = [b.coverage for b in d.trajectory]
    den = [b.density for b in d.trajectory]
    ndim = [len(b.restricted) for b in d.trajectory]
    sc = ax.scatter(cov, den, c=ndim, cmap="viridis", s=18)
    ax.plot(cov, den, lw=0.6, color="grey")
    if d.box is not None:
        ax.scatter([d.box.coverage], [d.box.density], s=120, facecolors="none", edgecolors="red")
    fig.colorbar(sc, ax=ax, label="parameters restricted")
    ax.set_xlabel("coverage")
    ax.set_ylabel("density")
    ax.set_title(f"PRIM: {_label(d.outcome)}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_indices(kind: str, table: pd.DataFrame, path: Path) -> None:
    """Bars of mu* (Morris), ST and S1 (Sobol) or Spearman rho per output."""
    plt = _plt()
    value = {"morris": "mu_star", "sobol": "ST", "correlation": "spearman"}[kind]
    outputs = list(dict.fromkeys(table["output"]))[:MAX_PLOTTED]
    n = len(outputs)
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 2.6 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    for ax, out in zip(axes.flat, outputs, strict=False):
        t = table[table["output"] == out]
        ax.barh(t["parameter"], t[value], color="tab:blue", label=value)
        if kind == "sobol":
            ax.barh(t["parameter"], t["S1"], color="tab:orange", height=0.4, label="S1")
        ax.set_title(_label(out), fontsize=8)
        ax.tick_params(labelsize=7)
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(
        {
            "morris": "Morris mu*",
            "sobol": "Sobol ST (S1 inside)",
            "correlation": "Spearman rho of point means",
        }[kind],
        fontsize=9,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_counts(res: Results, path: Path) -> None:
    """Mean events of each type per run, with 95% intervals."""
    plt = _plt()
    cols = [c for c in res.numeric if c.startswith("count.")]
    if not cols:
        return
    stats = [t_interval(res.ok[c].to_numpy(dtype=float)) for c in cols]
    mean = np.array([s[0] for s in stats])
    lo = np.array([s[1] for s in stats])
    hi = np.array([s[2] for s in stats])
    err = np.nan_to_num(np.vstack([mean - lo, hi - mean]))
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.bar([_label(c) for c in cols], mean, yerr=err, color="tab:grey", capsize=3)
    ax.set_ylabel("events per run")
    ax.set_title("Events by type over the whole sweep (mean, 95% interval)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- the report ------------------------------------------------------------------------------
@dataclass
class Analysis:
    """What :func:`analyze` wrote."""

    folder: Path
    report: Path
    files: list[Path]
    lines: list[str]

    def summary(self) -> str:
        """A few lines for the user."""
        return "\n".join(
            [
                *self.lines,
                f"wrote {len(self.files)} files to {self.folder}",
                f"report: {self.report}",
            ]
        )


def _fmt(v: float, digits: int = 3) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def _table(headers: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_fmt(c) for c in r) + " |" for r in rows]
    return out


def analyze(root: str | Path, outcome: str | None = None, min_coverage: float = 0.5) -> Analysis:
    """Analyse a results folder; writes ``DIR/analysis/`` (see the module docstring).

    Args:
        root: A results folder of ``coalsim sweep``.
        outcome: Limit scenario discovery to this named outcome (default: every one).
        min_coverage: PRIM's box choice (see :func:`choose_box`).

    Raises:
        ScenarioError: If the folder is not a results folder, or ``outcome`` is not one of
            the sweep's outcomes.
    """
    res = read_results(root)
    if not 0 < min_coverage <= 1:
        raise ScenarioError(
            "--min-coverage",
            [Problem("--min-coverage", f"expected a number in (0, 1], got {min_coverage}")],
        )
    names = [o["name"] for o in res.manifest.get("outcomes", [])]
    if outcome is not None and outcome not in names:
        raise ScenarioError(
            "--outcome",
            [
                Problem(
                    "--outcome", f"expected an outcome of this sweep among {names}, got {outcome!r}"
                )
            ],
        )
    out = res.root / "analysis"
    out.mkdir(exist_ok=True)
    files: list[Path] = []
    m = res.manifest
    n_ok, n_err = len(res.ok), int((res.runs["status"] != "ok").sum())
    missing = res.expected - n_ok - n_err
    md = [
        f"# Sweep `{m['name']}`",
        "",
        f"Scenario `{m['scenario']}` ({m['scenario_file']}), window {m['window'][0]} to "
        f"{m['window'][1]}; {m['method']} design, {len(res.params)} parameter(s), "
        f"{m['n_points']} points x {m['replicates']} replicates = {res.expected} runs "
        f"(base seed {m['seed']}, hash `{m['spec_hash']}`).",
        "",
        f"Runs: **{n_ok} completed**, {n_err} failed, {missing} not run yet."
        + (
            " The sweep is incomplete: `coalsim sweep` on the same folder resumes it."
            if missing
            else ""
        ),
        "",
    ]
    if m["parameters"]:
        md += ["## Parameters", ""]
        prow = []
        for p in m["parameters"]:
            rng = (
                ", ".join(map(str, p["values"]))
                if p["values"] is not None
                else f"[{p['low']:g}, {p['high']:g}]"
            )
            prow.append([p["name"], rng, p["scale"] if p["values"] is None else "grid"])
        md += [*_table(["parameter", "values / range", "scale"], prow), ""]

    # summaries
    summary = point_summary(res)
    if len(summary):
        summary.to_csv(out / "summary.csv", index=False)
        files.append(out / "summary.csv")
    sides = side_shares(res)
    if len(sides):
        sides.to_csv(out / "sides.csv", index=False)
        files.append(out / "sides.csv")
    overall = overall_summary(res)
    if len(overall):
        md += ["## Outputs over the whole sweep", ""]
        md += [
            "Yes/no outcomes: share of completed runs with a 95% Wilson interval (and the median "
            "date it happened); numbers: mean per run with a 95% t interval. Per point: "
            "`summary.csv`.",
            "",
        ]
        rows = []
        for r in overall.itertuples():
            iv = f"{_fmt(r.lo)} - {_fmt(r.hi)}" if not math.isnan(r.lo) else ""
            rows.append([r.output, r.mean, iv, int(r.n), getattr(r, "median_first", "") or ""])
        md += _table(["output", "mean / share", "95% interval", "runs", "median first date"], rows)
        md += [""]
    if len(res.ok) and any(c.startswith("count.") for c in res.numeric):
        plot_counts(res, out / "counts.png")
        files.append(out / "counts.png")
        md += ["![events by type](counts.png)", ""]

    # sensitivity
    kind, table, notes = sensitivity(res) if len(res.ok) else ("none", pd.DataFrame(), [])
    lines = [f"{n_ok} completed, {n_err} failed, {missing} missing of {res.expected} runs"]
    if len(table):
        fname = {"morris": "morris.csv", "sobol": "sobol.csv", "correlation": "correlations.csv"}[
            kind
        ]
        table.to_csv(out / fname, index=False)
        files.append(out / fname)
        plot_indices(kind, table, out / f"{kind}.png")
        files.append(out / f"{kind}.png")
        title = {
            "morris": "Sensitivity: Morris elementary effects (SALib)",
            "sobol": "Sensitivity: Sobol indices (SALib)",
            "correlation": "Screening: rank correlations (no Morris/Sobol indices for this design)",
        }[kind]
        value = {"morris": "mu_star", "sobol": "ST", "correlation": "spearman"}[kind]
        md += [f"## {title}", ""]
        md += [
            {
                "morris": "mu* is the mean absolute elementary effect on the point means: the "
                "change of the output per Morris step, the same share of every parameter's range "
                "(in log10 for log-scaled ones), so parameters compare directly; sigma is its "
                "spread (interactions, non-linearity); mu_star_conf (in morris.csv) its 95% "
                "bootstrap half-width. Few replicates make point means, and so mu*, noisy.",
                "sobol": "ST is the total-order index (share of the variance of the point means "
                "due to the parameter, interactions included), S1 the first-order one.",
                "correlation": "Spearman rank correlation between each parameter and the point "
                "means of an output: a screening, not a variance decomposition.",
            }[kind],
            "",
        ]
        rows = []
        for out_col, g in table.groupby("output", sort=False):
            g = g.reindex(g[value].abs().sort_values(ascending=False).index)
            top = ", ".join(f"{r.parameter} ({_fmt(getattr(r, value), 2)})" for r in g.itertuples())
            rows.append([out_col, top])
        md += _table(["output", f"parameters by |{value}|"], rows)
        md += ["", f"Full table: `{fname}`.", "", f"![{kind}]({kind}.png)", ""]
        lines.append(f"{kind}: {table['output'].nunique()} output(s) -> {fname}")
    if notes:
        md += ["Notes: " + "; ".join(notes[:10]) + ("; ..." if len(notes) > 10 else ""), ""]

    # scenario discovery
    targets = [outcome] if outcome else names
    targets = [t for t in targets if f"outcome.{t}" in res.boolean]
    if targets and len(res.ok):
        md += [
            "## Scenario discovery",
            "",
            f"PRIM peels 5% of the runs at a time off one parameter's range, keeping the peel "
            f"that most raises the share of runs with the outcome (density); the box shown is "
            f"the densest on the trajectory that still holds at least {min_coverage:.0%} of the "
            f"runs with the outcome (coverage), or the first box within 2 points of that density "
            f"(fewer restrictions). AUC: probability that a run with the outcome "
            f"has a higher value of the parameter than a run without (0.5: no influence).",
            "",
        ]
    for name in targets:
        col = f"outcome.{name}"
        plot_outcome(res, col, out / f"outcome_{_slug(name)}.png")
        files.append(out / f"outcome_{_slug(name)}.png")
        d = discover(res, col, min_coverage)
        md += [f"### `{name}`", ""]
        if d.n:
            md += [f"Happened in {d.k} of {d.n} completed runs ({d.k / d.n:.1%})."]
        if d.note:
            md += ["", d.note.capitalize() + "."]
            lines.append(f"{name}: {d.note}")
        if d.box is not None:
            traj = pd.DataFrame(
                [
                    {
                        "step": i,
                        "mass": b.mass,
                        "coverage": b.coverage,
                        "density": b.density,
                        "n": b.n,
                        "restricted": ";".join(b.restricted),
                        **{f"{k}.low": v[0] for k, v in b.limits.items()},
                        **{f"{k}.high": v[1] for k, v in b.limits.items()},
                        "chosen": b is d.box,
                    }
                    for i, b in enumerate(d.trajectory)
                ]
            )
            traj.to_csv(out / f"prim_{_slug(name)}.csv", index=False)
            files.append(out / f"prim_{_slug(name)}.csv")
            plot_prim(d, out / f"prim_{_slug(name)}.png")
            files.append(out / f"prim_{_slug(name)}.png")
            b = d.box
            md += [
                "",
                f"PRIM box: density **{b.density:.0%}** (vs {d.k / d.n:.0%} overall), coverage "
                f"{b.coverage:.0%}, mass {b.mass:.0%} ({b.n} runs).",
                "",
            ]
            if b.restricted:
                md += _table(
                    ["parameter", "from", "to", "AUC"],
                    [
                        [p, b.limits[p][0], b.limits[p][1], d.auc.get(p, math.nan)]
                        for p in b.restricted
                    ],
                )
                box_txt = "; ".join(
                    f"{p} in [{_fmt(b.limits[p][0])}, {_fmt(b.limits[p][1])}]" for p in b.restricted
                )
            else:
                md += ["No peel raised the density: no parameter range makes it more likely."]
                box_txt = "no restriction"
            others = [p for p in d.auc.index if p not in b.restricted]
            if others:
                md += [
                    "",
                    "Other parameters' AUC: "
                    + ", ".join(f"{p} {_fmt(d.auc[p], 2)}" for p in others),
                ]
            md += ["", f"![PRIM trajectory](prim_{_slug(name)}.png)"]
            lines.append(
                f"{name}: {d.k}/{d.n} runs; PRIM box {box_txt} -> density {b.density:.0%}, "
                f"coverage {b.coverage:.0%}"
            )
        md += ["", f"![{name} by point](outcome_{_slug(name)}.png)", ""]

    # errors
    if n_err:
        errs = res.runs.loc[res.runs["status"] != "ok", "error"].fillna("").value_counts()
        md += ["## Failed runs", ""]
        md += _table(
            ["error", "runs"],
            [[e.replace("|", "/")[:200], int(k)] for e, k in errs.head(10).items()],
        )
        md += ["", "`coalsim sweep ... --retry-failed` runs them again.", ""]
    md += [
        "## Files",
        "",
        *[f"- `{f.name}`" for f in files],
        "",
        f"Written by `coalsim analyze` on {dt.datetime.now():%Y-%m-%d %H:%M}.",
        "",
    ]
    report = out / "report.md"
    report.write_text("\n".join(md), encoding="utf-8")
    return Analysis(out, report, [*files, report], lines)
