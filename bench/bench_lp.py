"""Benchmark of the exact LPs (numerics/lp), measured side by side in one run.

1. Yao's setting: largest n x m whose BIC optimum is solved *and certified* within a budget
   (default 60 s), with the DSIC optimum next to it where the ex-post LP is small enough.
2. Naive ex-post LP vs the reduced (symmetric + Border) LP on the same Yao instances: time
   ratio, equal exact optima.
3. The revenue-grade frontier for N = 6 bidders, K = 8 grid points (uniform values): time.

Run:  python bench/bench_lp.py            (about 5 minutes on the 2-core CI machine)
      python bench/bench_lp.py --quick    (smaller instances)
      python bench/bench_lp.py --section yao|naive|frontier
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

from numerics.lp import grade_restricted as gr
from numerics.lp.discretize import parse_grid
from numerics.lp.optimal import TypeSpace, optimal_mechanism
from numerics.lp.yao import yao_optimal, yao_type_space

H = Fraction(1, 2)


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def bench_yao_sizes(budget: float, quick: bool) -> None:
    print("\n## Yao BIC optimum, reduced LP, solved + certified (p=1/2, a=1, b=2)")
    print("| n | m | LP (vars, rows) | revenue | certificate | seconds |")
    print("|---|---|---|---|---|---|")
    sizes = [(2, 2), (8, 2), (8, 3), (8, 4), (8, 5), (8, 6)] + (
        [] if quick else [(8, 7), (8, 8), (16, 4), (32, 6), (64, 4)]
    )
    for n, m in sizes:
        res, secs = timed(lambda n=n, m=m: yao_optimal(n, m, H, 1, 2))
        rev = (
            f"{float(res.revenue):.6f} (exact)"
            if res.revenue is not None
            else f"{res.revenue_float:.6f} (float)"
        )
        cert = res.certificate.status[:60]
        within = "" if secs <= budget else " (over budget)"
        print(
            f"| {n} | {m} | {res.lp_shape[0]}, {res.lp_shape[1]} | {rev} | {cert} | "
            f"{secs:.2f}{within} |"
        )
    print("\n## Yao BIC vs DSIC (exact)")
    print("| n | m | BIC | DSIC | seconds (DSIC ex-post) |")
    print("|---|---|---|---|---|")
    for n, m in [(2, 2), (3, 2), (2, 3)]:
        bic = yao_optimal(n, m, H, 1, 2)
        dsic, secs = timed(lambda n=n, m=m: yao_optimal(n, m, H, 1, 2, ic="dsic"))
        print(
            f"| {n} | {m} | {bic.revenue} = {float(bic.revenue):.6f} | {dsic.revenue} = "
            f"{float(dsic.revenue):.6f} | {secs:.2f} |"
        )


def bench_naive_vs_reduced(quick: bool) -> None:
    print("\n## Naive ex-post LP vs reduced LP, same instance (solve + certify)")
    print(
        "| n | m | ex-post vars | ex-post s | reduced (iid Border) s | Yao reduced s | "
        "ratio ex-post / Yao reduced | equal optima |"
    )
    print("|---|---|---|---|---|---|---|---|")
    sizes = [(2, 2), (3, 2), (2, 3)] + ([] if quick else [(4, 2), (3, 3)])
    for n, m in sizes:
        ts = yao_type_space(m, H, 1, 2)
        naive, t_naive = timed(lambda ts=ts, n=n: optimal_mechanism([ts] * n, formulation="expost"))
        red, t_red = timed(lambda ts=ts, n=n: optimal_mechanism([ts] * n, formulation="reduced"))
        yao, t_yao = timed(lambda n=n, m=m: yao_optimal(n, m, H, 1, 2))
        same = naive.revenue == red.revenue == yao.revenue and naive.revenue is not None
        print(
            f"| {n} | {m} | {naive.lp_shape[0]} | {t_naive:.2f} | {t_red:.3f} | {t_yao:.3f} | "
            f"{t_naive / t_yao:.0f}x | {same} |"
        )


def bench_frontier(n: int, k: int, certify_grades=(1, 2)) -> None:
    print(f"\n## Revenue-grade frontier, N = {n}, K = {k}, uniform values (float LPs, HiGHS IPM)")
    vals, probs = parse_grid("uniform", k)
    ts = TypeSpace.product([(vals, probs)])
    t0 = time.perf_counter()
    opt = gr.rev_star(ts, n)
    print(f"Rev* = {opt[0]} = {opt[1]:.6f} ({opt[2]})")
    print("| R | Rev^(R) | ratio | LP vars | seconds |")
    print("|---|---|---|---|---|")
    for r in range(1, n + 1):
        (rev, revf, chk, shape, _), secs = timed(
            lambda r=r: gr.grade_restricted_revenue(ts, n, r, do_certify=False)
        )
        print(f"| {r} | {revf:.6f} | {revf / opt[1]:.4f} | {shape[0]} | {secs:.1f} |")
    print(f"frontier total {time.perf_counter() - t0:.1f} s (build + solve, all grades)")
    print("\nexact certification of single grades (same instance):")
    for r in certify_grades:
        (rev, revf, chk, shape, _), secs = timed(lambda r=r: gr.grade_restricted_revenue(ts, n, r))
        print(f"- R = {r}: {chk.status[:60]}, Rev^(R) = {rev}, {secs:.1f} s (solve + certify)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--budget", type=float, default=60.0)
    parser.add_argument("--section", choices=["all", "yao", "naive", "frontier"], default="all")
    args = parser.parse_args()
    if args.section in ("all", "yao"):
        bench_yao_sizes(args.budget, args.quick)
    if args.section in ("all", "naive"):
        bench_naive_vs_reduced(args.quick)
    if args.section in ("all", "frontier"):
        bench_frontier(4 if args.quick else 6, 6 if args.quick else 8)


if __name__ == "__main__":
    main()
