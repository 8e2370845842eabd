"""The IPV block's numbers: exact functionals against the engine's Monte Carlo (a second method),
and the coverage of their auction-bootstrap intervals on simulated data with a known truth
(U[0, 1] values, N = 2: second price 1/3, Myerson 5/12, reserve 1/2), under the binomial
acceptance rule of tests/stat_rules.py.

Measured (nominal 95%; 200–400 data sets): values taken as bids, 300 auctions — second price
93–96%, Myerson 92–94% (bias-corrected interval; the plain normal one 91–92%: the fitted
optimum is biased up), reserve 94–97% (percentile; the normal one 84–87%: a maximiser);
first-price bids through GPV, 250 auctions — second price 92.5%, Myerson 92.5%, reserve 94%,
observed mean winning bid 95.5%. The intervals are asymptotic; at these sample sizes they
cover 92–95%, so the tests hold them to 92% against 85% (a rule that fails an 85% interval
with probability ≥ 95%).
"""

from __future__ import annotations

import numpy as np
import pytest
from stat_rules import assert_coverage, min_seeds

from latent.data.empirical import marginals_from
from latent.data.gpv import equilibrium_bids
from latent.estimate.functionals import iid_myerson_revenue, iid_second_price, monopoly_price
from latent.estimate.ipv_revenue import KINDS, ipv_replicates
from latent.estimate.pipeline import EstimateOptions, _to_values
from latent.estimate.revenue import mc_revenue
from numerics.mechanisms import SecondPrice, make_mechanism

TRUTH = {"second_price": 1 / 3, "mechanism": 5 / 12, "reserve": 0.5}


def _rng(*key):
    return np.random.default_rng(np.random.SeedSequence(list(key)))


@pytest.mark.parametrize("law", ["uniform", "lognormal", "pareto", "atoms"])
def test_exact_functionals_match_the_engines_monte_carlo(law):
    """Exact second price and Myerson revenue of an empirical law against the engine's Monte
    Carlo of the same mechanisms on the same law (400 000 profiles), and the reserve against
    the law's own monopoly price."""
    rng = _rng(24, 10, ["uniform", "lognormal", "pareto", "atoms"].index(law))
    x = {"uniform": lambda: rng.random((400, 3)),
         "lognormal": lambda: rng.lognormal(0, 1, (400, 3)),
         "pareto": lambda: rng.pareto(1.5, (400, 3)) + 1,
         "atoms": lambda: np.round(rng.random((300, 3)) * 5)}[law]()
    marg = marginals_from(x)
    mech = make_mechanism("myerson", 3, valuation=marg)
    mc = mc_revenue({"m": mech, "sp": SecondPrice(3)}, marg, 400_000, seed=3)
    law_ = marg[0]
    for got, est in ((iid_myerson_revenue(law_, 3), mc["m"]), (iid_second_price(law_, 3),
                                                                mc["sp"])):
        half = (est.ci[1] - est.ci[0]) / 2
        assert abs(got - est.mean) <= 1.5 * half, (got, est.mean, half)  # 1.5 CIs: p < 1e-3
    assert monopoly_price(law_) == law_.monopoly_price()


def _coverage(make_bids, opts, to_values, seeds, keys):
    hits = dict.fromkeys(keys, 0)
    for s in range(seeds):
        r = ipv_replicates(make_bids(s), 2, opts, to_values, seed=np.random.SeedSequence([8, s]))
        for k in keys:
            lo, hi = r.interval(k, 0.05, KINDS.get(k, "normal"))
            hits[k] += lo <= TRUTH[k] <= hi
    return hits


@pytest.mark.slow
def test_intervals_cover_on_values():
    """Values taken as bids (second-price data), 300 auctions of U[0, 1] values."""
    keys = ("second_price", "mechanism", "reserve")
    n = min_seeds(0.92, 0.85, rates=len(keys))
    opts = EstimateOptions(data_boot=99)
    hits = _coverage(lambda s: _rng(24, 11, s).random((300, 2)), opts, lambda b: b, n, keys)
    assert_coverage([hits[k] for k in keys], n, nominal=0.92, bad=0.85, rates=len(keys),
                    what=", ".join(keys))


@pytest.mark.slow
def test_intervals_cover_on_first_price_bids():
    """First-price equilibrium bids of 200 auctions, GPV re-run on every bootstrap replicate."""
    keys = ("second_price", "mechanism")
    n = min_seeds(0.92, 0.80, rates=len(keys))
    opts = EstimateOptions(bids="first-price", data_boot=49)

    def bids(s):
        return equilibrium_bids(_rng(24, 12, s).random((200, 2)), 2,
                                lambda v: np.clip(v, 0.0, 1.0), 0.0)

    hits = _coverage(bids, opts, _to_values(2, opts), n, keys)
    assert_coverage([hits[k] for k in keys], n, nominal=0.92, bad=0.80, rates=len(keys),
                    what=", ".join(keys))
