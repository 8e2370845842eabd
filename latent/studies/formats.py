"""The auction formats of Nagy (Latent Compression) §4.4, as measurable objects.

A :class:`Format` names a mechanism (``numerics.mechanisms``), sizes N, M, a value law and the
seed's claimed grade / ρ / revenue. :func:`build` turns it into what the measurements need:

* the *allocation rule as a function of independent inputs* for the grade spectrum — each
  bidder's type (her value vector, ``block = M``) is one input; for the latent-factor model
  v_i = max(0, w_i z + ε_i) the bidders are dependent, so the inputs are the independent
  primitives (z; ε_1…ε_N), N + 1 of them (the grade then counts the common factor as an input);
* a profile sampler for revenue and efficiency, and the optimal welfare to compare with.

Posted prices come in two forms: ``posted_unlimited`` (unlimited supply, x_im = 1{v_im ≥ p}:
additive in the bidders, grade 1 exactly; outside the one-unit feasibility Σ_i x_im ≤ 1) and the
one-unit sequential ``posted_price`` of ``numerics.mechanisms`` (first bidder in index order
above the price buys — not grade 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from numerics.mechanisms import make_mechanism
from numerics.mechanisms.base import Mechanism
from numerics.mechanisms.multi import GSP, optimal_welfare
from numerics.valuations import LatentFactorProfile, parse_profile, parse_valuation


@dataclass(frozen=True, eq=False)
class UnlimitedPostedPrice(Mechanism):
    """Unlimited supply at a posted price p per item: x_im = 1{v_im ≥ p}, p_i = p Σ_m x_im.

    >>> x, p = UnlimitedPostedPrice(0.5).outcome(np.array([[[0.7], [0.9], [0.1]]]))
    >>> x[0, :, 0].tolist(), p.tolist()
    ([1.0, 1.0, 0.0], [[0.5, 0.5, 0.0]])
    """

    price: float = 0.5
    name: str = field(default="posted_unlimited", init=False)
    truthful: bool = field(default=True, init=False)

    def outcome(self, v):
        x = (v >= self.price).astype(float)
        return x, self.price * x.sum(axis=2)


@dataclass(frozen=True)
class Format:
    """One row of the landscape: a format at sizes (N, M) under one value law.

    ``params``: extra keyword arguments of ``make_mechanism`` as (name, value) pairs.
    """

    key: str
    label: str
    mechanism: str
    n: int
    m: int = 1
    values: str = "uniform"
    params: tuple = ()
    kind: str = "additive"
    synergy: float = 0.0
    claimed_grade: str = ""
    claimed_rho: str = ""
    claimed_revenue: str = ""

    def with_(self, **changes) -> Format:
        """A copy with fields changed (sizes, value law).

        >>> FORMATS["second_price"].with_(n=5).n
        5
        """
        d = dict(self.__dict__) | changes
        return Format(**d)

    def to_dict(self) -> dict:
        return dict(self.__dict__) | {"params": dict(self.params)}


# The seed's §4.4 table, with the sizes of the quick landscape (CLI flags change them).
#: The auction formats of the landscape by key (:class:`Format`), at the sizes of the quick
#: landscape (the command line's flags change them).
FORMATS: dict[str, Format] = {f.key: f for f in [
    Format("posted_unlimited", "Posted prices (unlimited supply)", "posted_unlimited", 3,
           claimed_grade="1", claimed_rho="∞", claimed_revenue="Low (no competition)"),
    Format("posted_price", "Posted price (one unit, sequential)", "posted_price", 3,
           claimed_grade="1", claimed_rho="∞", claimed_revenue="Low (no competition)"),
    Format("second_price", "Second-price (single item)", "second_price", 3,
           claimed_grade="2", claimed_rho="Large (smooth F)",
           claimed_revenue="Optimal for single item"),
    Format("gsp", "Generalized second-price (multi-slot)", "gsp", 5, 2,
           claimed_grade="2", claimed_rho="Large (smooth F)", claimed_revenue="Near-optimal"),
    Format("vcg", "VCG (multi-item, ind. values)", "vcg", 3, 4,
           claimed_grade="2–3", claimed_rho="Moderate to large",
           claimed_revenue="Good but not optimal"),
    Format("myerson", "Revenue-optimal (Myerson, single item)", "myerson", 3,
           claimed_grade="2", claimed_rho="Large (smooth F)", claimed_revenue="Optimal"),
    Format("myerson_latent", "Myerson under the latent-factor model", "myerson", 3,
           values="latent", claimed_grade="2–R*", claimed_rho="Depends on correlation",
           claimed_revenue="Optimal"),
    Format("combinatorial", "Combinatorial (grand-bundle complements)", "vcg", 4, 3,
           kind="complements", synergy=1.0, claimed_grade="N", claimed_rho="→ 1",
           claimed_revenue="Requires full optimization"),
]}

# Smooth vs rough laws for the smoothness test (same format, side by side).
SMOOTHNESS_LAWS = ("beta:2:2", "beta:1/2:1/2", "uniform", "discrete:1/4,3/4:1/2,1/2",
                   "exponential", "lognormal:0:1")


@dataclass(frozen=True)
class Built:
    """A format made concrete: mechanism, spectrum inputs, profile sampler."""

    fmt: Format
    mechanism: Mechanism
    profile: object
    n_inputs: int
    marginals: object
    block: int | None
    input_note: str

    def allocation_of_inputs(self, u: np.ndarray) -> np.ndarray:
        """x flattened to (batch, N·M_out) from spectrum inputs (see module doc)."""
        v = self.to_profile(u)
        x = self.mechanism.allocation(v)
        return x.reshape(x.shape[0], -1)

    def to_profile(self, u: np.ndarray) -> np.ndarray:
        u = np.asarray(u, dtype=float)
        if isinstance(self.profile, LatentFactorProfile):
            # u: (batch, N+1) = (z, ε_1…ε_N); one factor (d = 1)
            w = self.profile.w[:, 0]
            return np.maximum(0.0, u[:, :1] * w[None, :] + u[:, 1:])[:, :, None]
        return u if u.ndim == 3 else u[:, :, None]

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        return self.profile.sample(rng, size)

    def welfare(self, v: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Realised and optimal welfare per profile (unlimited supply: everyone may buy)."""
        realised = self.mechanism.value(v, x).sum(axis=1)
        if isinstance(self.mechanism, GSP):
            best = self.mechanism.optimal_welfare(v)
        elif isinstance(self.mechanism, UnlimitedPostedPrice):
            best = np.maximum(v, 0.0).sum(axis=(1, 2))
        else:
            best = optimal_welfare(v, self.profile.kind, self.profile.synergy)
        return realised, best


def build(fmt: Format, seed: int = 0) -> Built:
    """Make a :class:`Format` concrete (``seed`` is the latent model's taste seed W_SEED: it fixes
    the tastes w_i, part of the model; the landscape passes a fixed one, not its sampling seed).

    >>> b = build(FORMATS["second_price"]); b.n_inputs, b.block
    (3, None)
    >>> build(FORMATS["vcg"]).allocation_of_inputs(np.random.default_rng(0).random((2, 3, 4))).shape
    (2, 12)
    """
    if fmt.values.startswith("latent"):
        profile = parse_profile(fmt.values, fmt.n, seed=seed)
        if getattr(profile, "d", 1) != 1 or fmt.m != 1:
            raise ValueError("latent-factor formats: one factor (d = 1) and one item only")
    else:
        profile = parse_profile(fmt.values, fmt.n, fmt.m, fmt.kind, fmt.synergy)
    params = dict(fmt.params)
    if fmt.mechanism == "posted_unlimited":
        price = params.get("price")
        if price is None:
            price = parse_valuation(fmt.values).monopoly_price()
        mech: Mechanism = UnlimitedPostedPrice(float(price))
    else:
        extra = {"kind": fmt.kind, "synergy": fmt.synergy} if fmt.mechanism == "vcg" else {}
        mech = make_mechanism(fmt.mechanism, fmt.n, fmt.m, valuation=profile, **extra,
                              **params)
    if isinstance(profile, LatentFactorProfile):
        marg = [stats.norm(0, profile.sigma_z)] + [stats.norm(0, profile.sigma_eps)] * fmt.n
        return Built(fmt, mech, profile, fmt.n + 1, marg, None,
                     "inputs: the independent primitives (z, ε_1…ε_N) of the latent model")
    if fmt.mechanism == "gsp":  # a bidder's type is one per-click value; M = slots
        return Built(fmt, mech, parse_profile(fmt.values, fmt.n), fmt.n,
                     parse_valuation(fmt.values), None,
                     f"inputs: the N bidders' per-click values; outputs x_(i,slot), {fmt.m} "
                     "slots")
    marg = profile.marginals[0] if profile.iid else list(profile.marginals)
    block = fmt.m if fmt.m > 1 else None
    note = (f"inputs: the N bidders' value vectors (block of M = {fmt.m})" if block else
            "inputs: the N bidders' values")
    return Built(fmt, mech, profile, fmt.n, marg, block, note)
