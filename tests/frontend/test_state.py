"""Per-tab state, the session model and the panels' data (no browser)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from mesa.visualization.solara_viz import _build_model_init_kwargs

from frontend import state
from frontend.panels import events as events_panel
from frontend.panels.fighters import fighters_svg
from frontend.panels.network import compute_layout, network_svg
from frontend.panels.record import record_between, timeline_svg
from sim import load_scenario

ROOT = Path(__file__).resolve().parents[2]
IDLIB = ROOT / "scenarios" / "idlib_2017.yaml"
SMALL = ROOT / "scenarios" / "three_groups.yaml"


@pytest.fixture
def fresh(monkeypatch):
    """Module-level reactives back at their defaults (outside Solara they are plain globals)."""
    monkeypatch.delenv("COALSIM_SCENARIOS", raising=False)
    for name in ("scenario_name", "settings_error"):
        getattr(state, name).value = ""
    for name in ("base_spec", "uploaded", "model", "problems"):
        getattr(state, name).value = None
    state.settings.value = {}
    state.model_params.value = {}
    state.seed.value = 0
    yield state


def test_mesa_reset_rebuilds_the_session_model_from_its_parameters():
    spec = load_scenario(SMALL)
    params = {"spec": spec, "seed": 3, "settings": {"truces.base_rate": 0.5}, "label": "x"}
    model = state.SessionModel(**params)
    model.step()
    # What Mesa's ModelController does on Reset: no Mesa scenario is slipped in.
    kwargs = _build_model_init_kwargs(
        model, params, add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    again = type(model)(**kwargs)
    assert again.steps == 0 and again.seed == 3
    assert again.rule("truces").base_rate == 0.5
    assert again.scenario_spec.name == "three_groups"


def test_session_model_steps_under_its_lock_and_keeps_side_history():
    model = state.SessionModel(load_scenario(SMALL), seed=1)
    assert len(model.side_history) == 1
    model.step()
    model.step()
    assert model.steps == 2 and len(model.side_history) == 3
    assert model.side_history[-1][0] == model.date


def test_open_scenario_settings_and_reset(fresh):
    assert fresh.open_scenario("three_groups")
    m0 = fresh.model.value
    assert m0.label == "three_groups" and fresh.pending_changes() == []
    fresh.set_setting("truces.base_rate", 1.0)
    fresh.set_seed(7)
    assert fresh.model.value is m0  # pending until Reset
    pending = fresh.pending_changes()
    assert "seed 0 -> 7" in pending and "truces.base_rate 0.25 -> 1" in pending
    fresh.rebuild()
    m1 = fresh.model.value
    assert m1 is not m0 and m1.seed == 7 and m1.rule("truces").base_rate == 1.0
    assert "truces.base_rate=1" in fresh.model_summary(m1)
    assert fresh.pending_changes() == []


def test_inconsistent_settings_are_reported_and_not_applied(fresh):
    fresh.open_scenario("three_groups")
    fresh.set_setting("landscape_alignment.enabled", True)  # replaces two enabled rules
    assert "landscape_alignment" in fresh.settings_error.value
    assert "landscape_alignment.enabled" not in fresh.model_params.value["settings"]
    fresh.set_setting("truces.base_rate", 5.0)  # out of its documented range
    assert "truces.base_rate" in fresh.settings_error.value


def test_invalid_upload_reports_field_paths_and_keeps_the_model(fresh):
    fresh.open_scenario("idlib_2017")
    before = fresh.model.value
    bad = SMALL.read_text().replace("fighters: 6000", "fighters: -5", 1).encode()
    assert not fresh.open_upload("bad.yaml", bad, len(bad))
    source, problems = fresh.problems.value
    assert source == "bad.yaml"
    assert any(p.path == "groups[0].fighters" for p in problems)
    assert fresh.model.value is before and fresh.scenario_name.value == "idlib_2017"


def test_unsafe_or_oversized_uploads_are_refused(fresh):
    fresh.open_scenario("three_groups")
    evil = b"name: !!python/object/apply:os.system ['true']\n"
    assert not fresh.open_upload("evil.yaml", evil, len(evil))
    assert not fresh.open_upload("big.yaml", None, state.config.UPLOAD_MAX_BYTES + 1)
    assert "at most" in fresh.problems.value[1][0].message


def test_valid_upload_is_offered_and_opened(fresh):
    data = SMALL.read_bytes()
    assert fresh.open_upload("mine.yaml", data, len(data))
    assert fresh.scenario_name.value == "upload: mine.yaml"
    assert "upload: mine.yaml" in fresh.scenario_choices()
    fresh.open_scenario("idlib_2017")
    assert fresh.open_scenario("upload: mine.yaml")
    assert fresh.model.value.label == "upload: mine.yaml"


def test_listed_default_scenario_runs_its_fitted_values_and_says_so(fresh):
    assert fresh.open_scenario("idlib_2017")
    m = fresh.model.value
    fitted = load_scenario(IDLIB).rules
    assert fitted and m.rule("truces").base_rate == fitted["truces"]["base_rate"]
    # the sliders start at the scenario's (fitted) values; "Scenario's values" returns to them
    assert fresh.settings.value["truces.base_rate"] == fitted["truces"]["base_rate"]
    summary = fresh.model_summary(m)
    assert "settings changed: none" in summary
    assert "rules: 5 fitted value(s) from " in summary and "idlib_2017.yaml" in summary


def test_an_upload_naming_a_fitted_file_is_refused_with_a_reason(fresh):
    fresh.open_scenario("three_groups")
    before = fresh.model.value
    data = IDLIB.read_bytes()  # the shipped scenario, with its fitted: entry
    assert not fresh.open_upload("idlib_copy.yaml", data, len(data))
    source, problems = fresh.problems.value
    assert source == "idlib_copy.yaml"
    assert [p.path for p in problems] == ["fitted"]
    assert "no folder" in problems[0].message and "'rules:'" in problems[0].message
    assert fresh.model.value is before


def test_network_layout_is_fixed_per_scenario_and_picture_follows_the_state():
    spec = load_scenario(IDLIB)
    a, b = state.SessionModel(spec, seed=0), state.SessionModel(spec, seed=9)
    assert compute_layout(a) == compute_layout(b)
    first = network_svg(a)
    assert network_svg(a) == first  # nothing changed, same picture
    for _ in range(10):
        a.step()
    assert network_svg(a) != first


def test_names_are_escaped_in_pictures_and_tables():
    text = SMALL.read_text().replace("Free Hills Brigade", "<script>alert(1)</script>")
    model = state.SessionModel(state.load_scenario_text(text), seed=0)
    for _ in range(30):
        model.step()
    for svg in (network_svg(model), fighters_svg(model)):
        assert "<script>" not in svg


def test_event_filters():
    model = state.SessionModel(load_scenario(IDLIB), seed=0)
    for _ in range(40):
        model.step()
    ev = events_panel.events_frame(model)
    assert len(ev) > 0
    fights = events_panel.filter_events(ev, ["fight"], None)
    assert len(fights) > 0 and set(fights["event_type"]) == {"fight"}
    name = fights.iloc[0]["target"].split(";")[0]
    involved = events_panel.filter_events(ev, [], name)
    assert len(involved) > 0
    pairs = zip(involved.actor, involved.target, strict=True)
    assert all(name == a or name in t.split(";") for a, t in pairs)
    assert name in events_panel.involved(ev)


def test_a_step_and_redraw_of_idlib_take_well_under_a_second():
    model = state.SessionModel(load_scenario(IDLIB), seed=0)
    network_svg(model)  # the layout is computed once per model
    for _ in range(150):
        model.step()
    t0 = time.perf_counter()
    model.step()
    network_svg(model)
    fighters_svg(model)
    ev = events_panel.events_frame(model)
    record_between(model.start, model.date)
    timeline_svg(ev, record_between(model.start, model.end), model.start, model.end, model.date)
    assert time.perf_counter() - t0 < 0.5
