"""Models and computation: valuations, mechanisms, the Monte Carlo engine, exact LPs.

Depends only on numpy, scipy and mpmath; knows nothing of :mod:`latent`.
"""
