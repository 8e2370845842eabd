"""The names the command lines' help and choices list, kept here without numpy, scipy or
pandas: building the parsers (``--help``) imports only the standard library.

Each tuple mirrors the module that defines it (the modules named in the comments import the
numerical stack); ``tests/test_cli_api_names.py`` checks that they agree, so a name added there
and not here fails a test instead of vanishing from ``--help``.

>>> "myerson" in MECHANISMS, EXECUTORS
(True, ('inline', 'local', 'dask'))
"""

from __future__ import annotations

from numerics.registry import MECHANISMS as _MECHANISM_REGISTRY

__all__ = ["APPENDIX_SEED", "CLI_ONLY", "CLI_ONLY_OF", "EXECUTORS", "FAMILIES", "ITEM_KINDS",
           "MEASURES", "MECHANISMS", "METHODS", "PYTHON_ONLY", "PYTHON_ONLY_OF", "QUICK_HELP",
           "REQUIREMENTS"]

# the built-in mechanisms' names, from their registry (standard library only; the help of
# --mechanism reads the registry itself, so names registered later are listed too)
MECHANISMS = _MECHANISM_REGISTRY.names()
# numerics.engine.EXECUTORS
EXECUTORS = ("inline", "local", "dask")
# latent.api.spectrum.METHODS
METHODS = ("auto", "grid", "mc", "pick-freeze", "quad")
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

# Every flag of a subcommand is the keyword of the same name of latent.<subcommand> (dashes as
# underscores, --no-x as x=False), with the same default, except these (a test walks the
# parsers and the signatures). Flags that only make sense on a command line, and why:
CLI_ONLY = {
    "help": "argparse's own",
    "json": "prints result.to_dict() as JSON; in Python the result is the object itself",
    "quiet": "turns the progress output off; in Python progress is off unless progress=True",
    "plot": "writes result.plot() to a file; in Python: result.plot().figure.savefig(path)",
}
# Flags of one subcommand only.
CLI_ONLY_OF = {
    ("simulate", "out"): "writes the simulated bids as CSV; in Python keep_bids=True, then "
                         "sim.bids.to_csv(path)",
    ("landscape", "out"): "writes landscape.csv and landscape.json into a folder; in Python "
                          "result.to_csv(path) and result.to_dict()",
    ("landscape", "list"): "prints the formats and exits",
    ("landscape", "quick"): "the default size, spelled out; the opposite of --full (full=False)",
    ("landscape", "rev_samples"): "deprecated alias of --revenue-samples (warns)",
}
# Keywords with no flag, and why.
PYTHON_ONLY = {
    "progress": "the command line shows progress on a terminal unless --quiet",
}
PYTHON_ONLY_OF = {
    ("simulate", "keep_bids"): "the command line sets it with --out FILE",
    ("estimate_rho", "grades"): "the truncation grades R (1, 2, 3 on the command line)",
    ("estimate_rho", "chunksize"): "rows read at a time: a memory knob of the Python reader",
    ("learn", "no_baselines"): "deprecated spelling of baselines=False (warns)",
    ("appendix", "no_pdf"): "deprecated spelling of pdf=False (warns)",
}
