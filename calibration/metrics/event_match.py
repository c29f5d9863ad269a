"""Per recorded event: how often the ensemble reproduced it, and how far off in time.

A recorded dyad (see :mod:`calibration.dyads`) is *reproduced* by a run when the run has a
dyad of the same class between the same pair of keys within ``tolerance_months`` of the
recorded date (either order of the parties; one-party ``dissolve`` on the same actor). Its
*probability* is the share of runs that reproduce it. Each run's nearest such dyad gives the
*timing error* (simulated minus recorded date, in months of 30.44 days: positive means the
model is late); the table gives the median over the runs that reproduce it. A simulated event
can reproduce several recorded ones (the record's repeated HTS-Ahrar clashes, for instance).

*Coalition level* ("an event involving a member counts for its coalition"): a two-party
recorded dyad between A and B is also reproduced by a simulated dyad of the same class between
X and Y when each recorded party is matched to one simulated party -- A with X when A's key is
X or under X in the run (X is a simulated coalition A belongs to), or X's key is A or under A
in the record (X is a member of the recorded coalition A) -- and B likewise with Y. The
coalition-level probability is therefore at least the actor-level one. One-party events are
matched at actor level only.

The null model's probability of a recorded dyad is the chance that the null puts at least one
event of that class on that pair within the same tolerance
(:func:`calibration.null_model.null_cell_probability`).

Pure functions of tables; nothing here runs the model.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from calibration.dyads import UNARY
from calibration.null_model import NullModel, null_cell_probability

DAYS_PER_MONTH = 365.25 / 12
TOLERANCE_MONTHS = 6.0

MATCH_COLUMNS = [
    "event_id",
    "part",
    "date",
    "event_type",
    "actor",
    "target",
    "pair",
    "mappable",
    "probability",
    "coalition_probability",
    "timing_error_months",
    "abs_timing_error_months",
    "null_probability",
]


def _days(dates) -> np.ndarray:
    return (pd.to_datetime(dates).to_numpy().astype("datetime64[D]")).astype(np.int64)


def _side_ok(key, cover, sim_key, sim_cover) -> bool:
    return key in sim_cover or sim_key in cover


def match_events(
    record_dyads: pd.DataFrame,
    sim_dyads: pd.DataFrame,
    runs: int,
    *,
    tolerance_months: float = TOLERANCE_MONTHS,
    null: NullModel | None = None,
    n_pairs: dict[str, int] | None = None,
    window: tuple[dt.date, dt.date] | None = None,
) -> pd.DataFrame:
    """Probability, coalition-level probability and timing error of each recorded dyad.

    Args:
        record_dyads: Recorded dyads to score (usually those in the window).
        sim_dyads: Keyed simulated dyads with a ``run`` column.
        runs: Number of runs in the ensemble.
        tolerance_months: How far apart in time a simulated dyad may be.
        null: The null model (optional): fills ``null_probability``.
        n_pairs: Active pairs per class, for the null (``{"fight": 120, ...}``).
        window: The comparison window: the null's tolerance interval is cut to it.

    Returns:
        One row per recorded dyad (:data:`MATCH_COLUMNS`); unmappable dyads have probability 0.
    """
    tol = tolerance_months * DAYS_PER_MONTH
    rec = record_dyads.reset_index(drop=True)
    out = rec[["event_id", "part", "date", "event_type", "actor", "target", "pair", "mappable"]]
    out = out.copy()
    n = len(rec)
    prob = np.zeros(n)
    cprob = np.zeros(n)
    terr = np.full(n, np.nan)
    aerr = np.full(n, np.nan)
    pnull = np.full(n, np.nan)

    sim = sim_dyads
    if runs > 0 and len(sim):
        s_run = sim["run"].to_numpy()
        s_day = _days(sim["date"])
        by_pair: dict[tuple[str, str], np.ndarray] = {}
        for (cls, pair), idx in sim.groupby(["cls", "pair"], sort=False).indices.items():
            by_pair[(cls, pair)] = idx
        by_cls = {cls: idx for cls, idx in sim.groupby("cls", sort=False).indices.items()}
        s_a, s_b = sim["a"].to_numpy(), sim["b"].to_numpy()
        s_ac, s_bc = sim["a_cover"].to_numpy(), sim["b_cover"].to_numpy()
    r_day = _days(rec["date"]) if n else np.zeros(0, dtype=np.int64)

    for i, r in enumerate(rec.itertuples(index=False)):
        if null is not None and r.mappable:
            first = (r.date - pd.Timedelta(days=tol)).date()
            last = (r.date + pd.Timedelta(days=tol)).date()
            if window is not None:
                first, last = max(first, window[0]), min(last, window[1])
            k = (n_pairs or {}).get(r.cls, 1)
            pnull[i] = null_cell_probability(null, r.cls, first, last, k)
        if not r.mappable or runs <= 0 or not len(sim):
            continue
        hit_runs: set[int] = set()
        idx = by_pair.get((r.cls, r.pair))
        if idx is not None:
            diff = s_day[idx] - r_day[i]
            ok = np.abs(diff) <= tol
            if ok.any():
                runs_ok, diffs = s_run[idx][ok], diff[ok]
                order = np.lexsort((np.abs(diffs), runs_ok))
                runs_sorted, diffs_sorted = runs_ok[order], diffs[order]
                first_of_run = np.r_[True, runs_sorted[1:] != runs_sorted[:-1]]
                nearest = diffs_sorted[first_of_run] / DAYS_PER_MONTH
                hit_runs = set(runs_sorted[first_of_run].tolist())
                prob[i] = len(hit_runs) / runs
                terr[i] = float(np.median(nearest))
                aerr[i] = float(np.mean(np.abs(nearest)))
        chit = set(hit_runs)
        if r.cls not in UNARY:
            cand = by_cls.get(r.cls)
            if cand is not None:
                diff = s_day[cand] - r_day[i]
                cand = cand[np.abs(diff) <= tol]
                for j in cand.tolist():
                    run = int(s_run[j])
                    if run in chit:
                        continue
                    x, y, xc, yc = s_a[j], s_b[j], s_ac[j], s_bc[j]
                    if (_side_ok(r.a, r.a_cover, x, xc) and _side_ok(r.b, r.b_cover, y, yc)) or (
                        _side_ok(r.a, r.a_cover, y, yc) and _side_ok(r.b, r.b_cover, x, xc)
                    ):
                        chit.add(run)
        cprob[i] = len(chit) / runs
    out["probability"] = prob
    out["coalition_probability"] = cprob
    out["timing_error_months"] = terr
    out["abs_timing_error_months"] = aerr
    out["null_probability"] = pnull
    return out[MATCH_COLUMNS]


def event_summary(matches: pd.DataFrame) -> dict[str, float]:
    """Hit rates (each recorded event weighted 1, its dyads averaged) and timing errors.

    Returns:
        ``hit_rate``, ``coalition_hit_rate``, ``null_hit_rate`` over mappable dyads;
        ``coverage`` (share of recorded dyads that are mappable); ``abs_timing_error_months``
        (mean over reproduced dyads, weighted by their probability); ``events`` and
        ``mappable_events`` (number of recorded events with at least one mappable dyad).
    """
    m = matches[matches["mappable"]]
    if not len(m):
        nan = float("nan")
        return {
            "hit_rate": nan,
            "coalition_hit_rate": nan,
            "null_hit_rate": nan,
            "coverage": 0.0 if len(matches) else nan,
            "abs_timing_error_months": nan,
            "events": float(matches["event_id"].nunique()),
            "mappable_events": 0.0,
        }
    per_event = m.groupby("event_id")[
        ["probability", "coalition_probability", "null_probability"]
    ].mean()
    hit = m[m["probability"] > 0]
    w = hit["probability"].to_numpy()
    terr = float(np.average(hit["abs_timing_error_months"], weights=w)) if w.sum() > 0 else np.nan
    return {
        "hit_rate": float(per_event["probability"].mean()),
        "coalition_hit_rate": float(per_event["coalition_probability"].mean()),
        "null_hit_rate": float(per_event["null_probability"].mean()),
        "coverage": float(matches["mappable"].mean()),
        "abs_timing_error_months": terr,
        "events": float(matches["event_id"].nunique()),
        "mappable_events": float(per_event.shape[0]),
    }
