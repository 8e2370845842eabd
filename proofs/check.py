"""Check a list of theorems: prove (z3 + cvc5), audit, and collect everything for the report."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from proofs.audit import Audit, audit
from proofs.errors import ProofError, UnsupportedExpression
from proofs.kernel import Proof, prove, prove_by_induction
from proofs.solvers import DEFAULT_TIMEOUT_MS
from proofs.statement import Theorem


@dataclass(frozen=True)
class TheoremCheck:
    theorem: Theorem
    proof: Proof | None
    error: str | None
    audit: Audit | None
    seconds: float

    @property
    def proved(self) -> bool:
        return self.proof is not None

    @property
    def ok(self) -> bool:
        """Proved by both solvers and the audit found nothing wrong with the checker."""
        return self.proved and self.audit is not None and self.audit.passed

    def to_dict(self) -> dict:
        t, a = self.theorem, self.audit
        d = {
            "name": t.name,
            "status": "proved" if self.proved else "not proved",
            "reading": t.reading,
            "source": t.source,
            "note": t.note,
            "variables": [v.name for v in t.variables],
            "hypotheses": {h.name: str(h.relation) for h in t.hypotheses},
            "conclusion": str(t.conclusion),
            "checkers": {
                name: {"status": r.status, "seconds": r.seconds}
                for name, r in (("z3", self.proof.z3), ("cvc5", self.proof.cvc5))
            } if self.proof else {},
            "error": self.error,
            "seconds": self.seconds,
        }
        if a is not None:
            d.update({
                "vacuity_model": a.vacuity_model,
                "redundant_hypotheses": list(a.redundant),
                "added_hypotheses": [
                    {"name": h.name, "relation": str(t_rel), "reason": h.reason,
                     "countermodel_without_it": h.countermodel}
                    for h, t_rel in ((h, _relation(t, h.name)) for h in a.hypotheses if h.added)
                ],
                "stated_hypotheses_countermodel": a.stated_countermodel,
                "necessity": {h.name: {"necessary": h.necessary, "countermodel": h.countermodel}
                              for h in a.hypotheses},
                "unsat_core": list(a.core),
                "mutants_refuted": a.mutants_refuted,
                "mutants_total": len(a.mutants),
                "mutants": [{"kind": m.kind, "statement": m.statement, "refuted": m.refuted,
                             "countermodel": m.countermodel} for m in a.mutants],
                "weakenings_proved": a.weakenings_proved,
                "weakenings_total": a.weakenings_total,
                "audit_passed": a.passed,
            })
        return d


def _relation(theorem: Theorem, name: str):
    return next(h.relation for h in theorem.hypotheses if h.name == name)


def check_theorem(theorem: Theorem, *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                  with_audit: bool = True, by=(), induction: bool = False,
                  audit_timeout_ms: int | None = None) -> TheoremCheck:
    """Prove and audit one theorem; never raises for a failed proof (it is recorded).

    ``by`` cites lemmas (see :func:`proofs.kernel.prove`); ``induction`` proves a conclusion
    ``Every(k, lo, hi, P)`` by the kernel's induction rule, and then the audit runs on the
    step (the statement the solvers decided). ``audit_timeout_ms`` bounds each audit query
    (default: ``timeout_ms``).

    >>> from proofs.statement import theorem, reals
    >>> x, = reals("x")
    >>> c = check_theorem(theorem("t", {"pos": x > 0}, 2 * x > x))
    >>> c.proved, c.ok
    (True, True)
    """
    t0 = time.perf_counter()
    proof, error = None, None
    try:
        if induction:
            proof = prove_by_induction(theorem, by=by, timeout_ms=timeout_ms)
        else:
            proof = prove(theorem, by=by, timeout_ms=timeout_ms)
    except ProofError as exc:
        error = str(exc)
    except UnsupportedExpression as exc:
        error = f"{theorem.name}: {exc}"
    result_audit = None
    if with_audit and error is None:
        audited, receipt = (proof.steps[-1].theorem, proof.steps[-1]) if induction else \
            (theorem, proof)
        result_audit = audit(audited, receipt, timeout_ms=audit_timeout_ms or timeout_ms)
    return TheoremCheck(theorem, proof, error, result_audit, time.perf_counter() - t0)


def check_all(theorems: Sequence[Theorem], **kwargs) -> tuple[TheoremCheck, ...]:
    return tuple(check_theorem(t, **kwargs) for t in theorems)
