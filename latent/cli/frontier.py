"""``python -m latent frontier``: the revenue–grade frontier Rev^(R), R = 1..N (exact LPs;
a thin layer over :func:`latent.api.frontier.frontier`)."""

from __future__ import annotations

import argparse
import sys

import latent
from latent import cli
from latent.cli.common import add_budget_arguments, budget
from latent.cli.flags import DeprecatedAlias, flag_error

NAME = "frontier"
HELP = "revenue-grade frontier: best revenue of grade-<=R mechanisms vs the optimum (exact LP)"
DESCRIPTION = """\
For N iid bidders whose values (per item, additive) are discretised to K grid points, Rev^(R)
is the best revenue of a feasible, BIC, IR mechanism whose allocation rule has ANOVA grade <= R
(a sum of functions of at most R bidders' types), computed as an LP with bidder symmetry.
Reported for R = 1..N with Rev* (Myerson 1981, exact, for one item; the reduced Border LP for
several), the loss Rev* - Rev^(R) and the ratio Rev^(R)/Rev*: the revenue lost by truncating a
mechanism to grade R (the truncation theorem of the Latent mechanism design paper), on the
grid. Grid values are quantile midpoints rounded to 1e-4 (discrete laws are kept exact).
Revenues are exact ("p/q") when the certificate is verified. The LPs are deterministic: there
is no seed."""
EPILOG = """\
Examples:
  python -m latent frontier --bidders 3 --values uniform --grid 4
  python -m latent frontier --bidders 6 --values uniform --grid 8 --json --plot frontier.png
  python -m latent frontier --bidders 3 --values discrete:1,2,3:1/3,1/3,1/3 --grid 3 --items 2

Deprecated (accepted with a warning): --seed (ignored: the LP is deterministic)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bidders", type=int, required=True, help="number of bidders N")
    parser.add_argument(
        "--values",
        default="uniform",
        help="value law per item (as in simulate: uniform, exponential, ...; or discrete:...)",
    )
    parser.add_argument("--grid", type=int, default=8, help="grid points K per bidder and item")
    parser.add_argument("--items", type=int, default=1, help="number of items M (additive)")
    parser.add_argument("--grades", default=None, help="comma-separated grades (default 1..N)")
    parser.add_argument(
        "--certify",
        choices=["auto", "always", "never"],
        default="auto",
        help="exact certificates: auto = when the LP has <= 3000 rows",
    )
    parser.add_argument("--plot", default=None, help="write a plot (PNG) to this path")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    add_budget_arguments(parser)
    parser.add_argument("--seed", dest="_ignored_seed", action=DeprecatedAlias,
                        why=": the LP is deterministic")


def run(args) -> int:
    try:
        result = latent.frontier(bidders=args.bidders, values=args.values, grid=args.grid,
                          items=args.items, grades=args.grades, certify=args.certify,
                          progress=not args.quiet and sys.stderr.isatty(), **budget(args))
    except ValueError as exc:
        raise flag_error(exc) from exc
    return cli.output.emit(result, json_output=args.json, plot=args.plot)
