"""Audits of a theorem: is it vacuous, which hypotheses does it need, does the checker bite?

* **non-vacuity**: the hypotheses alone have a model (shown, checked in sympy);
* **necessity**: for each hypothesis, the theorem without it has a countermodel — or the
  hypothesis is *redundant*, which cvc5 confirms independently;
* **stated hypotheses**: if the source's own hypotheses do not give the conclusion, the
  countermodel that shows it (this is why hypotheses were added);
* **minimal core**: a deletion-minimal set of hypotheses that still proves the conclusion;
* **mutants** (:mod:`proofs.mutants`): every one refuted with a countermodel; weakenings proved.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import sympy as sp

from proofs.kernel import Proof, decide
from proofs.mutants import Mutant, mutants, weakenings
from proofs.solvers import DEFAULT_TIMEOUT_MS, check_sat
from proofs.statement import Theorem


@dataclass(frozen=True)
class HypothesisAudit:
    name: str
    added: bool
    necessary: bool | None  # None: a solver said unknown
    countermodel: dict[str, str] | None  # the theorem without this hypothesis fails here
    reason: str | None = None  # why it was added (added hypotheses only)


@dataclass(frozen=True)
class MutantAudit:
    kind: str
    statement: str
    refuted: bool
    countermodel: dict[str, str] | None


@dataclass(frozen=True)
class Audit:
    vacuity_model: dict[str, str] | None
    hypotheses: tuple[HypothesisAudit, ...]
    stated_countermodel: dict[str, str] | None  # source's hypotheses alone fail here
    core: tuple[str, ...]
    mutants: tuple[MutantAudit, ...]
    weakenings_proved: int
    weakenings_total: int
    seconds: float

    @property
    def non_vacuous(self) -> bool:
        return self.vacuity_model is not None

    @property
    def redundant(self) -> tuple[str, ...]:
        return tuple(h.name for h in self.hypotheses if h.necessary is False)

    @property
    def mutants_refuted(self) -> int:
        return sum(m.refuted for m in self.mutants)

    @property
    def passed(self) -> bool:
        """True when nothing is wrong with the *checker*: non-vacuous, all mutants refuted,
        all weakenings proved, and every added hypothesis shown necessary."""
        added_ok = all(h.necessary for h in self.hypotheses if h.added)
        return (self.non_vacuous and self.mutants_refuted == len(self.mutants)
                and self.weakenings_proved == self.weakenings_total and added_ok)


def _premises(proof: Proof | None) -> list[sp.Basic]:
    """The statements of the lemmas a proof cites: every audit query keeps them."""
    return [c.formula for c in proof.lemmas] if proof is not None else []


def _unsat_both(formulas, timeout_ms) -> bool | None:
    """True if z3 and cvc5 both say unsat, False if z3 has a (sympy-checked) model."""
    r = check_sat(formulas, solver="z3", timeout_ms=timeout_ms)
    if r.sat:
        return False
    if not r.unsat:
        return None
    return check_sat(formulas, solver="cvc5", timeout_ms=timeout_ms).unsat or None


def minimal_core(theorem: Theorem, timeout_ms: int = DEFAULT_TIMEOUT_MS,
                 premises=(), necessary: dict | None = None) -> tuple[str, ...]:
    """A deletion-minimal subset of hypotheses that still proves the conclusion (z3).

    >>> from proofs.statement import theorem, reals
    >>> x, y = reals("x y")
    >>> minimal_core(theorem("t", {"a": x > 1, "b": x > 0, "c": y > 0}, x > 0))
    ('b',)
    """
    core = list(theorem.hypotheses)
    if necessary is not None:
        # Each necessary hypothesis stays in every core; if they prove the conclusion alone,
        # they are the core (one query instead of one per hypothesis).
        kept = [h for h in core if necessary.get(h.name) is not False]
        query = list(premises) + [g.relation for g in kept] + [sp.Not(theorem.conclusion)]
        if check_sat(query, timeout_ms=timeout_ms).unsat:
            return tuple(h.name for h in kept)
    for h in list(core):
        trial = [g for g in core if g is not h]
        query = list(premises) + [g.relation for g in trial] + [sp.Not(theorem.conclusion)]
        if check_sat(query, timeout_ms=timeout_ms).unsat:
            core = trial
    return tuple(h.name for h in core)


def audit(theorem: Theorem, proof: Proof | None = None, *,
          timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Audit:
    """Run every audit on ``theorem`` (which should already be proved): non-vacuity, necessity
    of each hypothesis, the minimal core and the mutants.

    >>> from proofs.statement import theorem, reals
    >>> x, y = reals("x y")
    >>> a = audit(theorem("t", {"x_pos": x > 0, "y_pos": y > 0}, x + y > 0))
    >>> a.non_vacuous, a.redundant, a.mutants_refuted == len(a.mutants)
    (True, (), True)
    """
    t0 = time.perf_counter()
    premises = _premises(proof)
    vac = check_sat(premises + [h.relation for h in theorem.hypotheses], timeout_ms=timeout_ms,
                    expect_sat=True)
    vacuity_model = vac.model_str() if vac.sat else None

    hyp_audits = []
    for h in theorem.hypotheses:
        weaker = theorem.without(h.name)
        r = decide(weaker, timeout_ms=timeout_ms, premises=premises, expect_sat=True)
        if r.sat:
            hyp_audits.append(HypothesisAudit(h.name, h.added, True, r.model_str(), h.reason))
        elif r.unsat:
            # Redundancy is itself a theorem: have cvc5 confirm it.
            confirmed = decide(weaker, "cvc5", timeout_ms=timeout_ms, premises=premises).unsat
            hyp_audits.append(HypothesisAudit(h.name, h.added, False if confirmed else None,
                                              None, h.reason))
        else:
            hyp_audits.append(HypothesisAudit(h.name, h.added, None, None, h.reason))

    stated_cm = None
    if theorem.added:
        stated_only = Theorem(theorem.name, theorem.stated, theorem.conclusion)
        r = decide(stated_only, timeout_ms=timeout_ms, premises=premises, expect_sat=True)
        stated_cm = r.model_str() if r.sat else None

    mutant_audits = []
    candidates = mutants(theorem.conclusion) + [Mutant(label, alt)
                                                for label, alt in theorem.must_fail]
    for m in candidates:
        r = decide(theorem, conclusion=m.statement, timeout_ms=timeout_ms, premises=premises,
                   expect_sat=True)
        mutant_audits.append(MutantAudit(m.kind, str(m.statement), r.sat,
                                         r.model_str() if r.sat else None))
    weak = weakenings(theorem.conclusion)
    weak_ok = sum(bool(_unsat_both(
        premises + [h.relation for h in theorem.hypotheses] + [sp.Not(w.statement)],
        timeout_ms))
        for w in weak)

    return Audit(
        vacuity_model=vacuity_model,
        hypotheses=tuple(hyp_audits),
        stated_countermodel=stated_cm,
        core=minimal_core(theorem, timeout_ms, premises,
                          {h.name: h.necessary for h in hyp_audits}),
        mutants=tuple(mutant_audits),
        weakenings_proved=weak_ok,
        weakenings_total=len(weak),
        seconds=time.perf_counter() - t0,
    )
