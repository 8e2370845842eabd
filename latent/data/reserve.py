"""First-price bids above a binding reserve price to pseudo-values (GPV with a reserve).

With a reserve r that binds, a potential bidder whose value is below r does not bid; one whose
value is at least r bids β(v) with β(r) = r, the equilibrium of the auction with N *potential*
bidders (Riley & Samuelson 1981). The observed bids are therefore draws of a truncated law,
and the number of bids n in an auction is not the N of the bid function. Inverting per
observed n with the plain formula ξ(b) = b + G(b)/((n − 1) g(b)) confuses the two and biases
the pseudo-values (with 4 potential bidders, r = 0.3 and U[0, 1] values, their medians were
0.77 / 0.62 / 0.57 for n = 2 / 3 / 4 against the true 0.65).

The inversion with a reserve (Guerre, Perrigne & Vuong, "Optimal Nonparametric Estimation of
First-Price Auctions", Econometrica 2000, section 4; Paarsch & Hong, "An Introduction to the
Structural Econometrics of Auction Data", MIT Press 2006, ch. 4): with G* and g* the cdf and
density of the observed bids (bidders with v ≥ r) and F0 = F(r) the probability that a potential
bidder stays out,

    ξ(b) = b + (G*(b) + F0/(1 − F0)) / ((N − 1) g*(b)),    ξ(r) = r,

since F(ξ(b)) = F0 + (1 − F0) G*(b). 1 − F0 is the probability that a potential bidder bids:
estimated from the numbers of bids n out of N potential bidders
(:func:`~latent.data.reserve.entry_probability`).
Only the value law above r is identified; below r nothing is observed but its mass F0.

What the inversion does beyond the formula:

* **The square-root scale.** β'(r) = 0 (β(v) − r ≈ c (v − r)² near r), so the bid density is
  infinite at r and bids pile up just above it (with the example above the lowest 10% of the
  values above r bid within 0.018 of r, a third of a rule-of-thumb bandwidth). A kernel
  density cannot follow that; the kernel estimates are taken on y = √(b − r), whose density is
  bounded and positive at 0, and reflected at the *known* end y = 0 (and at the sample's
  maximum): g*(b) = g_y(y)/(2y), so ξ(b) = b + 2y (G_y(y) + F0/(1 − F0)) / ((N − 1) g_y(y)),
  which tends to r at r — the boundary condition holds by construction.
* **Procurement** (``lowest_wins``, r a maximum price: only sellers with cost c ≤ r bid): the
  mirror image, c = b − 2y (G_y + F0/(1 − F0)) / ((N − 1) g_y), y = √(r − b).
* Pseudo-values of bids within one bandwidth of the top bid (on the y scale) are flagged
  ``trimmed`` and kept, as in :mod:`latent.data.gpv`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from latent.data.gpv import BANDWIDTH_RULES, bandwidth_rule, reflected_kde_at
from numerics.validate import finite_float, positive_int

__all__ = ["ReserveCell", "ReserveInversion", "entry_probability", "gpv_reserve",
           "reserve_pseudo_values"]

MIN_BIDS = 30
N_SOURCES = ("observed", "stated", "assumed")


def entry_probability(observed, potential, min_observed: int = 1) -> float:
    """Probability that a potential bidder bids, from the bids n_a out of N_a per auction.

    Auctions with fewer than ``min_observed`` bids are absent from the data (1: auctions in
    which nobody bid leave no row in a file of bids; 2 when auctions with a single bid were
    dropped as well), so the counts are truncated binomial: P(n | n ≥ m) = C(N, n) q^n
    (1 − q)^(N − n) / P(Bin(N, q) ≥ m). The maximum-likelihood q is found on the logit scale,
    where this truncated binomial is an exponential family and its log-likelihood concave; it
    is 1 when every potential bidder bid.

    Parameters
    ----------
    observed, potential : array_like of int
        Bids per auction (≥ ``min_observed``) and potential bidders per auction (≥ observed).
    min_observed : int
        The truncation point m of the counts: 1 or 2 (see above).

    Returns
    -------
    float
        q̂ in (0, 1].

    Examples
    --------
    >>> entry_probability([4, 4, 4], [4, 4, 4])
    1.0
    >>> round(entry_probability([1, 1, 2], [2, 2, 2]), 4)   # E[n | n ≥ 1] = 2q/(1-(1-q)^2)
    0.5
    >>> round(entry_probability([2, 2, 3], [3, 3, 3], min_observed=2), 3)   # n/N would say 7/9
    0.6
    """
    min_observed = positive_int("min_observed", min_observed, minimum=1, maximum=2)
    n = np.asarray(observed, float)
    big_n = np.asarray(potential, float)
    if n.size == 0 or n.shape != big_n.shape:
        raise ValueError(f"observed, potential: {n.size} and {big_n.size} counts; need one "
                         "pair per auction, at least one")
    if np.any(n < min_observed) or np.any(n > big_n):
        raise ValueError(f"potential bidders: {int(np.sum(n > big_n))} auction(s) have more "
                         f"bids than potential bidders, {int(np.sum(n < min_observed))} fewer "
                         f"than {min_observed} (each auction needs {min_observed} ≤ bids ≤ "
                         "potential bidders)")
    if np.all(n == big_n):
        return 1.0
    if np.all(n == min_observed):  # the likelihood increases as q → 0: no interior maximum
        return 1e-9
    total_n, total_out = n.sum(), (big_n - n).sum()
    sizes, count = np.unique(big_n, return_counts=True)  # few distinct N: one term each

    def minus_loglik(theta):
        q = 1.0 / (1.0 + np.exp(-theta))
        none = (1.0 - q) ** sizes  # P(Bin(N, q) ≥ m) in closed form for m = 1, 2
        kept = 1.0 - none - (sizes * q * (1.0 - q) ** (sizes - 1) if min_observed == 2 else 0.0)
        return -(total_n * np.log(q) + total_out * np.log1p(-q) - count @ np.log(kept))

    fit = optimize.minimize_scalar(minus_loglik, bounds=(-25.0, 25.0), method="bounded",
                                   options={"xatol": 1e-10})
    return float(1.0 / (1.0 + np.exp(-fit.x)))


def reserve_pseudo_values(bids, reserve: float, potential_bidders: int,
                          bid_probability: float, *, bandwidth: str | float = "silverman",
                          lowest_wins: bool = False) -> tuple[np.ndarray, np.ndarray, float]:
    """Pseudo-values (pseudo-costs with ``lowest_wins``) of bids above a binding reserve.

    Parameters
    ----------
    bids : array_like
        The observed bids of auctions that share one reserve and one number of potential
        bidders, all ≥ ``reserve`` (≤ with ``lowest_wins``).
    reserve : float
        The reserve price r (the maximum price with ``lowest_wins``).
    potential_bidders : int
        N ≥ 2, the potential bidders of each auction.
    bid_probability : float
        1 − F(r), the probability that a potential bidder bids
        (:func:`~latent.data.reserve.entry_probability`).
    bandwidth : str or float
        A rule (``silverman``, ``scott``) or a number, on the y = √|b − r| scale.
    lowest_wins : bool
        Procurement bids (costs; lowest wins).

    Returns
    -------
    pseudo_values : ndarray
    trimmed : ndarray of bool
        Bids within one bandwidth of the top of the y scale (flagged, kept).
    bandwidth : float
        The bandwidth used (y units).

    Examples
    --------
    U[0, 1] values, N = 2, r = 0.5: β(v) = (v² + r²)/(2v), F(r) = 0.5.

    >>> rng = np.random.default_rng(0)
    >>> v = rng.uniform(0.5, 1.0, 4000); b = (v**2 + 0.25) / (2 * v)
    >>> pv, trimmed, h = reserve_pseudo_values(b, 0.5, 2, 0.5)
    >>> bool(np.max(np.abs(pv - v)[~trimmed]) < 0.02)
    True
    """
    b = np.asarray(bids, float)
    side = -1.0 if lowest_wins else 1.0
    y = np.sqrt(np.maximum(side * (b - reserve), 0.0))
    hi = float(y.max()) if y.size else 0.0
    if not hi > 0:
        raise ValueError("bids: every bid equals the reserve; no density to estimate")
    if isinstance(bandwidth, str):
        if bandwidth not in BANDWIDTH_RULES:
            raise ValueError(f"bandwidth {bandwidth!r}: use one of {', '.join(BANDWIDTH_RULES)} "
                             "or a positive number")
        h = bandwidth_rule(y, bandwidth)
    else:
        h = finite_float("bandwidth", bandwidth, low=0.0, low_open=True)
    if not h < hi / 2:
        raise ValueError(f"bandwidth h = {h:.4g} is at least half the range of √|bid − "
                         f"reserve| ({hi:.4g}): too few distinct bids, or give a smaller one")
    g_y, big_g = reflected_kde_at(y, 0.0, hi, h)
    odds = (1.0 - bid_probability) / bid_probability
    with np.errstate(divide="ignore", invalid="ignore"):  # g_y > 0 at every data point
        markup = 2.0 * y * (big_g + odds) / ((potential_bidders - 1) * g_y)
    return b + side * markup, y > hi - h, float(h)


@dataclass(frozen=True)
class ReserveCell:
    """The inversion for the auctions that share one reserve and one number of potential
    bidders.

    ``bid_probability`` is 1 − F(r) (a potential bidder's value is at least r) and
    ``n_source`` says where N came from: ``observed`` (a column), ``stated`` (a number given)
    or ``assumed`` (the largest observed number of bids, the smallest N the data allow).
    """

    reserve: float
    potential_bidders: int
    n_source: str
    n_auctions: int
    n_bids: int
    bid_probability: float
    bandwidth: float
    n_trimmed: int
    lowest_wins: bool = False
    min_observed: int = 1

    def to_dict(self) -> dict:
        """Plain-JSON summary.

        >>> ReserveCell(0.3, 4, "observed", 10, 30, 0.7, 0.05, 2).to_dict()["value_cdf_at_reserve"]
        0.30000000000000004
        """
        return {"reserve": self.reserve, "potential_bidders": self.potential_bidders,
                "potential_bidders_from": self.n_source, "n_auctions": self.n_auctions,
                "n_bids": self.n_bids, "bid_probability": self.bid_probability,
                ("cost_survival_at_maximum_price" if self.lowest_wins
                 else "value_cdf_at_reserve"): 1.0 - self.bid_probability,
                "bandwidth_sqrt_scale": self.bandwidth, "n_trimmed": self.n_trimmed,
                "auctions_in_data": f"those with at least {self.min_observed} bid(s) (the "
                                    "bidding probability's likelihood is truncated there)"}


@dataclass(frozen=True, eq=False)
class ReserveInversion:
    """Pseudo-values above the reserve, one per observed bid, and the per-cell summaries.

    Per-bid arrays (aligned): ``auction``, ``reserve``, ``potential_bidders``, ``bid``,
    ``pseudo_value``, ``trimmed``; ``cell`` indexes ``cells``. ``dropped`` counts rows not used,
    by reason.
    """

    auction: np.ndarray
    reserve: np.ndarray
    potential_bidders: np.ndarray
    bid: np.ndarray
    pseudo_value: np.ndarray
    trimmed: np.ndarray
    cell: np.ndarray
    cells: tuple[ReserveCell, ...]
    dropped: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Summary (cells and counts; the per-bid arrays are in :meth:`to_frame`)."""
        return {"method": "Guerre-Perrigne-Vuong (2000) inversion with a binding reserve, per "
                          "reserve and number of potential bidders (square-root scale)",
                "n_bids": int(self.bid.size), "dropped": dict(self.dropped),
                "cells": [c.to_dict() for c in self.cells]}

    def to_frame(self) -> pd.DataFrame:
        """One row per bid."""
        return pd.DataFrame({"auction": self.auction, "reserve": self.reserve,
                             "potential_bidders": self.potential_bidders, "bid": self.bid,
                             "pseudo_value": self.pseudo_value, "trimmed": self.trimmed,
                             "cell": self.cell})


def _column(frame: pd.DataFrame, arg: str, col: str | None) -> None:
    if col is not None and col not in frame.columns:
        raise ValueError(f"{arg}={col!r}: no such column; available: "
                         f"{', '.join(map(str, frame.columns))}")


def gpv_reserve(frame: pd.DataFrame, *, reserve: float | None = None,
                reserve_col: str | None = None, potential_bidders: int | None = None,
                potential_bidders_col: str | None = None, auction_col: str = "auction_id",
                bid_col: str = "bid", bandwidth: str | float = "silverman",
                lowest_wins: bool = False, min_bids: int = MIN_BIDS,
                min_observed: int = 1) -> ReserveInversion:
    """GPV pseudo-values for a long table of first-price bids with a binding reserve.

    Parameters
    ----------
    frame : DataFrame
        One row per bid.
    reserve, reserve_col : float or str
        The reserve (maximum price with ``lowest_wins``): one number for every auction, or a
        column (one value per auction). Exactly one of the two.
    potential_bidders, potential_bidders_col : int or str, optional
        N: a number for every auction (``stated``), a column (``observed``), or neither: then N
        is assumed to be the largest number of bids in an auction of that reserve
        (``assumed``; the report says so).
    auction_col, bid_col : str
        Column names.
    bandwidth : str or float
        See :func:`reserve_pseudo_values`.
    lowest_wins : bool
        Procurement (costs, lowest wins, ``reserve`` the maximum price).
    min_bids : int
        Cells (reserve × N) with fewer bids are dropped and counted.
    min_observed : int
        Auctions with fewer bids are not in the data (1: those nobody bid in; 2 when auctions
        with one bid were dropped too); the bidding probability is estimated accordingly
        (:func:`~latent.data.reserve.entry_probability`), and auctions with fewer bids here are
        dropped and counted.

    Returns
    -------
    ReserveInversion

    Raises
    ------
    ValueError
        Naming the argument: a missing column, both or neither of ``reserve`` and
        ``reserve_col``, more bids than potential bidders, no cell with ``min_bids`` bids.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> v = rng.random((3000, 4)); r = 0.3
    >>> b = np.where(v >= r, v - (v**4 - r**4) / (4 * v**3), np.nan)
    >>> aid = np.repeat(np.arange(3000), 4)
    >>> df = pd.DataFrame({"auction_id": aid, "bid": b.ravel()}).dropna()
    >>> inv = gpv_reserve(df, reserve=r, potential_bidders=4)
    >>> abs(inv.cells[0].bid_probability - 0.7) < 0.02   # 1 − F(r) = 0.7
    True
    >>> round(float(np.median(inv.pseudo_value)), 2)      # the median of U[0.3, 1]
    0.65
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    if (reserve is None) == (reserve_col is None):
        raise ValueError("reserve, reserve_col: give exactly one (a number for every auction, "
                         "or the column holding each auction's reserve)")
    if potential_bidders is not None and potential_bidders_col is not None:
        raise ValueError("potential_bidders, potential_bidders_col: give at most one")
    for arg, col in (("auction_col", auction_col), ("bid_col", bid_col),
                     ("reserve_col", reserve_col),
                     ("potential_bidders_col", potential_bidders_col)):
        _column(frame, arg, col)
    if reserve is not None:
        reserve = finite_float("reserve", reserve)
    if potential_bidders is not None:
        potential_bidders = positive_int("potential_bidders", potential_bidders, minimum=2)
    min_bids = positive_int("min_bids", min_bids, minimum=3)
    min_observed = positive_int("min_observed", min_observed, minimum=1, maximum=2)
    side = -1.0 if lowest_wins else 1.0
    bid = pd.to_numeric(frame[bid_col], errors="coerce").to_numpy(float)
    res = (np.full(bid.size, reserve) if reserve_col is None else
           pd.to_numeric(frame[reserve_col], errors="coerce").to_numpy(float))
    big_n = (np.full(bid.size, np.nan if potential_bidders is None else potential_bidders)
             if potential_bidders_col is None else
             pd.to_numeric(frame[potential_bidders_col], errors="coerce").to_numpy(float))
    aid = frame[auction_col].to_numpy()
    dropped: dict[str, int] = {}
    ok = np.isfinite(bid) & np.isfinite(res) & pd.notna(aid)
    if potential_bidders_col is not None:
        bad_n = ~(np.isfinite(big_n) & (big_n % 1 == 0) & (big_n >= 2))
        if (bad_n & ok).any():
            dropped["missing or non-integer potential bidders, or fewer than 2"] = int(
                (bad_n & ok).sum())
        ok &= ~bad_n
    if (~ok).sum() - sum(dropped.values()):
        dropped["missing or non-numeric bid, reserve or auction id"] = int(
            (~ok).sum() - sum(dropped.values()))
    below = ok & (side * (bid - res) < 0)
    if below.any():
        # with a binding reserve a bid on the wrong side of it is not an equilibrium bid
        dropped["bid " + ("above the maximum price" if lowest_wins else "below the reserve")] = (
            int(below.sum()))
    ok &= ~below
    sub = pd.DataFrame({"auction": aid[ok], "bid": bid[ok], "reserve": res[ok],
                        "big_n": big_n[ok]})
    varying = int((sub.groupby("auction")[["reserve", "big_n"]].nunique(dropna=False) > 1)
                  .any(axis=1).sum())
    if varying:
        raise ValueError(f"{'reserve_col' if reserve_col else 'potential_bidders_col'}: the "
                         f"value differs between rows of {varying} auction(s); it must be one "
                         "number per auction")
    sub["n"] = sub.groupby("auction")["bid"].transform("size")
    few = sub["n"] < min_observed
    if few.any():
        dropped[f"auction with fewer than min_observed = {min_observed} bids"] = int(few.sum())
        sub = sub[~few]
    source = ("observed" if potential_bidders_col is not None else
              "stated" if potential_bidders is not None else "assumed")
    if source == "assumed":  # N = the most bids seen in an auction with that reserve
        sub["big_n"] = sub.groupby("reserve")["n"].transform("max")
    too_many = sub["n"] > sub["big_n"]
    if too_many.any():
        arg = "potential_bidders_col" if source == "observed" else "potential_bidders"
        raise ValueError(f"{arg}: {int(sub.loc[too_many, 'auction'].nunique())} auction(s) "
                         "have more bids than potential bidders (each auction needs bids ≤ "
                         "potential bidders)")
    single = sub["big_n"] < 2
    if single.any():
        dropped["fewer than 2 potential bidders"] = int(single.sum())
        sub = sub[~single]
    parts, cells = [], []
    for (r, n_pot), part in sub.groupby(["reserve", "big_n"], sort=True):
        if len(part) < min_bids:
            key = f"reserve × potential bidders with fewer than min_bids = {min_bids} bids"
            dropped[key] = dropped.get(key, 0) + len(part)
            continue
        per = part.groupby("auction")["n"].first()
        q = entry_probability(per.to_numpy(), np.full(per.size, n_pot), min_observed)
        b = part["bid"].to_numpy()
        try:
            pv, trimmed, h = reserve_pseudo_values(b, float(r), int(n_pot), q,
                                                   bandwidth=bandwidth, lowest_wins=lowest_wins)
        except ValueError as exc:
            if "bandwidth" in str(exc) and not isinstance(bandwidth, str):
                raise
            key = "reserve × potential bidders whose bids have no spread"
            dropped[key] = dropped.get(key, 0) + len(part)
            continue
        k = len(cells)
        cells.append(ReserveCell(reserve=float(r), potential_bidders=int(n_pot),
                                 n_source=source, n_auctions=int(per.size), n_bids=int(b.size),
                                 bid_probability=q, bandwidth=h,
                                 n_trimmed=int(trimmed.sum()), lowest_wins=bool(lowest_wins),
                                 min_observed=min_observed))
        parts.append((part["auction"].to_numpy(), np.full(b.size, float(r)),
                      np.full(b.size, int(n_pot)), b, pv, trimmed, np.full(b.size, k)))
    if not cells:
        raise ValueError(f"frame: no reserve × number of potential bidders has at least "
                         f"min_bids = {min_bids} usable bids (dropped: {dropped})")
    cols = [np.concatenate([p[i] for p in parts]) for i in range(7)]
    return ReserveInversion(auction=cols[0], reserve=cols[1], potential_bidders=cols[2],
                            bid=cols[3], pseudo_value=cols[4], trimmed=cols[5], cell=cols[6],
                            cells=tuple(cells), dropped=dropped)
