"""Event counts by type per quarter: the ensemble's median and 90% band beside the record.

Counts are of *events* (a merger of six groups is one event), by exact type, over the whole
theatre (no mapping is needed: every simulated event counts, including those between actors the
record never names). Quarters are calendar quarters cut to the window. The band is the 5th to
95th percentile over runs. The null model's count is its base rate times the days of the
quarter inside the window.

Two summaries: the mean absolute error of the median (and of the null) against the record, and
the share of (quarter, type) cells whose recorded count lies inside the band (0.9 for a
well-calibrated ensemble). The record's coverage is uneven (its README: thin in 2019-2020,
small incidents missing), so a model that produces more events than the record is not
necessarily wrong.

Pure functions of tables; nothing here runs the model.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from calibration.null_model import NullModel
from sim.eventlog import EVENT_TYPES

BAND = (0.05, 0.95)


def quarters_of(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """Each calendar quarter touching ``[start, end]`` as (label, first day, last day)."""
    out = []
    for q in pd.period_range(start, end, freq="Q"):
        out.append((str(q), max(q.start_time.date(), start), min(q.end_time.date(), end)))
    return out


def _quarter_labels(dates: pd.Series) -> np.ndarray:
    return dates.dt.to_period("Q").astype(str).to_numpy()


def quarterly_counts(
    record_events: pd.DataFrame,
    sim_events: pd.DataFrame,
    runs: int,
    start: dt.date,
    end: dt.date,
    null: NullModel | None = None,
    band: tuple[float, float] = BAND,
) -> pd.DataFrame:
    """Counts per quarter and event type.

    Args:
        record_events: Recorded events (columns ``date, event_type``).
        sim_events: Simulated events with a ``run`` column.
        runs: Number of runs (runs without events count as zeros).
        start: First day of the window.
        end: Last day of the window.
        null: The null model (optional): fills ``null``.
        band: Quantiles of the band.

    Returns:
        Columns ``quarter, event_type, record, median, low, high, null``.
    """
    quarters = quarters_of(start, end)
    labels = [q for q, _, _ in quarters]
    index = pd.MultiIndex.from_product([labels, EVENT_TYPES], names=["quarter", "event_type"])

    def window(df: pd.DataFrame) -> pd.DataFrame:
        d = df["date"]
        return df[(d >= pd.Timestamp(start)) & (d <= pd.Timestamp(end))]

    rec = window(record_events)
    rec_counts = (
        pd.DataFrame({"quarter": _quarter_labels(rec["date"]), "event_type": rec["event_type"]})
        .groupby(["quarter", "event_type"])
        .size()
        .reindex(index, fill_value=0)
    )
    out = pd.DataFrame(index=index)
    out["record"] = rec_counts.to_numpy()
    if runs > 0:
        sim = window(sim_events)
        cube = np.zeros((runs, len(labels), len(EVENT_TYPES)))
        if len(sim):
            qi = pd.Index(labels).get_indexer(_quarter_labels(sim["date"]))
            ti = pd.Index(EVENT_TYPES).get_indexer(sim["event_type"].astype(str))
            np.add.at(cube, (sim["run"].to_numpy(), qi, ti), 1.0)
        flat = cube.reshape(runs, -1)
        out["median"] = np.median(flat, axis=0)
        out["low"] = np.quantile(flat, band[0], axis=0)
        out["high"] = np.quantile(flat, band[1], axis=0)
    else:
        out["median"] = out["low"] = out["high"] = np.nan
    if null is not None:
        out["null"] = [
            null.expected_events(t, first, last) for _, first, last in quarters for t in EVENT_TYPES
        ]
    else:
        out["null"] = np.nan
    return out.reset_index()


def count_summary(counts: pd.DataFrame) -> dict[str, float]:
    """Mean absolute count errors and the band's coverage.

    Returns:
        ``count_error`` and ``count_error_null`` (mean absolute error per quarter and type of
        the median and of the null) and ``band_coverage`` (share of cells whose recorded count
        is inside the band).
    """
    if not len(counts):
        return {"count_error": np.nan, "count_error_null": np.nan, "band_coverage": np.nan}
    rec = counts["record"].to_numpy(dtype=float)
    inside = (rec >= counts["low"].to_numpy()) & (rec <= counts["high"].to_numpy())
    return {
        "count_error": float(np.mean(np.abs(counts["median"].to_numpy() - rec))),
        "count_error_null": float(np.mean(np.abs(counts["null"].to_numpy() - rec))),
        "band_coverage": float(np.mean(inside)),
    }
