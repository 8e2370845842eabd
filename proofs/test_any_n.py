"""Theorems for every number of bidders: proved, cited, tamper-evident, and in agreement with
the fixed-n instances; false parametric statements refuted by countermodels at a concrete n."""

from __future__ import annotations

from dataclasses import replace

import pytest
import sympy as sp

from proofs import auction_any_n as A
from proofs import vcg_any_n as G
from proofs.any_n import decide_variant, vickrey_instance
from proofs.errors import ProofError
from proofs.evaluate import holds
from proofs.kernel import Cited, decide, prove, prove_by_induction, recheck, refutation_query
from proofs.quantifiers import Every
from proofs.step_rules import pay_your_bid_steps, step_rule_truthful
from proofs.vickrey import vickrey_truthful


@pytest.fixture(scope="module")
def chain():
    key = prove(A.other_max_invariant())
    core = prove(A.threshold_core())
    threshold = prove(A.threshold_any_n(), by=[core.at({A.m: A.b(A.i)})])
    vickrey = prove(A.vickrey_any_n(), by=[key, vickrey_instance(threshold)])
    welfare = prove_by_induction(G.others_welfare_invariant())
    vcg = prove(G.vcg_any_n(), by=[welfare])
    return {"key": key, "core": core, "threshold": threshold, "vickrey": vickrey,
            "welfare": welfare, "vcg": vcg}


def test_parametric_proofs_use_quantified_logic_and_record_their_lemmas(chain):
    assert chain["key"].logic == "UFLIRA" and chain["core"].logic == "QF_NRA"
    tree = chain["vickrey"].tree()
    assert [t["name"] for t in tree["lemmas"]] == ["other_max_invariant",
                                                   "threshold_truthful_any_n"]
    assert tree["lemmas"][1]["lemmas"][0]["name"] == "threshold_core"
    assert set(chain["vickrey"].leaves()) == {"other_max_invariant", "threshold_core"}
    assert [p.theorem.name for p in chain["welfare"].steps] == [
        "others_welfare_invariant/base", "others_welfare_invariant/step"]
    assert chain["vcg"].tree()["lemmas"][0]["rule"] == "induction"


def _countermodel(theorem, conclusion=None, premises=()):
    """z3's countermodel, re-evaluated here on the original quantified formulas."""
    r = decide(theorem, conclusion=conclusion, premises=premises)
    assert r.sat and r.model_checked, r
    assert holds(refutation_query(theorem, conclusion, premises), r.model)
    return r.model


def test_first_price_refuted_at_a_concrete_n_that_the_instance_confirms():
    thm = A.vickrey_any_n()
    first_price = dict(thm.must_fail)["first_price_truthful"]
    with pytest.raises(ProofError, match=r"vickrey_truthful_any_n: not proved \(sat\)"):
        prove(thm.with_conclusion(first_price))
    model = _countermodel(thm, first_price)
    n = int(model["n"])
    assert n >= 2
    # The fixed-n instance of the same claim is refuted too (an independent translation).
    instance = vickrey_truthful(n)
    assert decide(instance, conclusion=dict(instance.must_fail)["first_price_truthful"]).sat


def test_threshold_depending_on_own_bid_refuted_with_countermodel():
    own_bid = A.variants()[0]
    assert own_bid.theorem.name == "threshold_depends_on_own_bid"
    with pytest.raises(ProofError, match="threshold_depends_on_own_bid: not proved"):
        prove(own_bid.theorem)
    model = _countermodel(own_bid.theorem)
    assert int(model["n"]) >= 2 and model["t"] != model["t_p"]


def test_clarke_pivot_with_own_report_refuted(chain):
    thm = G.vcg_any_n()
    mutant = dict(thm.must_fail)["pivot_with_own_report"]
    with pytest.raises(ProofError, match="vcg_clarke_any_n: not proved"):
        prove(thm.with_conclusion(mutant), by=[chain["welfare"]])
    model = _countermodel(thm, mutant, [Cited(chain["welfare"]).formula])
    assert int(model["n"]) >= 1 and int(model["K"]) >= 1


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6])
def test_instances_agree_with_the_parametric_theorem(n, chain):
    """The fixed-n statement (its own encoding: Max, Piecewise, no quantifiers) is proved and
    its first-price variant refuted, as the parametric proof says for every n; the parametric
    statement restricted to this n is proved."""
    instance = vickrey_truthful(n)
    # The instance is linear: the simplex decides n = 5, 6 where nlsat times out.
    assert prove(instance, logic="QF_LRA").z3.unsat
    assert decide(instance, conclusion=dict(instance.must_fail)["first_price_truthful"],
                  logic="QF_LRA").sat
    pinned = A.vickrey_any_n()
    pinned = replace(pinned, hypotheses=pinned.hypotheses + (
        replace(pinned.hypotheses[0], name="n_fixed", relation=sp.Eq(A.n, n)),))
    assert prove(pinned, by=chain["vickrey"].lemmas).cvc5.unsat


@pytest.mark.parametrize("n, holds_at_n", [(2, True), (3, False), (4, False)])
def test_lowest_other_bid_variant_holds_exactly_for_two_bidders(chain, n, holds_at_n):
    """Paying the lowest other bid is second price when n = 2 and not from n = 3: the kernel
    sees the difference the number of bidders makes."""
    variant = A.variants()[1].theorem
    pinned = replace(variant, hypotheses=variant.hypotheses + (
        replace(variant.hypotheses[0], name="n_fixed", relation=sp.Eq(A.n, n)),))
    if holds_at_n:
        assert prove(pinned, by=[chain["key"]]).z3.unsat
    else:
        with pytest.raises(ProofError, match="not proved"):
            prove(pinned, by=[chain["key"]])
    assert decide_variant(A.variants()[1], by=[chain["key"]]).outcome == "refuted"


def test_second_highest_including_own_is_second_price():
    assert decide_variant(A.variants()[2]).outcome == "proved"


def test_recheck_reproves_the_tree(chain):
    again = recheck(chain["vickrey"])
    assert again.theorem == chain["vickrey"].theorem
    assert [c.proof.theorem.name for c in again.lemmas] == [
        c.proof.theorem.name for c in chain["vickrey"].lemmas]


def test_tampered_false_lemma_is_caught_at_the_leaf(chain):
    key = chain["key"]
    false_key = replace(key, theorem=key.theorem.with_conclusion(sp.Eq(A.h_p, A.h + 1)))
    tampered = replace(chain["vickrey"], lemmas=(Cited(false_key),
                                                 *chain["vickrey"].lemmas[1:]))
    with pytest.raises(ProofError, match="other_max_invariant: not proved"):
        recheck(tampered)


def test_weakened_lemma_invalidates_the_proof_that_uses_it(chain):
    """VCG needs the induction lemma (no solver does induction). Swap the cited lemma for a
    true but weaker one (others' welfare equal for q = 0 only): the lemma re-proves, the
    theorem that cites it does not."""
    welfare = chain["welfare"]
    goal = welfare.theorem.conclusion
    weaker = prove_by_induction(welfare.theorem.with_conclusion(
        Every(goal.var, 0, 0, goal.body)))
    tampered = replace(chain["vcg"], lemmas=(Cited(weaker),))
    with pytest.raises(ProofError, match="vcg_clarke_any_n: not proved"):
        recheck(tampered, timeout_ms=2_000)
    # Swapping a statement under a recorded induction proof is refused outright.
    with pytest.raises(ValueError, match="induction steps are not the base and step"):
        replace(welfare, theorem=weaker.theorem)


def test_induction_proof_checks_its_steps(chain):
    welfare = chain["welfare"]
    with pytest.raises(ValueError, match="induction steps are not the base and step"):
        replace(welfare, steps=welfare.steps[::-1])


def test_citation_respects_sorts(chain):
    with pytest.raises(ValueError, match="is an integer"):
        chain["key"].at({A.n: A.v})
    with pytest.raises(ValueError, match="not a free symbol"):
        chain["key"].at({A.j: A.i})


def test_step_rules_truthful_for_every_k_and_pay_your_bid_refuted():
    proof = prove_by_induction(step_rule_truthful())
    assert [p.theorem.name for p in proof.steps] == ["step_rule_truthful_any_k/base",
                                                     "step_rule_truthful_any_k/step"]
    refuted = decide_variant(pay_your_bid_steps())
    assert refuted.outcome == "refuted" and int(refuted.countermodel["K"]) >= 1
