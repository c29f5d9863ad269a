"""The Ensemble page: N seeds of the Simulate page's model, compared with the record.

Runs :func:`calibration.comparison.run_comparison` in a background thread
(``solara.lab.task``, one per browser tab) with a progress bar, then shows the headline scores
against the null model and the probability of each recorded event. The scenario is the one the
Simulate page's model runs (with the settings it was built with), so an ensemble always matches
what the user has been stepping through. :mod:`calibration.comparison` is imported only when
an ensemble starts; if it is missing, the page says so. Reads the tab's state; writes nothing
but this page's own state.
"""

from __future__ import annotations

import datetime as dt
import html
import importlib.util
import os
import time
from dataclasses import dataclass
from typing import Any

import pandas as pd
import solara

from frontend import state
from frontend.panels.palette import event_colour
from sim.scenario import Scenario

MAX_RUNS = 2000
DEFAULT_RUNS = 20
HEADLINE_COLUMNS = ["score", "model", "null", "skill"]
EVENT_COLUMNS = [
    "event_id",
    "date",
    "event_type",
    "actor",
    "target",
    "probability",
    "coalition_probability",
    "timing_error_months",
]


class Cancelled(Exception):
    """Raised from the progress callback when the user cancelled or restarted the ensemble."""


@dataclass(frozen=True)
class EnsembleOutcome:
    """What the page shows of a finished ensemble."""

    label: str
    runs: int
    seed: int
    start: dt.date | None
    end: dt.date | None
    seconds: float
    headline: pd.DataFrame
    event_probabilities: pd.DataFrame
    warnings: tuple[str, ...] = ()


def comparison_available() -> bool:
    """Whether :mod:`calibration.comparison` can be imported."""
    try:
        return importlib.util.find_spec("calibration.comparison") is not None
    except ImportError:
        return False


def parse_day(text: str, label: str) -> dt.date | None:
    """``""`` -> ``None``; ``"2017-06-30"`` -> a date.

    Raises:
        ValueError: With a readable message for anything else.
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label}: expected a date YYYY-MM-DD, got {text!r}") from None


@solara.lab.task(prefer_threaded=True)
def ensemble_task(
    spec: Scenario,
    label: str,
    runs: int,
    seed: int,
    start: dt.date | None,
    end: dt.date | None,
    workers: int,
) -> EnsembleOutcome:
    """Run the comparison, reporting progress on the task (0..100)."""
    from calibration.comparison import run_comparison

    ensemble_task.progress = 0.0

    def progress(done: int, total: int) -> None:
        if not ensemble_task.is_current():
            raise Cancelled()
        ensemble_task.progress = 100.0 * done / max(total, 1)

    t0 = time.perf_counter()
    result = run_comparison(
        spec,
        runs=runs,
        seed=seed,
        start=start,
        end=end,
        workers=workers,
        progress=progress,
    )
    return EnsembleOutcome(
        label=label,
        runs=runs,
        seed=seed,
        start=start,
        end=end,
        seconds=time.perf_counter() - t0,
        headline=pd.DataFrame(result.headline),
        event_probabilities=pd.DataFrame(result.event_probabilities),
        warnings=tuple(str(w) for w in getattr(result, "warnings", ()) or ()),
    )


def probability_svg(probs: pd.DataFrame, width: int = 720, height: int = 200) -> str:
    """A bar per recorded event (in date order): its probability in the ensemble."""
    esc = html.escape
    if probs.empty or "probability" not in probs:
        return ""
    df = probs.sort_values(["date", "event_id"]) if "date" in probs else probs
    n = len(df)
    left, bottom, top = 40, 24, 10
    w, h = width - left - 10, height - bottom - top
    bw = w / n
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px;background:#fff" font-family="sans-serif" role="img" '
        'aria-label="probability of each recorded event">'
    ]
    for k in range(5):
        y = top + h * (1 - k / 4)
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">'
            f"{k / 4:.2g}</text>"
        )
    for k, (_, ev) in enumerate(df.iterrows()):
        p = float(ev.get("probability", 0.0) or 0.0)
        x = left + k * bw
        y = top + h * (1 - p)
        kind = str(ev.get("event_type", ""))
        title = esc(
            f"{ev.get('event_id', '')} {str(ev.get('date', ''))[:10]} {kind}: "
            f"{ev.get('actor', '')} → {ev.get('target', '')}: p={p:.2f}"
        )
        out.append(
            f'<rect x="{x + 0.5:.1f}" y="{y:.1f}" width="{max(bw - 1, 1):.1f}" '
            f'height="{top + h - y:.1f}" fill="{event_colour(kind)}"><title>{title}</title></rect>'
        )
    out.append(
        f'<text x="{left}" y="{height - 6}" font-size="10">recorded events in date order; '
        "bar = share of runs in which the event happened (hover for details)</text></svg>"
    )
    return "".join(out)


def table(df: pd.DataFrame, columns: list[str], digits: int = 3) -> pd.DataFrame:
    """The agreed ``columns`` (those present) for display: rounded, dates as text, no NaN."""
    out = df[[c for c in columns if c in df.columns]].copy()
    for col in out.columns:
        if pd.api.types.is_float_dtype(out[col]):
            out[col] = [("–" if pd.isna(v) else f"{v:.{digits}g}") for v in out[col]]
        elif pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    return out.astype(str).reset_index(drop=True)


@solara.component
def Results(outcome: EnsembleOutcome):
    """Scores and event probabilities of a finished ensemble."""
    window = f"{outcome.start or 'start'} to {outcome.end or 'end'}"
    solara.Success(
        f"{outcome.runs} runs of {outcome.label} (seed {outcome.seed}, {window}) in "
        f"{outcome.seconds:.1f} s.",
        dense=True,
        classes=["coalsim-ensemble-done"],
    )
    with solara.Card("Scores against the null model", classes=["coalsim-headline"]):
        solara.DataFrame(table(outcome.headline, HEADLINE_COLUMNS), items_per_page=20)
        solara.Text(
            "model: the ensemble's score; null: the null model's; skill: improvement over the "
            "null model (see calibration/comparison.py).",
            style={"font-size": "12px", "color": "#616161"},
        )
    probs = outcome.event_probabilities
    with solara.Card("Probability of each recorded event", classes=["coalsim-probabilities"]):
        svg = probability_svg(probs)
        if svg:
            solara.HTML(tag="div", unsafe_innerHTML=svg)
        solara.DataFrame(table(probs, EVENT_COLUMNS), items_per_page=15)
    for warning in outcome.warnings:
        solara.Warning(warning, dense=True)


@solara.component
def EnsemblePage():
    """The Ensemble page."""
    solara.use_effect(state.ensure_model, [])
    runs = solara.use_reactive(DEFAULT_RUNS)
    seed = solara.use_reactive(0)
    start = solara.use_reactive("")
    end = solara.use_reactive("")
    workers = solara.use_reactive(1)
    error = solara.use_reactive("")
    available = comparison_available()
    model = state.model.value

    def launch() -> None:
        if model is None:
            return
        try:
            s = parse_day(start.value, "start")
            e = parse_day(end.value, "end")
        except ValueError as exc:
            error.set(str(exc))
            return
        n = int(runs.value or 0)
        if not 1 <= n <= MAX_RUNS:
            error.set(f"runs: expected a number in [1, {MAX_RUNS}], got {n}")
            return
        if s is not None and e is not None and e <= s:
            error.set(f"end: expected a date after {s}, got {e}")
            return
        error.set("")
        w = max(1, min(int(workers.value or 1), os.cpu_count() or 1))
        ensemble_task(model.scenario_spec, model.label, n, int(seed.value or 0), s, e, w)

    with solara.Column(classes=["coalsim-ensemble"]):
        solara.Markdown(
            "Run the Simulate page's model with many seeds and compare it with the historical "
            "record: how often each recorded event happens, and scores against a null model."
        )
        if model is None:
            solara.Text("Opening the scenario…")
            return
        solara.Text(
            f"Scenario: {state.model_summary(model)} (change it on the Simulate page).",
            classes=["coalsim-ensemble-scenario"],
        )
        if not available:
            solara.Warning(
                "The comparison (calibration/comparison.py) is not installed; ensembles are "
                "not available.",
                classes=["coalsim-no-comparison"],
            )
        with solara.Row(style={"flex-wrap": "wrap", "align-items": "center"}):
            solara.InputInt("Runs (seeds)", value=runs, classes=["coalsim-runs"])
            solara.InputInt("First seed", value=seed, classes=["coalsim-ensemble-seed"])
            solara.InputText(
                "From (YYYY-MM-DD, blank: start)", value=start, classes=["coalsim-from"]
            )
            solara.InputText("To (YYYY-MM-DD, blank: end)", value=end, classes=["coalsim-to"])
            solara.InputInt(
                f"Workers (1-{os.cpu_count() or 1})", value=workers, classes=["coalsim-workers"]
            )
        with solara.Row():
            solara.Button(
                "Run ensemble",
                on_click=launch,
                color="primary",
                disabled=not available or ensemble_task.pending,
                classes=["coalsim-run-ensemble"],
            )
            if ensemble_task.pending:
                solara.Button("Cancel", on_click=ensemble_task.cancel, text=True)
        if error.value:
            solara.Error(error.value, classes=["coalsim-ensemble-error"])
        if ensemble_task.pending:
            progress: Any = ensemble_task.progress
            solara.ProgressLinear(progress if progress else True)
            solara.Text(f"running… {progress or 0:.0f}%", classes=["coalsim-progress"])
        elif ensemble_task.error and not isinstance(ensemble_task.exception, Cancelled):
            solara.Error(f"The ensemble failed: {ensemble_task.exception}")
        elif ensemble_task.cancelled:
            solara.Info("Cancelled.")
        if ensemble_task.finished and ensemble_task.value is not None:
            Results(ensemble_task.value)
