"""Revenue functionals of N iid bidders whose values follow a finite law, computed exactly.

For symmetric independent private values the numbers ``estimate_rho`` reports are functionals
of one marginal F (the pooled empirical law of the values or pseudo-values). With a finite law
(atoms a_1 < … < a_K, probabilities p_k, F_k = p_1 + … + p_k) each is a finite sum, so no
Monte Carlo error enters the point estimate or the bootstrap replicates:

* **second price**: E[v_(2:N)], with P(v_(2:N) ≤ a_k) = N F_k^(N−1) − (N−1) F_k^N;
* **Myerson's optimal auction** (Myerson 1981): revenue E[max(0, max_i φ̄(v_i))], φ̄ the ironed
  virtual value of the discrete law (``numerics.valuations.Discrete``: ψ_k = a_k −
  (a_(k+1) − a_k)(1 − F_k)/p_k, ironed by the concave hull of the revenue curve). φ̄ is
  non-decreasing in v, so P(max_i φ̄(v_i) ≤ φ̄(a_k)) = F_k^N and the expectation is
  Σ_k max(φ̄_k, 0)(F_k^N − F_(k−1)^N). The allocation is constant on each ironed interval, so
  Myerson's lemma gives this revenue for the threshold payments the engine's mechanism charges
  (checked against its Monte Carlo revenue in the tests);
* the **reserve** (monopoly price): the smallest atom with φ̄ ≥ 0;
* **procurement** with costs c and a buyer who must buy: a seller with cost c is a bidder with
  value V − c; the buyer's expected cost of the optimal rule is V − E[max_i φ̄_V(V − c_i)], with V
  large enough that every φ̄ is positive (:func:`latent.data.empirical.must_buy_value`); that of
  the reverse second-price auction is E[c_(2:N)], the second-lowest cost.
"""

from __future__ import annotations

from math import comb

import numpy as np

from numerics.valuations import Discrete, discrete_virtual_values

__all__ = ["iid_myerson_revenue", "iid_order_stat_mean", "iid_second_price", "law_arrays",
           "monopoly_price"]


def law_arrays(law) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Atoms (increasing), probabilities and the cdf at each atom of a finite law, given as a
    :class:`~numerics.valuations.Discrete` or as an (atoms, probabilities) pair of arrays.

    >>> law_arrays(Discrete((2.0, 1.0), (0.25, 0.75)))[2]
    array([0.75, 1.  ])
    """
    if isinstance(law, Discrete):
        a, p = np.asarray(law.values, float), np.asarray(law.probs, float)
    else:
        a, p = (np.asarray(x, float) for x in law)
    return a, p, np.minimum(np.cumsum(p), 1.0)


def monopoly_price(law) -> float:
    """Myerson's reserve of a finite law: the smallest atom whose ironed virtual value is ≥ 0
    (as :meth:`numerics.valuations.Discrete.monopoly_price`).

    >>> monopoly_price((np.array([1.0, 2.0]), np.array([0.5, 0.5])))
    1.0
    """
    a, p, _ = law_arrays(law)
    phi = discrete_virtual_values(a, p)[1]
    k = int(np.searchsorted(phi, 0.0, side="left"))
    return float(a[k]) if k < a.size else float("inf")


def iid_order_stat_mean(law: Discrete, n_bidders: int, k: int = 1) -> float:
    """E[k-th highest of ``n_bidders`` iid draws from ``law``], exact.

    P(X_(k) ≤ a) = P(at most k − 1 draws above a) = Σ_(j<k) C(n, j)(1 − F)^j F^(n−j).

    Parameters
    ----------
    law : Discrete or (ndarray, ndarray)
        The finite law of one bidder's value (atoms, probabilities).
    n_bidders : int
        The number of iid draws N ≥ k.
    k : int
        1 for the highest, 2 for the second highest.

    Returns
    -------
    float

    >>> iid_order_stat_mean(Discrete((0.0, 1.0), (0.5, 0.5)), 2, k=2)  # both must be 1
    0.25
    """
    a, _, f = law_arrays(law)
    cdf = sum(comb(n_bidders, j) * (1 - f) ** j * f ** (n_bidders - j) for j in range(k))
    return float(np.sum(a * np.diff(np.concatenate([[0.0], cdf]))))


def iid_second_price(law: Discrete, n_bidders: int) -> float:
    """Expected revenue of the second-price auction (no reserve) with N iid bidders, exact.

    >>> iid_second_price(Discrete((0.0, 1.0), (0.5, 0.5)), 2)
    0.25
    """
    return iid_order_stat_mean(law, n_bidders, k=2)


def iid_myerson_revenue(law: Discrete, n_bidders: int) -> float:
    """Expected revenue of Myerson's optimal auction for N iid bidders with values ~ ``law``.

    Parameters
    ----------
    law : Discrete or (ndarray, ndarray)
        The finite law of one bidder's value (its ironed virtual values are the engine's).
    n_bidders : int
        N ≥ 1.

    Returns
    -------
    float
        Σ_k max(φ̄_k, 0)(F_k^N − F_(k−1)^N), exact up to floating point.

    >>> iid_myerson_revenue(Discrete((1.0, 2.0), (0.5, 0.5)), 1)   # post price 1 or 2: both 1
    1.0
    >>> iid_myerson_revenue(Discrete((1.0, 2.0), (0.5, 0.5)), 2)   # price 2 when a 2 bids
    1.5
    """
    a, p, f = law_arrays(law)
    phi = np.maximum(discrete_virtual_values(a, p)[1], 0.0)
    fn = f ** n_bidders
    return float(np.sum(phi * np.diff(np.concatenate([[0.0], fn]))))
