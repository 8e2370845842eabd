"""Bid logs as Parquet files, partition folders, globs and frames: the same auctions as the CSV
of the same bids; projection and filters pushed down (a pruned file is never opened); bad
inputs refused by name; the synthetic log generator's determinism and truth."""

from __future__ import annotations

import json
import pickle

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from scipy import stats

from latent.cli.estimate_rho import run_cli
from latent.data.reader import DataError, read_auctions
from latent.data.simulated import first_price_file
from latent.data.sources import FilePartition, is_source, open_source
from latent.data.synthetic_log import tabulation_error, write_bid_log
from latent.estimate.pipeline import estimate_rho

FAST = dict(data_boot=0, tests=False, samples=500, revenue_samples=2000, grid=6, n_boot=50,
            lp_max_bidders=2, seed=3)
REGIONS = 4


def _same(a, b) -> None:
    """Two AuctionData hold the same auctions, bids, bidders, accounting and covariates."""
    np.testing.assert_array_equal(a.bids, b.bids)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    np.testing.assert_array_equal(a.bidder_codes, b.bidder_codes)
    assert list(map(str, a.auction_ids)) == list(map(str, b.auction_ids))
    assert list(map(str, a.bidder_names)) == list(map(str, b.bidder_names))
    assert a.dropped == b.dropped
    assert a.warnings == b.warnings
    if a.covariates is None:
        assert b.covariates is None
    else:
        pd.testing.assert_frame_equal(a.covariates, b.covariates[a.covariates.columns],
                                      check_dtype=False)


@pytest.fixture(scope="module")
def bids() -> pd.DataFrame:
    """A small first-price long file with covariates, a few bad rows (a negative bid, a
    missing one) and region in 0..REGIONS-1, in region order (the order a folder is read)."""
    f = first_price_file(240, regions=REGIONS, currencies=2, seed=4).frame
    f.loc[5, "bid"] = -1.0
    f.loc[17, "bid"] = np.nan
    return f.sort_values("region", kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def files(tmp_path_factory, bids):
    """The same bids as one CSV, one Parquet file, a hive folder of Parquet and one of CSV."""
    root = tmp_path_factory.mktemp("logs")
    bids.to_csv(root / "all.csv", index=False)
    bids.to_parquet(root / "all.parquet", index=False)
    for r, part in bids.groupby("region"):
        for kind in ("parquet", "csv"):
            folder = root / f"hive_{kind}" / f"region={r}"
            folder.mkdir(parents=True)
            rest = part.drop(columns="region")
            if kind == "parquet":
                rest.to_parquet(folder / "part-0.parquet", index=False)
            else:
                rest.to_csv(folder / "part-0.csv", index=False)
    # the CSV a hive folder stands for: region (a key) is its last column
    bids[[c for c in bids.columns if c != "region"] + ["region"]].to_csv(root / "hive.csv",
                                                                         index=False)
    return root


def test_parquet_file_gives_the_csvs_auctions_and_estimate(files):
    a, b = read_auctions(files / "all.csv"), read_auctions(files / "all.parquet")
    _same(a, b)
    assert a.dropped["negative bid"] == 1 and b.covariates is not None
    opts = dict(FAST, covariates=("age",), fixed_effects=("region",))
    ra = estimate_rho(files / "all.csv", **opts).to_dict()
    rb = estimate_rho(files / "all.parquet", **opts).to_dict()
    assert ra.pop("source") == str(files / "all.csv")
    assert rb.pop("source") == str(files / "all.parquet")
    assert json.dumps(ra, sort_keys=True, default=str) == json.dumps(rb, sort_keys=True,
                                                                     default=str)


@pytest.mark.parametrize("folder", ["hive_parquet", "hive_csv"])
@pytest.mark.parametrize("where", [None, {"region": "2"}, {"region": "1", "currency": "1"}])
def test_partition_folders_give_the_csvs_auctions(files, folder, where):
    a = read_auctions(files / "hive.csv", where=where)
    b = read_auctions(files / folder, where=where)
    _same(a, b)
    if where:  # the rows the conditions removed are counted as the CSV path counts them
        assert any(k.startswith("filtered out by region=") for k in b.dropped)


def test_a_glob_reads_the_matching_files(files, bids):
    src = open_source(str(files / "hive_parquet" / "region=[12]" / "*.parquet"))
    assert src.partition_keys == ("region",)
    assert src.rows == int(bids["region"].isin([1, 2]).sum())
    got = pd.concat(p.read() for p in src.partitions())
    assert sorted(got["region"].unique().tolist()) == [1, 2]


def test_keys_are_columns_projection_and_rows_from_footers(files, bids):
    src = open_source(files / "hive_parquet", columns=["bid", "region"])
    assert "region" in src.schema and src.partition_keys == ("region",)
    assert src.rows == len(bids)  # from the footers
    frames = [p.read() for p in src.partitions()]
    assert all(list(f.columns) == ["bid", "region"] for f in frames)
    # each file's key is its folder's value
    assert [f["region"].unique().tolist() for f in frames] == [[r] for r in range(REGIONS)]
    got = pd.concat(frames, ignore_index=True)
    np.testing.assert_array_equal(got["bid"].to_numpy(), bids["bid"].to_numpy())


def test_filter_on_a_key_never_opens_the_other_files(files, tmp_path, bids):
    import shutil
    root = tmp_path / "copy"
    shutil.copytree(files / "hive_parquet", root)
    (root / "region=3" / "part-0.parquet").write_bytes(b"not a parquet file at all")
    src = open_source(root, where={"region": "1", "currency": "0"}, columns=["bid"])
    assert [p.path.split("/")[-2] for p in src.partitions()] == ["region=1"]
    got = pd.concat(p.read() for p in src.partitions())["bid"].to_numpy()
    want = bids.loc[(bids["region"] == 1) & (bids["currency"] == 0), "bid"].to_numpy()
    np.testing.assert_array_equal(got, want)
    with pytest.raises(DataError, match="region=3.*part-0.parquet"):  # opened: refused
        open_source(root)


def test_partitions_pickle_and_read_the_same(files):
    src = open_source(files / "hive_parquet", where={"currency": "1"}, columns=["bid", "age"])
    for p in src.partitions():
        assert isinstance(p, FilePartition)
        again = pickle.loads(pickle.dumps(p))
        pd.testing.assert_frame_equal(again.read(), p.read())
        assert (again.rows, again.nbytes) == (p.rows, p.nbytes) and p.rows > len(p.read())


def test_frames_and_tables_give_the_csvs_auctions(files, bids):
    want = read_auctions(files / "all.csv")
    _same(want, read_auctions(bids))
    _same(want, read_auctions(pa.Table.from_pandas(bids, preserve_index=False)))
    where = {"region": "2"}
    _same(read_auctions(files / "all.csv", where=where),
          read_auctions(pa.Table.from_pandas(bids, preserve_index=False), where=where))
    src = open_source(bids, columns=["bid"], where={"region": "2"})
    np.testing.assert_array_equal(
        pd.concat(p.read() for p in src.partitions())["bid"].to_numpy(),
        bids.loc[bids["region"] == 2, "bid"].to_numpy())


def test_polars_frame(files, bids):
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(bids)
    assert is_source(frame)
    _same(read_auctions(files / "all.csv"), read_auctions(frame))
    _same(read_auctions(files / "all.csv", where={"region": "1"}),
          read_auctions(frame, where={"region": "1"}))


def test_dask_frame(files, bids):
    dd = pytest.importorskip("dask.dataframe")
    # two partitions split at a region boundary (an auction lies in one partition)
    cut = int(np.flatnonzero(bids["region"].to_numpy() == 2)[0])
    frame = dd.from_pandas(bids, npartitions=1).repartition(divisions=[0, cut, len(bids) - 1])
    assert frame.npartitions == 2 and is_source(frame)
    _same(read_auctions(files / "all.csv", where={"region": "3"}),
          read_auctions(frame, where={"region": "3"}))
    src = open_source(frame, columns=["bid"], where={"region": "3"})
    parts = src.partitions()
    assert len(parts) == 2 and [len(p.read()) for p in parts][0] == 0
    again = pickle.loads(pickle.dumps(parts[1]))
    np.testing.assert_array_equal(again.read()["bid"].to_numpy(),
                                  bids.loc[bids["region"] == 3, "bid"].to_numpy())


def test_cli_reads_a_partition_folder(files, capsys):
    flags = ["--json", "--no-tests", "--data-boot", "0", "--samples", "500",
             "--revenue-samples", "2000", "--grid", "6", "--n-boot", "50", "--quiet"]
    assert run_cli([str(files / "hive_parquet"), "--where", "currency=1", *flags]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["source"] == str(files / "hive_parquet")
    assert out["dropped"]["filtered out by currency=1"] > 0


def test_bad_inputs_are_refused_by_name(files, tmp_path):
    with pytest.raises(DataError, match="where: 'regoin' is not a column .*did you mean "
                                        "'region'"):
        open_source(files / "hive_parquet", where={"regoin": "1"})
    with pytest.raises(DataError, match="columns: 'bdi' is not a column .*did you mean 'bid'"):
        open_source(files / "all.parquet", columns=["bdi"])
    with pytest.raises(DataError, match="--where 'regoin' is not a column"):
        read_auctions(files / "hive_parquet", where={"regoin": "1"})
    with pytest.raises(DataError, match="where age='old': age holds double values"):
        read_auctions(files / "all.parquet", where={"age": "old"})
    with pytest.raises(DataError, match="no row matches where region='7' .*region has 4 "
                                        "values"):
        read_auctions(files / "hive_parquet", where={"region": "7"})
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="empty directory: .*empty holds no data file"):
        read_auctions(tmp_path / "empty")
    mixed = tmp_path / "mixed"
    mixed.mkdir()
    pq.write_table(pa.table({"bid": [1.0]}), mixed / "a.parquet")
    (mixed / "b.csv").write_text("bid\n1\n")
    with pytest.raises(DataError, match="mixed file types .*1 Parquet .*1 CSV"):
        open_source(mixed)
    (mixed / "b.csv").unlink()
    (mixed / "notes.txt").write_text("hello")
    with pytest.raises(DataError, match="notes.txt is neither Parquet"):
        open_source(mixed)
    with pytest.raises(DataError, match="no such file or directory"):
        open_source(tmp_path / "nothing.parquet")
    with pytest.raises(DataError, match="part-0.parquet: one partition too large: about .* "
                                        "bytes .*max_memory=1e\\+03"):
        open_source(files / "hive_parquet", max_memory=1000)
    with pytest.raises(DataError, match="too large to read in memory: about \\d+ rows, .*"
                                        "stream=True, --stream"):
        read_auctions(files / "hive_parquet", max_memory=100_000)


def test_csv_partitions_keep_ids_as_text_and_parse_numbers_as_one_file(tmp_path):
    comma = '"1,5"'  # a decimal comma, quoted
    rows = ["auction_id,bidder,bid,size"] + [
        f"00{k},b{j},{comma if (k, j) == (3, 0) else 1 + k + j / 4},{k % 3}"
        for k in range(1, 9) for j in range(3)]
    (tmp_path / "one.csv").write_text("\n".join(rows) + "\n")
    for half, part in (("a", rows[1:13]), ("b", rows[13:])):
        (tmp_path / "dir" / f"half={half}").mkdir(parents=True)
        (tmp_path / "dir" / f"half={half}" / "p.csv").write_text(
            "\n".join([rows[0], *part]) + "\n")
    a, b = read_auctions(tmp_path / "one.csv"), read_auctions(tmp_path / "dir")
    assert a.auction_ids[0] == "001" and a.warnings[0].startswith("1 numbers written with "
                                                                  "decimal commas")
    _same(a, b)


def test_cost_estimate_bounds_the_read(files):
    # the estimate is an upper bound of what a read holds, and not wildly above it
    for p in open_source(files / "hive_parquet").partitions():
        held = p.read().memory_usage(index=False, deep=True).sum()
        assert held <= p.nbytes <= 4 * held


# ----------------------------------------------------------------------------- the generator

def test_same_seed_same_files(tmp_path):
    kw = dict(n_bids=3000, partitions=3, seed=11)
    a = write_bid_log(tmp_path / "a", **kw)
    b = write_bid_log(tmp_path / "b", **kw)
    c = write_bid_log(tmp_path / "c", **dict(kw, seed=12))
    for fa, fb, fc in zip(a.files, b.files, c.files, strict=True):
        assert open(fa, "rb").read() == open(fb, "rb").read()
        assert open(fa, "rb").read() != open(fc, "rb").read()
    same = {k: v for k, v in a.to_dict().items() if k not in ("path", "files")}
    assert same == {k: v for k, v in b.to_dict().items() if k not in ("path", "files")}
    assert a.auctions_by_n != c.auctions_by_n
    with pytest.raises(ValueError, match="exists and is not an empty folder"):
        write_bid_log(tmp_path / "a", **kw)
    with pytest.raises(ValueError, match="n_range=1: must be an integer in \\[2, 1000\\]"):
        write_bid_log(tmp_path / "d", n_bids=100, n_range=(1, 3))
    with pytest.raises(ValueError, match="value_law='normal': choose one of lognormal"):
        write_bid_log(tmp_path / "d", n_bids=100, value_law="normal")


def test_log_truth_sizes_and_partitions(tmp_path):
    log = write_bid_log(tmp_path / "log", n_bids=20_000, partitions=4, seed=2, n_range=(3, 6))
    src = open_source(log.path)
    assert src.rows == log.n_bids and len(src.partitions()) == 4
    frames = [p.read() for p in src.partitions()]
    ids = [set(f["auction_id"]) for f in frames]
    assert sum(map(len, ids)) == len(set().union(*ids)) == log.n_auctions  # no auction spans
    whole = pd.concat(frames, ignore_index=True)
    per = whole.groupby("auction_id").agg(n=("bid", "size"), said=("n_bidders", "first"),
                                          x1=("x1", "nunique"))
    assert (per["n"] == per["said"]).all() and per["n"].between(3, 6).all()
    assert (per["x1"] == 1).all()  # covariates are auction-level
    assert per["n"].value_counts().sort_index().to_dict() == log.auctions_by_n
    # the truth: log b = β'x + region + log β_N(ε): OLS with N and region dummies recovers β
    X = pd.get_dummies(whole[["n_bidders", "region"]].astype(str), drop_first=True)
    X = np.column_stack([np.ones(len(whole)), whole[["x1", "x2"]], X.to_numpy(float)])
    coef, *_ = np.linalg.lstsq(X, np.log(whole["bid"].to_numpy()), rcond=None)
    np.testing.assert_allclose(coef[1:3], [log.beta["x1"], log.beta["x2"]], atol=0.03)
    d = read_auctions(log.path)
    assert d.n_auctions == log.n_auctions and len(d.bids) == log.n_bids


def test_uniform_ipv_bids_are_the_known_equilibrium(tmp_path):
    # values U(0, 1), no covariates: β_N(v) = v (N − 1) / N, so b N / (N − 1) is U(0, 1)
    log = write_bid_log(tmp_path / "u", n_bids=6000, partitions=2, seed=5,
                        value_law="uniform", covariates=False)
    f = pd.concat(p.read() for p in open_source(log.path).partitions())
    v = f["bid"].to_numpy() * f["n_bidders"].to_numpy() / (f["n_bidders"].to_numpy() - 1)
    assert stats.kstest(v, "uniform").pvalue > 1e-3
    assert set(log.region_effects) == {0.0} and log.law == "uniform(0, 1)"
    for law in ("lognormal", "pareto", "uniform"):
        assert tabulation_error(law, n=7) < 1e-6


def test_wide_parquet_reads_as_the_wide_csv(tmp_path):
    rng = np.random.default_rng(np.random.SeedSequence(8))
    m = rng.random((60, 3))
    m[0, 2] = np.nan  # bidder 3 absent from the first auction
    frame = pd.DataFrame(m, columns=["bidder_1", "bidder_2", "bidder_3"])
    frame.insert(0, "auction_id", [f"a{k}" for k in range(60)])
    frame["lot"] = ["x", "y"] * 30
    frame.to_csv(tmp_path / "w.csv", index=False)
    frame.to_parquet(tmp_path / "w.parquet", index=False)
    kw = dict(format="wide", where={"lot": "y"})
    a, b = read_auctions(tmp_path / "w.csv", **kw), read_auctions(tmp_path / "w.parquet", **kw)
    assert b.format == "wide" and b.n_auctions == 30 and list(b.bidder_names) == [
        "bidder_1", "bidder_2", "bidder_3"]  # the condition's column is not a bidder
    _same(a, b)


def test_a_written_pandas_index_is_not_a_column(files, bids, tmp_path):
    bids.set_index(bids.index.astype(str)).to_parquet(tmp_path / "indexed.parquet")  # kept
    assert "__index_level_0__" in pq.read_schema(tmp_path / "indexed.parquet").names
    src = open_source(tmp_path / "indexed.parquet")
    assert src.schema == tuple(bids.columns)
    _same(read_auctions(files / "all.csv"), read_auctions(tmp_path / "indexed.parquet"))


def test_a_dask_frame_is_stopped_once_over_the_budget(bids):
    dd = pytest.importorskip("dask.dataframe")
    frame = dd.from_pandas(bids, npartitions=4)
    with pytest.raises(DataError, match="Dask DataFrame: too large to read in memory: more "
                                        "than \\d+ rows read.*stream=True"):
        read_auctions(frame, max_memory=20_000)  # 160 bytes a row: ~125 rows
    with pytest.raises(ValueError, match="format='orc': choose one of auto, parquet, csv"):
        open_source(bids, format="orc")
    assert open_source(bids, columns="bid").columns == ("bid",)


def test_where_takes_the_command_lines_forms(files, bids):
    want = bids.loc[(bids["region"] == 1) & (bids["currency"] == 0), "bid"].to_numpy()
    for where in ("region=1", ["region=1", "currency = 0"], {"region": 1, "currency": "0"}):
        src = open_source(files / "hive_parquet", where=where, columns=["bid"])
        got = pd.concat(p.read() for p in src.partitions())["bid"].to_numpy()
        if isinstance(where, str):
            np.testing.assert_array_equal(got, bids.loc[bids["region"] == 1, "bid"])
        else:
            np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="where='region': expected COL=VALUE"):
        open_source(files / "hive_parquet", where="region")
