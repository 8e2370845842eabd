"""Sphinx configuration: API reference from docstrings (autodoc + napoleon for numpydoc-style
sections), method pages in Markdown (MyST), maths by MathJax. Built in CI with warnings as
errors: ``python -m sphinx -W --keep-going -b html docs docs/_build/html``."""

import importlib.metadata

project = "latent-mechanisms"
author = "The latent-mechanisms authors"
release = importlib.metadata.version("latent-mechanisms")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]

autosummary_generate = True
autosummary_imported_members = False
# Members are documented where they are defined: a name re-exported through a package's
# __all__ is not documented twice.
autodoc_default_options = {"members": True, "show-inheritance": False,
                           "member-order": "bysource", "ignore-module-all": True}
autodoc_typehints = "description"
autodoc_preserve_defaults = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
add_module_names = False
nitpicky = False

html_theme = "sphinx_rtd_theme"
html_title = "latent-mechanisms"
