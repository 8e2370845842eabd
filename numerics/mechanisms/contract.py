"""The :class:`~numerics.mechanisms.Mechanism` contract, checked on sample profiles.

:func:`check_mechanism` is what :func:`numerics.mechanisms.register_mechanism` runs before it
accepts a name: a mechanism that breaks the contract would give the engine, the audit and the
spectra wrong numbers, not an error, so it is refused with the requirement it breaks.
"""

from __future__ import annotations

import warnings

import numpy as np

from numerics.registry import ContractError
from numerics.valuations.contract import warned
from numerics.valuations.profiles import KINDS

__all__ = ["ContractError", "check_mechanism", "sample_profiles"]

# Tolerance of the feasibility check Σ_i x_im ≤ 1 and of 0 ≤ x ≤ 1 (rounding in a rule that
# splits an item by division, such as a lottery among k entrants).
_TOL = 1e-9


def sample_profiles(n_bidders: int, n_items: int = 1, batch: int = 64,
                    seed: int = 0) -> np.ndarray:
    """Profiles a contract check evaluates: random values in [0, 1] and the hard cases (all
    values equal, all zero, all one, ties between the two highest).

    Parameters
    ----------
    n_bidders, n_items : int
        N and M of the (batch, N, M) profiles.
    batch : int
        How many random profiles (the hard cases are added).
    seed : int
        Seed of the random profiles.

    Returns
    -------
    numpy.ndarray
        Float array of shape (batch + 4, N, M).

    Examples
    --------
    >>> sample_profiles(3, 2, batch=8).shape
    (12, 3, 2)
    """
    v = np.random.default_rng(seed).random((batch, n_bidders, n_items))
    tie = v[:1].copy()
    tie[0, : min(2, n_bidders)] = 0.7
    hard = np.concatenate([np.full((1, n_bidders, n_items), 0.5), np.zeros((1, n_bidders,
                           n_items)), np.ones((1, n_bidders, n_items)), tie])
    return np.concatenate([v, hard])


def _fail(what: str, requirement: str) -> ContractError:
    return ContractError(f"{what}: {requirement}")


def check_mechanism(mechanism, n_bidders: int, n_items: int = 1, *, name: str | None = None,
                    profiles: np.ndarray | None = None):
    """Check that ``mechanism`` fulfils the :class:`~numerics.mechanisms.Mechanism` contract on
    sample profiles, and return it.

    The requirements, each named by the refusal that breaks it:

    * attributes: ``name`` a string, ``truthful`` a bool, ``kind`` one of
      ``additive``, ``unit_demand``, ``complements``;
    * ``outcome(v)`` of a float array v of shape (batch, N, M) returns a pair ``(x, p)`` of
      float arrays, x of shape (batch, N, M), p of shape (batch, N), all finite;
    * x in [0, 1] and Σ_i x[:, i, m] ≤ 1 (each item given at most once);
    * no warning (numpy's included) on any sample profile, including ties, all-zero and
      all-one profiles;
    * pure and row-wise: v is not modified, the same v gives the same outcome, and each
      profile's outcome does not depend on the other profiles of the batch.

    Parameters
    ----------
    mechanism : Mechanism
        The object to check (any object with ``outcome`` and the attributes above).
    n_bidders, n_items : int
        The profile shape it is checked at.
    name : str, optional
        How the refusal names it (default its ``name`` attribute).
    profiles : numpy.ndarray, optional
        Profiles (batch, N, M) to check on (default :func:`~numerics.mechanisms.sample_profiles`).

    Returns
    -------
    Mechanism
        ``mechanism`` itself.

    Raises
    ------
    ~numerics.registry.ContractError
        (a ``ValueError``) naming the mechanism and the requirement it breaks.

    Examples
    --------
    >>> from numerics.mechanisms import SecondPrice
    >>> check_mechanism(SecondPrice(3), 3).name
    'second_price'
    >>> from numerics.mechanisms import CallableMechanism
    >>> twice = CallableMechanism(lambda v: np.ones_like(v), lambda v: np.zeros(v.shape[:2]),
    ...                           name="everyone_wins")
    >>> check_mechanism(twice, 2)
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    numerics.registry.ContractError: everyone_wins: allocation x must give each ...
    """
    label = name or str(getattr(mechanism, "name", type(mechanism).__name__))
    outcome = getattr(mechanism, "outcome", None)
    if not callable(outcome):
        raise _fail(label, "must have a method outcome(v) -> (x, p)")
    if not isinstance(getattr(mechanism, "name", None), str):
        raise _fail(label, "attribute name must be a string")
    if not isinstance(getattr(mechanism, "truthful", None), bool):
        raise _fail(label, "attribute truthful must be True or False (the claim the audit "
                    "tests)")
    if getattr(mechanism, "kind", None) not in KINDS:
        raise _fail(label, f"attribute kind must be one of {', '.join(KINDS)}")
    v = sample_profiles(n_bidders, n_items) if profiles is None else np.asarray(profiles, float)
    batch = v.shape[0]
    x, p = _evaluate(label, outcome, v)
    if x.shape != v.shape:
        raise _fail(label, f"allocation x must have the profiles' shape (batch, N, M) = "
                    f"{v.shape}, not {x.shape}")
    if p.shape != v.shape[:2]:
        raise _fail(label, f"payments p must have shape (batch, N) = {v.shape[:2]}, not "
                    f"{p.shape}")
    for arr, what in ((x, "allocation x"), (p, "payments p")):
        if not np.issubdtype(arr.dtype, np.floating):
            raise _fail(label, f"{what} must be a float array, not {arr.dtype}")
        if not np.isfinite(arr).all():
            row = int(np.argwhere(~np.isfinite(arr))[0][0])
            raise _fail(label, f"{what} must be finite; profile {row} gives "
                        f"{arr[row].tolist()}")
    if (x < -_TOL).any() or (x > 1 + _TOL).any():
        row = int(np.argwhere((x < -_TOL) | (x > 1 + _TOL))[0][0])
        raise _fail(label, f"allocation x must lie in [0, 1]; profile {row} gives "
                    f"{x[row].tolist()}")
    total = x.sum(axis=1)
    if (total > 1 + _TOL).any():
        row, item = (int(i) for i in np.argwhere(total > 1 + _TOL)[0])
        raise _fail(label, "allocation x must give each item at most once "
                    f"(Σ_i x[:, i, m] ≤ 1); profile {row} gives item {item} "
                    f"{total[row, item]:g} times")
    x2, p2 = _evaluate(label, outcome, v)
    if not (np.array_equal(x, x2) and np.array_equal(p, p2)):
        raise _fail(label, "outcome must be pure: the same profiles gave another outcome on "
                    "a second call")
    # every other profile, in reverse order: a rule that reads across rows (a batch mean, a
    # sort over the batch) changes some row's outcome
    rows = np.arange(batch)[::-2]
    xr, pr = _evaluate(label, outcome, v[rows])
    if not (np.allclose(xr, x[rows], atol=_TOL) and np.allclose(pr, p[rows], atol=_TOL)):
        raise _fail(label, "outcome must be row-wise: a profile's outcome changed when the "
                    "batch was reordered and halved (it must not depend on the other "
                    "profiles)")
    return mechanism


def _evaluate(label: str, outcome, v: np.ndarray):
    """outcome(v) on a copy of v, with every warning an error and v's purity checked."""
    given = v.copy()
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        try:
            out = outcome(given)
        except (FloatingPointError, Warning) as exc:
            raise _fail(label, "outcome must not warn on valid profiles (ties, zeros, ones "
                        f"included); {warned(exc)}") from None
        except Exception as exc:  # the user's rule failed: say where, not a traceback
            raise _fail(label, f"outcome(v) must accept float profiles of shape (batch, N, M) "
                        f"= {v.shape}; it raised {type(exc).__name__}: {exc}") from None
    if not np.array_equal(given, v):
        raise _fail(label, "outcome must not modify the profiles it is given")
    if not (isinstance(out, tuple) and len(out) == 2):
        raise _fail(label, "outcome(v) must return a pair (x, p)")
    return np.asarray(out[0]), np.asarray(out[1])
