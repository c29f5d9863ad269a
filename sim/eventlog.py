"""The event log: what happened, when, between whom, and why.

Event types are the historical record's vocabulary (``merge, join, defect, split, alliance,
fight, truce, dissolve``) with the same meaning of actor and target, so simulated and recorded
events can be compared directly. Each event carries its *causes*: the terms of the decision
that produced it with their contributions (on the log-hazard or utility scale), largest first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pandas as pd

EVENT_TYPES = ("merge", "join", "defect", "split", "alliance", "fight", "truce", "dissolve")

COLUMNS = ("step", "date", "event_type", "actor", "target", "causes", "detail")


def format_causes(terms: Iterable[tuple[str, float]]) -> str:
    """``[("ideology", 0.9), ("cohesion", -0.3)]`` -> ``"ideology=+0.90; cohesion=-0.30"``.

    Terms are ordered by the size of their contribution; zero terms are dropped.
    """
    kept = [(k, float(v)) for k, v in terms if abs(v) > 1e-9]
    kept.sort(key=lambda kv: -abs(kv[1]))
    return "; ".join(f"{k}={v:+.2f}" for k, v in kept)


def parse_causes(text: str) -> dict[str, float]:
    """Inverse of :func:`format_causes`."""
    out: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in str(text).split(";"))):
        k, _, v = part.partition("=")
        out[k] = float(v)
    return out


class EventLog:
    """Append-only list of events; :meth:`frame` returns it as a DataFrame."""

    def __init__(self) -> None:
        self.rows: list[tuple] = []

    def __len__(self) -> int:
        return len(self.rows)

    def add(
        self,
        step: int,
        date: dt.date,
        event_type: str,
        actor: str,
        target: str = "",
        causes: str = "",
        detail: str = "",
    ) -> None:
        """Record one event.

        Raises:
            ValueError: If ``event_type`` is not in the record's vocabulary.
        """
        if event_type not in EVENT_TYPES:
            raise ValueError(f"unknown event type {event_type!r}")
        self.rows.append((step, date, event_type, actor, target, causes, detail))

    def frame(self) -> pd.DataFrame:
        """All events in order, with ``event_type`` as a categorical of the vocabulary."""
        df = pd.DataFrame(self.rows, columns=list(COLUMNS))
        df["date"] = pd.to_datetime(df["date"])
        df["event_type"] = pd.Categorical(df["event_type"], categories=EVENT_TYPES)
        return df
