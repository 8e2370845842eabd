"""The result vocabulary of the public API (defined in :mod:`numerics.results`, so that the
numerical core and the Latent layer return the same types).

* :class:`ConfidenceInterval` — ``low``, ``high``, ``level``; unpacks like a pair;
* :class:`Estimate` — ``value``, ``ci`` (``None`` when exact), ``n``, ``method``;
* :class:`Result` — the base of every frozen result: ``to_dict()``, ``to_frame()``;
* :func:`new_axes` — where ``plot(ax=None)`` draws when no axes are given.

>>> Estimate(1.0, (0.9, 1.1), 400).ci
ConfidenceInterval(low=0.9, high=1.1, level=0.95)
"""

from numerics.results import (
    TEXT_WIDTH,
    ConfidenceInterval,
    Estimate,
    Result,
    frame_text,
    jsonable,
    new_axes,
    short_repr,
)

__all__ = ["TEXT_WIDTH", "ConfidenceInterval", "Estimate", "Result", "frame_text", "jsonable",
           "new_axes", "short_repr"]
