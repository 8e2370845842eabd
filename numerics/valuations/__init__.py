"""Value distributions and bid-profile models.

Grammar of :func:`parse_valuation` (one-dimensional laws; numbers may be fractions ``a/b``;
:func:`register_valuation` adds a name, checked against the :class:`Valuation` contract by
:func:`check_valuation`)::

    uniform | uniform:A:B                  U[A, B]              (default U[0, 1])
    exponential | exponential:RATE         Exp(RATE)            (default rate 1)
    beta:A:B                               Beta(A, B) on [0, 1]
    lognormal:MU:SIGMA                     exp(N(MU, SIGMA²))
    truncnorm:MU:SIGMA:LO:HI               N(MU, SIGMA²) truncated to [LO, HI]
    censnorm:SIGMA                         max(0, N(0, SIGMA²))
    discrete:V1,V2,...:P1,P2,...           P(v = Vk) = Pk
    empirical:FILE.csv[:COLUMN]            empirical law of a CSV column (default: first numeric)
    mixture:W1*SPEC1+W2*SPEC2+...          Σ Wk·Fk, e.g. mixture:2/3*uniform+1/3*exponential:1
    hetero                                 mixture 2/3*U[0,1] + 1/3*Exp(1) (Cohen's three types)

:func:`parse_profile` also accepts ``latent[:D[:SIGMA_Z[:SIGMA_EPS[:W_SEED]]]]`` (the
correlated-bidders paper's
latent-factor model, defaults 1, 1, 0.05, the run's seed) and per-bidder lists ``SPEC1;SPEC2;…``
(asymmetric bidders; one spec per bidder).
"""

from __future__ import annotations

import inspect

from numerics.registry import VALUATIONS, ContractError, Entry
from numerics.validate import finite_float, positive_int
from numerics.valuations.base import Valuation
from numerics.valuations.contract import check_valuation
from numerics.valuations.ironing import IronedInterval, ironed_intervals, upper_hull
from numerics.valuations.laws import (
    LAW_FORMS,
    MAX_VALUE_SCALE,
    hetero,
    number,
    parse_valuation,
)
from numerics.valuations.profiles import (
    KINDS,
    IndependentProfile,
    LatentFactorProfile,
    bundle_value,
    iid,
)
from numerics.valuations.univariate import (
    Censored,
    Discrete,
    Exponential,
    Mixture,
    ScipyValuation,
    Uniform,
    discrete_virtual_values,
    empirical,
)

__all__ = [
    "KINDS",
    "LAW_FORMS",
    "MAX_VALUE_SCALE",
    "ContractError",
    "Censored",
    "Discrete",
    "Exponential",
    "IndependentProfile",
    "IronedInterval",
    "LatentFactorProfile",
    "Mixture",
    "ScipyValuation",
    "Uniform",
    "Valuation",
    "bundle_value",
    "check_valuation",
    "discrete_virtual_values",
    "empirical",
    "hetero",
    "iid",
    "ironed_intervals",
    "parse_profile",
    "parse_valuation",
    "register_valuation",
    "unregister_valuation",
    "upper_hull",
    "valuation_names",
]


LATENT_FORM = "latent[:D[:SIGMA_Z[:SIGMA_EPS[:W_SEED]]]] with integers D ≥ 1, W_SEED ≥ 0 and " \
    f"SIGMA_Z, SIGMA_EPS in [0, {MAX_VALUE_SCALE:g}]"


def parse_profile(
    spec: str,
    n_bidders: int,
    n_items: int = 1,
    kind: str = "additive",
    synergy: float = 0.0,
    seed: int = 0,
):
    """A bid-profile model from a spec string: one law (iid bidders), ``A;B;…`` (one law per
    bidder) or ``latent…`` (the latent-factor model of correlated bidders).

    Parameters
    ----------
    spec : str
        A value-law spec (:func:`parse_valuation`; registered names included), one per bidder
        separated by ``;``, or ``latent[:D[:SIGMA_Z[:SIGMA_EPS[:W_SEED]]]]``.
    n_bidders, n_items : int
        N and M (at least one each; the latent-factor model is single-item).
    kind : str
        How a bidder values a bundle: ``additive``, ``unit_demand`` or ``complements``.
    synergy : float
        The bundle bonus of ``complements``.
    seed : int
        The latent-factor tastes' seed when the spec gives no W_SEED.

    Returns
    -------
    IndependentProfile or LatentFactorProfile

    Raises
    ------
    ValueError
        A spec :func:`parse_valuation` refuses, as many per-bidder specs as bidders, or latent
        parameters outside their ranges (the message gives the accepted form).

    Examples
    --------
    >>> parse_profile("uniform;exponential", 2).n_bidders
    2
    >>> parse_profile("latent:1:1:0.05:7", 4).w_seed
    7
    """
    if n_bidders < 1 or n_items < 1:
        raise ValueError("need at least one bidder and one item")
    if spec.strip().lower().startswith("latent"):
        if n_items != 1:
            raise ValueError("latent: the latent-factor model is single-item")
        parts = spec.split(":")[1:]
        if len(parts) > 4:
            raise ValueError(f"latent: expected {LATENT_FORM}, got {len(parts)} parameters")
        try:
            nums = [number(p) for p in parts]
            d = positive_int("D", nums[0]) if len(nums) > 0 else 1
            # values are w·z + ε: sigmas beyond MAX_VALUE_SCALE overflow their squares
            sz = finite_float("SIGMA_Z", nums[1], low=0.0, high=MAX_VALUE_SCALE) \
                if len(nums) > 1 else 1.0
            se = finite_float("SIGMA_EPS", nums[2], low=0.0, high=MAX_VALUE_SCALE) \
                if len(nums) > 2 else 0.05
            ws = positive_int("W_SEED", nums[3], minimum=0) if len(nums) > 3 else int(seed)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"latent: {exc} ({LATENT_FORM})") from None
        return LatentFactorProfile(n_bidders, d, sz, se, ws)
    specs = [s for s in spec.split(";") if s.strip()]
    if len(specs) == 1:
        return iid(parse_valuation(specs[0]), n_bidders, n_items, kind, synergy)
    if len(specs) != n_bidders:
        raise ValueError(f"{len(specs)} per-bidder specs for {n_bidders} bidders")
    return IndependentProfile(tuple(parse_valuation(s) for s in specs), n_items, kind, synergy)


def valuation_names() -> tuple[str, ...]:
    """The law names :func:`parse_valuation` accepts: the built-ins, then those registered.

    Returns
    -------
    tuple of str
        In registration order.

    Examples
    --------
    >>> valuation_names()[:3]
    ('uniform', 'exponential', 'beta')
    """
    return VALUATIONS.names()


def register_valuation(name: str, factory, *, help: str, example: str | None = None,
                       text: bool = False, replace: bool = False):
    """Make ``factory`` a named value law: :func:`~numerics.valuations.parse_valuation`,
    :func:`~numerics.valuations.parse_profile`,
    ``latent.simulate(values=...)`` and every command line's ``--values`` know it from then on
    (``NAME:P1:P2`` in a spec, ``NAME`` alone for the defaults; per-bidder lists and mixtures
    included).

    The law built from ``example`` is checked once here
    (:func:`~numerics.valuations.check_valuation`), so a law that breaks the
    :class:`~numerics.valuations.Valuation` contract is refused with the requirement it breaks.

    Parameters
    ----------
    name : str
        The new name (letters, digits, underscores); a built-in name cannot be taken.
    factory : callable
        Called with the spec's parameters (``pareto:3`` → ``factory(3.0)``, fractions
        accepted) and returns a :class:`~numerics.valuations.Valuation`. A parameter it does
        not accept is refused with the help text as the accepted form; a ``ValueError`` it
        raises is reported with the law's name.
    help : str
        The accepted form and meaning, e.g. ``"pareto[:ALPHA], Pareto on [1, ∞)"``.
    example : str, optional
        A spec that builds an instance, for the contract check (default: ``name`` alone).
    text : bool
        Pass the parameters as the spec's strings instead of numbers (a grammar of its own).
    replace : bool
        Replace a name registered before (default False: that is an error).

    Returns
    -------
    callable
        ``factory`` itself.

    Raises
    ------
    ValueError
        A taken or malformed name, an empty help, or a law that breaks the contract
        (:class:`~numerics.registry.ContractError`, naming the requirement).

    Examples
    --------
    >>> register_valuation("unit", lambda: Uniform(0.0, 1.0), help="unit, U[0, 1] again")
    ... # doctest: +ELLIPSIS
    <function <lambda> at ...>
    >>> parse_valuation("unit").mean
    0.5
    >>> unregister_valuation("unit")
    """
    if not callable(factory):
        raise TypeError(f"factory={factory!r}: must be callable (parameters) -> Valuation")
    if not isinstance(help, str) or not help.strip():
        raise ValueError(f"help={help!r}: the accepted form, e.g. 'NAME:A:B, what it is'")
    if not isinstance(text, bool):
        raise TypeError(f"text={text!r}: must be True or False")
    key = VALUATIONS.check_name(name, replace=replace)  # before building anything
    example = key if example is None else example
    if not (isinstance(example, str) and example.partition(":")[0].strip().lower() == key):
        raise ValueError(f"example={example!r}: a spec of this law, '{key}[:P1:…]'")
    entry = Entry(key, factory, help.strip(), example, text)
    args = example.partition(":")[2]
    args = args.split(":") if args else []
    try:
        if not text:
            args = [number(a) for a in args]
            inspect.signature(factory).bind(*args)
        law = factory(*args)
    except Exception as exc:  # the user's factory: its failure is the refusal, one line
        raise ContractError(f"{key}: factory must build a Valuation from example={example!r}; "
                            f"it raised {type(exc).__name__}: {exc}") from None
    check_valuation(law, name=key)
    VALUATIONS.add(entry, replace=replace)
    return factory


def unregister_valuation(name: str) -> None:
    """Remove a name added with :func:`~numerics.valuations.register_valuation` (built-ins stay).

    Parameters
    ----------
    name : str
        A registered name.

    Raises
    ------
    ValueError
        When ``name`` is a built-in or was not registered.
    """
    VALUATIONS.remove(name)
