"""Single-item mechanisms: posted price, lottery, second price (reserves), first price, Myerson.

Myerson (1981): allocate to the highest ironed virtual value ψ̄_i(v_i) if it is positive (ties
split equally) and charge by the payment identity p_i = v_i x_i(v) − ∫_lo^{v_i} x_i(t, v_{−i}) dt,
which for the step allocation in t gives p = t_hi − (t_hi − t_lo)/(k+1) for an outright winner
(t_lo, t_hi the generalised inverses of ψ̄_i at the competing value c, k the others tied at c)
and p = t_lo/(k+1) for a tied winner.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.integrate import cumulative_trapezoid

from numerics.mechanisms.base import Mechanism, as_profile, one_hot_winner


def _v2(v: np.ndarray) -> np.ndarray:
    if v.shape[2] != 1:
        raise ValueError("single-item mechanism given M > 1 items (use an item-wise wrapper)")
    return v[:, :, 0]


@dataclass(frozen=True, eq=False)
class PostedPrice(Mechanism):
    """Sequential posted price: the first bidder (in index order) with v_i ≥ price buys at price.

    >>> x, p = PostedPrice(2, 0.5).outcome(np.array([[[0.2], [0.7]]]))
    >>> x.ravel().tolist(), p.ravel().tolist()
    ([0.0, 1.0], [0.0, 0.5])
    """

    n: int
    price: float = 0.5
    name: str = field(default="posted_price", init=False)
    truthful: bool = field(default=True, init=False)

    def outcome(self, v):
        b = _v2(v)
        ok = b >= self.price
        first = np.argmax(ok, axis=1)
        has = ok.any(axis=1)
        x = one_hot_winner(b.shape[0], b.shape[1], first, has)
        return x, self.price * x[:, :, 0]


@dataclass(frozen=True, eq=False)
class Lottery(Mechanism):
    """Uniform lottery among bidders with v_i ≥ price; each entrant gets 1/k and pays price/k.

    >>> x, p = Lottery(3, 0.0).outcome(np.ones((1, 3, 1)))
    >>> [round(a, 4) for a in x.ravel().tolist()]
    [0.3333, 0.3333, 0.3333]
    """

    n: int
    price: float = 0.0
    name: str = field(default="lottery", init=False)
    truthful: bool = field(default=True, init=False)

    def outcome(self, v):
        ok = (_v2(v) >= self.price).astype(float)
        k = ok.sum(axis=1, keepdims=True)
        share = np.divide(ok, k, out=np.zeros_like(ok), where=k > 0)
        return share[:, :, None], self.price * share


@dataclass(frozen=True, eq=False)
class SecondPrice(Mechanism):
    """Vickrey with reserve(s): highest bid among v_i ≥ r_i wins, pays max(r_i, best other bid).

    >>> x, p = SecondPrice(3, 0.5).outcome(np.array([[[0.9], [0.6], [0.1]], [[0.2], [0.4], [0.1]]]))
    >>> x[:, :, 0].tolist(), p.tolist()
    ([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [[0.6, 0.0, 0.0], [0.0, 0.0, 0.0]])
    """

    n: int
    reserve: float | tuple = 0.0
    name: str = field(default="second_price", init=False)
    truthful: bool = field(default=True, init=False)

    def outcome(self, v):
        b = _v2(v)
        batch, n = b.shape
        r = np.broadcast_to(np.asarray(self.reserve, float), (n,))
        uniform_r = bool(np.all(r == r[0]))
        bb = np.where(b >= r, b, -np.inf) if np.any(r > -np.inf) else b
        w = np.argmax(bb, axis=1)
        rows = np.arange(batch)
        top = bb[rows, w]
        has = top > -np.inf
        second = np.partition(bb, n - 2, axis=1)[:, n - 2] if n > 1 else np.full(batch, -np.inf)
        price = np.maximum(second, r[0] if uniform_r else r[w])
        x = one_hot_winner(batch, n, w, has)
        p = x[:, :, 0] * np.where(has, price, 0.0)[:, None]
        return x, p

    def compact(self, v):
        r = np.asarray(self.reserve, float)
        if r.ndim or v.shape[2] != 1 or v.shape[1] < 2:
            return None
        part = np.partition(v.reshape(v.shape[0], v.shape[1]), v.shape[1] - 2, axis=1)
        top = part[:, -1]
        return top, np.maximum(part[:, -2], r), top >= r


def equilibrium_bid_table(valuation, n: int, grid: int = 4097):
    """(t, b(t)) on a value grid for the symmetric first-price BNE b(v) = E[Y | Y < v],
    Y = max of n−1 iid draws: b(v) = v − ∫_lo^v F(s)^{n−1} ds / F(v)^{n−1}.

    >>> from numerics.valuations import Uniform
    >>> t, b = equilibrium_bid_table(Uniform(), 4)
    >>> bool(np.allclose(b, 0.75 * t, atol=1e-5))
    True
    """
    if getattr(valuation, "is_discrete", False):
        raise ValueError("first-price equilibrium: discrete values have no pure symmetric BNE")
    u = np.concatenate(
        [
            [0.0],
            np.geomspace(1e-8, 1e-2, 256),
            np.linspace(1e-2, 1.0 - 1e-4, grid),
            1.0 - np.geomspace(1e-4, 1e-10, 64),
        ]
    )
    t = np.unique(np.asarray(valuation.quantile(u), float))
    t = t[np.isfinite(t)]
    g = np.asarray(valuation.cdf(t), float) ** (n - 1)
    integral = cumulative_trapezoid(g, t, initial=0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(g > 0, t - integral / g, t)
    return t, b


@dataclass(frozen=True, eq=False)
class FirstPrice(Mechanism):
    """Pay-your-bid. ``valuation=None``: reports are bids (truthful bidding is NOT optimal);
    with an iid ``valuation``: the direct mechanism bidding b(v) = E[Y | Y < v] (BNE, not DSIC).

    >>> x, p = FirstPrice(2).outcome(np.array([[[0.3], [0.8]]]))
    >>> p.tolist()
    [[0.0, 0.8]]
    """

    n: int
    valuation: object = None
    name: str = field(default="first_price", init=False)
    truthful: bool = field(default=False, init=False)

    @cached_property
    def bid_table(self):
        return equilibrium_bid_table(self.valuation, self.n)

    def bid(self, v: np.ndarray) -> np.ndarray:
        """The bid submitted for report v."""
        if self.valuation is None:
            return v
        t, b = self.bid_table
        # beyond the table the bid's slope is ≈ 1 (b(v) ≈ v − const as F(v) → 1)
        return np.where(v > t[-1], b[-1] + (v - t[-1]), np.interp(v, t, b))

    def outcome(self, v):
        bids = self.bid(_v2(v))
        w = np.argmax(bids, axis=1)
        rows = np.arange(bids.shape[0])
        x = one_hot_winner(bids.shape[0], bids.shape[1], w, np.ones(bids.shape[0], bool))
        return x, x[:, :, 0] * bids[rows, w][:, None]


@dataclass(frozen=True, eq=False)
class Myerson(Mechanism):
    """Myerson's optimal auction for independent bidders with marginals F_i (ironed if needed).

    >>> from numerics.valuations import Uniform
    >>> x, p = Myerson((Uniform(),) * 2).outcome(np.array([[[0.9], [0.3]], [[0.2], [0.4]]]))
    >>> x[:, :, 0].tolist(), p.tolist()
    ([[1.0, 0.0], [0.0, 0.0]], [[0.5, 0.0], [0.0, 0.0]])
    """

    marginals: tuple
    name: str = field(default="myerson", init=False)
    truthful: bool = field(default=True, init=False)

    @property
    def n(self) -> int:
        return len(self.marginals)

    @cached_property
    def _fast_mech(self):
        f = self.marginals[0]
        if all(m is f for m in self.marginals) and f.is_regular and not f.is_discrete:
            return SecondPrice(self.n, f.monopoly_price())
        return None

    def _fast(self):
        return self._fast_mech

    def compact(self, v):
        fast = self._fast()
        return fast.compact(v) if fast is not None else None

    def _winners(self, b: np.ndarray):
        """Ironed virtual values φ, the top set (φ_i = max φ > 0), its size and x."""
        batch, n = b.shape
        phi = np.stack([m.ironed_virtual_value(b[:, i]) for i, m in enumerate(self.marginals)], 1)
        m1 = phi.max(axis=1)
        top = (phi == m1[:, None]) & (m1[:, None] > 0)
        n_top = top.sum(axis=1)
        x = np.divide(top, n_top[:, None], out=np.zeros((batch, n)), where=n_top[:, None] > 0)
        return phi, m1, top, n_top, x

    def allocation(self, v) -> np.ndarray:
        """x alone (the payments' inverse virtual values are half the work of ``outcome``)."""
        fast = self._fast()
        if fast is not None:
            return fast.allocation(v)
        return self._winners(_v2(as_profile(v)))[4][:, :, None]

    def outcome(self, v):
        fast = self._fast()
        if fast is not None:  # iid regular: ψ strictly increasing, so a reserve at ψ⁻¹(0)
            return fast.outcome(v)
        b = _v2(v)
        batch, n = b.shape
        phi, m1, top, n_top, x = self._winners(b)
        m2 = np.partition(phi, n - 2, axis=1)[:, n - 2] if n > 1 else np.full(batch, -np.inf)
        p = np.zeros((batch, n))
        for i, marg in enumerate(self.marginals):
            rows = np.nonzero(top[:, i])[0]
            if rows.size == 0:
                continue
            alone = n_top[rows] == 1
            c = np.where(alone, m2[rows], m1[rows])
            c = np.maximum(c, 0.0)
            others = np.delete(phi[rows], i, axis=1)
            k = np.where(c > 0, (others == c[:, None]).sum(axis=1), 0)
            t_lo, t_hi = marg.ironed_inverse(c)
            # exact inverses satisfy t_lo ≤ t_hi ≤ v_i for a winner; clip interpolation error
            t_hi = np.minimum(t_hi, b[rows, i])
            t_lo = np.minimum(t_lo, t_hi)
            share = np.where(c > 0, 1.0 / (k + 1), 0.0)
            with np.errstate(invalid="ignore"):  # t_hi = ∞ only on tied rows, unused there
                pay_alone = t_hi - (t_hi - t_lo) * share
            pay_tied = t_lo / n_top[rows]
            p[rows, i] = np.where(alone, pay_alone, pay_tied)
        return x[:, :, None], p
