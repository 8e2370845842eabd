"""Mergeable moment accumulators and confidence intervals for Monte Carlo means.

CIs are iid normal-theory intervals: every simulated profile is an independent draw, so the
per-profile quantities are iid and mean ± z·s/√n is valid (no batch means needed). Ratios
(efficiency = E[welfare]/E[optimal welfare]) use the delta method. Accumulators merge with
Chan et al.'s pairwise update, in a fixed (batch) order, so results do not depend on how batches
were distributed over workers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from numerics.results import ConfidenceInterval, Estimate

METHOD = "iid normal-theory 95% CI (independent profiles)"

__all__ = ["METHOD", "Estimate", "Moments", "mean_ci"]


@dataclass(frozen=True)
class Moments:
    """Count, column means and co-moment matrix of a (rows × k) sample, mergeable.

    >>> a = Moments.of(np.array([[1.0], [2.0]])); b = Moments.of(np.array([[3.0], [4.0]]))
    >>> m = a.merge(b); m.n, float(m.mean[0]), float(m.cov[0, 0])
    (4, 2.5, 1.6666666666666667)
    """

    n: int
    mean: np.ndarray
    comoment: np.ndarray

    @staticmethod
    def of(x: np.ndarray) -> Moments:
        x = np.asarray(x, float)
        mu = x.mean(axis=0)
        d = x - mu
        return Moments(x.shape[0], mu, d.T @ d)

    @staticmethod
    def of_rows(rows: np.ndarray) -> Moments:
        """Like ``of(rows.T)`` for quantities stored one per row, in one pass: co-moments as
        Σ x xᵀ − n μ μᵀ. Cancellation costs ~ε·μ²/σ² relative accuracy within one batch; the
        merge across batches is Chan's stable update.

        >>> m = Moments.of_rows(np.array([[1.0, 2.0, 3.0]])); float(m.cov[0, 0])
        1.0
        """
        rows = np.asarray(rows, float)
        n = rows.shape[1]
        mu = rows.sum(axis=1) / n
        com = rows @ rows.T - n * np.outer(mu, mu)
        return Moments(n, mu, com)

    def merge(self, other: Moments) -> Moments:
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * (other.n / n)
        com = self.comoment + other.comoment + np.outer(delta, delta) * (self.n * other.n / n)
        return Moments(n, mean, com)

    @property
    def cov(self) -> np.ndarray:
        return self.comoment / max(self.n - 1, 1)

    def estimate(self, k: int, level: float = 0.95, *, student: bool = False) -> Estimate:
        """Column ``k``'s mean with its ``level`` interval: normal, or (``student``) Student's
        t with n − 1 degrees of freedom (for few draws)."""
        q = 0.5 + level / 2.0
        z = stats.t.ppf(q, self.n - 1) if student and self.n > 1 else stats.norm.ppf(q)
        half = z * np.sqrt(max(self.cov[k, k], 0.0) / max(self.n, 1))
        m = float(self.mean[k])
        method = (METHOD.replace("normal-theory", "Student-t") if student else METHOD)
        return Estimate(m, ConfidenceInterval.of((m - half, m + half), level), self.n,
                        method.replace("95%", f"{100 * level:g}%"))

    def ratio(self, a: int, b: int, level: float = 0.95) -> Estimate:
        """E[col a]/E[col b] with a delta-method CI."""
        z = stats.norm.ppf(0.5 + level / 2.0)
        ma, mb = float(self.mean[a]), float(self.mean[b])
        if mb == 0:
            return Estimate(float("nan"), (float("nan"), float("nan")), self.n, "ratio, delta")
        r = ma / mb
        c = self.cov
        var = (c[a, a] - 2 * r * c[a, b] + r * r * c[b, b]) / (self.n * mb * mb)
        half = z * np.sqrt(max(var, 0.0))
        return Estimate(
            r, (float(r - half), float(r + half)), self.n, METHOD + ", delta method for the ratio"
        )


def mean_ci(x, level: float = 0.95, *, student: bool = False) -> Estimate:
    """Mean of iid draws with a normal-theory (``student``: Student-t) interval: the one home of
    "a Monte Carlo mean with its interval" (the engine's audit, learning, the efficient
    mechanism's revenue and, through :func:`latent.data.tails.mean_interval`, the estimates
    from data all read it).

    Parameters
    ----------
    x : array_like
        The iid draws.
    level : float
        Confidence level of the interval.
    student : bool
        Student's t quantile with n − 1 degrees of freedom instead of the normal one.

    Returns
    -------
    Estimate

    Examples
    --------
    >>> e = mean_ci([1.0, 2.0, 3.0]); e.mean, round(e.half_width, 4)
    (2.0, 1.1316)
    >>> round(mean_ci([1.0, 2.0, 3.0], student=True).half_width, 4)   # t with 2 d.o.f.
    2.4841
    """
    return Moments.of(np.asarray(x, float).reshape(-1, 1)).estimate(0, level, student=student)
