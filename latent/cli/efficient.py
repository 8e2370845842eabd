"""``python -m latent efficient INSTANCE``: VCG, weakest-type and revenue-optimal payments
(a thin layer over :func:`latent.api.efficient.efficient`).

For each agent: the efficient allocation, the three payments (exact rationals), the allocation
graph and component graph with edge costs and shortest-path trees, whether they agree, and the
exact IC/IR verification of the optimal rule.
"""

from __future__ import annotations

import argparse
import sys

import latent
from latent import cli
from latent.cli.common import add_budget_arguments, budget
from latent.cli.flags import flag_error

NAME = "efficient"
HELP = "VCG, weakest-type and revenue-optimal efficient payments on general type spaces"
DESCRIPTION = (
    "Revenue-optimal efficient mechanism on disconnected (polyhedral or finite) type spaces: "
    "the optimal payments are shortest paths in the allocation graph (outcomes efficient "
    "somewhere on the agent's type space) and the component graph (connected pieces of the "
    "type space), whose edge costs are exact rational LPs. All payments are exact. The "
    "instance format is described in docs/efficient_instance_format.md."
)
EPILOG = """\
Example:
  python -m latent efficient examples/efficient_seed002_section3.json --agent 1
  python -m latent efficient examples/efficient_seed002_section3.json --json
  python -m latent efficient examples/efficient_seed002_section3.json --samples 200 --seed 7

--json keys: instance, outcomes, efficient_allocation, payments {agent: {vcg, weakest_type,
optimal}} (exact strings "p/q"), revenue {rule: exact}, agents [per-agent detail: graphs,
verification], expected_revenue (with --samples: mean and CI per rule).
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("instance", metavar="INSTANCE", help="instance file (.json or .toml)")
    parser.add_argument("--agent", help="only this agent (1-based index or name)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    parser.add_argument(
        "--verify-all",
        action="store_true",
        help="also verify VCG and weakest-type payments exactly (slower)",
    )
    parser.add_argument(
        "--samples",
        type=int,
        default=0,
        help="Monte Carlo draws from the instance's 'distribution' fields",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for --samples (default 0)")
    parser.add_argument("--plot", metavar="OUT.png", help="bar chart of the three payments")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    add_budget_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        result = latent.efficient(args.instance, agent=args.agent, verify_all=args.verify_all,
                           samples=args.samples, seed=args.seed,
                           progress=not args.quiet and sys.stderr.isatty(), **budget(args))
    except ValueError as exc:
        raise flag_error(exc) from None
    return cli.output.emit(result, json_output=args.json, plot=args.plot)
