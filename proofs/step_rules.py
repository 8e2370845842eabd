"""Step allocation rules with K steps and threshold payments, for every K (by induction).

Bidder i's allocation is a step function of her bid with K steps at thresholds θ(1..K), each a
function of the others' bids only (so the same at every bid of hers): x(z) = #{l ≤ K : z ≥ θ(l)}
(unit steps; a step of height h is h equal steps). She pays the sum of the thresholds she
crosses, Σ_{l : z ≥ θ(l)} θ(l): Myerson's payment p(z) = z x(z) − ∫_0^z x for θ ≥ 0. Her
utility at a bid is then the recursion U(k) = U(k − 1) + [bid ≥ θ(k)] (v − θ(k)), and the kernel
proves, by induction on k (:func:`proofs.kernel.prove_by_induction`), that the truthful bid's
utility is at least any bid's and never negative, for every K.

What stays outside: the step from the integral form p(z) = z x(z) − ∫_0^z x to the sum of the
thresholds crossed (∫_0^z [y ≥ θ] dy = (z − θ)⁺) is calculus, not first-order arithmetic, and
so are the converse (implementable ⇒ monotone) and the uniqueness of zero-normalised payments:
those are not kernel theorems here.
"""

from __future__ import annotations

import sympy as sp

from proofs.auction_any_n import Variant
from proofs.quantifiers import Every, functions, ints
from proofs.statement import Theorem, reals, theorem

k, K = ints("k K")
theta, U_m, U_v = functions("theta U_m U_v")
v, m = reals("v m")


def _utility(bid, U, price=None) -> sp.Basic:
    price = theta(k) if price is None else price
    step = sp.Eq(U(k), U(k - 1) + sp.Piecewise((v - price, bid >= theta(k)), (0, True)))
    return sp.And(sp.Eq(U(0), 0), Every(k, 1, K, step))


def step_rule_truthful() -> Theorem:
    """K-step allocation, thresholds crossed paid: truthful and IR for every K.

    >>> step_rule_truthful().name
    'step_rule_truthful_any_k'
    """
    return theorem(
        "step_rule_truthful_any_k",
        {"steps": K >= 0, "U_m_utility_at_bid_m": _utility(m, U_m),
         "U_v_utility_at_value": _utility(v, U_v)},
        Every(k, 0, K, sp.And(U_v(k) >= U_m(k), U_v(k) >= 0)),
        source="Myerson (1981)",
        reading="for every number of steps K: a step allocation rule whose thresholds depend "
                "only on the others' bids, charging the sum of the thresholds crossed, makes "
                "bidding one's value weakly dominant and individually rational (induction on "
                "the steps)",
        note="Thresholds need not be sorted. The integral form of the payment and the "
             "uniqueness of payments are calculus and stay outside the kernel.")


def pay_your_bid_steps() -> Variant:
    """The same steps with the bid paid per step crossed: refuted (with K = 1 already).

    >>> pay_your_bid_steps().expected
    'refuted'
    """
    t = step_rule_truthful()
    hyps = {"steps": K >= 0, "U_m_utility_at_bid_m": _utility(m, U_m, m),
            "U_v_utility_at_value": _utility(v, U_v, v)}
    return Variant(theorem("pay_your_bid_steps", hyps, t.conclusion,
                           source="mutant of Myerson (1981)",
                           reading="each step crossed is paid at the bid, not the threshold"),
                   "refuted", "shading the bid below the value pays less for the same steps")
