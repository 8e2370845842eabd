"""Grounding computations: the paper's calibrations beside exact values in real models.

Each is an exact sympy computation (integrals over uniform types), compared with the closed
form it should equal; a :class:`Grounding` records both and whether sympy proves them equal.

* Uniform bilateral trade (b, s ~ U[0,1] independent): first-best gains E[(b−s)⁺] = 1/6; the VCG
  mechanism (buyer pays s, seller receives b on trade) runs deficit E[(b−s)⁺] = 1/6;
  Chatterjee–Samuelson k = 1/2 (trade iff b ≥ s + 1/4) gains 9/64, ratio 27/32, P(trade) 9/32.
* n iid U[0,1] bidders, symbolic n: second-price revenue (n−1)/(n+1) (order statistics, and
  again via Myerson's lemma E[ψ(v_(1))]); Myerson with reserve 1/2: (n−1)/(n+1) + 2⁻ⁿ/(n+1).
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

R = sp.Rational
CLOSED_FORM = "closed form (Krishna, Auction Theory, ch. 2)"


@dataclass(frozen=True)
class Grounding:
    name: str
    model: str
    computed: sp.Expr
    expected: sp.Expr
    relates_to: str  # the surrogate theorem / calibration it grounds

    @property
    def holds(self) -> bool:
        return sp.simplify(self.computed - self.expected) == 0

    def to_dict(self) -> dict:
        return {"name": self.name, "model": self.model, "value": str(self.computed),
                "expected": str(self.expected), "holds": self.holds,
                "relates_to": self.relates_to}


def _bilateral():
    b, s = sp.symbols("b s", real=True)
    gains = sp.integrate(sp.integrate(b - s, (s, 0, b)), (b, 0, 1))
    # VCG with the worst types (b = 0, s = 1) at zero utility: on trade (s < b) the seller
    # receives b and the buyer pays s; the deficit is what goes out minus what comes in.
    paid_out = sp.integrate(sp.integrate(b, (s, 0, b)), (b, 0, 1))
    collected = sp.integrate(sp.integrate(s, (s, 0, b)), (b, 0, 1))
    vcg_deficit = paid_out - collected
    # Chatterjee–Samuelson double auction, k = 1/2: linear equilibrium trades iff b ≥ s + 1/4.
    cs_gains = sp.integrate(sp.integrate(b - s, (s, 0, b - R(1, 4))), (b, R(1, 4), 1))
    cs_prob = sp.integrate(sp.integrate(1, (s, 0, b - R(1, 4))), (b, R(1, 4), 1))
    return gains, vcg_deficit, cs_gains, cs_prob


def _single_item():
    n = sp.Symbol("n", integer=True, positive=True)
    v = sp.Symbol("v", positive=True)
    # Density of the second-highest of n iid U[0,1]: n(n−1) v^{n−2} (1−v).
    second_price = sp.simplify(sp.integrate(v * n * (n - 1) * v ** (n - 2) * (1 - v), (v, 0, 1),
                                            conds="none"))
    # Myerson's lemma: revenue = E[max_i ψ(v_i)⁺ allocated], ψ(v) = 2v − 1, max has density n vⁿ⁻¹.
    via_virtual = sp.simplify(sp.integrate((2 * v - 1) * n * v ** (n - 1), (v, 0, 1),
                                           conds="none"))
    myerson = sp.simplify(sp.integrate((2 * v - 1) * n * v ** (n - 1), (v, R(1, 2), 1),
                                       conds="none"))
    return n, second_price, via_virtual, myerson


def groundings() -> tuple[Grounding, ...]:
    """All grounding computations, exact.

    >>> all(g.holds for g in groundings())
    True
    """
    gains, vcg_deficit, cs_gains, cs_prob = _bilateral()
    n, second_price, via_virtual, myerson = _single_item()
    bt = "bilateral trade, b, s ~ U[0,1]"
    si = "single item, n iid U[0,1] bidders (symbolic n)"
    return (
        Grounding("first_best_gains", bt, gains, R(1, 6), "uniform_ms_gap (1/4)"),
        Grounding("vcg_deficit", bt, vcg_deficit, R(1, 6), "latent_deficit_1_32 (1/32)"),
        Grounding("second_best_gains_cs_k_half", bt, cs_gains, R(9, 64), "uniform_ms_gap (1/4)"),
        Grounding("second_best_efficiency_ratio", bt, cs_gains / gains, R(27, 32),
                  "latent_efficiency_87pct (7/8)"),
        Grounding("second_best_trade_probability", bt, cs_prob, R(9, 32),
                  "latent_efficiency_87pct (7/8)"),
        Grounding("second_best_shortfall", bt, 1 - cs_gains / gains, R(5, 32),
                  "uniform_ms_gap (1/4)"),
        Grounding("second_price_revenue", si, second_price, (n - 1) / (n + 1),
                  CLOSED_FORM),
        Grounding("second_price_revenue_via_virtual_values", si, via_virtual, (n - 1) / (n + 1),
                  CLOSED_FORM),
        Grounding("myerson_reserve_half_revenue", si, myerson,
                  (n - 1) / (n + 1) + 2 ** (-n) / (n + 1), CLOSED_FORM),
    )
