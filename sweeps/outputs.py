"""Per-run outputs: event counts, named outcomes, coalition structure, comparison scores.

A run's outputs are one flat row (column name -> scalar) whose columns are fixed by the sweep
file, so every run of a sweep writes the same Parquet schema:

- ``count.<type>``: events of each type in the window (``merge`` ... ``dissolve``);
- ``outcome.<name>``: whether a named outcome happened (true/false; missing when a run that
  stopped early cannot tell), and ``outcome.<name>.first`` for event outcomes: the date it
  became true;
- ``structure.<date>.n_sides``, ``.n_coalitions`` and ``.side.<group>``: the alignment on a date
  (``(gone)`` for a group that no longer exists);
- ``score.<name>``: the comparison scores of :func:`calibration.comparison.run_scores`.

**The outcome language.** An *event* outcome matches events of the log::

    {name: hts_fights_zenki, event: fight, actor: "Hay'at Tahrir al-Sham",
     target: Nour al-Din al-Zenki Movement, before: 2019-01-01, either_way: true}

A name matches an event's actor (or any ``;``-joined target) when it is that name, a numbered
copy of it (``Hurras al-Din (2)``), or, when names resolve through sides, the side (coalition)
that contained the named group or unit at the start of the event's step. ``resolve: auto`` (the
default) resolves through sides for events between sides (``fight``, ``alliance``, ``truce``)
and exactly for membership events (``merge``, ``join``, ``defect``, ``split``, ``dissolve``).
``after``/``before`` bound the date (``after <= date < before``), ``at_least`` the number of
matching events, ``either_way`` lets actor and target swap. A *together* outcome is true when
the listed groups are on one side on a date (``{name: x, together: [A, B], date: 2019-06-01}``);
``all``, ``any`` and ``not`` combine outcomes defined above them (three-valued: missing stays
missing unless the answer is already known).

Pure functions of an event log and an alignment; :func:`compute_outputs` reads a finished
:class:`~sim.model.CoalitionModel` (never changes it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

import pandas as pd

from sim.eventlog import EVENT_TYPES
from sweeps.spec import OutcomeSpec, OutputsSpec, actor_names, resolve_name

if TYPE_CHECKING:
    from sim.model import CoalitionModel
    from sim.scenario import Scenario

SIDE_EVENTS = frozenset({"fight", "alliance", "truce"})
GONE = "(gone)"
_SUFFIX = re.compile(r" \(\d+\)$")

# (step, date, event_type, actor, target): the part of an event row outcomes look at
EventRow = tuple[int, dt.date, str, str, str]
SideOf = Callable[[str, int], "str | None"]
AlignmentOn = Callable[[dt.date], "dict[str, str] | None"]


# -- column names ----------------------------------------------------------------------------
def count_column(event_type: str) -> str:
    """Column of the number of events of a type."""
    return f"count.{event_type}"


def outcome_column(name: str) -> str:
    """Column of a named outcome (true/false/missing)."""
    return f"outcome.{name}"


def first_column(name: str) -> str:
    """Column of the date an event outcome became true."""
    return f"outcome.{name}.first"


def structure_column(date: dt.date, what: str) -> str:
    """Column of the coalition structure on a date (``n_sides``, ``side.<group>`` ...)."""
    return f"structure.{date.isoformat()}.{what}"


def output_columns(outputs: OutputsSpec) -> list[tuple[str, str]]:
    """``(column, kind)`` of every output, kind among int, bool, date, str, float.

    Score columns are not listed: their names come from the comparison module at run time.
    """
    cols: list[tuple[str, str]] = []
    if outputs.counts:
        cols += [(count_column(t), "int") for t in EVENT_TYPES]
    for o in outputs.outcomes:
        cols.append((outcome_column(o.name), "bool"))
        if o.kind == "event":
            cols.append((first_column(o.name), "date"))
    if outputs.structure is not None:
        for d in outputs.structure.dates:
            cols.append((structure_column(d, "n_sides"), "int"))
            cols.append((structure_column(d, "n_coalitions"), "int"))
            for g in outputs.structure.sides_of:
                cols.append((structure_column(d, f"side.{g}"), "str"))
    return cols


# -- matching --------------------------------------------------------------------------------
class Names:
    """Turns names written in a sweep file into the scenario's canonical names."""

    def __init__(self, scenario: Scenario | None = None) -> None:
        if scenario is None:
            self.names, self.aliases = set(), {}
        else:
            self.names, self.aliases = actor_names(scenario)

    def canonical(self, name: str) -> str:
        """The canonical name (unknown names are returned unchanged)."""
        return resolve_name(name, self.names, self.aliases) or name


def _name_matches(name: str, field: str, step: int, via_side: bool, side_of: SideOf) -> bool:
    entries = field.split(";") if field else []
    side = side_of(name, step) if via_side else None
    for e in entries:
        if e == name or _SUFFIX.sub("", e) == name or (side is not None and e == side):
            return True
    return False


def event_matches(o: OutcomeSpec, row: EventRow, side_of: SideOf, names: Names) -> bool:
    """Whether one event row satisfies an event outcome (dates and type included)."""
    step, date, etype, actor, target = row
    if etype not in o.event_types:
        return False
    if o.after is not None and date < o.after:
        return False
    if o.before is not None and date >= o.before:
        return False
    via_side = o.resolve == "side" or (o.resolve == "auto" and etype in SIDE_EVENTS)
    a = names.canonical(o.actor) if o.actor is not None else None
    t = names.canonical(o.target) if o.target is not None else None

    def check(actor_field: str, target_field: str) -> bool:
        if a is not None and not _name_matches(a, actor_field, step, via_side, side_of):
            return False
        return t is None or _name_matches(t, target_field, step, via_side, side_of)

    return check(actor, target) or (o.either_way and check(target, actor))


def _rows(events: pd.DataFrame | Iterable[Sequence]) -> list[EventRow]:
    """Event rows as ``(step, date, type, actor, target)`` tuples with ``datetime.date`` dates."""
    if isinstance(events, pd.DataFrame):
        if events.empty:
            return []
        dates = pd.to_datetime(events["date"]).dt.date
        return list(
            zip(
                events["step"].astype(int).tolist(),
                dates.tolist(),
                events["event_type"].astype(str).tolist(),
                events["actor"].fillna("").astype(str).tolist(),
                events["target"].fillna("").astype(str).tolist(),
                strict=True,
            )
        )
    out = []
    for r in events:
        d = r[1]
        if isinstance(d, pd.Timestamp | dt.datetime):
            d = d.date()
        out.append((int(r[0]), d, str(r[2]), str(r[3] or ""), str(r[4] or "")))
    return out


def _combine(kind: str, parts: list[bool | None]) -> bool | None:
    if kind == "not":
        return None if parts[0] is None else not parts[0]
    if kind == "all":
        if any(p is False for p in parts):
            return False
        return None if any(p is None for p in parts) else True
    if any(p is True for p in parts):
        return True
    return None if any(p is None for p in parts) else False


def evaluate_outcomes(
    outcomes: Sequence[OutcomeSpec],
    events: pd.DataFrame | Iterable[Sequence],
    *,
    side_of: SideOf,
    alignment_on: AlignmentOn,
    names: Names | None = None,
    window_start: dt.date | None = None,
    reached: dt.date | None = None,
) -> dict[str, object]:
    """Evaluate named outcomes on an event log.

    Args:
        outcomes: The sweep's outcomes, in file order (combinations refer to earlier ones).
        events: The event log (a DataFrame like ``model.events()``, or rows starting with
            ``step, date, event_type, actor, target``).
        side_of: ``(name, step) -> side`` at the start of that step, or ``None``.
        alignment_on: ``date -> {group or unit: side}``, or ``None`` when the run did not
            reach that date.
        names: Name resolution (aliases); default: names as written.
        window_start: Events before this date are ignored.
        reached: Last date the run simulated when it stopped early (``None``: it ran to the
            end of the window), so outcomes that could still happen after it are missing.

    Returns:
        ``{outcome.<name>: True/False/None, outcome.<name>.first: date or None, ...}``.
    """
    names = names or Names()
    rows = [r for r in _rows(events) if window_start is None or r[1] >= window_start]
    out: dict[str, object] = {}
    value: dict[str, bool | None] = {}
    for o in outcomes:
        kind = o.kind
        if kind == "event":
            hits = [r for r in rows if event_matches(o, r, side_of, names)]
            ok = len(hits) >= o.at_least
            v: bool | None = ok
            if not ok and reached is not None and (o.before is None or o.before > reached):
                v = None  # the run stopped before it could tell
            out[first_column(o.name)] = hits[o.at_least - 1][1] if ok else None
        elif kind == "together":
            al = alignment_on(o.date)
            if al is None:
                v = None
            else:
                sides = {al.get(names.canonical(n)) for n in o.together}
                v = None not in sides and len(sides) == 1
        else:
            v = _combine(kind, [value[p] for p in o.parts])
        value[o.name] = v
        out[outcome_column(o.name)] = v
    return out


def count_events(events: pd.DataFrame | Iterable[Sequence], window_start=None) -> dict[str, int]:
    """``{count.<type>: n}`` for every event type, over events on or after ``window_start``."""
    c = Counter(r[2] for r in _rows(events) if window_start is None or r[1] >= window_start)
    return {count_column(t): int(c.get(t, 0)) for t in EVENT_TYPES}


def structure_outputs(
    dates: Sequence[dt.date], sides_of: Sequence[str], alignment_on: AlignmentOn, names: Names
) -> dict[str, object]:
    """Number of sides and of coalitions, and the sides of listed groups, on each date."""
    out: dict[str, object] = {}
    for d in dates:
        al = alignment_on(d)
        if al is None:
            out[structure_column(d, "n_sides")] = None
            out[structure_column(d, "n_coalitions")] = None
        else:
            sides = set(al.values())
            out[structure_column(d, "n_sides")] = len(sides)
            out[structure_column(d, "n_coalitions")] = len({s for s in sides if s not in al})
        for g in sides_of:
            col = structure_column(d, f"side.{g}")
            out[col] = None if al is None else al.get(names.canonical(g), GONE)
    return out


# -- a model's outputs -----------------------------------------------------------------------
class ModelView:
    """Sides and alignments of a (running or finished) model, cached per step."""

    def __init__(self, model: CoalitionModel) -> None:
        self.model = model
        self._cache: dict[int, dict[str, str]] = {}

    def _alignment_at_step(self, step: int) -> dict[str, str]:
        # alignment(date_of(step)) is the snapshot taken at the end of step - 1: the state in
        # force while step ``step`` runs.
        if step not in self._cache:
            self._cache[step] = self.model.alignment(self.model.date_of(step))
        return self._cache[step]

    def side_of(self, name: str, step: int) -> str | None:
        """Side that contained ``name`` at the start of ``step``."""
        return self._alignment_at_step(step).get(name)

    def alignment_on(self, date: dt.date) -> dict[str, str] | None:
        """Alignment in force on ``date``, or ``None`` past the last simulated date."""
        if date > self.model.date:
            return None
        return self.model.alignment(date)


def compute_outputs(
    model: CoalitionModel,
    outputs: OutputsSpec,
    names: Names,
    window_start: dt.date,
    stopped: bool,
    *,
    base: Scenario | None = None,
    key: str = "",
) -> dict[str, object]:
    """All outputs of a run, as ``{column: value}`` (see the module docstring).

    ``base`` and ``key`` (the sweep's scenario and hash) are needed for comparison scores.
    """
    view = ModelView(model)
    rows = model.log.rows
    reached = model.date if stopped else None
    out: dict[str, object] = {}
    if outputs.counts:
        out.update(count_events(rows, window_start))
    if outputs.outcomes:
        out.update(
            evaluate_outcomes(
                outputs.outcomes,
                rows,
                side_of=view.side_of,
                alignment_on=view.alignment_on,
                names=names,
                window_start=window_start,
                reached=reached,
            )
        )
    if outputs.structure is not None:
        out.update(
            structure_outputs(
                outputs.structure.dates, outputs.structure.sides_of, view.alignment_on, names
            )
        )
    if outputs.scores:
        out.update(scores(model, base or model.scenario_spec, key, window_start))
    return out


_SCORE_SCENARIO: dict[str, Scenario] = {}


def scores(
    model: CoalitionModel, base: Scenario, key: str, window_start: dt.date
) -> dict[str, float]:
    """``score.<name>`` of one run from :func:`calibration.comparison.run_scores`.

    The run is compared with the shipped record over ``[window_start, last simulated date]``,
    with its alignments on every 1 January and 1 July of that window. ``base`` (the sweep's
    scenario without the point's parameters, which the comparison does not look at) is kept
    per process under ``key`` so that the comparison's per-scenario preparation is reused.
    """
    try:
        from calibration.comparison import run_scores
        from calibration.metrics.alignment import default_dates
    except ImportError as exc:
        raise RuntimeError(
            "comparison scores are not available: calibration.comparison.run_scores cannot be "
            f"imported ({exc})"
        ) from None
    scenario = _SCORE_SCENARIO.setdefault(key, base)
    end = model.date
    alignments = {d: model.alignment(d) for d in default_dates(window_start, end)}
    values = run_scores(model.events(), alignments, None, scenario, window_start, end)
    return {f"score.{k}": float(v) for k, v in values.items()}


# -- stopping early --------------------------------------------------------------------------
class StopWatcher:
    """Tells, step by step, whether any of the ``stop.when`` outcomes has happened.

    Only event outcomes (and ``all``/``any`` of them) can stop a run; the watcher counts
    matching events as the log grows, looking only at rows added since the last check.
    """

    def __init__(
        self,
        when: Sequence[str],
        outcomes: Sequence[OutcomeSpec],
        names: Names,
        window_start: dt.date,
    ) -> None:
        self.by_name = {o.name: o for o in outcomes}
        self.when = list(when)
        self.names = names
        self.window_start = window_start
        self.events: list[OutcomeSpec] = []
        seen: set[str] = set()

        def collect(n: str) -> None:
            if n in seen:
                return
            seen.add(n)
            o = self.by_name[n]
            if o.kind == "event":
                self.events.append(o)
            for p in o.parts:
                collect(p)

        for n in self.when:
            collect(n)
        self.hits = {o.name: 0 for o in self.events}
        self._seen = 0

    def _value(self, name: str) -> bool:
        o = self.by_name[name]
        if o.kind == "event":
            return self.hits[name] >= o.at_least
        parts = [self._value(p) for p in o.parts]
        return all(parts) if o.kind == "all" else any(parts)

    def check(self, model: CoalitionModel, view: ModelView) -> bool:
        """Update with the events logged since the last call; True to stop the run."""
        rows = model.log.rows
        if len(rows) == self._seen:
            return False
        new = _rows(rows[self._seen :])
        self._seen = len(rows)
        for r in new:
            if r[1] < self.window_start:
                continue
            for o in self.events:
                if event_matches(o, r, view.side_of, self.names):
                    self.hits[o.name] += 1
        return any(self._value(n) for n in self.when)
