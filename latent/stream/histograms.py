"""Per-N histograms of homogenised log bids on a fixed grid, with Poisson-bootstrap copies.

For the auctions with N bidders: the counts of the homogenised log bids u = log b̃ in ``bins``
equal bins of width Δ over [lo, lo + bins·Δ] (the grid is fixed before the pass, from bounds
known after pass 1, so every partition bins alike and histograms add), the same counts with
each auction weighted by its Poisson(1) weight of replicate b = 1 … B
(:func:`latent.stream.hashing.poisson_weights`), the exact min and max of u, and per replicate
the (weighted) number of auctions and sums of each auction's highest and second-highest b̃
(the observed mean prices, exact: no binning).

**Binning error.** A bid is represented by its bin's centre, clipped to the exact [min, max]:
it moves by at most Δ/2 in log, a relative change of at most e^{Δ/2} − 1 in the bid
(:func:`binning_error`), whatever its size. Memory: (B + 1) × bins × 8 bytes per N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from latent.stream.hashing import poisson_weights

__all__ = ["SHIFT_BLOCK", "BidHistogram", "binning_error", "histogram_bytes"]

_WEIGHT_BLOCK = 1 << 22  # auctions × replicates weights made at once (32 MB)
SHIFT_BLOCK = 1 << 21  # bids × replicates shifted values made at once (16 MB per array)


def binning_error(delta: float) -> float:
    """The largest relative change of a bid moved to its log-bin's centre: e^{Δ/2} − 1.

    >>> round(binning_error(0.002), 6)
    0.001001
    """
    return math.expm1(delta / 2.0)


def histogram_bytes(bins: int, n_boot: int) -> int:
    """Bytes of one N's histogram with its bootstrap copies.

    >>> histogram_bytes(1000, 199)
    1600000
    """
    return 8 * (n_boot + 1) * bins


@dataclass(frozen=True, eq=False)
class BidHistogram:
    """One N's binned homogenised log bids and replicate copies (module doc).

    ``counts``: (B + 1) × (occupied bins), row 0 the data, row b the replicate b − 1's
    weighted counts, its first column the grid's bin ``first`` (only the bins from the lowest
    to the highest occupied one are held: the grid's bounds are loose, a partition's bids
    narrower); ``bins``: the grid's bins; ``auctions``: (B + 1) weighted auction counts;
    ``prices``: (B + 1) × 2 weighted sums of the auctions' highest and second-highest b̃;
    ``u_min``, ``u_max``: (B + 1) exact extremes of the bids each row counts (the data's in
    every row unless the replicates bin their own shifted bids).
    """

    n_bidders: int
    lo: float
    delta: float
    bins: int
    first: int
    counts: np.ndarray
    auctions: np.ndarray
    prices: np.ndarray
    u_min: np.ndarray
    u_max: np.ndarray

    @classmethod
    def of(cls, n_bidders: int, u: np.ndarray, auction: np.ndarray, hashes: np.ndarray,
           lo: float, delta: float, bins: int, n_boot: int, shift=None) -> BidHistogram:
        """From one partition's bids of N-bidder auctions.

        Parameters
        ----------
        n_bidders : int
        u : ndarray
            Homogenised log bids.
        auction : ndarray
            Each bid's auction code 0 … G−1 (into ``hashes``).
        hashes : ndarray of uint64
            The G auctions' hashes (:func:`latent.stream.hashing.auction_hashes`).
        lo, delta, bins : the grid.
        n_boot : int
            Bootstrap replicates B.
        shift : callable, optional
            ``shift(idx)`` → (B × len(idx)): replicate b bins the bid ``u[i] + shift(i)[b]``
            (its own homogenisation: :class:`latent.stream.regression.ReplicateShifts`);
            default none, every replicate bins ``u``.

        >>> h = BidHistogram.of(2, np.log([1.0, 2.0, 3.0, 4.0]), np.array([0, 0, 1, 1]),
        ...                     np.array([7, 9], np.uint64), 0.0, 0.5, 4, 3)
        >>> h.first, h.counts[0].tolist(), h.prices[0].tolist()
        (0, [1.0, 1.0, 2.0], [6.0, 4.0])
        """
        g = hashes.size
        idx = np.clip(np.floor((u - lo) / delta), 0, bins - 1).astype(np.int64)
        order = np.lexsort((u, auction))
        sa = auction[order]
        last = np.flatnonzero(np.r_[sa[1:] != sa[:-1], True])  # each auction's highest
        # N ≥ 2: last − 1 is the same auction's second highest
        top = np.exp(np.column_stack([u[order[last]], u[order[last - 1]]]))
        auctions = np.zeros(n_boot + 1)
        auctions[0] = g
        prices = np.zeros((n_boot + 1, 2))
        prices[0] = top.sum(axis=0)
        ext = np.tile([u.min(), u.max()], (n_boot + 1, 1))
        if shift is not None and n_boot:
            counts, first = cls._shifted(idx, u, order, last, hashes, lo, delta, bins,
                                         n_boot, shift, auctions, prices, ext)
            return cls(n_bidders=int(n_bidders), lo=float(lo), delta=float(delta),
                       bins=int(bins), first=first, counts=counts, auctions=auctions,
                       prices=prices, u_min=ext[:, 0], u_max=ext[:, 1])
        first = int(idx.min())
        width = int(idx.max()) - first + 1
        a = sparse.csc_matrix((np.ones(u.size), (idx - first, auction)), shape=(width, g))
        counts = np.zeros((n_boot + 1, width))
        counts[0] = np.asarray(a.sum(axis=1)).ravel()
        step = max(1, _WEIGHT_BLOCK // max(n_boot, 1))
        for s in range(0, g, step) if n_boot else ():
            e = min(g, s + step)
            w = poisson_weights(hashes[s:e], n_boot)  # (auctions, B)
            counts[1:] += (a[:, s:e] @ w).T
            auctions[1:] += w.sum(axis=0)
            prices[1:] += w.T @ top[s:e]
        return cls(n_bidders=int(n_bidders), lo=float(lo), delta=float(delta), bins=int(bins),
                   first=first, counts=counts, auctions=auctions, prices=prices,
                   u_min=ext[:, 0], u_max=ext[:, 1])

    @staticmethod
    def _shifted(idx, u, order, last, hashes, lo, delta, bins, n_boot, shift, auctions,
                 prices, ext):
        """The replicates' counts when each bins its own shifted bids (``auctions``,
        ``prices`` and ``ext`` filled in place): the bids are taken in blocks of whole
        auctions (sorted by auction), so that a block's bids × B values stay bounded."""
        g = hashes.size
        full = np.zeros((n_boot + 1, bins))
        full[0] = np.bincount(idx, minlength=bins)
        occupied = [int(idx.min()), int(idx.max())]
        starts = np.r_[0, last + 1]
        per = max(1, int(np.max(np.diff(starts))))  # bids per auction (N)
        step = max(1, SHIFT_BLOCK // (per * n_boot))
        reps = np.arange(n_boot)
        for s in range(0, g, step):
            e = min(g, s + step)
            bids = order[starts[s]:starts[e]]
            w = poisson_weights(hashes[s:e], n_boot)  # (auctions, B)
            # (B, bids): each replicate's own u, replicate-major so that the scatter below
            # writes one replicate's row of bins at a time (a cache-friendly order)
            v = shift(bids)
            v += u[bids][None, :]
            ext[1:, 0] = np.minimum(ext[1:, 0], v.min(axis=1))
            ext[1:, 1] = np.maximum(ext[1:, 1], v.max(axis=1))
            wt = np.ascontiguousarray(w.T)  # (B, auctions)
            auctions[1:] += wt.sum(axis=1)
            at = last[s:e] - starts[s]  # the highest bids' columns in the block
            prices[1:, 0] += np.einsum("ba,ba->b", wt, np.exp(v[:, at]))
            prices[1:, 1] += np.einsum("ba,ba->b", wt, np.exp(v[:, at - 1]))
            # bin indices in place (v is not needed after)
            v -= lo
            v /= delta
            np.clip(v, 0, bins - 0.5, out=v)  # then truncation is the floor, at most bins − 1
            k = v.astype(np.int64)
            kmin, kmax = int(k.min()), int(k.max())
            width = kmax - kmin + 1
            k += (reps * width - kmin)[:, None]
            weight = np.repeat(wt, np.diff(starts[s:e + 1]), axis=1)  # (B, bids), C order
            full[1:, kmin:kmax + 1] += np.bincount(
                k.ravel(), weights=weight.ravel(), minlength=n_boot * width).reshape(n_boot,
                                                                                     width)
            occupied = [min(occupied[0], kmin), max(occupied[1], kmax)]
        return full[:, occupied[0]:occupied[1] + 1].copy(), occupied[0]

    def merge(self, other: BidHistogram) -> BidHistogram:
        """Both partitions' bids (same grid)."""
        if (self.lo, self.delta, self.bins, self.counts.shape[0]) != (
                other.lo, other.delta, other.bins, other.counts.shape[0]):
            raise ValueError("histograms on different grids cannot be merged")
        first = min(self.first, other.first)
        stop = max(self.first + self.counts.shape[1], other.first + other.counts.shape[1])
        counts = np.zeros((self.counts.shape[0], stop - first))
        for h in (self, other):
            counts[:, h.first - first:h.first - first + h.counts.shape[1]] += h.counts
        return BidHistogram(n_bidders=self.n_bidders, lo=self.lo, delta=self.delta,
                            bins=self.bins, first=first, counts=counts,
                            auctions=self.auctions + other.auctions,
                            prices=self.prices + other.prices,
                            u_min=np.minimum(self.u_min, other.u_min),
                            u_max=np.maximum(self.u_max, other.u_max))

    def centres(self, row: int = 0) -> np.ndarray:
        """The bins' centres as homogenised bids (levels), clipped to the exact [min, max] of
        the bids ``row`` counts (0: the data; b: replicate b − 1, its own shifted bids)."""
        k = self.first + np.arange(self.counts.shape[1])
        return np.exp(np.clip(self.lo + (k + 0.5) * self.delta, self.u_min[row],
                              self.u_max[row]))

    @property
    def binning_error(self) -> float:
        """e^{Δ/2} − 1: see :func:`binning_error`."""
        return binning_error(self.delta)
