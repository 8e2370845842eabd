"""Argument checks shared by every entry point (Python API and command line alike).

Each check returns the value, converted, or raises a ``ValueError`` (``TypeError`` for a value
of the wrong kind) whose message starts with the argument's name, so the command line can print
it as its one-line error. NaN and ±∞ are refused wherever a finite number is meant.

>>> positive_int("samples", 10)
10
>>> finite_float("reserve", float("nan"))
Traceback (most recent call last):
...
ValueError: reserve=nan: must be a finite number
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Iterable, Sequence

import numpy as np

# the limits themselves live in a module without numpy (a command line's --help reads them)
from numerics.limits import (
    MAX_INT,
    MAX_WORK,
    MEMORY_FRACTION,
    MEMORY_SLACK,
    default_max_memory,
    enforce_memory_limit,
    machine_memory,
    parse_size,
)

__all__ = ["MAX_INT", "MAX_WORK", "MEMORY_FRACTION", "MEMORY_SLACK", "MIN_SAMPLES", "choice",
           "default_max_memory", "enforce_memory_limit", "finite_float", "machine_memory",
           "max_workers", "memory_budget", "number_list", "parse_size", "positive_int",
           "probability", "seed_sequence", "size_budget", "size_float", "work_budget"]



def _number(name: str, value, kind: str):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}={value!r}: must be {kind}, not {type(value).__name__}")
    return value


def positive_int(name: str, value, *, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer in [minimum, maximum] (a float with an integral value is accepted).

    >>> positive_int("bidders", 3.0)
    3
    >>> positive_int("grid", 1, minimum=2)
    Traceback (most recent call last):
    ...
    ValueError: grid=1: must be an integer ≥ 2
    """
    _number(name, value, "an integer")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError(f"{name}={value!r}: must be an integer")
    v = int(value)
    if v < minimum or (maximum is not None and v > maximum):
        bound = f"in [{minimum}, {maximum}]" if maximum is not None else f"≥ {minimum}"
        raise ValueError(f"{name}={value!r}: must be an integer {bound}")
    if v > MAX_INT:  # no count is larger; cost estimates then stay within a float
        raise ValueError(f"{name}={value!r}: must be an integer ≤ 2^63 − 1")
    return v


def finite_float(name: str, value, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False) -> float:
    """A finite float in [low, high] (or (low, high] with ``low_open``).

    >>> finite_float("bandwidth", 0.5, low=0.0, low_open=True)
    0.5
    >>> finite_float("bandwidth", 0, low=0.0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: bandwidth=0: must be > 0.0
    """
    _number(name, value, "a number")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name}={value!r}: must be a finite number")
    if low is not None and (v <= low if low_open else v < low):
        raise ValueError(f"{name}={value!r}: must be {'>' if low_open else '≥'} {low}")
    if high is not None and v > high:
        raise ValueError(f"{name}={value!r}: must be ≤ {high}")
    return v


def number_list(name: str, values, *, low: float | None = None, high: float | None = None,
                nonincreasing: bool = False, what: str = "entry",
                accepted: str = "finite numbers") -> tuple[float, ...]:
    """At least one finite number in [low, high] (non-increasing when asked) from a sequence,
    a single number or a comma-separated string (the command lines' ``1,0.6,0.3``); the
    refusal names the argument, the ``what`` at fault (counted from 1) and ``accepted``.

    >>> number_list("ctrs", "1,0.5", low=0.0, high=1.0)
    (1.0, 0.5)
    >>> number_list("ctrs", [-1, 0.5], low=0.0, what="rate", accepted="numbers in [0, 1]")
    Traceback (most recent call last):
    ...
    ValueError: ctrs=[-1, 0.5]: rate 1 = -1: must be ≥ 0.0 (numbers in [0, 1])
    >>> number_list("lambdas", [float("nan")])
    Traceback (most recent call last):
    ...
    ValueError: lambdas=nan: must be a finite number (finite numbers)
    """
    items = values
    if isinstance(values, str):
        items = [x for x in values.split(",") if x.strip()]
    elif isinstance(values, numbers.Real) and not isinstance(values, bool):
        items = [values]
    elif not isinstance(values, Iterable):
        raise TypeError(f"{name}={values!r}: {accepted}, as a list or 'a,b,…'")
    items = list(items)
    out = []
    for k, x in enumerate(items, start=1):
        # one number is reported as itself (``lambdas=nan: …``), one of several by position
        label, shown = (name, "") if len(items) == 1 else (f"{what} {k}", f"{name}={values!r}: ")
        try:
            if isinstance(x, str):
                try:
                    x = float(x)
                except ValueError:
                    raise ValueError(f"{label}={x!r}: not a number") from None
            out.append(finite_float(label, x, low=low, high=high))
        except (TypeError, ValueError) as exc:
            detail = str(exc) if shown == "" else str(exc).replace(f"{label}=", f"{label} = ", 1)
            raise ValueError(f"{shown}{detail} ({accepted})") from None
    if not out:  # an empty list would silently measure nothing
        raise ValueError(f"{name}={values!r}: give at least one number ({accepted})")
    if nonincreasing:
        for k in range(1, len(out)):
            if out[k] > out[k - 1]:
                raise ValueError(f"{name}={values!r}: {what} {k + 1} = {out[k]:g} is larger "
                                 f"than {what} {k} = {out[k - 1]:g}: must be non-increasing "
                                 f"({accepted})")
    return tuple(out)


def probability(name: str, value) -> float:
    """A number in the open interval (0, 1), such as a confidence level.

    >>> probability("level", 0.95)
    0.95
    """
    v = finite_float(name, value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name}={value!r}: must be in (0, 1)")
    return v


def choice(name: str, value, choices: Iterable[str], *, unknown: str | None = None) -> str:
    """One of ``choices`` (dashes and underscores are the same). With ``unknown`` (what the
    choices are, e.g. ``"mechanism"``) the refusal reads ``unknown mechanism 'x': …``, for a
    value that is itself a spec or a name within a longer argument.

    >>> choice("executor", "local", ["inline", "local", "dask"])
    'local'
    >>> choice("executor", "gpu", ["inline", "local", "dask"])
    Traceback (most recent call last):
    ...
    ValueError: executor='gpu': choose one of inline, local, dask
    >>> choice("mechanism", "nosuch", ["myerson", "vcg"], unknown="mechanism")
    Traceback (most recent call last):
    ...
    ValueError: unknown mechanism 'nosuch': choose one of myerson, vcg
    """
    options = list(choices)
    if isinstance(value, str):
        norm = value.replace("-", "_")
        for c in options:
            if c.replace("-", "_") == norm:
                return c
    head = f"unknown {unknown} {value!r}" if unknown else f"{name}={value!r}"
    raise ValueError(f"{head}: choose one of {', '.join(options)}")


def seed_sequence(seed, name: str = "seed") -> np.random.SeedSequence:
    """A SeedSequence from an int ≥ 0, a SeedSequence, or a Generator. A Generator is drawn
    from (its state advances, as when it is used directly): the same Generator state gives the
    same numbers, and a second call with the same Generator gives new ones.

    >>> seed_sequence(1).entropy, seed_sequence(np.random.SeedSequence(7)).entropy
    (1, 7)
    >>> a = seed_sequence(np.random.default_rng(5)); b = seed_sequence(np.random.default_rng(5))
    >>> a.entropy == b.entropy
    True
    >>> seed_sequence(-1)
    Traceback (most recent call last):
    ...
    ValueError: seed=-1: an int ≥ 0, a numpy SeedSequence or a numpy Generator
    """
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence([int(x) for x in seed.integers(0, 2**63, size=4)])
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool) and int(seed) >= 0:
        return np.random.SeedSequence(int(seed))
    raise ValueError(f"{name}={seed!r}: an int ≥ 0, a numpy SeedSequence or a numpy Generator")


def size_float(count) -> float:
    """A count (an int of any size, such as K^N or 2^M) as a float for a cost estimate: +∞
    when it is larger than a float holds, so that products of counts never overflow.

    >>> size_float(10**400), size_float(3)
    (inf, 3.0)
    """
    try:
        return float(count)
    except OverflowError:
        return math.inf


def work_budget(name: str, value, work: float, *, max_work=None,
                what: str = "evaluations", lower: Sequence[str] = ()) -> None:
    """Refuse a request whose estimated ``work`` exceeds ``max_work`` (default
    :data:`MAX_WORK`), before anything is allocated or run; the message names the argument that
    asked for it, the other arguments in ``lower`` whose product it is (lowering any of them
    would do), and the keyword (``--max-work`` on the command line) that raises the limit.

    >>> work_budget("samples", 10**12, 3e12, lower=("items",))
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    ValueError: samples=1000000000000: too large: ... lower samples (or items) or raise ...
    """
    limit = MAX_WORK if max_work is None else finite_float("max_work", max_work, low=0.0,
                                                           low_open=True)
    if not work <= limit:  # also refuses a NaN estimate
        also = f" (or {', '.join(lower)})" if lower else ""
        raise ValueError(f"{name}={value!r}: too large: about {work:.3g} {what}, more than "
                         f"max_work={limit:.3g}; lower {name}{also} or raise max_work "
                         "(--max-work)")


# The fewest samples a Monte Carlo request can sensibly ask for: a size (bidders, items,
# inputs) whose per-sample cost exceeds the budget even at this many samples is itself the
# problem, and the refusal names it rather than the sample count.
MIN_SAMPLES = 100


def size_budget(name: str, value, per_sample: float, *, max_work=None,
                what: str = "evaluations") -> None:
    """Refuse a size (``bidders``, ``items``, ``inputs``…) whose Monte Carlo cost per sample
    is too large for even :data:`MIN_SAMPLES` samples, naming that size (checked before the
    sample count, so that ``--bidders 10^6`` is not reported as a problem of ``--samples``).

    >>> size_budget("bidders", 10**6, 4e12)
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    ValueError: bidders=1000000: too large: about 4e+14 evaluations (at 100 samples), more ...
    """
    work_budget(name, value, MIN_SAMPLES * per_sample, max_work=max_work,
                what=f"{what} (at {MIN_SAMPLES} samples)")


def max_workers() -> int:
    """The most worker processes a local executor may start: eight per core (at least 64), so
    that a mistyped ``--workers 10^9`` is refused instead of forking without end."""
    return max(64, 8 * (os.cpu_count() or 1))


def memory_budget(name: str, value, nbytes: float, *, max_memory=None) -> None:
    """Refuse a request that would hold more than ``max_memory`` bytes at once (a number or a
    size such as ``"4G"``, :func:`parse_size`; default :func:`default_max_memory`), before
    allocating it; the message names the argument and the flag that raises the limit.

    >>> memory_budget("regret_grid", 10**9, 8 * 2048 * 10**9 * 4, max_memory="16G")
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    ValueError: regret_grid=1000000000: too large: about 6.6e+13 bytes held at once, ...
    """
    limit = parse_size("max_memory", max_memory)
    if limit is None:
        limit = default_max_memory()
    if not nbytes <= limit:
        raise ValueError(f"{name}={value!r}: too large: about {nbytes:.2g} bytes held at once, "
                         f"more than max_memory={limit:.3g}; lower {name} or raise max_memory "
                         "(--max-memory)")
