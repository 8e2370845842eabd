"""Fit a family's parameters θ to a training sample of profiles: maximise empirical revenue.

Empirical revenue is piecewise constant/linear in θ (a winner changes when a threshold crosses a
bid), so the optimiser works on a smooth surrogate: for a threshold rule (i wins iff
b_i ≥ t_i(b_{−i}; θ), pays t_i)

    R_τ(θ) = mean over profiles of Σ_i t_i · σ((b_i − t_i)/τ),   σ the logistic function,

which tends to the exact revenue as τ → 0; sequential posted prices use the smooth acceptance
chain Σ_k p_k σ_k Π_{l<k}(1 − σ_l). τ is annealed (``tau_steps`` values from ``tau0`` down by
10×, relative to the mean top bid), each stage solved by scipy.optimize.minimize from the last.
Every stage's θ and the start are then scored by the EXACT training revenue and the best is kept,
so smoothing can never make the fit worse than its start. The anonymous posted price is solved
exactly (the empirical optimum is one of the sampled top bids).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import optimize
from scipy.special import expit

from numerics.learn.families import (
    AffineMaximizer,
    ReserveSecondPrice,
    SequentialPostedPrice,
)
from numerics.learn.lookahead import Lookahead, make_pricer

FAMILIES = (
    "reserve_second_price",
    "affine_maximizer",
    "lookahead",
    "posted_price",
    "sequential_posted_price",
)


def monopoly_price(marginal) -> float:
    """argmax_p p(1 − F(p)) for a Valuation (Myerson's reserve) or a scipy distribution.

    >>> from scipy import stats
    >>> round(monopoly_price(stats.uniform()), 3)
    0.5
    """
    if hasattr(marginal, "monopoly_price"):
        return float(marginal.monopoly_price())
    p = marginal.ppf(np.linspace(0.0, 1.0 - 1e-6, 20001))
    return float(p[np.argmax(p * marginal.sf(p))])


def _threshold_surrogate(t: np.ndarray, b: np.ndarray, tau: float) -> float:
    fin = np.isfinite(t)
    tt = np.where(fin, t, 0.0)
    return float(np.mean(np.sum(tt * expit((b - tt) / tau) * fin, axis=1)))


@dataclass(frozen=True)
class FitResult:
    """Fitted parameters θ, the mechanism's readable parameters and its exact training revenue."""

    family: str
    theta: tuple
    params: dict
    train_revenue: float
    start_revenue: float
    stages: int
    evaluations: int

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class Family:
    """A parameterised DSIC family: θ ↦ mechanism, its start θ₀ and smooth training revenue."""

    name: str
    profile: object
    pricer: object = field(default=None)

    @property
    def n(self) -> int:
        return self.profile.n_bidders

    def reserves0(self) -> np.ndarray:
        return np.array([monopoly_price(f) for f in self.profile.marginals])

    def start(self, train: np.ndarray) -> np.ndarray:
        """θ₀: Myerson's reserves on the marginals; α = 1; the best anonymous posted price."""
        if self.name == "reserve_second_price":
            return self.reserves0()
        if self.name == "affine_maximizer":
            return np.concatenate([np.zeros(self.n - 1), -self.reserves0()])
        if self.name == "lookahead":
            return np.zeros(1)
        p = best_posted_price(train)
        return np.array([p]) if self.name == "posted_price" else np.full(self.n, p)

    def build(self, theta):
        theta = np.asarray(theta, float)
        if self.name == "reserve_second_price":
            return ReserveSecondPrice(tuple(float(r) for r in theta))
        if self.name == "affine_maximizer":
            w = np.exp(np.concatenate([[0.0], theta[: self.n - 1]]))
            return AffineMaximizer(tuple(w.tolist()), tuple(theta[self.n - 1 :].tolist()))
        if self.name == "lookahead":
            return Lookahead(self.pricer or make_pricer(self.profile), float(np.exp(theta[0])))
        if self.name == "posted_price":
            return SequentialPostedPrice((float(theta[0]),) * self.n, tuple(range(self.n)))
        if self.name == "sequential_posted_price":
            return SequentialPostedPrice(tuple(float(p) for p in theta))
        raise ValueError(f"unknown family {self.name!r}; choose from {', '.join(FAMILIES)}")

    def params(self, theta) -> dict:
        d = self.build(theta).to_dict()
        return {k: v for k, v in d.items() if k not in ("mechanism", "truthful_by_design", "kind")}

    def prepare(self, b: np.ndarray):
        """Parameter-free work on the training sample (the lookahead's p*), done once."""
        if self.name == "lookahead":
            return Lookahead(self.pricer or make_pricer(self.profile)).base_prices(b)
        return None

    def surrogate(self, theta, b: np.ndarray, tau: float, cache=None) -> float:
        theta = np.asarray(theta, float)
        if self.name == "lookahead":
            top, m, p = cache
            t = np.maximum(m, np.exp(theta[0]) * p)
            return float(np.mean(t * expit((b[np.arange(b.shape[0]), top] - t) / tau)))
        if self.name in ("posted_price", "sequential_posted_price"):
            prices = np.broadcast_to(theta, (self.n,))
            order = np.argsort(-prices, kind="stable") if theta.size > 1 else np.arange(self.n)
            s = expit((b[:, order] - prices[order]) / tau)
            ones = np.ones((b.shape[0], 1))
            none_before = np.cumprod(np.concatenate([ones, 1 - s[:, :-1]], axis=1), axis=1)
            return float(np.mean(np.sum(prices[order] * s * none_before, axis=1)))
        return _threshold_surrogate(self.build(theta).thresholds(b), b, tau)

    def revenue(self, theta, b: np.ndarray) -> float:
        """Exact empirical revenue on profiles b (batch, N)."""
        return float(np.mean(self.build(theta).payments(b[:, :, None]).sum(axis=1)))


def best_posted_price(b: np.ndarray) -> float:
    """Exact empirical optimum of one anonymous price: argmax_p p·#{top bid ≥ p}/B over top bids.

    >>> best_posted_price(np.array([[0.2, 0.9], [0.6, 0.1], [0.3, 0.4]]))
    0.4
    """
    top = np.sort(b.max(axis=1))[::-1]
    rev = top * np.arange(1, top.size + 1)
    return float(top[int(np.argmax(rev))])


def fit(
    family: Family,
    train: np.ndarray,
    method: str = "L-BFGS-B",
    tau0: float = 0.05,
    tau_steps: int = 3,
    jitter: float = 0.0,
    seed: int = 0,
    start=None,
    maxiter: int = 200,
) -> FitResult:
    """Maximise the smoothed training revenue from ``start`` (default :meth:`Family.start`).

    ``train``: profiles (batch, N) or (batch, N, 1). ``jitter``: relative noise on the start
    (a restart), drawn from ``SeedSequence(seed)``.

    >>> from numerics.valuations import Uniform, iid
    >>> prof = iid(Uniform(), 2)
    >>> v = prof.sample(np.random.default_rng(np.random.SeedSequence(0)), 4000)
    >>> r = fit(Family("reserve_second_price", prof), v)
    >>> r.train_revenue >= r.start_revenue
    True
    """
    b = np.asarray(train, float)
    b = b[:, :, 0] if b.ndim == 3 else b
    scale = float(np.mean(b.max(axis=1))) or 1.0
    theta0 = np.asarray(family.start(b) if start is None else start, float)
    if jitter > 0:
        rng = np.random.default_rng(np.random.SeedSequence(seed))
        theta0 = theta0 + jitter * rng.normal(size=theta0.size) * max(scale, 1e-9)
    cands = [theta0]
    evals = 0
    if family.name != "posted_price":
        cache = family.prepare(b)
        theta = theta0
        for tau in tau0 * scale * np.geomspace(1.0, 0.1, max(tau_steps, 1)):

            def neg(th, tau=tau):
                return -family.surrogate(th, b, tau, cache)

            res = optimize.minimize(neg, theta, method=method, options={"maxiter": maxiter})
            evals += int(res.nfev)
            theta = res.x
            cands.append(theta)
    revs = [family.revenue(c, b) for c in cands]
    k = int(np.argmax(revs))
    return FitResult(
        family.name,
        tuple(float(x) for x in cands[k]),
        family.params(cands[k]),
        revs[k],
        revs[0],
        len(cands) - 1,
        evals,
    )
