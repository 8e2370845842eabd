"""The built-in mechanisms' builders, one per name of :data:`numerics.registry.MECHANISMS`.

Each has the signature of a registered factory, ``(n_bidders, n_items, valuation, **params)``
(see :func:`numerics.mechanisms.register_mechanism`); the registry imports this module on first
use. ``kind`` and ``synergy`` (the bundle model) default to the value model's.
"""

from __future__ import annotations

from numerics.mechanisms import gsp_ctrs, marginals_of
from numerics.mechanisms.base import CallableMechanism
from numerics.mechanisms.multi import GSP, ItemWise, Menu, VCGAssignment, VCGEnumeration
from numerics.mechanisms.pairwise import PairwiseGrade2
from numerics.mechanisms.single import FirstPrice, Lottery, Myerson, PostedPrice, SecondPrice

__all__ = ["callable", "first_price", "first_price_bne", "gsp", "lottery", "menu", "myerson",
           "pairwise", "posted_price", "second_price", "vcg", "vcg_enum"]


def _bundle(valuation, params) -> tuple[str, float]:
    return (params.pop("kind", getattr(valuation, "kind", "additive")),
            params.pop("synergy", getattr(valuation, "synergy", 0.0)))


def _item_by_item(name: str, single, n_items: int, valuation, params):
    """A single-item rule, run item by item when there are several items (additive values)."""
    kind, _ = _bundle(valuation, params)
    if params:
        raise ValueError(f"{name}: unknown parameters {sorted(params)}")
    if n_items == 1:
        return single
    if kind != "additive":
        raise ValueError(f"{name} runs item by item and needs additive values, not {kind}")
    return ItemWise(single)


def posted_price(n_bidders, n_items=1, valuation=None, **params):
    price = params.pop("price", None)
    if price is None:
        price = marginals_of(valuation, n_bidders)[0].monopoly_price() if valuation else 0.5
    return _item_by_item("posted_price", PostedPrice(n_bidders, float(price)), n_items,
                         valuation, params)


def lottery(n_bidders, n_items=1, valuation=None, **params):
    return _item_by_item("lottery", Lottery(n_bidders, float(params.pop("price", 0.0))),
                         n_items, valuation, params)


def second_price(n_bidders, n_items=1, valuation=None, **params):
    r = params.pop("reserve", 0.0)
    single = SecondPrice(n_bidders, tuple(r) if isinstance(r, list | tuple) else float(r))
    return _item_by_item("second_price", single, n_items, valuation, params)


def first_price(n_bidders, n_items=1, valuation=None, **params):
    return _item_by_item("first_price", FirstPrice(n_bidders), n_items, valuation, params)


def first_price_bne(n_bidders, n_items=1, valuation=None, **params):
    marg = marginals_of(valuation, n_bidders)
    if any(m is not marg[0] for m in marg):
        raise ValueError("first_price_bne: the symmetric equilibrium needs iid bidders")
    return _item_by_item("first_price_bne", FirstPrice(n_bidders, marg[0]), n_items,
                         valuation, params)


def myerson(n_bidders, n_items=1, valuation=None, **params):
    return _item_by_item("myerson", Myerson(marginals_of(valuation, n_bidders)), n_items,
                         valuation, params)


def pairwise(n_bidders, n_items=1, valuation=None, **params):
    single = PairwiseGrade2(marginals_of(valuation, n_bidders),
                            bool(params.pop("reserve", False)), bool(params.pop("ironed", False)))
    return _item_by_item("pairwise", single, n_items, valuation, params)


def vcg(n_bidders, n_items=1, valuation=None, **params):
    kind, synergy = _bundle(valuation, params)
    if kind == "additive":
        return ItemWise(SecondPrice(n_bidders)) if n_items > 1 else SecondPrice(n_bidders)
    if kind == "unit_demand":
        return VCGAssignment(n_bidders, n_items)
    return VCGEnumeration(n_bidders, n_items, kind, synergy)


def vcg_enum(n_bidders, n_items=1, valuation=None, **params):
    kind, synergy = _bundle(valuation, params)
    return VCGEnumeration(n_bidders, n_items, kind, synergy)


def gsp(n_bidders, n_items=1, valuation=None, **params):
    _bundle(valuation, params)
    return GSP(n_bidders, gsp_ctrs(params.pop("ctrs", None), n_items))


def menu(n_bidders, n_items=1, valuation=None, **params):
    kind, synergy = _bundle(valuation, params)
    if n_bidders != 1:
        raise ValueError("menu: one buyer only (--bidders 1)")
    opts = params.pop("options", None)
    return Menu(**({"options": tuple(opts)} if opts else {}), kind=kind, synergy=synergy)


def callable(n_bidders, n_items=1, valuation=None, **params):
    kind, synergy = _bundle(valuation, params)
    if "allocation" not in params or "payments" not in params:
        raise ValueError("callable: needs allocation= and payments= functions, so it is "
                         "for the Python API (pass a CallableMechanism as mechanism=); "
                         "from the command line choose a named mechanism")
    return CallableMechanism(params.pop("allocation"), params.pop("payments"), kind=kind,
                             synergy=synergy)
