"""Derived state: patches after membership changes equal full refreshes (sim.state.patch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim import load_scenario
from sim.model import PATCH_MIN_ROWS, CoalitionModel
from sim.synthetic import synthetic_scenario

ROOT = Path(__file__).resolve().parents[1]


def patched_run(scenario, seed: int, steps: int) -> tuple[CoalitionModel, int]:
    """Step with every patch checked against a full refresh; return the model and patches."""
    m = CoalitionModel(scenario, rng=seed)
    m.check_patch = True  # _check_patch raises on the first difference
    m.refresh()
    calls = 0
    checked = m._check_patch

    def count() -> None:
        nonlocal calls
        calls += 1
        checked()

    m._check_patch = count
    for _ in range(steps):
        m.step()
    return m, calls


@pytest.mark.parametrize(
    ("scenario", "steps"),
    [
        (synthetic_scenario(300, seed=3), 30),
        (synthetic_scenario(200, seed=5, n_patrons=8, coalition_share=0.5), 30),
    ],
    ids=["synthetic_300", "synthetic_200_coalitions"],
)
def test_patches_equal_full_refreshes(scenario, steps):
    m, calls = patched_run(scenario, seed=1, steps=steps)
    assert calls > 50  # joins, mergers, defections, dissolutions were all patched
    assert {"join", "merge", "defect", "dissolve"} <= set(m.events()["event_type"])


def test_idlib_patched_like_full():
    s = load_scenario(ROOT / "scenarios" / "idlib_2017.yaml")
    patched, calls = patched_run(s, seed=2, steps=120)
    full = CoalitionModel(s, rng=2)
    for _ in range(120):
        full.step()
    assert calls > 0
    assert patched.events().equals(full.events())


def test_large_theatres_patch_and_small_ones_do_not():
    small = CoalitionModel(synthetic_scenario(50, seed=1), rng=0)
    assert small.actors.n < PATCH_MIN_ROWS and small._seen is None
    big = CoalitionModel(synthetic_scenario(700, seed=1), rng=0)
    assert big.actors.n >= PATCH_MIN_ROWS and big._seen is not None
    np.testing.assert_array_equal(big._seen[2][: big.actors.n], big.actors.parent[: big.actors.n])
