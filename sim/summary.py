"""A short text summary of a finished run: rules' origin, events by type, the sides at the end."""

from __future__ import annotations

import pandas as pd

from sim.eventlog import EVENT_TYPES
from sim.state import Kind


def summarise(model, events: pd.DataFrame, elapsed: float | None = None) -> str:
    """Where the rule parameters come from, events by type, the sides at the end.

    The sides are the coalitions and the strongest independent groups.
    """
    a = model.actors
    lines = [
        f"scenario {model.scenario_spec.name!r}: {model.start} .. {model.date} "
        f"({model.steps} steps of {model.step_days} days"
        + (f", {elapsed:.2f} s)" if elapsed is not None else ")")
    ]
    lines.append(model.scenario_spec.rules_origin())
    counts = events["event_type"].value_counts()
    lines.append(
        "events: "
        + ", ".join(f"{t} {int(counts.get(t, 0))}" for t in EVENT_TYPES)
        + f" (total {len(events)})"
    )
    sides = sorted(model.sides.tolist(), key=lambda s: -model.totals[s])
    coalitions = [s for s in sides if a.kind[s] == Kind.COALITION]
    lines.append(f"coalitions at the end: {len(coalitions)}")
    for c in coalitions:
        members = ", ".join(a.names[g] for g in a.members(c).tolist())
        lead = a.names[a.leader[c]] if a.leader[c] >= 0 else "-"
        lines.append(
            f"  {a.names[c]}: {model.totals[c]:,.0f} fighters, led by {lead}; members: {members}"
        )
    solo = [s for s in sides if a.kind[s] == Kind.GROUP]
    lines.append(f"independent groups at the end: {len(solo)}")
    for g in solo[:10]:
        lines.append(f"  {a.names[g]}: {model.totals[g]:,.0f} fighters")
    if len(solo) > 10:
        lines.append(f"  ... and {len(solo) - 10} more")
    return "\n".join(lines)
