"""The network picture: groups sized by fighters, coloured by coalition, with their relations.

Nodes are the alive armed groups (a group's units count in its size). A group in a coalition
takes the coalition's colour and is tied to the coalition's leader by a thin line of that
colour; independent groups are grey. Relations are between *sides* (:meth:`CoalitionModel.
network`): each is drawn between the groups that act for the two sides (a coalition's leader,
or the group itself), styled by status: alliance, active fighting, truce, hostility.

Positions are computed once per model (spring layout with a fixed seed over the groups and
units of the start, pulling ideologically close groups and coalition partners together) and
kept in the model's cache; a unit that later becomes a group already has a place near its old
group, and any other new row gets a deterministic place from its name. So the picture changes
only when the state does. The picture is an SVG string built here (no matplotlib), with every
name escaped; this module only reads the model.
"""

from __future__ import annotations

import html
import math
import zlib

import networkx as nx
import numpy as np
import solara

from frontend.panels.palette import GREY, coalition_colour
from sim.model import CoalitionModel
from sim.state import Kind

WIDTH, HEIGHT = 720, 520
MARGIN = 48
MIN_R, MAX_R = 4.0, 34.0
LABELS = 14  # how many of the largest groups are named in the picture

EDGE_STYLE = {
    "alliance": {"stroke": "#2e7d32", "width": 2.5, "dash": ""},
    "fighting": {"stroke": "#c62828", "width": 3.5, "dash": ""},
    "truce": {"stroke": "#ef6c00", "width": 2.0, "dash": "7 4"},
    "hostile": {"stroke": "#9e9e9e", "width": 1.2, "dash": "2 4"},
}


def _hashed_unit(name: str) -> tuple[float, float]:
    h = zlib.crc32(name.encode("utf-8"))
    return ((h & 0xFFFF) / 0xFFFF, ((h >> 16) & 0xFFFF) / 0xFFFF)


def compute_layout(model: CoalitionModel) -> dict[int, tuple[float, float]]:
    """Positions in [0, 1]² of the groups and units alive at the model's current state.

    Deterministic: the same scenario gives the same layout whatever the seed.
    """
    a = model.actors
    n = a.n
    groups = [i for i in range(n) if a.alive[i] and a.kind[i] == Kind.GROUP]
    g = nx.Graph()
    g.add_nodes_from(groups)
    ideology = a.ideology
    for x, i in enumerate(groups):
        for j in groups[x + 1 :]:
            w = math.exp(-abs(float(ideology[i]) - float(ideology[j])) / 0.12)
            if a.parent[i] >= 0 and a.parent[i] == a.parent[j]:
                w += 2.0
            g.add_edge(i, j, weight=w)
    if len(groups) == 1:
        raw = {groups[0]: np.array([0.0, 0.0])}
    elif groups:
        raw = nx.spring_layout(g, seed=0, weight="weight", iterations=200)
    else:
        raw = {}
    pos: dict[int, tuple[float, float]] = {}
    if raw:
        xy = np.array(list(raw.values()), dtype=float)
        xy -= xy.mean(axis=0)
        if len(xy) > 2:  # main axis horizontal, so the picture fills its box
            _, vecs = np.linalg.eigh(np.cov(xy.T))
            xy = xy @ vecs[:, ::-1]
            # secular groups on the left, jihadist ones on the right
            ideo = np.array([float(ideology[int(i)]) for i in raw])
            if np.dot(xy[:, 0], ideo - ideo.mean()) < 0:
                xy[:, 0] *= -1.0
        lo, hi = xy.min(axis=0), xy.max(axis=0)
        span = np.where(hi - lo > 1e-9, hi - lo, 1.0)
        for i, q in zip(raw, (xy - lo) / span, strict=True):
            pos[int(i)] = (float(q[0]), float(q[1]))
    for i in range(n):
        if a.alive[i] and a.kind[i] == Kind.UNIT:
            pos[i] = _near(pos.get(int(a.parent[i])), a.names[i])
    return pos


def _near(anchor: tuple[float, float] | None, name: str) -> tuple[float, float]:
    u, v = _hashed_unit(name)
    if anchor is None:
        return (0.1 + 0.8 * u, 0.1 + 0.8 * v)
    angle = 2 * math.pi * u
    r = 0.05 + 0.04 * v
    return (
        min(1.0, max(0.0, anchor[0] + r * math.cos(angle))),
        min(1.0, max(0.0, anchor[1] + r * math.sin(angle))),
    )


def _cache(model: CoalitionModel) -> dict:
    cache = getattr(model, "cache", None)
    return cache if cache is not None else model.__dict__.setdefault("_frontend_cache", {})


def layout_of(model: CoalitionModel) -> dict[int, tuple[float, float]]:
    """The model's layout, computed on first use and kept in ``model.cache`` when it has one."""
    cache = _cache(model)
    if "layout" not in cache:
        cache["layout"] = compute_layout(model)
        cache["scale"] = float(max(1.0, np.max(model.totals[: model.actors.n], initial=1.0)))
    return cache["layout"]


def snapshot(model: CoalitionModel) -> dict:
    """What the picture needs, read from the model (hold ``model.lock`` while calling)."""
    a = model.actors
    n = a.n
    pos = layout_of(model)
    scale = _cache(model)["scale"]
    top = model.top
    nodes = []
    for i in range(n):
        if not (a.alive[i] and a.kind[i] == Kind.GROUP):
            continue
        if i not in pos:
            parent = int(a.parent[i])
            pos[i] = _near(pos.get(parent) if parent >= 0 else None, a.names[i])
        side = int(top[i])
        coalition = side if a.kind[side] == Kind.COALITION else -1
        nodes.append(
            {
                "row": i,
                "name": a.names[i],
                "fighters": float(model.totals[i]),
                "coalition": coalition,
                "coalition_name": a.names[coalition] if coalition >= 0 else "",
                "leader": coalition >= 0 and int(a.leader[coalition]) == i,
                "xy": pos[i],
            }
        )
    lead = {}
    for s in model.sides.tolist():
        lead[a.names[s]] = int(model.lead_group(np.array([s]))[0])
    edges = []
    for u, v, data in model.network().edges(data=True):
        if u in lead and v in lead and lead[u] in pos and lead[v] in pos:
            edges.append((lead[u], lead[v], data.get("status", "hostile")))
    coalitions = {}
    for node in nodes:
        c = node["coalition"]
        if c >= 0:
            entry = coalitions.setdefault(c, {"name": node["coalition_name"], "fighters": 0.0})
            entry["fighters"] += node["fighters"]
    return {"nodes": nodes, "edges": edges, "coalitions": coalitions, "scale": scale}


def _xy(p: tuple[float, float]) -> tuple[float, float]:
    return (MARGIN + p[0] * (WIDTH - 2 * MARGIN), MARGIN + p[1] * (HEIGHT - 2 * MARGIN - 40))


def radius(fighters: float, scale: float) -> float:
    """Circle radius: area proportional to fighters, the start's largest group at ``MAX_R``."""
    return MIN_R + (MAX_R - MIN_R) * math.sqrt(max(fighters, 0.0) / max(scale, 1.0))


def render_svg(snap: dict) -> str:
    """The picture of a :func:`snapshot` as an SVG document (names escaped)."""
    esc = html.escape
    nodes = {nd["row"]: nd for nd in snap["nodes"]}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" style="max-width:{WIDTH}px;background:#fff" '
        'font-family="sans-serif" role="img" aria-label="network of armed groups">'
    ]
    # Membership: a thin line from each member to its coalition's leader.
    leaders = {nd["coalition"]: nd for nd in snap["nodes"] if nd["leader"]}
    for nd in snap["nodes"]:
        c = nd["coalition"]
        if c >= 0 and not nd["leader"] and c in leaders:
            (x1, y1), (x2, y2) = _xy(nd["xy"]), _xy(leaders[c]["xy"])
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{coalition_colour(c)}" stroke-width="1" opacity="0.5"/>'
            )
    for u, v, status in snap["edges"]:
        if u not in nodes or v not in nodes:
            continue
        st = EDGE_STYLE.get(status, EDGE_STYLE["hostile"])
        (x1, y1), (x2, y2) = _xy(nodes[u]["xy"]), _xy(nodes[v]["xy"])
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        out.append(
            f'<line class="edge-{status}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
            f'y2="{y2:.1f}" stroke="{st["stroke"]}" stroke-width="{st["width"]}"{dash}>'
            f"<title>{esc(nodes[u]['name'])} – {esc(nodes[v]['name'])}: {status}</title></line>"
        )
    named = {
        nd["row"]
        for nd in sorted(snap["nodes"], key=lambda d: -d["fighters"])[:LABELS]
        if nd["fighters"] > 0
    }
    for nd in sorted(snap["nodes"], key=lambda d: -d["fighters"]):
        x, y = _xy(nd["xy"])
        r = radius(nd["fighters"], snap["scale"])
        c = nd["coalition"]
        fill = coalition_colour(c) if c >= 0 else GREY
        stroke = "#212121" if nd["leader"] else "#ffffff"
        width = 2.5 if nd["leader"] else 1.0
        member = f" ({esc(nd['coalition_name'])})" if c >= 0 else ""
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.2f}" fill="{fill}" fill-opacity="0.85" '
            f'stroke="{stroke}" stroke-width="{width}"><title>{esc(nd["name"])}{member}: '
            f"{nd['fighters']:,.0f} fighters</title></circle>"
        )
    for nd in snap["nodes"]:
        if nd["row"] in named:
            x, y = _xy(nd["xy"])
            r = radius(nd["fighters"], snap["scale"])
            name = nd["name"] if len(nd["name"]) <= 26 else nd["name"][:25] + "…"
            out.append(
                f'<text x="{x:.1f}" y="{y - r - 3:.1f}" font-size="10" text-anchor="middle" '
                f'fill="#212121" paint-order="stroke" stroke="#fff" stroke-width="3">'
                f"{esc(name)}</text>"
            )
    # Legend: relation styles, then coalitions by size.
    y0 = HEIGHT - 30
    x = 10.0
    for status, st in EDGE_STYLE.items():
        dash = f' stroke-dasharray="{st["dash"]}"' if st["dash"] else ""
        out.append(
            f'<line x1="{x:.0f}" y1="{y0}" x2="{x + 24:.0f}" y2="{y0}" stroke="{st["stroke"]}" '
            f'stroke-width="{st["width"]}"{dash}/>'
            f'<text x="{x + 28:.0f}" y="{y0 + 4}" font-size="11">{status}</text>'
        )
        x += 95
    out.append(
        f'<circle cx="{x + 6:.0f}" cy="{y0}" r="6" fill="{GREY}"/>'
        f'<text x="{x + 16:.0f}" y="{y0 + 4}" font-size="11">independent group</text>'
    )
    y1 = HEIGHT - 10
    x = 10.0
    coalitions = sorted(snap["coalitions"].items(), key=lambda kv: -kv[1]["fighters"])
    for c, info in coalitions[:4]:
        name = info["name"] if len(info["name"]) <= 24 else info["name"][:23] + "…"
        out.append(
            f'<circle cx="{x + 6:.0f}" cy="{y1 - 4}" r="6" fill="{coalition_colour(c)}"/>'
            f'<text x="{x + 16:.0f}" y="{y1}" font-size="11">{esc(name)} '
            f"({info['fighters']:,.0f})</text>"
        )
        x += 178
    out.append("</svg>")
    return "".join(out)


def network_svg(model: CoalitionModel) -> str:
    """The current picture of ``model`` (reads it under its lock when it has one)."""
    lock = getattr(model, "lock", None)
    if lock is None:
        return render_svg(snapshot(model))
    with lock:
        snap = snapshot(model)
    return render_svg(snap)


@solara.component
def NetworkView(model: CoalitionModel, version: int = 0):
    """The network picture of ``model``; ``version`` changes whenever the model has stepped."""
    svg = solara.use_memo(lambda: network_svg(model), dependencies=[model, version])
    with solara.Card("Groups and relations", classes=["coalsim-network"]):
        solara.HTML(tag="div", unsafe_innerHTML=svg, classes=["coalsim-network-svg"])
        solara.Text(
            "Size: fighters (with units). Colour: coalition; a thin line ties a member to its "
            "leader (dark ring). Hover for names.",
            style={"font-size": "12px", "color": "#616161"},
        )
