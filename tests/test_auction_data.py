"""The auction CSV reader: formats, cleaning accounted for, bad input as one-line errors, fuzz."""

from __future__ import annotations

import csv
import io
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latent.data.reader import DataError, extreme_bids, read_auctions


def _write(tmp_path, text, name="data.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_long_format_max_per_bidder(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n1,a,3\n1,b,5\n1,a,4\n2,a,2\n2,c,7\n")
    d = read_auctions(p)
    assert d.format == "long"
    got = {a.auction_id: dict(zip(a.bidders, a.bids.tolist())) for a in d.auctions}
    assert got == {"1": {"a": 4.0, "b": 5.0}, "2": {"a": 2.0, "c": 7.0}}
    assert any("repeated bids" in w for w in d.warnings)


def test_wide_format_with_absent_bidders(tmp_path):
    p = _write(tmp_path, "auction_id,bidder_1,bidder_2,bidder_3\n1,1.5,2.5,\n2,1,2,3\n")
    d = read_auctions(p)
    assert d.format == "wide" and sorted(d.sizes().items()) == [(2, 1), (3, 1)]
    m, _ = d.matrix(3)
    np.testing.assert_array_equal(m, [[1.0, 2.0, 3.0]])


def test_wide_bidder_by_item(tmp_path):
    p = _write(tmp_path, "auction_id,bidder_1_item_1,bidder_1_item_2,bidder_2_item_1,"
                         "bidder_2_item_2\n1,1,2,3,4\n")
    m, _ = read_auctions(p).matrix(2)
    assert m.shape == (1, 2, 2) and m[0, 1, 0] == 3.0


@pytest.mark.parametrize("bad, reason", [
    ("nan", "NaN bid"), ("inf", "infinite bid"), ("-1", "negative bid"),
    ("abc", "non-numeric bid"), ("", "empty bid"),
])
def test_bad_bids_are_dropped_and_counted(tmp_path, bad, reason):
    p = _write(tmp_path, f"auction_id,bidder,bid\n1,a,1\n1,b,2\n1,c,{bad}\n")
    d = read_auctions(p)
    assert d.dropped == {reason: 1}
    assert d.auctions[0].bidders == ("a", "b")


def test_single_bidder_auctions_dropped(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n1,a,1\n2,a,1\n2,b,2\n")
    assert read_auctions(p).dropped == {"auction with fewer than 2 bidders": 1}


@pytest.mark.parametrize("text, message", [
    ("", "empty file"),
    ("auction_id,bidder,bid\n", "no data rows"),
    ("a,a,b\n1,2,3\n", "duplicated column"),
    ("auction_id,bidder,bid\n1,a,x\n1,b,y\n", "no usable auction"),
    ("id,x,y\n1,a,b\n", "no numeric bid"),
    ("auction_id,bidder,bid\n1,a,3\n1,b,5,7\n", "Expected 3 fields in line 3, saw 4"),
])
def test_structural_errors(tmp_path, text, message):
    with pytest.raises(DataError, match=message):
        read_auctions(_write(tmp_path, text))


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match="no such file"):
        read_auctions(tmp_path / "absent.csv")
    with pytest.raises(DataError, match="directory"):
        read_auctions(tmp_path)


def test_wrong_format_and_columns(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n1,a,1\n1,b,2\n")
    with pytest.raises(DataError, match="unknown --format"):
        read_auctions(p, format="tall")
    with pytest.raises(DataError, match="--bid-col 'price' is not a column"):
        read_auctions(p, bid_col="price")


def test_no_row_cap_chunks_agree(tmp_path):
    """Chunked reading: an auction split across chunks is reassembled, repeated bids reduced."""
    rng = np.random.default_rng(np.random.SeedSequence(4))
    lines = ["auction_id,bidder,bid"]
    for k in range(300):
        for j in range(3):
            lines.append(f"{k},b{j},{rng.random():.6f}")
        lines.append(f"{k},b0,0.000001")  # a repeated, lower bid: the max keeps the first
    p = _write(tmp_path, "\n".join(lines) + "\n")
    whole = read_auctions(p)
    small = read_auctions(p, chunksize=7)
    np.testing.assert_array_equal(whole.bids, small.bids)
    np.testing.assert_array_equal(whole.offsets, small.offsets)
    assert whole.sizes() == {3: 300} and any("300 repeated" in w for w in small.warnings)


def test_lowest_wins_keeps_costs_and_normalise_warns_about_the_atom(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n1,a,100\n1,b,200\n1,c,300\n"
                         "2,a,10\n2,b,20\n2,c,40\n")
    d = read_auctions(p, lowest_wins=True, normalize="median")
    assert d.lowest_wins
    assert [a.bids.tolist() for a in d.auctions] == [[0.5, 1.0, 1.5], [0.5, 1.0, 2.0]]
    (w,) = [w for w in d.warnings if "--normalize median" in w]
    assert "33.3% of the values are exactly 1" in w
    raw = read_auctions(p, lowest_wins=True)
    assert raw.auctions[0].bids.tolist() == [100.0, 200.0, 300.0]  # costs, untransformed


def test_repeated_costs_keep_the_lowest(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n1,a,5\n1,a,3\n1,b,4\n")
    assert read_auctions(p, lowest_wins=True).auctions[0].bids.tolist() == [3.0, 4.0]


@pytest.mark.parametrize("text, expected, note", [
    ("auction_id;bidder;bid\n1;a;1,5\n1;b;2,25\n", [1.5, 2.25], "decimal commas"),
    ('auction_id,bidder,bid\n1,a,"1,234.5"\n1,b,"2,000.25"\n', [1234.5, 2000.25],
     "thousands separators"),
    ("auction_id;bidder;bid\n1;a;1.234,5\n1;b;2.000,25\n", [1234.5, 2000.25],
     "decimal commas"),
    ('auction_id,bidder,bid\n1,a,"3.5"\n1,b," 4"\n', [3.5, 4.0], None),
])
def test_locale_numbers_converted_with_a_warning(tmp_path, text, expected, note):
    d = read_auctions(_write(tmp_path, text))
    assert d.auctions[0].bids.tolist() == expected
    assert any(note in w for w in d.warnings) if note else not any(
        "converted" in w for w in d.warnings)


def test_ambiguous_thousands_refused(tmp_path):
    p = _write(tmp_path, 'auction_id,bidder,bid\n1,a,"1,234"\n1,b,"2,000"\n')
    with pytest.raises(DataError, match="ambiguous number '1,234'"):
        read_auctions(p)
    assert read_auctions(p, decimal=".").auctions[0].bids.tolist() == [1234.0, 2000.0]
    assert read_auctions(p, decimal=",").auctions[0].bids.tolist() == [1.234, 2.0]


def _long_with_covariates(n=40):
    rng = np.random.default_rng(np.random.SeedSequence(1))
    lines = ["tract,firm,bidamt,year,acres"]
    for k in range(n):
        for j in range(3):
            lines.append(f"{k},f{j},{rng.random() * 100:.2f},{2000 + k % 5},{10 + k}")
    return "\n".join(lines) + "\n"


def test_wide_with_covariates_is_refused_naming_columns_and_flags(tmp_path):
    p = _write(tmp_path, _long_with_covariates())
    with pytest.raises(DataError, match="refusing to read as wide") as exc:
        read_auctions(p)
    msg = str(exc.value)
    assert "\n" not in msg and "refusing to read as wide" in msg
    for needle in ("tract (repeats", "firm (non-numeric)", "year", "acres",
                   "--format long --auction-col tract --bidder-col firm --bid-col bidamt"):
        assert needle in msg
    d = read_auctions(p, format="long", auction_col="tract", bidder_col="firm",
                      bid_col="bidamt")
    assert d.sizes() == {3: 40}
    assert list(d.covariates.columns) == ["year", "acres"] and len(d.covariates) == 40
    assert d.covariates.loc["7", "acres"] == 17


@pytest.mark.parametrize("extra, reason", [
    ("region", "non-numeric"), ("year", "a covariate name"), ("lot_size", "a covariate name"),
    ("k", "integer codes"),
])
def test_wide_one_covariate_column_refused(tmp_path, extra, reason):
    rng = np.random.default_rng(np.random.SeedSequence(2))
    values = {"region": lambda k: "north" if k % 2 else "south", "year": lambda k: 2000 + k % 3,
              "lot_size": lambda k: f"{rng.random():.3f}", "k": lambda k: k % 4}[extra]
    lines = [f"auction_id,bidder_1,bidder_2,{extra}"]
    lines += [f"{k},{rng.random():.4f},{rng.random():.4f},{values(k)}" for k in range(30)]
    p = _write(tmp_path, "\n".join(lines) + "\n")
    with pytest.raises(DataError, match=f"{extra} \\({reason}"):
        read_auctions(p)
    assert read_auctions(p, format="wide").format == "wide"  # forcing is allowed


def test_dataframe_and_array_inputs_match_the_csv(tmp_path):
    rng = np.random.default_rng(np.random.SeedSequence(5))
    m = rng.random((50, 3))
    m[0, 2] = np.nan  # bidder 3 absent from auction 1
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(m, columns=["bidder_1", "bidder_2", "bidder_3"])
    p = tmp_path / "w.csv"
    frame.to_csv(p, index=False)
    a, b, c = read_auctions(p), read_auctions(frame), read_auctions(m)
    for other in (b, c):
        np.testing.assert_array_equal(a.bids, other.bids)
        np.testing.assert_array_equal(a.offsets, other.offsets)
    with pytest.raises(DataError, match="2-D"):
        read_auctions(np.arange(3.0))
    with pytest.raises(DataError, match="CSV or Parquet path, .*a 2-D array, not float"):
        read_auctions(3.5)


def test_non_utf8(tmp_path):
    p = tmp_path / "bin.csv"
    p.write_bytes(b"auction_id,bidder,bid\n1,\xff\xfe,1\n")
    with pytest.raises(DataError, match="UTF-8"):
        read_auctions(p)


cells = st.one_of(st.text(max_size=6), st.floats(allow_nan=True).map(str),
                  st.integers(-5, 100).map(str),
                  st.floats(1e-300, 1e300).map(lambda x: f"{x:.3f}".replace(".", ",")),
                  st.floats(-1e308, 1e308).map(repr), st.integers(0, 10**7).map(
                      lambda k: f"{k:,}"), st.sampled_from(["1,5", "1.234,5", "1e400",
                                                            "-0", " 7 ", '"3"', "1_000"]),
                  # locale formats and extreme sizes
                  st.sampled_from(["1 234,5", "1'234.5", "1\u00a0234", "12 345 678,9",
                                   "1e200", "1e-308", "5e-324", "1.7976931348623157e308",
                                   "-1e-308", "1e308"]),
                  st.integers(1, 10**9).map(lambda k: f"{k:,}".replace(",", " ")),
                  st.integers(1, 10**9).map(lambda k: f"{k:,}".replace(",", "'") + ".25"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=5), max_size=12),
       header=st.lists(st.sampled_from(["auction_id", "bidder", "bid", "x", "bidder_1",
                                        "bidder_2", "item", "", "year", "region"]), max_size=5),
       sep=st.sampled_from([",", ";"]))
def test_fuzz_reader_never_crashes(tmp_path, rows, header, sep):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    p = tmp_path / "fuzz.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy/pandas warning may spill
        try:
            d = read_auctions(p)
        except DataError as exc:
            assert "\n" not in str(exc)
            return
    for a in d.auctions:
        assert len(a.bidders) >= 2 and np.all(np.isfinite(a.bids)) and np.all(a.bids >= 0)
    if d.format == "wide" and {"year", "region"} & set(header):
        raise AssertionError("a covariate-named column was read as a bidder")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(rows=st.integers(1, 6), extreme=st.sampled_from(["", "1e200", "1e-308", "1 234,5",
                                                        "1'234.5", "inf", "x"]),
       where=st.integers(0, 499))
def test_fuzz_wide_auctions_with_500_bidders(tmp_path, rows, extreme, where):
    rng = np.random.default_rng(np.random.SeedSequence([rows, where]))
    lines = ["auction_id," + ",".join(f"bidder_{j + 1}" for j in range(500))]
    for k in range(rows):
        cells = [f"{x:.4f}" for x in rng.random(500) + 0.5]
        if extreme and k == 0:
            cells[where] = f'"{extreme}"' if "," in extreme else extreme
        lines.append(f"{k}," + ",".join(cells))
    p = tmp_path / "wide500.csv"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            d = read_auctions(p)
        except DataError as exc:
            assert "\n" not in str(exc)
            return
    assert d.format == "wide" and set(d.sizes()) <= {499, 500}
    assert np.all(np.isfinite(d.bids)) and not extreme_bids(d.bids).any()
    if extreme in ("1e200", "1e-308"):
        assert d.dropped == {"extreme bid (its auction dropped)": 1}
        assert any("1 extreme bid" in w for w in d.warnings)
    if extreme in ("1 234,5", "1'234.5"):
        assert 1234.5 in d.bids and any("digit groups" in w for w in d.warnings)


@pytest.mark.parametrize("kwargs, min_auctions", [
    (dict(name="ebay_auction.csv", auction_col="auctionid",
          where={"item": "Xbox game console"}), 100),
    (dict(name="worldbank_procurement_bids.csv", auction_col="contract",
          bidder_col="bidder.name", bid_col="evaluated.price.amount", lowest_wins=True,
          normalize="median"), 1000),
    (dict(name="swiss_trq_share_auction_bids.csv", bid_col="pb"), 30),
])
def test_real_data(shared_data, kwargs, min_auctions):
    kwargs = dict(kwargs)
    d = read_auctions(shared_data / kwargs.pop("name"), **kwargs)
    assert len(d.auctions) >= min_auctions
    assert all(np.all(np.isfinite(a.bids)) for a in d.auctions)


def _data(*auctions):
    from latent.data.reader import Auction, AuctionData

    return AuctionData.from_auctions(tuple(Auction(str(k), tuple(b), np.array(v, float))
                             for k, (b, v) in enumerate(auctions)))


def test_select_exact_and_subsample_are_seeded_subsets():
    from latent.data.selection import select_exact, select_subsample

    d = _data((("a", "b"), (1, 2)), (("a", "b", "c", "d"), (1, 2, 3, 4)), (("x",) * 0, ()))
    assert select_exact(d, 2).matrix.tolist() == [[1.0, 2.0]]
    s1 = select_subsample(d, 2, seed=3, draws=50)
    s2 = select_subsample(d, 2, seed=3, draws=50)
    np.testing.assert_array_equal(s1.matrix, s2.matrix)
    rows = s1.matrix[1:]
    assert rows.shape == (50, 2) and s1.auctions_subsampled == 1 and s1.auctions_used == 2
    assert np.all(rows[:, 0] != rows[:, 1]) and set(rows.ravel()) == {1.0, 2.0, 3.0, 4.0}
    # uniform random subsets: each of the 4 bids lands in slot 1 about a quarter of the time
    counts = np.bincount(rows[:, 0].astype(int), minlength=5)[1:]
    assert counts.min() >= 4
    with pytest.raises(DataError, match="at least 5 bidders"):
        select_subsample(d, 5)


def test_select_identified_orders_by_frequency_and_needs_common_auctions():
    from latent.data.selection import select_identified

    d = _data((("a", "b", "c"), (1, 2, 3)), (("c", "a"), (4, 5)), (("a", "c", "z"), (6, 7, 8)),
              (("b", "z"), (9, 10)))
    s = select_identified(d, 2)
    assert s.bidders == ("a", "c")  # a: 3 auctions, c: 3, b: 2, z: 2
    assert s.matrix.tolist() == [[1.0, 3.0], [5.0, 4.0], [6.0, 7.0]]
    with pytest.raises(DataError, match="bid together in only"):
        select_identified(d, 3)


def test_where_matching_nothing_says_so(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid,item\n1,a,1,x\n1,b,2,x\n")
    with pytest.raises(DataError, match="no row matches"):
        read_auctions(p, where={"item": "y"})
    assert read_auctions(p, where={"ITEM": "x"}).sizes() == {2: 1}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(n_bidders=st.integers(2, 6), rows=st.integers(20, 60),
       cov=st.sampled_from(["year", "region", "appraisal_value", "n_bidders", "code", "tract"]),
       kind=st.sampled_from(["name", "strings", "codes"]), position=st.integers(0, 6),
       seed=st.integers(0, 2**16))
def test_fuzz_wide_with_a_covariate_column_is_refused_naming_it(tmp_path, n_bidders, rows, cov,
                                                                kind, position, seed):
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    bids = rng.lognormal(3.0, 1.0, (rows, n_bidders))
    name = cov if kind == "name" else f"x{seed % 97}"
    if kind == "strings":
        col = [f"r{k % 3}" for k in range(rows)]
    elif kind == "codes":
        col = [str(k % 4) for k in range(rows)]
    else:
        col = [f"{x:.3f}" for x in rng.lognormal(3.0, 1.0, rows)]
    header = [f"bidder_{j + 1}" for j in range(n_bidders)]
    pos = min(position, n_bidders)
    header.insert(pos, name)
    lines = ["auction_id," + ",".join(header)]
    for k in range(rows):
        cells = [f"{x:.4f}" for x in bids[k]]
        cells.insert(pos, col[k])
        lines.append(f"{k}," + ",".join(cells))
    p = tmp_path / "wide_cov.csv"
    p.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match="--format long") as exc:
        read_auctions(p)
    msg = str(exc.value)
    assert f"{name} (" in msg and "--format long" in msg and "\n" not in msg
