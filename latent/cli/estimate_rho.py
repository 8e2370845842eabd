"""Command line of ``python -m latent.estimate_rho`` (also ``python -m latent estimate_rho``)."""

from __future__ import annotations

import argparse
import sys

import latent
from latent import cli
from latent.cli import entry
from latent.cli.choices import EXECUTORS
from latent.cli.common import (
    UsageError,
    add_budget_arguments,
    budget,
    fail,
    flag_message,
    run_guarded,
)
from latent.cli.flags import DeprecatedAlias
from numerics.atomic import atomic_path

NAME = "estimate_rho"
HELP = "ρ and the truncation revenue loss from auction data (CSV)"

DESCRIPTION = """\
Estimate ρ and the truncation revenue loss from auction data (CSV, wide or long).

For each bidder count N: spectral ρ = σ1/σ2 of the bid vectors' covariance (bootstrap CI); the
chosen mechanism (default: Myerson with ironing for the estimated marginals) under the product
of the estimated marginals: its grade spectrum (exact on a quantile grid for small N, with the
O(1/K) caveat; Monte Carlo with CIs otherwise), grade-decay ρ with per-grade ratios and CIs, its
revenue and the second-price revenue; the truncation revenue loss for R = 1, 2, 3 in two senses
(naive truncation: revenue and feasibility/monotonicity violations; repaired truncation:
revenue) and the exact grade-restricted loss (LP) for small N. Every number has a CI or is
marked exact; the same --seed gives the same numbers. Definitions: docs/estimate_rho.md."""

EPILOG = """\
examples:
  python -m latent simulate --mechanism second_price --values uniform --bidders 4 \\
      --samples 5000 --seed 1 --no-regret --out auctions.csv
  python -m latent.estimate_rho auctions.csv --seed 1
  python -m latent.estimate_rho ebay.csv --auction-col auctionid \\
      --where "item=Xbox game console" --bidders 5 --subsample 1 --json
  python -m latent.estimate_rho bids.csv --bid-col evaluated.price.amount \\
      --bidder-col bidder.name --auction-col contract --lowest-wins --normalize median
  python -m latent.estimate_rho bids.csv --format long --auction-col tract \\
      --bidder-col firm --bid-col bidamt --bids first-price
  python -m latent.estimate_rho swiss.csv --bid-col pb --bidders 4 --asymmetric
  python -m latent.estimate_rho ebay.csv --auction-col auctionid \
      --where "item=Xbox game console" --bids ascending --increment ebay
  python -m latent.estimate_rho logs/ --stream --bids first-price --auction-col auction_id \
      --bid-col bid --covariates x1,x2 --fixed-effects region --executor local --workers 2"""


def build_parser(prog: str = "python -m latent.estimate_rho") -> argparse.ArgumentParser:
    class Parser(argparse.ArgumentParser):
        def error(self, message):  # one line, exit status 2
            sys.exit(fail(f"{self.prog}: {message}"))

    p = Parser(prog=prog, description=DESCRIPTION, epilog=EPILOG,
               formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(p)
    p.set_defaults(command=NAME)  # as the subcommand of python -m latent has it
    return p


def add_arguments(p) -> None:
    p.add_argument("data", metavar="data.csv",
                   help="auction bids, wide or long: a CSV or Parquet file, a folder of "
                        "Parquet or CSV partitions (key=value folders read as columns) or a "
                        "quoted glob such as 'logs/*.parquet'")
    d = p.add_argument_group("reading the data")
    d.add_argument("--format", choices=["auto", "wide", "long"], default="auto",
                   help="auto: long if the header names bid and bidder columns; wide only if "
                        "every other column looks like a bid (covariate-like columns are "
                        "refused with the flags to use)")
    d.add_argument("--auction-col", help="auction id column (long; optional in wide)")
    d.add_argument("--bidder-col", help="bidder column (long)")
    d.add_argument("--bid-col", help="bid column (long)")
    d.add_argument("--item-col", help="item column (long, multi-item data)")
    d.add_argument("--where", action="append", default=None, metavar="COL=VALUE",
                   help="keep rows whose COL equals VALUE (repeatable; an unmatched VALUE is "
                        "refused with the values COL has, nearest first)")
    d.add_argument("--lowest-wins", action="store_true",
                   help="procurement: bids are costs, the lowest wins; every money number is "
                        "reported as a cost to the buyer in the data's units")
    d.add_argument("--buyer-value", type=float, metavar="V",
                   help="with --lowest-wins: the buyer's value of the good (data units); gives "
                        "the optimal maximum price p* (p* + F(p*)/f(p*) = V). Default: the "
                        "buyer must buy")
    d.add_argument("--cost-lower-bound", type=float, default=0.0, metavar="C",
                   help="with --lowest-wins --bids first-price: the lower end of the cost "
                        "support; pseudo-costs below it are counted per N, and above 5%% of a "
                        "group's bids its IPV cost numbers are withheld (default 0)")
    d.add_argument("--normalize", choices=["median", "mean", "max"],
                   help="divide each auction's bids by its median/mean/max (warns about the "
                        "atom at 1 this creates)")
    d.add_argument("--decimal", choices=[".", ","],
                   help="decimal separator when numbers like 1,234 are ambiguous (default: "
                        "detected; converted numbers are reported)")
    d.add_argument("--keep-extreme-bids", action="store_true",
                   help="keep bids far outside the rest (default: a positive bid more than 25 "
                        "robust SDs of the log-bids from their median, e.g. one 1e200 among "
                        "bids near 1, is a data error: its auction is dropped and counted; with "
                        "--covariates/--fixed-effects also a bid more than 15 robust SDs from the "
                        "median log residual of the homogenisation regression)")
    d.add_argument("--covariates", metavar="EXPR[,EXPR...]", default=(),
                   help="homogenise bids (costs) by auction-level columns: col or log(col) "
                        "(Haile-Hong-Shum: log bid regressed on them; long data)")
    d.add_argument("--fixed-effects", metavar="COL[,COL...]", default=(),
                   help="categorical auction-level columns entered as dummies in that "
                        "regression (e.g. a currency)")
    d.add_argument("--no-first-stage-n", action="store_true",
                   help="leave the bidder-count dummies out of that regression (default: in, "
                        "their effects kept in the homogenised bids)")
    d.add_argument("--bids", choices=["values", "first-price", "ascending"], default="values",
                   help="values (default), first-price bids (GPV inversion) or ascending "
                        "(English) auction bids: Haile-Tamer bounds on the value CDF, the "
                        "optimal reserve and its revenue gain, ρ as a range")
    d.add_argument("--increment", metavar="DELTA|COL|ebay",
                   help="with --bids ascending: the minimum bid increment, a number (data "
                        "units), an auction-level column, or ebay (eBay's increment table "
                        "applied to each auction's price); default 0")
    d.add_argument("--reserve", type=float, metavar="R",
                   help="with --bids first-price: a binding reserve price R in every auction "
                        "(with --lowest-wins a maximum price): GPV with the reserve's boundary "
                        "condition; values identified above R only; the value law above R "
                        "and the optimal reserve with intervals. With --bids ascending: "
                        "Haile-Tamer bounds on the value law above R")
    d.add_argument("--reserve-col", metavar="COL",
                   help="as --reserve, each auction's reserve read from COL (long data)")
    d.add_argument("--potential-bidders", type=int, metavar="N",
                   help="with a reserve: the number of potential bidders of every auction "
                        "(first-price default: the largest number of bids in an auction, an "
                        "assumption the report states; ascending: none, bounds on the law "
                        "above the largest reserve)")
    d.add_argument("--potential-bidders-col", metavar="COL",
                   help="with a reserve: each auction's number of potential bidders from COL")
    d.add_argument("--uniform-band", action="store_true",
                   help="with --bids first-price: a uniform (sup-t, auction-bootstrap, "
                        "--data-boot resamples) confidence band for each N's value quantile "
                        "function on τ = 0.05-0.95")
    d.add_argument("--bandwidth", metavar="H|RULE",
                   help="GPV kernel bandwidth: a number (bid units) or a rule, silverman "
                        "(default) or scott")
    s = p.add_argument_group("which auctions")
    s.add_argument("--bidders", type=int, metavar="N",
                   help="analyse auctions with N bidders (default: every N with enough auctions)")
    s.add_argument("--subsample", type=int, default=0, metavar="D",
                   help="with --bidders N: also use auctions with more bidders, D random "
                        "N-subsets of each (seeded)")
    s.add_argument("--asymmetric", action="store_true",
                   help="with --bidders N: slots = the N most frequent bidders, one marginal each")
    s.add_argument("--min-auctions", type=int, default=30,
                   help="fewest auctions of a bidder count N to analyse it (default 30)")
    s.add_argument("--max-groups", type=int, default=6, help="at most this many N (default 6)")
    m = p.add_argument_group("analysis")
    m.add_argument("--mechanism", default="myerson",
                   help="engine mechanism (default myerson: optimal for the estimated marginals)")
    m.add_argument("--spectrum", choices=["auto", "grid", "mc", "pick-freeze"], default="auto",
                   help="grade spectrum: exact grid, mc (Monte Carlo, the most accurate: "
                   "same-set pick-freeze on scrambled Sobol' replicates), pick-freeze (the "
                   "earlier cross pick-freeze Monte Carlo) or auto (grid when fine enough, "
                   "else mc)")
    m.add_argument("--grid", type=int, metavar="K", help="grid points per bidder (default auto)")
    m.add_argument("--samples", type=int, default=20_000,
                   help="Monte Carlo spectrum samples (default 20000)")
    m.add_argument("--max-grade", type=int, default=4,
                   help="highest Monte Carlo grade (default 4)")
    m.add_argument("--target-rel-ci", type=float, default=None, metavar="T",
                   help="Monte Carlo spectrum: sample in chunks until every grade has CI half "
                        "width <= T*W_r (0 < T <= 1) or --samples is spent (default: fixed "
                        "--samples)")
    m.add_argument("--revenue-samples", type=int, default=100_000,
                   help="Monte Carlo profiles of a simulated revenue (identified bidders, a "
                        "mechanism other than myerson or second_price, or a buyer value; the "
                        "others are exact; default 100000)")
    m.add_argument("--data-boot", type=int, default=199, metavar="B",
                   help="auction-bootstrap resamples of the whole pipeline (first stage, GPV, "
                        "marginal, mechanism re-run on each): every revenue, cost and reserve "
                        "interval and the revenue-equivalence test (0 = no intervals; "
                        "default 199)")
    m.add_argument("--n-boot", type=int, default=1000, metavar="B",
                   help="bootstrap resamples of σ1/σ2 with identified bidders (--asymmetric; "
                        "default 1000)")
    m.add_argument("--boot", dest="n_boot", type=int, action=DeprecatedAlias, new="--n-boot")
    m.add_argument("--lp-grid", type=int, default=6, metavar="K",
                   help="grid points per bidder of the exact LP (default 6)")
    m.add_argument("--lp-max-bidders", type=int, default=5, metavar="N",
                   help="largest bidder count N for the exact grade-restricted LP (the "
                        "truncation loss in its exact sense; the LP grows like "
                        "C(K+N-2, N-1); default 5)")
    t = p.add_argument_group("specification tests (revenue equivalence, independence, symmetry)")
    t.add_argument("--no-tests", action="store_true", help="skip the specification tests")
    t.add_argument("--perm", type=int, default=499, metavar="P",
                   help="permutations of the independence test, which also give the spectral "
                        "ρ interval (and, with --asymmetric, of the symmetry test; default 499)")
    t.add_argument("--level", type=float, default=0.05,
                   help="significance level of the tests (default 0.05)")
    t.add_argument("--no-entry-test", action="store_true",
                   help="skip the exogenous-entry test (value laws equal across the analysed "
                        "N, Haile-Hong-Shum; run by default when two or more N are analysed, "
                        "p-value from --data-boot resamples)")
    r = p.add_argument_group("risk aversion (first-price bids; CRRA u(x) = x^θ, θ = 1 risk "
                             "neutral)")
    r.add_argument("--risk-aversion", choices=["crra"],
                   help="crra: estimate θ from the value quantiles' agreement across two or "
                        "more N (Guerre-Perrigne-Vuong), with an interval and a test of risk "
                        "neutrality; every inversion then uses the estimate")
    r.add_argument("--crra", type=float, metavar="THETA",
                   help="assume CRRA θ in (0, 1] for the inversion (v = b + θ·G/((N−1)g))")
    f = p.add_argument_group("correlated values (latent-factor model, when independence is "
                             "rejected)")
    f.add_argument("--factor-model", action="store_true",
                   help="fit the factor model even when independence is not rejected")
    f.add_argument("--factor-samples", type=int, metavar="S",
                   help="Monte Carlo auctions for its revenues (default 20 per auction, "
                        "20000-100000)")
    f.add_argument("--factor-boot", type=int, default=19, metavar="B",
                   help="re-fitted bootstrap replications of its revenues: at least 19 "
                        "(default 19: a normal interval on each revenue from the re-fits' "
                        "spread, 95%% coverage measured on simulated factor data; each re-fit "
                        "costs about 0.2 s of CPU at 1000 auctions) or 0 (none: the numbers "
                        "then carry only their Monte Carlo error given the fit, so labelled)")
    big = p.add_argument_group("bids beyond memory (a Parquet file, a folder of partitions)")
    big.add_argument("--stream", action="store_true",
                     help="two or three passes over the partitions, memory independent of the "
                          "rows: the first-price IPV block from every bid, the rest on a "
                          "seeded auction sample")
    big.add_argument("--executor", choices=EXECUTORS, default="inline",
                     help="--stream: where the partitions run: inline (this process), local "
                          "(--workers processes) or dask; same numbers on each")
    big.add_argument("--workers", type=int, default=1, metavar="W",
                     help="--stream: processes of the local/dask executor (default 1)")
    big.add_argument("--scheduler", metavar="ADDR",
                     help="--stream: a Dask scheduler's address (tcp://host:8786)")
    big.add_argument("--bins", type=int, default=16384, metavar="K",
                     help="--stream: histogram bins per N on the homogenised log bids (default "
                          "16384; the report gives the binning error)")
    big.add_argument("--sample-auctions", type=int, default=2000, metavar="A",
                     help="--stream: auctions in the seeded sample analysed in memory (default "
                          "2000; 0: none)")
    big.add_argument("--first-stage", choices=("resampled", "fixed"), default="resampled",
                     help="--stream with covariates: the bootstrap re-fits the homogenisation "
                          "regression in each replicate (default; one more pass) or holds it "
                          "fixed (faster; intervals without its sampling error, too narrow "
                          "with strong covariates)")
    o = p.add_argument_group("output")
    o.add_argument("--seed", type=int, default=0, help="seed (default 0): same seed, same numbers")
    o.add_argument("--json", action="store_true", help="print the report as JSON")
    o.add_argument("--plot", metavar="OUT.png", help="grade spectrum with CIs and the fit")
    o.add_argument("--quiet", action="store_true", help="no progress bar")
    add_budget_arguments(p)


def _increment(text):
    """--increment: a number when it reads as one, else a column or schedule name."""
    if text is None:
        return None
    try:
        return float(text)
    except ValueError:
        return text


_FLAGS = {"data": "data.csv"}  # API keywords whose flag has another name


def run(args) -> int:
    try:
        rep = latent.estimate_rho(
            args.data, format=args.format, auction_col=args.auction_col,
            bidder_col=args.bidder_col, bid_col=args.bid_col, item_col=args.item_col,
            where=args.where, lowest_wins=args.lowest_wins, normalize=args.normalize,
            buyer_value=args.buyer_value, decimal=args.decimal,
            keep_extreme_bids=args.keep_extreme_bids,
            covariates=args.covariates, fixed_effects=args.fixed_effects,
            first_stage_n=not args.no_first_stage_n,
            bidders=args.bidders, subsample=args.subsample, asymmetric=args.asymmetric,
            min_auctions=args.min_auctions, max_groups=args.max_groups, bids=args.bids,
            bandwidth=args.bandwidth, increment=_increment(args.increment),
            mechanism=args.mechanism, spectrum=args.spectrum,
            reserve=args.reserve, reserve_col=args.reserve_col,
            potential_bidders=args.potential_bidders,
            potential_bidders_col=args.potential_bidders_col, uniform_band=args.uniform_band,
            grid=args.grid, samples=args.samples, max_grade=args.max_grade,
            target_rel_ci=args.target_rel_ci,
            revenue_samples=args.revenue_samples, data_boot=args.data_boot, n_boot=args.n_boot,
            lp_grid=args.lp_grid, lp_max_bidders=args.lp_max_bidders, seed=args.seed,
            tests=not args.no_tests, perm=args.perm, cost_lower_bound=args.cost_lower_bound,
            level=args.level, factor_model=args.factor_model,
            factor_samples=args.factor_samples, factor_boot=args.factor_boot,
            entry_test=not args.no_entry_test, risk_aversion=args.risk_aversion,
            crra=args.crra, stream=args.stream, executor=args.executor,
            workers=args.workers, scheduler=args.scheduler, bins=args.bins,
            sample_auctions=args.sample_auctions, first_stage=args.first_stage,
            progress=False if (args.quiet or args.json) else None, **budget(args))
    except (ValueError, TypeError) as exc:  # DataError is a ValueError
        raise UsageError(flag_message(str(exc), _FLAGS)) from None
    if args.plot:
        ax = rep.plot()
        with atomic_path(args.plot) as tmp:
            ax.figure.savefig(tmp, dpi=120)
        print(f"plot written to {args.plot}", file=sys.stderr)
    if args.json:
        cli.output.print_json(rep)
    else:
        print(rep)
    return 0


def run_cli(argv=None, *, enforce_limits: bool = False) -> int:
    """Run ``python -m latent.estimate_rho ARGV``; returns the exit status (``enforce_limits``:
    see :func:`latent.cli.common.run_guarded`)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error already printed (2)
        return int(exc.code or 0)
    except KeyboardInterrupt:
        return entry.interrupted()
    return run_guarded(run, args, enforce_limits=enforce_limits)
