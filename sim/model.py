"""The coalition model: a Mesa model of armed groups, coalitions and patrons in one theatre.

:class:`CoalitionModel` builds the actor table from a validated scenario, steps the enabled
rules in order (one step is ``step_days`` of calendar time, a week by default), applies the
scenario's pressure timeline and scheduled interventions, and records the event log and the
time series. It also offers the rules their shared vocabulary: powers, candidate pairs, the
fighter ledger and the membership operations of :mod:`sim.structure`.

Every random draw comes from ``model.rng`` (seeded with ``rng=``), so the same scenario,
parameters and seed give the identical event log.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable

import mesa
import numpy as np
import pandas as pd
from numba import njit

from sim import structure
from sim.agents import ArmedGroup, Coalition, Patron
from sim.eventlog import EventLog, format_causes
from sim.relations import RelationTable, Status, common_enemies
from sim.rules import RULES, Rule
from sim.scenario import Scenario
from sim.state import (
    NO,
    TAKEOVER_RATIO,
    ActorTable,
    Kind,
    derive,
    patch,
    refresh_state,
    review_leaders,
    shares,
    side_view,
    snapshot,
)
from sim.timeseries import TimeSeries

MEMORY_WEEKS = 13.0  # horizon of the models' recent-history memories (a quarter)
# From this many rows on, a change of membership patches the derived state instead of
# recomputing it (below it, the full pass is cheaper than the bookkeeping).
PATCH_MIN_ROWS = 1000


class _Intervention:
    """A scheduled change; kept alive by the model because Mesa holds events weakly."""

    def __init__(self, model: CoalitionModel, spec) -> None:
        self.model = model
        self.spec = spec

    def apply(self) -> None:
        m, s = self.model, self.spec
        if s.action == "set_patron_budget":
            m.patron_budget[m.patron_names.index(s.patron)] = s.value
        elif s.action == "set_patron_tie":
            m.actors.ties[m.actors.index[s.group], m.patron_names.index(s.patron)] = s.value
        else:
            row = m.actors.index[s.group]
            value = s.value * m.dt_years if s.field == "income" else s.value  # yearly income
            getattr(m.actors, s.field)[row] = value
            if s.field == "cohesion":
                m.actors.cohesion_base[row] = value
        m.restructure(full=True)  # patron ties may have changed: refresh in full


class CoalitionModel(mesa.Model):
    """Coalition dynamics among armed groups.

    Args:
        scenario: A validated scenario (see :func:`sim.scenario.load_scenario`).
        rng: Seed (or numpy Generator) of all randomness.
        until: Last date to simulate; defaults to the scenario's end.

    Attributes:
        actors: State arrays of units, groups and coalitions.
        relations: Relations between sides.
        log: The event log.
        timeseries: Per-step fighters, resources and membership.
        rules: Enabled rules, in step order.
    """

    def __init__(
        self,
        scenario: Scenario,
        *,
        rng: int | np.random.Generator | None = 0,
        until: dt.date | None = None,
    ) -> None:
        super().__init__(rng=rng)
        self.scenario_spec = scenario
        self.start = scenario.start
        self.end = min(until, scenario.end) if until else scenario.end
        self.step_days = scenario.step_days
        self.dt_weeks = self.step_days / 7.0
        self.dt_years = self.step_days / 365.25
        self.n_steps = max(1, math.ceil((self.end - self.start).days / self.step_days))
        self._decay = math.exp(-self.dt_weeks / MEMORY_WEEKS)

        self.patron_names = [p.name for p in scenario.patrons]
        self.patron_ideology = np.array([p.ideology for p in scenario.patrons])
        self.patron_budget = np.array([p.budget for p in scenario.patrons])
        n_rows = sum(1 + len(g.units) for g in scenario.groups) + len(scenario.coalitions)
        self.actors = ActorTable(len(self.patron_names), capacity=max(16, 2 * n_rows))
        self.relations = RelationTable()
        self.log = EventLog()
        self.persistent: set[int] = set()
        self._agents: list[mesa.Agent | None] = []
        self._merges: dict[int, int] = {}  # coalition -> its merge event, this step only
        self.ledger = {k: np.zeros(self.actors.capacity) for k in ("recruited", "lost", "absorbed")}
        self.pressure = 0.0
        self._dirty = True
        self._structure_changed = True
        self._seen: tuple | None = None  # inputs of the last refresh, for patch()
        self._leaders_current = False
        self.check_patch = False  # tests: compare every patch with a full refresh
        self._build(scenario)
        self.patrons = [Patron(self, k) for k in range(len(self.patron_names))]

        self._pressure = self._pressure_by_step(scenario)
        self._dates = [self.date_of(t) for t in range(self.n_steps + 1)]  # for the log
        self._interventions = [_Intervention(self, iv) for iv in scenario.interventions]
        for iv in self._interventions:
            # A change dated inside a step applies from the start of that step (as pressure).
            step = min((iv.spec.date - self.start).days // self.step_days + 1, self.n_steps)
            self.schedule_event(iv.apply, at=step - 0.5)

        self.refresh()
        a = self.actors
        a.power_share_ema[: a.n] = self.power_share
        self.rules: list[Rule] = [
            RULES[name](self, scenario.rule_values(name))
            for name in RULES
            if scenario.rule_enabled(name)
        ]
        self._rule_by_name = {r.name: r for r in self.rules}
        self.timeseries = TimeSeries(self)
        self.timeseries.record()
        self.running = True

    # -- construction ------------------------------------------------------------------------
    def _build(self, s: Scenario) -> None:
        a = self.actors
        dty = self.dt_years
        coal_rows = {}
        for c in s.coalitions:
            coal_rows[c.name] = self.add_coalition(c.name, NO, cohesion=c.cohesion)
        for g in s.groups:
            parent = coal_rows[g.coalition] if g.coalition else NO
            i = a.add(
                g.name,
                Kind.GROUP,
                parent=parent,
                fighters=g.fighters,
                resources=g.resources,
                income=g.income * dty,
                ideology=g.ideology,
                cohesion=g.cohesion,
                exposure=g.exposure,
                coalition_name=g.coalition_name,
            )
            for pname, tie in g.patrons.items():
                a.ties[i, self.patron_names.index(pname)] = tie
            self._agents.append(ArmedGroup(self, i))
            for u in g.units:
                k = a.add(
                    u.name,
                    Kind.UNIT,
                    parent=i,
                    fighters=u.fighters,
                    ideology=g.ideology if u.ideology is None else u.ideology,
                    cohesion=g.cohesion if u.cohesion is None else u.cohesion,
                    exposure=g.exposure,
                )
                if u.patrons is None:
                    a.ties[k] = a.ties[i]
                else:
                    for pname, tie in u.patrons.items():
                        a.ties[k, self.patron_names.index(pname)] = tie
                if u.exposure is not None:
                    a.exposure[k] = u.exposure
                self._agents.append(ArmedGroup(self, k))
        self.refresh()
        for c in s.coalitions:
            row = coal_rows[c.name]
            members = a.members(row)
            if c.leader:
                a.leader[row] = a.index[c.leader]
            elif len(members):
                a.leader[row] = int(members[np.argmax(self.totals[members])])
            if a.leader[row] >= 0:
                a.ideology[row] = a.ideology[a.leader[row]]
        self._ensure_ledger()

    def add_coalition(self, name: str, leader: int, cohesion: float = 0.5) -> int:
        """Create a coalition row and its agent; returns the row."""
        a = self.actors
        i = a.add(name, Kind.COALITION, cohesion=cohesion, born=self.steps)
        a.leader[i] = leader
        if leader >= 0:
            a.ideology[i] = a.ideology[leader]
            a.ties[i] = a.ties[leader]
        if len(self._agents) <= i:
            self._agents.extend([None] * (i + 1 - len(self._agents)))
        self._agents[i] = Coalition(self, i)
        self._ensure_ledger()
        return i

    def _ensure_ledger(self) -> None:
        cap = self.actors.capacity
        for k, v in self.ledger.items():
            if len(v) < cap:
                self.ledger[k] = np.concatenate([v, np.zeros(cap - len(v))])

    def _pressure_by_step(self, s: Scenario) -> np.ndarray:
        """Pressure of each step: the last point dated before the step's end."""
        out = np.zeros(self.n_steps + 1)
        for t in range(self.n_steps + 1):
            step_end = self.start + dt.timedelta(days=max(1, t) * self.step_days)
            for p in s.pressure:
                if p.start < step_end:
                    out[t] = p.intensity
        return out

    # -- time --------------------------------------------------------------------------------
    def date_of(self, step: int) -> dt.date:
        """Calendar date at the start of step ``step`` (step 1 starts on the start date)."""
        return self.start + dt.timedelta(days=max(0, step - 1) * self.step_days)

    @property
    def date(self) -> dt.date:
        """Simulated date reached: the end of the last completed step (at most the end)."""
        return min(self.end, self.start + dt.timedelta(days=self.steps * self.step_days))

    def step(self) -> None:
        """Advance one step: every enabled rule in order, then memories and time series."""
        a = self.actors
        n = a.n
        self.pressure = float(self._pressure[min(self.steps, self.n_steps)])
        for v in self.ledger.values():
            v[:n] = 0.0
        self._merges.clear()
        self.relations.expire(self.steps, Status.HOSTILE)  # grudges fade whatever rules run
        for rule in self.rules:
            rule.step()
            if self._dirty:
                self.refresh()
        self._structure_changed = True  # let leadership follow this step's shifts of power
        if self._dirty or self._seen is not None:
            self.refresh()
        else:
            self._review_leaders()
        self._update_memories()
        self.timeseries.record()
        if self.steps >= self.n_steps:
            self.running = False

    def run(self, progress=None) -> CoalitionModel:
        """Run to the end date. ``progress`` (if given) is called with the step after each."""
        while self.running:
            self.step()
            if progress is not None:
                progress(self.steps)
        return self

    def _update_memories(self) -> None:
        a = self.actors
        n = a.n
        _remember(
            self.top,
            self.totals,
            self.ledger["lost"][:n],
            self.power_share,
            self._decay,
            a.losses_ema[:n],
            a.aggression_ema[:n],
            a.attacked_ema[:n],
            a.power_share_ema[:n],
        )

    # -- derived state -----------------------------------------------------------------------
    def touch(self) -> None:
        """Note that fighters, cohesion or incomes changed: refresh after the current rule."""
        self._dirty = True

    def restructure(self, full: bool = False) -> None:
        """Refresh after a change of membership (leaders are re-examined too).

        In a large theatre, when nothing but membership, fighters or cohesion changed since the
        last refresh, only the rows concerned are recomputed (:func:`sim.state.patch`), with
        the same result as a full refresh: each of the hundreds of joins a step then costs
        O(rows) of simple comparisons instead of the full derivation. ``full`` forces the full
        refresh (patron ties, which the patch does not compare, may have changed).
        """
        self._structure_changed = True
        if full or self._seen is None:
            self.refresh()
            return
        a = self.actors
        n = a.n
        if n > len(self._seen[0]):  # the table grew: take the snapshot again
            self.refresh()
            return
        ok, derived = patch(
            a.alive[:n],
            a.kind[:n],
            a.parent[:n],
            a.fighters[:n],
            a.cohesion[:n],
            a.leader[:n],
            a.ideology[:n],
            a.ties[:n],
            self._seen,
            self._seen_n,
            (self.top, self.totals, self.power, self.sides, self.groups),
            self._view_buffers[0][:n],
            self._view_buffers[1][:n],
            TAKEOVER_RATIO,
            not self._leaders_current,
        )
        if not ok:
            self.refresh()
            return
        self._dirty = self._structure_changed = False
        self._leaders_current = True
        self._side_power_total = None
        self._power_share = self._income_share = None  # computed when first read
        self._seen_n = n
        self.top, self.totals, self.power, self.sides, self.groups = derived
        self.side_ideology = self._view_buffers[0][:n]
        self._tie_unit = self._view_buffers[1][:n]
        if self.check_patch:
            self._check_patch()

    @property
    def power_share(self) -> np.ndarray:
        """Each side's share of all sides' power (0 for rows that are not sides)."""
        if self._power_share is None:
            self._compute_shares()
        return self._power_share

    @property
    def income_share(self) -> np.ndarray:
        """Own income of the groups under each side, as a share of the theatre's."""
        if self._income_share is None:
            self._compute_shares()
        return self._income_share

    def _compute_shares(self) -> None:
        a = self.actors
        n = a.n
        self._power_share, self._income_share = shares(
            a.alive[:n], a.kind[:n], self.top, self.power, self.sides, a.income[:n]
        )

    def _check_patch(self) -> None:
        a = self.actors
        n = a.n
        args = (a.alive[:n], a.kind[:n], a.parent[:n], a.fighters[:n], a.cohesion[:n])
        full = derive(*args, a.income[:n])
        names = ("top", "totals", "power", "power_share", "income_share", "sides", "groups")
        for name, want in zip(names, full, strict=False):
            if not np.array_equal(getattr(self, name), want):
                raise AssertionError(f"patched {name} differs from a full refresh")
        leader = a.leader[:n].copy()
        review_leaders(a.alive[:n], a.kind[:n], a.parent[:n], leader, full[1], TAKEOVER_RATIO)
        if not np.array_equal(leader, a.leader[:n]):
            raise AssertionError("patched leaders differ from a full review")
        ideology, unit = side_view(a.kind[:n], a.leader[:n], a.ideology[:n], a.ties[:n])
        if not (
            np.array_equal(ideology, self.side_ideology) and np.array_equal(unit, self._tie_unit)
        ):
            raise AssertionError("patched side view differs from a full refresh")

    def patron_similarity(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Cosine similarity of the patron ties of sides or groups ``a`` and ``b``.

        A coalition's ties are its leader's; actors without ties have similarity 0.
        """
        return (self._tie_unit[a] * self._tie_unit[b]).sum(axis=1)

    def _review_leaders(self) -> None:
        """The end of a full refresh, when nothing it derives from has changed since the last."""
        a = self.actors
        n = a.n
        if review_leaders(
            a.alive[:n], a.kind[:n], a.parent[:n], a.leader[:n], self.totals, TAKEOVER_RATIO
        ):
            self.side_ideology, self._tie_unit = side_view(
                a.kind[:n], a.leader[:n], a.ideology[:n], a.ties[:n]
            )
        self._structure_changed = False
        self._leaders_current = True

    def side_power_total(self) -> float:
        """Power of all sides together, as ``power[sides].sum()`` (cached until a refresh)."""
        if self._side_power_total is None:
            self._side_power_total = float(self.power[self.sides].sum())
        return self._side_power_total

    def refresh(self) -> None:
        """Recompute totals, sides, powers and leaders after a change of state."""
        self._dirty = False
        self._side_power_total: float | None = None
        a = self.actors
        n = a.n
        # Leaders were reviewed with the current totals only if this refresh reviews them.
        self._leaders_current = self._structure_changed
        floats, self.top, self.sides, self.groups, self._tie_unit = refresh_state(
            a.alive[:n],
            a.kind[:n],
            a.parent[:n],
            a.fighters[:n],
            a.cohesion[:n],
            a.income[:n],
            a.leader[:n],
            a.ideology[:n],
            a.ties[:n],
            self._structure_changed,
            TAKEOVER_RATIO,
        )
        # What a side shows to others: a coalition's ideology and patrons are its leader's.
        self.totals, self.power, self._power_share, self._income_share, self.side_ideology = floats
        self._structure_changed = False
        self._seen = None
        if n >= PATCH_MIN_ROWS or self.check_patch:
            # Buffers with the actor table's spare rows, so that patches write in place.
            cap = a.capacity
            self._seen = snapshot(
                a.alive[:n], a.kind[:n], a.parent[:n], a.fighters[:n], a.cohesion[:n], cap
            )
            self._seen_n = n
            ideology, unit = np.zeros(cap), np.zeros((cap, a.n_patrons))
            ideology[:n], unit[:n] = self.side_ideology, self._tie_unit
            self._view_buffers = (ideology, unit)
            self.side_ideology, self._tie_unit = ideology[:n], unit[:n]

    def own_power(self, i: int) -> float:
        """Power of actor ``i`` on its own (its fighters and units, its cohesion)."""
        return float(self.power[i])

    def own_power_many(self, idx: np.ndarray) -> np.ndarray:
        """:meth:`own_power` of several actors."""
        return self.power[idx]

    def lead_group(self, sides: np.ndarray) -> np.ndarray:
        """The group that acts for each side: a coalition's leader, or the group itself."""
        sides = np.asarray(sides)
        a = self.actors
        return np.where(a.kind[sides] == Kind.COALITION, a.leader[sides], sides)

    @property
    def leader_take(self) -> float:
        """Share of pooled income a coalition leader keeps (0 when resources are off)."""
        r = self._rule_by_name.get("resources") if hasattr(self, "_rule_by_name") else None
        return float(r.leader_take) if r is not None else 0.0

    def rule(self, name: str) -> Rule | None:
        """The enabled rule called ``name``, or ``None``."""
        return self._rule_by_name.get(name)

    def hazard_to_prob(self, h: np.ndarray) -> np.ndarray:
        """Probability of at least one event in a step at weekly hazard ``h``."""
        return -np.expm1(-np.asarray(h) * self.dt_weeks)

    def candidate_pairs(self, contacts: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs of sides to examine: all when few, else ``contacts`` random partners each.

        Pairs that already have a relation are always included. Returned as two index arrays
        (lower, higher), sorted by pair.
        """
        sides = self.sides
        k = len(sides)
        if k < 2:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if k <= contacts + 1:
            ii, jj = _all_pairs(k)
            return sides[ii], sides[jj]
        pick = self.rng.integers(k, size=k * contacts)
        return _candidates(sides, contacts, pick, self.relations.codes, self.actors.alive, self.top)

    def common_enemy(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """1.0 where both sides of a pair are fighting the same third side."""
        _, flo, fhi = self.relations.pairs(Status.FIGHTING)
        if len(flo) == 0:
            return np.zeros(len(lo))
        return common_enemies(lo, hi, flo, fhi, self.actors.n)

    # -- fighters ledger ---------------------------------------------------------------------
    def ledger_add(self, kind: str, idx: np.ndarray, amounts: np.ndarray) -> None:
        """Add fighters to rows ``idx`` (recruitment or absorption), recording the flow."""
        self._dirty = True
        idx = np.asarray(idx, dtype=np.int64)
        amounts = np.asarray(amounts, dtype=float)
        np.add.at(self.actors.fighters, idx, amounts)
        np.add.at(self.ledger[kind], idx, amounts)

    def ledger_move(self, src: int, dst: int, amount: float) -> None:
        """Move ``amount`` own fighters from row ``src`` to row ``dst`` (absorption)."""
        self._dirty = True
        a = self.actors
        amount = min(float(amount), float(a.fighters[src]))
        a.fighters[src] -= amount
        a.fighters[dst] += amount
        self.ledger["absorbed"][src] -= amount
        self.ledger["absorbed"][dst] += amount

    def ledger_loss(self, i: int, amount: float) -> None:
        """Remove ``amount`` own fighters of row ``i`` as losses."""
        self._dirty = True
        a = self.actors
        amount = min(float(amount), float(a.fighters[i]))
        a.fighters[i] -= amount
        self.ledger["lost"][i] += amount

    def apply_losses(self, frac: np.ndarray, *, by: str, cause: str) -> np.ndarray:
        """Remove a share of fighters from every unit and group core.

        Args:
            frac: Share to remove, indexed by row (``by="row"``) or by side (``by="side"``:
                every unit and group core under a side loses the side's share).
            by: ``"row"`` or ``"side"``.
            cause: ``"lost"`` (casualties, desertion) or ``"absorbed"`` (taken by a winner).

        Returns:
            Fighters removed, summed per row or side (the index ``frac`` uses).
        """
        self._dirty = True
        a = self.actors
        n = a.n
        leaves = np.flatnonzero(a.alive[:n] & (a.kind[:n] != Kind.COALITION))
        key = leaves if by == "row" else self.top[leaves]
        take = a.fighters[leaves] * np.clip(frac[key], 0.0, 1.0)
        a.fighters[leaves] -= take
        if cause == "lost":
            self.ledger["lost"][leaves] += take
        else:
            self.ledger["absorbed"][leaves] -= take
        return np.bincount(key, weights=take, minlength=n)

    def capture(self, loser: int, winner: int, frac: float) -> None:
        """Winner's leading group takes ``frac`` of the loser side's income and stock."""
        self._dirty = True
        a = self.actors
        n = a.n
        groups = np.flatnonzero(a.alive[:n] & (a.kind[:n] == Kind.GROUP) & (self.top == loser))
        dest = int(self.lead_group(np.array([winner]))[0])
        for field in ("income", "resources"):
            arr = getattr(a, field)
            take = arr[groups] * frac
            arr[groups] -= take
            arr[dest] += take.sum()

    # -- events ------------------------------------------------------------------------------
    def _names(self, x) -> str:
        if isinstance(x, (int, np.integer)):
            return self.actors.names[int(x)]
        if isinstance(x, str):
            return x
        if isinstance(x, Iterable):
            return ";".join(self.actors.names[int(i)] for i in x)
        return self.actors.names[int(x)]

    def record(self, event_type: str, actor, target, causes, detail: str = "") -> None:
        """Log an event at the current step; ``actor``/``target`` are rows, lists or names."""
        self.log.add(
            self.steps,
            self._dates[min(self.steps, self.n_steps)],
            event_type,
            self._names(actor),
            self._names(target),
            format_causes(causes),
            detail,
        )

    def record_merge(self, coalition: int, components: list[int], causes) -> None:
        """Log a merger; groups that join the new coalition this step are added to it."""
        self.record("merge", coalition, components, causes)
        self._merges[coalition] = len(self.log.rows) - 1

    def extend_merge(self, coalition: int, member: int) -> bool:
        """Add ``member`` to this step's merger event of ``coalition``, if there is one."""
        k = self._merges.get(coalition)
        if k is None:
            return False
        row = list(self.log.rows[k])
        row[4] = f"{row[4]};{self.actors.names[member]}"
        self.log.rows[k] = tuple(row)
        return True

    def start_fight(self, attacker: int, target: int, causes) -> None:
        """Begin a fight between two sides and log it."""
        a = self.actors
        self.relations.set(attacker, target, Status.FIGHTING, self.steps)
        a.aggression_ema[attacker] += 1.0
        a.attacked_ema[target] += 1.0
        a.attacker[target] = attacker
        self.record("fight", attacker, target, causes)

    def make_truce(self, i: int, j: int, until: int, causes) -> None:
        """End the fight between ``i`` and ``j`` with a truce until step ``until``."""
        self.relations.set(i, j, Status.TRUCE, self.steps, until=until)
        self.record("truce", i, j, causes)

    # -- membership (see sim.structure) ------------------------------------------------------
    def join(self, i: int, target: int, causes) -> None:
        """Independent group ``i`` joins ``target``'s side (a merger if it is a lone group)."""
        structure.join(self, i, target, causes)

    def merge(self, components: list[int], causes) -> int:
        """Independent groups form a new coalition."""
        return structure.merge(self, components, causes)

    def leave(self, i: int, causes, grudge_weeks: float = 0.0) -> int:
        """Member ``i`` leaves its parent (defect or split)."""
        return structure.leave(self, i, causes, grudge_weeks)

    def move_unit(self, u: int, group: int, causes, why) -> None:
        """Unit ``u`` moves to another group."""
        structure.move_unit(self, u, group, causes, why)

    def switch(self, i: int, side: int, causes) -> None:
        """Group ``i`` switches to coalition ``side``."""
        structure.switch(self, i, side, causes)

    def dissolve(self, i: int, absorber: int, causes) -> None:
        """Actor ``i`` ceases to exist, absorbed by side ``absorber`` (or -1)."""
        structure.dissolve(self, i, absorber, causes)

    def retire(self, i: int) -> None:
        """Remove the Mesa agent of a row that is no longer alive."""
        agent = self._agents[i] if i < len(self._agents) else None
        if agent is not None:
            agent.remove()
            self._agents[i] = None

    def agent_of(self, i: int) -> mesa.Agent | None:
        """The Mesa agent of row ``i`` (``None`` once it has dissolved)."""
        return self._agents[i] if 0 <= i < len(self._agents) else None

    # -- outputs -----------------------------------------------------------------------------
    def events(self) -> pd.DataFrame:
        """The event log as a DataFrame."""
        return self.log.frame()

    def alignment(self, date: dt.date | None = None) -> dict[str, str]:
        """Group or unit name -> the side (coalition or itself) it belongs to at ``date``."""
        return self.timeseries.alignment(date)

    def network(self):
        """A networkx graph of sides and their relations (for plots)."""
        g = self.relations.graph(self.actors.names)
        for s in self.sides.tolist():
            g.add_node(self.actors.names[s], fighters=float(self.totals[s]))
        return g


@functools.cache
def _all_pairs(k: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.triu_indices(k, 1)``, computed once per process and size (read-only)."""
    ii, jj = np.triu_indices(k, 1)
    ii.flags.writeable = jj.flags.writeable = False
    return ii, jj


@njit(cache=True)
def _candidates(sides, contacts, pick, rel_codes, alive, top):  # pragma: no cover - compiled
    """Candidate pairs (lower, higher), distinct and sorted, as ``candidate_pairs`` returns.

    Side ``sides[j]`` is paired with ``sides[pick[j * contacts + c]]``; the pairs in
    ``rel_codes`` whose two ends are alive sides are added. A counting sort by the lower
    index, then a small sort within each bucket, gives the pairs in the order of their codes
    in O(pairs) instead of O(pairs log pairs).
    """
    n = len(top)
    m = len(pick) + len(rel_codes)
    lo = np.empty(m, np.int64)
    hi = np.empty(m, np.int64)
    k = 0
    for j in range(len(sides)):
        x = sides[j]
        for c in range(contacts):
            y = sides[pick[j * contacts + c]]
            lo[k], hi[k] = min(x, y), max(x, y)
            k += 1
    for code in rel_codes:
        x, y = code >> 32, code & 0xFFFFFFFF
        if alive[x] and alive[y] and top[x] == x and top[y] == y:
            lo[k], hi[k] = x, y
            k += 1
    start = np.zeros(n + 1, np.int64)
    for t in range(k):
        start[lo[t] + 1] += 1
    for i in range(n):
        start[i + 1] += start[i]
    fill = start[:-1].copy()
    bucket = np.empty(k, np.int64)
    for t in range(k):
        bucket[fill[lo[t]]] = hi[t]
        fill[lo[t]] += 1
    out_lo = np.empty(k, np.int64)
    out_hi = np.empty(k, np.int64)
    q = 0
    for i in range(n):
        a, b = start[i], start[i + 1]
        if a == b:
            continue
        if b - a <= 48:  # the usual bucket: about 2 x contacts items
            for t in range(a + 1, b):
                y = bucket[t]
                u = t - 1
                while u >= a and bucket[u] > y:
                    bucket[u + 1] = bucket[u]
                    u -= 1
                bucket[u + 1] = y
        else:
            bucket[a:b].sort()
        last = -1
        for t in range(a, b):
            y = bucket[t]
            if y != last and y != i:
                out_lo[q], out_hi[q] = i, y
                q += 1
            last = y
    return out_lo[:q], out_hi[:q]


@njit(cache=True)
def _remember(
    top, totals, lost, power_share, decay, losses, aggression, attacked, share_ema
):  # pragma: no cover - compiled
    """Fold this step into the leaky memories (in place).

    ``losses``: share of each side's fighters lost, summed with weight ``decay`` per step;
    ``aggression``/``attacked``: fights started/suffered, decayed; ``share_ema``: slow
    average of the share of power.
    """
    n = len(top)
    lost_side = np.zeros(n)
    for i in range(n):
        lost_side[top[i]] += lost[i]
    for i in range(n):
        before = totals[i] + lost_side[i]
        share = lost_side[i] / before if before > 0 else 0.0
        losses[i] = decay * losses[i] + share
        aggression[i] *= decay
        attacked[i] *= decay
        share_ema[i] = decay * share_ema[i] + (1 - decay) * power_share[i]
