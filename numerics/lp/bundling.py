"""Grand bundling for one additive buyer with independent discrete item values
(Mertzanidis–Terzoglou).

Grand bundling at price π earns ``π·P(Σ_j v_j ≥ π)``; the best price is a support point of the
bundle value. It is optimal iff this equals the certified optimum of the BIC (= DSIC for one
buyer) LP — an exact comparison of rationals. Shifting every value by ``s ≥ 0`` (``v_j + s``),
Mertzanidis–Terzoglou prove grand bundling optimal for all large enough s;
``smallest_bundling_shift``
brackets the threshold by doubling, then bisection on rationals, and checks the grid of shifts
below the bracket so a non-monotone pattern is reported rather than hidden.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from numerics.lp.optimal import TypeSpace, optimal_mechanism

Q = Fraction


@dataclass(frozen=True)
class BundlingCheck:
    """Optimal revenue vs grand-bundling revenue (both exact) for one buyer."""

    optimum: Fraction
    bundling: Fraction
    bundle_price: Fraction
    optimal: bool
    certificate: str

    def to_dict(self) -> dict:
        return {
            "optimum": self.optimum,
            "bundling": self.bundling,
            "bundle_price": self.bundle_price,
            "grand_bundling_optimal": self.optimal,
            "certificate": self.certificate,
        }


def bundling_revenue(marginals) -> tuple[Fraction, Fraction]:
    """Best grand-bundle posted price and its revenue (exact).

    >>> bundling_revenue([([1, 2], [Fraction(1, 2)] * 2)] * 2)
    (Fraction(3, 1), Fraction(9, 4))
    """
    ts = TypeSpace.product(marginals)
    vals, probs = ts.bundle()
    pairs = sorted(zip(vals, probs, strict=True))
    best = (Q(0), Q(0))
    tail = Q(1)
    for v, p in pairs:
        if v * tail > best[1]:
            best = (v, v * tail)
        tail -= p
    return best


def shift(marginals, s) -> list:
    """Every value shifted by ``s`` (probabilities unchanged).

    >>> shift([([1, 2], [Fraction(1, 2)] * 2)], 1)[0][0]
    [Fraction(2, 1), Fraction(3, 1)]
    """
    return [([Q(v) + Q(s) for v in vals], list(probs)) for vals, probs in marginals]


def check_grand_bundling(marginals) -> BundlingCheck:
    """Is grand bundling optimal for one buyer with these independent item marginals?

    >>> h = Fraction(1, 2)
    >>> check_grand_bundling([([1, 2], [h, h])] * 2).optimal
    True
    >>> check_grand_bundling([([0, 1], [h, h]), ([0, 5], [h, h])]).optimal
    False
    """
    ts = TypeSpace.product(marginals)
    res = optimal_mechanism([ts], ic="bic", formulation="expost")
    if res.revenue is None:
        raise RuntimeError(f"optimum not certified: {res.certificate.status}")
    price, rev = bundling_revenue(marginals)
    return BundlingCheck(res.revenue, rev, price, rev == res.revenue, res.certificate.status)


@dataclass(frozen=True)
class ShiftResult:
    """Bracket ``(lo, hi]`` of the smallest shift from which grand bundling is optimal."""

    lo: Fraction
    hi: Fraction
    monotone_on_grid: bool
    grid: tuple

    def to_dict(self) -> dict:
        return {
            "shift_lower": self.lo,
            "shift_upper": self.hi,
            "monotone_on_grid": self.monotone_on_grid,
        }


def smallest_bundling_shift(
    marginals, tol=Fraction(1, 64), max_shift=Fraction(1024), grid_points: int = 8
) -> ShiftResult:
    """Smallest ``s ≥ 0`` with grand bundling optimal after adding ``s`` to every value.

    Returns a bracket of width ≤ ``tol`` (``lo = hi = 0`` if already optimal at s = 0).

    >>> h = Fraction(1, 2)
    >>> r = smallest_bundling_shift([([0, 1], [h, h]), ([0, 2], [h, h])])
    >>> r.hi > 0, r.hi - r.lo <= Fraction(1, 64)
    (True, True)
    """
    ok = lambda s: check_grand_bundling(shift(marginals, s)).optimal  # noqa: E731
    if ok(0):
        return ShiftResult(Q(0), Q(0), True, ())
    hi = Q(1)
    while not ok(hi):
        hi *= 2
        if hi > max_shift:
            raise RuntimeError(f"grand bundling not optimal for shifts up to {max_shift}")
    lo = hi / 2 if hi > 1 else Q(0)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    grid = tuple((lo * k / grid_points, ok(lo * k / grid_points)) for k in range(grid_points))
    return ShiftResult(lo, hi, not any(flag for _, flag in grid), grid)
