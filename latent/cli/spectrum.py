"""``python -m latent spectrum``: the grade spectrum (ANOVA energies by grade) and ρ."""

from __future__ import annotations

import math

import latent
from latent import cli
from latent.cli.choices import EXECUTORS, METHODS
from latent.cli.common import add_budget_arguments, budget, call_api
from numerics.registry import MECHANISMS, VALUATIONS

NAME = "spectrum"
HELP = "grade (ANOVA) spectrum W_0…W_N and grade-decay ρ of a function or an allocation rule"
DESCRIPTION = """\
Grade spectrum of f(v_1,…,v_N) for independent inputs: W_r = Σ_{|u|=r} ‖f_u‖² (summed over
outputs), variance, mean dimension, first-order and total Sobol' indices (S1, ST) per input
and the grade-decay ρ (per-grade ratios and a log-linear fit). Methods: grid (exact on K
midpoint quantiles per input, equal weights), mc (Monte Carlo, the most accurate per
evaluation: same-set pick-freeze products on 4 scrambled Sobol' replicates, Student-t CIs at
every grade; auto = mc), pick-freeze (the earlier default: cross pick-freeze on i.i.d.
samples, normal CIs; --qmc for its randomised-QMC variant), quad (Gauss-Legendre, for smooth
f).
With --mechanism, f is the allocation rule x_im(v) of an auction and an input is one bidder's
value vector (M items). Allocation rules are indicators: their grid/quad spectra converge to
the continuous one only at O(1/K); mc is unbiased."""
EPILOG = """\
examples:
  python -m latent spectrum --function latent.anova.testfunctions:sobol_g --inputs 6 \\
      --method grid --grid 8
  python -m latent spectrum --function latent.anova.testfunctions:sobol_g --inputs 20 --method mc \\
      --samples 20000 --max-grade 3 --seed 1 --json
  python -m latent spectrum --mechanism second_price --bidders 4 --values uniform --method mc
  python -m latent spectrum --function latent.anova.testfunctions:sobol_g --inputs 6 \\
      --target-rel-ci 0.1 --max-grade 4 --samples 200000 --executor local --workers 2
  python -m latent spectrum --function latent.anova.testfunctions:ishigami --inputs 3 \\
      --marginal uniform:-3.141592653589793:3.141592653589793 --method quad --grid 30"""


def add_arguments(p) -> None:
    src = p.add_argument_group("what to decompose (one of)")
    src.add_argument("--function", metavar="PKG.MODULE:CALLABLE",
                     help="vectorised f: (batch, N) array -> (batch,) or (batch, outputs)")
    src.add_argument("--mechanism", metavar="NAME", help="allocation rule of a mechanism, "
                     + MECHANISMS.choices_help())
    p.add_argument("--inputs", type=int, help="N, number of inputs (with --function)")
    p.add_argument("--marginal", default="uniform",
                   help="marginal of every input (with --function), e.g. uniform, beta:2:5")
    p.add_argument("--bidders", type=int, help="N bidders (with --mechanism)")
    p.add_argument("--items", type=int, default=1, help="M items (with --mechanism)")
    p.add_argument("--values", default="uniform", help="value distribution (with --mechanism), "
                   + VALUATIONS.choices_help())
    p.add_argument("--names", metavar="A,B,…",
                   help="comma-separated input names (default x1…xN, or bidder_1…bidder_N)")
    p.add_argument("--method", choices=METHODS, default="auto",
                   help="grid (exact on quantile midpoints), mc (Monte Carlo with CIs, the "
                        "most accurate: same-set pick-freeze on scrambled Sobol' replicates), "
                        "pick-freeze (the earlier cross pick-freeze Monte Carlo; --qmc for its "
                        "RQMC variant), quad (Gauss-Legendre, smooth f) or auto (= mc; default)")
    p.add_argument("--grid", type=int, default=8, metavar="K",
                   help="points per axis for grid, nodes per axis for quad (default 8)")
    p.add_argument("--samples", type=int, default=10_000,
                   help="Monte Carlo samples: (A, B) pairs of the pick-freeze design")
    p.add_argument("--max-grade", type=int, default=3, metavar="R",
                   help="highest grade estimated by mc / pick-freeze (default 3)")
    p.add_argument("--qmc", action="store_true",
                   help="pick-freeze: randomised QMC (16 scrambled Sobol' replicates; "
                   "t-interval CIs); mc always uses scrambled Sobol' replicates")
    p.add_argument("--digits", type=int, help="grid only: compute in mpmath at this precision")
    p.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="save a log-scale plot of W_r by grade")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_budget_arguments(p)
    a = p.add_argument_group("adaptive budget (Monte Carlo)")
    a.add_argument("--target-rel-ci", type=float, default=None, metavar="T",
                   help="sample in chunks until every grade 1..R has CI half width <= T*W_r "
                        "(0 < T <= 1) or --samples / --max-work is spent; reports which grades "
                        "are resolved")
    a.add_argument("--executor", choices=EXECUTORS, default="inline",
                   help="where the adaptive run's chunks run (same numbers on every executor)")
    a.add_argument("--workers", type=int, default=2, help="local/dask workers (default 2)")
    a.add_argument("--scheduler", default=None, help="dask scheduler address (else a "
                   "LocalCluster)")


def run(args) -> int:
    s = call_api(
        latent.spectrum, function=args.function, mechanism=args.mechanism, values=args.values,
        bidders=args.bidders, items=args.items, inputs=args.inputs, marginal=args.marginal,
        names=args.names.split(",") if args.names else None, method=args.method,
        grid=args.grid, samples=args.samples, max_grade=args.max_grade, qmc=args.qmc,
        digits=args.digits, seed=args.seed,
        **budget(args), progress=False if args.quiet else None,
        target_rel_ci=args.target_rel_ci, executor=args.executor, workers=args.workers,
        scheduler=args.scheduler)
    ax = s.plot(title=f"Grade spectrum: {args.mechanism or args.function}") if args.plot \
        else None
    cli.output.emit(s, json_output=args.json, plot=args.plot, ax=ax)
    return 0 if math.isfinite(s.variance) else 1
