"""Designs of a sweep: which parameter values (points) are run, and the replicate seeds.

A grid is every combination of the listed values (the last parameter varies fastest). Latin
hypercube, Sobol and Morris designs come from SALib's samplers, seeded, in a *design space*
where each parameter is uniform on ``[low, high]`` (or on ``[log10 low, log10 high]`` for
``scale: log``); SALib's analyses later use that design-space matrix. Whole-number parameters
are rounded after the transform.

Sizes (D parameters): lhs N points; sobol N(2D+2) points (N(D+2) without second order);
morris N(D+1) points. Every point is run ``replicates`` times with the same replicate seeds,
spawned from the sweep's base seed with :class:`numpy.random.SeedSequence`, so that
comparisons between points are paired.

Pure functions of the spec: nothing here runs the model or touches files.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sweeps.spec import Sweep, SweptParam


@dataclass(frozen=True)
class Design:
    """The points of a sweep.

    Attributes:
        method: grid, lhs, sobol or morris.
        names: Parameter names, in file order.
        points: One row per point: the parameter values a run uses (index = point number).
        x: Design-space values (n_points x D) for SALib's analyses, or ``None`` for a grid.
        problem: SALib's problem definition (in design space), or ``None`` for a grid.
    """

    method: str
    names: tuple[str, ...]
    points: pd.DataFrame
    x: np.ndarray | None
    problem: dict | None

    def __len__(self) -> int:
        return len(self.points)

    def params_of(self, point: int) -> dict[str, bool | int | float]:
        """Parameter values of one point, as Python scalars."""
        row = self.points.iloc[point]
        return {n: _scalar(row[n]) for n in self.names}

    def table(self) -> pd.DataFrame:
        """The points with their design-space values (``x.<name>`` columns), for storage."""
        out = self.points.copy()
        out.insert(0, "point", np.arange(len(out), dtype=np.int64))
        if self.x is not None:
            for k, n in enumerate(self.names):
                out[f"x.{n}"] = self.x[:, k]
        return out


def _scalar(v):
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def salib_problem(params: tuple[SweptParam, ...]) -> dict:
    """SALib's problem definition in design space (log10 bounds for log-scaled parameters)."""
    bounds = []
    for p in params:
        lo, hi = float(p.low), float(p.high)
        if p.scale == "log":
            lo, hi = np.log10(lo), np.log10(hi)
        bounds.append([lo, hi])
    return {"num_vars": len(params), "names": [p.name for p in params], "bounds": bounds}


def to_values(params: tuple[SweptParam, ...], x: np.ndarray) -> pd.DataFrame:
    """Design-space matrix -> parameter values (undo log scales, round whole numbers, clip)."""
    cols = {}
    for k, p in enumerate(params):
        v = x[:, k].astype(float)
        if p.scale == "log":
            v = 10.0**v
        v = np.clip(v, p.low, p.high)
        if p.integer:
            v = np.clip(np.rint(v), np.ceil(p.low), np.floor(p.high)).astype(np.int64)
        cols[p.name] = v
    return pd.DataFrame(cols)


def build_design(sweep: Sweep) -> Design:
    """The design of a validated sweep (deterministic: seeded by ``design.seed`` or ``seed``)."""
    d = sweep.spec.design
    params = sweep.params
    names = tuple(p.name for p in params)
    seed = sweep.spec.seed if d.seed is None else d.seed
    if d.method == "grid":
        combos = list(itertools.product(*(p.values for p in params)))
        points = pd.DataFrame(combos, columns=list(names)) if names else pd.DataFrame(index=[0])
        for p in params:  # one dtype per column: bool, int64 or float64
            vals = list(p.values)
            if all(isinstance(v, bool) for v in vals):
                points[p.name] = points[p.name].astype(bool)
            elif p.integer:
                points[p.name] = points[p.name].astype(np.int64)
            else:
                points[p.name] = points[p.name].astype(float)
        return Design("grid", names, points.reset_index(drop=True), None, None)
    problem = salib_problem(params)
    n = int(d.samples)
    if d.method == "lhs":
        from SALib.sample import latin

        x = latin.sample(problem, n, seed=seed)
    elif d.method == "sobol":
        from SALib.sample import sobol

        x = sobol.sample(problem, n, calc_second_order=d.second_order, seed=seed)
    else:
        from SALib.sample import morris

        x = morris.sample(problem, n, num_levels=d.levels, seed=seed)
    x = np.asarray(x, dtype=float)
    return Design(d.method, names, to_values(params, x), x, problem)


def expected_points(sweep: Sweep) -> int:
    """Number of points the design will have, without sampling it."""
    d = sweep.spec.design
    k = len(sweep.params)
    if d.method == "grid":
        return int(np.prod([len(p.values) for p in sweep.params])) if k else 1
    n = int(d.samples)
    if d.method == "lhs":
        return n
    if d.method == "sobol":
        return n * (2 * k + 2) if d.second_order else n * (k + 2)
    return n * (k + 1)


def replicate_seeds(base_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..R-1: ``SeedSequence(base_seed).spawn(R)``, each as a 32-bit int.

    Child ``r`` depends only on ``base_seed`` and ``r``, so raising ``replicates`` later keeps
    the seeds of the replicates already run.
    """
    children = np.random.SeedSequence(base_seed).spawn(replicates)
    return [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
