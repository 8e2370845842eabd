"""``estimate_rho(..., stream=True)``: the analysis of bids that need not fit in memory.

The bids are read partition by partition (:mod:`latent.data.sources`: Parquet files, folders of
Parquet or CSV partitions, Dask frames, …) in two or three passes of
:func:`latent.stream.estimate_stream` — counts, the homogenisation regression, per-N
histograms of the homogenised log bids with hashed Poisson-bootstrap copies (each replicate
re-fitting the regression to first order unless ``first_stage="fixed"``), the GPV revenue
block — on any executor (``inline``, ``local``
processes, a Dask cluster at ``scheduler``), with memory independent of the number of rows.
Everything that needs whole auctions (spectral ρ, the specification tests, truncation, the LP,
the factor model, entry and the bands) is the in-memory ``estimate_rho`` of a seeded sample of
``sample_auctions`` auctions, with the caller's other options.

What is streamed is the first-price analysis of symmetric bidders, highest bid wins, no
reserve: an option that changes what the streamed numbers mean (procurement, a reserve,
risk aversion, slots of named bidders, subsets of larger auctions, per-auction normalisation)
is refused by name rather than applied to the sample alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields

import numpy as np

from latent.data.covariates import parse_covariate
from latent.data.reader import DataError
from latent.data.sources import open_source
from latent.stream import StreamReport, estimate_stream
from numerics.engine import EngineConfig
from numerics.validate import seed_sequence

__all__ = ["STREAM_ONLY", "check_stream", "streamed_estimate"]

# Options of estimate_rho that only the streaming path reads, with their defaults.
STREAM_ONLY = {"stream": False, "executor": "inline", "workers": 1, "scheduler": None,
               "bins": 16384, "sample_auctions": 2000, "first_stage": "resampled"}
# Options that change what the streamed numbers mean: refused with stream=True, with the value
# that leaves them off.
NOT_STREAMED = {"lowest_wins": False, "normalize": None, "asymmetric": False, "subsample": 0,
                "bidders": None, "reserve": None, "reserve_col": None,
                "potential_bidders": None, "potential_bidders_col": None, "crra": None,
                "risk_aversion": None, "increment": None, "buyer_value": None,
                "first_stage_n": True, "keep_extreme_bids": False}


def check_stream(opts) -> None:
    """Refuse, by name, streaming options without ``stream=True`` and, with it, the options
    the streamed analysis does not carry (module doc).

    >>> from latent.estimate.pipeline import EstimateOptions
    >>> check_stream(EstimateOptions(bins=512))
    Traceback (most recent call last):
    ...
    ValueError: bins=512: only with stream=True (the streaming analysis of partitioned bids)
    """
    if not opts.stream:
        for name, default in STREAM_ONLY.items():
            if getattr(opts, name) != default:
                raise ValueError(f"{name}={getattr(opts, name)!r}: only with stream=True (the "
                                 "streaming analysis of partitioned bids)")
        return
    # messages start with the option (the command line spells it as its flag)
    if opts.bids != "first-price":
        raise ValueError(f"bids={opts.bids!r}: not streamed; the streaming analysis "
                         "(stream=True) inverts first-price bids (bids='first-price')")
    for name, off in NOT_STREAMED.items():
        if getattr(opts, name) != off:
            raise ValueError(
                f"{name}={getattr(opts, name)!r}: not streamed; the streaming analysis "
                "(stream=True) is of first-price bids of symmetric bidders, highest bid wins, "
                f"no reserve: leave {name} at {off!r}, or analyse a subset in memory (where)")
    if opts.format == "wide":
        raise ValueError("format='wide': not streamed; the streaming analysis (stream=True) "
                         "reads long partitions (one row per bid: auction_col, bid_col)")


def _columns(source_columns, opts) -> tuple[list[str], str, str]:
    """The columns to read (projection pushed down to the reader), the auction and bid ones."""
    auction_col, bid_col = opts.auction_col or "auction_id", opts.bid_col or "bid"
    need = [auction_col, bid_col] + ([opts.bidder_col] if opts.bidder_col else [])
    try:
        need += [parse_covariate(c, source_columns)[0] for c in opts.covariates]
    except ValueError as exc:
        raise DataError(str(exc)) from None
    need += list(opts.fixed_effects)
    missing = [c for c in need if c not in source_columns]
    if missing:
        raise DataError(f"stream=True: no column {missing[0]!r} in the data (columns: "
                        f"{', '.join(source_columns)}); name them with auction_col, bid_col")
    return list(dict.fromkeys(need)), auction_col, bid_col


def streamed_estimate(data, opts, analyse: Callable) -> StreamReport:
    """The streamed report of ``data`` under validated options ``opts``; ``analyse(frame,
    **options)`` is the in-memory ``estimate_rho``, run on the auction sample with every
    option but the streaming ones.

    Returns
    -------
    StreamReport

    Raises
    ------
    ValueError
        Unreadable data or a column that is not there (:class:`DataError`), or a request above
        ``max_memory``/``max_work``.
    """
    whole = open_source(data, max_memory=opts.max_memory)  # footers only: the schema
    columns, auction_col, bid_col = _columns(whole.schema, opts)
    source = whole.select(columns, opts.where)  # only these columns and rows are ever read
    seed = opts.seed if isinstance(opts.seed, int) else int(
        seed_sequence(opts.seed).generate_state(1, np.uint32)[0])
    sample_options = {f.name: getattr(opts, f.name) for f in fields(opts)
                      if f.name not in STREAM_ONLY and f.name not in (
                          "where", "format", "auction_col", "bid_col", "bidder_col")}

    def analyse_sample(frame, **cols):
        return analyse(frame, format="long", **cols, **sample_options)

    config = EngineConfig(opts.executor, opts.workers, scheduler=opts.scheduler,
                          progress=opts.progress)
    return estimate_stream(
        source.partitions(), auction_col=auction_col, bid_col=bid_col,
        bidder_col=opts.bidder_col, covariates=opts.covariates,
        fixed_effects=opts.fixed_effects, seed=seed, n_boot=opts.data_boot, bins=opts.bins,
        sample_auctions=opts.sample_auctions,
        sample_analysis=analyse_sample if opts.sample_auctions else None,
        bandwidth=opts.bandwidth or "silverman", level=opts.level,
        min_auctions=opts.min_auctions, max_memory=opts.max_memory, max_work=opts.max_work,
        config=config, first_stage=opts.first_stage)
