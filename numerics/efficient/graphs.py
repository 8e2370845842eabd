"""The two shortest-path characterisations of the revenue-optimal efficient mechanism.

Allocation graph (seed 002, Thm 4.3): vertices ``s ∪ Γ``;
``cost(s, α) = inf_{Θ_i^α} w``, ``cost(β, α) = inf_{ṽ ∈ Θ_i^α} w(ṽ) − ṽ(β) − c(β)``.
Component graph (Thm 4.6): vertices ``s ∪ {connected components C}``;
``cost(s, C) = inf_C w``, ``cost(D, C) = inf_{ṽ ∈ C, β ∈ A(D)} w(ṽ) − ṽ(β) − c(β)`` where
``A(D)`` is the set of outcomes efficient somewhere on D. ``h`` = shortest-path distances from s.
Every infimum is an exact LP (:mod:`numerics.lp.exact_lp`); empty cells give no edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from numerics.efficient.model import AgentView, Polyhedron, cell_nonempty, json_number
from numerics.lp.exact_lp import lp_min
from numerics.lp.farkas import dot

SOURCE = -1
Cost = Fraction | float


@dataclass(frozen=True)
class ShortestPaths:
    """Exact single-source shortest paths: ``dist[v]``, tree ``parent[v]`` (``-1`` = none)."""

    dist: tuple[Cost, ...]
    parent: tuple[int, ...]
    negative_cycle: tuple[int, ...] | None = None

    def to_dict(self) -> dict:
        return {
            "dist": list(self.dist),
            "parent": list(self.parent),
            "negative_cycle": self.negative_cycle,
        }


def bellman_ford(n: int, edges, source: int = 0) -> ShortestPaths:
    """Bellman–Ford over exact costs (Fractions, ±inf); reports a negative cycle if reachable.

    >>> bellman_ford(3, [(0, 1, Fraction(2)), (1, 2, Fraction(-1)), (0, 2, Fraction(3))]).dist
    (Fraction(0, 1), Fraction(2, 1), Fraction(1, 1))
    >>> bellman_ford(3, [(0, 1, 1), (1, 2, -2), (2, 1, 1)]).negative_cycle
    (1, 2)
    """
    dist: list[Cost] = [float("inf")] * n
    parent = [-1] * n
    dist[source] = Fraction(0)
    for _ in range(max(n - 1, 1)):
        changed = False
        for u, v, c in edges:
            if dist[u] != float("inf") and dist[u] + c < dist[v]:
                dist[v], parent[v], changed = dist[u] + c, u, True
        if not changed:
            break
    for u, v, c in edges:
        if dist[u] != float("inf") and dist[u] + c < dist[v]:
            parent[v] = u
            x = v
            for _ in range(n):  # walk back n steps to land on the cycle
                x = parent[x]
            cycle, y = [x], parent[x]
            while y != x:
                cycle.append(y)
                y = parent[y]
            return ShortestPaths(tuple(dist), tuple(parent), tuple(sorted(cycle)))
    return ShortestPaths(tuple(dist), tuple(parent))


@dataclass(frozen=True)
class GraphEdge:
    """Edge ``tail → head`` (``tail = -1`` is s) with exact cost and a type attaining it."""

    tail: int
    head: int
    cost: Cost
    witness: tuple[Fraction, ...] | None

    def to_dict(self) -> dict:
        return {
            "tail": "s" if self.tail == SOURCE else self.tail,
            "head": self.head,
            "cost": self.cost if self.cost not in (float("inf"), float("-inf")) else str(self.cost),
            "witness": self.witness,
        }


@dataclass(frozen=True)
class OptimalGraph:
    """A characterisation's graph and its shortest-path solution ``h`` (one per vertex).

    ``kind`` is ``allocation`` (vertices = outcome positions in the view, ``members[v] = (k,)``)
    or ``component`` (``members[v]`` = piece indices). ``outcomes[v]`` lists the view positions
    efficient somewhere in vertex v; ``lp_count`` counts the LPs solved.
    """

    kind: str
    members: tuple[tuple[int, ...], ...]
    outcomes: tuple[tuple[int, ...], ...]
    edges: tuple[GraphEdge, ...]
    h: tuple[Cost, ...]
    parent: tuple[int, ...]
    lp_count: int

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "members": self.members,
            "outcomes": self.outcomes,
            "edges": [e.to_dict() for e in self.edges],
            "h": [json_number(x) for x in self.h],
            "parent": ["s" if p == SOURCE else p for p in self.parent],
            "lp_count": self.lp_count,
        }


def _lp_or_eval(view: AgentView, piece: Polyhedron, rows, obj, const, extra_dim: int):
    """``inf obj·(u, t) + const`` over piece ∩ rows; points are evaluated (t = w(point))."""
    if piece.point is not None:
        u = piece.point
        if extra_dim:
            u = (*u, max(view.value(k, u) for k in range(len(view.outcomes))))
        if not all(dot(r, u) <= b for r, b in rows):
            return float("inf"), None
        return dot(obj, u) + const, piece.point
    res = lp_min(obj, view.dim + extra_dim, [*piece.ub, *rows], list(piece.eq), const)
    if res.status == "optimal":
        return res.value, res.point[: view.dim]
    return res.inf, None


def activity(view: AgentView) -> tuple[tuple[int, ...], ...]:
    """For each piece, the view positions k whose cell ``piece ∩ {α_eff = α_k}`` is nonempty.

    >>> from numerics.efficient.instance import seed_section3
    >>> activity(seed_section3().view(0))  # ray A → (1:A, 2:B), ray B → (1:B, 3:A)
    ((1,), (2,))
    """
    return tuple(
        tuple(k for k in range(len(view.outcomes)) if cell_nonempty(view, p, k))
        for p in view.pieces
    )


def _solve(kind, members, outcomes, edges, lp_count) -> OptimalGraph:
    n = len(members)
    sp = bellman_ford(n + 1, [(e.tail + 1, e.head + 1, e.cost) for e in edges], 0)
    if sp.negative_cycle is not None:  # impossible here: every non-source edge cost is ≥ 0
        raise ArithmeticError(f"negative cycle in the {kind} graph: {sp.negative_cycle}")
    return OptimalGraph(
        kind,
        tuple(members),
        tuple(outcomes),
        tuple(edges),
        sp.dist[1:],
        tuple(p - 1 for p in sp.parent[1:]),
        lp_count,
    )


def _better(best, cand):
    return cand if best is None or cand[0] < best[0] else best


def allocation_graph(view: AgentView, active=None) -> OptimalGraph:
    """Thm 4.3's graph on the outcomes efficient somewhere on Θ_i, solved exactly.

    >>> from numerics.efficient.instance import seed_section3
    >>> allocation_graph(seed_section3().view(0)).h  # h^A = 7, h^B = 5 (seed §4.3)
    (Fraction(7, 1), Fraction(5, 1))
    """
    active = activity(view) if active is None else active
    verts = sorted({k for ks in active for k in ks})
    lp_count = sum(len(view.outcomes) for p in view.pieces if p.point is None)
    edges = []
    for hv, k in enumerate(verts):
        pieces = [p for p, ks in zip(view.pieces, active, strict=True) if k in ks]
        region = view.region(k)
        best = None
        for p in pieces:
            best = _better(best, _lp_or_eval(view, p, region, view.rows[k], view.others[k], 0))
            lp_count += p.point is None
        edges.append(GraphEdge(SOURCE, hv, best[0], best[1]))
        for tv, m in enumerate(verts):
            if m == k:
                continue
            obj = view.row_difference(k, m)
            best = None
            for p in pieces:
                cand = _lp_or_eval(view, p, region, obj, view.others[k] - view.others[m], 0)
                best = _better(best, cand)
                lp_count += p.point is None
            edges.append(GraphEdge(tv, hv, best[0], best[1]))
    return _solve("allocation", [(k,) for k in verts], [(k,) for k in verts], edges, lp_count)


def components(view: AgentView) -> tuple[tuple[int, ...], ...]:
    """Connected components of ``Θ_i``: pieces are convex and closed, so two pieces are in one
    component iff they are linked by a chain of pairwise intersecting pieces.

    >>> from numerics.efficient.instance import seed_section3
    >>> components(seed_section3().view(0))  # the two rays are disjoint
    ((0,), (1,))
    """
    parent = list(range(len(view.pieces)))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a in range(len(view.pieces)):
        for b in range(a + 1, len(view.pieces)):
            if find(a) != find(b) and view.pieces[a].intersects(view.pieces[b]):
                parent[find(a)] = find(b)
    groups: dict[int, list[int]] = {}
    for a in range(len(view.pieces)):
        groups.setdefault(find(a), []).append(a)
    return tuple(tuple(g) for g in sorted(groups.values()))


def component_graph(view: AgentView, active=None, comps=None) -> OptimalGraph:
    """Thm 4.6's graph on the connected components of Θ_i, solved exactly.

    >>> from numerics.efficient.instance import seed_section3
    >>> [(e.tail, e.head, int(e.cost)) for e in component_graph(seed_section3().view(0)).edges]
    [(-1, 0, 7), (1, 0, 6), (-1, 1, 5), (0, 1, 2)]
    """
    active = activity(view) if active is None else active
    comps = components(view) if comps is None else comps
    lp_count = sum(len(view.outcomes) for p in view.pieces if p.point is None)
    reach = [tuple(sorted({k for p in comp for k in active[p]})) for comp in comps]
    epi = view.epigraph()
    t = {view.dim: Fraction(1)}
    edges = []
    for hv, comp in enumerate(comps):
        best = None
        for p in comp:
            best = _better(best, _lp_or_eval(view, view.pieces[p], epi, t, Fraction(0), 1))
            lp_count += view.pieces[p].point is None
        edges.append(GraphEdge(SOURCE, hv, best[0], best[1]))
        for tv in range(len(comps)):
            if tv == hv:
                continue
            best = None
            for m in reach[tv]:
                obj = {**t, **{j: -a for j, a in view.rows[m].items()}}
                for p in comp:
                    cand = _lp_or_eval(view, view.pieces[p], epi, obj, -view.others[m], 1)
                    best = _better(best, cand)
                    lp_count += view.pieces[p].point is None
            edges.append(GraphEdge(tv, hv, best[0], best[1]))
    return _solve("component", comps, reach, edges, lp_count)
