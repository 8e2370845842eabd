"""``python -m latent efficient INSTANCE``: VCG, weakest-type and revenue-optimal payments.

For each agent: the efficient allocation, the three payments (exact rationals), the allocation
graph (seed 002 Thm 4.3) and component graph (Thm 4.6) with edge costs and shortest-path trees,
whether they agree, and the exact IC/IR verification of the optimal rule.
"""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction

import numpy as np
from tqdm import tqdm

from latent.cli.common import UsageError, print_json
from numerics.efficient import InstanceError, agent_payments, load_instance
from numerics.efficient.revenue import expected_revenue, samplers_from_instance
from numerics.valuations import parse_valuation

NAME = "efficient"
HELP = "VCG, weakest-type and revenue-optimal efficient payments on general type spaces"
DESCRIPTION = (
    "Revenue-optimal efficient mechanism on disconnected (polyhedral or finite) type spaces "
    "(seed 002): edge costs are exact rational LPs, payments come from shortest paths. All "
    "payments are exact. The instance format is described in docs/efficient_instance_format.md."
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


def _fmt(x) -> str:
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    if isinstance(x, float):
        return "+inf" if x > 0 else "-inf"
    if isinstance(x, tuple | list):
        return "(" + ", ".join(_fmt(v) for v in x) + ")"
    return str(x)


def _select(model, agent: str | None) -> list[int]:
    if agent is None:
        return list(range(model.n_agents))
    if agent in model.agents:
        return [model.agents.index(agent)]
    if agent.isdigit() and 1 <= int(agent) <= model.n_agents:
        return [int(agent) - 1]
    raise UsageError(f"--agent: no agent {agent!r} (agents: {', '.join(model.agents)})")


def _graph_text(g, label) -> list[str]:
    lines = []
    for e in g.edges:
        tail = "s" if e.tail == -1 else label(e.tail)
        tree = "  *tree*" if g.parent[e.head] == e.tail else ""
        wit = f"  at type {_fmt(e.witness)}" if e.witness is not None else ""
        lines.append(f"      {tail} -> {label(e.head)}: cost {_fmt(e.cost)}{wit}{tree}")
    lines.append("      h: " + ", ".join(f"{label(v)} = {_fmt(h)}" for v, h in enumerate(g.h)))
    return lines


def _agent_text(model, r) -> list[str]:
    out = [
        f"agent {r.agent}: efficient allocation [{r.allocation}]",
        f"  payments (exact): VCG {_fmt(r.vcg)}   weakest type {_fmt(r.weakest_type)}   "
        f"optimal {_fmt(r.optimal)}",
    ]
    names = r.outcome_names
    ag = r.allocation_graph
    out.append(
        f"  allocation graph (Thm 4.3), {len(ag.members)} outcomes efficient on Θ_i, "
        f"{ag.lp_count} LPs (*tree* = shortest-path tree edge):"
    )
    out += _graph_text(ag, lambda v: f"[{names[ag.members[v][0]]}]")
    cg = r.component_graph
    i = model.agents.index(r.agent)
    pieces = model.type_spaces[i]
    out.append(f"  component graph (Thm 4.6), {len(cg.members)} components, {cg.lp_count} LPs:")
    for v, (members, ks) in enumerate(zip(cg.members, cg.outcomes, strict=True)):
        labels = ", ".join(pieces[p].label or f"piece {p}" for p in members)
        outs = "; ".join(names[k] for k in ks)
        mark = "  (report)" if v == r.report_component else ""
        out.append(f"      C{v} = {{{labels}}}: efficient outcomes [{outs}]{mark}")
    out += _graph_text(cg, lambda v: f"C{v}")
    out.append(f"  characterisations agree (h^α = h^C on every cell): {'yes' if r.agree else 'NO'}")
    if r.optimal == float("-inf"):
        out.append(
            "  note: inf of w over Θ_i is -inf, so no efficient IC + IR rule with finite "
            "payments exists for this agent (verification skipped)"
        )
    for rule, v in r.verification.items():
        out.append(
            f"  {rule}: IR {'ok' if v.ir_ok else 'VIOLATED'} (min utility "
            f"{_fmt(v.ir_slack)}), IC {'ok' if v.ic_ok else 'VIOLATED'} (min gain "
            f"margin {_fmt(v.ic_slack)}); exact, {v.lp_count} LPs over Θ_i"
        )
    return out


def _plot(path: str, results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.arange(len(results))
    fig, ax = plt.subplots(figsize=(max(4, 1.5 * len(results)), 3))
    for k, rule in enumerate(("vcg", "weakest_type", "optimal")):
        vals = [float(getattr(r, rule)) for r in results]
        vals = [v if np.isfinite(v) else np.nan for v in vals]  # -inf: no finite mechanism
        ax.bar(x + (k - 1) * 0.27, vals, 0.27, label=rule.replace("_", " "))
    ax.set_xticks(x, [r.agent for r in results])
    ax.set_xlabel("agent")
    ax.set_ylabel("payment (exact)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def run(args: argparse.Namespace) -> int:
    try:
        model = load_instance(args.instance)
    except InstanceError as exc:
        raise UsageError(str(exc)) from None
    except UnicodeDecodeError:
        raise UsageError(f"{args.instance}: not a text file") from None
    if args.samples < 0:
        raise UsageError("--samples: must be nonnegative")
    agents = _select(model, args.agent)
    rules = ("optimal", "vcg", "weakest_type") if args.verify_all else ("optimal",)
    quiet = args.quiet or not sys.stderr.isatty()
    results = [
        agent_payments(model, i, rules)
        for i in tqdm(agents, desc="agents", disable=quiet, leave=False)
    ]
    revenue = {
        rule: sum((getattr(r, rule) for r in results), Fraction(0))
        for rule in ("vcg", "weakest_type", "optimal")
    }
    estimate = None
    if args.samples:
        try:
            samplers = samplers_from_instance(model, parse_valuation)
        except InstanceError as exc:
            raise UsageError(str(exc)) from None
        if all(s is None for s in samplers):
            raise UsageError("--samples: the instance has no 'distribution' field")
        bar = tqdm(total=args.samples, desc="samples", disable=quiet, leave=False)
        try:
            estimate = expected_revenue(
                model, samplers, args.samples, args.seed, progress=bar.update
            )
        except ValueError as exc:
            raise UsageError(f"--samples: {exc}") from None
        finally:
            bar.close()
    if args.plot:
        _plot(args.plot, results)
    if args.json:
        print_json(
            {
                "instance": str(args.instance),
                "outcomes": list(model.outcomes),
                "efficient_allocation": model.outcomes[model.efficient()],
                "payments": {
                    r.agent: {
                        "vcg": r.vcg,
                        "weakest_type": _jnum(r.weakest_type),
                        "optimal": _jnum(r.optimal),
                    }
                    for r in results
                },
                "revenue": {k: _jnum(v) for k, v in revenue.items()},
                "agents": [r.to_dict() for r in results],
                "expected_revenue": estimate.to_dict() if estimate else None,
            }
        )
        return 0
    lines = []
    for r in results:
        lines += _agent_text(model, r) + [""]
    lines.append(
        "revenue of the agents shown (exact): "
        + "   ".join(f"{k.replace('_', ' ')} {_fmt(v)}" for k, v in revenue.items())
    )
    if estimate is not None:
        lines.append(
            f"expected revenue, all agents, {estimate.n_samples} draws (seed "
            f"{estimate.seed}, {int(estimate.level * 100)}% t-CI; {estimate.rejected} "
            "draws outside Θ redrawn):"
        )
        for k in ("vcg", "weakest_type", "optimal"):
            lo, hi = estimate.ci[k]
            lines.append(
                f"  {k.replace('_', ' '):>12}: {estimate.mean[k]:.4f}  [{lo:.4f}, {hi:.4f}]"
            )
    print("\n".join(lines))
    return 0


def _jnum(x):
    return str(x) if isinstance(x, float) else x
