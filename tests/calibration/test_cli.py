"""``coalsim compare``: one tiny end-to-end run, and bad input refused with status 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main
from tests.calibration.helpers import GROUPS, ROOT, write_record

IDLIB = ROOT / "scenarios" / "idlib_2017.yaml"


def test_compare_writes_the_report_and_prints_the_headline(tmp_path):
    out = tmp_path / "report"
    args = ["compare", str(IDLIB), "--runs", "4", "--workers", "1", "--until", "2017-07-01"]
    r = subprocess.run(
        [sys.executable, "-m", "sim.cli", *args, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    for name in ("report.md", "counts.png", "timeline.png", "alignment.png", "headline.csv"):
        assert (out / name).stat().st_size > 0, name
    lines = r.stdout.splitlines()
    header = next(
        k for k, line in enumerate(lines) if line.split()[:4] == ["score", "model", "null", "skill"]
    )
    scores = {line.split()[0]: line.split()[1:] for line in lines[header + 1 : header + 10]}
    assert {"hit_rate", "brier", "log", "ari", "count_error"} <= set(scores)
    head = pd.read_csv(out / "headline.csv").set_index("score")
    model, null, skill = head.loc["brier", ["model", "null", "skill"]]
    assert 0 <= model < 1 and 0 < null < 1 and skill == pytest.approx(1 - model / null)
    assert [float(v) for v in scores["brier"]] == pytest.approx([model, null, skill], abs=1e-4)
    assert "4 runs" in r.stdout and "2017-01-01 .. 2017-07-01" in r.stdout
    report = (out / "report.md").read_text()
    assert "## Headline scores" in report and "![timeline](timeline.png)" in report
    assert "E017" in report  # the HTS merger is in the window and in the table
    # the default scenario runs with its fitted file, and both outputs say so
    origin = (
        f"rules: 5 fitted value(s) from {Path('calibration', 'fitted', 'idlib_2017.yaml')}; "
        "declared defaults otherwise"
    )
    assert origin in lines and f"- {origin}" in report.splitlines()


def test_compare_no_fitted_runs_the_declared_defaults(tmp_path, capsys):
    args = ["compare", str(IDLIB), "--runs", "2", "--workers", "1", "--until", "2017-03-01"]
    heads = {}
    for label, extra in (("fitted", []), ("defaults", ["--no-fitted"])):
        assert main([*args, *extra, "--out", str(tmp_path / label)]) == 0
        heads[label] = pd.read_csv(tmp_path / label / "counts.csv")
        report = (tmp_path / label / "report.md").read_text()
        assert ("not used)" in report) == (label == "defaults")
    capsys.readouterr()
    # different parameters, different simulated counts
    assert not heads["fitted"]["median"].equals(heads["defaults"]["median"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2017-02-30"], "--from: expected a date YYYY-MM-DD"),
        (["--from", "2017-06-01", "--until", "2017-03-01"], "expected a date after 2017-06-01"),
        (["--until", "2030-01-01"], "the scenario's period"),
        (["--runs", "0"], "--runs: expected a whole number >= 1"),
        (["--set", "truces.nope=1"], "truces"),
    ],
)
def test_bad_options_exit_2_without_traceback(capsys, args, message):
    assert main(["compare", str(IDLIB), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_a_bad_record_row_exits_2_with_its_row_number(tmp_path, capsys):
    write_record(
        tmp_path,
        [
            ("E1", "2017-03-01", "fight", "Alpha", "Bravo"),
            ("E2", "2017-13-01", "fight", "Alpha", "Bravo"),
        ],
        GROUPS,
    )
    assert main(["compare", str(IDLIB), "--record", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "row 2, column date" in err and "2017-13-01" in err
