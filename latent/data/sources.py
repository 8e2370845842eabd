"""Where bids come from: a Parquet file, a directory (or glob) of Parquet or CSV partitions, a
pandas, Polars or Dask DataFrame, or a pyarrow Table, read as a list of partitions.

:func:`open_source` opens any of them as a :class:`BidSource`: it knows the column names, the
rows (from the Parquet footers, without reading data) and an estimate of the bytes a read
holds, and it hands out :meth:`BidSource.partitions`: small picklable objects with ``.rows``
and ``.read()``, which returns a pandas DataFrame of ONLY the projected columns (``columns``)
and ONLY the rows passing ``where``. Both are pushed down into ``pyarrow.dataset``: unneeded
columns and rows of a Parquet file are never materialised, and a condition on a hive
partition key (a ``key=value`` folder, read as a column) prunes whole files, which are then
never opened.

A partition is one file (Parquet or CSV), a Dask partition, or a whole in-memory pandas
frame or Arrow table (already in memory: one partition, so that no auction is split).
Consumers that need whole auctions (the streaming statistics) assume an auction's rows lie in
one partition: a file, never a part of one, is the unit; a Dask frame's partitions are the
user's (split them at auction boundaries). A file whose projected columns alone would hold more than
``max_memory`` bytes once read is refused, naming the file and its estimated size.

``where`` is the reader's filter: column → value, AND-ed, equality only; the value (text, as
on the command line) is converted to the column's type (``"3"`` matches the integer 3 and the
float 3.0; a string column compares the text as given).

CSV partitions are read with every column as text (the hive keys keep their inferred
types), so that the reader converts numbers exactly as it does for a single CSV file
(decimal commas, thousands separators, non-numeric cells counted).

>>> import pandas as pd
>>> src = open_source(pd.DataFrame({"auction_id": [1, 1, 2, 2], "bid": [1.0, 2.0, 3.0, 4.0],
...                                 "region": ["a", "a", "b", "b"]}),
...                   columns=["auction_id", "bid"], where={"region": "b"})
>>> src.columns, src.rows, [p.read()["bid"].tolist() for p in src.partitions()]
(('auction_id', 'bid'), 4, [[3.0, 4.0]])
"""

from __future__ import annotations

import csv
import difflib
import glob
import io
import math
import os
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds

from latent.data.errors import DataError
from numerics.validate import choice, default_max_memory, parse_size

__all__ = ["BidSource", "DaskPartition", "FilePartition", "PandasPartition",
           "TablePartition", "is_source", "open_source", "where_conditions"]

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv",)
# Bytes of pandas memory per value of a column beyond its Parquet uncompressed size: numbers
# widen to 8 bytes, and a text value carries an 8-byte offset plus its characters (measured
# with bench/bench_read_parquet.py: the estimate over the measured DataFrame memory is reported
# there).
_VALUE_BYTES = 8.0
# A CSV partition's estimate: text read as text holds about its file size plus offsets.
_CSV_FACTOR = 2.0


# ----------------------------------------------------------------------------- partitions

def _to_pandas(table: pa.Table) -> pd.DataFrame:
    # self_destruct frees each Arrow column once converted: the peak is about one copy
    return table.to_pandas(split_blocks=True, self_destruct=True)


@dataclass(frozen=True, eq=False)
class FilePartition:
    """One Parquet or CSV file of a source: ``read()`` returns its projected columns (hive
    keys included) and only the rows passing the filter; ``rows`` is the file's row count
    from its footer before any row filter (None for CSV); ``nbytes`` the estimated bytes a
    read holds."""

    fragment: ds.FileFragment
    schema: pa.Schema
    columns: tuple[str, ...]
    filter: ds.Expression | None
    rows: int | None
    nbytes: float
    numbers: tuple[str, ...] = ()  # CSV text columns read as numbers when all cells are

    @property
    def path(self) -> str:
        return self.fragment.path

    def read(self) -> pd.DataFrame:
        """The partition's rows passing the filter, projected columns only.

        Returns
        -------
        pandas.DataFrame
        """
        try:
            table = self.fragment.to_table(schema=self.schema, columns=list(self.columns),
                                           filter=self.filter)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, OSError) as exc:
            # a damaged file, or one whose column types differ from the first file's
            raise DataError(f"cannot read {self.path}: {_first_line(exc)}") from None
        return _as_numbers(_to_pandas(table), self.numbers)


def _as_numbers(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Text columns whose every non-empty cell is a number, as numbers (int when all are),
    as pandas reads a CSV file; the others stay text (the reader then parses decimal commas
    and counts non-numeric bids as it does for one CSV file)."""
    for c in columns:
        text = frame[c].str.strip()
        try:
            frame[c] = pd.to_numeric(text.where(text != ""), errors="raise")
        except (ValueError, TypeError):
            continue
    return frame


@dataclass(frozen=True, eq=False)
class TablePartition:
    """A block of rows of an in-memory pyarrow Table (or a Polars frame's Arrow copy)."""

    table: pa.Table
    columns: tuple[str, ...]
    filter: ds.Expression | None
    rows: int | None
    nbytes: float

    def read(self) -> pd.DataFrame:
        """The block's rows passing the filter, projected columns only.

        Returns
        -------
        pandas.DataFrame
        """
        return _to_pandas(ds.dataset(self.table).to_table(columns=list(self.columns),
                                                          filter=self.filter))


def _frame_mask(frame: pd.DataFrame, where: tuple[tuple[str, object], ...]) -> np.ndarray:
    keep = np.ones(len(frame), bool)
    for col, value in where:
        s = frame[col]
        if isinstance(value, str):  # text compared as text, as the reader does
            hit = s.astype("string").str.strip() == value
        else:
            hit = s == value
        keep &= pd.Series(hit).fillna(False).to_numpy(dtype=bool)
    return keep


@dataclass(frozen=True, eq=False)
class PandasPartition:
    """A block of rows of a pandas DataFrame."""

    frame: pd.DataFrame
    columns: tuple[str, ...]
    where: tuple[tuple[str, object], ...]
    rows: int | None
    nbytes: float

    def read(self) -> pd.DataFrame:
        """The block's rows passing the filter, projected columns only.

        Returns
        -------
        pandas.DataFrame
        """
        frame = self.frame
        if self.where:
            frame = frame[_frame_mask(frame, self.where)]
        return frame[list(self.columns)].reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class DaskPartition:
    """One partition of a Dask DataFrame, as a ``dask.delayed`` object already projected and
    filtered (so that a Parquet-backed Dask frame pushes both into its reader)."""

    delayed: object
    columns: tuple[str, ...]
    rows: int | None = None
    nbytes: float = math.nan

    def read(self) -> pd.DataFrame:
        """The partition's rows passing the filter, projected columns only (computed on the
        active Dask scheduler).

        Returns
        -------
        pandas.DataFrame
        """
        frame = self.delayed.compute()
        return frame[list(self.columns)].reset_index(drop=True)


# ----------------------------------------------------------------------------- the source

@dataclass(frozen=True, eq=False)
class BidSource:
    """Bids from a file, a partition directory or a frame: the available columns
    (``schema``), the projected ones (``columns``), the ``where`` conditions (column → value
    of the column's type), the partition keys, the rows of the files or frame that survive
    pruning (None when unknown: CSV, Dask), and the estimated bytes a full read holds.

    Build it with :func:`open_source`; :meth:`select` returns a copy with other columns or
    conditions.
    """

    kind: str          # "parquet", "csv", "arrow", "pandas" or "dask"
    label: str
    schema: tuple[str, ...]
    columns: tuple[str, ...]
    where: tuple[tuple[str, object], ...] = ()
    partition_keys: tuple[str, ...] = ()
    rows: int | None = None
    nbytes: float = math.nan
    max_memory: float = math.inf
    text: tuple[str, ...] = ()  # CSV columns kept as text (the others read as numbers if all are)
    data: object = field(default=None, repr=False)    # the dataset, table or frame
    parts: tuple = field(default=(), repr=False)      # the partitions, computed by select

    @property
    def pushdown(self) -> bool:
        """Whether ``where`` is evaluated inside pyarrow (rows counted by :meth:`matching`)."""
        return self.kind in ("parquet", "csv", "arrow")

    @property
    def where_dict(self) -> dict[str, object]:
        """The conditions as a dict column → typed value (to pass to :meth:`select`)."""
        return dict(self.where)

    def select(self, columns: Sequence[str] | None = None,
               where: Mapping[str, object] | None = None,
               text: Sequence[str] | None = None) -> BidSource:
        """This source with other projected ``columns`` (None: every column) and ``where``
        conditions (None: none); columns and conditions are checked, files pruned, and the
        cost of each partition estimated before anything is read.

        Parameters
        ----------
        columns : sequence of str, optional
        where : mapping, optional
            Column → value.
        text : sequence of str, optional
            CSV files: columns kept as text (ids such as ``007``); the others are read as
            numbers when every non-empty cell is one, as pandas reads a CSV file.

        Returns
        -------
        BidSource

        Raises
        ------
        DataError
            An unknown column (named, with the columns available and the nearest name), a
            value that is not of its column's type, or a file over ``max_memory``.
        """
        cols = tuple(self.schema) if columns is None else tuple(dict.fromkeys(columns))
        for c in cols:
            _known(c, self.schema, self.label, "columns")
        conds = tuple((c, _typed(c, v, self._type(c), self.label))
                      for c, v in (where or {}).items()
                      if _known(c, self.schema, self.label, "where"))
        return _build(replace(self, columns=cols, where=conds, text=tuple(text or ())))

    def _type(self, col: str) -> pa.DataType:
        if self.kind in ("parquet", "csv", "arrow"):
            return self.data.schema.field(col).type
        return _pandas_type(self.data.dtypes[col])  # (a Dask frame knows its dtypes)

    def expression(self) -> ds.Expression | None:
        """The ``where`` conditions as one pyarrow filter expression (None without any)."""
        return _expression(self.where)

    def partitions(self) -> list:
        """The partitions to read, in a fixed order (files by path, blocks by position).

        Returns
        -------
        list
            Of ``FilePartition`` (one a file), or one partition of an in-memory frame or
            table, or one per Dask partition.
        """
        return list(self.parts)

    def matching(self) -> list[int]:
        """Rows before any condition, then after each condition in turn (cumulative), counted
        by pyarrow (Parquet: from footers and the condition columns only; CSV: a scan).

        Returns
        -------
        list of int
            ``len(where) + 1`` counts.
        """
        if not self.pushdown:
            raise DataError(f"{self.label}: rows are counted only for files and Arrow tables")
        out = [self.data.count_rows()]
        for k in range(1, len(self.where) + 1):
            out.append(self.data.count_rows(filter=_expression(self.where[:k])))
        return out

    def frames(self) -> Iterator[pd.DataFrame]:
        """Each partition read in turn."""
        for p in self.parts:
            yield p.read()


def where_conditions(where) -> dict[str, str] | None:
    """``where`` as the dict column → value the reader takes: from a dict, a ``"COL=VALUE"``
    string (the command line's ``--where``) or a list of them; anything else a ``TypeError``,
    a string without ``=`` a ``ValueError``, both naming ``where``.

    >>> where_conditions("item=Xbox game console")
    {'item': 'Xbox game console'}
    >>> where_conditions(["item=Xbox", "auction_type = 7 day auction"])
    {'item': 'Xbox', 'auction_type': '7 day auction'}
    >>> where_conditions("item")
    Traceback (most recent call last):
    ...
    ValueError: where='item': expected COL=VALUE (a string, a list of them, or a dict)
    """
    if isinstance(where, dict):
        if not all(isinstance(k, str) for k in where):
            raise TypeError(f"where={where!r}: a dict's keys must be column names (str)")
        return {k: str(v) for k, v in where.items()} or None
    items = [where] if isinstance(where, str) else where
    if not isinstance(items, list | tuple) or not all(isinstance(it, str) for it in items):
        raise TypeError(f"where={where!r}: a COL=VALUE string, a list of them, or a dict "
                        "column → value")
    out = {}
    for it in items:
        col, eq, val = it.partition("=")
        if not eq or not col.strip():
            raise ValueError(f"where={it!r}: expected COL=VALUE (a string, a list of them, or "
                             "a dict)")
        out[col.strip()] = val.strip()
    return out or None


def _known(col: str, schema: Sequence[str], label: str, what: str) -> bool:
    if col in schema:
        return True
    near = difflib.get_close_matches(col, list(schema), n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    raise DataError(f"{what}: {col!r} is not a column of {label} (columns: "
                    f"{', '.join(schema)}){hint}")


def _pandas_type(dtype) -> pa.DataType:
    if isinstance(dtype, pd.CategoricalDtype):
        return _pandas_type(dtype.categories.dtype)
    try:
        if pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
            return pa.string()
        return pa.from_numpy_dtype(np.dtype(dtype))
    except (TypeError, pa.ArrowNotImplementedError):
        return pa.string()


def _typed(col: str, value, typ: pa.DataType, label: str):
    """The condition's value as the column's type (text stays text, stripped)."""
    if pa.types.is_dictionary(typ):
        typ = typ.value_type
    if not isinstance(value, str):
        return value
    text = value.strip()
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or pa.types.is_null(typ):
        return text
    try:
        return pa.scalar(text).cast(typ).as_py()
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        raise DataError(f"where {col}={value!r}: {col} holds {typ} values in {label}, and "
                        f"{value!r} is not one") from None


def _expression(where) -> ds.Expression | None:
    expr = None
    for col, value in where:
        term = ds.field(col) == value
        expr = term if expr is None else expr & term
    return expr


# ----------------------------------------------------------------------------- opening

def is_source(data) -> bool:
    """Whether ``data`` is read through a :class:`BidSource` by the in-memory reader: a
    Parquet file, a directory, a glob, a pyarrow Table, or a Polars or Dask DataFrame (a
    single CSV file, a pandas DataFrame and an array keep the reader's own paths).

    >>> is_source("bids.csv"), is_source("bids.parquet"), is_source("logs/*.csv")
    (False, True, True)
    """
    if isinstance(data, BidSource | pa.Table):
        return True
    if isinstance(data, str | os.PathLike):
        text = os.fspath(data)
        return (_is_glob(text) or Path(text).is_dir()
                or Path(text).suffix.lower() in PARQUET_SUFFIXES)
    return _polars(data) or _dask(data)


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def _polars(data) -> bool:
    return type(data).__module__.startswith("polars") and hasattr(data, "to_arrow")


def _dask(data) -> bool:
    return (type(data).__module__.startswith("dask") and hasattr(data, "to_delayed")
            and hasattr(data, "columns"))


def open_source(data, *, columns: Sequence[str] | None = None,
                where: str | Sequence[str] | Mapping[str, object] | None = None,
                format: str = "auto",
                max_memory=None) -> BidSource:
    """Open bids for reading partition by partition.

    Parameters
    ----------
    data : str, pathlib.Path or pandas.DataFrame
        A Parquet file; a CSV file (one partition); a directory of Parquet or CSV files,
        hive ``key=value`` folders read as columns (files and folders starting with ``.`` or
        ``_`` are skipped, as Spark and Hive write them); a glob (``logs/*.parquet``,
        ``logs/**/*.csv``); or a frame: pandas, Polars or Dask, or a ``pyarrow.Table``.
    columns : sequence of str, optional
        The columns each partition returns (default: all, hive keys included).
    where : str, list of str or mapping, optional
        Keep the rows whose column equals the value (AND-ed): ``"region=3"``, a list of such
        strings, or a dict column → value (:func:`where_conditions`); the value is converted
        to the column's type.
    format : {"auto", "parquet", "csv"}
        The files' format (``auto``: from the suffixes; a directory must hold one kind).
    max_memory : int, float or str, optional
        A size such as ``"4G"`` (default a fraction of the machine's memory): a partition
        whose read would hold more is refused before anything is read.

    Returns
    -------
    BidSource

    Raises
    ------
    DataError
        A missing path, an empty directory, a directory mixing formats or holding other
        files, an unknown column, a value not of its column's type, a file over the budget.
    """
    format = choice("format", format, ("auto", "parquet", "csv"))
    if isinstance(columns, str):  # one column named
        columns = [columns]
    limit = parse_size("max_memory", max_memory)
    if limit is None:
        limit = default_max_memory()
    if isinstance(data, BidSource):
        base = replace(data, max_memory=limit)
    elif isinstance(data, str | os.PathLike):
        base = _open_files(os.fspath(data), format, limit)
    elif isinstance(data, pa.Table) or _polars(data):
        table = data if isinstance(data, pa.Table) else data.to_arrow()
        base = BidSource(kind="arrow", label="Arrow table" if isinstance(data, pa.Table)
                         else "Polars DataFrame", schema=tuple(table.column_names),
                         columns=tuple(table.column_names), max_memory=limit,
                         data=ds.dataset(table))
    elif isinstance(data, pd.DataFrame):
        frame = data.reset_index(drop=True)
        frame.columns = [str(c) for c in frame.columns]
        base = BidSource(kind="pandas", label="DataFrame", schema=tuple(frame.columns),
                         columns=tuple(frame.columns), max_memory=limit, data=frame)
    elif _dask(data):
        names = tuple(str(c) for c in data.columns)
        base = BidSource(kind="dask", label="Dask DataFrame", schema=names, columns=names,
                         max_memory=limit, data=data)
    else:
        raise DataError(f"data must be a path (Parquet or CSV file, directory, glob), a pandas, "
                        f"Polars or Dask DataFrame or a pyarrow Table, not {type(data).__name__}")
    return base.select(columns, None if where is None else where_conditions(where))


def _files(text: str) -> tuple[list[Path], Path]:
    """The data files of a path, directory or glob (sorted), and the folder hive keys are
    read relative to."""
    if _is_glob(text):
        prefix = text[:min(text.index(ch) for ch in "*?[" if ch in text)]
        root = Path(prefix) if prefix.endswith(os.sep) else Path(prefix or ".").parent
        found = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not found:
            raise DataError(f"no file matches {text}")
        return found, root
    path = Path(text)
    if not path.exists():
        raise DataError(f"no such file or directory: {path}")
    if path.is_file():
        return [path], path.parent
    found = sorted(p for p in path.rglob("*") if p.is_file() and not any(
        part.startswith((".", "_")) for part in p.relative_to(path).parts))
    if not found:
        raise DataError(f"empty directory: {path} holds no data file (Parquet or CSV)")
    return found, path


def _kind_of(files: list[Path], fmt: str, label: str) -> str:
    def kind(p: Path) -> str:
        s = p.suffix.lower()
        return "parquet" if s in PARQUET_SUFFIXES else "csv" if s in CSV_SUFFIXES else "other"

    kinds = {p: kind(p) for p in files}
    if fmt != "auto":
        return fmt
    found = Counter(kinds.values())
    if found["other"]:
        bad = next(p for p, k in kinds.items() if k == "other")
        raise DataError(f"{label}: {bad} is neither Parquet ({', '.join(PARQUET_SUFFIXES)}) nor "
                        f"CSV (.csv); a partition directory holds one kind of file (or pass "
                        "format)")
    if len(found) > 1:
        pq_file = next(p for p, k in kinds.items() if k == "parquet")
        csv_file = next(p for p, k in kinds.items() if k == "csv")
        raise DataError(f"{label}: mixed file types ({found['parquet']} Parquet such as "
                        f"{pq_file}, {found['csv']} CSV such as {csv_file}); a partition "
                        "directory holds one kind of file")
    return next(iter(found))


def _csv_header(path: Path) -> tuple[list[str], str]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            first = fh.readline()
    except UnicodeDecodeError as exc:
        raise DataError(f"not a UTF-8 text file: {path} ({exc.reason})") from None
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    sep = max(counts, key=lambda k: (counts[k], k == ","))
    header = next(csv.reader(io.StringIO(first), delimiter=sep), None)
    if not header or not any(h.strip() for h in header):
        raise DataError(f"empty file (no header row): {path}")
    return [h.strip() for h in header], sep


def _open_files(text: str, fmt: str, limit: float) -> BidSource:
    files, root = _files(text)
    kind = _kind_of(files, fmt, text)
    hive = ds.partitioning(flavor="hive")
    paths = [str(p) for p in files]
    try:
        if kind == "parquet":
            dataset = ds.dataset(paths, format="parquet", partitioning=hive,
                                 partition_base_dir=str(root))
            first = next(iter(dataset.get_fragments()))
            file_names = set(first.physical_schema.names)
        else:
            names, sep = _csv_header(files[0])
            probe = ds.dataset(paths, format=ds.CsvFileFormat(
                parse_options=pacsv.ParseOptions(delimiter=sep)), partitioning=hive,
                partition_base_dir=str(root))
            text_types = {n: pa.string() for n in names}
            csv_format = ds.CsvFileFormat(
                parse_options=pacsv.ParseOptions(delimiter=sep),
                convert_options=pacsv.ConvertOptions(column_types=text_types))
            keys = [f for f in probe.schema if f.name not in text_types]
            schema = pa.schema([pa.field(n, pa.string()) for n in names] + keys)
            dataset = ds.dataset(paths, format=csv_format, schema=schema, partitioning=hive,
                                 partition_base_dir=str(root))
            file_names = set(names)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"cannot read {text} as {kind}: {_first_line(exc)}") from None
    # the hive keys: pyarrow's partition fields (what its schema has beyond the files')
    keys = tuple(n for n in dataset.schema.names if n not in file_names)
    label = text if len(files) > 1 or Path(text).is_dir() else str(files[0])
    # a pandas index written to the file is not data (pandas.read_parquet restores it as the
    # index; the reader drops a DataFrame's index)
    names = tuple(n for n in dataset.schema.names if not n.startswith("__index_level_"))
    return BidSource(kind=kind, label=label, schema=names, columns=names, partition_keys=keys,
                     max_memory=limit, data=dataset)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# ----------------------------------------------------------------------------- partitions

def _build(src: BidSource) -> BidSource:
    """The source's partitions and costs for its columns and conditions (files pruned by
    the conditions on hive keys before any is opened)."""
    if src.kind in ("parquet", "csv"):
        return _build_files(src)
    if src.kind == "arrow":
        return _build_table(src)
    if src.kind == "pandas":
        return _build_frame(src)
    return _build_dask(src)


def _build_files(src: BidSource) -> BidSource:
    dataset: ds.FileSystemDataset = src.data
    expr = src.expression()
    parts, total_rows, total_bytes = [], 0, 0.0
    numbers = () if src.kind == "parquet" else tuple(
        c for c in src.columns if c not in src.text and c not in src.partition_keys)
    for frag in dataset.get_fragments(filter=expr):
        if src.kind == "parquet":
            rows, nbytes = _parquet_cost(frag, src, dataset.schema)
            total_rows += rows
        else:
            rows = None
            share = len(src.columns) / max(len(src.schema), 1)
            nbytes = _CSV_FACTOR * share * os.path.getsize(frag.path)
        if not nbytes <= src.max_memory:
            raise DataError(f"{frag.path}: one partition too large: about {nbytes:.2g} bytes "
                            f"held once read ({len(src.columns)} columns), more than "
                            f"max_memory={src.max_memory:.3g}; a partition is a whole file: "
                            "split the file, project fewer columns or raise max_memory "
                            "(--max-memory)")
        total_bytes += nbytes
        parts.append(FilePartition(fragment=frag, schema=dataset.schema, columns=src.columns,
                                   filter=expr, rows=rows, nbytes=nbytes, numbers=numbers))
    return replace(src, parts=tuple(parts), nbytes=total_bytes,
                   rows=total_rows if src.kind == "parquet" else None)


def _parquet_cost(frag: ds.ParquetFileFragment, src: BidSource,
                  schema: pa.Schema) -> tuple[int, float]:
    """A file's rows (footer) and the bytes its projected columns hold once read: each
    column's uncompressed size, at least 8 bytes a value, plus 8 a value for text offsets;
    a hive key 8 bytes a value (plus its text)."""
    try:
        meta = frag.metadata
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"cannot read the Parquet footer of {frag.path}: "
                        f"{_first_line(exc)}") from None
    rows = meta.num_rows
    sizes: Counter = Counter()
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for j in range(group.num_columns):
            chunk = group.column(j)
            sizes[chunk.path_in_schema.split(".")[0]] += chunk.total_uncompressed_size
    physical = set(frag.physical_schema.names)
    missing = [c for c in src.columns if c not in physical and c not in src.partition_keys]
    if missing:
        raise DataError(f"{frag.path}: no column {', '.join(map(repr, missing))} (the "
                        f"dataset's schema, read from its first file, has it)")
    nbytes = 0.0
    for c in src.columns:
        typ = schema.field(c).type
        text = pa.types.is_string(typ) or pa.types.is_large_string(typ)
        if c in physical:
            nbytes += max(sizes[c], _VALUE_BYTES * rows) + (_VALUE_BYTES * rows if text else 0)
        else:
            nbytes += 2 * _VALUE_BYTES * rows
    return rows, nbytes


def _build_table(src: BidSource) -> BidSource:
    table: pa.Table = src.data.to_table()  # an in-memory dataset: no copy of the data
    nbytes = float(table.select(list(src.columns)).nbytes)
    part = TablePartition(table=table, columns=src.columns, filter=src.expression(),
                          rows=table.num_rows, nbytes=nbytes)
    return replace(src, parts=(part,), rows=table.num_rows, nbytes=nbytes)


def _build_frame(src: BidSource) -> BidSource:
    frame: pd.DataFrame = src.data
    nbytes = float(frame[list(src.columns)].memory_usage(index=False).sum())
    part = PandasPartition(frame=frame, columns=src.columns, where=src.where, rows=len(frame),
                           nbytes=nbytes)
    return replace(src, parts=(part,), rows=len(frame), nbytes=nbytes)


def _build_dask(src: BidSource) -> BidSource:
    frame = src.data
    for col, value in src.where:  # lazily: a Parquet-backed frame pushes it into its reader
        s = frame[col]
        frame = frame[(s.astype("string").str.strip() == value) if isinstance(value, str)
                      else (s == value)]
    frame = frame[list(src.columns)]
    parts = tuple(DaskPartition(delayed=d, columns=src.columns) for d in frame.to_delayed())
    return replace(src, parts=parts, rows=None, nbytes=math.nan)
