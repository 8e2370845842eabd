"""The registries of named mechanisms and value laws: one home for the names that the Python
API, the command lines' choices, their help and their error lists all read.

Standard library only: a command line lists the names in its ``--help`` without importing
numpy or scipy. A built-in entry names its builder as ``"module:attribute"``, imported on first
use; an entry added with :func:`numerics.mechanisms.register_mechanism` or
:func:`numerics.valuations.register_valuation` holds the user's callable itself (those two
functions check the contract first; this module only keeps the table).

>>> "second_price" in MECHANISMS.names(), "uniform" in VALUATIONS.names()
(True, True)
>>> MECHANISMS.get("Second-Price").name
'second_price'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["MECHANISMS", "VALUATIONS", "ContractError", "Entry", "Registry", "normalise"]


class ContractError(ValueError):
    """A mechanism or value law refused at registration: it breaks its contract, and the
    message names the requirement it breaks."""


def normalise(name: str) -> str:
    """A registered name's canonical spelling: lower case, dashes as underscores.

    >>> normalise("First-Price")
    'first_price'
    """
    return name.strip().lower().replace("-", "_")


@dataclass(frozen=True)
class Entry:
    """One registered name.

    Attributes
    ----------
    name : str
        The canonical name (:func:`~numerics.registry.normalise`).
    target : callable or str
        The builder, or ``"module:attribute"`` of a built-in one (imported by :meth:`load`).
    help : str
        One line for ``--help`` and the reference: what the name builds and its parameters.
    example : str or None
        Value laws only: a spec that builds an instance (the contract check's sample).
    text : bool
        Value laws only: the builder takes the spec's parameters as strings (a grammar of its
        own) rather than as numbers.
    """

    name: str
    target: Callable | str
    help: str
    example: str | None = None
    text: bool = False

    def load(self) -> Callable:
        """The builder (a built-in's module is imported on the first call)."""
        if not isinstance(self.target, str):
            return self.target
        module, _, attribute = self.target.partition(":")
        return getattr(importlib.import_module(module), attribute)


class Registry:
    """Names → :class:`Entry`, in registration order; aliases resolve to their entry.

    Parameters
    ----------
    what : str
        What the names denote, as the error messages say it (``"mechanism"``).
    entries : iterable of Entry
        The built-in entries.
    aliases : dict
        Other spellings accepted for a name (alias → name; not listed by :meth:`names`).
    """

    def __init__(self, what: str, entries=(), aliases: dict[str, str] | None = None):
        self.what = what
        self._entries: dict[str, Entry] = {}
        self._builtin: set[str] = set()
        for entry in entries:
            self._entries[entry.name] = entry
            self._builtin.add(entry.name)
        self._aliases = dict(aliases or {})

    def names(self) -> tuple[str, ...]:
        """The registered names, built-ins first, in registration order."""
        return tuple(self._entries)

    def __iter__(self):
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, name) -> bool:
        return isinstance(name, str) and self._key(name) in self._entries

    def _key(self, name: str) -> str:
        key = normalise(name)
        return self._aliases.get(key, key)

    def get(self, name: str) -> Entry:
        """The entry of ``name`` (any case, dashes or underscores, or an alias).

        Raises
        ------
        KeyError
            When no entry has that name (the callers turn it into a ``ValueError`` listing
            :meth:`names`).
        """
        return self._entries[self._key(name)]

    def check_name(self, name, *, replace: bool = False) -> str:
        """The canonical form of a new name, or a ``ValueError`` saying why it cannot be
        registered.

        Raises
        ------
        ValueError
            When the name is not a string of letters, digits and underscores, is a built-in
            name, or is taken (and ``replace`` is False).
        """
        if not isinstance(name, str) or not normalise(name).isidentifier():
            raise ValueError(f"name={name!r}: a {self.what} name is letters, digits and "
                             "underscores (dashes are read as underscores), not starting with "
                             "a digit")
        key = normalise(name)
        if key in self._builtin or key in self._aliases:
            raise ValueError(f"name={name!r}: a built-in {self.what}; choose another name")
        if key in self._entries and not replace:
            raise ValueError(f"name={name!r}: already registered; pass replace=True to "
                             "replace it")
        return key

    def add(self, entry: Entry, *, replace: bool = False) -> Entry:
        """Register ``entry`` (its name checked by :meth:`check_name`).

        Raises
        ------
        ValueError
            As :meth:`check_name`.
        """
        self._entries[self.check_name(entry.name, replace=replace)] = entry
        return entry

    def remove(self, name: str) -> None:
        """Unregister a name added with :meth:`add` (built-ins stay).

        Raises
        ------
        ValueError
            When ``name`` is a built-in or is not registered.
        """
        key = self._key(name)
        if key in self._builtin or key not in self._entries:
            raise ValueError(f"name={name!r}: not a {self.what} registered by the user")
        del self._entries[key]

    def help(self) -> str:
        """One line per name, ``name: help``, for a command line's help text."""
        return "\n".join(f"{e.name}: {e.help}" for e in self._entries.values())

    def choices_help(self) -> str:
        """``one of: a, b, c`` for a flag's help, read when the parser is built (so a name
        registered before then is listed).

        >>> MECHANISMS.choices_help()[:32]
        'one of: posted_price, lottery, s'
        """
        return "one of: " + ", ".join(self._entries)

    def forms_help(self) -> str:
        """Each entry's help (its accepted form first), ``;``-separated, for a flag's help.

        >>> VALUATIONS.forms_help()[:40]
        'uniform[:A:B], U[A, B] (default U[0, 1])'
        """
        return "; ".join(e.help for e in self._entries.values())


def _mechanism(name: str, help: str) -> Entry:
    return Entry(name, f"numerics.mechanisms.builtin:{name}", help)


#: The mechanisms :func:`numerics.mechanisms.make_mechanism` builds by name (``vickrey`` is an
#: alias of ``second_price``).
MECHANISMS = Registry("mechanism", [
    _mechanism("posted_price", "sell to a highest bidder whose value reaches the price "
               "(price=; default the monopoly price of the value law)"),
    _mechanism("lottery", "the item at random among bidders who accept the price (price=)"),
    _mechanism("second_price", "Vickrey auction, highest bid wins and pays the second "
               "(reserve=, one or one per bidder)"),
    _mechanism("first_price", "highest bid wins and pays it; bidders report truthfully"),
    _mechanism("first_price_bne", "first-price with the symmetric equilibrium bids of the "
               "value law (iid bidders)"),
    _mechanism("myerson", "revenue-optimal auction of the value laws (ironed virtual values)"),
    _mechanism("vcg", "VCG: second price per item (additive), by assignment (unit demand) or "
               "enumeration (complements)"),
    _mechanism("vcg_enum", "VCG by enumerating every assignment (any item kind)"),
    _mechanism("gsp", "generalised second price, one slot per item (ctrs=)"),
    _mechanism("pairwise", "the grade-2 pairwise mechanism (reserve=, ironed=)"),
    _mechanism("menu", "a one-buyer menu of lotteries (options=)"),
    _mechanism("callable", "allocation= and payments= functions (Python API only)"),
], aliases={"vickrey": "second_price"})


def _law(name: str, help: str, example: str | None = None) -> Entry:
    return Entry(name, f"numerics.valuations.laws:{name}", help, example or name, text=True)


#: The value laws :func:`numerics.valuations.parse_valuation` reads by name (``exp`` is an alias
#: of ``exponential``).
VALUATIONS = Registry("distribution", [
    _law("uniform", "uniform[:A:B], U[A, B] (default U[0, 1])"),
    _law("exponential", "exponential[:RATE], Exp(RATE) (default rate 1)"),
    _law("beta", "beta:A:B, Beta(A, B) on [0, 1]", "beta:2:2"),
    _law("lognormal", "lognormal:MU:SIGMA, exp(N(MU, SIGMA²))", "lognormal:0:1"),
    _law("truncnorm", "truncnorm:MU:SIGMA:LO:HI, N(MU, SIGMA²) truncated to [LO, HI]",
         "truncnorm:0:1:0:2"),
    _law("censnorm", "censnorm:SIGMA, max(0, N(0, SIGMA²))", "censnorm:1"),
    _law("discrete", "discrete:V1,V2,...:P1,P2,..., P(v = Vk) = Pk", "discrete:1,2:1/2,1/2"),
    _law("empirical", "empirical:FILE.csv[:COLUMN], the empirical law of a CSV column"),
    _law("mixture", "mixture:W1*SPEC1+W2*SPEC2+..., Σ Wk·Fk", "mixture:1/2*uniform+1/2*uniform"),
    _law("hetero", "hetero, the mixture 2/3·U[0, 1] + 1/3·Exp(1)"),
], aliases={"exp": "exponential"})
