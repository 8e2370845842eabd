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
from dataclasses import dataclass

import numpy as np

from latent.data.empirical import compressed_atoms, marginals_from, must_buy_value
from latent.data.tails import tail_gates
from latent.estimate.bootstrap import Replicates, auction_bootstrap
from latent.estimate.functionals import iid_myerson_revenue, iid_second_price, monopoly_price
from latent.estimate.report import (
    Observed,
    ProcurementPart,
    RevenueLine,
    RevenuePart,
    estimate_of,
)
from latent.estimate.revenue import mc_revenue, procurement_mc
from latent.estimate.specification import SpecTestResult, equivalence_test
from numerics.mechanisms import SecondPrice, make_mechanism
from numerics.results import ConfidenceInterval, Estimate

__all__ = ["EXACT_MECHANISMS", "IPVBlock", "group_functionals", "ipv_block", "ipv_line",
           "ipv_replicates", "is_exact"]

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


# ------------------------------------------------------------------ the block's report parts

# The interval of each number (see Replicates.interval): the optimal mechanism's revenue and its
# gain over second price are maxima fitted to the same data (biased up: bias-corrected), the
# reserve is a maximiser (percentile); the rest are smooth functionals (normal).
KINDS = {"mechanism": "bias_corrected", "difference": "bias_corrected", "reserve": "percentile",
         # observed mean prices: means of nonnegative, often heavy-tailed bids, whose percentile
         # interval stays in [min, max] (a normal one went below 0 on the World Bank file)
         "observed_win": "percentile", "observed_second": "percentile"}
# Procurement: pseudo-costs below the cost support's lower bound in more than this share of a
# group's bids withhold its IPV cost numbers (a few can be kernel noise at the lower boundary).
NEGATIVE_COST_SHARE = 0.05


def ipv_line(reps: Replicates, key: str, units: str, level: float, withheld: str = ""
             ) -> RevenueLine:
    """One number of the block with its interval on the quantity (or withheld).

    >>> r = Replicates(point={"m": 1.0}, draws={"m": np.linspace(0.9, 1.1, 99)}, n_boot=99,
    ...                clusters=50, first_stage=False)
    >>> ci = ipv_line(r, "m", "u", 0.05).estimate.ci; bool(ci.low < 1.0 < ci.high)
    True
    """
    value = float(reps.point[key])
    kind = KINDS.get(key, "normal")
    mc = None if not reps.mc_se or not reps.mc_se.get(key) else ConfidenceInterval(
        low=value - Z95 * reps.mc_se[key], high=value + Z95 * reps.mc_se[key])
    if reps.n_boot < 2:
        est = Estimate(value=value, ci=None, n=reps.clusters,
                       method="no interval: data_boot = 0 (the bootstrap was not run)")
    else:
        est = Estimate(value=value, ci=ConfidenceInterval.of(reps.interval(key, level, kind),
                                                             level=1 - level),
                       n=reps.clusters, method=reps.method(key, kind))
    return RevenueLine(estimate=est, units=units, mc_error=mc, withheld=withheld)


def _negative_costs(values: np.ndarray, opts) -> tuple[dict | None, str, str]:
    """Pseudo-costs below the cost support's lower bound: (accounting, caveat, withholding
    reason or '')."""
    if not (opts.lowest_wins and opts.bids == "first-price"):
        return None, "", ""
    bound = opts.cost_lower_bound
    below = int(np.count_nonzero(values < bound))
    share = below / values.size
    acct = {"lower_bound": bound, "below": below, "bids": int(values.size), "share": share,
            "threshold": NEGATIVE_COST_SHARE}
    if not below:
        return acct, "", ""
    msg = (f"{below} of {values.size} pseudo-costs ({share:.1%}) lie below the cost support's "
           f"lower bound {bound:g}")
    if share <= NEGATIVE_COST_SHARE:
        return acct, msg, ""
    return acct, msg, (msg + f" (more than {NEGATIVE_COST_SHARE:.0%}): the GPV inversion does "
                       "not rationalise these bids as costs")


def _gates(values: np.ndarray, reps: Replicates, opts, gpv) -> tuple[list, dict, dict]:
    """(caveats for the block's top, withheld reason by key, diagnostics for --json)."""
    caveats, withheld = [], {}
    if gpv is not None and gpv.monotonicity_rejected:
        caveats.append(f"the GPV check that the inverse bid function increases REJECTS (p = "
                       f"{gpv.monotonicity_pvalue:.2g} < {gpv.level}): no symmetric IPV "
                       "first-price equilibrium rationalises these bids; every number of this "
                       "block rests on a rejected model")
    negative, msg, why = _negative_costs(values, opts)
    if msg:
        caveats.append(msg)
    if why:
        withheld.update(dict.fromkeys(("mechanism", "second_price", "difference"), why))
    points = {"reserve": reps.point["reserve"]} if "reserve" in reps.point else None
    if points and not np.isfinite(points["reserve"]):
        withheld["reserve"] = "no reserve: no value has a positive virtual value"
        points = None
    # costs: the tail that matters is the right tail of the costs above the support's bound
    sample = values if negative is None else values[values >= opts.cost_lower_bound]
    gates = tail_gates(sample if sample.size else values, points=points)
    money = [g.reason for g in (gates.mean, gates.top1_share) if g.withhold]
    if money:
        for key in ("mechanism", "second_price", "difference"):
            withheld.setdefault(key, "; ".join(money))
    if gates.variance.withhold and not money:
        caveats.append(gates.variance.reason + ": the intervals below may undercover")
    for g in gates.points:
        if g.withhold:
            withheld[g.name] = g.reason
    by_reason: dict[str, list[str]] = {}
    for key, reason in withheld.items():
        by_reason.setdefault(reason, []).append(key.replace("_", " "))
    caveats += [f"withheld ({', '.join(keys)}): {reason}" for reason, keys in by_reason.items()]
    return caveats, withheld, {"tail": gates.to_dict(), "negative_costs": negative}


@dataclass(frozen=True, kw_only=True)
class IPVBlock:
    """The independent-private-values block of one bidder count, every number from one set of
    auction-bootstrap replicates (see the module docstring)."""

    revenue: RevenuePart
    observed_win: Observed
    observed_second: Observed
    equivalence: SpecTestResult | None
    procurement: ProcurementPart | None
    diagnostics: dict
    replicates: Replicates


def _observed_parts(reps: Replicates, opts, level: float) -> tuple[Observed, Observed]:
    lowest, first_price = opts.lowest_wins, opts.bids == "first-price"
    kind = "observed first-price bids" if first_price else "observed bids"
    if lowest:
        labels = (f"observed mean lowest bid ({kind})", f"observed mean second-lowest bid "
                  f"({kind})")
    elif first_price:
        labels = ("observed mean winning first-price bid (observed revenue)",
                  "observed mean second-highest first-price bid (observed bids; not a "
                  "second-price revenue: first-price bids are shaded)")
    else:
        labels = ("observed mean highest bid (observed bids)",
                  "observed mean second-highest bid (observed bids)")
    return tuple(Observed(estimate=ipv_line(reps, key, "", level).estimate, label=label)
                 for key, label in zip(("observed_win", "observed_second"), labels,
                                       strict=True))


def _procurement_part(lines, observed, costs, opts, n, units, marginals, seed) -> ProcurementPart:
    must = opts.buyer_value is None
    if must:
        one = Estimate(value=1.0, ci=None, method="exact: the buyer must buy")
        buy_opt = buy_rsp = one
        gain = None
        value = must_buy_value(costs, opts.asymmetric)
    else:
        value = opts.buyer_value
        mech = make_mechanism(opts.mechanism, n, valuation=marginals)
        mc = procurement_mc({"optimal": mech, "rsp": SecondPrice(n)}, marginals, value,
                            opts.revenue_samples, seed)
        how = "Monte Carlo 95% CI given the estimated marginals"
        buy_opt = estimate_of(mc["optimal"]["purchase"], how)
        buy_rsp = estimate_of(mc["rsp"]["purchase"], how)
        gain = estimate_of(mc["optimal - rsp"]["surplus"], how + ", common random numbers")
    d = lines["difference"]
    savings = Estimate(value=-d.estimate.value, ci=None if d.estimate.ci is None else (
        -d.estimate.ci.high, -d.estimate.ci.low), n=d.estimate.n, method=d.estimate.method)
    rule = ("optimal = buy from the seller with the lowest ironed virtual cost c + F(c)/f(c) "
            "(Myerson's rule for procurement), "
            + ("always (no buyer value: the buyer must buy, so the cost-minimising mechanism "
               "is the lowest-virtual-cost rule with no maximum price; for symmetric regular "
               "costs it costs the same as the reverse second-price auction)" if must else
               "if it is at most the buyer's value V; for symmetric costs this is the reverse "
               "second-price auction with maximum price p*")
            + "; reverse second price = the lowest cost wins and is paid the second-lowest cost"
            + ("" if must else " or V if lower"))
    max_price = None if must or opts.asymmetric else value - float(
        marginals[0].monopoly_price())
    win, second = observed
    return ProcurementPart(
        buyer_value=opts.buyer_value, value_used=value, max_price=max_price,
        optimal_cost=lines["mechanism"].estimate, optimal_purchase=buy_opt,
        reverse_second_price_cost=lines["second_price"].estimate,
        reverse_second_price_purchase=buy_rsp, savings=savings, surplus_gain=gain,
        observed_lowest=win.estimate, observed_second_lowest=second.estimate, rule=rule,
        units=units, observed_label=("observed first-price bids" if opts.bids == "first-price"
                                     else "observed bids"))


def ipv_block(observed: np.ndarray, values: np.ndarray, n: int, opts, to_values, *, seed,
              units: str, clusters=None, resample=None, gpv=None, marginals=None,
              mc_seed: int = 0) -> IPVBlock:
    """Every number of the IPV block of one bidder count, with its interval or withheld.

    Parameters
    ----------
    observed, values : ndarray
        The group's observed bids and the values (costs) made from them by ``to_values``.
    n : int
        Bidders per auction.
    opts : EstimateOptions
    to_values : callable
        Observed bids → values: re-run on every bootstrap replicate.
    seed : SeedSequence
        The bootstrap's stream.
    units : str
        The data's units label.
    clusters, resample : optional
        See :func:`latent.estimate.bootstrap.auction_bootstrap`.
    gpv : GPVGroup, optional
        The GPV diagnostics (a rejected monotonicity check goes to the block's top).
    marginals : tuple, optional
        The estimated marginals (procurement with a buyer value: purchase probabilities).
    mc_seed : int
        The Monte Carlo stream of the purchase probabilities (buyer value only).

    Returns
    -------
    IPVBlock
    """
    reps = ipv_replicates(observed, n, opts, to_values, seed=seed, clusters=clusters,
                          resample=resample)
    caveats, withheld, diagnostics = _gates(values, reps, opts, gpv)
    kind = "cost" if opts.lowest_wins else "revenue"
    u = f"expected {'cost to the buyer' if opts.lowest_wins else 'revenue'}, {units}"
    lines = {key: ipv_line(reps, key, u, opts.level, withheld.get(key, ""))
             for key in ("mechanism", "second_price", "difference")}
    reserve = None if "reserve" not in reps.point else ipv_line(
        reps, "reserve", f"value, {units}", opts.level, withheld.get("reserve", ""))
    note = (f"IPV {kind}s under the product of the estimated marginals, "
            + ("exact functionals of the estimated law" if is_exact(opts) else
               "Monte Carlo on the estimated marginals (its error folded into the interval "
               "and shown apart as 'Monte Carlo error alone')")
            + "; each interval is on the quantity: an auction bootstrap that re-runs the "
              "whole pipeline (first stage, GPV, marginal, mechanism) on every resample; the "
              "mechanism is fitted to the same data, so its revenue is biased up and its "
              "interval is bias-corrected")
    revenue = RevenuePart(mechanism=lines["mechanism"], second_price=lines["second_price"],
                          difference=lines["difference"], reserve=reserve, note=note, units=u,
                          caveats=tuple(caveats))
    observed_parts = _observed_parts(reps, opts, opts.level)
    fmt = "first_price" if opts.bids == "first-price" else "second_price"
    equivalence = None
    if opts.tests and reps.n_boot >= 19:
        equivalence = equivalence_test(reps, fmt=fmt, level=opts.level,
                                       lowest_wins=opts.lowest_wins)
    procurement = None if not opts.lowest_wins else _procurement_part(
        lines, observed_parts, values, opts, n, units, marginals, mc_seed)
    return IPVBlock(revenue=revenue, observed_win=observed_parts[0],
                    observed_second=observed_parts[1], equivalence=equivalence,
                    procurement=procurement, diagnostics=diagnostics, replicates=reps)
