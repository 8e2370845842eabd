"""Conventions shared by every CLI: one-line errors with exit status 2, JSON output."""

from __future__ import annotations

import json
import sys
from fractions import Fraction
from typing import Any

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as one line on stderr, exit status 2."""


def to_jsonable(obj: Any) -> Any:
    """Convert results (dataclasses with ``to_dict``, numpy scalars, Fractions) to JSON types.

    >>> to_jsonable({"a": Fraction(1, 3), "b": (1, 2.5)})
    {'a': '1/3', 'b': [1, 2.5]}
    """
    if hasattr(obj, "to_dict"):
        return to_jsonable(obj.to_dict())
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Fraction):
        return f"{obj.numerator}/{obj.denominator}" if obj.denominator != 1 else str(obj.numerator)
    if hasattr(obj, "tolist"):  # numpy arrays and scalars
        return to_jsonable(obj.tolist())
    if isinstance(obj, float) and obj != obj:
        return None
    return obj


def print_json(obj: Any) -> None:
    json.dump(to_jsonable(obj), sys.stdout, indent=2, allow_nan=False, default=str)
    sys.stdout.write("\n")


def fail(message: str) -> int:
    """Print ``error: message`` on stderr (one line) and return the usage exit status."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return EXIT_USAGE
