"""numpy's order of additions inside numba kernels (sim.kernels.np_sum)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels import np_sum


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 127, 128, 129, 130, 1000, 8193, 20001])
def test_np_sum_is_numpy_sum_to_the_last_bit(n):
    rng = np.random.default_rng(n)
    for _ in range(5):
        x = rng.lognormal(0.0, 3.0, n) * rng.choice([-1.0, 1.0], n)
        assert np_sum(x) == x.sum()


def test_a_plain_loop_would_differ():
    # The reason np_sum exists: summing left to right gives other last bits.
    rng = np.random.default_rng(0)
    x = rng.lognormal(0.0, 3.0, 1000)
    loop = 0.0
    for v in x:
        loop += v
    assert loop != x.sum() and np_sum(x) == x.sum()
