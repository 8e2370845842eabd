"""The revenue–grade frontier at scale: the repaired truncation of a symmetric single-item rule.

For N iid bidders and a symmetric allocation rule x (e.g. Myerson, the optimum), the grade-≤R
truncation x_i^{≤R} = Σ_{|u|≤R} x_{i,u} needs only low-order conditional means. On K quantile
bins with edges 0 = e_0 < … < e_K = 1 in u = F(v) (bin a has probability e_{a+1} − e_a exactly)
Monte Carlo estimates

  μ = E x_i,  g(a) = E[x_i | v_i ∈ a],  h(c) = E[x_i | v_j ∈ c],
  k(a, c) = E[x_i | v_i ∈ a, v_j ∈ c],  l(c, d) = E[x_i | v_j ∈ c, v_l ∈ d]   (j ≠ l ≠ i),

and the Hoeffding components follow by inclusion–exclusion (x_{i,{i,j}} = k − g − h + μ, …).
Sums over the other bidders use bin counts, so the cost is O(K²) per bidder and profile at any N.
(This is the truncation of the bin-resolved rule E[x | bins]: resolution K.) The default edges
(``spacing="mixed"``) are the union of a/K (resolves a reserve) and (a/K)^{1/(N−1)} (uniform in
the quantile of the others' maximum, where a single-item rule changes at large N).
The naive truncation's revenue estimates Rev(E[x | bins]) (its grade-≤1 own part is that of the
bin-resolved rule), so Rev* minus it is the *resolution loss*, reported apart from the
truncation loss.

DESIGN §6: the naive truncation keeps all revenue for R ≥ 1 (Myerson's revenue sees only the
grade-≤1 own part) but is infeasible. It is *repaired* by Euclidean projection onto
{x ≥ 0, Σ_i x_i ≤ 1} per profile; its revenue is E Σ_i ψ̄(v_i) x̃_i (ironed virtual values), a
BIC revenue only if the interim rule X̃(a) = E[x̃_i | v_i ∈ a] is non-decreasing — reported.
Rev* is E Σ ψ̄ x on the same profiles (paired), and the ratio has a delta-method CI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from latent.studies.knee import Knee, locate_knee
from numerics.mechanisms import make_mechanism
from numerics.seeding import fresh_sequence, seed_label, stable_seed
from numerics.stats import Estimate, Moments
from numerics.valuations import parse_valuation


def project_capped_simplex(x: np.ndarray) -> np.ndarray:
    """Row-wise Euclidean projection onto {y ≥ 0, Σ y ≤ 1} (sort-based, Duchi et al. 2008).

    >>> project_capped_simplex(np.array([[0.8, 0.6, -0.1], [0.2, 0.3, -0.5]])).round(6).tolist()
    [[0.6, 0.4, 0.0], [0.2, 0.3, 0.0]]
    """
    y = np.maximum(x, 0.0)
    over = y.sum(axis=1) > 1.0
    if over.any():
        v = x[over]
        s = -np.sort(-v, axis=1)
        css = np.cumsum(s, axis=1) - 1.0
        k = np.arange(1, v.shape[1] + 1)
        cond = s - css / k > 0
        r = cond.shape[1] - 1 - np.argmax(cond[:, ::-1], axis=1)
        theta = css[np.arange(len(v)), r] / (r + 1)
        y[over] = np.maximum(v - theta[:, None], 0.0)
    return y


@dataclass(frozen=True)
class Components:
    """Bin tables of the grade-1 and grade-2 components of x_i (see module doc)."""

    mu: float
    own1: np.ndarray
    oth1: np.ndarray
    own2: np.ndarray
    oth2: np.ndarray

    def truncate(self, bins: np.ndarray, grade: int) -> np.ndarray:
        """x^{≤R}(v) for every bidder, from bins (batch, N); R ∈ {0, 1, 2}."""
        b = bins
        k = len(self.own1)
        cnt = np.apply_along_axis(np.bincount, 1, b, minlength=k).astype(float)  # (B, K)
        out = np.full(b.shape, self.mu)
        if grade >= 1:
            t1 = (cnt * self.oth1[None]).sum(1)
            out += self.own1[b] + t1[:, None] - self.oth1[b]
        if grade >= 2:
            own = np.einsum("bnk,bk->bn", self.own2[b], cnt) - self.own2[b, b]
            lc = cnt @ self.oth2  # (B, K), L symmetric
            quad = (lc * cnt).sum(1)
            dg = np.diag(self.oth2)
            cm_quad = quad[:, None] - 2 * np.take_along_axis(lc, b, 1) + self.oth2[b, b]
            cm_diag = (cnt * dg[None]).sum(1)[:, None] - dg[b]
            out += own + 0.5 * (cm_quad - cm_diag)
        return out


def bin_edges(n: int, k: int, spacing: str = "mixed") -> np.ndarray:
    """Edges in u = F(v): ``uniform`` a/K; ``max`` (a/K)^{1/(N−1)}; ``mixed`` both (≤ 2K bins).

    >>> bin_edges(3, 4, "uniform").tolist(), bin_edges(2, 2, "mixed").tolist()
    ([0.0, 0.25, 0.5, 0.75, 1.0], [0.0, 0.5, 1.0])
    """
    a = np.arange(k + 1) / k
    if spacing == "uniform":
        return a
    if spacing == "max":
        return a ** (1.0 / max(n - 1, 1))
    if spacing == "mixed":
        e = np.unique(np.concatenate([a, a ** (1.0 / max(n - 1, 1))]))
        return e[np.concatenate([[True], np.diff(e) > 1e-9])]
    raise ValueError("spacing must be 'mixed', 'max' or 'uniform'")


def to_bins(u: np.ndarray, edges: np.ndarray) -> np.ndarray:
    return np.clip(np.searchsorted(edges, u, side="right") - 1, 0, len(edges) - 2)


def estimate_components(alloc, quantile, n: int, k: int, samples: int, rng,
                        batch: int = 4000, edges: np.ndarray | None = None) -> Components:
    """Monte Carlo bin tables of μ, g, h, k, l and the components (see module doc)."""
    edges = bin_edges(n, k, "uniform") if edges is None else np.asarray(edges, dtype=float)
    pb = np.diff(edges)
    sg, sh = np.zeros(k), np.zeros(k)
    sk, sl = np.zeros((k, k)), np.zeros((k, k))
    total, done = 0.0, 0
    while done < samples:
        size = min(batch, samples - done)
        u = rng.random((size, n))
        x = alloc(quantile(u)[:, :, None])[:, :, 0]
        b = to_bins(u, edges)
        oh = np.eye(k)[b]  # (B, N, K)
        cm = oh.sum(1, keepdims=True) - oh
        total += x.sum()
        sg += np.einsum("bn,bnk->k", x, oh)
        sh += np.einsum("bn,bnk->k", x, cm)
        sk += np.einsum("bn,bna,bnc->ac", x, oh, cm)
        sl += np.einsum("bn,bnc,bnd->cd", x, cm, cm) - np.diag(np.einsum("bn,bnc->c", x, cm))
        done += size
    mu = total / (samples * n)
    g = sg / pb / (samples * n)
    h = sh / pb / (samples * n * max(n - 1, 1))
    kk = sk / np.outer(pb, pb) / (samples * n * max(n - 1, 1))
    ll = sl / np.outer(pb, pb) / (samples * n * max((n - 1) * (n - 2), 1))
    ll = 0.5 * (ll + ll.T)
    return Components(mu, g - mu, h - mu, kk - g[:, None] - h[None, :] + mu,
                      ll - h[:, None] - h[None, :] + mu)


@dataclass(frozen=True)
class ScalePoint:
    """Truncation at grade R: feasibility of the naive truncation and the repaired revenue."""

    grade: int
    naive_revenue: Estimate
    infeasible_fraction: float
    mean_violation: float
    repaired_revenue: Estimate
    ratio: Estimate
    monotone: bool
    max_monotonicity_violation: float

    def to_dict(self) -> dict:
        return {"grade": self.grade, "naive_revenue": self.naive_revenue.to_dict(),
                "infeasible_fraction": self.infeasible_fraction,
                "mean_violation": self.mean_violation,
                "repaired_revenue": self.repaired_revenue.to_dict(),
                "ratio_to_optimum": self.ratio.to_dict(), "interim_monotone": self.monotone,
                "max_monotonicity_violation": self.max_monotonicity_violation}


@dataclass(frozen=True)
class ScaleFrontier:
    """Repaired-truncation frontier of a symmetric rule at N bidders, with its knee."""

    mechanism: str
    n: int
    values: str
    bins: int
    optimum: Estimate
    points: tuple[ScalePoint, ...]
    knee: Knee
    samples: int
    seed: int
    spacing: str = "max"

    def to_dict(self) -> dict:
        return {"mechanism": self.mechanism, "bidders": self.n, "values": self.values,
                "bins": self.bins, "bin_spacing": self.spacing,
                "optimum_revenue": self.optimum.to_dict(),
                "points": [p.to_dict() for p in self.points], "knee": self.knee.to_dict(),
                "samples": self.samples, "seed": self.seed,
                "definition": "x^{<=R}: grade-<=R Hoeffding truncation of E[x | K quantile "
                              "bins]; repaired = projection onto {x>=0, sum x<=1}; revenue = "
                              "E sum ironed-psi(v_i) x_i (Myerson), paired with the optimum"}


def frontier_at_scale(mechanism: str = "myerson", n: int = 10, values: str = "uniform",
                      bins: int = 16, samples: int = 20000, eval_samples: int = 20000,
                      seed=0, grades=(1, 2), spacing: str = "mixed",
                      tol: float = 0.01) -> ScaleFrontier:
    """Repaired-truncation revenue Rev^(R) vs the rule's own revenue, at any N (see module doc).

    ``infeasible_fraction`` counts profiles whose violation (negative mass + excess over 1)
    exceeds ``tol`` (the component tables carry Monte Carlo noise).

    >>> f = frontier_at_scale("myerson", 4, bins=8, samples=4000, eval_samples=4000, seed=1)
    >>> [p.grade for p in f.points], f.points[0].ratio.mean < f.points[1].ratio.mean
    ([1, 2], True)
    """
    if n < 3:
        raise ValueError("frontier_at_scale needs N ≥ 3 (grade-2 terms among the others)")
    marg = parse_valuation(values)
    mech = make_mechanism(mechanism, n, valuation=marg)
    seed = stable_seed(seed)
    ss = fresh_sequence(seed)
    r_est, r_eval = (np.random.default_rng(s) for s in ss.spawn(2))
    edges = bin_edges(n, bins, spacing)
    bins = len(edges) - 1
    comp = estimate_components(mech.allocation, marg.quantile, n, bins, samples, r_est,
                               edges=edges)
    u = r_eval.random((eval_samples, n))
    v = np.asarray(marg.quantile(u), dtype=float)
    b = to_bins(u, edges)
    psi = np.asarray(marg.ironed_virtual_value(v), dtype=float)
    x = mech.allocation(v[:, :, None])[:, :, 0]
    rev_star = (psi * x).sum(1)
    cols, info = [rev_star], []
    for r in grades:
        xt = comp.truncate(b, r)
        viol = np.maximum(-xt, 0).sum(1) + np.maximum(xt.sum(1) - 1, 0)
        xr = project_capped_simplex(xt)
        cols += [(psi * xt).sum(1), (psi * xr).sum(1)]
        interim = np.array([xr[b == a].mean() if np.any(b == a) else np.nan
                            for a in range(bins)])
        drops = -np.diff(interim)
        info.append((float(np.mean(viol > tol)), float(viol.mean()),
                     float(np.nanmax(np.maximum(drops, 0.0)))))
    mom = Moments.of(np.column_stack(cols))
    opt = mom.estimate(0)
    pts = []
    for k, r in enumerate(grades):
        frac, mv, mono = info[k]
        # tolerance: 3 standard errors of a bin mean of x̃ ∈ [0, 1] (sd ≤ ½) in the rarest bin
        mtol = 1.5 / math.sqrt(max(np.bincount(b.ravel(), minlength=bins).min(), 1))
        pts.append(ScalePoint(r, mom.estimate(1 + 2 * k), frac, mv, mom.estimate(2 + 2 * k),
                              mom.ratio(2 + 2 * k, 0), mono <= mtol, mono))
    gr = [p.grade for p in pts] + [n]
    knee = locate_knee(gr, [p.repaired_revenue.mean for p in pts] + [opt.mean], opt.mean)
    return ScaleFrontier(mechanism, n, values, bins, opt, tuple(pts), knee, samples,
                         seed_label(seed), spacing)
