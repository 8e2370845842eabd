"""``latent.spectrum``: the grade (ANOVA) spectrum of a function or an auction's allocation rule.

One call, keyword arguments named as the flags of ``python -m latent spectrum``; returns a
:class:`~latent.anova.spectrum.GradeSpectrum` (``to_dict()`` is the command's ``--json``,
``to_frame()`` one row per grade, ``indices_frame()`` one row per input, ``str()`` the text,
``plot(ax=None)`` the log-scale picture).
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import numbers
from collections.abc import Callable

import numpy as np

from latent.anova import grade_spectrum_mc, grade_spectrum_quad
from latent.anova.grid import grid_spectrum_of
from latent.anova.marginals import parse_marginal
from latent.anova.mc import evaluations_per_sample
from latent.anova.owen import (
    adaptive_spectrum,
    mc_evaluations,
    mc_spectrum,
    owen_evaluations_per_sample,
)
from latent.anova.spectrum import GradeSpectrum
from numerics.engine import EXECUTORS, EngineConfig
from numerics.mechanisms import enumerated_assignments, make_mechanism
from numerics.validate import (
    MAX_WORK,
    choice,
    finite_float,
    max_workers,
    memory_budget,
    positive_int,
    seed_sequence,
    size_budget,
    size_float,
    work_budget,
)
from numerics.valuations import MAX_VALUE_SCALE, parse_valuation

__all__ = ["METHODS", "load_function", "spectrum"]

METHODS = ("auto", "grid", "mc", "pick-freeze", "quad")
MONTE_CARLO = ("mc", "pick-freeze")
INDICATOR_NOTE = ("allocation rules are indicators (discontinuous): grid/quad spectra converge "
                  "to the continuous one only at O(1/K)")


def load_function(spec: str) -> Callable:
    """The callable named ``pkg.module:name`` (the command line's ``--function``).

    Parameters
    ----------
    spec : str
        ``"pkg.module:name"``.

    Returns
    -------
    callable

    Raises
    ------
    ValueError
        A spec of another form, a module that cannot be imported, or a name it lacks (or that
        is not callable).

    Examples
    --------
    >>> load_function("latent.anova.testfunctions:ishigami").__name__
    'ishigami'
    >>> load_function("nomodule")
    Traceback (most recent call last):
    ...
    ValueError: function='nomodule': must look like pkg.module:callable
    """
    if ":" not in spec:
        raise ValueError(f"function={spec!r}: must look like pkg.module:callable")
    mod, name = spec.split(":", 1)
    try:
        obj = getattr(importlib.import_module(mod), name)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"function={spec!r}: cannot load {spec!r}: {exc}") from None
    if not callable(obj):
        raise ValueError(f"function={spec!r}: {spec!r} is not callable")
    return obj


@dataclasses.dataclass(frozen=True)
class _Guarded:
    """``f`` whose failures are reported as bad input naming the argument ``name`` (given as
    ``label``), not as a traceback, and whose values must be finite and below
    :data:`~numerics.valuations.MAX_VALUE_SCALE` (their squares are summed): numpy's overflow
    and domain warnings inside ``f`` are not printed, the refusal says what went wrong. A
    class, not a closure, so that it pickles to worker processes (``executor``)."""

    f: Callable
    label: str
    name: str = "function"

    def __call__(self, x):
        try:
            with np.errstate(all="ignore"):  # judged below, by the values returned
                y = self.f(x)
        except Exception as exc:  # any error of user code is a ValueError naming it
            raise ValueError(f"{self.name}={self.label!r}: failed on a "
                             f"({', '.join(map(str, x.shape))}) batch: "
                             f"{type(exc).__name__}: {exc}") from exc
        arr = np.asarray(y)
        if arr.ndim == 0 or arr.shape[0] != x.shape[0]:
            raise ValueError(f"{self.name}={self.label!r}: returned shape {arr.shape} for a "
                             f"batch of {x.shape[0]} points; it must return (batch,) or "
                             "(batch, outputs): one row per point")
        if arr.dtype.kind in "biuf":  # anything else is refused where it is used
            with np.errstate(all="ignore"):
                bad = ~(np.abs(arr) <= MAX_VALUE_SCALE)  # NaN, ±inf, or squares overflow
            if bad.any():
                at = np.unravel_index(int(np.argmax(bad)), bad.shape)
                point = ", ".join(f"{v:.4g}" for v in np.ravel(x[at[0]]))
                raise ValueError(
                    f"{self.name}={self.label!r}: returned {float(arr[at]):.4g} at ({point}) "
                    f"({int(bad.sum())} of {bad.size} values non-finite or beyond "
                    f"{MAX_VALUE_SCALE:g}): overflow, or inputs outside its domain; choose "
                    "a marginal on which it is finite and moderate (rescale it)")
        return y


@dataclasses.dataclass(frozen=True)
class _Allocation:
    """The allocation rule as f: v (batch, N, M) → x (batch, N·M) (picklable)."""

    mechanism: object

    def __call__(self, v):
        return np.asarray(self.mechanism.allocation(v), dtype=float).reshape(v.shape[0], -1)


def _marginal(name: str, spec):
    if isinstance(spec, str):
        try:
            return parse_marginal(spec)
        except ValueError as exc:
            raise ValueError(f"{name}={spec!r}: {exc}") from None
    if hasattr(spec, "quantile") or hasattr(spec, "ppf"):
        return spec
    raise TypeError(f"{name}={spec!r}: a law (e.g. 'uniform', 'beta:2:5') or an object with "
                    ".quantile or .ppf")


def _mechanism_rule(mechanism, values, bidders, items):
    if bidders is None:
        raise ValueError("bidders: mechanism needs bidders N ≥ 1")
    n = positive_int("bidders", bidders)
    m = positive_int("items", items)
    val = _marginal("values", values)
    if isinstance(mechanism, str):
        try:
            mech = make_mechanism(mechanism, n, m, valuation=parse_valuation(values)
                                  if isinstance(values, str) else val)
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"mechanism={mechanism!r}: bad mechanism or values: {exc}") from None
    elif hasattr(mechanism, "allocation"):
        mech = mechanism
    else:
        raise TypeError(f"mechanism={mechanism!r}: a mechanism name or an object with "
                        ".allocation")
    label = getattr(mech, "name", str(mechanism))
    # exact winner determination values every assignment of the items per profile
    return (_Guarded(_Allocation(mech), label, "mechanism"), val, n, m,
            size_float(enumerated_assignments(mech, n, m)))


def _names(prefix: str | None, n: int) -> tuple[str, ...] | None:
    """Default input names ``prefix1 … prefixN`` (None without a prefix)."""
    return None if prefix is None else tuple(f"{prefix}{i + 1}" for i in range(n))


# One mpmath product at moderate precision is a Python call: measured 6.7 us at 50 digits
# (ishigami, grid 40, N = 3: 7.9e6 products in 53 s on a loaded core), 700 evaluations at the
# cost models' 1e8 per second; its words² limb products dominate only at thousands of digits.
# Each table entry held as an mpf object (with the transform's working copies): measured
# 830 bytes at 50 digits (53 MB for 64 000 entries).
MP_PRODUCT = 700.0
MP_ENTRY_BYTES = 800.0


def _check_work(method: str, n: int, m: int, *, grid: int, samples: int, max_grade: int,
                digits: int | None, max_work, max_memory, size: str = "inputs") -> None:
    """Refuse before any evaluation when the request is larger than ``max_work`` or would hold
    more than ``max_memory``: Monte Carlo costs samples × (evaluations per sample) × N·M input
    values, a grid or quadrature grid^N profiles × N·M (compared in logarithms: grid^N can have
    thousands of digits). With ``digits`` the grid's transform runs in mpmath: grid^N·grid·N
    products along the axes and grid³·N for the bases, each costing :data:`MP_PRODUCT` plus
    (digits/50)² limb products (schoolbook; measured 5 s for grid 4, N = 3, 40 000 digits), and
    every one of the grid^N table entries holds :data:`MP_ENTRY_BYTES` plus digits·log2(10)/8
    bytes per copy."""
    if method in MONTE_CARLO:
        r = min(max_grade, n)  # R ≤ N is estimated; the larger of the two designs' costs
        per = max(evaluations_per_sample(n, r, max(n, 1)),
                  math.ceil(mc_evaluations(n, r, 1_000_000) / 1_000_000))
        size_budget(*((size, n) if n * n >= m else ("items", m)), per * n * m,
                    max_work=max_work)
        work_budget("samples", samples, float(samples) * per * n * m, max_work=max_work,
                    lower=(size, "items") if m > 1 else (size,))
        # one sample's pick–freeze design alone: per × N·M values, and a few working copies
        memory_budget("inputs" if m == 1 else "items", n if m == 1 else m, 8.0 * 8 * per * n * m,
                      max_memory=max_memory)
        return
    profiles = math.exp(min(700.0, n * math.log(grid)))
    work = profiles * n * m
    work_budget("grid", grid, work, max_work=max_work,
                what=f"evaluations (grid^{n} profiles × {n * m} values)")
    if digits is not None:
        ops = (profiles * grid * n + size_float(grid) ** 3 * n) * m
        words = 1 + size_float(digits) / 50
        work_budget("digits", digits, ops * (MP_PRODUCT + words * words), max_work=max_work,
                    what=f"evaluations ({ops:.3g} mpmath products at {digits} digits)",
                    lower=("grid", "inputs"))
        memory_budget("digits", digits, profiles * m * (MP_ENTRY_BYTES
                                                        + 3 * size_float(digits) * 0.42),
                      max_memory=max_memory)
    else:
        memory_budget("grid", grid, 8.0 * 4 * profiles * (n + m), max_memory=max_memory)


def spectrum(
    function: Callable | str | None = None,
    *,
    mechanism=None,
    values="uniform",
    bidders: int | None = None,
    items: int = 1,
    inputs: int | None = None,
    marginal="uniform",
    names=None,
    method: str = "auto",
    grid: int = 8,
    samples: int = 10_000,
    max_grade: int = 3,
    qmc: bool = False,
    digits: int | None = None,
    seed=0,
    progress: bool | None = False,
    max_work: float | None = None,
    max_memory: float | str | None = None,
    target_rel_ci: float | None = None,
    executor: str = "inline",
    workers: int = 2,
    scheduler: str | None = None,
) -> GradeSpectrum:
    """Grade spectrum W_0…W_R, variance, mean dimension, Sobol' indices S1/ST and ρ.

    The Python form of ``python -m latent spectrum``: every keyword is the flag of the same name
    (dashes as underscores), with the same default.

    Parameters
    ----------
    function : callable or str, optional
        A vectorised f: an array (batch, N) → (batch,) or (batch, outputs); or ``"pkg.module:name"``
        (:func:`~latent.api.spectrum.load_function`). Give it with ``inputs`` and ``marginal``, or
        give ``mechanism``.
    mechanism : str or Mechanism, optional
        Decompose this mechanism's allocation rule x_im(v) instead: a name of
        :func:`numerics.mechanisms.make_mechanism` or a mechanism object; one input per bidder
        (her value vector over ``items``).
    values : str
        Value law of every bidder (with ``mechanism``), e.g. ``"uniform"``, ``"beta:2:5"``.
    bidders : int, optional
        Number of bidders N (with ``mechanism``).
    items : int
        Number of items M (with ``mechanism``).
    inputs : int, optional
        Number of inputs N (with ``function``).
    marginal : str
        Law of every input (with ``function``), e.g. ``"uniform"`` or ``"uniform:-3.14:3.14"``.
    names : list of str, optional
        One label per input (default x1…xN, or bidder_1…bidder_N for a mechanism).
    method : {"auto", "mc", "pick-freeze", "grid", "quad"}
        ``"mc"``: Monte Carlo, the most accurate per evaluation (same-set pick–freeze products
        on 4 scrambled-Sobol' replicates, Student-t CIs with a skewness correction at every
        grade, :func:`latent.anova.owen.mc_spectrum`; ``samples`` (A, B) pairs);
        ``"pick-freeze"``: the earlier default, cross pick–freeze on i.i.d. samples with normal
        CIs (``qmc=True`` for its randomised-QMC variant; 5–60× the relative RMSE of ``"mc"`` at
        grades ≥ 3 on the benchmark of BENCHMARKS.md); ``"grid"``: exact on ``grid`` midpoint
        quantiles per input (``digits`` for mpmath); ``"quad"``: Gauss–Legendre with ``grid``
        nodes per input, for smooth f; ``"auto"``: ``"mc"`` (unbiased for any f, with CIs).
    grid : int
        Points (grid) or nodes (quad) per input.
    samples : int
        Monte Carlo samples (the budget with ``target_rel_ci``).
    max_grade : int
        Highest grade R the Monte Carlo estimates.
    qmc : bool
        Randomised QMC for ``"pick-freeze"`` (scrambled Sobol' replicates, t-interval CIs).
    digits : int, optional
        ``"grid"`` only: compute in mpmath at this many digits.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Same seed, same numbers.
    progress : bool, optional
        A progress bar on stderr (None: when stderr is a terminal).
    max_work : float, optional
        Refuse a request estimated above this many elementary evaluations (input values through
        f; default :data:`numerics.validate.MAX_WORK`).
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``; default half the
        machine's memory).
    target_rel_ci : float, optional
        In (0, 1]: sample adaptively until every grade 1…``max_grade`` has a CI half width ≤
        target_rel_ci·W_r, or ``samples``/``max_work`` are spent (same-set estimators on 8
        scrambled-Sobol' replicates, lengthened in chunks); the result says which grades met it.
    executor : {"inline", "local", "dask"}
        Where the adaptive run's chunks run; the same seed gives the same numbers on each.
    workers : int
        Processes of the ``"local"`` or ``"dask"`` executor.
    scheduler : str, optional
        Address of a dask scheduler (default: a LocalCluster).

    Returns
    -------
    GradeSpectrum
        Energies by grade with CIs, Sobol' indices, the ρ fit; ``to_dict()``, ``to_frame()``,
        ``indices_frame()``, ``plot()``.

    Raises
    ------
    ValueError
        A bad argument, named (``max_grade=0: must be an integer ≥ 1``), or a request above
        ``max_work``/``max_memory`` (refused before it runs).
    TypeError
        An argument of the wrong kind, or neither or both of ``function`` and ``mechanism``.

    Examples
    --------
    >>> import latent
    >>> s = latent.spectrum(lambda x: x[:, 0] * x[:, 1], inputs=2, method="grid", grid=4)
    >>> s.to_frame()["grade"].tolist(), s.input_names
    ([0, 1, 2], ('x1', 'x2'))
    """
    method = choice("method", method, METHODS)
    grid = positive_int("grid", grid)
    samples = positive_int("samples", samples, minimum=2)  # "mc": checked below (needs N, R)
    max_grade = positive_int("max_grade", max_grade)
    if digits is not None:
        digits = positive_int("digits", digits)
    if not isinstance(qmc, bool):
        raise TypeError(f"qmc={qmc!r}: must be True or False")
    ss = seed_sequence(seed)
    # checked even when the run is in-process (workers) or the rule is a mechanism (inputs)
    workers = positive_int("workers", workers, maximum=max_workers())
    if inputs is not None:
        inputs = positive_int("inputs", inputs)
    if (function is None) == (mechanism is None):
        raise ValueError("function, mechanism: give exactly one of function= or mechanism=")
    if method == "auto":
        method = "grid" if digits is not None else "mc"
    if qmc and method != "pick-freeze":
        raise ValueError(f"qmc=True applies to method 'pick-freeze' only, not {method!r}"
                         + (" (which always uses scrambled Sobol' replicates)"
                            if method == "mc" else ""))
    if digits is not None and method != "grid":
        raise ValueError(f"digits={digits!r} applies to method 'grid' only")
    block = None
    context = None
    assignments = 0.0
    if mechanism is not None:
        f, law, n, m, assignments = _mechanism_rule(mechanism, values, bidders, items)
        block = m
        default_names = "bidder_"  # expanded after the cost check (_names): N may be huge
        context = {"mechanism": mechanism if isinstance(mechanism, str) else
                   getattr(mechanism, "name", str(mechanism)), "bidders": n, "items": m,
                   "values": values if isinstance(values, str) else str(values)}
    else:
        if inputs is None:
            raise ValueError("inputs: function needs inputs N ≥ 1")
        n = positive_int("inputs", inputs)
        if isinstance(function, str):
            f = _Guarded(load_function(function), function)
        elif callable(function):
            f = _Guarded(function, getattr(function, "__name__", "function"))
        else:
            raise TypeError(f"function={function!r}: a callable or 'pkg.module:name'")
        law, m = _marginal("marginal", marginal), 1
        default_names = None
    if names is not None:
        names = tuple(str(x) for x in names)
        if len(names) != n:
            raise ValueError(f"names: {len(names)} names for {n} inputs")
    if mechanism is not None and assignments:
        evaluations = samples * evaluations_per_sample(n, min(max_grade, n), n) if \
            method in MONTE_CARLO or target_rel_ci is not None else \
            math.exp(min(700.0, n * math.log(grid)))
        work_budget("items", m, evaluations * assignments * n * m, max_work=max_work,
                    what=f"evaluations ({assignments:.3g} assignments of {m} items per profile)",
                    lower=("samples" if method in MONTE_CARLO else "grid",))
    if target_rel_ci is not None:  # adaptive budgets (see _adaptive): capped at max_work
        s = _adaptive(f, law, n, m if mechanism is not None else None, method=method,
                      samples=samples, max_grade=max_grade, target_rel_ci=target_rel_ci,
                      seed=ss, max_work=max_work, executor=executor, workers=workers,
                      scheduler=scheduler, progress=progress)
        return dataclasses.replace(s, names=names or _names(default_names, n), context=context)
    if executor != "inline":
        raise ValueError(f"executor={executor!r}: only the adaptive run (target_rel_ci) "
                         "runs in chunks on an executor; the fixed-sample run is in-process")
    _check_work(method, n, m, grid=grid, samples=samples, max_grade=max_grade, digits=digits,
                max_work=max_work, max_memory=max_memory,
                size="inputs" if mechanism is None else "bidders")
    if method == "grid":
        s = grid_spectrum_of(f, law, n, grid=grid, block=block, digits=digits)
    elif method == "mc":
        s = dataclasses.replace(mc_spectrum(f, law, n, max_grade=max_grade, samples=samples,
                                            seed=ss, block=block), method="mc")
    elif method == "pick-freeze":
        s = grade_spectrum_mc(f, law, n, max_grade=max_grade, samples=samples, seed=ss,
                              block=block, qmc=qmc, progress=progress)
        s = dataclasses.replace(s, method="pick-freeze")
    else:
        if block and block > 1:
            raise ValueError(f"items={block}: method 'quad' supports one item only")
        g = f if not block else (lambda x: f(x[..., None]))
        s = grade_spectrum_quad(g, law, n, nodes=grid)
    notes = list(s.notes)
    if mechanism is not None and method not in MONTE_CARLO and \
            not any("O(1/K)" in x for x in notes):
        notes.append(INDICATOR_NOTE)
    return dataclasses.replace(s, notes=tuple(notes), names=names or _names(default_names, n),
                               context=context)


REPLICATES = 8  # the adaptive run's scrambled-Sobol' replicates


def _adaptive(f, law, n: int, block: int | None, *, method: str, samples: int, max_grade: int,
              target_rel_ci, seed, max_work, executor: str, workers, scheduler,
              progress) -> GradeSpectrum:
    """``spectrum(target_rel_ci=…)``: checks, the budget, and the adaptive Owen run."""
    if isinstance(target_rel_ci, bool) or not isinstance(target_rel_ci, numbers.Real) or \
            not 0 < target_rel_ci <= 1:
        raise ValueError(f"target_rel_ci={target_rel_ci!r}: must be a number in (0, 1]")
    if method not in ("auto", "mc"):
        raise ValueError(f"target_rel_ci={target_rel_ci!r}: applies to method 'mc' (Monte "
                         f"Carlo), not {method!r}")
    executor = choice("executor", executor, EXECUTORS)
    workers = positive_int("workers", workers, maximum=max_workers())
    if samples < 2 * REPLICATES:
        raise ValueError(f"samples={samples}: the adaptive run needs at least "
                         f"{2 * REPLICATES} samples (2 per replicate)")
    r = min(max_grade, n)
    per = owen_evaluations_per_sample(n, r, 2, ["cross", "same"])
    values = n * (block or 1)
    limit = MAX_WORK if max_work is None else finite_float("max_work", max_work, low=0.0,
                                                           low_open=True)
    budget = int(min(float(samples) * per, limit / values))
    if budget < 2 * REPLICATES * per:
        raise ValueError(f"max_work={limit:.3g}: too small for the adaptive run's first samples "
                         f"(about {2 * REPLICATES * per * values} evaluations); raise max_work "
                         "(--max-work)")
    config = EngineConfig(executor=executor, workers=workers, scheduler=scheduler,
                          progress=progress)
    return adaptive_spectrum(f, law, n, max_grade=r, target_rel_ci=float(target_rel_ci),
                             max_evaluations=budget, seed=seed, replicates=REPLICATES,
                             block=block, config=config)
