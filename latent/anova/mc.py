"""Monte Carlo grade spectrum by cross pick–freeze differences (any N; inputs may be blocks).

Per sample draw independent A, B. Write A^w for A with the inputs in w taken from B, B^w for B
with the inputs in w taken from A, and the finite differences
a_S = Σ_{w⊆S} (−1)^{#(S−w)} f(A^w),  b_T = Σ_{w⊆T} (−1)^{#(T−w)} f(B^w).
For disjoint non-empty S, T:  E[a_S · b_T] = σ²_{S∪T}  (every other Hoeffding term has a
coordinate on which the two factors disagree and integrates to zero), and E[a_j b_j] = −2σ²_j.
Hence, with a_j, b_j the first differences:

* W_1 = −½ Σ_j E[a_j b_j],  W_2 = ½ E[(Σ_j a_j)(Σ_k b_k) − Σ_j a_j b_j]  (all pairs at once);
* W_r (r ≥ 3) = C(N,r−1)/r · E[(Σ_{j∉T} a_j)·b_T] for a uniformly random (r−1)-subset T
  (each r-set u = T ∪ {j} is counted r times); the first differences a_j come free, so one
  (r−1)-th difference serves N − r + 1 sets. L subsets per sample, in both worlds (A ↔ B).
  ``adaptive``: after a pilot (the first max(100, S/10) samples, uniform T), T is drawn by
  successive sampling ∝ q_k = ½√τ̄_k/Σ√τ̄ + ½/N and weighted by 1/P(T) (importance
  sampling, still unbiased; #T ≤ 4, uniform beyond);
* Var = ½E[(f(A) − f(B))²], W_0 = E[f(A)·f(B)], first-order σ²_j = −½E[a_j b_j], total
  τ̄²_j = ¼E[a_j² + b_j²] (Jansen, both worlds), mean dimension ν = Σ_j τ̄²_j / Var.

Cost per sample: 2N + 2 evaluations for grades ≤ 2 and the indices, plus 2L·(2^{r−1} − r) for
each grade r ≥ 3 (2L for r = 3, 8L for r = 4); default L = ⌊N/2⌋ (see
:func:`evaluations_per_sample`). Batches bound memory to ~4 M input floats. Randomness comes
from ``numpy.random.SeedSequence(seed)``: the same seed and batch size give the same numbers.
Every estimate is a mean of i.i.d. per-sample values (products of differences, small when the
effects are small); CIs are normal intervals on those means, with the delta method for ratios
(indices, mean dimension). Outputs are summed (dot products) for vector-valued f.
``qmc=True``: (A, B) come from ``qmc_replicates`` independently scrambled Sobol' sequences
(scipy.stats.qmc) and CIs are Student-t intervals over the replicate means (valid for
randomised QMC). Fewer, longer replicates are more accurate but give wider intervals; with one
replicate the CIs are NaN (no valid variance estimate). Powers of 2 per replicate are best.
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from itertools import combinations, permutations

import numpy as np
from scipy import stats
from tqdm import tqdm

from latent.anova.marginals import quantile_functions
from latent.anova.spectrum import GradeSpectrum, spectrum_from_means
from numerics.validate import seed_sequence


def _subset_terms(k: int) -> list[tuple[tuple[int, ...], int]]:
    """(w, sign) for the k-th difference over positions 0…k−1: sign = (−1)^{k−#w}."""
    return [(w, (-1) ** (k - len(w))) for r in range(k + 1) for w in combinations(range(k), r)]


def evaluations_per_sample(n_inputs: int, max_grade: int, subsets_per_grade: int) -> int:
    """Function evaluations per Monte Carlo sample of :func:`grade_spectrum_mc`.

    >>> evaluations_per_sample(10, 2, 10), evaluations_per_sample(10, 3, 10)
    (22, 42)
    """
    total = 2 * n_inputs + 2
    for r in range(3, max_grade + 1):
        total += 2 * subsets_per_grade * (2 ** (r - 1) - r)
    return total


class _Moments:
    """Running mean and centred cross-products of i.i.d. per-sample vectors (Chan et al.'s
    pairwise merge, so large means do not cancel the variance)."""

    def __init__(self, dim: int):
        self.n = 0
        self.m = np.zeros(dim)
        self.c = np.zeros((dim, dim))

    @property
    def s(self) -> np.ndarray:
        return self.m * self.n

    def add(self, x: np.ndarray) -> None:
        nb = x.shape[0]
        mb = x.mean(axis=0)
        xc = x - mb
        delta = mb - self.m
        tot = self.n + nb
        self.c += xc.T @ xc + np.outer(delta, delta) * (self.n * nb / tot)
        self.m = self.m + delta * (nb / tot)
        self.n = tot

    def mean_cov(self) -> tuple[np.ndarray, np.ndarray]:
        return self.m.copy(), self.c / max(self.n - 1, 1) / self.n  # cov of the mean


class _Replicates:
    """Means of independent replicates (randomised QMC): their average and its covariance."""

    def __init__(self):
        self.means: list[np.ndarray] = []
        self.n = 0

    def add(self, moments: _Moments) -> None:
        self.means.append(moments.m.copy())
        self.n += moments.n

    @property
    def s(self) -> np.ndarray:
        return np.mean(self.means, axis=0) * self.n

    def mean_cov(self) -> tuple[np.ndarray, np.ndarray]:
        x = np.array(self.means)
        k = len(x)
        cov = np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1]) / k if k > 1 else \
            np.full((x.shape[1], x.shape[1]), np.nan)
        return x.mean(axis=0), cov


def _as_2d(y: np.ndarray, batch: int) -> np.ndarray:
    y = np.asarray(y, dtype=float)
    if y.shape[:1] != (batch,):
        raise ValueError(f"f returned shape {y.shape} for a batch of {batch} points")
    y = y.reshape(batch, -1)
    if not np.all(np.isfinite(y)):
        raise ValueError("f returned non-finite values")
    return y


def grade_spectrum_mc(
    f,
    marginals,
    n_inputs: int,
    *,
    max_grade: int = 2,
    samples: int = 10_000,
    seed=None,
    block: int | None = None,
    subsets_per_grade: int | None = None,
    batch: int | None = None,
    confidence: float = 0.95,
    adaptive: bool = True,
    qmc: bool = False,
    qmc_replicates: int = 16,
    progress: bool | None = None,
    desc: str | None = None,
) -> GradeSpectrum:
    """Estimate W_0…W_R, Var, mean dimension and Sobol' indices of ``f`` (see module doc).

    ``f`` maps (batch, N) → (batch,) or (batch, P); with ``block=M`` each input is a block of
    M i.i.d. columns and ``f`` receives (batch, N, M) (e.g. bidders × items). ``marginals`` is
    one marginal for all inputs or a list of N (``.quantile`` or scipy ``.ppf``). ``seed``: an
    int, a ``SeedSequence`` or a ``Generator`` (:func:`numerics.validate.seed_sequence`);
    ``progress``: a bar over the samples (None: when stderr is a terminal), labelled ``desc``.

    >>> from scipy import stats
    >>> s = grade_spectrum_mc(lambda x: x[:, 0] * x[:, 1], stats.uniform(), 2, samples=4000,
    ...                       seed=1)
    >>> lo, hi = s.energies_ci[2]; bool(lo < 1 / 144 < hi)   # W_2 = (1/12)² exactly
    True
    """
    n = int(n_inputs)
    if n < 1 or samples < 2 or max_grade < 1:
        raise ValueError("need n_inputs ≥ 1, samples ≥ 2 and max_grade ≥ 1")
    max_grade = min(int(max_grade), n)
    m = 1 if block is None else int(block)
    qf = quantile_functions(marginals, n)
    L = subsets_per_grade or max(1, n // 2)
    per_sample = evaluations_per_sample(n, max_grade, L)
    if batch is None:  # bound memory: about 4 M input floats per batch
        batch = max(1, min(samples, 4_000_000 // max(per_sample * n * m, 1)))
    ss = np.random.SeedSequence() if seed is None else seed_sequence(seed)
    if seed is not None and not isinstance(seed, numbers.Integral):
        seed = ss.entropy if not ss.spawn_key else {"entropy": ss.entropy,
                                                     "spawn_key": list(ss.spawn_key)}
    rng = np.random.default_rng(ss)
    n_rep = max(1, int(qmc_replicates)) if qmc else 1
    if qmc and samples // n_rep < 2:
        raise ValueError(f"need at least 2 samples per QMC replicate ({n_rep} replicates)")
    core_reps = _Replicates() if qmc else None
    first_reps = _Replicates() if qmc else None
    per_out_sum = None
    higher = [(r, _subset_terms(r - 1)) for r in range(3, max_grade + 1)]

    def call(x):  # x: (b, n, m)
        arg = x if block is not None else x[..., 0]
        return _as_2d(f(arg), x.shape[0])

    bar = tqdm(total=samples, unit="sample", delay=3, leave=False, desc=desc,
               disable=(not sys.stderr.isatty()) if progress is None else not progress)
    done = 0
    adaptive = adaptive and max_grade >= 3
    n_pilot = max(100, samples // 10) if adaptive else samples
    proposal = None
    core = _Moments(3 + max_grade)  # var, W0, W1…WR, Σ_j τ̄²_j
    first = _Moments(2 * n + 1)  # σ²_j numerators, τ̄²_j, var (for the delta method)
    for rep in range(n_rep):
        rep_end = samples if not qmc else (rep + 1) * (samples // n_rep)
        if qmc:
            core, first = _Moments(3 + max_grade), _Moments(2 * n + 1)
            engine = stats.qmc.Sobol(2 * n * m, scramble=True, seed=rng)
        while done < rep_end:
            b = min(batch, rep_end - done, n_pilot - done if done < n_pilot else rep_end)
            if qmc:
                with warnings.catch_warnings():  # balance warning when b is not a power of 2
                    warnings.simplefilter("ignore", UserWarning)
                    u = engine.random(b)
                ua, ub = np.moveaxis(u.reshape(b, 2, n, m), 1, 0)
            else:
                ua, ub = rng.random((2, b, n, m))
            if all(q is qf[0] for q in qf):  # one shared marginal: one vectorised call
                xa, xb = qf[0](ua), qf[0](ub)
            else:
                xa, xb = np.empty_like(ua), np.empty_like(ub)
                for i, quant in enumerate(qf):
                    xa[:, i], xb[:, i] = quant(ua[:, i]), quant(ub[:, i])
            # First differences: A^{j} and B^{j} for every j, in one call.
            eye = np.eye(n, dtype=bool)[:, None, :, None]
            ab = np.where(eye, xb[None], xa[None]).reshape(n * b, n, m)
            ba = np.where(eye, xa[None], xb[None]).reshape(n * b, n, m)
            y = call(np.concatenate([xa, xb, ab, ba]))
            p = y.shape[1]
            fa, fb = y[:b], y[b:2 * b]
            fab = y[2 * b:2 * b + n * b].reshape(n, b, p)
            fba = y[2 * b + n * b:].reshape(n, b, p)
            da, db = fab - fa, fba - fb  # a_j, b_j: (n, b, p)
            var_s = 0.5 * ((fa - fb) ** 2).sum(1)
            w0_s = (fa * fb).sum(1)
            ajbj = (da * db).sum(2)  # (n, b)
            w1_s = -0.5 * ajbj.sum(0)
            sa, sb = da.sum(0), db.sum(0)  # (b, p)
            w2_s = 0.5 * ((sa * sb).sum(1) - ajbj.sum(0))
            tau = 0.25 * ((da**2).sum(2) + (db**2).sum(2))  # (n, b)
            ws = [w1_s, w2_s][:max_grade]
            per_w = [-0.5 * (da * db).sum(0), 0.5 * (sa * sb - (da * db).sum(0))][:max_grade]
            for r, terms in higher:
                est, est_p = _higher_grade(call, xa, xb, fa, fb, fab, fba, r, terms, L, rng,
                                           proposal)
                ws.append(est)
                per_w.append(est_p)
            core.add(np.column_stack([var_s, w0_s, *ws, tau.sum(0)]))
            first.add(np.column_stack([-0.5 * ajbj.T, tau.T, var_s]))
            blk = np.stack([0.5 * (fa - fb) ** 2, fa * fb, *per_w]).sum(1)  # (2+R, p)
            per_out_sum = blk if per_out_sum is None else per_out_sum + blk
            done += b
            if adaptive and proposal is None and done >= n_pilot:
                proposal = _proposal(first.s[n:2 * n] / first.n)
            bar.update(b)
        if qmc:
            core_reps.add(core)
            first_reps.add(first)
    bar.close()
    if qmc:
        core, first = core_reps, first_reps
        samples = done
    return _assemble(core, first, per_out_sum, n, max_grade, samples, per_sample, seed,
                     confidence, L, block, adaptive, n_rep if qmc else 0)


MAX_ADAPTIVE_SUBSET = 4  # P(T) under successive sampling sums #T! orderings


def _draw_subsets(rng, b: int, L: int, n: int, k: int, q: np.ndarray | None):
    """k-subsets T (b, L, k) and 1/P(T): uniform, or successive sampling ∝ q (Gumbel top-k)."""
    if q is None:
        idx = np.argsort(rng.random((b, L, n)), axis=-1)[..., :k]
        return idx, np.full((b, L), float(math.comb(n, k)))
    keys = np.log(q) + rng.gumbel(size=(b, L, n))
    idx = np.argsort(-keys, axis=-1)[..., :k]
    qt = q[idx]
    prob = np.zeros((b, L))
    for order in permutations(range(k)):
        term, used = np.ones((b, L)), np.zeros((b, L))
        for i in order:
            term = term * qt[..., i] / (1.0 - used)
            used = used + qt[..., i]
        prob += term
    return idx, 1.0 / prob


def _proposal(tau: np.ndarray) -> np.ndarray:
    """Defensive mixture ½·√τ̄/Σ√τ̄ + ½·uniform: important inputs drawn more, weights bounded."""
    root = np.sqrt(np.maximum(tau, 0.0))
    n = len(tau)
    if not np.isfinite(root.sum()) or root.sum() <= 0:
        return np.full(n, 1.0 / n)
    return 0.5 * root / root.sum() + 0.5 / n


def _higher_grade(call, xa, xb, fa, fb, fab, fba, r, terms, L, rng, q=None):
    """W_r ≈ C(N,r−1)/r · E[(Σ_{j∉T} a_j) b_T] for random (r−1)-subsets T, both worlds.

    Returns the per-sample estimate (summed over outputs) and its per-output parts.
    """
    b, n, m = xa.shape
    k = r - 1
    rows = np.arange(b)[:, None, None]
    if q is not None and k > MAX_ADAPTIVE_SUBSET:
        q = None

    def world(base, other, f_base, f_single, d_other):
        idx, inv_p = _draw_subsets(rng, b, L, n, k, q)
        acc = 0.0
        for w, sign in terms:
            if len(w) == 0:
                val = f_base[:, None, :]
            elif len(w) == 1:
                val = f_single[idx[:, :, w[0]], np.arange(b)[:, None]]  # (b, L, p)
            else:
                x = np.repeat(base[:, None], L, axis=1)  # (b, L, n, m)
                cols = idx[:, :, list(w)]
                x[rows, np.arange(L)[None, :, None], cols] = other[rows, cols]
                val = call(x.reshape(b * L, n, m)).reshape(b, L, -1)
            acc = acc + sign * val
        # Σ_{j∉T} of the other world's first differences: all of them minus those in T.
        d = np.moveaxis(d_other, 0, 1)  # (b, n, p)
        picked = np.take_along_axis(d[:, None], idx[..., None], axis=2)  # (b, L, k, p)
        outside = d.sum(axis=1)[:, None, :] - picked.sum(axis=2)
        return acc * outside * (inv_p / r)[..., None]  # (b, L, p)

    prod = 0.5 * (world(xb, xa, fb, fba, fab - fa[None]) + world(xa, xb, fa, fab, fba - fb[None]))
    return prod.sum(2).mean(1), prod.mean(1)


def _assemble(core, first, per_out_sum, n, R, samples, per_sample, seed, confidence, L,
              block, adaptive, qmc_reps) -> GradeSpectrum:
    # Normal quantile for i.i.d. samples; Student t over independent QMC replicates.
    z = (stats.t.ppf(0.5 + confidence / 2, qmc_reps - 1) if qmc_reps > 1
         else stats.norm.ppf(0.5 + confidence / 2))
    mean, cov = core.mean_cov()
    per_output = None
    if per_out_sum.shape[1] > 1:
        po = per_out_sum / samples
        per_output = tuple(tuple(float(x) for x in po[1:, k]) for k in range(po.shape[1]))
    notes = [f"grades ≥ 3 from {L} random subsets per sample and world"
             + (" (importance-sampled after a pilot)" if adaptive else "")] if R >= 3 else []
    if block is not None and block > 1:
        notes.append(f"each input is a block of {block} columns")
    return spectrum_from_means(
        "mc", n, R, mean, cov, z=z, level=confidence, indices=first.mean_cov(), notes=notes,
        per_output=per_output, evaluations=samples * per_sample, samples=samples, seed=seed,
        ci_method=(f"Student-t {confidence:.0%} CI over {qmc_reps} independently scrambled "
                   "Sobol' replicates (delta method for ratios)" if qmc_reps else
                   f"normal {confidence:.0%} CI on means of i.i.d. per-sample estimates "
                   "(delta method for ratios)"))
