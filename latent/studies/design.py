"""The compressibility design problem of the *Latent mechanism design* papers: maximise
Rev + λ·c over a mechanism family (c: how compressible the allocation rule is).

Every candidate is measured on a K-point quantile grid per bidder (midpoints, weight 1/K): its
revenue E Σ_i p_i and its grade spectrum are *exact for the discretised law* (the grid converges
to the continuous law at O(1/K) for these discontinuous rules). The compressibility score c is

* ``rho``: the grade-decay ρ, capped at ``rho_cap`` (a grade-1 rule has ρ = ∞, so an uncapped
  Rev + λ·ρ is maximised by any grade-1 rule for every λ > 0 — the papers' objective is
  degenerate; the cap makes it a trade-off and is reported);
* ``share``: the grade-1 energy share W_1/Var ∈ [0, 1] (1 for additive rules).

Families: ``reserve`` (second price with an anonymous reserve r), ``posted`` (one-unit
sequential posted price p), ``unlimited`` (posted price with unlimited supply: more supply, so
not comparable with one-unit rules and not in the default family). The Pareto
frontier keeps candidates not dominated in (revenue, c); the λ-maximisers lie on its upper
concave hull.
"""

from __future__ import annotations

import math
import os
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from latent.anova import grade_spectrum_grid
from latent.results import Result, jsonable, new_axes
from latent.studies.formats import UnlimitedPostedPrice
from numerics.mechanisms import make_mechanism
from numerics.valuations import parse_valuation

FAMILIES = ("reserve", "posted", "unlimited")
MEASURES = ("rho", "share")


@dataclass(frozen=True, kw_only=True)
class Candidate(Result):
    """One mechanism of the family, measured exactly on the grid."""

    family: str
    parameter: float
    revenue: float
    rho: float
    share: float
    score: float
    constant: bool = False

    def to_dict(self) -> dict:
        return {"constant": self.constant, "family": self.family,
                "parameter": self.parameter, "revenue": self.revenue,
                "rho": "inf" if math.isinf(self.rho) else self.rho, "grade1_share": self.share,
                "score": self.score, "exact_on_grid": True}


@dataclass(frozen=True, kw_only=True)
class DesignResult(Result):
    """Candidates, the Pareto frontier (indices), and the maximiser of Rev + λ·c per λ.

    >>> d = design(2, grid=8, lambdas=(0.0, 1.0), params=[0.0, 0.5])
    >>> d.to_frame().columns.tolist()[:4], len(d.to_frame()) == len(d.candidates)
    (['family', 'parameter', 'revenue', 'rho'], True)
    >>> d.choices_frame()["lambda"].tolist()
    [0.0, 1.0]
    """

    candidates: tuple[Candidate, ...]
    pareto: tuple[int, ...]
    choices: tuple[tuple[float, int], ...]
    measure: str
    rho_cap: float
    n: int
    values: str
    grid: int

    def to_dict(self) -> dict:
        return jsonable({
            "bidders": self.n, "values": self.values, "grid": self.grid,
            "measure": self.measure, "rho_cap": self.rho_cap,
            "candidates": [c.to_dict() for c in self.candidates],
            "pareto": [self.candidates[i].to_dict() for i in self.pareto],
            "choices": [{"lambda": lam, **self.candidates[i].to_dict()}
                        for lam, i in self.choices],
            "definition": "maximise Rev + λ·c; c = min(ρ, rho_cap) or the grade-1 share "
                          "W_1/Var; all numbers exact on the K-point quantile grid",
        })

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate: family, parameter, revenue, rho, grade1_share, score,
        pareto (on the frontier), best_for_lambda (the smallest λ it maximises, else NaN)."""
        best = {}
        for lam, i in self.choices:
            best.setdefault(i, lam)
        rows = [{"family": c.family, "parameter": c.parameter, "revenue": c.revenue,
                 "rho": c.rho, "grade1_share": c.share, "score": c.score,
                 "pareto": i in self.pareto, "best_for_lambda": best.get(i, float("nan"))}
                for i, c in enumerate(self.candidates)]
        return pd.DataFrame(rows)

    def choices_frame(self) -> pd.DataFrame:
        """One row per λ: the maximiser of Rev + λ·c (family, parameter, revenue, score)."""
        return pd.DataFrame([{"lambda": lam, "family": self.candidates[i].family,
                              "parameter": self.candidates[i].parameter,
                              "revenue": self.candidates[i].revenue,
                              "score": self.candidates[i].score} for lam, i in self.choices])

    def plot(self, ax=None):
        """Revenue vs score of all candidates, the Pareto frontier highlighted; returns the
        axes (a new figure's when ``ax`` is None). A path as ``ax`` is deprecated."""
        if isinstance(ax, str | os.PathLike):
            warnings.warn("DesignResult.plot(path) is deprecated: use "
                          "plot().figure.savefig(path)", DeprecationWarning, stacklevel=2)
            self.plot().figure.savefig(ax, dpi=120)
            return None
        ax = new_axes(ax)
        for fam in FAMILIES:
            pts = [c for c in self.candidates if c.family == fam]
            if pts:
                ax.plot([c.score for c in pts], [c.revenue for c in pts], "o", ms=3, label=fam)
        par = sorted((self.candidates[i] for i in self.pareto), key=lambda c: c.score)
        ax.plot([c.score for c in par], [c.revenue for c in par], "k-", label="Pareto frontier")
        ax.set_xlabel(f"compressibility c ({self.measure})")
        ax.set_ylabel("revenue (exact on grid)")
        ax.legend(fontsize=8)
        return ax


def _grid_profiles(values: str, n: int, k: int):
    marg = parse_valuation(values)
    pts = np.asarray(marg.quantile((np.arange(k) + 0.5) / k), dtype=float)
    mesh = np.stack(np.meshgrid(*[pts] * n, indexing="ij"), axis=-1).reshape(-1, n)
    return marg, pts, mesh[:, :, None]


def _mechanism(family: str, n: int, param: float):
    if family == "reserve":
        return make_mechanism("second_price", n, reserve=param)
    if family == "posted":
        return make_mechanism("posted_price", n, price=param)
    if family == "unlimited":
        return UnlimitedPostedPrice(param)
    raise ValueError(f"unknown family {family!r}; choose from {', '.join(FAMILIES)}")


def evaluate(family: str, param: float, n: int, values: str = "uniform", grid: int = 24,
             rho_cap: float = 10.0, measure: str = "rho") -> Candidate:
    """Revenue and compressibility of one candidate, exact on the grid.

    >>> c = evaluate("unlimited", 0.5, 3, grid=8); c.rho, c.share, round(c.revenue, 12)
    (inf, 1.0, 0.75)
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}")
    _, _, v = _grid_profiles(values, n, grid)
    x, p = _mechanism(family, n, param).outcome(v)
    revenue = float(p.sum(axis=1).mean())
    table = x.reshape((grid,) * n + (-1,))
    if not np.any(np.ptp(table.reshape(-1, table.shape[-1]), axis=0) > 0):
        return Candidate(family=family, parameter=float(param), revenue=revenue, rho=math.inf,
                         share=1.0, score=rho_cap if measure == "rho" else 1.0,
                         constant=True)  # constant rule
    s = grade_spectrum_grid(table, np.full(grid, 1.0 / grid), n_inputs=n)
    fit = s.rho()
    rho = fit.rho
    share = s.energies[1] / s.variance
    score = (min(rho, rho_cap) if not math.isnan(rho) else 0.0) if measure == "rho" else share
    return Candidate(family=family, parameter=float(param), revenue=revenue, rho=rho,
                     share=share, score=score)


def pareto_front(points) -> tuple[int, ...]:
    """Indices of points (revenue, score) not weakly dominated by another (both maximised).

    >>> pareto_front([(1, 1), (2, 0), (0.5, 0.5), (1, 1)])
    (0, 1)
    """
    pts = [tuple(p) for p in points]
    keep = []
    for i, p in enumerate(pts):
        dominated = any((q[0] >= p[0] and q[1] >= p[1] and q != p) or (q == p and j < i)
                        for j, q in enumerate(pts))
        if not dominated:
            keep.append(i)
    return tuple(keep)


def design(n: int = 3, values: str = "uniform", families=("reserve", "posted"),
           params=None, lambdas=(0.0, 0.01, 0.03, 0.1, 0.3, 1.0), grid: int = 24,
           measure: str = "rho", rho_cap: float = 10.0) -> DesignResult:
    """Measure a family of mechanisms and solve max Rev + λ·c for each λ (see module doc).

    ``params``: parameter values (reserves / prices); default 21 quantiles of F in [0, 0.95].

    >>> d = design(2, grid=8, lambdas=(0.0,), params=[0.0, 0.5])
    >>> d.candidates[d.choices[0][1]].family, d.candidates[d.choices[0][1]].parameter
    ('reserve', 0.5)
    """
    marg = parse_valuation(values)
    if params is None:
        params = [float(marg.quantile(q)) for q in np.linspace(0, 0.95, 20)]
    # A constant rule (e.g. a posted price at the bottom of the support: bidder 1 always buys)
    # has no variance and a vacuous ρ = ∞; it is dropped, not allowed to win every λ > 0.
    cands = tuple(c for c in (evaluate(f, p, n, values, grid, rho_cap, measure)
                              for f in families for p in params) if not c.constant)
    if not cands:
        raise ValueError("every candidate is a constant rule; choose other parameters")
    front = pareto_front([(c.revenue, c.score) for c in cands])
    choices = tuple((float(lam), int(np.argmax([c.revenue + lam * c.score for c in cands])))
                    for lam in lambdas)
    return DesignResult(candidates=cands, pareto=front, choices=choices, measure=measure,
                        rho_cap=rho_cap, n=n, values=values, grid=grid)
