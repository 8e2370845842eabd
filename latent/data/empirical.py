"""From observed bids to the objects of the analysis: marginals, grids, pseudo-values, revenue.

* Marginals are empirical laws (``numerics.valuations.empirical``: atoms at the observed values),
  pooled over bidder slots (symmetric) or one per slot (asymmetric).
* :func:`grid_law` discretises a marginal to K quantile midpoints F⁻¹((k + ½)/K) (equal values
  merged; a law with ≤ K atoms is kept exactly): the product grid of the grade spectrum, the
  truncation analysis and the exact LP.
* First-price bids b are not values: the GPV inversion is :mod:`latent.data.gpv`.
* :func:`~latent.estimate.revenue.mc_revenue`: expected revenue Σ_i E[p_i(v)] of mechanisms
  under the product of the marginals, on common random numbers, with normal 95% CIs on i.i.d.
  profiles.
"""

from __future__ import annotations

import numpy as np

from numerics.valuations import Discrete, empirical  # noqa: F401 - the doctests use it

MAX_ATOMS = 2000


def compressed_atoms(x: np.ndarray, max_atoms: int = MAX_ATOMS,
                     weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Atoms (increasing) and probabilities of :func:`compressed_empirical`, as arrays (the
    bootstrap's functionals use them directly: no law object per replicate). ``weights``:
    whole-number frequencies of ``x`` (binned data), giving exactly the atoms of the sample
    with each value repeated that many times.

    >>> v, p = compressed_atoms(np.array([3.0, 1.0, 1.0])); v.tolist(), p.round(3).tolist()
    ([1.0, 3.0], [0.667, 0.333])
    >>> v, p = compressed_atoms(np.array([3.0, 1.0]), weights=np.array([1.0, 2.0]))
    >>> v.tolist(), p.round(3).tolist()
    ([1.0, 3.0], [0.667, 0.333])
    """
    x = np.asarray(x, dtype=float).ravel()
    if weights is None:  # a plain sort: no permutation array for a large sample
        s = np.sort(x)
        s = s[np.isfinite(s)]
        w = None
        total = float(s.size)
    else:
        w = np.asarray(weights, float).ravel()
        ok = np.isfinite(x) & (w > 0)
        order = np.argsort(x[ok], kind="stable")
        s, w = x[ok][order], w[ok][order]
        total = float(w.sum())
    if s.size == 0:
        raise ValueError("empirical: no finite values")
    if 1 + int(np.count_nonzero(s[1:] != s[:-1])) <= max_atoms:
        if w is None:
            v, counts = np.unique(s, return_counts=True)
            return v, counts / s.size
        v, inv = np.unique(s, return_inverse=True)
        return v, np.bincount(inv, weights=w) / total
    # the quantile midpoints of the empirical law, read off the sorted sample (the law itself,
    # with one atom per distinct value, is never built: it costs a Python float per value)
    u = (np.arange(max_atoms) + 0.5) / max_atoms
    idx = np.clip(np.ceil(total * (u - 1e-15)).astype(np.int64) - 1, 0, int(total) - 1)
    if w is not None:  # the idx-th order statistic of the repeated sample
        idx = np.searchsorted(np.cumsum(w), idx, side="right")
    v, counts = np.unique(s[idx], return_counts=True)
    return v, counts / max_atoms


def compressed_empirical(x: np.ndarray, max_atoms: int = MAX_ATOMS) -> Discrete:
    """The empirical law of ``x``; with more than ``max_atoms`` distinct values, its
    ``max_atoms`` quantile midpoints instead (equal mass; resolution 1/max_atoms in quantile),
    which keeps ironing and Myerson's allocation fast on large data.

    >>> compressed_empirical(np.arange(10.0), max_atoms=2).values
    (2.0, 7.0)
    >>> x = np.random.default_rng(0).random(5000)    # = grid_law(empirical(x), 100) up to
    >>> a = compressed_empirical(x, 100).values       # one order statistic at exact ties
    >>> bool(np.abs(np.subtract(a, grid_law(empirical(x), 100)[0])).max() < 1e-3)
    True
    """
    v, p = compressed_atoms(x, max_atoms)
    return Discrete(tuple(v.tolist()), tuple(p.tolist()))


def marginals_from(matrix: np.ndarray, asymmetric: bool = False,
                   max_atoms: int = MAX_ATOMS) -> tuple:
    """Empirical marginals of an (auctions × N) matrix: one pooled law repeated N times (the
    same object, so mechanisms see iid bidders) or one law per column (compressed to at most
    ``max_atoms`` atoms, see :func:`compressed_empirical`).

    >>> m = marginals_from(np.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> m[0] is m[1], m[0].values
    (True, (1.0, 2.0, 3.0, 4.0))
    """
    n = matrix.shape[1]
    if asymmetric:
        return tuple(compressed_empirical(matrix[:, i], max_atoms) for i in range(n))
    pooled = compressed_empirical(matrix.ravel(), max_atoms)
    return (pooled,) * n


def grid_law(marginal, k: int) -> tuple[np.ndarray, np.ndarray]:
    """K quantile-midpoint values and probabilities (equal values merged; ≤ K atoms kept).

    >>> v, p = grid_law(empirical([1.0, 2.0, 2.0, 4.0]), 8); v.tolist(), p.tolist()
    ([1.0, 2.0, 4.0], [0.25, 0.5, 0.25])
    >>> grid_law(empirical(np.arange(100.0)), 4)[0].tolist()
    [12.0, 37.0, 62.0, 87.0]
    """
    if isinstance(marginal, Discrete) and len(marginal.values) <= k:
        return np.asarray(marginal.values, float), np.asarray(marginal.probs, float)
    q = marginal.quantile if hasattr(marginal, "quantile") else marginal.ppf
    v = np.asarray(q((np.arange(k) + 0.5) / k), dtype=float)
    vals, counts = np.unique(v, return_counts=True)
    return vals, counts / k


def grid_laws(marginals, k: int) -> tuple[list, list, tuple]:
    """Per-axis grid values, probabilities and the grid laws as ``Discrete`` (shared if pooled).

    >>> vals, probs, laws = grid_laws((empirical([1.0, 2.0]),) * 2, 4)
    >>> laws[0] is laws[1], vals[0].tolist()
    (True, [1.0, 2.0])
    """
    cache: dict[int, tuple] = {}
    vals, probs, laws = [], [], []
    for m in marginals:
        if id(m) not in cache:
            v, p = grid_law(m, k)
            cache[id(m)] = (v, p, Discrete(tuple(v.tolist()), tuple(p.tolist())))
        v, p, law = cache[id(m)]
        vals.append(v)
        probs.append(p)
        laws.append(law)
    return vals, probs, tuple(laws)


def allocation_table(mech, values: list[np.ndarray], chunk: int = 1 << 16) -> np.ndarray:
    """x(v) of a single-item mechanism on the product grid: shape (K_1, …, K_N, N).

    >>> from numerics.mechanisms import SecondPrice
    >>> allocation_table(SecondPrice(2), [np.array([0.0, 1.0])] * 2)[1, 0].tolist()
    [1.0, 0.0]
    """
    shape = tuple(len(v) for v in values)
    n = len(values)
    idx = np.indices(shape).reshape(n, -1).T
    prof = np.stack([values[i][idx[:, i]] for i in range(n)], axis=1)
    out = np.empty((prof.shape[0], n))
    for s in range(0, prof.shape[0], chunk):
        out[s:s + chunk] = mech.allocation(prof[s:s + chunk, :, None])[:, :, 0]
    return out.reshape(*shape, n)


def must_buy_value(costs: np.ndarray, asymmetric: bool = False, grids: tuple[int, ...] = ()
                   ) -> float:
    """The smallest buyer value V at which the optimal procurement mechanism on v = V − c buys
    always: every atom's (discrete) virtual value of v must be > 0 — for the empirical
    marginals of ``costs`` (auctions × N, or one column of a law's atoms), or (``grids``) for
    their K-point quantile grid laws, whose atoms are fewer and wider apart. The expected cost
    of a mechanism that always buys does not depend on V beyond this value.

    The virtual value of v = V − c is V − J(c), J(c) = c + F(c)/f(c) the (discrete) virtual
    cost, so V is the largest J over the law's atoms (plus 10⁻⁶ of the atoms' scale). For a
    grid law that is the J of its top atom, the (K − ½)/K quantile of the costs: no single cost
    sets it (the largest cost, an outlier, lies above every grid atom).

    >>> must_buy_value(np.array([[1.0], [2.0]]))    # v = V − c ∈ {V − 2, V − 1}: ψ(V − 2) = V − 3
    3.000004
    >>> c = np.r_[np.linspace(1.0, 2.0, 99), 1e6][:, None]  # one outlier among 100 costs
    >>> must_buy_value(c, grids=(4,)) < 3                      # set by the grid's top atom
    True
    """
    v0 = float(np.max(costs))  # shift so that v ≥ 0 (the laws are built on V − c)
    marg = marginals_from(v0 - costs, asymmetric)
    laws = list(set(marg)) if not grids else [
        law for k in grids for law in set(grid_laws(marg, k)[2])]
    lowest = min(float(np.min(m.virtual_value(np.asarray(m.values)))) for m in laws)
    top = v0 - lowest  # = max J(c) over the atoms
    spread = max(float(np.ptp(m.values)) for m in laws) or 1.0  # of the atoms, not the data
    return top + 1e-6 * (abs(top) + spread)
