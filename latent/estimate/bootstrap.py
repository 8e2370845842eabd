"""The auction bootstrap of the whole pipeline: one set of replicates per bidder count.

Every number ``estimate_rho`` prints for a bidder count N with an interval — revenues, costs,
the reserve, their differences, the revenue-equivalence statistic — is a functional of the
observed bids of the N-bidder auctions (through the homogenisation regression, the GPV
inversion and the estimated marginal). Its interval comes from one bootstrap that resamples
whole auctions (clusters: with ``subsample`` > 1 an auction contributes several rows, and its
rows are resampled together), re-runs the whole pipeline on each replicate — first stage, GPV,
marginal, mechanism, functionals — and reads every quantity from the same replicates, so the
intervals of a revenue, of a difference and the revenue-equivalence test agree with each other.

The interval of a smooth quantity θ is θ̂ ± z·SE, SE² = sd_skip(θ*)² + e²: sd_skip the
standard deviation of the replicates within 5 robust SDs (IQR/1.349) of their median
(:func:`skipped_sd`; :func:`latent.estimate.specification.revenue_equivalence` explains why)
and e the Monte Carlo standard error of θ̂ when θ̂ is simulated (0 when it is an exact
functional of the estimated law); a fitted optimum's is bias-corrected, a maximiser's (the
reserve) is the percentile interval (:meth:`Replicates.interval`). Replicates set aside are
counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

from numerics.results import Result
from numerics.validate import seed_sequence

__all__ = ["Replicates", "auction_bootstrap", "skipped_sd"]


def skipped_sd(x: np.ndarray, k: float = 5.0) -> tuple[float, int]:
    """Standard deviation of the values within ``k`` robust SDs (IQR/1.349) of the median,
    and how many were set aside.

    >>> sd, out = skipped_sd(np.r_[np.linspace(-1.0, 1.0, 99), 1e6]); round(sd, 3), out
    (0.586, 1)
    """
    x = np.asarray(x, float)
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    robust = (q3 - q1) / (2 * float(stats.norm.ppf(0.75)))
    keep = np.abs(x - med) <= k * robust if robust > 0 else np.ones(x.size, bool)
    return float(np.std(x[keep], ddof=1)), int(x.size - keep.sum())


@dataclass(frozen=True, kw_only=True)
class Replicates(Result):
    """Point estimates and bootstrap replicates of named functionals of one group's bids.

    >>> r = Replicates(point={"m": 1.0}, draws={"m": np.array([0.9, 1.0, 1.1])}, n_boot=3,
    ...                clusters=10, first_stage=False)
    >>> [round(x, 3) for x in r.interval("m", 0.05)]
    [0.804, 1.196]
    """

    point: dict
    draws: dict
    n_boot: int
    clusters: int
    first_stage: bool
    mc_se: dict | None = None  # Monte Carlo standard error of a simulated point estimate
    # how the replicates were drawn and what each re-ran, in words (the streaming analysis
    # draws hashed Poisson weights and holds its first stage: latent.stream.gpv)
    resampling: str = "auction bootstrap, {n_boot} resamples of {clusters} auctions"
    rerun: str = "every step of the pipeline re-run on each resample"

    def _kept(self, key: str) -> tuple[np.ndarray, float, int]:
        """Finite replicates within 5 robust SDs of their median, their SD, and how many were
        set aside (non-finite or beyond)."""
        d = np.asarray(self.draws[key], float)
        d = d[np.isfinite(d)]
        if d.size < 3:
            return d, float("nan"), int(self.n_boot - d.size)
        sd, skipped = skipped_sd(d)
        q1, med, q3 = np.quantile(d, [0.25, 0.5, 0.75])
        robust = (q3 - q1) / 1.3489795003921634
        kept = d[np.abs(d - med) <= 5 * robust] if robust > 0 else d
        return kept, sd, skipped + int(self.n_boot - d.size)

    def se(self, key: str) -> tuple[float, int]:
        """Bootstrap SE of ``key`` with the point's Monte Carlo SE folded in, and how many
        replicates were set aside (beyond 5 robust SDs, or degenerate)."""
        _, sd, skipped = self._kept(key)
        mc = 0.0 if not self.mc_se else float(self.mc_se.get(key, 0.0))
        return float(np.hypot(sd, mc)), skipped

    def interval(self, key: str, level: float = 0.05, kind: str = "normal"
                 ) -> tuple[float, float]:
        """The (1 − level) interval of ``key``.

        ``kind``: ``"normal"`` θ̂ ± z·SE; ``"bias_corrected"`` (2θ̂ − mean θ*) ± z·SE, for an
        estimate biased by fitting to the same data (the optimal mechanism's revenue: a
        maximum over mechanisms is biased up, and the replicates estimate by how much);
        ``"percentile"`` the replicates' quantiles, for a non-smooth functional (the reserve,
        a maximiser), whose law the normal approximation misses (measured in
        tests/test_estimate_rho_intervals.py).
        """
        v = float(self.point[key])
        if kind == "percentile":
            d = np.asarray(self.draws[key], float)
            d = d[np.isfinite(d)]
            lo, hi = np.quantile(d, [level / 2, 1 - level / 2])
            return float(lo), float(hi)
        se, _ = self.se(key)
        z = float(stats.norm.ppf(1 - level / 2))
        if kind == "bias_corrected":
            kept, _, _ = self._kept(key)
            v = 2 * v - float(np.mean(kept))
        elif kind != "normal":
            raise ValueError(f"kind={kind!r}: one of normal, bias_corrected, percentile")
        return (v - z * se, v + z * se)

    def method(self, key: str, kind: str = "normal") -> str:
        """How the interval of ``key`` was made, in words (for the report)."""
        _, skipped = self.se(key)
        mc = bool(self.mc_se and self.mc_se.get(key))
        shape = {"normal": "estimate ± z·SE",
                 "bias_corrected": "bias-corrected estimate (2·estimate − mean of the "
                                   "replicates) ± z·SE",
                 "percentile": "percentile interval of the replicates"}[kind]
        return (self.resampling.format(n_boot=self.n_boot, clusters=self.clusters)
                + (", first stage re-estimated" if self.first_stage else "")
                + ": " + shape + "; " + self.rerun
                + ("; the estimate's Monte Carlo error folded into the SE" if mc else
                   "; the estimate is an exact functional of the estimated law")
                + (f"; {skipped} replicates beyond 5 robust SDs or degenerate set aside"
                   if skipped else ""))

    def to_dict(self) -> dict:
        return {"point": dict(self.point), "n_boot": self.n_boot, "clusters": self.clusters,
                "first_stage_reestimated": self.first_stage}


def _cluster_rows(clusters: np.ndarray | None, n_rows: int):
    """(number of clusters, rows of each cluster as one index array, its offsets)."""
    if clusters is None:
        return n_rows, np.arange(n_rows), np.arange(n_rows + 1)
    order = np.argsort(clusters, kind="stable")
    _, counts = np.unique(clusters[order], return_counts=True)
    return counts.size, order, np.concatenate([[0], np.cumsum(counts)])


def _rows_of(pick: np.ndarray, order: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """The rows of the clusters ``pick`` (with repeats), vectorised.

    >>> _rows_of(np.array([1, 1, 0]), np.array([0, 2, 1, 3]), np.array([0, 1, 4]))
    array([2, 1, 3, 2, 1, 3, 0])
    """
    lens = offsets[pick + 1] - offsets[pick]
    shift = offsets[pick] - np.concatenate([[0], np.cumsum(lens)[:-1]])
    return order[np.repeat(shift, lens) + np.arange(int(lens.sum()))]


def auction_bootstrap(observed: np.ndarray,
                      functionals: Callable[[np.ndarray, np.random.Generator], dict], *,
                      n_boot: int, seed, clusters: np.ndarray | None = None,
                      resample: Callable | None = None,
                      point_functionals: Callable | None = None) -> Replicates:
    """Resample whole auctions ``n_boot`` times and evaluate ``functionals`` on each replicate.

    Parameters
    ----------
    observed : ndarray
        The group's observed bids (rows × N).
    functionals : callable
        ``functionals(bids, rng) -> {name: float}``: the whole pipeline from observed bids to
        the reported numbers (GPV, marginal, mechanism, revenues...); ``rng`` for any Monte
        Carlo inside it. A ``"_mc_se"`` entry (a dict) gives the Monte Carlo SEs of the point
        estimates.
    n_boot : int
        Replicates (≥ 0; with 0 only the point estimates are computed).
    seed : int, SeedSequence or Generator
        Seeds the resampling and each replicate's Monte Carlo stream.
    clusters : ndarray, optional
        The auction of each row (rows of one auction are resampled together).
    resample : callable, optional
        ``resample(rows, rng) -> bids``: the observed bids of a replicate given its rows
        (the pipeline's re-estimates the homogenisation regression); default ``observed[rows]``.
    point_functionals : callable, optional
        The same functionals for the point estimate, when it may spend more (e.g. a larger
        Monte Carlo budget) than each replicate; default ``functionals``.

    Returns
    -------
    Replicates

    Raises
    ------
    ValueError
        If ``functionals`` returns a non-finite point estimate.

    >>> rng = np.random.default_rng(0)
    >>> b = rng.random((400, 2))
    >>> r = auction_bootstrap(b, lambda x, g: {"mean": float(x.mean())}, n_boot=199, seed=1)
    >>> lo, hi = r.interval("mean"); bool(lo < 0.5 < hi)
    True
    """
    ss = seed_sequence(seed)
    rows_ss, mc_ss = ss.spawn(2)
    streams = mc_ss.spawn(n_boot + 1)
    point = dict((point_functionals or functionals)(observed,
                                                    np.random.default_rng(streams[0])))
    mc_se = point.pop("_mc_se", None)
    bad = [k for k, v in point.items() if not np.isfinite(v)]
    if bad:
        raise ValueError(f"non-finite estimate of {', '.join(bad)}")
    n_clusters, order, offsets = _cluster_rows(clusters, observed.shape[0])
    rng = np.random.default_rng(rows_ss)
    draws = {k: np.empty(n_boot) for k in point}
    for b in range(n_boot):
        rows = _rows_of(rng.integers(0, n_clusters, n_clusters), order, offsets)
        sample = observed[rows] if resample is None else np.asarray(resample(rows, rng), float)
        try:
            rep = functionals(sample, np.random.default_rng(streams[b + 1]))
        except ValueError:  # a degenerate replicate (e.g. no spread): set aside, counted
            rep = {}
        for k in point:
            draws[k][b] = rep.get(k, np.nan)
    return Replicates(point=point, draws=draws, n_boot=n_boot, clusters=n_clusters,
                      first_stage=resample is not None, mc_se=mc_se)
