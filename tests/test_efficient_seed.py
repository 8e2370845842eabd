"""Seed 002 oracles: §3 (VCG 1, weakest type 2, optimal 4) and §4.3's stated edge costs."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from numerics.efficient import agent_payments, load_instance, parse_instance, seed_section3

F = Fraction
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "efficient_seed002_section3.json"


@pytest.mark.parametrize("source", ["python", "json"])
def test_section3_bidder1_pays_1_2_4(source):
    model = seed_section3() if source == "python" else load_instance(EXAMPLE)
    r = agent_payments(model, 0, ("optimal", "vcg", "weakest_type", "allocation"))
    assert r.allocation == "1:A, 2:B"
    assert (r.vcg, r.weakest_type, r.optimal) == (F(1), F(2), F(4))
    assert r.agree
    assert all(v.ok for v in r.verification.values())


def test_section3_graph_by_hand():
    # Rays: A-ray types (t,0,0), t >= 4, win A beside bidder 2 (welfare t + 3); B-ray types
    # (0,t,0) win B beside bidder 3 (welfare t + 1). So cost(s,A) = 7, cost(s,B) = 5,
    # cost(B->A) = min (t+3) - (0+1) = 6, cost(A->B) = min (t+1) - (0+3) = 2.
    r = agent_payments(seed_section3(), 0)
    names = r.outcome_names
    g = r.allocation_graph
    lab = {v: names[m[0]] for v, m in enumerate(g.members)}
    costs = {("s" if e.tail == -1 else lab[e.tail], lab[e.head]): e.cost for e in g.edges}
    assert costs == {
        ("s", "1:A, 2:B"): 7,
        ("s", "1:B, 3:A"): 5,
        ("1:B, 3:A", "1:A, 2:B"): 6,
        ("1:A, 2:B", "1:B, 3:A"): 2,
    }
    h = {lab[v]: g.h[v] for v in lab}
    assert h == {"1:A, 2:B": 7, "1:B, 3:A": 5}
    # bidder 1 pays 4 in either component ("if she wins either item she pays $4")
    assert h["1:A, 2:B"] - 3 == 4 and h["1:B, 3:A"] - 1 == 4


def test_section3_other_bidders_vcg_equals_wt_equals_optimal():
    # unrestricted (nonnegative) bidders: weakest type is the zero type, so WT = VCG = optimal;
    # bidder 2 wins B uncontested (pays 0), bidder 3 loses (pays 0)
    m = seed_section3()
    for i in (1, 2):
        r = agent_payments(m, i)
        assert r.vcg == r.weakest_type == r.optimal == 0


def _section43(row: int, report):
    """§4.3's Figure 1 is not in the text; these regions reproduce every number it states:
    row 1: Θ^A = [4,5]×[1,3]; row 2: Θ^A = [4,5]×[1,5]; both rows Θ^B = {1 ≤ a ≤ 2, a+3 ≤ b ≤ 6}
    (coordinates (v1(A), v1(B)); v1(AB) = 0)."""
    top = 3 if row == 1 else 5
    theta_a = {
        "label": "A",
        "lower": {"A": 4, "B": 1},
        "upper": {"A": 5, "B": top},
        "fixed": {"AB": 0},
    }
    theta_b = {
        "label": "B",
        "lower": {"A": 1},
        "upper": {"A": 2, "B": 6},
        "fixed": {"AB": 0},
        "constraints": [{"coef": {"B": 1, "A": -1}, "op": ">=", "rhs": 3}],
    }
    return parse_instance(
        {
            "items": ["A", "B"],
            "agents": [
                {
                    "name": "1",
                    "bundles": ["A", "B", "AB"],
                    "bids": report,
                    "type_space": [theta_a, theta_b],
                },
                {"name": "2", "bids": {"B": 3}},
                {"name": "3", "bids": {"A": 1}},
            ],
        }
    )


@pytest.mark.parametrize(
    "row, cost_ba, witness_ba, h_a, pay_a, pay_b",
    [(1, 3, (4, 3), 7, 4, 4), (2, 1, (4, 5), 6, 3, 4)],
)
def test_section43_stated_numbers(row, cost_ba, witness_ba, h_a, pay_a, pay_b):
    ra = agent_payments(_section43(row, {"A": 5, "B": 2}), 0)
    rb = agent_payments(_section43(row, {"A": 1, "B": 5}), 0)
    assert ra.allocation == "1:A, 2:B" and rb.allocation == "1:B, 3:A"
    g = ra.component_graph  # pieces are connected and disjoint: both graphs coincide
    a, b = (0, 1)
    cost = {(e.tail, e.head): e for e in g.edges}
    assert cost[-1, a].cost == 7 and cost[-1, b].cost == 5
    assert cost[a, b].cost == 1
    assert cost[b, a].cost == cost_ba and cost[b, a].witness[:2] == witness_ba
    assert g.h == (h_a, 5)
    assert ra.optimal == pay_a and rb.optimal == pay_b
    # vanilla WT: h = min{5, 7} = 5, paying 2 in Θ^A and 4 in Θ^B
    assert ra.weakest_type == 2 and rb.weakest_type == 4
    assert ra.agree and rb.agree
    assert ra.verification["optimal"].ok and rb.verification["optimal"].ok
