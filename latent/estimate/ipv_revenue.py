"""The independent-private-values revenue block of one bidder count: numbers with honest intervals.

One function of the group's observed bids, :func:`group_functionals`, runs the rest of the
pipeline — values from bids (GPV for first-price bids), the estimated marginal, the mechanism —
and returns every number of the block: the mechanism's and second price's expected revenue
(procurement: the buyer's expected cost), their difference, Myerson's reserve, the observed mean
prices and the revenue-equivalence statistic. :func:`ipv_replicates` evaluates it on the data
and on auction-bootstrap replicates (:mod:`latent.estimate.bootstrap`); every printed interval
is read from those replicates, so it is an interval on the quantity (estimation error of the
first stage, the GPV step and the marginal included), not a Monte Carlo error given the
marginal.

Symmetric bidders with Myerson or second price: the numbers are exact functionals of the
estimated law (:mod:`latent.estimate.functionals`), so no Monte Carlo error enters. Otherwise
(identified asymmetric bidders, another mechanism, procurement with a buyer value) they are
Monte Carlo means on ``revenue_samples`` profiles for the point estimate and a twentieth of that
per replicate; the point's Monte Carlo error is folded into the interval and also reported on
its own, labelled as such.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from latent.data.empirical import compressed_atoms, marginals_from, must_buy_value
from latent.estimate.bootstrap import Replicates, auction_bootstrap
from latent.estimate.functionals import iid_myerson_revenue, iid_second_price, monopoly_price
from latent.estimate.revenue import mc_revenue, procurement_mc
from numerics.mechanisms import SecondPrice, make_mechanism

__all__ = ["EXACT_MECHANISMS", "group_functionals", "ipv_replicates", "is_exact"]

EXACT_MECHANISMS = ("myerson", "second_price")
Z95 = 1.959963984540054


def is_exact(opts) -> bool:
    """Whether the block's numbers are exact functionals of the estimated law (no MC)."""
    return (not opts.asymmetric and opts.mechanism.replace("-", "_") in EXACT_MECHANISMS
            and not (opts.lowest_wins and opts.buyer_value is not None))


def _observed(bids: np.ndarray, lowest: bool) -> dict:
    s = np.sort(bids, axis=1)
    first, second = (s[:, 0], s[:, 1]) if lowest else (s[:, -1], s[:, -2])
    return {"observed_win": float(first.mean()), "observed_second": float(second.mean())}


def _exact(values: np.ndarray, n: int, opts) -> dict:
    """Exact functionals of the pooled law of ``values`` (costs with ``lowest_wins``)."""
    mech = opts.mechanism.replace("-", "_")
    if opts.lowest_wins:  # must buy: cost = V − revenue on v = V − c, for any V past must-buy
        v_top = must_buy_value(values)
        law = compressed_atoms(v_top - values)
        sp = v_top - iid_second_price(law, n)
        m = v_top - iid_myerson_revenue(law, n) if mech == "myerson" else sp
        return {"mechanism": m, "second_price": sp, "difference": m - sp}
    law = compressed_atoms(values)
    sp = iid_second_price(law, n)
    m = iid_myerson_revenue(law, n) if mech == "myerson" else sp
    out = {"mechanism": m, "second_price": sp, "difference": m - sp}
    if mech == "myerson":
        out["reserve"] = monopoly_price(law)
    return out


def _simulated(values: np.ndarray, n: int, opts, samples: int, rng) -> dict:
    """Monte Carlo functionals (and their Monte Carlo SEs under ``"_mc_se"``)."""
    seed = int(rng.integers(0, 2**63 - 1))
    if opts.lowest_wins:
        value = (opts.buyer_value if opts.buyer_value is not None else
                 must_buy_value(values, opts.asymmetric))
        marg = marginals_from(value - values, opts.asymmetric)
        mech = make_mechanism(opts.mechanism, n, valuation=marg)
        r = procurement_mc({"m": mech, "sp": SecondPrice(n)}, marg, value, samples, seed)
        est = {"mechanism": r["m"]["cost"], "second_price": r["sp"]["cost"],
               "difference": r["m - sp"]["cost"]}
    else:
        marg = marginals_from(values, opts.asymmetric)
        mech = make_mechanism(opts.mechanism, n, valuation=marg)
        r = mc_revenue({"m": mech, "sp": SecondPrice(n)}, marg, samples, seed)
        est = {"mechanism": r["m"], "second_price": r["sp"], "difference": r["m - sp"]}
    out = {k: float(e.mean) for k, e in est.items()}
    out["_mc_se"] = {k: (e.ci[1] - e.ci[0]) / (2 * Z95) for k, e in est.items()}
    return out


def group_functionals(n: int, opts, to_values: Callable[[np.ndarray], np.ndarray],
                      samples: int) -> Callable[[np.ndarray, np.random.Generator], dict]:
    """``f(bids, rng)``: every number of the IPV block from one group's observed bids.

    Parameters
    ----------
    n : int
        Bidders per auction.
    opts : EstimateOptions
        ``mechanism``, ``asymmetric``, ``lowest_wins``, ``buyer_value`` and ``bids`` are read.
    to_values : callable
        Observed bids → values (costs): identity, or the GPV inversion.
    samples : int
        Monte Carlo profiles when the numbers are simulated (see :func:`is_exact`).

    Returns
    -------
    callable
        Returns a dict with ``mechanism``, ``second_price``, ``difference`` (and ``reserve``
        for Myerson's auction of symmetric bidders), ``observed_win``, ``observed_second`` and
        ``equivalence`` (the model's second-price revenue or reverse second-price cost minus
        the observed mean price of the data's format).

    >>> from latent.estimate.pipeline import EstimateOptions
    >>> f = group_functionals(2, EstimateOptions(), lambda b: b, 1000)
    >>> out = f(np.array([[1.0, 2.0], [2.0, 1.0]]), None)
    >>> out["second_price"], out["observed_second"], out["equivalence"]
    (1.25, 1.0, 0.25)
    """
    first_price = opts.bids == "first-price"
    lowest = opts.lowest_wins

    def f(bids: np.ndarray, rng) -> dict:
        values = to_values(bids)
        out = (_exact(values, n, opts) if is_exact(opts) else
               _simulated(values, n, opts, samples, rng))
        out.update(_observed(bids, lowest))
        # revenue equivalence: the model's second-price revenue (reverse second-price cost)
        # against the observed price — the winning bid of first-price data, the second bid of
        # bids taken as values
        model_sp = (out["second_price"] if is_exact(opts) else _exact_sp(values, n, lowest))
        out["equivalence"] = model_sp - out["observed_win" if first_price else
                                            "observed_second"]
        return out

    return f


def _exact_sp(values: np.ndarray, n: int, lowest: bool) -> float:
    """The pooled law's second-price revenue (reverse second-price cost), exact."""
    if lowest:
        top = float(np.max(values))
        return top - iid_second_price(compressed_atoms(top - values), n)
    return iid_second_price(compressed_atoms(values), n)


def ipv_replicates(observed: np.ndarray, n: int, opts, to_values, *, seed,
                   clusters: np.ndarray | None = None, resample=None) -> Replicates:
    """The point estimates and ``opts.data_boot`` auction-bootstrap replicates of the block.

    The point estimate's Monte Carlo (when simulated) uses ``opts.revenue_samples`` profiles,
    each replicate a twentieth of that (at least 2000): the replicates' spread carries their
    own Monte Carlo noise, which only widens the interval.

    >>> from latent.estimate.pipeline import EstimateOptions
    >>> rng = np.random.default_rng(0)
    >>> r = ipv_replicates(rng.random((400, 2)), 2, EstimateOptions(data_boot=99),
    ...                    lambda b: b, seed=1)
    >>> lo, hi = r.interval("second_price"); bool(lo < 1 / 3 < hi)    # U[0, 1]: (n−1)/(n+1)
    True
    """
    return auction_bootstrap(
        observed, group_functionals(n, opts, to_values, max(2000, opts.revenue_samples // 20)),
        n_boot=opts.data_boot, seed=seed, clusters=clusters, resample=resample,
        point_functionals=group_functionals(n, opts, to_values, opts.revenue_samples))
