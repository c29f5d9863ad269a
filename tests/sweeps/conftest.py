"""Shared helpers of the sweep tests: a small sweep file, the CLI, results comparison."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "three_groups.yaml"

# 4 points x 4 replicates = 16 runs of the three-groups scenario (~0.2 s each).
SMALL_SWEEP = f"""
name: small
scenario: {SMALL}
window: {{end: 2021-06-30}}
parameters:
  - name: windows_of_opportunity.base_rate
    values: [0.002, 0.02]
  - name: truces.base_rate
    values: [0.1, 0.4]
replicates: 4
seed: 11
outputs:
  outcomes:
    - name: njf_fights_vim
      event: fight
      actor: Northern Jihadist Front
      target: Valley Islamic Movement
      either_way: true
      before: 2020-07-01
    - name: vim_with_fhb
      together: [Valley Islamic Movement, Free Hills Brigade]
      date: 2021-01-01
  structure:
    dates: [2021-01-01]
    sides_of: [Hill Town Battalion]
"""
N_SMALL = 16
CLI = [sys.executable, "-m", "sim.cli"]


def env() -> dict[str, str]:
    """Environment of subprocesses: the repository importable (``sweeps`` included)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    e["PYTHONUNBUFFERED"] = "1"
    return e


def coalsim(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    """Run ``python -m sim.cli ARGS`` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Results without the columns that legitimately differ between runs (wall time)."""
    return df.drop(columns=["wall_seconds"]).sort_values("run_key").reset_index(drop=True)


def expected_keys(points: int, replicates: int) -> set[str]:
    from sweeps.runner import run_key

    return {run_key(p, r) for p in range(points) for r in range(replicates)}


@pytest.fixture(scope="session")
def small_sweep_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sweepfile") / "small.yaml"
    path.write_text(SMALL_SWEEP)
    return path


@pytest.fixture(scope="session")
def reference(tmp_path_factory, small_sweep_file) -> Path:
    """The small sweep, uninterrupted, on the local process pool (2 workers)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    r = coalsim("sweep", str(small_sweep_file), "--out", str(out), "--workers", "2")
    assert r.returncode == 0, r.stderr
    return out
