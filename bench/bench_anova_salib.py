"""Accuracy per function evaluation: latent's Monte Carlo grade spectrum vs SALib's Sobol' analysis.

Sobol' G, d = 10, true W_r = e_r(V). At equal evaluation budgets (Saltelli design: d + 2 … 2d + 2
evaluations per base sample), over repeated seeds, the RMSE of W_1 and W_2:

* SALib (QMC):   SALib.sample.sobol (scrambled Sobol' points) + SALib.analyze.sobol;
* SALib (MC):    the same SALib estimator on a plain Monte Carlo Saltelli design;
* latent (R=2):  latent.anova.grade_spectrum_mc, 2d + 2 evaluations per sample;
* latent QMC:    the same on 16 independently scrambled Sobol' replicates (qmc=True; t-CIs);
* latent QMC1:   one scrambled Sobol' sequence (qmc_replicates=1): no valid CI, like SALib's
                 QMC (whose bootstrap CI ignores the QMC dependence);
* latent (R=3):  the same with W_3 too (2d + 2 + 2L evaluations per sample, fewer samples).
* owen2, owen3:  latent.anova.grade_spectrum_owen with its defaults (4 scrambled Sobol'
                 replicates, t-CIs; free cross products at grade 2, same-set products at
                 grade 3) with max_grade 2 and 3 at the same budget (pilot included);
* owen2s:        max_grade 2 with same-set pair products for W_2 (estimator="same");
* owen2r8, owen3r8: owen2, owen3 with 8 shorter replicates (replicates=8, the default before);
* scipy:         scipy.stats.sobol_indices (Saltelli/Jansen, d + 2 evaluations per base sample;
                 n must be a power of 2, so it gets the next power: 2048·12 = 24 576 evaluations
                 at the 22 528 budget, 9 % more) — W_1 only (it has no second order).

SALib's S1, S2 become W_1 = Var·ΣS1, W_2 = Var·ΣS2 with SALib's own variance estimate.
SALib gives no W_3; latent's W_3 RMSE is reported relative to the truth. For the owen arms the
coverage of their 95 % intervals over the seeds is printed too.

Run: python bench/bench_anova_salib.py [--reps 50] [--base 1024 8192]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from latent.anova import evaluations_per_sample, grade_spectrum_mc
from latent.anova.owen import grade_spectrum_owen
from latent.anova.testfunctions import sobol_g, sobol_g_energies

A_VECTORS = {
    "a = (0, 0.5, 1, 2, 3, 4.5, 9, 20, 50, 99)": np.array([0, .5, 1, 2, 3, 4.5, 9, 20, 50, 99]),
    "a = (0, 1, 4.5, 9, 99, 99, 99, 99, 99, 99)": np.array([0, 1, 4.5, 9] + [99.0] * 6),
}
D = 10
PROBLEM = {"num_vars": D, "names": [f"x{j}" for j in range(D)], "bounds": [[0, 1]] * D}


def salib_w(y: np.ndarray, seed: int) -> tuple[float, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = salib_analyze.analyze(PROBLEM, y, calc_second_order=True, num_resamples=2,
                                    seed=seed)
    n = len(y) // (2 * D + 2)
    yy = y.reshape(n, 2 * D + 2)
    var = np.var(np.r_[yy[:, 0], yy[:, -1]])  # SALib's own normaliser
    return var * np.sum(res["S1"]), var * np.nansum(res["S2"])


def scipy_w1(f, base: int, seed: int) -> float:
    """W_1 = Var·ΣS1 from scipy.stats.sobol_indices (n: the next power of 2 ≥ base·22/12)."""
    n = 1 << int(np.ceil(np.log2(base * (2 * D + 2) / (D + 2))))
    res = stats.sobol_indices(func=lambda x: f(x.T), n=n, dists=[stats.uniform()] * D,
                              random_state=np.random.default_rng([seed, 7]))
    a_b = f(stats.qmc.Sobol(D, seed=np.random.default_rng([seed, 8])).random(n))
    return float(np.var(a_b) * np.sum(res.first_order))


def saltelli_mc(n: int, rng: np.random.Generator) -> np.ndarray:
    """Plain-MC Saltelli design in SALib's row layout: A, AB_1…AB_d, BA_1…BA_d, B."""
    a, b = rng.random((2, n, D))
    rows = [a]
    for j in range(D):
        ab = a.copy()
        ab[:, j] = b[:, j]
        rows.append(ab)
    for j in range(D):
        ba = b.copy()
        ba[:, j] = a[:, j]
        rows.append(ba)
    rows.append(b)
    return np.stack(rows, axis=1).reshape(-1, D)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--base", type=int, nargs="+", default=[1024],
                   help="SALib base samples (powers of 2); budget = base·(2d+2)")
    args = p.parse_args()
    per3 = evaluations_per_sample(D, 3, D // 2)
    for label, a in A_VECTORS.items():
        truth = sobol_g_energies(a)
        f = lambda x, a=a: sobol_g(x, a)  # noqa: E731
        print(f"\nSobol' G, d = {D}, {label}: W_1 = {truth[1]:.5f}, W_2 = {truth[2]:.5f}, "
              f"W_3 = {truth[3]:.6f}")
        for base in args.base:
            budget = base * (2 * D + 2)
            arms = ("salib_qmc", "salib_mc", "latent2", "latent2_qmc", "latent2_qmc1", "latent3",
                    "owen2", "owen2s", "owen3", "owen2r8", "owen3r8")
            err = {k: [] for k in arms}
            owens = ("owen2", "owen2s", "owen3", "owen2r8", "owen3r8")
            cover = {k: np.zeros(3) for k in owens}
            scipy_err = []
            secs = dict.fromkeys(err, 0.0)
            for rep in range(args.reps):
                t = time.perf_counter()
                x = salib_sample.sample(PROBLEM, base, calc_second_order=True, seed=rep)
                err["salib_qmc"].append(salib_w(f(x), rep))
                secs["salib_qmc"] += time.perf_counter() - t
                t = time.perf_counter()
                rng = np.random.default_rng(np.random.SeedSequence([rep, 1]))
                err["salib_mc"].append(salib_w(f(saltelli_mc(base, rng)), rep))
                secs["salib_mc"] += time.perf_counter() - t
                t = time.perf_counter()
                s = grade_spectrum_mc(f, stats.uniform(), D, max_grade=2, samples=base,
                                      seed=rep, progress=False)
                err["latent2"].append(s.energies[1:3])
                secs["latent2"] += time.perf_counter() - t
                t = time.perf_counter()
                s = grade_spectrum_mc(f, stats.uniform(), D, max_grade=2, samples=base,
                                      seed=rep, qmc=True, progress=False)
                err["latent2_qmc"].append(s.energies[1:3])
                secs["latent2_qmc"] += time.perf_counter() - t
                t = time.perf_counter()
                s = grade_spectrum_mc(f, stats.uniform(), D, max_grade=2, samples=base,
                                      seed=rep, qmc=True, qmc_replicates=1, progress=False)
                err["latent2_qmc1"].append(s.energies[1:3])
                secs["latent2_qmc1"] += time.perf_counter() - t
                t = time.perf_counter()
                s = grade_spectrum_mc(f, stats.uniform(), D, max_grade=3,
                                      samples=budget // per3, seed=rep, progress=False)
                err["latent3"].append(s.energies[1:4])
                secs["latent3"] += time.perf_counter() - t
                for arm, kw in (("owen2", {"max_grade": 2}),
                                ("owen2s", {"max_grade": 2, "estimator": "same"}),
                                ("owen3", {"max_grade": 3}),
                                ("owen2r8", {"max_grade": 2, "replicates": 8}),
                                ("owen3r8", {"max_grade": 3, "replicates": 8})):
                    t = time.perf_counter()
                    s = grade_spectrum_owen(f, stats.uniform(), D, evaluations=budget, seed=rep,
                                            **kw)
                    secs[arm] += time.perf_counter() - t
                    err[arm].append(s.energies[1:])
                    cover[arm][:s.max_grade] += [lo <= truth[r] <= hi for r, (lo, hi) in
                                                 enumerate(s.energies_ci[1:], 1)]
                scipy_err.append(scipy_w1(f, base, rep))
            rmse = {k: np.sqrt(np.mean((np.array(v)[:, :2] - truth[1:3]) ** 2, axis=0))
                    for k, v in err.items()}
            rmse_scipy = float(np.sqrt(np.mean((np.array(scipy_err) - truth[1]) ** 2)))
            print(f"  budget {budget} evaluations ({args.reps} seeds):")
            print(f"    {'arm':<12} {'RMSE W_1':>10} {'RMSE W_2':>10} {'time/rep s':>11}")
            for k in err:
                print(f"    {k:<12} {rmse[k][0]:10.5f} {rmse[k][1]:10.5f} "
                      f"{secs[k] / args.reps:11.3f}")
            print(f"    {'scipy (W_1)':<12} {rmse_scipy:10.5f}")
            for ref, ours in (("salib_qmc", "latent2"), ("salib_mc", "latent2"),
                              ("salib_qmc", "latent2_qmc"), ("salib_qmc", "latent2_qmc1"),
                              ("salib_qmc", "latent3"), ("salib_qmc", "owen2"),
                              ("salib_qmc", "owen2s"), ("salib_qmc", "owen3"),
                              ("salib_qmc", "owen2r8"), ("salib_qmc", "owen3r8")):
                r1 = rmse[ref] / rmse[ours]
                print(f"    ratio RMSE {ref}/{ours}: W_1 {r1[0]:.2f}x, W_2 {r1[1]:.2f}x")
            for arm in owens:
                print(f"    ratio RMSE scipy/{arm}: W_1 {rmse_scipy / rmse[arm][0]:.2f}x; "
                      f"{arm} 95% CI coverage over {args.reps} seeds: "
                      + ", ".join(f"W_{r} {int(c)}" for r, c in enumerate(cover[arm], 1)
                                  if r <= (3 if arm.startswith("owen3") else 2)))
            for arm in ("latent3", "owen3", "owen3r8"):
                w3 = np.array(err[arm])[:, 2]
                e3 = float(np.sqrt(np.mean((w3 - truth[3]) ** 2)))
                print(f"    {arm} W_3: RMSE {e3:.6f} (relative {e3 / truth[3]:.3f}; W_3 is "
                      f"{truth[3] / truth[1:].sum():.2%} of the variance); SALib: not available")


if __name__ == "__main__":
    main()
