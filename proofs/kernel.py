"""The kernel: a theorem is proved when hypotheses ∧ ¬conclusion is unsat for z3 AND for cvc5.

There are no axioms and no admits. :func:`prove` returns a :class:`Proof` only after running
both deciders on hypotheses ∧ ¬conclusion and getting ``unsat`` from each; otherwise it raises
:class:`~proofs.errors.ProofError` (carrying the countermodel, when a solver has one). z3 runs in
``QF_NRA`` (nlsat: complete for nonlinear real arithmetic); cvc5 in ``QF_NRA`` with cylindrical
algebraic coverings, from its own translation of the sympy statement.

What is and is not enforced:

* enforced — every ``Proof`` in this package comes from :func:`prove`; the ``Proof`` constructor
  rejects verdicts that are not ``unsat``, verdicts labelled with the wrong solver, and a
  theorem that is not a :class:`~proofs.statement.Theorem`. So a ``Proof`` never *records* a
  failed or undecided check.
* not enforced — that the two verdicts were actually computed for *this* theorem. Python
  cannot stop code from calling ``Proof(theorem=…, z3=…, cvc5=…)`` with made-up results (a
  private token would only hide the constructor, not protect it). A reader who doubts a
  ``Proof`` re-runs ``prove(proof.theorem)``: the kernel is the check, the object a receipt.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from proofs.errors import ProofError
from proofs.solvers import DEFAULT_TIMEOUT_MS, SatResult, check_sat
from proofs.statement import Theorem


@dataclass(frozen=True)
class Proof:
    """Receipt that ``theorem`` holds: both solvers found hypotheses ∧ ¬conclusion unsat.

    Built by :func:`prove`; constructing one by hand checks only the shape of the verdicts (see
    the module docstring for what that does and does not guarantee).

    >>> from proofs.statement import theorem, reals
    >>> x, = reals("x")
    >>> t = theorem("t", {"x_pos": x > 0}, x > 1)
    >>> z3, cvc5 = (SatResult(solver=n, status=st, seconds=0.0)
    ...             for n, st in (("z3", "sat"), ("cvc5", "unsat")))
    >>> Proof(theorem=t, z3=z3, cvc5=cvc5)
    Traceback (most recent call last):
    ...
    ValueError: a Proof records two unsat verdicts; z3 said 'sat'
    """

    theorem: Theorem
    z3: SatResult
    cvc5: SatResult

    def __post_init__(self):
        if not isinstance(self.theorem, Theorem):
            raise TypeError(f"a Proof is of a Theorem, not {type(self.theorem).__name__}")
        for label, verdict in (("z3", self.z3), ("cvc5", self.cvc5)):
            if verdict.solver != label:
                raise ValueError(f"the {label} verdict comes from {verdict.solver!r}")
            if not verdict.unsat:
                raise ValueError(f"a Proof records two unsat verdicts; {label} said "
                                 f"{verdict.status!r}")

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
    return Proof(theorem=theorem, z3=by_z3, cvc5=by_cvc5)
