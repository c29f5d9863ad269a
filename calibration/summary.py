"""The comparison's summary statistics of one run, computed fast for calibration.

:func:`calibration.comparison.summary_statistics` builds a one-run ensemble of DataFrames
before it counts; an ABC calibration calls it thousands of times, and for small scenarios that
overhead costs more than the run itself. :class:`RunStatistics` gives the *same* statistics,
under the same names, from the same building blocks (the comparison's window, mapping,
recorded alignment and key pairs, :func:`calibration.dyads.simulated_dyads`, the match
classes and :func:`calibration.metrics.alignment.partition_agreement`), with the record side
prepared once. ``tests/calibration/test_calibrate.py`` checks that both agree.

* ``count.<type>.<YYYY>H<1|2>``: events of each type per half-year of the window;
* ``pair.<class>.<pair>``: months with an event of that class on each of the record's 8
  most frequent (class, pair) combinations in the window;
* ``ari.<date>``: adjusted Rand index with the recorded alignment on each date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import pandas as pd

from calibration.dyads import MATCH_CLASS, pair_of, simulated_dyads
from calibration.metrics.alignment import partition_agreement, recorded_sides
from sim.eventlog import EVENT_TYPES


def _half(d: dt.date) -> str:
    return f"{d.year}H{1 if d.month <= 6 else 2}"


class RunStatistics:
    """Summary statistics of single runs against one comparison context.

    Args:
        ctx: The record side (:func:`calibration.comparison.prepare`).
        dates: Alignment dates (each within the window).
    """

    def __init__(self, ctx, dates: Sequence[dt.date]) -> None:
        from calibration.comparison import _halves, key_pairs

        self.start, self.end = ctx.start, ctx.end
        self.mapping = ctx.mapping
        self.halves = _halves(ctx.start, ctx.end)
        self.pairs = key_pairs(ctx)
        self.dates = sorted(dates)
        self.recorded = {d: recorded_sides(ctx.history, ctx.mapping, d) for d in self.dates}
        self._keys: dict[str, str] = {}

    def _key(self, name: str) -> str:
        k = self._keys.get(name)
        if k is None:
            k = self._keys[name] = self.mapping.sim_key(name)
        return k

    def __call__(
        self, events: pd.DataFrame, alignments: Mapping[dt.date, Mapping[str, str]]
    ) -> dict[str, float]:
        """The statistics of a run from its ``model.events()`` and ``{date: alignment}``."""
        lo, hi = pd.Timestamp(self.start), pd.Timestamp(self.end)
        dates = pd.to_datetime(events["date"])
        inside = (dates >= lo) & (dates <= hi)
        ev = events[inside.to_numpy()]
        counts: dict[tuple[str, str], int] = {}
        for d, t in zip(dates[inside].dt.date.tolist(), ev["event_type"].astype(str), strict=True):
            k = (_half(d), t)
            counts[k] = counts.get(k, 0) + 1
        out: dict[str, float] = {}
        for h in self.halves:
            for t in EVENT_TYPES:
                out[f"count.{t}.{h}"] = float(counts.get((h, t), 0))

        months: dict[tuple[str, str], set] = {}
        if len(ev):
            frame = ev[["step", "date", "event_type", "actor", "target"]].copy()
            frame["event_type"] = frame["event_type"].astype(str)
            frame["target"] = frame["target"].fillna("").astype(str)
            dy = simulated_dyads(frame)
            for d, etype, a, b in zip(
                dy["date"].tolist(),
                dy["event_type"].tolist(),
                dy["actor"].tolist(),
                dy["target"].tolist(),
                strict=True,
            ):
                ka = self._key(a)
                kb = self._key(b) if b else ""
                if ka == kb:
                    continue
                cell = (MATCH_CLASS.get(etype, etype), pair_of(ka, kb))
                months.setdefault(cell, set()).add((d.year, d.month))
        for cls, pair in self.pairs:
            out[f"pair.{cls}.{pair}"] = float(len(months.get((cls, pair), ())))

        for d0, sides in alignments.items():
            d = pd.Timestamp(d0).date()
            rec = self.recorded.get(d)
            if rec is None:
                raise KeyError(f"no recorded alignment prepared for {d}")
            out[f"ari.{d.isoformat()}"] = float(partition_agreement(dict(sides), rec)[0])
        return out
