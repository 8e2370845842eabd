"""The end of every command: JSON of a result, the text, the figure. It imports the result
vocabulary (numpy, pandas), so the subcommands reach it as ``cli.output`` (loaded on first use,
:mod:`latent.cli`) when they run, never while their parsers are built.

>>> print_json({"ratio": float("inf"), "nan": float("nan")})
{
  "ratio": "inf",
  "nan": null
}
"""

from __future__ import annotations

import json
import sys
from typing import Any

from latent.studies.formats import FORMATS
from numerics.atomic import atomic_path
from numerics.results import jsonable

__all__ = ["emit", "format_list", "jsonable", "print_json"]


def print_json(obj: Any) -> None:
    """Print ``obj`` (a result, or a dict of them) as strict JSON on stdout."""
    json.dump(jsonable(obj), sys.stdout, indent=2, allow_nan=False, default=str)
    sys.stdout.write("\n")


def emit(result, *, json_output: bool, plot: str | None = None, ax=None) -> int:
    """The end of every command: save the figure (``ax``, or ``result.plot()``) to ``plot``,
    then print ``--json`` or the text. Returns the exit status 0."""
    if plot:
        figure = (ax if ax is not None else result.plot()).figure
        with atomic_path(plot) as tmp:  # Ctrl-C while saving leaves no half image
            figure.savefig(tmp, dpi=120)
        print(f"plot written to {plot}", file=sys.stderr)
    if json_output:
        print_json(result)
    else:
        print(result)
    return 0


def format_list() -> str:
    """The auction formats of ``landscape --list``, one per line: key, label, N, M, values."""
    return "\n".join(f"{k:18s} {f.label} (N={f.n}, M={f.m}, {f.values})"
                     for k, f in FORMATS.items())
