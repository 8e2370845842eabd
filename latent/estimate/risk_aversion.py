"""Risk aversion in first-price auctions: CRRA identified from exogenous variation in N.

Convention: a winner with value v who pays b gets u(v − b) = (v − b)^θ, θ in (0, 1]; θ = 1 is
risk neutral, smaller θ more risk averse (constant relative risk aversion 1 − θ). The bidder's
first-order condition gives the inverse bid function (Guerre, Perrigne & Vuong, "Nonparametric
identification of risk aversion in first-price auctions under exogenous participation",
Econometrica 2009)

    v = b + θ · G_N(b) / ((N − 1) g_N(b)),

G_N, g_N the bid cdf and density of the N-bidder auctions (θ = 1 is the GPV inversion). One N
cannot tell θ from the value law: any θ rationalises the bids with some F. With exogenous
participation the value law is the same for every N, so the value quantiles

    v_N(α; θ) = b_N(α) + θ · r_N(α),   r_N(α) = α / ((N − 1) g_N(b_N(α)))

(the quantile form of the inversion, :func:`latent.estimate.entry.pseudo_value_quantiles`)
must agree across N at the true θ. The estimate minimises the n-weighted squared disagreement
over a quantile grid (default 0.10, 0.15, …, 0.90):

    Q(θ) = Σ_N n_N Σ_α (v_N(α; θ) − v̄(α; θ))²,  v̄ the n-weighted mean over N,

which is quadratic in θ: θ̂ = −Σ n b̃ r̃ / Σ n r̃², tildes the deviations from the weighted mean
over N at each α. The noise of r̂ in the denominator pulls θ̂ towards 0 (errors in variables),
so the reported θ̂ is bias-corrected by the auction bootstrap (auctions resampled whole within
each N, the inversion re-run, θ re-estimated): 2θ̂ − mean θ*, ± z·SE with the bootstrap SE. Risk
neutrality
θ = 1 is rejected when the two-sided normal p-value of (θ̂ − 1)/SE is below the level. The
minimised Q(θ̂) is an over-identification test (one θ for all N and α; the entry test of
:mod:`latent.estimate.entry` at θ̂), calibrated by the same bootstrap, centred.

Under the estimate the report gives the value quantiles (pooled over N and per N, with
intervals that include θ̂'s uncertainty) and, from the per-bid pseudo-values under θ̂ pooled
over N (:func:`latent.data.gpv.gpv_pseudo_values`, v = b + θ̂ (ξ̂(b) − b)), the revenue of
Myerson's optimal auction and its reserve for risk-neutral bidders with that value law
(:mod:`latent.estimate.functionals`), beside the same numbers under θ = 1: the overstatement
risk neutrality causes. (With risk-averse bidders the seller's optimum is not Myerson's
auction — Maskin & Riley 1984 — so these are the value law's benchmarks, not the optimum.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from latent.data.gpv import gpv_pseudo_values
from latent.estimate.bootstrap import skipped_sd
from latent.estimate.entry import across_n_inputs, bootstrap_pieces
from latent.estimate.functionals import iid_myerson_revenue, monopoly_price
from numerics.results import Result, jsonable, new_axes
from numerics.validate import finite_float

__all__ = ["CRRA_QUANTILES", "CRRAEstimate", "crra_pseudo_values", "estimate_crra"]

CRRA_QUANTILES = tuple(np.round(np.arange(0.10, 0.901, 0.05), 2))


def _theta_hat(b: np.ndarray, r: np.ndarray, w: np.ndarray) -> float:
    """argmin_θ Σ_N w_N Σ_α (b̃ + θ r̃)² (module doc); NaN when r̃ ≡ 0 (no information)."""
    bt = b - w @ b / w.sum()
    rt = r - w @ r / w.sum()
    den = float(np.sum(w[:, None] * rt * rt))
    return -float(np.sum(w[:, None] * bt * rt)) / den if den > 0 else math.nan


def _q(b: np.ndarray, r: np.ndarray, w: np.ndarray, theta: float) -> float:
    v = b + theta * r
    c = v - w @ v / w.sum()
    return float(np.sum(w[:, None] * c * c))


def crra_pseudo_values(bids, n_bidders: int, theta: float, **gpv_options) -> np.ndarray:
    """Per-bid pseudo-values of CRRA bidders: v = b + θ G/((N − 1) g).

    Parameters
    ----------
    bids : array_like
        The N-bidder auctions' bids (auctions × N, or 1-D).
    n_bidders : int
        N.
    theta : float
        CRRA parameter in (0, 1].
    **gpv_options
        Passed to :func:`latent.data.gpv.gpv_pseudo_values` (bandwidth, lowest_wins …).

    Returns
    -------
    ndarray
        The pseudo-values, shaped as ``bids``.

    Examples
    --------
    Uniform values, N = 2, θ = 0.5: bids v/1.5, so v = b + 0.5 b = 1.5 b.

    >>> v = np.random.default_rng(0).random((3000, 2))
    >>> pv = crra_pseudo_values(v / 1.5, 2, 0.5)
    >>> bool(np.median(np.abs(pv - v)) < 0.01)
    True
    """
    theta = finite_float("theta", theta, low=0.0, high=1.0, low_open=True)
    b = np.asarray(bids, float)
    r = gpv_pseudo_values(b.reshape(-1, n_bidders) if b.ndim == 1 else b, n_bidders,
                          **gpv_options)
    # ξ̂ − b is the GPV ratio (±(1 − G)/((N − 1)g) for costs): θ scales it, nothing else moves
    return (b.ravel() + theta * (r.pseudo_value - b.ravel())).reshape(b.shape)


@dataclass(frozen=True, kw_only=True)
class CRRAEstimate(Result):
    """θ̂ of u(x) = x^θ from the value quantiles' agreement across N, and what follows from it.

    ``theta`` ± ``theta_ci`` (bootstrap SE ``theta_se``); ``p_risk_neutral``: two-sided p-value
    of θ = 1, ``risk_neutral_rejected`` when below ``level``; ``overid_statistic`` /
    ``overid_p_value``: the minimised distance and its centred-bootstrap p-value (a small p
    rejects one θ for all N: CRRA with exogenous entry fails). ``quantiles`` (pooled value
    quantiles at ``alphas`` under θ̂) with ``quantiles_ci``; ``per_n``: per N, the value median,
    Myerson's revenue and reserve for the pooled value law under θ̂ and under θ = 1.
    """

    theta: float
    theta_se: float
    theta_ci: tuple[float, float]
    level: float
    p_risk_neutral: float
    risk_neutral_rejected: bool
    overid_statistic: float
    overid_p_value: float
    n_boot: int
    failed: int
    n_bidders: tuple[int, ...]
    n_auctions: tuple[int, ...]
    alphas: tuple[float, ...]
    quantiles: np.ndarray
    quantiles_ci: np.ndarray
    per_n: tuple[dict, ...]
    warnings: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """Plain JSON."""
        return jsonable({
            "model": "CRRA u(x) = x^theta (theta = 1 risk neutral), identified from exogenous "
                     "variation in N (Guerre-Perrigne-Vuong 2009)",
            "theta": self.theta, "theta_se": self.theta_se, "theta_ci": list(self.theta_ci),
            "level": self.level,
            "risk_neutrality": {"p_value": self.p_risk_neutral,
                                "rejected": self.risk_neutral_rejected},
            "overidentification": {"statistic": self.overid_statistic,
                                   "p_value": self.overid_p_value},
            "interval_method": f"auction bootstrap, {self.n_boot} resamples within each N, "
                               f"inversion re-run and theta re-estimated: estimate ± z·SE "
                               f"({self.failed} degenerate set aside)",
            "n_bidders": list(self.n_bidders), "n_auctions": list(self.n_auctions),
            "value_quantiles": [{"alpha": a, "value": float(q), "ci": [float(lo), float(hi)]}
                                for a, q, (lo, hi) in zip(self.alphas, self.quantiles,
                                                          self.quantiles_ci, strict=True)],
            "per_n": list(self.per_n), "warnings": list(self.warnings)})

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: quantity, n_bidders, value, ci_low, ci_high.

        >>> from latent.data.simulated_entry import simulate_entry_design
        >>> d = simulate_entry_design(600, theta=0.5, seed=2)
        >>> est = estimate_crra(d.frame, n_boot=19)
        >>> est.to_frame().quantity.iloc[0]
        'theta'
        """
        rows = [{"quantity": "theta", "n_bidders": None, "value": self.theta,
                 "ci_low": self.theta_ci[0], "ci_high": self.theta_ci[1]}]
        rows += [{"quantity": f"value_quantile_{a:g}", "n_bidders": None, "value": float(q),
                  "ci_low": float(lo), "ci_high": float(hi)}
                 for a, q, (lo, hi) in zip(self.alphas, self.quantiles, self.quantiles_ci,
                                           strict=True)]
        for d in self.per_n:
            for key in ("myerson_revenue", "reserve", "myerson_revenue_risk_neutral",
                        "reserve_risk_neutral"):
                rows.append({"quantity": key, "n_bidders": d["n_bidders"], "value": d[key],
                             "ci_low": None, "ci_high": None})
        return pd.DataFrame(rows, columns=["quantity", "n_bidders", "value", "ci_low",
                                           "ci_high"])

    def plot(self, ax=None):
        """The pooled value quantile function under θ̂ with its pointwise interval."""
        ax = new_axes(ax)
        a = np.asarray(self.alphas)
        ci = np.asarray(self.quantiles_ci)
        ax.plot(a, self.quantiles, "o-", ms=3, label=f"θ̂ = {self.theta:.3g}")
        ax.fill_between(a, ci[:, 0], ci[:, 1], alpha=0.25)
        ax.set_xlabel("quantile level α")
        ax.set_ylabel("value quantile")
        ax.set_title("value quantiles under the CRRA estimate")
        ax.legend()
        return ax

    def lines(self) -> list[str]:
        """The report's text block."""
        pct = int(round((1 - self.level) * 100))
        verdict = ("REJECTED" if self.risk_neutral_rejected else "not rejected")
        out = [f"risk aversion (CRRA u(x) = x^θ, θ = 1 risk neutral; Guerre–Perrigne–Vuong, "
               f"from the value quantiles' agreement across N = "
               f"{', '.join(map(str, self.n_bidders))}):",
               f"  θ = {self.theta:.4g} [{self.theta_ci[0]:.4g}, {self.theta_ci[1]:.4g}] "
               f"({pct}% interval, auction bootstrap, {self.n_boot} resamples within each N)",
               f"  risk neutrality θ = 1: {verdict} (p = {self.p_risk_neutral:.3g}); one θ for "
               f"all N (over-identification): p = {self.overid_p_value:.3g}"]
        mid = int(np.argmin(np.abs(np.asarray(self.alphas) - 0.5)))
        lo, hi = self.quantiles_ci[mid]
        out.append(f"  value median under θ̂ (pooled over N): {self.quantiles[mid]:.4g} "
                   f"[{lo:.4g}, {hi:.4g}]")
        for d in self.per_n:
            out.append(f"  N = {d['n_bidders']}: Myerson revenue {d['myerson_revenue']:.4g} "
                       f"(risk-neutral inversion {d['myerson_revenue_risk_neutral']:.4g}), "
                       f"reserve {d['reserve']:.4g} (risk-neutral "
                       f"{d['reserve_risk_neutral']:.4g}); point estimates for the pooled value "
                       "law, benchmarks for risk-neutral bidders")
        out += [f"  warning: {w}" for w in self.warnings]
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _pooled_law(groups: dict, theta: float, bandwidth, lowest_wins: bool):
    pv = np.concatenate([crra_pseudo_values(m, n, theta, bandwidth=bandwidth,
                                            lowest_wins=lowest_wins).ravel()
                         for n, m in groups.items()])
    atoms, counts = np.unique(pv, return_counts=True)
    return atoms, counts / counts.sum()


def estimate_crra(data, *, auction_col: str = "auction_id", bid_col: str = "bid",
                  n_col: str | None = None, alphas: Sequence[float] = CRRA_QUANTILES,
                  bandwidth="silverman", n_boot: int = 199, level: float = 0.05,
                  min_auctions: int = 20, max_work: float | None = None,
                  seed=0) -> CRRAEstimate:
    """Estimate the CRRA parameter θ of u(x) = x^θ from first-price bids at two or more N.

    Parameters
    ----------
    data : DataFrame or mapping
        A long table of first-price bids (one row per bid) or a mapping N → auctions × N
        array (see :func:`latent.estimate.entry.bid_groups`).
    auction_col, bid_col, n_col : str
        Columns of a DataFrame.
    alphas : sequence of float
        Quantile levels where the value quantiles must agree (default 0.10 … 0.90).
    bandwidth : str or float
        Kernel bandwidth rule or number.
    n_boot : int
        Auction-bootstrap resamples (≥ 19).
    level : float
        1 − confidence of the interval; size of the risk-neutrality test.
    min_auctions : int
        Bidder counts with fewer auctions are left out.
    max_work : float, optional
        Work limit (see :func:`numerics.validate.work_budget`).
    seed : int, SeedSequence or Generator

    Returns
    -------
    CRRAEstimate

    Raises
    ------
    ValueError
        Fewer than two bidder counts (θ is not identified from one), or a bad argument.

    References
    ----------
    Guerre, E., Perrigne, I. and Vuong, Q. (2009), "Nonparametric identification of risk
    aversion in first-price auctions under exogenous participation", Econometrica 77(4).
    Guerre, E., Perrigne, I. and Vuong, Q. (2000), "Optimal nonparametric estimation of
    first-price auctions", Econometrica 68(3).

    Examples
    --------
    >>> from latent.data.simulated_entry import simulate_entry_design
    >>> d = simulate_entry_design(3000, theta=0.5, seed=4)
    >>> est = estimate_crra(d.frame, n_boot=49, seed=1)
    >>> lo, hi = est.theta_ci; bool(lo < 0.5 < hi), est.risk_neutral_rejected
    (True, True)
    """
    a, n_boot, level, groups = across_n_inputs(
        data, alphas=alphas, n_boot=n_boot, level=level, auction_col=auction_col,
        bid_col=bid_col, n_col=n_col, min_auctions=min_auctions, max_work=max_work,
        why="θ is identified from the variation in N; give auctions with two or more N")
    b, r, bs, rs, _ = bootstrap_pieces(groups, a, n_boot=n_boot, seed=seed,
                                       bandwidth=bandwidth)
    w = np.array([m.size for m in groups.values()], float)
    theta = _theta_hat(b, r, w)
    if not math.isfinite(theta):
        raise ValueError("data: the bids carry no information on θ (no spread)")
    ok = np.all(np.isfinite(bs), axis=(1, 2))
    thetas_all = np.array([_theta_hat(x, y, w) for x, y in zip(bs[ok], rs[ok], strict=True)])
    good = np.isfinite(thetas_all)
    thetas = thetas_all[good]
    failed = n_boot - thetas.size
    se = skipped_sd(thetas)[0] if thetas.size >= 3 else math.nan
    raw = theta
    if thetas.size >= 3:
        # r̂ enters the slope's denominator with its noise (errors in variables), which pulls
        # θ̂ towards 0 (−0.03 at θ = 1, 1000 auctions); the bootstrap measures that pull
        theta = 2 * raw - float(np.mean(thetas[np.abs(thetas - np.median(thetas))
                                               <= 5 * max(se, 1e-12)]))
    z = float(stats.norm.ppf(1 - level / 2))
    ci = (theta - z * se, theta + z * se)
    p_rn = float(2 * stats.norm.sf(abs(theta - 1.0) / se)) if se > 0 else math.nan
    q_obs = _q(b, r, w, raw)
    # centred over-identification: the deviations' own minimised distance
    q_boot = np.array([_q(x - b, y - r, w, _theta_hat(x - b, y - r, w))
                       for x, y in zip(bs[ok], rs[ok], strict=True)])
    p_over = float((1 + np.sum(q_boot >= q_obs)) / (1 + q_boot.size))
    pooled = w @ (b + theta * r) / w.sum()
    # each replicate's quantiles under its own θ*: the interval carries θ̂'s uncertainty
    reps = np.array([w @ (x + t * y) / w.sum() for x, y, t in
                     zip(bs[ok][good], rs[ok][good], thetas, strict=True)])
    qse = (np.array([skipped_sd(reps[:, j])[0] for j in range(a.size)]) if len(reps) > 2
           else np.full(a.size, math.nan))
    qci = np.column_stack([pooled - z * qse, pooled + z * qse])
    warnings = []
    if not 0 < theta <= 1:
        warnings.append(f"θ̂ = {theta:.3g} is outside (0, 1] (risk loving or no CRRA "
                        "rationalisation): the model is in doubt; the numbers below are "
                        "computed with θ clipped to (0, 1]")
    th = min(max(theta, 1e-3), 1.0)
    law = _pooled_law(groups, th, bandwidth, False)
    law1 = _pooled_law(groups, 1.0, bandwidth, False)
    per_n = tuple({"n_bidders": n, "value_median": float(np.interp(0.5, a, b[i] + theta * r[i])),
                   "myerson_revenue": iid_myerson_revenue(law, n),
                   "reserve": monopoly_price(law),
                   "myerson_revenue_risk_neutral": iid_myerson_revenue(law1, n),
                   "reserve_risk_neutral": monopoly_price(law1)}
                  for i, n in enumerate(groups))
    return CRRAEstimate(theta=theta, theta_se=float(se), theta_ci=ci, level=level,
                        p_risk_neutral=p_rn, risk_neutral_rejected=bool(p_rn < level),
                        overid_statistic=q_obs, overid_p_value=p_over, n_boot=n_boot,
                        failed=int(failed), n_bidders=tuple(groups),
                        n_auctions=tuple(m.shape[0] for m in groups.values()),
                        alphas=tuple(float(x) for x in a), quantiles=pooled, quantiles_ci=qci,
                        per_n=per_n, warnings=tuple(warnings))
