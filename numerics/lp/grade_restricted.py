"""Grade-restricted optimal mechanisms: the revenue–grade frontier ``R ↦ Rev^(R)``
(Nagy, *Optimal Mechanism Design via Latent Compression*, §5).

N iid bidders with finitely many types (a K-point grid per item; value vectors for M items,
additive). ``Rev^(R)`` is the best revenue of a feasible, BIC, IR mechanism whose allocation
``x_i(v_1..v_N)`` (as a function of the N bidders' types) has ANOVA grade ≤ R.

*Parametrisation.* A function has grade ≤ R iff it is a sum of functions of at most R of its
arguments (the Hoeffding components of such a sum vanish above grade R, and conversely
``f = Σ_{|u|≤R} f_u``). This span is rational, so the LP stays exact — no orthonormal basis
(irrational norms) is needed: ``x_i(v) = Σ_{|S|≤R−1, S∌i} h(v_i; v_S) + Σ_{|S|≤R, S∌i} g(v_S)``.

*Symmetry.* Averaging a grade-≤R mechanism over bidder permutations keeps it feasible, BIC, IR,
of grade ≤ R (permuting arguments preserves "depends on ≤ R arguments") and of equal revenue,
since bidders are iid and all constraints are linear. So ``x_i(v) = x(v_i; multiset of v_{−i})``
with ``h_s(a; T)``, ``g_s(T)`` functions of a multiset T of size s (a component of a symmetric
function is symmetric in its arguments other than ``v_i``). The coefficient of ``h_s(a; T)`` in
``x(a; O)`` is the number of sub-multisets of ``O`` equal to ``T``: ``Π_k C(O_k, T_k)``.
The components are *anchored* at the lowest type (they vanish when any argument is the lowest
type: the cut-HDMR decomposition, unique and spanning the same grade-≤R space), so no parameter
is redundant — this keeps the LP non-degenerate in the parameters and HiGHS fast.
Constraints: ``x ≥ 0``; ``Σ_i x_ij ≤ 1`` on each profile (multiset of N types) and item; BIC and
IR on interim allocations ``X(a) = E_O x(a; O)`` and payments ``P(a)``. For R ≥ N the
restriction is void and ``Rev^(N) = Rev*``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from math import comb, factorial

from numerics.lp.certificate import CertificateCheck
from numerics.lp.model import LPBuilder, shape_dict
from numerics.lp.myerson import myerson_revenue
from numerics.lp.optimal import TypeSpace, optimal_mechanism, solve_and_certify

Q = Fraction


@dataclass(frozen=True)
class GradePoint:
    """One point of the frontier: grade R, revenue (exact if certified), loss and ratio to Rev*."""

    grade: int
    revenue: Fraction | None
    revenue_float: float
    ratio: float
    loss: float
    certificate: str
    lp_shape: tuple
    seconds: float

    def to_dict(self) -> dict:
        return {
            "grade": self.grade,
            "revenue": self.revenue if self.revenue is not None else self.revenue_float,
            "revenue_exact": self.revenue is not None,
            "revenue_float": self.revenue_float,
            "ratio": self.ratio,
            "loss": self.loss,
            "certificate": self.certificate,
            "lp": shape_dict(self.lp_shape),
            "seconds": self.seconds,
        }


@dataclass(frozen=True)
class Frontier:
    """The revenue–grade frontier ``Rev^(R)``, R = 1..N, against the optimum ``Rev*``."""

    n_bidders: int
    n_types: int
    n_items: int
    optimum: Fraction | None
    optimum_float: float
    optimum_method: str
    points: tuple

    def to_dict(self) -> dict:
        return {
            "bidders": self.n_bidders,
            "types_per_bidder": self.n_types,
            "items": self.n_items,
            "optimum": self.optimum if self.optimum is not None else self.optimum_float,
            "optimum_float": self.optimum_float,
            "optimum_method": self.optimum_method,
            "frontier": [p.to_dict() for p in self.points],
            "definition": "Rev^(R): best revenue of a feasible, BIC, IR mechanism whose "
            "allocation has ANOVA grade <= R (bidders as variables), on the "
            "type grid; loss = Rev* - Rev^(R); ratio = Rev^(R)/Rev*",
        }


@dataclass(frozen=True, kw_only=True)
class Optimum:
    """The unrestricted optimum Rev*: ``revenue`` (exact, or ``None`` when not certified),
    ``revenue_float`` and the ``method`` that found it. Unpacks as the triple
    ``(revenue, revenue_float, method)`` that :func:`rev_star` used to return.

    >>> rev, f, method = Optimum(revenue=Fraction(3, 2), revenue_float=1.5, method="Myerson")
    >>> rev, Optimum(revenue=None, revenue_float=1.5, method="LP").value
    (Fraction(3, 2), 1.5)
    """

    revenue: Fraction | None
    revenue_float: float
    method: str

    @property
    def value(self) -> Fraction | float:
        """The exact revenue when known, else the float."""
        return self.revenue if self.revenue is not None else self.revenue_float

    def __iter__(self):
        return iter((self.revenue, self.revenue_float, self.method))

    def to_dict(self) -> dict:
        return {"revenue": self.value, "revenue_exact": self.revenue is not None,
                "revenue_float": self.revenue_float, "method": self.method}


def _multisets(n_types: int, size: int) -> list[tuple]:
    """Count vectors of all multisets of ``size`` elements of ``range(n_types)``."""
    out = []
    for combo in itertools.combinations_with_replacement(range(n_types), size):
        c = [0] * n_types
        for t in combo:
            c[t] += 1
        out.append(tuple(c))
    return out


def _submultisets(counts: tuple, max_size: int):
    """Yield ``(sub, multiplicity)``: sub-multisets of size ≤ max_size avoiding the anchor type 0,
    with multiplicity Π C(c_k, t_k)."""
    ranges = [range(1)] + [range(min(c, max_size) + 1) for c in counts[1:]]
    for t in itertools.product(*ranges):
        if sum(t) <= max_size:
            mult = 1
            for c, tk in zip(counts, t, strict=True):
                mult *= comb(c, tk)
            yield t, mult


def _multiset_prob(counts: tuple, probs) -> Fraction:
    out = Q(factorial(sum(counts)))
    for c, p in zip(counts, probs, strict=True):
        out = out / factorial(c) * p**c
    return out


def build_grade_lp(ts: TypeSpace, n: int, grade: int):
    """The symmetric grade-≤R LP (see module docstring); returns the ``LinearProgram``.

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> build_grade_lp(ts, 2, 1).shape
    (11, 7, 6)
    """
    kt, m = len(ts.types), ts.n_items
    b = LPBuilder()
    others = _multisets(kt, n - 1)
    x = {(a, o): b.add_vars(m, 0, 1, f"x{a}{o}") for a in range(kt) for o in others}
    if grade < n:
        h: dict = {}
        g: dict = {}

        def var(table, key, tag):
            if key not in table:
                table[key] = b.add_var(None, None, f"{tag}{key}")
            return table[key]

        for (a, o), xv in x.items():
            subs = list(_submultisets(o, grade))
            for j in range(m):
                row: dict = {xv[j]: Q(1)}
                for sub, mult in subs:
                    if sum(sub) <= grade - 1 and a != 0:
                        hv = var(h, (a, sub, j), "h")
                        row[hv] = row.get(hv, 0) - mult
                    gv = var(g, (sub, j), "g")
                    row[gv] = row.get(gv, 0) - mult
                b.add_row(row, "==", 0)
    for full in _multisets(kt, n):
        for j in range(m):
            row = {}
            for a in range(kt):
                if full[a]:
                    o = tuple(c - (k == a) for k, c in enumerate(full))
                    row[x[a, o][j]] = full[a]
            b.add_row(row, "<=", 1)
    po = {o: _multiset_prob(o, ts.probs) for o in others}
    X = {a: b.add_vars(m, 0, 1, f"X{a}") for a in range(kt)}
    P = {a: b.add_var(None, None, f"P{a}") for a in range(kt)}
    for a in range(kt):
        for j in range(m):
            row = {X[a][j]: Q(-1)} | {x[a, o][j]: po[o] for o in others}
            b.add_row(row, "==", 0)
    for a, t in enumerate(ts.types):
        own = {X[a][j]: t[j] for j in range(m)} | {P[a]: Q(-1)}
        b.add_row(own, ">=", 0)
        for a2 in range(kt):
            if a2 != a:
                row = dict(own)
                for j in range(m):
                    row[X[a2][j]] = row.get(X[a2][j], 0) - t[j]
                row[P[a2]] = row.get(P[a2], 0) + 1
                b.add_row(row, ">=", 0)
    b.set_objective({P[a]: n * ts.probs[a] for a in range(kt)})
    return b.build()


def grade_restricted_revenue(ts: TypeSpace, n: int, grade: int,
                             do_certify: bool | Callable[[tuple], bool] = True):
    """``(revenue exact or None, revenue float, CertificateCheck, lp shape, seconds)``.
    ``do_certify`` may be a policy: a function of the LP shape (e.g. certify small LPs only).

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> grade_restricted_revenue(ts, 2, 2)[0]
    Fraction(3, 2)
    """
    lp = build_grade_lp(ts, n, grade)
    certify_it = do_certify(lp.shape) if callable(do_certify) else bool(do_certify)
    sol, chk = solve_and_certify(lp, certify_it, solver="ipm")
    return chk.value if chk.ok else None, sol.objective, chk, lp.shape, sol.seconds


def frontier(
    ts: TypeSpace,
    n: int,
    grades=None,
    do_certify: bool | Callable[[tuple], bool] = True,
    optimum: Optimum | tuple | None = None,
    progress=None,
) -> Frontier:
    """Rev^(R) for R in ``grades`` (default 1..N) and Rev* (Myerson if one item, else the
    reduced Border LP of ``numerics.lp.optimal``).

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> f = frontier(ts, 2); [str(p.revenue) for p in f.points], f.optimum
    (['3/2', '3/2'], Fraction(3, 2))
    """
    grades = list(range(1, n + 1)) if grades is None else list(grades)
    if optimum is None:
        optimum = rev_star(ts, n, bool(do_certify))
    opt, opt_f, method = optimum
    points = []
    iterator = progress(grades) if progress else grades
    for r in iterator:
        rev, rev_f, chk, shape, secs = grade_restricted_revenue(ts, n, r, do_certify)
        base = float(opt) if opt is not None else opt_f
        val = float(rev) if rev is not None else rev_f
        points.append(
            GradePoint(
                r,
                rev,
                rev_f,
                val / base if base else float("nan"),
                base - val,
                chk.status,
                shape,
                secs,
            )
        )
    return Frontier(n, len(ts.types), ts.n_items, opt, opt_f, method, tuple(points))


def rev_star(ts: TypeSpace, n: int, do_certify: bool = True) -> Optimum:
    """The unrestricted optimum (unpacks as ``(exact or None, float, method)``).

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> rev_star(ts, 2).revenue
    Fraction(3, 2)
    """
    if ts.n_items == 1:
        r = myerson_revenue([ts.marginal(0)] * n)
        return Optimum(revenue=r, revenue_float=float(r),
                       method="Myerson (ironed virtual values, exact)")
    res = optimal_mechanism([ts] * n, formulation="reduced", do_certify=do_certify)
    return Optimum(revenue=res.revenue, revenue_float=res.revenue_float,
                   method="reduced Border LP")


__all__ = [
    "CertificateCheck",
    "Frontier",
    "GradePoint",
    "Optimum",
    "build_grade_lp",
    "frontier",
    "grade_restricted_revenue",
    "rev_star",
]
