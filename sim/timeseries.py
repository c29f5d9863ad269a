"""Time series of the model: fighters, resources, flows and membership of every actor per step.

One snapshot of the actor table is kept per step (only the columns needed, copied by one
kernel), and turned into a long table on demand: one row per actor and step, with the actor's
parent and side, so that fighters per group or coalition, membership over time and the
alignment at any date can all be read from it. The flow columns (``recruited``, ``lost``,
``absorbed``) account for every change of a row's own fighters.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numba import njit

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
        ledger = m.ledger
        self._snaps.append(
            (
                m.steps,
                *_snapshot(
                    a.alive[:n],
                    a.kind,
                    a.parent,
                    m.top,
                    m.totals,
                    a.fighters,
                    a.resources,
                    a.cohesion,
                    ledger["recruited"],
                    ledger["lost"],
                    ledger["absorbed"],
                ),
            )
        )

    def frame(self) -> pd.DataFrame:
        """Long table: one row per alive actor and step.

        Columns: ``step, date, actor, kind, parent, side, fighters`` (including units or
        members), ``own_fighters, resources, cohesion, recruited, lost, absorbed``.
        """
        m = self.model
        names = np.array(m.actors.names, dtype=object)
        snaps = self._snaps
        steps = np.concatenate([np.full(len(snap[1]), snap[0]) for snap in snaps])
        rows = np.concatenate([snap[1] for snap in snaps])
        ints = np.concatenate([snap[2] for snap in snaps], axis=1)
        floats = np.concatenate([snap[3] for snap in snaps], axis=1)
        parent = ints[1]
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
                "kind": pd.Categorical(kinds[ints[0]], categories=list(kinds)),
                "parent": np.where(parent >= 0, names[np.maximum(parent, 0)], ""),
                "side": names[ints[2]],
                **{name: floats[k] for k, name in enumerate(_FLOATS)},
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
        rows, kinds, tops = snap[1].tolist(), snap[2][0].tolist(), snap[2][2].tolist()
        for r, kind, top in zip(rows, kinds, tops, strict=True):
            if kind != Kind.COALITION:
                out[names[r]] = names[top]
        return out


# The float columns of a snapshot, in order (the int columns are kind, parent, side).
_FLOATS = ("fighters", "own_fighters", "resources", "cohesion", "recruited", "lost", "absorbed")


@njit(cache=True)
def _snapshot(
    alive, kind, parent, top, totals, fighters, resources, cohesion, recruited, lost, absorbed
):  # pragma: no cover - compiled
    """Rows of the alive actors, their int columns (3 x k) and float columns (7 x k)."""
    rows = np.flatnonzero(alive)
    k = len(rows)
    ints = np.empty((3, k), np.int64)
    floats = np.empty((7, k))
    for j in range(k):
        r = rows[j]
        ints[0, j] = kind[r]
        ints[1, j] = parent[r]
        ints[2, j] = top[r]
        floats[0, j] = totals[r]
        floats[1, j] = fighters[r]
        floats[2, j] = resources[r]
        floats[3, j] = cohesion[r]
        floats[4, j] = recruited[r]
        floats[5, j] = lost[r]
        floats[6, j] = absorbed[r]
    return rows, ints, floats
