"""The homogenisation regression from accumulated sufficient statistics: a streaming QR.

The regression of :func:`latent.data.covariates.homogenize_bids` (log bid on an intercept, the
covariates, a dummy per fixed-effect level but the first and a dummy per bidder count N but the
smallest) fitted from the partitions one at a time:

* **Pass 1** (:class:`NormalEquations`): each partition gives the R factor of its rows of
  [X y] (``numpy.linalg.qr``, in row blocks of bounded memory), with a column for *every* level
  of the fixed effects and N that it holds. Two R factors merge by placing their columns at the
  union of the levels (zero columns where a partition lacks a level: the R factor of [X 0] is
  [R 0]) and taking the R factor of the two stacked: RᵀR = XᵀX is kept exactly, and no
  normal matrix is ever formed, so the conditioning is that of X, not of XᵀX (the reason for
  the QR over accumulated XᵀX with a Cholesky: the square of the condition number never
  appears). At the end the reference levels' columns are dropped (the R factor of
  R[:, keep] is that of X[:, keep]) and β̂ solves R β = Rᵀ-part of y by back substitution.
  The level sets are known only at the end, which is why every level gets a column until
  then; a fixed effect with more than :data:`MAX_LEVELS` levels is refused, naming its column.
* **Pass 2** (:class:`Meat`): with β̂ known, each partition adds Σ_g s_g s_gᵀ, s_g = X_gᵀ e_g the
  score of auction g: the cluster-robust (by auction) covariance (XᵀX)⁻¹ M (XᵀX)⁻¹ with
  statsmodels' CR1 correction G/(G − 1) · (n − 1)/(n − p), t with G − 1 degrees of freedom,
  as the in-memory fit (:data:`latent.data.covariates.COV_TYPE`).

Collinear terms are refused with the in-memory rule: |R_jj| ≤ 10⁻⁹ ‖X_j‖.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import linalg, stats

__all__ = ["MAX_LEVELS", "FirstStageFit", "Meat", "NormalEquations", "ReplicateScores",
           "ReplicateShifts", "add_scores", "design_matrix", "level_key"]

MAX_LEVELS = 1000  # levels of one fixed effect: its dummies cost rows × levels per block
_BLOCK_BYTES = 32 << 20  # rows of the design built at once: at most this many bytes


def level_key(v):
    """Sort key of a level, as the in-memory fit sorts (by type name, then value)."""
    return (str(type(v)), v)


def _keys(covariates, levels: dict, n_levels) -> list[tuple]:
    """Column keys in the canonical order: const, covariates, each fixed effect's levels
    (sorted), the bidder counts (sorted)."""
    keys = [("const",)] + [("cov", c) for c in covariates]
    for col, lv in levels.items():
        keys += [("fe", col, v) for v in sorted(lv, key=level_key)]
    return keys + [("N", int(n)) for n in sorted(n_levels)]


def design_matrix(keys, cov_values: dict, fe_values: dict, n_of_row: np.ndarray,
                  rows: slice | None = None) -> np.ndarray:
    """The design's columns ``keys`` for the rows ``rows`` of one partition.

    ``cov_values``: covariate expression → its values (logs taken); ``fe_values``: fixed-effect
    column → its levels (Python scalars); ``n_of_row``: each row's N.

    >>> design_matrix([("const",), ("cov", "x"), ("fe", "r", "a"), ("N", 3)],
    ...               {"x": np.array([0.5, 1.5])}, {"r": np.array(["a", "b"], object)},
    ...               np.array([3, 2])).tolist()
    [[1.0, 0.5, 1.0, 1.0], [1.0, 1.5, 0.0, 0.0]]
    """
    sl = rows if rows is not None else slice(None)
    m = n_of_row[sl].size
    out = np.empty((m, len(keys)))
    for j, key in enumerate(keys):
        if key[0] == "const":
            out[:, j] = 1.0
        elif key[0] == "cov":
            out[:, j] = cov_values[key[1]][sl]
        elif key[0] == "fe":
            out[:, j] = fe_values[key[1]][sl] == key[2]
        else:
            out[:, j] = n_of_row[sl] == key[1]
    return out


def _blocks(n_rows: int, n_cols: int):
    step = max(1, _BLOCK_BYTES // (8 * max(n_cols, 1)))
    return (slice(i, min(i + step, n_rows)) for i in range(0, n_rows, step))


def _r_factor(a: np.ndarray) -> np.ndarray:
    """The square R factor of ``a`` (zero rows added when ``a`` has fewer rows than columns)."""
    r = np.linalg.qr(a, mode="r")
    if r.shape[0] < a.shape[1]:
        r = np.vstack([r, np.zeros((a.shape[1] - r.shape[0], a.shape[1]))])
    return r


@dataclass(frozen=True, eq=False)
class NormalEquations:
    """The R factor of one or more partitions' [X y] (pass 1), columns ``keys`` then y.

    ``n``: rows (bids); ``covariates``: the expressions; ``fixed_effects``: the columns.
    """

    keys: tuple
    r: np.ndarray
    n: int
    covariates: tuple = ()
    fixed_effects: tuple = ()

    @classmethod
    def of(cls, y: np.ndarray, cov_values: dict, fe_values: dict, n_of_row: np.ndarray,
           covariates=(), fixed_effects=()) -> NormalEquations:
        """From one partition's rows (log bids ``y``; see :func:`design_matrix`).

        >>> rng = np.random.default_rng(0); x = rng.random(50); y = 1 + 2 * x
        >>> ne = NormalEquations.of(y, {"x": x}, {}, np.full(50, 2), ("x",))
        >>> ne.solve().coef.round(6).tolist()
        [1.0, 2.0]
        """
        levels = {}
        for col in fixed_effects:
            lv = [v for v in dict.fromkeys(fe_values[col].tolist())]
            _check_levels(col, len(lv))
            levels[col] = lv
        keys = _keys(covariates, levels, np.unique(n_of_row))
        r = np.zeros((len(keys) + 1, len(keys) + 1))
        for rows in _blocks(y.size, len(keys) + 1):
            x = design_matrix(keys, cov_values, fe_values, n_of_row, rows)
            r = _r_factor(np.vstack([r, np.column_stack([x, y[rows]])]))
        return cls(keys=tuple(keys), r=r, n=int(y.size), covariates=tuple(covariates),
                   fixed_effects=tuple(fixed_effects))

    def merge(self, other: NormalEquations) -> NormalEquations:
        """The R factor of both partitions' rows, on the union of their levels."""
        levels = {col: {k[2] for k in (*self.keys, *other.keys) if k[0] == "fe" and k[1] == col}
                  for col in self.fixed_effects}
        for col, lv in levels.items():
            _check_levels(col, len(lv))
        ns = {k[1] for k in (*self.keys, *other.keys) if k[0] == "N"}
        keys = _keys(self.covariates, levels, ns)
        return NormalEquations(keys=tuple(keys), r=_r_factor(np.vstack(
            [self._embedded(keys), other._embedded(keys)])), n=self.n + other.n,
            covariates=self.covariates, fixed_effects=self.fixed_effects)

    def _embedded(self, keys) -> np.ndarray:
        where = {k: i for i, k in enumerate(keys)}
        out = np.zeros((self.r.shape[0], len(keys) + 1))
        cols = [where[k] for k in self.keys] + [len(keys)]
        out[:, cols] = self.r
        return out

    def solve(self, confidence: float = 0.95) -> FirstStageFit:
        """β̂ with the reference levels (first of each fixed effect, smallest N) left out.

        Raises ``ValueError`` naming the collinear terms (as the in-memory fit does).
        """
        refs = set()
        for col in self.fixed_effects:
            lv = sorted((k[2] for k in self.keys if k[0] == "fe" and k[1] == col), key=level_key)
            refs.add(("fe", col, lv[0]))
        ns = sorted(k[1] for k in self.keys if k[0] == "N")
        if ns:
            refs.add(("N", ns[0]))
        keep = [i for i, k in enumerate(self.keys) if k not in refs]
        keys = tuple(self.keys[i] for i in keep)
        r = _r_factor(self.r[:, keep + [len(self.keys)]])
        p = len(keys)
        col_norms = np.linalg.norm(r[:, :p], axis=0)
        bad = [_term(k) for k, d, c in zip(keys, np.abs(np.diag(r)[:p]), col_norms, strict=True)
               if not d > 1e-9 * c]
        if bad:
            shown = ", ".join(bad[:5]) + (f", … ({len(bad)} terms)" if len(bad) > 5 else "")
            verb = "is a linear combination" if len(bad) == 1 else "are linear combinations"
            raise ValueError(f"covariates/fixed_effects: collinear design: {shown} {verb}"
                             " of the terms before (a constant column, a duplicated covariate, "
                             "or fixed effects nested in other fixed effects or covariates)")
        rx = r[:p, :p]
        coef = linalg.solve_triangular(rx, r[:p, p])
        ssr = float(r[p, p] ** 2)
        xtx = self.r[:, keep].T @ self.r[:, keep]
        col_sum = xtx[0]  # X'1, the const column being 1
        y_sum = float(self.r[:, 0] @ self.r[:, -1])
        tss = float(self.r[:, -1] @ self.r[:, -1]) - y_sum**2 / self.n
        return FirstStageFit(keys=keys, coef=coef, r=rx, ssr=ssr,
                             r_squared=1.0 - ssr / tss if tss > 0 else float("nan"),
                             n=self.n, x_mean=col_sum / self.n, y_mean=y_sum / self.n,
                             confidence=confidence)


def _check_levels(col: str, count: int) -> None:
    if count > MAX_LEVELS:
        raise ValueError(f"fixed_effects: column {col!r} has more than {MAX_LEVELS} levels "
                         f"(at least {count}); the streaming regression gives each level a "
                         "column: use a coarser grouping, or a covariate")


def _term(key: tuple) -> str:
    """A column key as the in-memory fit names its term."""
    if key[0] == "const":
        return "const"
    if key[0] == "cov":
        return key[1]
    if key[0] == "fe":
        return f"{key[1]}[{key[2]}]"
    return f"N={key[1]}"


_ROLE = {"const": "intercept", "cov": "covariate", "fe": "fixed effect", "N": "bidder count"}


def add_scores(scores: np.ndarray, x: np.ndarray, resid: np.ndarray,
               group: np.ndarray) -> np.ndarray:
    """Add the rows' x_i e_i to their auctions' scores (in place; returned)."""
    for j in range(x.shape[1]):
        scores[:, j] += np.bincount(group, weights=x[:, j] * resid, minlength=scores.shape[0])
    return scores


@dataclass(frozen=True, eq=False)
class Meat:
    """Σ_g s_g s_gᵀ over auctions g (s_g = X_gᵀ e_g), and the number of auctions (pass 2)."""

    m: np.ndarray
    groups: int

    @classmethod
    def of(cls, x: np.ndarray, resid: np.ndarray, group: np.ndarray) -> Meat:
        """From one partition's design rows, residuals and auction codes (0 … G−1)."""
        g = int(group.max()) + 1 if group.size else 0
        return cls.of_scores(add_scores(np.zeros((g, x.shape[1])), x, resid, group))

    @classmethod
    def of_scores(cls, scores: np.ndarray) -> Meat:
        """From the auctions' scores s_g (auctions × terms)."""
        return cls(m=scores.T @ scores, groups=int(scores.shape[0]))

    def merge(self, other: Meat) -> Meat:
        return Meat(m=self.m + other.m, groups=self.groups + other.groups)


@dataclass(frozen=True, eq=False)
class FirstStageFit:
    """The solved regression: ``keys`` (columns), ``coef``, the R factor ``r`` of X, the sum of
    squared residuals, R², n, the column means ``x_mean`` and ``y_mean`` (of the log bids)."""

    keys: tuple
    coef: np.ndarray
    r: np.ndarray
    ssr: float
    r_squared: float
    n: int
    x_mean: np.ndarray
    y_mean: float
    confidence: float = 0.95

    @property
    def terms(self) -> tuple[str, ...]:
        """The terms as the in-memory fit names them (``const``, ``log(size)``, ``region[3]``,
        ``N=4``)."""
        return tuple(_term(k) for k in self.keys)

    @property
    def roles(self) -> tuple[str, ...]:
        """Per term: intercept, covariate, fixed effect or bidder count."""
        return tuple(_ROLE[k[0]] for k in self.keys)

    @property
    def removed(self) -> np.ndarray:
        """The terms taken out of the bids: covariates and fixed effects."""
        return np.array([k[0] in ("cov", "fe") for k in self.keys])

    @property
    def per_fitted_bid(self) -> bool:
        """Fixed effects present: homogenised bids are multiples of the fitted bid."""
        return any(k[0] == "fe" for k in self.keys)

    def homogenised_log(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """log b̃ as :func:`latent.data.covariates.homogenize_bids` makes it: y − (x_r'β̂ −
        mean), less the mean log bid with fixed effects."""
        rem = self.removed
        shift = float(self.x_mean[rem] @ self.coef[rem])
        out = y - (x[:, rem] @ self.coef[rem] - shift)
        return out - self.y_mean if self.per_fitted_bid else out

    def centred_removed(self, x: np.ndarray) -> np.ndarray:
        """The removed terms of design rows ``x`` less their means over the bids (z of
        :class:`ReplicateShifts`)."""
        rem = self.removed
        return x[:, rem] - self.x_mean[rem]

    def one_step(self, g: np.ndarray) -> np.ndarray:
        """δ = (XᵀX)⁻¹ g for each row g of ``g`` (B × p): R⁻¹R⁻ᵀ by two triangular solves.

        A replicate's weighted fit is β̂ + (XᵀWX)⁻¹Xᵀ(W − 1)e (e the full-data residuals, as
        XᵀWe = Xᵀ(W − 1)e); with XᵀWX replaced by XᵀX it is β̂ + (XᵀX)⁻¹ Σ_a (w_a − 1) s_a, the
        one-step (linearised) bootstrap: the error is O(1/n) where the change is O(1/√n).

        >>> rng = np.random.default_rng(0); x = rng.random(40); y = 1 + 2 * x
        >>> fit = NormalEquations.of(y, {"x": x}, {}, np.full(40, 2), ("x",)).solve()
        >>> g = np.array([[1.0, 0.5]]); xx = np.column_stack([np.ones(40), x])
        >>> bool(np.allclose(fit.one_step(g), np.linalg.solve(xx.T @ xx, g[0])))
        True
        """
        half = linalg.solve_triangular(self.r, np.asarray(g, float).T, trans="T")
        return linalg.solve_triangular(self.r, half).T

    def replicate_shifts(self, scores: ReplicateScores) -> ReplicateShifts:
        """The replicates' changes of the homogenised log bids from pass 2's sums.

        Replicate b's coefficients are β̂ + δ_b (:meth:`one_step`); its centring means are the
        weighted means x̄_b = x̄ + t_b/n_b (and ȳ_b with fixed effects), exact. As
        :func:`latent.data.covariates.homogenize_bids` re-fitted with the weights would give,
        u_b − u = −(x − x̄)'δ_b + (x̄_b − x̄)'(β̂ + δ_b) over the removed terms, less ȳ_b − ȳ
        with fixed effects (:class:`ReplicateShifts`).
        """
        delta = self.one_step(scores.g)
        rem = self.removed
        means = scores.t / scores.bids[:, None]  # x̄_b − x̄, ȳ_b − ȳ
        c = np.einsum("bj,bj->b", means[:, :-1][:, rem], self.coef[rem] + delta[:, rem])
        if self.per_fitted_bid:
            c = c - means[:, -1]
        return ReplicateShifts(d=-delta[:, rem], c=c, delta=delta, coef=self.coef + delta,
                               x_mean=self.x_mean + means[:, :-1],
                               y_mean=self.y_mean + means[:, -1])

    def standard_errors(self, meat: Meat) -> dict:
        """Cluster-robust (CR1) standard errors, intervals and p-values.

        Returns
        -------
        dict
            ``std_error``, ``ci_low``, ``ci_high``, ``p_value`` (arrays over the terms) and
            ``auctions`` (clusters).
        """
        p, g = len(self.keys), meat.groups
        rinv = linalg.solve_triangular(self.r, np.eye(p))
        bread = rinv @ rinv.T  # (XᵀX)⁻¹ = R⁻¹R⁻ᵀ
        cov = bread @ meat.m @ bread * (g / (g - 1.0)) * ((self.n - 1.0) / (self.n - p))
        se = np.sqrt(np.maximum(np.diag(cov), 0.0))
        t = stats.t.ppf(0.5 + self.confidence / 2, g - 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            pv = 2 * stats.t.sf(np.abs(self.coef / se), g - 1)
        return {"std_error": se, "ci_low": self.coef - t * se, "ci_high": self.coef + t * se,
                "p_value": pv, "auctions": g}


@dataclass(frozen=True, eq=False)
class ReplicateScores:
    """Pass 2 of the resampled first stage: per bootstrap replicate b (rows), the auctions'
    scores weighted by their Poisson weight less one, ``g[b] = Σ_a (w_ba − 1) s_a`` (B × p),
    and the weighted centred sums of the design and the log bid, ``t[b] = Σ_a w_ba Σ_{i∈a}
    ([x_i, y_i] − [x̄, ȳ])`` (B × (p + 1)), with the weighted bids ``bids[b] = Σ_a w_ba n_a``."""

    g: np.ndarray
    t: np.ndarray
    bids: np.ndarray

    @classmethod
    def of(cls, scores: np.ndarray, sums: np.ndarray, sizes: np.ndarray,
           weights: np.ndarray) -> ReplicateScores:
        """From a block of auctions: their scores (auctions × p), centred sums (auctions ×
        (p + 1)), bids per auction and Poisson weights (auctions × B)."""
        return cls(g=(weights - 1.0).T @ scores, t=weights.T @ sums, bids=weights.T @ sizes)

    def merge(self, other: ReplicateScores) -> ReplicateScores:
        return ReplicateScores(g=self.g + other.g, t=self.t + other.t,
                               bids=self.bids + other.bids)


@dataclass(frozen=True, eq=False)
class ReplicateShifts:
    """Each replicate's change of the homogenised log bids: u_b = u + z'D_b + c_b, z the bid's
    removed terms less their means (covariates, fixed-effect dummies), ``d`` (B × removed
    terms) and ``c`` (B); ``delta`` (B × p) the one-step change of the whole coefficient
    vector; ``coef`` (B × p) β̂ + δ_b, ``x_mean`` (B × p) and ``y_mean`` (B) the replicates'
    weighted means (made by ``FirstStageFit.replicate_shifts``)."""

    d: np.ndarray
    c: np.ndarray
    delta: np.ndarray
    coef: np.ndarray
    x_mean: np.ndarray
    y_mean: np.ndarray

    def of_rows(self, z: np.ndarray) -> np.ndarray:
        """The shifts of bids with centred removed terms ``z`` (bids × terms): B × bids."""
        return self.d @ z.T + self.c[:, None]
