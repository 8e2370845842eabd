"""Exact rationals from floats and from other exact number types (one place for each rule)."""

from __future__ import annotations

from fractions import Fraction


def nearest_rational(value: float, max_denominator: int) -> Fraction:
    """The closest fraction to the float ``value`` with denominator at most ``max_denominator``.

    >>> nearest_rational(0.3333333333, 1000)
    Fraction(1, 3)
    """
    return Fraction(float(value)).limit_denominator(max_denominator)


def to_fraction(q) -> Fraction:
    """A ``Fraction`` from an int or any exact rational with ``numerator``/``denominator``
    (``Fraction``, sympy ``Rational``, gmpy ``mpq``, the ``QQ`` elements of sympy's domains).

    >>> import sympy
    >>> to_fraction(sympy.Rational(-3, 4)), to_fraction(5)
    (Fraction(-3, 4), Fraction(5, 1))
    """
    if isinstance(q, int):
        return Fraction(q)
    return Fraction(int(q.numerator), int(q.denominator))
