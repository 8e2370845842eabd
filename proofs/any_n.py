"""The mechanism theorems for every number of bidders, checked in dependency order.

:func:`any_n_checks` proves each lemma, then the theorems that cite it (the citation is part
of the proof: :meth:`proofs.kernel.Proof.tree`), audits every statement with its cited lemmas
as premises, and decides the variants (mutants that must be refuted at a concrete n, and the
one that must be proved). Audit queries get a shorter time limit than proofs: a quantified
query z3 cannot settle quickly is recorded as undecided, not waited for.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from proofs import auction_any_n as A
from proofs import vcg_any_n as G
from proofs.auction_any_n import Variant
from proofs.check import TheoremCheck, check_theorem
from proofs.errors import ProofError
from proofs.kernel import Cited, Proof, prove
from proofs.step_rules import pay_your_bid_steps, step_rule_truthful
from proofs.threshold_families import Certificate, certificates

AUDIT_MS = 2_000


@dataclass(frozen=True)
class VariantCheck:
    """A variant's verdict: ``refuted`` with its countermodel, or ``proved``."""

    variant: Variant
    outcome: str  # "refuted" | "proved" | "undecided"
    countermodel: dict | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == self.variant.expected

    def to_dict(self) -> dict:
        return {"name": self.variant.theorem.name, "reading": self.variant.theorem.reading,
                "expected": self.variant.expected, "outcome": self.outcome,
                "why": self.variant.why, "countermodel": self.countermodel}


@dataclass(frozen=True)
class AnyN:
    """One theorem for every n: its check, the variants decided beside it, the families that
    are its instances."""

    check: TheoremCheck
    variants: tuple[VariantCheck, ...] = ()
    instances: tuple[Certificate, ...] = ()

    @property
    def ok(self) -> bool:
        return (self.check.ok and all(v.ok for v in self.variants)
                and all(c.free_of_own_bid for c in self.instances))


def decide_variant(variant: Variant, by=()) -> VariantCheck:
    """Prove or refute a variant with the kernel.

    Parameters
    ----------
    variant : Variant
        The statement and the verdict it must get.
    by : sequence of Proof or Cited
        Lemmas the variant may use.

    Returns
    -------
    VariantCheck

    Examples
    --------
    >>> decide_variant(A.variants()[0]).outcome
    'refuted'
    """
    try:
        prove(variant.theorem, by=by)
    except ProofError as exc:
        outcome = "refuted" if exc.countermodel else "undecided"
        return VariantCheck(variant, outcome, exc.countermodel)
    return VariantCheck(variant, "proved")


def _wins_flag(bid, top, first) -> sp.Expr:
    return sp.Piecewise((1, A.wins(bid, top, first)), (0, True))


def vickrey_instance(threshold: Proof) -> Cited:
    """The threshold theorem at second price: t = the highest other bid, x = who wins.

    >>> from proofs.kernel import prove
    >>> core = prove(A.threshold_core())
    >>> thr = prove(A.threshold_any_n(), by=[core.at({A.m: A.b(A.i)})])
    >>> sorted(str(k) for k, _ in vickrey_instance(thr).substitution)
    ['t', 't_p', 'x', 'x_p']
    """
    return threshold.at({A.t: A.h, A.t_p: A.h_p, A.x: _wins_flag(A.b(A.i), A.h, A.k),
                         A.x_p: _wins_flag(A.b_p(A.i), A.h_p, A.k_p)})


def any_n_checks() -> tuple[AnyN, ...]:
    """Every lemma and theorem for every n, in dependency order, audited (≈ 10–20 s: the
    report's longest part).

    Returns
    -------
    tuple of AnyN
        other_max_invariant, threshold_core, threshold_truthful_any_n, vickrey_truthful_any_n,
        others_welfare_invariant, vcg_clarke_any_n, step_rule_truthful_any_k.

    Raises
    ------
    ProofError
        A lemma that a later theorem cites is not proved (nothing can be built on it).
    """
    def checked(theorem, **kw) -> TheoremCheck:
        c = check_theorem(theorem, audit_timeout_ms=AUDIT_MS, **kw)
        if c.proof is None:
            raise ProofError(theorem.name, c.error or "not proved")
        return c

    key = checked(A.other_max_invariant())
    core = checked(A.threshold_core())
    threshold = checked(A.threshold_any_n(), by=[core.proof.at({A.m: A.b(A.i)})])
    vickrey = checked(A.vickrey_any_n(), by=[key.proof, vickrey_instance(threshold.proof)])
    own_bid, lowest, second = A.variants()
    welfare = checked(G.others_welfare_invariant(), induction=True)
    vcg = checked(G.vcg_any_n(), by=[welfare.proof])
    steps = checked(step_rule_truthful(), induction=True)
    return (AnyN(key), AnyN(core),
            AnyN(threshold, (decide_variant(own_bid),), certificates()),
            AnyN(vickrey, (decide_variant(lowest, by=[key.proof]),
                           decide_variant(second))),
            AnyN(welfare), AnyN(vcg),
            AnyN(steps, (decide_variant(pay_your_bid_steps()),)))
