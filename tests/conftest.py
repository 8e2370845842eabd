"""Shared fixtures: the real auction data folder (skipped with a reason when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; skip when it is not there."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real auction data not found at {SHARED_DATA}")
    return SHARED_DATA
