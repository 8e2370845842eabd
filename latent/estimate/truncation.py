"""Truncation revenue loss of an allocation rule on a product grid, in two senses.

Bidder i's type takes the grid values a_{i,0} < … < a_{i,K−1} with probabilities p_{i,k}
(independent across bidders). For an allocation table x (K_1×…×K_N × N) the interim rule is
X_i(a) = E[x_i(a, v_{−i})]. A BIC, IR mechanism with monotone X_i and the lowest type's utility
0 earns at most, and with binding adjacent downward constraints exactly (discrete payment
identity; Myerson's lemma on a grid)

    Rev(x) = Σ_i Σ_k p_{i,k} ψ_{i,k} X_i(a_{i,k}),  ψ_k = a_k − (a_{k+1} − a_k)·P(v_i > a_k)/p_k,

with the *plain* discrete virtual value ψ (the ironed ψ̄ gives the same number when X_i is flat
on the ironed intervals, as Myerson's allocation is; in general Σ E[ψ̄ X] ≥ Rev(x)).

* **naive** truncation x^{≤R} = Σ_{#u≤R} x_u: for R ≥ 1 its interim rule *equals* X_i (only the
  grade-≤1 own-type part of x_i survives averaging over v_{−i}), so the revenue functional is
  unchanged — but x^{≤R} is usually not an allocation: we report the probability mass of profiles
  with some x_i < 0, x_i > 1 or Σ_i x_i > 1, the mean and largest excess, and its ex-post
  monotonicity violations (x_i decreasing in the own type for some v_{−i}).
* **repaired** truncation: each profile's x^{≤R}(v) is projected (Euclidean) onto the feasible
  set {y ≥ 0, Σ_i y_i ≤ 1}; if an interim rule Y_i of the projection is not monotone, it is
  lowered to its largest monotone minorant Ỹ_i(a_k) = min_{j ≥ k} Y_i(a_j) by scaling bidder
  i's allocation at own type a_k by Ỹ/Y ≤ 1 (still feasible). The result is a feasible, BIC,
  IR mechanism; its revenue is the payment identity applied to Ỹ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from latent.anova import truncations
from latent.estimate.symmetric_rows import OwnAndOthers, own_and_others, symmetric_rule


def grid_virtual_values(values, probs) -> np.ndarray:
    """Plain discrete virtual values ψ_k = a_k − (a_{k+1} − a_k)·P(v > a_k)/p_k.

    >>> grid_virtual_values([1.0, 2.0, 3.0], [1 / 3] * 3).round(12).tolist()
    [-1.0, 1.0, 3.0]
    """
    a = np.asarray(values, dtype=float)
    p = np.asarray(probs, dtype=float)
    above = np.clip(1.0 - np.cumsum(p), 0.0, None)
    step = np.append(np.diff(a), 0.0)
    return a - step * above / p


def interim(x: np.ndarray, probs: list[np.ndarray]) -> list[np.ndarray]:
    """X_i(a_k) = Σ_{v_{−i}} P(v_{−i}) x_i(a_k, v_{−i}) for a table x (K_1×…×K_N × N).

    >>> x = np.zeros((2, 2, 2)); x[1, :, 0] = 1.0; x[0, 1, 1] = 1.0
    >>> [X.tolist() for X in interim(x, [np.array([0.5, 0.5])] * 2)]
    [[0.0, 1.0], [0.0, 0.5]]
    """
    n = len(probs)
    out = []
    for i in range(n):
        t = x[..., i]
        for j in reversed(range(n)):
            if j != i:  # highest axis first, so axis j keeps its index
                t = np.tensordot(t, probs[j], axes=([j], [0]))
        out.append(np.asarray(t, dtype=float).reshape(-1))
    return out


def grid_revenue(x: np.ndarray, values: list, probs: list) -> float:
    """Σ_i E[ψ_i(v_i) x_i(v)] on the grid (the BIC/IR revenue when every X_i is monotone).

    >>> a, p = [np.array([0.0, 1.0])] * 2, [np.array([0.5, 0.5])] * 2
    >>> x = np.zeros((2, 2, 2)); x[1, :, 0] = 1.0   # posted price 1 to bidder 1
    >>> grid_revenue(x, a, p)
    0.5
    """
    return float(sum(np.dot(pi * grid_virtual_values(ai, pi), Xi) for ai, pi, Xi in
                     zip(values, probs, interim(x, probs), strict=True)))


def project_feasible(x: np.ndarray) -> np.ndarray:
    """Euclidean projection of each row (last axis) onto {y ≥ 0, Σ y ≤ 1}.

    >>> project_feasible(np.array([[0.8, 0.6], [-0.2, 0.5], [2.0, -1.0]])).round(12).tolist()
    [[0.6, 0.4], [0.0, 0.5], [1.0, 0.0]]
    """
    x = np.asarray(x, dtype=float)
    y = np.maximum(x, 0.0)
    rows = y.reshape(-1, x.shape[-1]) if x.ndim else y.reshape(1, 1)
    over = np.flatnonzero(_across(rows, np.add) > 1.0)
    if len(over):
        # Rows with Σ y⁺ > 1 go to the face Σ y = 1: y = (z − θ)⁺ with θ > 0 the root of
        # Σ (z − θ)⁺ = 1. Michelot's (1986) fixed point θ ← (Σ_{z>θ} z − 1)/#{z > θ}, started
        # from the positive entries (a superset of the final support), only shrinks the support
        # and stops within one pass per entry; no sort of every row (1.7× faster at K^N = 10^6).
        # The rows are held transposed (N × rows): the sums over a row's few entries are then
        # N − 1 whole-array additions, not N-long reductions per row (2–3× faster).
        z = np.ascontiguousarray(x.reshape(rows.shape)[over].T)
        active = z > 0
        theta = (_across(z * active, np.add, 0) - 1.0) / _across(active, np.add, 0)
        for _ in range(z.shape[0]):
            active = z > theta
            new = (_across(z * active, np.add, 0) - 1.0) / _across(active, np.add, 0)
            if np.array_equal(new, theta):
                break
            theta = new
        rows[over] = np.maximum(z - theta, 0.0).T
    return y


def _across(a: np.ndarray, ufunc, axis: int = -1) -> np.ndarray:
    """``ufunc`` folded over the few entries of ``axis`` one whole slice at a time (numpy's
    reduction over a short axis runs a short loop per element: several times slower)."""
    parts = np.moveaxis(a, axis, 0)
    out = parts[0].astype(float if ufunc is np.add else parts.dtype, copy=True)
    for part in parts[1:]:
        ufunc(out, part, out=out)
    return out


@dataclass(frozen=True)
class Violations:
    """How far a table is from an allocation rule (masses are probabilities under the grid law)."""

    mass_negative: float  # P(some x_i < −tol)
    mass_above_one: float  # P(some x_i > 1 + tol)
    mass_oversold: float  # P(Σ_i x_i > 1 + tol)
    mass_infeasible: float  # P(any of the three)
    mean_excess: float  # E[Σ_i (x_i⁻ + (x_i − 1)⁺) + (Σ_i x_i − 1)⁺]
    max_excess: float
    monotonicity_share: float  # share of (i, own step, v_{−i}), P-weighted, where x_i decreases
    max_decrease: float
    interim_monotone: bool

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def violations(x: np.ndarray, probs: list[np.ndarray], tol: float = 1e-9) -> Violations:
    """Feasibility and monotonicity violations of a table x (K_1×…×K_N × N).

    A symmetric rule's table (exactly so: :func:`~latent.estimate.symmetric_rows.symmetric_rule`)
    is checked on bidder 0's rows (own type, multiset of the others' types) only.

    >>> v = violations(np.array([[[0.5, 0.7]]]), [np.array([1.0])] * 2)
    >>> v.mass_oversold, round(v.mean_excess, 12)
    (1.0, 0.2)
    """
    n = len(probs)
    if symmetric_rule(x, probs):
        rows = own_and_others(probs[0], n)
        return _violations_of_rows(rows.rows(x), rows, tol)
    w = probs[0]
    for pj in probs[1:]:
        w = np.multiply.outer(w, pj)
    cols = np.moveaxis(x, -1, 0)  # bidder-major: the checks across bidders are whole-array ops
    neg = _across(cols < -tol, np.logical_or, 0)
    high = _across(cols > 1 + tol, np.logical_or, 0)
    total = _across(cols, np.add, 0)
    over = total > 1 + tol
    # x⁻ + (x − 1)⁺ = (|x − ½| − ½)⁺: one temporary instead of four
    excess = _across(np.maximum(np.abs(cols - 0.5) - 0.5, 0), np.add, 0) + np.maximum(total - 1, 0)
    share, worst = 0.0, 0.0
    for i in range(n):
        k = x.shape[i]
        if k < 2:
            continue
        d = np.diff(cols[i], axis=i)
        wo = np.sum(w, axis=i) if n > 1 else np.ones(())
        bad = np.moveaxis(d < -tol, i, 0)  # (K−1, others…)
        share += float((bad * wo).sum()) / (k - 1) / n
        worst = max(worst, float(np.max(-d, initial=0.0)))
    mono = all(bool(np.all(np.diff(X) >= -tol)) for X in interim(x, probs))
    return Violations(float(w[neg].sum()), float(w[high].sum()), float(w[over].sum()),
                      float(w[neg | high | over].sum()), float((w * excess).sum()),
                      float(excess.max(initial=0.0)), share, worst, mono)


def _violations_of_rows(r: np.ndarray, rows: OwnAndOthers, tol: float) -> Violations:
    """:func:`violations` of a symmetric rule's table from bidder 0's rows ``r`` (own type,
    multiset of the others' types; ``rows.rows(table)``): each check is symmetric in the
    bidders, so the numbers are the same (up to rounding) at a fraction of the cost
    (:mod:`latent.estimate.symmetric_rows`)."""
    w = rows.weights
    neg = np.any(r < -tol, axis=1)
    high = np.any(r > 1 + tol, axis=1)
    total = r.sum(axis=1)
    over = total > 1 + tol
    excess = np.maximum(np.abs(r - 0.5) - 0.5, 0).sum(axis=1) + np.maximum(total - 1, 0)
    own = rows.by_own_type(r[:, 0])
    d = np.diff(own, axis=0)  # (K − 1, multisets): bidder 0's steps up in her own type
    share = (float(((d < -tol) * rows.others_probs).sum()) / (own.shape[0] - 1)
             if own.shape[0] > 1 else 0.0)
    mono = bool(np.all(np.diff(rows.interim(r[:, 0])) >= -tol))
    return Violations(float(w[neg].sum()), float(w[high].sum()), float(w[over].sum()),
                      float(w[neg | high | over].sum()), float((w * excess).sum()),
                      float(excess.max(initial=0.0)), share,
                      float(np.max(-d, initial=0.0)), mono)


def repair(x: np.ndarray, probs: list[np.ndarray], tol: float = 1e-12):
    """Project to feasibility, then lower non-monotone interim rules to their largest monotone
    minorant (see module doc). Returns (table, mass lowered Σ_i Σ_k p_k (Y − Ỹ), was monotone).

    >>> y, lowered, mono = repair(np.array([[[0.8, 0.6]]]), [np.array([1.0])] * 2)
    >>> y.round(12).tolist(), lowered, mono
    ([[[0.6, 0.4]]], 0.0, True)
    """
    y = project_feasible(x)
    lowered, monotone = 0.0, True
    for i, (Y, p) in enumerate(zip(interim(y, probs), probs, strict=True)):
        low = np.minimum.accumulate(Y[::-1])[::-1]
        if np.any(Y - low > tol):
            monotone = False
            lowered += float(np.dot(p, Y - low))
            scale = np.divide(low, Y, out=np.ones_like(Y), where=Y > 0)
            shape = [1] * (y.ndim - 1)
            shape[i] = -1
            y[..., i] *= scale.reshape(shape)
    return y, lowered, monotone


@dataclass(frozen=True)
class TruncationPoint:
    """Grade R: the naive truncation (revenue functional, violations) and the repaired one."""

    grade: int
    naive_revenue: float
    naive: Violations
    repaired_revenue: float
    repaired_was_monotone: bool
    repaired_lowered_mass: float
    revenue_full: float

    @property
    def repaired_loss(self) -> float:
        return self.revenue_full - self.repaired_revenue

    def to_dict(self) -> dict:
        return {"grade": self.grade, "naive_revenue": self.naive_revenue,
                "naive_loss": self.revenue_full - self.naive_revenue,
                "naive_violations": self.naive.to_dict(),
                "repaired_revenue": self.repaired_revenue, "repaired_loss": self.repaired_loss,
                "repaired_was_monotone": self.repaired_was_monotone,
                "repaired_lowered_mass": self.repaired_lowered_mass}


def truncation_losses(x: np.ndarray, values: list, probs: list,
                      grades=(1, 2, 3)) -> tuple[float, tuple[TruncationPoint, ...]]:
    """Revenue of x and, for each R in ``grades`` (R < N), its naive and repaired truncations.

    >>> a, p = [np.array([0.0, 1.0])] * 2, [np.array([0.5, 0.5])] * 2
    >>> x = np.zeros((2, 2, 2)); x[1, 0, 0] = x[0, 1, 1] = 1.0; x[1, 1] = 0.5   # highest wins
    >>> full, (pt,) = truncation_losses(x, a, p, grades=(1,))
    >>> full, round(pt.naive_revenue, 12), pt.naive.mass_infeasible > 0
    (0.75, 0.75, True)
    """
    probs = [np.asarray(q, dtype=float) for q in probs]
    values = [np.asarray(v, dtype=float) for v in values]
    n = len(probs)
    tables = truncations(x, probs, [r for r in grades if r < n], n_inputs=n)
    if symmetric_rule(x, probs):
        # the truncations of a symmetric rule are symmetric (they commute with permuting
        # axes of equal weights; equal up to rounding): bidder 0's rows tell everything
        rows = own_and_others(probs[0], n)
        psi = sum(p * grid_virtual_values(a, p) for a, p in zip(values, probs, strict=True))
        full = float(np.dot(psi, rows.interim(rows.rows(x)[:, 0])))
        return full, tuple(_point_on_rows(r, xt, rows, psi, full) for r, xt in tables.items())
    full = grid_revenue(x, values, probs)
    points = []
    for r, xt in tables.items():
        naive_rev = grid_revenue(xt, values, probs)
        y, lowered, mono = repair(xt, probs)
        points.append(TruncationPoint(r, naive_rev, violations(xt, probs),
                                      grid_revenue(y, values, probs), mono, lowered, full))
    return full, tuple(points)


def _point_on_rows(grade: int, xt: np.ndarray, rows: OwnAndOthers, psi: np.ndarray,
                   full: float, tol: float = 1e-12) -> TruncationPoint:
    """The truncation point of a symmetric rule's truncated table from bidder 0's rows: every
    bidder's interim rule is bidder 0's (in type indices), so revenues are Σ_k (Σ_i p_{i,k}
    ψ_{i,k}) X(a_k) (``psi``), and :func:`repair`'s projection and minorant need only the rows
    (the projection is row-wise and commutes with permuting the bidders)."""
    r = rows.rows(xt)
    n = r.shape[1]
    y = rows.interim(project_feasible(r)[:, 0])
    low = np.minimum.accumulate(y[::-1])[::-1]
    monotone = not np.any(y - low > tol)
    lowered = 0.0 if monotone else n * float(np.dot(rows.own_probs, y - low))
    return TruncationPoint(grade, float(np.dot(psi, rows.interim(r[:, 0]))),
                           _violations_of_rows(r, rows, 1e-9),
                           float(np.dot(psi, y if monotone else low)), monotone, lowered, full)
