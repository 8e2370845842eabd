"""Finite type grids for the exact LPs, from a marginal law or an explicit discrete law.

A continuous marginal ``F`` becomes K equally likely points at the quantile midpoints
``v_k = F⁻¹((k + ½)/K)``, k = 0..K−1 (the grid whose empirical law converges to F), each value
rounded to a rational with denominator ``10⁴`` so that the LPs stay exact and small
(points that coincide after rounding are merged). A discrete law keeps its exact support and
probabilities (``discrete:V1,V2:P1,P2`` with fractions such as ``1/3`` parsed exactly).
Marginals may be ``numerics.valuations`` objects (``.quantile``) or frozen ``scipy.stats``
distributions (``.ppf``).
"""

from __future__ import annotations

from fractions import Fraction

from numerics.lp.rational import nearest_rational
from numerics.valuations import parse_valuation

Q = Fraction
DENOMINATOR = 10**4


def _parse_discrete(spec: str):
    parts = spec.split(":")
    if len(parts) != 3 or not parts[1] or not parts[2]:
        raise ValueError("discrete spec must be discrete:V1,V2,...:P1,P2,...")
    vals = [Q(v.strip()) for v in parts[1].split(",")]
    probs = [Q(p.strip()) for p in parts[2].split(",")]
    if len(vals) != len(probs):
        raise ValueError("discrete spec needs as many probabilities as values")
    if any(p <= 0 for p in probs):
        raise ValueError("discrete probabilities must be positive")
    total = sum(probs)
    if abs(float(total) - 1) > 1e-9:
        raise ValueError(f"discrete probabilities sum to {float(total):g}, not 1")
    return _merge(vals, [p / total for p in probs])


def _merge(vals, probs):
    d: dict = {}
    for v, p in zip(vals, probs, strict=True):
        d[v] = d.get(v, Q(0)) + p
    keys = sorted(d)
    if any(v < 0 for v in keys):
        raise ValueError("values must be non-negative")
    return keys, [d[k] for k in keys]


def grid_from_marginal(dist, k: int):
    """K quantile-midpoint points (rational values, probability 1/K each, merged if equal).

    >>> from scipy import stats
    >>> v, p = grid_from_marginal(stats.uniform(), 4); [str(x) for x in v], p[0]
    (['1/8', '3/8', '5/8', '7/8'], Fraction(1, 4))
    """
    if k < 1:
        raise ValueError("grid size K must be at least 1")
    if getattr(dist, "is_discrete", False) and hasattr(dist, "values") and hasattr(dist, "probs"):
        vals = [nearest_rational(v, DENOMINATOR) for v in dist.values]
        probs = [nearest_rational(p, 10**9) for p in dist.probs]
        total = sum(probs)
        return _merge(vals, [p / total for p in probs])
    qf = dist.quantile if hasattr(dist, "quantile") else dist.ppf
    vals = []
    for i in range(k):
        v = float(qf((i + 0.5) / k))
        if v != v or v in (float("inf"), float("-inf")):
            raise ValueError("quantile function returned a non-finite value")
        vals.append(Q(round(v * DENOMINATOR), DENOMINATOR))
    return _merge(vals, [Q(1, k)] * k)


def parse_grid(spec: str, k: int):
    """Grid for a CLI value spec: exact for ``discrete:…``, else ``parse_valuation`` + quantiles.

    >>> parse_grid("discrete:1,2:1/3,2/3", 8)
    ([Fraction(1, 1), Fraction(2, 1)], [Fraction(1, 3), Fraction(2, 3)])
    >>> [str(v) for v in parse_grid("uniform:0:2", 2)[0]]
    ['1/2', '3/2']
    """
    spec = spec.strip()
    if spec.startswith("discrete:"):
        return _parse_discrete(spec)
    return grid_from_marginal(parse_valuation(spec), k)
