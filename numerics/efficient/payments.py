"""VCG (Clarke pivot), weakest-type and revenue-optimal efficient payments for one agent.

All three are (generalised) Groves rules ``p_i = h − Σ_{j≠i} v_j(α_eff)``:
VCG ``h = w(0, v_{−i})``; weakest type ``h = inf_{ṽ ∈ Θ_i} w(ṽ, v_{−i})``; optimal
``h = h_i^{α_eff}`` (allocation graph) ``= h_i^{C(v_i)}`` (component graph), seed 002 §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from numerics.efficient.graphs import (
    OptimalGraph,
    activity,
    allocation_graph,
    component_graph,
    components,
)
from numerics.efficient.model import Model, json_number
from numerics.efficient.verify import Verification, verify

NEG_INF = float("-inf")


@dataclass(frozen=True)
class AgentPayments:
    """Agent i's payments under the three rules, the two graphs and the exact IC/IR checks.

    ``optimal`` is ``-inf`` when ``inf_{Θ_i} w = −∞`` (then no efficient IC + IR rule with finite
    payments exists). ``agree`` says whether ``h^α = h^C`` for every outcome α efficient
    somewhere in component C. ``verification`` maps rule name to its exact IC/IR check.
    """

    agent: str
    allocation: str
    vcg: Fraction
    weakest_type: Fraction | float
    optimal: Fraction | float
    report_component: int
    allocation_graph: OptimalGraph
    component_graph: OptimalGraph
    agree: bool
    verification: dict[str, Verification]
    outcome_names: tuple[str, ...]

    def to_dict(self) -> dict:
        return {
            "agent": self.agent,
            "allocation": self.allocation,
            "payments": {
                "vcg": self.vcg,
                "weakest_type": json_number(self.weakest_type),
                "optimal": json_number(self.optimal),
            },
            "report_component": self.report_component,
            "outcomes": list(self.outcome_names),
            "allocation_graph": {
                "nodes": [self.outcome_names[k] for (k,) in self.allocation_graph.members],
                **self.allocation_graph.to_dict(),
            },
            "component_graph": {
                "nodes": [f"C{c}" for c in range(len(self.component_graph.members))],
                **self.component_graph.to_dict(),
            },
            "characterisations_agree": self.agree,
            "verification": {k: v.to_dict() for k, v in self.verification.items()},
        }


def agent_payments(model: Model, i: int, verify_rules=("optimal",)) -> AgentPayments:
    """Compute agent i's VCG, weakest-type and optimal payments exactly (seed 002, §2–§4).

    >>> from numerics.efficient.instance import seed_section3
    >>> r = agent_payments(seed_section3(), 0)
    >>> (r.vcg, r.weakest_type, r.optimal)
    (Fraction(1, 1), Fraction(2, 1), Fraction(4, 1))
    """
    view = model.view(i)
    report = model.reports[i]
    home = [p for p, piece in enumerate(view.pieces) if piece.contains(report)]
    if not home:
        raise ValueError(f"agent {model.agents[i]!r}: the report is not in the type space")
    eff = model.efficient()
    k_eff = view.outcomes.index(eff)
    c_eff = view.others[k_eff]
    active = activity(view)
    comps = components(view)
    alloc = allocation_graph(view, active)
    comp = component_graph(view, active, comps)
    comp_of = {p: ci for ci, members in enumerate(comps) for p in members}
    agree = all(
        alloc.h[alloc.members.index((k,))] == comp.h[ci]
        for ci, ks in enumerate(comp.outcomes)
        for k in ks
    )
    h_wt = min(e.cost for e in comp.edges if e.tail == -1)
    h_vcg = max(view.others)
    c_home = comp_of[home[0]]
    h_opt = comp.h[c_home]

    def prices(kind):
        out = {}
        for p, ks in enumerate(active):
            for k in ks:
                h = {
                    "vcg": h_vcg,
                    "weakest_type": h_wt,
                    "optimal": comp.h[comp_of[p]],
                    "allocation": alloc.h[alloc.members.index((k,))],
                }[kind]
                out[p, k] = h - view.others[k]
        return out

    checks = {}
    for rule in verify_rules:
        if rule == "vcg" or NEG_INF not in (h_wt, h_opt):
            checks[rule] = verify(view, active, prices(rule))
    return AgentPayments(
        agent=model.agents[i],
        allocation=model.outcomes[eff],
        vcg=h_vcg - c_eff,
        weakest_type=h_wt - c_eff,
        optimal=h_opt - c_eff,
        report_component=c_home,
        allocation_graph=alloc,
        component_graph=comp,
        agree=agree,
        verification=checks,
        outcome_names=tuple(model.outcomes[a] for a in view.outcomes),
    )


def all_payments(model: Model, verify_rules=("optimal",)) -> tuple[AgentPayments, ...]:
    """:func:`agent_payments` for every agent.

    >>> from numerics.efficient.instance import seed_section3
    >>> [str(r.optimal) for r in all_payments(seed_section3(), ())]
    ['4', '0', '0']
    """
    return tuple(agent_payments(model, i, verify_rules) for i in range(model.n_agents))
