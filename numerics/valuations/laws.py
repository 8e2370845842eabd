"""The built-in value laws of the spec grammar (``uniform:0:2``, ``beta:2:5``, …) and
:func:`parse_valuation`, which reads a spec through :data:`numerics.registry.VALUATIONS`.

Each built-in builder takes the spec's ``:``-separated parameters as strings and checks them,
naming the law, the parameter and the law's accepted form (:data:`LAW_FORMS`).
"""

from __future__ import annotations

import csv
import inspect
import math
from fractions import Fraction

import numpy as np
from scipy import stats

from numerics.registry import VALUATIONS
from numerics.validate import choice, finite_float
from numerics.valuations.base import Valuation
from numerics.valuations.univariate import (
    Censored,
    Discrete,
    Exponential,
    Mixture,
    ScipyValuation,
    Uniform,
)
from numerics.valuations.univariate import (
    empirical as empirical_law,
)

__all__ = ["LAW_FORMS", "MAX_VALUE_SCALE", "beta", "censnorm", "discrete", "empirical",
           "exponential", "hetero", "lognormal", "mixture", "number", "parse_valuation",
           "truncnorm", "uniform"]


def number(s: str) -> float:
    """A number from a spec's text: a decimal or a fraction ``a/b`` (±∞ beyond a float).

    >>> number("2/3") == 2 / 3, number("1e999")
    (True, inf)
    """
    try:
        x = Fraction(s.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a number: {s!r}") from exc
    try:
        return float(x)
    except OverflowError:  # 1e999: beyond a float; the parameter checks refuse ±inf by name
        return math.inf if x > 0 else -math.inf


def _read_column(path: str, column: str | None) -> list[float]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"empirical: {path} is empty")
    header, body = rows[0], rows[1:]
    try:
        [float(c) for c in header]
        body, header = rows, [str(i) for i in range(len(rows[0]))]
    except ValueError:
        pass
    if column is not None:
        if column not in header:
            raise ValueError(f"empirical: column {column!r} not in {path}")
        cols = [header.index(column)]
    else:
        cols = range(len(header))
    for j in cols:
        vals = []
        for r in body:
            try:
                vals.append(float(r[j]))
            except (ValueError, IndexError):
                continue
        if vals:
            return vals
    raise ValueError(f"empirical: no numeric column in {path}")


# Values beyond this size overflow the sums of squares behind every variance and CI (and
# revenue sums over many profiles): such a law is refused with the advice to rescale.
MAX_VALUE_SCALE = 1e150


def parse_valuation(spec: str) -> Valuation:
    """Build a one-dimensional :class:`Valuation` from a spec string ``NAME[:P1[:P2…]]``.

    The names are those of :data:`numerics.registry.VALUATIONS`: the built-in laws of the
    grammar in :mod:`numerics.valuations` and any added with
    :func:`numerics.valuations.register_valuation`. A law whose values reach beyond ±1e150
    (its support's ends, or its 0.01%/99.99% quantiles when unbounded) is refused: squares of
    its values overflow, so no CI could be computed.

    Parameters
    ----------
    spec : str
        The law's name and its parameters, ``:``-separated (numbers may be fractions
        ``a/b``).

    Returns
    -------
    Valuation

    Raises
    ------
    ValueError
        An unknown name (the message lists the registered ones), parameters the law does not
        accept (the message gives its form), or values beyond ±1e150.

    Examples
    --------
    >>> parse_valuation("uniform:0:2").support
    (0.0, 2.0)
    >>> parse_valuation("mixture:2/3*uniform+1/3*exponential:1").is_regular
    False
    >>> parse_valuation("discrete:1,2:1/2,1/2").values
    (1.0, 2.0)
    >>> parse_valuation("uniform:0:1e308")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: values up to about 1e+308, beyond 1e+150: their squares overflow ...
    >>> parse_valuation("nosuch")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown distribution 'nosuch': choose one of uniform, exponential, beta, ...
    """
    law = _build(spec)
    ends = [x for x in law.support if math.isfinite(x)]
    if len(ends) < 2:  # unbounded: where nearly all of its mass lies
        with np.errstate(all="ignore"):
            ends += [float(q) for q in np.atleast_1d(law.quantile(np.array([1e-4, 1 - 1e-4])))]
    scale = max((abs(x) for x in ends if not math.isnan(x)), default=0.0)
    if not scale <= MAX_VALUE_SCALE:
        raise ValueError(f"values up to about {scale:.3g}, beyond "
                         f"{MAX_VALUE_SCALE:g}: their squares overflow (no variance or CI "
                         "could be computed); rescale the values")
    return law


def _build(spec: str) -> Valuation:
    """The law a spec names, built by its registered builder."""
    if not isinstance(spec, str):
        raise TypeError(f"values={spec!r}: a value-law spec such as 'uniform:0:2'")
    spec = spec.strip()
    if not spec:
        raise ValueError("empty valuation spec")
    name, _, rest = spec.partition(":")
    if name not in VALUATIONS:
        choice("values", name.lower(), VALUATIONS.names(), unknown="distribution")
    entry = VALUATIONS.get(name)
    args = rest.split(":") if rest else []
    builder = entry.load()
    if entry.text:
        return builder(*args)
    nums = [number(a) for a in args]
    try:
        inspect.signature(builder).bind(*nums)
    except TypeError:
        raise ValueError(f"{entry.name}: expected {entry.help}, got {len(nums)} "
                         "parameter(s)") from None
    try:
        law = builder(*nums)
    except ValueError as exc:
        raise ValueError(f"{entry.name}: {exc} ({entry.help})") from None
    if not isinstance(law, Valuation):
        raise TypeError(f"{entry.name}: the registered builder returned "
                        f"{type(law).__name__}, not a Valuation")
    return law


# The parameters of each law and what they must be, as the refusals state them.
LAW_FORMS = {
    "uniform": "uniform[:A:B] with A < B",
    "exponential": "exponential[:RATE] with RATE > 0",
    "beta": "beta:A:B with A > 0 and B > 0",
    "lognormal": f"lognormal:MU:SIGMA with SIGMA > 0 and |MU| ≤ {math.log(MAX_VALUE_SCALE):.0f}",
    "truncnorm": "truncnorm:MU:SIGMA:LO:HI with SIGMA > 0 and LO < HI",
    "censnorm": "censnorm:SIGMA with SIGMA > 0",
}


def _law_params(name: str, args: list[str], names: tuple[str, ...], k_min: int = -1,
                positive: tuple[str, ...] = ()) -> list[float]:
    """The parameters ``args`` of law ``name`` as finite floats (``k_min`` to ``len(names)``
    of them; all when ``k_min`` is -1), those in ``positive`` > 0: else a ValueError naming the
    law, the parameter and the law's accepted form (:data:`LAW_FORMS`)."""
    form = LAW_FORMS.get(name, name)
    if not (len(names) if k_min < 0 else k_min) <= len(args) <= len(names):
        raise ValueError(f"{name}: expected {form}, got {len(args)} parameter(s)")
    out = []
    for label, text in zip(names, args, strict=False):
        try:
            out.append(finite_float(label, number(text), low=0.0 if label in positive else None,
                                    low_open=True))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc} ({form})") from None
    return out


# --- the built-in laws: each takes the spec's parameters as strings --------------------------


def uniform(*args: str) -> Uniform:
    """``uniform[:A:B]``: U[A, B] (default U[0, 1]; one parameter B means U[0, B])."""
    a = _law_params("uniform", list(args), ("A", "B"), 0)
    lo, hi = (a + [0.0, 1.0][len(a):]) if len(a) != 1 else (0.0, a[0])
    if not hi > lo:
        raise ValueError(f"uniform: A={lo:g}, B={hi:g}: need A < B ({LAW_FORMS['uniform']})")
    return Uniform(lo, hi)


def exponential(*args: str) -> Exponential:
    """``exponential[:RATE]``: Exp(RATE) (default rate 1)."""
    (rate,) = _law_params("exponential", list(args), ("RATE",), 0, ("RATE",)) or [1.0]
    return Exponential(rate)


def beta(*args: str) -> ScipyValuation:
    """``beta:A:B``: Beta(A, B) on [0, 1]."""
    a, b = _law_params("beta", list(args), ("A", "B"), positive=("A", "B"))
    return ScipyValuation(stats.beta(a, b), "beta:" + ":".join(args))


def lognormal(*args: str) -> ScipyValuation:
    """``lognormal:MU:SIGMA``: exp(N(MU, SIGMA²))."""
    mu, sigma = _law_params("lognormal", list(args), ("MU", "SIGMA"), positive=("SIGMA",))
    if abs(mu) > math.log(MAX_VALUE_SCALE):  # exp(MU) is the median: beyond 1e±150
        raise ValueError(f"lognormal: MU={mu:g}: values of about e^MU overflow "
                         f"({LAW_FORMS['lognormal']})")
    return ScipyValuation(stats.lognorm(s=sigma, scale=math.exp(mu)), "lognormal:" + ":".join(args))


def truncnorm(*args: str) -> ScipyValuation:
    """``truncnorm:MU:SIGMA:LO:HI``: N(MU, SIGMA²) truncated to [LO, HI]."""
    mu, sigma, lo, hi = _law_params("truncnorm", list(args), ("MU", "SIGMA", "LO", "HI"),
                                    positive=("SIGMA",))
    if not hi > lo:
        raise ValueError(f"truncnorm: LO={lo:g}, HI={hi:g}: need LO < HI "
                         f"({LAW_FORMS['truncnorm']})")
    a, b = (lo - mu) / sigma, (hi - mu) / sigma
    return ScipyValuation(stats.truncnorm(a, b, mu, sigma), "truncnorm:" + ":".join(args))


def censnorm(*args: str) -> Censored:
    """``censnorm:SIGMA``: max(0, N(0, SIGMA²))."""
    (sigma,) = _law_params("censnorm", list(args), ("SIGMA",), positive=("SIGMA",))
    return Censored(ScipyValuation(stats.norm(0.0, sigma), f"norm:0:{sigma}"), 0.0)


def discrete(*args: str) -> Discrete:
    """``discrete:V1,V2,...:P1,P2,...``: P(v = Vk) = Pk."""
    if len(args) != 2:
        raise ValueError("discrete: expected discrete:V1,V2,...:P1,P2,...")
    vals = tuple(number(x) for x in args[0].split(","))
    probs = tuple(number(x) for x in args[1].split(","))
    return Discrete(vals, probs)


def empirical(*args: str) -> Valuation:
    """``empirical:FILE.csv[:COLUMN]``: the empirical law of a CSV column (default: the first
    numeric one)."""
    if not args:
        raise ValueError("empirical: expected empirical:FILE.csv[:COLUMN]")
    return empirical_law(_read_column(args[0], args[1] if len(args) > 1 else None))


def mixture(*args: str) -> Mixture:
    """``mixture:W1*SPEC1+W2*SPEC2+...``: Σ Wk·Fk, e.g.
    ``mixture:2/3*uniform+1/3*exponential:1``."""
    comps, weights = [], []
    for term in ":".join(args).split("+"):
        w, star, sub = term.partition("*")
        if not star:
            raise ValueError(f"mixture: term {term!r} must look like WEIGHT*SPEC")
        weights.append(number(w))
        comps.append(parse_valuation(sub))
    return Mixture(tuple(comps), tuple(weights))


def hetero(*args: str) -> Mixture:
    """``hetero``: the heterogeneous bidder, U[1/2, 1], U[0, 1/2] or Exp(1), each w.p. 1/3
    (the mixture 2/3·U[0, 1] + 1/3·Exp(1)).

    >>> round(hetero().mean, 6)
    0.666667
    """
    _law_params("hetero", list(args), ())
    return Mixture((Uniform(0.0, 1.0), Exponential(1.0)), (2.0 / 3.0, 1.0 / 3.0))
