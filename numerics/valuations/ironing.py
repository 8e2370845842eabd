"""Ironing in quantile space: the ironed virtual value is the slope of the concave hull R̄ of
the revenue curve R(q) = q·F⁻¹(1 − q), evaluated at q = 1 − F(v) (Myerson 1981; Bulow–Roberts).

Where R is already concave, R̄ = R and the ironed virtual value is the plain ψ(v) = v − (1−F)/f;
on each ironed interval [v_lo, v_hi] it is the constant slope of the hull's chord.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def upper_hull(q: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Indices of the vertices of the upper concave hull of points (q_k, r_k), q increasing.

    >>> upper_hull(np.array([0.0, 0.5, 1.0]), np.array([0.0, 0.1, 0.5])).tolist()
    [0, 2]
    """
    hull: list[int] = []
    for k in range(q.size):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # drop b when it lies on or below the chord a→k (cross product ≥ 0)
            cross = (q[b] - q[a]) * (r[k] - r[a]) - (r[b] - r[a]) * (q[k] - q[a])
            if cross >= 0:
                hull.pop()
            else:
                break
        hull.append(k)
    return np.asarray(hull, dtype=int)


@dataclass(frozen=True)
class IronedInterval:
    """A maximal interval of values on which the ironed virtual value is the constant ``value``."""

    v_lo: float
    v_hi: float
    q_lo: float
    q_hi: float
    value: float

    def to_dict(self) -> dict:
        return {
            "v_lo": self.v_lo,
            "v_hi": self.v_hi,
            "q_lo": self.q_lo,
            "q_hi": self.q_hi,
            "value": self.value,
        }


def quantile_grid(n: int = 8192) -> np.ndarray:
    """Quantile grid on [0, 1], dense near q = 0 where heavy tails live.

    >>> g = quantile_grid(16); float(g[0]), float(g[-1]), bool(np.all(np.diff(g) > 0))
    (0.0, 1.0, True)
    """
    tail = np.geomspace(1e-9, 1e-3, 64, endpoint=False)
    return np.concatenate([[0.0], tail, np.linspace(1e-3, 1.0, n)])


def ironed_intervals(quantile, n: int = 8192, rel_tol: float = 1e-9) -> tuple[IronedInterval, ...]:
    """Ironed intervals of a distribution given by its quantile function F⁻¹.

    Builds R(q) = q·F⁻¹(1−q) on :func:`quantile_grid`, takes the upper hull, and reports every
    hull chord that passes strictly above R (by more than ``rel_tol``·max R) at some grid point.
    Resolution: endpoints are exact to one grid step (≈ 1/n in quantile).

    >>> ironed_intervals(lambda u: u)  # U[0,1]: R(q) = q(1−q) is concave, nothing to iron
    ()
    """
    q = quantile_grid(n)
    with np.errstate(invalid="ignore", over="ignore"):
        vals = np.asarray(quantile(np.clip(1.0 - q, 0.0, 1.0)), dtype=float)
        r = np.where(q > 0, q * vals, 0.0)
    r = np.where(np.isfinite(r), r, 0.0)
    tol = rel_tol * max(1.0, float(np.max(np.abs(r))))
    hull = upper_hull(q, r)
    out = []
    for a, b in zip(hull[:-1], hull[1:], strict=True):
        if b - a < 2:
            continue
        slope = (r[b] - r[a]) / (q[b] - q[a])
        chord = r[a] + slope * (q[a + 1 : b] - q[a])
        if np.max(chord - r[a + 1 : b]) <= tol:
            continue
        out.append(
            IronedInterval(
                v_lo=float(vals[b]),
                v_hi=float(vals[a]),
                q_lo=float(q[a]),
                q_hi=float(q[b]),
                value=float(slope),
            )
        )
    return tuple(sorted(out, key=lambda iv: iv.v_lo))


def apply_ironing(x: np.ndarray, psi: np.ndarray, intervals) -> np.ndarray:
    """Replace ψ by the interval constant on each ironed interval (pure; returns a new array).

    Also clamps ψ ≤ value left of an interval and ψ ≥ value right of it: exact at the true
    tangency points, and it keeps ψ̄ monotone when the grid misplaces an endpoint slightly
    (otherwise a type just below v_lo could outrank the whole interval).

    >>> iv = IronedInterval(1.0, 2.0, 0.1, 0.3, 0.5)
    >>> apply_ironing(np.array([0.5, 1.5]), np.array([-1.0, 9.0]), [iv]).tolist()
    [-1.0, 0.5]
    """
    out = np.array(psi, dtype=float, copy=True)
    for iv in intervals:
        out = np.where(x < iv.v_lo, np.minimum(out, iv.value), out)
        out = np.where(x > iv.v_hi, np.maximum(out, iv.value), out)
        out = np.where((x >= iv.v_lo) & (x <= iv.v_hi), iv.value, out)
    return out
