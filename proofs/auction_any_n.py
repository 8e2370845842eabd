"""Second price and threshold rules for every number of bidders n ≥ 2, as a chain of lemmas.

Bids are an uninterpreted function ``b`` on the indices 1..n (n symbolic); bidder i's truthful
deviation is a second profile ``b_p`` equal to ``b`` off i with ``b_p(i) = v``. The highest
other bid has no closed form for symbolic n, so it is *defined by its axioms*: ``h`` bounds
every other bid and bidder ``k ≠ i`` attains it, ``k`` the lowest such index (the tie rule:
ties go to the lowest index). The proof is the one of the proof-assistant libraries, each step
decided by z3 and by cvc5:

1. :func:`other_max_invariant` (``UFLIRA``): the highest other bid, and who attains it first,
   do not change when bidder i's own bid does;
2. :func:`threshold_core` (``QF_NRA``, two variables and a threshold): winning iff the bid
   clears a threshold the bid does not move, and paying it, makes the truthful bid optimal and
   its utility non-negative — whatever happens at a tie;
3. :func:`threshold_any_n` (``UFLIRA``, cites 2): the same for a threshold map of the others'
   bids over n bidders (Myerson's characterisation, deterministic single-parameter form);
4. :func:`vickrey_any_n` (``UFLIRA``, cites 1 and 3 at t = h): second price is truthful and IR.

:func:`variants` lists the nearby statements the kernel must refute, each with a countermodel at
a concrete n (first price; a threshold that depends on the bidder's own bid; paying the
highest bid overall; paying the lowest other bid, true for n = 2 and false from n = 3), and
one it proves: paying the second-highest bid *including* one's own is second price itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from proofs.quantifiers import Every, functions, ints
from proofs.statement import Theorem, reals, theorem

SOURCE = "Vickrey (1961); Myerson (1981) for threshold rules"

n, i, j, k, k_p, ell = ints("n i j k k_p l")
b, b_p, f = functions("b b_p f")
v, m, h, h_p, t, t_p, x, x_p, low = reals("v m h h_p t t_p x x_p low")


def others_max(profile, top, first) -> sp.Basic:
    """``top`` is the highest bid of the bidders other than i, ``first`` the lowest such bidder
    who bids it: an upper bound of the others' bids that one of them attains.

    Parameters
    ----------
    profile : sympy UndefinedFunction
        The bid profile (index ↦ bid).
    top : sympy.Symbol
        The highest other bid.
    first : sympy.Symbol
        An integer symbol: the lowest other index bidding ``top``.

    Returns
    -------
    sympy.Basic
        The defining axioms, as one formula.

    Examples
    --------
    >>> str(others_max(b, h, k)).count("Every")
    2
    """
    return sp.And(Every(j, 1, n, sp.Implies(sp.Ne(j, i), profile(j) <= top)),
                  1 <= first, first <= n, sp.Ne(first, i), sp.Eq(profile(first), top),
                  Every(j, 1, n, sp.Implies(sp.And(sp.Ne(j, i), sp.Eq(profile(j), top)),
                                            first <= j)))


def _profile() -> dict[str, sp.Basic]:
    return {"bidders": n >= 2, "bidder_i": sp.And(1 <= i, i <= n),
            "others_unchanged": Every(j, 1, n, sp.Implies(sp.Ne(j, i), sp.Eq(b_p(j), b(j))))}


def wins(bid, top, first) -> sp.Basic:
    """Second price's allocation for bidder i: above the highest other bid, or equal to it
    with a lower index than every other bidder who bids it.

    >>> wins(v, h, k).subs({v: 2, h: 1}), wins(v, h, k).subs({v: 1, h: 1, i: 2, k: 1})
    (True, False)
    """
    return sp.Or(bid > top, sp.And(sp.Eq(bid, top), i < first))


def utility(won, price) -> sp.Expr:
    """Bidder i's utility: value minus price if she wins, 0 otherwise.

    >>> utility(v > h, h)
    Piecewise((-h + v, h < v), (0, True))
    """
    return sp.Piecewise((v - price, won), (0, True))


def _alloc(bid, threshold, won) -> sp.Basic:
    """A 0/1 allocation that wins above the threshold and loses below it (either at a tie)."""
    return sp.And(sp.Implies(bid > threshold, sp.Eq(won, 1)),
                  sp.Implies(bid < threshold, sp.Eq(won, 0)),
                  sp.Or(sp.Eq(won, 0), sp.Eq(won, 1)))


def _won(flag) -> sp.Basic:
    return sp.Eq(flag, 1)


def other_max_invariant() -> Theorem:
    """Key lemma: the highest other bid and its lowest bidder do not depend on i's own bid.

    >>> other_max_invariant().name
    'other_max_invariant'
    """
    hyps = {**_profile(), "h_highest_other": others_max(b, h, k),
            "h_p_highest_other": others_max(b_p, h_p, k_p)}
    return theorem(
        "other_max_invariant", hyps, sp.And(sp.Eq(h_p, h), sp.Eq(k_p, k)), source=SOURCE,
        reading="for every n ≥ 2: the highest bid of the bidders other than i, and the lowest "
                "of them who bids it, are the same in two profiles that differ only in i's bid",
        note="h and k are defined by their axioms only (upper bound, attained, lowest index).")


def threshold_core() -> Theorem:
    """Two-variable core: a threshold the bid does not move, paid on winning, makes the
    truthful bid v at least as good as any bid m, and never worse than 0.

    >>> threshold_core().name
    'threshold_core'
    """
    return theorem(
        "threshold_core",
        {"same_threshold": sp.Eq(t_p, t), "allocation_at_m": _alloc(m, t, x),
         "allocation_at_v": _alloc(v, t_p, x_p)},
        sp.And(utility(_won(x_p), t_p) >= utility(_won(x), t), utility(_won(x_p), t_p) >= 0),
        source="Myerson (1981)",
        reading="one bidder, a threshold t her bid does not change: winning iff the bid clears "
                "t (either outcome at a tie) and paying t, bidding her value v is at least as "
                "good as any bid m, and gives utility ≥ 0")


def threshold_any_n() -> Theorem:
    """Threshold rules over n bidders: t_i a function of the others' bids only.

    >>> threshold_any_n().name
    'threshold_truthful_any_n'
    """
    hyps = {**_profile(), "truthful_bid": sp.Eq(b_p(i), v),
            "threshold_of_others": sp.Implies(_profile()["others_unchanged"], sp.Eq(t_p, t)),
            "allocation_at_b": _alloc(b(i), t, x), "allocation_at_b_p": _alloc(b_p(i), t_p, x_p)}
    return theorem(
        "threshold_truthful_any_n", hyps,
        sp.And(utility(_won(x_p), t_p) >= utility(_won(x), t), utility(_won(x_p), t_p) >= 0),
        source="Myerson (1981)",
        reading="for every n ≥ 2: if bidder i wins when her bid exceeds a threshold t_i that "
                "depends only on the others' bids, loses below it (either at a tie) and pays "
                "t_i, truthful bidding is weakly dominant and individually rational")


def vickrey_any_n() -> Theorem:
    """Second price, ties to the lowest index, for every n ≥ 2.

    >>> vickrey_any_n().name
    'vickrey_truthful_any_n'
    """
    honest = utility(wins(b_p(i), h_p, k_p), h_p)
    hyps = {**_profile(), "truthful_bid": sp.Eq(b_p(i), v),
            "h_highest_other": others_max(b, h, k),
            "h_p_highest_other": others_max(b_p, h_p, k_p)}
    first_price = utility(wins(b_p(i), h_p, k_p), b_p(i)) >= utility(wins(b(i), h, k), b(i))
    overall = (utility(wins(b_p(i), h_p, k_p), sp.Max(b_p(i), h_p))
               >= utility(wins(b(i), h, k), sp.Max(b(i), h)))
    return theorem(
        "vickrey_truthful_any_n", hyps,
        sp.And(honest >= utility(wins(b(i), h, k), h), honest >= 0),
        must_fail={"first_price_truthful": first_price, "pays_highest_bid_overall": overall},
        source="Vickrey (1961)",
        reading="for every n ≥ 2, second price (ties to the lowest index): bidding one's value "
                "is weakly dominant and gives non-negative utility",
        note="The highest other bid is defined by its axioms; the first-price and "
             "'pays the highest bid overall' variants are refuted with a countermodel at a "
             "concrete n.")


@dataclass(frozen=True)
class Variant:
    """A nearby statement and what the kernel must say about it: ``"refuted"`` (with a
    countermodel at some n) or ``"proved"`` (it is the theorem in disguise)."""

    theorem: Theorem
    expected: str
    why: str


def _lowest_other(top) -> sp.Basic:
    return sp.And(Every(j, 1, n, sp.Implies(sp.Ne(j, i), b(j) >= top)),
                  1 <= ell, ell <= n, sp.Ne(ell, i), sp.Eq(b(ell), top))


W, W_p, z, z_p = ints("w w_p z z_p")
M, M_p, s, s_p = reals("M M_p s s_p")


def _second_highest(profile, winner, second, witness) -> sp.Basic:
    top = M if profile is b else M_p
    return sp.And(Every(j, 1, n, profile(j) <= top), 1 <= winner, winner <= n,
                  sp.Eq(profile(winner), top),
                  Every(j, 1, n, sp.Implies(sp.Eq(profile(j), top), winner <= j)),
                  Every(j, 1, n, sp.Implies(sp.Ne(j, winner), profile(j) <= second)),
                  1 <= witness, witness <= n, sp.Ne(witness, winner),
                  sp.Eq(profile(witness), second))


def variants() -> tuple[Variant, ...]:
    """The mutants of second price and of threshold rules, with the verdict each must get.

    >>> [x.expected for x in variants()]
    ['refuted', 'refuted', 'proved']
    """
    base = threshold_any_n()
    own = {h_.name: h_.relation for h_ in base.hypotheses if h_.name != "threshold_of_others"}
    own["threshold_of_own_bid"] = sp.And(sp.Eq(t, f(b(i))), sp.Eq(t_p, f(b_p(i))))
    own_bid = theorem("threshold_depends_on_own_bid", own, base.conclusion,
                      source="mutant of Myerson (1981)",
                      reading="the threshold rule with t_i = f(b_i), a function of i's own bid")
    vick = vickrey_any_n()
    hyps = {h_.name: h_.relation for h_ in vick.hypotheses}
    # Winner is still the highest bidder; the price is the lowest other bid.
    lowest = theorem(
        "pays_lowest_other_bid", {**hyps, "low_lowest_other": _lowest_other(low)},
        utility(wins(b_p(i), h_p, k_p), low) >= utility(wins(b(i), h, k), low),
        source="mutant of Vickrey (1961)",
        reading="the highest bidder wins and pays the lowest other bid")
    # The second-highest of all n bids, i's included, by its axioms: M the highest bid, w the
    # lowest index bidding it (the winner), s the highest bid of everyone but w.
    second = theorem(
        "pays_second_highest_including_own",
        {**{k_: r for k_, r in hyps.items() if not k_.startswith("h")},
         "s_second_highest": _second_highest(b, W, s, z),
         "s_p_second_highest": _second_highest(b_p, W_p, s_p, z_p)},
        sp.And(utility(sp.Eq(W_p, i), s_p) >= utility(sp.Eq(W, i), s),
               utility(sp.Eq(W_p, i), s_p) >= 0),
        source="mutant of Vickrey (1961)",
        reading="the highest bidder (ties to the lowest index) wins and pays the second-highest "
                "of all bids, her own included")
    return (Variant(own_bid, "refuted", "the threshold moves with the bid"),
            Variant(lowest, "refuted", "from n = 3 the lowest other bid is below the highest"),
            Variant(second, "proved", "when i wins, the second-highest of all bids is the "
                                      "highest other bid: this is second price"))
