"""Sphinx configuration: API reference from docstrings (autodoc + napoleon for numpydoc-style
sections), method pages in Markdown (MyST), maths by MathJax. Built in CI with warnings as
errors and every cross-reference checked (``nitpicky``):
``python -m sphinx -W --keep-going -b html docs docs/_build/html``.

The reference documents the public areas only (the ``latent`` functions and their results, the
``numerics`` contracts and registries, the ``proofs`` kernel); test modules are never imported,
so the build needs only the ``docs`` extra (no pytest)."""

import ast
import importlib
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

autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "description"
autodoc_preserve_defaults = True
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False
# Type lines as numpydoc writes them: {"a", "b"} choices and quoted values are literals, and
# the short names below link to their classes.
napoleon_preprocess_types = True
napoleon_type_aliases = {
    "StreamReport": "latent.stream.StreamReport",
    "Fraction": "fractions.Fraction", "SeedSequence": "numpy.random.SeedSequence",
    "Generator": "numpy.random.Generator", "DataFrame": "pandas.DataFrame",
    "array": "numpy.ndarray", "ndarray": "numpy.ndarray", "Axes": "matplotlib.axes.Axes",
    "2-D array": "numpy.ndarray", "1-D array": "numpy.ndarray", "1-D arrays": "numpy.ndarray",
    "Valuation": "numerics.valuations.Valuation", "Mechanism": "numerics.mechanisms.Mechanism",
    # the results, by the short names the Returns sections use
    **{name.rsplit(".", 1)[1]: name for name in (
        "latent.api.simulate.Simulation", "latent.api.optimal.OptimalReport",
        "latent.api.learn.LearnResult", "latent.studies.landscape.LandscapeResult",
        "latent.anova.spectrum.GradeSpectrum", "latent.api.frontier.FrontierResult",
        "latent.estimate.report.EstimateReport", "latent.estimate.entry.EntryTest",
        "latent.api.efficient.EfficientResult", "latent.api.design.DesignReport",
        "latent.estimate.risk_aversion.CRRAEstimate", "latent.data.ascending.AscendingBounds",
        "latent.paper.AppendixResult", "latent.estimate.binding_reserve.ReserveEstimate",
        "latent.estimate.bands.QuantileBand")},
}
add_module_names = False

# Every cross-reference must resolve: a name that renders as plain text is a broken link.
nitpicky = True

# Third-party references resolve through local inventories (docs/inventories/*.inv, written by
# docs/inventories/make.py from the names this reference uses, each checked importable): the
# build machines have no network access, and a build that depends on a download would pass or
# fail with the network. Links point to each project's published documentation.
_INV = Path(__file__).parent / "inventories"
_SITES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "pandas": "https://pandas.pydata.org/docs/",
    "matplotlib": "https://matplotlib.org/stable/",
    "sympy": "https://docs.sympy.org/latest/",
}
intersphinx_mapping = {name: (url, str(_INV / f"{name}.inv")) for name, url in _SITES.items()}

# numpydoc's type vocabulary ("int, optional", "callable", "sequence of float"): words of the
# docstrings' type lines, which Sphinx reads as class names; not types to link.
nitpick_ignore = [("py:class", word) for word in (
    "optional", "callable", "sequence", "mapping", "iterable", "array_like", "array-like")]

html_theme = "sphinx_rtd_theme"
html_title = "latent-mechanisms"


# An object is documented once, under one of its names (``latent.estimate_rho``,
# ``numerics.results.Estimate``); a reference to another of its names (the defining module's
# ``latent.estimate.pipeline.estimate_rho``, a package's re-export ``latent.results.Estimate``)
# resolves to that entry. The reference's target is imported and compared by identity with the
# documented objects, so a reference to something that does not exist, or is documented
# nowhere, still warns.
def _imported(name: str):
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except Exception:  # noqa: BLE001 - not a module: try a shorter prefix
            continue
        try:
            for attr in parts[k:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


_BY_IDENTITY: dict[int, str] = {}


def _documented_as(domain, obj):
    """The documented name of ``obj`` (any of its names), from the objects documented so far."""
    if not _BY_IDENTITY:
        for name, entry in domain.objects.items():
            if entry.objtype in ("function", "class", "exception", "method", "property",
                                 "module", "data"):
                found = _imported(name)
                if found is not None and not isinstance(found, int | float | str | tuple):
                    _BY_IDENTITY.setdefault(id(found), name)
    return _BY_IDENTITY.get(id(obj))


def _resolve_reexport(app, env, node, contnode):
    if node.get("refdomain") != "py":
        return None
    target = node["reftarget"].lstrip(".~")
    module, cls = node.get("py:module"), node.get("py:class")
    names = [target]
    if module:
        names += [f"{module}.{cls}.{target}"] if cls else []
        names.append(f"{module}.{target}")
    domain = env.get_domain("py")
    for name in names:
        if name in domain.objects:  # documented, in another context than the reference's
            found = name
        else:
            obj = _imported(name)
            if obj is None or isinstance(obj, int | float | str | tuple):
                continue
            found = _documented_as(domain, obj)
        if found:
            return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"],
                                       found, node, contnode)
    return None


def _short_defaults(app, what, name, obj, options, signature, return_annotation):
    """A dataclass signature Sphinx can parse: a default that is a long string (a field holding
    a sentence) shown as ``...`` (in full it makes the signature unreadable, and its quotes and
    primes confuse the parser), as is a default_factory."""
    if not signature:
        return None
    # a dataclass field's default_factory shows as <factory>, which is not Python: Sphinx would
    # fall back on splitting the signature at commas (``dict[str`` a type); shown as ``...``
    factory = "<factory>" in signature
    try:
        tree = ast.parse(f"def f{signature.replace('<factory>', '...')}: pass")
    except SyntaxError:
        return None
    args = tree.body[0].args
    changed = factory
    for default in [*args.defaults, *args.kw_defaults]:
        if isinstance(default, ast.Constant) and isinstance(default.value, str) \
                and len(default.value) > 40:
            default.value, changed = ..., True
    # an annotation left as a string (a dataclass under ``from __future__ import annotations``)
    # is shown as the expression it names, so that its types link
    for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]:
        note = arg.annotation
        if isinstance(note, ast.Constant) and isinstance(note.value, str):
            try:
                arg.annotation, changed = ast.parse(note.value, mode="eval").body, True
            except SyntaxError:
                pass
    if not changed:
        return None
    return "(" + ast.unparse(args) + ")", return_annotation


def setup(app):
    app.connect("missing-reference", _resolve_reexport)
    app.connect("autodoc-process-signature", _short_defaults)
