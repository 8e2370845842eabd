"""Efficient mechanisms on general type spaces (seed 002): VCG, weakest type, revenue-optimal.

Agent i's type space is a finite union of convex polyhedra (or points); the optimal efficient
mechanism is the shortest-path solution of the allocation graph (Thm 4.3) or the component graph
(Thm 4.6), whose edge costs are exact LPs. See :func:`agent_payments`.
"""

from numerics.efficient.graphs import (
    allocation_graph,
    bellman_ford,
    component_graph,
    components,
)
from numerics.efficient.instance import (
    InstanceError,
    combinatorial_auction,
    load_instance,
    parse_instance,
    seed_section3,
)
from numerics.efficient.model import AgentView, Model, Polyhedron
from numerics.efficient.payments import AgentPayments, agent_payments, all_payments
from numerics.efficient.revenue import expected_revenue, profile_revenue
from numerics.efficient.verify import Verification, verify
from numerics.lp.exact_lp import LPResult, lp_min

__all__ = [
    "AgentPayments",
    "AgentView",
    "InstanceError",
    "LPResult",
    "Model",
    "Polyhedron",
    "Verification",
    "agent_payments",
    "all_payments",
    "allocation_graph",
    "bellman_ford",
    "combinatorial_auction",
    "component_graph",
    "components",
    "expected_revenue",
    "load_instance",
    "lp_min",
    "parse_instance",
    "profile_revenue",
    "seed_section3",
    "verify",
]
