"""Models and computation: valuations, mechanisms, the Monte Carlo engine, exact LPs.

Knows nothing of :mod:`latent` or :mod:`proofs`. What each part needs:

* everywhere: numpy and scipy;
* :mod:`numerics.lp` (exact LPs, certificates, Farkas checks): sympy (exact rational row
  reduction; the exact simplex used as a fallback) and HiGHS as shipped with scipy;
* :mod:`numerics.engine`: tqdm (progress bars) and, only for ``executor="dask"``,
  ``dask.distributed`` (imported when that executor runs);
* :mod:`numerics.learn.sweep`: optuna, only for ``sampler="optuna"`` — an optional extra
  (``pip install 'latent-mechanisms[learn]'``), imported when asked for; without it the sweep
  warns and uses random search.
"""
