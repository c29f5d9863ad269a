"""Proper scores of monthly event probabilities: Brier, log score, skill against the null.

The forecast is a grid of *cells*: every month of the window x every class of event x every
*active pair*. A cell's forecast is the share of runs with at least one event of that class
between that pair in that month; its outcome is 1 when the record has one, else 0.

*Active pairs* are the pairs the comparison is about (pairs never active would add thousands of
easy zeros and drown the signal): every pair of keys between which the record has at least one
mappable event, in any year, plus every pair with an event in at least :data:`MIN_SHARE` of the
runs within the window. One-party events (``dissolve``) form their own "pairs" (the actor alone),
which carry only the ``dissolve`` class; two-party pairs carry the other five classes.

The null model's forecast of a cell is its base rate of positive cells of the class, spread
evenly over the active pairs of that class (:func:`calibration.null_model.null_cell_probability`).

* Brier score: mean of ``(p - o)^2`` over cells (0 is perfect, lower is better).
* Log score: mean of ``-[o log p + (1 - o) log(1 - p)]`` with ``p`` clipped to
  ``[LOG_CLIP, 1 - LOG_CLIP]`` (an ensemble says 0 whenever no run produced the event, which
  would make one miss infinitely bad); lower is better.
* Skill: ``1 - score / null_score``; 1 is perfect, 0 is no better than the null, negative worse.

Pure functions of arrays and tables; nothing here runs the model.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from calibration.dyads import CLASSES, UNARY, is_unary
from calibration.null_model import NullModel, null_cell_probability

LOG_CLIP = 0.005
"""Probabilities are clipped to ``[LOG_CLIP, 1 - LOG_CLIP]`` for the log score."""
MIN_SHARE = 0.05
"""A pair is active if at least this share of runs has an event between it in the window."""

DYADIC_CLASSES = tuple(c for c in CLASSES if c not in UNARY)


def brier_score(p, o) -> float:
    """Mean squared difference between probabilities ``p`` and outcomes ``o`` (0 or 1)."""
    p, o = np.asarray(p, dtype=float), np.asarray(o, dtype=float)
    return float(np.mean((p - o) ** 2)) if p.size else float("nan")


def log_score(p, o, clip: float = LOG_CLIP) -> float:
    """Mean negative log-likelihood of outcomes ``o`` under probabilities ``p`` (clipped)."""
    p = np.clip(np.asarray(p, dtype=float), clip, 1.0 - clip)
    o = np.asarray(o, dtype=float)
    if not p.size:
        return float("nan")
    return float(-np.mean(o * np.log(p) + (1.0 - o) * np.log1p(-p)))


def skill_score(score: float, reference: float) -> float:
    """``1 - score / reference`` for scores where lower is better (NaN if ``reference`` is 0)."""
    if not np.isfinite(reference) or reference == 0:
        return float("nan")
    return float(1.0 - score / reference)


def in_window(dates: pd.Series, start: dt.date, end: dt.date) -> np.ndarray:
    """Boolean mask of ``dates`` within ``[start, end]``."""
    return np.asarray((dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end)))


def active_pairs(
    record_dyads: pd.DataFrame,
    sim_dyads: pd.DataFrame,
    runs: int,
    start: dt.date,
    end: dt.date,
    min_share: float = MIN_SHARE,
) -> tuple[list[str], list[str]]:
    """The active two-party pairs and one-party "pairs", sorted.

    Args:
        record_dyads: The record's dyads over its whole period.
        sim_dyads: Keyed simulated dyads (:func:`calibration.dyads.key_dyads`) with ``run``.
        runs: Number of runs.
        start: First day of the window.
        end: Last day of the window.
        min_share: Share of runs needed to make a simulated pair active.
    """
    pairs = set(record_dyads.loc[record_dyads["mappable"], "pair"].tolist())
    if runs > 0 and len(sim_dyads):
        sim = sim_dyads[in_window(sim_dyads["date"], start, end)]
        share = sim[["run", "pair"]].drop_duplicates().groupby("pair").size() / runs
        pairs |= set(share[share >= min_share - 1e-12].index.tolist())
    dyadic = sorted(p for p in pairs if not is_unary(p))
    unary = sorted(p for p in pairs if is_unary(p))
    return dyadic, unary


def months_of(start: dt.date, end: dt.date) -> list[tuple[pd.Period, dt.date, dt.date]]:
    """Each month touching ``[start, end]`` with its first and last day inside the window."""
    out = []
    for m in pd.period_range(start, end, freq="M"):
        first = max(m.start_time.date(), start)
        last = min(m.end_time.date(), end)
        out.append((m, first, last))
    return out


def _month_index(dates) -> np.ndarray:
    d = pd.DatetimeIndex(dates)
    return np.asarray(d.year * 12 + d.month - 1, dtype=np.int64)


def forecast_grid(
    record_dyads: pd.DataFrame,
    sim_dyads: pd.DataFrame,
    runs: int,
    start: dt.date,
    end: dt.date,
    null: NullModel,
    pairs: tuple[list, list] | None = None,
) -> pd.DataFrame:
    """Monthly probabilities and outcomes of every cell (month x class x active pair).

    Args:
        record_dyads: The record's dyads (any period; only the window's mappable ones count).
        sim_dyads: Keyed simulated dyads with a ``run`` column.
        runs: Number of runs.
        start: First day of the window.
        end: Last day of the window.
        null: The null model.
        pairs: ``(two-party pairs, one-party pairs)``; default :func:`active_pairs`.

    Returns:
        Columns ``month`` (``"YYYY-MM"``), ``cls``, ``pair``, ``p``, ``o``, ``p_null``.
    """
    dyadic, unary = (
        pairs if pairs is not None else active_pairs(record_dyads, sim_dyads, runs, start, end)
    )
    months = months_of(start, end)
    n_d, n_u, n_c = len(dyadic), len(unary), len(DYADIC_CLASSES)
    per_month = n_c * n_d + n_u
    size = len(months) * per_month
    m0 = start.year * 12 + start.month - 1
    cls_code = {c: k for k, c in enumerate(DYADIC_CLASSES)}
    d_code = {p: k for k, p in enumerate(dyadic)}
    u_code = {p: k for k, p in enumerate(unary)}

    def linear(month_idx, cls, pair) -> np.ndarray:
        m = np.asarray(month_idx) - m0
        out = np.full(len(m), -1, dtype=np.int64)
        for k, (c, p) in enumerate(zip(cls, pair, strict=True)):
            if c in UNARY:
                j = u_code.get(p)
                if j is not None:
                    out[k] = n_c * n_d + j
            else:
                i, j = cls_code.get(c), d_code.get(p)
                if i is not None and j is not None:
                    out[k] = i * n_d + j
        ok = (out >= 0) & (m >= 0) & (m < len(months))
        return np.where(ok, m * per_month + out, -1)

    p = np.zeros(size)
    if runs > 0 and len(sim_dyads) and size:
        sim = sim_dyads[in_window(sim_dyads["date"], start, end)]
        lin = linear(_month_index(sim["date"]), sim["cls"].tolist(), sim["pair"].tolist())
        keep = lin >= 0
        cells = np.unique(np.stack([sim["run"].to_numpy()[keep], lin[keep]]), axis=1)
        p = np.bincount(cells[1], minlength=size)[:size] / runs
    o = np.zeros(size)
    rec = record_dyads[record_dyads["mappable"] & in_window(record_dyads["date"], start, end)]
    if len(rec) and size:
        lin = linear(_month_index(rec["date"]), rec["cls"].tolist(), rec["pair"].tolist())
        o[np.unique(lin[lin >= 0])] = 1.0

    null_p = np.zeros(size)
    for k, (_, first, last) in enumerate(months):
        base = k * per_month
        for i, c in enumerate(DYADIC_CLASSES):
            null_p[base + i * n_d : base + (i + 1) * n_d] = null_cell_probability(
                null, c, first, last, n_d
            )
        null_p[base + n_c * n_d : base + per_month] = null_cell_probability(
            null, "dissolve", first, last, n_u
        )
    month_labels = np.repeat([str(m) for m, _, _ in months], per_month)
    cls_one = np.concatenate(
        [
            np.repeat(np.array(DYADIC_CLASSES, dtype=object), n_d),
            np.full(n_u, "dissolve", dtype=object),
        ]
    )
    pair_one = np.concatenate(
        [np.tile(np.array(dyadic, dtype=object), n_c), np.array(unary, dtype=object)]
    )
    return pd.DataFrame(
        {
            "month": month_labels,
            "cls": np.tile(cls_one, len(months)),
            "pair": np.tile(pair_one, len(months)),
            "p": p,
            "o": o,
            "p_null": null_p,
        }
    )


def grid_scores(grid: pd.DataFrame) -> pd.DataFrame:
    """Brier and log scores of the model and the null, overall and per class.

    Returns:
        One row per class plus ``all``: ``cls, cells, positives, brier, brier_null,
        brier_skill, log, log_null, log_skill``.
    """
    rows = []
    groups = [("all", grid)] + [(c, grid[grid["cls"] == c]) for c in CLASSES]
    for name, g in groups:
        b, bn = brier_score(g["p"], g["o"]), brier_score(g["p_null"], g["o"])
        lg, ln = log_score(g["p"], g["o"]), log_score(g["p_null"], g["o"])
        rows.append(
            {
                "cls": name,
                "cells": len(g),
                "positives": int(g["o"].sum()) if len(g) else 0,
                "brier": b,
                "brier_null": bn,
                "brier_skill": skill_score(b, bn),
                "log": lg,
                "log_null": ln,
                "log_skill": skill_score(lg, ln),
            }
        )
    return pd.DataFrame(rows)
