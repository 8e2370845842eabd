"""Marginals of the inputs: anything with ``.quantile`` (numerics Valuation) or ``.ppf`` (scipy).

Paths that sample (Monte Carlo) or integrate in quantile space (quadrature) only need the
quantile function u ↦ F⁻¹(u); nothing else of a marginal is used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from numerics.valuations import parse_valuation


def quantile_function(marginal) -> Callable[[np.ndarray], np.ndarray]:
    """u ↦ F⁻¹(u) for a Valuation (``.quantile``) or a frozen scipy distribution (``.ppf``).

    >>> from scipy import stats
    >>> q = quantile_function(stats.uniform(0, 2))
    >>> q(np.array([0.25])).tolist()
    [0.5]
    """
    if hasattr(marginal, "quantile"):
        return lambda u: np.asarray(marginal.quantile(u), dtype=float)
    if hasattr(marginal, "ppf"):
        return lambda u: np.asarray(marginal.ppf(u), dtype=float)
    raise TypeError(f"marginal {marginal!r} has neither .quantile nor .ppf")


def quantile_functions(marginals, n_inputs: int) -> list[Callable[[np.ndarray], np.ndarray]]:
    """One quantile function per input: a single marginal is shared by all ``n_inputs``.

    >>> from scipy import stats
    >>> len(quantile_functions(stats.uniform(), 3))
    3
    """
    if isinstance(marginals, Sequence) and not isinstance(marginals, str):
        if len(marginals) != n_inputs:
            raise ValueError(f"{len(marginals)} marginals for {n_inputs} inputs")
        return [quantile_function(m) for m in marginals]
    q = quantile_function(marginals)
    return [q] * n_inputs


def parse_marginal(spec: str):
    """A marginal from a CLI string (:func:`numerics.valuations.parse_valuation`).

    >>> float(quantile_function(parse_marginal("uniform:0:2"))(np.array(0.5)))
    1.0
    """
    return parse_valuation(spec)
