"""The lookahead auction (Ronen 2001) for correlated values, and the conditional pricers it uses.

The highest bidder i (ties: lowest index) is offered the price

    t_i = max(m, α·p*),  p* = argmax_{p ≥ m} p · P(v_i ≥ p | v_{−i}),   m = max_{j≠i} b_j,

and everyone else loses. t_i depends on the others' bids only, so the auction is DSIC and
ex-post IR for every α > 0 and however accurate the conditional law is (accuracy affects revenue,
never incentives). α = 1 is Ronen's lookahead; α is the one parameter the optimiser may tune.

Conditional laws:

* :class:`IndependentPricer` — independent bidders: v_i | v_{−i} ~ F_i, so p* maximises the
  revenue curve p(1 − F_i(p)) over p ≥ m (a candidate grid of F_i's quantiles plus the monopoly
  price, suffix maxima; exact for regular F_i: p* = max(m, r_i)).
* :class:`LatentPricer` — the correlated-bidders paper's model v_j = max(0, w_j·z + ε_j),
  z ~ N(0, σ_z² I_d),
  ε_j ~ N(0, σ_ε²), **using the model's structure** (not a fit to data). Positive reports are
  linear-Gaussian observations of z, so z | (positive reports) is Gaussian in closed form; for
  d = 1 the zero reports (w_j z + ε_j ≤ 0, likelihood Φ(−w_j z/σ_ε)) are included exactly on a
  129-point grid and the posterior is then moment-matched by a Gaussian (for d > 1 they are
  ignored). The predictive of w_i·z + ε_i is N(μ, s²); its revenue curve p·Φ((μ − p)/s) is
  single-peaked (the normal is log-concave), so p* = max(m, p₀) with p₀ = s·Φ(a)/φ(a),
  a = (μ − p₀)/s, solved by bisection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.special import log_ndtr

from numerics.learn.families import ThresholdMechanism, others_max

_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _survival(marginal, p):
    if hasattr(marginal, "quantile"):
        return 1.0 - np.asarray(marginal.cdf(p), float)
    return np.asarray(marginal.sf(p), float)


def _quantile(marginal, u):
    if hasattr(marginal, "quantile"):
        return np.asarray(marginal.quantile(u), float)
    return np.asarray(marginal.ppf(u), float)


@dataclass(frozen=True, eq=False)
class IndependentPricer:
    """Optimal posted price p ≥ m for bidder i with independent marginals F_i.

    >>> from numerics.valuations import Uniform
    >>> pr = IndependentPricer((Uniform(),) * 2)
    >>> pr.price(np.zeros((2, 1)), 0, np.array([0.2, 0.7])).round(6).tolist()
    [0.5, 0.7]
    """

    marginals: tuple
    grid: int = 2048

    @cached_property
    def _tables(self):
        out = []
        u = np.concatenate(
            [np.linspace(0.0, 1.0 - 1e-6, self.grid), 1 - np.geomspace(1e-6, 1e-9, 16)]
        )
        for f in self.marginals:
            c = _quantile(f, u)
            if hasattr(f, "monopoly_price"):
                c = np.append(c, f.monopoly_price())
            c = np.unique(c[np.isfinite(c)])
            rev = c * _survival(f, c)
            # suffix maxima: best candidate price ≥ c[k]
            idx = np.arange(c.size)
            best = np.maximum.accumulate(rev[::-1])[::-1]
            arg = np.empty_like(idx)
            run = c.size - 1
            for k in range(c.size - 1, -1, -1):  # one pass at construction only
                if rev[k] >= rev[run]:
                    run = k
                arg[k] = run
            out.append((c, best, c[arg]))
        return out

    def price(self, others: np.ndarray, i: int, m: np.ndarray) -> np.ndarray:
        c, best, best_p = self._tables[i]
        k = np.searchsorted(c, m, side="left")
        inside = k < c.size
        kk = np.minimum(k, c.size - 1)
        grid_rev = np.where(inside, best[kk], -np.inf)
        at_m = m * _survival(self.marginals[i], m)
        return np.where(grid_rev > at_m, best_p[kk], m)


def _normal_price(mu: np.ndarray, s: np.ndarray, iters: int = 64) -> np.ndarray:
    """argmax_{p>0} p·Φ((μ − p)/s): the root of p − s·Φ(a)/φ(a), a = (μ − p)/s (bisection).

    >>> from scipy import optimize, stats
    >>> best = optimize.minimize_scalar(lambda p: -p * stats.norm.sf(p), (0, 3)).x
    >>> bool(abs(_normal_price(np.array([0.0]), np.array([1.0]))[0] - best) < 1e-6)
    True
    """
    lo = np.zeros_like(mu)
    hi = np.maximum(mu, 0.0) + 12.0 * s + 1e-12
    for _ in range(iters):
        p = 0.5 * (lo + hi)
        a = (mu - p) / s
        with np.errstate(over="ignore"):  # Φ/φ = ∞ for p ≪ μ: then p is too low, as wanted
            mills = np.exp(log_ndtr(a) + 0.5 * a * a + _LOG_SQRT_2PI)
        up = p - s * mills > 0
        hi = np.where(up, p, hi)
        lo = np.where(up, lo, p)
    return 0.5 * (lo + hi)


@dataclass(frozen=True, eq=False)
class LatentPricer:
    """Optimal price for bidder i under the latent-factor model, given the others' reports.

    >>> from numerics.valuations import LatentFactorProfile
    >>> pr = LatentPricer(LatentFactorProfile(3, w_seed=1))
    >>> p = pr.price(np.array([[0.5, 0.4]]), 0, np.array([0.0])); bool(p[0] > 0)
    True
    """

    profile: object
    grid: int = 129

    @cached_property
    def w(self) -> np.ndarray:
        return np.asarray(self.profile.w, float)

    def posterior(self, others: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean (B, d) and covariance (B, d, d) of z given the others' reports."""
        sz, se = self.profile.sigma_z, self.profile.sigma_eps
        w_o = np.delete(self.w, i, axis=0)  # (N−1, d)
        pos = others > 0
        d = w_o.shape[1]
        if d == 1:
            wv = w_o[:, 0]
            prec = 1.0 / sz**2 + (pos * wv**2).sum(axis=1) / se**2
            mean = (pos * wv * others).sum(axis=1) / se**2 / prec
            sd = 1.0 / np.sqrt(prec)
            zero = (~pos).any(axis=1)
            if zero.any() and se > 0:
                rows = np.nonzero(zero)[0]
                u = np.linspace(-8.0, 8.0, self.grid)
                z = mean[rows, None] + sd[rows, None] * u  # (R, G)
                logw = -0.5 * u**2 + np.einsum(
                    "rj,rjg->rg",
                    (~pos[rows]).astype(float),
                    log_ndtr(-wv[None, :, None] * z[:, None, :] / se),
                )
                wt = np.exp(logw - logw.max(axis=1, keepdims=True))
                wt /= wt.sum(axis=1, keepdims=True)
                mz = (wt * z).sum(axis=1)
                mean = mean.copy()
                sd = sd.copy()
                mean[rows] = mz
                sd[rows] = np.sqrt(np.maximum((wt * (z - mz[:, None]) ** 2).sum(axis=1), 1e-300))
            return mean[:, None], (sd**2)[:, None, None]
        wp = pos[:, :, None] * w_o[None]  # zero reports dropped (see module doc)
        prec = np.eye(d) / sz**2 + np.einsum("bjk,bjl->bkl", wp, wp) / se**2
        cov = np.linalg.inv(prec)
        rhs = np.einsum("bjk,bj->bk", wp, others) / se**2
        return np.einsum("bkl,bl->bk", cov, rhs), cov

    def price(self, others: np.ndarray, i: int, m: np.ndarray) -> np.ndarray:
        mean, cov = self.posterior(others, i)
        wi = self.w[i]
        mu = mean @ wi
        s = np.sqrt(np.einsum("k,bkl,l->b", wi, cov, wi) + self.profile.sigma_eps**2)
        return np.maximum(m, _normal_price(mu, np.maximum(s, 1e-12)))


def make_pricer(profile):
    """The conditional pricer for a profile model: latent-factor or independent marginals.

    >>> from numerics.valuations import Uniform, iid
    >>> type(make_pricer(iid(Uniform(), 3))).__name__
    'IndependentPricer'
    """
    if getattr(profile, "independent", True) is False:
        if not hasattr(profile, "w"):
            raise ValueError("lookahead: no conditional law for this correlated model")
        return LatentPricer(profile)
    return IndependentPricer(tuple(profile.marginals))


@dataclass(frozen=True, eq=False)
class Lookahead(ThresholdMechanism):
    """Lookahead auction: the top bidder faces max(m, α·p*(b_{−i})) (see module doc).

    >>> from numerics.valuations import Uniform, iid
    >>> la = Lookahead(make_pricer(iid(Uniform(), 2)))
    >>> la.payments(np.array([[0.9, 0.3], [0.9, 0.6], [0.3, 0.4]])).round(6).tolist()
    [[0.5, 0.0], [0.6, 0.0], [0.0, 0.0]]
    """

    pricer: object
    alpha: float = 1.0
    name: str = field(default="lookahead", init=False)

    def base_prices(self, b: np.ndarray):
        """(top bidder, m, p*) per profile; p* ≥ m is the α = 1 price."""
        top = np.argmax(b, axis=1)
        rows = np.arange(b.shape[0])
        m = others_max(b)[rows, top]
        p = np.empty(b.shape[0])
        for i in range(b.shape[1]):
            sel = np.nonzero(top == i)[0]
            if sel.size:
                p[sel] = self.pricer.price(np.delete(b[sel], i, axis=1), i, m[sel])
        return top, m, p

    def thresholds(self, b):
        top, m, p = self.base_prices(b)
        t = np.full(b.shape, np.inf)
        t[np.arange(b.shape[0]), top] = np.maximum(m, self.alpha * p)
        return t

    def to_dict(self) -> dict:
        return {**super().to_dict(), "alpha": self.alpha, "pricer": type(self.pricer).__name__}
