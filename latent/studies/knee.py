"""The revenue–grade frontier R ↦ Rev^(R) (Nagy (Latent Compression) Thm 5.1) and its knee.

The exact frontier comes from ``numerics.lp.grade_restricted`` (grade-≤R LP on a K-point type
grid, certified in rationals). The *knee* is located two ways, both reported:

* ``first_within(eps)``: the smallest R with Rev^(R) ≥ (1 − ε)·Rev* (ε = 1% default);
* ``kneedle``: the R farthest above the chord of the normalised curve (Satopää et al. 2011):
  argmax_R y_R − x_R with x_R = (R − 1)/(N − 1), y_R = (Rev^(R) − Rev^(1))/(Rev* − Rev^(1)).

Thm 5.1 claims the knee is at R = 2 for smooth F (ρ_F ≫ 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from numerics.lp.discretize import parse_grid
from numerics.lp.grade_restricted import frontier
from numerics.lp.optimal import TypeSpace


@dataclass(frozen=True)
class Knee:
    """Where the revenue–grade curve bends (see module doc)."""

    first_within: int | None
    eps: float
    kneedle: int | None
    gains: tuple[float, ...]
    claimed: int = 2

    def to_dict(self) -> dict:
        return {"first_within_eps": self.first_within, "eps": self.eps,
                "kneedle": self.kneedle, "gains": list(self.gains),
                "claimed_knee": self.claimed,
                "definition": "first_within_eps: smallest R with Rev^(R) >= (1-eps) Rev*; "
                              "kneedle: argmax_R y_R - x_R on the curve normalised to "
                              "[0,1]^2 (R=1..N); gains: Rev^(R) - Rev^(R-1), Rev^(0) = 0"}


def locate_knee(grades, revenues, optimum: float, eps: float = 0.01) -> Knee:
    """The knee of R ↦ Rev^(R) (exact or float revenues).

    >>> k = locate_knee([1, 2, 3, 4], [0.5, 0.95, 0.99, 1.0], 1.0)
    >>> k.first_within, k.kneedle
    (3, 2)
    """
    g = list(grades)
    rev = [float(r) for r in revenues]
    opt = float(optimum)
    within = next((r for r, v in zip(g, rev, strict=True) if v >= (1 - eps) * opt - 1e-15),
                  None)
    gains = [rev[0]] + [rev[k] - rev[k - 1] for k in range(1, len(rev))]
    best = None
    if len(g) >= 3 and opt > rev[0]:
        dist = [(v - rev[0]) / (opt - rev[0]) - (r - g[0]) / (g[-1] - g[0])
                for r, v in zip(g, rev, strict=True)]
        best = g[max(range(len(g)), key=lambda k: dist[k])]
    return Knee(within, eps, best, tuple(gains))


@dataclass(frozen=True)
class ExactFrontier:
    """The LP frontier (``numerics.lp.grade_restricted.Frontier``) with its knee."""

    frontier: object
    knee: Knee
    values: str

    @property
    def ends_at_optimum(self) -> bool:
        """Rev^(N) = Rev* (exactly when both are certified)."""
        last = self.frontier.points[-1]
        if last.grade < self.frontier.n_bidders:
            return False
        if last.revenue is not None and self.frontier.optimum is not None:
            return Fraction(last.revenue) == Fraction(self.frontier.optimum)
        return abs(last.revenue_float - self.frontier.optimum_float) <= 1e-7

    def to_dict(self) -> dict:
        return {"values": self.values, **self.frontier.to_dict(), "knee": self.knee.to_dict(),
                "ends_at_optimum": self.ends_at_optimum}


def exact_frontier(n: int, values: str = "uniform", grid: int = 4, items: int = 1,
                   grades=None, certify: bool = True, eps: float = 0.01) -> ExactFrontier:
    """Rev^(R) for R = 1..N on a K-point grid (exact LP) and its knee.

    >>> f = exact_frontier(2, "discrete:1,2:1/2,1/2")
    >>> [str(p.revenue) for p in f.frontier.points], f.ends_at_optimum
    (['3/2', '3/2'], True)
    """
    vals, probs = parse_grid(values, grid)
    ts = TypeSpace.product([(vals, probs)] * items)
    fr = frontier(ts, n, grades, do_certify=certify)
    pts = fr.points
    opt = fr.optimum if fr.optimum is not None else fr.optimum_float
    knee = locate_knee([p.grade for p in pts],
                       [p.revenue if p.revenue is not None else p.revenue_float for p in pts],
                       opt, eps)
    return ExactFrontier(fr, knee, values)
