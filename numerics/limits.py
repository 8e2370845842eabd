"""The cost limits every heavy request is checked against, and the memory limit of a
command-line process: standard library only, so that a command line can build its parser and
print ``--help`` without importing numpy (:mod:`numerics.validate` re-exports all of it and
holds the checks that use these limits).

>>> parse_size("max_memory", "4G") == 4 * 2**30
True
"""

from __future__ import annotations

import math
import numbers
import os
import re

try:
    import resource
except ImportError:  # not POSIX
    resource = None

__all__ = ["MAX_INT", "MAX_WORK", "MEMORY_FRACTION", "MEMORY_SLACK", "default_max_memory",
           "enforce_memory_limit", "machine_memory", "parse_size"]

# Elementary evaluations (one value of one input through a mechanism or function) a call may
# ask for unless told otherwise: about ten minutes of one core at the engine's ~10^8 per second.
MAX_WORK = 5e10
# The largest integer argument (a count of samples, bidders, grid points …) accepted at all.
MAX_INT = 2**63 - 1
# Share of the memory this process may use (the machine's, or a lower address-space limit set
# with ulimit -v) that one request may hold at once unless told otherwise (--max-memory).
MEMORY_FRACTION = 0.5
_SIZE = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([kKmMgGtT]?)[iI]?[bB]?\s*")
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


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


def default_max_memory() -> float:
    """The default ``max_memory``: :data:`MEMORY_FRACTION` of this machine's memory, or of the
    process's address-space limit when that is lower (8 GiB when neither is known).

    >>> 0 < default_max_memory()
    True
    """
    total = machine_memory()
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft != resource.RLIM_INFINITY and soft > 0:
        total = min(total, soft) if total else soft
    return MEMORY_FRACTION * total if total else 8.0 * 2**30


def parse_size(name: str, value) -> float | None:
    """A memory size in bytes from a number or a string with a binary suffix (``"4G"``,
    ``"500M"``, ``"1.5GiB"``, ``"123456"``); None stays None. Anything else, zero or a
    negative size is a ``ValueError`` naming the argument.

    >>> parse_size("max_memory", "4G"), parse_size("max_memory", "500m"), parse_size("m", 1024)
    (4294967296.0, 524288000.0, 1024.0)
    >>> parse_size("max_memory", "4X")
    Traceback (most recent call last):
    ...
    ValueError: max_memory='4X': a size in bytes, e.g. 500M, 4G or 1.5T
    """
    if value is None:
        return None
    if isinstance(value, str):
        m = _SIZE.fullmatch(value)
        if not m:
            raise ValueError(f"{name}={value!r}: a size in bytes, e.g. 500M, 4G or 1.5T")
        size = float(m.group(1)) * _UNITS[m.group(2).lower()]
    else:
        # the type check of numerics.validate's numbers (a bool is not a size)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name}={value!r}: must be a number, not {type(value).__name__}")
        size = float(value)
    if not (math.isfinite(size) and size > 0):
        raise ValueError(f"{name}={value!r}: must be a positive size in bytes")
    return size


# Heap a command line may use beyond max_memory before an allocation fails: the estimates
# count the arrays a request holds, not the interpreter's own growth (caches, imported modules,
# small objects) nor an estimate's error.
MEMORY_SLACK = 512 * 2**20


def _heap_now() -> int:
    """This process's data size in bytes (VmData: heap and private writable mappings, what
    RLIMIT_DATA limits); 0 where /proc is not available."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmData:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def enforce_memory_limit(max_memory=None) -> int | None:
    """Make ``max_memory`` (default :func:`default_max_memory`) a hard limit, not only an
    estimate: this process's data size (RLIMIT_DATA, inherited by the worker processes it
    starts, each limited alone) may grow by at most ``max_memory`` + :data:`MEMORY_SLACK`
    from now; an allocation beyond it fails with MemoryError, which the command lines report
    as one line. Returns the limit set in bytes, or None where it cannot be set (no
    RLIMIT_DATA, or an unreadable ``max_memory``: the command's own check refuses that).
    Only for a command-line process: it limits the whole process, for the rest of its life.
    """
    if not hasattr(resource, "RLIMIT_DATA"):
        return None
    try:
        limit = parse_size("max_memory", max_memory)
    except (TypeError, ValueError):
        return None
    if limit is None:
        limit = default_max_memory()
    cap = int(_heap_now() + limit + MEMORY_SLACK)
    soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        return int(soft)  # already stricter
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (cap, hard))
    except (ValueError, OSError):
        return None
    return cap
