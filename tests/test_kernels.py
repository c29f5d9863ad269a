"""numpy's order of additions inside numba kernels (sim.kernels)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.kernels import np_power, np_sum, row_dot


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


@pytest.mark.parametrize("width", [1, 5, 7, 8, 9, 16, 23, 130])
def test_row_dot_is_numpy_row_sum(width):
    rng = np.random.default_rng(width)
    t = rng.random((20, width))
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    a, b = rng.integers(20, size=50), rng.integers(20, size=50)
    want = (t[a] * t[b]).sum(axis=1)
    got = np.array([row_dot(t, int(i), int(j)) for i, j in zip(a, b, strict=True)])
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("m", [0.0, 0.5, 1.0, 2.0, -1.0, 1.5, 4.0, 3.7])
def test_np_power_is_numpy_power(m):
    # numpy squares, roots and inverts without pow(), which differs in the last bit.
    x = np.random.default_rng(7).lognormal(3.0, 3.0, 20000)
    got = np.array([np_power(v, m) for v in x[:2000]])
    np.testing.assert_array_equal(got, np.power(x[:2000], m))
    np.testing.assert_array_equal(got, x[:2000] ** m)
