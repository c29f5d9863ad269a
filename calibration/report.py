"""The comparison report: a Markdown file with PNG plots and CSV tables beside it.

:func:`write_report` writes into one folder:

* ``report.md``: the headline scores beside the null model, warnings, scores per class, the
  plots, every recorded event of the window with its probability, the alignment agreement
  and the record-to-scenario mapping;
* ``counts.png``: events per quarter and type, ensemble median and 90% band beside the record
  and the null;
* ``timeline.png``: for the pairs with the most recorded events, the share of runs with an
  event in each month (shading) and the recorded events (markers);
* ``alignment.png``: adjusted Rand index over time, median and 90% band, beside persistence;
* ``headline.csv``, ``event_probabilities.csv``, ``counts.csv``, ``alignment.csv``,
  ``scores_by_class.csv``, ``mapping.csv``: the tables.

Plots are drawn on matplotlib ``Figure`` objects with the Agg canvas (no pyplot, no global
backend change). This module only writes files into the folder it is given.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from calibration.dyads import CLASSES, PAIR_SEP
from sim.eventlog import EVENT_TYPES

if TYPE_CHECKING:
    from calibration.comparison import ComparisonResult

CLASS_COLOURS = {
    "merge/join": "#1b9e77",
    "defect/split": "#d95f02",
    "alliance": "#7570b3",
    "fight": "#e7298a",
    "truce": "#66a61e",
    "dissolve": "#444444",
}
SCORE_NOTES = {
    "hit_rate": "mean probability that a run reproduces a recorded event (actor level)",
    "coalition_hit_rate": "the same, an event involving a member counting for its coalition",
    "timing_error_months": "mean absolute timing error of reproduced events (months)",
    "brier": "Brier score of monthly probabilities per class and active pair (lower is better)",
    "log": "log score of the same (lower is better; probabilities clipped)",
    "count_error": "mean absolute error of the median count per quarter and type",
    "band_coverage": "share of recorded quarterly counts inside the 90% band (0.9 is ideal)",
    "ari": "adjusted Rand index of simulated vs recorded alignment (null: persistence)",
    "coverage": "share of recorded dyads the scenario can express at all",
}


def _fmt(v) -> str:
    if isinstance(v, float | np.floating):
        return "-" if not np.isfinite(v) else f"{v:.4g}"
    return str(v)


def markdown_table(df: pd.DataFrame, columns: list[str] | None = None) -> str:
    """A DataFrame as a Markdown table (floats to four significant digits, NaN as ``-``)."""
    cols = columns or list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "| " + " | ".join("---" for _ in cols) + " |"]
    for row in df[cols].itertuples(index=False):
        cells = [_fmt(v).replace("|", "\\|").replace("\n", " ") for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=110)
    FigureCanvasAgg(fig)
    return fig


def plot_counts(result: ComparisonResult, path: Path) -> Path:
    """Events per quarter and type: median and 90% band, record, null."""
    c = result.counts
    quarters = list(dict.fromkeys(c["quarter"]))
    x = np.arange(len(quarters))
    fig = _figure(12, 9)
    axes = fig.subplots(4, 2, sharex=True).ravel()
    for ax, t in zip(axes, EVENT_TYPES, strict=True):
        g = c[c["event_type"] == t].set_index("quarter").reindex(quarters)
        ax.fill_between(x, g["low"], g["high"], color="#9ecae1", alpha=0.6, label="90% band")
        ax.plot(x, g["median"], color="#08519c", lw=1.5, label="ensemble median")
        ax.plot(x, g["null"], color="#777777", lw=1, ls="--", label="null model")
        ax.plot(x, g["record"], "o", color="black", ms=4, label="record")
        ax.set_title(t, fontsize=10)
        ax.grid(alpha=0.3)
    step = max(1, len(quarters) // 8)
    for ax in axes[-2:]:
        ax.set_xticks(x[::step])
        ax.set_xticklabels(quarters[::step], rotation=45, fontsize=8)
    axes[0].legend(fontsize=7, loc="upper right")
    fig.suptitle("Events per quarter: record vs ensemble", fontsize=12)
    fig.tight_layout()
    fig.savefig(path)
    return path


def plot_alignment(result: ComparisonResult, path: Path) -> Path:
    """Adjusted Rand index over the comparison dates."""
    a = result.alignment
    fig = _figure(8, 4)
    ax = fig.subplots()
    if len(a):
        d = pd.to_datetime(a["date"])
        ax.fill_between(
            d, a["ari_low"], a["ari_high"], color="#c7e9c0", alpha=0.8, label="90% band"
        )
        ax.plot(d, a["ari_median"], "o-", color="#238b45", label="ensemble median")
        ax.plot(d, a["ari_null"], "s--", color="#777777", label="null: persistence")
    ax.axhline(0, color="black", lw=0.5)
    ax.set_ylim(-0.3, 1.05)
    ax.set_ylabel("adjusted Rand index")
    ax.set_title("Alignment agreement with the record")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path)
    return path


def pair_label(pair: str, labels: dict[str, str]) -> str:
    """A pair key with each key replaced by its most used record name."""
    return " - ".join(labels.get(k, k) for k in pair.split(PAIR_SEP))


def key_labels(result: ComparisonResult) -> dict[str, str]:
    """Key -> the record name most often behind it among the window's events."""
    ep = result.event_probabilities
    counts: dict[str, dict[str, int]] = {}
    for col in ("actor", "target"):
        for name, pair in zip(ep[col], ep["pair"], strict=True):
            if not name or pair is None or not isinstance(pair, str):
                continue
            m = result.mapping
            key = m.loc[m["record_name"] == name, "key"]
            if len(key) and key.iloc[0]:
                counts.setdefault(key.iloc[0], {}).setdefault(name, 0)
                counts[key.iloc[0]][name] += 1
    return {k: max(v, key=v.get) for k, v in counts.items()}


def plot_timeline(result: ComparisonResult, path: Path) -> Path:
    """Recorded events vs the ensemble's monthly share of runs with an event, per pair."""
    tl, rec = result.timeline, result.record_timeline
    pairs = list(dict.fromkeys(tl["pair"])) if len(tl) else []
    labels = key_labels(result)
    fig = _figure(12, max(2.5, 0.55 * len(pairs) + 1.5))
    ax = fig.subplots()
    if pairs:
        months = list(dict.fromkeys(tl["month"]))
        grid = tl.pivot(index="pair", columns="month", values="p_any").reindex(
            index=pairs, columns=months
        )
        starts = pd.to_datetime([m.start_time for m in months])
        ends = pd.to_datetime([m.end_time for m in months])
        from matplotlib.dates import date2num

        x0, x1 = date2num(starts[0]), date2num(ends[-1])
        values = grid.to_numpy(dtype=float)
        top = float(np.nanmax(values)) if values.size else 0.0
        im = ax.imshow(
            values,
            aspect="auto",
            cmap="Blues",
            vmin=0,
            vmax=max(0.1, np.ceil(top * 10) / 10),
            extent=(x0, x1, len(pairs) - 0.5, -0.5),
            interpolation="nearest",
        )
        fig.colorbar(im, ax=ax, label="share of runs with an event that month", pad=0.01)
        row = {p: k for k, p in enumerate(pairs)}
        for cls in CLASSES:
            r = rec[rec["cls"] == cls]
            if len(r):
                ax.scatter(
                    date2num(pd.to_datetime(r["date"])),
                    [row[p] for p in r["pair"]],
                    s=40,
                    color=CLASS_COLOURS[cls],
                    edgecolor="white",
                    linewidths=0.6,
                    zorder=3,
                    label=f"recorded {cls}",
                )
        ax.set_yticks(range(len(pairs)))
        ax.set_yticklabels([pair_label(p, labels) for p in pairs], fontsize=8)
        ax.xaxis_date()
        ax.set_xlim(x0, x1)
        ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.12, 1.0))
    else:
        ax.text(0.5, 0.5, "no recorded event the scenario can express", ha="center")
    ax.set_title("Pairs with the most recorded events: record (markers) vs ensemble (shading)")
    fig.tight_layout()
    fig.savefig(path)
    return path


def write_report(result: ComparisonResult, out_dir: Path) -> Path:
    """Write the report, plots and tables into ``out_dir`` (created if missing)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tables = {
        "headline.csv": result.headline,
        "event_probabilities.csv": result.event_probabilities,
        "counts.csv": result.counts,
        "alignment.csv": result.alignment,
        "scores_by_class.csv": result.scores_by_class,
        "mapping.csv": result.mapping,
    }
    for name, df in tables.items():
        df.to_csv(out_dir / name, index=False)
    plot_counts(result, out_dir / "counts.png")
    plot_timeline(result, out_dir / "timeline.png")
    plot_alignment(result, out_dir / "alignment.png")

    m = result.meta
    lines = [
        f"# Comparison with the historical record: {m.get('scenario', '')}",
        "",
        f"- window: {m.get('start')} .. {m.get('end')}",
        f"- {m.get('rules', 'rules: not recorded')}",
        f"- ensemble: {m.get('runs')} runs, seed {m.get('seed', '-')}, "
        f"{m.get('workers')} worker(s), {m.get('elapsed', 0.0):.1f} s of runs",
        f"- record: `{m.get('record')}`, {m.get('record_events')} events in the window "
        f"({m.get('record_dyads')} dyads; {m.get('mappable_events', 0):.0f} events the scenario "
        "can express)",
        f"- per-event match tolerance: +/- {m.get('tolerance_months')} months; "
        f"active pairs: {m.get('active_pairs')} two-party, {m.get('active_actors')} one-party",
        f"- null model: {m.get('null_method')} -- {m.get('null_note')}",
    ]
    if m.get("command"):
        lines.append(f"- command: `{m['command']}`")
    lines += ["", "How to read this report: `docs/comparison.md`.", ""]
    if result.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in result.warnings] + [""]
    head = result.headline.copy()
    head["meaning"] = [SCORE_NOTES.get(s, "") for s in head["score"]]
    lines += [
        "## Headline scores",
        "",
        "Skill is 1 for a perfect model, 0 for one no better than the null, negative for worse.",
        "",
        markdown_table(head),
        "",
        "## Scores per class of event",
        "",
        markdown_table(result.scores_by_class),
        "",
        "## Counts per quarter",
        "",
        "![counts](counts.png)",
        "",
        _totals(result.counts),
        "",
        "## Timeline of the most recorded pairs",
        "",
        "![timeline](timeline.png)",
        "",
        "## Alignment agreement",
        "",
        "![alignment](alignment.png)",
        "",
        markdown_table(result.alignment),
        "",
        "## Recorded events in the window",
        "",
        "`probability`: share of runs reproducing the event (same class, same pair, within the "
        "tolerance); `coalition_probability`: the same when an event involving a member counts "
        "for its coalition; `timing_error_months`: median of simulated minus recorded date "
        "over the runs that reproduce it. Multi-party events have one row per dyad (`part`).",
        "",
        markdown_table(
            result.event_probabilities,
            [
                "event_id",
                "part",
                "date",
                "event_type",
                "actor",
                "target",
                "probability",
                "coalition_probability",
                "timing_error_months",
                "null_probability",
            ],
        ).replace(" 00:00:00", ""),
        "",
        "## How record names map to the scenario",
        "",
        markdown_table(result.mapping),
        "",
    ]
    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _totals(counts: pd.DataFrame) -> str:
    t = counts.groupby("event_type", sort=False)[["record", "median", "null"]].sum()
    t = t.reindex(list(EVENT_TYPES)).reset_index()
    t.columns = ["event_type", "record (window)", "sum of quarterly medians", "null"]
    return markdown_table(t)
