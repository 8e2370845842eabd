"""Audits of a mechanism on simulated profiles: revenue, welfare, efficiency, IR, feasibility,
monotonicity and ex-post regret on each bidder's own utility.

Regret of bidder i at profile v: max_{v'_i} u_i(v'_i, v_{−i}) − u_i(v), u_i = v_i(x_i) − p_i,
searched over a grid covering the value support (all atoms of a discrete law, resolution 0;
otherwise ``grid`` points: half evenly spaced in value,
half at quantiles; unbounded supports are cut at the 1 − 10⁻⁶ quantile) and refined locally
around the best grid point (``refine`` rounds of ``refine_points`` points, each round zooming in
on the best). The reported resolution is the final step of the search; a truthful mechanism has
regret 0 up to it. For M > 1 items the search misreports one item at a time and all items
together (no refinement). Monotonicity: bidder i's own allocation Σ_m x_im must not decrease
along the sorted misreport grid. All means carry iid CIs (see :mod:`numerics.stats`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from numerics.mechanisms.multi import optimal_welfare
from numerics.stats import Estimate, Moments

COLUMNS = (
    "revenue",
    "welfare",
    "optimal_welfare",
    "regret",
    "regret_max_bidder",
    "ir_violations",
    "feasibility_violations",
    "monotonicity_violations",
)
TOL = 1e-9
GAIN_TOL = 1e-12  # float noise: a gain below this is not a profitable deviation


@dataclass(frozen=True)
class RegretSearch:
    """Misreport search settings."""

    grid: int = 64
    refine: int = 2
    refine_points: int = 9
    tail_quantile: float = 1e-6

    def to_dict(self) -> dict:
        return {
            "grid": self.grid,
            "refine": self.refine,
            "refine_points": self.refine_points,
            "tail_quantile": self.tail_quantile,
        }


def support_grid(marginal, search: RegretSearch) -> np.ndarray:
    """Sorted misreport grid for one bidder's marginal (values and quantiles, whole support).

    >>> from numerics.valuations import Uniform
    >>> g = support_grid(Uniform(), RegretSearch(grid=8)); float(g[0]), float(g[-1])
    (0.0, 1.0)
    """
    if getattr(marginal, "is_discrete", False):
        return np.asarray(marginal.values, float)
    lo = float(marginal.quantile(0.0))
    hi = (
        float(marginal.quantile(1.0 - search.tail_quantile))
        if not np.isfinite(marginal.support[1])
        else float(marginal.support[1])
    )
    half = max(search.grid // 2, 2)
    u = np.linspace(0.0, 1.0 - search.tail_quantile, half)
    g = np.concatenate([np.linspace(lo, hi, half), np.asarray(marginal.quantile(u), float)])
    return np.unique(g[np.isfinite(g)])


def _gain(mech, v_true, v_rep, i, u0):
    """(u_i(v_rep) − u_i(truth), bidder i's total allocation at v_rep)."""
    x, p = mech.outcome(v_rep)
    return mech.value(v_true, x)[:, i] - p[:, i] - u0, x[:, i, :].sum(axis=1)


def bidder_regret(
    mech,
    v: np.ndarray,
    i: int,
    grid: np.ndarray,
    u0: np.ndarray,
    search: RegretSearch,
    exhaustive: bool = False,
):
    """(best gain ≥ 0, monotonicity violated, final resolution) for bidder i over the batch.

    ``exhaustive``: the grid is the whole (finite) support, so no refinement; resolution 0.

    >>> from numerics.mechanisms import make_mechanism
    >>> from numerics.valuations import Uniform
    >>> v = np.array([[[0.9], [0.5]]])  # first price, truthful: bidding 0.5 gains 0.4
    >>> g, mono, res = bidder_regret(make_mechanism("first_price", 2), v, 0,
    ...                              support_grid(Uniform(), RegretSearch()), np.zeros(1),
    ...                              RegretSearch())
    >>> bool(0.4 - res <= g[0] <= 0.4), bool(mono[0])
    (True, False)
    """
    batch, _, m_items = v.shape
    best = np.zeros(batch)
    arg = v[:, i, 0].copy()
    mono_bad = np.zeros(batch, bool)
    prev = None
    for g in grid:
        vr = v.copy()
        vr[:, i, :] = g
        gain, alloc = _gain(mech, v, vr, i, u0)
        better = gain > np.maximum(best, GAIN_TOL)
        best = np.where(better, gain, best)
        arg = np.where(better, g, arg)
        if prev is not None:
            mono_bad |= alloc < prev - TOL
        prev = alloc
    if m_items > 1:
        for m in range(m_items):
            # a rule separable across items: misreporting item m moves only item m's
            # auction, so its gain is item m's alone (exactly), one item's auction per grid
            # point instead of M
            alone = mech.item_rule(m)
            rule, item = (mech, slice(None)) if alone is None else (alone, slice(m, m + 1))
            truth = v[:, :, item]
            base = u0 if alone is None else _gain(rule, truth, truth, i, 0.0)[0]
            for g in grid:
                vr = truth.copy()
                vr[:, i, m if alone is None else 0] = g
                g_m = _gain(rule, truth, vr, i, base)[0]
                best = np.where(g_m > GAIN_TOL, np.maximum(best, g_m), best)
        return best, mono_bad, float(np.max(np.diff(grid))) if grid.size > 1 else 0.0
    if exhaustive:
        return best, mono_bad, 0.0
    step = float(np.max(np.diff(grid))) if grid.size > 1 else 0.0
    lo, hi = grid[0], grid[-1]
    if len(grid) > 1 and search.refine > 0 and np.all(np.diff(grid) > 0):
        for _ in range(search.refine):
            offsets = np.linspace(-step, step, search.refine_points)
            centre = arg.copy()
            for off in offsets:
                vr = v.copy()
                vr[:, i, 0] = np.clip(centre + off, lo, hi)
                gain, _ = _gain(mech, v, vr, i, u0)
                better = gain > np.maximum(best, GAIN_TOL)
                best = np.where(better, gain, best)
                arg = np.where(better, vr[:, i, 0], arg)
            step = 2 * step / (search.refine_points - 1)
    return best, mono_bad, step


FAST_ROWS = (0, 1, 2, 5)  # revenue, welfare, optimal welfare, IR: all the fast path measures


def fast_rows(mech, v: np.ndarray):
    """The ``FAST_ROWS`` quantities (4, batch) from ``mech.compact``, or None without one.

    >>> from numerics.mechanisms import make_mechanism
    >>> fast_rows(make_mechanism("second_price", 2), np.array([[[0.9], [0.5]]])).ravel().tolist()
    [0.5, 0.9, 0.9, 0.0]
    """
    fast = mech.compact(v)
    if fast is None:
        return None
    top, price, sold = fast
    rows = np.empty((4, v.shape[0]))
    np.multiply(price, sold, out=rows[0])
    np.multiply(top, sold, out=rows[1])
    np.maximum(top, 0.0, out=rows[2])
    viol = sold & (top < price - TOL)
    np.divide(viol, v.shape[1], out=rows[3])
    return rows


def audit_batch(
    mech,
    v: np.ndarray,
    marginals,
    search: RegretSearch | None,
    kind: str = "additive",
    synergy: float = 0.0,
):
    """Per-profile audit quantities, shape (len(COLUMNS), batch), and the search resolution.

    >>> from numerics.mechanisms import make_mechanism
    >>> from numerics.valuations import Uniform
    >>> cols, res = audit_batch(make_mechanism("second_price", 2), np.array([[[0.9], [0.5]]]),
    ...                         [Uniform()] * 2, RegretSearch(grid=16))
    >>> dict(zip(COLUMNS, cols[:, 0].tolist()))["regret"], res > 0
    (0.0, True)
    """
    batch, n, _ = v.shape
    cols = np.zeros((len(COLUMNS), batch))
    fast = fast_rows(mech, v) if search is None and kind == "additive" else None
    if fast is not None:  # single item to the highest report: see Mechanism.compact
        cols[list(FAST_ROWS)] = fast
        return cols, float("nan")
    x, p = mech.outcome(v)
    vals = mech.value(v, x)
    u0 = vals - p
    cols[0] = p.sum(axis=1)
    cols[1] = vals.sum(axis=1)
    own_opt = getattr(mech, "optimal_welfare", None)
    cols[2] = own_opt(v) if own_opt is not None else optimal_welfare(v, kind, synergy)
    cols[5] = (u0 < -TOL).mean(axis=1)
    bad = (x < -TOL).any(axis=(1, 2)) | (x > 1 + TOL).any(axis=(1, 2))
    cols[6] = bad | (x.sum(axis=1) > 1 + TOL).any(axis=1)
    if search is None:  # regret columns stay 0 and are reported as None
        return cols, float("nan")
    regrets = np.zeros((n, batch))
    mono = np.zeros((n, batch))
    res = []
    for i in range(n):
        grid = support_grid(marginals[i], search)
        regrets[i], mono[i], step = bidder_regret(
            mech, v, i, grid, u0[:, i], search, getattr(marginals[i], "is_discrete", False)
        )
        res.append(step)
    cols[3] = regrets.mean(axis=0)
    cols[4] = regrets.max(axis=0)
    cols[7] = mono.mean(axis=0)
    return cols, max(res)


@dataclass(frozen=True)
class AuditSummary:
    """Mergeable per-batch summary: moments of the audit columns and the largest regret seen."""

    moments: Moments
    max_regret: float
    resolution: float

    def merge(self, other: AuditSummary) -> AuditSummary:
        return AuditSummary(
            self.moments.merge(other.moments),
            float(np.fmax(self.max_regret, other.max_regret)),
            float(np.fmax(self.resolution, other.resolution)),
        )


@dataclass(frozen=True, eq=False)
class AuditTask:
    """Picklable batch job: sample ``size`` profiles with ``seed_seq`` and audit them.

    The batch is processed in chunks of ``chunk`` profiles drawn one after another from the
    batch's generator: small arrays stay in cache and in the allocator's free lists (multi-MB
    temporaries are returned to the OS and page-faulted afresh on every batch), while batches
    stay coarse for parallel executors. The chunk size is part of the random plan: keep it fixed.
    """

    mechanism: object
    profile: object
    search: RegretSearch | None = field(default_factory=RegretSearch)
    chunk: int = 4096

    def _chunks(self, seed_seq, size: int):
        rng = np.random.default_rng(seed_seq)
        for start in range(0, size, self.chunk):
            yield self.profile.sample(rng, min(self.chunk, size - start))

    def sample(self, seed_seq: np.random.SeedSequence, size: int) -> np.ndarray:
        """All ``size`` profiles of the batch (the same draws ``__call__`` audits)."""
        return np.concatenate(list(self._chunks(seed_seq, size)), axis=0)

    def _summary(self, v: np.ndarray) -> AuditSummary:
        if self.search is None and self.profile.kind == "additive":
            rows = fast_rows(self.mechanism, v)
            if rows is not None:  # only 4 quantities measured: embed their moments
                m = Moments.of_rows(rows)
                idx = np.array(FAST_ROWS)
                mean = np.zeros(len(COLUMNS))
                com = np.zeros((len(COLUMNS), len(COLUMNS)))
                mean[idx] = m.mean
                com[np.ix_(idx, idx)] = m.comoment
                return AuditSummary(Moments(m.n, mean, com), float("nan"), float("nan"))
        cols, res = audit_batch(
            self.mechanism,
            v,
            self.profile.marginals,
            self.search,
            self.profile.kind,
            self.profile.synergy,
        )
        mx = float(np.max(cols[4])) if self.search is not None else float("nan")
        return AuditSummary(Moments.of_rows(cols), mx, res)

    def __call__(self, seed_seq, size: int) -> AuditSummary:
        total = None
        for v in self._chunks(seed_seq, size):
            s = self._summary(v)
            total = s if total is None else total.merge(s)
        return total


@dataclass(frozen=True)
class AuditResult:
    """Revenue, welfare, efficiency, regret, IR/feasibility/monotonicity rates with CIs."""

    revenue: Estimate
    welfare: Estimate
    optimal_welfare: Estimate
    efficiency: Estimate
    regret: Estimate | None
    regret_max_bidder: Estimate | None
    max_regret_observed: float | None
    ir_violations: Estimate
    feasibility_violations: Estimate
    monotonicity_violations: Estimate | None
    regret_resolution: float | None
    n_samples: int
    search: dict | None = None

    @staticmethod
    def from_summary(s: AuditSummary, search: RegretSearch | None) -> AuditResult:
        m = s.moments
        r = search is not None
        return AuditResult(
            revenue=m.estimate(0),
            welfare=m.estimate(1),
            optimal_welfare=m.estimate(2),
            efficiency=m.ratio(1, 2),
            regret=m.estimate(3) if r else None,
            regret_max_bidder=m.estimate(4) if r else None,
            max_regret_observed=s.max_regret if r else None,
            ir_violations=m.estimate(5),
            feasibility_violations=m.estimate(6),
            monotonicity_violations=m.estimate(7) if r else None,
            regret_resolution=s.resolution if r else None,
            n_samples=m.n,
            search=search.to_dict() if r else None,
        )

    def to_dict(self) -> dict:
        out = {}
        for k, val in self.__dict__.items():
            out[k] = val.to_dict() if hasattr(val, "to_dict") else val
        return out
