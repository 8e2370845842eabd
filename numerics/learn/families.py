"""Single-item mechanism families that are DSIC for every parameter value: threshold rules.

Each rule gives bidder i a threshold t_i(b_{−i}; θ) that depends on the OTHERS' bids only; i wins
iff b_i ≥ t_i and pays t_i. Then truthful bidding is dominant for every θ (Myerson's
characterisation: monotone allocation, threshold payment), and a winner never pays more than
her bid (ex-post IR). At most one bidder clears her threshold except on ties (measure zero);
ties go to the lowest index.

* :class:`ReserveSecondPrice` — highest bid among b_j ≥ r_j wins, t_i = max(r_i, max eligible
  other bid);
* :class:`AffineMaximizer` — scores s_j = w_j b_j + β_j, no-sale score 0; the top positive score
  wins; t_i = max(0, (max(0, max_{j≠i} s_j) − β_i)/w_i): the VCG-style (affine) payment;
* :class:`SequentialPostedPrice` — bidders visited in ``order``; the first with b_i ≥ p_i buys
  at p_i (t_i = p_i if no earlier bidder accepts, else ∞). One price for all = posted price.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from numerics.mechanisms.base import Mechanism


def others_max(a: np.ndarray) -> np.ndarray:
    """max_{j≠i} a_j for every i, shape (batch, N) (−∞ when N = 1).

    >>> others_max(np.array([[1.0, 3.0, 2.0]])).tolist()
    [[3.0, 2.0, 3.0]]
    """
    batch, n = a.shape
    if n == 1:
        return np.full_like(a, -np.inf)
    top = np.argmax(a, axis=1)
    rows = np.arange(batch)
    m1 = a[rows, top]
    m2 = np.partition(a, n - 2, axis=1)[:, n - 2]
    out = np.repeat(m1[:, None], n, axis=1)
    out[rows, top] = m2
    return out


def threshold_outcome(b: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Allocation (batch, N, 1) and payments (batch, N) of a threshold rule.

    >>> x, p = threshold_outcome(np.array([[0.9, 0.5]]), np.array([[0.5, 0.9]]))
    >>> x[:, :, 0].tolist(), p.tolist()
    ([[1.0, 0.0]], [[0.5, 0.0]])
    """
    ok = b >= t
    has = ok.any(axis=1)
    first = np.argmax(ok, axis=1)
    batch, n = b.shape
    x = np.zeros((batch, n))
    rows = np.nonzero(has)[0]
    x[rows, first[rows]] = 1.0
    p = np.where(x > 0, np.where(np.isfinite(t), t, 0.0), 0.0)
    return x[:, :, None], p


class ThresholdMechanism(Mechanism):
    """A single-item rule given by thresholds t_i(b_{−i}); subclasses define ``thresholds``."""

    truthful = True

    def thresholds(self, b: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def outcome(self, v):
        if v.shape[2] != 1:
            raise ValueError("single-item mechanism given M > 1 items")
        b = v[:, :, 0]
        return threshold_outcome(b, self.thresholds(b))


@dataclass(frozen=True, eq=False)
class ReserveSecondPrice(ThresholdMechanism):
    """Second price with per-bidder reserves r_i.

    >>> m = ReserveSecondPrice((0.5, 0.2))
    >>> m.payments(np.array([[0.9, 0.3], [0.4, 0.3]])).tolist()
    [[0.5, 0.0], [0.0, 0.2]]
    """

    reserves: tuple
    name: str = field(default="reserve_second_price", init=False)

    def thresholds(self, b):
        r = np.asarray(self.reserves, float)
        eligible = np.where(b >= r, b, -np.inf)
        return np.maximum(r, others_max(eligible))

    def to_dict(self) -> dict:
        return {**super().to_dict(), "reserves": list(self.reserves)}


@dataclass(frozen=True, eq=False)
class AffineMaximizer(ThresholdMechanism):
    """Affine maximizer: weights w_i > 0, boosts β_i, no-sale score 0.

    >>> m = AffineMaximizer((1.0, 2.0), (0.0, -0.5))   # scores b_1 and 2 b_2 − 0.5
    >>> m.payments(np.array([[0.9, 0.6], [0.1, 0.4]])).tolist()
    [[0.7, 0.0], [0.0, 0.3]]
    """

    weights: tuple
    boosts: tuple
    name: str = field(default="affine_maximizer", init=False)

    def __post_init__(self):
        if np.any(np.asarray(self.weights, float) <= 0):
            raise ValueError("affine maximizer: weights must be positive")

    def thresholds(self, b):
        w = np.asarray(self.weights, float)
        beta = np.asarray(self.boosts, float)
        beat = np.maximum(0.0, others_max(w * b + beta))
        return np.maximum(0.0, (beat - beta) / w)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "weights": list(self.weights), "boosts": list(self.boosts)}


@dataclass(frozen=True, eq=False)
class SequentialPostedPrice(ThresholdMechanism):
    """Offer p_i to the bidders in ``order`` (default: by decreasing price); first taker buys.

    >>> m = SequentialPostedPrice((0.5, 0.8))      # bidder 2 (price 0.8) is asked first
    >>> m.payments(np.array([[0.9, 0.85], [0.9, 0.3]])).tolist()
    [[0.0, 0.8], [0.5, 0.0]]
    """

    prices: tuple
    order: tuple | None = None
    name: str = field(default="sequential_posted_price", init=False)

    @property
    def visit(self) -> np.ndarray:
        if self.order is not None:
            return np.asarray(self.order, int)
        return np.argsort(-np.asarray(self.prices, float), kind="stable")

    def thresholds(self, b):
        p = np.asarray(self.prices, float)
        order = self.visit
        accept = (b >= p)[:, order]
        earlier = np.cumsum(accept, axis=1) - accept > 0
        t_ord = np.where(earlier, np.inf, p[order])
        t = np.empty_like(t_ord)
        t[:, order] = t_ord
        return t

    def to_dict(self) -> dict:
        return {**super().to_dict(), "prices": list(self.prices), "order": self.visit.tolist()}
