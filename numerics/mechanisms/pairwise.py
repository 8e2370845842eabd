"""Seed 000 §3.2's grade-2 pairwise mechanism, with payments from Myerson's payment identity.

Allocation (single item, N ≥ 2 bidders): every pair {i, j} is a contest won by the higher
virtual value, and bidder i receives the item with probability (number of pairwise wins)/C(N,2):

    x_i(v) = (1/C(N,2)) Σ_{j≠i} 1[ψ_i(v_i) > c_j],   c_j = ψ_j(v_j)  (or max(ψ_j, 0) with reserve)

— exactly of the grade-2 form a_i(v_i) + Σ_j b_ij(v_i, v_j). Payments come from the identity
p_i = v_i x_i − ∫_lo^{v_i} x_i(t, v_{−i}) dt; taking expectations over v_{−i} this is the
identity for the interim allocation X_i(v_i) = E x_i. Truthful iff x_i is monotone in v_i, which
holds exactly when ψ_i is non-decreasing; ``monotonicity()`` reports ex post and interim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from numerics.mechanisms.base import Mechanism


@dataclass(frozen=True)
class PairwiseMonotonicity:
    """Whether the grade-2 pairwise rule is monotone, per bidder, ex post and interim."""

    ex_post_monotone: tuple
    interim_monotone: tuple
    max_interim_decrease: tuple
    worst_value: tuple
    grid_points: int

    @property
    def monotone(self) -> bool:
        return all(self.interim_monotone) and all(self.ex_post_monotone)

    def to_dict(self) -> dict:
        return {
            "monotone": self.monotone,
            "ex_post_monotone": list(self.ex_post_monotone),
            "interim_monotone": list(self.interim_monotone),
            "max_interim_decrease": list(self.max_interim_decrease),
            "worst_value": list(self.worst_value),
            "grid_points": self.grid_points,
        }


def _cells(marginal, k: int):
    u = np.linspace(0.0, 1.0 - 1e-6, k + 1)
    edges = np.asarray(marginal.quantile(u), float)
    return edges, 0.5 * (edges[1:] + edges[:-1]), np.diff(edges)


@dataclass(frozen=True, eq=False)
class PairwiseGrade2(Mechanism):
    """Grade-2 pairwise mechanism of Nagy (Latent Compression) §3.2 (see module docstring).

    >>> from numerics.valuations import Uniform
    >>> m = PairwiseGrade2((Uniform(),) * 3)
    >>> x, p = m.outcome(np.array([[[0.9], [0.5], [0.1]]]))
    >>> [round(float(a), 4) for a in x.ravel()], [round(float(a), 4) for a in p.ravel()]
    ([0.6667, 0.3333, 0.0], [0.2, 0.0333, 0.0])
    >>> m.monotonicity().monotone
    True
    """

    marginals: tuple
    reserve: bool = False
    ironed: bool = False
    table_size: int = 2048
    name: str = field(default="pairwise", init=False)

    @property
    def truthful(self) -> bool:
        return all(self.monotonicity().ex_post_monotone)

    @property
    def n(self) -> int:
        return len(self.marginals)

    def psi(self, i: int, t):
        m = self.marginals[i]
        out = m.ironed_virtual_value(t) if self.ironed else m.virtual_value(t)
        return np.nan_to_num(np.asarray(out, float), nan=-np.inf)

    def _monotone_psi(self, i: int) -> bool:
        return self.ironed or self.marginals[i].is_regular

    @cached_property
    def _tables(self):
        """Per bidder: (edges, sorted ψ, T) with T[a, b] = |{t < edges[b]: rank ψ(t) ≥ a}|."""
        out = []
        for i, m in enumerate(self.marginals):
            if self._monotone_psi(i):
                out.append(None)
                continue
            edges, mid, dt = _cells(m, self.table_size)
            psi = self.psi(i, mid)
            order = np.argsort(psi, kind="stable")
            rank = np.empty_like(order)
            rank[order] = np.arange(order.size)
            mask = rank[None, :] >= np.arange(order.size + 1)[:, None]
            t = np.concatenate([np.zeros((order.size + 1, 1)), np.cumsum(mask * dt, axis=1)], 1)
            out.append((edges, psi[order], rank, t))
        return out

    def _superlevel_length(self, i: int, c: np.ndarray, v: np.ndarray) -> np.ndarray:
        """L_i(c, v) = |{t ∈ [lo, v]: ψ_i(t) > c}|."""
        tab = self._tables[i]
        if tab is None:  # ψ non-decreasing: the set is [t_hi(c), v]
            _, t_hi = self.marginals[i].ironed_inverse(c)
            return np.maximum(v - t_hi, 0.0)
        edges, spsi, rank, t = tab
        a = np.searchsorted(spsi, c, side="right")
        b = np.clip(np.searchsorted(edges, v, side="right") - 1, 0, edges.size - 2)
        part = np.clip(v - edges[b], 0.0, edges[b + 1] - edges[b]) * (rank[b] >= a)
        return t[a, b] + part

    def outcome(self, v):
        if v.shape[2] != 1 or self.n < 2:
            raise ValueError("pairwise: single item and N ≥ 2 bidders")
        b = v[:, :, 0]
        n = self.n
        pairs = n * (n - 1) / 2
        psi = np.stack([self.psi(i, b[:, i]) for i in range(n)], axis=1)
        c = np.maximum(psi, 0.0) if self.reserve else psi
        beats = psi[:, :, None] > c[:, None, :]  # beats[:, i, j]: i wins the contest with j
        idx = np.arange(n)
        beats[:, idx, idx] = False
        x = beats.sum(axis=2) / pairs
        p = b * x
        for i in range(n):
            for j in range(n):
                if j != i:
                    p[:, i] -= self._superlevel_length(i, c[:, j], b[:, i]) / pairs
        return x[:, :, None], p

    def monotonicity(self, grid: int = 2048) -> PairwiseMonotonicity:
        """Ex post: ψ_i non-decreasing on a quantile grid. Interim: X_i(v) = E_{v−i} x_i(v, v−i)
        non-decreasing, with X_i(v) = (1/C(N,2)) Σ_{j≠i} P(c_j < ψ_i(v)) computed on the grid."""
        u_mid = (np.arange(grid) + 0.5) / grid
        cs = []
        for j in range(self.n):
            cj = self.psi(j, self.marginals[j].quantile(u_mid))
            cs.append(np.sort(np.maximum(cj, 0.0) if self.reserve else cj))
        ex, inter, dec, worst = [], [], [], []
        pairs = self.n * (self.n - 1) / 2
        for i, m in enumerate(self.marginals):
            t = np.asarray(m.quantile(np.linspace(0.0, 1.0 - 1e-6, grid)), float)
            psi = self.psi(i, t)
            ex.append(bool(np.all(np.diff(psi) >= -1e-12)))
            big_x = (
                sum(
                    np.searchsorted(cs[j], psi, side="left") / grid for j in range(self.n) if j != i
                )
                / pairs
            )
            drops = np.maximum.accumulate(big_x) - big_x
            k = int(np.argmax(drops))
            dec.append(float(drops[k]))
            worst.append(float(t[k]))
            inter.append(bool(drops[k] <= 1.0 / grid))
        return PairwiseMonotonicity(tuple(ex), tuple(inter), tuple(dec), tuple(worst), grid)
