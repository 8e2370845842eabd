"""Read auction bids (a CSV file, a pandas DataFrame or a 2-D array; also Parquet files,
folders or globs of partitions and Arrow, Polars or Dask frames through
:mod:`latent.data.sources`) into per-auction bid vectors, saying what was dropped and refusing
what could be misread.

Formats:

* **wide** — one row per auction: an optional auction-id column and one column per bidder
  (``bidder_1, bidder_2, …``) or per bidder × item (``bidder_1_item_1, …``); an empty cell
  means that bidder did not take part. A 2-D array is wide (rows auctions, columns bidders,
  NaN = absent). ``format="auto"`` reads a file as wide **only when every non-id column looks
  like a bid column**: a column with a covariate's name (``year``, ``region``, ``size``…),
  non-numeric cells, integer codes with few distinct values, or a repeated auction id (several
  rows per auction) makes the reader refuse with one line naming the columns and the flags for
  long data (``--format long --bid-col …``); ``format="wide"`` forces it.
* **long** — one row per bid: ``auction_id, bidder, bid[, item]`` (column names settable).
  Several bids of one bidder in one auction are reduced by ``aggregate`` (default: the maximum,
  as for eBay proxy bids; the minimum with ``lowest_wins``). Other columns that are constant
  within every auction are kept as auction-level covariates (:attr:`AuctionData.covariates`).

Files are read by pandas in chunks of ``chunksize`` rows (only the needed columns, reduced per
chunk), so there is no row cap and memory grows with the number of kept bids, not the file.
Numbers with decimal commas (``1,5``; ``1.234,5``) or thousands separators (``1,234.5``) are
converted with a warning; a column where ``1,234`` could be either is refused (pass
``decimal``). Rows that cannot be used (non-numeric, NaN, ±inf, negative bids; auctions with
one bidder) are dropped and *counted by reason*; structural problems raise :class:`DataError`
with one line naming the problem.

Procurement (``lowest_wins``): the bids are costs and stay costs (no transformation); the
lowest cost wins. ``normalize`` divides each auction's bids by its median, mean or maximum and
warns about the atom this creates (e.g. one bid per odd-sized auction exactly at 1).
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from latent.data.errors import DataError
from latent.data.sources import BidSource, is_source, open_source
from numerics.validate import default_max_memory, parse_size

CHUNK_ROWS = 500_000
# A positive bid whose log lies more than EXTREME_SDS robust standard deviations (1.4826 × MAD,
# at least one e-fold) from the median log-bid, or beyond 10^±EXTREME_LOG10, is a data error
# (one such bid overflows every moment): its auction is dropped and counted unless kept.
EXTREME_SDS = 25.0
EXTREME_LOG10 = 150.0

_AUCTION_NAMES = ("auction_id", "auctionid", "auction", "contract", "id")
_BIDDER_NAMES = ("bidder", "bidder_id", "bidder.name", "bidder_name")
_BID_NAMES = ("bid", "value", "amount", "price")
# Name tokens of auction covariates: a wide column named like this is not a bidder's bid.
_COVARIATE_TOKENS = frozenset(
    "year date time region state county district zone type category class size area acre "
    "acres tract lot appraisal appraised estimate reserve distance month day week quarter "
    "firm name item code zip lat lon latitude longitude count number n nbidders bidders "
    "auctions duration rate rating volume quantity weight".split())


@dataclass(frozen=True)
class Auction:
    """One auction: its id, bidder names and bids (shape (n_bidders,) or (n_bidders, items))."""

    auction_id: str
    bidders: tuple[str, ...]
    bids: np.ndarray


@dataclass(frozen=True, kw_only=True)
class AuctionData:
    """Usable auctions in flat arrays (bids of auction k are ``bids[offsets[k]:offsets[k+1]]``),
    the accounting of everything dropped (reason → count), warnings, and auction-level covariates.

    >>> d = AuctionData.from_auctions([Auction("a", ("x", "y"), np.array([1.0, 2.0]))])
    >>> dict(d.sizes()), d.auctions[0].bidders
    ({2: 1}, ('x', 'y'))
    """

    auction_ids: np.ndarray
    offsets: np.ndarray
    bids: np.ndarray
    bidder_codes: np.ndarray
    bidder_names: np.ndarray
    dropped: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source: str = ""
    format: str = ""
    covariates: pd.DataFrame | None = None  # one row per auction (index: auction id)
    lowest_wins: bool = False

    @classmethod
    def from_auctions(cls, auctions: Iterable[Auction], **kwargs) -> AuctionData:
        """Flat data from :class:`Auction` objects (small data, tests).

        >>> AuctionData.from_auctions([Auction("a", ("x", "y"), np.array([1.0, 2.0]))]).n_auctions
        1
        """
        auctions = list(auctions)
        names: dict[str, int] = {}
        codes = [names.setdefault(b, len(names)) for a in auctions for b in a.bidders]
        sizes = [len(a.bidders) for a in auctions]
        bids = [np.asarray(a.bids, float) for a in auctions if len(a.bidders)]
        flat = np.concatenate(bids) if bids else np.zeros(0)
        return cls(auction_ids=np.array([a.auction_id for a in auctions], dtype=object),
                   offsets=np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
                   bids=flat, bidder_codes=np.asarray(codes, dtype=np.int64),
                   bidder_names=np.array(list(names), dtype=object), **kwargs)

    @property
    def n_auctions(self) -> int:
        return len(self.offsets) - 1

    @property
    def auction_sizes(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def auctions(self) -> tuple[Auction, ...]:
        """The auctions as objects (built on demand: use the flat arrays on large data)."""
        o, names = self.offsets, self.bidder_names
        return tuple(Auction(str(self.auction_ids[k]),
                             tuple(str(b) for b in names[self.bidder_codes[o[k]:o[k + 1]]]),
                             self.bids[o[k]:o[k + 1]]) for k in range(self.n_auctions))

    def sizes(self) -> Counter:
        """Number of auctions by number of bidders.

        >>> d = AuctionData.from_auctions([Auction("a", ("x", "y"), np.array([1.0, 2.0]))])
        >>> dict(d.sizes())
        {2: 1}
        """
        n, c = np.unique(self.auction_sizes, return_counts=True)
        return Counter({int(a): int(b) for a, b in zip(n, c, strict=True)})

    def rows_of(self, n_bidders: int) -> tuple[np.ndarray, np.ndarray]:
        """Auction indices with exactly ``n_bidders`` and the (auctions × n) flat positions.

        >>> d = AuctionData.from_auctions([Auction("a", ("x", "y"), np.array([1.0, 2.0]))])
        >>> [x.tolist() for x in d.rows_of(2)]
        [[0], [[0, 1]]]
        """
        idx = np.flatnonzero(self.auction_sizes == n_bidders)
        if not len(idx):  # (n_bidders may be absurd: no arange of it)
            return idx, np.zeros((0, 0), np.int64)
        return idx, self.offsets[idx][:, None] + np.arange(n_bidders)

    def matrix(self, n_bidders: int) -> tuple[np.ndarray, np.ndarray]:
        """Bids of the auctions with exactly ``n_bidders`` (auctions × bidders[× items]), bidder
        slots in order of first appearance, and the bidder names per row.

        >>> d = AuctionData.from_auctions([Auction("a", ("x", "y"), np.array([1.0, 2.0]))])
        >>> m, who = d.matrix(2); m.tolist(), who.tolist()
        ([[1.0, 2.0]], [['x', 'y']])
        """
        idx, pos = self.rows_of(n_bidders)
        if not len(idx):
            raise DataError(f"bidders={n_bidders}: no auction has exactly {n_bidders} bidders")
        return self.bids[pos], self.bidder_names[self.bidder_codes[pos]]


# ----------------------------------------------------------------------------- numbers

_PLAIN = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")        # 1,234 or 1,234.5
_DEC_COMMA = re.compile(r"^[+-]?\d+,\d+$")                          # 1,5 (or 1,234: ambiguous)
_EU = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")                # 1.234,5 or 1.234.567
_AMBIGUOUS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
# digit groups separated by a space, no-break space or apostrophe: 1 234,5 / 1'234.5
_GROUPED = re.compile("^[+-]?\\d{1,3}([ '\u00a0\u202f]\\d{3})+([.,]\\d*)?$")
_GROUP_SEP = "[ '\u00a0\u202f]"


class _Numbers:
    """Text to float with one decimal convention for the whole file (detected once, warned)."""

    def __init__(self, decimal: str | None):
        if decimal not in (None, ".", ","):
            raise DataError(f"decimal={decimal!r}: use '.' or ','")
        self.decimal = decimal
        self.converted = 0
        self.example = ""
        self.grouped = 0
        self.grouped_example = ""

    def _decide(self, s: pd.Series) -> None:
        thousands = s.str.match(_THOUSANDS.pattern) & s.str.contains(".", regex=False)
        ambiguous = s.str.match(_AMBIGUOUS.pattern)
        comma = (s.str.match(_DEC_COMMA.pattern) & ~ambiguous) | (
            s.str.match(_EU.pattern) & s.str.contains(",", regex=False))
        if comma.any() and thousands.any():
            raise DataError(f"mixed number formats: {s[comma].iloc[0]!r} has a decimal comma, "
                            f"{s[thousands].iloc[0]!r} a thousands separator; pass decimal")
        if comma.any():
            self.decimal = ","
        elif thousands.any():
            self.decimal = "."
        elif ambiguous.any():
            raise DataError(f"ambiguous number {s[ambiguous].iloc[0]!r}: a thousands separator "
                            "(1234) or a decimal comma (1.234)? pass --decimal . or --decimal ,")

    def __call__(self, col: pd.Series, dropped: Counter | None, empty_counts: bool) -> np.ndarray:
        """Floats, NaN where unusable; unusable cells counted in ``dropped`` by reason."""
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            x = col.to_numpy(dtype=float, na_value=np.nan, copy=True)
            empty = np.isnan(x)
            bad = np.zeros(len(x), bool)
        else:
            s = col.astype("string").str.strip()
            empty = (s.isna() | (s == "")).to_numpy(dtype=bool, na_value=True)
            x = pd.to_numeric(s.where(~empty), errors="coerce").to_numpy(dtype=float,
                                                                         na_value=np.nan)
            text_nan = s.str.lower().isin(["nan", "+nan", "-nan"]).to_numpy(dtype=bool,
                                                                            na_value=False)
            bad = np.isnan(x) & ~empty & ~text_nan
            if bad.any():
                rest = s[bad]
                grouped = rest.str.match(_GROUPED.pattern).fillna(False).to_numpy(dtype=bool)
                if grouped.any():  # drop the group separators; the decimal mark stays
                    original = rest
                    rest = rest.copy()
                    rest[grouped] = rest[grouped].str.replace(_GROUP_SEP, "", regex=True)
                    plain = pd.to_numeric(rest[grouped], errors="coerce").notna().to_numpy()
                    x[np.flatnonzero(bad)[grouped][plain]] = pd.to_numeric(
                        rest[grouped][plain]).to_numpy(dtype=float)
                    self.grouped += int(grouped.sum())
                    self.grouped_example = (self.grouped_example
                                            or str(original[grouped].iloc[0]))
                    keep = np.ones(len(rest), bool)
                    keep[np.flatnonzero(grouped)[plain]] = False
                    bad[np.flatnonzero(bad)[~keep]] = False
                    rest = rest[keep]
                if len(rest) and self.decimal is None:
                    self._decide(rest)
                if self.decimal == ",":
                    fixed = rest.str.replace(".", "", regex=False).str.replace(",", ".",
                                                                                regex=False)
                elif self.decimal == ".":
                    fixed = rest.str.replace(",", "", regex=False)
                else:
                    fixed = rest
                ok_fmt = fixed.str.match(_PLAIN.pattern).fillna(False).to_numpy(dtype=bool)
                vals = pd.to_numeric(fixed.where(ok_fmt), errors="coerce").to_numpy(
                    dtype=float, na_value=np.nan)
                x[bad] = vals
                good = ~np.isnan(vals)
                if good.any() and fixed is not rest:
                    self.converted += int(good.sum())
                    self.example = self.example or str(rest[good].iloc[0])
                bad[np.flatnonzero(bad)[good]] = False
            nan_text = text_nan
            if dropped is not None and nan_text.any():
                dropped["NaN bid"] += int(nan_text.sum())
            empty = empty & ~nan_text
            if dropped is not None and bad.any():
                dropped["non-numeric bid"] += int(bad.sum())
            x[nan_text] = np.nan
        if dropped is not None:
            if empty_counts and empty.any():
                dropped["empty bid"] += int(empty.sum())
            with np.errstate(invalid="ignore"):
                inf = np.isinf(x)
                neg = x < 0
            if inf.any():
                dropped["infinite bid"] += int(inf.sum())
            if neg.any():
                dropped["negative bid"] += int((neg & ~inf).sum())
            x[inf | neg] = np.nan
        return x

    def warning(self) -> str | None:
        out = []
        if self.grouped:
            out.append(f"{self.grouped} numbers written with digit groups (e.g. "
                       f"{self.grouped_example!r}) read without the group separators")
        if self.converted:
            how = ("decimal commas" if self.decimal == "," else "thousands separators")
            out.append(f"{self.converted} numbers written with {how} (e.g. {self.example!r}) "
                       f"converted (decimal separator {self.decimal!r})")
        return "; ".join(out) or None


# ----------------------------------------------------------------------------- source

def _sniff_header(path: Path) -> tuple[list[str], str, float]:
    """The header's names, the separator, and the mean length in bytes of the rows near the
    top (for :func:`_read_budget`)."""
    if not path.exists():
        raise DataError(f"no such file: {path}")
    if path.is_dir():
        raise DataError(f"is a directory, not a CSV file: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            first = fh.readline()
            top = fh.read(1 << 16)  # decode errors near the top surface here, as one line
    except UnicodeDecodeError as exc:
        raise DataError(f"not a UTF-8 text file: {path} ({exc.reason})") from None
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: (counts[k], k == ","))
    try:
        header = next(csv.reader(io.StringIO(first), delimiter=sep), None)
    except csv.Error as exc:
        raise DataError(f"malformed CSV header in {path}: {exc}") from None
    if header is None or not any(h.strip() for h in header):
        raise DataError(f"empty file (no header row): {path}")
    row_bytes = len(top.encode()) / max(top.count("\n"), 1) if top else float(len(first))
    return [h.strip() for h in header], sep, max(row_bytes, 2.0)


# Bytes held per CSV row once read (the cleaned bids, their auction and bidder codes, and the
# per-auction records), measured with read_auctions on 3·10⁶-row files: 123 per row of a long
# file (4 rows an auction), 600 per row of a wide one (an auction a row). Rounded up.
HELD_PER_ROW = {"long": 160.0, "wide": 700.0}


def _read_budget(path: Path, fmt: str, row_bytes: float, max_memory) -> None:
    """Refuse, before reading, a file whose rows would hold more than ``max_memory`` bytes
    (default: :func:`numerics.validate.default_max_memory`)."""
    limit = parse_size("max_memory", max_memory)
    if limit is None:
        limit = default_max_memory()
    rows = path.stat().st_size / row_bytes
    held = rows * HELD_PER_ROW["long" if fmt == "long" else "wide"]
    if not held <= limit:
        raise DataError(f"{path}: too large to read: about {rows:.3g} rows, {held:.2g} bytes "
                        f"held once read, more than max_memory={limit:.3g}; raise max_memory "
                        "(--max-memory) or split the file")


def _source_budget(src: BidSource, fmt: str, max_memory) -> None:
    """Refuse, before reading, a source whose rows would hold more than ``max_memory`` bytes
    once read whole (rows from the Parquet footers; else the estimated bytes of a read)."""
    limit = parse_size("max_memory", max_memory)
    if limit is None:
        limit = default_max_memory()
    per_row = HELD_PER_ROW["long" if fmt == "long" else "wide"]
    if src.rows is not None:
        rows, held = float(src.rows), src.rows * per_row
    else:  # CSV partitions: about 20 bytes a text row (rows unknown before reading)
        rows = src.nbytes / 20.0
        held = rows * per_row
    if held > limit:  # (a Dask frame's size is unknown before computing it: NaN, let through)
        raise DataError(f"{src.label}: too large to read in memory: about {rows:.3g} rows, "
                        f"{held:.2g} bytes held once read, more than max_memory={limit:.3g}; "
                        "analyse it partition by partition (stream=True, --stream) or raise "
                        "max_memory (--max-memory)")


def _pushdown(src: BidSource, header: list[str], fmt: str, where: dict | None,
              dropped: Counter, max_memory):
    """The header, the conditions left to the reader and the chunks of a source. Conditions
    are pushed into pyarrow (files and tables): the rows each removes are counted by pyarrow
    (Parquet: footers and the condition's column) as the reader counts them, a value no row
    has is refused with the values the column has, and the rows are never materialised. A
    wide table loses the condition columns (as the reader drops them from the bid columns)."""
    if where and src.pushdown:
        src = src.select(where=where)
        _source_budget(src, fmt, max_memory)
        counts = src.matching()
        if not counts[-1]:
            seen: dict[str, Counter] = {}
            for frame in open_source(src, columns=list(where),
                                     max_memory=src.max_memory).frames():
                _filter(frame, where, Counter(), seen)
            raise DataError(no_match(where, seen))
        for (col, value), before, after in zip(where.items(), counts[:-1], counts[1:],
                                               strict=True):
            if before > after:
                dropped[f"filtered out by {col}={value}"] += before - after
        if fmt != "long":
            header = [c for c in header if c not in where]
            src = src.select(columns=header, where=where)
        where = None
    else:
        _source_budget(src, fmt, max_memory)

    limit = parse_size("max_memory", max_memory)
    per_row = HELD_PER_ROW["long" if fmt == "long" else "wide"]

    def chunk_iter(usecols, dtype):  # the columns the reader wants as text stay text (CSV)
        rows = 0
        for frame in src.select(columns=usecols, where=src.where_dict, text=dtype).frames():
            rows += len(frame)
            # a size not known before reading (Dask, CSV text): stopped once over the budget
            if rows * per_row > (default_max_memory() if limit is None else limit):
                raise DataError(f"{src.label}: too large to read in memory: more than "
                                f"{rows} rows read, about {rows * per_row:.2g} bytes held, "
                                "over max_memory; analyse it partition by partition "
                                "(stream=True, --stream) or raise max_memory (--max-memory)")
            yield frame

    return header, where, chunk_iter


def _check_header(header: Sequence[str]) -> None:
    blank = [str(j + 1) for j, h in enumerate(header) if not str(h).strip()]
    if len(blank) > 1:
        raise DataError(f"blank column names in the header (columns {', '.join(blank)}): "
                        "name every column")
    dup = [h for h, k in Counter(header).items() if k > 1]
    if dup:
        raise DataError(f"duplicated column name(s): {', '.join(dup)}")


def _chunks(path: Path, sep: str, names, usecols, dtype, chunksize: int) -> Iterator[pd.DataFrame]:
    try:
        reader = pd.read_csv(path, sep=sep, header=0, dtype=None if dtype is None else {
                                 list(names).index(c): t for c, t in dtype.items()},
                             chunksize=chunksize,
                             encoding="utf-8-sig", skip_blank_lines=True, skipinitialspace=True,
                             keep_default_na=False, na_values=[""], low_memory=False)
        with reader:
            for chunk in reader:
                if chunk.shape[1] != len(names):
                    raise DataError(f"malformed CSV in {path}: {chunk.shape[1]} columns "
                                    f"read, {len(names)} in the header")
                chunk.columns = list(names)
                yield chunk if usecols is None else chunk[list(usecols)]
    except UnicodeDecodeError as exc:
        raise DataError(f"not a UTF-8 text file: {path} ({exc.reason})") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"no data rows in {path}") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DataError(f"malformed CSV in {path}: {msg}") from None


def _nothing_left(dropped: Counter) -> str:
    """Why no bid is left: the drops that took them all, or that no column held numbers.

    >>> _nothing_left(Counter({"negative bid": 100}))
    'no usable bid: every numeric bid was dropped (100 negative bid); bids must be numbers ≥ 0'
    """
    if dropped:
        counts = ", ".join(f"{k} {why}" for why, k in sorted(dropped.items()))
        return f"no usable bid: every numeric bid was dropped ({counts}); bids must be numbers ≥ 0"
    return "no numeric bid in any column"


def _find(header: Sequence[str], wanted: str | None, candidates: Iterable[str], role: str,
          required: bool = True) -> str | None:
    lower = {h.lower(): h for h in reversed(header)}
    if wanted is not None:
        if wanted.lower() not in lower:
            flag = "--where" if role == "where" else f"--{role}-col"
            raise DataError(f"{flag} {wanted!r} is not a column (columns: "
                            f"{', '.join(map(str, header))})")
        return lower[wanted.lower()]
    for c in candidates:
        if c in lower:
            return lower[c]
    if required:
        raise DataError(f"cannot find the {role} column (tried {', '.join(candidates)}); "
                        f"name it with --{role}-col")
    return None


def detect_format(header: Sequence[str]) -> str:
    """``long`` if the header names a bid column and a bidder column, else ``wide``.

    >>> detect_format(["auction_id", "bidder", "bid"]), detect_format(["id", "b1", "b2"])
    ('long', 'wide')
    """
    lower = {str(h).lower() for h in header}
    has_bid = any(c in lower for c in _BID_NAMES)
    has_bidder = any(c in lower for c in _BIDDER_NAMES)
    return "long" if has_bid and has_bidder else "wide"


def _tokens(name: str) -> set[str]:
    return {t for t in re.split(r"[^a-z]+", str(name).lower()) if t}


def wide_problems(sample: pd.DataFrame, id_col: str | None,
                  numbers: _Numbers | None = None) -> list[tuple[str, str]]:
    """Columns of a would-be wide table that do not look like bid columns, with the reason.

    >>> df = pd.DataFrame({"id": range(40), "b1": np.linspace(1, 2, 40),
    ...                    "b2": np.linspace(2, 3, 40), "year": [2001, 2002] * 20})
    >>> wide_problems(df, "id")
    [('year', 'a covariate name')]
    """
    numbers = numbers or _Numbers(None)
    out: list[tuple[str, str]] = []
    cols = [c for c in sample.columns if c != id_col]
    rows = len(sample)
    for c in cols:
        s = sample[c]
        filled = s.notna() & (s.astype("string").str.strip() != "")
        x = np.zeros(0)
        if filled.any():
            try:
                x = numbers(s[filled], None, False)
            except DataError:
                x = np.full(int(filled.sum()), np.nan)
        toks = _tokens(c)
        if len(x) and np.mean(np.isnan(x)) > 0.5:
            out.append((c, "non-numeric"))
        elif (toks & _COVARIATE_TOKENS) and not (toks <= {"bidder", "bid", "item"} or
                                                  re.search(r"\d", str(c))):
            out.append((c, "a covariate name"))
        else:
            x = x[np.isfinite(x)]
            k = len(np.unique(x))
            # one distinct value is no code book: a constant bid column (all bids 5000) is
            # read as bids, and the auctions' equal bids are reported as ties
            if rows >= 20 and len(x) and np.all(x == np.round(x)) and 2 <= k <= 10:
                out.append((c, f"integer codes, {k} distinct values"))
    key = id_col
    if key is None:  # a first column that repeats is an auction id of one-row-per-bid data
        first = sample.columns[0] if len(sample.columns) else None
        if first is not None and rows >= 2 and sample[first].duplicated().any():
            key = first
    if key is not None and rows >= 2 and sample[key].duplicated().any():
        per = sample.groupby(key, sort=False)
        others = [c for c in sample.columns if c != key]
        varying = [c for c in others if (per[c].nunique(dropna=True) > 1).any()]
        fixed = [c for c in others if c not in varying]
        out = [p for p in out if p[0] != key]
        out.insert(0, (key, "repeats: several rows per auction (varying within an auction: "
                       f"{', '.join(map(str, varying)) or 'none'}; constant within: "
                       f"{', '.join(map(str, fixed)) or 'none'})"))
    return out


def _refuse_wide(problems, header, id_col, sample: pd.DataFrame) -> DataError:
    named = "; ".join(f"{c} ({why})" for c, why in problems)
    key = next((c for c, why in problems if why.startswith("repeats")), id_col)
    why = dict(problems)
    varying = set(header)
    if key is not None and key in sample and sample[key].duplicated().any():
        per = sample.groupby(key, sort=False)
        varying = {c for c in header if c != key and (per[c].nunique() > 1).any()}
    bidder = next((c for c in header if why.get(c) == "non-numeric" and c in varying), "BIDDER")
    bid = next((c for c in header if c != key and c in varying and
                why.get(c) in (None, "a covariate name") and c != bidder and
                not _tokens(c) & {"year", "date", "time"}), "BID")
    return DataError(
        f"refusing to read as wide (one column per bidder): {named}; for one row per bid use "
        f"--format long --auction-col {key or 'AUCTION'} --bidder-col {bidder} "
        f"--bid-col {bid} (or force --format wide)")


# ----------------------------------------------------------------------------- reading

def _real_array(source) -> np.ndarray:
    """The bids of a 2-D array as floats; complex or non-numeric entries refused by name
    (numpy would drop imaginary parts with only a ComplexWarning, or fail on a string).

    >>> _real_array([[1, 2], [3, 4]]).dtype
    dtype('float64')
    >>> _real_array(np.array([[1 + 2j, 2.0]]))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ...
    latent.data.errors.DataError: data: complex bids (an array of dtype complex128): ...
    """
    arr = np.asarray(source)
    if np.iscomplexobj(arr):
        raise DataError(f"data: complex bids (an array of dtype {arr.dtype}): bids must be "
                        "real numbers")
    if arr.dtype.kind in "OUS":
        try:
            return arr.astype(float)
        except (TypeError, ValueError):
            bad = next(x for x in arr.ravel() if not _is_number(x))
            raise DataError(f"data: a non-numeric bid {str(bad)!r} in the array (dtype "
                            f"{arr.dtype}): bids must be numbers (NaN for an absent bidder)"
                            ) from None
    if arr.dtype.kind not in "biuf":
        raise DataError(f"data: an array of dtype {arr.dtype}: bids must be real numbers")
    return arr.astype(float)


def _is_number(x) -> bool:
    try:
        float(x)
    except (TypeError, ValueError):
        return False
    return not isinstance(x, complex)


def read_auctions(
    source,
    *,
    format: str = "auto",
    auction_col: str | None = None,
    bidder_col: str | None = None,
    bid_col: str | None = None,
    item_col: str | None = None,
    where: dict[str, str] | None = None,
    aggregate: str | None = None,
    lowest_wins: bool = False,
    normalize: str | None = None,
    max_ratio: float | None = 100.0,
    decimal: str | None = None,
    chunksize: int = CHUNK_ROWS,
    keep_extreme: bool = False,
    max_memory=None,
    auction_level: dict[str, str] | None = None,
) -> AuctionData:
    """Read and clean auction bids from a CSV path, a DataFrame or a 2-D array (wide), or a
    source of :mod:`latent.data.sources` (a Parquet file, a folder or glob of Parquet or CSV
    partitions, a pyarrow Table, a Polars or Dask DataFrame): its partitions are read one at
    a time through the same cleaning, ``where`` is pushed into pyarrow (the rows it removes
    counted as for a CSV file, whole files skipped by a condition on a ``key=value`` folder),
    and the source is refused before reading when its rows would hold more than
    ``max_memory``.

    ``where`` keeps rows whose column equals the value (e.g. ``{"item": "Xbox game console"}``);
    ``normalize`` is ``None``, ``"median"``, ``"mean"`` or ``"max"`` (divide each auction's bids
    by it); with it, bids more than ``max_ratio`` times above or below their auction's median are
    dropped as data errors (counted), since one such bid dominates every moment.

    Extreme bids (a positive bid more than 25 robust standard deviations of the log-bids from
    their median, or beyond 1e±150: e.g. one 1e200 among bids near 1) are data errors that
    overflow every moment: their auctions are dropped, counted and warned about, unless
    ``keep_extreme``. Bids whose typical size is itself beyond 1e±150 (e.g. near 1e-308) are
    refused with the reason (their squares under- or overflow): rescale them.

    ``auction_level`` names columns of long data wanted as auction-level numbers (e.g. a reserve
    price: ``{"openbid": "max"}``) and how to read one that is not constant within an auction:
    ``"max"`` or ``"min"`` of its rows, kept when at most :data:`AUCTION_LEVEL_DISAGREE` of the
    auctions disagree (a warning names how many and which value was taken), else refused with
    a :class:`DataError` naming how many disagreed.

    A file whose rows would hold more than ``max_memory`` bytes once read (a number or a size
    such as ``"4G"``; default a fraction of the machine's memory) is refused before reading.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.csv")
    >>> _ = open(p, "w").write("auction_id,bidder,bid\\n1,a,3\\n1,b,5\\n1,a,4\\n2,a,x\\n2,b,1\\n")
    >>> d = read_auctions(p)
    >>> [a.bids.tolist() for a in d.auctions], d.dropped
    ([[4.0, 5.0]], {'non-numeric bid': 1, 'auction with fewer than 2 bidders': 1})
    >>> d = read_auctions(np.array([[1.0, 2.0], [3.0, np.nan]])); dict(d.sizes()), d.dropped
    ({2: 1}, {'auction with fewer than 2 bidders': 1})
    """
    if format not in ("auto", "wide", "long"):
        raise DataError(f"unknown --format {format!r}: use wide, long or auto")
    if aggregate not in (None, "max", "min", "first"):
        raise DataError(f"unknown aggregate {aggregate!r}: use max, min or first")
    if normalize not in (None, "median", "mean", "max"):
        raise DataError(f"unknown --normalize {normalize!r}: use median, mean or max")
    auction_level = dict(auction_level or {})
    for col, how in auction_level.items():
        if how not in ("max", "min"):
            raise DataError(f"auction_level[{col!r}]={how!r}: use max or min")
    numbers = _Numbers(decimal)
    dropped: Counter = Counter()
    warnings: list[str] = []
    path = src = None
    if isinstance(source, np.ndarray) or (isinstance(source, list | tuple) and source
                                          and isinstance(source[0], list | tuple | np.ndarray)):
        arr = _real_array(source)
        if arr.ndim != 2 or arr.shape[1] < 2:
            raise DataError(f"an array of bids must be 2-D (auctions × bidders, at least 2 "
                            f"columns), got shape {arr.shape}")
        frame = pd.DataFrame(arr, columns=[f"bidder_{j + 1}" for j in range(arr.shape[1])])
        header, label, fmt = list(frame.columns), "array", "wide"
        chunk_iter = lambda usecols, dtype: iter([frame])  # noqa: E731
        if format == "long":
            raise DataError("an array is wide (rows auctions, columns bidders): not --format long")
    elif isinstance(source, pd.DataFrame):
        frame = source.reset_index(drop=True)
        header = [str(c) for c in frame.columns]
        frame.columns = header
        if frame.empty:
            raise DataError("no data rows in the DataFrame")
        complex_cols = [c for c in header if np.iscomplexobj(frame[c].to_numpy())]
        if complex_cols:
            raise DataError(f"DataFrame column {complex_cols[0]!r} holds complex numbers: bids "
                            "and covariates must be real")
        label, fmt = "DataFrame", None
        chunk_iter = lambda usecols, dtype: iter([frame[usecols] if usecols else frame])  # noqa: E731
    elif is_source(source):  # Parquet, partition directories, globs, Arrow/Polars/Dask frames
        src = open_source(source, max_memory=max_memory)
        header, label, fmt = list(src.schema), src.label, None
    elif isinstance(source, str | Path):
        path = Path(source)
        header, sep, row_bytes = _sniff_header(path)
        label, fmt = str(path), None

        def chunk_iter(usecols, dtype):
            return _chunks(path, sep, header, usecols, dtype, chunksize)
    else:
        raise DataError(f"data must be a CSV or Parquet path, a directory or glob of "
                        f"partitions, a pandas, Polars or Dask DataFrame, a pyarrow Table or a "
                        f"2-D array, not {type(source).__name__}")
    _check_header(header)
    if fmt is None:
        fmt = format
        if fmt == "auto":
            fmt = "long" if (bid_col or bidder_col) else detect_format(header)
    if path is not None:  # a file: its cost before reading it
        _read_budget(path, fmt, row_bytes, max_memory)
    if where:
        where = {_find(header, col, (), "where"): value for col, value in where.items()}
    if src is not None:  # its cost checked once files are pruned by the conditions
        header, where, chunk_iter = _pushdown(src, header, fmt, where, dropped, max_memory)
    if fmt == "long":
        data = _read_long(header, chunk_iter, numbers, auction_col, bidder_col, bid_col,
                          item_col, where, aggregate or ("min" if lowest_wins else "max"),
                          dropped, warnings, auction_level)
    else:
        data = _read_wide(header, chunk_iter, numbers, auction_col, where,
                          format == "wide" or label == "array", dropped)
    w = numbers.warning()
    if w:
        warnings.insert(0, w)
    return _finish(data, fmt, label, normalize, max_ratio, lowest_wins, dropped, warnings,
                   keep_extreme)


# A column asked for as auction-level (a reserve) is kept when it differs within at most this
# share of the auctions (a few mistyped rows; the eBay file: 1 row of 1 auction in 628); more,
# and it is a bidder-level column, not an auction's reserve
AUCTION_LEVEL_DISAGREE = 0.01

# distinct values of a --where column remembered for the "no row matches" message: enough to
# list a column's goods or categories, bounded for a column of ids
WHERE_VALUES = 1000


def _filter(chunk: pd.DataFrame, where, dropped: Counter,
            seen: dict[str, Counter] | None = None) -> pd.DataFrame:
    if seen is not None:  # the values each column has (before any filter) and how often
        for col in where or {}:
            have = seen.setdefault(col, Counter())
            labels = chunk[col].astype("string").str.strip()
            for label, count in labels.value_counts(dropna=True).items():
                if label in have or len(have) < WHERE_VALUES:
                    have[label] += int(count)
    for col, value in (where or {}).items():
        keep = chunk[col].astype("string").str.strip() == str(value)
        keep = keep.fillna(False).to_numpy(dtype=bool)
        if (~keep).any():
            dropped[f"filtered out by {col}={value}"] += int((~keep).sum())
            chunk = chunk[keep]
    return chunk


def no_match(where: dict, seen: dict[str, Counter]) -> str:
    """The error when no row passes ``where``: for each condition whose value the column does
    not have, the values it has, nearest first (close spellings, then values containing the
    asked one, then the rest by frequency).

    >>> no_match({"item": "Xbox"}, {"item": Counter({"Cartier wristwatch": 5,
    ...                                             "Xbox game console": 3, "Palm Pilot": 9})})
    "no row matches where item='Xbox' (item has 3 values, nearest first: 'Xbox game console', \
'Palm Pilot', 'Cartier wristwatch')"
    """
    parts = []
    for col, value in where.items():
        have = seen.get(col, Counter())
        if str(value) in have:
            continue
        by_count = [label for label, _ in have.most_common()]
        close = difflib.get_close_matches(str(value), by_count, n=8, cutoff=0.6)
        within = [v for v in by_count if str(value).lower() in v.lower() and v not in close]
        order = close + within + [v for v in by_count if v not in close and v not in within]
        shown = ", ".join(repr(v) for v in order[:8])
        more = f", … ({len(order) - 8} more)" if len(order) > 8 else ""
        count = f"{len(order)}{'+' if len(order) >= WHERE_VALUES else ''}"
        parts.append(f"where {col}={str(value)!r} ({col} has {count} values, nearest first: "
                     f"{shown}{more})" if order else f"where {col}={str(value)!r} ({col} is "
                     "empty)")
    if not parts:
        return (f"no row matches all of {where} at once (each condition alone matches some "
                "rows)")
    return "no row matches " + "; ".join(parts)


class _Codes:
    """Stable integer codes for labels seen across chunks (order of first appearance). Labels
    are stripped; missing or empty labels get code −1. Only each chunk's distinct labels are
    touched as Python strings (the chunk's column is factorised first)."""

    def __init__(self):
        self.index: dict = {}

    def __call__(self, labels: pd.Series) -> np.ndarray:
        local, uniq = pd.factorize(labels, sort=False)  # missing → −1
        table = np.empty(len(uniq) + 1, dtype=np.int64)
        table[-1] = -1
        for j, u in enumerate(uniq):
            key = str(u).strip()
            table[j] = self.index.setdefault(key, len(self.index)) if key else -1
        return table[local]

    def labels(self) -> np.ndarray:
        return np.array(list(self.index), dtype=object)


def _item_codes(codes: _Codes, col: pd.Series) -> np.ndarray:
    c = codes(col.fillna(""))
    if (c < 0).any():  # an empty item label is a label of its own
        c[c < 0] = codes.index.setdefault("", len(codes.index))
    return c.astype(np.int32)


def _ids(col: pd.Series) -> tuple[pd.Series, np.ndarray]:
    s = col.astype("string").str.strip()
    missing = (s.isna() | (s == "")).to_numpy(dtype=bool, na_value=True)
    return s, missing


def _read_long(header, chunk_iter, numbers, auction_col, bidder_col, bid_col, item_col, where,
               aggregate, dropped, warnings, auction_level=None) -> dict:
    a_col = _find(header, auction_col, _AUCTION_NAMES, "auction")
    b_col = _find(header, bidder_col, _BIDDER_NAMES, "bidder")
    v_col = _find(header, bid_col, _BID_NAMES, "bid")
    i_col = _find(header, item_col, (), "item") if item_col else None
    keys = [c for c in (a_col, b_col, v_col, i_col) if c is not None]
    if len(set(keys)) < len(keys):
        raise DataError(f"the auction, bidder and bid columns must differ (got {', '.join(keys)})")
    extra = [c for c in header if c not in keys and c]
    usecols = list(dict.fromkeys(keys + extra))
    dtype = {c: str for c in (a_col, b_col, i_col) if c is not None}
    a_codes, b_codes, i_codes = _Codes(), _Codes(), _Codes()
    parts, covs, varying = [], [], set()
    # the columns asked for as auction-level: each chunk's per-auction min and max (numbers)
    wanted = {c: how for c, how in (auction_level or {}).items() if c in extra}
    spans: dict[str, list[pd.DataFrame]] = {c: [] for c in wanted}
    offset, repeated, kept = 0, 0, 0
    seen: dict[str, Counter] = {}
    for chunk in chunk_iter(usecols, dtype):
        if not len(chunk):
            continue
        rows = len(chunk)
        chunk = _filter(chunk, where, dropped, seen)
        kept += len(chunk)
        ac_all = a_codes(chunk[a_col])
        bc_all = b_codes(chunk[b_col])
        a_missing, b_missing = ac_all < 0, bc_all < 0
        if a_missing.any():
            dropped["missing auction id"] += int(a_missing.sum())
        b_missing &= ~a_missing
        if b_missing.any():
            dropped["missing bidder name"] += int(b_missing.sum())
        ok = ~(a_missing | b_missing)
        v = np.full(len(chunk), np.nan)
        if ok.any():
            v[ok] = numbers(chunk[v_col][ok], dropped, True)
        ok &= ~np.isnan(v)
        offset += rows
        if not ok.any():
            continue
        ac = ac_all[ok]
        part = pd.DataFrame({"a": ac.astype(np.int32 if len(a_codes.index) < 2**31 else
                                            np.int64),
                             "b": bc_all[ok].astype(np.int32),
                             "i": _item_codes(i_codes, chunk[i_col][ok]) if i_col else
                             np.zeros(int(ok.sum()), np.int32),
                             "v": v[ok]})
        reduced = _reduce(part, aggregate)
        repeated += len(part) - len(reduced)
        parts.append(tuple(reduced[c].to_numpy() for c in ("a", "b", "i", "v")))
        del part, reduced
        if extra:
            sub = chunk.loc[ok, extra].copy()
            sub.index = ac
            g = sub.groupby(level=0, sort=False)
            nun = g.nunique(dropna=False)
            varying |= {c for c in extra if (nun[c] > 1).any()}
            covs.append(g.first())
            for c in wanted:
                x = pd.to_numeric(sub[c], errors="coerce").groupby(level=0, sort=False)
                spans[c].append(pd.DataFrame({"lo": x.min(), "hi": x.max()}))
    if not offset:
        raise DataError("no data rows")
    if where and not kept:
        raise DataError(no_match(where, seen))
    if not parts:
        raise DataError("no usable auction (no row with a valid auction id, bidder and bid)")
    # one column at a time (memory: the kept bids, ~20 bytes each, plus one sort index)
    cols = []
    for k in range(4):
        cols.append(np.concatenate([p[k] for p in parts]))
        parts = [tuple(None if j == k else p[j] for j in range(4)) for p in parts]
    a, b, i, v = cols
    del cols, parts
    if a.size > 1 and np.any(a[1:] < a[:-1]):  # an auction's rows are not contiguous:
        order = np.argsort(a, kind="stable")     # auctions in order of first appearance,
        a, b, i, v = a[order], b[order], i[order], v[order]  # rows in file order within one
        del order
    n_b, n_i = max(1, len(b_codes.index)), max(1, len(i_codes.index))
    if a.size and (int(a[-1]) + 1) * n_b * n_i < 2**62:
        key = a.astype(np.int64) * (n_b * n_i) + b.astype(np.int64) * n_i + i
        key.sort()
        cross = bool(np.any(key[1:] == key[:-1]))
        del key
    else:
        cross = True
    if cross:  # a bidder's bids in one auction split across chunks: reduce again
        table = _reduce(pd.DataFrame({"a": a, "b": b, "i": i, "v": v}), aggregate)
        repeated += len(a) - len(table)
        table = table.iloc[np.argsort(table["a"].to_numpy(), kind="stable")]
        a, b, i, v = (table[c].to_numpy() for c in ("a", "b", "i", "v"))
        del table
    if repeated:
        warnings.append(f"{repeated} repeated bids of a bidder in an auction reduced to their "
                        f"{aggregate}")
    covariates = None
    taken = {}
    for c, how in wanted.items():
        if c not in varying or not spans[c]:
            continue
        span = pd.concat(spans[c]).groupby(level=0).agg({"lo": "min", "hi": "max"})
        bad = int((span["hi"] > span["lo"]).sum())
        if bad > AUCTION_LEVEL_DISAGREE * len(span):
            raise DataError(f"auction_level: column {c!r} differs within {bad} of {len(span)} "
                            f"auctions (at most {AUCTION_LEVEL_DISAGREE:.0%} may, their binding "
                            "value then taken): a bidder-level column, not one value per "
                            "auction")
        taken[c] = span["hi" if how == "max" else "lo"]
        warnings.append(
            f"{c}: not constant within {bad} of {len(span)} auctions; each auction's "
            f"{'largest' if how == 'max' else 'smallest'} value taken (as a reserve, the "
            f"binding one of its recorded values)")
    keep_cov = [c for c in extra if c not in varying or c in taken]
    if keep_cov:
        cov = pd.concat(covs)
        cov = cov[~cov.index.duplicated(keep="first")][keep_cov].sort_index()
        for c, col in taken.items():
            cov[c] = col.reindex(cov.index).to_numpy()
        covariates = cov
    items = i_codes.labels() if i_col else None
    return {"a": a, "b": b, "i": i, "v": v, "auction_labels": a_codes.labels(),
            "bidder_labels": b_codes.labels(), "items": items, "covariates": covariates}


def _reduce(part: pd.DataFrame, aggregate: str) -> pd.DataFrame:
    if not part.duplicated(["a", "b", "i"]).any():
        return part
    # groups in order of first appearance; "first" = first in file order
    return part.groupby(["a", "b", "i"], sort=False, as_index=False).agg(v=("v", aggregate))


_WIDE_ITEM = re.compile(r"^(.*?)[_ ]?item[_ ]?(\d+)$", re.I)


def _read_wide(header, chunk_iter, numbers, auction_col, where, forced, dropped) -> dict:
    id_col = _find(header, auction_col, _AUCTION_NAMES, "auction", required=False)
    where_cols = set(where or {})
    bid_cols = [c for c in header if c != id_col and c not in where_cols]
    if not bid_cols:
        raise DataError("no bid column: a wide file needs one column per bidder")
    groups: dict[str, list[str]] = {}
    for c in bid_cols:
        m = _WIDE_ITEM.match(c)
        groups.setdefault(m.group(1) if m else c, []).append(c)
    if len({len(v) for v in groups.values()}) != 1:
        raise DataError("wide bidder × item columns must give every bidder the same items")
    first = True
    a_list, b_list, v_list, labels = [], [], [], []
    counter, kept = 0, 0
    seen: dict[str, Counter] = {}
    for chunk in chunk_iter(None, {id_col: str} if id_col else None):
        chunk = _filter(chunk, where, dropped, seen)
        kept += len(chunk)
        if first and not forced:
            problems = wide_problems(chunk.iloc[:5000][[c for c in chunk.columns
                                                        if c not in where_cols]], id_col,
                                     _Numbers(numbers.decimal))
            numeric = [c for c in bid_cols if c not in {p for p, why in problems
                                                        if why == "non-numeric"}]
            if problems and not numeric:
                raise DataError("no numeric bid in any column")
            if problems:
                raise _refuse_wide(problems, header, id_col, chunk.iloc[:5000])
        first = False
        n = len(chunk)
        ids = (_ids(chunk[id_col])[0].fillna("").to_numpy(dtype=object) if id_col else
               np.array([str(counter + k + 1) for k in range(n)], dtype=object))
        counter += n
        present = np.zeros((n, len(groups)), bool)
        values = []
        for j, cols in enumerate(groups.values()):
            cells = [chunk[c] for c in cols]
            filled = [(c.notna() & (c.astype("string").str.strip() != "")).to_numpy(
                dtype=bool, na_value=False) for c in cells]
            any_filled = np.logical_or.reduce(filled)
            x = np.stack([numbers(c, None, False) if not f.any() else
                          _wide_numbers(numbers, c, f, dropped) for c, f in
                          zip(cells, filled, strict=True)], axis=1)
            present[:, j] = any_filled & ~np.isnan(x).any(axis=1)
            values.append(x)
        vals = np.stack(values, axis=1)  # rows × bidders × items
        r, j = np.nonzero(present)
        a_list.append(r + len(labels))
        b_list.append(j)
        v_list.append(vals[r, j])
        labels.extend(ids.tolist())
    if where and not kept:
        raise DataError(no_match(where, seen))
    if not v_list or not any(len(v) for v in v_list):
        raise DataError(_nothing_left(dropped))
    a = np.concatenate(a_list)
    v = np.concatenate(v_list)
    n_items = v.shape[1]
    return {"a": a, "b": np.concatenate(b_list), "i": np.zeros(len(a), np.int32),
            "v": v if n_items > 1 else v[:, 0],
            "auction_labels": np.array(labels, dtype=object),
            "bidder_labels": np.array(list(groups), dtype=object), "items": None,
            "covariates": None}


def _wide_numbers(numbers, cells: pd.Series, filled: np.ndarray, dropped) -> np.ndarray:
    x = np.full(len(cells), np.nan)
    x[filled] = numbers(cells[filled], dropped, False)
    return x


def _finish(data: dict, fmt: str, label: str, normalize, max_ratio, lowest_wins,
            dropped: Counter, warnings: list[str], keep_extreme: bool = False) -> AuctionData:
    a, b, v = data["a"], data["b"], data["v"]
    if data["items"] is not None and len(data["items"]) > 1:
        n_items = len(data["items"])
        table = pd.DataFrame({"a": a, "b": b, "i": data["i"], "v": v, "row": np.arange(len(a))})
        wide = table.pivot_table(index=["a", "b"], columns="i", values="v", aggfunc="first",
                                 sort=False)
        first_row = table.groupby(["a", "b"], sort=False)["row"].min()
        wide = wide.reindex(columns=range(n_items))
        complete = wide.notna().all(axis=1).to_numpy()
        if (~complete).any():
            dropped["bidder without a bid on every item"] += int((~complete).sum())
        wide = wide[complete]
        order = np.lexsort((first_row.loc[wide.index].to_numpy(),
                            wide.index.get_level_values(0).to_numpy()))
        wide = wide.iloc[order]
        a = wide.index.get_level_values(0).to_numpy()
        b = wide.index.get_level_values(1).to_numpy()
        v = wide.to_numpy(dtype=float)
    labels = data["auction_labels"]
    if not keep_extreme:
        a, b, v = _drop_extreme(a, b, v, dropped, warnings)
    # keep auctions with at least two bidders (a is sorted by auction code)
    a, b, v = _keep_two(a, b, v, dropped)
    if normalize:
        if max_ratio is not None:
            a, b, v = _trim(a, b, v, max_ratio, dropped)
            a, b, v = _keep_two(a, b, v, dropped)
        a, b, v = _normalize(a, b, v, normalize, dropped, warnings)
    if not len(a):
        raise DataError("no usable auction (every auction had fewer than 2 valid bids)")
    if keep_extreme:
        _check_kept(v)
    _check_scale(v)
    start, _ = _runs(a)
    uniq = a[start].astype(np.int64)
    offsets = np.append(start, len(a)).astype(np.int64)
    if len(uniq) < 30:
        warnings.append(f"only {len(uniq)} usable auctions: estimates will be very noisy")
    ties = _tied_auctions(a, v)
    if ties:
        warnings.append(f"{ties} auctions have tied bids")
    cov = data["covariates"]
    if cov is not None:
        cov = cov.reindex(uniq)
        cov.index = pd.Index(labels[uniq], name="auction")
    return AuctionData(auction_ids=labels[uniq], offsets=offsets, bids=v,
                       bidder_codes=np.asarray(b, np.int64),
                       bidder_names=data["bidder_labels"], dropped=dict(dropped),
                       warnings=tuple(warnings), source=label, format=fmt, covariates=cov,
                       lowest_wins=bool(lowest_wins))


def extreme_bids(v: np.ndarray) -> np.ndarray:
    """Which bids are extreme: positive and more than :data:`EXTREME_SDS` robust standard
    deviations of the log-bids (1.4826 × MAD, at least 1) from their median, or beyond
    10^±:data:`EXTREME_LOG10`. Zeros and the rest are not.

    >>> extreme_bids(np.array([0.5, 0.0, 1e200, 0.7, 0.2, 1e-300])).tolist()
    [False, False, True, False, False, True]
    >>> extreme_bids(np.array([1e-308, 2e-308, 3e-308])).tolist()  # a scale, not outliers
    [False, False, False]
    """
    v = np.asarray(v, dtype=float)
    out = np.zeros(v.shape, bool)
    pos = v > 0
    if not pos.any():
        return out
    logs = np.log(v[pos])
    med = float(np.median(logs))
    sd = max(1.4826 * float(np.median(np.abs(logs - med))), 1.0)
    far = np.abs(logs - med) > EXTREME_SDS * sd
    if abs(med) <= EXTREME_LOG10 * np.log(10):  # a sane scale: absurd sizes are extreme too
        far |= np.abs(logs) > EXTREME_LOG10 * np.log(10)
    out[pos] = far
    return out


def _drop_extreme(a, b, v, dropped: Counter, warnings: list[str]):
    flagged = extreme_bids(v)
    if flagged.ndim > 1:
        flagged = flagged.any(axis=1)
    if not flagged.any():
        return a, b, v
    bad = np.isin(a, np.unique(a[flagged]))
    n_bids, n_auctions = int(flagged.sum()), len(np.unique(a[flagged]))
    example = float(np.max(v[flagged]) if np.max(v[flagged]) > np.median(v) else
                    np.min(v[flagged]))
    dropped["extreme bid (its auction dropped)"] += n_auctions
    warnings.append(f"{n_bids} extreme bid{'s' if n_bids > 1 else ''} (e.g. {example:.3g}: more "
                    f"than {EXTREME_SDS:g} robust SDs of the log-bids from their median, or "
                    f"beyond 1e±{EXTREME_LOG10:g}) dropped with {n_auctions} "
                    f"auction{'s' if n_auctions > 1 else ''}: a data error overflows every "
                    "moment (keep them with --keep-extreme-bids)")
    return a[~bad], b[~bad], v[~bad]


def _check_kept(v: np.ndarray) -> None:
    """Extreme bids kept on request must still have finite squares (every moment, covariance
    and eigen-decomposition downstream squares them): refuse those beyond 1e+150."""
    huge = np.abs(v) > 10.0 ** EXTREME_LOG10
    if huge.any():
        k = int(huge.sum())
        raise DataError(f"keep_extreme (--keep-extreme-bids): {k} bid{'s' if k > 1 else ''} "
                        f"beyond 1e+{EXTREME_LOG10:g} (e.g. {float(np.max(np.abs(v))):.3g}) "
                        "cannot be kept: their squares overflow every moment; drop them (the "
                        "default) or rescale the bids")


def _check_scale(v: np.ndarray) -> None:
    pos = np.abs(v[np.isfinite(v) & (v != 0)])
    if not pos.size:
        return
    med = float(np.median(pos))
    if not 10.0 ** -EXTREME_LOG10 <= med <= 10.0 ** EXTREME_LOG10:
        raise DataError(f"bids of order {med:.3g} (the median bid): their squares under- or "
                        "overflow, so variances, ρ and revenues cannot be computed; rescale "
                        "the bids (e.g. to units near 1) or pass --normalize median")


def _runs(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and lengths of the runs of equal values of a sorted array."""
    if not a.size:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    start = np.flatnonzero(np.concatenate(([True], a[1:] != a[:-1])))
    return start, np.diff(np.append(start, a.size))


def _keep_two(a, b, v, dropped):
    _, counts = _runs(a)
    short = counts < 2
    if short.any():
        dropped["auction with fewer than 2 bidders"] += int(short.sum())
        keep = np.repeat(~short, counts)
        return a[keep], b[keep], v[keep]
    return a, b, v


def _per_auction(a: np.ndarray, x: np.ndarray, how: str) -> np.ndarray:
    return pd.Series(x).groupby(a, sort=False).transform(how).to_numpy()


def _trim(a, b, v, ratio, dropped):
    per_bidder = v if v.ndim == 1 else v.max(axis=1)
    med = _per_auction(a, per_bidder, "median")
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (med <= 0) | ((per_bidder <= med * ratio) & (per_bidder >= med / ratio))
    if ok.all():
        return a, b, v
    dropped[f"bid more than {ratio:g}x away from its auction's median"] += int((~ok).sum())
    return a[ok], b[ok], v[ok]


def _normalize(a, b, v, how: str, dropped: Counter, warnings: list[str]):
    flat = v if v.ndim == 1 else v.max(axis=1)
    scale = _per_auction(a, flat, how)
    ok = scale > 0
    if (~ok).any():
        bad_auctions = len(np.unique(a[~ok]))
        dropped[f"auction with {how} bid 0 (cannot normalise)"] += bad_auctions
        a, b, v, scale = a[ok], b[ok], v[ok], scale[ok]
    if not len(a):
        raise DataError("no auction left after normalisation")
    v = v / (scale if v.ndim == 1 else scale[:, None])
    atom = float(np.mean(v == 1.0))
    if atom > 0:
        warnings.append(f"--normalize {how}: each auction's bids divided by its {how}, so "
                        f"{atom:.1%} of the values are exactly 1 (an atom the data did not have"
                        + ("; one per auction" if how == "max" else
                           "; one per auction with an odd number of bidders"
                           if how == "median" else "") + "): the marginals, reserve/maximum "
                        "price and revenues inherit it")
    return a, b, v


def _tied_auctions(a: np.ndarray, v: np.ndarray) -> int:
    if v.ndim > 1:
        frame = pd.DataFrame(v).assign(a=a)
        return int(frame.loc[frame.duplicated().to_numpy(), "a"].nunique())
    order = np.lexsort((v, a))
    sa, sv = a[order], v[order]
    tied = (sa[1:] == sa[:-1]) & (sv[1:] == sv[:-1])
    return int(len(np.unique(sa[1:][tied])))
