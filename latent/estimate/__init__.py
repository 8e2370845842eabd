"""The ``estimate_rho`` analysis: from auction data to ρ, revenues and truncation losses.

* :mod:`latent.estimate.pipeline` — :func:`~latent.estimate.pipeline.estimate_rho`, one call;
* :mod:`latent.estimate.report` — the report types and their text;
* :mod:`latent.estimate.revenue` — revenue under estimated marginals, with intervals;
* :mod:`latent.estimate.truncation` — truncation revenue loss on the quantile grid;
* :mod:`latent.estimate.entry` — is N exogenous? the value laws compared across N (HHS 2003);
* :mod:`latent.estimate.risk_aversion` — CRRA risk aversion from the variation in N (GPV 2009).
* :mod:`latent.estimate.binding_reserve` — value law above a binding reserve, optimal reserve;
* :mod:`latent.estimate.bands` — uniform confidence bands for the value quantile function.
"""
