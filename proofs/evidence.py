"""One type for the evidence behind a mechanism theorem, naming the checker it trusts.

A claim in :mod:`proofs.mechanism_theorems` is established by one of four checkers; an
:class:`Evidence` records which one, whether it accepted the claim, and the exact data it
checked. Nothing else sets a mechanism theorem's verdict.

* ``"z3+cvc5"`` — the kernel (:func:`proofs.kernel.prove`): hypotheses ∧ ¬conclusion unsat for
  z3 and for cvc5 (with the statements of the lemmas it cites as hypotheses); the evidence
  carries the :class:`~proofs.kernel.Proof` and so its dependency tree.
* ``"farkas"`` — a feasible point or a Farkas certificate of infeasibility, produced by z3 and
  checked in ``Fraction`` arithmetic without any solver (:mod:`numerics.lp.farkas`).
* ``"enumeration"`` — every type profile of a finite instance enumerated in ``Fraction``
  arithmetic.
* ``"sympy"`` — symbolic identities that sympy simplifies to zero (exact, symbolic parameters).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from proofs.kernel import Proof

CHECKERS: Mapping[str, tuple[str, str]] = {
    # checker: (label in the report, what is trusted)
    "z3+cvc5": ("z3+cvc5", "the kernel: z3 and cvc5 both answer unsat (QF_NRA; UFLIRA for "
                           "statements over n bidders), with the lemmas it cites as premises"),
    "farkas": ("Farkas (exact)",
               "a point or Farkas certificate checked in Fractions, no solver trusted"),
    "enumeration": ("enumeration (exact)", "exact enumeration of a finite instance in Fractions"),
    "sympy": ("sympy (exact)", "sympy simplifies the symbolic identities to zero"),
}


@dataclass(frozen=True)
class Evidence:
    """What established a claim: ``checker`` (a key of :data:`CHECKERS`), whether it accepted
    the claim (``holds``), the exact data it checked (``details``) and, for the kernel, the
    :class:`~proofs.kernel.Proof` (required exactly when the kernel accepted the claim).

    >>> e = Evidence(checker="enumeration", holds=True, details={"deficit": "1/4"})
    >>> e.method, e.to_dict()["trusts"]
    ('enumeration (exact)', 'exact enumeration of a finite instance in Fractions')
    >>> Evidence(checker="z3+cvc5", holds=True)
    Traceback (most recent call last):
    ...
    ValueError: z3+cvc5 evidence holds exactly when it carries a kernel Proof
    """

    checker: str
    holds: bool
    details: Mapping = field(default_factory=dict)
    proof: Proof | None = None

    def __post_init__(self):
        if self.checker not in CHECKERS:
            raise ValueError(f"unknown checker {self.checker!r}; expected one of "
                             f"{sorted(CHECKERS)}")
        if not isinstance(self.holds, bool):
            raise TypeError(f"holds must be a bool, not {type(self.holds).__name__}")
        if self.checker == "z3+cvc5":
            if self.holds != isinstance(self.proof, Proof):
                raise ValueError("z3+cvc5 evidence holds exactly when it carries a kernel Proof")
        elif self.proof is not None:
            raise ValueError(f"{self.checker} evidence does not carry a kernel Proof")

    @property
    def method(self) -> str:
        """The checker's label in the report (the ``method`` of the ``--json`` output)."""
        return CHECKERS[self.checker][0]

    @property
    def trusts(self) -> str:
        """What has to be trusted for ``holds`` to mean the claim is true."""
        return CHECKERS[self.checker][1]

    def to_dict(self) -> dict:
        return {"checker": self.checker, "trusts": self.trusts, "holds": self.holds}
