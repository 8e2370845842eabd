"""Simulated first-price auctions whose bidder count N carries information, with a known truth.

Three departures from "risk-neutral independent private values, N exogenous", each with its
exact symmetric equilibrium, for checking the entry test (:mod:`latent.estimate.entry`) and the
risk-aversion estimator (:mod:`latent.estimate.risk_aversion`):

* **CRRA bidders** (``theta`` < 1): a winner with value v who pays b gets u(v − b) =
  (v − b)^θ (θ = 1 risk neutral). Bidding b against N − 1 rivals who bid β(v) maximises
  (v − b)^θ F(β⁻¹(b))^(N−1); the first-order condition v − β = θ F β' / ((N − 1) f) is linear
  in β with integrating factor F^((N−1)/θ), so

      β(v) = v − ∫_lower^v F(s)^((N−1)/θ) ds / F(v)^((N−1)/θ),

  the risk-neutral bid function with N − 1 replaced by (N − 1)/θ (Guerre, Perrigne & Vuong
  2009). Uniform values on [0, 1] give β(v) = (N − 1) v / (N − 1 + θ).
* **Selective entry** (``selective`` > 0): the value law depends on N (values uniform on
  [0, 1 + selective·(N − N_min)]), bids the risk-neutral equilibrium of each N. The pseudo-value
  laws then differ across N although each N's model is IPV.
* **Common values** (``common`` = 1 − λ > 0): signals s_i iid U[0, 1] and values
  V_i = λ s_i + (1 − λ) · mean of the rivals' signals (interdependent values). The
  Milgrom–Weber equilibrium bid is β(s) = c_N s (N − 1)/N with c_N = λ + (1 − λ) N/(2(N − 1)),
  so the GPV inversion of the bids recovers v(s, s) = E[V_i | s_i = s, highest rival = s] = c_N s,
  which falls with N (the winner's curse; Haile, Hong & Shum 2003).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from latent.data.gpv import equilibrium_bids
from numerics.validate import finite_float, positive_int, seed_sequence

__all__ = ["EntryDesign", "crra_equilibrium_bids", "simulate_entry_design"]


def crra_equilibrium_bids(values, n_bidders: int, theta: float, cdf, lower: float) -> np.ndarray:
    """Symmetric first-price equilibrium bids of CRRA bidders, u(x) = x^θ, values iid F.

    Parameters
    ----------
    values : array_like
        Values (at least ``lower``).
    n_bidders : int
        N ≥ 2.
    theta : float
        θ in (0, 1]: 1 is risk neutral, smaller is more risk averse.
    cdf : callable
        F, vectorised.
    lower : float
        The bottom of F's support.

    Returns
    -------
    ndarray
        β(v) = v − ∫_lower^v F^k / F(v)^k with k = (N − 1)/θ (see the module doc), by the
        quadrature of :func:`latent.data.gpv.equilibrium_bids`.

    Examples
    --------
    Uniform values, N = 3, θ = 0.5: β(v) = 2v/2.5 = 0.8 v.

    >>> crra_equilibrium_bids(np.array([0.5, 1.0]), 3, 0.5, lambda s: np.clip(s, 0, 1), 0.0)
    array([0.4, 0.8])
    """
    n = positive_int("n_bidders", n_bidders, minimum=2)
    th = finite_float("theta", theta, low=0.0, high=1.0, low_open=True)
    # equilibrium_bids integrates F^(N − 1); the CRRA bid is that formula with the exponent
    # (N − 1)/θ, i.e. a risk-neutral auction with 1 + (N − 1)/θ "bidders".
    return equilibrium_bids(values, 1.0 + (n - 1) / th, cdf, lower)


@dataclass(frozen=True, eq=False)
class EntryDesign:
    """A simulated file and its truth.

    ``frame``: one row per bid (``auction_id``, ``bidder``, ``n_bidders``, ``bid``,
    ``value``).
    ``value`` is the bidder's value (private-value designs) or v(s, s) = E[V | s_i = s,
    highest rival signal = s], what a correct GPV inversion recovers (common values).
    ``theta``, ``selective``, ``common``: the design's parameters; ``value_quantile(alpha, n)``
    the true quantile of ``value`` in N-bidder auctions.
    """

    frame: pd.DataFrame
    theta: float
    selective: float
    common: float
    min_n: int

    def value_quantile(self, alpha, n_bidders: int) -> np.ndarray:
        """True α-quantile of the (pseudo-)value law at N = ``n_bidders``.

        >>> d = simulate_entry_design(100, seed=0)
        >>> float(d.value_quantile(0.5, 3))
        0.5
        """
        a = np.asarray(alpha, float)
        top = 1.0 + self.selective * (n_bidders - self.min_n)
        lam = 1.0 - self.common
        c = lam + (1.0 - lam) * n_bidders / (2.0 * (n_bidders - 1))
        return a * top * c


def simulate_entry_design(auctions: int = 2000, *, sizes=(2, 3, 4), theta: float = 1.0,
                          selective: float = 0.0, common: float = 0.0,
                          seed=0) -> EntryDesign:
    """Simulate first-price auctions with uniform values and one of the departures above.

    Parameters
    ----------
    auctions : int
        Number of auctions; N is drawn uniformly from ``sizes`` (independently of values,
        unless ``selective``).
    sizes : sequence of int
        Bidder counts (each ≥ 2).
    theta : float
        CRRA parameter in (0, 1] (1: risk neutral).
    selective : float
        ≥ 0: values uniform on [0, 1 + selective·(N − min(sizes))].
    common : float
        In [0, 1): weight 1 − λ of the rivals' mean signal in each value (0: private values).
    seed : int, SeedSequence or Generator

    Returns
    -------
    EntryDesign

    Examples
    --------
    >>> d = simulate_entry_design(400, theta=0.5, seed=1)
    >>> f = d.frame[d.frame.n_bidders == 2]
    >>> bool(np.allclose(f.bid, f.value / 1.5))
    True
    """
    auctions = positive_int("auctions", auctions, minimum=1, maximum=10**7)
    sz = np.asarray(sorted({positive_int("sizes", s, minimum=2, maximum=1000) for s in sizes}),
                    np.int64)
    theta = finite_float("theta", theta, low=0.0, high=1.0, low_open=True)
    selective = finite_float("selective", selective, low=0.0)
    common = finite_float("common", common, low=0.0, high=1.0)
    if common >= 1.0:
        raise ValueError(f"common={common!r}: must be < 1 (some private component)")
    if common > 0 and theta != 1.0:
        raise ValueError("common and theta: common values are simulated for risk-neutral "
                         "bidders only (theta=1)")
    rng = np.random.default_rng(seed_sequence(seed))
    n = sz[rng.integers(0, sz.size, auctions)]
    aid = np.repeat(np.arange(auctions), n)
    nb = n[aid]
    u = rng.random(aid.size)
    top = 1.0 + selective * (nb - sz[0])
    lam = 1.0 - common
    c = lam + (1.0 - lam) * nb / (2.0 * (nb - 1))
    # uniform on [0, top]: the CRRA bid is (N − 1)/(N − 1 + θ) × value (module doc); common
    # values: c_N s (N − 1)/N with v(s, s) = c_N s.
    value = u * top * c
    bid = value * (nb - 1) / (nb - 1 + theta)
    slot = np.arange(aid.size) - np.repeat(np.cumsum(n) - n, n)
    frame = pd.DataFrame({"auction_id": aid, "bidder": slot, "n_bidders": nb, "bid": bid,
                          "value": value})
    return EntryDesign(frame=frame, theta=theta, selective=selective, common=common,
                       min_n=int(sz[0]))
