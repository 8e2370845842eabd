"""The one-call entry points behind :mod:`latent`'s namespace, one module each.

Each module composes the building blocks (:mod:`latent.anova`, :mod:`latent.data`,
:mod:`latent.estimate`, :mod:`latent.studies`, :mod:`latent.paper`, :mod:`numerics`), checks
its arguments (a ``ValueError``/``TypeError`` naming the argument and what is accepted), and
returns a frozen result. The command lines in :mod:`latent.cli` parse flags, call these
functions and print; nothing here prints.
"""
