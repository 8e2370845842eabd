"""What every appendix section takes and returns: the run's :class:`Context`, a
:class:`Section`, and the deterministic JSON of its data files (:func:`dumps`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Context", "Section", "dumps"]


@dataclass(frozen=True)
class Context:
    out: Path
    quick: bool
    seed: int
    data_dir: Path | None  # the real auction CSVs; None: skip the real-data section
    progress: bool = False
    # max_work / max_memory of the real-data estimates (the input-sized part of the appendix)
    limits: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    title: str
    tex: str
    files: dict[str, str] = field(default_factory=dict)  # relative path -> text content
    ok: bool = True  # False: a check inside the section failed (the command exits non-zero)
    problems: tuple[str, ...] = ()
    omitted: str | None = None  # why the section printed no results (its text says so too)


def _without_timings(obj):
    if isinstance(obj, dict):
        return {k: _without_timings(v) for k, v in obj.items() if k != "seconds"}
    if isinstance(obj, list | tuple):
        return [_without_timings(v) for v in obj]
    return obj


def dumps(obj) -> str:
    """Deterministic JSON for data files: sorted keys, and no wall-clock ``seconds`` fields
    (run times go to the manifest only, so the same seed gives the same bytes)."""
    return json.dumps(_without_timings(obj), indent=2, sort_keys=True, ensure_ascii=False,
                      default=str) + "\n"
