"""The names the command lines' help and choices list, kept here without numpy, scipy or
pandas: building the parsers (``--help``) imports only the standard library.

Each tuple mirrors the module that defines it (the modules named in the comments import the
numerical stack); ``tests/test_cli_api_names.py`` checks that they agree, so a name added there
and not here fails a test instead of vanishing from ``--help``.

>>> "myerson" in MECHANISMS, EXECUTORS
(True, ('inline', 'local', 'dask'))
"""

from __future__ import annotations

__all__ = ["APPENDIX_SEED", "EXECUTORS", "FAMILIES", "ITEM_KINDS", "MEASURES", "MECHANISMS",
           "METHODS", "QUICK_HELP", "REQUIREMENTS"]

# numerics.mechanisms.MECHANISMS (the names make_mechanism accepts)
MECHANISMS = ("posted_price", "lottery", "second_price", "first_price", "first_price_bne",
              "myerson", "vcg", "vcg_enum", "gsp", "pairwise", "menu", "callable")
# numerics.engine.EXECUTORS
EXECUTORS = ("inline", "local", "dask")
# latent.api.spectrum.METHODS
METHODS = ("auto", "grid", "mc", "quad")
# latent.api.simulate.ITEM_KINDS
ITEM_KINDS = ("additive", "unit_demand", "complements")
# latent.studies.design.MEASURES
MEASURES = ("rho", "share")
# numerics.learn.FAMILIES
FAMILIES = ("reserve_second_price", "affine_maximizer", "lookahead", "posted_price",
            "sequential_posted_price")
# latent.api.appendix.DEFAULT_SEED: the seed of the published appendix
APPENDIX_SEED = 2026
# latent.paper.QUICK_HELP and latent.paper.REQUIREMENTS
QUICK_HELP = "small samples and grids (about 30 s on 2 cores; what CI runs)"
REQUIREMENTS = (
    "The PDF needs pdflatex with TeX Live's latex-base, latex-recommended, fonts-recommended "
    "and latex-extra collections and Latin Modern (Debian: texlive-latex-base "
    "texlive-latex-recommended texlive-fonts-recommended texlive-latex-extra lmodern). Without "
    "TeX, or with --no-pdf, everything else is written: appendix.tex, data, figures and "
    "manifest. pdflatex's .aux and .log files go to OUT/build/. Measured on a 2-core machine, "
    "pdflatex included: --quick 27 s, the full run 161 s (several times longer when the "
    "machine is busy).")
