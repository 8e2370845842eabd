"""Latent mechanism design: grade (ANOVA) spectra of allocation rules, ρ, revenue under
truncation, exact optimal mechanisms — one call each.

The public API mirrors the command line (``python -m latent SUBCOMMAND``): each function takes
keyword arguments named as the subcommand's flags and returns a frozen result object with
``to_dict()`` (the ``--json`` document), ``to_frame()`` (a pandas DataFrame), ``str()`` (the
command's text) and, where a picture helps, ``plot(ax=None)``.

===========================  =====================================================================
:func:`spectrum`             grade spectrum of a function or an auction's allocation rule
:func:`simulate`             Monte Carlo revenue, welfare and incentive audit of a mechanism
:func:`estimate_rho`         ρ, revenues and truncation loss from auction data
:func:`entry_test`           is N exogenous? value laws compared across bidder counts
:func:`estimate_crra`        CRRA risk aversion from first-price bids at several N
:func:`binding_reserve`      value law above a binding reserve and the optimal reserve
:func:`value_quantile_band`  GPV value quantile function with a uniform (sup-t) band
:func:`haile_tamer_bounds`   ascending auctions: bounds on the value CDF (Haile–Tamer)
:func:`landscape`            the ρ-landscape of auction formats
:func:`design`               design for compressibility: revenue vs ρ, Pareto front, Rev + λ·c
:func:`optimal`              exact optimal discrete mechanisms (LP, rational certificates)
:func:`frontier`             the exact grade-restricted revenue frontier
:func:`efficient`            revenue-optimal efficient mechanisms on general type spaces
:func:`learn`                truthful-by-construction mechanisms optimised on samples
:func:`appendix`             the paper appendix (LaTeX, figures, data)
===========================  =====================================================================

Extension points: :func:`register_mechanism` and :func:`register_valuation` add a named
mechanism or value law, which every function and command line then accepts by name.

The building blocks stay importable: :mod:`latent.anova` (grade decomposition and ρ),
:mod:`latent.data` (auction data), :mod:`latent.estimate` (the estimate_rho pipeline),
:mod:`latent.studies`, :mod:`latent.paper`, and the numerical core :mod:`numerics`.
Entry points are loaded on first use, so ``import latent`` stays cheap.
"""

from __future__ import annotations

import importlib

# name -> module that defines it (loaded on first access; PEP 562). Nothing heavy is imported
# with the package: ``python -m latent`` installs its Ctrl-C handling before numpy and pandas.
_API = {
    "ConfidenceInterval": "latent.results",
    "Estimate": "latent.results",
    "spectrum": "latent.api.spectrum",
    "simulate": "latent.api.simulate",
    "estimate_rho": "latent.estimate.pipeline",
    "haile_tamer_bounds": "latent.data.ascending",
    "entry_test": "latent.estimate.entry",
    "estimate_crra": "latent.estimate.risk_aversion",
    "binding_reserve": "latent.estimate.binding_reserve",
    "value_quantile_band": "latent.estimate.bands",
    "landscape": "latent.api.landscape",
    "design": "latent.api.design",
    "optimal": "latent.api.optimal",
    "frontier": "latent.api.frontier",
    "efficient": "latent.api.efficient",
    "learn": "latent.api.learn",
    "appendix": "latent.api.appendix",
    "register_mechanism": "numerics.mechanisms",
    "register_valuation": "numerics.valuations",
}

__all__ = list(_API)


def __getattr__(name: str):
    if name in _API:
        value = getattr(importlib.import_module(_API[name]), name)
        globals()[name] = value  # later look-ups skip this hook
        return value
    raise AttributeError(f"module 'latent' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
