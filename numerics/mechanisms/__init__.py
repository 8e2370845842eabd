"""Auction mechanisms as pure vectorised (allocation, payment) rules, and their registry.

``make_mechanism(name, n_bidders, n_items=1, valuation=None, **params)`` builds one of
``MECHANISMS``. ``valuation`` is a one-dimensional Valuation (iid bidders), a tuple of them (one
per bidder), or a profile model with ``.marginals``; mechanisms that need F (Myerson, the
first-price equilibrium, the pairwise mechanism, a default posted price) take it from there.
Single-item mechanisms given M > 1 items run item by item (additive values).
"""

from __future__ import annotations

from numerics.mechanisms.base import CallableMechanism, Mechanism, as_profile
from numerics.mechanisms.multi import (
    GSP,
    ItemWise,
    Menu,
    VCGAssignment,
    VCGEnumeration,
    assignment_count,
    enumerated_assignments,
    optimal_welfare,
)
from numerics.mechanisms.pairwise import PairwiseGrade2, PairwiseMonotonicity
from numerics.mechanisms.single import (
    FirstPrice,
    Lottery,
    Myerson,
    PostedPrice,
    SecondPrice,
    equilibrium_bid_table,
)
from numerics.validate import number_list

MECHANISMS = (
    "posted_price",
    "lottery",
    "second_price",
    "first_price",
    "first_price_bne",
    "myerson",
    "vcg",
    "vcg_enum",
    "gsp",
    "pairwise",
    "menu",
    "callable",
)

__all__ = [
    "CTR_RULE",
    "GSP",
    "MECHANISMS",
    "CallableMechanism",
    "FirstPrice",
    "ItemWise",
    "Lottery",
    "Mechanism",
    "Menu",
    "Myerson",
    "PairwiseGrade2",
    "PairwiseMonotonicity",
    "PostedPrice",
    "SecondPrice",
    "VCGAssignment",
    "VCGEnumeration",
    "assignment_count",
    "enumerated_assignments",
    "as_profile",
    "equilibrium_bid_table",
    "gsp_ctrs",
    "make_mechanism",
    "marginals_of",
    "optimal_welfare",
]


def marginals_of(valuation, n_bidders: int) -> tuple:
    """Per-bidder marginals from a Valuation, a tuple of them, or a profile model.

    >>> from numerics.valuations import Uniform
    >>> len(marginals_of(Uniform(), 3))
    3
    """
    if valuation is None:
        raise ValueError("this mechanism needs the value distribution (valuation=...)")
    marg = getattr(valuation, "marginals", valuation)
    if hasattr(marg, "quantile"):
        return (marg,) * n_bidders
    marg = tuple(marg)
    if len(marg) != n_bidders:
        raise ValueError(f"{len(marg)} marginals for {n_bidders} bidders")
    return marg


def make_mechanism(name: str, n_bidders: int, n_items: int = 1, valuation=None, **params):
    """Build a mechanism by name (see ``MECHANISMS``).

    >>> from numerics.valuations import Uniform
    >>> make_mechanism("myerson", 2, valuation=Uniform()).name
    'myerson'
    >>> make_mechanism("second_price", 3, 2).name
    'itemwise_second_price'
    """
    key = name.lower().replace("-", "_")
    if n_bidders < 1 or n_items < 1:
        raise ValueError("need at least one bidder and one item")
    kind = params.pop("kind", getattr(valuation, "kind", "additive"))
    synergy = params.pop("synergy", getattr(valuation, "synergy", 0.0))
    if key in ("vickrey",):
        key = "second_price"
    if key == "vcg":
        if kind == "additive":
            return ItemWise(SecondPrice(n_bidders)) if n_items > 1 else SecondPrice(n_bidders)
        if kind == "unit_demand":
            return VCGAssignment(n_bidders, n_items)
        return VCGEnumeration(n_bidders, n_items, kind, synergy)
    if key == "vcg_enum":
        return VCGEnumeration(n_bidders, n_items, kind, synergy)
    if key == "gsp":
        return GSP(n_bidders, gsp_ctrs(params.pop("ctrs", None), n_items))
    if key == "menu":
        if n_bidders != 1:
            raise ValueError("menu: one buyer only (--bidders 1)")
        opts = params.pop("options", None)
        return Menu(**({"options": tuple(opts)} if opts else {}), kind=kind, synergy=synergy)
    if key == "callable":
        if "allocation" not in params or "payments" not in params:
            raise ValueError("callable: needs allocation= and payments= functions, so it is "
                             "for the Python API (pass a CallableMechanism as mechanism=); "
                             "from the command line choose a named mechanism")
        return CallableMechanism(
            params.pop("allocation"), params.pop("payments"), kind=kind, synergy=synergy
        )
    single = _single(key, n_bidders, valuation, params)
    if params:
        raise ValueError(f"{name}: unknown parameters {sorted(params)}")
    if n_items == 1:
        return single
    if kind != "additive":
        raise ValueError(f"{name} runs item by item and needs additive values, not {kind}")
    return ItemWise(single)


CTR_RULE = "click-through rates: numbers in [0, 1], non-increasing (slot 1 is the best)"


def gsp_ctrs(ctrs, n_items: int = 1) -> tuple:
    """Click-through rates of GSP's slots (a sequence or ``"1,0.6,0.3"``): one slot per item
    of the contract's (batch, N, M). Each is the probability that the ad in its slot is
    clicked, so in [0, 1]; slots are ranked, so the rates do not increase (GSP gives the
    highest bid slot 1, and its welfare benchmark matches values to slots in that order: with
    increasing rates both would be wrong numbers, not merely a different auction). Default
    α_k = 1/k (k = 1…M). Given ``ctrs`` fix the slot count; with M > 1 they must number M.

    >>> gsp_ctrs(None, 3), gsp_ctrs("1,0.4")
    ((1.0, 0.5, 0.3333333333333333), (1.0, 0.4))
    >>> gsp_ctrs([-1, 0.5])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: ctrs=[-1, 0.5]: rate 1 = -1: must be ≥ 0.0 (click-through rates: ...)
    """
    if ctrs is None:
        return tuple(1.0 / k for k in range(1, n_items + 1))
    ctrs = number_list("ctrs", ctrs, low=0.0, high=1.0, nonincreasing=True, what="rate",
                       accepted=CTR_RULE)
    if n_items > 1 and len(ctrs) != n_items:
        raise ValueError(f"ctrs={ctrs!r}: {len(ctrs)} click-through rates for {n_items} slots "
                         "(items); give one per item")
    return ctrs


def _single(key, n, valuation, params):
    if key == "posted_price":
        price = params.pop("price", None)
        if price is None:
            price = marginals_of(valuation, n)[0].monopoly_price() if valuation else 0.5
        return PostedPrice(n, float(price))
    if key == "lottery":
        return Lottery(n, float(params.pop("price", 0.0)))
    if key == "second_price":
        r = params.pop("reserve", 0.0)
        return SecondPrice(n, tuple(r) if isinstance(r, list | tuple) else float(r))
    if key == "first_price":
        return FirstPrice(n)
    if key == "first_price_bne":
        marg = marginals_of(valuation, n)
        if any(m is not marg[0] for m in marg):
            raise ValueError("first_price_bne: the symmetric equilibrium needs iid bidders")
        return FirstPrice(n, marg[0])
    if key == "myerson":
        return Myerson(marginals_of(valuation, n))
    if key == "pairwise":
        return PairwiseGrade2(
            marginals_of(valuation, n),
            bool(params.pop("reserve", False)),
            bool(params.pop("ironed", False)),
        )
    raise ValueError(f"unknown mechanism {key!r}; choose from {', '.join(MECHANISMS)}")
