"""VCG with Clarke pivot payments for any number of agents n and any finite outcome set {1..K}.

Reports are an uninterpreted function ``V(j, o)`` (agent j's reported value of outcome o);
agent i's truthful deviation is a second profile ``V_p`` equal to ``V`` off i with
``V_p(i, o) = θ(o)``, her true valuation. The others' welfare Σ_{j≠i} V(j, o) has no closed
form for symbolic n, so it is defined by its recursion ``S(q, o)`` (the sum over j ≤ q, j ≠ i).
The steps, each decided by z3 and by cvc5 (``UFLIRA``):

1. :func:`others_welfare_invariant`, by induction on q (the kernel's induction rule): the
   others' welfare does not change when i's report does;
2. :func:`vcg_any_n` (cites 1): truthful reporting is dominant, Clarke pivot payments are
   individually rational under non-negative valuations and never negative. The mutant whose
   pivot term adds i's own report is refuted with a countermodel at a concrete n and K.
"""

from __future__ import annotations

import sympy as sp

from proofs.quantifiers import Every, functions, ints
from proofs.statement import Theorem, reals, theorem

SOURCE = "Vickrey (1961), Clarke (1971), Groves (1973)"

n, i, q, o, K, o_h, o_t, o_c, o_cp = ints("n i q o K o_h o_t o_c o_cp")
V, V_p, S, S_p, theta = functions("V V_p S S_p theta")
c, c_p = reals("c c_p")


def welfare_recursion(report, partial) -> sp.Basic:
    """``partial(q, o)`` = Σ_{j ≤ q, j ≠ i} report(j, o), by its recursion on q.

    Parameters
    ----------
    report, partial : sympy UndefinedFunction
        The report profile and the partial sums it defines.

    Returns
    -------
    sympy.Basic
        The defining equations.

    Examples
    --------
    >>> str(welfare_recursion(V, S)).count("Every")
    3
    """
    step = sp.Eq(partial(q, o), partial(q - 1, o) + sp.Piecewise((0, sp.Eq(q, i)),
                                                                 (report(q, o), True)))
    return sp.And(Every(o, 1, K, sp.Eq(partial(0, o), 0)),
                  Every(q, 1, n, Every(o, 1, K, step)))


def _setting() -> dict[str, sp.Basic]:
    return {"agents": n >= 1, "agent_i": sp.And(1 <= i, i <= n), "outcomes": K >= 1,
            "others_unchanged": Every(q, 1, n, Every(o, 1, K, sp.Implies(
                sp.Ne(q, i), sp.Eq(V_p(q, o), V(q, o))))),
            "S_others_welfare": welfare_recursion(V, S),
            "S_p_others_welfare": welfare_recursion(V_p, S_p)}


def others_welfare_invariant() -> Theorem:
    """Key lemma: Σ_{j≤q, j≠i} V_p(j, o) = Σ_{j≤q, j≠i} V(j, o) for every q ≤ n, every o.

    >>> others_welfare_invariant().conclusion.var
    q
    """
    return theorem(
        "others_welfare_invariant", _setting(),
        Every(q, 0, n, Every(o, 1, K, sp.Eq(S_p(q, o), S(q, o)))), source=SOURCE,
        reading="for every number of agents n and outcomes K: the others' reported welfare of "
                "every outcome is the same in two profiles that differ only in agent i's report "
                "(by induction on the number of agents summed)")


def _efficient(report, partial, best) -> sp.Basic:
    return sp.And(1 <= best, best <= K, Every(o, 1, K, report(i, best) + partial(n, best)
                                              >= report(i, o) + partial(n, o)))


def _pivot(partial, top, witness) -> sp.Basic:
    return sp.And(Every(o, 1, K, partial(n, o) <= top), 1 <= witness, witness <= K,
                  sp.Eq(partial(n, witness), top))


def vcg_any_n() -> Theorem:
    """VCG with Clarke pivot: DSIC, IR under non-negative valuations, payments ≥ 0.

    >>> vcg_any_n().name
    'vcg_clarke_any_n'
    """
    hyps = {**_setting(), "truthful_report": Every(o, 1, K, sp.Eq(V_p(i, o), theta(o))),
            "efficient_at_V": _efficient(V, S, o_h),
            "efficient_at_V_p": _efficient(V_p, S_p, o_t),
            "c_clarke_pivot": _pivot(S, c, o_c), "c_p_clarke_pivot": _pivot(S_p, c_p, o_cp),
            "valuations_nonneg": Every(o, 1, K, theta(o) >= 0)}
    pay, pay_p = c - S(n, o_h), c_p - S_p(n, o_t)
    honest = theta(o_t) - pay_p
    mutant = theta(o_t) - (pay_p + V_p(i, 1)) >= theta(o_h) - (pay + V(i, 1))
    return theorem(
        "vcg_clarke_any_n", hyps,
        sp.And(honest >= theta(o_h) - pay, honest >= 0, pay >= 0, pay_p >= 0),
        must_fail={"pivot_with_own_report": mutant}, source=SOURCE,
        reading="for every number of agents and every finite outcome set: VCG with Clarke "
                "pivot payments makes truthful reporting a dominant strategy, is individually "
                "rational under non-negative valuations, and charges no negative payment",
        note="Valuations are uninterpreted functions; the others' welfare and the pivot are "
             "defined by their axioms. A pivot term adding i's own report is refuted.")
