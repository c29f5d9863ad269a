"""The simulated event log: a table filterable by event type and group, with each event's causes.

``causes`` is the model's record of why each decision was taken (the terms of the rule's
hazard or utility and their signed contributions, see :mod:`sim.eventlog`). The newest events
come first. Only reads the model (under its lock when it has one).
"""

from __future__ import annotations

import pandas as pd
import solara

from sim.model import CoalitionModel

COLUMNS = ["step", "date", "event_type", "actor", "target", "causes"]
ALL = "(all groups)"


def events_frame(model: CoalitionModel) -> pd.DataFrame:
    """The model's event log (read under its lock when it has one)."""
    lock = getattr(model, "lock", None)
    if lock is None:
        return model.events()
    with lock:
        return model.events()


def involved(events: pd.DataFrame) -> list[str]:
    """Every actor or target named in ``events`` (targets may list several, ``;``-separated)."""
    names: set[str] = set()
    for col in ("actor", "target"):
        for value in events[col].dropna().astype(str):
            names.update(n for n in value.split(";") if n)
    return sorted(names)


def filter_events(events: pd.DataFrame, types: list[str], group: str | None) -> pd.DataFrame:
    """Events of the given types (all if empty) that involve ``group`` (any if ``None``/ALL)."""
    out = events
    if types:
        out = out[out["event_type"].isin(types)]
    if group and group != ALL:
        targets = out["target"].fillna("").astype(str).str.split(";")
        hit = (out["actor"] == group) | targets.map(lambda names: group in names)
        out = out[hit]
    return out


@solara.component
def EventLog(model: CoalitionModel, version: int = 0):
    """Filterable table of the simulated events; ``version`` changes with every step."""
    types, set_types = solara.use_state([])
    group, set_group = solara.use_state(ALL)
    events = solara.use_memo(lambda: events_frame(model), dependencies=[model, version])
    shown = filter_events(events, types, group)
    with solara.Card("Simulated events", classes=["coalsim-events"]):
        with solara.Row():
            solara.SelectMultiple(
                "Event types",
                all_values=sorted(map(str, events["event_type"].unique())),
                values=types,
                on_value=set_types,
                dense=True,
            )
            solara.Select("Group", values=[ALL, *involved(events)], value=group, on_value=set_group)
        solara.Text(
            f"{len(events)} simulated events, {len(shown)} shown",
            classes=["coalsim-event-count"],
        )
        table = shown[COLUMNS].iloc[::-1].reset_index(drop=True)
        table["date"] = pd.to_datetime(table["date"]).dt.strftime("%Y-%m-%d")
        solara.DataFrame(table, items_per_page=8)
