"""``python -m latent simulate``: Monte Carlo audit of an auction mechanism."""

from __future__ import annotations

import sys

import latent
from latent import cli
from latent.cli.choices import EXECUTORS, ITEM_KINDS
from latent.cli.common import add_budget_arguments, budget, call_api, check_out_path
from latent.cli.flags import DeprecatedAlias
from numerics.atomic import atomic_path
from numerics.registry import MECHANISMS as MECHANISM_NAMES
from numerics.registry import VALUATIONS

NAME = "simulate"
HELP = "simulate an auction mechanism and audit revenue, welfare, efficiency, regret and IR"
DESCRIPTION = """Simulate an auction and audit it: revenue, welfare, efficiency (welfare / optimal
welfare), ex-post regret (each bidder's best gain from misreporting, searched over the value
support: grid plus local refinement, resolution reported), IR, feasibility and monotonicity
violation rates. Every mean has a 95% CI (iid profiles). The same --seed gives the same numbers
on every executor and worker count. The latent-factor model's tastes w come from --taste-seed
(or W_SEED in the law), not from --seed: the same law means the same model at every seed.

Distributions (--values): the laws listed under --values, latent[:D:SIGMA_Z:SIGMA_EPS:W_SEED],
or one spec per bidder separated by ';'."""
EPILOG = """Example:
  python -m latent simulate --mechanism myerson --values uniform --bidders 4 \\
      --samples 20000 --seed 1 --json
  python -m latent simulate --mechanism second_price --values hetero --bidders 4 \\
      --reserve 1 --samples 10000 --seed 1 --out bids.csv"""


def add_arguments(parser) -> None:
    # the registries' names, read as the parser is built: registered names are listed too
    parser.add_argument("--mechanism", default="second_price",
                        help=f"{MECHANISM_NAMES.choices_help()} (default second_price)")
    parser.add_argument("--values", default="uniform", metavar="DIST",
                        help=f"value distribution (default uniform): {VALUATIONS.forms_help()}")
    parser.add_argument("--bidders", type=int, default=3, metavar="N",
                        help="number of bidders (default 3)")
    parser.add_argument("--items", type=int, default=1, metavar="M",
                        help="number of items (default 1)")
    parser.add_argument("--item-kind", default="additive", choices=ITEM_KINDS,
                        help="valuations over several items (default additive)")
    parser.add_argument("--synergy", type=float, default=0.0, help="bundle bonus (complements)")
    parser.add_argument("--reserve", type=float, default=None, help="second_price reserve")
    parser.add_argument("--price", type=float, default=None, help="posted_price/lottery price")
    parser.add_argument("--ctrs", default=None,
                        help="gsp click-through rates, e.g. 1,0.6,0.3: each in [0, 1], "
                             "non-increasing (slot 1 is the best)")
    parser.add_argument("--pairwise-reserve", action="store_true", help="pairwise: ψ > 0 needed")
    parser.add_argument("--ironed", action="store_true", help="pairwise: use ironed ψ")
    parser.add_argument("--samples", type=int, default=10000, metavar="S",
                        help="auctions simulated (default 10000)")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--taste-seed", type=int, default=0, metavar="K",
                        help="seed of the latent-factor tastes w (default 0; fixed model)")
    parser.add_argument("--executor", choices=EXECUTORS, default="local",
                        help="inline (this process), local (--workers processes) or dask "
                             "(default local)")
    parser.add_argument("--engine", dest="executor", choices=EXECUTORS, action=DeprecatedAlias,
                        new="--executor")
    parser.add_argument("--workers", type=int, default=1, metavar="W",
                        help="processes of the local/dask executor (default 1)")
    parser.add_argument("--scheduler", default=None, metavar="ADDR", help="dask scheduler address")
    parser.add_argument("--batch-size", type=int, default=None,
                        help="profiles per chunk (default 2048 with the regret search, else 65536)")
    parser.add_argument("--regret-grid", type=int, default=64, help="misreport grid points")
    parser.add_argument("--refine", type=int, default=2, help="local refinement rounds")
    parser.add_argument("--no-regret", action="store_true", help="skip the regret search")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument(
        "--out",
        default=None,
        metavar="FILE.csv",
        help="export the sampled profiles (wide: auction_id,bidder_1,...)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_budget_arguments(parser)


def run(args) -> int:
    check_out_path("--out", args.out)  # before the simulation, not after it
    sim = call_api(
        latent.simulate, mechanism=args.mechanism, values=args.values, bidders=args.bidders,
        items=args.items, item_kind=args.item_kind, synergy=args.synergy, reserve=args.reserve,
        price=args.price, ctrs=args.ctrs, pairwise_reserve=args.pairwise_reserve,
        ironed=args.ironed, taste_seed=args.taste_seed, samples=args.samples, seed=args.seed,
        **budget(args),
        executor=args.executor, workers=args.workers, scheduler=args.scheduler,
        batch_size=args.batch_size, regret=not args.no_regret, regret_grid=args.regret_grid,
        refine=args.refine, keep_bids=bool(args.out),
        progress=False if (args.quiet or args.json) else None)
    if args.out:
        with atomic_path(args.out) as tmp:
            sim.bids.to_csv(tmp, index=False, float_format="%.10g")
    if args.json:
        out = sim.to_dict()
        if args.out:
            out["out"] = args.out
        cli.output.print_json(out)
        return 0
    print(sim)
    if args.out:
        print(f"  profiles written to {args.out}", file=sys.stderr)
    return 0
