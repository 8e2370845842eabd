"""The kernel: a theorem is proved when hypotheses ∧ ¬conclusion is unsat for z3 AND for cvc5.

There are no axioms and no admits: the only way to obtain a :class:`Proof` is :func:`prove`,
which raises :class:`~proofs.errors.ProofError` (carrying the countermodel, when a solver has
one) unless both deciders answer ``unsat``. z3 runs in ``QF_NRA`` (nlsat: complete for
nonlinear real arithmetic); cvc5 in ``QF_NRA`` with cylindrical algebraic coverings, from its
own translation of the sympy statement.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from proofs.errors import ProofError
from proofs.solvers import DEFAULT_TIMEOUT_MS, SatResult, check_sat
from proofs.statement import Theorem


@dataclass(frozen=True)
class Proof:
    """Evidence that ``theorem`` holds: both solvers found hypotheses ∧ ¬conclusion unsat."""

    theorem: Theorem
    z3: SatResult
    cvc5: SatResult

    @property
    def seconds(self) -> float:
        return self.z3.seconds + self.cvc5.seconds

    def __repr__(self) -> str:
        return (f"Proof({self.theorem.name}: z3 {self.z3.status} {self.z3.seconds * 1e3:.1f} ms, "
                f"cvc5 {self.cvc5.status} {self.cvc5.seconds * 1e3:.1f} ms)")


def refutation_query(theorem: Theorem, conclusion: sp.Basic | None = None) -> list[sp.Basic]:
    """The formulas whose unsatisfiability proves the theorem: hypotheses and ¬conclusion."""
    goal = theorem.conclusion if conclusion is None else conclusion
    return [h.relation for h in theorem.hypotheses] + [sp.Not(goal)]


def decide(theorem: Theorem, solver: str = "z3", *, conclusion: sp.Basic | None = None,
           timeout_ms: int = DEFAULT_TIMEOUT_MS) -> SatResult:
    """One solver's verdict on hypotheses ∧ ¬conclusion (``unsat`` means proved)."""
    return check_sat(refutation_query(theorem, conclusion), solver=solver, timeout_ms=timeout_ms)


def prove(theorem: Theorem, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Proof:
    """Prove with z3, re-check with cvc5; raise :class:`ProofError` unless both say unsat.

    >>> from proofs.statement import theorem, reals
    >>> e, r = reals("e r")
    >>> prove(theorem("t", {"r": r > 1, "e": e > 0}, r * e > e)).z3.status
    'unsat'
    >>> prove(theorem("bad", {"r": r > 1}, r * e > e))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    proofs.errors.ProofError: bad: not proved (sat) countermodel {...}
    """
    by_z3 = decide(theorem, "z3", timeout_ms=timeout_ms)
    if not by_z3.unsat:
        raise ProofError(theorem.name, by_z3.status,
                         by_z3.model_str() if by_z3.sat else None, by_z3.reason)
    by_cvc5 = decide(theorem, "cvc5", timeout_ms=timeout_ms)
    if not by_cvc5.unsat:
        raise ProofError(theorem.name, f"cvc5 {by_cvc5.status}",
                         by_cvc5.model_str() if by_cvc5.sat else None, by_cvc5.reason)
    return Proof(theorem, by_z3, by_cvc5)
