"""Sweep files: validation against the schema, the rules' declared ranges and the scenario."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario import ScenarioError
from sweeps.spec import load_sweep, sweep_from_text
from tests.sweeps.conftest import SMALL, SMALL_SWEEP, coalsim

HEAD = f"name: t\nscenario: {SMALL}\n"


def problems(text: str) -> dict[str, str]:
    with pytest.raises(ScenarioError) as info:
        sweep_from_text(text, "bad.yaml", base=Path("."))
    assert info.value.source == "bad.yaml"
    return {p.path: p.message for p in info.value.problems}


def test_small_sweep_is_valid():
    s = sweep_from_text(SMALL_SWEEP, "small.yaml", base=Path("."))
    assert [p.name for p in s.params] == [
        "windows_of_opportunity.base_rate",
        "truces.base_rate",
    ]
    assert s.outcome_names == ["njf_fights_vim", "vim_with_fhb"]
    assert str(s.end) == "2021-06-30" and s.start == s.scenario.start


def test_examples_are_valid():
    for f in sorted((Path(__file__).parents[2] / "sweeps" / "examples").glob("*.yaml")):
        load_sweep(f)


def test_range_outside_the_declared_one_names_field_and_range():
    p = problems(
        HEAD
        + "design: {method: lhs, samples: 4}\n"
        + "parameters:\n"
        + "  - {name: windows_of_opportunity.base_rate, low: 0.001, high: 0.01}\n"
        + "  - {name: defection.base_rate, low: 0.001, high: 0.5}\n"
    )
    assert "parameters[1].high" in p
    assert (
        "[0, 0.2]" in p["parameters[1].high"] and "defection.base_rate" in p["parameters[1].high"]
    )
    assert "0.5" in p["parameters[1].high"]


def test_unknown_rule_param_and_unknown_field():
    p = problems(
        HEAD
        + "parameters:\n"
        + "  - {name: nosuchrule.rate, values: [1]}\n"
        + "  - {name: truces.nonsense, values: [1]}\n"
        + "  - {name: truces, values: [1]}\n"
    )
    assert "expected a rule among" in p["parameters[0].name"]
    assert "expected a parameter of truces" in p["parameters[1].name"]
    assert "RULE.PARAM" in p["parameters[2].name"]
    # structure is checked first (like scenario files): a misspelt field stops there
    p = problems(HEAD + "replicats: 3\nreplicates: 0\n")
    assert "unknown field" in p["replicats"]
    assert "greater than or equal to 1" in p["replicates"]


def test_grid_and_sampled_designs_need_their_own_fields():
    p = problems(HEAD + "parameters:\n  - {name: truces.base_rate, low: 0.1, high: 0.2}\n")
    assert "values" in p["parameters[0].values"]
    assert "a grid needs `values`" in p["parameters[0].low"]
    p = problems(
        HEAD
        + "design: {method: sobol, samples: 12}\n"
        + "parameters:\n  - {name: truces.base_rate, values: [0.1, 0.2]}\n"
    )
    assert "power of 2" in p["design.samples"]
    assert "`low` and `high`" in p["parameters[0].values"]
    p = problems(HEAD + "design: {method: morris}\nparameters: []\n")
    assert "at least one parameter" in p["parameters"]
    assert "required by a morris design" in p["design.samples"]


def test_grid_values_are_checked_one_by_one():
    p = problems(
        HEAD
        + "parameters:\n"
        + "  - {name: truces.base_rate, values: [0.1, 2.0]}\n"
        + "  - {name: windows_of_opportunity.contacts, values: [4, 4.5]}\n"
    )
    assert "[0, 1]" in p["parameters[0].values[1]"]
    assert "whole number" in p["parameters[1].values[1]"]


def test_switches_disabled_rules_and_conflicts():
    # a parameter of a rule that is off changes nothing
    p = problems(
        HEAD + "parameters:\n  - {name: landscape_alignment.ideology_weight, values: [1]}\n"
    )
    assert "is off in the scenario" in p["parameters[0].name"]
    # switching landscape on without switching its rivals off is a conflict
    p = problems(HEAD + "parameters:\n  - {name: landscape_alignment.enabled, values: [true]}\n")
    assert (
        "landscape_alignment.enabled=true makes the scenario invalid" in p["parameters[0].values"]
    )
    # a switch in a grid is fine
    sweep_from_text(
        HEAD + "parameters:\n  - {name: windows_of_opportunity.enabled, values: [true, false]}\n",
        "ok.yaml",
        base=Path("."),
    )


def test_fixed_settings_are_validated():
    p = problems(HEAD + "fixed: {truces.base_rate: 3, truces.nope: 1}\n")
    assert "[0, 1]" in p["fixed.truces.base_rate"]
    assert "expected a parameter of truces" in p["fixed.truces.nope"]
    s = sweep_from_text(HEAD + "fixed: {truces.base_rate: 0.5}\n", "ok.yaml", base=Path("."))
    assert s.scenario.rule_values("truces")["base_rate"] == 0.5


def test_window_and_dates():
    p = problems(
        HEAD
        + "window: {start: 2019-01-01, end: 2022-06-01}\n"
        + "outputs:\n  structure: {dates: [2023-01-01]}\n"
    )
    assert "the scenario's" in p["window.start"]
    assert "the scenario's" in p["window.end"]


def test_outcome_language_is_checked():
    p = problems(
        HEAD
        + "outputs:\n  outcomes:\n"
        + "    - {name: b, event: fihgt}\n"
        + "    - {name: c, together: [Free Hills Brigade]}\n"
        + "    - {name: 9x, event: merge}\n"
    )
    assert "'fight'" in p["outputs.outcomes[0].event"]
    assert "at least 2" in p["outputs.outcomes[1].together"]
    assert "pattern" in p["outputs.outcomes[2].name"]
    p = problems(
        HEAD
        + "outputs:\n  outcomes:\n"
        + "    - {name: a, event: fight, actor: Nobody}\n"
        + "    - {name: d, all: [a, zz]}\n"
        + "    - {name: e, event: fight, date: 2020-05-01}\n"
        + "    - {name: a, not: d}\n"
        + "    - {name: g, together: [Free Hills Brigade, Hill Town Battalion]}\n"
        + "    - {name: h, event: fight, before: 2020-03-01, after: 2020-06-01}\n"
        + "stop: {when: [d, g]}\n"
    )
    assert "Nobody" in p["outputs.outcomes[0].actor"]
    assert "defined above" in p["outputs.outcomes[1].all[1]"]
    assert "only used by `together`" in p["outputs.outcomes[2].date"]
    assert "duplicate" in p["outputs.outcomes[3].name"]
    assert "required by a `together`" in p["outputs.outcomes[4].date"]
    assert "after `after`" in p["outputs.outcomes[5].before"]
    assert "made of events only" in p["stop.when[1]"]


def test_names_resolve_aliases_and_coalition_names():
    sweep_from_text(
        HEAD
        + "outputs:\n  outcomes:\n"
        + "    - {name: a, event: fight, actor: NJF}\n"  # an alias
        + "    - {name: b, event: merge, actor: Northern Liberation Committee}\n"
        + "    - {name: c, event: merge, actor: Northern Liberation Committee (2)}\n",
        "ok.yaml",
        base=Path("."),
    )


def test_hash_ignores_what_does_not_change_runs():
    a = sweep_from_text(SMALL_SWEEP, "a.yaml", base=Path("."))
    b = sweep_from_text(
        SMALL_SWEEP.replace("name: small", "name: renamed").replace(
            "replicates: 4", "replicates: 9"
        )
        + "stop: {max_hours: 1}\n",
        "b.yaml",
        base=Path("."),
    )
    c = sweep_from_text(SMALL_SWEEP.replace("seed: 11", "seed: 12"), "c.yaml", base=Path("."))
    assert a.spec_hash == b.spec_hash != c.spec_hash


def test_missing_scenario_and_bad_yaml(tmp_path):
    p = problems("name: t\nscenario: nowhere.yaml\n")
    assert "no such file" in p["scenario"]
    p = problems("name: t\nscenario: [unclosed\n")
    assert "not valid YAML" in p[""]


def test_cli_bad_sweep_file_exits_2_naming_file_field_expectation(tmp_path):
    bad = tmp_path / "bad_sweep.yaml"
    bad.write_text(
        HEAD
        + "design: {method: lhs, samples: 4}\n"
        + "parameters:\n  - {name: defection.base_rate, low: 0.001, high: 0.5}\n"
    )
    r = coalsim("sweep", str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 2, r.stderr
    assert str(bad) in r.stderr
    assert "parameters[0].high" in r.stderr and "expected a number in [0, 0.2]" in r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "out").exists()


def test_the_scenarios_fitted_file_is_the_base_of_every_run_and_part_of_the_hash(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(SMALL.read_text() + "\nfitted: f.yaml\n")
    (tmp_path / "f.yaml").write_text("truces: {mean_duration: 40}\n")
    text = SMALL_SWEEP.replace(f"scenario: {SMALL}", "scenario: s.yaml")
    (tmp_path / "sweep.yaml").write_text(text)
    fitted = load_sweep(tmp_path / "sweep.yaml")
    plain = load_sweep(tmp_path / "sweep.yaml", use_fitted=False)
    assert fitted.scenario.rule_values("truces")["mean_duration"] == 40
    assert "mean_duration" not in plain.scenario.rule_values("truces")
    assert fitted.scenario.fitted_in_effect() == {"truces.mean_duration": 40}
    # a resumed sweep must start from the same parameters: the hash tells them apart
    assert fitted.spec_hash != plain.spec_hash
    # and the scenario remembers where its fitted values came from
    assert fitted.scenario.fitted_source.path.endswith("f.yaml")
