"""Bilateral trade on finite type grids: Myerson–Satterthwaite decided exactly, VCG's deficit.

A buyer with value b ∈ B and a seller with cost s ∈ S, independent, with rational
probabilities. A direct mechanism is described by its trade probability q(b, s) and interim
transfers: T_B(b) (the buyer's expected payment) and T_S(s) (the seller's expected receipt).

**Myerson–Satterthwaite on a grid.** Is there a mechanism that is efficient (q = 1 if b > s,
q = 0 if b < s, q free on ties), Bayesian IC and interim IR for both sides, and runs no
expected deficit (Σ P(b)T_B(b) ≥ Σ P(s)T_S(s))? With independent types an ex-ante balanced
budget can be made ex-post balanced without changing interim utilities (the AGV / Cramton–
Gibbons–Klemperer transfer construction), so this linear system decides the question. The
answer comes with a checked point (a mechanism) or a checked Farkas certificate
(:mod:`proofs.farkas`). Discrete grids *can* escape the impossibility: on {0, 1} a posted price
of 1/2 is efficient.

**VCG deficit.** The Groves mechanism whose worst types (lowest buyer, highest seller) get zero
utility. Payments per profile are built explicitly; DSIC and ex-post IR are checked by
enumerating every misreport; the deficit E[receipt − payment] is compared with the expected
gains from trade E[(b − s)⁺] (equal when min B ≤ min S and max B ≤ max S).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product

from proofs.farkas import Feasibility, LinearSystem, SystemBuilder, decide_feasibility

F = Fraction


@dataclass(frozen=True)
class Grid:
    values: tuple[Fraction, ...]
    probs: tuple[Fraction, ...]

    @staticmethod
    def of(values: Sequence, probs: Sequence | None = None) -> Grid:
        vals = tuple(F(v) for v in values)
        ps = tuple(F(p) for p in probs) if probs is not None else (F(1, len(vals)),) * len(vals)
        if len(vals) != len(ps) or sum(ps) != 1 or any(p <= 0 for p in ps):
            raise ValueError("a grid needs one positive probability per value, summing to 1")
        if len(set(vals)) != len(vals):
            raise ValueError("grid values must be distinct")
        return Grid(vals, ps)

    def label(self) -> str:
        vals = ",".join(str(v) for v in self.values)
        if len(set(self.probs)) == 1:
            return "{" + vals + "} uniform"
        return "{" + vals + "} p=(" + ",".join(str(p) for p in self.probs) + ")"


def _q(b, s):
    """Efficient trade: 1, 0, or a variable name on ties (b = s: any q is efficient)."""
    if b > s:
        return F(1)
    if b < s:
        return F(0)
    return f"q[{b},{s}]"


def ms_system(buyer: Grid, seller: Grid) -> LinearSystem:
    """The linear system of efficiency + BIC + interim IR + no expected deficit.

    >>> decide_feasibility(ms_system(Grid.of([0, 1]), Grid.of([0, 1]))).feasible
    True
    """
    sb = SystemBuilder()

    def add(acc: dict, key, coef):
        acc[key] = acc.get(key, F(0)) + coef

    def interim(b=None, s=None) -> tuple[dict, Fraction]:
        """Q_B(b) (s=None: average over the seller) or Q_S(s) (b=None), as (coefficients of
        the tie variables, constant)."""
        coeffs, const = {}, F(0)
        grid = seller if s is None else buyer
        for v, p in zip(grid.values, grid.probs, strict=True):
            q = _q(b, v) if s is None else _q(v, s)
            if isinstance(q, str):
                add(coeffs, q, p)
            else:
                const += p * q
        return coeffs, const

    for b in buyer.values:
        sb.variable(f"TB[{b}]")
    for s in seller.values:
        sb.variable(f"TS[{s}]")
    for b, s in product(buyer.values, seller.values):
        q = _q(b, s)
        if isinstance(q, str):
            sb.le({q: -1}, 0, f"{q}>=0", "efficiency")
            sb.le({q: 1}, 1, f"{q}<=1", "efficiency")

    # A trader of type θ reporting r gets σ·(θ·Q(r) − T(r)): σ = +1 for the buyer (value θ,
    # payment T), σ = −1 for the seller (cost θ, receipt T). IR: utility ≥ 0; IC: truthful
    # utility ≥ utility of every other report. Each row is written as (…) ≤ rhs.
    sides = (("buyer", "TB", buyer, 1, lambda t: interim(b=t)),
             ("seller", "TS", seller, -1, lambda t: interim(s=t)))
    for side, T, grid, sigma, q_of in sides:
        for t in grid.values:
            qc, qk = q_of(t)
            ir = {f"{T}[{t}]": F(sigma)}  # σ·T(t) − σ·t·Q(t) ≤ 0
            for v, c in qc.items():
                add(ir, v, -sigma * t * c)
            sb.le(ir, sigma * t * qk, f"{side}_IR[{t}]", f"{side}_IR")
            for r in grid.values:
                if r == t:
                    continue
                rc, rk = q_of(r)
                # σ(t·Q(r) − T(r)) − σ(t·Q(t) − T(t)) ≤ 0
                row = {f"{T}[{t}]": F(sigma), f"{T}[{r}]": F(-sigma)}
                for v, c in rc.items():
                    add(row, v, sigma * t * c)
                for v, c in qc.items():
                    add(row, v, -sigma * t * c)
                sb.le(row, sigma * t * (qk - rk), f"{side}_IC[{t}->{r}]", f"{side}_IC")
    budget = {f"TS[{s}]": p for s, p in zip(seller.values, seller.probs, strict=True)}
    for b, p in zip(buyer.values, buyer.probs, strict=True):
        budget[f"TB[{b}]"] = -p
    sb.le(budget, 0, "no_expected_deficit", "budget")
    return sb.build()


@dataclass(frozen=True)
class MSResult:
    buyer: Grid
    seller: Grid
    verdict: Feasibility
    # For each constraint family: is the system still infeasible without it? (None: it was
    # feasible to begin with.) A family whose removal makes it feasible is needed for the
    # impossibility.
    needed_families: dict[str, bool] | None

    @property
    def impossible(self) -> bool:
        return not self.verdict.feasible


def myerson_satterthwaite(buyer: Grid, seller: Grid) -> MSResult:
    """Decide efficient + BIC + IR + budget-balanced trade on the grids, with evidence.

    >>> g = Grid.of(range(8))
    >>> r = myerson_satterthwaite(g, g)
    >>> r.impossible, r.verdict.checked
    (True, True)
    """
    system = ms_system(buyer, seller)
    verdict = decide_feasibility(system)
    needed = None
    if not verdict.feasible:
        needed = {}
        for fam in ("buyer_IC", "seller_IC", "buyer_IR", "seller_IR", "budget"):
            relaxed = decide_feasibility(system.without_family(fam))
            needed[fam] = relaxed.feasible and relaxed.checked
    return MSResult(buyer, seller, verdict, needed)


@dataclass(frozen=True)
class VCGDeficit:
    deficit: Fraction
    gains: Fraction
    dsic: bool
    ex_post_ir: bool


def vcg_bilateral(buyer: Grid, seller: Grid) -> VCGDeficit:
    """VCG with zero utility for the worst types, checked exactly on every profile.

    >>> r = vcg_bilateral(Grid.of([0, 1]), Grid.of([0, 1]))
    >>> r.deficit == r.gains == Fraction(1, 4), r.dsic, r.ex_post_ir
    (True, True, True)
    """
    b_min, s_max = min(buyer.values), max(seller.values)

    def trade(b, s):
        return F(1) if b > s else F(0)  # ties: no trade (efficient either way)

    def buyer_pays(b, s):  # Groves: pay −(seller's value at outcome) − h_B(s)
        return s * trade(b, s) + max(b_min - s, F(0))

    def seller_gets(b, s):
        return b * trade(b, s) - max(b - s_max, F(0))

    dsic = ex_post_ir = True
    for b, s in product(buyer.values, seller.values):
        ub = b * trade(b, s) - buyer_pays(b, s)
        us = seller_gets(b, s) - s * trade(b, s)
        ex_post_ir &= ub >= 0 and us >= 0
        dsic &= all(ub >= b * trade(b2, s) - buyer_pays(b2, s) for b2 in buyer.values)
        dsic &= all(us >= seller_gets(b, s2) - s * trade(b, s2) for s2 in seller.values)
    deficit = gains = F(0)
    for (b, pb), (s, ps) in product(zip(buyer.values, buyer.probs, strict=True),
                                    zip(seller.values, seller.probs, strict=True)):
        deficit += pb * ps * (seller_gets(b, s) - buyer_pays(b, s))
        gains += pb * ps * max(b - s, F(0))
    return VCGDeficit(deficit, gains, dsic, ex_post_ir)
