"""The kernel proves true statements, refuses false ones with a checked countermodel."""

from __future__ import annotations

import importlib

import pytest
import sympy as sp

from proofs import (
    Proof,
    ProofError,
    UnsupportedExpression,
    audit,
    check_theorem,
    prove,
    reals,
    theorem,
)
from proofs.solvers import SatResult, check_sat, model_satisfies

x, y, z = reals("x y z")
audit_mod = importlib.import_module("proofs.audit")
kernel_mod = importlib.import_module("proofs.kernel")


def test_proves_nonlinear_statement():
    # AM-GM for two reals: needs real nonlinear reasoning, not linear arithmetic.
    t = theorem("am_gm", {"x_pos": x >= 0, "y_pos": y >= 0}, (x + y) ** 2 >= 4 * x * y)
    p = prove(t)
    assert p.z3.unsat and p.cvc5.unsat


def test_false_lemma_rejected_with_countermodel():
    # Deliberately false: x² > x fails on [0, 1].
    t = theorem("false_lemma", {"x_nonneg": x >= 0}, x**2 > x)
    with pytest.raises(ProofError, match=r"false_lemma: not proved \(sat\) countermodel") as info:
        prove(t)
    cm = info.value.countermodel
    assert info.value.status == "sat" and cm is not None
    # The countermodel must satisfy the hypothesis and violate the conclusion, checked in sympy.
    value = sp.Rational(cm["x"])
    assert value >= 0 and not (value**2 > value)


def test_check_theorem_records_failure_instead_of_raising():
    c = check_theorem(theorem("false_lemma", {"x_pos": x > 0}, x > 1))
    assert not c.proved and not c.ok and "countermodel" in c.error


def test_division_refused():
    # z3's division is total: x/x = 1 would be "provable" only by trusting 0/0; we refuse it.
    with pytest.raises(UnsupportedExpression, match="power 1/x"):
        prove(theorem("div", {"x_pos": x > 0, "y_pos": y > 0}, y / x > 0))


def test_floats_refused():
    with pytest.raises(UnsupportedExpression, match="float constant"):
        prove(theorem("flt", {"x_pos": x > 0}, sp.Float(0.5) * x < x))


def test_unknown_is_a_failure(monkeypatch):
    # A solver that gives up must never count as a proof (bool(z3.unknown) is True!).
    def unknown(formulas, solver="z3", timeout_ms=0, **_):
        return SatResult(solver, "unknown", 0.0, reason="timeout")

    monkeypatch.setattr(kernel_mod, "check_sat", unknown)
    with pytest.raises(ProofError, match=r"not proved \(unknown\) timeout") as info:
        prove(theorem("t", {"x_pos": x > 0}, x + 1 > 1))
    assert info.value.status == "unknown" and info.value.reason == "timeout"


def test_cvc5_disagreement_is_a_failure(monkeypatch):
    real = kernel_mod.check_sat

    def cvc5_says_sat(formulas, solver="z3", timeout_ms=0, **_):
        if solver == "cvc5":
            return SatResult("cvc5", "sat", 0.0, model={})
        return real(formulas, solver=solver, timeout_ms=timeout_ms)

    monkeypatch.setattr(kernel_mod, "check_sat", cvc5_says_sat)
    with pytest.raises(ProofError, match="cvc5"):
        prove(theorem("t", {"x_pos": x > 0}, x + 1 > 1))


def test_models_are_rechecked_by_sympy():
    r = check_sat([x**2 < 2, x > 1])
    assert r.sat and r.model_checked
    assert model_satisfies([x**2 < 2, x > 1], r.model)
    assert not model_satisfies([x > 5], r.model)


def test_irrational_models_are_exact():
    for solver in ("z3", "cvc5"):
        r = check_sat([sp.Eq(x**2, 2), x > 0], solver=solver)
        assert r.sat and r.model["x"] == sp.sqrt(2)


@pytest.mark.parametrize("solver", ["z3", "cvc5"])
def test_max_min_abs_piecewise(solver):
    stmt = [sp.Not(sp.Eq(sp.Max(x, y) + sp.Min(x, y), x + y))]
    assert check_sat(stmt, solver=solver).unsat
    assert check_sat([sp.Not(sp.Abs(x) >= x)], solver=solver).unsat
    pw = sp.Piecewise((x, x > 0), (-x, True))
    assert check_sat([sp.Not(sp.Eq(pw, sp.Abs(x)))], solver=solver).unsat
    # Boolean if-then-else (sympy produces it when simplifying Piecewise conditions).
    ite = sp.ITE(x > 0, y > x, y < x)
    assert check_sat([ite, x > 0, y < 0], solver=solver).unsat
    assert check_sat([ite, x < 0, y < x], solver=solver).sat


def test_broken_checker_is_caught_by_the_audit(monkeypatch):
    # A "checker" that answers unsat to everything proves every mutant: the audit must notice.
    def always_unsat(formulas, solver="z3", timeout_ms=0, **_):
        return SatResult(solver, "unsat", 0.0)

    t = theorem("t", {"x_pos": x > 0}, 2 * x > x)
    monkeypatch.setattr(kernel_mod, "check_sat", always_unsat)
    monkeypatch.setattr(audit_mod, "check_sat", always_unsat)
    a = audit(t)
    assert a.mutants_refuted == 0 and not a.passed and not a.non_vacuous


def test_audit_finds_redundant_and_necessary_hypotheses():
    t = theorem("t", {"x_gt_1": x > 1, "x_gt_0": x > 0, "y_pos": y > 0}, x * y > 0)
    a = audit(t)
    necessity = {h.name: h.necessary for h in a.hypotheses}
    # x > 1 implies x > 0, so each of the two is redundant alone; y > 0 is needed.
    assert necessity == {"x_gt_1": False, "x_gt_0": False, "y_pos": True}
    assert "y_pos" in a.core and len(a.core) == 2
    cm = next(h.countermodel for h in a.hypotheses if h.name == "y_pos")
    assert sp.Rational(cm["x"]) * sp.Rational(cm["y"]) <= 0


def test_vacuous_theorem_detected():
    t = theorem("vacuous", {"a": x > 1, "b": x < 0}, y > 100)
    c = check_theorem(t)
    assert c.proved and not c.audit.non_vacuous and not c.ok


def test_proof_records_only_two_unsat_verdicts_from_the_right_solvers():
    t = theorem("t", {"x_pos": x > 0}, x > 1)  # false: a Proof of it must not be constructible
    unsat = {n: SatResult(solver=n, status="unsat", seconds=0.0) for n in ("z3", "cvc5")}
    for bad in ("sat", "unknown"):
        with pytest.raises(ValueError, match="two unsat verdicts"):
            Proof(theorem=t, z3=unsat["z3"], cvc5=SatResult(solver="cvc5", status=bad, seconds=0))
    with pytest.raises(ValueError, match="comes from 'cvc5'"):
        Proof(theorem=t, z3=unsat["cvc5"], cvc5=unsat["cvc5"])
    with pytest.raises(TypeError, match="a Proof is of a Theorem, not str"):
        Proof(theorem="t", z3=unsat["z3"], cvc5=unsat["cvc5"])
    # what the kernel does not enforce (documented): a hand-built receipt with unsat verdicts
    fake = Proof(theorem=t, z3=unsat["z3"], cvc5=unsat["cvc5"])
    # ... is exposed by re-running the kernel on its theorem
    with pytest.raises(ProofError, match=r"t: not proved \(sat\)"):
        prove(fake.theorem)
