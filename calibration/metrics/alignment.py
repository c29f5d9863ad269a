"""Alignment agreement: adjusted Rand index between simulated and recorded coalition membership.

On each chosen date, every scenario group and unit that exists both in the run (alive) and in
the record (named by then and not dissolved, see :mod:`calibration.membership`) is labelled
with its side: in the run, its top-level coalition (or itself); in the record, its top-level
entity. The adjusted Rand index (Hubert & Arabie 1985) of the two labellings is 1 when they
group the actors identically, about 0 when they agree no more than chance, and can be negative.
Names do not matter, only who is with whom.

The null is *persistence*: the recorded alignment on the window's first day, carried forward
(the actors are those present in the record on both days). Skill is
``(ari - ari_null) / (1 - ari_null)``.

The index is computed with numpy from the contingency table (no scikit-learn). When both
labellings put every actor alone, or every actor together, the index is 1 if they agree (the
convention of scikit-learn), else 0.

Pure functions; nothing here runs the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from calibration.mapping import ScenarioMapping
from calibration.membership import MembershipHistory

BAND = (0.05, 0.95)


def adjusted_rand_index(labels_a: Sequence, labels_b: Sequence) -> float:
    """Adjusted Rand index of two labellings of the same items (NaN for fewer than 2 items).

    Args:
        labels_a: One label per item.
        labels_b: One label per item, in the same order.
    """
    a = np.asarray(labels_a, dtype=object)
    b = np.asarray(labels_b, dtype=object)
    if a.shape != b.shape:
        raise ValueError("expected two labellings of the same length")
    n = a.size
    if n < 2:
        return float("nan")
    _, ai = np.unique(a.astype(str), return_inverse=True)
    _, bi = np.unique(b.astype(str), return_inverse=True)
    table = np.zeros((ai.max() + 1, bi.max() + 1), dtype=np.int64)
    np.add.at(table, (ai, bi), 1)

    def pairs(x):
        x = np.asarray(x, dtype=np.float64)
        return float(np.sum(x * (x - 1) / 2.0))

    index = pairs(table)
    sum_a = pairs(table.sum(axis=1))
    sum_b = pairs(table.sum(axis=0))
    total = n * (n - 1) / 2.0
    expected = sum_a * sum_b / total
    maximum = (sum_a + sum_b) / 2.0
    if maximum == expected:
        return 1.0 if (sum_a == sum_b == index) else 0.0
    return float((index - expected) / (maximum - expected))


def partition_agreement(sim: Mapping[str, str], rec: Mapping[str, str]) -> tuple[float, int]:
    """ARI over the actors labelled in both ``sim`` and ``rec`` (actor -> side); their number."""
    common = sorted(set(sim) & set(rec))
    return adjusted_rand_index([sim[x] for x in common], [rec[x] for x in common]), len(common)


def default_dates(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every 1 January and 1 July in ``[start, end]``."""
    out = []
    for year in range(start.year, end.year + 1):
        for month in (1, 7):
            d = dt.date(year, month, 1)
            if start <= d <= end:
                out.append(d)
    return out


def recorded_sides(
    history: MembershipHistory, mapping: ScenarioMapping, date: dt.date
) -> dict[str, str]:
    """Scenario group/unit name -> its recorded side on ``date`` (those present in the record)."""
    side = history.alignment(date)
    return {s: side[r] for s, r in mapping.record_of.items() if r in side}


def alignment_table(
    sim_alignments: pd.DataFrame,
    history: MembershipHistory,
    mapping: ScenarioMapping,
    dates: Sequence[dt.date],
    runs: int,
    start: dt.date,
    band: tuple[float, float] = BAND,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """ARI per run and date, and its summary per date.

    Args:
        sim_alignments: Columns ``run, date, actor, side``.
        history: The record's membership history.
        mapping: The record-to-scenario mapping.
        dates: The dates to compare.
        runs: Number of runs.
        start: First day of the window (the persistence null's reference).
        band: Quantiles of the band.

    Returns:
        ``(per_run, summary)``: ``per_run`` has ``date, run, ari, actors``; ``summary`` has
        ``date, ari_median, ari_low, ari_high, ari_null, actors``.
    """
    reference = recorded_sides(history, mapping, start)
    per_run = []
    summary = []
    groups = {
        (pd.Timestamp(d).date(), int(r)): g
        for (d, r), g in sim_alignments.groupby(["date", "run"], sort=False)
    }
    for d in dates:
        rec = recorded_sides(history, mapping, d)
        values = []
        n_common = 0
        for run in range(runs):
            g = groups.get((d, run))
            sim = dict(zip(g["actor"], g["side"], strict=True)) if g is not None else {}
            ari, n = partition_agreement(sim, rec)
            per_run.append({"date": d, "run": run, "ari": ari, "actors": n})
            values.append(ari)
            n_common = max(n_common, n)
        null_ari, _ = partition_agreement({k: v for k, v in reference.items() if k in rec}, rec)
        v = np.asarray(values, dtype=float)
        ok = v[np.isfinite(v)]
        summary.append(
            {
                "date": d,
                "ari_median": float(np.median(ok)) if ok.size else np.nan,
                "ari_low": float(np.quantile(ok, band[0])) if ok.size else np.nan,
                "ari_high": float(np.quantile(ok, band[1])) if ok.size else np.nan,
                "ari_null": null_ari,
                "actors": n_common,
            }
        )
    cols = ["date", "ari_median", "ari_low", "ari_high", "ari_null", "actors"]
    return pd.DataFrame(per_run, columns=["date", "run", "ari", "actors"]), pd.DataFrame(
        summary, columns=cols
    )
