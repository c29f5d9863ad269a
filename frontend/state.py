"""Per-browser-tab state of the Simulate page: the scenario, pending settings and the model.

Every ``solara.reactive`` here is module-level, which Solara keeps *per virtual kernel*: each
browser tab has its own scenario, settings, seed and model, and nothing is shared between
tabs (the defaults are immutable values; no model exists until a tab asks for one).

The model is a :class:`SessionModel`, a :class:`~sim.model.CoalitionModel` built from keyword
arguments only (``spec``, ``seed``, ``settings``, ``label``) so that Mesa's ``ModelController``
can rebuild it on *Reset* from :data:`model_params`; settings changed in the page take effect
on Reset (or when another scenario is opened). Steps run under the model's lock, and the panels
read the model under the same lock, so a redraw never sees a half-finished step while *Play*
steps the model in a background thread.

This module reads scenario files only through :mod:`frontend.config` and uploads only through
:func:`frontend.config.read_upload` and :func:`sim.scenario.load_scenario_text` (safe YAML,
capped size). A listed scenario's ``fitted:`` file is read by the loader, relative to the
scenario's folder; an upload that names one is refused (it has no folder, and the page reads no
path an upload names). It never writes files.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from typing import Any

import solara

from frontend import config
from sim.model import CoalitionModel
from sim.rules import RULES, Param
from sim.scenario import (
    Problem,
    Scenario,
    ScenarioError,
    load_scenario,
    load_scenario_text,
    with_params,
)

UPLOAD_PREFIX = "upload: "
PLAY_INTERVAL_MS = 300

Settings = Mapping[str, float | bool]


class SessionModel(CoalitionModel):
    """The model one browser tab runs.

    Args:
        spec: The scenario as opened (file or upload), before the page's settings.
        seed: Seed of all randomness.
        settings: ``{"rule.param": value, "rule.enabled": bool}`` that differ from ``spec``.
        label: Name the page shows for the scenario (its file stem or ``upload: NAME``).

    Attributes:
        lock: Held while the model steps; hold it to read a consistent state.
        cache: Per-model caches of the panels (e.g. the network layout).
        side_history: ``(date, {side: fighters})`` after every step, for the fighters chart.
    """

    def __init__(
        self,
        spec: Scenario,
        seed: int = 0,
        settings: Settings | None = None,
        label: str = "",
    ) -> None:
        settings = dict(settings or {})
        applied = with_params(spec, settings, source="parameters") if settings else spec
        super().__init__(applied, rng=int(seed))
        self.base_spec = spec
        self.seed = int(seed)
        self.settings = settings
        self.label = label or spec.name
        self.lock = threading.RLock()
        self.cache: dict[str, Any] = {}
        self.side_history: list[tuple[dt.date, dict[str, float]]] = []
        self._record_sides()
        unlocked = self.step

        def locked_step() -> None:
            with self.lock:
                unlocked()
                self._record_sides()

        self.step = locked_step

    def _record_sides(self) -> None:
        names = self.actors.names
        totals = self.totals
        self.side_history.append((self.date, {names[s]: float(totals[s]) for s in self.sides}))


# -- rule parameters ------------------------------------------------------------------------
def rule_params() -> list[tuple[str, Param]]:
    """Every ``(rule name, parameter)`` in step order."""
    return [(name, p) for name, rule in RULES.items() for p in rule.params]


def param_step(p: Param) -> float:
    """Slider step of a parameter: 1 for whole numbers, a thousandth of the range otherwise."""
    return 1 if p.integer else (p.high - p.low) / 1000.0


def scenario_values(spec: Scenario) -> dict[str, float | bool]:
    """All rule settings of a scenario: its own values, else the rules' defaults."""
    out: dict[str, float | bool] = {}
    for name, rule in RULES.items():
        out[f"{name}.enabled"] = spec.rule_enabled(name)
        own = spec.rule_values(name)
        for p in rule.params:
            out[f"{name}.{p.name}"] = own.get(p.name, p.default)
    return out


def changed_settings(spec: Scenario, values: Settings) -> dict[str, float | bool]:
    """The entries of ``values`` that differ from the scenario's own settings."""
    base = scenario_values(spec)
    return {k: v for k, v in values.items() if k in base and base[k] != v}


def model_values(model: CoalitionModel) -> dict[str, float | bool]:
    """The settings a built model actually runs with (read from its rule objects)."""
    out: dict[str, float | bool] = {}
    for name, rule_cls in RULES.items():
        rule = model.rule(name)
        out[f"{name}.enabled"] = rule is not None
        for p in rule_cls.params:
            if rule is not None:
                out[f"{name}.{p.name}"] = getattr(rule, p.name)
            else:
                own = model.scenario_spec.rule_values(name)
                out[f"{name}.{p.name}"] = own.get(p.name, p.default)
    return out


def format_value(value: float | bool) -> str:
    """Compact text of a setting."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return f"{value:g}"


# -- per-tab state --------------------------------------------------------------------------
scenario_name: solara.Reactive[str] = solara.reactive("")
base_spec: solara.Reactive[Scenario | None] = solara.reactive(None)
uploaded: solara.Reactive[tuple[str, Scenario] | None] = solara.reactive(None)
settings: solara.Reactive[Mapping[str, float | bool]] = solara.reactive({})
seed: solara.Reactive[int] = solara.reactive(0)
model: solara.Reactive[SessionModel | None] = solara.reactive(None)
model_params: solara.Reactive[Mapping[str, Any]] = solara.reactive({})
problems: solara.Reactive[tuple[str, tuple[Problem, ...]] | None] = solara.reactive(None)
settings_error: solara.Reactive[str] = solara.reactive("")


def scenario_choices() -> list[str]:
    """Names the scenario selector offers: the listed files, then this tab's upload."""
    names = list(config.list_scenarios())
    if uploaded.value is not None:
        names.append(uploaded.value[0])
    return names


def ensure_model() -> None:
    """Open the default scenario if this tab has no model yet."""
    if model.value is not None:
        return
    name = config.default_scenario()
    if name is not None:
        open_scenario(name)


def _show(label: str, spec: Scenario) -> None:
    base_spec.value = spec
    scenario_name.value = label
    settings.value = scenario_values(spec)
    settings_error.value = ""
    _update_params()
    rebuild()


def open_scenario(name: str) -> bool:
    """Open a listed scenario (or this tab's upload) and build its model.

    Args:
        name: A name from :func:`scenario_choices`.

    Returns:
        Whether it was opened; if not, :data:`problems` says why and the model is unchanged.
    """
    if uploaded.value is not None and name == uploaded.value[0]:
        problems.value = None
        _show(name, uploaded.value[1])
        return True
    try:
        spec = load_scenario(config.scenario_path(name))
    except config.PathNotAllowed as exc:
        problems.value = (name, (Problem("", str(exc)),))
        return False
    except ScenarioError as exc:
        problems.value = (name, tuple(exc.problems))
        return False
    problems.value = None
    _show(name, spec)
    return True


def open_upload(filename: str, data: bytes | None, size: int | None = None) -> bool:
    """Validate an uploaded scenario and, if it is valid, open it.

    Args:
        filename: The file's name in the browser (shown only).
        data: Its bytes (the caller reads at most ``UPLOAD_MAX_BYTES + 1``).
        size: The size the browser announced.

    Returns:
        Whether it was opened; if not, :data:`problems` lists each problem with its field path
        and the current model keeps running.
    """
    filename = str(filename)[:200]
    try:
        text = config.read_upload(data, size, source=filename)
        spec = load_scenario_text(text, source=filename)
    except ScenarioError as exc:
        problems.value = (filename, tuple(exc.problems))
        return False
    problems.value = None
    label = f"{UPLOAD_PREFIX}{filename}"
    uploaded.value = (label, spec)
    _show(label, spec)
    return True


def _update_params() -> None:
    spec = base_spec.value
    if spec is None:
        return
    model_params.value = {
        "spec": spec,
        "seed": int(seed.value),
        "settings": changed_settings(spec, settings.value),
        "label": scenario_name.value,
    }


def set_setting(key: str, value: float | bool) -> None:
    """Change one pending rule setting (applied on Reset).

    An inconsistent combination (e.g. two rules that replace each other) is kept pending with
    its problem in :data:`settings_error`; Reset then rebuilds with the last valid settings.
    """
    spec = base_spec.value
    if spec is None:
        return
    new = {**settings.value, key: value}
    settings.value = new
    try:
        with_params(spec, changed_settings(spec, new), source="parameters")
    except ScenarioError as exc:
        settings_error.value = "; ".join(str(p) for p in exc.problems)
        return
    settings_error.value = ""
    _update_params()


def reset_settings() -> None:
    """Put every pending setting back to the scenario's own value."""
    spec = base_spec.value
    if spec is None:
        return
    settings.value = scenario_values(spec)
    settings_error.value = ""
    _update_params()


def set_seed(value: int | None) -> None:
    """Change the pending seed (applied on Reset)."""
    seed.value = max(0, int(value or 0))
    _update_params()


def rebuild() -> None:
    """Build a new model from :data:`model_params` (what Mesa's Reset does)."""
    if model_params.value:
        model.value = SessionModel(**model_params.value)


def pending_changes() -> list[str]:
    """Settings and seed chosen in the page that the current model does not run with yet."""
    m = model.value
    if m is None or base_spec.value is None:
        return []
    out = []
    if int(seed.value) != m.seed:
        out.append(f"seed {m.seed} -> {seed.value}")
    if settings_error.value:
        return out
    have = model_values(m)
    for key, value in settings.value.items():
        if key in have and have[key] != value:
            out.append(f"{key} {format_value(have[key])} -> {format_value(value)}")
    return out


def model_summary(m: CoalitionModel) -> str:
    """One line on what a model runs.

    The scenario, seed, settings that differ from its file, and where the file's rule
    parameters come from (e.g. a fitted-parameter file).
    """
    spec = getattr(m, "base_spec", m.scenario_spec)
    diff = changed_settings(spec, model_values(m))
    label = getattr(m, "label", spec.name)
    changed = ", ".join(f"{k}={format_value(v)}" for k, v in diff.items()) or "none"
    return (
        f"{label} · seed {getattr(m, 'seed', '?')} · settings changed: {changed} · "
        f"{spec.rules_origin()}"
    )
