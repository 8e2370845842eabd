"""The second section of the report: theorems about actual mechanisms, not scalar surrogates.

Each result carries its evidence and its audit, whatever the method:

* kernel theorems for every number of bidders (z3 + cvc5 in ``UFLIRA``, audited, each citing
  the lemmas it builds on: :mod:`proofs.any_n`): second price, threshold rules (with the learned
  families as instances), VCG with Clarke pivot; their key lemmas;
* kernel theorems (z3 + cvc5, audited): Vickrey truthfulness and IR for N = 2, 3, 4 (instances
  beside the parametric theorem); Prasad–Balcan–Sandholm's
  weakest-type infimum and optimal payments over a disconnected type space;
* exact LP feasibility with Farkas certificates (:mod:`proofs.bilateral`): Myerson–Satterthwaite
  decided on finite grids, with the constraint families each impossibility needs, and a
  tampered certificate rejected;
* exact enumeration: VCG's deficit in bilateral trade equals the expected gains from trade;
* symbolic sympy identities: Myerson's reserve 1/2 for n iid U[0,1]; revenue is a grade-≤1
  functional.

Each result says for how many bidders it holds (``bidders``: a number, or ``"any"``). Nothing
beyond what is checked is claimed. Each result's verdict is its
:class:`~proofs.evidence.Evidence`, which names the checker it trusts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from fractions import Fraction

from proofs.any_n import AnyN, any_n_checks
from proofs.bilateral import Grid, ms_system, myerson_satterthwaite, vcg_bilateral
from proofs.check import TheoremCheck, check_theorem
from proofs.evidence import Evidence
from proofs.farkas import check_farkas
from proofs.myerson_symbolic import optimal_reserve_uniform
from proofs.revenue_grade import revenue_grade_identity
from proofs.seed002 import seed002_theorems
from proofs.vickrey import vickrey_truthful

F = Fraction


@dataclass(frozen=True)
class MechanismResult:
    """A mechanism theorem: what it says, where it comes from, the evidence and its audit.

    >>> r = MechanismResult(name="t", reading="a claim", source="a paper",
    ...                     evidence=Evidence(checker="sympy", holds=True), audit={"x_ok": True})
    >>> r.proved, r.ok, r.method
    (True, True, 'sympy (exact)')
    """

    name: str
    reading: str
    source: str
    evidence: Evidence
    audit: dict = field(default_factory=dict)
    seconds: float = 0.0
    check: TheoremCheck | None = None  # for kernel theorems: the check with its audit
    bidders: int | str | None = None  # how many bidders (agents) it is about; "any": every n

    @property
    def for_every_n(self) -> bool:
        return self.bidders == "any"

    @property
    def proof_record(self) -> dict:
        """For kernel theorems: the logic, the lemmas cited and the induction steps."""
        proof = self.evidence.proof
        if proof is None:
            return {}
        return {"logic": proof.logic, "rule": proof.rule,
                "lemmas": [c.proof.theorem.name for c in proof.lemmas],
                "steps": [p.theorem.name for p in proof.steps],
                "dependency_tree": proof.tree()}

    @property
    def proved(self) -> bool:
        """The checker named by the evidence accepted the claim."""
        return self.evidence.holds

    @property
    def method(self) -> str:
        return self.evidence.method

    @property
    def ok(self) -> bool:
        flags = all(v for k, v in self.audit.items() if k.endswith("_ok"))
        if self.check is not None:
            return self.check.ok and flags
        return self.proved and flags

    def to_dict(self) -> dict:
        d = {"name": self.name, "method": self.method, "reading": self.reading,
             "source": self.source, "status": "proved" if self.proved else "not proved",
             "bidders": self.bidders,
             "evidence": dict(self.evidence.details), "audit": self.audit,
             "seconds": self.seconds, "checker": self.evidence.to_dict(), **self.proof_record}
        if self.check is not None:
            d["theorem"] = self.check.to_dict()
        return d


def _timed(fn: Callable[[], MechanismResult]) -> MechanismResult:
    t0 = time.perf_counter()
    res = fn()
    return replace(res, seconds=time.perf_counter() - t0)


def _kernel(theorem, bidders=None) -> MechanismResult:
    return _from_check(check_theorem(theorem), bidders)


def _from_check(c: TheoremCheck, bidders=None) -> MechanismResult:
    theorem = c.theorem
    a = c.audit
    audit = {}
    if a is not None:
        audit = {"redundant_hypotheses": list(a.redundant),
                 "mutants_refuted": a.mutants_refuted, "mutants_total": len(a.mutants),
                 "must_fail": {m.kind: m.countermodel for m in a.mutants
                               if m.kind in dict(theorem.must_fail)}}
    return MechanismResult(name=theorem.name, reading=theorem.reading, source=theorem.source,
                           evidence=Evidence(checker="z3+cvc5", holds=c.proof is not None,
                                             proof=c.proof),
                           audit=audit, seconds=c.seconds, check=c, bidders=bidders)


def _any_n(r: AnyN) -> MechanismResult:
    res = _from_check(r.check, "any")
    audit = dict(res.audit)
    if r.variants:
        audit["variants"] = [v.to_dict() for v in r.variants]
        audit["variants_ok"] = all(v.ok for v in r.variants)
    if r.instances:
        audit["instances"] = [c.to_dict() for c in r.instances]
        audit["instances_ok"] = all(c.free_of_own_bid for c in r.instances)
    return replace(res, audit=audit)


def _fmt(x: Fraction) -> str:
    return str(x)


# Grids on which Myerson–Satterthwaite is decided (uniform and skewed).
MS_GRIDS: tuple[tuple[Grid, Grid], ...] = (
    (Grid.of([0, 1]), Grid.of([0, 1])),
    (Grid.of([0, F(1, 2), 1]), Grid.of([0, F(1, 2), 1])),
    (Grid.of(range(5)), Grid.of(range(5))),
    (Grid.of(range(6)), Grid.of(range(6))),
    (Grid.of(range(8)), Grid.of(range(8))),
    (Grid.of([0, 1, 2], [F(1, 2), F(1, 4), F(1, 4)]), Grid.of([0, 1, 2], [F(1, 4), F(1, 4),
                                                                          F(1, 2)])),
    (Grid.of(range(5), [F(1, 15) * k for k in range(1, 6)]),
     Grid.of(range(5), [F(1, 15) * k for k in range(5, 0, -1)])),
    (Grid.of([0, 2, 3]), Grid.of([1, 2, 4])),
)


def _ms(buyer: Grid, seller: Grid) -> MechanismResult:
    r = myerson_satterthwaite(buyer, seller)
    name = f"myerson_satterthwaite[B={buyer.label()}; S={seller.label()}]"
    if r.impossible:
        y = r.verdict.certificate or {}
        tampered = dict(y)
        if tampered:
            k = next(iter(tampered))
            tampered[k] = tampered[k] * 2 + 1  # any change breaks Σ y a = 0 or the sign
        system = ms_system(buyer, seller)
        details = {"verdict": "impossible", "farkas_multipliers": len(y),
                    "certificate": {k: _fmt(v) for k, v in y.items()}}
        audit = {"certificate_checked_ok": r.verdict.checked,
                 "tampered_certificate_rejected_ok": not check_farkas(system, tampered),
                 "families_needed": r.needed_families,
                 "every_family_needed_ok": all(r.needed_families.values())}
        reading = ("no mechanism is efficient, BIC, interim IR and budget balanced: "
                   "the impossibility holds on this grid")
    else:
        pt = r.verdict.point or {}
        details = {"verdict": "possible",
                    "mechanism": {k: _fmt(v) for k, v in pt.items()}}
        audit = {"mechanism_checked_ok": r.verdict.checked}
        reading = ("an efficient, BIC, interim IR, budget-balanced mechanism exists: "
                   "this grid escapes the impossibility")
    return MechanismResult(name=name, reading=reading, source="Myerson & Satterthwaite (1983)",
                           evidence=Evidence(checker="farkas", holds=r.verdict.checked,
                                             details=details),
                           audit=audit)


def _vcg(buyer: Grid, seller: Grid) -> MechanismResult:
    v = vcg_bilateral(buyer, seller)
    same_support = min(buyer.values) <= min(seller.values) and \
        max(buyer.values) <= max(seller.values)
    claim = (v.deficit == v.gains) if same_support else (v.deficit <= v.gains)
    return MechanismResult(
        name=f"vcg_deficit[B={buyer.label()}; S={seller.label()}]",
        reading="VCG (worst types at zero utility) is DSIC and ex-post IR and its expected "
        "deficit " + ("equals the expected gains from trade" if same_support else
                      "is at most the expected gains from trade"),
        source="Krishna, Auction Theory ch. 5",
        evidence=Evidence(checker="enumeration", holds=claim and v.dsic and v.ex_post_ir,
                          details={"deficit": _fmt(v.deficit), "expected_gains": _fmt(v.gains)}),
        audit={"dsic_ok": v.dsic, "ex_post_ir_ok": v.ex_post_ir})


def _myerson() -> MechanismResult:
    a = optimal_reserve_uniform()
    return MechanismResult(
        name="myerson_optimal_reserve_uniform",
        reading="n iid U[0,1] bidders, symbolic n: R'(r) = n r^(n-1)(1-2r), so the optimal "
        "reserve is 1/2; second price (n-1)/(n+1), Myerson (n-1)/(n+1) + 2^-n/(n+1)",
        source="Myerson (1981)",
        evidence=Evidence(checker="sympy", holds=all(a.checks.values()),
                          details={"revenue(r)": str(a.revenue), "derivative": str(a.derivative),
                                   "second_price": str(a.second_price),
                                   "myerson": str(a.myerson)}),
        audit={f"{k}_ok": v for k, v in a.checks.items()})


def _grade(n: int, k: int) -> MechanismResult:
    g = revenue_grade_identity(n, k)
    return MechanismResult(
        name=f"revenue_is_grade_le1[N={n},K={k}]",
        reading="on a product grid with symbolic weights, E[psi_i(v_i) x_u] = 0 for every ANOVA "
        "component u outside {∅, {i}}: revenue sees only grade ≤ 1",
        source="Myerson (1981) revenue formula; Hoeffding (1948) ANOVA decomposition",
        evidence=Evidence(checker="sympy", holds=g.holds,
                          details={"components_zero": [list(u) for u in g.components_checked]}),
        audit={"own_component_nonzero_ok": g.own_component_nonzero})


def mechanism_results() -> tuple[MechanismResult, ...]:
    """All mechanism theorems, each with evidence and audit: :func:`any_n_results` then
    :func:`fixed_n_results` (two independent jobs, which the report runs side by side).

    Returns
    -------
    tuple of MechanismResult
    """
    return any_n_results() + fixed_n_results()


def any_n_results() -> tuple[MechanismResult, ...]:
    """The theorems for every number of bidders, in the order their lemmas cite each other."""
    return tuple(_any_n(r) for r in any_n_checks())


def fixed_n_results() -> tuple[MechanismResult, ...]:
    """The theorems for a stated number of bidders or a stated grid. One of them:

    >>> r = _vcg(Grid.of([0, 1]), Grid.of([0, 1]))
    >>> r.proved, r.evidence.checker, dict(r.evidence.details)
    (True, 'enumeration', {'deficit': '1/4', 'expected_gains': '1/4'})
    """
    out = [_timed(lambda n=n: _kernel(vickrey_truthful(n), n)) for n in (2, 3, 4)]
    out.append(replace(_timed(_myerson), bidders="any"))
    out += [replace(_timed(lambda g=g: _ms(*g)), bidders=2) for g in MS_GRIDS]
    out += [replace(_timed(lambda g=g: _vcg(*g)), bidders=2) for g in MS_GRIDS]
    out += [_timed(lambda t=t: _kernel(t, 3)) for t in seed002_theorems()]
    out += [replace(_timed(lambda nk=nk: _grade(*nk)), bidders=nk[0])
            for nk in ((2, 2), (2, 3), (3, 2))]
    return tuple(out)
