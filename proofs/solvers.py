"""One satisfiability query, answered by z3 or by cvc5, with models checked in sympy.

``check_sat(formulas, solver=...)`` returns a :class:`SatResult`. Satisfying models are
converted to exact values (Fractions, or algebraic numbers as sympy ``CRootOf``) and
re-evaluated on the sympy formulas, so a model is only reported if sympy agrees with it.

Real statements are decided in ``QF_NRA``. Parametric ones (integers, uninterpreted functions,
bounded quantifiers: :mod:`proofs.quantifiers`) in the smallest SMT-LIB logic that holds them,
e.g. ``UFLIRA`` (:func:`logic_of`); a z3 model of such a query fixes every integer, so it is
re-evaluated exactly by :mod:`proofs.evaluate` over the finite ranges it induces.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import cvc5
import sympy as sp
import z3

from proofs.evaluate import FunctionTable, NotEvaluable, holds
from proofs.quantifiers import applied_functions, is_parametric, quantified
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
    logic: str = "QF_NRA"

    @property
    def unsat(self) -> bool:
        return self.status == "unsat"

    @property
    def sat(self) -> bool:
        return self.status == "sat"

    def model_str(self) -> dict[str, str]:
        return {k: _show(v) for k, v in sorted((self.model or {}).items())}


def _show(v: sp.Expr) -> str:
    if isinstance(v, FunctionTable):
        return str(v)
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
    logic: str | None = None,
    expect_sat: bool = False,
) -> SatResult:
    """Decide satisfiability of the conjunction of sympy ``formulas`` over the reals.

    ``expect_sat`` (audits looking for a model) skips the quick unbounded try of a quantified
    query and starts with the bounded search; the answer does not depend on it, only the time.
    ``logic`` may be ``"QF_LRA"`` for a linear query (the simplex instead of nlsat: large
    piecewise-linear instances that nlsat times out on); by default :func:`logic_of` decides.

    >>> x = sp.Symbol("x", real=True)
    >>> check_sat([x * x < 0]).status, check_sat([x * x < 0], solver="cvc5").status
    ('unsat', 'unsat')
    >>> r = check_sat([x * x - 2 > 0, x > 0, x < 2])
    >>> r.status, r.model_checked
    ('sat', True)
    """
    formulas = [sp.sympify(f) for f in formulas]
    if logic is None:
        logic = logic_of(formulas)
    elif logic == "QF_LRA" and (is_parametric(formulas) or _nonlinear(formulas)):
        raise ValueError("QF_LRA asked for a query that is not linear real arithmetic")
    elif logic != "QF_LRA":
        raise ValueError(f"only QF_LRA may be asked for (a linear query), not {logic!r}")
    if solver == "z3":
        result = None
        if quantified(formulas):
            # A quick unbounded try settles the true statements (most proofs take
            # milliseconds); what it does not settle goes to the bounded search for a small
            # model, and only then to the unbounded query with the whole time limit.
            quick = None if expect_sat else _check_z3(formulas, min(timeout_ms, QUICK_MS),
                                                      logic)
            result = quick if quick is not None and quick.unsat else _small_model(
                formulas, timeout_ms, logic)
        result = result or _check_z3(formulas, timeout_ms, logic)
    elif solver == "cvc5":
        result = _check_cvc5(formulas, timeout_ms, logic)
    else:
        raise ValueError(f"unknown solver {solver!r}")
    if result.sat and result.model is not None:
        try:
            ok = model_satisfies(formulas, result.model)
        except NotEvaluable as exc:  # reported as sat, marked unchecked, with the reason
            return SatResult(result.solver, "sat", result.seconds, result.model,
                             f"model not re-evaluated: {exc}", False, logic)
        if not ok:
            return SatResult(result.solver, "unknown", result.seconds, result.model,
                             "solver model rejected by sympy re-evaluation", logic=logic)
        return SatResult(result.solver, "sat", result.seconds, result.model, None, True, logic)
    return result


def _nonlinear(formulas) -> bool:
    for f in formulas:
        for m in f.atoms(sp.Mul, sp.Pow):
            if isinstance(m, sp.Pow) or sum(not a.is_number for a in m.args) > 1:
                return True
    return False


def logic_of(formulas: Sequence[sp.Basic]) -> str:
    """The SMT-LIB logic a query is decided in: ``QF_NRA`` for real statements, else the
    smallest of ``[QF_][UF](L|N)(IA|RA|IRA)`` that holds the formulas.

    Parameters
    ----------
    formulas : sequence of sympy.Basic
        The conjuncts of the query.

    Returns
    -------
    str
        An SMT-LIB logic name.

    Examples
    --------
    >>> from proofs.quantifiers import Every, functions, ints
    >>> j, n = ints("j n")
    >>> b, = functions("b")
    >>> logic_of([sp.Symbol("x", real=True) > 0]), logic_of([Every(j, 1, n, b(j) > 0)])
    ('QF_NRA', 'UFLIRA')
    """
    formulas = [sp.sympify(f) for f in formulas]
    if not is_parametric(formulas):
        return "QF_NRA"
    has_int = True  # parametric: some index or number of bidders is an integer
    has_real = bool(applied_functions(formulas)) or any(
        s.is_integer is not True for f in formulas for s in f.free_symbols)
    arith = ("IRA" if has_real else "IA") if has_int else "RA"
    return (("" if quantified(formulas) else "QF_") + ("UF" if applied_functions(formulas)
                                                        else "")
            + ("N" if _nonlinear(formulas) else "L") + arith)


def model_satisfies(formulas: Sequence[sp.Basic], model: dict[str, sp.Expr]) -> bool:
    """Evaluate the formulas exactly at the model (unassigned variables default to 0)."""
    if is_parametric(formulas):
        return holds(formulas, model)
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


def _check_z3(formulas, timeout_ms, logic="QF_NRA") -> SatResult:
    symbols: dict = {}
    ctx = z3.Context()  # fresh per query: the answer (and model) does not depend on history
    # Quantified queries go to z3's default strategy (E-matching and model-based
    # quantifier instantiation); the others to the logic's own solver.
    s = z3.SolverFor(logic, ctx=ctx) if logic.startswith("QF_") else z3.Solver(ctx=ctx)
    s.set("timeout", int(timeout_ms))
    s.set("ctrl_c", False)  # Ctrl-C goes to Python (by default z3 takes it to cancel a check)
    for f in formulas:
        s.add(to_z3(f, symbols, ctx))
    t0 = time.perf_counter()
    answer = s.check()
    dt = time.perf_counter() - t0
    if answer == z3.unsat:  # compare explicitly: bool(z3.unknown) is True
        return SatResult("z3", "unsat", dt, logic=logic)
    if answer == z3.sat:
        m = s.model()
        consts = {sym: c for sym, c in symbols.items() if isinstance(sym, sp.Symbol)}
        model = {sym.name: _z3_value(m.eval(const, model_completion=True))
                 for sym, const in consts.items()}
        ints = [int(v) for sym, v in ((s_, model[s_.name]) for s_ in consts) if sym.is_integer]
        for f, decl in symbols.items():
            if not isinstance(f, sp.Symbol):
                model[f.__name__] = _z3_table(m, decl, ints, ctx)
        return SatResult("z3", "sat", dt, model, logic=logic)
    return SatResult("z3", "unknown", dt, reason=s.reason_unknown(), logic=logic)


TABLE_SPAN = 8  # integer arguments tabulated per function: a countermodel's n stays small
SMALL = 4  # bound tried first on every free integer of a parametric query
SMALL_MS = 2_000  # time given to the bounded query before the query runs unbounded
QUICK_MS = 300  # time given to a quantified query before the bounded search is tried


def _small_model(formulas, timeout_ms, logic) -> SatResult | None:
    """A model with every free integer in [−1, :data:`SMALL`], or None: a countermodel at
    n = 3 reads better than one at n = 149424, its quantifiers expand for the exact re-check,
    and model-based instantiation finds it sooner. A model of the bounded query is a model of
    the query; when there is none, the caller decides the unbounded query."""
    ints = sorted({s for f in formulas for s in f.free_symbols if s.is_integer},
                  key=lambda s: s.name)
    box = [sp.And(-1 <= s, s <= SMALL) for s in ints]
    r = _check_z3(list(formulas) + box, min(timeout_ms, SMALL_MS), logic)
    return r if r.sat else None


def _z3_table(m, decl, ints, ctx) -> FunctionTable:
    """A finite table of a z3 function interpretation: every integer argument tuple in the
    range the model's integers span (widened by one), plus z3's listed entries and default."""
    entries: dict[tuple, sp.Expr] = {}
    otherwise = None
    interp = m[decl] if any(d.name() == decl.name() for d in m.decls()) else None
    if interp is not None:
        *listed, default = interp.as_list()
        for row in listed:
            try:
                entries[tuple(_z3_value(a) for a in row[:-1])] = _z3_value(row[-1])
            except ValueError:
                continue
        try:
            otherwise = _z3_value(default)
        except ValueError:
            otherwise = None  # a non-constant default: the integer table below covers it
    if all(decl.domain(k) == z3.IntSort(ctx) for k in range(decl.arity())):
        lo, hi = min([0, *ints]), max([1, *ints])
        hi = min(hi, lo + TABLE_SPAN)
        grid = [()]
        for _ in range(decl.arity()):
            grid = [g + (k,) for g in grid for k in range(lo, hi + 1)]
        for g in grid:
            args = [z3.IntVal(k, ctx) for k in g]
            entries[tuple(sp.Integer(k) for k in g)] = _z3_value(
                m.eval(decl(*args), model_completion=True))
    return FunctionTable(entries, otherwise)


def _z3_value(v) -> sp.Expr:
    if z3.is_int_value(v):
        return sp.Integer(v.as_long())
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


def _check_cvc5(formulas, timeout_ms, logic="QF_NRA") -> SatResult:
    tm = cvc5.TermManager()
    s = cvc5.Solver(tm)
    s.setLogic(logic)
    s.setOption("produce-models", "true")
    if logic == "QF_NRA":
        s.setOption("nl-cov", "true")  # cylindrical algebraic coverings: complete for QF_NRA
    elif not logic.startswith("QF_"):
        # E-matching first; when it saturates, enumerative instantiation keeps going
        # (cvc5's own answer to incompleteness of trigger-based instantiation).
        s.setOption("enum-inst", "true")
    s.setOption("tlimit-per", str(int(timeout_ms)))
    tr = Cvc5Translator(tm)
    for f in formulas:
        s.assertFormula(tr.term(f))
    t0 = time.perf_counter()
    answer = s.checkSat()
    dt = time.perf_counter() - t0
    if answer.isUnsat():
        return SatResult("cvc5", "unsat", dt, logic=logic)
    if answer.isSat():
        if logic not in ("QF_NRA", "QF_LRA"):  # z3's models are the ones checked here
            return SatResult("cvc5", "sat", dt, logic=logic)
        model = {}
        for name, const in tr.consts.items():
            model[name] = _cvc5_value(s.getValue(const))
        return SatResult("cvc5", "sat", dt, model, logic=logic)
    return SatResult("cvc5", "unknown", dt, reason=str(answer.getUnknownExplanation()),
                     logic=logic)


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


__all__ = ["SatResult", "check_sat", "logic_of", "model_satisfies", "solver_versions",
           "_variables"]
