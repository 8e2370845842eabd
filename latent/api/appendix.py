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
    """Compute every theorem, table and figure of the paper appendix into the folder ``out``.

    Writes ``appendix.tex`` (to ``\\input`` in a paper), the standalone PDF when pdflatex is
    installed, ``figures/``, ``data/`` and ``manifest.json``; the same seed gives the same files.
    The Python form of ``python -m latent appendix --out OUT``: every keyword is the flag of the
    same name (``--no-pdf`` is ``pdf=False``), with the same default (the full appendix).

    Parameters
    ----------
    out : str or pathlib.Path
        Output folder (created if absent).
    quick : bool
        Small samples and grids (what CI runs, about 30 s on 2 cores); default the full run.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Master seed (default: the published appendix's).
    data_dir : str or pathlib.Path, optional
        A folder with the real auction CSVs; without it the real-data section is skipped and
        says so.
    pdf : bool
        Run pdflatex (when installed).
    progress : bool
        Progress output on stderr.
    max_work : float, optional
        Cost limit of the real-data section's estimates (the one part sized by its input; see
        :func:`latent.estimate_rho`).
    max_memory : float or str, optional
        Memory limit of those estimates (``"4G"``).
    no_pdf : bool, optional
        Deprecated spelling of ``pdf=False`` (warns; removed in the next release).

    Returns
    -------
    AppendixResult
        The files written and every section's checks; ``ok`` is False when one failed.

    Raises
    ------
    ValueError
        A bad argument, named (``out`` is a file, ``data_dir`` is not a folder …).
    TypeError
        An argument of the wrong kind.
    RuntimeError
        pdflatex failed (a section whose check fails is reported in the result, not raised).

    Examples
    --------
    >>> import inspect
    >>> inspect.signature(appendix).parameters["quick"].default
    False
    >>> import pathlib, tempfile
    >>> blocker = pathlib.Path(tempfile.mkdtemp()) / "a_file"
    >>> _ = blocker.write_text("x")
    >>> appendix(blocker, quick=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: out='...a_file': exists and is not a folder
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
