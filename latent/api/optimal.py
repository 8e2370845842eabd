"""``latent.optimal``: exact revenue-optimal BIC/DSIC mechanisms for discrete settings.

>>> r = optimal(setting="discrete", values="discrete:1,2:1/2,1/2", bidders=2, items=1)
>>> r.revenue, r.certificate
(Fraction(3, 2), 'verified')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from latent.api.common import fraction, value_grid
from numerics.lp.bundling import (
    BundlingCheck,
    ShiftResult,
    check_grand_bundling,
    smallest_bundling_shift,
)
from numerics.lp.optimal import OptimalResult, TypeSpace, optimal_mechanism
from numerics.lp.yao import YaoResult, yao_optimal
from numerics.results import Result, jsonable, new_axes
from numerics.validate import (
    choice,
    memory_budget,
    parse_size,
    positive_int,
    size_float,
    work_budget,
)

__all__ = ["OptimalReport", "optimal"]

SETTINGS = ("yao", "discrete")
FORMULATIONS = ("auto", "reduced", "expost")
CERTIFY = ("auto", "always", "never")
MAX_YAO_BIC_ITEMS = 8
MAX_EXPOST_PROFILES = 4096
MAX_DISCRETE_PROFILES = 20_000
# Evaluations per (variable × row × bidder × word²) of the Yao LP and its exact certificate:
# calibrated on 2 items, p = 1/2, a = 1, b = 2, where 1000 bidders take about 4 s.
YAO_CELL = 0.1
# The largest value the LPs accept: they are solved in floats (HiGHS) before the exact
# certificate, and HiGHS reads numbers from 1e20 on as infinite (1e308 overflowed converting
# the rationals to floats); the LP is linear in the values, so rescaling loses nothing.
MAX_LP_VALUE = Fraction(10**15)


def _lp_values(name: str, spec, values) -> None:
    """Refuse values beyond :data:`MAX_LP_VALUE`, naming ``name`` (its ``spec`` as given)."""
    big = max(values, default=0)
    if big > MAX_LP_VALUE:
        shown = repr(spec) if isinstance(spec, str) else f"{float(big):.3g}"
        raise ValueError(f"{name}={shown}: values up to {float(big):.3g}, beyond "
                         f"{float(MAX_LP_VALUE):.0e}: the LP is solved in floats first; "
                         "rescale the values (revenue scales with them)")


@dataclass(frozen=True, kw_only=True)
class OptimalReport(Result):
    """The optimum (``mechanism``: a Yao or a discrete LP result, exact when certified), the
    optimum under the other incentive constraint (``comparison``, Yao setting), the types of
    one bidder (discrete setting) and, for one bidder and several items, the grand-bundling
    check (and the smallest bundling shift when asked).
    """

    setting: str
    mechanism: YaoResult | OptimalResult
    comparison: dict | None = None  # ic -> YaoResult, or a string when not computed
    types: tuple | None = None
    grand_bundling: BundlingCheck | None = None
    bundling_shift: ShiftResult | None = None

    @property
    def revenue(self) -> Fraction | None:
        """The certified optimal revenue (``None`` when not certified)."""
        return self.mechanism.revenue

    @property
    def revenue_float(self) -> float:
        return self.mechanism.revenue_float

    @property
    def certificate(self) -> str:
        return self.mechanism.certificate.status

    def to_dict(self) -> dict:
        """The ``--json`` document: JSON types, exact values as ``"p/q"`` strings."""
        return jsonable(self.document())

    def document(self) -> dict:
        """The ``to_dict`` document with exact values kept as Fractions."""
        out = self.mechanism.to_dict()
        if self.comparison is not None:
            out["comparison"] = {
                ic: v if isinstance(v, str) else {"revenue": v.revenue,
                                                  "revenue_float": v.revenue_float,
                                                  "certificate": v.certificate.status}
                for ic, v in self.comparison.items()}
        if self.types is not None:
            out["types"] = [list(t) for t in self.types]
        if self.grand_bundling is not None:
            out["grand_bundling"] = self.grand_bundling.to_dict()
            if self.bundling_shift is not None:
                out["grand_bundling"] |= self.bundling_shift.to_dict()
        return out

    def to_frame(self) -> pd.DataFrame:
        """One row per mechanism: the optimum, the other-IC optimum and the benchmarks; their
        revenue as ``value`` (float), ``value_exact`` (the exact rational as a ``"p/q"``
        string, None when not certified), ``units`` and the ``certificate``.

        >>> row = optimal(bidders=1, items=1).to_frame().iloc[0]
        >>> row["mechanism"], float(row["value"]), row["value_exact"], row["units"]
        ('optimal BIC', 1.0, '1', 'revenue per auction')
        """
        m = self.mechanism

        def row(name, exact, value, certificate):
            return {"mechanism": name, "value": float(value),
                    "value_exact": None if exact is None else jsonable(Fraction(exact)),
                    "units": "revenue per auction", "certificate": certificate}

        rows = [row(f"optimal {m.ic.upper()}", m.revenue, m.revenue_float,
                    m.certificate.status)]
        for ic, v in (self.comparison or {}).items():
            if ic != m.ic and not isinstance(v, str):
                rows.append(row(f"optimal {ic.upper()}", v.revenue, v.revenue_float,
                                v.certificate.status))
        for name, v in m.benchmarks.items():
            rows.append(row(name, v, float(v), "exact"))
        if self.grand_bundling is not None:
            g = self.grand_bundling
            rows.append(row("grand bundling", g.bundling, float(g.bundling), g.certificate))
        return pd.DataFrame(rows, columns=["mechanism", "value", "value_exact", "units",
                                           "certificate"])

    def _repr_items(self) -> list:
        m = self.mechanism
        return [("setting", self.setting), ("ic", m.ic),
                ("revenue", m.revenue if m.revenue is not None else m.revenue_float),
                ("certificate", m.certificate.status)]

    def interim_frame(self) -> pd.DataFrame:
        """The optimal interim rule, one row per type (of bidder 1; the rule is symmetric):
        ``type``, the interim allocation per item (``x_high``/``x_low`` per high/low item in
        the Yao setting, ``x_1``… in the discrete one) and the ``payment``, as floats.

        >>> optimal(bidders=1, items=1).interim_frame().columns.tolist()
        ['type', 'x_high', 'x_low', 'payment']
        """
        m = self.mechanism
        nan = float("nan")
        f = (lambda v: nan if v is None else float(v))  # noqa: E731
        if isinstance(m, YaoResult):
            rows = [{"type": f"k={k} high", "x_high": f(xh), "x_low": f(xl), "payment": f(p)}
                    for k, xh, xl, p in m.interim]
            return pd.DataFrame(rows, columns=["type", "x_high", "x_low", "payment"])
        alloc, pay = m.interim_allocation[0], m.interim_payment[0]
        items = len(alloc[0]) if alloc else 0
        rows = []
        for t, (x, p) in enumerate(zip(alloc, pay, strict=True)):
            label = ("(" + ", ".join(str(v) for v in self.types[t]) + ")"
                     if self.types is not None else str(t + 1))
            rows.append({"type": label, **{f"x_{j + 1}": f(x[j]) for j in range(items)},
                         "payment": f(p)})
        return pd.DataFrame(rows, columns=["type", *[f"x_{j + 1}" for j in range(items)],
                                           "payment"])

    def plot(self, ax=None):
        """The optimal interim rule by type: one group of bars per type, one bar per item's
        interim allocation and one for the payment (:meth:`interim_frame`); returns the axes
        (a new figure's when ``ax`` is None).

        >>> ax = optimal(bidders=1, items=1).plot(); len(ax.containers)   # x_high, x_low, pay
        3
        """
        frame = self.interim_frame()
        ax = new_axes(ax)
        series = [c for c in frame.columns if c != "type"]
        width = 0.8 / len(series)
        pos = range(len(frame))
        for k, col in enumerate(series):
            label = "payment" if col == "payment" else f"allocation {col}"
            ax.bar([p + (k - (len(series) - 1) / 2) * width for p in pos],
                   frame[col].fillna(0.0), width, label=label)
        ax.set_xticks(list(pos), frame["type"].tolist())
        ax.set_xlabel("type (bidder 1)")
        ax.set_ylabel("interim allocation / payment")
        m = self.mechanism
        ax.set_title(f"Optimal {m.ic.upper()} interim rule (revenue {m.revenue_float:.4g})")
        ax.legend(fontsize=8)
        return ax

    def __str__(self) -> str:
        return _text(self.document())


def optimal(*, setting: str = "yao", bidders: int = 2, items: int = 2, p=Fraction(1, 2),
            a=Fraction(1), b=Fraction(2), values: str | None = None, dsic: bool = False,
            unit_demand: bool = False, formulation: str = "auto", certify: str = "auto",
            bundling_shift: bool = False, max_work: float | None = None,
            max_memory: float | str | None = None) -> OptimalReport:
    """The revenue-optimal IR mechanism among BIC (default) or DSIC ones, solved as an LP and
    certified in exact rationals.

    For ``bidders`` iid additive (or unit-demand) buyers and ``items`` iid items; the revenue is a
    proven optimum when ``certificate == "verified"``. Compared with item-wise Myerson,
    grand-bundle Myerson and VCG (all exact). The Python form of ``python -m latent optimal``:
    every keyword is the flag of the same name, with the same default.

    Parameters
    ----------
    setting : {"yao", "discrete"}
        ``"yao"``: values in {a, b} with P(a) = p (Yao's bi-valued setting; both the BIC and the
        DSIC optimum are reported when the ex-post LP is small enough); ``"discrete"``: each
        item's value drawn from ``values``.
    bidders : int
        Number of bidders n.
    items : int
        Number of items m.
    p : Fraction, int, float or str
        P(value = a) in the ``"yao"`` setting (exact: ``"1/2"`` or ``Fraction(1, 2)``).
    a, b : Fraction, int, float or str
        The low and the high value of the ``"yao"`` setting.
    values : str, optional
        ``"discrete:V1,V2:P1,P2"`` (setting ``"discrete"``).
    dsic : bool
        Optimise over DSIC mechanisms.
    unit_demand : bool
        Unit-demand buyers (ex-post LP).
    formulation : {"auto", "reduced", "expost"}
        The reduced (Border, symmetric) or the ex-post LP; ``"auto"`` picks by setting.
    certify : {"auto", "always", "never"}
        ``"never"`` skips the exact certificate (``"auto"`` and ``"always"`` certify).
    bundling_shift : bool
        One bidder: the smallest value shift from which grand bundling is optimal.
    max_work : float, optional
        Refuse a request estimated above this many evaluations (before the LP is built).
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``).

    Returns
    -------
    OptimalReport
        Exact revenue (``Fraction``), certificate, interim rules and benchmarks;
        ``to_dict()``, ``to_frame()``.

    Raises
    ------
    ValueError
        A bad argument, named, or a request above ``max_work``/``max_memory``.
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> r = optimal(bidders=2, items=2, p="1/2", a=1, b=2)
    >>> r.revenue, r.to_dict()["comparison"]["dsic"]["revenue"]
    (Fraction(51, 16), '25/8')
    """
    setting = choice("setting", setting, SETTINGS)
    bidders = positive_int("bidders", bidders)
    items = positive_int("items", items)
    formulation = choice("formulation", formulation, FORMULATIONS)
    do_certify = choice("certify", certify, CERTIFY) != "never"
    parse_size("max_memory", max_memory)  # checked even where no estimate needs it
    ic = "dsic" if dsic else "bic"
    if setting == "yao":
        if values is not None:
            raise ValueError(f"values={values!r}: only used with setting='discrete' (the Yao "
                             "setting takes p, a, b)")
        for name, given in (("a", a), ("b", b)):
            _lp_values(name, given, [fraction(name, given, low=0)])
        p, a, b = fraction("p", p, low=0, high=1), fraction("a", a, low=0), fraction("b", b,
                                                                                    low=0)
        if items <= MAX_YAO_BIC_ITEMS:
            _check_yao(bidders, items, (p, a, b), max_work, max_memory)
        return _yao(bidders, items, p, a, b, ic, unit_demand, formulation, do_certify,
                    bundling_shift)
    return _discrete(bidders, items, values, ic, unit_demand, formulation, do_certify,
                     bundling_shift)


def _check_yao(n, m, numbers, max_work, max_memory) -> None:
    """Refuse a Yao LP too large to solve and certify, before building it. The reduced LP has
    3m + 1 variables and 4^m Border rows plus (m+1)³ IC rows; its coefficients are
    probabilities such as (1−p)^n, rationals of about n × (bits of p, a, b) bits, so each exact
    operation of the certificate costs (words of 64 bits)² and the rows sum over n bidders.

    >>> _check_yao(10000, 2, (Fraction(1, 2), Fraction(1), Fraction(2)), None, None)
    Traceback (most recent call last):
    ...
    ... # doctest: +ELLIPSIS
    ValueError: bidders=10000: too large: about 4.71e+11 evaluations ...
    """
    bits = sum(x.numerator.bit_length() + x.denominator.bit_length() for x in numbers)
    words = 1 + size_float(n) * bits / 64
    variables, rows = 3 * m + 1, 4**m + (m + 1) ** 3
    work = variables * rows * size_float(n) * words * words * YAO_CELL
    work_budget("bidders", n, work, max_work=max_work,
                what=f"evaluations (exact LP of {variables} × {rows} with {n * bits}-bit "
                     "numbers)")
    memory_budget("bidders", n, 8.0 * 4 * variables * rows * words, max_memory=max_memory)


def _yao(n, m, p, a, b, ic, unit_demand, formulation, do_certify, bundling_shift):
    if unit_demand:
        raise ValueError("unit_demand=True: only supported with setting='discrete'")
    if bundling_shift:
        raise ValueError("bundling_shift=True: only supported with setting='discrete'")
    if m > MAX_YAO_BIC_ITEMS and ic == "bic":
        raise ValueError(f"items={m}: the Yao BIC LP supports items <= {MAX_YAO_BIC_ITEMS} "
                         "(4^m Border rows)")
    main = yao_optimal(n, m, p, a, b, ic=ic, formulation=formulation, do_certify=do_certify)
    other_ic = "dsic" if ic == "bic" else "bic"
    comparison = {ic: main}
    if other_ic == "bic" or m * n * math.log(2) <= math.log(MAX_EXPOST_PROFILES):
        comparison[other_ic] = yao_optimal(n, m, p, a, b, ic=other_ic, do_certify=do_certify)
    else:
        comparison[other_ic] = "not computed (ex-post DSIC LP too large)"
    return OptimalReport(setting="yao", mechanism=main, comparison=comparison)


def _discrete(n, m, values, ic, unit_demand, formulation, do_certify, bundling_shift):
    if not values:
        raise ValueError("values=None: setting='discrete' needs values='discrete:V1,V2:P1,P2'")
    if not isinstance(values, str) or not values.startswith("discrete:"):
        raise ValueError(f"values={values!r}: must be discrete:V1,V2,...:P1,P2,... for the "
                         "optimal LP")
    vals, probs = value_grid("values", values, 1)
    _lp_values("values", values, vals)
    # K^M types and (K^M)^N profiles, compared in logarithms (never enumerated when too many)
    if n * m * math.log(len(vals)) > math.log(MAX_DISCRETE_PROFILES):
        raise ValueError(
            f"values={values!r}: ({len(vals)}^{m})^{n} profiles, too large for the ex-post LP"
            if ic == "dsic" or unit_demand
            else f"values={values!r}: too many types for the reduced LP; use fewer items or "
            "values")
    ts = TypeSpace.product([(vals, probs)] * m)
    single = n == 1 and not unit_demand and m > 1
    if bundling_shift and not single:
        raise ValueError("bundling_shift=True: needs bidders=1, items >= 2 and additive values")
    res = optimal_mechanism([ts] * n, ic=ic, demand="unit" if unit_demand else "additive",
                            formulation=formulation, do_certify=do_certify)
    marg = [(vals, probs)] * m
    return OptimalReport(
        setting="discrete", mechanism=res, types=tuple(ts.types),
        grand_bundling=check_grand_bundling(marg) if single else None,
        bundling_shift=smallest_bundling_shift(marg) if bundling_shift else None)


def _fmt(v) -> str:
    if isinstance(v, Fraction):
        return f"{v} = {float(v):.6g} (exact)"
    return "n/a" if v is None else f"{v:.6g}"


def _short(v) -> str:
    return str(v) if isinstance(v, Fraction) else f"{float(v):.6g}"


def _text(out: dict) -> str:
    rev = out["revenue"]
    lines = [
        f"optimal {out['ic'].upper()} revenue: "
        + (_fmt(rev) if rev is not None else f"{out['revenue_float']:.9g} (float, uncertified)"),
        f"certificate: {out['certificate']} ({out.get('certificate_path') or '-'});"
        f" formulation {out['formulation']}; LP {out['lp']}",
    ]
    if "interim" in out:
        lines.append("interim rule by number k of high-valued items (x_high, x_low: per item):")
        for row in out["interim"]:
            lines.append(f"  k={row['high_items']}: x_high={_fmt(row['x_high'])}"
                         f" x_low={_fmt(row['x_low'])} payment={_fmt(row['payment'])}")
    elif "interim_allocation" in out:
        lines.append("interim rule (agent 1) by type:")
        for t, x, pay in zip(out["types"], out["interim_allocation"][0],
                             out["interim_payment"][0], strict=False):
            lines.append(f"  type {[str(v) for v in t]}: x={[_short(v) for v in x]} "
                         f"payment={_short(pay)}")
    for k, v in out.get("comparison", {}).items():
        if isinstance(v, dict):
            r = _fmt(v["revenue"]) if v["revenue"] is not None else v["revenue_float"]
            lines.append(f"  {k.upper()} optimum: {r} [{v['certificate']}]")
        else:
            lines.append(f"  {k.upper()}: {v}")
    for k, v in out["benchmarks"].items():
        lines.append(f"  {k}: {_fmt(v)}")
    for k, v in out.get("grand_bundling", {}).items():
        lines.append(f"  grand bundling {k}: {_fmt(v) if isinstance(v, Fraction) else v}")
    return "\n".join(lines)
