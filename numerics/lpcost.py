"""Cost before work for the exact LPs (:mod:`numerics.lp`), estimated from their sizes without
building them and refused against the budgets of :mod:`numerics.validate`. Kept outside
:mod:`numerics.lp`, whose core the proofs import alone.
"""

from __future__ import annotations

from math import comb

from numerics.validate import memory_budget, size_float, work_budget

__all__ = ["LP_CELL", "check_frontier_cost"]

# Evaluations per variables × rows × (simplex iterations ≈ variables) of one grade-restricted
# LP: the N = 6, K = 8 frontier (6 336 variables, as many rows, 6 grades) takes about 25 s,
# N = 7 (13 728 variables) over 400 s: the time grows like the cube of the LP's size.
LP_CELL = 1.6e-3


def check_frontier_cost(name: str, value, bidders: int, types: int, items: int, grades: int,
                        *, max_work=None, max_memory=None) -> int:
    """Refuse a frontier whose LPs are too large before building them, naming ``name``; returns
    the number of allocation variables. With bidder symmetry an LP has one variable per type
    and multiset of the others' types, kt·C(kt+N−2, N−1) per item (kt = K^M types, counted
    without enumerating them), about as many rows; the simplex takes about as many iterations,
    each touching variables × rows entries, per grade; the dense certificate holds variables ×
    rows numbers.

    >>> check_frontier_cost("grid", 8, 6, 8, 1, 6)
    6336
    """
    size = types * comb(types + bidders - 2, bidders - 1) * items
    v = size_float(size)
    work_budget(name, value, grades * v * v * v * LP_CELL, max_work=max_work,
                what=f"evaluations ({grades} LPs of {v:.3g} variables)")
    memory_budget(name, value, 8.0 * v * v, max_memory=max_memory)
    return size
