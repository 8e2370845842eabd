"""The passes over the partitions: what each partition computes, and how results merge.

Pass 1 (:class:`Pass1`), per partition: counts per N (auctions, bids), dropped bids by
reason, the ranges per N of the log bids and of each covariate, the fixed effects' level sets
and the regression's R factor (:class:`latent.stream.regression.NormalEquations`).

The score pass (:class:`ScorePass`, pass 2 when the replicates re-fit the regression), per
partition, with the fitted regression: the auctions' scores s_a, their clustered-SE meat and
per replicate Σ_a (w_ba − 1) s_a and the weighted centred sums of the design
(:class:`latent.stream.regression.ReplicateScores`), the weights w_ba those of the histogram
pass (the same hash of auction id, replicate and seed).

The histogram pass (:class:`HistogramPass`, the last), per partition, with the fitted
regression, the grids and, resampling the regression, the replicates' shifts: per N the
histogram of homogenised log bids with its bootstrap copies, replicate b binning its own
homogenised bids (:class:`latent.stream.histograms.BidHistogram`), the rows of the auctions in
the seeded sample, and the meat when no score pass ran.

Every result merges with ``.merge`` (associative; the driver merges in partition order, so the
numbers are the same on every executor).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from latent.stream.hashing import auction_hashes, in_sample, poisson_weights
from latent.stream.histograms import BidHistogram
from latent.stream.partitions import StreamSpec, prepare
from latent.stream.regression import (
    FirstStageFit,
    Meat,
    NormalEquations,
    ReplicateScores,
    ReplicateShifts,
    add_scores,
    design_matrix,
)
from numerics.threads import one_blas_thread

__all__ = ["HistogramPass", "HistogramResult", "Pass1", "Pass1Result", "ScorePass",
           "ScoreResult"]

_BLOCK_BYTES = 32 << 20
_WEIGHT_BLOCK = 1 << 22  # auctions × replicates weights made at once (32 MB)


def _add_counts(a: dict, b: dict) -> dict:
    out = dict(a)
    for k, v in b.items():
        out[k] = out.get(k, 0) + v
    return out


def _ranges(values: np.ndarray, n_of_row: np.ndarray) -> dict:
    """N → (min, max) of ``values`` over the rows of N-bidder auctions."""
    if not values.size:
        return {}
    s = pd.Series(values).groupby(n_of_row)
    return {int(n): (float(lo), float(hi)) for n, lo, hi in
            zip(s.min().index, s.min().to_numpy(), s.max().to_numpy(), strict=True)}


def _merge_ranges(a: dict, b: dict) -> dict:
    out = dict(a)
    for n, (lo, hi) in b.items():
        out[n] = (min(lo, out[n][0]), max(hi, out[n][1])) if n in out else (lo, hi)
    return out


@dataclass(frozen=True, eq=False)
class Pass1Result:
    """Pass 1's statistics of one or more partitions (module doc)."""

    rows: int
    auctions: dict  # N -> auctions
    bids: dict  # N -> bids
    dropped: dict
    y_range: dict  # N -> (min, max) log bid
    cov_range: dict  # expression -> {N: (min, max)}
    normal: NormalEquations | None

    def merge(self, other: Pass1Result) -> Pass1Result:
        return Pass1Result(
            rows=self.rows + other.rows, auctions=_add_counts(self.auctions, other.auctions),
            bids=_add_counts(self.bids, other.bids),
            dropped=_add_counts(self.dropped, other.dropped),
            y_range=_merge_ranges(self.y_range, other.y_range),
            cov_range={k: _merge_ranges(v, other.cov_range[k])
                       for k, v in self.cov_range.items()},
            normal=(self.normal if other.normal is None else other.normal
                    if self.normal is None else self.normal.merge(other.normal)))


@dataclass(frozen=True)
class Pass1:
    """Pass 1 of one partition: ``Pass1(spec)(partition)``."""

    spec: StreamSpec

    def __call__(self, partition) -> Pass1Result:
        with one_blas_thread():
            return self._run(partition)

    def _run(self, partition) -> Pass1Result:
        frame = partition.read()
        p = prepare(frame, self.spec)
        sizes = np.bincount(p.code) if p.code.size else np.zeros(0, np.int64)
        n_auc = np.bincount(sizes)
        regress = bool(self.spec.covariates or self.spec.fixed_effects)
        normal = None
        if regress and p.y.size:
            normal = NormalEquations.of(p.y, p.cov_values, p.fe_values, p.n_of_row,
                                        tuple(e for e, _, _ in self.spec.covariates),
                                        self.spec.fixed_effects)
        return Pass1Result(
            rows=len(frame),
            auctions={int(n): int(c) for n, c in enumerate(n_auc) if c},
            bids={int(n): int(c) * int(n) for n, c in enumerate(n_auc) if c},
            dropped=p.dropped, y_range=_ranges(p.y, p.n_of_row),
            cov_range={e: _ranges(v, p.n_of_row) for e, v in p.cov_values.items()},
            normal=normal)


@dataclass(frozen=True, eq=False)
class ScoreResult:
    """The score pass' statistics of one or more partitions: the clustered-SE meat and the
    replicates' weighted scores and sums (:class:`latent.stream.regression.ReplicateScores`)."""

    meat: Meat
    scores: ReplicateScores

    def merge(self, other: ScoreResult) -> ScoreResult:
        return ScoreResult(meat=self.meat.merge(other.meat),
                           scores=self.scores.merge(other.scores))


def _scores(fit: FirstStageFit, p, sums: bool):
    """Per auction of a prepared partition: its score s_a = Σ x_i e_i (auctions × p) and, when
    ``sums``, its centred sums Σ ([x_i, y_i] − [x̄, ȳ]) (auctions × (p + 1)); the rows'
    homogenised log bids. Design rows are built in blocks of bounded memory."""
    keys = fit.keys
    u = np.empty_like(p.y)
    scores = np.zeros((p.ids.size, len(keys)))
    total = np.zeros((p.ids.size, len(keys) + 1)) if sums else None
    step = max(1, _BLOCK_BYTES // (8 * len(keys)))
    for s in range(0, p.y.size, step):
        rows = slice(s, min(s + step, p.y.size))
        x = design_matrix(keys, p.cov_values, p.fe_values, p.n_of_row, rows)
        y = p.y[rows]
        u[rows] = fit.homogenised_log(x, y)
        add_scores(scores, x, y - x @ fit.coef, p.code[rows])
        if sums:
            add_scores(total, np.column_stack([x - fit.x_mean, y - fit.y_mean]),
                       np.ones(y.size), p.code[rows])
    return scores, total, u


@dataclass(frozen=True)
class ScorePass:
    """Pass 2 of the resampled first stage, one partition: ``ScorePass(spec, fit,
    n_boot)(partition)`` — the meat and, per replicate, Σ_a (w_ba − 1) s_a and the weighted
    centred sums, with the hashed weights the histogram pass uses."""

    spec: StreamSpec
    fit: FirstStageFit
    n_boot: int

    def __call__(self, partition) -> ScoreResult:
        with one_blas_thread():
            return self._run(partition)

    def _run(self, partition) -> ScoreResult:
        p = prepare(partition.read(), self.spec)
        hashes = auction_hashes(p.ids, self.spec.seed)
        scores, sums, _ = _scores(self.fit, p, sums=True)
        sizes = np.bincount(p.code, minlength=p.ids.size).astype(float)
        k = len(self.fit.keys)
        acc = ReplicateScores(g=np.zeros((self.n_boot, k)), t=np.zeros((self.n_boot, k + 1)),
                              bids=np.zeros(self.n_boot))
        step = max(1, _WEIGHT_BLOCK // max(self.n_boot, 1))
        for s in range(0, p.ids.size, step):  # blocks of auctions: weights of bounded memory
            e = min(p.ids.size, s + step)
            w = poisson_weights(hashes[s:e], self.n_boot)
            acc = acc.merge(ReplicateScores.of(scores[s:e], sums[s:e], sizes[s:e], w))
        return ScoreResult(meat=Meat.of_scores(scores), scores=acc)


@dataclass(frozen=True, eq=False)
class HistogramResult:
    """The histogram pass' statistics of one or more partitions (module doc). ``meat``: the
    clustered-SE meat when this pass computes it (first stage held fixed); ``split``: sampled
    auctions whose rows were found in more than one partition."""

    meat: Meat | None
    hists: dict  # N -> BidHistogram
    sample: pd.DataFrame
    split: int = 0

    def merge(self, other: HistogramResult) -> HistogramResult:
        hists = dict(self.hists)
        for n, h in other.hists.items():
            hists[n] = hists[n].merge(h) if n in hists else h
        both = np.intersect1d(self.sample["__hash__"].to_numpy(),
                              other.sample["__hash__"].to_numpy()).size
        return HistogramResult(
            meat=(self.meat if other.meat is None else other.meat if self.meat is None
                  else self.meat.merge(other.meat)),
            hists=hists, sample=pd.concat([self.sample, other.sample], ignore_index=True),
            split=self.split + other.split + int(both))


@dataclass(frozen=True, eq=False)
class HistogramPass:
    """The histogram pass of one partition, given the fit (None: no regression), the grids
    (N → (lo, Δ, bins)), the replicates B, the sample's rate and, for the resampled first
    stage, the replicates' shifts (None: the replicates bin the full-data homogenised bids,
    and this pass computes the clustered-SE meat too)."""

    spec: StreamSpec
    fit: FirstStageFit | None
    grids: dict
    n_boot: int
    rate: float
    shifts: ReplicateShifts | None = None

    def __call__(self, partition) -> HistogramResult:
        with one_blas_thread():
            return self._run(partition)

    def _run(self, partition) -> HistogramResult:
        p = prepare(partition.read(), self.spec)
        hashes = auction_hashes(p.ids, self.spec.seed)
        meat, u = None, p.y
        if self.fit is not None:
            scores, _, u = _scores(self.fit, p, sums=False)
            meat = Meat.of_scores(scores) if self.shifts is None else None
        hists = {}
        for n, (lo, delta, bins) in self.grids.items():
            rows = np.flatnonzero(p.n_of_row == n)
            if not rows.size:
                continue
            local, uniq = pd.factorize(p.code[rows])
            shift = None
            if self.shifts is not None:
                shift = _row_shifts(self.fit, self.shifts, p, rows)
            hists[n] = BidHistogram.of(n, u[rows], local, hashes[uniq], lo, delta, bins,
                                       self.n_boot, shift=shift)
        sampled = in_sample(hashes, self.rate)[p.code] if p.code.size else np.zeros(0, bool)
        sample = p.frame.loc[sampled].copy()
        sample["__hash__"] = hashes[p.code[sampled]]
        return HistogramResult(meat=meat, hists=hists, sample=sample.reset_index(drop=True))


def _row_shifts(fit: FirstStageFit, shifts: ReplicateShifts, p, rows: np.ndarray):
    """``shift(idx)``: the replicates' shifts (B × len(idx)) of the bids ``rows[idx]``.

    The same numbers as ``shifts.of_rows(fit.centred_removed(x))`` without the design's dummy
    columns: a covariate's part is a product, a fixed effect's a look-up of its level's column
    of ``shifts.d`` (nothing for the reference level), and the centring x̄ a constant per
    replicate, so a fixed effect of many levels costs one look-up per bid and replicate."""
    removed = [k for k in fit.keys if k[0] in ("cov", "fe")]
    where = {k: i for i, k in enumerate(removed)}
    cov = [(where[k], p.cov_values[k[1]]) for k in removed if k[0] == "cov"]
    d_cov = shifts.d[:, [i for i, _ in cov]]
    const = shifts.c - shifts.d @ fit.x_mean[fit.removed]  # the centring, per replicate
    d_ext = np.column_stack([shifts.d, np.zeros(len(const))])  # column −1: reference level
    fe = []
    for col in dict.fromkeys(k[1] for k in removed if k[0] == "fe"):
        codes, levels = pd.factorize(p.fe_values[col])
        # the level's column among the removed terms, −1 (the zero column) when it has none
        column = np.array([where.get(("fe", col, v), -1) for v in levels.tolist()], np.int64)
        fe.append(column[codes])

    def shift(idx: np.ndarray) -> np.ndarray:
        at = rows[idx]
        out = np.empty((len(const), at.size))
        if cov:
            out[:] = d_cov @ np.column_stack([v[at] for _, v in cov]).T
        else:
            out[:] = 0.0
        out += const[:, None]
        for column in fe:
            out += d_ext[:, column[at]]
        return out

    return shift
