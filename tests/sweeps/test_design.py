"""Designs: sizes (Sobol N(2D+2), Morris N(D+1)), bounds, scales, seeds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sweeps.design import build_design, expected_points, replicate_seeds
from sweeps.spec import sweep_from_text
from tests.sweeps.conftest import SMALL

PARAMS = """
parameters:
  - {name: windows_of_opportunity.base_rate, low: 0.0001, high: 0.01, scale: log}
  - {name: truces.base_rate, low: 0.05, high: 0.5}
  - {name: windows_of_opportunity.contacts, low: 2, high: 40}
"""


def sweep(design: str, params: str = PARAMS, seed: int = 3):
    text = f"name: d\nscenario: {SMALL}\nseed: {seed}\ndesign: {design}\n{params}"
    return sweep_from_text(text, "d.yaml", base=Path("."))


@pytest.mark.parametrize(
    ("design", "size"),
    [
        ("{method: sobol, samples: 8}", 8 * (2 * 3 + 2)),
        ("{method: sobol, samples: 4, second_order: false}", 4 * (3 + 2)),
        ("{method: morris, samples: 5}", 5 * (3 + 1)),
        ("{method: lhs, samples: 7}", 7),
    ],
)
def test_sizes(design, size):
    s = sweep(design)
    d = build_design(s)
    assert len(d) == size == expected_points(s)
    assert d.x.shape == (size, 3)


def test_grid_is_every_combination_last_fastest():
    s = sweep(
        "{method: grid}",
        "parameters:\n"
        "  - {name: truces.base_rate, values: [0.1, 0.2, 0.3]}\n"
        "  - {name: windows_of_opportunity.enabled, values: [true, false]}\n",
    )
    d = build_design(s)
    assert len(d) == 6 == expected_points(s)
    assert d.points["truces.base_rate"].tolist() == [0.1, 0.1, 0.2, 0.2, 0.3, 0.3]
    assert d.points["windows_of_opportunity.enabled"].tolist() == [True, False] * 3
    assert d.params_of(3) == {"truces.base_rate": 0.2, "windows_of_opportunity.enabled": False}
    assert d.x is None and d.problem is None


def test_no_parameters_is_one_point():
    d = build_design(sweep("{method: grid}", "parameters: []\n"))
    assert len(d) == 1 and d.params_of(0) == {}


def test_values_within_bounds_log_scale_and_whole_numbers():
    d = build_design(sweep("{method: lhs, samples: 200}"))
    rate = d.points["windows_of_opportunity.base_rate"]
    assert rate.between(0.0001, 0.01).all()
    # log scale: about half the points below the geometric mean 0.001
    assert 0.35 < (rate < 0.001).mean() < 0.65
    np.testing.assert_allclose(np.log10(rate), d.x[:, 0])
    contacts = d.points["windows_of_opportunity.contacts"]
    assert contacts.dtype.kind == "i" and contacts.between(2, 40).all()
    assert d.points["truces.base_rate"].between(0.05, 0.5).all()


def test_designs_are_seeded():
    a = build_design(sweep("{method: sobol, samples: 4}"))
    b = build_design(sweep("{method: sobol, samples: 4}"))
    c = build_design(sweep("{method: sobol, samples: 4}", seed=4))
    assert a.points.equals(b.points)
    assert not a.points.equals(c.points)
    d = build_design(sweep("{method: sobol, samples: 4, seed: 3}", seed=99))
    assert a.points.equals(d.points)  # design.seed overrides the base seed


def test_replicate_seeds_spawned_and_stable_when_extended():
    s4 = replicate_seeds(20260101, 4)
    assert s4 == replicate_seeds(20260101, 4)
    assert len(set(s4)) == 4 and all(0 <= s < 2**32 for s in s4)
    assert replicate_seeds(20260101, 8)[:4] == s4
    assert replicate_seeds(20260102, 4) != s4
