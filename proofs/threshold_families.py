"""The learned single-item families as instances of the threshold theorem: t_i(b_{−i}) in sympy.

Each truthful family of ``numerics.learn`` (second price with reserves, affine maximizer,
lookahead, posted and sequential posted prices) gives bidder i a threshold. Written here as a
sympy expression of the bids and the family's parameters, the certificate is that bidder i's
own bid ``b_i`` is not among its free symbols, for every i and n = 2..6; then the family is an
instance of :func:`proofs.auction_any_n.threshold_any_n` (win above t_i, lose below, pay t_i),
so truthful bidding is dominant and IR for every parameter value. That the expressions are the
thresholds the numeric code uses is a test (``tests/test_threshold_families.py``), which
compares them with the numeric outcomes on random profiles (this package does not import
``numerics.learn``: the layering allows ``proofs → numerics.lp`` only).

Lookahead's optimal price p*_i(b_{−i}) comes from a conditional law the certificate does not
need to know: it is an uninterpreted function of the others' bids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

NS = range(2, 7)  # numbers of bidders at which each certificate is checked


def bids(n: int) -> tuple[sp.Symbol, ...]:
    """The bid symbols b_1..b_n.

    >>> bids(2)
    (b_1, b_2)
    """
    return sp.symbols(f"b_1:{n + 1}", real=True)


def _params(name: str, n: int) -> tuple[sp.Symbol, ...]:
    return sp.symbols(f"{name}_1:{n + 1}", real=True)


def reserve_second_price(n: int, i: int) -> sp.Expr:
    """t_i = max(r_i, highest other bid among those that meet their own reserve).

    >>> reserve_second_price(2, 0)
    Max(r_1, Piecewise((b_2, b_2 >= r_2), (-oo, True)))
    """
    b, r = bids(n), _params("r", n)
    eligible = [sp.Piecewise((b[j], b[j] >= r[j]), (-sp.oo, True)) for j in range(n) if j != i]
    return sp.Max(r[i], *eligible)


def affine_maximizer(n: int, i: int) -> sp.Expr:
    """t_i = max(0, (max(0, max_{j≠i} w_j b_j + β_j) − β_i) / w_i).

    >>> affine_maximizer(2, 0)
    Max(0, (-beta_1 + Max(0, b_2*w_2 + beta_2))/w_1)
    """
    b, w, beta = bids(n), _params("w", n), _params("beta", n)
    beat = sp.Max(0, *[w[j] * b[j] + beta[j] for j in range(n) if j != i])
    return sp.Max(0, (beat - beta[i]) / w[i])


def lookahead(n: int, i: int) -> sp.Expr:
    """t_i = max(m_i, α p*_i(b_{−i})), m_i the highest other bid (Ronen's lookahead).

    >>> lookahead(2, 0)
    Max(b_2, alpha*p_star_1(b_2))
    """
    b = bids(n)
    others = [b[j] for j in range(n) if j != i]
    p_star = sp.Function(f"p_star_{i + 1}", real=True)(*others)
    return sp.Max(sp.Max(*others), sp.Symbol("alpha", positive=True) * p_star)


def sequential_posted_price(n: int, i: int, order: tuple[int, ...] | None = None) -> sp.Expr:
    """t_i = p_i if no bidder visited before i accepts her price, else ∞.

    >>> sequential_posted_price(2, 1)
    Piecewise((oo, b_1 >= p_1), (p_2, True))
    """
    b, p = bids(n), _params("p", n)
    order = tuple(range(n)) if order is None else order
    earlier = order[:order.index(i)]
    return sp.Piecewise((sp.oo, sp.Or(*[b[j] >= p[j] for j in earlier])), (p[i], True))


def posted_price(n: int, i: int) -> sp.Expr:
    """One price p for everyone, bidders asked in index order.

    >>> posted_price(2, 1)
    Piecewise((oo, b_1 >= p), (p, True))
    """
    b, p = bids(n), sp.Symbol("p", real=True)
    return sp.Piecewise((sp.oo, sp.Or(*[b[j] >= p for j in range(i)])), (p, True))


FAMILIES: dict[str, Callable[[int, int], sp.Expr]] = {
    "reserve_second_price": reserve_second_price,
    "affine_maximizer": affine_maximizer,
    "lookahead": lookahead,
    "sequential_posted_price": sequential_posted_price,
    "posted_price": posted_price,
}


@dataclass(frozen=True)
class Certificate:
    """Family ``family``'s thresholds checked free of the own bid for each n in ``ns``."""

    family: str
    ns: tuple[int, ...]
    free_of_own_bid: bool
    example: str  # t_1 at the smallest n, for the report

    def to_dict(self) -> dict:
        return {"family": self.family, "bidders_checked": list(self.ns),
                "free_of_own_bid": self.free_of_own_bid, "threshold_1": self.example,
                "instance_of": "threshold_truthful_any_n"}


def certificate(family: str, ns=NS) -> Certificate:
    """Check that bidder i's threshold in ``family`` does not contain b_i, for every i and n.

    Parameters
    ----------
    family : str
        A key of :data:`FAMILIES`.
    ns : iterable of int
        Numbers of bidders.

    Returns
    -------
    Certificate

    Raises
    ------
    KeyError
        Unknown family.

    Examples
    --------
    >>> certificate("reserve_second_price").free_of_own_bid
    True
    """
    make = FAMILIES[family]
    ns = tuple(ns)
    ok = all(bids(n)[i] not in make(n, i).free_symbols for n in ns for i in range(n))
    return Certificate(family, ns, ok, str(make(ns[0], 0)))


def certificates() -> tuple[Certificate, ...]:
    """One certificate per family of :data:`FAMILIES`.

    >>> all(c.free_of_own_bid for c in certificates())
    True
    """
    return tuple(certificate(name) for name in FAMILIES)
