"""Which Monte Carlo spectrum estimator should ``latent.spectrum(method="mc")`` use? (issue 26)

Held-out case (used by no test): Sobol' G, d = 8, a = (0, 0.5, 1, 1.5, 2, 3, 5, 10), whose
W_1…W_4 are 78.9 %, 18.9 %, 2.09 % and 0.12 % of the variance, at 10⁵ function evaluations
per run, grades ≤ 4. Arms, each given the same number of evaluations:

* ``pick-freeze``: :func:`latent.anova.grade_spectrum_mc` (cross pick–freeze, i.i.d. samples,
  normal CIs) — the default of ``method="mc"`` before issue 26;
* ``pick-freeze-qmc``: the same with ``qmc=True`` (16 scrambled Sobol' replicates, t-CIs);
* ``owen``: :func:`latent.anova.grade_spectrum_owen` (same-set products on few long
  scrambled-Sobol' replicates, t-CIs) — the default of ``method="mc"`` since.

Per arm and grade: relative RMSE against the closed form over the seeds, and how many of the
seeds' 95 % intervals cover the truth.

Run: python bench/bench_spectrum_default.py [--seeds 40] [--evaluations 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from latent.anova import evaluations_per_sample, grade_spectrum_mc  # noqa: E402
from latent.anova.owen import grade_spectrum_owen  # noqa: E402
from latent.anova.testfunctions import sobol_g, sobol_g_energies  # noqa: E402

A = np.array([0, 0.5, 1, 1.5, 2, 3, 5, 10])
D, R = len(A), 4


def g8(x):
    return sobol_g(x, A)


def run_arm(arm: str, seed: int, evaluations: int):
    if arm == "owen":
        return grade_spectrum_owen(g8, stats.uniform(), D, max_grade=R, evaluations=evaluations,
                                   seed=seed)
    samples = evaluations // evaluations_per_sample(D, R, D // 2)
    return grade_spectrum_mc(g8, stats.uniform(), D, max_grade=R, samples=samples, seed=seed,
                             qmc=arm == "pick-freeze-qmc", progress=False)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seeds", type=int, default=40)
    p.add_argument("--evaluations", type=int, default=100_000)
    args = p.parse_args()
    truth = sobol_g_energies(A)[1:R + 1]
    print(f"load average {os.getloadavg()[0]:.2f}; Sobol' G d = {D}, {args.evaluations} "
          f"evaluations, {args.seeds} seeds; shares W_1..W_4 = "
          + ", ".join(f"{x:.4f}" for x in truth / sobol_g_energies(A)[1:].sum()))
    print("| arm | W_1 rel. RMSE | W_2 | W_3 | W_4 | coverage W_1 | W_2 | W_3 | W_4 | s/run |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for arm in ("pick-freeze", "pick-freeze-qmc", "owen"):  # owen = mc_spectrum's call
        est, cov, evals = [], [], []
        t = time.process_time()
        for seed in range(args.seeds):
            s = run_arm(arm, seed, args.evaluations)
            est.append(s.energies[1:R + 1])
            cov.append([lo <= w <= hi for (lo, hi), w in zip(s.energies_ci[1:R + 1], truth,
                                                            strict=True)])
            evals.append(s.evaluations)
        secs = (time.process_time() - t) / args.seeds
        rmse = np.sqrt(((np.array(est) - truth) ** 2).mean(0)) / truth
        hits = np.array(cov).sum(0)
        assert max(evals) <= args.evaluations, (arm, max(evals))
        print(f"| {arm} | " + " | ".join(f"{x:.1%}" for x in rmse) + " | "
              + " | ".join(f"{h}/{args.seeds}" for h in hits) + f" | {secs:.2f} |")


if __name__ == "__main__":
    main()
