"""Simulated first-price auction files with auction covariates and a known truth.

:func:`first_price_file` writes what a real first-price data set with auction-level covariates
looks like (one row per bid: ``auction_id``, ``bidder``, ``bid`` and the auction's columns), from
a model whose every parameter is known, so that estimators run on it can be checked:

* values v = exp(x'β + region effect + log(currency rate) + u) · ε, with x = (log ``size``,
  ``age``, ``quality``), u ~ N(0, ``heterogeneity``²) an auction effect the file does not show
  (0 by default: the homogenised IPV model is then exactly right), ε iid across bidders from
  ``law`` (lognormal, or Pareto with tail index ``tail``: heavy tailed);
* bids the symmetric IPV equilibrium bids, homogeneous of degree one in the shifter:
  b = exp(x'β + …) · β_N(ε) (Haile, Hong & Shum 2003), β_N from
  :func:`latent.data.gpv.equilibrium_bids`;
* N from ``sizes``, more small auctions than large ones, and larger (log ``size``) auctions
  drawing more bidders when ``n_slope`` > 0: a covariate correlated with N, as in real files
  (bids then depend on x through N too, and a first stage without N is biased);
* ``currency``: bids in one of several currencies (rates from 1 to 15,000), so the geometric
  mean of all bids has no unit: the fixed effect that must absorb it.

The returned :class:`SimulatedFile` holds the frame, the true coefficients (in the terms the
homogenisation regression reports: ``log(size)``, ``age``, ``quality``, ``region[k]``,
``currency[k]``), N and the true ε of every bid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from latent.data.gpv import equilibrium_bids

BETA = {"log(size)": 0.5, "age": -0.02, "quality": 0.3}
COVARIATES = ("log(size)", "age", "quality")
FIXED_EFFECTS = ("region", "currency")


@dataclass(frozen=True, eq=False)
class SimulatedFile:
    """A simulated first-price file and its truth.

    ``frame``: one row per bid (``auction_id``, ``bidder``, ``bid``, ``size``, ``age``,
    ``quality``, ``region``, ``currency``). ``beta``: true coefficient of each covariate
    expression and fixed-effect dummy (reference levels 0). ``n_bidders``, ``eps``, ``value``:
    per bid, the auction's N, the bidder's ε and value. ``shifter``: per bid, exp of the
    auction's whole log index (x'β + effects + u), so value = shifter · ε.
    """

    frame: pd.DataFrame
    beta: dict
    n_bidders: np.ndarray
    eps: np.ndarray
    value: np.ndarray
    shifter: np.ndarray
    law: str
    covariates: tuple[str, ...] = COVARIATES
    fixed_effects: tuple[str, ...] = FIXED_EFFECTS


def _law(law: str, sigma: float, tail: float):
    """(frozen scipy law of ε, its lower support end)."""
    if law == "lognormal":
        return stats.lognorm(sigma), 0.0
    if law == "pareto":
        return stats.pareto(tail), 1.0
    raise ValueError(f"law = {law!r}: one of 'lognormal', 'pareto'")


def first_price_file(auctions: int = 14_600, *, sizes=(2, 3, 4, 5, 6, 7, 8, 9),
                     law: str = "lognormal", sigma: float = 0.4, tail: float = 2.5,
                     n_slope: float = 0.0, heterogeneity: float = 0.0, regions: int = 10,
                     currencies: int = 12, seed=0) -> SimulatedFile:
    """Simulate a first-price file with three covariates and two sets of fixed effects.

    Parameters
    ----------
    auctions : number of auctions (the default gives about 60,000 bids with the default sizes).
    sizes : the bidder counts N that occur; P(N = sizes[k]) ∝ 0.75^k (more small auctions).
    law, sigma, tail : the law of ε: ``"lognormal"`` (log-sd ``sigma``) or ``"pareto"`` (on
        [1, ∞), tail index ``tail`` > 1, so that bids have a mean).
    n_slope : how strongly N rises with log ``size`` (0: independent): the k above is shifted
        by ``n_slope`` × (standardised log size), rounded, and clipped to the sizes.
    heterogeneity : sd of the auction effect u the file does not show.
    regions, currencies : levels of the two fixed effects (region effects N(0, 0.2²); currency
        rates log-uniform on [1, 15000]).
    seed : anything ``numpy.random.SeedSequence`` accepts.

    Returns
    -------
    SimulatedFile

    Examples
    --------
    >>> f = first_price_file(300, seed=1)
    >>> f.frame.columns.tolist()
    ['auction_id', 'bidder', 'bid', 'size', 'age', 'quality', 'region', 'currency']
    >>> bool(np.all(f.frame["bid"] < f.value)), f.beta["log(size)"]
    (True, 0.5)
    """
    dist, lower = _law(law, sigma, tail)
    if law == "pareto" and not tail > 1:
        raise ValueError(f"tail = {tail!r}: must be > 1 (bids of a Pareto law need a mean)")
    sizes = np.asarray(sorted(sizes), dtype=np.int64)
    if sizes.size == 0 or sizes.min() < 2:
        raise ValueError(f"sizes = {sizes.tolist()}: bidder counts of at least 2")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    log_size = rng.normal(0.0, 1.0, auctions)
    age = rng.integers(0, 30, auctions).astype(float)
    quality = rng.uniform(0.0, 1.0, auctions)
    region = rng.integers(0, regions, auctions)
    currency = rng.integers(0, currencies, auctions)
    region_eff = np.concatenate([[0.0], rng.normal(0.0, 0.2, regions - 1)])
    log_rate = np.concatenate([[0.0], rng.uniform(0.0, np.log(15_000.0), currencies - 1)])
    p = 0.75 ** np.arange(sizes.size)
    k = rng.choice(sizes.size, size=auctions, p=p / p.sum())
    k = np.clip(np.rint(k + n_slope * log_size), 0, sizes.size - 1).astype(np.int64)
    n = sizes[k]
    index = (BETA["log(size)"] * log_size + BETA["age"] * age + BETA["quality"] * quality
             + region_eff[region] + log_rate[currency]
             + (rng.normal(0.0, heterogeneity, auctions) if heterogeneity else 0.0))
    aid = np.repeat(np.arange(auctions), n)
    eps = dist.ppf(rng.random(aid.size))
    beta_eps = np.empty_like(eps)
    for m in np.unique(n):
        rows = n[aid] == m
        beta_eps[rows] = equilibrium_bids(eps[rows], int(m), dist.cdf, lower)
    shifter = np.exp(index)[aid]
    slot = np.arange(aid.size) - np.repeat(np.cumsum(n) - n, n)
    frame = pd.DataFrame({"auction_id": aid, "bidder": slot, "bid": shifter * beta_eps,
                          "size": np.exp(log_size)[aid], "age": age[aid],
                          "quality": quality[aid], "region": region[aid],
                          "currency": currency[aid]})
    beta = dict(BETA)
    beta.update({f"region[{j}]": float(region_eff[j]) for j in range(1, regions)})
    beta.update({f"currency[{j}]": float(log_rate[j]) for j in range(1, currencies)})
    return SimulatedFile(frame=frame, beta=beta, n_bidders=n[aid], eps=eps,
                         value=shifter * eps, shifter=shifter,
                         law=law if law == "lognormal" else f"pareto({tail:g})")
