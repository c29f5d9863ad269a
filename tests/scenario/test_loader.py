"""Scenario files: good ones load, bad ones are refused with file, field path and expectation."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from sim.scenario import ScenarioError, load_scenario, load_scenario_text, with_params

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "name": "t",
    "start": "2020-01-01",
    "end": "2020-12-31",
    "patrons": [{"name": "P", "ideology": 0.3, "budget": 100}],
    "coalitions": [{"name": "C", "leader": "A"}],
    "groups": [
        {
            "name": "A",
            "fighters": 100,
            "ideology": 0.5,
            "coalition": "C",
            "patrons": {"P": 0.5},
            "units": [{"name": "A1", "fighters": 10}],
        },
        {"name": "B", "fighters": 50, "ideology": 0.2, "coalition": "C"},
    ],
}


def write(tmp_path: Path, data) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return path


def refused(tmp_path: Path, data) -> ScenarioError:
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)
    return info.value


def paths(err: ScenarioError) -> list[str]:
    return [p.path for p in err.problems]


@pytest.mark.parametrize("name", ["idlib_2017.yaml", "three_groups.yaml"])
def test_shipped_scenarios_load(name):
    s = load_scenario(ROOT / "scenarios" / name)
    assert s.groups and s.end > s.start


def test_good_file_loads(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    assert s.groups[0].units[0].name == "A1"
    assert s.rule_enabled("windows_of_opportunity")
    assert not s.rule_enabled("landscape_alignment")


def mutate(fn):
    data = copy.deepcopy(GOOD)
    fn(data)
    return data


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d["groups"][0].update(fighters=-5), "groups[0].fighters", "greater than"),
        (lambda d: d["groups"][1].update(coalition="Nope"), "groups[1].coalition", "Nope"),
        (lambda d: d["groups"][1].update(name="A"), "groups[1].name", "duplicate"),
        (lambda d: d["groups"][0]["units"][0].update(name="B"), "groups[1].name", "duplicate"),
        (lambda d: d.update(end="2019-01-01"), "end", "after start"),
        (lambda d: d.update(rules={"nosuchrule": {}}), "rules.nosuchrule", "expected a rule"),
        (lambda d: d.update(rules={"truces": {"nope": 1}}), "rules.truces.nope", "parameter"),
        (
            lambda d: d.update(rules={"truces": {"base_rate": 7}}),
            "rules.truces.base_rate",
            "[0.0, 1.0]",
        ),
        (lambda d: d["groups"][0].update(ideology=1.5), "groups[0].ideology", "less than"),
        (lambda d: d["groups"][0].update(patrons={"X": 0.5}), "groups[0].patrons.X", "patron"),
        (lambda d: d["coalitions"][0].update(leader="Z"), "coalitions[0].leader", "member"),
        (lambda d: d["groups"][0].update(colour="red"), "groups[0].colour", "unknown field"),
        (lambda d: d.pop("start"), "start", "missing"),
        (
            lambda d: d.update(
                pressure=[
                    {"start": "2020-05-01", "intensity": 0.5},
                    {"start": "2020-02-01", "intensity": 0.5},
                ]
            ),
            "pressure[1].start",
            "increasing",
        ),
        (
            lambda d: d.update(
                interventions=[
                    {"date": "2030-01-01", "action": "set_patron_budget", "patron": "P", "value": 0}
                ]
            ),
            "interventions[0].date",
            "date in",
        ),
        (
            lambda d: d.update(rules={"landscape_alignment": {"enabled": True}}),
            "rules.landscape_alignment.enabled",
            "cannot both run",
        ),
    ],
)
def test_bad_field_is_refused_with_its_path(tmp_path, change, path, words):
    err = refused(tmp_path, mutate(change))
    assert path in paths(err), paths(err)
    messages = [p.message for p in err.problems if p.path == path]
    assert any(words in msg for msg in messages), messages


def test_every_problem_is_reported_at_once(tmp_path):
    def two(d):
        d["groups"][0]["fighters"] = -1
        d["groups"][1]["ideology"] = 2

    err = refused(tmp_path, mutate(two))
    assert {"groups[0].fighters", "groups[1].ideology"} <= set(paths(err))


def test_yaml_syntax_error_names_line(tmp_path):
    err = refused(tmp_path, "name: x\ngroups: [\n  {name: a\n")
    assert "line" in err.problems[0].message


def test_unsafe_yaml_is_not_executed(tmp_path):
    err = refused(tmp_path, "!!python/object/apply:os.system ['echo hi']\n")
    assert "YAML" in err.problems[0].message


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "absent.yaml")
    refused(tmp_path, "- just\n- a list\n")


def test_upload_size_is_capped():
    with pytest.raises(ScenarioError, match="at most"):
        load_scenario_text("x: " + "a" * 3_000_000)


def test_with_params_overrides_and_checks(tmp_path):
    s = load_scenario(write(tmp_path, GOOD))
    t = with_params(s, {"truces.base_rate": 0.5, "landscape_alignment.enabled": False})
    assert t.rule_values("truces")["base_rate"] == 0.5
    with pytest.raises(ScenarioError) as info:
        with_params(s, {"truces.base_rate": 2.0, "bad": 1})
    assert {"rules.truces.base_rate", "bad"} <= set(paths(info.value))
