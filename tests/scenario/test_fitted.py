"""A scenario's ``fitted:`` file: merged into rules with the documented precedence, or refused."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
import yaml

from sim.rules import RULES
from sim.scenario import (
    ScenarioError,
    load_scenario,
    load_scenario_text,
    read_fitted,
    with_params,
)
from tests.scenario.test_loader import GOOD

ROOT = Path(__file__).resolve().parents[2]
IDLIB = ROOT / "scenarios" / "idlib_2017.yaml"
SHIPPED_FITTED = ROOT / "calibration" / "fitted" / "idlib_2017.yaml"

FITTED = {
    "truces": {"base_rate": 0.06, "mean_duration": 30},
    "defection": {"base_rate": 0.0008},
}


def default(key: str) -> float:
    rule, _, param = key.partition(".")
    return RULES[rule].param(param).default


def value(scenario, key: str) -> float:
    """The value a rule parameter runs with: the scenario's, else the declared default."""
    rule, _, param = key.partition(".")
    return scenario.rule_values(rule).get(param, default(key))


def setup(tmp_path: Path, fitted=FITTED, rules=None, entry="../fitted/f.yaml") -> Path:
    """A scenario in tmp/scen/ naming a fitted file in tmp/fitted/; returns the scenario."""
    (tmp_path / "scen").mkdir(parents=True, exist_ok=True)
    (tmp_path / "fitted").mkdir(parents=True, exist_ok=True)
    if fitted is not None:
        text = fitted if isinstance(fitted, str) else yaml.safe_dump(fitted)
        (tmp_path / "fitted" / "f.yaml").write_text(text)
    data = copy.deepcopy(GOOD)
    data["fitted"] = entry
    if rules is not None:
        data["rules"] = rules
    path = tmp_path / "scen" / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_precedence_defaults_then_fitted_then_rules_then_set(tmp_path):
    path = setup(tmp_path, rules={"truces": {"base_rate": 0.3}})
    s = load_scenario(path)
    # declared default: nothing sets it
    assert value(s, "windows_of_opportunity.base_rate") == default(
        "windows_of_opportunity.base_rate"
    )
    # fitted file over the default
    assert value(s, "defection.base_rate") == 0.0008 != default("defection.base_rate")
    assert value(s, "truces.mean_duration") == 30 != default("truces.mean_duration")
    # the scenario's own rules: over the fitted file
    assert value(s, "truces.base_rate") == 0.3
    # --set over everything
    t = with_params(s, {"truces.base_rate": 0.5, "defection.base_rate": 0.01})
    assert value(t, "truces.base_rate") == 0.5
    assert value(t, "defection.base_rate") == 0.01
    assert value(t, "truces.mean_duration") == 30  # untouched fitted value stays


def test_the_scenario_records_where_its_fitted_values_came_from(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_scenario(setup(tmp_path, rules={"truces": {"base_rate": 0.3}}).relative_to(tmp_path))
    src = s.fitted_source
    assert s.fitted == "../fitted/f.yaml"
    assert src.used and src.path == str(Path("fitted") / "f.yaml")  # ".." removed
    assert dict(src.values) == {
        "truces.base_rate": 0.06,
        "truces.mean_duration": 30,
        "defection.base_rate": 0.0008,
    }
    # truces.base_rate is the scenario's own: not in effect from the fitted file
    assert s.fitted_in_effect() == {"truces.mean_duration": 30, "defection.base_rate": 0.0008}
    assert s.rules_origin() == (
        f"rules: 2 of 3 fitted value(s) from {src.path}, 1 set by the scenario or --set; "
        "declared defaults otherwise"
    )
    # --set keeps the record and the origin line follows what is overridden
    t = with_params(s, {"defection.base_rate": 0.01})
    assert t.fitted_source == src and t.fitted == s.fitted
    assert t.fitted_in_effect() == {"truces.mean_duration": 30}
    assert "1 of 3 fitted value(s)" in t.rules_origin()
    # the record survives pickling (process pools, Dask workers)
    assert pickle.loads(pickle.dumps(t)).fitted_source == src


def test_no_fitted_keeps_the_declared_defaults_and_says_so(tmp_path):
    s = load_scenario(setup(tmp_path), use_fitted=False)
    assert value(s, "defection.base_rate") == default("defection.base_rate")
    assert s.rules == {} and s.fitted_in_effect() == {}
    assert s.fitted_source is not None and not s.fitted_source.used
    assert s.rules_origin().startswith("rules: declared defaults")
    assert "'../fitted/f.yaml' not used" in s.rules_origin()
    # with the fitted file missing, --no-fitted does not even read it
    assert load_scenario(setup(tmp_path / "x", fitted=None), use_fitted=False).rules == {}


def test_fitted_values_do_not_change_the_dump_but_do_change_the_rules(tmp_path):
    with_file = load_scenario(setup(tmp_path))
    without = load_scenario(setup(tmp_path), use_fitted=False)
    assert "fitted" not in with_file.model_dump()  # the path is not content ...
    assert with_file.model_dump()["rules"] != without.model_dump()["rules"]  # ... its values are
    plain = load_scenario(setup(tmp_path / "p", fitted=None, entry=None))
    assert plain.fitted_source is None and plain.model_dump() == without.model_dump()


def test_a_rules_wrapper_in_the_fitted_file_is_accepted(tmp_path):
    s = load_scenario(setup(tmp_path, fitted={"rules": FITTED}))
    assert value(s, "truces.mean_duration") == 30


def test_an_absolute_fitted_path_is_used_as_is(tmp_path):
    fitted = tmp_path / "elsewhere.yaml"
    fitted.write_text(yaml.safe_dump(FITTED))
    s = load_scenario(setup(tmp_path, entry=str(fitted)))
    assert value(s, "defection.base_rate") == 0.0008


def test_a_missing_fitted_file_names_the_scenario_the_field_and_the_file(tmp_path):
    path = setup(tmp_path, fitted=None, entry="../fitted/missing.yaml")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.source == str(path)
    assert [p.path for p in err.problems] == ["fitted"]
    assert "missing.yaml" in err.problems[0].message
    assert "No such file" in err.problems[0].message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("truces: [1, 2\n", "not valid YAML"),
        ("- truces\n", "expected a mapping RULE: {PARAM: VALUE}"),
        ("truces: 0.5\n", "expected a mapping of parameter names"),
        ("", "expected a mapping RULE"),
    ],
)
def test_a_malformed_fitted_file_names_the_scenario_the_field_and_the_file(tmp_path, text, words):
    path = setup(tmp_path, fitted=text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.source == str(path)
    assert [p.path for p in err.problems] == ["fitted"]
    assert words in err.problems[0].message and "f.yaml" in err.problems[0].message


def test_bad_fitted_values_are_refused_with_the_fitted_file_and_their_path(tmp_path):
    bad = {
        "defection": {"base_rate": 0.5, "base_rat": 0.1},  # out of range; unknown parameter
        "fighting": {"base_rate": 0.1},  # unknown rule
        "windows_of_opportunity": {"contacts": 2.5},  # whole-number parameter
    }
    path = setup(tmp_path, fitted=bad)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert Path(err.source).name == "f.yaml" and "fitted" in err.source
    by_path = {p.path: p.message for p in err.problems}
    assert set(by_path) == {
        "defection.base_rate",
        "defection.base_rat",
        "fighting",
        "windows_of_opportunity.contacts",
    }
    assert "expected a number in" in by_path["defection.base_rate"]
    assert "0.5" in by_path["defection.base_rate"]
    assert "expected a parameter of defection" in by_path["defection.base_rat"]
    assert "expected a rule among" in by_path["fighting"]
    # the scenario's own rules: do not excuse a bad fitted value they override
    path = setup(
        tmp_path, fitted={"truces": {"base_rate": 7}}, rules={"truces": {"base_rate": 0.3}}
    )
    with pytest.raises(ScenarioError, match=r"truces\.base_rate"):
        load_scenario(path)


@pytest.mark.parametrize("entry", [3, "", "  "])
def test_fitted_must_be_a_path(tmp_path, entry):
    path = setup(tmp_path, entry=None)
    data = yaml.safe_load(path.read_text())
    data["fitted"] = entry
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.path for p in info.value.problems] == ["fitted"]


def test_text_with_fitted_is_refused_without_a_folder_and_resolved_with_one(tmp_path):
    path = setup(tmp_path)
    text = path.read_text()
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, source="mine.yaml")
    err = info.value
    assert err.source == "mine.yaml"
    assert [p.path for p in err.problems] == ["fitted"]
    assert "no folder" in err.problems[0].message and "rules:" in err.problems[0].message
    s = load_scenario_text(text, source="mine.yaml", base_dir=path.parent)
    assert value(s, "defection.base_rate") == 0.0008
    assert load_scenario_text(text, use_fitted=False).rules == {}


def test_read_fitted_is_the_one_reader(tmp_path):
    path = setup(tmp_path).parent.parent / "fitted" / "f.yaml"
    assert read_fitted(path) == FITTED
    with pytest.raises(ScenarioError) as info:
        read_fitted(tmp_path / "nope.yaml")
    assert info.value.source == str(tmp_path / "nope.yaml")


def test_the_default_scenario_runs_with_the_shipped_fitted_values():
    s = load_scenario(IDLIB)
    shipped = yaml.safe_load(SHIPPED_FITTED.read_text())
    assert s.fitted == "../calibration/fitted/idlib_2017.yaml"
    assert s.rules == shipped
    assert len(s.fitted_in_effect()) == 5
    for rule, params in shipped.items():
        for param, v in params.items():
            assert v != RULES[rule].param(param).default  # the fit moved every one of them
            assert value(s, f"{rule}.{param}") == v
    plain = load_scenario(IDLIB, use_fitted=False)
    assert plain.rules == {}
    assert value(plain, "truces.base_rate") == default("truces.base_rate")
