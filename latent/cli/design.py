"""``python -m latent design``: the compressibility design problem max Rev + λ·c (seed 000 §5)."""

from __future__ import annotations

from latent.cli.common import UsageError, print_json
from latent.studies.design import FAMILIES, design
from latent.studies.knee import exact_frontier
from latent.studies.truncation import frontier_at_scale

NAME = "design"
HELP = "design for compressibility: (revenue, rho) of a mechanism family, Pareto frontier, "\
       "max Rev + lambda*rho"
DESCRIPTION = """\
Over a family of single-item mechanisms (second price with reserve r, one-unit posted price p,
posted price with unlimited supply), compute revenue and compressibility c on a K-point quantile
grid per bidder (exact for the discretised law), the Pareto frontier in (revenue, c), and the
maximiser of Rev + lambda*c for each --lambda. c is rho capped at --rho-cap (grade-1 rules have
rho = inf, which makes the uncapped objective degenerate) or the grade-1 share W_1/Var.
--frontier adds the exact revenue-grade frontier Rev^(R), R = 1..N (grade-restricted LP, exact
rationals) and its knee (Thm 5.1). --scale-bidders N adds the frontier at scale: Myerson's
rule truncated to grade R = 1, 2 (Monte Carlo components on quantile bins), repaired by
projection onto {x >= 0, sum x <= 1}; revenue by Myerson's lemma with 95% CIs."""
EPILOG = """\
examples:
  python -m latent design --bidders 3 --lambda 0 --lambda 0.1 --lambda 1
  python -m latent design --bidders 3 --measure share --lambda 0.2 --json
  python -m latent design --bidders 3 --frontier --lp-grid 4 --plot design.png
  python -m latent design --bidders 2 --scale-bidders 20 --seed 1"""


def add_arguments(p) -> None:
    p.add_argument("--bidders", type=int, default=3, help="number of bidders N (grid: K^N)")
    p.add_argument("--values", default="uniform", help="value law (numerics.valuations)")
    p.add_argument("--families", default="reserve,posted",
                   help="comma-separated: reserve, posted, unlimited")
    p.add_argument("--params", default=None,
                   help="comma-separated reserves/prices (default: 20 quantiles of F in [0,.95])")
    p.add_argument("--lambda", dest="lambdas", type=float, action="append", default=None,
                   metavar="L", help="weight on compressibility (repeatable)")
    p.add_argument("--measure", choices=["rho", "share"], default="rho")
    p.add_argument("--rho-cap", type=float, default=10.0)
    p.add_argument("--grid", type=int, default=24, help="grid points K per bidder")
    p.add_argument("--frontier", action="store_true", help="exact revenue-grade LP frontier")
    p.add_argument("--lp-grid", type=int, default=4, help="grid points per bidder for the LP")
    p.add_argument("--scale-bidders", type=int, default=None, metavar="N",
                   help="also the repaired-truncation frontier of Myerson at N bidders (MC)")
    p.add_argument("--scale-samples", type=int, default=20000, help="profiles (estimate, eval)")
    p.add_argument("--bins", type=int, default=16, help="quantile bins for the truncation")
    p.add_argument("--plot", default=None, metavar="PNG")
    p.add_argument("--seed", type=int, default=0, help="seed of --scale-bidders (rest is exact)")
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    if args.bidders < 1 or args.grid < 2 or args.lp_grid < 1 or args.rho_cap <= 0:
        raise UsageError("--bidders ≥ 1, --grid ≥ 2, --lp-grid ≥ 1, --rho-cap > 0 required")
    if args.grid ** args.bidders > 2_000_000:
        raise UsageError(f"grid too large: K^N = {args.grid ** args.bidders} > 2e6 profiles")
    fams = [f.strip() for f in args.families.split(",") if f.strip()]
    bad = [f for f in fams if f not in FAMILIES]
    if bad or not fams:
        raise UsageError(f"unknown families {bad}; choose from {', '.join(FAMILIES)}")
    try:
        params = [float(x) for x in args.params.split(",")] if args.params else None
    except ValueError:
        raise UsageError("--params: comma-separated numbers") from None
    lambdas = tuple(args.lambdas) if args.lambdas else (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)
    try:
        res = design(args.bidders, args.values, fams, params, lambdas, args.grid,
                     args.measure, args.rho_cap)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    fr = None
    if args.frontier:
        try:
            fr = exact_frontier(args.bidders, args.values, args.lp_grid)
        except (ValueError, RuntimeError) as exc:
            raise UsageError(str(exc)) from None
    sc = None
    if args.scale_bidders is not None:
        if args.scale_bidders < 3 or args.scale_samples < 100 or args.bins < 2:
            raise UsageError("--scale-bidders ≥ 3, --scale-samples ≥ 100, --bins ≥ 2")
        try:
            sc = frontier_at_scale("myerson", args.scale_bidders, args.values, args.bins,
                                   args.scale_samples, args.scale_samples, args.seed)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.plot:
        res.plot(args.plot)
    if args.json:
        print_json({"design": res, "frontier": fr, "frontier_at_scale": sc})
        return 0
    print(f"N = {args.bidders}, values {args.values}, K = {args.grid} grid points per bidder "
          f"(all numbers exact on the grid); c = {args.measure}"
          + (f" capped at {args.rho_cap}" if args.measure == "rho" else ""))
    print("Pareto frontier (revenue, c):")
    for i in sorted(res.pareto, key=lambda i: res.candidates[i].score):
        c = res.candidates[i]
        print(f"  {c.family:9s} {c.parameter:8.4g}  revenue {c.revenue:.6g}  rho {c.rho:.4g}  "
              f"W1/Var {c.share:.4f}")
    print("argmax Rev + λ·c:")
    for lam, i in res.choices:
        c = res.candidates[i]
        print(f"  λ = {lam:<8g} {c.family:9s} {c.parameter:8.4g}  revenue {c.revenue:.6g}  "
              f"c {c.score:.4g}")
    if fr is not None:
        f = fr.frontier
        print(f"Exact revenue-grade frontier (LP, K = {args.lp_grid}): Rev* = {f.optimum} "
              f"({f.optimum_method})")
        for p in f.points:
            rev = p.revenue if p.revenue is not None else f"{p.revenue_float:.6g} (float)"
            print(f"  R = {p.grade}: Rev^(R) = {rev}  ratio {p.ratio:.5f}  [{p.certificate}]")
        print(f"  knee: first R within {fr.knee.eps:.0%} of Rev*: {fr.knee.first_within}; "
              f"kneedle: {fr.knee.kneedle} (seed claims 2); ends at optimum: "
              f"{fr.ends_at_optimum}")
    if sc is not None:
        print(f"Repaired truncation of Myerson at N = {sc.n} ({sc.bins} bins; 95% CIs): "
              f"Rev* = {sc.optimum!r}")
        for p in sc.points:
            print(f"  R = {p.grade}: naive {p.naive_revenue!r} (infeasible on "
                  f"{p.infeasible_fraction:.1%} of profiles), repaired {p.repaired_revenue!r}, "
                  f"ratio {p.ratio!r}, interim monotone: {p.monotone}")
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
