"""Exact optimality certificates for ``LinearProgram`` solutions found in floating point.

A certificate is an exact primal ``x`` and exact duals ``(y_ub ≥ 0, y_eq)``. With reduced costs
``d = c − A_ubᵀy_ub − A_eqᵀy_eq`` the dual objective is
``D = b_ub·y_ub + b_eq·y_eq + Σ_{d_j>0} hi_j d_j + Σ_{d_j<0} lo_j d_j`` (finite only if every
``d_j > 0`` has a finite upper and every ``d_j < 0`` a finite lower bound). Weak duality gives
``c·x ≤ OPT ≤ D`` for any primal-feasible ``x``; so exact primal feasibility, exact dual
feasibility and ``c·x = D`` prove that ``c·x`` is the optimum, a rational number.

How the exact pair is obtained (``Certificate.path`` says which one worked):

* ``"basis"``: the active set of the float optimum (tight rows, variables at a bound) is read as a
  basis; the primal system (active rows as equations, bounded variables fixed) and the dual system
  (reduced cost 0 on every variable strictly inside its bounds, dual 0 on slack rows) are re-solved
  in exact rationals (sympy ``DomainMatrix`` over QQ, row reduction). If the active set is
  degenerate, the non-pivot unknowns are fixed at rationalised float values first.
* ``"exact dual simplex"``: for LPs with few variables, when HiGHS's basis is optimal only
  within its tolerances, exact dual simplex steps from it (``numerics.lp.exact_simplex``).
* ``"rationalised"``: fallback — every float is replaced by a nearby small-denominator rational
  (``Fraction.limit_denominator``), bounded/complementary parts are snapped exactly.

Either way ``verify`` re-checks everything in exact arithmetic; nothing is trusted from HiGHS.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from numerics.lp.exact_simplex import exact_dual_simplex
from numerics.lp.exact_solve import solve_exact
from numerics.lp.model import LinearProgram, LPSolution
from numerics.lp.rational import nearest_rational

Q = Fraction


@dataclass(frozen=True)
class Basis:
    """Active set: tight inequality rows, variables at their lower / upper bound."""

    tight_rows: frozenset
    at_lo: frozenset
    at_hi: frozenset
    at_zero: frozenset = frozenset()  # free variables that are nonbasic (value 0)
    slack_eq_rows: frozenset = frozenset()  # equality rows whose slack is basic (dual 0)
    source: str = "active set"

    def to_dict(self) -> dict:
        keys = ("tight_rows", "at_lo", "at_hi", "at_zero", "slack_eq_rows")
        return {k: sorted(getattr(self, k)) for k in keys} | {"source": self.source}


@dataclass(frozen=True)
class Certificate:
    """Exact primal/dual pair, the basis it came from, and the path that produced it."""

    x: tuple
    y_ub: tuple
    y_eq: tuple
    basis: Basis | None
    path: str

    def to_dict(self) -> dict:
        return {"path": self.path, "n_vars": len(self.x)}


@dataclass(frozen=True)
class CertificateCheck:
    """Outcome of the exact check: ``ok``, a reason when not, the proven optimum when ok."""

    ok: bool
    reason: str
    value: Fraction | None
    path: str = ""
    primal: tuple | None = None  # the exact optimal solution when ok
    dual: tuple | None = None  # the exact optimal duals (y_ub, y_eq) when ok

    @property
    def status(self) -> str:
        return "verified" if self.ok else f"not verified: {self.reason}"

    def to_dict(self) -> dict:
        return {"status": self.status, "path": self.path, "value": self.value}


def _fail(reason: str, path: str) -> CertificateCheck:
    return CertificateCheck(ok=False, reason=reason, value=None, path=path)


def verify(lp: LinearProgram, cert: Certificate) -> CertificateCheck:
    """Exactly check primal feasibility, dual feasibility, equal objectives (and the basis).

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(hi=1); y = b.add_var(hi=1)
    >>> b.add_row({x: 1, y: 1}, "<=", Fraction(3, 2)); b.set_objective({x: 2, y: 1})
    >>> lp = b.build(); chk = certify(lp, solve(lp)); (chk.ok, chk.value)
    (True, Fraction(5, 2))
    """
    n = len(lp.c)
    x, y, z = list(cert.x), list(cert.y_ub), list(cert.y_eq)
    if len(x) != n or len(y) != lp.ub.n_rows or len(z) != lp.eq.n_rows:
        return _fail("dimension mismatch", cert.path)
    for j, (v, lo, hi) in enumerate(zip(x, lp.lo, lp.hi, strict=True)):
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            return _fail(f"primal bound violated at variable {j}", cert.path)
    ax = lp.ub.dot(x)
    for r, (a, b) in enumerate(zip(ax, lp.b_ub, strict=True)):
        if a > b:
            return _fail(f"primal row {r} violated by {a - b}", cert.path)
    for r, (a, b) in enumerate(zip(lp.eq.dot(x), lp.b_eq, strict=True)):
        if a != b:
            return _fail(f"equality row {r} violated", cert.path)
    if any(v < 0 for v in y):
        return _fail("negative inequality dual", cert.path)
    aty = lp.ub.tdot(y)
    atz = lp.eq.tdot(z)
    dual = sum((b * v for b, v in zip(lp.b_ub, y, strict=True)), Q(0))
    dual += sum((b * v for b, v in zip(lp.b_eq, z, strict=True)), Q(0))
    for j in range(n):
        d = lp.c[j] - aty[j] - atz[j]
        if d > 0:
            if lp.hi[j] is None:
                return _fail(f"dual infeasible at variable {j}", cert.path)
            dual += lp.hi[j] * d
        elif d < 0:
            if lp.lo[j] is None:
                return _fail(f"dual infeasible at variable {j}", cert.path)
            dual += lp.lo[j] * d
    primal = sum((c * v for c, v in zip(lp.c, x, strict=True)), Q(0))
    if primal != dual:
        return _fail(f"duality gap {dual - primal}", cert.path)
    if cert.basis is not None:
        for r in cert.basis.tight_rows:
            if ax[r] != lp.b_ub[r]:
                return _fail(f"basis row {r} not tight", cert.path)
        for j in cert.basis.at_lo:
            if x[j] != lp.lo[j]:
                return _fail(f"basis variable {j} not at bound", cert.path)
        for j in cert.basis.at_hi:
            if x[j] != lp.hi[j]:
                return _fail(f"basis variable {j} not at bound", cert.path)
        for j in cert.basis.at_zero:
            if x[j] != 0:
                return _fail(f"basis variable {j} not zero", cert.path)
        for r in range(lp.ub.n_rows):
            if y[r] != 0 and r not in cert.basis.tight_rows:
                return _fail(f"dual of basic row {r} not zero", cert.path)
    return CertificateCheck(
        ok=True, reason="", value=primal, path=cert.path, primal=tuple(x), dual=(tuple(y), tuple(z))
    )


def active_basis(lp: LinearProgram, sol: LPSolution, tol: float = 1e-7) -> Basis:
    """Read the active set off a float optimum (relative tolerance ``tol``).

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(hi=1); b.add_row({x: 2}, "<=", 1); b.set_objective({x: 1})
    >>> lp = b.build(); sorted(active_basis(lp, solve(lp)).tight_rows)
    [0]
    """
    x = sol.x
    a = lp.ub.to_float()
    slack = np.array([float(b) for b in lp.b_ub]) - a @ x if lp.ub.n_rows else np.zeros(0)
    scale = 1.0 + np.abs(x).max(initial=0.0)
    tight = frozenset(np.flatnonzero(np.abs(slack) <= tol * scale).tolist())
    at_lo = frozenset(
        j for j, lo in enumerate(lp.lo) if lo is not None and abs(x[j] - float(lo)) <= tol * scale
    )
    at_hi = (
        frozenset(
            j
            for j, hi in enumerate(lp.hi)
            if hi is not None and abs(x[j] - float(hi)) <= tol * scale
        )
        - at_lo
    )
    return Basis(tight_rows=tight, at_lo=at_lo, at_hi=at_hi)


def highs_basis(lp: LinearProgram, sol: LPSolution) -> Basis:
    """The optimal basis reported by HiGHS (nonbasic columns at a bound, nonbasic rows tight).

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(hi=1); b.add_row({x: 2}, "<=", 3); b.set_objective({x: 1})
    >>> lp = b.build(); sorted(highs_basis(lp, solve(lp)).at_hi)
    [0]
    """
    cols, rows = sol.basis["col"], sol.basis["row"]
    at_lo, at_hi, at_zero = set(), set(), set()
    for j, st in enumerate(cols):
        if st == "kBasic":
            continue
        lo, hi = lp.lo[j], lp.hi[j]
        if lo is not None and hi is not None and lo == hi:
            at_lo.add(j)
        elif st == "kLower" and lo is not None:
            at_lo.add(j)
        elif st == "kUpper" and hi is not None:
            at_hi.add(j)
        elif lo is None and hi is None:
            at_zero.add(j)
        elif lo is not None and (
            hi is None or abs(sol.x[j] - float(lo)) <= abs(sol.x[j] - float(hi))
        ):
            at_lo.add(j)
        else:
            at_hi.add(j)
    mu = lp.ub.n_rows
    tight = frozenset(r for r in range(mu) if rows[r] != "kBasic")
    slack_eq = frozenset(r - mu for r in range(mu, len(rows)) if rows[r] == "kBasic")
    return Basis(
        tight_rows=tight,
        at_lo=frozenset(at_lo),
        at_hi=frozenset(at_hi),
        at_zero=frozenset(at_zero),
        slack_eq_rows=slack_eq,
        source="HiGHS",
    )


def solve_basis(lp: LinearProgram, basis: Basis, sol: LPSolution, den: int = 10**6) -> Certificate:
    """Re-solve the primal and dual systems of ``basis`` in exact rationals.

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(); b.add_row({x: 3}, "<=", 1); b.set_objective({x: 1})
    >>> lp = b.build(); sol = solve(lp)
    >>> solve_basis(lp, highs_basis(lp, sol), sol).x
    (Fraction(1, 3),)
    """
    n = len(lp.c)
    fixed = {j: lp.lo[j] for j in basis.at_lo} | {j: lp.hi[j] for j in basis.at_hi}
    fixed |= {j: Q(0) for j in basis.at_zero}
    free = [j for j in range(n) if j not in fixed]
    prow, prhs = [], []
    for mat, rhs, rows in (
        (lp.eq, lp.b_eq, range(lp.eq.n_rows)),
        (lp.ub, lp.b_ub, sorted(basis.tight_rows)),
    ):
        for r in rows:
            idx, dat = mat.row(r)
            row, b = {}, rhs[r]
            for j, a in zip(idx.tolist(), dat, strict=True):
                if j in fixed:
                    b -= a * fixed[j]
                else:
                    row[j] = a
            prow.append(row), prhs.append(b)
    hint = {j: float(sol.x[j]) for j in free}
    xs = solve_exact(prow, prhs, free, hint, den)
    x = [Q(0)] * n
    for j, v in fixed.items():
        x[j] = v
    if xs is not None:
        for j, v in xs.items():
            x[j] = v
    # Dual: unknowns y_r (r tight) and z_r (all equality rows); reduced cost 0 on free columns.
    tight = sorted(basis.tight_rows)
    eq_rows = [r for r in range(lp.eq.n_rows) if r not in basis.slack_eq_rows]
    cols: dict[int, dict] = {j: {} for j in free}
    for kind, mat, rows in (("u", lp.ub, tight), ("e", lp.eq, eq_rows)):
        for r in rows:
            idx, dat = mat.row(r)
            for j, a in zip(idx.tolist(), dat, strict=True):
                if j in cols:
                    cols[j][kind, r] = a
    unknowns = [("u", r) for r in tight] + [("e", r) for r in eq_rows]
    dhint = {("u", r): float(sol.y_ub[r]) for r in tight}
    dhint |= {("e", r): float(sol.y_eq[r]) for r in eq_rows}
    ys = solve_exact([cols[j] for j in free], [lp.c[j] for j in free], unknowns, dhint, den)
    y_ub = [Q(0)] * lp.ub.n_rows
    y_eq = [Q(0)] * lp.eq.n_rows
    if ys is not None:
        for (kind, r), v in ys.items():
            (y_ub if kind == "u" else y_eq)[r] = v
    return Certificate(x=tuple(x), y_ub=tuple(y_ub), y_eq=tuple(y_eq), basis=basis, path="basis")


def rationalise(lp: LinearProgram, sol: LPSolution, basis: Basis, den: int) -> Certificate:
    """Nearby small-denominator rationals, snapped to the bounds and zero duals of ``basis``.

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(); b.add_row({x: 3}, "<=", 1); b.set_objective({x: 1})
    >>> lp = b.build(); sol = solve(lp)
    >>> verify(lp, rationalise(lp, sol, active_basis(lp, sol), 1000)).value
    Fraction(1, 3)
    """
    x = [nearest_rational(v, den) for v in sol.x]
    for j in basis.at_lo:
        x[j] = lp.lo[j]
    for j in basis.at_hi:
        x[j] = lp.hi[j]
    y_ub = [
        max(nearest_rational(v, den), Q(0)) if r in basis.tight_rows else Q(0)
        for r, v in enumerate(sol.y_ub)
    ]
    y_eq = [nearest_rational(v, den) for v in sol.y_eq]
    return Certificate(
        x=tuple(x), y_ub=tuple(y_ub), y_eq=tuple(y_eq), basis=basis, path="rationalised"
    )


def certify(
    lp: LinearProgram, sol: LPSolution, max_basis_size: int = 4000, max_square_size: int = 50000
) -> CertificateCheck:
    """Turn a float optimum into a proven rational optimum (or say why that failed).

    Tries the exact re-solve of HiGHS's basis first (square: iterative refinement, up to
    ``max_square_size`` rows), then of the active set (row reduction, up to ``max_basis_size``
    rows), then rationalisation with growing denominators.
    """
    if not sol.ok:
        return _fail(f"LP not solved: {sol.message}", "")
    reasons = []
    bases = [highs_basis(lp, sol)] if sol.basis is not None else []
    bases.append(active_basis(lp, sol))
    for basis in bases:
        limit = max_square_size if basis.source == "HiGHS" else max_basis_size
        if lp.eq.n_rows + len(basis.tight_rows) > limit:
            reasons.append(f"basis ({basis.source}): system too large")
            continue
        chk = verify(lp, solve_basis(lp, basis, sol))
        if chk.ok:
            return replace(chk, path=f"basis ({basis.source})")
        reasons.append(f"basis ({basis.source}): {chk.reason}")
        if basis.source == "HiGHS" and len(lp.c) <= 80:
            repaired = exact_dual_simplex(lp, basis)
            if repaired is not None:
                x, y_ub, y_eq = repaired
                cert = Certificate(
                    x=tuple(x), y_ub=tuple(y_ub), y_eq=tuple(y_eq), basis=None, path="exact simplex"
                )
                chk = verify(lp, cert)
                if chk.ok:
                    return replace(chk, path="exact dual simplex from the HiGHS basis")
                reasons.append(f"exact simplex: {chk.reason}")
            else:
                reasons.append("exact simplex: no repair from this basis")
    for den in (10**4, 10**8, 10**12):
        chk = verify(lp, rationalise(lp, sol, basis, den))
        if chk.ok:
            return chk
        reasons.append(f"rationalised({den:.0e}): {chk.reason}")
    return _fail("; ".join(reasons), "")


def certificate_for(lp: LinearProgram, sol: LPSolution) -> tuple[Certificate, CertificateCheck]:
    """The exact certificate object itself (basis path) with its check, for inspection/tests.

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(); b.add_row({x: 3}, "<=", 1); b.set_objective({x: 1})
    >>> lp = b.build(); cert, chk = certificate_for(lp, solve(lp)); cert.y_ub, chk.ok
    ((Fraction(1, 3),), True)
    """
    basis = highs_basis(lp, sol) if sol.basis is not None else active_basis(lp, sol)
    cert = solve_basis(lp, basis, sol)
    return cert, verify(lp, cert)


def tamper(
    cert: Certificate, which: str = "x", index: int = 0, delta: Fraction = Fraction(1, 10**9)
) -> Certificate:
    """A copy of ``cert`` with one entry nudged by ``delta`` (for testing the checker).

    >>> from numerics.lp.model import LPBuilder, solve
    >>> b = LPBuilder(); x = b.add_var(); b.add_row({x: 3}, "<=", 1); b.set_objective({x: 1})
    >>> lp = b.build(); cert, _ = certificate_for(lp, solve(lp))
    >>> verify(lp, tamper(cert, "x", 0)).ok
    False
    """
    vals = list(getattr(cert, which))
    vals[index] = vals[index] + delta
    return replace(cert, **{which: tuple(vals)})
