"""The one-dimensional ``Valuation`` interface shared by every value distribution.

A subclass supplies ``cdf``, ``pdf``, ``quantile``, ``mean`` and ``support``; this base class adds
inverse-transform sampling, the virtual value ψ(v) = v − (1 − F(v))/f(v), ironing (concave hull
of R(q) = q·F⁻¹(1−q), see :mod:`numerics.valuations.ironing`) and the generalised inverse of the
ironed virtual value that Myerson payments need.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from numerics.valuations.ironing import apply_ironing, ironed_intervals


class Valuation:
    """A one-dimensional value distribution F (continuous unless ``is_discrete``).

    A subclass supplies :meth:`cdf`, :meth:`pdf`, :meth:`quantile`, :attr:`mean` and
    :attr:`support`; this class derives sampling, virtual values, ironing and the monopoly
    price from them. The contract, which :func:`~numerics.valuations.check_valuation` tests
    (and :func:`~numerics.valuations.register_valuation` runs before it accepts a name):

    * ``cdf(x)``, ``pdf(x)`` and ``quantile(u)`` are vectorised: an array of shape S gives a
      float array of shape S;
    * none of them warns on valid input (numpy's warnings included): ``quantile`` on all of
      [0, 1], both ends included — ``quantile(1.0)`` is the support's upper end, ``inf`` for
      an unbounded law, without a warning, since the engine samples as ``quantile(U)``;
      ``cdf`` and ``pdf`` anywhere, outside the support too;
    * ``quantile`` is non-decreasing, finite on (0, 1) and within the support; ``cdf`` is
      non-decreasing in [0, 1] (0 below the support, 1 above) and inverts it:
      F(F⁻¹(u)) ≥ u, with equality where F is continuous; ``pdf`` is finite and ≥ 0;
    * ``mean`` is a finite float, ``support`` a pair (lo, hi) with lo < hi (±inf allowed).

    Attributes
    ----------
    is_discrete : bool
        True for a law with atoms only (its virtual values are the discrete ones).
    """

    is_discrete: bool = False

    # --- to be supplied by subclasses -------------------------------------------------------
    def cdf(self, x):
        """F(x), elementwise (an array of x's shape)."""
        raise NotImplementedError

    def pdf(self, x):
        """The density f(x), elementwise (continuous laws)."""
        raise NotImplementedError

    def quantile(self, u):
        """F⁻¹(u) = inf{x : F(x) ≥ u} for u in [0, 1], elementwise, without a warning at
        u = 0 or 1."""
        raise NotImplementedError

    @property
    def mean(self) -> float:
        """E[v], a finite float."""
        raise NotImplementedError

    @property
    def support(self) -> tuple[float, float]:
        """The smallest interval (lo, hi), lo < hi, holding all the mass (±inf allowed)."""
        raise NotImplementedError

    # --- generic machinery -------------------------------------------------------------------
    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        """Inverse-transform sample F⁻¹(U)."""
        return np.asarray(self.quantile(rng.random(size)), dtype=float)

    def virtual_value(self, x):
        """ψ(x) = x − (1 − F(x))/f(x)."""
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return x - (1.0 - self.cdf(x)) / self.pdf(x)

    def revenue_curve(self, q):
        """R(q) = q·F⁻¹(1 − q): revenue of the posted price sold with probability q."""
        q = np.asarray(q, dtype=float)
        return q * self.quantile(1.0 - q)

    @cached_property
    def ironed_intervals(self):
        """Maximal intervals where the ironed virtual value is constant (empty if regular)."""
        return ironed_intervals(self.quantile)

    @property
    def is_regular(self) -> bool:
        return len(self.ironed_intervals) == 0

    def ironed_virtual_value(self, x):
        """ψ̄(x): slope of the concave hull of R at q = 1 − F(x)."""
        x = np.asarray(x, dtype=float)
        return apply_ironing(x, self.virtual_value(x), self.ironed_intervals)

    @cached_property
    def _ironed_table(self):
        lo, hi = self.support
        u = np.concatenate(
            [np.linspace(0.0, 1.0 - 1e-6, 16384), 1.0 - np.geomspace(1e-6, 1e-12, 64)]
        )
        t = np.unique(
            np.concatenate(
                [
                    np.asarray(self.quantile(u), dtype=float),
                    [v for iv in self.ironed_intervals for v in (iv.v_lo, iv.v_hi)],
                ]
            )
        )
        t = t[np.isfinite(t)]
        phi = np.maximum.accumulate(np.nan_to_num(self.ironed_virtual_value(t), nan=-np.inf))
        return t, phi

    def ironed_inverse(self, y):
        """(t_lo, t_hi) with t_lo = inf{t: ψ̄(t) ≥ y}, t_hi = inf{t: ψ̄(t) > y} (clipped to support).

        They differ only when y is the constant of an ironed interval; Myerson payments with
        ties split equally follow from them via the payment identity.
        """
        y = np.asarray(y, dtype=float)
        t, phi = self._ironed_table
        lo = self.support[0]
        fin = np.isfinite(phi)
        tt, pp = t[fin], phi[fin]
        # strictly increasing pieces: invert by interpolation; extrapolate with the last slope
        t_lo = np.interp(y, pp, tt)
        slope = (tt[-1] - tt[-2]) / max(pp[-1] - pp[-2], 1e-300)
        t_lo = np.where(y > pp[-1], tt[-1] + (y - pp[-1]) * slope, t_lo)
        t_lo = np.where(y <= pp[0], max(lo, tt[0]) if np.isfinite(lo) else tt[0], t_lo)
        t_hi = t_lo.copy()
        for iv in self.ironed_intervals:
            on = y == iv.value
            # first tabulated t with ψ̄(t) ≥ value: ≤ v_lo, since the clamp in apply_ironing
            # may extend the flat part a grid step to the left
            first = tt[min(int(np.searchsorted(pp, iv.value, side="left")), tt.size - 1)]
            t_lo = np.where(on, min(first, iv.v_lo), t_lo)
            t_hi = np.where(on, iv.v_hi, t_hi)
        return t_lo, t_hi

    def monopoly_price(self) -> float:
        """The revenue-maximising posted price, r with ψ̄(r) = 0 (Myerson's reserve)."""
        return float(self.ironed_inverse(np.array(0.0))[0])

    def to_dict(self) -> dict:
        return {"distribution": repr(self), "support": list(self.support), "mean": self.mean}
