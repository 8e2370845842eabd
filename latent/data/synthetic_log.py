"""Synthetic bid logs of any size, hive-partitioned, with a known truth: inputs for the
partitioned and streaming readers, their tests and benchmarks.

:func:`write_bid_log` writes one row per bid (``auction_id, bidder, bid, n_bidders, x1, x2``)
into ``OUT/region=K/part-0.parquet`` (or ``.csv``), K = 0 … partitions − 1, from a model whose
every parameter is returned:

* N uniform on ``n_range`` (2 to 12 by default), drawn per auction;
* values v = exp(β₁·x1 + β₂·x2 + region effect) · ε, x1 ~ N(0, 1) and x2 ~ U(0, 1) per
  auction, region effects N(0, 0.2²) per partition (all zero without ``covariates``), and ε
  iid from ``value_law``: ``"lognormal"`` (log-sd 0.4), ``"uniform"`` on [0, 1] or
  ``"pareto"`` (tail index 2.5, on [1, ∞));
* bids the symmetric IPV first-price equilibrium bids, homogeneous of degree one in the
  shifter: b = exp(…) · β_N(ε), β_N from :func:`latent.data.gpv.equilibrium_bids` tabulated
  on :data:`TABLE_POINTS` points of ε and interpolated linearly (relative error below 1e-6,
  checked in the tests), so that 10⁸ bids cost seconds per partition, not hours.

Auctions never span partitions. Each partition is drawn from its own child of
``SeedSequence(seed)`` and written in row groups of at most :data:`CHUNK_AUCTIONS` auctions, so
memory is bounded by one chunk whatever ``n_bids`` (10⁸ bids within ~1 GB) and the same seed
writes the same files.
"""

from __future__ import annotations

import functools
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from scipy import stats

from latent.data.gpv import equilibrium_bids
from numerics.validate import choice, positive_int, seed_sequence

__all__ = ["BETA", "CHUNK_AUCTIONS", "VALUE_LAWS", "BidLog", "tabulation_error", "write_bid_log"]

VALUE_LAWS = ("lognormal", "uniform", "pareto")
BETA = {"x1": 0.3, "x2": -0.5}
REGION_SD = 0.2
LOGNORMAL_SIGMA = 0.4
PARETO_TAIL = 2.5
# Auctions per row group: ~7·10⁵ bids at the default sizes, a few tens of MB in memory.
CHUNK_AUCTIONS = 1 << 17
# Points of the tabulated bid function β_N (in the draw's own scale, see _Law).
TABLE_POINTS = 1 << 14
# Bytes a bid takes on disk, rounded up from measurements (Parquet with pyarrow's default
# compression: 16.5 at 10⁶ and 10⁷ bids with covariates; CSV: 75); the free disk space is
# checked against it before writing.
DISK_BYTES_PER_BID = {"parquet": 20.0, "csv": 80.0}
MAX_BIDDERS = 1000


@dataclass(frozen=True)
class _Law:
    """ε = to_value(z) with z drawn by ``draw``; β_N tabulated on a grid of z in [lo, hi]."""

    name: str
    dist: object
    lower: float
    lo: float
    hi: float

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.name == "lognormal":
            return rng.standard_normal(size)
        if self.name == "uniform":
            return rng.random(size)
        return rng.standard_exponential(size)

    def to_value(self, z: np.ndarray) -> np.ndarray:
        if self.name == "lognormal":
            return np.exp(LOGNORMAL_SIGMA * z)
        if self.name == "uniform":
            return z
        return np.exp(z / PARETO_TAIL)


def _law(name: str) -> _Law:
    if name == "lognormal":  # |z| > 9 has probability 2e-19: clipped to the table
        return _Law(name, stats.lognorm(LOGNORMAL_SIGMA), 0.0, -9.0, 9.0)
    if name == "uniform":
        return _Law(name, stats.uniform(0.0, 1.0), 0.0, 0.0, 1.0)
    # z ~ Exp(1): z > 45 has probability 3e-20
    return _Law(name, stats.pareto(PARETO_TAIL), 1.0, 0.0, 45.0)


@dataclass(frozen=True)
class BidLog:
    """What :func:`write_bid_log` wrote and the truth behind it.

    ``beta``: coefficients of x1 and x2 in log values; ``region_effects``: each partition's
    effect in log values (``region=K`` folders); ``law``: ε's law (``"lognormal(0.4)"``,
    ``"uniform(0, 1)"``, ``"pareto(2.5)"``); ``auctions_by_n``: auctions per bidder count.
    """

    path: str
    format: str
    value_law: str
    law: str
    beta: dict
    region_effects: tuple[float, ...]
    n_bids: int
    n_auctions: int
    auctions_by_n: dict
    partitions: int
    files: tuple[str, ...]
    seed: int | None
    n_range: tuple[int, int]

    def to_dict(self) -> dict:
        """The description as plain Python (JSON-ready)."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@functools.lru_cache(maxsize=64)
def _table(value_law: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The grid of z and β_N(ε(z)) on it (cached: a table costs ~0.1 s of CDF evaluations)."""
    law = _law(value_law)
    z = np.linspace(law.lo, law.hi, TABLE_POINTS)
    beta = equilibrium_bids(np.maximum(law.to_value(z), law.lower), n, law.dist.cdf, law.lower)
    z.flags.writeable = beta.flags.writeable = False
    return z, beta


def _tables(law: _Law, n_range: tuple[int, int]) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    tables = {n: _table(law.name, n) for n in range(n_range[0], n_range[1] + 1)}
    return tables[n_range[0]][0], {n: t[1] for n, t in tables.items()}


def _n_range(n_range) -> tuple[int, int]:
    try:
        lo, hi = n_range
    except (TypeError, ValueError):
        raise ValueError(f"n_range={n_range!r}: two bidder counts (lowest, highest)") from None
    lo = positive_int("n_range", lo, minimum=2, maximum=MAX_BIDDERS)
    hi = positive_int("n_range", hi, minimum=lo, maximum=MAX_BIDDERS)
    return lo, hi


def write_bid_log(path, *, n_bids: int, seed=0, partitions: int = 8, n_range=(2, 12),
                  value_law: str = "lognormal", covariates: bool = True,
                  format: str = "parquet", n_column: bool = True) -> BidLog:
    """Write a hive-partitioned synthetic first-price bid log (one row per bid).

    Parameters
    ----------
    path : str or pathlib.Path
        The folder to create (must not exist, or be empty).
    n_bids : int
        About this many bids: n_bids / mean N auctions are drawn (their sizes are random).
    seed : int or SeedSequence
        Same seed, same files.
    partitions : int
        Folders ``region=0`` … ``region=partitions-1``, one file each, the auctions split
        evenly; an auction lies in one file.
    n_range : tuple of int
        Lowest and highest bidder count (N uniform between them).
    value_law : {"lognormal", "uniform", "pareto"}
        The law of ε (values are the covariate shifter times ε).
    covariates : bool
        With x1, x2 and region effects (False: pure IPV, ε are the values).
    format : {"parquet", "csv"}
    n_column : bool
        Write each auction's N as ``n_bidders``.

    Returns
    -------
    BidLog

    Raises
    ------
    ValueError
        A bad argument (named), a non-empty folder, or too little free disk space for the
        estimated size.

    Examples
    --------
    >>> import tempfile, os
    >>> log = write_bid_log(os.path.join(tempfile.mkdtemp(), "log"), n_bids=2000,
    ...                     partitions=2, seed=1)
    >>> log.partitions, sorted(os.listdir(log.path)), log.n_bids == sum(
    ...     n * k for n, k in log.auctions_by_n.items())
    (2, ['region=0', 'region=1'], True)
    """
    n_bids = positive_int("n_bids", n_bids, minimum=2)
    partitions = positive_int("partitions", partitions, maximum=100_000)
    lo, hi = _n_range(n_range)
    value_law = choice("value_law", value_law, VALUE_LAWS)
    format = choice("format", format, ("parquet", "csv"))
    ss = seed_sequence(seed)
    out = Path(path)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"path={str(out)!r}: exists and is not an empty folder; give a new "
                         "folder")
    parent = out.parent if out.parent.exists() else Path(".")
    need = DISK_BYTES_PER_BID[format] * n_bids
    free = shutil.disk_usage(parent).free
    if not need <= free:
        raise ValueError(f"n_bids={n_bids}: about {need:.2g} bytes of {format}, more than the "
                         f"{free:.2g} bytes free under {parent}; lower n_bids")
    law = _law(value_law)
    z_grid, tables = _tables(law, (lo, hi))
    mean_n = (lo + hi) / 2
    total_auctions = max(partitions, round(n_bids / mean_n))
    per_part = [total_auctions // partitions + (k < total_auctions % partitions)
                for k in range(partitions)]
    children = ss.spawn(partitions + 1)
    region_eff = (np.random.default_rng(children[-1]).normal(0.0, REGION_SD, partitions)
                  if covariates else np.zeros(partitions))
    beta = dict(BETA) if covariates else {"x1": 0.0, "x2": 0.0}
    out.mkdir(parents=True, exist_ok=True)
    files, by_n, bids_written = [], Counter(), 0
    for k in range(partitions):
        folder = out / f"region={k}"
        folder.mkdir()
        file = folder / f"part-0.{format}"
        rng = np.random.default_rng(children[k])
        writer = None
        first_id = k * 10**12  # auction ids unique across partitions
        try:
            for start in range(0, per_part[k], CHUNK_AUCTIONS):
                m = min(CHUNK_AUCTIONS, per_part[k] - start)
                table, counts = _chunk(rng, m, first_id + start, lo, hi, law, z_grid, tables,
                                       beta, float(region_eff[k]), covariates, n_column)
                by_n.update(counts)
                bids_written += table.num_rows
                if format == "parquet":
                    if writer is None:
                        writer = pq.ParquetWriter(file, table.schema)
                    writer.write_table(table)
                else:
                    if writer is None:
                        writer = pacsv.CSVWriter(file, table.schema)
                    writer.write_table(table)
        finally:
            if writer is not None:
                writer.close()
        files.append(str(file))
    law_name = {"lognormal": f"lognormal({LOGNORMAL_SIGMA:g})", "uniform": "uniform(0, 1)",
                "pareto": f"pareto({PARETO_TAIL:g})"}[value_law]
    return BidLog(path=str(out), format=format, value_law=value_law, law=law_name, beta=beta,
                  region_effects=tuple(float(x) for x in region_eff), n_bids=bids_written,
                  n_auctions=int(sum(by_n.values())),
                  auctions_by_n={int(n): int(c) for n, c in sorted(by_n.items())},
                  partitions=partitions, files=tuple(files),
                  seed=int(ss.entropy) if isinstance(ss.entropy, int) else None,
                  n_range=(lo, hi))


def _chunk(rng, m, first_id, lo, hi, law, z_grid, tables, beta, region, covariates, n_column):
    """One row group: ``m`` auctions, their bids and covariates (drawn in a fixed order, so
    the stream of draws depends only on the seed and the chunk sizes)."""
    n = rng.integers(lo, hi + 1, size=m)
    x1 = rng.standard_normal(m)
    x2 = rng.random(m)
    rows = int(n.sum())
    z = np.clip(law.draw(rng, rows), law.lo, law.hi)
    owner = np.repeat(np.arange(m), n)
    n_row = n[owner]
    shade = np.empty(rows)
    for size in np.unique(n):
        sel = n_row == size
        shade[sel] = np.interp(z[sel], z_grid, tables[int(size)])
    shifter = np.exp(beta["x1"] * x1 + beta["x2"] * x2 + region) if covariates else np.ones(m)
    bidder = np.arange(rows) - np.repeat(np.cumsum(n) - n, n)
    cols = {"auction_id": pa.array(first_id + owner, pa.int64()),
            "bidder": pa.array(bidder, pa.int32()),
            "bid": pa.array(shifter[owner] * shade, pa.float64())}
    if n_column:
        cols["n_bidders"] = pa.array(n_row, pa.int16())
    if covariates:
        cols["x1"] = pa.array(x1[owner], pa.float64())
        cols["x2"] = pa.array(x2[owner], pa.float64())
    sizes, counts = np.unique(n, return_counts=True)
    return pa.table(cols), Counter(dict(zip(sizes.tolist(), counts.tolist(), strict=True)))


def tabulation_error(value_law: str = "lognormal", n: int = 5, size: int = 2000,
                     seed: int = 0) -> float:
    """Largest relative error of the tabulated bid function β_N against
    :func:`latent.data.gpv.equilibrium_bids` on ``size`` draws of ε.

    Parameters
    ----------
    value_law : {"lognormal", "uniform", "pareto"}
    n : int
        The bidder count.
    size, seed : int
        How many draws, and their seed.

    Returns
    -------
    float
    """
    law = _law(value_law)
    z_grid, tables = _tables(law, (n, n))
    z = np.clip(law.draw(np.random.default_rng(seed), size), law.lo, law.hi)
    v = np.maximum(law.to_value(z), law.lower)
    exact = equilibrium_bids(v, n, law.dist.cdf, law.lower)
    approx = np.interp(z, z_grid, tables[n])
    return float(np.max(np.abs(approx - exact) / np.maximum(np.abs(exact), 1e-300)))

