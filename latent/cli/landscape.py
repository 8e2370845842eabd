"""``python -m latent landscape``: the ρ-landscape of auction formats, measured."""

from __future__ import annotations

import json
import os
import sys

import latent
from latent import cli
from latent.cli.choices import EXECUTORS
from latent.cli.common import UsageError, add_budget_arguments, budget, call_api
from numerics.atomic import atomic_path, write_text

NAME = "landscape"
HELP = ("measured grade spectra, rho, revenue and efficiency of auction formats vs the papers' "
        "claims")
DESCRIPTION = """\
For each auction format of the table in the Latent mechanism design papers (posted prices,
second price, GSP, VCG, Myerson, Myerson under the latent-factor model, combinatorial VCG with
complements): the Monte Carlo grade spectrum of the allocation rule (grades over bidders; a
bidder's type is her value vector), grade-decay rho with per-grade ratios, revenue and
efficiency, all with 95% CIs, printed beside the grade / rho / revenue the papers claim (the
"seed" columns). --smoothness FORMAT runs one format under smooth and rough laws side by side.
The latent-factor model's tastes come from --taste-seed (fixed, printed), not from --seed.
The exact revenue-optimal multi-item mechanism is covered by `python -m latent design
--frontier` (exact grade-restricted LP)."""
EPILOG = """\
examples:
  python -m latent landscape --quick
  python -m latent landscape --formats second_price,myerson --values uniform --values \\
      exponential --out results/ --plot spectra.png --json
  python -m latent landscape --smoothness second_price --bidders 3
  python -m latent landscape --formats gsp --bidders 10 --executor dask --workers 2"""


def add_arguments(p) -> None:
    p.add_argument("--formats", default=None,
                   help="comma-separated format keys (default: all; see --list)")
    p.add_argument("--list", action="store_true", help="list the formats and exit")
    p.add_argument("--values", action="append", default=None, metavar="LAW",
                   help="value law (repeatable; numerics.valuations grammar, or latent…)")
    p.add_argument("--smoothness", metavar="FORMAT", default=None,
                   help="run FORMAT under smooth vs rough laws (beta 2,2 / beta ½,½ / uniform "
                        "/ two-point / exponential / lognormal), side by side")
    p.add_argument("--bidders", type=int, default=None, help="override N of every format")
    p.add_argument("--items", type=int, default=None, help="override M (multi-item formats)")
    size = p.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small samples (default)")
    size.add_argument("--full", action="store_true", help="large samples")
    p.add_argument("--samples", type=int, default=None, help="Monte Carlo samples (spectrum)")
    p.add_argument("--revenue-samples", type=int, default=None,
                   help="Monte Carlo profiles behind revenue and efficiency (default: the "
                        "format's, larger with --full)")
    p.add_argument("--rev-samples", type=int, default=None, dest="rev_samples",
                   help="deprecated alias of --revenue-samples")
    p.add_argument("--max-grade", type=int, default=None, help="highest grade estimated")
    p.add_argument("--target-rel-ci", type=float, default=None, metavar="T",
                   help="adaptive spectra: sample in chunks until every grade has CI half "
                        "width <= T*W_r (0 < T <= 1) or --samples is spent; reports unresolved "
                        "grades (default: fixed --samples)")
    p.add_argument("--lp", default="3,2,3", metavar="N,M,K",
                   help="exact LP optimum row: N bidders, M items, K grid points per item "
                        "(default 3,2,3; 'none' to skip)")
    p.add_argument("--executor", choices=EXECUTORS, default="inline",
                   help="where spectrum chunks run (inline = this process; same numbers on each)")
    p.add_argument("--workers", type=int, default=2, help="local/dask workers (default 2)")
    p.add_argument("--scheduler", default=None, help="dask scheduler address (else LocalCluster)")
    p.add_argument("--batch-size", type=int, default=2000, help="samples per chunk")
    p.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    p.add_argument("--taste-seed", type=int, default=0, metavar="K",
                   help="seed of the latent-factor tastes w (default 0; fixed model)")
    p.add_argument("--out", default=None, metavar="DIR", help="write landscape.csv/.json here")
    p.add_argument("--plot", default=None, metavar="PNG", help="all spectra, log scale")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    add_budget_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    if args.list:
        print(cli.output.format_list())
        return 0
    revenue_samples = args.revenue_samples
    if args.rev_samples is not None:
        print("warning: --rev-samples is deprecated; use --revenue-samples", file=sys.stderr)
        if revenue_samples is not None and revenue_samples != args.rev_samples:
            raise UsageError(f"--rev-samples {args.rev_samples}: a deprecated alias of "
                             f"--revenue-samples {revenue_samples}; give one of them")
        revenue_samples = args.rev_samples
    res = call_api(
        latent.landscape, formats=args.formats, values=args.values, smoothness=args.smoothness,
        bidders=args.bidders, items=args.items, full=args.full, samples=args.samples,
        revenue_samples=revenue_samples, max_grade=args.max_grade, lp=args.lp,
        executor=args.executor, workers=args.workers, scheduler=args.scheduler,
        batch_size=args.batch_size, seed=args.seed, taste_seed=args.taste_seed,
        **budget(args), target_rel_ci=args.target_rel_ci,
        progress=False if (args.quiet or args.json) else None)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        with atomic_path(os.path.join(args.out, "landscape.csv")) as tmp:
            res.to_csv(tmp)
        write_text(os.path.join(args.out, "landscape.json"),
                   json.dumps(cli.output.jsonable(res), indent=2, allow_nan=False, default=str))
    if args.out:
        print(f"wrote {args.out}/landscape.csv and landscape.json", file=sys.stderr)
    return cli.output.emit(res, json_output=args.json, plot=args.plot)
