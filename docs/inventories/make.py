"""Write the local Sphinx inventories (``*.inv``) of the third-party names this reference links.

The documentation is built without network access, so intersphinx cannot fetch the projects'
published ``objects.inv``; docs/conf.py reads these files instead. Each entry is a name the
reference uses and the page of the project's own documentation that defines it (the URL
pattern of that project's published inventory); each Python name is checked importable, so a
renamed object fails here rather than linking nowhere. Run after adding a name:
``python docs/inventories/make.py``.
"""

from __future__ import annotations

import importlib
import zlib
from pathlib import Path

HERE = Path(__file__).parent

# project -> (title, [(name, "domain:role", uri), ...]); "$" in a uri stands for the name
PY_BUILTIN_CLASSES = {"int": "functions", "float": "functions", "bool": "functions",
                      "object": "functions", "type": "functions", "complex": "functions",
                      "str": "stdtypes", "list": "stdtypes", "tuple": "stdtypes",
                      "dict": "stdtypes", "set": "stdtypes", "frozenset": "stdtypes",
                      "bytes": "stdtypes", "range": "stdtypes"}
PY_EXCEPTIONS = ["Exception", "ValueError", "TypeError", "KeyError", "RuntimeError", "OSError",
                 "MemoryError", "KeyboardInterrupt", "FloatingPointError", "OverflowError",
                 "Warning", "UserWarning", "RuntimeWarning", "DeprecationWarning",
                 "NotImplementedError", "FileNotFoundError", "ZeroDivisionError"]
PY_MODULE_CLASSES = {
    "collections.abc": ["Callable", "Sequence", "Mapping", "Iterable", "Iterator", "Hashable",
                        "Collection", "MutableMapping", "Generator"],
    "fractions": ["Fraction"], "pathlib": ["Path", "PurePath"], "os": ["PathLike"],
    "sqlite3": ["Connection"], "argparse": ["ArgumentParser", "Namespace"],
    "numbers": ["Real", "Integral", "Number"], "datetime": ["datetime"],
    "decimal": ["Decimal"], "io": ["TextIOBase"], "concurrent.futures": ["Executor"],
    "typing": ["Any"],
}
PY_TERMS = ["sequence", "mapping", "iterable", "iterator", "hashable", "callback",
            "path-like object", "file object"]


def python_entries():
    out = [(n, "py:class", f"library/{page}.html#{n}") for n, page in PY_BUILTIN_CLASSES.items()]
    out += [(n, "py:exception", f"library/exceptions.html#{n}") for n in PY_EXCEPTIONS]
    for module, names in PY_MODULE_CLASSES.items():
        out += [(f"{module}.{n}", "py:class", f"library/{module}.html#{module}.{n}")
                for n in names]
        out.append((module, "py:module", f"library/{module}.html#module-{module}"))
    out += [(n, "py:data", f"library/constants.html#{n}") for n in ("None", "True", "False")]
    out += [(n, "py:function", f"library/functions.html#{n}")
            for n in ("callable", "len", "repr", "print", "open", "isinstance")]
    out += [(t, "std:term", f"glossary.html#term-{t.replace(' ', '-')}") for t in PY_TERMS]
    return out


def _api(prefix: str, names, page: str):
    """Entries named ``prefix.NAME`` whose page is ``page`` with NAME substituted."""
    return [(f"{prefix}.{n}", "py:class", page.replace("NAME", f"{prefix}.{n}")) for n in names]


NUMPY = (
    _api("numpy", ["ndarray", "dtype", "float64", "int64", "generic", "bool_"],
         "reference/generated/NAME.html#NAME")
    + [("numpy.random.Generator", "py:class",
        "reference/random/generator.html#numpy.random.Generator"),
       # the runtime name of the same class, as type hints resolve it
       ("numpy.random._generator.Generator", "py:class",
        "reference/random/generator.html#numpy.random.Generator"),
       ("numpy.random.SeedSequence", "py:class",
        "reference/random/bit_generators/generated/numpy.random.SeedSequence.html"
        "#numpy.random.SeedSequence"),
       ("numpy.random.bit_generator.SeedSequence", "py:class",
        "reference/random/bit_generators/generated/numpy.random.SeedSequence.html"
        "#numpy.random.SeedSequence"),
       ("numpy.typing.ArrayLike", "py:data",
        "reference/typing.html#numpy.typing.ArrayLike"),
       ("array_like", "std:term", "glossary.html#term-array_like"),
       ("array-like", "std:term", "glossary.html#term-array_like")]
)
PANDAS = (_api("pandas", ["DataFrame", "Series", "Index"], "reference/api/NAME.html#NAME")
          + [("pandas.core.frame.DataFrame", "py:class",
              "reference/api/pandas.DataFrame.html#pandas.DataFrame"),
             ("pandas.core.series.Series", "py:class",
              "reference/api/pandas.Series.html#pandas.Series")])
MATPLOTLIB = (_api("matplotlib.figure", ["Figure"], "api/_as_gen/NAME.html#NAME")
              + _api("matplotlib.axes", ["Axes"], "api/_as_gen/NAME.html#NAME")
              + [("matplotlib.axes._axes.Axes", "py:class",
                  "api/_as_gen/matplotlib.axes.Axes.html#matplotlib.axes.Axes")])
SYMPY = (_api("sympy.core.basic", ["Basic"], "modules/core.html#NAME")
         + _api("sympy.core.expr", ["Expr"], "modules/core.html#NAME")
         + _api("sympy.core.symbol", ["Symbol"], "modules/core.html#NAME")
         + _api("sympy.core.relational", ["Relational"], "modules/core.html#NAME")
         + _api("sympy.core.function", ["Function", "AppliedUndef", "UndefinedFunction"],
                "modules/core.html#NAME")
         + _api("sympy.logic.boolalg", ["Boolean", "BooleanFunction"],
                "modules/logic.html#NAME")
         + _api("sympy.core.numbers", ["Rational", "Integer"], "modules/core.html#NAME")
         + [("sympy.Basic", "py:class", "modules/core.html#sympy.core.basic.Basic"),
            ("sympy.Symbol", "py:class", "modules/core.html#sympy.core.symbol.Symbol"),
            ("sympy.Expr", "py:class", "modules/core.html#sympy.core.expr.Expr")])
SCIPY = (_api("scipy.stats", ["rv_continuous", "rv_discrete"],
              "reference/generated/NAME.html#NAME")
         + [("scipy.stats._distn_infrastructure.rv_continuous_frozen", "py:class",
             "reference/generated/scipy.stats.rv_continuous.html"),
            ("scipy.optimize.OptimizeResult", "py:class",
             "reference/generated/scipy.optimize.OptimizeResult.html"
             "#scipy.optimize.OptimizeResult")])

PROJECTS = {"python": ("Python", python_entries()), "numpy": ("NumPy", NUMPY),
            "pandas": ("pandas", PANDAS), "matplotlib": ("Matplotlib", MATPLOTLIB),
            "sympy": ("SymPy", SYMPY), "scipy": ("SciPy", SCIPY)}


def _importable(name: str) -> bool:
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        try:
            for attr in parts[k:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return name in __builtins__ if isinstance(__builtins__, dict) else hasattr(__builtins__,
                                                                                name)


def write(project: str) -> Path:
    """Write ``project``.inv (Sphinx inventory format 2) and return its path."""
    title, entries = PROJECTS[project]
    missing = [n for n, role, _ in entries if role.startswith("py:") and role != "py:data"
               and not _importable(n)]
    if missing:
        raise SystemExit(f"{project}: not importable here, so not listed: {missing}")
    body = "".join(f"{name} {role} 1 {uri} -\n" for name, role, uri in entries)
    header = (f"# Sphinx inventory version 2\n# Project: {title}\n# Version: \n"
              "# The remainder of this file is compressed using zlib.\n")
    path = HERE / f"{project}.inv"
    path.write_bytes(header.encode() + zlib.compress(body.encode()))
    return path


if __name__ == "__main__":
    for name in PROJECTS:
        print(write(name))
