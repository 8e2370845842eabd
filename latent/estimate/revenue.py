"""Revenue from data: Monte Carlo revenue of mechanisms under estimated marginals, and the
observed order statistics of the bids.

* :func:`mc_revenue`: expected revenue Σ_i E[p_i(v)] of mechanisms under the product of the
  marginals, on common random numbers, each an :class:`~numerics.results.Estimate` with the
  interval of :func:`latent.data.tails.mean_estimate` on i.i.d. profiles.
"""

from __future__ import annotations

import numpy as np

from latent.data.tails import mean_estimate
from numerics.results import Estimate


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
    out = {k: mean_estimate(arrays[k]) for k in names}
    for k in names[1:]:
        out[f"{names[0]} - {k}"] = mean_estimate(arrays[names[0]] - arrays[k], nonnegative=False)
    return out


def observed_second_price(matrix: np.ndarray) -> Estimate:
    """Mean second-highest bid over the observed auctions (no independence assumed), normal CI.

    >>> observed_second_price(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]])).mean
    3.0
    """
    second = np.sort(matrix, axis=1)[:, -2]
    return mean_estimate(second)


def observed_order_stat(matrix: np.ndarray, k: int, lowest: bool = False) -> Estimate:
    """Mean of the k-th highest (``lowest``: k-th lowest) observed bid per auction, normal CI.

    >>> observed_order_stat(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]]), 1).mean
    4.0
    >>> observed_order_stat(np.array([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]]), 2, lowest=True).mean
    3.0
    """
    s = np.sort(matrix, axis=1)
    return mean_estimate(s[:, k - 1] if lowest else s[:, -k])


def procurement_mc(mechs: dict, marginals, buyer_value: float, samples: int, seed,
                   batch: int = 1 << 16) -> dict:
    """Expected cost to the buyer of procurement mechanisms given as auctions on v = V − c.

    A seller with cost c is a bidder with value v = V − c (V the buyer's value); an auction
    payment t becomes the buyer's payment V·x − t to that seller, so the cost of a profile is
    Σ_i (V x_i − t_i) and the purchase indicator Σ_i x_i. Returns, per mechanism, ``cost``,
    ``purchase`` (probability) and ``surplus`` (V·purchase − cost), and ``"<a> - <b>"`` cost
    differences (common random numbers).

    >>> from numerics.mechanisms import SecondPrice
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
        out[k] = {"cost": mean_estimate(c), "purchase": mean_estimate(p),
                  "surplus": mean_estimate(buyer_value * p - c, nonnegative=False), "_cost": c,
                  "_surplus": buyer_value * p - c}
    for k in names[1:]:
        out[f"{names[0]} - {k}"] = {
            "cost": mean_estimate(out[names[0]]["_cost"] - out[k]["_cost"], nonnegative=False),
            "surplus": mean_estimate(out[names[0]]["_surplus"] - out[k]["_surplus"],
                                 nonnegative=False)}
    for k in names:
        del out[k]["_cost"], out[k]["_surplus"]
    return out
