"""Streaming GPV: the IPV revenue block of one bidder count from its bid histogram.

From a :class:`~latent.stream.histograms.BidHistogram` (bin centres as homogenised bids, bin
counts as weights) the same steps as the in-memory path, with the same code:

1. pseudo-values at the bin centres by :func:`latent.data.gpv.gpv_binned` — the inversion of
   :func:`latent.data.gpv.gpv_pseudo_values` (levels, triweight kernel reflected at the
   sample's ends, Silverman's bandwidth of the binned sample, bids within one bandwidth of the
   ends flagged and kept);
2. the value law: the pseudo-values weighted by their counts, compressed to
   :data:`latent.data.empirical.MAX_ATOMS` quantile midpoints as the in-memory law is
   (:func:`latent.data.empirical.compressed_atoms` with weights);
3. the exact functionals of that law (:mod:`latent.estimate.functionals`): second-price
   revenue E[second highest of N values], Myerson's revenue and reserve; value quantiles and
   mean; and the observed mean highest and second-highest homogenised bids (exact sums, no
   binning) with the revenue-equivalence gap (model second price − observed winning bid);
4. the same on each Poisson-bootstrap replicate's weighted histogram (the GPV step re-run
   with the replicate's own bandwidth), and intervals from the replicates with the in-memory
   rule per number (:data:`latent.estimate.ipv_revenue.KINDS`: bias-corrected for Myerson's
   revenue and the gain over second price, percentile for the reserve, the observed prices and
   the quantiles, normal otherwise).

**The first stage in the intervals.** With the homogenisation regression resampled (the
default, ``first_stage="resampled"``), each replicate bins its own homogenised bids: the
regression re-fitted with the replicate's auction weights to first order (the one-step
bootstrap, :meth:`latent.stream.regression.FirstStageFit.replicate_shifts`) and the bids
re-centred at the replicate's weighted covariate means, so the intervals carry the first
stage's sampling error as the in-memory auction bootstrap (which re-fits it) does. Held fixed
(``first_stage="fixed"``, one pass fewer), the replicates bin the full-data homogenised bids and
the first stage's sampling error is left out: with strong covariates those intervals are too
narrow (module doc of :mod:`latent.stream.driver`).
"""

from __future__ import annotations

import numpy as np

from latent.data.empirical import compressed_atoms
from latent.data.gpv import gpv_binned, weighted_percentile
from latent.estimate.bootstrap import Replicates
from latent.estimate.functionals import iid_myerson_revenue, iid_second_price, monopoly_price
from latent.estimate.ipv_revenue import KINDS
from latent.stream.histograms import BidHistogram

__all__ = ["QUANTILES", "functionals", "group_block"]

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)
NUMBERS = ("myerson", "second_price", "difference", "reserve", "mean_value",
           *(f"value_q{round(100 * q)}" for q in QUANTILES), "observed_win", "observed_second",
           "equivalence")
_KIND = {"myerson": KINDS["mechanism"], "difference": KINDS["difference"],
         "reserve": KINDS["reserve"], "observed_win": KINDS["observed_win"],
         "observed_second": KINDS["observed_second"],
         **{f"value_q{round(100 * q)}": "percentile" for q in QUANTILES}}


def functionals(points: np.ndarray, weights: np.ndarray, n: int, bandwidth="silverman",
                auctions: float = 0.0, prices=(np.nan, np.nan)) -> tuple[dict, object]:
    """Every number of the block from one weighted sample of binned bids.

    Parameters
    ----------
    points, weights : ndarray
        Bin centres (homogenised bids) and their counts.
    n : int
        Bidders per auction.
    bandwidth : str or float
        The GPV bandwidth (rule or bid units).
    auctions : float
        The (weighted) number of auctions.
    prices : pair of float
        The (weighted) sums of the auctions' highest and second-highest bids.

    Returns
    -------
    (dict, BinnedGPV)
        The numbers (:data:`NUMBERS`) and the inversion.

    >>> b = np.linspace(1.0, 2.0, 400)
    >>> out, g = functionals(b, np.ones(400), 2, auctions=200, prices=(300.0, 250.0))
    >>> round(out["observed_win"], 3), bool(out["second_price"] > 1.0)
    (1.5, True)
    """
    g = gpv_binned(points, weights, n, bandwidth)
    law = compressed_atoms(g.pseudo_value, weights=g.weights)
    sp, my = iid_second_price(law, n), iid_myerson_revenue(law, n)
    qs = weighted_percentile(g.pseudo_value, g.weights, [100 * q for q in QUANTILES])
    out = {"myerson": my, "second_price": sp, "difference": my - sp,
           "reserve": monopoly_price(law),
           "mean_value": float(g.weights @ g.pseudo_value / g.weights.sum()),
           **{f"value_q{round(100 * q)}": float(v) for q, v in zip(QUANTILES, qs, strict=True)}}
    win, second = (p / auctions if auctions > 0 else np.nan for p in prices)
    out.update(observed_win=float(win), observed_second=float(second),
               equivalence=float(sp - win))
    return out, g


def group_block(hist: BidHistogram, bandwidth="silverman", level: float = 0.05,
                first_stage: str | None = None) -> dict:
    """The block of one N from its histogram: point estimates, intervals, the GPV details.
    ``first_stage``: how the replicates treat the homogenisation regression, ``"resampled"``
    (each bins its own re-fitted homogenised bids), ``"fixed"`` (held at the full-data fit) or
    None (no regression); said in each interval's description.

    Returns
    -------
    dict
        ``numbers``: name → {value, ci_low, ci_high, interval}; ``gpv``: bandwidth, flagged
        bids, monotonicity test; ``replicates``: B, and how many failed (a replicate whose
        inversion is refused, e.g. too few distinct bids, is left out and counted).
    """
    points, n = hist.centres(), hist.n_bidders
    point, g = functionals(points, hist.counts[0], n, bandwidth, hist.auctions[0],
                           hist.prices[0])
    n_boot = hist.counts.shape[0] - 1
    draws = {k: np.full(n_boot, np.nan) for k in NUMBERS}
    failed = 0
    for b in range(n_boot):
        try:
            rep, _ = functionals(hist.centres(b + 1), hist.counts[b + 1], n, bandwidth,
                                 hist.auctions[b + 1], hist.prices[b + 1])
        except ValueError:
            failed += 1
            continue
        for k in NUMBERS:
            draws[k][b] = rep[k]
    rerun = "the GPV inversion and every functional re-run on each replicate" + {
        None: "",
        "fixed": "; the homogenisation regression held at its full-data fit (its sampling "
                 "error is not in the interval)",
        "resampled": " on its own homogenised bids: the homogenisation regression re-fitted "
                     "with the replicate's weights to first order (one-step bootstrap) and "
                     "the bids re-centred at the replicate's weighted covariate means"}[
        first_stage]
    reps = Replicates(point=point, draws=draws, n_boot=n_boot, clusters=int(hist.auctions[0]),
                      first_stage=first_stage == "resampled",
                      resampling="Poisson bootstrap (auction weights hashed from the ids and "
                                 "the seed), {n_boot} replicates of {clusters} auctions",
                      rerun=rerun)
    numbers = {}
    for k in NUMBERS:
        kind = _KIND.get(k, "normal")
        lo, hi = reps.interval(k, level, kind) if n_boot >= 2 else (np.nan, np.nan)
        numbers[k] = {"value": float(point[k]), "ci_low": float(lo), "ci_high": float(hi),
                      "interval": reps.method(k, kind) if n_boot >= 2 else "none (n_boot < 2)"}
    return {"numbers": numbers,
            "gpv": {"bandwidth": g.bandwidth, "trimmed_low_bids": g.trimmed_low,
                    "trimmed_high_bids": g.trimmed_high,
                    "monotonicity_z_min": g.monotonicity_z_min,
                    "monotonicity_pvalue": g.monotonicity_pvalue},
            "replicates": {"n_boot": n_boot, "failed": failed}}
