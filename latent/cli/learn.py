"""``python -m latent learn``: optimise truthful mechanism families on samples, audit held out
(a thin layer over :func:`latent.api.learn.learn`)."""

from __future__ import annotations

import sys
import warnings

import latent
from latent import cli
from latent.cli.choices import FAMILIES
from latent.cli.common import add_budget_arguments, budget
from latent.cli.flags import flag_error
from numerics.registry import VALUATIONS

NAME = "learn"
HELP = "optimise DSIC auction families (reserves, affine maximizers, lookahead, posted prices)"
DESCRIPTION = """Optimise single-item mechanism families that are dominant-strategy truthful and
ex-post IR for EVERY parameter value (threshold rules): second price with per-bidder reserves,
affine maximizer auctions, the lookahead auction (conditional law from the model: latent-factor
posterior, or the marginals for independent bidders), posted price and sequential posted prices.
A sweep of --trials trials (families in turn; optimiser hyperparameters by random search, or
Optuna with --sampler optuna when installed) fits each family on a training sample (smoothed
revenue, scipy.optimize), scores it on a validation sample and logs every trial to SQLite
(--storage; resumable: rerunning skips logged trials). The best trial of each family is then
audited on a held-out test sample next to Vickrey and Myerson (1981) on the marginals: revenue,
efficiency, IR violations and ex-post regret (own utility, misreports over the whole support,
resolution reported), every mean with a 95% CI. --spectrum adds the grade spectrum and ρ of
each allocation rule (Monte Carlo, w.r.t. the product of the marginals).

Distributions (--values): as `simulate` (uniform, exponential, hetero, mixture:..., latent[:D:
SIGMA_Z:SIGMA_EPS:W_SEED], one spec per bidder separated by ';', ...)."""
EPILOG = """Example:
  python -m latent learn --values uniform --bidders 4 --trials 10 --seed 1 --json
  python -m latent learn --values latent:1:1:0.05:1 --bidders 4 --trials 10 \\
      --storage sqlite:///runs.db --export-csv runs.csv --spectrum --plot learn.png"""


def add_arguments(parser) -> None:
    parser.add_argument("--values", required=True, metavar="DIST",
                        help=f"value distribution, {VALUATIONS.choices_help()}")
    parser.add_argument("--bidders", type=int, required=True, metavar="N",
                        help="number of bidders (required)")
    parser.add_argument("--trials", type=int, default=10, metavar="T",
                        help="sweep trials (families in turn; default 10)")
    parser.add_argument("--families", default=",".join(FAMILIES),
                        help=f"comma-separated subset of: {', '.join(FAMILIES)}")
    parser.add_argument("--storage", default=":memory:", metavar="sqlite:///FILE.db",
                        help="SQLite log of the trials (default: in memory, not kept); FILE is a "
                             "path (no URI parameters); several runs may share it at once")
    parser.add_argument("--sampler", choices=["random", "optuna"], default="random",
                        help="hyperparameter search (optuna: optional dependency)")
    parser.add_argument("--train", type=int, default=20_000, help="training profiles")
    parser.add_argument("--valid", type=int, default=50_000, help="validation profiles")
    parser.add_argument("--test-samples", type=int, default=100_000, help="test profiles")
    parser.add_argument("--regret-samples", type=int, default=2_000,
                        help="profiles for the regret search (0: skip)")
    parser.add_argument("--no-baselines", action="store_true", help="skip Vickrey and Myerson")
    parser.add_argument("--spectrum", action="store_true",
                        help="grade spectrum and ρ of each allocation rule")
    parser.add_argument("--spectrum-samples", type=int, default=20_000,
                        help="Monte Carlo samples of --spectrum (default 20000)")
    parser.add_argument("--export-csv", default=None, metavar="FILE.csv", help="trials as CSV")
    parser.add_argument("--export-json", default=None, metavar="FILE.json",
                        help="trials as JSON")
    parser.add_argument("--plot", default=None, metavar="OUT.png", help="revenue bar chart")
    parser.add_argument("--seed", type=int, default=0, help="sampling seed (default 0)")
    parser.add_argument("--taste-seed", type=int, default=0, metavar="K",
                        help="seed of the latent-factor tastes w (default 0; fixed model)")
    parser.add_argument("--workers", type=int, default=1,
                        help="processes for the held-out audit (default 1)")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_budget_arguments(parser)


def run(args) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = latent.learn(
                values=args.values, bidders=args.bidders, trials=args.trials,
                families=args.families, storage=args.storage, sampler=args.sampler,
                train=args.train, valid=args.valid, test_samples=args.test_samples,
                regret_samples=args.regret_samples, baselines=not args.no_baselines,
                spectrum=args.spectrum, spectrum_samples=args.spectrum_samples,
                export_csv=args.export_csv, export_json=args.export_json, seed=args.seed,
                taste_seed=args.taste_seed,
                workers=args.workers, progress=not args.quiet and sys.stderr.isatty(),
                **budget(args))
        except ValueError as exc:
            raise flag_error(exc) from exc
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    return cli.output.emit(result, json_output=args.json, plot=args.plot)
