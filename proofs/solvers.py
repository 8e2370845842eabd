"""One satisfiability query, answered by z3 or by cvc5, with models checked in sympy.

``check_sat(formulas, solver=...)`` returns a :class:`SatResult`. Satisfying models are
converted to exact values (Fractions, or algebraic numbers as sympy ``CRootOf``) and
re-evaluated on the sympy formulas, so a model is only reported if sympy agrees with it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import cvc5
import sympy as sp
import z3

from proofs.smt_cvc5 import Cvc5Translator
from proofs.smt_z3 import to_z3

DEFAULT_TIMEOUT_MS = 10_000


@dataclass(frozen=True)
class SatResult:
    """Answer of one solver to one query: ``status`` is "sat", "unsat" or "unknown"."""

    solver: str
    status: str
    seconds: float
    model: dict[str, sp.Expr] | None = None
    reason: str | None = None
    model_checked: bool = field(default=False)

    @property
    def unsat(self) -> bool:
        return self.status == "unsat"

    @property
    def sat(self) -> bool:
        return self.status == "sat"

    def model_str(self) -> dict[str, str]:
        return {k: _show(v) for k, v in sorted((self.model or {}).items())}


def _show(v: sp.Expr) -> str:
    if isinstance(v, sp.Rational):
        return str(v)
    return f"{v} ≈ {sp.N(v, 12)}"


def solver_versions() -> dict[str, str]:
    """Versions of the two deciders, for reports.

    >>> sorted(solver_versions())
    ['cvc5', 'z3']
    """
    return {"z3": z3.get_version_string(), "cvc5": getattr(cvc5, "__version__", "unknown")}


def check_sat(
    formulas: Sequence[sp.Basic],
    *,
    solver: str = "z3",
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
) -> SatResult:
    """Decide satisfiability of the conjunction of sympy ``formulas`` over the reals.

    >>> x = sp.Symbol("x", real=True)
    >>> check_sat([x * x < 0]).status, check_sat([x * x < 0], solver="cvc5").status
    ('unsat', 'unsat')
    >>> r = check_sat([x * x - 2 > 0, x > 0, x < 2])
    >>> r.status, r.model_checked
    ('sat', True)
    """
    formulas = [sp.sympify(f) for f in formulas]
    if solver == "z3":
        result = _check_z3(formulas, timeout_ms)
    elif solver == "cvc5":
        result = _check_cvc5(formulas, timeout_ms)
    else:
        raise ValueError(f"unknown solver {solver!r}")
    if result.sat and result.model is not None:
        ok = model_satisfies(formulas, result.model)
        if not ok:
            return SatResult(result.solver, "unknown", result.seconds, result.model,
                             "solver model rejected by sympy re-evaluation")
        return SatResult(result.solver, "sat", result.seconds, result.model, None, True)
    return result


def model_satisfies(formulas: Sequence[sp.Basic], model: dict[str, sp.Expr]) -> bool:
    """Evaluate the formulas exactly at the model (unassigned variables default to 0)."""
    subs = {}
    for f in formulas:
        for s in f.free_symbols:
            subs[s] = model.get(s.name, sp.Integer(0))
    for f in formulas:
        value = f.subs(subs)
        value = sp.simplify(value) if value not in (sp.true, sp.false) else value
        if value != sp.true:
            return False
    return True


def _variables(formulas) -> list[sp.Symbol]:
    syms: set[sp.Symbol] = set()
    for f in formulas:
        syms |= f.free_symbols
    return sorted(syms, key=lambda s: s.name)


def _check_z3(formulas, timeout_ms) -> SatResult:
    symbols: dict = {}
    ctx = z3.Context()  # fresh per query: the answer (and model) does not depend on history
    s = z3.SolverFor("QF_NRA", ctx=ctx)
    s.set("timeout", int(timeout_ms))
    s.set("ctrl_c", False)  # Ctrl-C goes to Python (by default z3 takes it to cancel a check)
    for f in formulas:
        s.add(to_z3(f, symbols, ctx))
    t0 = time.perf_counter()
    answer = s.check()
    dt = time.perf_counter() - t0
    if answer == z3.unsat:  # compare explicitly: bool(z3.unknown) is True
        return SatResult("z3", "unsat", dt)
    if answer == z3.sat:
        m = s.model()
        model = {sym.name: _z3_value(m.eval(const, model_completion=True))
                 for sym, const in symbols.items()}
        return SatResult("z3", "sat", dt, model)
    return SatResult("z3", "unknown", dt, reason=s.reason_unknown())


def _z3_value(v) -> sp.Expr:
    if z3.is_rational_value(v):
        return sp.Rational(v.numerator_as_long(), v.denominator_as_long())
    if z3.is_algebraic_value(v):
        # A real root of an integer polynomial (coefficients listed from degree 0): identify
        # it exactly in sympy by isolating the root nearest to z3's approximation.
        x = sp.Symbol("x")
        coeffs = [sp.Integer(int(str(c))) for c in v.poly()]
        poly = sp.Poly(sum(c * x**k for k, c in enumerate(coeffs)), x)
        approx = sp.Rational(*Fraction(v.approx(40).as_fraction()).as_integer_ratio())
        best = min(poly.real_roots(), key=lambda r: abs(sp.N(r - approx, 60)))
        return best
    raise ValueError(f"unexpected z3 value {v}")


def _check_cvc5(formulas, timeout_ms) -> SatResult:
    tm = cvc5.TermManager()
    s = cvc5.Solver(tm)
    s.setLogic("QF_NRA")
    s.setOption("produce-models", "true")
    s.setOption("nl-cov", "true")  # cylindrical algebraic coverings: complete for QF_NRA
    s.setOption("tlimit-per", str(int(timeout_ms)))
    tr = Cvc5Translator(tm)
    for f in formulas:
        s.assertFormula(tr.term(f))
    t0 = time.perf_counter()
    answer = s.checkSat()
    dt = time.perf_counter() - t0
    if answer.isUnsat():
        return SatResult("cvc5", "unsat", dt)
    if answer.isSat():
        model = {}
        for name, const in tr.consts.items():
            model[name] = _cvc5_value(s.getValue(const))
        return SatResult("cvc5", "sat", dt, model)
    return SatResult("cvc5", "unknown", dt, reason=str(answer.getUnknownExplanation()))


def _cvc5_value(v) -> sp.Expr:
    if v.isRealValue():
        fr = v.getRealValue()
        return sp.Rational(fr.numerator, fr.denominator)
    text = str(v)  # (_ real_algebraic_number <poly, (lo, hi)>)
    poly_txt, interval = text.split("<", 1)[1].rsplit(">", 1)[0].split(", (", 1)
    x = sp.Symbol("x")
    poly = sp.Poly(sp.sympify(poly_txt.replace("^", "**")), x)
    lo, hi = (sp.Rational(t.strip()) for t in interval.rstrip(")").split(","))
    roots = [r for r in poly.real_roots() if lo <= r <= hi]
    if len(roots) != 1:
        raise ValueError(f"could not identify algebraic number {text}")
    return roots[0]


__all__ = ["SatResult", "check_sat", "model_satisfies", "solver_versions", "_variables"]
