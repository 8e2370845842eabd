"""The ``Mechanism`` interface: a pure, vectorised map from reported profiles to outcomes.

v has shape (batch, N, M); ``outcome(v)`` returns the allocation x (batch, N, M) in [0, 1] with
Σ_i x[:, i, m] ≤ 1 and payments p (batch, N). Bidder i's value of x_i is ``value(v, x)``
(additive by default; see :func:`numerics.valuations.bundle_value`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from numerics.valuations.profiles import bundle_value


def as_profile(v) -> np.ndarray:
    """Coerce (batch, N) or (batch, N, M) reports to a float array of shape (batch, N, M).

    >>> as_profile(np.zeros((2, 3))).shape
    (2, 3, 1)
    """
    v = np.asarray(v, dtype=float)
    if v.ndim == 2:
        v = v[:, :, None]
    if v.ndim != 3:
        raise ValueError(f"profiles must have shape (batch, N[, M]); got {v.shape}")
    return v


class Mechanism:
    """A mechanism: a pure, vectorised map from reported profiles to (allocation, payments).

    Subclasses implement :meth:`outcome`; the rest has defaults. The contract, which
    :func:`~numerics.mechanisms.check_mechanism` tests (and
    :func:`~numerics.mechanisms.register_mechanism` runs before it accepts a name):

    * ``outcome(v)`` takes a float array v of shape (batch, N, M) — batch profiles of N
      bidders' reported values for M items — and returns a pair ``(x, p)`` of finite float
      arrays: the allocation x of shape (batch, N, M), with entries in [0, 1] and
      Σ_i x[:, i, m] ≤ 1 (each item given at most once; fractions are lotteries), and the
      payments p of shape (batch, N);
    * it is pure and row-wise: it does not modify v, the same v gives the same outcome, and a
      profile's outcome does not depend on the other profiles in the batch (the engine splits
      and regroups batches freely; results must not depend on how);
    * it does not warn (numpy's warnings included) on any valid profile, ties and all-zero or
      all-one profiles among them: a warning in the middle of a run is noise the user cannot
      act on.

    Attributes
    ----------
    name : str
        How results and messages name it.
    truthful : bool
        Whether it claims to be dominant-strategy truthful: the claim the incentive audit
        (``latent.simulate``'s regret) tests.
    kind : str
        How a bidder values a bundle: ``additive``, ``unit_demand`` or ``complements``
        (:func:`~numerics.valuations.bundle_value`).
    synergy : float
        The bundle bonus of ``complements``.
    """

    name: str = "mechanism"
    truthful: bool = False
    kind: str = "additive"
    synergy: float = 0.0

    def outcome(self, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The allocation x (batch, N, M) and payments p (batch, N) of the profiles v
        (batch, N, M): float arrays, see the class's contract."""
        raise NotImplementedError

    def compact(self, v: np.ndarray):
        """Optional fast path for single-item rules that sell, if at all, to the highest report:
        (highest report, price, sold) per profile, or None. Same outcome as ``outcome``."""
        return None

    def item_rule(self, m: int):
        """The rule that decides item ``m`` alone, from the reports for item ``m`` only, when
        the mechanism is separable across items (utilities additive); None when it is not (the
        default). The regret audit then moves one item's auction per misreport of that item."""
        return None

    def profile_cost(self) -> float:
        """Cost of one profile's outcome in elementary evaluations (the unit of the cost
        models, about 10^-8 s), when it is more than its N·M values: a solver run per profile
        (0, the default, when the outcome is vectorised over the batch)."""
        return 0.0

    def allocation(self, v) -> np.ndarray:
        """x of the profiles v, given as (batch, N) or (batch, N, M)."""
        return self.outcome(as_profile(v))[0]

    def payments(self, v) -> np.ndarray:
        """p of the profiles v, given as (batch, N) or (batch, N, M)."""
        return self.outcome(as_profile(v))[1]

    def value(self, v: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Each bidder's value (batch, N) of allocation x at true types v."""
        return bundle_value(v, x, self.kind, self.synergy)

    def to_dict(self) -> dict:
        """Name, claim and bundle kind, for a result's JSON document."""
        return {"mechanism": self.name, "truthful_by_design": self.truthful, "kind": self.kind}


@dataclass(frozen=True, eq=False)
class CallableMechanism(Mechanism):
    """Wrap user callables ``allocation(v)`` and ``payments(v)`` for auditing.

    >>> m = CallableMechanism(lambda v: np.ones_like(v) / v.shape[1],
    ...                       lambda v: np.zeros(v.shape[:2]))
    >>> m.allocation(np.zeros((1, 2, 1))).ravel().tolist()
    [0.5, 0.5]
    """

    alloc_fn: Callable
    pay_fn: Callable
    name: str = "callable"
    kind: str = "additive"
    synergy: float = 0.0

    def outcome(self, v):
        return np.asarray(self.alloc_fn(v), float), np.asarray(self.pay_fn(v), float)


def one_hot_winner(batch: int, n: int, winner: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """x (batch, N, 1) with a 1 at ``winner`` where ``mask`` holds.

    >>> one_hot_winner(2, 3, np.array([2, 0]), np.array([True, False]))[:, :, 0].tolist()
    [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    """
    x = np.zeros((batch, n, 1))
    rows = np.nonzero(mask)[0]
    x[rows, winner[rows], 0] = 1.0
    return x
