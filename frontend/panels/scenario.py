"""Choosing the scenario: the files the server lists, or an uploaded file.

The selector offers only the names :func:`frontend.config.list_scenarios` lists (plus this
tab's last valid upload), so the browser never names a path. An upload goes through a file
input: its announced size is checked before any byte is read, at most
``UPLOAD_MAX_BYTES + 1`` bytes are read, and the text is validated with the safe YAML loader
(:func:`frontend.state.open_upload`). Problems are shown with each field's path and the
running model is left as it was. Writes only the tab's state.
"""

from __future__ import annotations

import html
import threading
from typing import Any

import solara
from ipyvuetify.extra import FileInput

from frontend import config, state
from sim.scenario import Problem


@solara.component
def _FileInput():
    """A file input whose chosen file is read (capped) and opened as a scenario."""
    file_info, set_file_info = solara.use_state(None)
    wired, set_wired = solara.use_state(None)
    widget = FileInput.element(
        accept=".yaml,.yml",
        multiple=False,
        show_progress=False,
        on_file_info=set_file_info,
    )

    def wire():
        if not file_info:
            return
        real = solara.get_widget(widget)
        real.version += 1
        real.reset_stats()
        set_wired(real.get_files())

    solara.use_effect(wire, [file_info])

    def read(cancel: threading.Event):
        if not wired:
            return
        info: dict[str, Any] = wired[0]
        name, size = str(info.get("name", "upload.yaml")), int(info.get("size", 0))
        data = None
        try:
            if size <= config.UPLOAD_MAX_BYTES:
                data = info["file_obj"].read(config.UPLOAD_MAX_BYTES + 1)
        except Exception as exc:  # the browser went away or the transfer failed
            state.problems.value = (name, (Problem("", f"could not read the file: {exc}"),))
            return
        if not cancel.is_set():
            state.open_upload(name, data, size)

    solara.use_thread(read, [wired])
    return widget


@solara.component
def ScenarioUpload():
    """A file input for a scenario YAML file; valid files are opened at once."""
    with solara.Column(gap="0px", classes=["coalsim-upload"]):
        solara.Text(
            f"Upload a scenario (.yaml, at most {config.UPLOAD_MAX_BYTES // 1000} kB):",
            style={"font-size": "12px"},
        )
        _FileInput()


@solara.component
def ProblemList():
    """The problems of the last scenario that could not be opened, each with its field path."""
    shown = state.problems.value
    if not shown:
        return
    source, problems = shown
    with solara.Error(classes=["coalsim-problems"], dense=True):
        solara.Text(f"{source}: not opened, {len(problems)} problem(s); the model is unchanged.")
        for p in problems[:30]:
            with solara.Div():
                solara.HTML(tag="code", unsafe_innerHTML=html.escape(p.path or "<file>"))
                solara.Text(f" {p.message}")


@solara.component
def ScenarioPanel():
    """Scenario selector, upload, problems and the scenario's description."""
    choices = state.scenario_choices()
    spec = state.base_spec.value
    with solara.Card("Scenario", classes=["coalsim-scenario"]):
        solara.Select(
            "Scenario",
            values=choices,
            value=state.scenario_name.value if state.scenario_name.value in choices else None,
            on_value=lambda name: name and state.open_scenario(name),
            classes=["coalsim-scenario-select"],
        )
        ScenarioUpload()
        ProblemList()
        if spec is not None:
            units = sum(len(g.units) for g in spec.groups)
            solara.Text(
                f"{spec.name}: {len(spec.groups)} groups, {units} units, {len(spec.patrons)} "
                f"patrons, {spec.start} to {spec.end}, {spec.step_days} days a step.",
                style={"font-size": "12px"},
            )
