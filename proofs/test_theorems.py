"""`pytest proofs/` re-checks every theorem of the companion file, with its audit."""

from __future__ import annotations

import pytest
import sympy as sp

from proofs import ProofError, check_theorem, companion, prove
from proofs.kernel import decide
from proofs.mutants import Mutant, mutants
from proofs.solvers import model_satisfies
from proofs.statement import Hypothesis, Theorem

SEED_NAMES = [
    "vcg_efficiency", "vcg_budget_deficit", "ms_gap_positive", "efficiency_budget_tradeoff",
    "spectral_approximation_decay", "rapid_convergence_rho2", "latent_gap_inverse_rho",
    "finite_dimensional_reduction", "latent_mechanism_near_optimal", "latent_deficit_bounded",
    "latent_beats_vcg_deficit", "uniform_ms_gap", "latent_efficiency_87pct", "latent_deficit_1_32",
]
BY_NAME = {t.name: t for t in companion.THEOREMS}


def test_sixteen_theorems_with_the_seed_names():
    names = [t.name for t in companion.THEOREMS]
    assert len(names) == 16 == len(set(names))
    assert names[:14] == SEED_NAMES


@pytest.fixture(scope="module")
def checks():
    return {t.name: check_theorem(t) for t in companion.THEOREMS}


@pytest.mark.parametrize("name", [t.name for t in companion.THEOREMS])
def test_theorem_proved_and_audited(checks, name):
    c = checks[name]
    assert c.proved, c.error
    assert c.proof.z3.unsat and c.proof.cvc5.unsat
    a = c.audit
    assert a.non_vacuous, "hypotheses have no model"
    assert a.mutants_refuted == len(a.mutants) >= 3
    assert a.weakenings_proved == a.weakenings_total
    # Every countermodel in the audit really satisfies the hypotheses and breaks the mutant,
    # evaluated exactly in sympy (not by the solver that found it).
    t = BY_NAME[name]
    candidates = mutants(t.conclusion) + [Mutant(k, alt) for k, alt in t.must_fail]
    for m, got in zip(candidates, a.mutants, strict=True):
        assert got.statement == str(m.statement) and got.countermodel is not None
        cm = {k: sp.sympify(v.split(" ≈ ")[0]) for k, v in got.countermodel.items()}
        hyps = [h.relation for h in t.hypotheses]
        assert model_satisfies([*hyps, sp.Not(m.statement)], cm), (m, got.countermodel)


@pytest.mark.parametrize("name", ["latent_deficit_bounded", "latent_beats_vcg_deficit"])
def test_seed_statement_false_without_added_gap_positive(checks, name):
    t = BY_NAME[name]
    assert [h.name for h in t.added] == ["gap_positive"]
    cm = checks[name].audit.stated_countermodel
    assert cm is not None and sp.Rational(cm["gap"]) <= 0
    with pytest.raises(ProofError, match=rf"{name}: not proved \(sat\)"):
        prove(t.without("gap_positive"))


def test_gap_inverse_rho_positivity_redundant_alone_not_jointly(checks):
    a = checks["latent_gap_inverse_rho"].audit
    assert set(a.redundant) == {"gap1_positive", "gap2_positive"}
    both_dropped = BY_NAME["latent_gap_inverse_rho"].without("gap1_positive").without(
        "gap2_positive")
    assert decide(both_dropped).sat


def test_known_redundancies(checks):
    assert set(checks["ms_gap_positive"].audit.core) == {"gap_positive"}
    assert set(checks["finite_dimensional_reduction"].audit.redundant) == {"eps_positive",
                                                                         "r_gt_one"}
    assert checks["efficiency_budget_tradeoff"].audit.redundant == ("gap_positive",)
    for name in ("spectral_approximation_decay", "rapid_convergence_rho2", "vcg_efficiency",
                 "latent_mechanism_near_optimal"):
        assert checks[name].audit.redundant == (), name


def test_calibrations_are_the_seed_numbers():
    # The numbers the seed prints (7/8, 1/32, 1/4) are forced by the hypotheses: the theorem
    # with the number nudged must fail.
    t = BY_NAME["latent_deficit_1_32"]
    bad = t.with_conclusion(sp.Eq(sp.Symbol("D_L", real=True), sp.Rational(1, 16)))
    assert decide(bad).sat


def test_broken_statement_makes_the_check_fail():
    # Flip Theorem 5's hypothesis r > 1 to r < 1: the checker must refuse.
    t = BY_NAME["spectral_approximation_decay"]
    r = sp.Symbol("r", real=True)
    hyps = tuple(Hypothesis(h.name, r < 1) if h.name == "ratio_gt_one" else h
                 for h in t.hypotheses)
    broken = Theorem(t.name, hyps, t.conclusion, variables=t.variables)
    c = check_theorem(broken)
    assert not c.proved and "countermodel" in c.error
