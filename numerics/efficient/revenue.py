"""Monte Carlo expected revenue of VCG, weakest type and the optimal efficient mechanism.

Types are drawn from a user-given distribution on the type spaces (a mixture per agent; each
component fixes some coordinates and draws the others from 1-D marginals), the three rules are
computed *exactly* on every draw, and the mean revenue gets a Student-t confidence interval.
Randomness comes only from ``numpy.random.SeedSequence``: same seed, same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from numerics.efficient.instance import InstanceError, bundle_name, bundle_of, number
from numerics.efficient.model import Model
from numerics.efficient.payments import NEG_INF, agent_payments
from numerics.stats import mean_ci

RULES = ("vcg", "weakest_type", "optimal")
GRID = 10**6  # draws are rounded to 6 decimals: exact, short rationals keep the LPs cheap
Sampler = Callable[[np.random.Generator], tuple[Fraction, ...]]


def _quantile(marginal, u: float) -> float:
    if hasattr(marginal, "quantile"):
        return float(np.asarray(marginal.quantile(np.asarray([u])))[0])
    return float(marginal.ppf(u))


def mixture_sampler(components: Sequence[tuple[float, Sequence]]) -> Sampler:
    """Sampler of a mixture: ``components = [(weight, coords)]``; each coordinate is a number
    (fixed) or a marginal with ``.quantile`` (a Valuation) or ``.ppf`` (a frozen scipy.stats
    distribution), drawn by inverse CDF and rounded to 6 decimals (exact Fractions).

    >>> from scipy import stats
    >>> s = mixture_sampler([(1.0, [stats.uniform(4, 6), 0])])
    >>> u = s(np.random.default_rng(np.random.SeedSequence(0)))
    >>> 4 <= u[0] <= 10 and u[1] == 0
    True
    """
    weights = np.asarray([w for w, _ in components], dtype=float)
    if weights.ndim != 1 or not len(weights) or (weights < 0).any() or weights.sum() <= 0:
        raise ValueError("mixture weights must be nonnegative with a positive sum")
    probs = weights / weights.sum()

    def draw(rng: np.random.Generator) -> tuple[Fraction, ...]:
        _, coords = components[int(rng.choice(len(probs), p=probs))]
        out = []
        for c in coords:
            if isinstance(c, int | float | Fraction):
                out.append(Fraction(c))
            else:
                out.append(Fraction(round(_quantile(c, float(rng.random())) * GRID), GRID))
        return tuple(out)

    return draw


@dataclass(frozen=True)
class ExpectedRevenue:
    """Mean revenue per rule with a ``level`` t-interval; ``rejected`` draws fell outside Θ."""

    n_samples: int
    mean: dict[str, float]
    ci: dict[str, tuple[float, float]]
    level: float
    rejected: int
    seed: int | None

    def to_dict(self) -> dict:
        return {
            "n_samples": self.n_samples,
            "mean": self.mean,
            "ci": {k: list(v) for k, v in self.ci.items()},
            "level": self.level,
            "rejected": self.rejected,
            "seed": self.seed,
        }


def _draw_profile(model, samplers, rng, max_tries):
    reports, rejected = list(model.reports), 0
    for i, sampler in enumerate(samplers):
        if sampler is None:
            continue
        for _ in range(max_tries):
            u = sampler(rng)
            if len(u) != len(model.coords[i]):
                raise ValueError(f"agent {model.agents[i]!r}: sampler gives {len(u)} coordinates")
            if any(p.contains(u) for p in model.type_spaces[i]):
                reports[i] = u
                break
            rejected += 1
        else:
            raise ValueError(f"agent {model.agents[i]!r}: {max_tries} draws outside the type space")
    return tuple(reports), rejected


def profile_revenue(model: Model) -> dict[str, Fraction | float]:
    """Exact revenue ``Σ_i p_i`` of each rule at the model's reported profile.

    >>> from numerics.efficient.instance import seed_section3
    >>> profile_revenue(seed_section3())["optimal"]
    Fraction(4, 1)
    """
    pays = [agent_payments(model, i, verify_rules=()) for i in range(model.n_agents)]
    return {r: sum((getattr(p, r) for p in pays), Fraction(0)) for r in RULES}


def expected_revenue(
    model: Model,
    samplers: Sequence[Sampler | None],
    n_samples: int,
    seed: int | np.random.SeedSequence | None = 0,
    level: float = 0.95,
    progress=None,
    max_tries: int = 1000,
) -> ExpectedRevenue:
    """Monte Carlo ``E[revenue]`` with each agent's type drawn by ``samplers[i]`` (``None``
    keeps the report); draws outside Θ_i are redrawn and counted in ``rejected``.

    >>> from numerics.efficient.instance import seed_section3
    >>> est = expected_revenue(seed_section3(), [None, None, None], 3, seed=1)
    >>> est.mean["optimal"], est.ci["optimal"]
    (4.0, (4.0, 4.0))
    """
    if n_samples < 2 and any(s is not None for s in samplers):
        raise ValueError("need at least 2 samples for a confidence interval")
    ss = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    rng = np.random.default_rng(ss)
    values = {r: [] for r in RULES}
    rejected = 0
    for _ in range(n_samples):
        reports, rej = _draw_profile(model, samplers, rng, max_tries)
        rejected += rej
        rev = profile_revenue(replace(model, reports=reports))
        for r in RULES:
            values[r].append(float(rev[r]))
        if progress is not None:
            progress()
    mean, ci = {}, {}
    for r in RULES:
        x = np.asarray(values[r])
        mean[r] = float(x.mean())
        if NEG_INF in values[r] or len(x) < 2:
            ci[r] = (mean[r], mean[r])
            continue
        ci[r] = tuple(mean_ci(x, level, student=True).ci)  # few draws: Student's t
    return ExpectedRevenue(n_samples, mean, ci, level, rejected,
                           ss.entropy if isinstance(seed, np.random.SeedSequence) else seed)


def samplers_from_instance(model: Model, parse: Callable[[str], object]) -> list[Sampler | None]:
    """Samplers from the instance's ``distribution`` fields (kept in ``model.meta``).

    Each is a list of ``{"weight": w, "type": {coord: number | "marginal spec"}}`` (or a list
    over coordinates); missing coordinates are 0; ``parse`` turns a spec string into a marginal.

    >>> from numerics.efficient.instance import parse_instance
    >>> m = parse_instance({"outcomes": ["x"], "agents": [{"report": [1],
    ...     "distribution": [{"weight": 1, "type": {"x": "2"}}]}]})
    >>> samplers_from_instance(m, float)[0](np.random.default_rng(0))
    (Fraction(2, 1),)
    """
    out: list[Sampler | None] = [None] * model.n_agents
    for i, spec in model.meta.get("distributions", {}).items():
        where = f"agents[{i}].distribution"
        if not isinstance(spec, list) or not spec:
            raise InstanceError(f"{where}: expected a nonempty list of mixture components")
        comps = []
        coords = model.coords[i]
        for k, comp in enumerate(spec):
            w = f"{where}[{k}]"
            if not isinstance(comp, dict) or set(comp) - {"weight", "type"} or "type" not in comp:
                raise InstanceError(f"{w}: expected an object with 'weight' and 'type'")
            weight = number(comp.get("weight", 1), f"{w}.weight")
            if weight < 0:
                raise InstanceError(f"{w}.weight: must be nonnegative")
            raw = comp["type"]
            if isinstance(raw, dict):
                vals: list = [0] * len(coords)
                for name, v in raw.items():
                    key = name if name in coords else _bundle_key(model, i)(name)
                    if key not in coords:
                        raise InstanceError(f"{w}.type: unknown coordinate {name!r}")
                    vals[coords.index(key)] = v
            elif isinstance(raw, list) and len(raw) == len(coords):
                vals = list(raw)
            else:
                raise InstanceError(f"{w}.type: expected an object or {len(coords)} values")
            parsed = []
            for j, v in enumerate(vals):
                if isinstance(v, str):
                    try:
                        parsed.append(Fraction(v))
                        continue
                    except (ValueError, ZeroDivisionError):
                        pass
                    try:
                        parsed.append(parse(v))
                    except Exception as exc:  # the parser's own message, one line
                        raise InstanceError(f"{w}.type.{coords[j]}: {exc}") from None
                else:
                    parsed.append(number(v, f"{w}.type.{coords[j]}"))
            comps.append((float(weight), parsed))
        if sum(c[0] for c in comps) <= 0:
            raise InstanceError(f"{where}: weights sum to zero")
        out[i] = mixture_sampler(comps)
    return out


def _bundle_key(model: Model, i: int):
    items = model.meta.get("items")

    def key(name):
        if items is None:
            return None
        try:
            return bundle_name(bundle_of(name, items, "type"), items)
        except ValueError:
            return None

    return key
