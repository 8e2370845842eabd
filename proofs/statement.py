"""A theorem is data: real variables, named hypotheses and a conclusion, as sympy relations.

Hypotheses come in two kinds: those the source states (``hypotheses``) and those this project
had to add because the audit found a countermodel without them (``added``, each with a reason).
The kernel proves the statement with both; the audit shows why every added one is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import sympy as sp


@dataclass(frozen=True)
class Hypothesis:
    """A named hypothesis; ``reason`` is set for hypotheses the project added to the source's."""

    name: str
    relation: sp.Basic
    reason: str | None = None

    @property
    def added(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class Theorem:
    """∀ variables ∈ ℝ: (∧ hypotheses) ⇒ conclusion.

    >>> x = sp.Symbol("x", real=True)
    >>> t = theorem("am_gm", {}, x**2 >= 2*x - 1, source="demo", reading="(x-1)^2 >= 0")
    >>> t.name, [str(v) for v in t.variables]
    ('am_gm', ['x'])
    """

    name: str
    hypotheses: tuple[Hypothesis, ...]
    conclusion: sp.Basic
    source: str = ""
    reading: str = ""
    note: str = ""
    variables: tuple[sp.Symbol, ...] = field(default=())
    # Alternative conclusions that must be refuted, e.g. the same claim for a first-price rule.
    must_fail: tuple[tuple[str, sp.Basic], ...] = field(default=())

    @property
    def stated(self) -> tuple[Hypothesis, ...]:
        """The hypotheses as the source states them."""
        return tuple(h for h in self.hypotheses if not h.added)

    @property
    def added(self) -> tuple[Hypothesis, ...]:
        """Hypotheses this project added, with the reason."""
        return tuple(h for h in self.hypotheses if h.added)

    def without(self, name: str) -> Theorem:
        """The same theorem with hypothesis ``name`` dropped (for necessity audits)."""
        kept = tuple(h for h in self.hypotheses if h.name != name)
        if len(kept) == len(self.hypotheses):
            raise KeyError(name)
        return replace(self, hypotheses=kept)

    def with_conclusion(self, conclusion: sp.Basic) -> Theorem:
        return replace(self, conclusion=conclusion)


def _free_symbols(exprs) -> tuple[sp.Symbol, ...]:
    syms: set[sp.Symbol] = set()
    for e in exprs:
        syms |= sp.sympify(e).free_symbols
    return tuple(sorted(syms, key=lambda s: s.name))


def theorem(
    name: str,
    hypotheses: Mapping[str, sp.Basic],
    conclusion: sp.Basic,
    *,
    added: Mapping[str, tuple[sp.Basic, str]] | None = None,
    must_fail: Mapping[str, sp.Basic] | None = None,
    source: str = "",
    reading: str = "",
    note: str = "",
) -> Theorem:
    """Build a :class:`Theorem`; variables are the free symbols, which must all be real.

    ``added`` maps a hypothesis name to ``(relation, reason)`` for hypotheses that the source
    omits but the statement needs; ``must_fail`` maps a label to an alternative conclusion that
    the audit must refute (a nearby false claim, such as the same property for another rule).

    >>> e, r = sp.symbols("e r", real=True)
    >>> t = theorem("t", {"r_gt_1": r > 1}, r * e >= e, added={"e_pos": (e > 0, "needed")})
    >>> [h.name for h in t.stated], [h.name for h in t.added]
    (['r_gt_1'], ['e_pos'])
    """
    hyps = [Hypothesis(k, sp.sympify(v)) for k, v in hypotheses.items()]
    hyps += [Hypothesis(k, sp.sympify(rel), reason) for k, (rel, reason) in (added or {}).items()]
    names = [h.name for h in hyps]
    if len(set(names)) != len(names):
        raise ValueError(f"{name}: duplicate hypothesis names {names}")
    conclusion = sp.sympify(conclusion)
    alternatives = tuple((k, sp.sympify(v)) for k, v in (must_fail or {}).items())
    variables = _free_symbols([h.relation for h in hyps] + [conclusion]
                              + [v for _, v in alternatives])
    not_real = [v.name for v in variables if not v.is_real]
    if not_real:
        raise ValueError(f"{name}: variables must be declared real: {not_real}")
    return Theorem(name, tuple(hyps), conclusion, source, reading, note, variables, alternatives)


def reals(names: str) -> tuple[sp.Symbol, ...]:
    """Real sympy symbols, e.g. ``x, y = reals("x y")``.

    >>> reals("a b")
    (a, b)
    """
    out = sp.symbols(names, real=True)
    return out if isinstance(out, tuple) else (out,)
