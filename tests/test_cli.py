"""The ``coalsim`` command: validate, run (outputs, summary) and bad input (exit 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SMALL = ROOT / "scenarios" / "three_groups.yaml"


def coalsim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_validate_good_file():
    r = coalsim("validate", str(SMALL))
    assert r.returncode == 0, r.stderr
    assert "valid scenario" in r.stdout


def test_run_writes_events_and_timeseries(tmp_path):
    r = coalsim("run", str(SMALL), "--seed", "3", "--out", str(tmp_path), "--until", "2020-07-01")
    assert r.returncode == 0, r.stderr
    assert "events:" in r.stdout and "coalitions at the end" in r.stdout
    ev = pd.read_csv(tmp_path / "events.csv")
    assert list(ev.columns) == ["step", "date", "event_type", "actor", "target", "causes", "detail"]
    assert (pd.to_datetime(ev.date) < "2020-07-01").all()
    ts = pd.read_parquet(tmp_path / "timeseries.parquet")
    assert ts.date.max() <= pd.Timestamp("2020-07-01")
    assert {"actor", "side", "fighters", "resources"} <= set(ts.columns)


def test_set_changes_the_run(tmp_path):
    a = coalsim("run", str(SMALL), "--out", str(tmp_path / "a"))
    b = coalsim(
        "run",
        str(SMALL),
        "--out",
        str(tmp_path / "b"),
        "--set",
        "windows_of_opportunity.enabled=false",
    )
    assert a.returncode == b.returncode == 0
    fights_a = (pd.read_csv(tmp_path / "a" / "events.csv").event_type == "fight").sum()
    fights_b = (pd.read_csv(tmp_path / "b" / "events.csv").event_type == "fight").sum()
    assert fights_b == 0 < fights_a


def test_bad_file_exits_2_with_path_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text().replace("start: 2020-01-01", "start: 2023-01-01", 1))
    r = coalsim("validate", str(bad))
    assert r.returncode == 2
    assert str(bad) in r.stderr and "end:" in r.stderr and "expected a date after" in r.stderr
    assert "Traceback" not in r.stderr


def test_bad_set_and_until_exit_2(tmp_path):
    r = coalsim("run", str(SMALL), "--set", "truces.base_rate=abc")
    assert r.returncode == 2 and "expected a number" in r.stderr
    r = coalsim("run", str(SMALL), "--until", "not-a-date")
    assert r.returncode == 2 and "--until" in r.stderr
    assert "Traceback" not in r.stderr


def test_rules_lists_every_parameter():
    from sim.rules import RULES

    r = coalsim("rules")
    assert r.returncode == 0
    for rule in RULES.values():
        assert rule.name in r.stdout
        for p in rule.params:
            assert p.name in r.stdout


def test_run_says_where_the_rules_come_from_and_no_fitted_switches_the_file_off(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(SMALL.read_text() + "\nfitted: fitted.yaml\n")
    (tmp_path / "fitted.yaml").write_text("windows_of_opportunity: {enabled: false}\n")
    args = ("run", str(scen), "--until", "2020-07-01")
    fitted = coalsim(*args, "--out", str(tmp_path / "f"))
    plain = coalsim(*args, "--out", str(tmp_path / "d"), "--no-fitted")
    assert fitted.returncode == plain.returncode == 0, fitted.stderr + plain.stderr
    # three_groups.yaml sets 3 values of its own (one of them landscape_alignment.enabled)
    assert (
        f"rules: 1 fitted value(s) from {tmp_path / 'fitted.yaml'}, 3 set by the scenario or "
        "--set; declared defaults otherwise"
    ) in fitted.stdout
    assert (
        "rules: declared defaults except 3 value(s) set by the scenario or --set (the "
        "scenario's fitted file 'fitted.yaml' not used)"
    ) in plain.stdout
    fights = {
        k: (pd.read_csv(tmp_path / k / "events.csv").event_type == "fight").sum() for k in "fd"
    }
    assert fights["f"] == 0 < fights["d"]


def test_a_bad_fitted_file_exits_2_naming_it_without_traceback(tmp_path):
    scen = tmp_path / "s.yaml"
    scen.write_text(SMALL.read_text() + "\nfitted: fitted.yaml\n")
    r = coalsim("validate", str(scen))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert f"{scen}: fitted: expected a fitted-parameter file" in r.stderr
    (tmp_path / "fitted.yaml").write_text("truces: {base_rate: 3}\n")
    r = coalsim("run", str(scen))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "fitted.yaml: truces.base_rate: expected a number in [0.0, 1.0], got 3" in r.stderr
