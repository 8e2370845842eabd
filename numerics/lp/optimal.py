"""Revenue-optimal BIC (or DSIC) + IR mechanisms for finite type spaces, as exact LPs.

Agent i has finitely many types ``t`` (value vectors over m items) with probabilities ``f_i(t)``,
types independent across agents. Valuations are additive (``t·q``) or unit-demand (additive
with ``Σ_j q_j ≤ 1`` per agent). Two formulations:

* **ex-post** (naive, any agents): variables ``x_ij(t_1..t_n) ∈ [0,1]`` on every profile with
  ``Σ_i x_ij ≤ 1`` (and ``Σ_j x_ij ≤ 1`` for unit demand); BIC: interim ``X_i(t)``, ``P_i(t)`` with
  ``t·X_i(t) − P_i(t) ≥ t·X_i(t') − P_i(t')`` and IR ``t·X_i(t) − P_i(t) ≥ 0``. DSIC: ex-post
  payments and the same inequalities profile by profile. Size ``Π|T_i|·n·m``.
* **reduced** (iid agents, additive): a symmetric interim rule ``X_j(t)``. Averaging an optimal
  mechanism over agent permutations keeps it feasible, BIC and IR and keeps its revenue (all
  constraints are linear and permutation invariant), so a symmetric optimum exists. For
  additive valuations items are allocated independently, so ``X`` is implementable iff each item
  satisfies Border's symmetric condition ``n Σ_{t∈S} f(t) X_j(t) ≤ 1 − (1 − f(S))ⁿ`` for all
  type sets ``S`` (2^|T| rows per item). Size independent of n.

Solutions are certified exactly (``numerics.lp.certificate``).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace
from fractions import Fraction

from numerics.lp.certificate import CertificateCheck, certify
from numerics.lp.model import LinearProgram, LPBuilder, LPSolution, shape_dict, solve
from numerics.lp.myerson import myerson_revenue, second_price_revenue

Q = Fraction


@dataclass(frozen=True)
class TypeSpace:
    """Finite type space of one agent: value vectors (m items each) and their probabilities."""

    types: tuple
    probs: tuple

    def __post_init__(self):
        if len(self.types) != len(self.probs) or not self.types:
            raise ValueError("types and probs must be non-empty and of equal length")
        if sum(self.probs) != 1 or any(p <= 0 for p in self.probs):
            raise ValueError("probabilities must be positive and sum to 1")
        if len({len(t) for t in self.types}) != 1:
            raise ValueError("all types need the same number of items")

    @property
    def n_items(self) -> int:
        return len(self.types[0])

    @classmethod
    def product(cls, marginals) -> TypeSpace:
        """Independent items: ``marginals = [(values, probs), ...]`` per item.

        >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)] * 2)
        >>> len(ts.types), ts.probs[0]
        (4, Fraction(1, 4))
        """
        types, probs = [], []
        for combo in itertools.product(*[list(zip(v, p, strict=True)) for v, p in marginals]):
            types.append(tuple(Q(v) for v, _ in combo))
            pr = Q(1)
            for _, p in combo:
                pr *= Q(p)
            probs.append(pr)
        return cls(tuple(types), tuple(probs))

    def marginal(self, j: int):
        d: dict = {}
        for t, p in zip(self.types, self.probs, strict=True):
            d[t[j]] = d.get(t[j], Q(0)) + p
        return list(d), list(d.values())

    def bundle(self, demand: str = "additive"):
        """Law of the grand bundle's value: Σ_j t_j (additive) or max_j t_j (unit demand)."""
        d: dict = {}
        for t, p in zip(self.types, self.probs, strict=True):
            v = sum(t) if demand == "additive" else max(t)
            d[v] = d.get(v, Q(0)) + p
        return list(d), list(d.values())


@dataclass(frozen=True)
class OptimalResult:
    """Optimal revenue (float and, when certified, exact), interim rule, and comparisons."""

    revenue: Fraction | None
    revenue_float: float
    certificate: CertificateCheck
    formulation: str
    ic: str
    interim_allocation: tuple  # per agent, type, item: exact when certified, else floats
    interim_payment: tuple  # per agent: per type
    lp_shape: tuple
    seconds: float
    benchmarks: dict

    def to_dict(self) -> dict:
        return {
            "revenue": self.revenue,
            "revenue_float": self.revenue_float,
            "certificate": self.certificate.status,
            "certificate_path": self.certificate.path,
            "formulation": self.formulation,
            "ic": self.ic,
            "interim_allocation": self.interim_allocation,
            "interim_payment": self.interim_payment,
            "lp": shape_dict(self.lp_shape),
            "seconds": self.seconds,
            "benchmarks": self.benchmarks,
        }


def benchmarks(agents: list[TypeSpace], demand: str = "additive") -> dict:
    """Item-wise Myerson, grand-bundle Myerson and VCG revenues (exact; additive only for VCG).

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)] * 2)
    >>> b = benchmarks([ts, ts]); b["itemwise_myerson"], b["vcg"]
    (Fraction(3, 1), Fraction(5, 2))
    """
    m = agents[0].n_items
    out = {
        "itemwise_myerson": sum(
            (myerson_revenue([a.marginal(j) for a in agents]) for j in range(m)), Q(0)
        ),
        "grand_bundle_myerson": myerson_revenue([a.bundle(demand) for a in agents]),
    }
    if demand == "additive":
        out["vcg"] = sum(
            (second_price_revenue([a.marginal(j) for a in agents]) for j in range(m)), Q(0)
        )
    if demand != "additive":
        out.pop("itemwise_myerson")  # selling separately is not feasible for unit demand
    return out


def _utility_row(t, xvars, pvar, sign=1):
    row = {v: sign * tj for v, tj in zip(xvars, t, strict=True)}
    row[pvar] = row.get(pvar, 0) - sign
    return row


def _add(row: dict, other: dict) -> dict:
    out = dict(row)
    for k, v in other.items():
        out[k] = out.get(k, 0) + v
    return out


def build_expost(agents: list[TypeSpace], ic: str = "bic", demand: str = "additive"):
    """Naive ex-post LP. Returns ``(lp, X, P)``: interim allocation / payment variable ids.

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> build_expost([ts, ts])[0].shape
    (16, 12, 4)
    """
    n, m = len(agents), agents[0].n_items
    b = LPBuilder()
    profiles = list(itertools.product(*[range(len(a.types)) for a in agents]))
    x = {(i, prof): b.add_vars(m, 0, 1, f"x{i}{prof}") for prof in profiles for i in range(n)}
    prob = {}
    for prof in profiles:
        pr = Q(1)
        for a, k in zip(agents, prof, strict=True):
            pr *= a.probs[k]
        prob[prof] = pr
    for prof in profiles:
        for j in range(m):
            b.add_row({x[i, prof][j]: 1 for i in range(n)}, "<=", 1)
        if demand == "unit" and m > 1:
            for i in range(n):
                b.add_row({v: 1 for v in x[i, prof]}, "<=", 1)
    obj: dict = {}
    X, P = {}, {}
    if ic == "bic":
        for i, a in enumerate(agents):
            for k in range(len(a.types)):
                X[i, k] = b.add_vars(m, 0, 1, f"X{i},{k}")
                P[i, k] = b.add_var(None, None, f"P{i},{k}")
                obj[P[i, k]] = a.probs[k]
                for j in range(m):
                    row = {X[i, k][j]: -1}
                    for prof in profiles:
                        if prof[i] == k:
                            row[x[i, prof][j]] = prob[prof] / a.probs[k]
                    b.add_row(row, "==", 0)
            for k, t in enumerate(a.types):
                own = _utility_row(t, X[i, k], P[i, k])
                b.add_row(own, ">=", 0)
                for k2 in range(len(a.types)):
                    if k2 != k:
                        b.add_row(_add(own, _utility_row(t, X[i, k2], P[i, k2], -1)), ">=", 0)
    elif ic == "dsic":
        p = {(i, prof): b.add_var(None, None, f"p{i}{prof}") for prof in profiles for i in range(n)}
        for prof in profiles:
            for i, a in enumerate(agents):
                obj[p[i, prof]] = obj.get(p[i, prof], 0) + prob[prof]
                t = a.types[prof[i]]
                own = _utility_row(t, x[i, prof], p[i, prof])
                b.add_row(own, ">=", 0)
                for k2 in range(len(a.types)):
                    if k2 != prof[i]:
                        dev = prof[:i] + (k2,) + prof[i + 1 :]
                        b.add_row(_add(own, _utility_row(t, x[i, dev], p[i, dev], -1)), ">=", 0)
        for i, a in enumerate(agents):
            for k in range(len(a.types)):
                X[i, k] = [(prof, prob[prof] / a.probs[k]) for prof in profiles if prof[i] == k]
                P[i, k] = None
        X = {"dsic_x": x, "dsic_p": p, "marg": X}
    else:
        raise ValueError("ic must be 'bic' or 'dsic'")
    b.set_objective(obj)
    return b.build(), X, P


def build_reduced_iid(ts: TypeSpace, n: int):
    """Symmetric interim LP for n iid additive agents with per-item Border constraints.

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> build_reduced_iid(ts, 2)[0].shape
    (4, 7, 0)
    """
    m, kt = ts.n_items, len(ts.types)
    if kt > 16:
        raise ValueError("reduced form enumerates 2^|T| Border sets; |T| ≤ 16 supported")
    b = LPBuilder()
    X = {k: b.add_vars(m, 0, 1, f"X{k}") for k in range(kt)}
    P = {k: b.add_var(None, None, f"P{k}") for k in range(kt)}
    for k, t in enumerate(ts.types):
        own = _utility_row(t, X[k], P[k])
        b.add_row(own, ">=", 0)
        for k2 in range(kt):
            if k2 != k:
                b.add_row(_add(own, _utility_row(t, X[k2], P[k2], -1)), ">=", 0)
    for size in range(1, kt + 1):
        for S in itertools.combinations(range(kt), size):
            fs = sum((ts.probs[k] for k in S), Q(0))
            for j in range(m):
                b.add_row({X[k][j]: n * ts.probs[k] for k in S}, "<=", 1 - (1 - fs) ** n)
    b.set_objective({P[k]: n * ts.probs[k] for k in range(kt)})
    return b.build(), {(0, k): X[k] for k in range(kt)}, {(0, k): P[k] for k in range(kt)}


def _interim(sol: LPSolution, agents, X, P, ic, chk=None):
    if chk is not None and chk.ok:
        sol = replace(sol, x=list(chk.primal))
    if ic == "dsic":
        x, p, marg = X["dsic_x"], X["dsic_p"], X["marg"]
        alloc, pay = [], []
        for i, a in enumerate(agents):
            alloc.append(
                tuple(
                    tuple(
                        sum(w * sol.x[x[i, prof][j]] for prof, w in marg[i, k])
                        for j in range(a.n_items)
                    )
                    for k in range(len(a.types))
                )
            )
            pay.append(
                tuple(
                    sum(w * sol.x[p[i, prof]] for prof, w in marg[i, k])
                    for k in range(len(a.types))
                )
            )
        return tuple(alloc), tuple(pay)
    agents_ix = sorted({i for i, _ in X})
    alloc = tuple(
        tuple(tuple(sol.x[v] for v in X[i, k]) for k in range(len(agents[i].types)))
        for i in agents_ix
    )
    pay = tuple(tuple(sol.x[P[i, k]] for k in range(len(agents[i].types))) for i in agents_ix)
    return alloc, pay


def solve_and_certify(lp: LinearProgram, do_certify: bool = True, solver: str = "simplex"):
    """Solve with HiGHS and certify; if the first basis does not certify exactly, retry once
    with the other HiGHS algorithm (a different optimal basis)."""
    sol = solve(lp, solver=solver)
    if not sol.ok:
        return sol, CertificateCheck(ok=False, reason=f"LP not solved: {sol.message}", value=None)
    if not do_certify:
        return sol, CertificateCheck(ok=False, reason="not requested", value=None)
    chk = certify(lp, sol)
    if not chk.ok:
        other = solve(lp, solver="ipm" if solver == "simplex" else "simplex")
        if other.ok and other.basis is not None:
            chk2 = certify(lp, other)
            if chk2.ok:
                return other, chk2
    return sol, chk


def optimal_mechanism(
    agents: list[TypeSpace],
    ic: str = "bic",
    demand: str = "additive",
    formulation: str = "auto",
    do_certify: bool = True,
) -> OptimalResult:
    """Revenue-optimal IR mechanism among BIC (or DSIC) ones; exact revenue when certified.

    ``formulation``: ``"expost"``, ``"reduced"`` (iid additive BIC only) or ``"auto"``.

    >>> ts = TypeSpace.product([([1, 2], [Fraction(1, 2)] * 2)])
    >>> r = optimal_mechanism([ts, ts]); r.revenue, r.certificate.status
    (Fraction(3, 2), 'verified')
    """
    iid = all(a == agents[0] for a in agents)
    if formulation == "auto":
        use_reduced = iid and ic == "bic" and demand == "additive" and len(agents[0].types) <= 10
        formulation = "reduced" if use_reduced else "expost"
    if formulation == "reduced":
        if not (iid and ic == "bic" and demand == "additive"):
            raise ValueError("the reduced form needs iid agents, BIC and additive values")
        lp, X, P = build_reduced_iid(agents[0], len(agents))
    else:
        lp, X, P = build_expost(agents, ic, demand)
    sol, chk = solve_and_certify(lp, do_certify)
    alloc, pay = (
        _interim(sol, agents if formulation == "expost" else agents[:1], X, P, ic, chk)
        if sol.ok
        else ((), ())
    )
    return OptimalResult(
        revenue=chk.value if chk.ok else None,
        revenue_float=sol.objective,
        certificate=chk,
        formulation=formulation,
        ic=ic,
        interim_allocation=alloc,
        interim_payment=pay,
        lp_shape=lp.shape,
        seconds=sol.seconds,
        benchmarks=benchmarks(agents, demand),
    )
