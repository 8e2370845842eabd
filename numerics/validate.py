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
from collections.abc import Iterable

try:
    import resource
except ImportError:  # not POSIX
    resource = None

import numpy as np

__all__ = ["MAX_WORK", "choice", "finite_float", "machine_memory", "memory_budget",
           "positive_int", "probability", "seed_sequence", "work_budget"]

# Elementary evaluations (one value of one input through a mechanism or function) a call may
# ask for unless told otherwise: about ten minutes of one core at the engine's ~10^8 per second.
MAX_WORK = 5e10


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


def probability(name: str, value) -> float:
    """A number in the open interval (0, 1), such as a confidence level.

    >>> probability("level", 0.95)
    0.95
    """
    v = finite_float(name, value)
    if not 0.0 < v < 1.0:
        raise ValueError(f"{name}={value!r}: must be in (0, 1)")
    return v


def choice(name: str, value, choices: Iterable[str]) -> str:
    """One of ``choices`` (dashes and underscores are the same).

    >>> choice("executor", "local", ["inline", "local", "dask"])
    'local'
    >>> choice("executor", "gpu", ["inline", "local", "dask"])
    Traceback (most recent call last):
    ...
    ValueError: executor='gpu': choose one of inline, local, dask
    """
    options = list(choices)
    if isinstance(value, str):
        norm = value.replace("-", "_")
        for c in options:
            if c.replace("-", "_") == norm:
                return c
    raise ValueError(f"{name}={value!r}: choose one of {', '.join(options)}")


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


def machine_memory() -> int:
    """Physical memory of this machine in bytes, or the process's address-space limit when
    lower (0 when the system does not say).

    >>> machine_memory() >= 0
    True
    """
    try:
        phys = int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        phys = 0
    if resource is not None:  # a process limited by ulimit -v (RLIMIT_AS) has that much at most
        try:
            soft = resource.getrlimit(resource.RLIMIT_AS)[0]
        except (ValueError, OSError):
            soft = resource.RLIM_INFINITY
        if soft != resource.RLIM_INFINITY and soft > 0:
            phys = min(phys, soft) if phys else soft
    return phys


def work_budget(name: str, value, work: float, *, max_work=None,
                what: str = "evaluations") -> None:
    """Refuse a request whose estimated ``work`` exceeds ``max_work`` (default
    :data:`MAX_WORK`), before anything is allocated or run; the message names the argument that
    asked for it and the keyword (``--max-work`` on the command line) that raises the limit.

    >>> work_budget("samples", 10**12, 3e12)
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    ValueError: samples=1000000000000: too large: about 3e+12 evaluations, more than ...
    """
    limit = MAX_WORK if max_work is None else finite_float("max_work", max_work, low=0.0,
                                                           low_open=True)
    if not work <= limit:  # also refuses a NaN estimate
        raise ValueError(f"{name}={value!r}: too large: about {work:.3g} {what}, more than "
                         f"max_work={limit:.3g}; lower {name} or raise max_work (--max-work)")


def memory_budget(name: str, value, nbytes: float, *, max_memory=None) -> None:
    """Refuse a request that would hold more than ``max_memory`` bytes at once (default: half
    of this machine's memory), before allocating it.

    >>> memory_budget("regret_grid", 10**9, 8 * 2048 * 10**9 * 4, max_memory=2**34)
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    ValueError: regret_grid=1000000000: too large: about 6.6e+13 bytes held at once, ...
    """
    limit = (machine_memory() / 2 or 8 * 2**30) if max_memory is None else finite_float(
        "max_memory", max_memory, low=0.0, low_open=True)
    if not nbytes <= limit:
        raise ValueError(f"{name}={value!r}: too large: about {nbytes:.2g} bytes held at once, "
                         f"more than max_memory={limit:.3g}; lower {name}")
