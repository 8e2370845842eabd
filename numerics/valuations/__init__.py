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

from numerics.validate import finite_float, positive_int
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
        x = Fraction(s.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"not a number: {s!r}") from exc
    try:
        return float(x)
    except OverflowError:  # 1e999: beyond a float; the parameter checks refuse ±inf by name
        return math.inf if x > 0 else -math.inf


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


# The parameters of each law and what they must be, as the refusals state them.
LAW_FORMS = {
    "uniform": "uniform[:A:B] with A < B",
    "exponential": "exponential[:RATE] with RATE > 0",
    "beta": "beta:A:B with A > 0 and B > 0",
    "lognormal": f"lognormal:MU:SIGMA with SIGMA > 0 and |MU| ≤ {math.log(MAX_VALUE_SCALE):.0f}",
    "truncnorm": "truncnorm:MU:SIGMA:LO:HI with SIGMA > 0 and LO < HI",
    "censnorm": "censnorm:SIGMA with SIGMA > 0",
}


def _law_params(name: str, args: list[str], names: tuple[str, ...], k_min: int = -1,
                positive: tuple[str, ...] = ()) -> list[float]:
    """The parameters ``args`` of law ``name`` as finite floats (``k_min`` to ``len(names)``
    of them; all when ``k_min`` is -1), those in ``positive`` > 0: else a ValueError naming the
    law, the parameter and the law's accepted form (:data:`LAW_FORMS`)."""
    form = LAW_FORMS.get(name, name)
    if not (len(names) if k_min < 0 else k_min) <= len(args) <= len(names):
        raise ValueError(f"{name}: expected {form}, got {len(args)} parameter(s)")
    out = []
    for label, text in zip(names, args, strict=False):
        try:
            out.append(finite_float(label, _num(text), low=0.0 if label in positive else None,
                                    low_open=True))
        except ValueError as exc:
            raise ValueError(f"{name}: {exc} ({form})") from None
    return out


def _parse_valuation(spec: str) -> Valuation:
    spec = spec.strip()
    if not spec:
        raise ValueError("empty valuation spec")
    name, _, rest = spec.partition(":")
    name = name.lower()
    args = rest.split(":") if rest else []

    if name == "uniform":
        a = _law_params(name, args, ("A", "B"), 0)
        lo, hi = (a + [0.0, 1.0][len(a) :]) if len(a) != 1 else (0.0, a[0])
        if not hi > lo:
            raise ValueError(f"uniform: A={lo:g}, B={hi:g}: need A < B ({LAW_FORMS[name]})")
        return Uniform(lo, hi)
    if name in ("exponential", "exp"):
        (rate,) = _law_params("exponential", args, ("RATE",), 0, ("RATE",)) or [1.0]
        return Exponential(rate)
    if name == "beta":
        a, b = _law_params(name, args, ("A", "B"), positive=("A", "B"))
        return ScipyValuation(stats.beta(a, b), spec)
    if name == "lognormal":
        mu, sigma = _law_params(name, args, ("MU", "SIGMA"), positive=("SIGMA",))
        if abs(mu) > math.log(MAX_VALUE_SCALE):  # exp(MU) is the median: beyond 1e±150
            raise ValueError(f"lognormal: MU={mu:g}: values of about e^MU overflow "
                             f"({LAW_FORMS[name]})")
        return ScipyValuation(stats.lognorm(s=sigma, scale=math.exp(mu)), spec)
    if name == "truncnorm":
        mu, sigma, lo, hi = _law_params(name, args, ("MU", "SIGMA", "LO", "HI"),
                                        positive=("SIGMA",))
        if not hi > lo:
            raise ValueError(f"truncnorm: LO={lo:g}, HI={hi:g}: need LO < HI "
                             f"({LAW_FORMS[name]})")
        a, b = (lo - mu) / sigma, (hi - mu) / sigma
        return ScipyValuation(stats.truncnorm(a, b, mu, sigma), spec)
    if name == "censnorm":
        (sigma,) = _law_params(name, args, ("SIGMA",), positive=("SIGMA",))
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
        _law_params(name, args, ())
        return hetero()
    raise ValueError(
        f"unknown distribution {name!r} (try uniform, exponential, beta, lognormal, "
        "truncnorm, censnorm, discrete, empirical, mixture, hetero)"
    )


LATENT_FORM = "latent[:D[:SIGMA_Z[:SIGMA_EPS[:W_SEED]]]] with integers D ≥ 1, W_SEED ≥ 0 and " \
    f"SIGMA_Z, SIGMA_EPS in [0, {MAX_VALUE_SCALE:g}]"


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
        if len(parts) > 4:
            raise ValueError(f"latent: expected {LATENT_FORM}, got {len(parts)} parameters")
        try:
            nums = [_num(p) for p in parts]
            d = positive_int("D", nums[0]) if len(nums) > 0 else 1
            # values are w·z + ε: sigmas beyond MAX_VALUE_SCALE overflow their squares
            sz = finite_float("SIGMA_Z", nums[1], low=0.0, high=MAX_VALUE_SCALE) \
                if len(nums) > 1 else 1.0
            se = finite_float("SIGMA_EPS", nums[2], low=0.0, high=MAX_VALUE_SCALE) \
                if len(nums) > 2 else 0.05
            ws = positive_int("W_SEED", nums[3], minimum=0) if len(nums) > 3 else int(seed)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"latent: {exc} ({LATENT_FORM})") from None
        return LatentFactorProfile(n_bidders, d, sz, se, ws)
    specs = [s for s in spec.split(";") if s.strip()]
    if len(specs) == 1:
        return iid(parse_valuation(specs[0]), n_bidders, n_items, kind, synergy)
    if len(specs) != n_bidders:
        raise ValueError(f"{len(specs)} per-bidder specs for {n_bidders} bidders")
    return IndependentProfile(tuple(parse_valuation(s) for s in specs), n_items, kind, synergy)
