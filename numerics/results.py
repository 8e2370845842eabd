"""The result vocabulary shared by every layer: :class:`ConfidenceInterval`, :class:`Estimate`,
and :class:`Result`, the base of every frozen result object.

A result is a frozen dataclass built by keyword. It offers ``to_dict()`` (the ``--json``
document: JSON types only, exact rationals as ``"p/q"`` strings, ∞ as ``"inf"``), ``to_frame()``
(a tidy pandas DataFrame, one row per grade / mechanism / group), ``__str__`` (the command
line's text) and, where a picture helps, ``plot(ax=None) -> Axes``, which draws on the given
axes or on a new :class:`matplotlib.figure.Figure` — never through pyplot's global state, so
it neither changes the backend nor opens windows.

>>> e = Estimate(value=0.5, ci=ConfidenceInterval(low=0.4, high=0.6), n=100, method="iid")
>>> str(e), e.to_dict()["ci"]
('0.5 [0.4, 0.6]', [0.4, 0.6])
"""

from __future__ import annotations

import dataclasses
import html
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ConfidenceInterval", "Estimate", "Result", "frame_text", "jsonable", "new_axes",
           "short_repr"]


def jsonable(obj: Any) -> Any:
    """JSON types for results: ``to_dict()`` of nested results, Fractions as ``"p/q"``,
    numpy scalars and arrays as numbers and lists, NaN as ``None``, ±∞ as ``"inf"``/``"-inf"``
    (strict JSON has neither).

    >>> jsonable({"a": Fraction(1, 3), "b": (np.float64(2.5), float("inf")), "c": np.nan})
    {'a': '1/3', 'b': [2.5, 'inf'], 'c': None}
    """
    if hasattr(obj, "to_dict") and not isinstance(obj, type):
        return jsonable(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return str(obj.numerator) if obj.denominator == 1 else f"{obj.numerator}/{obj.denominator}"
    if isinstance(obj, np.ndarray | np.generic):
        return jsonable(obj.tolist())
    if isinstance(obj, float):
        if math.isnan(obj):
            return None
        if math.isinf(obj):
            return "inf" if obj > 0 else "-inf"
    return obj


def new_axes(ax=None):
    """``ax`` itself, or the axes of a new :class:`matplotlib.figure.Figure` (no pyplot: the
    global backend is left alone; save with ``ax.figure.savefig(path)``).

    >>> new_axes().figure.__class__.__name__
    'Figure'
    """
    if ax is not None:
        return ax
    # matplotlib is imported here, not at module level: plotting is the only use, and importing
    # it costs more than the rest of the package's import.
    from matplotlib.figure import Figure

    return Figure(figsize=(6.0, 4.0), layout="constrained").subplots()


REPR_LIMIT = 300  # characters of a result's repr(); str() is the readable text
TEXT_WIDTH = 100  # columns of the default table text


def _brief(v) -> str:
    """A short rendering of one scalar for a repr."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float | np.floating):
        return f"{float(v):.4g}"
    if isinstance(v, Fraction):
        return f"{v.numerator}/{v.denominator}" if v.denominator != 1 else str(v.numerator)
    if isinstance(v, ConfidenceInterval):
        return f"[{v.low:.4g}, {v.high:.4g}]"
    text = str(v)
    return text if len(text) <= 40 else text[:39] + "…"


def short_repr(name: str, items) -> str:
    """``<Name k=v …>`` from (key, value) pairs, cut to fit :data:`REPR_LIMIT` characters.

    >>> short_repr("GradeSpectrum", [("method", "owen"), ("N", 3), ("rho", 0.41234)])
    '<GradeSpectrum method=owen N=3 rho=0.4123>'
    >>> len(short_repr("X", [("k", "v" * 40)] * 20)) <= REPR_LIMIT
    True
    """
    text = f"<{name}" + "".join(f" {k}={_brief(v)}" if k else f" {_brief(v)}" for k, v in items)
    if len(text) > REPR_LIMIT - 1:
        text = text[:REPR_LIMIT - 2] + "…"
    return text + ">"


class Result:
    """Mixin of every result: ``to_dict`` from the dataclass fields (override to shape the JSON),
    a one-row ``to_frame`` of the scalar fields (override for tidy multi-row frames), a short
    ``repr()`` (``<Name key=value …>``, under :data:`REPR_LIMIT` characters: a result can hold
    thousands of numbers), ``str()`` as readable text (the subclass's, else the frame as a
    table) and ``_repr_html_`` (the frame as an HTML table, for notebooks).

    The short repr is installed on each subclass before ``@dataclass`` runs, which then keeps
    it (a dataclass only adds a ``__repr__`` the class body does not define); a subclass that
    defines its own ``__repr__``, or sets ``_dataclass_repr = True``, keeps that one.

    >>> import dataclasses
    >>> @dataclasses.dataclass(frozen=True)
    ... class Demo(Result):
    ...     value: float
    ...     rows: tuple
    >>> d = Demo(value=0.5, rows=tuple(range(1000)))
    >>> repr(d)
    '<Demo value=0.5>'
    >>> print(d)
    Demo
     value
       0.5
    >>> "<table" in d._repr_html_()
    True
    """

    _dataclass_repr = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__repr__" not in cls.__dict__ and not cls.__dict__.get("_dataclass_repr", False):
            cls.__repr__ = Result.__repr__

    def _repr_items(self) -> list:
        """(key, value) pairs of the short repr: the scalar fields, in order (override)."""
        out = []
        fields = dataclasses.fields(self) if dataclasses.is_dataclass(self) else ()
        for f in fields:
            v = getattr(self, f.name, None)
            if isinstance(v, str | int | float | Fraction | np.number) and f.repr:
                out.append((f.name, v))
        return out[:8]

    def __repr__(self) -> str:
        return short_repr(type(self).__name__, self._repr_items())

    def __str__(self) -> str:
        return frame_text(type(self).__name__, self.to_frame())

    def _repr_html_(self) -> str:
        """The frame as an HTML table under the result's name (Jupyter's rich display)."""
        return (f"<p><b>{html.escape(repr(self))}</b></p>"
                + self.to_frame().to_html(index=False, max_rows=60, na_rep=""))

    def to_dict(self) -> dict:
        return {f.name: jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_frame(self) -> pd.DataFrame:
        row = {k: v for k, v in self.to_dict().items() if not isinstance(v, dict | list)}
        return pd.DataFrame([row])


def frame_text(title: str, frame: pd.DataFrame, width: int = TEXT_WIDTH) -> str:
    """``title`` over ``frame`` as a plain table at most ``width`` columns wide (wider frames
    wrap into column blocks), numbers to 4 significant digits, NaN as blank.

    >>> print(frame_text("demo", pd.DataFrame({"grade": [1, 2], "value": [0.5, float("nan")]})))
    demo
     grade  value
         1    0.5
         2
    """
    body = frame.to_string(index=False, line_width=width, max_colwidth=40, na_rep="",
                           float_format=lambda x: f"{x:.4g}")
    return title + "\n" + "\n".join(line.rstrip() for line in body.splitlines())


@dataclasses.dataclass(frozen=True, kw_only=True)
class ConfidenceInterval(Result):
    """[low, high] at confidence ``level``. Unpacks like a pair (``lo, hi = ci``).

    >>> lo, hi = ConfidenceInterval(low=1.0, high=3.0); lo, hi
    (1.0, 3.0)
    >>> 2.0 in ConfidenceInterval(low=1.0, high=3.0)
    True
    >>> ConfidenceInterval(low=0.0, high=0.0) == (0.0, 0.0)
    True
    """

    _dataclass_repr = True  # short already, and read in doctests as the pair it is

    low: float
    high: float
    level: float = 0.95

    def __post_init__(self):
        if not 0.0 < self.level < 1.0:
            raise ValueError(f"level={self.level!r}: a confidence level is in (0, 1)")

    def __iter__(self):
        return iter((self.low, self.high))

    def __getitem__(self, i: int) -> float:
        return (self.low, self.high)[i]

    def __len__(self) -> int:
        return 2

    def __contains__(self, x) -> bool:
        return self.low <= x <= self.high

    def __eq__(self, other) -> bool:
        """Equal to an interval with the same ends and level, or to the pair ``(low, high)``."""
        if isinstance(other, ConfidenceInterval):
            return (self.low, self.high, self.level) == (other.low, other.high, other.level)
        if isinstance(other, tuple | list) and len(other) == 2:
            return (self.low, self.high) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.low, self.high, self.level))

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0

    def to_dict(self) -> list:  # the JSON of an interval is the pair; the level sits beside it
        return [jsonable(self.low), jsonable(self.high)]

    def __str__(self) -> str:
        return f"[{self.low:.4g}, {self.high:.4g}]"

    @classmethod
    def of(cls, ci, level: float = 0.95) -> ConfidenceInterval | None:
        """An interval from a pair (or ``None``, or an interval, returned as is)."""
        if ci is None or isinstance(ci, ConfidenceInterval):
            return ci
        lo, hi = ci
        return cls(low=float(lo), high=float(hi), level=level)


@dataclasses.dataclass(frozen=True)
class Estimate(Result):
    """A number with its uncertainty: ``value``, a :class:`ConfidenceInterval` (``None`` when
    the value is exact), the sample size ``n`` behind it and the ``method`` that made it.

    A pair given as ``ci`` becomes a 95% interval, so ``Estimate(m, (lo, hi), n)`` still works.

    >>> e = Estimate(2.0, (1.5, 2.5), 40); e.ci.level, e.half_width, e.mean
    (0.95, 0.5, 2.0)
    """

    value: float
    ci: ConfidenceInterval | None = None
    n: int | None = None
    method: str = "iid normal-theory 95% CI (independent profiles)"

    def __post_init__(self):
        object.__setattr__(self, "ci", ConfidenceInterval.of(self.ci))

    @property
    def mean(self) -> float:
        """The value (the name Monte Carlo code reads naturally)."""
        return self.value

    @property
    def exact(self) -> bool:
        return self.ci is None

    @property
    def half_width(self) -> float:
        return 0.0 if self.ci is None else self.ci.half_width

    def to_dict(self) -> dict:
        out = {"value": jsonable(self.value), "mean": jsonable(self.value),
               "ci": None if self.ci is None else self.ci.to_dict(), "n": self.n,
               "method": self.method}
        if self.ci is not None:
            out["level"] = self.ci.level
        return out

    def __str__(self) -> str:
        if self.ci is None:
            return f"{self.value:.6g} (exact)"
        return f"{self.value:.6g} {self.ci}"

    def __repr__(self) -> str:
        return f"{self.value:.6g} ± {self.half_width:.2g}"
