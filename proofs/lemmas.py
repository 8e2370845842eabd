"""Your lemmas: statements the report proves in order, each citing earlier ones by name.

Add a :class:`Lemma` to :data:`LEMMAS` and ``python mechanism_design_proof.py`` proves it (z3,
then cvc5, with the statements of the lemmas it cites as hypotheses), audits it, and prints it
in a section of its own, with what it cites. No test counts these: the companion file's 16
theorems and the mechanism theorems stay as they are.

>>> from proofs import reals, theorem
>>> x, = reals("x")
>>> pos = Lemma(theorem("x_pos", {"x_gt_1": x > 1}, x > 0))
>>> twice = Lemma(theorem("twice_pos", {"x_gt_1": x > 1}, 2 * x > 0), by=("x_pos",))
>>> # (both are proved; the audit would flag their nudged mutants: x > 1 is not tight)
>>> [c.proof.lemmas[0].proof.theorem.name for c in check_lemmas((pos, twice))[1:]]
['x_pos']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from proofs.check import TheoremCheck, check_theorem
from proofs.statement import Theorem


@dataclass(frozen=True)
class Lemma:
    """A statement and the names of the earlier lemmas it cites (their proofs enter its query)."""

    theorem: Theorem
    by: tuple[str, ...] = ()


# Add yours here, each after the lemmas it cites.
LEMMAS: tuple[Lemma, ...] = ()


def check_lemmas(lemmas: Sequence[Lemma] = LEMMAS) -> tuple[TheoremCheck, ...]:
    """Prove and audit the lemmas in order, resolving each citation to an earlier proof.

    Parameters
    ----------
    lemmas : sequence of Lemma
        In dependency order.

    Returns
    -------
    tuple of TheoremCheck
        One per lemma; a lemma whose citation is not proved is recorded as not proved.

    Raises
    ------
    ValueError
        A lemma cites a name that no earlier lemma has.

    Examples
    --------
    >>> check_lemmas(())
    ()
    """
    proved, out = {}, []
    for lemma in lemmas:
        unknown = [n for n in lemma.by if n not in proved]
        if unknown:
            raise ValueError(f"{lemma.theorem.name} cites {unknown}: no earlier lemma has "
                             "that name")
        cited = [proved[n] for n in lemma.by]
        if any(p is None for p in cited):
            out.append(TheoremCheck(lemma.theorem, None, "a cited lemma is not proved", None,
                                    0.0))
            proved[lemma.theorem.name] = None
            continue
        c = check_theorem(lemma.theorem, by=cited)
        proved[lemma.theorem.name] = c.proof
        out.append(c)
    return tuple(out)
