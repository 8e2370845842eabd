"""Value distributions and bid-profile models.

Grammar of :func:`parse_valuation` (one-dimensional laws; numbers may be fractions ``a/b``)::

    uniform | uniform:A:B                  U[A, B]              (default U[0, 1])
    exponential | exponential:RATE         Exp(RATE)            (default rate 1)
    beta:A:B                               Beta(A, B) on [0, 1]
    lognormal:MU:SIGMA                     exp(N(MU, SIGMA²))
    truncnorm:MU:SIGMA:LO:HI               N(MU, SIGMA²) truncated to [LO, HI]
    censnorm:SIGMA                         max(0, N(0, SIGMA²))
    discrete:V1,V2,...:P1,P2,...           P(v = Vk) = Pk
    empirical:FILE.csv[:COLUMN]            empirical law of a CSV column (default: first numeric)
    mixture:W1*SPEC1+W2*SPEC2+...          Σ Wk·Fk, e.g. mixture:2/3*uniform+1/3*exponential:1
    hetero                                 mixture 2/3*U[0,1] + 1/3*Exp(1) (Cohen's three types)

:func:`parse_profile` also accepts ``latent[:D[:SIGMA_Z[:SIGMA_EPS[:W_SEED]]]]`` (the
correlated-bidders paper's
latent-factor model, defaults 1, 1, 0.05, the run's seed) and per-bidder lists ``SPEC1;SPEC2;…``
(asymmetric bidders; one spec per bidder).
"""

from __future__ import annotations

import csv
import math
from fractions import Fraction

import numpy as np
from scipy import stats

from numerics.valuations.base import Valuation
from numerics.valuations.ironing import IronedInterval, ironed_intervals, upper_hull
from numerics.valuations.profiles import (
    KINDS,
    IndependentProfile,
    LatentFactorProfile,
    bundle_value,
    iid,
)
from numerics.valuations.univariate import (
    Censored,
    Discrete,
    Exponential,
    Mixture,
    ScipyValuation,
    Uniform,
    discrete_virtual_values,
    empirical,
)

__all__ = [
    "KINDS",
    "Censored",
    "Discrete",
    "Exponential",
    "IndependentProfile",
    "IronedInterval",
    "LatentFactorProfile",
    "Mixture",
    "ScipyValuation",
    "Uniform",
    "Valuation",
    "bundle_value",
    "discrete_virtual_values",
    "empirical",
    "hetero",
    "iid",
    "ironed_intervals",
    "parse_profile",
    "parse_valuation",
    "upper_hull",
]


def _num(s: str) -> float:
    try:
        return float(Fraction(s.strip()))
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a number: {s!r}") from exc


def hetero() -> Mixture:
    """Seed 004's heterogeneous bidder: U[1/2,1], U[0,1/2] or Exp(1), each w.p. 1/3.

    >>> round(hetero().mean, 6)
    0.666667
    """
    return Mixture((Uniform(0.0, 1.0), Exponential(1.0)), (2.0 / 3.0, 1.0 / 3.0))


def _read_column(path: str, column: str | None) -> list[float]:
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ValueError(f"empirical: {path} is empty")
    header, body = rows[0], rows[1:]
    try:
        [float(c) for c in header]
        body, header = rows, [str(i) for i in range(len(rows[0]))]
    except ValueError:
        pass
    if column is not None:
        if column not in header:
            raise ValueError(f"empirical: column {column!r} not in {path}")
        cols = [header.index(column)]
    else:
        cols = range(len(header))
    for j in cols:
        vals = []
        for r in body:
            try:
                vals.append(float(r[j]))
            except (ValueError, IndexError):
                continue
        if vals:
            return vals
    raise ValueError(f"empirical: no numeric column in {path}")


# Values beyond this size overflow the sums of squares behind every variance and CI (and
# revenue sums over many profiles): such a law is refused with the advice to rescale.
MAX_VALUE_SCALE = 1e150


def parse_valuation(spec: str) -> Valuation:
    """Build a one-dimensional :class:`Valuation` from a CLI string (grammar in module doc).
    A law whose values reach beyond ±1e150 (its support's ends, or its 0.01%/99.99% quantiles
    when unbounded) is refused: squares of its values overflow, so no CI could be computed.

    >>> parse_valuation("uniform:0:2").support
    (0.0, 2.0)
    >>> parse_valuation("mixture:2/3*uniform+1/3*exponential:1").is_regular
    False
    >>> parse_valuation("discrete:1,2:1/2,1/2").values
    (1.0, 2.0)
    >>> parse_valuation("uniform:0:1e308")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: values up to about 1e+308, beyond 1e+150: their squares overflow ...
    """
    law = _parse_valuation(spec)
    ends = [x for x in law.support if math.isfinite(x)]
    if len(ends) < 2:  # unbounded: where nearly all of its mass lies
        with np.errstate(all="ignore"):
            ends += [float(q) for q in np.atleast_1d(law.quantile(np.array([1e-4, 1 - 1e-4])))]
    scale = max((abs(x) for x in ends if not math.isnan(x)), default=0.0)
    if not scale <= MAX_VALUE_SCALE:
        raise ValueError(f"values up to about {scale:.3g}, beyond "
                         f"{MAX_VALUE_SCALE:g}: their squares overflow (no variance or CI "
                         "could be computed); rescale the values")
    return law


def _parse_valuation(spec: str) -> Valuation:
    spec = spec.strip()
    if not spec:
        raise ValueError("empty valuation spec")
    name, _, rest = spec.partition(":")
    name = name.lower()
    args = rest.split(":") if rest else []

    def want(k_min, k_max):
        if not k_min <= len(args) <= k_max:
            raise ValueError(f"{name}: expected {k_min}..{k_max} parameters, got {spec!r}")
        return [_num(a) for a in args]

    if name == "uniform":
        a = want(0, 2)
        lo, hi = (a + [0.0, 1.0][len(a) :]) if len(a) != 1 else (0.0, a[0])
        if not hi > lo:
            raise ValueError("uniform: need A < B")
        return Uniform(lo, hi)
    if name in ("exponential", "exp"):
        (rate,) = want(0, 1) or [1.0]
        if rate <= 0:
            raise ValueError("exponential: rate must be positive")
        return Exponential(rate)
    if name == "beta":
        a, b = want(2, 2)
        return ScipyValuation(stats.beta(a, b), spec)
    if name == "lognormal":
        mu, sigma = want(2, 2)
        return ScipyValuation(stats.lognorm(s=sigma, scale=math.exp(mu)), spec)
    if name == "truncnorm":
        mu, sigma, lo, hi = want(4, 4)
        if sigma <= 0 or not hi > lo:
            raise ValueError("truncnorm: need SIGMA > 0 and LO < HI")
        a, b = (lo - mu) / sigma, (hi - mu) / sigma
        return ScipyValuation(stats.truncnorm(a, b, mu, sigma), spec)
    if name == "censnorm":
        (sigma,) = want(1, 1)
        return Censored(ScipyValuation(stats.norm(0.0, sigma), f"norm:0:{sigma}"), 0.0)
    if name == "discrete":
        if len(args) != 2:
            raise ValueError("discrete: expected discrete:V1,V2,...:P1,P2,...")
        vals = tuple(_num(x) for x in args[0].split(","))
        probs = tuple(_num(x) for x in args[1].split(","))
        return Discrete(vals, probs)
    if name == "empirical":
        if not args:
            raise ValueError("empirical: expected empirical:FILE.csv[:COLUMN]")
        return empirical(_read_column(args[0], args[1] if len(args) > 1 else None))
    if name == "mixture":
        comps, weights = [], []
        for term in rest.split("+"):
            w, star, sub = term.partition("*")
            if not star:
                raise ValueError(f"mixture: term {term!r} must look like WEIGHT*SPEC")
            weights.append(_num(w))
            comps.append(parse_valuation(sub))
        return Mixture(tuple(comps), tuple(weights))
    if name == "hetero":
        want(0, 0)
        return hetero()
    raise ValueError(
        f"unknown distribution {name!r} (try uniform, exponential, beta, lognormal, "
        "truncnorm, censnorm, discrete, empirical, mixture, hetero)"
    )


def parse_profile(
    spec: str,
    n_bidders: int,
    n_items: int = 1,
    kind: str = "additive",
    synergy: float = 0.0,
    seed: int = 0,
):
    """A bid-profile model from a CLI string: one spec (iid), ``A;B;…`` (per bidder) or ``latent…``.

    >>> parse_profile("uniform;exponential", 2).n_bidders
    2
    >>> parse_profile("latent:1:1:0.05:7", 4).w_seed
    7
    """
    if n_bidders < 1 or n_items < 1:
        raise ValueError("need at least one bidder and one item")
    if spec.strip().lower().startswith("latent"):
        if n_items != 1:
            raise ValueError("latent: the latent-factor model is single-item")
        parts = spec.split(":")[1:]
        nums = [_num(p) for p in parts]
        d = int(nums[0]) if len(nums) > 0 else 1
        sz = nums[1] if len(nums) > 1 else 1.0
        se = nums[2] if len(nums) > 2 else 0.05
        ws = int(nums[3]) if len(nums) > 3 else int(seed)
        if d < 1 or sz < 0 or se < 0:
            raise ValueError("latent: need D ≥ 1 and non-negative sigmas")
        return LatentFactorProfile(n_bidders, d, sz, se, ws)
    specs = [s for s in spec.split(";") if s.strip()]
    if len(specs) == 1:
        return iid(parse_valuation(specs[0]), n_bidders, n_items, kind, synergy)
    if len(specs) != n_bidders:
        raise ValueError(f"{len(specs)} per-bidder specs for {n_bidders} bidders")
    return IndependentProfile(tuple(parse_valuation(s) for s in specs), n_items, kind, synergy)
