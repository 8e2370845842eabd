"""Argument conversions shared by the entry points of ``latent.api`` (beyond
:mod:`numerics.validate`): exact numbers, value grids and integer seeds.

>>> fraction("p", "1/2"), int_seed(7)
(Fraction(1, 2), 7)
"""

from __future__ import annotations

import numbers
import warnings
from fractions import Fraction

import numpy as np

from numerics.lp.discretize import parse_grid
from numerics.validate import seed_sequence

__all__ = ["PathError", "format_exact", "fraction", "int_seed", "negated_keyword", "path_error",
           "value_grid"]


class PathError(ValueError):
    """A file or folder argument that cannot be read or written: a ``ValueError`` naming the
    argument, as :class:`latent.data.reader.DataError` is for ``estimate_rho``'s data file
    (the same mistake gets the same kind of error from every entry point)."""


def path_error(name: str, value, exc: OSError) -> PathError:
    """The :class:`PathError` for ``exc`` raised while reading or writing ``value``.

    Parameters
    ----------
    name : str
        The argument's name.
    value : str or pathlib.Path
        The path it was given.
    exc : OSError
        The error reading or writing it raised.

    Returns
    -------
    PathError
        A ``ValueError`` whose message names the argument and what went wrong.

    Examples
    --------
    >>> path_error("instance", "missing.json", FileNotFoundError(2, "No such file or directory",
    ...                                                          "missing.json"))
    PathError("instance='missing.json': no such file or directory")
    """
    what = (exc.strerror or type(exc).__name__).lower()
    where = f" ({exc.filename})" if exc.filename not in (None, str(value)) else ""
    return PathError(f"{name}={str(value)!r}: {what}{where}")


def negated_keyword(function: str, old: str, old_value, new: str, new_value: bool,
                    default: bool) -> bool:
    """The value of the keyword ``new`` when a caller may still pass its deprecated negation
    ``old`` (``no_x=True`` for ``x=False``: the command line's ``--no-x`` is ``x=False``, so the
    Python keyword is ``x``). ``old_value`` None means not passed. A passed ``old`` warns
    (``DeprecationWarning`` naming ``new``); both passed and disagreeing is a ``ValueError``.

    Parameters
    ----------
    function : str
        The function's name (for the warning).
    old : str
        The deprecated keyword (``"no_baselines"``).
    old_value : bool or None
        What the caller passed for it (None: nothing).
    new : str
        The keyword that replaces it (``"baselines"``).
    new_value : bool
        What the caller passed (or the default) for ``new``.
    default : bool
        ``new``'s default.

    Returns
    -------
    bool
        The value of ``new``.

    Raises
    ------
    TypeError
        ``old_value`` is not a bool.
    ValueError
        ``old`` and ``new`` were both passed and disagree.

    Examples
    --------
    >>> negated_keyword("learn", "no_baselines", None, "baselines", False, True)
    False
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     negated_keyword("learn", "no_baselines", True, "baselines", True, True)
    False
    """
    if old_value is None:
        return bool(new_value)
    warnings.warn(f"{function}({old}=...) is deprecated; use {new}={not old_value!r}",
                  DeprecationWarning, stacklevel=3)
    if not isinstance(old_value, bool):
        raise TypeError(f"{old}={old_value!r}: must be True or False (better: {new}=...)")
    if new_value is not default and bool(new_value) == bool(old_value):
        raise ValueError(f"{old}={old_value!r} contradicts {new}={new_value!r}; pass only {new}")
    return not old_value


def fraction(name: str, value, *, low=None, high=None) -> Fraction:
    """An exact rational from a Fraction, an int, a decimal or ``"p/q"`` string, or a finite
    float (taken exactly); in [low, high] when given.

    Parameters
    ----------
    name : str
        The argument's name (for the error).
    value : Fraction, int, float or str
        The number.
    low, high : Fraction, optional
        Bounds, inclusive.

    Returns
    -------
    Fraction

    Raises
    ------
    ValueError
        Not a number, infinite, a zero denominator, or out of bounds.
    TypeError
        Not a number at all (a bool, a list …).

    Examples
    --------
    >>> fraction("a", "3/2"), fraction("b", 0.25)
    (Fraction(3, 2), Fraction(1, 4))
    >>> fraction("p", "1/0")
    Traceback (most recent call last):
    ...
    ValueError: p='1/0': not a number (zero denominator)
    """
    if isinstance(value, bool):
        raise TypeError(f"{name}={value!r}: must be a number, not bool")
    try:
        if isinstance(value, str | numbers.Rational):
            out = Fraction(value)
        elif isinstance(value, numbers.Real):
            if not np.isfinite(float(value)):
                raise ValueError(f"{name}={value!r}: must be a finite number")
            out = Fraction(float(value))
        else:
            raise TypeError(f"{name}={value!r}: must be a number, not {type(value).__name__}")
    except ZeroDivisionError:
        raise ValueError(f"{name}={value!r}: not a number (zero denominator)") from None
    except ValueError as exc:
        if str(exc).startswith(f"{name}="):
            raise
        raise ValueError(f"{name}={value!r}: not a number") from None
    if (low is not None and out < low) or (high is not None and out > high):
        shown = str(value) if isinstance(value, Fraction) else repr(value)
        bounds = f"[{low}, {high}]" if high is not None else f"[{low}, ∞)"
        raise ValueError(f"{name}={shown}: must lie in {bounds}")
    return out


def value_grid(name: str, spec, k: int):
    """``(values, probabilities)`` of a value law on a K-point grid (exact for ``discrete:…``),
    every failure a ``ValueError`` naming the argument.

    Parameters
    ----------
    name : str
        The argument's name (for the error).
    spec : str
        A value law (``"uniform"``, ``"discrete:1,2:1/2,1/2"`` …).
    k : int
        Grid points.

    Returns
    -------
    tuple of (list, list)
        The values and their probabilities.

    Raises
    ------
    ValueError
        A law that cannot be parsed or discretised.
    TypeError
        ``spec`` is not a string.

    Examples
    --------
    >>> value_grid("values", "discrete:1,2:1/2,1/2", 4)[0]
    [Fraction(1, 1), Fraction(2, 1)]
    >>> value_grid("values", "discrete:1,2:1/0,1", 4)
    Traceback (most recent call last):
    ...
    ValueError: values='discrete:1,2:1/0,1': zero denominator in a fraction
    """
    if not isinstance(spec, str):
        raise TypeError(f"{name}={spec!r}: must be a string such as 'uniform' or "
                        "'discrete:1,2:1/2,1/2'")
    try:
        return parse_grid(spec, k)
    except ZeroDivisionError:
        raise ValueError(f"{name}={spec!r}: zero denominator in a fraction") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"{name}={spec!r}: {exc}") from None


def int_seed(seed, name: str = "seed") -> int:
    """An integer master seed for code seeded by integers: an int ≥ 0 is kept as is (so the
    API and the command line agree); a SeedSequence or Generator gives a derived int.

    Parameters
    ----------
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        The seed.
    name : str
        The argument's name (for the error).

    Returns
    -------
    int

    Raises
    ------
    ValueError
        A negative int or another kind of seed.

    Examples
    --------
    >>> int_seed(3), int_seed(np.random.SeedSequence(3)) == int_seed(np.random.SeedSequence(3))
    (3, True)
    """
    ss = seed_sequence(seed, name)
    if isinstance(seed, numbers.Integral):
        return int(seed)
    return int(ss.generate_state(1, np.uint32)[0])


def format_exact(x) -> str:
    """A number as the command lines print it: ``p/q`` for exact rationals, ±inf, else str.

    Parameters
    ----------
    x : Fraction, int or float
        The number.

    Returns
    -------
    str

    Examples
    --------
    >>> format_exact(Fraction(6, 4)), format_exact(Fraction(2)), format_exact(float("-inf"))
    ('3/2', '2', '-inf')
    """
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    if isinstance(x, float) and np.isinf(x):
        return "+inf" if x > 0 else "-inf"
    if isinstance(x, tuple | list):
        return "(" + ", ".join(format_exact(v) for v in x) + ")"
    return str(x)
