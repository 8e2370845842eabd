"""Revenue sees only the grade-≤1, own-type part of an allocation rule, exactly.

On a finite product grid with *symbolic* probability weights (w_{j,k}, Σ_k w_{j,k} = 1), an
arbitrary symbolic allocation table x(v) and an arbitrary symbolic function ψ(v_i) of bidder
i's own type: for every ANOVA component x_u with u ∉ {∅, {i}}, E[ψ(v_i) x_u(v_u)] = 0 as a
polynomial identity. Components are built by inclusion–exclusion of conditional expectations,
x_u = Σ_{w ⊆ u} (−1)^{|u|−|w|} E[x | v_w].
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations, product

import sympy as sp


@dataclass(frozen=True)
class GradeRevenueIdentity:
    bidders: int
    points: int
    bidder: int
    components_checked: tuple[tuple[int, ...], ...]  # u with E[ψ_i x_u] ≡ 0
    own_component_nonzero: bool  # E[ψ_i x_{i}] is not identically 0 (the identity has content)

    @property
    def holds(self) -> bool:
        n = self.bidders
        expected = sum(1 for r in range(n + 1) for _ in combinations(range(n), r)) - 2
        return len(self.components_checked) == expected and self.own_component_nonzero


def revenue_grade_identity(bidders: int, points: int, bidder: int = 0) -> GradeRevenueIdentity:
    """Check E[ψ_i x_u] ≡ 0 for all u ∉ {∅, {i}} on a symbolic grid.

    >>> revenue_grade_identity(2, 2).holds
    True
    """
    n, k = bidders, points
    weights = []
    for j in range(n):
        free = sp.symbols(f"w{j}_0:{k - 1}", positive=True)
        weights.append(list(free) + [1 - sum(free)])
    cells = list(product(range(k), repeat=n))
    x = {c: sp.Symbol("x_" + "_".join(map(str, c)), real=True) for c in cells}
    psi = [sp.Symbol(f"psi_{a}", real=True) for a in range(k)]

    def prob(cell, coords):
        out = sp.Integer(1)
        for j in coords:
            out *= weights[j][cell[j]]
        return out

    def cond_exp(w: tuple[int, ...]):
        """E[x | v_w] as a dict from the w-coordinates to an expression."""
        rest = [j for j in range(n) if j not in w]
        table = {}
        for cell in cells:
            key = tuple(cell[j] for j in w)
            table[key] = table.get(key, 0) + prob(cell, rest) * x[cell]
        return table

    conds = {w: cond_exp(w) for r in range(n + 1) for w in combinations(range(n), r)}

    def component(u, cell):
        total = sp.Integer(0)
        for r in range(len(u) + 1):
            for w in combinations(u, r):
                total += (-1) ** (len(u) - r) * conds[w][tuple(cell[j] for j in w)]
        return total

    checked, own_nonzero = [], False
    for r in range(n + 1):
        for u in combinations(range(n), r):
            value = sum(prob(c, range(n)) * psi[c[bidder]] * component(u, c) for c in cells)
            zero = sp.expand(value) == 0
            if u == (bidder,):
                own_nonzero = not zero
            elif u != ():
                if not zero:
                    return GradeRevenueIdentity(n, k, bidder, tuple(checked), own_nonzero)
                checked.append(u)
    return GradeRevenueIdentity(n, k, bidder, tuple(checked), own_nonzero)
