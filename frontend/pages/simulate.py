"""The Simulate page: choose or upload a scenario, set parameters, step or play the model.

The sidebar holds the scenario panel, the run controls (Mesa's ``ModelController``: Reset,
Play/Pause, Step; *Play* steps every ``PLAY_INTERVAL_MS`` in a background thread until paused
or the end) and the parameter panel. The main area shows the simulated date, the network, the
fighters by coalition, the timeline of recorded and simulated events, and the two event tables.

Mesa's controller calls ``force_update()`` after each step, which bumps Mesa's per-tab
``update_counter``; :func:`Dashboard` reads it, so only the pictures and tables redraw after a
step (not the sidebar). Writes only the tab's state (:mod:`frontend.state`).
"""

from __future__ import annotations

import solara
from mesa.visualization.solara_viz import ModelController
from mesa.visualization.utils import update_counter

from frontend import state
from frontend.panels.events import EventLog
from frontend.panels.fighters import FightersView
from frontend.panels.network import NetworkView
from frontend.panels.parameters import ParameterPanel
from frontend.panels.record import RecordView, TimelineView
from frontend.panels.scenario import ScenarioPanel


@solara.component
def DateLine(model: state.SessionModel):
    """Simulated date, step and scenario of the running model."""
    update_counter.get()
    status = "finished" if not model.running else f"step {model.steps} of {model.n_steps}"
    with solara.Row(style={"align-items": "baseline", "flex-wrap": "wrap"}):
        solara.Text(str(model.date), classes=["coalsim-date"], style={"font-size": "22px"})
        solara.Text(f"({status})", classes=["coalsim-step"])
    solara.Text(
        f"Running: {state.model_summary(model)}",
        classes=["coalsim-model-summary"],
        style={"font-size": "12px", "color": "#424242"},
    )


@solara.component
def Controls(model: state.SessionModel):
    """Mesa's controller (Reset, Play/Pause, Step) for this tab's model."""
    play_interval = solara.use_reactive(state.PLAY_INTERVAL_MS)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.Card("Run", classes=["coalsim-controls"]):
        # A new key for every model: the controller starts paused and running after a rebuild.
        ModelController(
            state.model,
            model_parameters=state.model_params,
            play_interval=play_interval,
            render_interval=render_interval,
            use_threads=use_threads,
        ).key(f"controller-{id(model)}")
        DateLine(model)


@solara.component
def Dashboard(model: state.SessionModel):
    """The pictures and tables; redrawn after every step."""
    version = update_counter.get()
    with solara.Columns([1, 1]):
        NetworkView(model, version)
        FightersView(model, version)
    TimelineView(model, version)
    EventLog(model, version)
    RecordView(model, version)


@solara.component
def SimulatePage():
    """The Simulate page."""
    solara.use_effect(state.ensure_model, [])
    model = state.model.value
    with solara.Sidebar():
        ScenarioPanel()
        if model is not None:
            Controls(model)
            ParameterPanel()
    if model is None:
        solara.Text("Opening the scenario…" if state.problems.value is None else "No model.")
        return
    Dashboard(model)
