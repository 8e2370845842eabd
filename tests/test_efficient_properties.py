"""Properties of VCG / weakest type / optimal on random instances (seeded), with oracles:

* optimal ≥ weakest type ≥ VCG (types are nonnegative);
* optimal = weakest type when Θ_i is one convex polyhedron (connected);
* IC and IR hold exactly for all three rules, and the optimum is tight (raising any h breaks it);
* the allocation graph (Thm 4.3) and the component graph (Thm 4.6) agree;
* finite type spaces: h equals the optimum of the type-indexed LP solved directly by HiGHS;
* a finite subset of Θ_i can only raise the optimal payment.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from numerics.efficient import (
    Model,
    Polyhedron,
    agent_payments,
    combinatorial_auction,
    verify,
)
from numerics.efficient.graphs import activity, allocation_graph, components
from numerics.efficient.model import agent_view

F = Fraction
RULES = ("optimal", "vcg", "weakest_type", "allocation")


def _box(rng, dim, label):
    """A box with one favourite outcome valued high and the others low (an exclusivity-like
    piece: unions of such boxes are where the optimum beats weakest type)."""
    fav = int(rng.integers(0, dim))
    lo = rng.integers(0, 2, dim)
    lo[fav] = rng.integers(2, 9)
    width = rng.integers(0, 3, dim)
    ub = []
    for j in range(dim):
        ub.append(({j: F(-1)}, F(-int(lo[j]))))
        if j != fav or rng.random() < 0.85:  # sometimes unbounded above: a ray
            ub.append(({j: F(1)}, F(int(lo[j] + width[j]))))
    return Polyhedron(dim, tuple(ub), (), None, label), lo


def _space(rng, dim, kind):
    if kind == "points":
        pts = {tuple(int(v) for v in rng.integers(0, 7, dim)) for _ in range(rng.integers(1, 5))}
        return tuple(Polyhedron.from_point(p, f"pt{k}") for k, p in enumerate(sorted(pts)))
    n = 1 if kind == "one" else int(rng.integers(2, 4))
    return tuple(_box(rng, dim, f"box{k}")[0] for k in range(n))


def _report(rng, pieces):
    p = pieces[int(rng.integers(0, len(pieces)))]
    if p.point is not None:
        return p.point
    lo = [F(0)] * p.dim
    hi = [F(10)] * p.dim
    for row, b in p.ub:
        ((j, a),) = row.items()
        if a < 0:
            lo[j] = -b
        else:
            hi[j] = b
    return tuple(lo[j] + (hi[j] - lo[j]) * F(int(rng.integers(0, 3)), 2) for j in range(p.dim))


def random_explicit(seed: int, kind: str) -> Model:
    rng = np.random.default_rng(np.random.SeedSequence([7, seed]))
    m = int(rng.integers(2, 5))
    n = int(rng.integers(2, 4))
    outcomes = tuple(f"o{k}" for k in range(m))
    ident = tuple({j: F(1)} for j in range(m))
    spaces, reports = [], []
    for i in range(n):
        pieces = _space(rng, m, kind if i == 0 else str(rng.choice(["one", "many", "points"])))
        spaces.append(pieces)
        reports.append(_report(rng, pieces))
    return Model(
        outcomes,
        tuple(str(i + 1) for i in range(n)),
        (outcomes,) * n,
        (ident,) * n,
        tuple(reports),
        tuple(spaces),
    )


def random_auction(seed: int) -> Model:
    """Bidder 1 bids on exactly one of her bundles, at least a threshold (exclusivity, §2.2)."""
    rng = np.random.default_rng(np.random.SeedSequence([11, seed]))
    items = ("A", "B", "C")[: int(rng.integers(2, 4))]
    allb = [
        frozenset(c)
        for r in range(1, len(items) + 1)
        for c in __import__("itertools").combinations(items, r)
    ]
    own = [allb[k] for k in sorted(rng.choice(len(allb), size=min(3, len(allb)), replace=False))]
    pieces = []
    for s, b in enumerate(own):
        thr = int(rng.integers(1, 6))
        eq = tuple(({j: F(1)}, F(0)) for j in range(len(own)) if j != s)
        pieces.append(Polyhedron(len(own), (({s: F(-1)}, F(-thr)),), eq, None, f"only {s}"))
    s0 = int(rng.integers(0, len(own)))
    rep0 = tuple(
        F(int(-pieces[s0].ub[0][1]) + int(rng.integers(0, 4))) if j == s0 else F(0)
        for j in range(len(own))
    )
    bidders = [("1", own, rep0, tuple(pieces))]
    for k in range(int(rng.integers(1, 3))):
        bundles = [allb[int(rng.integers(0, len(allb)))]]
        bidders.append((str(k + 2), bundles, (F(int(rng.integers(0, 7))),), None))
    return combinatorial_auction(items, bidders)


def _check_agent(model: Model, i: int):
    r = agent_payments(model, i, RULES)
    view = model.view(i)
    # ordering of revenues (nonnegative types: the zero type is weakest for VCG)
    assert r.optimal >= r.weakest_type >= r.vcg
    assert r.agree
    for rule, v in r.verification.items():
        assert v.ok, (rule, v)
    # weakest type = min over the allocation graph's source edges, a second computation
    assert r.weakest_type + view.others[view.outcomes.index(model.efficient())] == min(
        e.cost for e in r.allocation_graph.edges if e.tail == -1
    )
    # tightness: raising any component's h by 1/7 breaks IC or IR (h is the pointwise maximum)
    active = activity(view)
    comps = components(view)
    comp_of = {p: c for c, ps in enumerate(comps) for p in ps}
    for c in range(len(comps)):
        h = list(r.component_graph.h)
        h[c] += F(1, 7)
        price = {(p, k): h[comp_of[p]] - view.others[k] for p, ks in enumerate(active) for k in ks}
        assert not verify(view, active, price).ok
    return r


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["one", "many"])
def test_random_polyhedral_instances(seed, kind):
    model = random_explicit(seed, kind)
    r = _check_agent(model, 0)
    if kind == "one":
        assert r.optimal == r.weakest_type


def test_random_families_include_strict_improvements_over_weakest_type():
    pays = [agent_payments(random_explicit(s, "many"), 0, ()) for s in range(12)]
    pays += [agent_payments(random_auction(s), 0, ()) for s in range(8)]
    # otherwise the property tests above would not exercise disconnected type spaces
    assert sum(r.optimal > r.weakest_type for r in pays) >= 3


@pytest.mark.parametrize("seed", range(8))
def test_random_auctions_with_exclusivity(seed):
    model = random_auction(seed)
    for i in range(model.n_agents):
        r = _check_agent(model, i)
        if i > 0:  # unrestricted nonnegative bidders: WT = VCG = optimal
            assert r.optimal == r.weakest_type == r.vcg


def _type_lp_oracle(model: Model, i: int):
    """Finite Θ_i: max Σ_t h_t s.t. h_t ≤ w(t), h_t − h_s ≤ w(t) − t(α(s)) − c(α(s)) (HiGHS)."""
    view = model.view(i)
    types = [p.point for p in view.pieces]
    w = [max(view.value(k, t) for k in range(len(view.outcomes))) for t in types]
    eff = [view.efficient(t) for t in types]
    rows, rhs = [], []
    for a, t in enumerate(types):
        row = np.zeros(len(types))
        row[a] = 1
        rows.append(row)
        rhs.append(float(w[a]))
        for b in range(len(types)):
            if a != b:
                row = np.zeros(len(types))
                row[a], row[b] = 1, -1
                rows.append(row)
                rhs.append(float(w[a] - view.value(eff[b], t)))
    res = linprog(
        -np.ones(len(types)),
        A_ub=np.array(rows),
        b_ub=np.array(rhs),
        bounds=(None, None),
        method="highs",
    )
    assert res.status == 0
    return types, res.x


@pytest.mark.parametrize("seed", range(10))
def test_finite_type_spaces_match_direct_lp(seed):
    model = random_explicit(seed, "points")
    r = _check_agent(model, 0)
    types, h = _type_lp_oracle(model, 0)
    comps = r.component_graph.members
    for c, members in enumerate(comps):
        for p in members:
            assert float(r.component_graph.h[c]) == pytest.approx(h[p], abs=1e-7)


@pytest.mark.parametrize("seed", range(6))
def test_finite_subset_can_only_raise_the_optimal_payment(seed):
    model = random_explicit(seed, "many")
    full = agent_payments(model, 0, ())
    pts = {model.reports[0]}
    for p in model.type_spaces[0]:
        lo = [-b for row, b in p.ub if next(iter(row.values())) < 0]
        hi = {next(iter(row)): b for row, b in p.ub if next(iter(row.values())) > 0}
        for corner in product(*[(lo[j], hi.get(j, lo[j] + 3)) for j in range(p.dim)]):
            pts.add(tuple(corner))
    sub = replace(
        model,
        type_spaces=(tuple(Polyhedron.from_point(q) for q in sorted(pts)), *model.type_spaces[1:]),
    )
    assert agent_payments(sub, 0, ()).optimal >= full.optimal


def test_ties_go_to_the_first_outcome_listed():
    # agent 1's types all tie between x and y (u_x = u_y); agent 2 is indifferent
    line = Polyhedron(2, (({0: F(-1)}, F(0)),), (({0: F(1), 1: F(-1)}, F(0)),), None, "tie")
    for order in (("x", "y"), ("y", "x")):
        ident = ({0: F(1)}, {1: F(1)})
        m = Model(
            order,
            ("1", "2"),
            (order, order),
            (ident, ident),
            ((F(2), F(2)), (F(0), F(0))),
            ((line,), (Polyhedron.from_point((0, 0)),)),
        )
        assert m.outcomes[m.efficient()] == order[0]
        r = agent_payments(m, 0)
        assert [r.outcome_names[k] for (k,) in r.allocation_graph.members] == [order[0]]


def test_unbounded_below_type_space_has_no_finite_optimum():
    # Θ_1 = {u ≤ 0}: w is unbounded below, so no efficient IR rule with finite payments exists
    neg = Polyhedron(2, (({0: F(1)}, F(0)), ({1: F(1)}, F(0))), (), None, "u <= 0")
    ident = ({0: F(1)}, {1: F(1)})
    m = Model(
        ("x", "y"),
        ("1", "2"),
        (("x", "y"),) * 2,
        (ident, ident),
        ((F(-1), F(0)), (F(1), F(2))),
        ((neg,), (Polyhedron.from_point((1, 2)),)),
    )
    r = agent_payments(m, 0)
    assert r.weakest_type == float("-inf") and r.optimal == float("-inf")
    assert r.vcg == 0 and "optimal" not in r.verification


@pytest.mark.parametrize("seed", range(3))
def test_class_reduction_matches_the_literal_graph_on_all_of_gamma(seed):
    # Thm 4.3 on all of Γ (no reduction): dominated outcomes have empty cells, the rest agree
    model = random_auction(seed)
    reduced = agent_view(model, 0)
    full = agent_view(model, 0, reduce=False)
    assert len(full.outcomes) == len(model.outcomes) > len(reduced.outcomes)
    g_red, g_full = allocation_graph(reduced), allocation_graph(full)
    h_red = {reduced.outcomes[k]: h for (k,), h in zip(g_red.members, g_red.h)}
    h_full = {full.outcomes[k]: h for (k,), h in zip(g_full.members, g_full.h)}
    assert h_red == h_full


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 3).flatmap(
        lambda m: st.tuples(
            st.lists(st.tuples(*[st.integers(0, 6)] * m), min_size=1, max_size=5, unique=True),
            st.tuples(*[st.integers(0, 6)] * m),
        )
    )
)
def test_hypothesis_finite_types_match_direct_lp(data):
    types, other = data
    m = len(other)
    outcomes = tuple(f"o{k}" for k in range(m))
    ident = tuple({j: F(1)} for j in range(m))
    model = Model(
        outcomes,
        ("1", "2"),
        (outcomes, outcomes),
        (ident, ident),
        (tuple(map(F, types[0])), tuple(map(F, other))),
        (tuple(Polyhedron.from_point(t) for t in types), (Polyhedron.from_point(other),)),
    )
    r = agent_payments(model, 0, ("optimal", "vcg", "weakest_type"))
    assert r.agree and all(v.ok for v in r.verification.values())
    assert r.optimal >= r.weakest_type >= r.vcg
    _, h = _type_lp_oracle(model, 0)
    for c, members in enumerate(r.component_graph.members):
        for p in members:
            assert float(r.component_graph.h[c]) == pytest.approx(h[p], abs=1e-7)
