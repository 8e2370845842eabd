"""Cost before work for :func:`latent.estimate_rho`: the work and memory of the analysis of each
selected bidder count, estimated from the options and the selection's shape (rows × N bidders)
and refused, naming the option and the flag that raises the limit, before any estimate runs.

Units are the elementary evaluations of :data:`numerics.validate.MAX_WORK` (about 10^8 a
second). Calibration, measured on 60 auctions of 500 bidders: one eigen-decomposition of the
500 × 500 slot covariance takes 0.1–0.4 s (:func:`eig_work`), one Monte Carlo pick–freeze
sample of Myerson under the empirical marginals about 0.2 ms (``MECH_VALUE`` per value).

>>> import numpy as np
>>> from latent.data.selection import Selection
>>> sel = Selection(np.zeros((60, 500)), 500, "exact", 60)
>>> check_cost([sel], {"samples": 20_000})
Traceback (most recent call last):
...
... # doctest: +ELLIPSIS
ValueError: samples=20000: too large: about 6e+11 evaluations (Monte Carlo spectrum, N = 500 ...
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from latent.anova.mc import evaluations_per_sample
from latent.anova.owen import mc_evaluations
from latent.data.factor import refit_work
from latent.estimate.exchangeable import DRAW_OVERHEAD
from numerics.lpcost import check_frontier_cost
from numerics.validate import memory_budget, work_budget

__all__ = ["GRID_CELLS", "MECH_VALUE", "auto_grid", "check_cost", "eig_work", "grid_affordable",
           "spectrum_on_grid"]

# Evaluations per bidder value put through the mechanism under the estimated marginals: an
# empirical law's quantile and ironed virtual value are a search over the sorted sample and a
# few array passes, per bidder (measured: 6·10^8 values of the 500-bidder spectrum in ~40 s).
MECH_VALUE = 10
# Profiles per Monte Carlo revenue batch (latent.estimate.revenue.mc_revenue's default).
REVENUE_BATCH = 1 << 16
# Defaults of the options this module reads (as in latent.estimate.pipeline.EstimateOptions).
DEFAULTS = {"samples": 20_000, "max_grade": 4, "revenue_samples": 100_000, "data_boot": 199,
            "tests": True, "perm": 499, "mechanism": "myerson", "lowest_wins": False,
            "buyer_value": None, "factor_model": False,
            "factor_samples": None, "factor_boot": 19, "n_boot": 1000, "grades": (1, 2, 3),
            "lp_grid": 6, "lp_max_bidders": 5, "asymmetric": False, "spectrum": "auto",
            "bids": "values", "grid": None, "max_work": None, "max_memory": None}


# K^N budget of the exact grid spectrum (its allocation table holds K^N × N floats)
GRID_CELLS = 1_100_000


def auto_grid(n: int, requested: int | None) -> int:
    """Points per bidder of the exact quantile grid: ``requested``, or the most that keep K^N
    within :data:`GRID_CELLS` (at most 64).

    >>> auto_grid(3, None), auto_grid(6, None), auto_grid(6, 5)
    (64, 10, 5)
    """
    if requested is not None:
        return requested
    return min(64, int(math.floor(GRID_CELLS ** (1.0 / n) + 1e-9)))


def grid_affordable(n: int, k: int) -> bool:
    """Whether the K-point grid's table for N bidders fits (K ≥ 3, K^N·N ≤ 8·GRID_CELLS)."""
    return k >= 3 and k ** n * n <= 8 * GRID_CELLS


def spectrum_on_grid(n: int, spectrum: str, grid: int | None) -> bool:
    """Whether the grade spectrum of N bidders is the exact grid's (no Monte Carlo samples):
    ``spectrum="grid"``, or ``"auto"`` when the grid is fine enough (K ≥ 16, i.e. N ≤ 5) or K
    was chosen; a coarse grid's O(1/K) bias is worse than Monte Carlo noise with a CI.

    >>> spectrum_on_grid(5, "auto", None), spectrum_on_grid(6, "auto", None)
    (True, False)
    """
    k = auto_grid(n, grid)
    return grid_affordable(n, k) and (spectrum == "grid" or (
        spectrum == "auto" and (grid is not None or k >= 16)))


def eig_work(rows: int, n: int) -> float:
    """Evaluations of one σ1/σ2: the N × N slot covariance of ``rows`` auctions (rows·N²) and
    its symmetric eigen-decomposition (about N³/4 at the measured speed), plus call overhead.

    >>> eig_work(60, 500) > 3e7
    True
    """
    return n**3 / 4 + rows * n * n + 1e4


def check_cost(selections: Sequence, options) -> None:
    """Refuse the analysis of ``selections`` (each with ``matrix`` rows × N and ``n_bidders``)
    when any one part of it, or all of it, would exceed ``max_work`` evaluations or hold more
    than ``max_memory`` bytes at once. ``options``: an ``EstimateOptions`` or a mapping of its
    fields (missing ones take their defaults). Each part names the option that sizes it:

    * ``n_boot``: the spectral-ρ bootstrap, one σ1/σ2 per resample (:func:`eig_work`);
    * ``samples``: the Monte Carlo grade spectrum, pick–freeze evaluations per sample × N
      values (nothing when the spectrum is the exact grid's, :func:`spectrum_on_grid`);
    * ``revenue_samples``: Monte Carlo revenue of the mechanism and second price, N values
      each, when the revenues are simulated (not for Myerson or second price with symmetric
      bidders, which are exact functionals of the estimated law);
    * ``data_boot``: the auction bootstrap of the whole pipeline (GPV re-run per resample for
      first-price bids, the law re-estimated, the revenues re-computed: exactly, or by Monte
      Carlo on a twentieth of ``revenue_samples``);
    * ``perm``: the independence permutation test (identified slots: the slot test and the
      cross-fitted ρ, one σ1/σ2 per fold and shuffle, and the symmetry test);
    * ``factor_samples``/``factor_boot``: the latent-factor branch when requested (each
      bootstrap replicate re-fits the model: :func:`latent.data.factor.refit_work`);
    * ``lp_grid``: the exact grade-restricted LP for N ≤ ``lp_max_bidders``.

    Memory: the bootstrap and permutation statistics, a revenue batch of N values, one
    pick–freeze sample and the data with a few working copies.
    """
    opts = {**DEFAULTS, **(options if isinstance(options, Mapping) else
                           {k: getattr(options, k) for k in DEFAULTS if hasattr(options, k)})}
    max_work, max_memory = opts["max_work"], opts["max_memory"]
    total = 0.0
    for sel in selections:
        rows, n = int(sel.matrix.shape[0]), int(sel.n_bidders)
        eig = eig_work(rows, n)
        r = min(opts["max_grade"], n)  # the larger of the two Monte Carlo designs' costs
        per = max(evaluations_per_sample(n, r, n), mc_evaluations(n, r, 1_000_000) / 1_000_000)
        rev = 2.0 * n * MECH_VALUE
        first_price = opts["bids"] == "first-price"
        factor = opts["factor_model"] or opts["factor_samples"] is not None
        f_samples = opts["factor_samples"] or min(100_000, max(20_000, 20 * rows))
        exact = (not opts["asymmetric"] and str(opts["mechanism"]).replace("-", "_") in
                 ("myerson", "second_price")
                 and not (opts["lowest_wins"] and opts["buyer_value"] is not None))
        mc = 0.0 if exact else 1.0
        per_replicate = (rows * n * (20 if first_price else 4)
                         + mc * max(2000, opts["revenue_samples"] // 20) * rev)
        parts = [
            ("n_boot", opts["n_boot"], (1.0 + opts["n_boot"]) * eig * opts["asymmetric"],
             "spectral ρ bootstrap"),
            ("samples", opts["samples"],
             0.0 if spectrum_on_grid(n, opts["spectrum"], opts["grid"]) else
             float(opts["samples"]) * per * n * MECH_VALUE, "Monte Carlo spectrum"),
            ("revenue_samples", opts["revenue_samples"],
             mc * float(opts["revenue_samples"]) * rev, "Monte Carlo revenue"),
            ("data_boot", opts["data_boot"], float(opts["data_boot"]) * per_replicate,
             "auction bootstrap of the pipeline"),
            ("perm", opts["perm"],
             (1 + opts["perm"]) * (rows * n * 4 + DRAW_OVERHEAD
                                   + (3.0 + opts["asymmetric"]) * eig
                                   * opts["asymmetric"] * opts["tests"]),
             "permutation tests"),
            ("factor_samples", f_samples,
             (float(f_samples) * n * MECH_VALUE * 10 * 2 + opts["factor_boot"]
              * refit_work(rows, n, max(2000, f_samples // 5))) * factor,
             "latent-factor model"),
        ]
        for name, value, work, what in parts:
            work_budget(name, value, work, max_work=max_work,
                        what=f"evaluations ({what}, N = {n} bidders, {rows} auctions)")
        group = sum(work for _, _, work, _ in parts)
        work_budget("bidders", n, group, max_work=max_work,
                    what=f"evaluations (all parts for N = {n} bidders, {rows} auctions)")
        total += group
        if not opts["asymmetric"] and 2 <= n <= opts["lp_max_bidders"]:
            check_frontier_cost("lp_grid", opts["lp_grid"], n, opts["lp_grid"], 1,
                                len(opts["grades"]), max_work=max_work, max_memory=max_memory)
        if opts["asymmetric"]:  # σ1/σ2's bootstrap: identified slots only
            memory_budget("n_boot", opts["n_boot"], 8.0 * (opts["n_boot"] + 4 * rows * n),
                          max_memory=max_memory)
        memory_budget("perm", opts["perm"], 8.0 * (opts["perm"] + 4 * rows * n),
                      max_memory=max_memory)
        memory_budget("data_boot", opts["data_boot"], 8.0 * (opts["data_boot"] + 8 * rows * n),
                      max_memory=max_memory)
        memory_budget("revenue_samples", opts["revenue_samples"],
                      8.0 * 8 * min(opts["revenue_samples"], REVENUE_BATCH) * n,
                      max_memory=max_memory)
        memory_budget("bidders", n, 8.0 * 8 * per * n + 8.0 * 4 * rows * n,
                      max_memory=max_memory)
    work_budget("max_groups", len(selections), total, max_work=max_work,
                what=f"evaluations (all parts of {len(selections)} bidder count(s))")
