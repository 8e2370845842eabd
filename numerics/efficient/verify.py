"""Exact IC/IR verification of a payment rule on Θ_i, by LP over every cell (not by sampling).

A cell is ``(piece p, outcome k)``: the types of piece p whose efficient outcome is α_k. The
rule charges a constant ``price[p, k]`` on each cell (every Groves-type rule here does). Then

* IR  ⇔ ``inf_{u ∈ cell(p,k)} v(α_k) − price[p,k] ≥ 0`` for every nonempty cell;
* IC  ⇔ ``inf_{u ∈ cell(p,k)} v(α_k) − v(α_m) ≥ price[p,k] − min_q price[q,m]`` for every
  nonempty cell (p, k) and every outcome m reachable by some report (cell (q, m) nonempty).

The infimum over a nonempty cell equals the minimum over its closure, an exact LP.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from numerics.efficient.model import AgentView, Polyhedron, json_number
from numerics.lp.exact_lp import lp_min
from numerics.lp.farkas import dot


@dataclass(frozen=True)
class Verification:
    """Result of :func:`verify`: worst slacks (≥ 0 means the property holds) and witnesses.

    ``ir_slack`` = min over types of utility; ``ic_slack`` = min over types and reports of
    truthful utility minus misreport utility. Witness types attain the minima (``None`` when
    the minimum is not attained, i.e. the slack is ``-inf``).
    """

    ir_ok: bool
    ic_ok: bool
    ir_slack: Fraction | float
    ic_slack: Fraction | float
    ir_witness: dict | None
    ic_witness: dict | None
    lp_count: int

    @property
    def ok(self) -> bool:
        return self.ir_ok and self.ic_ok

    def to_dict(self) -> dict:
        return {
            "ir": self.ir_ok,
            "ic": self.ic_ok,
            "ir_slack": json_number(self.ir_slack),
            "ic_slack": json_number(self.ic_slack),
            "ir_witness": self.ir_witness,
            "ic_witness": self.ic_witness,
            "lp_count": self.lp_count,
        }


def _cell_min(view: AgentView, piece: Polyhedron, k: int, obj: dict):
    if piece.point is not None:
        return dot(obj, piece.point), piece.point, 0
    res = lp_min(obj, view.dim, [*piece.ub, *view.region(k)], list(piece.eq))
    if res.status == "infeasible":  # the caller only passes nonempty cells
        raise ArithmeticError("verify: a cell reported nonempty has an empty closure")
    return res.inf, res.point, 1


def verify(view: AgentView, active, price: dict[tuple[int, int], Fraction]) -> Verification:
    """Check IC and IR exactly for the rule charging ``price[(p, k)]`` on cell (p, k).

    ``active[p]`` lists the outcomes k with a nonempty cell (p, k) (see
    :func:`numerics.efficient.graphs.activity`). Example: one agent, one outcome she values at
    u ∈ [1, 2], price 1 — IR holds with slack 0.

    >>> from numerics.efficient.model import AgentView, Polyhedron, json_number
    >>> one = Fraction(1)
    >>> box = Polyhedron(1, (({0: -one}, -one), ({0: one}, 2 * one)))
    >>> view = AgentView(0, 1, (0,), ({0: one},), (Fraction(0),), (box,))
    >>> verify(view, ((0,),), {(0, 0): one}).ir_slack
    Fraction(0, 1)
    """
    cheapest: dict[int, Fraction] = {}
    for (_, m), pr in price.items():
        cheapest[m] = min(pr, cheapest.get(m, pr))
    ir_slack, ic_slack = float("inf"), float("inf")
    ir_w = ic_w = None
    lps = 0
    for p, ks in enumerate(active):
        piece = view.pieces[p]
        for k in ks:
            val, pt, n = _cell_min(view, piece, k, view.rows[k])
            lps += n
            if val - price[p, k] < ir_slack:
                ir_slack = val - price[p, k]
                ir_w = {"piece": p, "outcome": k, "type": pt}
            for m, cm in cheapest.items():
                if m == k:
                    continue
                obj = view.row_difference(k, m)
                val, pt, n = _cell_min(view, piece, k, obj)
                lps += n
                slack = val - (price[p, k] - cm)
                if slack < ic_slack:
                    ic_slack = slack
                    ic_w = {"piece": p, "outcome": k, "type": pt, "report_outcome": m}
            # a report into another piece with the same outcome changes only the price
            if cheapest[k] - price[p, k] < min(ic_slack, 0):
                ic_slack = cheapest[k] - price[p, k]
                ic_w = {"piece": p, "outcome": k, "type": None, "report_outcome": k}
    if ic_slack == float("inf"):
        ic_slack = Fraction(0)
    return Verification(ir_slack >= 0, ic_slack >= 0, ir_slack, ic_slack, ir_w, ic_w, lps)
