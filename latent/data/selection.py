"""Choose a fixed number N of bidder slots from auctions of varying size.

* :func:`select_exact` — auctions with exactly N bidders;
* :func:`select_subsample` — auctions with at least N bidders, larger ones contributing random
  N-subsets of their bidders (seeded), e.g. the Swiss quota auctions with ~70 bidders each;
* :func:`select_identified` — the N most frequent identified bidders as asymmetric slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from latent.data.reader import Auction, AuctionData, DataError
from numerics.validate import seed_sequence

__all__ = ["Auction", "Selection", "select_exact", "select_identified", "select_subsample"]


@dataclass(frozen=True)
class Selection:
    """An (auctions × N[× items]) bid matrix chosen from the data, and how it was chosen."""

    matrix: np.ndarray
    n_bidders: int
    how: str
    auctions_used: int
    auctions_subsampled: int = 0
    bidders: tuple[str, ...] | None = None  # slot identities (asymmetric selection)
    # the data's auction of each row (exact and subsampled selections): a bootstrap resamples
    # auctions, all rows of one auction together
    auction_index: np.ndarray | None = None

    def to_dict(self) -> dict:
        return {"n_bidders": self.n_bidders, "how": self.how, "rows": int(self.matrix.shape[0]),
                "auctions_used": self.auctions_used,
                "auctions_subsampled": self.auctions_subsampled,
                "bidders": None if self.bidders is None else list(self.bidders)}


def select_exact(data: AuctionData, n: int) -> Selection:
    """Auctions with exactly ``n`` bidders; slots in the bidders' order of appearance.

    >>> d = AuctionData.from_auctions([Auction("a", ("x", "y"), np.array([1.0, 2.0]))])
    >>> select_exact(d, 2).matrix.tolist()
    [[1.0, 2.0]]
    """
    m, _ = data.matrix(n)
    return Selection(m, n, f"auctions with exactly {n} bidders", int(m.shape[0]),
                     auction_index=data.rows_of(n)[0])


def select_subsample(data: AuctionData, n: int, seed=None, draws: int = 1) -> Selection:
    """Auctions with at least ``n`` bidders; each auction with more contributes ``draws``
    uniformly random n-subsets of its bidders (in random slot order), seeded.

    Random subsets of an auction's bidders are exchangeable, so pooled marginals and spectral ρ
    keep their meaning; rows of one auction are not independent (several draws).

    >>> d = AuctionData.from_auctions([Auction("a", ("x", "y", "z"), np.array([1.0, 2.0, 3.0]))])
    >>> s = select_subsample(d, 2, seed=0, draws=3)
    >>> s.matrix.shape, s.auctions_subsampled
    ((3, 2), 1)
    """
    rng = np.random.default_rng(seed_sequence(0 if seed is None else seed))
    sizes = data.auction_sizes
    rows, index, sub, used = [], [], 0, 0
    for k in np.unique(sizes[sizes >= n]).tolist():
        idx, pos = data.rows_of(k)
        used += len(idx)
        block = data.bids[pos]
        if k == n:
            rows.append(block)
            index.append(idx)
            continue
        sub += len(idx)
        picks = []
        for _ in range(draws):
            order = np.argsort(rng.random((len(idx), k)), axis=1)[:, :n]
            picks.append(np.take_along_axis(block, order if block.ndim == 2 else
                                            order[:, :, None], axis=1))
        rows.append(np.stack(picks, axis=1).reshape(len(idx) * draws, n, *block.shape[2:]))
        index.append(np.repeat(idx, draws))
    if not rows:
        raise DataError(f"no auction has at least {n} bidders")
    how = (f"auctions with at least {n} bidders; larger auctions contribute {draws} random "
           f"{n}-subset(s) of their bidders")
    return Selection(np.concatenate(rows), n, how, used, sub,
                     auction_index=np.concatenate(index))


def select_identified(data: AuctionData, n: int, min_rows: int = 3) -> Selection:
    """Asymmetric slots: the ``n`` bidders present in the most auctions (ties by name); rows
    are the auctions in which all of them bid, columns in that bidder order.

    >>> d = AuctionData.from_auctions([Auction("1", ("x", "y", "z"), np.array([1.0, 2.0, 3.0])),
    ...                                Auction("2", ("z", "x"), np.array([4.0, 5.0]))])
    >>> s = select_identified(d, 2, min_rows=2); s.bidders, s.matrix.tolist()
    (('x', 'z'), [[1.0, 3.0], [5.0, 4.0]])
    """
    codes = data.bidder_codes
    freq = np.bincount(codes, minlength=len(data.bidder_names))
    names = [str(b) for b in data.bidder_names]
    order = sorted(range(len(names)), key=lambda j: (-freq[j], names[j]))
    top = [j for j in order if freq[j] > 0][:n]
    if len(top) < n:
        raise DataError(f"only {len(top)} distinct bidders; cannot pick {n}")
    auction_of = np.repeat(np.arange(data.n_auctions), data.auction_sizes)
    pos = np.full((data.n_auctions, n), -1, dtype=np.int64)
    for slot, j in enumerate(top):
        where = np.flatnonzero(codes == j)
        pos[auction_of[where], slot] = where
    full = np.all(pos >= 0, axis=1)
    rows = data.bids[pos[full]]
    who = tuple(names[j] for j in top)
    if len(rows) < min_rows:
        raise DataError(f"the {n} most frequent bidders ({', '.join(who)}) bid together in only "
                        f"{len(rows)} auction(s); use fewer --bidders")
    how = (f"the {n} bidders present in the most auctions, in the {len(rows)} auctions where "
           "all of them bid")
    return Selection(rows, n, how, len(rows), 0, who)
