"""Independent oracle for bounded boxes: vertex enumeration instead of LPs, Floyd–Warshall
instead of Bellman–Ford, centroids instead of slack LPs for the tie-broken cells.

For a polytope Q = box ∩ (closed efficiency region of α) in dimension ≤ 3, a linear function's
minimum is attained at a vertex (found by solving every d-subset of constraints exactly), and the
tie-broken cell is nonempty iff the centroid of Q's vertices wins strictly against every outcome
listed before α (a linear function ≥ 0 on Q that is > 0 somewhere is > 0 on Q's relative
interior).
"""

from __future__ import annotations

from fractions import Fraction
from itertools import combinations

import numpy as np
import pytest
import sympy

from numerics.efficient import Model, Polyhedron, agent_payments
from numerics.efficient.graphs import activity, allocation_graph, component_graph
from numerics.efficient.model import agent_view

F = Fraction
INF = float("inf")


def _vertices(rows, dim):
    verts = set()
    for subset in combinations(rows, dim):
        a = sympy.Matrix([[r.get(j, 0) for j in range(dim)] for r, _ in subset])
        if a.det() == 0:
            continue
        x = a.LUsolve(sympy.Matrix([b for _, b in subset]))
        pt = tuple(F(int(v.p), int(v.q)) for v in x)
        if all(sum(r.get(j, 0) * pt[j] for j in range(dim)) <= b for r, b in rows):
            verts.add(pt)
    return sorted(verts)


def _region_rows(view, k):
    rows = []
    for m in range(len(view.outcomes)):
        if m != k:
            row = {j: view.rows[m].get(j, 0) - view.rows[k].get(j, 0) for j in range(view.dim)}
            rows.append((row, view.others[k] - view.others[m]))
    return rows


def _oracle(view):
    """Cells, allocation-graph costs and h, by enumeration."""
    d = view.dim
    cells = {}
    for p, piece in enumerate(view.pieces):
        for k in range(len(view.outcomes)):
            verts = _vertices(list(piece.ub) + _region_rows(view, k), d)
            if not verts:
                continue
            centroid = tuple(sum(v[j] for v in verts) / len(verts) for j in range(d))
            if all(view.value(k, centroid) > view.value(m, centroid) for m in range(k)):
                cells[p, k] = verts
    act = sorted({k for _, k in cells})
    cost = {}
    for k in act:
        vs = [v for (p, kk), verts in cells.items() if kk == k for v in verts]
        cost["s", k] = min(view.value(k, v) for v in vs)
        for m in act:
            if m != k:
                cost[m, k] = min(view.value(k, v) - view.value(m, v) for v in vs)
    nodes = ["s", *act]
    dist = {(a, b): (F(0) if a == b else cost.get((a, b), INF)) for a in nodes for b in nodes}
    for via in nodes:  # Floyd–Warshall
        for a in nodes:
            for b in nodes:
                if dist[a, via] + dist[via, b] < dist[a, b]:
                    dist[a, b] = dist[a, via] + dist[via, b]
    return cells, cost, {k: dist["s", k] for k in act}


def _random_boxes(seed):
    rng = np.random.default_rng(np.random.SeedSequence([31, seed]))
    dim = int(rng.integers(2, 4))
    outcomes = tuple(f"o{k}" for k in range(dim))
    ident = tuple({j: F(1)} for j in range(dim))
    spaces, reports = [], []
    for i in range(2):
        pieces = []
        for b in range(int(rng.integers(1, 4)) if i == 0 else 1):
            fav = int(rng.integers(0, dim))
            lo = [int(x) for x in rng.integers(0, 3, dim)]
            lo[fav] = int(rng.integers(2, 8))
            hi = [v + int(rng.integers(0, 4)) for v in lo]
            ub = [({j: F(-1)}, F(-lo[j])) for j in range(dim)]
            ub += [({j: F(1)}, F(hi[j])) for j in range(dim)]
            pieces.append(Polyhedron(dim, tuple(ub), (), None, f"box{b}"))
            if b == 0:
                reports.append(tuple(F(v) for v in lo))
        spaces.append(tuple(pieces))
    return Model(outcomes, ("1", "2"), (outcomes,) * 2, (ident,) * 2, tuple(reports), tuple(spaces))


@pytest.mark.parametrize("seed", range(15))
def test_graph_matches_vertex_enumeration(seed):
    model = _random_boxes(seed)
    for reduce in (True, False):
        view = agent_view(model, 0, reduce)
        cells, cost, h = _oracle(view)
        act = activity(view)
        assert {(p, k) for p, ks in enumerate(act) for k in ks} == set(cells)
        g = allocation_graph(view, act)
        ours = {}
        for e in g.edges:
            head = g.members[e.head][0]
            tail = "s" if e.tail == -1 else g.members[e.tail][0]
            ours[tail, head] = e.cost
        assert ours == cost
        assert {m[0]: hv for m, hv in zip(g.members, g.h)} == h
        cg = component_graph(view, act)
        for c, ks in enumerate(cg.outcomes):
            assert all(cg.h[c] == h[k] for k in ks)
    r = agent_payments(model, 0)
    k_eff = model.view(0).outcomes.index(model.efficient())
    assert r.optimal == h[k_eff] - model.view(0).others[k_eff]
