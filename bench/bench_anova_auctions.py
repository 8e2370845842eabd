"""Grade spectra of allocation rules: accuracy of W_1…W_4 and of the fitted ρ per evaluation.

Functions of N i.i.d. U[0,1] values (bidder 0's outcome in a single-item auction):

* winner:   highest-bid-wins allocation of bidder 0, 1{x_0 > max_{j≥1} x_j} (the allocation
            of the first- and second-price auctions). Closed form: Var = (1/N)(1 − 1/N),
            share_r = W_r/Var = C(2N−1−r, N−1)/C(2N−1, N−1);
* payment:  bidder 0's second-price payment, 1{x_0 wins}·max_{j≥1} x_j. No closed form: the
            reference is one long run of grade_spectrum_owen (``--ref-evaluations``, its CIs
            printed), so its RMSE includes the reference's own error (small: 20–200× the budget).

Arms at equal evaluation budgets (10^5 and 10^6 by default), over ``--reps`` seeds:

* owen: latent.anova.grade_spectrum_owen(max_grade=4) — same-set products, 8 scrambled Sobol'
        replicates, t-CIs (pilot included in the budget);
* mc:   latent.anova.grade_spectrum_mc(max_grade=4) — cross pick–freeze (disjoint-set products,
        importance-sampled subsets), plain Monte Carlo, normal CIs.

Reported: relative RMSE of W_1…W_4 and of ρ from ``GradeSpectrum.rho()`` (GLS over the resolved
grades) against ρ fitted to the true W_1…W_4, the ratio mc/owen, and CI coverage of owen.
SALib and scipy.stats.sobol_indices stop at order 2 (and give indices, not W_r sums).

Run: python bench/bench_anova_auctions.py [--reps 20] [--budgets 100000 1000000] [--n 6 10]
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from latent.anova import evaluations_per_sample, grade_decay_rho, grade_spectrum_mc  # noqa: E402
from latent.anova.owen import grade_spectrum_owen  # noqa: E402

R = 4


def winner(x):
    return (x[:, 0] > x[:, 1:].max(axis=1)).astype(float)


def payment(x):
    other = x[:, 1:].max(axis=1)
    return np.where(x[:, 0] > other, other, 0.0)


def winner_truth(n: int) -> np.ndarray:
    """W_0…W_R of the winner indicator (closed form)."""
    var = (1 / n) * (1 - 1 / n)
    shares = [math.comb(2 * n - 1 - r, n - 1) / math.comb(2 * n - 1, n - 1)
              for r in range(1, R + 1)]
    return np.array([1 / n**2] + [var * s for s in shares]), var


def run_arm(arm, f, n, budget, seed):
    if arm == "owen":
        return grade_spectrum_owen(f, stats.uniform(), n, max_grade=R, evaluations=budget,
                                   seed=seed, replicates=8)  # as measured in BENCHMARKS.md
    per = evaluations_per_sample(n, R, max(1, n // 2))
    return grade_spectrum_mc(f, stats.uniform(), n, max_grade=R, samples=budget // per,
                             seed=seed, progress=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--budgets", type=int, nargs="+", default=[100_000, 1_000_000])
    p.add_argument("--n", type=int, nargs="+", default=[6, 10])
    p.add_argument("--ref-evaluations", type=int, default=20_000_000)
    args = p.parse_args()
    for n in args.n:
        for name, f in (("winner", winner), ("payment", payment)):
            if name == "winner":
                w, var = winner_truth(n)
                src = "closed form"
            else:
                ref = grade_spectrum_owen(f, stats.uniform(), n, max_grade=R,
                                          evaluations=args.ref_evaluations, seed=10**6,
                                          replicates=8)
                w, var = np.array(ref.energies), ref.variance
                src = (f"reference run, {args.ref_evaluations:.0e} evaluations: "
                       + ", ".join(f"W_{r} {w[r]:.3e} ± {(ref.energies_ci[r][1] - w[r]):.1e}"
                                   for r in range(1, R + 1)))
            rho_true = grade_decay_rho(w, None, variance=var).rho
            print(f"\n{name}, N = {n}: W_1…W_4 = {', '.join(f'{x:.4e}' for x in w[1:])}, "
                  f"ρ(W_1…W_4) = {rho_true:.4f} ({src})")
            for budget in args.budgets:
                out = {}
                for arm in ("owen", "mc"):
                    est, rhos, cover, secs = [], [], np.zeros(R), 0.0
                    for rep in range(args.reps):
                        t = time.perf_counter()
                        s = run_arm(arm, f, n, budget, rep)
                        secs += time.perf_counter() - t
                        est.append(s.energies[1:])
                        rhos.append(s.rho().rho)
                        cover += [lo <= w[r] <= hi for r, (lo, hi) in
                                  enumerate(s.energies_ci[1:], 1)]
                    rel = np.sqrt(np.mean((np.array(est) - w[1:]) ** 2, axis=0)) / w[1:]
                    rr = np.array(rhos, dtype=float)
                    rho_rel = float(np.sqrt(np.nanmean((rr - rho_true) ** 2)) / rho_true)
                    out[arm] = (rel, rho_rel, cover, secs / args.reps, int(np.isnan(rr).sum()))
                print(f"  budget {budget:.0e} ({args.reps} seeds): relative RMSE")
                print(f"    {'arm':<5} " + " ".join(f"{'W_' + str(r):>7}" for r in range(1, R + 1))
                      + f" {'rho':>7} {'s/rep':>6}  95% CI coverage W_1..W_4")
                for arm, (rel, rho_rel, cover, secs, nan) in out.items():
                    cov_txt = ", ".join(str(int(c)) for c in cover)
                    print(f"    {arm:<5} " + " ".join(f"{x:7.3f}" for x in rel)
                          + f" {rho_rel:7.4f} {secs:6.2f}  {cov_txt}"
                          + (f"  (ρ undefined in {nan} runs)" if nan else ""))
                ratio = out["mc"][0] / out["owen"][0]
                print("    ratio mc/owen: " + " ".join(f"{x:7.2f}" for x in ratio)
                      + f" {out['mc'][1] / out['owen'][1]:7.2f}")


if __name__ == "__main__":
    main()
