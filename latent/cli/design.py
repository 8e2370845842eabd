"""``python -m latent design``: the compressibility design problem max Rev + λ·c."""

from __future__ import annotations

import latent
from latent import cli
from latent.cli.choices import MEASURES
from latent.cli.common import add_budget_arguments, budget, call_api
from numerics.registry import VALUATIONS

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
rationals) and its knee (the papers claim it sits at R = 2 for smooth F). --scale-bidders N
adds the frontier at scale: Myerson's rule truncated to grade R = 1, 2 (Monte Carlo
components on quantile bins), repaired by projection onto {x >= 0, sum x <= 1}; revenue by
Myerson's lemma with 95% CIs."""
EPILOG = """\
examples:
  python -m latent design --bidders 3 --lambda 0 --lambda 0.1 --lambda 1
  python -m latent design --bidders 3 --measure share --lambda 0.2 --json
  python -m latent design --bidders 3 --frontier --lp-grid 4 --plot design.png
  python -m latent design --bidders 2 --scale-bidders 20 --seed 1"""


def add_arguments(p) -> None:
    p.add_argument("--bidders", type=int, default=3, help="number of bidders N (grid: K^N)")
    p.add_argument("--values", default="uniform", help=f"value law, {VALUATIONS.choices_help()}")
    p.add_argument("--families", default="reserve,posted",
                   help="comma-separated: reserve, posted, unlimited")
    p.add_argument("--params", default=None,
                   help="comma-separated reserves/prices (default: 20 quantiles of F in [0,.95])")
    p.add_argument("--lambdas", "--lambda", dest="lambdas", type=float, action="append",
                   default=None, metavar="L",
                   help="weight on compressibility (repeatable: --lambda 0 --lambda 0.1)")
    p.add_argument("--measure", choices=MEASURES, default="rho",
                   help="compressibility c: rho (capped at --rho-cap) or share (W_1/Var)")
    p.add_argument("--rho-cap", type=float, default=10.0,
                   help="cap on rho in c (grade-1 rules have rho = inf; default 10)")
    p.add_argument("--grid", type=int, default=24, help="grid points K per bidder")
    p.add_argument("--frontier", action="store_true", help="exact revenue-grade LP frontier")
    p.add_argument("--lp-grid", type=int, default=4, help="grid points per bidder for the LP")
    p.add_argument("--scale-bidders", type=int, default=None, metavar="N",
                   help="also the repaired-truncation frontier of Myerson at N bidders (MC)")
    p.add_argument("--scale-samples", type=int, default=20000, help="profiles (estimate, eval)")
    p.add_argument("--bins", type=int, default=16, help="quantile bins for the truncation")
    p.add_argument("--plot", default=None, metavar="PNG", help="plot the families and front")
    p.add_argument("--seed", type=int, default=0, help="seed of --scale-bidders (rest is exact)")
    p.add_argument("--quiet", action="store_true",
                   help="accepted as by every subcommand (design prints no progress)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    add_budget_arguments(p)


def run(args) -> int:
    rep = call_api(
        latent.design, {"lambdas": "--lambda"}, bidders=args.bidders, values=args.values,
        families=args.families, params=args.params, lambdas=args.lambdas, measure=args.measure,
        rho_cap=args.rho_cap, grid=args.grid, frontier=args.frontier, lp_grid=args.lp_grid,
        scale_bidders=args.scale_bidders, scale_samples=args.scale_samples, bins=args.bins,
        seed=args.seed, **budget(args))
    return cli.output.emit(rep, json_output=args.json, plot=args.plot)
