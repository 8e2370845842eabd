"""``python -m latent landscape``: the ρ-landscape of auction formats (seed 000 §4.4), measured."""

from __future__ import annotations

import json
import os
import sys

from tqdm import tqdm

from latent.cli.common import UsageError, print_json
from latent.studies.formats import FORMATS
from latent.studies.landscape import SMOOTHNESS_LAWS, landscape
from numerics.engine import EngineConfig
from numerics.results import jsonable

NAME = "landscape"
HELP = "measured grade spectra, rho, revenue and efficiency of auction formats vs seed 000's table"
DESCRIPTION = """\
For each format of seed 000's §4.4 table (posted prices, second price, GSP, VCG, Myerson,
Myerson under the latent-factor model, combinatorial VCG with complements): the Monte Carlo
grade spectrum of the allocation rule (grades over bidders; a bidder's type is her value
vector), grade-decay rho with per-grade ratios, revenue and efficiency, all with 95% CIs, printed
beside the seed's claimed grade / rho / revenue. --smoothness FORMAT runs one format under smooth
and rough laws side by side. The exact revenue-optimal multi-item mechanism is covered by
`python -m latent design --frontier` (exact grade-restricted LP)."""
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
    p.add_argument("--rev-samples", type=int, default=None, help="profiles for revenue")
    p.add_argument("--max-grade", type=int, default=None, help="highest grade estimated")
    p.add_argument("--lp", default="3,2,3", metavar="N,M,K",
                   help="exact LP optimum row: N bidders, M items, K grid points per item "
                        "(default 3,2,3; 'none' to skip)")
    p.add_argument("--executor", choices=["inline", "local", "dask"], default="inline",
                   help="where spectrum chunks run (inline = this process)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--scheduler", default=None, help="dask scheduler address (else LocalCluster)")
    p.add_argument("--batch-size", type=int, default=2000, help="samples per chunk")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=None, metavar="DIR", help="write landscape.csv/.json here")
    p.add_argument("--plot", default=None, metavar="PNG", help="all spectra, log scale")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    if args.list:
        for k, f in FORMATS.items():
            print(f"{k:18s} {f.label} (N={f.n}, M={f.m}, {f.values})")
        return 0
    for name in ("samples", "rev_samples", "max_grade", "bidders", "items"):
        val = getattr(args, name)
        if val is not None and val < (2 if name == "samples" else 1):
            raise UsageError(f"--{name.replace('_', '-')} must be positive (samples ≥ 2)")
    if args.workers < 1 or args.batch_size < 2:
        raise UsageError("--workers ≥ 1 and --batch-size ≥ 2 are required")
    keys = [args.smoothness] if args.smoothness else (
        args.formats.split(",") if args.formats else list(FORMATS))
    unknown = [k for k in keys if k not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format(s) {', '.join(unknown)}; choose from "
                         f"{', '.join(FORMATS)}")
    fmts = []
    for k in keys:
        f = FORMATS[k]
        if args.bidders:
            f = f.with_(n=args.bidders)
        if args.items and (f.m > 1 or f.mechanism in ("vcg", "gsp")):
            f = f.with_(m=args.items)
        fmts.append(f)
    values = list(SMOOTHNESS_LAWS) if args.smoothness and not args.values else args.values
    config = None
    if args.executor != "inline":
        config = EngineConfig(executor=args.executor, workers=args.workers,
                              batch_size=args.batch_size, scheduler=args.scheduler,
                              progress=False)
    progress = None
    if not args.quiet and sys.stderr.isatty():
        def progress(it):
            return tqdm(it, desc="formats", leave=False)
    lp = None
    if args.lp and args.lp.lower() != "none" and not args.smoothness:
        try:
            ln, lm, lk = (int(t) for t in args.lp.split(","))
        except ValueError:
            raise UsageError("--lp: N,M,K (three integers) or none") from None
        if min(ln, lm, lk) < 1 or lk ** lm > 16:
            raise UsageError("--lp: N, M, K ≥ 1 and K^M ≤ 16 types per bidder (LP size)")
        lp = {"n": ln, "m": lm, "grid": lk, "values": (values or ["uniform"])[0]}
    try:
        res = landscape(fmts, quick=not args.full, seed=args.seed, values=values,
                        samples=args.samples, rev_samples=args.rev_samples,
                        max_grade=args.max_grade, config=config, progress=progress, lp=lp)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        res.to_csv(os.path.join(args.out, "landscape.csv"))
        with open(os.path.join(args.out, "landscape.json"), "w") as fh:
            json.dump(jsonable(res), fh, indent=2, allow_nan=False, default=str)
    if args.plot:
        res.plot(args.plot)
    if args.json:
        print_json(res)
        return 0
    print("Seed 000 §4.4 — claimed vs measured (95% CIs; grades over bidders)")
    print(res.table())
    if res.exact is not None:
        print(res.exact_text())
    print("\nGrade energies W_r (95% CIs):")
    print(res.spectra_table())
    print(f"\nsettings: {res.settings}")
    for line in sorted({r.input_note for r in res.rows}):
        print(f"note: {line}")
    if args.out:
        print(f"wrote {args.out}/landscape.csv and landscape.json")
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
