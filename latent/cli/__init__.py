"""Subcommands of ``python -m latent``.

Each subcommand is a module here exposing ``NAME`` (the subcommand), ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``. :mod:`latent.__main__` discovers them, so
adding a subcommand touches no other file.

A subcommand module imports only the standard library at its top (and the light helpers
:mod:`latent.cli.common`, :mod:`latent.cli.flags`, :mod:`latent.cli.choices`): ``--help`` must
not wait for numpy, scipy, pandas or matplotlib. Its ``run`` reaches the heavy parts through
the package's lazy attributes: ``latent.spectrum`` & co. (:mod:`latent`) and ``cli.output``
(below).
"""

from __future__ import annotations

import importlib

# modules of this package that are helpers, not subcommands
HELPERS = ("choices", "common", "entry", "flags", "output")
# helpers that import the numerical stack: loaded on first attribute access (PEP 562)
_LAZY = ("output",)


def __getattr__(name: str):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
