"""``latent.landscape``: the ρ-landscape of auction formats, measured.

For each format of the *Latent mechanism design* papers' table (posted prices, second price,
GSP, VCG, Myerson, Myerson under the latent-factor model, combinatorial VCG with complements):
the Monte Carlo grade spectrum of the allocation rule, grade-decay ρ with per-grade ratios,
revenue and efficiency with 95% CIs, beside the papers' claimed grade / ρ / revenue; optionally
the exact LP optimum row. Returns a :class:`~latent.studies.landscape.LandscapeResult`.
"""

from __future__ import annotations

from collections.abc import Iterable

from latent.anova.mc import evaluations_per_sample
from latent.studies.formats import FORMATS, SMOOTHNESS_LAWS, Format
from latent.studies.landscape import FULL, QUICK, TASTE_SEED, LandscapeResult
from latent.studies.landscape import landscape as measure_landscape
from numerics.engine import EXECUTORS, EngineConfig
from numerics.mechanisms import enumerated_assignments
from numerics.seeding import stable_seed
from numerics.validate import (
    choice,
    finite_float,
    max_workers,
    memory_budget,
    positive_int,
    size_budget,
    size_float,
    work_budget,
)
from numerics.valuations import parse_profile

__all__ = ["landscape", "parse_lp"]

MAX_LP_TYPES = 16


BATCH_SIZE = 2000  # samples per chunk (every executor runs the same chunk plan)

def parse_lp(lp) -> tuple[int, int, int] | None:
    """The LP row's sizes (N bidders, M items, K grid points per item) from ``"N,M,K"``, a
    triple, or None / ``"none"`` (no LP row).

    Parameters
    ----------
    lp : str, tuple of int or None
        ``"N,M,K"``, ``(N, M, K)``, ``"none"`` or None.

    Returns
    -------
    tuple of int or None

    Raises
    ------
    ValueError
        Not three positive integers nor none.

    Examples
    --------
    >>> parse_lp("3,2,3"), parse_lp("none")
    ((3, 2, 3), None)
    >>> parse_lp("3,2")
    Traceback (most recent call last):
    ...
    ValueError: lp='3,2': N,M,K (three integers) or none
    """
    if lp is None or (isinstance(lp, str) and lp.strip().lower() == "none"):
        return None
    try:
        parts = lp.split(",") if isinstance(lp, str) else list(lp)
        n, m, k = (int(t) for t in parts)
    except (ValueError, TypeError):
        raise ValueError(f"lp={lp!r}: N,M,K (three integers) or none") from None
    if min(n, m, k) < 1 or k**m > MAX_LP_TYPES:
        raise ValueError(f"lp={lp!r}: N, M, K ≥ 1 and K^M ≤ {MAX_LP_TYPES} types per bidder "
                         "(LP size)")
    return n, m, k


def _keys(formats, smoothness) -> list:
    if smoothness is not None:
        if not isinstance(smoothness, str | Format):
            raise TypeError(f"smoothness={smoothness!r}: a format key")
        keys = [smoothness]
    elif formats is None:
        keys = list(FORMATS)
    elif isinstance(formats, str):
        keys = [k.strip() for k in formats.split(",") if k.strip()]
    elif isinstance(formats, Iterable):
        keys = list(formats)
    else:
        raise TypeError(f"formats={formats!r}: a format name, 'a,b' or a list of names "
                        f"(from {', '.join(FORMATS)})")
    unknown = [k for k in keys if not isinstance(k, Format) and k not in FORMATS]
    if unknown or not keys:
        name = "smoothness" if smoothness is not None else "formats"
        raise ValueError(f"{name}={unknown or formats!r}: unknown format(s); choose from "
                         f"{', '.join(FORMATS)}")
    return [k if isinstance(k, Format) else FORMATS[k] for k in keys]


def landscape(
    formats=None,
    *,
    values=None,
    smoothness: str | None = None,
    bidders: int | None = None,
    items: int | None = None,
    full: bool = False,
    samples: int | None = None,
    revenue_samples: int | None = None,
    max_grade: int | None = None,
    lp="3,2,3",
    executor: str = "inline",
    workers: int = 2,
    scheduler: str | None = None,
    batch_size: int = BATCH_SIZE,
    seed=0,
    taste_seed: int = TASTE_SEED,
    progress: bool | None = False,
    max_work: float | None = None,
    max_memory: float | str | None = None,
    target_rel_ci: float | None = None,
) -> LandscapeResult:
    """Measure the grade spectra, ρ, revenue and efficiency of auction formats, beside what the
    *Latent mechanism design* papers claim for them.

    The Python form of ``python -m latent landscape``: every keyword is the flag of the same name
    (dashes as underscores), with the same default.

    Parameters
    ----------
    formats : str or list of str, optional
        Format keys (``"a,b"`` or a list; default all, see :data:`latent.studies.formats.FORMATS`).
    values : str or list of str, optional
        One value law or several (each format runs under each).
    smoothness : str, optional
        Run this one format under smooth and rough laws side by side.
    bidders : int, optional
        Override N of every format.
    items : int, optional
        Override M of the multi-item formats.
    full : bool
        The large sample sizes (default: the quick set).
    samples : int, optional
        Monte Carlo samples of each spectrum (the budget with ``target_rel_ci``).
    revenue_samples : int, optional
        Monte Carlo profiles behind revenue and efficiency.
    max_grade : int, optional
        Highest grade estimated.
    lp : str, tuple of int or None
        The exact LP optimum row ``"N,M,K"`` (:func:`~latent.api.landscape.parse_lp`), or None to
        skip it.
    executor : {"inline", "local", "dask"}
        Where the spectrum's chunks run; the same seed gives the same numbers on each.
    workers : int
        Workers of ``"local"``/``"dask"``.
    scheduler : str, optional
        Address of a dask scheduler (default: a LocalCluster).
    batch_size : int
        Samples per chunk.
    seed : int, numpy.random.SeedSequence or numpy.random.Generator
        Same seed, same numbers.
    taste_seed : int
        Seed of the latent-factor model's tastes (never ``seed``).
    progress : bool, optional
        A progress bar on stderr.
    max_work : float, optional
        Refuse a request estimated above this many evaluations.
    max_memory : float or str, optional
        Refuse a request estimated to hold more bytes at once (``"4G"``).
    target_rel_ci : float, optional
        In (0, 1]: each spectrum samples in chunks until every grade's CI half width is ≤
        target_rel_ci·W_r or its ``samples`` are spent, and reports the unresolved grades.

    Returns
    -------
    LandscapeResult
        One row per format × law (measured and claimed); ``to_dict()``, ``to_frame()``,
        ``to_csv()``, ``plot()``.

    Raises
    ------
    ValueError
        A bad argument, named (an unknown format lists the known ones), or a request above
        ``max_work``/``max_memory``.
    TypeError
        An argument of the wrong kind.

    Examples
    --------
    >>> import latent
    >>> res = latent.landscape("posted_unlimited", samples=300, revenue_samples=2000, lp=None)
    >>> res.to_wide_frame()[["format", "W_1", "W_2"]].shape, res.rows[0].rho_text()
    ((1, 3), '∞ (structural)')
    """
    executor = choice("executor", executor, EXECUTORS)
    for name, val, low in (("samples", samples, 2), ("revenue_samples", revenue_samples, 1),
                           ("max_grade", max_grade, 1), ("bidders", bidders, 1),
                           ("items", items, 1)):
        if val is not None:
            positive_int(name, val, minimum=low)
    workers = positive_int("workers", workers, maximum=max_workers())
    if target_rel_ci is not None:
        if isinstance(target_rel_ci, bool):
            raise ValueError(f"target_rel_ci={target_rel_ci!r}: must be a number in (0, 1]")
        target_rel_ci = finite_float("target_rel_ci", target_rel_ci, low=0.0, high=1.0,
                                     low_open=True)
    batch_size = positive_int("batch_size", batch_size, minimum=2)
    taste_seed = positive_int("taste_seed", taste_seed, minimum=0)
    if not isinstance(full, bool):
        raise TypeError(f"full={full!r}: must be True or False")
    seed = stable_seed(seed)  # validated; a Generator is drawn from once
    fmts = []
    for f in _keys(formats, smoothness):
        if bidders:
            f = f.with_(n=int(bidders))
        if items and (f.m > 1 or f.mechanism in ("vcg", "gsp")):
            f = f.with_(m=int(items))
        fmts.append(f)
    if isinstance(values, str):
        values = [values]
    if values is not None:
        values = list(values)
        if not values or not all(isinstance(v, str) for v in values):
            raise TypeError(f"values={values!r}: a law or a list of laws (strings)")
        for v in values:
            try:
                parse_profile(v, 2)
            except (ValueError, OSError) as exc:
                raise ValueError(f"values={v!r}: {exc}") from None
    laws = list(SMOOTHNESS_LAWS) if smoothness is not None and not values else values
    # Cost before work: each format's spectrum (evaluations per pick–freeze sample × N·M
    # values) and revenue runs, under each law; exact winner determination (combinatorial VCG)
    # values all (N+1)^M assignments of items per profile, a batch's table held at once.
    runs = len(laws or [None])
    base = FULL if full else QUICK
    grade = max_grade or base["max_grade"]
    enum = [max(1.0, size_float(enumerated_assignments(None, f.n, f.m, f.kind))) for f in fmts]
    if bidders is not None or items is not None:  # an override too large for any sample count
        per = sum(evaluations_per_sample(f.n, min(grade, f.n), f.n) * f.n * f.m for f in fmts)
        size_budget(*(("bidders", bidders) if items is None or (bidders or 0) >= items
                      else ("items", items)), per * runs, max_work=max_work)
    for name, val, default in (("samples", samples, base["samples"]),
                               ("revenue_samples", revenue_samples, base["rev_samples"])):
        size = float(default if val is None else val)
        per = [evaluations_per_sample(f.n, min(grade, f.n), f.n) if name == "samples" else 1
               for f in fmts]
        work = [size * p * f.n * f.m * runs for p, f in zip(per, fmts, strict=True)]
        work_budget(name, val if val is not None else int(size), sum(work), max_work=max_work,
                    lower=("bidders", "items"))
        work_budget("items", max(f.m for f in fmts),
                    sum(w * a for w, a in zip(work, enum, strict=True)), max_work=max_work,
                    what=f"evaluations ({max(enum):.3g} assignments of the items per profile)")
    # a chunk's assignment table: named after --batch-size when the chunk is larger than the
    # default, else after --items (the assignments per profile)
    big_batch = batch_size > BATCH_SIZE
    memory_budget("batch_size" if big_batch else "items",
                  batch_size if big_batch else max(f.m for f in fmts),
                  8.0 * 3 * batch_size * max(a * (f.n + f.m) for a, f in zip(enum, fmts,
                                                                             strict=True)),
                  max_memory=max_memory)
    # every executor runs the same chunk plan (batch_size samples per chunk, seeded by chunk):
    # the executor changes where chunks run, never a number
    config = EngineConfig(executor=executor, workers=workers, batch_size=batch_size,
                          scheduler=scheduler, progress=progress)
    lp_row = None
    sizes = parse_lp(lp) if smoothness is None else None
    if sizes:
        lp_row = {"n": sizes[0], "m": sizes[1], "grid": sizes[2],
                  "values": (laws or ["uniform"])[0]}
    return measure_landscape(fmts, quick=not full, seed=seed, values=laws, samples=samples,
                             rev_samples=revenue_samples, max_grade=max_grade, config=config,
                             progress=progress, lp=lp_row, taste_seed=taste_seed,
                             target_rel_ci=target_rel_ci)
