"""The formal layer: theorems as sympy data, decided by z3, re-checked by cvc5, audited.

>>> from proofs import theorem, reals, prove
>>> x, y = reals("x y")
>>> prove(theorem("sum_pos", {"x_pos": x > 0, "y_pos": y > 0}, x + y > 0)).z3.status
'unsat'
"""

from proofs.audit import Audit, audit, minimal_core
from proofs.check import TheoremCheck, check_all, check_theorem
from proofs.errors import ProofError, UnsupportedExpression
from proofs.kernel import Cited, Proof, prove, prove_by_induction, recheck
from proofs.quantifiers import Every, Some, functions, ints
from proofs.statement import Hypothesis, Theorem, reals, theorem

__all__ = [
    "Audit", "Cited", "Every", "Hypothesis", "Proof", "ProofError", "Some", "Theorem",
    "TheoremCheck", "UnsupportedExpression", "audit", "check_all", "check_theorem", "functions",
    "ints", "minimal_core", "prove", "prove_by_induction", "reals", "recheck", "theorem",
]
