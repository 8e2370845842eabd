"""Yao's bi-valued setting: n iid additive agents, m iid items, values ``a`` (prob. p) or ``b``.

Reduced LP with both symmetries. Averaging an optimal mechanism over agent *and* item
permutations keeps feasibility, BIC, IR and revenue, so there is an optimum whose interim rule
depends on a type ``H`` (the set of b-valued items) only through ``k = |H|`` and whether the item
is in ``H``: ``X_hi(k)``, ``X_lo(k)``, ``P(k)``. A type ``k`` reporting a set of size ``k'``
overlapping its own in ``o`` items gets
``a(k' X_hi(k') + (m−k') X_lo(k')) + (b−a)(o X_hi(k') + (k−o) X_lo(k')) − P(k')``; BIC is imposed
for every feasible ``o``. Feasibility of each item is Border's symmetric condition over unions of
the 2m classes ``(j ∈ H, |H|)`` — enough, since the upper level sets of a class-constant rule are
such unions. The LP has O(m²) variables and 2^(2m) Border rows, whatever n is.

DSIC optima use the naive ex-post LP (``numerics.lp.optimal``), exponential in n·m.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from math import comb

from numerics.lp.certificate import CertificateCheck
from numerics.lp.model import LPBuilder, shape_dict
from numerics.lp.optimal import TypeSpace, benchmarks, optimal_mechanism, solve_and_certify

Q = Fraction


@dataclass(frozen=True)
class YaoResult:
    """Optimal revenue in Yao's setting with the symmetric interim rule per k = #high items."""

    n: int
    m: int
    p: Fraction
    a: Fraction
    b: Fraction
    ic: str
    revenue: Fraction | None
    revenue_float: float
    certificate: CertificateCheck
    formulation: str
    interim: tuple  # rows (k, X_hi, X_lo, P): exact Fractions when certified, else floats
    lp_shape: tuple
    seconds: float
    benchmarks: dict

    def to_dict(self) -> dict:
        return {
            "setting": "yao",
            "agents": self.n,
            "items": self.m,
            "p": self.p,
            "a": self.a,
            "b": self.b,
            "ic": self.ic,
            "revenue": self.revenue,
            "revenue_float": self.revenue_float,
            "certificate": self.certificate.status,
            "certificate_path": self.certificate.path,
            "formulation": self.formulation,
            "interim": [
                {"high_items": k, "x_high": xh, "x_low": xl, "payment": pk}
                for k, xh, xl, pk in self.interim
            ],
            "lp": shape_dict(self.lp_shape),
            "seconds": self.seconds,
            "benchmarks": self.benchmarks,
        }


def yao_type_space(m: int, p, a, b) -> TypeSpace:
    """Product type space of one agent (2^m types).

    >>> len(yao_type_space(3, Fraction(1, 2), 1, 2).types)
    8
    """
    p = Q(p)
    return TypeSpace.product([([Q(a), Q(b)], [p, 1 - p])] * m)


def build_yao_reduced(n: int, m: int, p, a, b):
    """The doubly symmetric interim LP; returns ``(lp, xh, xl, pay)`` variable ids.

    >>> build_yao_reduced(2, 2, Fraction(1, 2), 1, 2)[0].shape
    (7, 25, 0)
    """
    p, a, b = Q(p), Q(a), Q(b)
    q = 1 - p  # probability of the high value b
    lp = LPBuilder()
    xh = {k: lp.add_var(0, 1, f"xh{k}") for k in range(1, m + 1)}
    xl = {k: lp.add_var(0, 1, f"xl{k}") for k in range(0, m)}
    pay = {k: lp.add_var(None, None, f"P{k}") for k in range(m + 1)}
    fk = {k: comb(m, k) * q**k * p ** (m - k) for k in range(m + 1)}

    def util(k, k2, o, sign=1):
        row: dict = {pay[k2]: -sign}
        if k2 >= 1:
            row[xh[k2]] = sign * (a * k2 + (b - a) * o)
        if k2 <= m - 1:
            row[xl[k2]] = sign * (a * (m - k2) + (b - a) * (k - o))
        return row

    for k in range(m + 1):
        own = util(k, k, k)
        lp.add_row(own, ">=", 0)
        for k2 in range(m + 1):
            for o in range(max(0, k + k2 - m), min(k, k2) + 1):
                if k2 == k and o == k:
                    continue
                row = dict(own)
                for var, c in util(k, k2, o, -1).items():
                    row[var] = row.get(var, 0) + c
                lp.add_row(row, ">=", 0)
    classes = [(xh[k], comb(m - 1, k - 1) * q**k * p ** (m - k)) for k in range(1, m + 1)]
    classes += [(xl[k], comb(m - 1, k) * q**k * p ** (m - k)) for k in range(0, m)]
    for size in range(1, len(classes) + 1):
        for S in itertools.combinations(classes, size):
            fs = sum((f for _, f in S), Q(0))
            lp.add_row({v: n * f for v, f in S}, "<=", 1 - (1 - fs) ** n)
    lp.set_objective({pay[k]: n * fk[k] for k in range(m + 1)})
    return lp.build(), xh, xl, pay


def yao_optimal(
    n: int, m: int, p, a, b, ic: str = "bic", formulation: str = "auto", do_certify: bool = True
) -> YaoResult:
    """Optimal BIC (reduced LP) or DSIC (ex-post LP) revenue in Yao's bi-valued setting.

    >>> r = yao_optimal(2, 2, Fraction(1, 2), 1, 2); r.revenue, r.certificate.status
    (Fraction(51, 16), 'verified')
    """
    if n < 1 or m < 1:
        raise ValueError("need at least one agent and one item")
    p, a, b = Q(p), Q(a), Q(b)
    if not (0 < p < 1) or not (0 <= a < b):
        raise ValueError("need 0 < p < 1 and 0 ≤ a < b")
    ts = yao_type_space(m, p, a, b) if m <= 12 else None
    if formulation == "auto":
        formulation = "reduced" if ic == "bic" else "expost"
    if formulation == "reduced":
        if ic != "bic":
            raise ValueError("the reduced Yao LP is for BIC; use formulation='expost' for DSIC")
        if m > 8:
            raise ValueError("reduced Yao LP enumerates 4^m Border rows; m ≤ 8 supported")
        lp, xh, xl, pay = build_yao_reduced(n, m, p, a, b)
        sol, chk = solve_and_certify(lp, do_certify)

        def val(j):
            return chk.primal[j] if chk.ok else float(sol.x[j])

        interim = (
            tuple(
                (k, val(xh[k]) if k in xh else None, val(xl[k]) if k in xl else None, val(pay[k]))
                for k in range(m + 1)
            )
            if sol.ok
            else ()
        )
        shape, secs, rev, revf = lp.shape, sol.seconds, chk.value, sol.objective
    else:
        if (2**m) ** n > 4096:
            raise ValueError("ex-post Yao LP too large (2^(m·n) profiles > 4096)")
        res = optimal_mechanism([ts] * n, ic=ic, formulation="expost", do_certify=do_certify)
        chk, shape, secs, rev, revf = (
            res.certificate,
            res.lp_shape,
            res.seconds,
            res.revenue,
            res.revenue_float,
        )
        by_k: dict = {}
        # a failed solve has no interim rule (reported by its status, as the reduced LP's)
        rules = zip(ts.types, res.interim_allocation[0], res.interim_payment[0], strict=True) \
            if res.interim_allocation else ()
        for t, xs, pk in rules:
            k = sum(1 for v in t if v == b)
            hi = [x for v, x in zip(t, xs, strict=True) if v == b]
            lo = [x for v, x in zip(t, xs, strict=True) if v == a]
            by_k.setdefault(k, []).append((hi, lo, pk))
        interim = tuple(
            (
                k,
                _mean([h for hi, _, _ in by_k[k] for h in hi]),
                _mean([lv for _, lo, _ in by_k[k] for lv in lo]),
                _mean([pk for _, _, pk in by_k[k]]),
            )
            for k in sorted(by_k)
        )
    bench = benchmarks([ts] * n) if ts is not None and m <= 8 else {}
    return YaoResult(n, m, p, a, b, ic, rev, revf, chk, formulation, interim, shape, secs, bench)


def _mean(xs):
    return sum(xs) / len(xs) if xs else None
