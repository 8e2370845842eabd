"""Auction mechanisms as pure vectorised (allocation, payment) rules, and their registry.

``make_mechanism(name, n_bidders, n_items=1, valuation=None, **params)`` builds one of the
registered names (:func:`mechanism_names`; :func:`register_mechanism` adds one, checked
against the :class:`Mechanism` contract by :func:`check_mechanism`). ``valuation`` is a
one-dimensional Valuation (iid bidders), a tuple of them (one per bidder), or a profile model
with ``.marginals``; mechanisms that need F (Myerson, the first-price equilibrium, the pairwise
mechanism, a default posted price) take it from there. Single-item mechanisms given M > 1
items run item by item (additive values).
"""

from __future__ import annotations

import inspect

import numpy as np

from numerics.mechanisms.base import CallableMechanism, Mechanism, as_profile
from numerics.mechanisms.contract import check_mechanism, sample_profiles
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
from numerics.registry import MECHANISMS, ContractError, Entry
from numerics.validate import choice, number_list
from numerics.valuations.univariate import Uniform

__all__ = [
    "CTR_RULE",
    "ContractError",
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
    "check_mechanism",
    "enumerated_assignments",
    "as_profile",
    "equilibrium_bid_table",
    "gsp_ctrs",
    "make_mechanism",
    "marginals_of",
    "mechanism_names",
    "optimal_welfare",
    "register_mechanism",
    "sample_profiles",
    "unregister_mechanism",
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


def mechanism_names() -> tuple[str, ...]:
    """The names :func:`make_mechanism` accepts: the built-ins, then those registered.

    Returns
    -------
    tuple of str
        In registration order.

    Examples
    --------
    >>> mechanism_names()[:3]
    ('posted_price', 'lottery', 'second_price')
    """
    return MECHANISMS.names()


def make_mechanism(name: str, n_bidders: int, n_items: int = 1, valuation=None, **params):
    """Build a mechanism by name: a built-in one or one added with
    :func:`register_mechanism`.

    Parameters
    ----------
    name : str
        One of :func:`mechanism_names` (any case; dashes are read as underscores; ``vickrey``
        is ``second_price``).
    n_bidders, n_items : int
        N bidders and M items (at least one each).
    valuation : Valuation or tuple of Valuation, optional
        The value law (iid bidders) or one per bidder; a profile model with ``.marginals``
        (:func:`~numerics.valuations.parse_profile`) will do;
        needed by the mechanisms that depend on F (``myerson``, ``first_price_bne``,
        ``pairwise``; ``posted_price``'s default price).
    **params
        The mechanism's own parameters (``reserve``, ``price``, ``ctrs``, ``options``,
        ``kind``, ``synergy``, …; see each name's help in :data:`~numerics.registry.MECHANISMS`).

    Returns
    -------
    Mechanism
        Single-item mechanisms given M > 1 items run item by item (additive values).

    Raises
    ------
    ValueError
        For an unknown name (the message lists the accepted ones), an unknown parameter, or a
        mechanism that does not apply (e.g. ``menu`` with two bidders).

    Examples
    --------
    >>> from numerics.valuations import Uniform
    >>> make_mechanism("myerson", 2, valuation=Uniform()).name
    'myerson'
    >>> make_mechanism("second_price", 3, 2).name
    'itemwise_second_price'
    >>> make_mechanism("nosuch", 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown mechanism 'nosuch': choose one of posted_price, lottery, ...
    """
    if n_bidders < 1 or n_items < 1:
        raise ValueError("need at least one bidder and one item")
    if name not in MECHANISMS:
        choice("mechanism", name, MECHANISMS.names(), unknown="mechanism")
    entry = MECHANISMS.get(name)
    factory = entry.load()
    if not isinstance(entry.target, str):  # a user's factory: refuse unknown keywords by name
        try:
            inspect.signature(factory).bind(n_bidders, n_items, valuation, **params)
        except TypeError as exc:
            raise ValueError(f"{entry.name}: {exc}") from None
    return factory(n_bidders, n_items, valuation, **params)


def register_mechanism(name: str, factory, *, help: str, replace: bool = False,
                       valuation=None):
    """Make ``factory`` a named mechanism: :func:`~numerics.mechanisms.make_mechanism`,
    ``latent.simulate``,
    ``latent.spectrum`` and the command lines' ``--mechanism`` (its help and its list of
    accepted names) all know it from then on.

    The factory is called as ``factory(n_bidders, n_items, valuation, **params)`` and returns a
    :class:`~numerics.mechanisms.Mechanism`; it is checked once at registration
    (:func:`~numerics.mechanisms.check_mechanism`, with three bidders and one item of uniform
    values), so a rule that breaks the contract is refused
    here, with the requirement it breaks, rather than giving wrong numbers later.

    Parameters
    ----------
    name : str
        The new name (letters, digits, underscores; dashes are read as underscores). A
        built-in name cannot be taken.
    factory : callable
        ``(n_bidders, n_items, valuation, **params) -> Mechanism``; a
        :class:`~numerics.mechanisms.Mechanism` subclass whose constructor takes those
        arguments will do.
    help : str
        One line saying what it does and its parameters (shown by ``--help``).
    replace : bool
        Replace a name registered before (default False: that is an error).
    valuation : Valuation, optional
        The value law of the contract check (default U[0, 1]).

    Returns
    -------
    callable
        ``factory`` itself, so that this can decorate it.

    Raises
    ------
    ValueError
        A taken or malformed name, an empty help, or a factory whose mechanism breaks the
        contract (:class:`~numerics.registry.ContractError`, naming the requirement).

    Examples
    --------
    >>> def dictator(n_bidders, n_items=1, valuation=None):
    ...     return CallableMechanism(lambda v: np.eye(v.shape[1])[[0]].T[None].repeat(
    ...         v.shape[0], 0).repeat(v.shape[2], 2), lambda v: np.zeros(v.shape[:2]),
    ...         name="dictator")
    >>> register_mechanism("dictator", dictator, help="bidder 1 gets everything, free")
    ... # doctest: +ELLIPSIS
    <function dictator at ...>
    >>> make_mechanism("dictator", 3).allocation(np.ones((1, 3))).ravel().tolist()
    [1.0, 0.0, 0.0]
    >>> unregister_mechanism("dictator")
    """
    if not isinstance(name, str):
        raise TypeError(f"name={name!r}: must be a string")
    if not callable(factory):
        raise TypeError(f"factory={factory!r}: must be callable (n_bidders, n_items, "
                        "valuation, **params) -> Mechanism")
    if not isinstance(help, str) or not help.strip():
        raise ValueError(f"help={help!r}: one line saying what the mechanism does")
    key = MECHANISMS.check_name(name, replace=replace)  # before building anything
    law = Uniform() if valuation is None else valuation
    try:
        built = factory(3, 1, law)
    except Exception as exc:  # the user's factory: its failure is the refusal, one line
        raise ContractError(f"{key}: factory(n_bidders=3, n_items=1, valuation) must build a "
                            f"mechanism; it raised {type(exc).__name__}: {exc}") from None
    check_mechanism(built, 3, 1, name=key, profiles=sample_profiles(3, 1) if valuation is None
                    else _law_profiles(law, 3))
    MECHANISMS.add(Entry(key, factory, help.strip()), replace=replace)
    return factory


def unregister_mechanism(name: str) -> None:
    """Remove a name added with :func:`~numerics.mechanisms.register_mechanism` (built-ins stay).

    Parameters
    ----------
    name : str
        A registered name.

    Raises
    ------
    ValueError
        When ``name`` is a built-in or was not registered.
    """
    MECHANISMS.remove(name)


def _law_profiles(law, n_bidders: int) -> np.ndarray:
    """The contract check's profiles drawn from ``law`` (its quantiles of the sample
    profiles' uniform values, so ties and extremes stay)."""
    u = np.clip(sample_profiles(n_bidders, 1), 1e-9, 1 - 1e-9)
    return np.asarray(law.quantile(u), dtype=float)


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
