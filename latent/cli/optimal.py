"""``python -m latent optimal``: exact revenue-optimal mechanisms for discrete settings
(a thin layer over :func:`latent.api.optimal.optimal`)."""

from __future__ import annotations

import argparse
from fractions import Fraction

import latent
from latent import cli
from latent.cli.common import add_budget_arguments, budget
from latent.cli.flags import DeprecatedAlias, flag_error

NAME = "optimal"
HELP = "exact revenue-optimal BIC/DSIC mechanism (Yao bi-valued or discrete iid), certified"
DESCRIPTION = """\
Revenue-optimal IR mechanism among BIC (default) or DSIC ones, for n iid additive bidders and m
iid items, solved as an LP with HiGHS and certified in exact rationals (the revenue printed as
p/q is a proven optimum when the certificate says "verified"). The LP is deterministic: there
is no seed.

Settings:
  yao       values in {a, b}, P(a) = p (the bi-valued setting of Yao, "Dominant-strategy versus
            Bayesian multi-item auctions", 2017); BIC uses the reduced LP with bidder and item
            symmetry and Border's constraints (any n, m <= 8); DSIC uses the ex-post LP
            (2^(n*m) <= 4096 profiles). Both BIC and DSIC are reported when feasible.
  discrete  each item value ~ --values discrete:V1,V2:P1,P2 (iid items and bidders); unit demand
            with --unit-demand (ex-post LP).
Compared with item-wise Myerson (Myerson 1981), grand-bundle Myerson and VCG (all exact)."""
EPILOG = """\
Examples:
  python -m latent optimal --setting yao --bidders 2 --items 2 --p 1/2 --a 1 --b 2
  python -m latent optimal --setting yao --bidders 2 --items 2 --p 1/2 --a 1 --b 2 --dsic --json
  python -m latent optimal --setting discrete --values discrete:1,2,3:1/3,1/3,1/3 --bidders 2

Deprecated spellings (accepted with a warning): --agents (use --bidders), --no-certify (use
--certify never), --seed (ignored: the LP is deterministic)."""


def _fraction(text: str) -> Fraction:
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError) as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--setting", choices=["yao", "discrete"], default="yao",
                        help="yao (bi-valued a/b) or discrete (--values); default yao")
    parser.add_argument("--bidders", type=int, default=2, help="number of bidders n")
    parser.add_argument("--items", type=int, default=2, help="number of items m")
    parser.add_argument("--p", type=_fraction, default=Fraction(1, 2), help="P(value = a)")
    parser.add_argument("--a", type=_fraction, default=Fraction(1), help="low value a")
    parser.add_argument("--b", type=_fraction, default=Fraction(2), help="high value b")
    parser.add_argument("--values", default=None, help="discrete:V1,..:P1,.. (setting discrete)")
    parser.add_argument("--dsic", action="store_true", help="optimise over DSIC mechanisms")
    parser.add_argument("--unit-demand", action="store_true", help="unit-demand buyers")
    parser.add_argument("--formulation", choices=["auto", "reduced", "expost"], default="auto",
                        help="reduced (Border, symmetric) or expost LP; auto picks by setting")
    parser.add_argument("--certify", choices=["auto", "always", "never"], default="auto",
                        help="exact certificate (never: skip it; auto = always here)")
    parser.add_argument(
        "--bundling-shift",
        action="store_true",
        help="one bidder: smallest value shift from which grand bundling is optimal",
    )
    parser.add_argument("--quiet", action="store_true",
                        help="accepted as by every subcommand (optimal prints no progress)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_budget_arguments(parser)
    parser.add_argument("--agents", dest="bidders", type=int, action=DeprecatedAlias,
                        new="--bidders")
    parser.add_argument("--no-certify", dest="certify", const="never", action=DeprecatedAlias,
                        new="--certify never")
    parser.add_argument("--seed", dest="_ignored_seed", action=DeprecatedAlias,
                        why=": the LP is deterministic")


def run(args) -> int:
    try:
        result = latent.optimal(setting=args.setting, bidders=args.bidders, items=args.items,
                                p=args.p, a=args.a, b=args.b, values=args.values, dsic=args.dsic,
                                unit_demand=args.unit_demand,
                                formulation=args.formulation, certify=args.certify,
                                bundling_shift=args.bundling_shift, **budget(args))
    except ValueError as exc:
        raise flag_error(exc) from exc
    if args.json:
        cli.output.print_json(result.to_dict())
    else:
        print(result)
    return 0
