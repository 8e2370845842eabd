"""The 16 scalar theorems of the companion file of *Latent Mechanism Design* (seed 001), as data.

Each is a sympy statement over real variables (:func:`proofs.statement.theorem`), to be proved by
z3 (QF_NRA) and re-checked by cvc5, then audited (:func:`proofs.check.check_all`). Where the
seed's hypotheses do not give its conclusion, the missing hypothesis is ``added`` *with the
countermodel that forces it*. The user-facing report is ``python mechanism_design_proof.py``.

>>> [t.name for t in THEOREMS][:3]
['vcg_efficiency', 'vcg_budget_deficit', 'ms_gap_positive']
>>> len(THEOREMS)
16
"""

from __future__ import annotations

import sympy as sp

from proofs.statement import reals, theorem

R = sp.Rational
SEED = "seed 001"

# Variables: b buyer value, s seller cost, t trade probability; eps spectral error; gap the
# Myerson–Satterthwaite formal gap; eta efficiencies; D deficits; r, rho ratios.
b, s, t = reals("b s t")
cost, paid, deficit = reals("cost payments deficit")
b_hi, s_lo, gap = reals("b_hi s_lo gap")
d_tol, loss = reals("d_tol loss")
e_n, e_next, r = reals("eps_n eps_next r")
e3, e5, C = reals("eps_3 eps_5 C")
r1, r2, g1, g2 = reals("r_1 r_2 Delta_1 Delta_2")
eps = reals("eps")[0]
eta_L, eta_opt = reals("eta_L eta_opt")
D_L, D_vcg = reals("D_L D_VCG")
rho = reals("rho")[0]
e = reals("eps_0 eps_1 eps_2 eps_3 eps_4 eps_5")
eta = reals("eta")[0]

THEOREMS = (
    theorem(
        "vcg_efficiency",
        {"t_nonneg": t >= 0, "t_le_one": t <= 1},
        sp.Max(b - s, 0) >= t * (b - s),
        source=f"{SEED} §2.1, Theorem 1",
        reading="the efficient (VCG) surplus max(b−s, 0) weakly dominates the surplus t·(b−s) "
                "of any allocation trading with probability t ∈ [0, 1]",
        note="The seed's 'surplus-ordering model' made concrete as bilateral trade: VCG trades "
             "iff b ≥ s, an alternative allocation trades with probability t.",
    ),
    theorem(
        "vcg_budget_deficit",
        {"cost_exceeds_payments": cost > paid, "deficit_def": sp.Eq(deficit, cost - paid)},
        deficit > 0,
        source=f"{SEED} §2.1, Theorem 2",
        reading="if what the mechanism pays out exceeds what it collects, its deficit is > 0",
    ),
    theorem(
        "ms_gap_positive",
        {"supports_overlap": b_hi - s_lo > 0, "gap_positive": gap > 0,
         "gap_le_overlap": gap <= b_hi - s_lo},
        gap > 0,
        source=f"{SEED} §2.2, Theorem 3",
        reading="with overlapping buyer/seller supports and a positive gap bounded by the "
                "overlap, the Myerson–Satterthwaite gap is > 0",
        note="As the seed states it, the conclusion is one of its hypotheses: the audit shows "
             "the core is {gap_positive} and the overlap hypotheses are redundant.",
    ),
    theorem(
        "efficiency_budget_tradeoff",
        {"gap_positive": gap > 0, "tol_positive": d_tol > 0, "tol_below_gap": d_tol < gap,
         "loss_def": sp.Eq(loss, gap - d_tol)},
        sp.And(loss > 0, loss < gap),
        source=f"{SEED} §2.2, Theorem 4",
        reading="a deficit tolerance strictly inside (0, gap) leaves an efficiency loss "
                "gap − tolerance strictly inside (0, gap)",
    ),
    theorem(
        "spectral_approximation_decay",
        {"recurrence": sp.Eq(r * e_next, e_n), "ratio_gt_one": r > 1, "error_positive": e_n > 0},
        e_next < e_n,
        source=f"{SEED} §3.2, Theorem 5",
        reading="if r·ε_{n+1} = ε_n with r > 1 and ε_n > 0, then ε_{n+1} < ε_n",
    ),
    theorem(
        "rapid_convergence_rho2",
        {"eps3_norm": sp.Eq(8 * e3, C), "eps5_norm": sp.Eq(32 * e5, C), "C_positive": C > 0},
        e5 < e3,
        source=f"{SEED} §3.2, Theorem 6",
        reading="with 8ε₃ = C, 32ε₅ = C and C > 0, five components beat three: ε₅ < ε₃",
    ),
    theorem(
        "latent_gap_inverse_rho",
        {"coupling": sp.Eq(r1 * g1, r2 * g2), "r1_positive": r1 > 0, "r1_lt_r2": r1 < r2,
         "gap1_positive": g1 > 0, "gap2_positive": g2 > 0},
        g2 < g1,
        source=f"{SEED} §3.3, Theorem 7",
        reading="if r₁Δ₁ = r₂Δ₂ with 0 < r₁ < r₂ and both gaps positive, then Δ₂ < Δ₁",
        note="Either positivity hypothesis implies the other through the coupling: each is "
             "redundant alone (the audit finds both), not jointly.",
    ),
    theorem(
        "finite_dimensional_reduction",
        {"eps_positive": eps > 0, "eps_below_C": eps < C, "r_gt_one": r > 1},
        C - eps > 0,
        source=f"{SEED} §3.4, Theorem 8",
        reading="for 0 < ε < C and r > 1, C − ε > 0",
        note="Only ε < C is used: ε > 0 and r > 1 are redundant (r does not occur in the "
             "conclusion).",
    ),
    theorem(
        "latent_mechanism_near_optimal",
        {"efficiency_def": sp.Eq(eta_L, (1 - eps) * eta_opt), "baseline_positive": eta_opt > 0,
         "eps_positive": eps > 0, "eps_below_one": eps < 1},
        sp.And(eta_L > 0, eta_L < eta_opt),
        source=f"{SEED} §4.1, Theorem 9",
        reading="latent efficiency (1−ε)·η* with η* > 0 and 0 < ε < 1 is positive and strictly "
                "below the optimum η*",
    ),
    theorem(
        "latent_deficit_bounded",
        {"deficit_def": sp.Eq(D_L, gap * eps), "eps_positive": eps > 0, "eps_below_one": eps < 1},
        sp.And(D_L > 0, D_L < gap),
        added={"gap_positive": (gap > 0, "without it the deficit gap·ε is ≤ 0 when gap ≤ 0: "
                                         "the seed's statement is false as written")},
        source=f"{SEED} §4.1, Theorem 10",
        reading="a deficit gap·ε with ε ∈ (0, 1) is strictly between 0 and the gap "
                "(needs gap > 0)",
    ),
    theorem(
        "latent_beats_vcg_deficit",
        {"vcg_deficit_nonneg": D_vcg >= 0, "vcg_at_least_gap": D_vcg >= gap,
         "eps_positive": eps > 0, "eps_below_one": eps < 1,
         "latent_deficit_def": sp.Eq(D_L, gap * eps)},
        D_L < D_vcg,
        added={"gap_positive": (gap > 0, "with gap = 0 = D_VCG both deficits vanish and the "
                                         "strict inequality fails")},
        source=f"{SEED} §4.2, Theorem 11",
        reading="a VCG deficit ≥ gap > 0 strictly exceeds the latent deficit gap·ε, ε ∈ (0, 1)",
        note="The seed lists D_VCG ≥ 0, D_VCG ≥ gap and an interior ε; these do not suffice. "
             "With gap > 0 added, D_VCG ≥ 0 becomes redundant.",
    ),
    theorem(
        "uniform_ms_gap",
        {"calibration": sp.Eq(4 * gap, 1)},
        sp.Eq(gap, R(1, 4)),
        source=f"{SEED} §5.1",
        reading="the uniform calibration 4Δ_MS = 1 gives Δ_MS = 1/4",
        note="A normalisation, not a computation: compare the exact uniform bilateral-trade "
             "values in the grounding section (first-best 1/6, second-best 9/64).",
    ),
    theorem(
        "latent_efficiency_87pct",
        {"spectral_error": sp.Eq(eps, R(1, 8)), "efficiency_def": sp.Eq(eta, 1 - eps)},
        sp.Eq(eta, R(7, 8)),
        source=f"{SEED} §5.2",
        reading="spectral error ε = 1/8 gives efficiency η = 1 − ε = 7/8 (87.5%)",
    ),
    theorem(
        "latent_deficit_1_32",
        {"spectral_error": sp.Eq(eps, R(1, 8)), "calibration": sp.Eq(4 * gap, 1),
         "deficit_def": sp.Eq(D_L, gap * eps)},
        sp.Eq(D_L, R(1, 32)),
        source=f"{SEED} §5.2",
        reading="ε = 1/8 and gap 1/4 give the deficit bound gap·ε = 1/32",
    ),
    theorem(
        "geometric_errors_rho2",
        {"rho_two": sp.Eq(rho, 2), "eps0_is_C": sp.Eq(e[0], C),
         **{f"step_{k}": sp.Eq(rho * e[k + 1], e[k]) for k in range(5)}},
        sp.And(sp.Eq(8 * e[3], C), sp.Eq(32 * e[5], C)),
        source=f"{SEED} Abstract and §1.1 (stated, not named)",
        reading="errors ε_n = C/ρⁿ (ρ·ε_{n+1} = ε_n, ε₀ = C) at ρ = 2 give the normalisations "
                "8ε₃ = C and 32ε₅ = C that Theorem 6 assumes",
    ),
    theorem(
        "efficiency_deficit_identity",
        {"efficiency_def": sp.Eq(eta, 1 - eps), "deficit_def": sp.Eq(D_L, gap * eps)},
        sp.Eq(D_L + gap * eta, gap),
        source=f"{SEED} §5.2 (stated, not named)",
        reading="with η = 1 − ε and deficit gap·ε, deficit + gap·η = gap: the efficiency and "
                "deficit figures (7/8 and 1/32 at gap 1/4) are one calibration, not two",
    ),
)
