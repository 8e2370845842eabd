"""``python -m latent spectrum``: the grade spectrum (ANOVA energies by grade) and ρ."""

from __future__ import annotations

import importlib
import math
import sys

import numpy as np

from latent.anova import grade_spectrum_grid, grade_spectrum_mc, grade_spectrum_quad
from latent.anova.marginals import parse_marginal, quantile_function
from latent.cli.common import UsageError, print_json
from numerics.mechanisms import make_mechanism
from numerics.valuations import parse_valuation

NAME = "spectrum"
HELP = "grade (ANOVA) spectrum W_0…W_N and grade-decay ρ of a function or an allocation rule"
DESCRIPTION = """\
Grade spectrum of f(v_1,…,v_N) for independent inputs: W_r = Σ_{|u|=r} ‖f_u‖² (summed over
outputs), variance, mean dimension, Sobol' indices and the grade-decay ρ (per-grade ratios and a
log-linear fit). Methods: grid (exact on K midpoint quantiles per input, equal weights), mc
(cross pick-freeze Monte Carlo with normal CIs), quad (Gauss-Legendre, for smooth f).
With --mechanism, f is the allocation rule x_im(v) of an auction and an input is one bidder's
value vector (M items). Allocation rules are indicators: their grid/quad spectra converge to
the continuous one only at O(1/K); mc is unbiased."""
EPILOG = """\
examples:
  python -m latent spectrum --function latent.anova.testfunctions:sobol_g --inputs 6 \\
      --method grid --grid 8
  python -m latent spectrum --function latent.anova.testfunctions:sobol_g --inputs 20 --method mc \\
      --samples 20000 --max-grade 3 --seed 1 --json
  python -m latent spectrum --mechanism second_price --bidders 4 --values uniform --method mc"""


def add_arguments(p) -> None:
    src = p.add_argument_group("what to decompose (one of)")
    src.add_argument("--function", metavar="PKG.MODULE:CALLABLE",
                     help="vectorised f: (batch, N) array -> (batch,) or (batch, outputs)")
    src.add_argument("--mechanism", metavar="NAME", help="allocation rule of a mechanism "
                     "(numerics.mechanisms.make_mechanism)")
    p.add_argument("--inputs", type=int, help="N, number of inputs (with --function)")
    p.add_argument("--marginal", default="uniform",
                   help="marginal of every input (with --function), e.g. uniform, beta:2:5")
    p.add_argument("--bidders", type=int, help="N bidders (with --mechanism)")
    p.add_argument("--items", type=int, default=1, help="M items (with --mechanism)")
    p.add_argument("--values", default="uniform", help="value distribution (with --mechanism)")
    p.add_argument("--method", choices=["grid", "mc", "quad"], default="mc")
    p.add_argument("--grid", type=int, default=8, metavar="K",
                   help="points per axis for grid, nodes per axis for quad (default 8)")
    p.add_argument("--samples", type=int, default=10_000, help="Monte Carlo samples")
    p.add_argument("--max-grade", type=int, default=3, metavar="R",
                   help="highest grade estimated by mc (default 3)")
    p.add_argument("--qmc", action="store_true",
                   help="mc: randomised QMC (16 scrambled Sobol' replicates; t-interval CIs)")
    p.add_argument("--digits", type=int, help="grid only: compute in mpmath at this precision")
    p.add_argument("--seed", type=int, default=0, help="seed of the Monte Carlo (default 0)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--plot", metavar="OUT.png", help="save a log-scale plot of W_r by grade")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def _load_function(spec: str):
    if ":" not in spec:
        raise UsageError(f"--function must look like pkg.module:callable, got {spec!r}")
    mod, name = spec.split(":", 1)
    try:
        obj = getattr(importlib.import_module(mod), name)
    except (ImportError, AttributeError) as exc:
        raise UsageError(f"cannot load {spec!r}: {exc}") from None
    if not callable(obj):
        raise UsageError(f"{spec!r} is not callable")

    def guarded(x):  # a user function's failure is bad input, not a traceback
        try:
            return obj(x)
        except Exception as exc:  # any error of user code is reported, not a traceback
            raise UsageError(f"{spec} failed on a ({', '.join(map(str, x.shape))}) batch: "
                             f"{type(exc).__name__}: {exc}") from None

    return guarded


def _mechanism_function(args):
    if not args.bidders or args.bidders < 1 or args.items < 1:
        raise UsageError("--mechanism needs --bidders N ≥ 1 (and --items M ≥ 1)")
    try:
        val = parse_valuation(args.values)
        mech = make_mechanism(args.mechanism, args.bidders, args.items, valuation=val)
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"bad mechanism or values: {exc}") from None
    n, m = args.bidders, args.items

    def alloc(v):  # v: (batch, N, M) → x: (batch, N·M) (any trailing shape is flattened)
        try:
            return np.asarray(mech.allocation(v), dtype=float).reshape(v.shape[0], -1)
        except Exception as exc:  # report, never a traceback
            raise UsageError(f"allocation of {args.mechanism!r} failed: "
                             f"{type(exc).__name__}: {exc}") from None

    return alloc, val, n, m


def _grid_points(marginal, k: int, m: int):
    """Per-input point set: K midpoint quantiles per column, K^M points for a block of M."""
    pts = quantile_function(marginal)((np.arange(k) + 0.5) / k)
    if m == 1:
        return pts[:, None]
    mesh = np.meshgrid(*[pts] * m, indexing="ij")
    return np.stack([g.ravel() for g in mesh], axis=1)  # (K^M, M)


def _grid_spectrum(f, marginal, n, m, k, digits, block):
    pts = _grid_points(marginal, k, m)
    kk = pts.shape[0]
    if kk**n > 20_000_000:
        raise UsageError(f"grid of {kk}^{n} cells is too large; lower --grid or use --method mc")
    idx = np.indices((kk,) * n).reshape(n, -1).T  # (cells, n)
    v = pts[idx]  # (cells, n, m)
    y = np.asarray(f(v if block else v[..., 0]), dtype=float)
    table = y.reshape((kk,) * n + y.shape[1:])
    s = grade_spectrum_grid(table, [np.full(kk, 1.0 / kk)] * n, digits=digits, n_inputs=n)
    return s


def run(args) -> int:
    if bool(args.function) == bool(args.mechanism):
        raise UsageError("give exactly one of --function or --mechanism")
    if args.grid < 1 or args.samples < 2 or args.max_grade < 1:
        raise UsageError("--grid ≥ 1, --samples ≥ 2 and --max-grade ≥ 1 are required")
    block = None
    if args.mechanism:
        f, marginal, n, m = _mechanism_function(args)
        block = m
    else:
        if not args.inputs or args.inputs < 1:
            raise UsageError("--function needs --inputs N ≥ 1")
        f, n, m = _load_function(args.function), args.inputs, 1
        try:
            marginal = parse_marginal(args.marginal)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    if args.qmc and args.method != "mc":
        raise UsageError("--qmc applies to --method mc only")
    if args.digits is not None and args.method != "grid":
        raise UsageError("--digits applies to --method grid only")
    try:
        if args.method == "grid":
            s = _grid_spectrum(f, marginal, n, m, args.grid, args.digits, block)
        elif args.method == "mc":
            s = grade_spectrum_mc(f, marginal, n, max_grade=args.max_grade,
                                  samples=args.samples, seed=args.seed, block=block,
                                  qmc=args.qmc, progress=False if args.quiet else None)
        else:
            if block and block > 1:
                raise UsageError("--method quad supports one item (--items 1) only")
            g = f if not block else (lambda x: f(x[..., None]))
            s = grade_spectrum_quad(g, marginal, n, nodes=args.grid)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    notes = list(s.notes)
    if args.mechanism and args.method != "mc" and not any("O(1/K)" in n for n in notes):
        notes.append("allocation rules are indicators (discontinuous): grid/quad spectra "
                     "converge to the continuous one only at O(1/K)")
    out = s.to_dict()
    out["notes"] = notes
    out["seed"] = args.seed if args.method == "mc" else None
    if args.mechanism:
        out.update(mechanism=args.mechanism, bidders=n, items=m, values=args.values)
    if args.plot:
        s.plot(args.plot, title=f"Grade spectrum: {args.mechanism or args.function}")
    if args.json:
        print_json(out)
    else:
        print(s)
        for note in notes[len(s.notes):]:
            print(f"note: {note}")
        if args.plot:
            print(f"plot written to {args.plot}", file=sys.stderr)
    return 0 if math.isfinite(s.variance) else 1
