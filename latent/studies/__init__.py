"""Studies built on the estimators: the ρ-landscape of auction formats, the compressibility
design problem, the truncation frontier at scale, and reproductions of published results.

Nothing in :mod:`latent.anova`, :mod:`latent.data` or :mod:`latent.estimate` imports from here.
"""
