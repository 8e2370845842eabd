"""``latent.appendix``: the paper appendix (LaTeX, figures, data, manifest), regenerated.

>>> import inspect
>>> list(inspect.signature(appendix).parameters)[:3]
['out', 'quick', 'seed']
"""

from __future__ import annotations

from pathlib import Path

from latent.api.common import int_seed, negated_keyword, path_error
from latent.paper import AppendixResult, build_appendix
from numerics.validate import finite_float, parse_size

__all__ = ["DEFAULT_SEED", "AppendixResult", "appendix"]

DEFAULT_SEED = 2026  # the seed of the published appendix; the command line uses it too


def appendix(out, *, quick: bool = False, seed=DEFAULT_SEED, data_dir=None, pdf: bool = True,
             progress: bool = False, max_work=None, max_memory=None,
             no_pdf: bool | None = None) -> AppendixResult:
    """Compute every theorem, table and figure of the appendix into the folder ``out``
    (created if absent): ``appendix.tex`` (to ``\\input`` in a paper), the standalone PDF when
    pdflatex is installed (``no_pdf`` skips it), ``figures/``, ``data/`` and
    ``manifest.json``. ``quick``: small samples and grids (a few minutes). ``seed``: int,
    SeedSequence or Generator; outputs are deterministic for a seed. ``data_dir``: a folder
    with the real auction CSVs (the data section is skipped without it). ``progress``:
    progress output on stderr. ``max_work``/``max_memory``: the cost limits of the real-data
    section's estimates (the one part whose size depends on the input; see
    :func:`latent.estimate_rho`); the other sections' sizes are fixed by ``quick``. Raises
    ``RuntimeError`` when pdflatex fails; a section whose check fails is reported in the result
    (``ok`` is False), not raised.
    """
    pdf = negated_keyword("appendix", "no_pdf", no_pdf, "pdf", pdf, True)
    if not isinstance(out, str | Path):
        raise TypeError(f"out={out!r}: a folder path")
    if not str(out).strip():
        raise ValueError(f"out={str(out)!r}: an empty path (name the output folder)")
    if Path(out).exists() and not Path(out).is_dir():
        raise ValueError(f"out={str(out)!r}: exists and is not a folder")
    try:  # before any work: a path under a file, or in a read-only place, is bad input
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise path_error("out", out, exc) from None
    if data_dir is not None:
        if not isinstance(data_dir, str | Path):
            raise TypeError(f"data_dir={data_dir!r}: a folder path or None")
        if not Path(data_dir).is_dir():
            raise ValueError(f"data_dir={str(data_dir)!r}: not a folder")
    if max_work is not None:
        max_work = finite_float("max_work", max_work, low=0.0, low_open=True)
    parse_size("max_memory", max_memory)
    return build_appendix(out, quick=bool(quick), seed=int_seed(seed),
                          data_dir=Path(data_dir) if data_dir is not None else None,
                          compile=pdf, progress=bool(progress),
                          limits={"max_work": max_work, "max_memory": max_memory})
