"""``latent.frontier``: the exact revenue–grade frontier ``R ↦ Rev^(R)``.

>>> f = frontier(bidders=2, values="discrete:1,2:1/2,1/2")
>>> [str(r) for r in f.revenues], f.optimum
(['3/2', '3/2'], Fraction(3, 2))
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd
from tqdm import tqdm

from latent.api.common import value_grid
from numerics.lp.grade_restricted import Frontier
from numerics.lp.grade_restricted import frontier as grade_frontier
from numerics.lp.optimal import TypeSpace
from numerics.lpcost import check_frontier_cost
from numerics.results import Result, jsonable, new_axes
from numerics.validate import choice, memory_budget, positive_int, work_budget

__all__ = ["FrontierResult", "frontier"]

MAX_BIDDERS = 8
MAX_VARIABLES = 200_000
MAX_BORDER_TYPES = 16
AUTO_CERTIFY_ROWS = 3000
NOT_ATTEMPTED = "not attempted (LP too large; use certify='always')"


@dataclass(frozen=True, kw_only=True)
class FrontierResult(Result):
    """The frontier (``numerics.lp.grade_restricted.Frontier``: Rev* and one point per grade,
    revenues exact when certified) with the value law and its grid."""

    frontier: Frontier
    values: str
    grid: int
    items: int
    grid_values: tuple
    grid_probs: tuple

    @property
    def optimum(self) -> Fraction | float:
        """The optimal revenue Rev*, exact when known, else the float."""
        f = self.frontier
        return f.optimum if f.optimum is not None else f.optimum_float

    @property
    def grades(self) -> list[int]:
        return [p.grade for p in self.frontier.points]

    @property
    def revenues(self) -> list:
        """The grade-restricted revenues Rev^(R), one per grade (exact Fractions when certified,
        else floats)."""
        return [p.revenue if p.revenue is not None else p.revenue_float
                for p in self.frontier.points]

    def to_dict(self) -> dict:
        """The ``--json`` document."""
        out = self.frontier.to_dict()
        out["values"] = self.values
        out["grid"] = {"K": self.grid, "values": list(self.grid_values),
                       "probs": list(self.grid_probs)}
        return jsonable(out)

    def to_frame(self) -> pd.DataFrame:
        """One row per grade R: the revenue Rev^(R) as ``value`` (float) and ``value_exact``
        (the exact rational as a ``"p/q"`` string, None when not certified), ``units``, its
        ratio and loss to Rev*, certificate status and LP seconds.

        >>> frontier(bidders=2, values="discrete:1,2:1/2,1/2").to_frame().shape
        (2, 8)
        """
        rows = [{"grade": p.grade, "value": float(p.revenue_float),
                 "value_exact": None if p.revenue is None else jsonable(p.revenue),
                 "units": "revenue per auction", "ratio": p.ratio, "loss": p.loss,
                 "certificate": p.certificate, "seconds": p.seconds}
                for p in self.frontier.points]
        return pd.DataFrame(rows, columns=["grade", "value", "value_exact", "units", "ratio",
                                           "loss", "certificate", "seconds"])

    def plot(self, ax=None):
        """Rev^(R) against R with Rev* dashed; returns the axes (no pyplot, no backend change).
        """
        ax = new_axes(ax)
        rs = self.grades
        ax.plot(rs, [p.revenue_float for p in self.frontier.points], "o-", label="Rev^(R)")
        ax.axhline(float(self.optimum), color="k", ls="--", label="Rev*")
        ax.set_xlabel("grade R")
        ax.set_ylabel("revenue")
        ax.set_xticks(rs)
        ax.set_title(f"N={self.frontier.n_bidders}, values {self.values}, K={self.grid}")
        ax.legend()
        return ax

    def __str__(self) -> str:
        f = self.frontier
        lines = [
            f"N = {f.n_bidders} bidders, {self.items} item(s), values {self.values}, "
            f"grid K = {self.grid} ({f.n_types} types per bidder)",
            f"Rev* = {_fmt(f.optimum, f.optimum_float)}  [{f.optimum_method}]",
            f"{'R':>3} {'Rev^(R)':>34} {'loss':>10} {'ratio':>8}  certificate",
        ]
        for p in f.points:
            lines.append(f"{p.grade:>3} {_fmt(p.revenue, p.revenue_float):>34} {p.loss:>10.6f} "
                         f"{p.ratio:>8.5f}  {p.certificate}")
        lines.append("Rev^(R): best feasible BIC IR mechanism with allocation of ANOVA grade <= R "
                     "on the grid; loss = Rev* - Rev^(R).")
        return "\n".join(lines)


def _fmt(v, vf) -> str:
    return f"{v} = {float(v):.6f} (exact)" if isinstance(v, Fraction) else f"{vf:.6f} (float)"


def _grades(grades, n: int) -> list[int]:
    if grades is None:
        return list(range(1, n + 1))
    raw = [g for g in grades.split(",") if g.strip()] if isinstance(grades, str) else grades
    try:
        gs = sorted({int(g) if isinstance(g, str) else positive_int("grades", g, minimum=-n)
                     for g in raw})
    except (ValueError, TypeError):
        raise ValueError(f"grades={grades!r}: must be integers in 1..{n} (or a comma-separated "
                         "string of them)") from None
    if not gs or gs[0] < 1 or gs[-1] > n:
        raise ValueError(f"grades={grades!r}: must lie in 1..{n}")
    return gs


def frontier(*, bidders: int, values: str = "uniform", grid: int = 8, items: int = 1,
             grades=None, certify: str = "auto", progress: bool = False,
             max_work: float | None = None,
             max_memory: float | str | None = None) -> FrontierResult:
    """The exact revenue–grade frontier: Rev^(R), the best revenue of a feasible, BIC, IR mechanism
    whose allocation rule has ANOVA grade ≤ R, against the optimum Rev*.

    For ``bidders`` iid bidders whose values (per item, additive) are discretised to ``grid``
    points (exact for ``discrete:…`` laws); Rev* is Myerson's for one item, the reduced Border LP
    for several. This is the truncation revenue loss of the *Latent mechanism design* paper on the
    grid. The LPs are deterministic (no seed). The Python form of ``python -m latent frontier``:
    every keyword is the flag of the same name, with the same default.

    Parameters
    ----------
    bidders : int
        Number of bidders N (required).
    values : str
        Value law per item (as in :func:`latent.simulate`, or ``discrete:…``).
    grid : int
        Grid points K per bidder and item.
    items : int
        Number of items M (additive).
    grades : str or list of int, optional
        The grades R (``"1,2"`` or a list; default 1..N).
    certify : {"auto", "always", "never"}
        Exact certificates; ``"auto"``: for LPs with at most 3000 rows.
    progress : bool
        A progress bar over the grades on stderr.
    max_work : float, optional
        Refuse LPs estimated above this many evaluations, before they are built.
    max_memory : float or str, optional
        Refuse LPs estimated to hold more bytes at once (``"4G"``).

    Returns
    -------
    FrontierResult
        Rev^(R) per grade (exact ``"p/q"`` when certified), Rev*, ratios and losses;
        ``to_dict()``, ``to_frame()``, ``plot()``.

    Raises
    ------
    ValueError
        A bad argument, named, or LPs above ``max_work``/``max_memory``.
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> f = frontier(bidders=3, values="discrete:1,2,3:1/3,1/3,1/3", grid=3)
    >>> f.revenues[-1] == f.optimum, f.to_frame()["grade"].tolist()
    (True, [1, 2, 3])
    """
    bidders = positive_int("bidders", bidders, maximum=MAX_BIDDERS)
    grid = positive_int("grid", grid)
    items = positive_int("items", items)
    certify = choice("certify", certify, ("auto", "always", "never"))
    gs = _grades(grades, bidders)
    if isinstance(values, str) and not values.strip().startswith("discrete:"):
        # discretising a law evaluates its quantile function at each of the K grid points
        work_budget("grid", grid, 100.0 * grid, max_work=max_work,
                    what="evaluations (quantiles of the grid)")
        memory_budget("grid", grid, 200.0 * grid, max_memory=max_memory)
    vals, probs = value_grid("values", values, grid)
    # K^M types, compared in logarithms before they are counted (and never enumerated)
    if items > 1 and items * math.log(len(vals)) > math.log(MAX_BORDER_TYPES):
        raise ValueError(f"items={items}: Rev* for several items uses the Border LP, at most "
                         f"{MAX_BORDER_TYPES} types per bidder (got {len(vals)}^{items})")
    kt = len(vals) ** items
    size = check_frontier_cost("items" if items > 1 else "grid", items if items > 1 else grid,
                               bidders, kt, items, len(gs), max_work=max_work,
                               max_memory=max_memory)
    if size > MAX_VARIABLES:
        raise ValueError(f"grid={grid}: too large, {size} allocation variables (reduce grid or "
                         "items)")
    ts = TypeSpace.product([(vals, probs)] * items)
    policy = {"always": True, "never": False,
              "auto": lambda shape: shape[1] + shape[2] <= AUTO_CERTIFY_ROWS}[certify]
    bar = (lambda it: tqdm(it, desc="grades", leave=False)) if progress else None
    front = grade_frontier(ts, bidders, gs, do_certify=policy, progress=bar)
    if certify == "auto":  # say why a large LP was not certified
        pts = tuple(dataclasses.replace(p, certificate=NOT_ATTEMPTED)
                    if p.certificate.endswith("not requested") else p for p in front.points)
        front = dataclasses.replace(front, points=pts)
    return FrontierResult(frontier=front, values=values, grid=grid, items=items,
                          grid_values=tuple(vals), grid_probs=tuple(probs))
