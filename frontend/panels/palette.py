"""Colours shared by the panels, so a coalition has the same colour in every picture.

A coalition's colour depends only on its row in the actor table (rows are never reused), so
it stays the same for the whole run. Pure functions; no state.
"""

from __future__ import annotations

GREY = "#b0b0b0"

# Tableau-like colours, readable on white, without grey.
COALITION_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#843c39",
)

EVENT_COLOURS = {
    "merge": "#1f77b4",
    "join": "#17becf",
    "defect": "#ff7f0e",
    "split": "#e377c2",
    "alliance": "#2ca02c",
    "fight": "#d62728",
    "truce": "#bcbd22",
    "dissolve": "#8c564b",
}


def coalition_colour(row: int) -> str:
    """Colour of the coalition in actor-table row ``row``."""
    return COALITION_COLOURS[row % len(COALITION_COLOURS)]


def event_colour(event_type: str) -> str:
    """Colour of an event type (grey for types not in the record's vocabulary)."""
    return EVENT_COLOURS.get(event_type, GREY)
