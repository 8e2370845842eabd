"""``estimate_rho(bids="ascending")``: the Haile–Tamer block of the report.

Ascending-auction bids identify only bounds on the value CDF (:mod:`latent.data.ascending`).
This module turns the pipeline's data into those bounds — every auction of the bidder counts
analysed, the increment a number, an auction-level column or a named schedule — and evaluates
what the rest of the report computes from one value law on the two bound laws: F_L (the
largest values the data allow) and F_U (the smallest). The second-price revenue is monotone in
first-order stochastic dominance, so its values on the two laws bound it given the bounds; the
optimal revenue, the reserve, ρ and the grade spectrum are reported on the two laws as the
range over those two laws only, not a sharp identified set (a law between the bounds could give
a ρ outside it). The bounds on the optimal reserve and on its revenue gain that *are* sharp
given the CDF bounds are in :class:`~latent.data.ascending.AscendingBounds` ``reserve``.

References
----------
Haile, P. A., and E. Tamer (2003). "Inference with an incomplete model of English auctions."
*Journal of Political Economy* 111(1), 1–51.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from latent.data.ascending import INCREMENT_RULES, AscendingBounds, haile_tamer_bounds
from latent.data.reader import AuctionData, DataError
from latent.estimate.functionals import iid_myerson_revenue, iid_second_price, monopoly_price
from numerics.results import Result, jsonable

__all__ = ["AscendingPart", "ascending_part", "increments_of"]

# With a reserve, the bidder counts n of a reserve value with fewer auctions are left out of its
# bounds: a max/min over components from a handful of auctions is mostly noise (eBay Palm Pilot
# auctions by opening bid: the estimated bounds crossed at 155 of 200 grid points with every n of
# 5 or more auctions, at 94 with 10 or more; the band, valid either way, barely changed)
CELL_MIN_AUCTIONS = 10

RANGE_NOTE = ("ρ, the grade spectrum and the revenues are evaluated on the two bound laws, F_L "
              "(largest values the data allow) and F_U (smallest); a range is the range over "
              "those two laws, not a sharp identified set (the second-price revenue is monotone "
              "in the law, so its range is sharp given the bounds; ρ and the spectrum are not)")


@dataclass(frozen=True, kw_only=True)
class AscendingPart(Result):
    """The Haile–Tamer block: the bounds and, per bidder count N analysed, the report's numbers
    on the two bound laws (``per_n``: N → {"lower_law": …, "upper_law": …, "rho_range": …,
    "energy_share_ranges": …})."""

    bounds: AscendingBounds
    per_n: dict
    note: str = RANGE_NOTE

    def to_dict(self) -> dict:
        return jsonable({"bounds": self.bounds.to_dict(),
                         "per_n": {str(k): v for k, v in self.per_n.items()},
                         "note": self.note})

    def to_frame(self) -> pd.DataFrame:
        """The bounds on the value CDF, one row per grid point."""
        return self.bounds.to_frame()

    def plot(self, ax=None):
        """The bounds on F with their uniform band (:meth:`AscendingBounds.plot`)."""
        return self.bounds.plot(ax)

    def lines(self) -> list[str]:
        out = ["", "ascending auctions: " + str(self.bounds).replace("\n", "\n  ")]
        caveat = "(model rejected: not bounds) " if self.bounds.rejected else ""
        for n, d in self.per_n.items():
            lo, hi = d["lower_law"], d["upper_law"]
            rho = d["rho_range"]
            span = "unavailable" if not rho else f"[{rho[0]:.3g}, {rho[1]:.3g}]"
            out.append(f"  {caveat}N = {n} on the bound laws F_L / F_U: Myerson revenue "
                       f"{lo['myerson']:.4g} / {hi['myerson']:.4g}, second price "
                       f"{lo['second_price']:.4g} / {hi['second_price']:.4g}, reserve "
                       f"{lo['reserve']:.4g} / {hi['reserve']:.4g}; ρ range {span}")
            if d["energy_share_ranges"]:
                out.append("    grade spectrum W_r/Var range: " + ", ".join(
                    f"r={r} [{a:.3g}, {b:.3g}]"
                    for r, (a, b) in enumerate(d["energy_share_ranges"], start=1)))
        out.append(f"  ({self.note})")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines()).lstrip("\n")


def increments_of(data: AuctionData, increment) -> object:
    """The increment argument for :func:`haile_tamer_bounds` from the option: None → 0, a
    number, a schedule name, or an auction-level column of the data (one number per auction).

    >>> d = AuctionData.from_auctions([])
    >>> increments_of(d, 2.5), increments_of(d, None), increments_of(d, "ebay")
    (2.5, 0.0, 'ebay')
    """
    if increment is None:
        return 0.0
    if not isinstance(increment, str) or increment in INCREMENT_RULES:
        return increment
    cov = data.covariates
    if cov is None or increment not in cov.columns:
        cols = [] if cov is None else list(map(str, cov.columns))
        raise DataError(f"increment={increment!r}: not a number, one of "
                        f"{', '.join(INCREMENT_RULES)}, or an auction-level column (constant "
                        "within each auction) of long data"
                        + (f"; auction-level columns: {', '.join(cols)}" if cols else
                           "; this data has none"))
    values = pd.to_numeric(cov[increment], errors="coerce").to_numpy(float)
    bad = ~(np.isfinite(values) & (values >= 0))
    if bad.any():
        raise DataError(f"increment={increment!r}: {int(bad.sum())} auctions have a missing, "
                        "negative or non-numeric increment (must be a number ≥ 0)")
    return values


def ascending_part(data: AuctionData, bidder_counts, *, bound_counts=None, increment=None,
                   level: float = 0.05, n_boot: int = 199, seed=0,
                   spectrum: Callable | None = None, max_work=None, reserve=None,
                   potential_bidders=None, min_observed: int = 1,
                   min_cell_auctions: int = 1) -> AscendingPart:
    """Haile–Tamer bounds from the auctions of ``bidder_counts`` and, per count N, the
    revenues, reserve and (with ``spectrum``) ρ on the two bound laws.

    Parameters
    ----------
    data : AuctionData
        The data read by the pipeline (each bidder's highest bid per auction).
    bidder_counts : sequence of int
        The N whose numbers on the bound laws are reported.
    bound_counts : sequence of int, optional
        The N whose auctions give the bounds (default ``bidder_counts``): every N with enough
        auctions tightens them, since F is the same for every N under exogenous entry.
    increment : None, float, str
        The bid increment: a number, a schedule (``"ebay"``) or an auction-level column.
    level : float
        1 − confidence of the bands.
    n_boot : int
        Auction-bootstrap replicates (< 19: no bands).
    seed : int, SeedSequence or Generator
        Seeds the bootstrap.
    spectrum : callable, optional
        ``spectrum(n, law) -> GradeSpectrum | None``: the pipeline's grade spectrum of the
        mechanism for N iid bidders with that law (its ρ and energy shares are reported).
    max_work : float, optional
        Refuse a bootstrap costing more (default :data:`numerics.validate.MAX_WORK`).
    reserve : float or array, optional
        A known reserve, one number or one per auction of ``data``: the bounds are then on F
        above it only (:func:`~latent.data.ascending.haile_tamer_bounds`, *Known reserve*),
        and the laws the report evaluates are those bounds.
    potential_bidders : int or array, optional
        With ``reserve``: N, one number or one per auction (identifies F at the reserve).
    min_observed : int
        With ``potential_bidders``: the number of bidders below which auctions are absent.
    min_cell_auctions : int
        With ``reserve``: reserve values with fewer auctions are left out.

    Returns
    -------
    AscendingPart
    """
    ns = sorted({int(n) for n in bidder_counts})
    inc = increments_of(data, increment)
    sizes = data.auction_sizes
    used = ns if bound_counts is None else sorted({int(n) for n in bound_counts})
    keep = np.flatnonzero(np.isin(sizes, used))
    rows = [data.bids[data.offsets[k]:data.offsets[k + 1]] for k in keep]
    if isinstance(inc, np.ndarray):
        inc = inc[keep]
    extra = {}
    if reserve is not None:
        def kept(x):  # one number, or the kept auctions' numbers
            return x[keep] if isinstance(x, np.ndarray) else x

        extra = {"reserve": kept(reserve), "potential_bidders": kept(potential_bidders),
                 "min_observed": min_observed, "min_cell_auctions": min_cell_auctions,
                 "min_auctions": CELL_MIN_AUCTIONS}
    try:
        bounds = haile_tamer_bounds(rows, increment=inc, level=level,
                                    n_boot=n_boot if n_boot >= 19 else 0, seed=seed,
                                    max_work=max_work, **extra)
    except ValueError as exc:
        raise DataError(f"bids='ascending': {exc}") from None
    laws = {"lower_law": bounds.law("lower"), "upper_law": bounds.law("upper")}
    per_n = {}
    for n in ns:
        entry = {}
        rhos, shares = [], []
        for key, law in laws.items():
            spec = spectrum(n, law) if spectrum is not None else None
            rho = None if spec is None else float(spec.rho().rho)
            if rho is not None and np.isfinite(rho):
                rhos.append(rho)
            if spec is not None:
                shares.append(np.asarray(spec.shares(), float))
            entry[key] = {"myerson": iid_myerson_revenue(law, n),
                          "second_price": iid_second_price(law, n),
                          "reserve": monopoly_price(law), "rho": rho,
                          "energy_shares": None if spec is None else spec.shares()}
        entry["rho_range"] = [min(rhos), max(rhos)] if len(rhos) == 2 else None
        # W_r/Var per grade r = 1, 2, …: the smaller and the larger over the two laws
        k = min((x.size for x in shares), default=0)
        entry["energy_share_ranges"] = (
            [[float(min(a, b)), float(max(a, b))]
             for a, b in zip(shares[0][:k], shares[1][:k], strict=True)]
            if len(shares) == 2 else None)
        per_n[n] = entry
    if bounds.reserve_price is None:
        return AscendingPart(bounds=bounds, per_n=per_n)
    t = bounds.reserve_price["threshold"]
    # with a reserve the laws start at it: say what the numbers on them are of
    where = (f"with a known reserve the bound laws are of the values above {t:g} (the "
             "bidders who enter), so these numbers are for N entrants above it; "
             if bounds.reserve_price["target"] == "conditional" else
             f"with a known reserve the bound laws put the mass F({t:g}) of the values below "
             f"the smallest reserve {t:g} at it (they are not identified below it), so these "
             "numbers are of values floored at it; ")
    return AscendingPart(bounds=bounds, per_n=per_n, note=where + RANGE_NOTE)
