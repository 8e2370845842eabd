"""Optimised truthful mechanisms in seed 004's settings: one command for docs/learned_mechanisms.md.

    python bench/reproduce_learned.py --json learned.json --markdown learned.md

For each setting (n = 4: uniform, exponential, heterogeneous mixture, latent-factor with taste
draws w_seed 0…4; n = 8: the same distributions, latent w_seed 1) it runs the sweep of
:mod:`numerics.learn` (``--trials`` per setting; SQLite log in ``--storage``), selects each
family's best trial on the validation sample, and audits it on a held-out test sample next to
Vickrey and Myerson on the marginals: revenue, efficiency, IR, ex-post regret (own utility,
resolution reported), the revenue difference to Myerson on the same profiles (paired CI), and
the grade spectrum / ρ of the allocation rule. Every number has a 95% CI or is marked exact.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from latent.api.learn import allocation_spectrum  # noqa: E402
from latent.studies.seed004 import SEED_TABLE, exp_myerson_exact  # noqa: E402
from numerics.learn import Family, SweepConfig, fit, learn  # noqa: E402
from numerics.learn.evaluate import paired_difference  # noqa: E402
from numerics.learn.pipeline import TEST_SEED, baselines  # noqa: E402
from numerics.valuations import parse_profile  # noqa: E402

EXACT = {  # exact optimal (Myerson) revenues where defined; hetero by quadrature (seed004 doc)
    ("uniform", 4): 3 / 5 + 1 / 80,
    ("exponential", 4): exp_myerson_exact(4),
    ("uniform", 8): 7 / 9 + 2**-8 / 9,
    ("exponential", 8): exp_myerson_exact(8),
}


def settings(w_seeds, n8: bool):
    out = [(d, 4) for d in ("uniform", "exponential", "hetero")]
    out += [(f"latent:1:1:0.05:{w}", 4) for w in w_seeds]
    if n8:
        out += [(d, 8) for d in ("uniform", "exponential", "hetero", "latent:1:1:0.05:1")]
    return out


def one_setting(values, n, args, log):
    prof = parse_profile(values, n)
    trials = args.trials if not values.startswith("latent") else args.latent_trials
    cfg = SweepConfig(values, n, trials, args.seed, train=args.train, valid=args.valid,
                      maxiter=args.maxiter)
    t0 = time.perf_counter()
    rep = learn(cfg, prof, args.storage, args.test_samples, args.regret_samples)
    base = baselines(prof)
    myerson = base["myerson"]
    rows = {}
    for e in rep.evaluations:
        mech = base[e.mechanism] if e.mechanism in base else Family(
            e.mechanism, prof).build(rep.best[e.mechanism]["theta"])
        d = paired_difference(mech, myerson, prof, args.test_samples,
                              TEST_SEED + 2 * args.seed)
        spec = allocation_spectrum(mech, prof, args.spectrum_samples, args.seed, max_grade=4)
        fit = spec.rho()
        row = e.to_dict()
        row["minus_myerson"] = d.to_dict()
        row["spectrum"] = {
            "grade_shares": spec.to_dict()["energy_shares"],
            "energies_ci": spec.to_dict()["energies_ci"],
            "mean_dimension": spec.mean_dimension,
            "mean_dimension_ci": spec.mean_dimension_ci,
            "rho": fit.rho,
            "rho_ci": fit.rho_ci,
            "verdict": fit.verdict,
        }
        rows[e.mechanism] = row
        log(f"{values:<22} n={n} {e.mechanism:<24} rev {e.revenue!r:<18} "
            f"Δmyerson {d!r:<18} eff {e.efficiency!r:<18} regret {e.regret!r} "
            f"ρ {fit.rho:.3g} W1-share {row['spectrum']['grade_shares'][0]:.3f}")
    out = {"rows": rows, "n_trials": rep.n_trials, "seconds": time.perf_counter() - t0,
           "study": cfg.study}
    if (values, n) in EXACT:
        out["exact_myerson"] = EXACT[(values, n)]
    if values.startswith("latent"):
        out["w"] = prof.w.ravel().tolist()
    return out


def _log(s: str) -> None:
    print(s, flush=True)


def _f(est, d=4):
    if est is None:
        return "n/a"
    lo, hi = est["ci"]
    return f"{est['mean']:.{d}f} ± {(hi - lo) / 2:.{d}f}"


def _ci(ci, d=3):
    return "" if ci is None else f" [{ci[0]:.{d}f}, {ci[1]:.{d}f}]"


SEED_KEYS = {"vickrey": "vickrey", "myerson": "myerson"}


def markdown(res: dict) -> str:
    out = ["| setting | mechanism | revenue | − Myerson (paired) | efficiency | regret (res.) "
           "| IR viol. | W₁/Var | ρ (verdict) | seed 004 reports (rev / regret / eff.) |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for raw, s in res["settings"].items():
        base = raw.split(":")[0].split("|")[0]
        key = raw.replace("latent:1:1:0.05:", "latent w_seed=").replace("|", ", ")
        seed = SEED_TABLE.get(base, {}) if "n=4" in raw else {}
        for name, r in s["rows"].items():
            ref = {"vickrey": "vickrey", "myerson": "myerson"}.get(name)
            if name == "myerson" and base in ("latent", "hetero"):
                ref = None
            if name == "lookahead" or name == "affine_maximizer":
                ref = None
            rep = seed.get(ref) if ref else None
            if name == "reserve_second_price" and base in ("latent", "hetero"):
                rep = None
            rep_s = "" if not rep else (
                f"{rep[0]:.3f} / {rep[1]:.3f}" + (f" / {rep[2]}%" if rep[2] else ""))
            sp = r["spectrum"]
            reg = (f"{_f(r['regret'])} (res. {r['regret_resolution']:.2g})"
                   if r["regret"] else "n/a")
            rho = (f"{sp['rho']:.3g}{_ci(sp['rho_ci'], 2)} ({sp['verdict']})"
                   if sp["rho"] == sp["rho"] else
                   "∞ (grade 1 only: one bidder can win)" if sp["grade_shares"][0] > 0.999
                   else f"n/a ({sp['verdict']})")
            out.append(
                f"| {key} | {name} | {_f(r['revenue'])} | {_f(r['minus_myerson'])} "
                f"| {_f(r['efficiency'])} | {reg} | {r['ir_violations']['mean']:.4f} "
                f"| {sp['grade_shares'][0]:.3f} | {rho} | {rep_s} |")
        if "learned" in seed:
            lr = seed["learned"]
            out.append(f"| {key} | seed 004's learned network (not DSIC) | — | — | — | — | — "
                       f"| — | — | {lr[0]:.3f} / {lr[1]:.3f} / {lr[2]}% |")
    return "\n".join(out)


def compare_optimisers(values="latent:1:1:0.05:1", n=4, seed=4, train=20_000, test=200_000):
    """Side by side on one training sample: the smoothed surrogate (L-BFGS-B, annealed τ) vs
    Nelder–Mead on the exact (piecewise-constant) empirical revenue, for the affine maximizer."""
    import numpy as np
    from scipy import optimize

    prof = parse_profile(values, n)
    fam = Family("affine_maximizer", prof)
    v = prof.sample(np.random.default_rng(np.random.SeedSequence([seed, 1])), train)[:, :, 0]
    out = {}
    t0 = time.perf_counter()
    res = fit(fam, v, maxiter=100)
    out["surrogate"] = (res.theta, time.perf_counter() - t0, res.evaluations)
    t0 = time.perf_counter()
    nm = optimize.minimize(lambda th: -fam.revenue(th, v), fam.start(v), method="Nelder-Mead",
                           options={"maxiter": 600})
    out["exact_nelder_mead"] = (tuple(nm.x), time.perf_counter() - t0, int(nm.nfev))
    base = fam.build(out["exact_nelder_mead"][0])
    rows = {}
    for k, (theta, secs, nfev) in out.items():
        mech = fam.build(theta)
        rows[k] = {
            "train_revenue": fam.revenue(theta, v),
            "test_revenue_minus_exact_nm": paired_difference(mech, base, prof, test,
                                                             TEST_SEED).to_dict(),
            "seconds": secs,
            "evaluations": nfev,
        }
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=10, help="sweep trials, iid settings")
    ap.add_argument("--latent-trials", type=int, default=5, help="sweep trials, latent")
    ap.add_argument("--train", type=int, default=20_000)
    ap.add_argument("--valid", type=int, default=50_000)
    ap.add_argument("--maxiter", type=int, default=100)
    ap.add_argument("--test-samples", type=int, default=200_000)
    ap.add_argument("--regret-samples", type=int, default=1_000)
    ap.add_argument("--spectrum-samples", type=int, default=10_000)
    ap.add_argument("--latent-w-seeds", default="0,1,2,3,4")
    ap.add_argument("--no-n8", action="store_true", help="skip the n = 8 settings")
    ap.add_argument("--seed", type=int, default=4)
    ap.add_argument("--storage", default=":memory:", help="sqlite:///FILE.db to keep the trials")
    ap.add_argument("--jobs", type=int, default=2, help="settings run in parallel processes")
    ap.add_argument("--json", default=None)
    ap.add_argument("--markdown", default=None)
    ap.add_argument("--from-json", default=None, help="only render --markdown from saved JSON")
    ap.add_argument("--compare-optimisers", action="store_true",
                    help="only the surrogate-vs-exact optimiser benchmark (BENCHMARKS.md)")
    args = ap.parse_args(argv)
    if args.compare_optimisers:
        print(json.dumps(compare_optimisers(seed=args.seed), indent=1))
        return 0
    if args.from_json:
        table = markdown(json.loads(Path(args.from_json).read_text()))
        Path(args.markdown).write_text(table + "\n") if args.markdown else print(table)
        return 0
    t0 = time.perf_counter()
    res = {"settings": {}, "config": vars(args)}
    todo = settings([int(w) for w in args.latent_w_seeds.split(",")], not args.no_n8)
    # settings are independent and individually seeded: same numbers for any --jobs
    with ProcessPoolExecutor(max(args.jobs, 1), mp_context=mp.get_context("fork")) as pool:
        futs = [pool.submit(one_setting, values, n, args, _log) for values, n in todo]
        for (values, n), fut in zip(todo, futs, strict=True):
            res["settings"][f"{values}|n={n}"] = fut.result()
    res["seconds"] = time.perf_counter() - t0
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1, default=str))
    table = markdown(res)
    Path(args.markdown).write_text(table + "\n") if args.markdown else print(table)
    print(f"total {res['seconds']:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
