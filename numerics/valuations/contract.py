"""The :class:`~numerics.valuations.Valuation` contract, checked on a grid of probabilities.

:func:`check_valuation` is what :func:`numerics.valuations.register_valuation` runs before it
accepts a name: the engine samples by ``quantile``, Myerson's rule inverts ``cdf`` and ``pdf``,
the cost and overflow checks read ``support`` and ``mean``; a law that breaks the contract would
give wrong numbers (or numpy warnings in the middle of a run), so it is refused with the
requirement it breaks.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from numerics.registry import ContractError

__all__ = ["check_valuation", "warned"]

# Probabilities the check evaluates: both ends (quantile(0) and quantile(1.0) must not warn),
# the far tails, and a regular grid.
_U = np.concatenate([[0.0, 1e-12, 1e-6], np.linspace(0.001, 0.999, 999),
                     [1 - 1e-6, 1 - 1e-12, 1.0]])
# How far F(F⁻¹(u)) may fall below u (a numerical inverse, e.g. by bisection).
_INVERSE_TOL = 1e-6


def check_valuation(law, *, name: str | None = None):
    """Check that ``law`` fulfils the :class:`~numerics.valuations.Valuation` contract, and
    return it.

    The requirements, each named by the refusal that breaks it:

    * ``support`` is a pair (lo, hi) of floats with lo < hi (±inf allowed); ``mean`` is a
      finite float in it; ``is_discrete`` is a bool;
    * ``quantile(u)``, ``cdf(x)`` and ``pdf(x)`` (continuous laws) are vectorised: an array of
      shape S gives a float array of shape S;
    * none of them warns (numpy's included) on valid input: ``quantile`` on all of [0, 1],
      both ends included (``quantile(1.0)`` is hi, possibly inf, without a warning),
      ``cdf`` and ``pdf`` anywhere, outside the support too;
    * ``quantile`` is non-decreasing, finite on (0, 1) and within the support;
    * ``cdf`` is non-decreasing, in [0, 1], 0 below the support and 1 above it, and inverts
      ``quantile``: F(F⁻¹(u)) ≥ u (to 1e-6), equal where F is continuous;
    * ``pdf`` (continuous laws) is finite and ≥ 0;
    * ``mean`` matches the quantile function's average (bounded supports; to 1% of the
      support's width);
    * ``sample(rng, size)`` gives an array of shape ``size`` within the support.

    Parameters
    ----------
    law : Valuation
        The law to check (any object with the methods above).
    name : str, optional
        How the refusal names it (default its type).

    Returns
    -------
    Valuation
        ``law`` itself.

    Raises
    ------
    ~numerics.registry.ContractError
        (a ``ValueError``) naming the law and the requirement it breaks.

    Examples
    --------
    >>> from numerics.valuations import Uniform
    >>> check_valuation(Uniform(0.0, 2.0)).mean
    1.0
    >>> class Half(Uniform):
    ...     @property
    ...     def mean(self):
    ...         return 0.25  # wrong: U[0, 1]'s mean is 1/2
    >>> check_valuation(Half(), name="half")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    numerics.registry.ContractError: half: mean must match the quantile function's ...
    """
    label = name or type(law).__name__

    def fail(requirement: str) -> ContractError:
        return ContractError(f"{label}: {requirement}")

    for method in ("cdf", "pdf", "quantile", "sample"):
        if not callable(getattr(law, method, None)):
            raise fail(f"must have a method {method}")
    discrete = _call(fail, "is_discrete", lambda: law.is_discrete)
    if not isinstance(discrete, bool):
        raise fail("attribute is_discrete must be True or False")
    support = _call(fail, "support", lambda: law.support)
    if not (isinstance(support, tuple) and len(support) == 2
            and all(isinstance(e, float | int) for e in support)):
        raise fail(f"support must be a pair (lo, hi) of floats, not {support!r}")
    lo, hi = map(float, support)
    if not lo < hi:  # also refuses NaN
        raise fail(f"support (lo, hi) must have lo < hi, not {support!r}")
    mean = _call(fail, "mean", lambda: law.mean)
    if not (isinstance(mean, float | int) and math.isfinite(mean) and lo <= mean <= hi):
        raise fail(f"mean must be a finite float within the support {support!r}, not "
                   f"{mean!r}")

    q = _array(fail, "quantile", law.quantile, _U)
    inner = q[1:-1]
    if not np.isfinite(inner).all():
        raise fail("quantile(u) must be finite for 0 < u < 1; quantile("
                   f"{_U[1:-1][~np.isfinite(inner)][0]:g}) = {inner[~np.isfinite(inner)][0]}")
    if (np.diff(q) < 0).any():
        k = int(np.argmax(np.diff(q) < 0))
        raise fail(f"quantile must be non-decreasing; quantile({_U[k + 1]:g}) = {q[k + 1]:g} < "
                   f"quantile({_U[k]:g}) = {q[k]:g}")
    if (q < lo).any() or (q > hi).any() or np.isnan(q).any():
        k = int(np.argmax((q < lo) | (q > hi) | np.isnan(q)))
        raise fail(f"quantile(u) must lie within the support {support!r}; quantile({_U[k]:g}) "
                   f"= {q[k]}")

    outside = [x for x in (lo - 1.0, hi + 1.0) if math.isfinite(x)]
    x = np.concatenate([inner, outside])
    f = _array(fail, "cdf", law.cdf, x)
    if ((f < 0) | (f > 1) | np.isnan(f)).any():
        raise fail("cdf(x) must lie in [0, 1]")
    order = np.argsort(x, kind="stable")
    if (np.diff(f[order]) < -1e-12).any():
        raise fail("cdf must be non-decreasing")
    if math.isfinite(lo) and f[inner.size] != 0.0:
        raise fail(f"cdf must be 0 below the support: cdf({lo - 1.0:g}) = {f[inner.size]:g}")
    if math.isfinite(hi) and f[-1] != 1.0:
        raise fail(f"cdf must be 1 above the support: cdf({hi + 1.0:g}) = {f[-1]:g}")
    fq, u = f[: inner.size], _U[1:-1]
    gap = fq - u
    if (gap < -_INVERSE_TOL).any():  # = u where F is continuous, > u at an atom
        k = int(np.argmin(gap))
        raise fail(f"cdf must invert quantile (F(F⁻¹(u)) ≥ u, = u where F is continuous); "
                   f"F(F⁻¹({u[k]:g})) = {fq[k]:g}")
    if not discrete:
        dens = _array(fail, "pdf", law.pdf, x)
        if not (np.isfinite(dens).all() and (dens >= 0).all()):
            raise fail("pdf(x) must be finite and ≥ 0")
    if math.isfinite(lo) and math.isfinite(hi):
        mid = np.asarray(law.quantile((np.arange(20000) + 0.5) / 20000), dtype=float)
        if abs(float(mid.mean()) - mean) > 0.01 * (hi - lo):
            raise fail(f"mean must match the quantile function's average: mean = {mean:g}, "
                       f"∫ F⁻¹(u) du ≈ {float(mid.mean()):g}")
    draws = _call(fail, "sample", lambda: law.sample(np.random.default_rng(0), (5, 3)))
    draws = np.asarray(draws)
    if draws.shape != (5, 3):
        raise fail(f"sample(rng, size) must return an array of shape size = (5, 3), not "
                   f"{draws.shape}")
    if ((draws < lo) | (draws > hi) | np.isnan(draws)).any():
        raise fail(f"sample(rng, size) must draw within the support {support!r}")
    return law


def warned(exc: BaseException) -> str:
    """What a warning raised as an error says: numpy's floating-point ones (raised as
    FloatingPointError under ``np.errstate(all="raise")``) by their text, others by type.

    >>> warned(FloatingPointError("divide by zero encountered in log"))
    'numpy warned: divide by zero encountered in log'
    """
    if isinstance(exc, FloatingPointError):
        return f"numpy warned: {exc}"
    return f"it warned {type(exc).__name__}: {exc}"


def _call(fail, what: str, thunk):
    """``thunk()`` with every warning an error; a failure is the refusal, naming ``what``."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        try:
            return thunk()
        except (FloatingPointError, Warning) as exc:
            raise fail(f"{what} must not warn on valid input; {warned(exc)}") from None
        except Exception as exc:  # the user's law failed: say where, not a traceback
            raise fail(f"{what} raised {type(exc).__name__}: {exc}") from None


def _array(fail, what: str, method, points: np.ndarray) -> np.ndarray:
    """``method(points)`` (flat) and ``method`` of the same points as a (k, 3) array: float
    results of the input's shape, no warning."""
    out = np.asarray(_call(fail, f"{what}(…)", lambda: method(points)))
    if out.shape != points.shape or not np.issubdtype(out.dtype, np.floating):
        raise fail(f"{what} must be vectorised: an array of shape {points.shape} gave "
                   f"{out.dtype} of shape {out.shape}")
    grid = points[: points.size // 3 * 3].reshape(-1, 3)
    out2 = np.asarray(_call(fail, f"{what}(…)", lambda: method(grid)))
    if out2.shape != grid.shape:
        raise fail(f"{what} must be vectorised: an array of shape {grid.shape} gave shape "
                   f"{out2.shape}")
    return out.astype(float)
