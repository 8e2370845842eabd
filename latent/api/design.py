"""``latent.design``: design for compressibility — (revenue, ρ) of a mechanism family, its Pareto
frontier, the maximiser of Rev + λ·c, and optionally the exact revenue–grade frontier (LP) and
the repaired-truncation frontier at scale (Monte Carlo).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from latent.results import Result, jsonable
from latent.studies.design import FAMILIES, MEASURES, DesignResult
from latent.studies.design import design as design_family
from latent.studies.knee import ExactFrontier, exact_frontier
from latent.studies.truncation import ScaleFrontier, frontier_at_scale
from numerics.lpcost import check_frontier_cost
from numerics.seeding import stable_seed
from numerics.validate import (
    choice,
    finite_float,
    memory_budget,
    number_list,
    positive_int,
    size_budget,
    size_float,
    work_budget,
)
from numerics.valuations import parse_valuation

__all__ = ["DEFAULT_LAMBDAS", "DesignReport", "design"]

DEFAULT_LAMBDAS = (0.0, 0.01, 0.03, 0.1, 0.3, 1.0)
MAX_PROFILES = 2_000_000


@dataclass(frozen=True, kw_only=True)
class DesignReport(Result):
    """The design problem's answer: ``design`` (candidates, Pareto frontier, λ-maximisers),
    and when asked ``frontier`` (exact LP frontier with its knee) and ``frontier_at_scale``.
    """

    design: DesignResult
    frontier: ExactFrontier | None = None
    frontier_at_scale: ScaleFrontier | None = None
    lp_grid: int | None = None

    def to_dict(self) -> dict:
        """The ``--json`` document of ``python -m latent design``."""
        return jsonable({"design": self.design, "frontier": self.frontier,
                         "frontier_at_scale": self.frontier_at_scale})

    def to_frame(self) -> pd.DataFrame:
        """One row per candidate mechanism (see :meth:`DesignResult.to_frame`)."""
        return self.design.to_frame()

    def choices_frame(self) -> pd.DataFrame:
        """One row per λ: the maximiser of Rev + λ·c."""
        return self.design.choices_frame()

    def frontier_frame(self) -> pd.DataFrame | None:
        """One row per grade R of the exact LP frontier: grade, revenue (float), ratio to Rev*."""
        if self.frontier is None:
            return None
        return pd.DataFrame([{"grade": p.grade, "revenue": float(p.revenue_float),
                              "ratio": float(p.ratio), "certificate": p.certificate}
                             for p in self.frontier.frontier.points])

    def plot(self, ax=None):
        """Revenue vs compressibility of the candidates, Pareto frontier highlighted."""
        return self.design.plot(ax)

    def __str__(self) -> str:
        res = self.design
        out = [f"N = {res.n}, values {res.values}, K = {res.grid} grid points per bidder "
               f"(all numbers exact on the grid); c = {res.measure}"
               + (f" capped at {res.rho_cap}" if res.measure == "rho" else ""),
               "Pareto frontier (revenue, c):"]
        for i in sorted(res.pareto, key=lambda i: res.candidates[i].score):
            c = res.candidates[i]
            out.append(f"  {c.family:9s} {c.parameter:8.4g}  revenue {c.revenue:.6g}  rho "
                       f"{c.rho:.4g}  W1/Var {c.share:.4f}")
        out.append("argmax Rev + λ·c:")
        for lam, i in res.choices:
            c = res.candidates[i]
            out.append(f"  λ = {lam:<8g} {c.family:9s} {c.parameter:8.4g}  revenue "
                       f"{c.revenue:.6g}  c {c.score:.4g}")
        if self.frontier is not None:
            fr = self.frontier
            f = fr.frontier
            out.append(f"Exact revenue-grade frontier (LP, K = {self.lp_grid}): Rev* = "
                       f"{f.optimum} ({f.optimum_method})")
            for p in f.points:
                rev = p.revenue if p.revenue is not None else f"{p.revenue_float:.6g} (float)"
                out.append(f"  R = {p.grade}: Rev^(R) = {rev}  ratio {p.ratio:.5f}  "
                           f"[{p.certificate}]")
            out.append(f"  knee: first R within {fr.knee.eps:.0%} of Rev*: "
                       f"{fr.knee.first_within}; kneedle: {fr.knee.kneedle} (the papers claim "
                       f"2); ends at optimum: {fr.ends_at_optimum}")
        sc = self.frontier_at_scale
        if sc is not None:
            out.append(f"Repaired truncation of Myerson at N = {sc.n} ({sc.bins} bins; 95% "
                       f"CIs): Rev* = {sc.optimum!r}")
            for p in sc.points:
                out.append(f"  R = {p.grade}: naive {p.naive_revenue!r} (infeasible on "
                           f"{p.infeasible_fraction:.1%} of profiles), repaired "
                           f"{p.repaired_revenue!r}, ratio {p.ratio!r}, interim monotone: "
                           f"{p.monotone}")
        return "\n".join(out)


def _check_cost(n, k, candidates, frontier, lp_grid, scale_n, scale_samples, bins,
                max_work, max_memory) -> None:
    """Refuse before any work what would exceed ``max_work`` or ``max_memory``. Each candidate
    runs its mechanism on the K^N grid profiles (N values each) and transforms the table along
    every axis with a K × K basis (K^N·K·N products); the grid's profiles, outcomes and table
    are held at once (about six K^N × N arrays) beside the K × K basis. The exact frontier
    costs its LPs (:func:`numerics.lpcost.check_frontier_cost`). The frontier at scale
    bins every sample of its estimation and evaluation runs into bins × bins tables per bidder
    (samples × N × bins² products each) and holds about a dozen samples × N arrays."""
    profiles = math.exp(min(700.0, n * math.log(k)))
    work_budget("grid", k, candidates * profiles * n * (k + 1), max_work=max_work,
                what=f"evaluations ({candidates} candidates × grid^{n} profiles × {n} axes × "
                     f"{k} basis functions)", lower=("bidders",))
    memory_budget("grid", k, 8.0 * (6 * profiles * n + k * k), max_memory=max_memory)
    if frontier:
        check_frontier_cost("lp_grid", lp_grid, n, lp_grid, 1, n, max_work=max_work,
                            max_memory=max_memory)
    if scale_n is not None:
        # per sample: N × (bins² + N); the refusal names the larger of the two factors
        size = ("bins", bins) if size_float(bins) ** 2 > scale_n else ("scale_bidders", scale_n)
        size_budget(*size, 2.0 * size_float(scale_n) * (size_float(bins) ** 2
                                                         + size_float(scale_n)),
                    max_work=max_work)
        scale_n = size_float(scale_n)
        work_budget("scale_samples", scale_samples, 2.0 * scale_samples * scale_n
                    * (bins * bins + scale_n), max_work=max_work, lower=("scale_bidders",))
        memory_budget("scale_samples", scale_samples, 8.0 * 12 * scale_samples * scale_n,
                      max_memory=max_memory)


def design(
    *,
    bidders: int = 3,
    values: str = "uniform",
    families="reserve,posted",
    params=None,
    lambdas=None,
    measure: str = "rho",
    rho_cap: float = 10.0,
    grid: int = 24,
    frontier: bool = False,
    lp_grid: int = 4,
    scale_bidders: int | None = None,
    scale_samples: int = 20_000,
    bins: int = 16,
    seed=0,
    max_work: float | None = None,
    max_memory: float | str | None = None,
) -> DesignReport:
    """Revenue and compressibility of single-item mechanism families, their Pareto front, and the
    maximiser of Rev + λ·c for each λ.

    Each family is measured exactly on a ``grid``-point quantile grid per bidder. The Python form
    of ``python -m latent design``: every keyword is the flag of the same name (``lambdas`` is the
    repeatable ``--lambda``, also spelled ``--lambdas``), with the same default.

    Parameters
    ----------
    bidders : int
        Number of bidders N (the grid has K^N points).
    values : str
        Value law of every bidder.
    families : str or list of str
        ``reserve`` (second price with reserve r), ``posted`` (one-unit posted price p),
        ``unlimited`` (posted price, unlimited supply); ``"a,b"`` or a list.
    params : str or list of float, optional
        Reserves/prices (default: 20 quantiles of F in [0, 0.95]).
    lambdas : list of float, optional
        Weights λ on compressibility.
    measure : {"rho", "share"}
        Compressibility c: ρ capped at ``rho_cap``, or the grade-1 share W_1/Var.
    rho_cap : float
        The cap on ρ (grade-1 rules have ρ = ∞).
    grid : int
        Grid points K per bidder.
    frontier : bool
        Add the exact revenue–grade frontier (grade-restricted LP on ``lp_grid`` points).
    lp_grid : int
        Grid points per bidder of that LP.
    scale_bidders : int, optional
        Add Myerson's repaired-truncation frontier at this many bidders (Monte Carlo).
    scale_samples : int
        Profiles of that frontier.
    bins : int
        Quantile bins of that truncation.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Seed of ``scale_bidders`` (the rest is exact).
    max_work : float, optional
        Refuse a request estimated above this many evaluations.
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``).

    Returns
    -------
    DesignReport
        The families' (revenue, c) points, the Pareto front, the choices per λ and the optional
        frontiers; ``to_dict()``, ``to_frame()``, ``choices_frame()``, ``plot()``.

    Raises
    ------
    ValueError
        A bad argument, named, or a request above ``max_work``/``max_memory``.
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> import latent
    >>> rep = latent.design(bidders=2, grid=8, lambdas=[0.0], params=[0.0, 0.5])
    >>> rep.choices_frame()[["family", "parameter"]].values.tolist()
    [['reserve', 0.5]]
    """
    bidders = positive_int("bidders", bidders)
    grid = positive_int("grid", grid, minimum=2)
    lp_grid = positive_int("lp_grid", lp_grid)
    rho_cap = finite_float("rho_cap", rho_cap, low=0.0, low_open=True)
    measure = choice("measure", measure, MEASURES)
    # compare logarithms: K^N itself can have thousands of digits (bidders=10000)
    if bidders * math.log10(grid) > math.log10(MAX_PROFILES):
        raise ValueError(f"{'grid' if grid > bidders else 'bidders'}="
                         f"{grid if grid > bidders else bidders}: the exact grid has "
                         f"grid^bidders = "
                         f"{grid}^{bidders} ≈ 10^{bidders * math.log10(grid):.0f} profiles, "
                         f"more than {MAX_PROFILES:.0e}; lower bidders or grid")
    fams = ([f.strip() for f in families.split(",") if f.strip()] if isinstance(families, str)
            else list(families))
    if not fams:
        raise ValueError(f"families={families!r}: choose from {', '.join(FAMILIES)}")
    fams = [choice("families", f, FAMILIES) for f in fams]
    if not isinstance(values, str):
        raise TypeError(f"values={values!r}: a law such as 'uniform' or 'beta:2:2'")
    try:
        parse_valuation(values)
    except ValueError as exc:
        raise ValueError(f"values={values!r}: {exc}") from None
    params = None if params is None else list(number_list("params", params))
    lambdas = DEFAULT_LAMBDAS if lambdas is None else number_list("lambdas", lambdas)
    if not isinstance(frontier, bool):
        raise TypeError(f"frontier={frontier!r}: must be True or False")
    scale_samples = positive_int("scale_samples", scale_samples, minimum=100)
    bins = positive_int("bins", bins, minimum=2)
    if scale_bidders is not None:
        scale_bidders = positive_int("scale_bidders", scale_bidders, minimum=3)
    seed = stable_seed(seed)
    _check_cost(bidders, grid, len(fams) * (len(params) if params is not None else 20),
                frontier, lp_grid, scale_bidders, scale_samples, bins, max_work, max_memory)
    try:
        res = design_family(bidders, values, fams, params, lambdas, grid, measure, rho_cap)
    except ValueError as exc:  # no candidate left: the given params, else the law, made it so
        name, given = ("params", params) if params is not None else ("values", values)
        raise ValueError(f"{name}={given!r}: {exc}") from None
    fr = None
    if frontier:
        try:
            fr = exact_frontier(bidders, values, lp_grid)
        except RuntimeError as exc:
            raise ValueError(f"lp_grid={lp_grid}: {exc}") from None
    sc = None
    if scale_bidders is not None:
        sc = frontier_at_scale("myerson", scale_bidders, values, bins, scale_samples,
                               scale_samples, seed)
    return DesignReport(design=res, frontier=fr, frontier_at_scale=sc,
                        lp_grid=lp_grid if frontier else None)
