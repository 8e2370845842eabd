"""Sphinx configuration: API reference from docstrings (autodoc + napoleon for numpydoc-style
sections), method pages in Markdown (MyST), maths by MathJax. Built in CI with warnings as
errors and every cross-reference checked (``nitpicky``):
``python -m sphinx -W --keep-going -b html docs docs/_build/html``.

The reference documents the public areas only (the ``latent`` functions and their results, the
``numerics`` contracts and registries, the ``proofs`` kernel); test modules are never imported,
so the build needs only the ``docs`` extra (no pytest)."""

import importlib.metadata
from pathlib import Path

project = "latent-mechanisms"
author = "The latent-mechanisms authors"
release = importlib.metadata.version("latent-mechanisms")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "inventories"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

autodoc_default_options = {"member-order": "bysource", "show-inheritance": False}
autodoc_typehints = "description"
autodoc_preserve_defaults = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
add_module_names = False

# Every cross-reference must resolve: a name that renders as plain text is a broken link.
nitpicky = True

# Third-party references resolve through the projects' own inventories. The build machines
# have no network access, so each mapping falls back on a local inventory
# (docs/inventories/*.inv, written by docs/inventories/make.py from the names this reference
# uses, each checked importable); with network access the published inventory is used.
_INV = Path(__file__).parent / "inventories"
_SITES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "pandas": "https://pandas.pydata.org/docs/",
    "matplotlib": "https://matplotlib.org/stable/",
    "sympy": "https://docs.sympy.org/latest/",
}
intersphinx_mapping = {name: (url, (None, str(_INV / f"{name}.inv")))
                       for name, url in _SITES.items()}
intersphinx_timeout = 5

nitpick_ignore = [
    # z3 and cvc5 publish no Sphinx inventory: their types in the proofs kernel's signatures
    # stay plain text.
    ("py:class", "z3.z3.ExprRef"),
    ("py:class", "z3.z3.BoolRef"),
    ("py:class", "z3.z3.Solver"),
]

html_theme = "sphinx_rtd_theme"
html_title = "latent-mechanisms"
