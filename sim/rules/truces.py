"""Truces: fights end in truces that last a while, and truces break.

Mechanism. A fighting pair agrees a truce with a weekly hazard that rises with what the fight
has cost both sides (share of their fighters lost since it began) and with the government's
pressure, a common enemy that mediators invoke; local Idlib agreements were typically brokered
by clerics or third factions after days or weeks of fighting (PA-X local agreements). A truce
lasts a random time with mean ``mean_duration`` weeks; it can break earlier with a weekly hazard
that rises with ideological distance, which restarts the fight (logged as a ``fight``). When a
truce runs out, the pair is left with a grudge (``hostile``) that fades after ``grudge_weeks``.

    h_truce = base_rate * exp(cost_weight * cost + threat_weight * pressure)
    h_break = break_rate * exp(ideology_weight * |x_a - x_b| - threat_weight * pressure)

State it reads: relations, ideologies, the pressure now. State it writes: relations; the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.kernels import draws_below
from sim.relations import Status
from sim.rules.base import Param, Rule

if TYPE_CHECKING:
    from sim.model import CoalitionModel


class Truces(Rule):
    """Truce agreement, breaking and expiry (see module docstring)."""

    name = "truces"
    mechanism = "costly fighting ends in truces; truces decay or break"
    sources = (
        "PA-X Local Peace Agreements database (local Idlib agreements 2017-2020)",
        "Walter (2002), Committing to Peace, Princeton UP",
    )
    params = (
        Param(
            "base_rate",
            0.25,
            0.0,
            1.0,
            "Weekly hazard that a fighting pair agrees a truce at no cost and no pressure.",
            "assumption (Idlib fights lasted days to weeks)",
        ),
        Param(
            "cost_weight",
            3.0,
            0.0,
            20.0,
            "Log-hazard per unit of the fight's cost (share "
            "of both sides' fighters lost since it began).",
            "Walter 2002",
        ),
        Param(
            "threat_weight",
            1.0,
            0.0,
            10.0,
            "Log-hazard per unit of government pressure.",
            "assumption",
        ),
        Param("mean_duration", 16.0, 1.0, 520.0, "Mean length of a truce, weeks.", "assumption"),
        Param(
            "break_rate",
            0.01,
            0.0,
            1.0,
            "Weekly hazard that a truce breaks at zero ideological distance.",
            "assumption",
        ),
        Param(
            "ideology_weight",
            1.0,
            0.0,
            10.0,
            "Log-hazard of breaking per unit of ideological distance.",
            "Gade, Hafez & Gabbay 2019",
        ),
        Param(
            "grudge_weeks",
            26.0,
            0.0,
            520.0,
            "Weeks a grudge lasts after a truce expires.",
            "assumption",
        ),
    )

    def __init__(self, model: CoalitionModel, values: dict[str, float] | None = None) -> None:
        super().__init__(model, values)
        # Output arrays the hazard kernel fills, kept from step to step (see _grow).
        self._grow(64)

    def _grow(self, k: int) -> None:
        self._ends = np.empty((k, 2), np.int64)  # lower, higher side of each pair
        self._terms = np.empty((k, 2))  # the two terms of its hazard
        self._p = np.empty(k)  # probability of the event this step
        self._hit = np.empty(k, np.int64)  # rows where it happens
        self._due = np.empty((k, 2), np.int64)  # truces that run out this step

    def step(self) -> None:
        """Expire, break and agree truces, and fade grudges."""
        m = self.model
        rel = m.relations
        step = m.steps
        codes = rel.codes
        if len(codes) > len(self._p):
            self._grow(len(codes))
        # One pass over the table finds the truces that run out, the ones that may break and
        # the fights that may end, with their terms and probabilities. Expiry and breaking
        # cannot change which fights may end (a broken truce is a fight that began this step),
        # so all three sets can be read before anything is written.
        n_due, n_truces, n = _truce_hazards(
            codes,
            rel.status,
            rel.since,
            rel.until,
            rel.strength,
            step,
            m.side_ideology,
            m.pressure,
            (
                self.break_rate,
                self.ideology_weight,
                self.threat_weight,
                self.base_rate,
                self.cost_weight,
                m.dt_weeks,
            ),
            self._ends,
            self._terms,
            self._p,
            self._due,
        )
        # Truces that ran out leave a grudge (grudges themselves expire in the model's step).
        # Overwriting the pair leaves the table as expiring it and adding the grudge would,
        # without deleting and re-inserting a row (which costs a re-sort on the next read).
        if n_due:
            if self.grudge_weeks > 0:
                until = step + max(1, round(self.grudge_weeks / m.dt_weeks))
                for lo, hi in self._due[:n_due].tolist():
                    rel.set(lo, hi, Status.HOSTILE, step, until=until)
            else:
                for lo, hi in self._due[:n_due].tolist():
                    rel.set(lo, hi, Status.NEUTRAL, step)
        if n_truces:
            self._break(n_truces)
        if n > n_truces:
            self._agree(n_truces, n)

    def _break(self, n: int) -> None:
        """Break truces: rows ``[0, n)`` of the hazard kernel's output."""
        m = self.model
        n_hit = draws_below(m.rng.random(n), self._p, self._hit)
        for k in self._hit[:n_hit].tolist():
            lo, hi = self._ends[k].tolist()
            # The stronger side is taken to move first.
            att, tgt = (lo, hi) if m.power[lo] >= m.power[hi] else (hi, lo)
            dist, threat = self._terms[k].tolist()
            causes = [
                ("truce_broken", 1.0),
                ("ideological_distance", dist),
                ("government_threat", threat),
            ]
            m.start_fight(att, tgt, causes)

    def _agree(self, n0: int, n: int) -> None:
        """End fights in truces: rows ``[n0, n)`` of the hazard kernel's output."""
        m = self.model
        n_hit = draws_below(m.rng.random(n - n0), self._p[n0:n], self._hit)
        if n_hit == 0:
            return
        weeks = m.rng.exponential(self.mean_duration, size=n_hit)
        for k, w in zip((self._hit[:n_hit] + n0).tolist(), weeks.tolist(), strict=True):
            until = m.steps + max(1, round(w / m.dt_weeks))
            lo, hi = self._ends[k].tolist()
            cost, threat = self._terms[k].tolist()
            m.make_truce(lo, hi, until, [("cost_of_fighting", cost), ("government_threat", threat)])


_FIGHTING = int(Status.FIGHTING)
_TRUCE = int(Status.TRUCE)


@njit(cache=True)
def _truce_hazards(
    codes, status, since, until, strength, step, ideology, pressure, params, ends, terms, p, due
):  # pragma: no cover - compiled
    """Truces that expire, truces that may break and fights that may end, in one pass.

    ``params``: break_rate, ideology_weight, threat_weight, base_rate, cost_weight, dt_weeks.
    Returns the number of truces due to expire at ``step`` (their sides go to ``due``), the
    number of truces that may break and the number of rows filled: the truces that may break
    (in pair-code order), then the fights that began before this step. For each row it fills
    ``ends`` (lower, higher side), ``terms`` (ideological distance and government threat, or
    cost of fighting and government threat) and ``p``, the probability of the event this step.
    The arithmetic follows the numpy expressions it replaced operation by operation, so the
    results are bit-identical.
    """
    break_rate, ideology_weight, threat_weight, base_rate, cost_weight, dt_weeks = params
    k = len(codes)
    n_due = 0
    r = 0
    for s in range(k):
        if status[s] != _TRUCE:
            continue
        if 0 <= until[s] <= step:
            due[n_due, 0], due[n_due, 1] = codes[s] >> 32, codes[s] & 0xFFFFFFFF
            n_due += 1
            continue
        lo, hi = codes[s] >> 32, codes[s] & 0xFFFFFFFF
        ends[r, 0], ends[r, 1] = lo, hi
        terms[r, 0] = ideology_weight * abs(ideology[lo] - ideology[hi])
        terms[r, 1] = -threat_weight * pressure
        h = break_rate * np.exp((0 + terms[r, 0]) + terms[r, 1])
        p[r] = -np.expm1(-h * dt_weeks)
        r += 1
    n_truces = r
    for s in range(k):
        if status[s] != _FIGHTING or since[s] >= step:  # a fresh fight is not ended at once
            continue
        ends[r, 0], ends[r, 1] = codes[s] >> 32, codes[s] & 0xFFFFFFFF
        terms[r, 0] = cost_weight * strength[s]
        terms[r, 1] = threat_weight * pressure
        h = base_rate * np.exp((0 + terms[r, 0]) + terms[r, 1])
        p[r] = -np.expm1(-h * dt_weeks)
        r += 1
    return n_due, n_truces, r
