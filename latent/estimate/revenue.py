"""Revenue from data: Monte Carlo revenue of mechanisms under estimated marginals, the observed
second-highest value, and a bootstrap over auctions.

* :func:`mc_revenue`: expected revenue Σ_i E[p_i(v)] of mechanisms under the product of the
  marginals, on common random numbers, with normal 95% CIs on i.i.d. profiles.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from latent.data.empirical import marginals_from
from latent.data.tails import mean_interval
from numerics.mechanisms import SecondPrice, make_mechanism


@dataclass(frozen=True)
class RevenueEstimate:
    """Mean revenue per auction with a 95% CI over i.i.d. draws: normal, or (a nonnegative
    sample whose normal interval crosses 0) percentile bootstrap with a ``warning``
    (:func:`latent.data.tails.mean_interval`)."""

    mean: float
    ci: tuple[float, float]
    samples: int
    method: str = "normal 95% CI"
    warning: str = ""

    def to_dict(self) -> dict:
        return {"mean": self.mean, "ci": list(self.ci), "samples": self.samples,
                "ci_method": f"{self.method}, i.i.d. profiles from the estimated marginals"}


def _estimate(x: np.ndarray, nonnegative: bool = True) -> RevenueEstimate:
    """``nonnegative``: a revenue, cost or bid (True) or a difference (False); see
    :func:`latent.data.tails.mean_interval`."""
    m, ci, method, warning = mean_interval(x, nonnegative=nonnegative)
    return RevenueEstimate(m, ci, len(x), method, warning)


def profiles(marginals, samples: int, seed, batch: int = 1 << 16):
    """Batches of value profiles (rows) under the product of ``marginals``, by inversion of
    one seeded uniform stream: the same seed gives the same profiles to every mechanism
    (common random numbers).

    >>> from numerics.valuations import Uniform
    >>> [v.shape for v in profiles((Uniform(),) * 3, 5, seed=0, batch=4)]
    [(4, 3), (1, 3)]
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    n = len(marginals)
    done = 0
    while done < samples:
        b = min(batch, samples - done)
        u = rng.random((b, n))
        v = np.empty((b, n))
        for i, m in enumerate(marginals):
            v[:, i] = m.quantile(u[:, i])
        yield v
        done += b


def mc_revenue(mechs: dict, marginals, samples: int, seed, batch: int = 1 << 16) -> dict:
    """Revenue Σ_i E[p_i(v)] of each mechanism (name → Mechanism) on the same profiles, plus
    ``"<a> - <b>"`` differences of the first against the others (common random numbers).

    >>> from numerics.mechanisms import SecondPrice
    >>> from numerics.valuations import Uniform
    >>> r = mc_revenue({"sp": SecondPrice(2)}, (Uniform(),) * 2, 20000, seed=1)
    >>> lo, hi = r["sp"].ci; bool(lo < 1 / 3 < hi)     # (n−1)/(n+1)
    True
    """
    names = list(mechs)
    per = {k: [] for k in names}
    for v in profiles(marginals, samples, seed, batch):
        for k in names:
            per[k].append(mechs[k].payments(v[:, :, None]).sum(axis=1))
    arrays = {k: np.concatenate(per[k]) for k in names}
    out = {k: _estimate(arrays[k]) for k in names}
    for k in names[1:]:
        out[f"{names[0]} - {k}"] = _estimate(arrays[names[0]] - arrays[k], nonnegative=False)
    return out


def observed_second_price(matrix: np.ndarray) -> RevenueEstimate:
    """Mean second-highest bid over the observed auctions (no independence assumed), normal CI.

    >>> observed_second_price(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]])).mean
    3.0
    """
    second = np.sort(matrix, axis=1)[:, -2]
    return _estimate(second)


def bootstrap_revenue(matrix: np.ndarray, mechanism: str, asymmetric: bool, n_boot: int,
                      samples: int, seed, confidence: float = 0.95) -> dict:
    """Percentile intervals of the revenues over ``n_boot`` row-bootstrap replicates: rows
    resampled, marginals and mechanism re-estimated, revenue by :func:`mc_revenue` — so the
    interval includes the estimation error of the marginals (which the MC CI does not).

    >>> rng = np.random.default_rng(np.random.SeedSequence(0))
    >>> iv = bootstrap_revenue(rng.random((300, 2)), "second_price", False, 20, 2000, seed=1)
    >>> lo, hi = iv["second_price"]; bool(lo < 1 / 3 < hi)
    True
    """
    ss = np.random.SeedSequence(seed)
    rows_ss, mc_ss = ss.spawn(2)
    rng = np.random.default_rng(rows_ss)
    n = matrix.shape[1]
    reps = {"mechanism": [], "second_price": [], "difference": []}
    for child in mc_ss.spawn(n_boot):
        sample = matrix[rng.integers(0, len(matrix), len(matrix))]
        marg = marginals_from(sample, asymmetric)
        mech = make_mechanism(mechanism, n, valuation=marg)
        r = mc_revenue({"m": mech, "sp": SecondPrice(n)}, marg, samples,
                       int(child.generate_state(1)[0]))
        reps["mechanism"].append(r["m"].mean)
        reps["second_price"].append(r["sp"].mean)
        reps["difference"].append(r["m - sp"].mean)
    alpha = (1 - confidence) / 2
    return {k: tuple(float(q) for q in np.quantile(v, [alpha, 1 - alpha]))
            for k, v in reps.items()}


def observed_order_stat(matrix: np.ndarray, k: int, lowest: bool = False) -> RevenueEstimate:
    """Mean of the k-th highest (``lowest``: k-th lowest) observed bid per auction, normal CI.

    >>> observed_order_stat(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]]), 1).mean
    4.0
    >>> observed_order_stat(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]]), 2, lowest=True).mean
    3.0
    """
    s = np.sort(matrix, axis=1)
    return _estimate(s[:, k - 1] if lowest else s[:, -k])


def procurement_mc(mechs: dict, marginals, buyer_value: float, samples: int, seed,
                   batch: int = 1 << 16) -> dict:
    """Expected cost to the buyer of procurement mechanisms given as auctions on v = V − c.

    A seller with cost c is a bidder with value v = V − c (V the buyer's value); an auction
    payment t becomes the buyer's payment V·x − t to that seller, so the cost of a profile is
    Σ_i (V x_i − t_i) and the purchase indicator Σ_i x_i. Returns, per mechanism, ``cost``,
    ``purchase`` (probability) and ``surplus`` (V·purchase − cost), and ``"<a> - <b>"`` cost
    differences (common random numbers).

    >>> from numerics.valuations import Uniform
    >>> r = procurement_mc({"rsp": SecondPrice(2)}, (Uniform(1.0, 2.0),) * 2, 3.0, 20000, 1)
    >>> lo, hi = r["rsp"]["cost"].ci; bool(lo < 3 - 4 / 3 < hi)    # costs U[1, 2]: E[max] = 5/3
    True
    """
    names = list(mechs)
    cost = {k: [] for k in names}
    buy = {k: [] for k in names}
    for v in profiles(marginals, samples, seed, batch):
        for k in names:
            x, t = mechs[k].outcome(v[:, :, None])
            x = x[:, :, 0]
            cost[k].append((buyer_value * x - t).sum(axis=1))
            buy[k].append(x.sum(axis=1))
    out = {}
    for k in names:
        c, p = np.concatenate(cost[k]), np.concatenate(buy[k])
        out[k] = {"cost": _estimate(c), "purchase": _estimate(p),
                  "surplus": _estimate(buyer_value * p - c, nonnegative=False), "_cost": c,
                  "_surplus": buyer_value * p - c}
    for k in names[1:]:
        out[f"{names[0]} - {k}"] = {
            "cost": _estimate(out[names[0]]["_cost"] - out[k]["_cost"], nonnegative=False),
            "surplus": _estimate(out[names[0]]["_surplus"] - out[k]["_surplus"],
                                 nonnegative=False)}
    for k in names:
        del out[k]["_cost"], out[k]["_surplus"]
    return out
