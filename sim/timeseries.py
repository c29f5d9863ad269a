"""Time series of the model: fighters, resources, flows and membership of every actor per step.

One snapshot of the actor table is kept per step (only the columns needed), and turned into a
long table on demand: one row per actor and step, with the actor's parent and side, so that
fighters per group or coalition, membership over time and the alignment at any date can all be
read from it. The flow columns (``recruited``, ``lost``, ``absorbed``) account for every change
of a row's own fighters.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.state import Kind

if TYPE_CHECKING:
    from sim.model import CoalitionModel


class TimeSeries:
    """Per-step snapshots of a model's actors."""

    def __init__(self, model: CoalitionModel) -> None:
        self.model = model
        self._snaps: list[tuple] = []

    def record(self) -> None:
        """Snapshot the current step (alive actors only)."""
        m = self.model
        a = m.actors
        n = a.n
        rows = np.flatnonzero(a.alive[:n])
        self._snaps.append(
            (
                m.steps,
                rows,
                a.kind[rows].copy(),
                a.parent[rows].copy(),
                m.top[rows].copy(),
                m.totals[rows].copy(),
                a.fighters[rows].copy(),
                a.resources[rows].copy(),
                a.cohesion[rows].copy(),
                m.ledger["recruited"][rows].copy(),
                m.ledger["lost"][rows].copy(),
                m.ledger["absorbed"][rows].copy(),
            )
        )

    def frame(self) -> pd.DataFrame:
        """Long table: one row per alive actor and step.

        Columns: ``step, date, actor, kind, parent, side, fighters`` (including units or
        members), ``own_fighters, resources, cohesion, recruited, lost, absorbed``.
        """
        m = self.model
        names = np.array(m.actors.names, dtype=object)
        cols = list(zip(*self._snaps, strict=True))
        steps = np.concatenate([np.full(len(r), s) for s, r in zip(cols[0], cols[1], strict=True)])
        rows = np.concatenate(cols[1])
        parent = np.concatenate(cols[3])
        kinds = np.array([k.name.lower() for k in Kind], dtype=object)
        df = pd.DataFrame(
            {
                "step": steps,
                "date": pd.to_datetime(  # the end of each step, at most the scenario's end
                    [min(m.end, m.start + dt.timedelta(days=int(s) * m.step_days)) for s in steps]
                )
                if len(steps)
                else [],
                "actor": names[rows],
                "kind": pd.Categorical(kinds[np.concatenate(cols[2])], categories=list(kinds)),
                "parent": np.where(parent >= 0, names[np.maximum(parent, 0)], ""),
                "side": names[np.concatenate(cols[4])],
                "fighters": np.concatenate(cols[5]),
                "own_fighters": np.concatenate(cols[6]),
                "resources": np.concatenate(cols[7]),
                "cohesion": np.concatenate(cols[8]),
                "recruited": np.concatenate(cols[9]),
                "lost": np.concatenate(cols[10]),
                "absorbed": np.concatenate(cols[11]),
            }
        )
        return df

    def step_at(self, date: dt.date | None) -> int:
        """Index of the snapshot in force on ``date`` (the latest one if ``None``)."""
        if date is None:
            return len(self._snaps) - 1
        m = self.model
        k = (date - m.start).days // m.step_days
        return int(np.clip(k, 0, len(self._snaps) - 1))

    def alignment(self, date: dt.date | None = None) -> dict[str, str]:
        """Group or unit name -> name of its side (top-level coalition or group) at ``date``."""
        snap = self._snaps[self.step_at(date)]
        names = self.model.actors.names
        out = {}
        for r, kind, top in zip(snap[1].tolist(), snap[2].tolist(), snap[4].tolist(), strict=True):
            if kind != Kind.COALITION:
                out[names[r]] = names[top]
        return out
