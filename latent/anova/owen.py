"""Every grade's energy with tested intervals: same-set pick–freeze products on few long RQMC
replicates, importance-sampled sets.

Notation as in :mod:`latent.anova.mc`: independent A, B; A^w is A with the inputs in w taken
from B, B^w is B with the inputs in w taken from A; #u is the number of inputs in u; the #u-th
differences are
a_u = Σ_{w⊆u} (−1)^{#(u−w)} f(A^w) and b_u = Σ_{w⊆u} (−1)^{#(u−w)} f(B^w).

**Same-set estimator.** For every non-empty u,

    σ²_u = (−½)^{#u} · E[a_u · b_u].

Proof: a_u keeps only the Hoeffding terms f_v with v ⊇ u, and b_u = (−1)^{#u} Δ_u f with the
inputs outside u taken from B instead of A; a term f_v with v ≠ u has a coordinate outside u
on which the two factors are independent and integrates to zero, and for v = u both factors
are the same u-difference of f_u, whose square has mean 2^{#u} σ²_u. This is the difference
form of the superset / dimension-distribution estimators of Owen (and of Hooker's superset
importance, Liu & Owen's mean dimension) with the two "rest" points shared as A and B. For a
product-type f its relative variance grows like c^{#u} with c = E[(Δg)⁴]/(E[(Δg)²])² (2.4
for a uniform factor) — it does not blow up as σ²_u gets small, unlike the cross products
E[a_S b_T] (S ∩ T = ∅) of :func:`latent.anova.grade_spectrum_mc`, whose relative variance grows
like Π_{j∈u} 1/σ²_j. Grade 1 (−½E[a_j b_j]) is the same as there.

**Design.** One pick–freeze core per sample (f(A), f(B), f(A^{j}), f(B^{j}) for all j:
2N + 2 evaluations) gives Var, W_0, W_1, the cross W_2 = ½E[Σ_{j≠k} a_j b_k] (all pairs for
free), first-order and total (Jansen) indices and the mean dimension (Liu & Owen). Each grade
r ≥ 2 has an estimator plan (``estimator``):

* "same": L random r-sets u per sample, (−½)^r a_u b_u / P(u), costing 2·(2^r − 1 − r)
  evaluations per set (the core's points are reused);
* "cross": the disjoint cross products of :mod:`latent.anova.mc` — free at r = 2; for r ≥ 3,
  L random (r−1)-sets T per sample and world, (Σ_{j∉T} a_j)·b_T / (r·P(T)), costing
  2·(2^{r−1} − r) evaluations per set;
* "mixed" (default): "cross" at r = 2, "same" above — the choice measured best or tied on
  Sobol' G and the auction rules (BENCHMARKS.md); "auto" picks per grade on the pilot.

Every plan is unbiased for any set proposal with full support. The proposal is
P(u) ∝ ½·Π_{j∈u} τ̂_j / e_r(τ̂) + ½/C(N, r) with τ̂_j the total indices of a small plain-MC
pilot (``pilot`` of the budget; discarded, so the estimates stay unbiased given it), uniform
when the function looks symmetric.

**Intervals.** (A, B) are ``replicates`` independently scrambled Sobol' sequences
(scipy.stats.qmc; the sets are drawn from an independent stream per replicate); every
estimate is a mean over one replicate, and the CI is Student-t over the replicates (valid for
randomised QMC: the replicates are i.i.d. and each is unbiased), its far end moved out by
the Cornish–Fisher term of the per-sample skewness pooled within the replicates
(:func:`skew_extension`): the high grades' products are skewed (skewness 10–15 on Sobol' G),
and a symmetric interval then misses only on the side of the rare large values (W_4 of
Sobol' G, d = 6, at 48 000 evaluations: 507 of 560 seeds covered, 527 with the extension;
tests/test_anova_owen.py). Few, long replicates keep
most of the QMC gain: :func:`grade_spectrum_owen` uses 4 by default (on Sobol' G at 22 528
evaluations W_1's RMSE is 1.1–1.7× lower than with 8, at about the same interval width; see
BENCHMARKS.md), :func:`adaptive_spectrum` 8 (its stopping rule reads the intervals, and 3
degrees of freedom make them too erratic there). Tail W_{>R} = Var − Σ_{r≤R} W_r with the
same t-interval; ratios (indices, mean dimension) by the delta method on the replicate
covariance.

Replicates are independent tasks of :func:`numerics.engine.run`: replicate k draws only from
``SeedSequence(seed).spawn(K)[k]``, so every executor gives the same numbers.
"""

from __future__ import annotations

import math
import warnings
from contextlib import closing
from dataclasses import dataclass, replace
from itertools import combinations

import numpy as np
from scipy import stats

from latent.anova.marginals import quantile_functions
from latent.anova.spectrum import GradeSpectrum, spectrum_from_means
from numerics.engine import EngineConfig, Run, run, run_each, session
from numerics.seeding import fresh_sequence, seed_label

MAX_ENUMERATED_SETS = 500_000  # beyond this many r-sets: uniform sets, no importance sampling


ESTIMATORS = ("mixed", "auto", "same", "cross")


def _signed_subsets(r: int) -> list[tuple[tuple[int, ...], int]]:
    """(w, (−1)^{r−#w}) for w ⊆ {0…r−1} with #w ≥ 2 (#w ≤ 1 come from the core)."""
    return [(w, (-1) ** (r - k)) for k in range(2, r + 1) for w in combinations(range(r), k)]


def grade_cost(r: int, estimator: str, subsets_per_grade: int) -> int:
    """Evaluations per sample that grade r ≥ 2 adds to the 2N + 2 of the core.

    >>> grade_cost(2, "cross", 2), grade_cost(2, "same", 2), grade_cost(3, "cross", 2)
    (0, 4, 4)
    """
    if estimator == "same":
        return 2 * subsets_per_grade * (2**r - 1 - r)
    return 0 if r == 2 else 2 * subsets_per_grade * (2 ** (r - 1) - r)


def owen_evaluations_per_sample(n_inputs: int, max_grade: int, subsets_per_grade: int,
                                estimators=("same",)) -> int:
    """Function evaluations per sample of :func:`grade_spectrum_owen`; ``estimators`` lists
    grades 2…R's estimator ("same" or "cross"; the last one repeats).

    >>> owen_evaluations_per_sample(10, 2, 2, ["cross"]), owen_evaluations_per_sample(10, 3, 2)
    (22, 42)
    """
    total = 2 * n_inputs + 2
    for r in range(2, max_grade + 1):
        est = estimators[min(r - 2, len(estimators) - 1)]
        total += grade_cost(r, est, subsets_per_grade)
    return total


@dataclass(frozen=True)
class SetProposal:
    """Sampling law of the r-sets of one grade: all sets (M, r) and their probabilities, or
    ``sets=None`` for uniform random r-sets of N (too many to enumerate)."""

    grade: int
    n_inputs: int
    sets: np.ndarray | None
    prob: np.ndarray | None

    def draw(self, rng: np.random.Generator, shape: tuple[int, int]):
        """r-sets (shape + (r,)) and their inverse probabilities (shape)."""
        r, n = self.grade, self.n_inputs
        if self.sets is None:
            idx = np.argsort(rng.random((*shape, n)), axis=-1)[..., :r]
            return idx, np.full(shape, float(math.comb(n, r)))
        pick = rng.choice(len(self.sets), size=shape, p=self.prob)
        return self.sets[pick], 1.0 / self.prob[pick]


def set_proposal(r: int, n: int, weights: np.ndarray | None, mix: float = 0.5) -> SetProposal:
    """P(u) ∝ (1 − mix)·Π_{j∈u} w_j / Σ_{#v=r} Π_{j∈v} w_j + mix / C(N, r) (uniform if no
    usable weights).

    >>> p = set_proposal(2, 3, np.array([1.0, 1.0, 2.0]))
    >>> p.sets.tolist(), np.round(p.prob, 4).tolist()
    ([[0, 1], [0, 2], [1, 2]], [0.2667, 0.3667, 0.3667])
    """
    m = math.comb(n, r)
    if m > MAX_ENUMERATED_SETS:
        return SetProposal(grade=r, n_inputs=n, sets=None, prob=None)
    sets = np.array(list(combinations(range(n), r)), dtype=np.intp).reshape(m, r)
    prob = np.full(m, 1.0 / m)
    if weights is not None:
        w = np.maximum(np.asarray(weights, dtype=float), 0.0)
        prod = np.prod(w[sets], axis=1)
        if np.isfinite(prod.sum()) and prod.sum() > 0:
            prob = (1 - mix) * prod / prod.sum() + mix / m
            prob = prob / prob.sum()
    return SetProposal(grade=r, n_inputs=n, sets=sets, prob=prob)


def _as_2d(y, b: int) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.shape[:1] != (b,):
        raise ValueError(f"f returned shape {y.shape} for a batch of {b} points")
    y = y.reshape(b, -1)
    if not np.all(np.isfinite(y)):
        raise ValueError("f returned non-finite values")
    return y


def _quantiles(qf, u: np.ndarray) -> np.ndarray:
    if all(q is qf[0] for q in qf):
        return qf[0](u)
    x = np.empty_like(u)
    for i, q in enumerate(qf):
        x[:, i] = q(u[:, i])
    return x


def _inputs(qf, u: np.ndarray, n: int, block: int | None):
    """(A, B) from uniforms u (b, 2·N·M): (b, N) each, or (b, N, M) with ``block=M``."""
    b = u.shape[0]
    m = block or 1
    ua, ub = u[:, :n * m], u[:, n * m:]
    if block is not None:
        ua, ub = ua.reshape(b, n, m), ub.reshape(b, n, m)
    return _quantiles(qf, ua), _quantiles(qf, ub)


def _core(f, xa, xb):
    """Per-sample values of the pick–freeze core, and what the set estimators reuse."""
    b, n = xa.shape[:2]
    eye = np.eye(n, dtype=bool).reshape(n, 1, n, *([1] * (xa.ndim - 2)))  # (n, 1, n[, 1])
    ab = np.where(eye, xb[None], xa[None]).reshape(n * b, *xa.shape[1:])
    ba = np.where(eye, xa[None], xb[None]).reshape(n * b, *xa.shape[1:])
    y = _as_2d(f(np.concatenate([xa, xb, ab, ba])), (2 + 2 * n) * b)
    p = y.shape[1]
    fa, fb = y[:b], y[b:2 * b]
    fab = y[2 * b:(2 + n) * b].reshape(n, b, p)
    fba = y[(2 + n) * b:].reshape(n, b, p)
    da, db = fab - fa, fba - fb
    ajbj = (da * db).sum(2)  # (n, b)
    sa, sb = da.sum(0), db.sum(0)
    tau = 0.25 * ((da**2).sum(2) + (db**2).sum(2))  # (n, b)
    cols = {
        "var": 0.5 * ((fa - fb) ** 2).sum(1),
        "w0": (fa * fb).sum(1),
        "w1": -0.5 * ajbj.sum(0),
        "w2cross": 0.5 * ((sa * sb).sum(1) - ajbj.sum(0)),
        "tau": tau.sum(0),
    }
    return cols, -0.5 * ajbj.T, tau.T, (fa, fb, fab, fba)


def _differences(f, base, other, f_base, f_single, idx) -> np.ndarray:
    """k-th differences Σ_{w⊆T} (−1)^{k−#w} f(base^w) for the sets T = idx (b, L, k); the
    points with #w ≤ 1 come from the core (f_base, f_single); returns (b, L, outputs)."""
    b, L, k = idx.shape
    terms = _signed_subsets(k)
    rows = np.arange(b)[:, None, None]
    acc = (-1) ** k * f_base[:, None, :]  # w = ∅
    sample = np.arange(b)[:, None]
    for i in range(k):  # #w = 1: the core's base^{j}
        acc = acc + (-1) ** (k - 1) * f_single[idx[:, :, i], sample]
    pts = []
    for w, _ in terms:
        x = np.repeat(base[:, None], L, axis=1)  # (b, L, n[, M])
        c = idx[:, :, list(w)]
        x[rows, np.arange(L)[None, :, None], c] = other[rows, c]
        pts.append(x)
    if pts:
        y = _as_2d(f(np.concatenate(pts).reshape(-1, *base.shape[1:])), len(pts) * b * L)
        y = y.reshape(len(pts), b, L, -1)
        for j, (_, sign) in enumerate(terms):
            acc = acc + sign * y[j]
    return acc


def _same_set(f, xa, xb, parts, proposal: SetProposal, L: int, rng) -> np.ndarray:
    """Per-sample (−½)^r · mean over L sets u of a_u b_u / P(u) (summed over outputs)."""
    fa, fb, fab, fba = parts
    r = proposal.grade
    idx, inv_p = proposal.draw(rng, (xa.shape[0], L))
    au = _differences(f, xa, xb, fa, fab, idx)
    bu = _differences(f, xb, xa, fb, fba, idx)
    return ((-0.5) ** r * (au * bu).sum(2) * inv_p).mean(1)


def _cross(f, xa, xb, parts, proposal: SetProposal, L: int, rng) -> np.ndarray:
    """Per-sample W_r (r = proposal.grade + 1 ≥ 3) by disjoint cross products: mean over L
    (r−1)-sets T of (Σ_{j∉T} a_j)·b_T / (r·P(T)), averaged over both worlds (as in
    :mod:`latent.anova.mc`)."""
    fa, fb, fab, fba = parts
    b = xa.shape[0]
    r = proposal.grade + 1
    out = 0.0
    for base, other, f_base, f_single, d_other in ((xb, xa, fb, fba, fab - fa[None]),
                                                   (xa, xb, fa, fab, fba - fb[None])):
        idx, inv_p = proposal.draw(rng, (b, L))
        diff_t = _differences(f, base, other, f_base, f_single, idx)  # (b, L, p)
        d = np.moveaxis(d_other, 0, 1)  # (b, n, p)  (outputs, not input columns)
        picked = np.take_along_axis(d[:, None], idx[..., None], axis=2)  # (b, L, k, p)
        outside = d.sum(axis=1)[:, None, :] - picked.sum(axis=2)
        out = out + 0.5 * ((diff_t * outside).sum(2) * inv_p / r).mean(1)
    return out


@dataclass(frozen=True)
class GradePlan:
    """How one grade r ≥ 2 is estimated: "same" (r-sets) or "cross" (free for r = 2, else
    (r−1)-sets), with the proposal its sets are drawn from (None for the free r = 2)."""

    grade: int
    estimator: str
    proposal: SetProposal | None

    def values(self, f, xa, xb, cols, parts, L, rng) -> np.ndarray:
        if self.estimator == "cross" and self.grade == 2:
            return cols["w2cross"]
        fn = _same_set if self.estimator == "same" else _cross
        return fn(f, xa, xb, parts, self.proposal, L, rng)


def make_plan(r: int, estimator: str, n: int, weights) -> GradePlan:
    if estimator == "same":
        return GradePlan(grade=r, estimator="same", proposal=set_proposal(r, n, weights))
    prop = None if r == 2 else set_proposal(r - 1, n, weights)
    return GradePlan(grade=r, estimator="cross", proposal=prop)


def merge_moments(a, b):
    """Pool two (count, mean, M2, M3) summaries of per-sample vectors (M_k: sums of k-th
    powers of deviations from the mean), exactly as if computed on the union (Pébay's pairwise
    update, so a large mean does not cancel the central moments).

    >>> x = np.array([[1.0], [2.0], [4.0], [9.0]])
    >>> def summ(v):
    ...     d = v - v.mean(0)
    ...     return len(v), v.mean(0), (d**2).sum(0), (d**3).sum(0)
    >>> [np.round(np.ravel(t), 6).tolist() for t in merge_moments(summ(x[:1]), summ(x[1:]))]
    [[4], [4.0], [38.0], [90.0]]
    >>> [np.round(np.ravel(t), 6).tolist() for t in summ(x)]
    [[4], [4.0], [38.0], [90.0]]
    """
    na, ma, m2a, m3a = a
    nb, mb, m2b, m3b = b
    n = na + nb
    d = mb - ma
    mean = ma + d * nb / n
    m2 = m2a + m2b + d**2 * na * nb / n
    m3 = m3a + m3b + d**3 * na * nb * (na - nb) / n**2 + 3 * d * (na * m2b - nb * m2a) / n
    return n, mean, m2, m3


@dataclass(frozen=True)
class ReplicateMeans:
    """Mergeable summary: per-replicate mean vectors, in replicate order, with each
    replicate's sums of squared and cubed deviations of its per-sample values (``m2``,
    ``m3``: the skewness that widens the intervals' far ends, see :func:`skew_extension`)."""

    means: tuple
    samples: int
    m2: tuple = ()
    m3: tuple = ()

    def merge(self, other: ReplicateMeans) -> ReplicateMeans:
        return ReplicateMeans(means=self.means + other.means, samples=self.samples + other.samples,
                              m2=self.m2 + other.m2, m3=self.m3 + other.m3)


@dataclass(frozen=True)
class OwenReplicate:
    """One randomised-QMC replicate of ``size`` samples (a task for :func:`numerics.engine.run`).

    ``f`` and the marginals must pickle for process executors (module-level functions, scipy
    distributions; not lambdas). ``block=M``: each input is a block of M columns and ``f``
    receives (batch, N, M). ``offset``/``chunk``: run the points ``offset…offset+size−1`` of
    the replicate's scrambled sequence (its scramble depends on the replicate's seed only),
    with set draws from the chunk's own stream — how :func:`adaptive_spectrum` lengthens
    replicates chunk by chunk.
    """

    f: object
    marginals: object
    n_inputs: int
    plans: tuple
    subsets_per_grade: int
    batch: int
    qmc: bool = True
    block: int | None = None
    offset: int = 0
    chunk: int = 0

    def __call__(self, seq: np.random.SeedSequence, size: int) -> ReplicateMeans:
        n = self.n_inputs
        dim = 2 * n * (self.block or 1)
        qf = quantile_functions(self.marginals, n)
        qmc_seq, set_seq = seq.spawn(2)
        if self.chunk:
            set_seq = np.random.SeedSequence(set_seq.entropy,
                                             spawn_key=(*set_seq.spawn_key, self.chunk))
        rng = np.random.default_rng(set_seq)
        sobol = stats.qmc.Sobol(dim, scramble=True, seed=np.random.default_rng(qmc_seq))
        if self.offset and self.qmc:
            sobol.fast_forward(self.offset)
        total = None
        done = 0
        while done < size:
            b = min(self.batch, size - done)
            if self.qmc:
                with warnings.catch_warnings():  # balance warning when b is not a power of 2
                    warnings.simplefilter("ignore", UserWarning)
                    u = sobol.random(b)
            else:
                u = rng.random((b, dim))
            xa, xb = _inputs(qf, u, n, self.block)
            cols, first, tau, parts = _core(self.f, xa, xb)
            grades = [plan.values(self.f, xa, xb, cols, parts, self.subsets_per_grade, rng)
                      for plan in self.plans]
            per_sample = np.column_stack([cols["var"], cols["w0"], cols["w1"], *grades,
                                          cols["tau"], first, tau])
            mb = per_sample.mean(0)
            dev = per_sample - mb
            part = (b, mb, (dev**2).sum(0), (dev**3).sum(0))
            total = part if total is None else merge_moments(total, part)
            done += b
        _, mean, m2, m3 = total
        return ReplicateMeans(means=(mean,), samples=size, m2=(m2,), m3=(m3,))


# Input floats per batch of a replicate: small enough that a batch's arrays stay in a core's
# cache. Measured on a 2-core Xeon (2 MiB L2 per core), CPU seconds of the same estimates (equal
# up to the summation order), 4 M floats a batch (the earlier rule) → 2^19: second price N = 6,
# grades ≤ 4, adaptive, 4·10^5 samples 5.50 → 3.88 s (2^20: 4.2 s, 2^18: 4.4 s); Sobol' G,
# d = 10, grades ≤ 3, 2·10^6 evaluations 0.275 → 0.197 s; winner indicator N = 10 equal.
# Two processes at once also slow each other less (+2 % CPU each, against +3–6 %).
BATCH_FLOATS = 1 << 19


def cache_batch(floats_per_sample: int) -> int:
    """Samples per batch: the largest power of 2 (balanced Sobol' draws) whose inputs fit in
    :data:`BATCH_FLOATS` floats, at least 1.

    >>> cache_batch(444), cache_batch(10**7)
    (1024, 1)
    """
    fit = BATCH_FLOATS // max(int(floats_per_sample), 1)
    return 1 << max(fit.bit_length() - 1, 0) if fit else 1


def _fixed(estimator: str, r: int) -> str:
    """The estimator of grade r before any pilot ("auto" starts from "same")."""
    if estimator == "mixed":
        return "cross" if r == 2 else "same"
    return "same" if estimator == "auto" else estimator


def _pilot(f, qf, n: int, R: int, estimator: str, L: int, evaluations: int, seq,
           block: int | None = None):
    """Plain-MC pilot: total indices (the set proposal's weights) and, with "auto", for each
    grade the estimator with the smaller per-sample variance × cost (core + that grade).
    Returns (weights or None, plans, pilot samples, pilot evaluations)."""
    rng = np.random.default_rng(seq)
    core = 2 * n + 2
    tried = ("same", "cross") if estimator == "auto" else None
    # only "auto" evaluates the grade estimators on the pilot; otherwise the core alone
    per = core + (sum(grade_cost(r, e, L) for r in range(2, R + 1) for e in tried)
                  if tried else 0)
    samples = max(20, evaluations // per)
    xa, xb = _inputs(qf, rng.random((samples, 2 * n * (block or 1))), n, block)
    cols, _, tau, parts = _core(f, xa, xb)
    weights = tau.mean(0)
    if not np.ptp(weights) > 0.1 * np.mean(np.abs(weights)):  # looks symmetric: uniform
        weights = None
    plans = []
    for r in range(2, R + 1):
        cands = [make_plan(r, e, n, weights) for e in (tried if estimator == "auto" else
                                                        (_fixed(estimator, r),))]
        if len(cands) == 1:
            plans.append(cands[0])
            continue
        eff = [np.var(c.values(f, xa, xb, cols, parts, L, rng)) * (core + grade_cost(
            r, c.estimator, L)) for c in cands]
        plans.append(cands[int(np.argmin(eff))])
    return weights, tuple(plans), samples, samples * per


def _setup(f, marginals, n_inputs, max_grade, replicates, subsets_per_grade, estimator, pilot,
           pilot_evaluations, pilot_seq, block):
    """Checks, the pilot and the per-grade plans shared by the fixed and adaptive runs."""
    n = int(n_inputs)
    if n < 1 or max_grade < 1:
        raise ValueError("need n_inputs ≥ 1 and max_grade ≥ 1")
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}")
    if int(replicates) < 2:
        raise ValueError("need at least 2 replicates for an interval")
    if block is not None and int(block) < 1:
        raise ValueError(f"block={block!r}: must be a positive number of columns")
    R = min(int(max_grade), n)
    qf = quantile_functions(marginals, n)
    L = subsets_per_grade or 2
    pilot_samples = pilot_evals = 0
    weights = None
    plans = tuple(make_plan(r, _fixed(estimator, r), n, None) for r in range(2, R + 1))
    if R >= 2 and pilot > 0 and any(p.proposal is not None for p in plans):
        weights, plans, pilot_samples, pilot_evals = _pilot(
            f, qf, n, R, estimator, L, int(pilot * pilot_evaluations), pilot_seq, block)
    per_sample = 2 * n + 2 + sum(grade_cost(p.grade, p.estimator, L) for p in plans)
    return n, R, L, plans, weights, pilot_samples, pilot_evals, per_sample


def grade_spectrum_owen(
    f,
    marginals,
    n_inputs: int,
    *,
    max_grade: int = 3,
    evaluations: int = 100_000,
    seed: int | None = None,
    replicates: int = 4,
    subsets_per_grade: int | None = None,
    estimator: str = "mixed",
    pilot: float = 0.05,
    qmc: bool = True,
    confidence: float = 0.95,
    batch: int | None = None,
    block: int | None = None,
    config: EngineConfig | None = None,
) -> GradeSpectrum:
    """W_0…W_R, the tail W_{>R}, Var, mean dimension and Sobol' indices with t-intervals over
    ``replicates`` scrambled-Sobol' replicates (see module doc), within ``evaluations``.

    ``f`` maps (batch, N) → (batch,) or (batch, P) (outputs summed in the energies); with
    ``block=M`` each input is a block of M i.i.d. columns and ``f`` receives (batch, N, M).
    ``estimator`` for grades ≥ 2: "mixed" (cross products at grade 2, where they are free;
    same-set products above), "same", "cross" (disjoint cross products), or "auto" (per grade,
    the one with the smaller variance × cost on the plain-MC pilot; measured to choose
    unreliably on indicators, where the pilot's variances are too noisy). The pilot (proposal
    weights, and the choice with "auto") uses ``pilot`` of the budget and is then discarded.
    ``qmc=False``: plain Monte Carlo replicates (same estimators, same t-intervals).
    ``config``: where replicates run (:class:`numerics.engine.EngineConfig`; inline if None).

    >>> from scipy import stats
    >>> s = grade_spectrum_owen(lambda x: x[:, 0] * x[:, 1] * x[:, 2], stats.uniform(), 3,
    ...                         evaluations=40_000, seed=1)
    >>> lo, hi = s.energies_ci[3]; bool(lo < 1 / 12**3 < hi)   # W_3 = (1/12)³ exactly
    True
    """
    # an int seed s: SeedSequence(s); a SeedSequence: its own stream (spawn key included)
    root = fresh_sequence(np.random.SeedSequence() if seed is None else seed)
    k = int(replicates)
    n, R, L, plans, weights, pilot_samples, pilot_evals, per_sample = _setup(
        f, marginals, n_inputs, max_grade, k, subsets_per_grade, estimator, pilot, evaluations,
        np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, 2**32 - 1)), block)
    m = (evaluations - pilot_evals) // (k * per_sample)
    if m < 2:
        raise ValueError(f"evaluations={evaluations} leave fewer than 2 samples per replicate "
                         f"({per_sample} evaluations per sample, {k} replicates)")
    if batch is None:
        batch = min(m, cache_batch(per_sample * n * (block or 1)))
    task = OwenReplicate(f=f, marginals=marginals, n_inputs=n, plans=plans,
                         subsets_per_grade=L, batch=batch, qmc=qmc, block=block)
    cfg = config or EngineConfig()
    cfg = EngineConfig(**{**cfg.to_dict(), "batch_size": m, "progress": False})
    plain = isinstance(root.entropy, int) and not root.spawn_key  # an int seed: as before
    summary = run(task, k * m, int(root.entropy) if plain else root, cfg, desc="replicates")
    x = np.array(summary.means)  # (k, dim)
    return _assemble(x, n, R, plans, m, per_sample, pilot_samples, pilot_evals, seed_label(seed),
                     confidence, L, qmc, weights is not None,
                     (np.array(summary.m2), np.array(summary.m3)))


def skew_extension(m2, m3, samples: int, replicates: int, z: float) -> np.ndarray:
    """How far (in standard errors) to move out the far end of each column's interval: the
    Edgeworth (Cornish–Fisher) term of a Student-t interval, γ/(6√n)·(2z² + 1), with γ the
    per-sample skewness pooled within the replicates and n = ``samples`` in all; signed like γ
    (positive: the upper end moves up). A skewed mean (the products a_u·b_u of high grades
    have per-sample skewness 10–15 with rare large values) is low when its replicates' spread
    is small too, so the symmetric t-interval misses on that side only (Sobol' G, d = 6, W_4
    at 48 000 evaluations: 507 of 560 seeds covered, all misses below); only the far end moves,
    so the interval never covers less than the symmetric one.

    >>> m2, m3 = np.array([[3.0, 3.0]]), np.array([[8.0, 0.0]])   # γ = (8/4) / (3/3)^1.5 = 2
    >>> skew_extension(m2, m3, 4, 1, 1.0).round(4).tolist()   # 2 / (6·2) · 3
    [0.5, 0.0]
    """
    n, k = float(samples), int(replicates)
    var = np.sum(m2, axis=0) / max(n - k, 1.0)
    mu3 = np.sum(m3, axis=0) / n
    with np.errstate(divide="ignore", invalid="ignore"):  # constant columns: no extension
        gamma = np.where(var > 0, mu3 / np.sqrt(np.maximum(var, 0.0)) ** 3, 0.0)
    return np.nan_to_num(gamma) / (6 * math.sqrt(n)) * (2 * z * z + 1)


MC_REPLICATES = 4  # the default Monte Carlo spectrum's replicates (grade_spectrum_owen's)
MC_PILOT = 0.05


def mc_evaluations(n_inputs: int, max_grade: int, samples: int) -> int:
    """Evaluations that buy :func:`mc_spectrum` ``samples`` (A, B) pairs (grade 2 by cross
    products, higher grades by 2 same-set products per sample and world) and its pilot (the
    set proposal of grades ≥ 3; grades ≤ 2 need none).

    >>> mc_evaluations(6, 3, 1000), mc_evaluations(6, 2, 1000)  # 14 + 0 + 16; 5 % pilot
    (31579, 14000)
    """
    r = min(int(max_grade), int(n_inputs))
    per = owen_evaluations_per_sample(n_inputs, r, 2, ["cross", "same"])
    return math.ceil(int(samples) * per / (1 - MC_PILOT)) if r >= 3 else int(samples) * per


def mc_min_samples(n_inputs: int, max_grade: int) -> int:
    """Fewest ``samples`` :func:`mc_spectrum` accepts: 2 per replicate, plus what the pilot
    (at least 20 core samples of 2N + 2 evaluations, grades ≥ 3 only) takes of the budget.

    >>> mc_min_samples(6, 2), mc_min_samples(6, 3)
    (8, 19)
    """
    r = min(int(max_grade), int(n_inputs))
    if r < 3:
        return 2 * MC_REPLICATES
    per = owen_evaluations_per_sample(n_inputs, r, 2, ["cross", "same"])
    return 2 * MC_REPLICATES + math.ceil(20 * (2 * int(n_inputs) + 2) / per) + 1


def mc_spectrum(f, marginals, n_inputs: int, *, max_grade: int = 3, samples: int = 10_000,
                seed=None, block: int | None = None,
                config: EngineConfig | None = None) -> GradeSpectrum:
    """The default Monte Carlo grade spectrum (``latent.spectrum(method="mc")`` and
    ``estimate_rho --spectrum mc``): :func:`grade_spectrum_owen` on
    ``MC_REPLICATES`` scrambled-Sobol' replicates, with the evaluations of about
    ``samples`` (A, B) pairs (``mc_evaluations``). On a held-out Sobol' G function
    (d = 8) at 10⁵ evaluations its relative RMSE of W_3 is 7× lower than cross pick–freeze's
    (:func:`latent.anova.grade_spectrum_mc`), with intervals tested at every grade
    (bench/bench_spectrum_default.py, BENCHMARKS.md).

    Raises ``ValueError`` naming ``samples`` when fewer than 2 samples per replicate remain.

    >>> from scipy import stats
    >>> s = mc_spectrum(lambda x: x[:, 0] * x[:, 1], stats.uniform(), 2, samples=4000, seed=1)
    >>> lo, hi = s.energies_ci[2]; bool(lo < 1 / 144 < hi)   # W_2 = (1/12)²
    True
    """
    least = mc_min_samples(n_inputs, max_grade)
    if int(samples) < least:
        raise ValueError(f"samples={samples}: the Monte Carlo spectrum needs at least {least} "
                         f"({MC_REPLICATES} replicates of 2 samples or more, and its pilot)")
    return grade_spectrum_owen(f, marginals, n_inputs, max_grade=max_grade,
                               evaluations=mc_evaluations(n_inputs, max_grade, samples),
                               seed=seed, replicates=MC_REPLICATES, pilot=MC_PILOT,
                               block=block, config=config)


def _assemble(x, n, R, plans, m, per_sample, pilot_samples, pilot_evals, seed, confidence, L,
              qmc, weighted, moments=None) -> GradeSpectrum:
    # columns of x (one row per replicate): Var, W_0, W_1…W_R (one per plan), Σ τ̄_j,
    # first-order (N), total (N) — the layout of latent.anova.spectrum.spectrum_from_means
    k = x.shape[0]
    z = stats.t.ppf(0.5 + confidence / 2, k - 1)
    notes = []
    if plans:
        sets = any(p.proposal is not None for p in plans)
        notes.append("grade estimators: " + ", ".join(f"W_{p.grade} {p.estimator}" for p in plans)
                     + (f"; {L} sets per sample and world, "
                        + ("importance-sampled ∝ pilot total indices" if weighted else "uniform")
                        if sets else "")
                     + (f" (pilot: {pilot_samples} plain-MC samples, discarded)"
                        if pilot_samples else ""))
    cov = np.cov(x, rowvar=False) / k
    spec = spectrum_from_means(
        "owen", n, R, x.mean(0), cov, z=z, level=confidence,
        notes=notes, evaluations=k * m * per_sample + pilot_evals, samples=k * m, seed=seed,
        cov_dof=k - 1,
        ci_method=(f"Student-t {confidence:.0%} CI over {k} independently "
                   + ("scrambled Sobol' replicates" if qmc else "seeded Monte Carlo replicates")
                   + (", far end moved out by the per-sample skewness (Cornish–Fisher); delta "
                      "method for ratios" if moments is not None else
                      " (delta method for ratios)")))
    if moments is None:
        return spec
    shift = skew_extension(*moments, k * m, k, z)
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))

    def moved(ci, col):
        d = shift[col] * se[col]
        return (ci[0], ci[1] + d) if d > 0 else (ci[0] + d, ci[1])

    return replace(spec, energies_ci=tuple(moved(c, 1 + r) for r, c in
                                           enumerate(spec.energies_ci)),
                   variance_ci=moved(spec.variance_ci, 0))


def resolved_grades(spectrum: GradeSpectrum, target_rel_ci: float) -> tuple[int, ...]:
    """Grades r ≥ 1 whose CI half width is within ``target_rel_ci``·abs(W_r) (a grade whose
    estimate and interval are exactly 0 — every sample's product was 0 — counts as resolved).

    >>> s = GradeSpectrum(method="owen", n_inputs=2, energies=(1.0, 0.5, 0.0), variance=0.5,
    ...                   mean_dimension=1.0, first_order=(0.5, 0.5), total=(0.5, 0.5),
    ...                   energies_ci=((0.9, 1.1), (0.46, 0.54), (0.0, 0.0)))
    >>> resolved_grades(s, 0.1), resolved_grades(s, 0.05)
    ((1, 2), (2,))
    """
    out = []
    for r in range(1, spectrum.max_grade + 1):
        lo, hi = spectrum.energies_ci[r]
        if (hi - lo) / 2 <= target_rel_ci * abs(spectrum.energies[r]):
            out.append(r)
    return tuple(out)


def chunk_sizes(first: int, room: int) -> list[int]:
    """Samples per replicate added by each chunk of :func:`adaptive_spectrum`: ``first``, then
    as many as there are so far (doubling), the last cut to fill ``room`` exactly.

    >>> chunk_sizes(256, 3000)
    [256, 256, 512, 1024, 952]
    """
    sizes: list[int] = []
    length = 0
    while length < room:
        sizes.append(min(first if not sizes else length, room - length))
        length += sizes[-1]
    return sizes


START_SAMPLES = 256  # first chunk per replicate: shorter replicates make skewed products' t-CIs
# too narrow exactly when they stop early (the winner indicator: see tests/test_anova_owen.py)


def adaptive_spectrum(
    f,
    marginals,
    n_inputs: int,
    *,
    max_grade: int = 3,
    target_rel_ci: float = 0.1,
    max_evaluations: int = 10_000_000,
    start_samples: int = START_SAMPLES,
    seed=None,
    replicates: int = 8,
    subsets_per_grade: int | None = None,
    estimator: str = "mixed",
    pilot: float = 0.05,
    qmc: bool = True,
    confidence: float = 0.95,
    batch: int | None = None,
    block: int | None = None,
    config: EngineConfig | None = None,
) -> GradeSpectrum:
    """:func:`grade_spectrum_owen` that keeps sampling, in chunks, until every grade 1…R has a
    CI half width ≤ ``target_rel_ci``·abs(W_r) or ``max_evaluations`` (pilot included) is spent.

    The ``replicates`` scrambled-Sobol' replicates are lengthened chunk by chunk: ``start_samples``
    points each (a power of 2), then doubled (the next chunk continues each replicate's own
    sequence, so every replicate stays one balanced scrambled sequence), and a last, shorter
    chunk takes what is left of the budget. After each chunk the t-intervals over the
    replicates' running means are checked. Every chunk is one :func:`numerics.engine.run`
    whose task k is replicate k (seeded by the k-th child of ``seed`` in every chunk), so the
    numbers are the same on every executor. The stopping rule looks at the intervals, so they
    are those of a fixed-length run only up to this selection (coverage measured in
    ``tests/test_anova_owen.py``). The pilot (proposal weights) gets ``pilot`` × the
    evaluations of the first three chunks (8·``start_samples`` per replicate).

    The result's ``target_rel_ci`` and ``resolved`` say which grades met the target; a note
    gives the chunks and evaluations spent. Other options as :func:`grade_spectrum_owen`.

    >>> from scipy import stats
    >>> s = adaptive_spectrum(lambda x: x[:, 0] + x[:, 0] * x[:, 1], stats.uniform(), 2,
    ...                       max_grade=2, target_rel_ci=0.05, seed=3)
    >>> s.resolved, s.unresolved, s.notes[-1].startswith("adaptive")
    ((1, 2), (), True)
    """
    if not (isinstance(target_rel_ci, int | float) and 0 < target_rel_ci <= 1):
        raise ValueError(f"target_rel_ci={target_rel_ci!r}: must be in (0, 1]")
    m0 = int(start_samples)
    if m0 < 2:
        raise ValueError(f"start_samples={start_samples!r}: need at least 2")
    k = int(replicates)
    root = fresh_sequence(np.random.SeedSequence() if seed is None else seed)
    pilot_seq = np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, 2**32 - 1))
    from_start = 2 * int(n_inputs) + 2  # a lower bound of the evaluations per sample
    n, R, L, plans, weights, pilot_samples, pilot_evals, per_sample = _setup(
        f, marginals, n_inputs, max_grade, k, subsets_per_grade, estimator, pilot,
        min(int(max_evaluations), 8 * k * m0 * from_start), pilot_seq, block)
    room = (int(max_evaluations) - pilot_evals) // (k * per_sample)
    if room < 2:
        raise ValueError(f"max_evaluations={max_evaluations}: leaves fewer than 2 samples per "
                         f"replicate ({per_sample} evaluations per sample, {k} replicates, "
                         f"pilot {pilot_evals})")
    m0 = min(m0, 2 ** int(math.floor(math.log2(room))))
    if batch is None:
        batch = cache_batch(per_sample * n * (block or 1))
    task = OwenReplicate(f=f, marginals=marginals, n_inputs=n, plans=plans,
                         subsets_per_grade=L, batch=batch, qmc=qmc, block=block)
    label = seed_label(seed)
    sizes = chunk_sizes(m0, room)
    starts = np.cumsum([0, *sizes[:-1]]).tolist()
    # chunk c, replicate j: batch j of the c-th run (the j-th child of root), points
    # starts[c]… of replicate j's sequence; the runs are queued back to back (run_each), so the
    # workers never wait while the intervals are checked
    runs = [Run(task=replace(task, offset=start, chunk=c), samples=k * size, seed=root,
                batch_size=size) for c, (start, size) in enumerate(zip(starts, sizes, strict=True))]
    acc, chunks = None, 0
    with session(config or EngineConfig()) as cfg, \
            closing(run_each(runs, replace(cfg, progress=False), desc="replicates")) as results:
        for size, summary in zip(sizes, results, strict=True):  # dask: one cluster, all chunks
            # this chunk's per-replicate (k, dim) summaries, pooled with the earlier chunks'
            part = (size, np.array(summary.means), np.array(summary.m2), np.array(summary.m3))
            acc = part if acc is None else merge_moments(acc, part)
            length, means = acc[0], acc[1]
            chunks += 1
            spec = _assemble(means, n, R, plans, length, per_sample, pilot_samples,
                             pilot_evals, label, confidence, L, qmc, weights is not None,
                             (acc[2], acc[3]))
            done = resolved_grades(spec, target_rel_ci)
            if len(done) == R:
                break  # closing: the next chunk's queued replicates are cancelled
    missing = tuple(r for r in range(1, R + 1) if r not in done)
    unresolved = (f", unresolved {list(missing)} (budget of {int(max_evaluations)} "
                  "evaluations reached)") if missing else ""
    note = (f"adaptive: {chunks} chunk{'s' if chunks > 1 else ''}, {spec.evaluations} "
            f"evaluations in all ({length} samples per replicate); "
            f"target ±{target_rel_ci:g}·W_r: resolved grades {list(done)}{unresolved}")
    return replace(spec, notes=(*spec.notes, note), target_rel_ci=float(target_rel_ci),
                   resolved=done)
