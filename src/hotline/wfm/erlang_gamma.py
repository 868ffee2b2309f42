"""Log-space incomplete-gamma sums behind the Erlang formulas, stable for thousands of agents.

Two sums carry all the Erlang B/C/A maths (Jagerman 1974; Garnett, Mandelbaum & Reiman 2002):

* ``S(a, z) = Σ_{j≥0} z^j / ((a+1)(a+2)…(a+j)) = Γ(a+1) e^z z^(-a) P(a, z)``
  (``P`` is the regularised lower incomplete gamma, ``scipy.special.gammainc``);
* ``1/B(n, A) = Σ_{k=0..n} n!/(k! A^(n-k)) = Γ(n+1) e^A A^(-n) Q(n+1, A)``
  (``Q`` the regularised upper one; ``B`` is Erlang B).

Both are taken in logarithms so that ``A^n`` and ``n!`` never overflow. Where ``P`` or ``Q``
underflows (far from the load), the defining series converges geometrically and is summed
directly instead.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

FloatArray = NDArray[np.float64]

# Below this the incomplete gamma has lost its relative precision to underflow.
_TINY = 1e-280
_EPS = 1e-17
_MAX_TERMS = 1_000_000


def log_s(a: FloatArray, z: FloatArray) -> FloatArray:
    """``log S(a, z)`` for ``a ≥ 0``, ``z ≥ 0`` (broadcast arrays).

    >>> float(np.exp(log_s(np.array(0.0), np.array(2.0))))  # S(0, z) = e^z
    7.38905609893065
    """
    a, z = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(z, dtype=np.float64))
    out = np.zeros(a.shape, dtype=np.float64)
    pos = z > 0
    if not pos.any():
        return out
    ap, zp = a[pos], z[pos]
    p = special.gammainc(ap, zp)
    direct = p > _TINY
    res = np.empty(ap.shape, dtype=np.float64)
    res[direct] = (
        special.gammaln(ap[direct] + 1.0)
        + zp[direct]
        - ap[direct] * np.log(zp[direct])
        + np.log(p[direct])
    )
    if not direct.all():
        # Only reached for z far below a, where the ratio z/(a+j) stays well under 1.
        res[~direct] = np.log(_geometric_sum(ap[~direct], zp[~direct], step=+1.0))
    out[pos] = res
    return out


def log_inverse_erlang_b(n: FloatArray, load: FloatArray) -> FloatArray:
    """``log(1/B(n, A))`` for whole ``n ≥ 0`` and ``A > 0`` (broadcast arrays)."""
    n, load = np.broadcast_arrays(
        np.asarray(n, dtype=np.float64), np.asarray(load, dtype=np.float64)
    )
    q = special.gammaincc(n + 1.0, load)
    direct = q > _TINY
    res = np.empty(n.shape, dtype=np.float64)
    res[direct] = (
        special.gammaln(n[direct] + 1.0)
        + load[direct]
        - n[direct] * np.log(load[direct])
        + np.log(q[direct])
    )
    if not direct.all():
        # Only reached for n far below A: the terms n(n-1)…/A^j shrink geometrically.
        res[~direct] = np.log(_geometric_sum(n[~direct], load[~direct], step=-1.0))
    return res


def _geometric_sum(a: FloatArray, z: FloatArray, *, step: float) -> FloatArray:
    """``Σ_j Π_{i=1..j} f_i`` with ``f_i = z/(a+i)`` (step +1) or ``(a-i+1)/z`` (step -1)."""
    total = np.ones(a.shape, dtype=np.float64)
    term = np.ones(a.shape, dtype=np.float64)
    active = np.ones(a.shape, dtype=bool)
    for i in range(1, _MAX_TERMS):
        if step > 0:
            term = np.where(active, term * z / (a + i), 0.0)
        else:
            term = np.where(active, term * np.maximum(a - i + 1.0, 0.0) / z, 0.0)
        total += term
        active &= term > _EPS * total
        if not active.any():
            return total
    raise ArithmeticError("incomplete-gamma series did not converge")  # pragma: no cover
