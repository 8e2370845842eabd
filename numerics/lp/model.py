"""Exact-data linear programs in sparse form, solved in floating point by HiGHS.

An LP here is ``max c·x  s.t.  A_ub x ≤ b_ub,  A_eq x = b_eq,  lo ≤ x ≤ hi`` with every
coefficient a ``Fraction`` (so a solution can later be *certified* exactly, see
``numerics.lp.certificate``). Bounds may be infinite (``None``). HiGHS (``scipy.optimize.linprog``)
solves the float image; its duals are returned with the sign convention of the maximisation:
``y_ub ≥ 0`` and ``c − A_ubᵀ y_ub − A_eqᵀ y_eq`` is the reduced cost.
"""

from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

try:  # HiGHS's own binding as shipped inside scipy (a private module: absent from some builds)
    from scipy.optimize._highspy import _core as _HIGHS_CORE
except ImportError:  # pragma: no cover - depends on the scipy build
    _HIGHS_CORE = None

Q = Fraction


def _q(value) -> Fraction:
    """Exact rational from int/Fraction/str; floats are taken at their exact binary value."""
    return value if isinstance(value, Fraction) else Fraction(value)


@dataclass
class LPBuilder:
    """Incrementally build an exact LP (maximisation).

    >>> b = LPBuilder()
    >>> x = b.add_var(hi=1); y = b.add_var(hi=1)
    >>> b.add_row({x: 1, y: 1}, "<=", Fraction(3, 2))
    >>> b.set_objective({x: 2, y: 1})
    >>> sol = solve(b.build())
    >>> round(sol.objective, 9)
    2.5
    """

    lo: list = field(default_factory=list)
    hi: list = field(default_factory=list)
    names: list = field(default_factory=list)
    c: dict = field(default_factory=dict)
    ub_rows: list = field(default_factory=list)
    ub_rhs: list = field(default_factory=list)
    eq_rows: list = field(default_factory=list)
    eq_rhs: list = field(default_factory=list)
    row_names_ub: list = field(default_factory=list)
    row_names_eq: list = field(default_factory=list)

    def add_var(self, lo=0, hi=None, name: str = "") -> int:
        self.lo.append(None if lo is None else _q(lo))
        self.hi.append(None if hi is None else _q(hi))
        self.names.append(name)
        return len(self.lo) - 1

    def add_vars(self, count: int, lo=0, hi=None, name: str = "") -> list[int]:
        return [self.add_var(lo, hi, f"{name}[{k}]") for k in range(count)]

    def add_row(self, coeffs: dict, sense: str, rhs, name: str = "") -> None:
        """Add ``Σ coeffs[j] x_j (sense) rhs`` with sense in ``<=``, ``>=``, ``==``."""
        row = {j: _q(a) for j, a in coeffs.items() if a != 0}
        rhs = _q(rhs)
        if sense == "<=":
            self.ub_rows.append(row), self.ub_rhs.append(rhs), self.row_names_ub.append(name)
        elif sense == ">=":
            self.ub_rows.append({j: -a for j, a in row.items()})
            self.ub_rhs.append(-rhs)
            self.row_names_ub.append(name)
        elif sense == "==":
            self.eq_rows.append(row), self.eq_rhs.append(rhs), self.row_names_eq.append(name)
        else:
            raise ValueError(f"unknown sense {sense!r}")

    def set_objective(self, coeffs: dict) -> None:
        self.c = {j: _q(a) for j, a in coeffs.items() if a != 0}

    def build(self) -> LinearProgram:
        n = len(self.lo)
        c = [Q(0)] * n
        for j, a in self.c.items():
            c[j] = a
        return LinearProgram(
            c=tuple(c),
            ub=SparseRows.from_dicts(self.ub_rows, n),
            b_ub=tuple(self.ub_rhs),
            eq=SparseRows.from_dicts(self.eq_rows, n),
            b_eq=tuple(self.eq_rhs),
            lo=tuple(self.lo),
            hi=tuple(self.hi),
            names=tuple(self.names),
            ub_names=tuple(self.row_names_ub),
            eq_names=tuple(self.row_names_eq),
        )


@dataclass(frozen=True)
class SparseRows:
    """CSR rows with exact ``Fraction`` data (``indptr``, ``indices`` numpy; ``data`` tuple)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: tuple
    n_cols: int

    @classmethod
    def from_dicts(cls, rows: list[dict], n_cols: int) -> SparseRows:
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indices: list[int] = []
        data: list[Fraction] = []
        for r, row in enumerate(rows):
            for j in sorted(row):
                indices.append(j)
                data.append(row[j])
            indptr[r + 1] = len(indices)
        return cls(indptr, np.asarray(indices, dtype=np.int64), tuple(data), n_cols)

    @property
    def n_rows(self) -> int:
        return len(self.indptr) - 1

    def row(self, r: int):
        a, b = self.indptr[r], self.indptr[r + 1]
        return self.indices[a:b], self.data[a:b]

    def to_float(self) -> sp.csr_matrix:
        return sp.csr_matrix(
            (np.array([float(v) for v in self.data], dtype=float), self.indices, self.indptr),
            shape=(self.n_rows, self.n_cols),
        )

    @functools.cached_property
    def _integer_rows(self) -> tuple[list, list, int]:
        """Each row times L/… : integer coefficients over one common denominator L (rows as
        (column list, integer list)), so that products with a vector cost integer sums and one
        reduction per result instead of a gcd per term (why: exact certificate checks)."""
        big = math.lcm(1, *(a.denominator for a in self.data))
        ints = [a.numerator * (big // a.denominator) for a in self.data]
        rows = [(self.indices[self.indptr[r]:self.indptr[r + 1]].tolist(),
                 ints[self.indptr[r]:self.indptr[r + 1]]) for r in range(self.n_rows)]
        return rows, ints, big

    def dot(self, x) -> list[Fraction]:
        """Exact product with a vector of Fractions (or ints).

        >>> m = SparseRows.from_dicts([{0: Fraction(1, 2), 1: 3}], 2)
        >>> m.dot([Fraction(2, 3), 1])
        [Fraction(10, 3)]
        """
        xs, den = _common(x)
        rows, _, big = self._integer_rows
        return [Q(sum(a * xs[j] for j, a in zip(idx, dat, strict=True)), big * den)
                for idx, dat in rows]

    def tdot(self, y) -> list[Fraction]:
        """Exact product Aᵀ y.

        >>> m = SparseRows.from_dicts([{0: Fraction(1, 2), 1: 3}, {1: 1}], 2)
        >>> m.tdot([Fraction(2, 3), Fraction(1, 4)])
        [Fraction(1, 3), Fraction(9, 4)]
        """
        ys, den = _common(y)
        rows, _, big = self._integer_rows
        out = [0] * self.n_cols
        for (idx, dat), yr in zip(rows, ys, strict=True):
            if yr:
                for j, a in zip(idx, dat, strict=True):
                    out[j] += a * yr
        return [Q(v, big * den) for v in out]


def _common(x) -> tuple[list[int], int]:
    """A vector of Fractions (or ints) as integers over their common denominator."""
    den = math.lcm(1, *(v.denominator for v in x))
    return [v.numerator * (den // v.denominator) for v in x], den


@dataclass(frozen=True)
class LinearProgram:
    """``max c·x`` s.t. ``ub·x ≤ b_ub``, ``eq·x = b_eq``, ``lo ≤ x ≤ hi`` (None = infinite)."""

    c: tuple
    ub: SparseRows
    b_ub: tuple
    eq: SparseRows
    b_eq: tuple
    lo: tuple
    hi: tuple
    names: tuple = ()
    ub_names: tuple = ()
    eq_names: tuple = ()

    @property
    def shape(self) -> tuple[int, int, int]:
        """(variables, inequality rows, equality rows)."""
        return len(self.c), self.ub.n_rows, self.eq.n_rows

    def to_dict(self) -> dict:
        n, mu, me = self.shape
        return {"variables": n, "inequalities": mu, "equalities": me}


@dataclass(frozen=True)
class LPSolution:
    """Float solution of a ``LinearProgram`` (HiGHS): primal ``x``, duals, objective."""

    status: int
    message: str
    objective: float
    x: np.ndarray
    y_ub: np.ndarray
    y_eq: np.ndarray
    seconds: float
    basis: dict | None = None  # HiGHS basis: {"col": [...], "row": [...]} status names

    @property
    def ok(self) -> bool:
        return self.status == 0

    def to_dict(self) -> dict:
        return {"status": self.status, "message": self.message, "objective": self.objective}


def shape_dict(shape) -> dict:
    """JSON form of an LP's (variables, inequalities, equalities).

    >>> shape_dict((3, 2, 1))
    {'variables': 3, 'inequalities': 2, 'equalities': 1}
    """
    return {"variables": shape[0], "inequalities": shape[1], "equalities": shape[2]}


def _highs_core():
    """HiGHS's own Python binding as shipped inside scipy (None when unavailable)."""
    return _HIGHS_CORE if hasattr(_HIGHS_CORE, "_Highs") else None


def solve(
    lp: LinearProgram, method: str = "auto", tight: bool = True, solver: str = "simplex"
) -> LPSolution:
    """Solve ``lp`` with HiGHS, through its binding (with the optimal basis) when available.

    ``method``: ``"auto"`` (binding if importable, else linprog), ``"core"`` or ``"linprog"``.
    ``tight``: feasibility tolerances 1e-10 (so the basis is nearly always exactly optimal);
    ``solver``: HiGHS ``"simplex"`` or ``"ipm"`` (interior point + crossover, binding only).

    >>> b = LPBuilder(); x = b.add_var(hi=None)
    >>> b.add_row({x: 2}, "<=", 3); b.set_objective({x: 1})
    >>> s = solve(b.build()); (round(s.objective, 9), round(float(s.y_ub[0]), 9))
    (1.5, 0.5)
    """
    core = _highs_core()
    if method == "core" or (method == "auto" and core is not None):
        return _solve_core(lp, core, tight, solver)
    return _solve_linprog(lp)


def _solve_core(lp: LinearProgram, core, tight: bool = True, solver: str = "simplex") -> LPSolution:
    inf = core.kHighsInf
    n, mu, me = lp.shape
    a = sp.vstack([lp.ub.to_float(), lp.eq.to_float()], format="csr") if mu + me else None
    model = core.HighsLp()
    model.num_col_ = n
    model.num_row_ = mu + me
    model.sense_ = core.ObjSense.kMaximize
    model.col_cost_ = np.array([float(v) for v in lp.c], dtype=float)
    model.col_lower_ = np.array([-inf if v is None else float(v) for v in lp.lo], dtype=float)
    model.col_upper_ = np.array([inf if v is None else float(v) for v in lp.hi], dtype=float)
    rhs = np.array([float(v) for v in lp.b_ub + lp.b_eq], dtype=float)
    model.row_lower_ = np.concatenate([np.full(mu, -inf), rhs[mu:]])
    model.row_upper_ = rhs
    if a is not None:
        model.a_matrix_.format_ = core.MatrixFormat.kRowwise
        model.a_matrix_.num_col_ = n
        model.a_matrix_.num_row_ = mu + me
        model.a_matrix_.start_ = a.indptr.astype(np.int32)
        model.a_matrix_.index_ = a.indices.astype(np.int32)
        model.a_matrix_.value_ = a.data
    h = core._Highs()
    h.setOptionValue("output_flag", False)
    # Tight tolerances so the final basis is (nearly always) exactly feasible and optimal.
    if tight:
        h.setOptionValue("primal_feasibility_tolerance", 1e-10)
        h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    h.setOptionValue("solver", solver)
    t0 = time.perf_counter()
    h.passModel(model)
    h.run()
    seconds = time.perf_counter() - t0
    status = h.getModelStatus()
    msg = h.modelStatusToString(status)
    if status != core.HighsModelStatus.kOptimal:
        return LPSolution(
            2, msg, float("nan"), np.full(n, np.nan), np.zeros(mu), np.zeros(me), seconds
        )
    sol = h.getSolution()
    basis = h.getBasis()
    rd = -np.asarray(sol.row_dual, dtype=float)  # HiGHS: row duals of the max problem, flipped
    info = {"col": [s.name for s in basis.col_status], "row": [s.name for s in basis.row_status]}
    return LPSolution(
        0,
        msg,
        float(h.getInfo().objective_function_value),
        np.asarray(sol.col_value, dtype=float),
        -rd[:mu],
        -rd[mu:],
        seconds,
        info,
    )


def _solve_linprog(lp: LinearProgram, method: str = "highs") -> LPSolution:
    """scipy ``linprog`` (HiGHS) path; duals follow the maximisation's sign convention."""
    n = len(lp.c)
    c = -np.array([float(v) for v in lp.c], dtype=float)
    bounds = [
        (None if lo is None else float(lo), None if hi is None else float(hi))
        for lo, hi in zip(lp.lo, lp.hi, strict=True)
    ]
    kwargs = {}
    if lp.ub.n_rows:
        kwargs["A_ub"] = lp.ub.to_float()
        kwargs["b_ub"] = np.array([float(v) for v in lp.b_ub], dtype=float)
    if lp.eq.n_rows:
        kwargs["A_eq"] = lp.eq.to_float()
        kwargs["b_eq"] = np.array([float(v) for v in lp.b_eq], dtype=float)
    t0 = time.perf_counter()
    res = linprog(c, bounds=bounds, method=method, **kwargs)
    seconds = time.perf_counter() - t0
    if res.status != 0:
        return LPSolution(
            res.status,
            res.message,
            float("nan"),
            np.full(n, np.nan),
            np.zeros(lp.ub.n_rows),
            np.zeros(lp.eq.n_rows),
            seconds,
        )
    y_ub = -np.asarray(res.ineqlin.marginals) if lp.ub.n_rows else np.zeros(0)
    y_eq = -np.asarray(res.eqlin.marginals) if lp.eq.n_rows else np.zeros(0)
    return LPSolution(0, res.message, -float(res.fun), np.asarray(res.x), y_ub, y_eq, seconds)
