"""The auction CSV reader: formats, cleaning accounted for, bad input as one-line errors, fuzz."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from latent.data.reader import DataError, read_auctions


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


def test_row_limit(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n" + "1,a,1\n" * 11)
    with pytest.raises(DataError, match="more than 10 data rows"):
        read_auctions(p, max_rows=10)


def test_lowest_wins_reverses_order_and_normalises(tmp_path):
    p = _write(tmp_path, "auction_id,bidder,bid\n1,a,100\n1,b,200\n1,c,300\n"
                         "2,a,10\n2,b,20\n2,c,40\n")
    d = read_auctions(p, lowest_wins=True, normalize="median")
    for a in d.auctions:
        assert np.argmax(a.bids) == 0  # the lowest cost becomes the highest value
        assert np.all(a.bids >= 0)


def test_non_utf8(tmp_path):
    p = tmp_path / "bin.csv"
    p.write_bytes(b"auction_id,bidder,bid\n1,\xff\xfe,1\n")
    with pytest.raises(DataError, match="UTF-8"):
        read_auctions(p)


cells = st.one_of(st.text(max_size=6), st.floats(allow_nan=True).map(str),
                  st.integers(-5, 100).map(str))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cells, min_size=0, max_size=5), max_size=12),
       header=st.lists(st.sampled_from(["auction_id", "bidder", "bid", "x", "bidder_1",
                                        "bidder_2", "item", ""]), max_size=5))
def test_fuzz_reader_never_crashes(tmp_path, rows, header):
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow(r)
    p = tmp_path / "fuzz.csv"
    p.write_text(buf.getvalue(), encoding="utf-8")
    try:
        d = read_auctions(p)
    except DataError as exc:
        assert "\n" not in str(exc)
        return
    for a in d.auctions:
        assert len(a.bidders) >= 2 and np.all(np.isfinite(a.bids)) and np.all(a.bids >= 0)


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

    return AuctionData(tuple(Auction(str(k), tuple(b), np.array(v, float))
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
