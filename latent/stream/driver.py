"""``estimate_stream``: the first-price analysis of a bid log too large for memory, in two or
three passes.

Each quantity is decided as follows (one line each in :data:`DECISIONS`):

* counts per N, dropped bids by reason — sums over partitions (pass 1);
* the homogenisation regression — a streaming QR of [X y] (pass 1) and clustered standard
  errors from the auctions' scores (pass 2), :mod:`latent.stream.regression`;
* the GPV inversion, the value law and the IPV revenue block per N (second price, Myerson's
  revenue and reserve, value quantiles, observed mean prices) — the per-N histogram of
  homogenised log bids on a fixed fine grid (the last pass), binning error reported,
  :mod:`latent.stream.gpv`;
* their intervals — a Poisson bootstrap whose weights are a hash of the auction id and the
  seed; with a regression, each replicate re-fits it to first order and bins its own
  homogenised bids (``first_stage="resampled"``, below), or holds it fixed
  (``first_stage="fixed"``: its sampling error left out);
* everything that needs whole auctions (spectral ρ, the independence and permutation tests,
  truncation, the LP, the factor model) — the in-memory ``estimate_rho`` on a seeded auction
  sample of a stated size (the last pass), :data:`sample_report` when asked.

Pass 1 reads every partition once for counts, ranges, level sets and the regression's R
factor. With a regression whose sampling error the intervals carry (the default, B > 0),
pass 2 reads each partition for the auctions' scores s_a = Σ_{i∈a} x_i e_i: the clustered-SE
meat Σ s_a s_aᵀ and, per replicate b, G_b = Σ_a (w_ba − 1) s_a and the weighted centred sums
of the design, whence the one-step re-fit δ_b = (XᵀX)⁻¹ G_b (two triangular solves with pass
1's R factor) and the replicate's covariate means; pass 3 reads each again for the
histograms, replicate b binning its own homogenised bids u_i + z_i'D_b + c_b
(:class:`latent.stream.regression.ReplicateShifts`), and the sample. Without a regression, or
with it held fixed, pass 2 is the histogram pass (with the meat). The hashed weights are the
same function of (auction id, replicate, seed) in every pass, so each partition computes its
share alone and the numbers do not depend on the executor.

**Why one step and not an exact re-fit per replicate.** The replicate's weighted least squares
is β̂ + (XᵀW_bX)⁻¹Xᵀ(W_b − 1)e; replacing XᵀW_bX by XᵀX (the linearised bootstrap) errs by
O(1/n) where δ_b itself is O(1/√n): measured against numpy's weighted lstsq, 16% of δ_b at
400 auctions and 4.6% at 6,400 (and δ_b is a small part of the revenues' spread: below), a
second-order change of the intervals. It needs B × p numbers per partition instead of B × p²
(the per-replicate normal matrices) and a factorisation per replicate. The centring
means x̄_b (and ȳ_b with fixed effects) are exact weighted means: with strong covariates they,
not δ_b, carry most of the first stage's sampling error of the revenues.

Memory: the largest partition being read (per worker), the histograms ((B + 1) × bins × 8
bytes per N, per worker and once merged; with shifted replicates one N's whole grid per worker
while it is binned, and blocks of bids × B shifted values), checked against ``max_memory``
before the histogram pass, and the sample; never the bids of the whole log.

**Where it differs from the in-memory path** (``estimate_rho`` with ``bids="first-price"``):

* first-price bids of symmetric bidders, highest wins, only (no procurement, CRRA, bids taken
  as values, identified bidders, reserve or entry blocks: those run on the sample);
* bids are binned: every number that depends on single bids (pseudo-values, the value law,
  revenues, reserve, quantiles) moves with a bid moved by at most e^{Δ/2} − 1, reported;
* the residual screen (15 robust SDs of the log residuals) is counted, not applied: such bids
  are kept and a warning gives their number (the in-memory fit drops their auctions and
  re-fits, which a second regression pass would need);
* an auction with an unusable row (missing or non-positive bid or covariate) is dropped whole
  from the regression too (the in-memory regression keeps its other rows);
* every N with at least ``min_auctions`` auctions is analysed (no ``max_groups``);
* the intervals re-fit the regression to first order in each replicate (the in-memory auction
  bootstrap re-fits it exactly, stratified by N; the streamed Poisson bootstrap is not
  stratified), or hold it fixed with ``first_stage="fixed"``; they are the in-memory kinds
  per number (normal, bias-corrected for Myerson's revenue and the gain, percentile for the
  reserve, the observed prices and the quantiles).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from latent.data.covariates import COV_TYPE, SCREEN_SDS
from latent.data.gpv import BANDWIDTH_RULES, weighted_percentile
from latent.stream.gpv import group_block
from latent.stream.histograms import SHIFT_BLOCK, binning_error, histogram_bytes
from latent.stream.partitions import StreamSpec
from latent.stream.passes import HistogramPass, Pass1, ScorePass
from numerics.engine import IN_FLIGHT, EngineConfig, map_partitions, session
from numerics.threads import one_blas_thread
from numerics.validate import (
    choice,
    default_max_memory,
    finite_float,
    memory_budget,
    parse_size,
    positive_int,
    probability,
    work_budget,
)

__all__ = ["DECISIONS", "StreamReport", "estimate_stream"]

#: The source of each quantity of the streamed report, sufficient statistics of every bid
#: (and in which pass) or the seeded auction sample: with a regression whose sampling error
#: the intervals carry (``first_stage="resampled"``, three passes).
DECISIONS = {
    "counts per N, dropped bids": "sums over partitions (pass 1)",
    "homogenisation regression": "streaming QR of [X y] (pass 1); CR1 clustered SEs from "
                                 "the auctions' scores (pass 2)",
    "GPV pseudo-values, value law, IPV revenues, reserve, quantiles":
        "per-N histogram of homogenised log bids on a fixed grid (pass 3); binning error "
        "e^{Δ/2} − 1 per bid, reported",
    "observed mean highest and second-highest bids": "exact per-auction sums (pass 3)",
    "intervals": "Poisson(1) bootstrap, weights hashed from auction id, replicate and seed; "
                 "each replicate re-fits the regression to first order (one-step bootstrap "
                 "from the auctions' scores, pass 2) and bins its own homogenised bids "
                 "(pass 3)",
    "spectral ρ, tests, truncation, LP, factor model": "in-memory estimate_rho on the seeded "
                                                        "auction sample (pass 3)",
}
FIRST_STAGES = ("resampled", "fixed")
PASSES = ("pass 1: counts, ranges, fixed-effect levels, the regression's R factor",
          "pass 2: the auctions' scores: clustered-SE meat, each replicate's one-step re-fit "
          "of the regression and covariate means",
          "pass 3: histograms of homogenised log bids with bootstrap copies (each replicate "
          "its own homogenisation), the auction sample")
_PASSES_TWO = (PASSES[0], "pass 2: histograms of homogenised log bids with bootstrap copies, "
                          "clustered-SE meat, the auction sample")
_INTERVALS_HELD = ("Poisson(1) bootstrap, weights hashed from auction id, replicate and seed "
                   "(pass 2); the regression held at its full-data fit (its sampling error "
                   "left out: first_stage='fixed')")
_INTERVALS_PLAIN = ("Poisson(1) bootstrap, weights hashed from auction id, replicate and seed "
                    "(pass 2)")


def _plan(regression: bool, resampled: bool) -> tuple[tuple, dict]:
    """The passes and the decisions of a run (three passes only for a resampled regression)."""
    if resampled:
        return PASSES, dict(DECISIONS)
    two = {k: v.replace("(pass 3)", "(pass 2)") for k, v in DECISIONS.items()}
    two["intervals"] = _INTERVALS_HELD if regression else _INTERVALS_PLAIN
    return _PASSES_TWO, two


_LOG_EXPR = re.compile(r"^\s*log\s*\(\s*(.+?)\s*\)\s*$")  # as latent.data.covariates reads it
_ROW_BYTES = 64  # bytes per row and column read, with pandas' overhead (an estimate)


@dataclass(frozen=True, eq=False)
class StreamReport:
    """The streaming analysis' results (see :func:`estimate_stream`).

    ``counts``: N → {auctions, bids}; ``dropped``: bids by reason; ``first_stage``: the
    regression (None without covariates); ``groups``: N → the block of
    :func:`latent.stream.gpv.group_block` with the grid (``bin_width`` Δ in log,
    ``binning_error`` e^{Δ/2} − 1); ``sample``: rate, auctions, bids and split auctions found;
    ``sample_report``: the in-memory EstimateReport of the sample (when asked).
    """

    counts: dict
    dropped: dict
    first_stage: dict | None
    groups: dict
    sample: dict
    seed: int
    n_boot: int
    bins: int
    level: float
    passes: tuple = _PASSES_TWO
    decisions: dict = field(default_factory=lambda: _plan(False, False)[1])
    warnings: tuple = ()
    sample_report: object = None

    def to_dict(self) -> dict:
        """Plain-JSON summary (the sample's report under ``sample_report`` as its own dict).

        >>> r = StreamReport({}, {}, None, {}, {}, 0, 0, 16, 0.05)
        >>> sorted(r.to_dict())[:3]
        ['bins', 'counts', 'decisions']
        """
        count = {2: "two", 3: "three"}.get(len(self.passes), str(len(self.passes)))
        out = {"method": f"streaming first-price analysis ({count} passes over partitions)",
               "passes": list(self.passes), "decisions": dict(self.decisions),
               "seed": self.seed, "n_boot": self.n_boot, "bins": self.bins,
               "level": self.level,
               "counts": {str(n): dict(c) for n, c in self.counts.items()},
               "dropped": dict(self.dropped), "first_stage": self.first_stage,
               "groups": {str(n): g for n, g in self.groups.items()},
               "sample": dict(self.sample), "warnings": list(self.warnings)}
        if self.sample_report is not None:
            out["sample_report"] = self.sample_report.to_dict()
        return _plain(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per N and number: n_bidders, number, value, ci_low, ci_high, interval.

        >>> StreamReport({}, {}, None, {}, {}, 0, 0, 16, 0.05).to_frame().columns.tolist()
        ['n_bidders', 'number', 'value', 'ci_low', 'ci_high', 'interval']
        """
        rows = [{"n_bidders": n, "number": k, **v} for n, g in self.groups.items()
                for k, v in g["numbers"].items()]
        return pd.DataFrame(rows, columns=["n_bidders", "number", "value", "ci_low",
                                           "ci_high", "interval"])

    def plot(self, ax=None):
        """Second-price and Myerson revenue per N with their intervals; returns the axes."""
        import matplotlib.pyplot as plt  # plotting only: a heavy import

        if ax is None:
            _, ax = plt.subplots()
        ns = sorted(self.groups)
        for k, off in (("second_price", -0.1), ("myerson", 0.1)):
            v = np.array([self.groups[n]["numbers"][k]["value"] for n in ns])
            lo = np.array([self.groups[n]["numbers"][k]["ci_low"] for n in ns])
            hi = np.array([self.groups[n]["numbers"][k]["ci_high"] for n in ns])
            ax.errorbar(np.asarray(ns) + off, v, yerr=[v - lo, hi - v], fmt="o", capsize=3,
                        label=k.replace("_", " "))
        ax.set_xlabel("bidders N")
        ax.set_ylabel("expected revenue (homogenised units)")
        ax.legend()
        return ax

    def __str__(self) -> str:
        lines = ["Streaming first-price analysis (" + "; ".join(self.passes) + ")"]
        total_a = sum(c["auctions"] for c in self.counts.values())
        total_b = sum(c["bids"] for c in self.counts.values())
        lines.append(f"  {total_a} auctions, {total_b} bids used; dropped: "
                     + (", ".join(f"{v} {k}" for k, v in self.dropped.items()) or "none"))
        fs = self.first_stage
        if fs is not None:
            lines.append(f"  first stage: log bid on {len(fs['terms']) - 1} terms, R² = "
                         f"{fs['r_squared']:.4f}, {fs['std_errors']}")
            for t, c, s in zip(fs["terms"], fs["coef"], fs["std_error"], strict=True):
                if not t.startswith(("N=",)) and "[" not in t:
                    lines.append(f"    {t:<20} {c: .6g} (SE {s:.3g})")
        pct = round(100 * (1 - self.level))
        for n, g in sorted(self.groups.items()):
            lines.append(f"  N = {n}: {self.counts[n]['auctions']} auctions; bins of "
                         f"{g['bin_width']:.3g} in log (each bid moved by ≤ "
                         f"{100 * g['binning_error']:.3g}%); GPV bandwidth "
                         f"{g['gpv']['bandwidth']:.4g}")
            for k in ("second_price", "myerson", "reserve", "value_q50", "observed_win"):
                v = g["numbers"][k]
                ci = (f"[{v['ci_low']:.6g}, {v['ci_high']:.6g}] {pct}%"
                      if np.isfinite(v["ci_low"]) else "(no interval: n_boot = 0)")
                lines.append(f"    {k.replace('_', ' '):<16} {v['value']:.6g}  {ci}")
        s = self.sample
        lines.append(f"  auction sample: {s['auctions']} auctions ({s['bids']} bids) at rate "
                     f"{s['rate']:.3g}" + ("; its in-memory report attached"
                                           if self.sample_report is not None else ""))
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _plain(x):
    """numpy scalars and arrays as JSON numbers and lists."""
    if isinstance(x, dict):
        return {str(k): _plain(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, np.ndarray):
        return [_plain(v) for v in x.tolist()]
    if isinstance(x, np.generic):
        return x.item()
    return x


def _far_residuals(fit, hists: dict) -> int:
    """Bids whose log residual lies beyond SCREEN_SDS robust SDs (1.4826 × MAD) of the median,
    read off the histograms: residual = log b̃ − (x̄_r'β̂ − mean log bid with fixed effects) −
    const − γ̂_N, per N a shift of the bins (so within Δ/2 of the exact residuals)."""
    coef = dict(zip(fit.keys, fit.coef, strict=True))
    rem = fit.removed
    base = (float(fit.x_mean[rem] @ fit.coef[rem]) - (fit.y_mean if fit.per_fitted_bid else 0.0)
            + coef[("const",)])
    resid, weight = [], []
    for n, h in hists.items():
        k = h.first + np.arange(h.counts.shape[1])
        resid.append(h.lo + (k + 0.5) * h.delta - base - coef.get(("N", n), 0.0))
        weight.append(h.counts[0])
    r, w = np.concatenate(resid), np.concatenate(weight)
    med = float(weighted_percentile(r, w, 50))
    dev = np.abs(r - med)
    sd = 1.4826 * float(weighted_percentile(dev, w, 50))
    if not sd > 0:
        return 0
    return int(w[dev > SCREEN_SDS * sd].sum())


def _parsed(expr) -> tuple[str, str, bool]:
    """(expression, column, log) of ``col`` or ``log(col)``; each partition's columns are
    checked when it is read (:func:`latent.stream.partitions.prepare`)."""
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError(f"covariates: {expr!r} is not a column name or log(column)")
    m = _LOG_EXPR.match(expr)
    return (expr.strip(), *((m.group(1), True) if m else (expr.strip(), False)))


def _merge(a, b):
    """Two partitions' (or folds') results, in order."""
    return a.merge(b)


def _grid(n: int, p1, fit, bins: int, shifts=None) -> tuple[float, float, int]:
    """(lo, Δ, bins) for N's homogenised log bids: bounds from pass 1's ranges and the fit,
    by interval arithmetic (a covariate's range times its coefficient; a fixed effect between
    0 and its extreme coefficients); with ``shifts``, over the replicates' fits and means too
    (each replicate bins its own homogenised bids on the same grid)."""
    ylo, yhi = p1.y_range[n]
    lo, hi = ylo, yhi
    if fit is not None:
        fits = [(fit.coef, fit.x_mean, fit.y_mean)]
        if shifts is not None:
            fits += list(zip(shifts.coef, shifts.x_mean, shifts.y_mean, strict=True))
        lo, hi = np.inf, -np.inf
        for coef, x_mean, y_mean in fits:
            a, b = _bounds(n, p1, fit, coef, x_mean, y_mean)
            lo, hi = min(lo, a), max(hi, b)
    pad = 1e-9 * max(1.0, abs(lo), abs(hi)) + 1e-6 * (hi - lo)
    lo, hi = lo - pad, hi + pad
    return lo, (hi - lo) / bins, bins


def _bounds(n: int, p1, fit, coef, x_mean, y_mean) -> tuple[float, float]:
    """Bounds of N's log bids homogenised with coefficients ``coef`` and means ``x_mean``,
    ``y_mean`` (the terms and roles of ``fit``)."""
    ylo, yhi = p1.y_range[n]
    part_lo = part_hi = 0.0
    fe_coefs: dict = {}
    for key, beta in zip(fit.keys, coef, strict=True):
        if key[0] == "cov":
            a, b = p1.cov_range[key[1]][n]
            part_lo += min(beta * a, beta * b)
            part_hi += max(beta * a, beta * b)
        elif key[0] == "fe":
            fe_coefs.setdefault(key[1], [0.0]).append(beta)
    for coefs in fe_coefs.values():
        part_lo += min(coefs)
        part_hi += max(coefs)
    rem = fit.removed
    shift = float(x_mean[rem] @ coef[rem]) - (y_mean if fit.per_fitted_bid else 0.0)
    return ylo - part_hi + shift, yhi - part_lo + shift


def estimate_stream(partitions: Sequence, *, auction_col: str, bid_col: str,
                    bidder_col: str | None = None, covariates=(), fixed_effects=(),
                    seed: int = 0, n_boot: int = 200, bins: int = 16384,
                    sample_auctions: int = 2000, sample_analysis: Callable | None = None,
                    bandwidth="silverman",
                    level: float = 0.05, min_auctions: int = 30, max_memory=None,
                    max_work=None, config: EngineConfig | None = None,
                    first_stage: str = "resampled") -> StreamReport:
    """The first-price analysis of partitioned bids in two or three passes (module doc).

    Parameters
    ----------
    partitions : sequence
        Objects with ``.rows`` and ``.read() -> pandas.DataFrame`` (long: one row per bid);
        an auction's rows in one partition.
    auction_col, bid_col : str
        The auction id and bid columns.
    bidder_col : str, optional
        The bidder column, kept in the auction sample (without it the sample's bidders are
        numbered 0 … N−1 within each auction, by bid, as column ``bidder_slot``).
    covariates : sequence of str or str
        Auction-level covariates, ``col`` or ``log(col)``: the homogenisation regression (with
        a dummy per bidder count N, kept in the homogenised bids, as in ``estimate_rho``).
    fixed_effects : sequence of str or str
        Categorical auction-level columns (at most
        :data:`latent.stream.regression.MAX_LEVELS` levels each).
    seed : int
        The bootstrap weights and the auction sample are hashes of the auction id and this.
    n_boot : int
        Poisson-bootstrap replicates B (0: no intervals).
    bins : int
        Bins per N over the bounds of the homogenised log bids; the report gives the width Δ
        and the binning error e^{Δ/2} − 1.
    sample_auctions : int
        Target size of the seeded auction sample (capped by ``max_memory``).
    sample_analysis : callable, optional
        ``sample_analysis(frame, auction_col=, bid_col=, bidder_col=)`` → a report with
        ``to_dict()``: the in-memory analysis of the auction sample (long frame, one row per
        bid), e.g. :func:`latent.estimate.pipeline.estimate_rho` with the caller's options
        (``estimate_rho(..., stream=True)`` passes its own); its ``ValueError`` leaves the
        streamed numbers standing, with a warning.
    bandwidth : str or float
        The GPV bandwidth rule (or a number in homogenised bid units).
    level : float
        Intervals are at 1 − level.
    min_auctions : int
        Fewest auctions of an N to analyse it.
    max_memory : int or str, optional
        Bytes held at once (``"2G"``); default the machine's limit.
    max_work : float, optional
        The most bootstrap work accepted, (bids + auctions) × (B + 1) (default
        :data:`numerics.validate.MAX_WORK`): checked after pass 1, before pass 2.
    config : numerics.engine.EngineConfig, optional
        Where the partitions run (inline, a local pool, Dask); the numbers do not depend on it.
    first_stage : {"resampled", "fixed"}
        With covariates or fixed effects and ``n_boot`` > 0: ``"resampled"`` (default), each
        bootstrap replicate re-fits the homogenisation regression to first order and bins its
        own homogenised bids, so the intervals carry the regression's sampling error (three
        passes); ``"fixed"``, the replicates hold it at the full-data fit (two passes, faster;
        the intervals leave its sampling error out and are too narrow when the covariates
        explain much of the bids).

    Returns
    -------
    StreamReport
    """
    if isinstance(covariates, str):
        covariates = [c for c in covariates.split(",") if c.strip()]
    if isinstance(fixed_effects, str):
        fixed_effects = [c.strip() for c in fixed_effects.split(",") if c.strip()]
    seed = positive_int("seed", seed, minimum=0)
    n_boot = positive_int("n_boot", n_boot, minimum=0)
    bins = positive_int("bins", bins, minimum=16, maximum=1 << 24)
    sample_auctions = positive_int("sample_auctions", sample_auctions, minimum=0)
    min_auctions = positive_int("min_auctions", min_auctions, minimum=2)
    level = probability("level", level)
    first_stage = choice("first_stage", first_stage, FIRST_STAGES)
    if isinstance(bandwidth, str):  # refused before any partition is read
        bandwidth = choice("bandwidth", bandwidth, BANDWIDTH_RULES)
    else:
        bandwidth = finite_float("bandwidth", bandwidth, low=0.0, low_open=True)
    if not isinstance(partitions, Sequence) or not len(partitions):
        raise ValueError("partitions: a non-empty sequence of partitions (objects with .rows "
                         "and .read())")
    for p in partitions:
        if not callable(getattr(p, "read", None)):
            raise ValueError(f"partitions: {type(p).__name__} has no read() method")
    parsed = tuple(_parsed(e) for e in covariates)
    if len({p[0] for p in parsed}) < len(parsed):
        raise ValueError(f"covariates: an expression is repeated in {list(covariates)}")
    spec = StreamSpec(auction_col=auction_col, bid_col=bid_col, covariates=parsed,
                      fixed_effects=tuple(fixed_effects), seed=seed, bidder_col=bidder_col)
    cfg = config or EngineConfig("inline")
    # results held at once: the running one and the merged one inline; on a pool or a
    # cluster also the finished ones queued (IN_FLIGHT per worker)
    holders = 2 if cfg.executor == "inline" else IN_FLIGHT * cfg.workers + 1
    biggest = max((p.rows or 0) for p in partitions)  # unknown sizes (None) are not counted
    running = cfg.workers if cfg.executor == "local" else 1  # partitions read at once here
    memory_budget("partitions", f"{biggest} rows", biggest * len(spec.columns) * _ROW_BYTES
                  * running, max_memory=max_memory)
    with session(cfg) as run_cfg, one_blas_thread():  # the merges too: same sums everywhere
        p1 = map_partitions(Pass1(spec), list(partitions), run_cfg, reduce=_merge)
        fit = p1.normal.solve(1 - level) if p1.normal is not None else None
        warnings = []
        usable = {n: a for n, a in p1.auctions.items() if n >= 2 and a >= min_auctions}
        dropped = dict(p1.dropped)
        for n in p1.auctions:
            if n not in usable:
                why = "fewer than 2 bidders" if n < 2 else f"fewer than {min_auctions} auctions"
                dropped[f"N={n}: {why} (bids)"] = p1.bids[n]
        if not usable:
            raise ValueError(f"partitions: no bidder count N ≥ 2 has min_auctions = "
                             f"{min_auctions} auctions (auctions per N: {p1.auctions})")
        grids = {n: _grid(n, p1, fit, bins) for n in sorted(usable)}
        resampled = fit is not None and n_boot > 0 and first_stage == "resampled"
        total_auctions = sum(p1.auctions.values())
        total_bids = sum(p1.bids.values())
        # the bootstrap: a weight per auction and replicate, a bin update per bid and
        # replicate (the rest is linear in the rows, as pass 1 was); resampled, also per bid
        # and replicate a shift (a product over the covariates, a look-up per fixed effect)
        # and per auction and replicate a weight and a product with its p-term score: BLAS
        # products counted at 1/32 of a bin update, a look-up at 1/4, calibrated on
        # bench/bench_stream.py at 10⁶–10⁷ bids (B = 200, a covariate and a fixed effect),
        # where the resampled run cost 2–2.7 times the fixed one (estimated here: 1.9)
        work = float(total_bids + total_auctions) * (n_boot + 1)
        if resampled:
            n_cov = sum(1 for k in fit.keys if k[0] == "cov")
            n_fe = len(spec.fixed_effects)
            work += (total_bids * (0.5 + n_cov / 32 + n_fe / 4)
                     + total_auctions * (1 + len(fit.keys) / 32)) * n_boot
        work_budget("n_boot", n_boot, work, max_work=max_work,
                    what="weights and bin updates" if not resampled else
                    "weights, bin updates and replicate shifts")
        # before any bootstrap pass: the worst case, every partition's bids spread over each
        # N's whole grid; binning shifted replicates, one N's whole grid per partition being
        # read and blocks of shifted bids (six arrays of bids × B values)
        need = histogram_bytes(bins, n_boot) * len(grids) * holders
        if resampled:
            need += (histogram_bytes(bins, n_boot) + 6 * 8 * SHIFT_BLOCK) * running
        memory_budget("bins", bins, need, max_memory=max_memory)
        shifts, meat = None, None
        if resampled:
            scored = map_partitions(ScorePass(spec, fit, n_boot), list(partitions), run_cfg,
                                    reduce=_merge)
            meat = scored.meat
            shifts = fit.replicate_shifts(scored.scores)
            grids = {n: _grid(n, p1, fit, bins, shifts) for n in grids}
        rate = min(1.0, sample_auctions / total_auctions)
        per_bid = len(spec.columns) * _ROW_BYTES
        cap = _memory_limit(max_memory) / 4
        if rate * total_bids * per_bid > cap:
            rate = cap / (total_bids * per_bid)
            warnings.append(f"auction sample cut to rate {rate:.3g} (about "
                            f"{int(rate * total_auctions)} auctions) to stay within a quarter "
                            "of max_memory")
        p2 = map_partitions(HistogramPass(spec, fit, grids, n_boot, rate, shifts),
                            list(partitions), run_cfg, reduce=_merge)
        meat = p2.meat if meat is None else meat
    first_stage = None
    if fit is not None:
        with one_blas_thread():
            se = fit.standard_errors(meat)
        first_stage = {"terms": list(fit.terms), "roles": list(fit.roles),
                       "coef": fit.coef.tolist(), "std_error": se["std_error"].tolist(),
                       "ci_low": se["ci_low"].tolist(), "ci_high": se["ci_high"].tolist(),
                       "p_value": se["p_value"].tolist(), "r_squared": fit.r_squared,
                       "n_bids": fit.n, "n_auctions": se["auctions"],
                       "std_errors": COV_TYPE, "confidence": 1 - level,
                       "solver": "streaming Householder QR of [X y], R factors merged"}
    passes, decisions = _plan(fit is not None, resampled)
    groups = {}
    for n in sorted(grids):
        h = p2.hists[n]
        g = group_block(h, bandwidth, level, first_stage=None if fit is None else
                        "resampled" if resampled else "fixed")
        g.update(bin_width=h.delta, binning_error=binning_error(h.delta), bins=h.bins,
                 bins_occupied=int(h.counts.shape[1]))
        groups[n] = g
    if fit is not None:
        far = _far_residuals(fit, {n: p2.hists[n] for n in grids})
        if far:
            warnings.append(
                f"{far} bid(s) lie more than {SCREEN_SDS:g} robust SDs from the median log "
                "residual of the homogenisation regression (counted on the binned residuals); "
                "the streaming analysis keeps them (the in-memory estimate_rho drops their "
                "auctions and re-fits): check the data for unit errors")
    sample = p2.sample.sort_values(["__hash__", bid_col], kind="stable").reset_index(drop=True)
    if p2.split:
        warnings.append(f"{p2.split} sampled auction(s) have rows in more than one partition: "
                        "the analysis assumes an auction lies in one partition (N would be "
                        "undercounted); re-partition by auction")
    sample_info = {"rate": rate, "auctions": int(sample["__hash__"].nunique()),
                   "bids": len(sample), "split_auctions_found": p2.split,
                   "target_auctions": sample_auctions}
    report = None
    sample = sample.drop(columns="__hash__")
    if bidder_col is None:
        bidder_col = "bidder_slot"
        sample[bidder_col] = sample.groupby(auction_col, sort=False).cumcount()
    if sample_analysis is not None:
        try:
            report = sample_analysis(sample, auction_col=auction_col, bid_col=bid_col,
                                     bidder_col=bidder_col)
        except ValueError as exc:  # DataError too: the streamed numbers stand without it
            warnings.append(f"the auction sample's in-memory report is unavailable: {exc}")
    return StreamReport(counts={n: {"auctions": p1.auctions[n], "bids": p1.bids[n]}
                                for n in sorted(grids)},
                        dropped=dropped, first_stage=first_stage, groups=groups,
                        sample=sample_info, seed=seed, n_boot=n_boot, bins=bins, level=level,
                        passes=passes, decisions=decisions, warnings=tuple(warnings),
                        sample_report=report)


def _memory_limit(max_memory) -> float:
    limit = parse_size("max_memory", max_memory)
    return float(default_max_memory() if limit is None else limit)
