"""Comparing simulated outcomes with the historical record: the whole comparison in one call.

:func:`run_comparison` runs an ensemble of a scenario (:mod:`calibration.ensemble`) and scores
it against the record in a window: counts per quarter, per-event probabilities and timing,
Brier and log scores of monthly probabilities, alignment agreement -- each beside the null
model (:mod:`calibration.null_model`). :func:`compare_ensemble` does the scoring part for an
ensemble built any other way (tests build them by hand). :func:`run_scores` scores a single
run (for sweeps) and :func:`summary_statistics` gives the summary statistics of a run that a
calibration by approximate Bayesian computation needs.

Headline scores (one row each; ``skill`` is 1 for a perfect model and 0 for one no better than
the null; for scores where lower is better it is ``1 - model/null``, for those where higher is
better ``(model - null) / (1 - null)``):

* ``hit_rate``: mean probability that a run reproduces a recorded event (actor level; each
  recorded event weighs 1, its dyads averaged; over events the scenario can express);
* ``coalition_hit_rate``: the same at coalition level (no null);
* ``timing_error_months``: mean absolute timing error of reproduced events; null: the error of
  a date drawn uniformly within the tolerance (half the tolerance);
* ``brier`` and ``log``: scores of the monthly probabilities over the active pairs;
* ``count_error``: mean absolute error of the median count per quarter and type;
* ``band_coverage``: share of (quarter, type) counts of the record inside the 90% band (no
  null; 0.9 is ideal);
* ``ari``: mean over the comparison dates after the window's first day of the ensemble's median
  adjusted Rand index; null: persistence of the recorded alignment on the first day;
* ``coverage``: share of recorded dyads in the window that the scenario can express at all.

This module runs the model only through :mod:`calibration.ensemble`; it never changes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from calibration.dyads import CLASSES, UNARY, key_dyads, record_dyads, simulated_dyads
from calibration.ensemble import Ensemble, run_ensemble
from calibration.mapping import ScenarioMapping, build_mapping, initial_structure
from calibration.membership import MembershipHistory
from calibration.metrics.alignment import (
    alignment_table,
    default_dates,
    partition_agreement,
    recorded_sides,
)
from calibration.metrics.counts import count_summary, quarterly_counts
from calibration.metrics.event_match import TOLERANCE_MONTHS, event_summary, match_events
from calibration.metrics.scores import (
    active_pairs,
    forecast_grid,
    grid_scores,
    in_window,
    skill_score,
)
from calibration.null_model import NullModel, build_null_model
from calibration.record import Record, load_record
from sim.eventlog import EVENT_TYPES
from sim.scenario import Problem, Scenario, ScenarioError

TIMELINE_PAIRS = 12
"""Pairs of interest shown in the timeline: those with the most recorded events."""


@dataclass
class ComparisonContext:
    """Everything about the record and the window that does not depend on the runs.

    Attributes:
        scenario: The scenario compared.
        record: The record.
        mapping: Record names -> scenario keys.
        history: The record's membership history.
        dyads: The record's dyads over its whole period.
        start: First day of the window.
        end: Last day of the window.
        dates: Dates of the alignment comparison.
        null: The null model.
        tolerance_months: Time tolerance of the per-event match.
    """

    scenario: Scenario
    record: Record
    mapping: ScenarioMapping
    history: MembershipHistory
    dyads: pd.DataFrame
    start: dt.date
    end: dt.date
    dates: list[dt.date]
    null: NullModel
    tolerance_months: float = TOLERANCE_MONTHS

    @property
    def window_dyads(self) -> pd.DataFrame:
        """The record's dyads dated in the window."""
        return self.dyads[in_window(self.dyads["date"], self.start, self.end)]

    @property
    def window_events(self) -> pd.DataFrame:
        """The record's events dated in the window."""
        return self.record.between(self.start, self.end)


_DEFAULT_RECORD: Record | None = None


def default_record() -> Record:
    """The shipped record (loaded once)."""
    global _DEFAULT_RECORD
    if _DEFAULT_RECORD is None:
        _DEFAULT_RECORD = load_record()
    return _DEFAULT_RECORD


def _as_date(value, name: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ScenarioError(
            "comparison", [Problem(name, f"expected a date YYYY-MM-DD, got {value!r}")]
        ) from None


def prepare(
    scenario: Scenario,
    record: Record | None = None,
    start=None,
    end=None,
    dates: Sequence | None = None,
    *,
    overrides: Mapping[str, str | None] | None = None,
    tolerance_months: float = TOLERANCE_MONTHS,
    start_structure: str = "scenario",
) -> ComparisonContext:
    """Check the window and build the record side of a comparison.

    Args:
        scenario: A validated scenario.
        record: The record (default: the shipped one).
        start: First day of the window (default: the scenario's start).
        end: Last day of the window (default: the scenario's end).
        dates: Alignment dates (default: every 1 January and 1 July in the window).
        overrides: Forced mappings (see :func:`calibration.mapping.build_mapping`).
        tolerance_months: Time tolerance of the per-event match.
        start_structure: ``"scenario"`` (default): the recorded alignment starts from the
            scenario's units and coalitions on its start date, then follows the record's
            events; ``"record"``: from the record's events alone (see
            :mod:`calibration.membership`).

    Raises:
        ScenarioError: If the window is empty, outside the scenario, or holds no recorded event.
    """
    record = record if record is not None else default_record()
    start = _as_date(start, "start (--from)") or scenario.start
    end = _as_date(end, "end (--until)") or scenario.end
    problems = []
    if start < scenario.start or start >= scenario.end:
        problems.append(
            Problem(
                "start (--from)",
                f"expected a date in [{scenario.start}, {scenario.end}) (the scenario's "
                f"period), got {start}",
            )
        )
    if end > scenario.end or end <= scenario.start:
        problems.append(
            Problem(
                "end (--until)",
                f"expected a date in ({scenario.start}, {scenario.end}] (the scenario's "
                f"period), got {end}",
            )
        )
    if not problems and end <= start:
        problems.append(Problem("end (--until)", f"expected a date after {start}, got {end}"))
    if start_structure not in ("scenario", "record"):
        problems.append(
            Problem("start_structure", f"expected 'scenario' or 'record', got {start_structure!r}")
        )
    if not tolerance_months > 0:
        problems.append(Problem("tolerance_months", "expected a positive number of months"))
    if problems:
        raise ScenarioError("comparison window", problems)
    if not len(record.between(start, end)):
        raise ScenarioError(
            "comparison window",
            [
                Problem(
                    "start (--from)",
                    f"the record ({record.start} .. {record.end}) has no event between "
                    f"{start} and {end}",
                )
            ],
        )
    dates = sorted(
        {_as_date(d, "dates") for d in dates} if dates is not None else default_dates(start, end)
    )
    bad = [d for d in dates if not start <= d <= end]
    if bad:
        raise ScenarioError(
            "comparison window",
            [Problem("dates", f"expected dates in [{start}, {end}], got {bad[0]}")],
        )
    mapping = build_mapping(record, scenario, overrides)
    if start_structure == "scenario":
        history = MembershipHistory(record, initial_structure(scenario, mapping), scenario.start)
    else:
        history = MembershipHistory(record)
    dyads = record_dyads(record, mapping, history)
    null = build_null_model(record, dyads, start, end)
    return ComparisonContext(
        scenario, record, mapping, history, dyads, start, end, dates, null, tolerance_months
    )


@dataclass
class ComparisonResult:
    """The outcome of a comparison.

    Attributes:
        headline: One row per score: ``score, model, null, skill``.
        event_probabilities: One row per recorded dyad in the window: ``event_id, date,
            event_type, actor, target, probability, coalition_probability,
            timing_error_months`` and ``part, pair, mappable, abs_timing_error_months,
            null_probability``.
        counts: ``quarter, event_type, record, median, low, high, null``.
        alignment: ``date, ari_median, ari_low, ari_high, ari_null, actors``.
        scores_by_class: Brier and log scores per class (``all`` first).
        alignment_runs: ARI of each run on each date.
        timeline: Pairs of interest: ``pair, month, p_any`` (share of runs with any event).
        record_timeline: The recorded dyads of those pairs.
        mapping: The record-to-scenario mapping as a table.
        warnings: Things the reader must know (null-model fallback, unmapped events...).
        meta: Scenario, window, runs, seed, workers, wall time, tolerance, null method.
    """

    headline: pd.DataFrame
    event_probabilities: pd.DataFrame
    counts: pd.DataFrame
    alignment: pd.DataFrame
    scores_by_class: pd.DataFrame = field(default_factory=pd.DataFrame)
    alignment_runs: pd.DataFrame = field(default_factory=pd.DataFrame)
    timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    record_timeline: pd.DataFrame = field(default_factory=pd.DataFrame)
    mapping: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    def score(self, name: str, column: str = "model") -> float:
        """One headline value, e.g. ``result.score("brier", "skill")``."""
        row = self.headline.loc[self.headline["score"] == name, column]
        return float(row.iloc[0]) if len(row) else float("nan")

    def headline_text(self) -> str:
        """The headline as an aligned text table."""
        lines = [f"{'score':<22}{'model':>10}{'null':>10}{'skill':>10}"]
        for r in self.headline.itertuples(index=False):
            cells = [
                f"{v:>10.4f}" if np.isfinite(v) else f"{'-':>10}"
                for v in (r.model, r.null, r.skill)
            ]
            lines.append(f"{r.score:<22}" + "".join(cells))
        return "\n".join(lines)

    def write_report(self, out_dir: str | Path) -> Path:
        """Write ``report.md``, its PNG plots and CSV tables into ``out_dir``; return the report."""
        from calibration.report import write_report

        return write_report(self, Path(out_dir))


def _headline(rows: list[tuple[str, float, float, str]]) -> pd.DataFrame:
    out = []
    for name, model, null, sense in rows:
        if sense == "lower":
            skill = skill_score(model, null)
        elif sense == "higher" and np.isfinite(null) and null < 1:
            skill = float((model - null) / (1.0 - null))
        else:
            skill = float("nan")
        out.append({"score": name, "model": float(model), "null": float(null), "skill": skill})
    return pd.DataFrame(out, columns=["score", "model", "null", "skill"])


def compare_ensemble(ctx: ComparisonContext, ensemble: Ensemble) -> ComparisonResult:
    """Score an ensemble against the record (see the module docstring for the scores).

    Args:
        ctx: The record side (:func:`prepare`).
        ensemble: The runs; their dyads need not carry covers (then the coalition-level match
            uses the parties alone).

    Returns:
        The comparison.
    """
    runs = ensemble.runs
    sim = key_dyads(ensemble.dyads, ctx.mapping)
    rec_window = ctx.window_dyads
    dyadic, unary = active_pairs(ctx.dyads, sim, runs, ctx.start, ctx.end)
    n_pairs = {c: (len(unary) if c in UNARY else len(dyadic)) for c in CLASSES}

    matches = match_events(
        rec_window,
        sim,
        runs,
        tolerance_months=ctx.tolerance_months,
        null=ctx.null,
        n_pairs=n_pairs,
        window=(ctx.start, ctx.end),
    )
    ev = event_summary(matches)
    grid = forecast_grid(ctx.dyads, sim, runs, ctx.start, ctx.end, ctx.null, (dyadic, unary))
    by_class = grid_scores(grid)
    overall = by_class.iloc[0]
    counts = quarterly_counts(
        ctx.window_events, ensemble.events, runs, ctx.start, ctx.end, ctx.null
    )
    cs = count_summary(counts)
    per_run, align = alignment_table(
        ensemble.alignments, ctx.history, ctx.mapping, ctx.dates, runs, ctx.start
    )
    later = align[[d > ctx.start for d in align["date"]]]
    ari = float(later["ari_median"].mean()) if len(later) else float("nan")
    ari_null = float(later["ari_null"].mean()) if len(later) else float("nan")

    nan = float("nan")
    headline = _headline(
        [
            ("hit_rate", ev["hit_rate"], ev["null_hit_rate"], "higher"),
            ("coalition_hit_rate", ev["coalition_hit_rate"], nan, ""),
            (
                "timing_error_months",
                ev["abs_timing_error_months"],
                ctx.tolerance_months / 2.0,
                "lower",
            ),
            ("brier", overall["brier"], overall["brier_null"], "lower"),
            ("log", overall["log"], overall["log_null"], "lower"),
            ("count_error", cs["count_error"], cs["count_error_null"], "lower"),
            ("band_coverage", cs["band_coverage"], nan, ""),
            ("ari", ari, ari_null, "higher"),
            ("coverage", ev["coverage"], nan, ""),
        ]
    )
    timeline, rec_timeline = _timeline(rec_window, sim, runs, ctx)
    warnings = []
    if ctx.null.method != "earlier period":
        warnings.append(ctx.null.note)
    unmapped = matches.loc[~matches["mappable"], "event_id"].unique().tolist()
    if unmapped:
        warnings.append(
            f"{len(unmapped)} recorded event(s) in the window involve a party the scenario has "
            f"no counterpart for and cannot be reproduced (probability 0, left out of the hit "
            f"rates): {', '.join(unmapped)}"
        )
    warnings += [f"record membership: {w}" for w in ctx.history.warnings]
    meta = {
        "scenario": ctx.scenario.name,
        "rules": ctx.scenario.rules_origin(),
        "start": ctx.start,
        "end": ctx.end,
        "runs": runs,
        "seeds": ensemble.seeds,
        "workers": ensemble.workers,
        "elapsed": ensemble.elapsed,
        "tolerance_months": ctx.tolerance_months,
        "null_method": ctx.null.method,
        "null_note": ctx.null.note,
        "record": ctx.record.source,
        "record_events": len(ctx.window_events),
        "record_dyads": len(rec_window),
        "mappable_events": ev["mappable_events"],
        "active_pairs": len(dyadic),
        "active_actors": len(unary),
        "dates": ctx.dates,
    }
    return ComparisonResult(
        headline=headline,
        event_probabilities=matches,
        counts=counts,
        alignment=align,
        scores_by_class=by_class,
        alignment_runs=per_run,
        timeline=timeline,
        record_timeline=rec_timeline,
        mapping=ctx.mapping.frame(),
        warnings=warnings,
        meta=meta,
    )


def _timeline(rec: pd.DataFrame, sim: pd.DataFrame, runs: int, ctx: ComparisonContext):
    mapped = rec[rec["mappable"]]
    top = mapped.groupby("pair").size().sort_values(ascending=False, kind="stable")
    pairs = top.index[:TIMELINE_PAIRS].tolist()
    months = pd.period_range(ctx.start, ctx.end, freq="M")
    rows = []
    if runs > 0 and len(sim) and pairs:
        s = sim[in_window(sim["date"], ctx.start, ctx.end) & sim["pair"].isin(pairs)]
        cells = pd.DataFrame(
            {"run": s["run"].to_numpy(), "month": s["date"].dt.to_period("M"), "pair": s["pair"]}
        ).drop_duplicates()
        share = cells.groupby(["pair", "month"]).size() / runs
    else:
        share = pd.Series(dtype=float)
    for p in pairs:
        for m in months:
            rows.append({"pair": p, "month": m, "p_any": float(share.get((p, m), 0.0))})
    return (
        pd.DataFrame(rows, columns=["pair", "month", "p_any"]),
        mapped[mapped["pair"].isin(pairs)][["event_id", "date", "event_type", "cls", "pair"]],
    )


def run_comparison(
    scenario: Scenario,
    *,
    runs: int = 100,
    seed: int = 0,
    start: dt.date | None = None,
    end: dt.date | None = None,
    dates: Sequence[dt.date] | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    record: Record | None = None,
    tolerance_months: float = TOLERANCE_MONTHS,
) -> ComparisonResult:
    """Run an ensemble of ``scenario`` and compare it with the record.

    Args:
        scenario: A validated scenario.
        runs: Number of runs.
        seed: Seed of the ensemble's seed sequence.
        start: First day of the window (default: the scenario's start).
        end: Last day of the window (default: the scenario's end); runs stop there.
        dates: Alignment dates (default: every 1 January and 1 July in the window).
        workers: Processes (default: the available cores).
        progress: Called as ``progress(done, total)`` after each run.
        record: The record (default: the shipped one).
        tolerance_months: Time tolerance of the per-event match.

    Returns:
        The comparison (see :class:`ComparisonResult`).

    Raises:
        ScenarioError: For a bad window or dates, or a bad number of runs or workers.
    """
    problems = []
    if not isinstance(runs, int | np.integer) or runs < 1:
        problems.append(Problem("runs (--runs)", f"expected a whole number >= 1, got {runs!r}"))
    if workers is not None and (not isinstance(workers, int | np.integer) or workers < 1):
        problems.append(
            Problem("workers (--workers)", f"expected a whole number >= 1, got {workers!r}")
        )
    if not isinstance(seed, int | np.integer) or seed < 0:
        problems.append(Problem("seed (--seed)", f"expected a whole number >= 0, got {seed!r}"))
    if problems:
        raise ScenarioError("comparison", problems)
    ctx = prepare(scenario, record, start, end, dates, tolerance_months=tolerance_months)
    ensemble = run_ensemble(
        scenario,
        int(runs),
        seed=int(seed),
        until=ctx.end,
        dates=ctx.dates,
        workers=workers,
        progress=progress,
    )
    result = compare_ensemble(ctx, ensemble)
    result.meta["seed"] = int(seed)
    return result


# -- single runs: scores for sweeps, summary statistics for calibration ----------------------
_CONTEXTS: dict[tuple, tuple[Record, Scenario, ComparisonContext]] = {}


def _context(record, scenario, start, end, dates) -> ComparisonContext:
    record = record if record is not None else default_record()
    key = (id(record), id(scenario), start, end, tuple(dates) if dates is not None else None)
    hit = _CONTEXTS.get(key)
    if hit is not None and hit[0] is record and hit[1] is scenario:
        return hit[2]
    ctx = prepare(scenario, record, start, end, dates)
    if len(_CONTEXTS) >= 8:
        _CONTEXTS.pop(next(iter(_CONTEXTS)))
    _CONTEXTS[key] = (record, scenario, ctx)
    return ctx


def single_run(events: pd.DataFrame, alignments: Mapping[dt.date, Mapping[str, str]]) -> Ensemble:
    """An :class:`~calibration.ensemble.Ensemble` of one run from its events and alignments.

    Args:
        events: ``model.events()`` of the run.
        alignments: ``{date: model.alignment(date)}``.
    """
    return ensemble_from_runs([events], [alignments])


def ensemble_from_runs(
    events: Sequence[pd.DataFrame],
    alignments: Sequence[Mapping[dt.date, Mapping[str, str]]] | None = None,
    seeds: Sequence[int] | None = None,
) -> Ensemble:
    """An ensemble built from event logs (and alignments) given directly, e.g. in tests.

    Args:
        events: One event table per run (columns ``date, event_type, actor, target``; ``step``
            is optional).
        alignments: One ``{date: {actor: side}}`` per run.
        seeds: Labels of the runs (default ``0 .. n-1``).

    Returns:
        The ensemble; its dyads carry no covers (each party covers itself).
    """
    ev_parts, dy_parts, al_parts = [], [], []
    for k, ev in enumerate(events):
        ev = ev.copy()
        ev["date"] = pd.to_datetime(ev["date"])
        if "step" not in ev.columns:
            ev["step"] = 0
        ev["event_type"] = ev["event_type"].astype(str)
        ev["target"] = ev["target"].fillna("").astype(str)
        ev = ev[["step", "date", "event_type", "actor", "target"]]
        ev_parts.append(ev.assign(run=k))
        dy_parts.append(simulated_dyads(ev).assign(run=k))
        rows = []
        for d, sides in (alignments[k] if alignments is not None else {}).items():
            rows.extend((pd.Timestamp(d), a, s) for a, s in sides.items())
        al_parts.append(pd.DataFrame(rows, columns=["date", "actor", "side"]).assign(run=k))

    def cat(parts, cols):
        frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
        return frame[["run", *cols]]

    return Ensemble(
        seeds=list(seeds) if seeds is not None else list(range(len(events))),
        events=cat(ev_parts, ["step", "date", "event_type", "actor", "target"]),
        dyads=cat(
            dy_parts, ["step", "date", "event_type", "actor", "target", "a_cover", "b_cover"]
        ),
        alignments=cat(al_parts, ["date", "actor", "side"]),
    )


def run_scores(
    events: pd.DataFrame,
    alignments: Mapping[dt.date, Mapping[str, str]],
    record: Record | None,
    scenario: Scenario,
    start: dt.date | None,
    end: dt.date | None,
) -> dict[str, float]:
    """Scores of ONE run against the record (for parameter sweeps).

    Args:
        events: The run's ``model.events()``.
        alignments: ``{date: model.alignment(date)}`` on the dates to compare (may be empty).
        record: The record (``None``: the shipped one).
        scenario: The scenario the run used.
        start: First day of the window (``None``: the scenario's start).
        end: Last day of the window (``None``: the scenario's end).

    Returns:
        ``hit_rate`` (share of recorded events reproduced at actor level within the
        tolerance), ``timing_error_months`` (mean absolute), ``brier``, ``brier_skill``,
        ``log``, ``log_skill`` (the run's events as 0/1 forecasts), ``count_error`` (mean
        absolute error of counts per quarter and type), ``ari`` (mean over the given dates
        after the window's first day; NaN without dates).
    """
    dates = sorted(pd.Timestamp(d).date() for d in alignments)
    ctx = _context(record, scenario, start, end, dates)
    result = compare_ensemble(ctx, single_run(events, alignments))
    h = result.headline.set_index("score")
    return {
        "hit_rate": float(h.loc["hit_rate", "model"]),
        "timing_error_months": float(h.loc["timing_error_months", "model"]),
        "brier": float(h.loc["brier", "model"]),
        "brier_skill": float(h.loc["brier", "skill"]),
        "log": float(h.loc["log", "model"]),
        "log_skill": float(h.loc["log", "skill"]),
        "count_error": float(h.loc["count_error", "model"]),
        "ari": float(h.loc["ari", "model"]),
    }


def key_pairs(ctx: ComparisonContext, n: int = 8) -> list[tuple[str, str]]:
    """The ``n`` (class, pair) combinations with the most recorded events in the window."""
    rec = ctx.window_dyads
    rec = rec[rec["mappable"]]
    top = rec.groupby(["cls", "pair"]).size().sort_values(ascending=False, kind="stable")
    return [tuple(x) for x in top.index[:n].tolist()]


def _halves(start: dt.date, end: dt.date) -> list[str]:
    out = []
    for y in range(start.year, end.year + 1):
        for h, (m0, m1) in ((1, (1, 6)), (2, (7, 12))):
            if dt.date(y, m0, 1) <= end and dt.date(y, m1, 28) >= start:
                out.append(f"{y}H{h}")
    return out


def _half_of(dates: pd.Series) -> np.ndarray:
    return (dates.dt.year.astype(str) + "H" + np.where(dates.dt.month <= 6, "1", "2")).to_numpy()


def _statistics(ctx, events, dyads, ari_by_date) -> dict[str, float]:
    out: dict[str, float] = {}
    ev = events[in_window(events["date"], ctx.start, ctx.end)]
    halves = _halves(ctx.start, ctx.end)
    counts = (
        pd.DataFrame({"half": _half_of(ev["date"]), "t": ev["event_type"].astype(str)})
        .groupby(["half", "t"])
        .size()
    )
    for h in halves:
        for t in EVENT_TYPES:
            out[f"count.{t}.{h}"] = float(counts.get((h, t), 0))
    dy = dyads[in_window(dyads["date"], ctx.start, ctx.end)]
    months = (
        pd.DataFrame({"m": dy["date"].dt.to_period("M"), "cls": dy["cls"], "pair": dy["pair"]})
        .drop_duplicates()
        .groupby(["cls", "pair"])
        .size()
    )
    for cls, pair in key_pairs(ctx):
        out[f"pair.{cls}.{pair}"] = float(months.get((cls, pair), 0))
    for d, v in ari_by_date.items():
        out[f"ari.{d.isoformat()}"] = float(v)
    return out


def summary_statistics(
    events: pd.DataFrame,
    alignments: Mapping[dt.date, Mapping[str, str]],
    record: Record | None,
    scenario: Scenario,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, float]:
    """Summary statistics of one run, for calibration (e.g. ABC-SMC distances).

    Args:
        events: The run's ``model.events()``.
        alignments: ``{date: model.alignment(date)}``.
        record: The record (``None``: the shipped one).
        scenario: The scenario the run used.
        start: First day of the window (``None``: the scenario's start).
        end: Last day of the window (``None``: the scenario's end).

    Returns:
        ``count.<type>.<YYYY>H<1|2>``: events of each type per half-year;
        ``pair.<class>.<pair>``: months with an event of that class on each of the 8 (class,
        pair) combinations most frequent in the record (see :func:`key_pairs`);
        ``ari.<date>``: adjusted Rand index with the recorded alignment on each date given.
        :func:`observed_statistics` gives the record's values under the same names.
    """
    dates = sorted(pd.Timestamp(d).date() for d in alignments)
    ctx = _context(record, scenario, start, end, dates)
    ens = single_run(events, alignments)
    dyads = key_dyads(ens.dyads, ctx.mapping)
    ari = {}
    for d0, sides in alignments.items():
        d = pd.Timestamp(d0).date()
        ari[d], _ = partition_agreement(dict(sides), recorded_sides(ctx.history, ctx.mapping, d))
    return _statistics(ctx, ens.events, dyads, ari)


def observed_statistics(
    record: Record | None,
    scenario: Scenario,
    start: dt.date | None = None,
    end: dt.date | None = None,
    dates: Sequence[dt.date] = (),
) -> dict[str, float]:
    """The record's values of :func:`summary_statistics` (ARI with itself: 1)."""
    ctx = _context(record, scenario, start, end, sorted(dates))
    rec_dyads = ctx.dyads[ctx.dyads["mappable"]]
    return _statistics(ctx, ctx.record.events, rec_dyads, dict.fromkeys(ctx.dates, 1.0))
