"""Outcomes Γ, agents' reports, polyhedral type spaces, tie-breaking and the agent-i view.

Agent i's type is ``v_i = L_i u`` with ``u ∈ R^{d_i}`` its coordinates (``L_i = I`` when the
coordinates are the outcomes themselves; for combinatorial auctions ``u`` is the vector of bundle
values and ``v_i(α) = u[bundle_i(α)]``). The type space ``Θ_i`` is a finite union of convex
polyhedra ``{u : A u ≤ b, E u = d}`` (points are one-point polyhedra). Ties in
``argmax_α Σ_j v_j(α)`` go to the outcome listed first in Γ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from numerics.lp.exact_lp import Constraint, Row, feasible, lp_min
from numerics.lp.farkas import dot

ZERO = Fraction(0)


@dataclass(frozen=True)
class Polyhedron:
    """``{u ∈ R^dim : a·u ≤ b (ub), e·u = f (eq)}``; ``point`` is set for a singleton.

    >>> p = Polyhedron.from_point((Fraction(1), Fraction(2)))
    >>> p.contains((Fraction(1), Fraction(2))), p.contains((Fraction(1), Fraction(3)))
    (True, False)
    """

    dim: int
    ub: tuple[Constraint, ...] = ()
    eq: tuple[Constraint, ...] = ()
    point: tuple[Fraction, ...] | None = None
    label: str = ""

    @classmethod
    def from_point(cls, point, label: str = "") -> Polyhedron:
        pt = tuple(Fraction(v) for v in point)
        eq = tuple(({j: Fraction(1)}, v) for j, v in enumerate(pt))
        return cls(len(pt), (), eq, pt, label)

    def contains(self, u) -> bool:
        if self.point is not None:
            return tuple(u) == self.point
        return feasible(u, list(self.ub), list(self.eq))

    def is_empty(self) -> bool:
        """Exact emptiness test (an LP with zero objective).

        >>> one = Fraction(1)
        >>> Polyhedron(1, (({0: one}, Fraction(0)), ({0: -one}, -one))).is_empty()
        True
        """
        if self.point is not None:
            return False
        return lp_min({}, self.dim, list(self.ub), list(self.eq)).status == "infeasible"

    def intersects(self, other: Polyhedron) -> bool:
        """Whether the two polyhedra share a point (then their union is connected).

        >>> nonnegative_orthant(1).intersects(Polyhedron.from_point((Fraction(0),)))
        True
        """
        if self.point is not None:
            return other.contains(self.point)
        if other.point is not None:
            return self.contains(other.point)
        res = lp_min({}, self.dim, [*self.ub, *other.ub], [*self.eq, *other.eq])
        return res.status != "infeasible"

    def to_dict(self) -> dict:
        if self.point is not None:
            return {"label": self.label, "point": list(self.point)}
        return {
            "label": self.label,
            "ub": [[dict(r), b] for r, b in self.ub],
            "eq": [[dict(r), b] for r, b in self.eq],
        }


def nonnegative_orthant(dim: int, label: str = "u >= 0") -> Polyhedron:
    """``{u ≥ 0}``: the default type space (all values nonnegative).

    >>> nonnegative_orthant(2).contains((Fraction(0), Fraction(3)))
    True
    """
    return Polyhedron(dim, tuple(({j: Fraction(-1)}, ZERO) for j in range(dim)), (), None, label)


@dataclass(frozen=True)
class Model:
    """An efficient-mechanism instance: outcomes (in tie-break order), agents, reports, Θ_i.

    ``lifts[i][α]`` is the sparse row with ``v_i(α) = lifts[i][α]·u_i``; ``coords[i]`` names the
    coordinates of ``u_i``; ``reports[i]`` is agent i's reported ``u_i``; ``type_spaces[i]`` the
    pieces of ``Θ_i``. ``meta`` keeps instance information (items, bundles) for display.
    """

    outcomes: tuple[str, ...]
    agents: tuple[str, ...]
    coords: tuple[tuple[str, ...], ...]
    lifts: tuple[tuple[Row, ...], ...]
    reports: tuple[tuple[Fraction, ...], ...]
    type_spaces: tuple[tuple[Polyhedron, ...], ...]
    meta: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def n_agents(self) -> int:
        return len(self.agents)

    def values(self, i: int, u=None) -> list[Fraction]:
        """``v_i(α)`` for every outcome α (reported type unless ``u`` is given)."""
        u = self.reports[i] if u is None else u
        return [dot(row, u) for row in self.lifts[i]]

    def welfare_without(self, i: int) -> list[Fraction]:
        """``c(α) = Σ_{j≠i} v_j(α)``: the others' reported welfare of every outcome."""
        total = [ZERO] * len(self.outcomes)
        for j in range(self.n_agents):
            if j != i:
                total = [t + v for t, v in zip(total, self.values(j), strict=True)]
        return total

    def efficient(self, reports=None) -> int:
        """Index of ``α_eff = argmax_α Σ_j v_j(α)``, ties to the first outcome listed.

        >>> m = Model(("x", "y"), ("a",), (("x", "y"),), (({0: 1}, {1: 1}),),
        ...           ((Fraction(2), Fraction(2)),), ((nonnegative_orthant(2),),))
        >>> m.outcomes[m.efficient()]
        'x'
        """
        reports = self.reports if reports is None else reports
        welfare = [ZERO] * len(self.outcomes)
        for j in range(self.n_agents):
            welfare = [t + v for t, v in zip(welfare, self.values(j, reports[j]), strict=True)]
        return first_argmax(welfare)

    def view(self, i: int) -> AgentView:
        """Agent i's problem given the others' reports (outcomes reduced to class winners)."""
        return agent_view(self, i)


def json_number(x: Fraction | float) -> Fraction | str:
    """A cost for the JSON document: exact values as they are, the infinities as strings.

    >>> json_number(Fraction(1, 3)), json_number(float("-inf"))
    (Fraction(1, 3), '-inf')
    """
    return str(x) if isinstance(x, float) else x


def first_argmax(values) -> int:
    """Index of the largest value, the first one on ties.

    >>> first_argmax([1, 3, 3])
    1
    """
    best = 0
    for k, v in enumerate(values):
        if v > values[best]:
            best = k
    return best


@dataclass(frozen=True)
class AgentView:
    """Agent i facing fixed ``v_{-i}``: ``w(u) = max_k rows[k]·u + others[k]``.

    ``outcomes[k]`` indexes Γ; only *class winners* are kept: outcomes with the same row
    ``v_i(α)`` differ only by ``c(α)``, so all but the best (then first) can never be efficient.
    ``outcomes`` keeps Γ's order, which is the tie-break priority.
    """

    agent: int
    dim: int
    outcomes: tuple[int, ...]
    rows: tuple[Row, ...]
    others: tuple[Fraction, ...]
    pieces: tuple[Polyhedron, ...]

    def value(self, k: int, u) -> Fraction:
        """``v_i(α_k) + c(α_k)``: welfare of outcome k at type u."""
        return dot(self.rows[k], u) + self.others[k]

    def efficient(self, u) -> int:
        """Position (in ``outcomes``) of the efficient outcome at type u."""
        return first_argmax([self.value(k, u) for k in range(len(self.outcomes))])

    def row_difference(self, k: int, m: int) -> Row:
        """``rows[k] − rows[m]`` (sparse, zero entries dropped): ``v_i(α_k) − v_i(α_m)`` in u.

        >>> one, two = Fraction(1), Fraction(2)
        >>> view = AgentView(agent=0, dim=2, outcomes=(0, 1), rows=({0: one, 1: two}, {0: one}),
        ...                  others=(0, 0), pieces=())
        >>> view.row_difference(0, 1), view.row_difference(1, 0)
        ({1: Fraction(2, 1)}, {1: Fraction(-2, 1)})
        """
        row = dict(self.rows[k])
        for j, a in self.rows[m].items():
            row[j] = row.get(j, ZERO) - a
        return {j: a for j, a in row.items() if a}

    def region(self, k: int, slack: int | None = None) -> list[Constraint]:
        """Rows of the closed efficiency region of outcome k: ``v(α_k)+c_k ≥ v(α_m)+c_m`` ∀m.

        With ``slack`` (a column index δ), the rows against outcomes listed before k get ``+δ``
        (they must lose strictly: the tie-break favours them).
        """
        rows = []
        for m in range(len(self.outcomes)):
            if m == k:
                continue
            row = self.row_difference(m, k)
            if slack is not None and m < k:
                row[slack] = Fraction(1)
            if not row:  # same v_i-row as k: the constraint is the constant 0 ≤ c_k − c_m
                if self.others[k] < self.others[m]:
                    rows.append(({}, self.others[k] - self.others[m]))
                continue
            rows.append((row, self.others[k] - self.others[m]))
        return rows

    def epigraph(self) -> list[Constraint]:
        """Rows ``rows[k]·u − t ≤ −c_k`` (t = column ``dim``): ``t ≥ w(u)``."""
        t = self.dim
        return [({**r, t: Fraction(-1)}, -c) for r, c in zip(self.rows, self.others, strict=True)]


def agent_view(model: Model, i: int, reduce: bool = True) -> AgentView:
    """Build agent i's reduced view (see :class:`AgentView`); ``reduce=False`` keeps all of Γ
    (the literal graph of Thm 4.3: dominated outcomes then just have empty cells).

    >>> from numerics.efficient.instance import seed_section3
    >>> v = agent_view(seed_section3(), 0)   # 9 outcomes, 4 classes for bidder 1: ∅, A, B, AB
    >>> len(v.outcomes), v.others            # c = best welfare of bidders 2, 3 in each class
    (4, (Fraction(4, 1), Fraction(3, 1), Fraction(1, 1), Fraction(0, 1)))
    """
    others = model.welfare_without(i)
    best: dict[tuple, int] = {}
    for a, row in enumerate(model.lifts[i]):
        key = tuple(sorted((j, v) for j, v in row.items() if v))
        if key not in best or others[a] > others[best[key]]:
            best[key] = a
    keep = sorted(best.values()) if reduce else list(range(len(model.outcomes)))
    return AgentView(
        agent=i,
        dim=len(model.coords[i]),
        outcomes=tuple(keep),
        rows=tuple({j: v for j, v in model.lifts[i][a].items() if v} for a in keep),
        others=tuple(others[a] for a in keep),
        pieces=model.type_spaces[i],
    )


def cell_nonempty(view: AgentView, piece: Polyhedron, k: int) -> bool:
    """Exact test that some type in ``piece`` has efficient outcome k (ties go to the outcome
    listed first, so the rows against earlier outcomes are strict: max slack δ > 0).

    >>> from numerics.efficient.instance import seed_section3
    >>> v = seed_section3().view(0)
    >>> [cell_nonempty(v, v.pieces[0], k) for k in range(4)]
    [False, True, False, False]
    """
    if piece.point is not None:
        return view.efficient(piece.point) == k
    delta = view.dim
    rows = [*piece.ub, *view.region(k, slack=delta), ({delta: Fraction(1)}, Fraction(1))]
    res = lp_min({delta: Fraction(-1)}, view.dim + 1, rows, list(piece.eq))
    return res.status == "optimal" and -res.value > 0
