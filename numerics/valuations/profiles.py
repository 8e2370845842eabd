"""Joint models of a whole bid profile v ∈ R^{N×M}: independent (iid or per-bidder asymmetric)
marginals, the correlated-bidders paper's latent-factor correlated model, and multi-item bundle
values.

Bundle values of bidder i for an allocation x_i ∈ [0,1]^M (integral x is the usual case):
additive Σ_m v_m x_m; unit-demand max_m v_m x_m (a fractional x with Σ_m x_m ≤ 1 is a lottery
over single items, valued Σ v_m x_m); complements Σ_m v_m x_m + s·Π_m x_m (synergy s for the
grand bundle).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from numerics.valuations.base import Valuation
from numerics.valuations.univariate import Censored, ScipyValuation

KINDS = ("additive", "unit_demand", "complements")


def bundle_value(v: np.ndarray, x: np.ndarray, kind: str = "additive", synergy: float = 0.0):
    """Value of allocation x (…, M) to types v (…, M) under ``kind``; shape (…).

    >>> v = np.array([[1.0, 2.0]]); x = np.array([[1.0, 1.0]])
    >>> [float(bundle_value(v, x, k, 0.5)[0]) for k in KINDS]
    [3.0, 2.0, 3.5]
    """
    lin = np.sum(v * x, axis=-1)
    if kind == "additive":
        return lin
    if kind == "unit_demand":
        return np.where(np.sum(x, axis=-1) <= 1.0 + 1e-12, lin, np.max(v * x, axis=-1))
    if kind == "complements":
        return lin + synergy * np.prod(x, axis=-1)
    raise ValueError(f"unknown valuation kind {kind!r}; choose from {', '.join(KINDS)}")


@dataclass(frozen=True, eq=False)
class IndependentProfile:
    """Independent bidders, bidder i's M item values iid from ``marginals[i]``.

    >>> from numerics.valuations.univariate import Uniform
    >>> p = IndependentProfile((Uniform(),) * 3)
    >>> p.sample(np.random.default_rng(np.random.SeedSequence(0)), 5).shape
    (5, 3, 1)
    """

    marginals: tuple
    n_items: int = 1
    kind: str = "additive"
    synergy: float = 0.0
    independent: bool = field(default=True, init=False)

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown valuation kind {self.kind!r}; choose from {KINDS}")
        if self.n_items < 1 or len(self.marginals) < 1:
            raise ValueError("need at least one bidder and one item")

    @property
    def n_bidders(self) -> int:
        return len(self.marginals)

    @property
    def iid(self) -> bool:
        return all(m is self.marginals[0] for m in self.marginals)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.iid:
            return self.marginals[0].sample(rng, (size, self.n_bidders, self.n_items))
        return np.stack([m.sample(rng, (size, self.n_items)) for m in self.marginals], axis=1)

    def to_dict(self) -> dict:
        return {
            "model": "independent",
            "marginals": [repr(m) for m in self.marginals],
            "n_items": self.n_items,
            "kind": self.kind,
            "synergy": self.synergy,
        }


@dataclass(frozen=True, eq=False)
class LatentFactorProfile:
    """Seed 004's correlated model v_i = max(0, w_i·z + ε_i), z ~ N(0, σ_z² I_d), ε_i ~ N(0, σ_ε²).

    The tastes w_i ~ N(0, I_d) are drawn once per instance from ``w_seed`` (as in the seed's code,
    which draws them once per generator). Marginal of v_i: max(0, N(0, σ_z²|w_i|² + σ_ε²)).

    >>> p = LatentFactorProfile(4, w_seed=1)
    >>> v = p.sample(np.random.default_rng(np.random.SeedSequence(0)), 1000)
    >>> v.shape, bool(v.min() >= 0)
    ((1000, 4, 1), True)
    """

    n: int
    d: int = 1
    sigma_z: float = 1.0
    sigma_eps: float = 0.05
    w_seed: int = 0
    n_items: int = field(default=1, init=False)
    kind: str = field(default="additive", init=False)
    synergy: float = field(default=0.0, init=False)
    independent: bool = field(default=False, init=False)

    @property
    def n_bidders(self) -> int:
        return self.n

    @property
    def w(self) -> np.ndarray:
        return np.random.default_rng(np.random.SeedSequence(self.w_seed)).normal(
            size=(self.n, self.d)
        )

    @property
    def marginals(self) -> tuple:
        scales = np.sqrt(self.sigma_z**2 * np.sum(self.w**2, axis=1) + self.sigma_eps**2)
        return tuple(
            Censored(ScipyValuation(stats.norm(0.0, s), f"norm:0:{s:.4g}"), 0.0) for s in scales
        )

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        z = rng.normal(0.0, self.sigma_z, size=(size, self.d))
        eps = rng.normal(0.0, self.sigma_eps, size=(size, self.n))
        return np.maximum(0.0, z @ self.w.T + eps)[:, :, None]

    def to_dict(self) -> dict:
        return {
            "model": "latent_factor",
            "n": self.n,
            "d": self.d,
            "sigma_z": self.sigma_z,
            "sigma_eps": self.sigma_eps,
            "w_seed": self.w_seed,
            "w": self.w.tolist(),
        }


def iid(
    valuation: Valuation,
    n_bidders: int,
    n_items: int = 1,
    kind: str = "additive",
    synergy: float = 0.0,
) -> IndependentProfile:
    """n iid bidders with marginal ``valuation`` (the same object, so sampling is one call).

    >>> from numerics.valuations.univariate import Exponential
    >>> iid(Exponential(), 3).n_bidders
    3
    """
    return IndependentProfile((valuation,) * n_bidders, n_items, kind, synergy)
