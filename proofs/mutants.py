"""Mutants of a conclusion: nearby false statements a sound checker must refuse to prove.

For a conclusion C built from relations a ⋈ b (possibly under ∧), the mutants are

* ``negated``: ¬C;
* ``reversed``: one relation's direction reversed (a < b ↦ a > b, a ≤ b ↦ a ≥ b, a = b ↦ a ≠ b);
* ``strict``: a non-strict relation made strict (a ≤ b ↦ a < b): refuted iff the bound is attained;
* ``nudged``: one relation strengthened by a constant δ (a − b ⋈ 0 ↦ a − b + δ ⋈ 0 for < and ≤,
  a − b = δ for =), i.e. a constant of the statement nudged.

Each must be refuted (the hypotheses and the mutant's negation have a model). The *weakenings*
(a < b ↦ a ≤ b) go the other way: they follow from C, so the checker must prove them.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp
from sympy.core.relational import Relational

NUDGE = sp.Rational(1, 100)

_REVERSE = {sp.Lt: sp.Gt, sp.Le: sp.Ge, sp.Gt: sp.Lt, sp.Ge: sp.Le, sp.Eq: sp.Ne, sp.Ne: sp.Eq}
_STRICT = {sp.Le: sp.Lt, sp.Ge: sp.Gt}
_WEAK = {sp.Lt: sp.Le, sp.Gt: sp.Ge}


@dataclass(frozen=True)
class Mutant:
    kind: str  # negated | reversed | strict | nudged | weakened
    statement: sp.Basic

    def __str__(self) -> str:
        return f"{self.kind}: {self.statement}"


def _relations(conclusion: sp.Basic) -> list[sp.Basic]:
    if isinstance(conclusion, sp.And):
        return list(conclusion.args)
    return [conclusion]


def _replace(conclusion: sp.Basic, old: sp.Basic, new: sp.Basic) -> sp.Basic:
    if isinstance(conclusion, sp.And):
        return sp.And(*[new if a == old else a for a in conclusion.args], evaluate=False)
    return new


def _nudge(rel: Relational) -> sp.Basic | None:
    diff = rel.lhs - rel.rhs
    if isinstance(rel, sp.Lt | sp.Le):
        return type(rel)(diff + NUDGE, 0, evaluate=False)
    if isinstance(rel, sp.Gt | sp.Ge):
        return type(rel)(diff - NUDGE, 0, evaluate=False)
    if isinstance(rel, sp.Eq):
        return sp.Eq(diff, NUDGE, evaluate=False)
    return None


def mutants(conclusion: sp.Basic) -> list[Mutant]:
    """Mutants that must be refuted.

    >>> x, y = sp.symbols("x y", real=True)
    >>> [m.kind for m in mutants(x <= y)]
    ['negated', 'reversed', 'strict', 'nudged']
    """
    out = [Mutant("negated", sp.Not(conclusion))]
    for rel in _relations(conclusion):
        if not isinstance(rel, Relational):
            continue
        cls = type(rel)
        out.append(Mutant("reversed", _replace(conclusion, rel,
                                               _REVERSE[cls](rel.lhs, rel.rhs, evaluate=False))))
        if cls in _STRICT:
            out.append(Mutant("strict", _replace(conclusion, rel,
                                                 _STRICT[cls](rel.lhs, rel.rhs, evaluate=False))))
        nudged = _nudge(rel)
        if nudged is not None:
            out.append(Mutant("nudged", _replace(conclusion, rel, nudged)))
    return out


def weakenings(conclusion: sp.Basic) -> list[Mutant]:
    """Statements implied by the conclusion (strict made non-strict): must be proved.

    >>> x, y = sp.symbols("x y", real=True)
    >>> [str(m) for m in weakenings(x < y)]
    ['weakened: x <= y']
    """
    out = []
    for rel in _relations(conclusion):
        if type(rel) in _WEAK:
            weak = _WEAK[type(rel)](rel.lhs, rel.rhs, evaluate=False)
            out.append(Mutant("weakened", _replace(conclusion, rel, weak)))
    return out
