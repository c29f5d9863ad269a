"""The null model: what a forecaster who knows only the record's base rates would say.

Every score of the comparison is reported beside the same score of this null model, so that a
number can be read as better or worse than "no model at all".

Base rates come from the record's *own earlier period*: the events dated from the record's
first event up to the day before the comparison window starts. They are rates per day of

* events of each type (for counts per quarter), and
* positive *cells* of each class: distinct (month, class, pair) combinations with at least one
  mappable recorded dyad (for the monthly probabilities and the per-event match).

The earlier period must span at least :data:`MIN_BASE_DAYS` days and hold at least
:data:`MIN_BASE_EVENTS` events. When it does not (the default Idlib window starts on
1 Jan 2017, three weeks after the record's first event), the fallback is
*leave-one-year-out*: a date in calendar year Y gets the rates of the record without year Y
(all other years, later ones included). That null sees the future, which makes it a stronger
competitor than a real forecaster could be; the report says so.

The record's coverage runs from its first event to the end of the month of its last event.

This module reads record tables; it runs nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from calibration.dyads import CLASSES
from calibration.record import Record
from sim.eventlog import EVENT_TYPES

MIN_BASE_DAYS = 365
MIN_BASE_EVENTS = 10


@dataclass(frozen=True)
class NullModel:
    """Base rates per day, by event type and by class of cell, for each calendar year scored.

    Attributes:
        method: ``"earlier period"`` or ``"leave-one-year-out"``.
        note: What the base period is, and a warning when the fallback is used.
        type_rates: ``{year: {event_type: events per day}}`` (year ``None``: all years).
        cell_rates: ``{year: {class: positive cells per day}}``.
    """

    method: str
    note: str
    type_rates: dict[int | None, dict[str, float]] = field(repr=False)
    cell_rates: dict[int | None, dict[str, float]] = field(repr=False)

    def _rates(self, table: dict, year: int) -> dict[str, float]:
        return table[None] if None in table else table[year]

    def expected_events(self, event_type: str, first: dt.date, last: dt.date) -> float:
        """Expected number of recorded events of a type in ``[first, last]``."""
        return _integrate(
            lambda y: self._rates(self.type_rates, y).get(event_type, 0.0), first, last
        )

    def expected_cells(self, cls: str, first: dt.date, last: dt.date) -> float:
        """Expected positive (month, ``cls``, pair) cells in ``[first, last]``, all pairs summed."""
        return _integrate(lambda y: self._rates(self.cell_rates, y).get(cls, 0.0), first, last)


def _integrate(rate_of_year, first: dt.date, last: dt.date) -> float:
    total = 0.0
    for year in range(first.year, last.year + 1):
        a = max(first, dt.date(year, 1, 1))
        b = min(last, dt.date(year, 12, 31))
        if b >= a:
            total += rate_of_year(year) * ((b - a).days + 1)
    return total


def coverage(record: Record) -> tuple[dt.date, dt.date]:
    """First and last day the record covers (the last event's month is covered to its end)."""
    first = record.start
    last = (pd.Timestamp(record.end) + pd.offsets.MonthEnd(0)).date()
    return first, last


def positive_cells(dyads: pd.DataFrame) -> pd.DataFrame:
    """Distinct (month, cls, pair) of mappable dyads, with the first day of the month."""
    d = dyads[dyads["mappable"]]
    cells = pd.DataFrame(
        {"month": d["date"].dt.to_period("M"), "cls": d["cls"], "pair": d["pair"]}
    ).drop_duplicates()
    cells["date"] = cells["month"].dt.start_time
    return cells


def build_null_model(
    record: Record, dyads: pd.DataFrame, start: dt.date, end: dt.date
) -> NullModel:
    """Base rates for scoring the window ``[start, end]``.

    Args:
        record: The record.
        dyads: All the record's dyads (:func:`calibration.dyads.record_dyads` without a window).
        start: First day of the comparison window.
        end: Last day of the comparison window.

    Returns:
        The null model (earlier period when long enough, else leave-one-year-out).
    """
    first, last = coverage(record)
    events = record.events
    cells = positive_cells(dyads)
    base_days = (start - first).days
    n_before = int((events["date"] < pd.Timestamp(start)).sum())
    if base_days >= MIN_BASE_DAYS and n_before >= MIN_BASE_EVENTS:
        mask_e = events["date"] < pd.Timestamp(start)
        mask_c = cells["date"] < pd.Timestamp(start)
        types = _per_day(events.loc[mask_e, "event_type"], EVENT_TYPES, base_days)
        cls = _per_day(cells.loc[mask_c, "cls"], CLASSES, base_days)
        note = (
            f"base rates from the record's earlier period {first} .. "
            f"{start - dt.timedelta(days=1)} ({n_before} events)"
        )
        return NullModel("earlier period", note, {None: types}, {None: cls})
    type_rates, cell_rates = {}, {}
    years = range(start.year, end.year + 1)
    for year in years:
        y0, y1 = dt.date(year, 1, 1), dt.date(year, 12, 31)
        overlap = max(0, (min(y1, last) - max(y0, first)).days + 1)
        days = (last - first).days + 1 - overlap
        mask_e = events["date"].dt.year != year
        mask_c = cells["date"].dt.year != year
        type_rates[year] = _per_day(events.loc[mask_e, "event_type"], EVENT_TYPES, days)
        cell_rates[year] = _per_day(cells.loc[mask_c, "cls"], CLASSES, days)
    note = (
        f"WARNING: the window starts {base_days} days after the record's first event "
        f"({n_before} earlier events; at least {MIN_BASE_DAYS} days and {MIN_BASE_EVENTS} events "
        "are needed), so the null model uses leave-one-year-out base rates: each year is "
        "forecast from the record's other years, later ones included. This null sees the "
        "future and is a stronger competitor than a real forecaster."
    )
    return NullModel("leave-one-year-out", note, type_rates, cell_rates)


def _per_day(values: pd.Series, names, days: int) -> dict[str, float]:
    counts = values.astype(str).value_counts()
    days = max(int(days), 1)
    return {n: float(counts.get(n, 0)) / days for n in names}


def null_cell_probability(
    null: NullModel, cls: str, first: dt.date, last: dt.date, n_pairs: int
) -> float:
    """Null probability that one given active pair has a ``cls`` event in ``[first, last]``.

    The expected number of positive cells of the class is spread evenly over the ``n_pairs``
    active pairs that can have it; the probability of at least one is ``1 - exp(-expected)``.
    """
    if n_pairs <= 0 or last < first:
        return 0.0
    lam = null.expected_cells(cls, first, last) / n_pairs
    return float(-np.expm1(-lam))


__all__ = [
    "MIN_BASE_DAYS",
    "MIN_BASE_EVENTS",
    "NullModel",
    "build_null_model",
    "coverage",
    "null_cell_probability",
    "positive_cells",
]
