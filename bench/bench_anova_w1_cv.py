"""Does a control variate help W_1 of latent.anova.owen? (issue 18: W_1 goal)

Sobol' G, d = 10, the two a-vectors of bench_anova_salib.py, 22 528 evaluations = 4 scrambled
Sobol' replicates × 256 samples × 22 evaluations (the core of ``grade_spectrum_owen``). Per
sample: W_1 = −½Σ_j a_j b_j and four zero-mean products of the same evaluations,
c1 = Σ_j [f(A)f(B) − f(A^j)f(B^j)], c2 = Σ_j [f(A^j)f(B) − f(B^j)f(A)], c3 = f(A) − f(B),
c4 = f(A)² − f(B)². The control-variate estimate W_1 − β·c uses β from a separate plain-MC
pilot of 1000 samples (fixed before the replicates, so the estimate stays unbiased and the
t-interval valid; the pilot's evaluations are *not* charged to it, which favours it). RMSE
over the seeds against the closed form.

Run: python bench/bench_anova_w1_cv.py [--reps 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from latent.anova.testfunctions import sobol_g, sobol_g_energies  # noqa: E402

D = 10
A_VECTORS = (np.array([0, .5, 1, 2, 3, 4.5, 9, 20, 50, 99]), np.array([0, 1, 4.5, 9] + [99.0] * 6))


def columns(f, xa, xb) -> np.ndarray:
    """Per sample: W_1's product and the four zero-mean control variates."""
    b = len(xa)
    eye = np.eye(D, dtype=bool)[:, None, :]
    fa, fb = f(xa), f(xb)
    fab = f(np.where(eye, xb[None], xa[None]).reshape(-1, D)).reshape(D, b)
    fba = f(np.where(eye, xa[None], xb[None]).reshape(-1, D)).reshape(D, b)
    w1 = -0.5 * ((fab - fa) * (fba - fb)).sum(0)
    c1 = D * fa * fb - (fab * fba).sum(0)
    c2 = (fab * fb[None]).sum(0) - (fba * fa[None]).sum(0)
    return np.column_stack([w1, c1, c2, fa - fb, fa**2 - fb**2])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=50)
    args = p.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} (accuracy only)")
    for a in A_VECTORS:
        f = lambda x, a=a: sobol_g(x, a)  # noqa: E731
        truth = sobol_g_energies(a)[1]
        plain, cv = [], []
        for seed in range(args.reps):
            u = np.random.default_rng([seed, 99]).random((1000, 2 * D))
            c = np.cov(columns(f, u[:, :D], u[:, D:]), rowvar=False)
            beta = np.linalg.solve(c[1:, 1:], c[1:, 0])
            reps = []
            for ss in np.random.SeedSequence(seed).spawn(4):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    x = stats.qmc.Sobol(2 * D, scramble=True,
                                        seed=np.random.default_rng(ss)).random(256)
                reps.append(columns(f, x[:, :D], x[:, D:]).mean(0))
            reps = np.array(reps)
            plain.append(reps[:, 0].mean())
            cv.append((reps[:, 0] - reps[:, 1:] @ beta).mean())
        r_plain = float(np.sqrt(np.mean((np.array(plain) - truth) ** 2)))
        r_cv = float(np.sqrt(np.mean((np.array(cv) - truth) ** 2)))
        print(f"a = {a.tolist()}: W_1 RMSE plain {r_plain:.5f}, with control variates "
              f"{r_cv:.5f} (ratio {r_plain / r_cv:.2f}×; > 1: the control variate helps)")


if __name__ == "__main__":
    main()
