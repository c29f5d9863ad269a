"""Fighters by side over time: one line per coalition or independent group.

The largest sides (by their peak strength so far) get their own line, coalitions in their
colour (:mod:`frontend.panels.palette`); the rest are summed as "others". The data come from
:attr:`frontend.state.SessionModel.side_history` (one entry per step, kept by the model's
step) or, for a plain model, from its time series. The chart is an SVG string built here, which
takes milliseconds, so a redraw per step stays cheap while *Play* runs. Only reads the model.
"""

from __future__ import annotations

import datetime as dt
import html

import solara

from frontend.panels.palette import coalition_colour
from sim.model import CoalitionModel
from sim.state import Kind

TOP = 8
GROUP_COLOURS = ("#7f7f7f", "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#fdae6b", "#a1d99b")
OTHERS = "others"
WIDTH, PLOT_HEIGHT = 640, 300
LEFT, RIGHT, TOP_PAD, BOTTOM = 56, 12, 14, 30
LEGEND_ROW = 16


def side_history(model: CoalitionModel) -> list[tuple[dt.date, dict[str, float]]]:
    """``(date, {side: fighters})`` for each step so far (read under the model's lock)."""
    hist = getattr(model, "side_history", None)
    if hist is not None:
        with model.lock:
            return list(hist)
    frame = model.timeseries.frame()
    sides = frame[frame["actor"] == frame["side"]]
    out = []
    for date, rows in sides.groupby("date", sort=True):
        out.append((date.date(), dict(zip(rows["actor"], rows["fighters"], strict=True))))
    return out


def side_series(
    history: list[tuple[dt.date, dict[str, float]]], top: int = TOP
) -> tuple[list[dt.date], dict[str, list[float | None]]]:
    """Dates and one series per large side (``None`` where it does not exist), plus others."""
    dates = [d for d, _ in history]
    peak: dict[str, float] = {}
    for _, sides in history:
        for name, f in sides.items():
            peak[name] = max(peak.get(name, 0.0), f)
    ranked = sorted(peak, key=lambda k: (-peak[k], k))
    keep = ranked[:top] if len(ranked) > top + 1 else ranked
    series: dict[str, list[float | None]] = {k: [] for k in keep}
    rest = [k for k in ranked if k not in series]
    if rest:
        series[OTHERS] = []
    for _, sides in history:
        for k in keep:
            series[k].append(sides.get(k))
        if rest:
            series[OTHERS].append(sum(sides.get(k, 0.0) for k in rest))
    return dates, series


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    step = 10 ** len(str(int(v))) / 10
    for m in (1, 2, 2.5, 5, 10):
        if v <= m * step:
            return m * step
    return 10 * step


def chart_svg(
    dates: list[dt.date],
    series: dict[str, list[float | None]],
    colours: dict[str, str],
    start: dt.date,
    end: dt.date,
) -> str:
    """An SVG line chart of ``series`` over ``dates`` between ``start`` and ``end``."""
    esc = html.escape
    w, h = WIDTH - LEFT - RIGHT, PLOT_HEIGHT
    legend_rows = (len(series) + 1) // 2
    height = TOP_PAD + h + BOTTOM + LEGEND_ROW * legend_rows + 6
    span = max(1, (end - start).days)
    ymax = _nice_max(max((v for s in series.values() for v in s if v is not None), default=1.0))

    def px(d: dt.date) -> float:
        return LEFT + w * (d - start).days / span

    def py(v: float) -> float:
        return TOP_PAD + h * (1.0 - v / ymax)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'style="max-width:{WIDTH}px;background:#fff" font-family="sans-serif" role="img" '
        'aria-label="fighters by side over time">'
    ]
    for k in range(5):
        v = ymax * k / 4
        y = py(v)
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + w}" y2="{y:.1f}" stroke="#e0e0e0"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{v:,.0f}</text>'
        )
    for year in range(start.year, end.year + 1):
        for month in (1, 7):
            d = dt.date(year, month, 1)
            if start <= d <= end:
                x = px(d)
                label = str(year) if month == 1 else f"{year}-07"
                out.append(
                    f'<line x1="{x:.1f}" y1="{TOP_PAD}" x2="{x:.1f}" y2="{TOP_PAD + h}" '
                    f'stroke="#eeeeee"/><text x="{x:.1f}" y="{TOP_PAD + h + 16}" font-size="10" '
                    f'text-anchor="middle">{label}</text>'
                )
    out.append(
        f'<rect x="{LEFT}" y="{TOP_PAD}" width="{w}" height="{h}" fill="none" stroke="#9e9e9e"/>'
        f'<text x="12" y="{TOP_PAD + h / 2:.0f}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP_PAD + h / 2:.0f})">fighters</text>'
    )
    for k, (name, values) in enumerate(series.items()):
        colour = colours.get(name, "#9e9e9e")
        runs: list[list[str]] = [[]]
        for d, v in zip(dates, values, strict=True):
            if v is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append(f"{px(d):.1f},{py(v):.1f}")
        for pts in runs:
            if len(pts) == 1:
                x, y = pts[0].split(",")
                out.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{colour}"/>')
            elif pts:
                out.append(
                    f'<polyline points="{" ".join(pts)}" fill="none" stroke="{colour}" '
                    f'stroke-width="2"><title>{esc(name)}</title></polyline>'
                )
        label = name if len(name) <= 32 else name[:31] + "…"
        last = next((v for v in reversed(values) if v is not None), None)
        now = f" {last:,.0f}" if last is not None else " –"
        lx = LEFT + (k % 2) * (w / 2)
        ly = TOP_PAD + h + BOTTOM + 4 + LEGEND_ROW * (k // 2)
        out.append(
            f'<line x1="{lx:.0f}" y1="{ly}" x2="{lx + 16:.0f}" y2="{ly}" stroke="{colour}" '
            f'stroke-width="3"/><text x="{lx + 20:.0f}" y="{ly + 4}" font-size="11">'
            f"{esc(label)}{now}</text>"
        )
    out.append("</svg>")
    return "".join(out)


def colours_for(model: CoalitionModel, names: list[str]) -> dict[str, str]:
    """Coalitions in their colour, other sides from a muted palette, ``others`` light grey."""
    out, k = {}, 0
    index = model.actors.index
    for name in names:
        row = index.get(name)
        if name == OTHERS and row is None:
            out[name] = "#cfcfcf"
        elif row is not None and model.actors.kind[row] == Kind.COALITION:
            out[name] = coalition_colour(row)
        else:
            out[name] = GROUP_COLOURS[k % len(GROUP_COLOURS)]
            k += 1
    return out


def fighters_svg(model: CoalitionModel) -> str:
    """The chart of ``model`` so far."""
    dates, series = side_series(side_history(model))
    colours = colours_for(model, list(series))
    return chart_svg(dates, series, colours, model.start, model.end)


@solara.component
def FightersView(model: CoalitionModel, version: int = 0):
    """Fighters by coalition over time; ``version`` changes whenever the model has stepped."""
    svg = solara.use_memo(lambda: fighters_svg(model), dependencies=[model, version])
    with solara.Card("Fighters by coalition", classes=["coalsim-fighters"]):
        solara.HTML(tag="div", unsafe_innerHTML=svg)
