"""The Latent layer: grade (ANOVA) spectra of allocation rules, ρ, and truncation.

Built on :mod:`numerics`; nothing in :mod:`numerics` imports from here.
"""
