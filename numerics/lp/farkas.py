"""Solver-free exact checks of linear-feasibility evidence: a point, or a Farkas certificate.

A system is a sequence of relations ``(coeffs, sense, rhs)`` meaning ``Σ_v coeffs[v]·x_v  sense
rhs`` with ``sense`` ``"<="`` or ``"=="`` over free rational variables (any hashable keys). A
**point** proves the system feasible when it satisfies every relation; multipliers ``y`` (one per
relation, ``y ≥ 0`` on inequalities, free on equalities) with ``Σ y_r a_r = 0`` and
``Σ y_r b_r < 0`` are a **Farkas certificate**: any x would give ``0 = (Σ y_r a_r)·x ≤ Σ y_r b_r <
0``, so the system is infeasible.

The checkers use only :class:`fractions.Fraction`; they never call a solver, so whoever produced
the evidence (HiGHS, z3, sympy) need not be trusted.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from fractions import Fraction

Relation = tuple[Mapping[Hashable, Fraction], str, Fraction]
SENSES = ("<=", "==")


def dot(coeffs: Mapping, x) -> Fraction:
    """Exact sparse dot product ``Σ_v coeffs[v]·x[v]`` (``x`` a sequence or a mapping).

    >>> dot({0: Fraction(1, 2), 2: Fraction(3)}, [Fraction(2), Fraction(5), Fraction(1)])
    Fraction(4, 1)
    """
    return sum((a * x[v] for v, a in coeffs.items()), Fraction(0))


def _sense(sense: str) -> str:
    if sense not in SENSES:
        raise ValueError(f"unknown sense {sense!r}; expected one of {SENSES}")
    return sense


def check_point(relations: Sequence[Relation], point) -> bool:
    """Exact check that ``point`` satisfies every relation.

    >>> rel = [({"x": Fraction(1)}, "<=", Fraction(1))]
    >>> check_point(rel, {"x": Fraction(1)}), check_point(rel, {"x": Fraction(2)})
    (True, False)
    """
    for coeffs, sense, rhs in relations:
        lhs = dot(coeffs, point)
        if (lhs > rhs) if _sense(sense) == "<=" else (lhs != rhs):
            return False
    return True


def check_farkas(relations: Sequence[Relation], multipliers: Sequence) -> bool:
    """Exact check of a Farkas certificate of infeasibility (see the module docstring).

    >>> rel = [({"x": Fraction(1)}, "<=", Fraction(1)), ({"x": Fraction(-1)}, "<=", Fraction(-2))]
    >>> check_farkas(rel, [1, 1]), check_farkas(rel, [1, 2]), check_farkas(rel, [-1, -1])
    (True, False, False)
    """
    if len(multipliers) != len(relations):
        return False
    combo: dict = {}
    total = Fraction(0)
    for (coeffs, sense, rhs), y in zip(relations, multipliers, strict=True):
        y = Fraction(y)
        if _sense(sense) == "<=" and y < 0:
            return False
        if y:
            for v, a in coeffs.items():
                combo[v] = combo.get(v, Fraction(0)) + y * a
            total += y * rhs
    return all(a == 0 for a in combo.values()) and total < 0
