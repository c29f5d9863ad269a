"""The parameter panel: seed and every rule's parameters, with their documented ranges.

One expandable section per rule (in step order) with a switch for the rule and, for each
parameter, a slider over its admissible range ``[low, high]`` (from the rule's
:class:`~sim.rules.Param`), a box for an exact value, and the parameter's documentation. Only
the open section's controls are built, which keeps the page light. Changes are *pending*
(:mod:`frontend.state`) until Reset rebuilds the model; the panel lists what is pending and
shows the settings the running model actually uses. Writes only the tab's state.
"""

from __future__ import annotations

import solara

from frontend import state
from sim.rules import RULES, Param


@solara.component
def ParamControl(rule: str, p: Param, value: float):
    """Slider, exact-value box and documentation of one parameter."""
    key = f"{rule}.{p.name}"

    def on_value(v):
        if v is None:
            return
        state.set_setting(key, round(v) if p.integer else float(v))

    slider = solara.SliderInt if p.integer else solara.SliderFloat
    with solara.Column(gap="0px", classes=["coalsim-param", f"coalsim-param-{rule}-{p.name}"]):
        with solara.Row(style={"align-items": "center"}):
            with solara.Column(style={"flex": "1 1 auto", "min-width": "0"}):
                slider(
                    p.name,
                    value=int(value) if p.integer else float(value),
                    min=int(p.low) if p.integer else p.low,
                    max=int(p.high) if p.integer else p.high,
                    step=state.param_step(p),
                    on_value=on_value,
                    thumb_label=False,
                )
            box = solara.InputInt if p.integer else solara.InputFloat
            with solara.Column(style={"width": "92px", "flex": "0 0 92px"}):
                box(
                    "value",
                    value=int(value) if p.integer else float(value),
                    on_value=on_value,
                    dense=True,
                    classes=[f"coalsim-input-{rule}-{p.name}"],
                )
        solara.Text(
            f"[{p.low:g}, {p.high:g}], default {p.default:g}. {p.doc}",
            style={"font-size": "11px", "color": "#616161", "line-height": "1.2"},
        )


@solara.component
def RuleSection(rule: str, values: dict):
    """Switch and parameters of one rule."""
    key = f"{rule}.enabled"
    solara.Checkbox(
        label=f"{rule} enabled",
        value=bool(values.get(key, RULES[rule].enabled_by_default)),
        on_value=lambda v: state.set_setting(key, bool(v)),
    )
    solara.Text(RULES[rule].mechanism, style={"font-size": "12px", "font-style": "italic"})
    for p in RULES[rule].params:
        ParamControl(rule, p, values.get(f"{rule}.{p.name}", p.default))


@solara.component
def ParameterPanel():
    """Seed, rule parameters, what is pending and what the model runs with."""
    open_rule, set_open_rule = solara.use_state(None)
    values = dict(state.settings.value)
    with solara.Card("Parameters", classes=["coalsim-parameters"]):
        solara.InputInt(
            "Seed",
            value=int(state.seed.value),
            on_value=state.set_seed,
            classes=["coalsim-seed"],
        )
        names = list(RULES)
        with solara.v.ExpansionPanels(
            accordion=True,
            v_model=names.index(open_rule) if open_rule in names else None,
            on_v_model=lambda k: set_open_rule(names[k] if k is not None else None),
        ):
            for name in names:
                with solara.v.ExpansionPanel():
                    on = values.get(f"{name}.enabled", RULES[name].enabled_by_default)
                    solara.v.ExpansionPanelHeader(
                        children=[f"{name}{'' if on else ' (off)'}"],
                        class_=f"coalsim-rule-{name}",
                    )
                    with solara.v.ExpansionPanelContent():
                        if name == open_rule:
                            RuleSection(name, values)
        if state.settings_error.value:
            solara.Error(state.settings_error.value, classes=["coalsim-settings-error"])
        pending = state.pending_changes()
        with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
            solara.Button(
                "Scenario's values",
                on_click=state.reset_settings,
                text=True,
                small=True,
            )
        if pending:
            solara.Warning(
                "Pending until Reset: " + "; ".join(pending),
                dense=True,
                classes=["coalsim-pending"],
            )
