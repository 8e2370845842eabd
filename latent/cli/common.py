"""Conventions shared by every CLI: one-line errors with exit status 2, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

from numerics.results import jsonable

EXIT_USAGE = 2


class UsageError(Exception):
    """Bad input from the user: reported as one line on stderr, exit status 2."""


def print_json(obj: Any) -> None:
    json.dump(jsonable(obj), sys.stdout, indent=2, allow_nan=False, default=str)
    sys.stdout.write("\n")


def fail(message: str) -> int:
    """Print ``error: message`` on stderr (one line) and return the usage exit status."""
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return EXIT_USAGE
