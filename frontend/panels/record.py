"""The historical record over the simulated dates, beside the simulated events.

Shows the recorded events (``calibration/record/events.csv``) dated between the scenario's
start and the simulated date, and a timeline with one row per event type: recorded events
above each row's line, simulated ones below, and the simulated date as a vertical line. The
record is read once per server process (it is the package's own file, not a browser-named
path). Only reads the model and the record.
"""

from __future__ import annotations

import datetime as dt
import functools
import html

import pandas as pd
import solara

from frontend import config
from frontend.panels.events import events_frame
from frontend.panels.palette import event_colour
from sim.eventlog import EVENT_TYPES
from sim.model import CoalitionModel

WIDTH = 720
ROW = 22
LEFT, RIGHT, TOP, BOTTOM = 70, 16, 10, 26


@functools.lru_cache(maxsize=1)
def record_events() -> pd.DataFrame:
    """The record's events, with ``date`` parsed (empty if the file is missing)."""
    path = config.record_events_path()
    if not path.is_file():
        return pd.DataFrame(columns=["event_id", "date", "event_type", "actor", "target"])
    df = pd.read_csv(path, dtype=str).fillna("")
    df["date"] = pd.to_datetime(df["date"], errors="coerce")
    return df.dropna(subset=["date"]).sort_values("date").reset_index(drop=True)


def record_between(start: dt.date, end: dt.date) -> pd.DataFrame:
    """Recorded events dated in ``[start, end]``."""
    df = record_events()
    keep = (df["date"] >= pd.Timestamp(start)) & (df["date"] <= pd.Timestamp(end))
    return df[keep]


def timeline_svg(
    simulated: pd.DataFrame,
    recorded: pd.DataFrame,
    start: dt.date,
    end: dt.date,
    now: dt.date,
) -> str:
    """Recorded (triangles, above) and simulated (dots, below) events by type over time."""
    esc = html.escape
    types = list(EVENT_TYPES)
    extra = sorted(set(map(str, simulated["event_type"])) - set(types))
    types += extra
    height = TOP + BOTTOM + ROW * len(types)
    w = WIDTH - LEFT - RIGHT
    span = max(1, (end - start).days)

    def px(d) -> float:
        days = (d.date() if isinstance(d, pd.Timestamp) else d) - start
        return LEFT + w * min(max(days.days, 0), span) / span

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'style="max-width:{WIDTH}px;background:#fff" font-family="sans-serif" role="img" '
        'aria-label="recorded and simulated events over time">'
    ]
    for year in range(start.year, end.year + 2):
        d = dt.date(year, 1, 1)
        if start <= d <= end:
            x = px(d)
            out.append(
                f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height - BOTTOM}" '
                f'stroke="#e0e0e0"/><text x="{x:.1f}" y="{height - BOTTOM + 14}" '
                f'font-size="10" text-anchor="middle">{year}</text>'
            )
    rows = {t: TOP + ROW * k + ROW / 2 for k, t in enumerate(types)}
    for t, y in rows.items():
        out.append(
            f'<line x1="{LEFT}" y1="{y}" x2="{LEFT + w}" y2="{y}" stroke="#eeeeee"/>'
            f'<text x="{LEFT - 6}" y="{y + 4}" font-size="10" text-anchor="end">{t}</text>'
        )
    for kind, date, actor, target in zip(
        recorded["event_type"].astype(str),
        recorded["date"],
        recorded["actor"],
        recorded["target"],
        strict=True,
    ):
        if kind not in rows:
            continue
        x, y = px(date), rows[kind]
        title = esc(f"record {date:%Y-%m-%d}: {actor} → {target}")
        out.append(
            f'<path d="M{x - 4:.1f},{y - 2:.1f} L{x + 4:.1f},{y - 2:.1f} L{x:.1f},{y - 9:.1f} Z" '
            f'fill="none" stroke="{event_colour(kind)}" stroke-width="1.4">'
            f"<title>{title}</title></path>"
        )
    for kind, date, actor, target in zip(
        simulated["event_type"].astype(str),
        pd.to_datetime(simulated["date"]),
        simulated["actor"],
        simulated["target"],
        strict=True,
    ):
        x, y = px(date), rows[kind]
        title = esc(f"simulated {date:%Y-%m-%d}: {actor} → {target}")
        out.append(
            f'<circle cx="{x:.1f}" cy="{y + 5:.1f}" r="3" fill="{event_colour(kind)}" '
            f'fill-opacity="0.8"><title>{title}</title></circle>'
        )
    x = px(now)
    out.append(
        f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{height - BOTTOM}" stroke="#212121" '
        f'stroke-dasharray="3 3"/><text x="{LEFT}" y="{height - 4}" font-size="10">'
        "▽ recorded (above the line) · ● simulated (below) · dashed: simulated date</text>"
    )
    out.append("</svg>")
    return "".join(out)


@solara.component
def RecordView(model: CoalitionModel, version: int = 0):
    """Recorded events up to the simulated date, and the timeline of both."""
    rec = solara.use_memo(
        lambda: record_between(model.start, model.date), dependencies=[model, version]
    )
    with solara.Card("Recorded events, same dates", classes=["coalsim-record"]):
        solara.Text(
            f"{len(rec)} recorded events from {model.start} to {model.date} "
            "(historical record of north-west Syria, calibration/record/events.csv)",
            classes=["coalsim-record-count"],
        )
        table = rec[["date", "event_type", "actor", "target", "description"]].iloc[::-1]
        table = table.assign(date=table["date"].dt.strftime("%Y-%m-%d")).reset_index(drop=True)
        solara.DataFrame(table, items_per_page=8)


@solara.component
def TimelineView(model: CoalitionModel, version: int = 0):
    """Recorded and simulated events by type over the scenario's dates."""

    def compute():
        sim = events_frame(model)
        return timeline_svg(
            sim, record_between(model.start, model.end), model.start, model.end, model.date
        )

    svg = solara.use_memo(compute, dependencies=[model, version])
    with solara.Card("Timeline: recorded and simulated events", classes=["coalsim-timeline"]):
        solara.HTML(tag="div", unsafe_innerHTML=svg)
