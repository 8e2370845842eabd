"""Exact linear feasibility with certificates a sceptic can check without trusting any solver.

A :class:`LinearSystem` has rows ``a·x ≤ b`` or ``a·x = b`` over free rational variables.
:func:`decide_feasibility` asks z3 (exact rational simplex, ``QF_LRA``) for either

* a **point** x satisfying every row — checked by :func:`check_point`, or
* a **Farkas certificate** y (y_r ≥ 0 on inequality rows, free on equalities) with
  Σ_r y_r a_r = 0 and Σ_r y_r b_r < 0 — checked by :func:`check_farkas`. Such a y proves the
  system infeasible: any x would give 0 = (Σ y_r a_r)·x ≤ Σ y_r b_r < 0.

The checkers are :func:`numerics.lp.farkas.check_point` and :func:`numerics.lp.farkas.check_farkas`:
they use only ``fractions.Fraction`` and never call a solver, so z3 is not trusted; a tampered
certificate is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction

import z3

from numerics.lp import farkas as exact


@dataclass(frozen=True)
class Row:
    name: str
    family: str  # constraint family (e.g. "buyer_IC"), for necessity audits
    coeffs: tuple[tuple[str, Fraction], ...]  # sparse: (variable, coefficient)
    sense: str  # "<=" or "=="
    rhs: Fraction


@dataclass(frozen=True)
class LinearSystem:
    variables: tuple[str, ...]
    rows: tuple[Row, ...]

    def without_family(self, family: str) -> LinearSystem:
        return LinearSystem(variables=self.variables,
                            rows=tuple(r for r in self.rows if r.family != family))

    @property
    def families(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.family for r in self.rows))


class SystemBuilder:
    """Collects rows; ``le({"x": 1, "y": -2}, 3, "name", "family")`` adds x − 2y ≤ 3.

    >>> sb = SystemBuilder()
    >>> sb.le({"x": 1}, 1, "x_le_1", "bounds"); sb.le({"x": -1}, -2, "x_ge_2", "bounds")
    >>> decide_feasibility(sb.build()).feasible
    False
    """

    def __init__(self):
        self._vars: dict[str, None] = {}
        self._rows: list[Row] = []

    def _add(self, coeffs: Mapping[str, object], sense: str, rhs, name: str, family: str):
        clean = []
        for var, c in coeffs.items():
            c = Fraction(c)
            self._vars.setdefault(var, None)
            if c != 0:
                clean.append((var, c))
        self._rows.append(Row(name=name, family=family, coeffs=tuple(clean), sense=sense,
                              rhs=Fraction(rhs)))

    def le(self, coeffs, rhs, name, family):
        self._add(coeffs, "<=", rhs, name, family)

    def eq(self, coeffs, rhs, name, family):
        self._add(coeffs, "==", rhs, name, family)

    def variable(self, name: str) -> str:
        self._vars.setdefault(name, None)
        return name

    def build(self) -> LinearSystem:
        return LinearSystem(variables=tuple(self._vars), rows=tuple(self._rows))


@dataclass(frozen=True)
class Feasibility:
    feasible: bool
    point: dict[str, Fraction] | None  # when feasible
    certificate: dict[str, Fraction] | None  # Farkas multipliers by row name, when infeasible
    checked: bool  # the evidence passed the independent Fraction checker


def relations(system: LinearSystem) -> list:
    """The rows as ``(coeffs, sense, rhs)`` relations for :mod:`numerics.lp.farkas`.

    >>> sb = SystemBuilder(); sb.le({"x": 2}, 1, "r", "f")
    >>> relations(sb.build())
    [({'x': Fraction(2, 1)}, '<=', Fraction(1, 1))]
    """
    return [(dict(r.coeffs), r.sense, r.rhs) for r in system.rows]


def check_point(system: LinearSystem, point: Mapping[str, Fraction]) -> bool:
    """Exact check that ``point`` satisfies every row.

    >>> sb = SystemBuilder(); sb.le({"x": 1}, 1, "r", "f")
    >>> check_point(sb.build(), {"x": Fraction(1)}), check_point(sb.build(), {"x": Fraction(2)})
    (True, False)
    """
    return exact.check_point(relations(system), point)


def check_farkas(system: LinearSystem, y: Mapping[str, Fraction]) -> bool:
    """Exact check of a Farkas certificate of infeasibility, multipliers by row name (see the
    module docstring); a name that is not a row rejects the certificate.

    >>> sb = SystemBuilder(); sb.le({"x": 1}, 1, "a", "f"); sb.le({"x": -1}, -2, "b", "f")
    >>> check_farkas(sb.build(), {"a": 1, "b": 1}), check_farkas(sb.build(), {"a": 1, "c": 1})
    (True, False)
    """
    if set(y) - {r.name for r in system.rows}:
        return False
    return exact.check_farkas(relations(system), [y.get(r.name, 0) for r in system.rows])


def _z3_frac(v) -> Fraction:
    return Fraction(v.numerator_as_long(), v.denominator_as_long())


def _feasible_point(system: LinearSystem):
    ctx = z3.Context()  # fresh per query: deterministic answers
    xs = {v: z3.Real(v, ctx) for v in system.variables}
    s = z3.SolverFor("QF_LRA", ctx=ctx)
    s.set("ctrl_c", False)  # Ctrl-C goes to Python (by default z3 takes it to cancel a check)
    for row in system.rows:
        lhs = z3.Sum([z3.RealVal(c, ctx) * xs[v] for v, c in row.coeffs]) if row.coeffs else \
            z3.RealVal(0, ctx)
        rhs = z3.RealVal(row.rhs, ctx)
        s.add(lhs <= rhs if row.sense == "<=" else lhs == rhs)
    answer = s.check()
    if answer == z3.sat:
        m = s.model()
        return {v: _z3_frac(m.eval(x, model_completion=True)) for v, x in xs.items()}
    if answer == z3.unsat:
        return None
    raise RuntimeError(f"z3 could not decide the system: {s.reason_unknown()}")


def _farkas_multipliers(system: LinearSystem):
    ctx = z3.Context()
    ys = {r.name: z3.Real(f"y[{r.name}]", ctx) for r in system.rows}
    s = z3.SolverFor("QF_LRA", ctx=ctx)
    s.set("ctrl_c", False)
    columns: dict[str, list] = {v: [] for v in system.variables}
    for row in system.rows:
        y = ys[row.name]
        if row.sense == "<=":
            s.add(y >= 0)
        for v, c in row.coeffs:
            columns[v].append(z3.RealVal(c, ctx) * y)
    for terms in columns.values():
        if terms:
            s.add(z3.Sum(terms) == 0)
    s.add(z3.Sum([z3.RealVal(r.rhs, ctx) * ys[r.name] for r in system.rows]) == -1)
    if s.check() != z3.sat:
        return None
    m = s.model()
    values = {name: _z3_frac(m.eval(y, model_completion=True)) for name, y in ys.items()}
    return {name: v for name, v in values.items() if v != 0}


def decide_feasibility(system: LinearSystem) -> Feasibility:
    """A checked point or a checked Farkas certificate; never an unchecked verdict.

    >>> sb = SystemBuilder(); sb.le({"x": 1}, 1, "x_le_1", "bounds")
    >>> f = decide_feasibility(sb.build()); f.feasible, f.checked, f.point["x"] <= 1
    (True, True, True)
    """
    point = _feasible_point(system)
    if point is not None:
        return Feasibility(feasible=True, point=point, certificate=None,
                           checked=check_point(system, point))
    y = _farkas_multipliers(system)
    return Feasibility(feasible=False, point=None, certificate=y,
                       checked=y is not None and check_farkas(system, y))


def rows_named(system: LinearSystem, names: Iterable[str]) -> list[Row]:
    """The rows of ``system`` whose names are in ``names``, in the system's order.

    >>> sb = SystemBuilder(); sb.le({"x": 1}, 1, "a", "f"); sb.eq({"x": 1}, 0, "b", "f")
    >>> [r.sense for r in rows_named(sb.build(), ["b", "a"])]
    ['<=', '==']
    """
    wanted = set(names)
    return [r for r in system.rows if r.name in wanted]
