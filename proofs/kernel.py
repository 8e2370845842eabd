"""The kernel: a theorem is proved when hypotheses ∧ ¬conclusion is unsat for z3 AND for cvc5.

There are no axioms and no admits. :func:`prove` returns a :class:`Proof` only after running
both deciders on hypotheses ∧ ¬conclusion and getting ``unsat`` from each; otherwise it raises
:class:`~proofs.errors.ProofError` (carrying the countermodel, when a solver has one). z3 runs in
``QF_NRA`` (nlsat: complete for nonlinear real arithmetic); cvc5 in ``QF_NRA`` with cylindrical
algebraic coverings, from its own translation of the sympy statement. Parametric statements
(integers, uninterpreted functions, bounded quantifiers) go to the quantified logic they need
(``UFLIRA`` for the mechanism theorems; :func:`proofs.solvers.logic_of`).

Lemmas as premises: ``prove(t, by=[p, q.at({x: y})])`` adds each cited lemma's statement
(hypotheses ⇒ conclusion, its free symbols and functions read as universally quantified, so
any instance is sound) to the query, and records the citation in the proof. Induction
(:func:`prove_by_induction`) is the one rule that composes proofs: the kernel builds the base
and step statements itself, proves each, and the ``Proof`` checks that its steps are exactly
those statements. :func:`recheck` re-proves a proof's whole tree from the leaves up.

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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import sympy as sp
from sympy.core.function import UndefinedFunction

from proofs.errors import ProofError
from proofs.quantifiers import Bounded, Every, applied_functions
from proofs.solvers import DEFAULT_TIMEOUT_MS, SatResult, check_sat
from proofs.statement import Hypothesis, Theorem


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
    # The lemmas whose statements entered the query as hypotheses (see :func:`prove`).
    lemmas: tuple[Cited, ...] = field(default=())
    # "smt": one query per solver; "induction": z3 / cvc5 summarise the base and step proofs.
    rule: str = "smt"
    steps: tuple[Proof, ...] = field(default=())

    def __post_init__(self):
        if not isinstance(self.theorem, Theorem):
            raise TypeError(f"a Proof is of a Theorem, not {type(self.theorem).__name__}")
        for label, verdict in (("z3", self.z3), ("cvc5", self.cvc5)):
            if verdict.solver != label:
                raise ValueError(f"the {label} verdict comes from {verdict.solver!r}")
            if not verdict.unsat:
                raise ValueError(f"a Proof records two unsat verdicts; {label} said "
                                 f"{verdict.status!r}")
        if any(not isinstance(c, Cited) for c in self.lemmas):
            raise TypeError("lemmas are cited as Cited (a Proof, or proof.at(...))")
        if self.rule == "induction":
            expected = induction_steps(self.theorem)
            got = tuple(p.theorem for p in self.steps)
            if [_key(t) for t in got] != [_key(t) for t in expected]:
                raise ValueError(f"{self.theorem.name}: the induction steps are not the base "
                                 "and step of this statement")
        elif self.rule != "smt" or self.steps:
            raise ValueError(f"unknown rule {self.rule!r} (or steps given to an smt proof)")

    @property
    def seconds(self) -> float:
        return self.z3.seconds + self.cvc5.seconds

    @property
    def logic(self) -> str:
        """The SMT-LIB logic of the query (of the step, for induction)."""
        return self.z3.logic

    def at(self, substitution: Mapping) -> Cited:
        """This lemma cited at an instance: free symbols or functions replaced.

        Parameters
        ----------
        substitution : mapping
            Free symbol → expression of the same sort (integer for integer), or
            function → function.

        Returns
        -------
        Cited

        Raises
        ------
        ValueError
            A key is not free in the lemma, a value's sort does not fit, or a value would be
            captured by a bound variable.

        Examples
        --------
        >>> from proofs.statement import theorem, reals
        >>> x, y = reals("x y")
        >>> lemma = prove(theorem("double", {"p": x > 0}, 2 * x > x))
        >>> lemma.at({x: y + 1}).formula
        Implies(y + 1 > 0, 2*y + 2 > y + 1)
        """
        return Cited(self, tuple(substitution.items()))

    def tree(self) -> dict:
        """The dependency tree: name, rule, logic, cited lemmas and induction steps.

        >>> from proofs.statement import theorem, reals
        >>> x, = reals("x")
        >>> prove(theorem("t", {}, x**2 >= 0)).tree()
        {'name': 't', 'rule': 'smt', 'logic': 'QF_NRA', 'lemmas': [], 'steps': []}
        """
        return {"name": self.theorem.name, "rule": self.rule, "logic": self.logic,
                "lemmas": [dict(c.proof.tree(), instance={str(k): str(v)
                                                          for k, v in c.substitution})
                           if c.substitution else c.proof.tree() for c in self.lemmas],
                "steps": [p.tree() for p in self.steps]}

    def leaves(self) -> tuple[str, ...]:
        """Names of the proofs in the tree that cite nothing (what :func:`recheck` starts from).

        >>> from proofs.statement import theorem, reals
        >>> x, = reals("x")
        >>> prove(theorem("t", {}, x**2 >= 0)).leaves()
        ('t',)
        """
        below = [c.proof for c in self.lemmas] + list(self.steps)
        if not below:
            return (self.theorem.name,)
        return tuple(dict.fromkeys(n for p in below for n in p.leaves()))

    def __repr__(self) -> str:
        cites = f", by {[c.proof.theorem.name for c in self.lemmas]}" if self.lemmas else ""
        return (f"Proof({self.theorem.name}: z3 {self.z3.status} {self.z3.seconds * 1e3:.1f} ms, "
                f"cvc5 {self.cvc5.status} {self.cvc5.seconds * 1e3:.1f} ms{cites})")


def statement_formula(theorem: Theorem) -> sp.Basic:
    """A theorem as one formula: (∧ hypotheses) ⇒ conclusion.

    >>> from proofs.statement import theorem, reals
    >>> x, = reals("x")
    >>> statement_formula(theorem("t", {"p": x > 0}, x >= 0))
    Implies(x > 0, x >= 0)
    """
    if not theorem.hypotheses:
        return theorem.conclusion
    return sp.Implies(sp.And(*[h.relation for h in theorem.hypotheses]), theorem.conclusion)


def _bound_variables(expr: sp.Basic) -> set:
    return {q.var for q in expr.atoms(Bounded)}


@dataclass(frozen=True)
class Cited:
    """A lemma cited in a proof: the proof and the instance (substitution) it is used at.

    A lemma's free symbols and functions are universally quantified (it was proved for every
    interpretation of them), so its statement holds at any instance of matching sorts.

    >>> from proofs.statement import theorem, reals
    >>> x, = reals("x")
    >>> Cited(prove(theorem("double", {"p": x > 0}, 2 * x > x))).formula
    Implies(x > 0, 2*x > x)
    """

    proof: Proof
    substitution: tuple[tuple[sp.Basic, sp.Basic], ...] = ()

    def __post_init__(self):
        if not isinstance(self.proof, Proof):
            raise TypeError(f"only a Proof can be cited, not {type(self.proof).__name__}")
        statement = statement_formula(self.proof.theorem)
        free = statement.free_symbols
        funcs = applied_functions([statement])
        bound = _bound_variables(statement)
        for key, val in self.substitution:
            if isinstance(key, UndefinedFunction):
                if key not in funcs or not isinstance(val, UndefinedFunction):
                    raise ValueError(f"{key} is not a function of the lemma, or {val} is not "
                                     "a function")
                continue
            if key not in free:
                raise ValueError(f"{key} is not a free symbol of {self.proof.theorem.name}")
            val = sp.sympify(val)
            if key.is_integer and not val.is_integer:
                raise ValueError(f"{key} is an integer; {val} is not")
            if not val.is_real:
                raise ValueError(f"{val} is not real")
            if val.free_symbols & bound:
                raise ValueError(f"{val} would be captured by a bound variable of the lemma")

    @property
    def formula(self) -> sp.Basic:
        """The lemma's statement at this instance."""
        f = statement_formula(self.proof.theorem)
        symbols = {k: sp.sympify(v) for k, v in self.substitution
                   if not isinstance(k, UndefinedFunction)}
        f = f.xreplace(symbols) if symbols else f
        for k, v in self.substitution:
            if isinstance(k, UndefinedFunction):
                f = f.replace(k, v)
        return f


def _cite(lemma) -> Cited:
    if isinstance(lemma, Cited):
        return lemma
    if isinstance(lemma, Proof):
        return Cited(lemma)
    raise TypeError(f"by= takes proofs (or proof.at(...)), not {type(lemma).__name__}")


def _key(theorem: Theorem) -> tuple:
    return (tuple((h.name, h.relation) for h in theorem.hypotheses), theorem.conclusion)


def refutation_query(theorem: Theorem, conclusion: sp.Basic | None = None,
                     premises: Sequence[sp.Basic] = ()) -> list[sp.Basic]:
    """The formulas whose unsatisfiability proves the theorem: premises (cited lemmas),
    hypotheses and ¬conclusion."""
    goal = theorem.conclusion if conclusion is None else conclusion
    return list(premises) + [h.relation for h in theorem.hypotheses] + [sp.Not(goal)]


def decide(theorem: Theorem, solver: str = "z3", *, conclusion: sp.Basic | None = None,
           timeout_ms: int = DEFAULT_TIMEOUT_MS, premises: Sequence[sp.Basic] = (),
           logic: str | None = None, expect_sat: bool = False) -> SatResult:
    """One solver's verdict on premises ∧ hypotheses ∧ ¬conclusion (``unsat`` means proved);
    ``logic="QF_LRA"`` for a linear statement, ``expect_sat`` when a countermodel is sought
    (see :func:`proofs.solvers.check_sat`)."""
    return check_sat(refutation_query(theorem, conclusion, premises), solver=solver,
                     timeout_ms=timeout_ms, logic=logic, expect_sat=expect_sat)


def prove(theorem: Theorem, *, by: Sequence = (),
          timeout_ms: int = DEFAULT_TIMEOUT_MS, logic: str | None = None) -> Proof:
    """Prove with z3, re-check with cvc5; raise :class:`ProofError` unless both say unsat.

    ``by`` cites proved lemmas (a :class:`Proof`, or ``proof.at({...})`` for an instance):
    their statements enter the query as hypotheses and the proof records them. ``logic``:
    ``"QF_LRA"`` for a linear real statement (by default the solvers' logic is chosen from
    the statement).

    >>> from proofs.statement import theorem, reals
    >>> e, r = reals("e r")
    >>> prove(theorem("t", {"r": r > 1, "e": e > 0}, r * e > e)).z3.status
    'unsat'
    >>> prove(theorem("bad", {"r": r > 1}, r * e > e))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    proofs.errors.ProofError: bad: not proved (sat) countermodel {...}
    """
    cited = tuple(_cite(lemma) for lemma in by)
    premises = [c.formula for c in cited]
    by_z3 = decide(theorem, "z3", timeout_ms=timeout_ms, premises=premises, logic=logic)
    if not by_z3.unsat:
        raise ProofError(theorem.name, by_z3.status,
                         by_z3.model_str() if by_z3.sat else None, by_z3.reason)
    by_cvc5 = decide(theorem, "cvc5", timeout_ms=timeout_ms, premises=premises, logic=logic)
    if not by_cvc5.unsat:
        raise ProofError(theorem.name, f"cvc5 {by_cvc5.status}",
                         by_cvc5.model_str() if by_cvc5.sat else None, by_cvc5.reason)
    return Proof(theorem=theorem, z3=by_z3, cvc5=by_cvc5, lemmas=cited)


def induction_steps(theorem: Theorem) -> tuple[Theorem, Theorem]:
    """Base and step of a theorem whose conclusion is ``Every(k, lo, hi, P(k))``.

    base: hypotheses ⇒ P(lo); step: hypotheses ∧ lo ≤ k < hi ∧ P(k) ⇒ P(k + 1), with k a
    fresh integer. Together they give P(k) for every k in [lo, hi] (the hypotheses do not
    mention the bound k).

    Parameters
    ----------
    theorem : Theorem
        Its conclusion must be an :class:`~proofs.quantifiers.Every`.

    Returns
    -------
    tuple of Theorem
        (base, step).

    Raises
    ------
    ValueError
        The conclusion is not a bounded ∀.

    Examples
    --------
    >>> from proofs.quantifiers import ints
    >>> k, n = ints("k n")
    >>> base, step = induction_steps(Theorem("t", (), Every(k, 0, n, k >= 0)))
    >>> str(base.conclusion), str(step.conclusion)
    ('True', 'k_ind + 1 >= 0')
    """
    goal = theorem.conclusion
    if not isinstance(goal, Every):
        raise ValueError(f"{theorem.name}: induction needs a conclusion Every(k, lo, hi, P)")
    taken = {s.name for h in theorem.hypotheses for s in h.relation.free_symbols}
    taken |= {s.name for s in goal.free_symbols} | {q.var.name for q in goal.atoms(Bounded)}
    name = f"{goal.var.name}_ind"
    while name in taken:  # fresh: a hypothesis must not constrain the induction variable
        name += "_"
    k = sp.Symbol(name, integer=True)
    base = replace(theorem, name=f"{theorem.name}/base",
                   conclusion=goal.body.xreplace({goal.var: goal.lo}), must_fail=())
    step_hyps = theorem.hypotheses + (
        Hypothesis("induction_range", sp.And(goal.lo <= k, k < goal.hi)),
        Hypothesis("induction_hypothesis", goal.body.xreplace({goal.var: k})))
    step = replace(theorem, name=f"{theorem.name}/step", hypotheses=step_hyps,
                   conclusion=goal.body.xreplace({goal.var: k + 1}), must_fail=())
    return base, step


def prove_by_induction(theorem: Theorem, *, by: Sequence = (),
                       timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Proof:
    """Prove ``Every(k, lo, hi, P(k))`` from a kernel proof of its base and of its step.

    Parameters
    ----------
    theorem : Theorem
        Conclusion ``Every(k, lo, hi, P(k))``.
    by : sequence of Proof or Cited
        Lemmas cited by both steps.
    timeout_ms : int
        Per-query solver timeout.

    Returns
    -------
    Proof
        ``rule="induction"``, with the two step proofs.

    Raises
    ------
    ProofError
        The base or the step is not proved.

    Examples
    --------
    >>> from proofs.quantifiers import ints
    >>> k, n = ints("k n")
    >>> prove_by_induction(Theorem("t", (), Every(k, 0, n, k >= 0))).rule
    'induction'
    """
    steps = tuple(prove(t, by=by, timeout_ms=timeout_ms) for t in induction_steps(theorem))

    def total(label):
        verdicts = [getattr(p, label) for p in steps]
        return SatResult(label, "unsat", sum(v.seconds for v in verdicts),
                         logic=verdicts[-1].logic)

    return Proof(theorem=theorem, z3=total("z3"), cvc5=total("cvc5"), rule="induction",
                 steps=steps, lemmas=tuple(_cite(lemma) for lemma in by))


def recheck(proof: Proof, *, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Proof:
    """Re-prove a proof's tree from the leaves up: every cited lemma, then the theorem.

    A tampered lemma (its statement changed after it was proved) fails here, and so does every
    proof that needed the lemma as it was.

    Parameters
    ----------
    proof : Proof
        The receipt to re-check.
    timeout_ms : int
        Per-query solver timeout.

    Returns
    -------
    Proof
        A fresh proof of the same theorem, citing fresh proofs of the same lemmas.

    Raises
    ------
    ProofError
        Some node of the tree is not proved any more.

    Examples
    --------
    >>> from proofs.statement import theorem, reals
    >>> x, = reals("x")
    >>> recheck(prove(theorem("t", {}, x**2 >= 0))).theorem.name
    't'
    """
    cited = [Cited(recheck(c.proof, timeout_ms=timeout_ms), c.substitution)
             for c in proof.lemmas]
    if proof.rule == "induction":
        return prove_by_induction(proof.theorem, by=cited, timeout_ms=timeout_ms)
    return prove(proof.theorem, by=cited, timeout_ms=timeout_ms)
