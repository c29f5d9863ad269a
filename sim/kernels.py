"""Numba helpers that give numpy's results bit for bit inside compiled kernels.

Moving a rule's arithmetic into a kernel must not change a run: the event log of a seed has to
stay identical. Element-wise ``exp``, ``expm1`` and ``**`` compile to the same libm calls that
numpy makes here (on this AVX2 machine; numpy has its own ``exp`` for AVX-512), but numpy
raises to 2, 0.5, 1 and -1 without ``pow`` (:func:`np_power` follows it), and its ``sum`` adds
in a pairwise order, so a plain loop can differ in the last bit. :func:`np_sum` reproduces
numpy's order, and :func:`row_dot` the patron similarity ``(t[a] * t[b]).sum(axis=1)`` of
two rows. Pure functions; they touch nothing else.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _block(a, lo, n):  # pragma: no cover - compiled
    # numpy's pairwise_sum (numpy/_core/src/umath/loops_utils.h.src) on a block of up to 128:
    # a plain loop below 8 items, else 8 accumulators combined as a tree.
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - n % 8
    while i < stop:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def np_sum(a):  # pragma: no cover - compiled
    """``a.sum()`` of a contiguous 1-D float array, in numpy's order of additions.

    Above 128 items numpy sums the two halves (the first rounded down to a multiple of 8)
    recursively; the recursion is unrolled on an explicit stack because numba's cache cannot
    reload recursive functions.
    """
    n = len(a)
    if n <= 128:
        return _block(a, 0, n)
    los = np.empty(64, np.int64)
    ns = np.empty(64, np.int64)
    state = np.zeros(64, np.int64)
    left = np.empty(64)
    los[0], ns[0] = 0, n
    depth = 0
    ret = 0.0
    while depth >= 0:
        lo, m = los[depth], ns[depth]
        if m <= 128:
            ret = _block(a, lo, m)
            depth -= 1
            continue
        half = m // 2
        half -= half % 8
        if state[depth] == 0:  # sum the first half
            state[depth] = 1
            depth += 1
            los[depth], ns[depth], state[depth] = lo, half, 0
        elif state[depth] == 1:  # keep it, sum the second half
            left[depth] = ret
            state[depth] = 2
            depth += 1
            los[depth], ns[depth], state[depth] = lo + half, m - half, 0
        else:
            ret = left[depth] + ret
            depth -= 1
    return ret


@njit(cache=True)
def row_dot(t, a, b):  # pragma: no cover - compiled
    """``(t[a] * t[b]).sum()`` for rows of a 2-D array, in numpy's order of additions.

    This is the patron similarity of two actors (``t`` holds unit-normalised patron ties).
    Indexing the 2-D array directly avoids making row views in hot loops.
    """
    n = t.shape[1]
    if n > 128:
        prod = np.empty(n)
        for q in range(n):
            prod[q] = t[a, q] * t[b, q]
        return np_sum(prod)
    if n < 8:
        res = -0.0
        for q in range(n):
            res += t[a, q] * t[b, q]
        return res
    r0, r1 = t[a, 0] * t[b, 0], t[a, 1] * t[b, 1]
    r2, r3 = t[a, 2] * t[b, 2], t[a, 3] * t[b, 3]
    r4, r5 = t[a, 4] * t[b, 4], t[a, 5] * t[b, 5]
    r6, r7 = t[a, 6] * t[b, 6], t[a, 7] * t[b, 7]
    stop = n - n % 8
    for q in range(8, stop, 8):
        r0 += t[a, q] * t[b, q]
        r1 += t[a, q + 1] * t[b, q + 1]
        r2 += t[a, q + 2] * t[b, q + 2]
        r3 += t[a, q + 3] * t[b, q + 3]
        r4 += t[a, q + 4] * t[b, q + 4]
        r5 += t[a, q + 5] * t[b, q + 5]
        r6 += t[a, q + 6] * t[b, q + 6]
        r7 += t[a, q + 7] * t[b, q + 7]
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for q in range(stop, n):
        res += t[a, q] * t[b, q]
    return res


@njit(cache=True)
def np_power(x, m):  # pragma: no cover - compiled
    """``x ** m`` for a scalar exponent as numpy computes it, its exact fast paths included.

    numpy squares, takes square roots and reciprocals instead of calling ``pow`` for these
    exponents, and ``pow`` differs from them in the last bit for some ``x``.
    """
    if m == 2.0:
        return x * x
    if m == 0.5:
        return np.sqrt(x)
    if m == 1.0:
        return x
    if m == -1.0:
        return 1.0 / x
    if m == 0.0:
        return 1.0
    return x**m


@njit(cache=True)
def draws_below(u, p, out):  # pragma: no cover - compiled
    """Positions ``j`` where the draw ``u[j]`` is below the probability ``p[j]``.

    They are written to ``out`` in order; returns how many there are.
    """
    n = 0
    for j in range(len(u)):
        if u[j] < p[j]:
            out[n] = j
            n += 1
    return n
