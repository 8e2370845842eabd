"""The data layer's one exception: an input that cannot be read as auctions.

>>> issubclass(DataError, ValueError)
True
"""

from __future__ import annotations


class DataError(ValueError):
    """An input problem that makes the data unusable (reported as one line, exit status 2)."""
