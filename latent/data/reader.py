"""Read auction bids from CSV (wide or long) into per-auction bid vectors, saying what was dropped.

Formats:

* **wide** — one row per auction: an optional auction-id column and one column per bidder
  (``bidder_1, bidder_2, …``) or per bidder × item (``bidder_1_item_1, …``); an empty cell
  means that bidder did not take part.
* **long** — one row per bid: ``auction_id, bidder, bid[, item]`` (column names settable).
  Several bids of one bidder in one auction are reduced by ``aggregate`` (default: the maximum,
  as for eBay proxy bids; the minimum with ``lowest_wins``).

Rows that cannot be used (non-numeric, NaN, ±inf, negative bids; auctions with one bidder) are
dropped and *counted by reason*; structural problems (no such file, empty file, duplicated
columns, unknown column names, more than ``max_rows`` rows, no usable auction) raise
:class:`DataError` with one line naming the problem.

Procurement (``lowest_wins``): costs c are mapped to values v = K − c̃ (c̃ the cost after
normalisation, K the largest c̃ in the data), an order-reversing affine map, so "lowest cost
wins" becomes "highest value wins" with the same allocation pattern and v ≥ 0.
"""

from __future__ import annotations

import csv
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAX_ROWS = 1_000_000

_AUCTION_NAMES = ("auction_id", "auctionid", "auction", "contract", "id")
_BIDDER_NAMES = ("bidder", "bidder_id", "bidder.name", "bidder_name")
_BID_NAMES = ("bid", "value", "amount", "price")
_ITEM_NAMES = ("item",)


class DataError(ValueError):
    """An input problem that makes the file unusable (reported as one line, exit status 2)."""


@dataclass(frozen=True)
class Auction:
    auction_id: str
    bidders: tuple[str, ...]
    bids: np.ndarray  # shape (n_bidders,) or (n_bidders, n_items)


@dataclass(frozen=True)
class AuctionData:
    """Usable auctions plus the accounting of everything dropped (reason → count)."""

    auctions: tuple[Auction, ...]
    dropped: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    source: str = ""
    format: str = ""

    def sizes(self) -> Counter:
        """Number of auctions by number of bidders.

        >>> d = AuctionData((Auction("a", ("x", "y"), np.array([1.0, 2.0])),))
        >>> dict(d.sizes())
        {2: 1}
        """
        return Counter(len(a.bidders) for a in self.auctions)

    def matrix(self, n_bidders: int) -> tuple[np.ndarray, list[tuple[str, ...]]]:
        """Bids of the auctions with exactly ``n_bidders``: (auctions × bidders[× items]),
        bidder slots in order of first appearance, and the bidder ids per row."""
        rows = [a for a in self.auctions if len(a.bidders) == n_bidders]
        if not rows:
            raise DataError(f"no auction has exactly {n_bidders} bidders")
        return np.stack([a.bids for a in rows]), [a.bidders for a in rows]


def _parse_number(text: str) -> float | None:
    text = text.strip()
    if not text:
        return None
    try:
        return float(text.replace(",", "")) if re.fullmatch(r"[-+0-9.,eE]+|nan|inf|-inf",
                                                           text, re.I) else None
    except ValueError:
        return None


def _open_rows(path: Path, max_rows: int) -> tuple[list[str], list[list[str]]]:
    if not path.exists():
        raise DataError(f"no such file: {path}")
    if path.is_dir():
        raise DataError(f"is a directory, not a CSV file: {path}")
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None or not any(h.strip() for h in header):
                raise DataError(f"empty file (no header row): {path}")
            rows = []
            for row in reader:
                if len(rows) >= max_rows:
                    raise DataError(f"more than {max_rows} data rows in {path}; "
                                    "split the file or pass a larger max_rows")
                if row and any(c.strip() for c in row):
                    rows.append(row)
    except UnicodeDecodeError as exc:
        raise DataError(f"not a UTF-8 text file: {path} ({exc.reason})") from None
    except csv.Error as exc:
        raise DataError(f"malformed CSV in {path}: {exc}") from None
    header = [h.strip() for h in header]
    dup = [h for h, k in Counter(header).items() if k > 1]
    if dup:
        raise DataError(f"duplicated column name(s): {', '.join(dup)}")
    if not rows:
        raise DataError(f"no data rows in {path}")
    return header, rows


def _find(header: Sequence[str], wanted: str | None, candidates: Iterable[str], role: str,
          required: bool = True) -> int | None:
    lower = [h.lower() for h in header]
    if wanted is not None:
        if wanted.lower() not in lower:
            raise DataError(f"--{role}-col {wanted!r} is not a column (columns: "
                            f"{', '.join(header)})")
        return lower.index(wanted.lower())
    for c in candidates:
        if c in lower:
            return lower.index(c)
    if required:
        raise DataError(f"cannot find the {role} column (tried {', '.join(candidates)}); "
                        f"name it with --{role}-col")
    return None


def detect_format(header: Sequence[str]) -> str:
    """``long`` if the header names a bid column and a bidder column, else ``wide``.

    >>> detect_format(["auction_id", "bidder", "bid"]), detect_format(["id", "b1", "b2"])
    ('long', 'wide')
    """
    lower = {h.lower() for h in header}
    has_bid = any(c in lower for c in _BID_NAMES)
    has_bidder = any(c in lower for c in _BIDDER_NAMES)
    return "long" if has_bid and has_bidder else "wide"


def read_auctions(
    path: str | Path,
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
    max_rows: int = MAX_ROWS,
) -> AuctionData:
    """Read and clean auction bids; see the module docstring.

    ``where`` keeps rows whose column equals the value (e.g. ``{"item": "Xbox game console"}``);
    ``normalize`` is ``None``, ``"median"``, ``"mean"`` or ``"max"`` (divide each auction's bids
    by it); with it, bids more than ``max_ratio`` times above or below their auction's median are
    dropped as data errors (counted), since one such bid dominates every moment.

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "a.csv")
    >>> _ = open(p, "w").write("auction_id,bidder,bid\\n1,a,3\\n1,b,5\\n1,a,4\\n2,a,x\\n2,b,1\\n")
    >>> d = read_auctions(p)
    >>> [a.bids.tolist() for a in d.auctions], d.dropped
    ([[4.0, 5.0]], {'non-numeric bid': 1, 'auction with fewer than 2 bidders': 1})
    """
    path = Path(path)
    header, rows = _open_rows(path, max_rows)
    if format == "auto":
        # Naming a bid or bidder column only makes sense for long data.
        fmt = "long" if (bid_col or bidder_col) else detect_format(header)
    else:
        fmt = format
    if fmt not in ("wide", "long"):
        raise DataError(f"unknown --format {format!r}: use wide, long or auto")
    dropped: Counter = Counter()
    warnings: list[str] = []

    if where:
        for col, value in where.items():
            idx = _find(header, col, (), "where")
            before = len(rows)
            rows = [r for r in rows if idx < len(r) and r[idx].strip() == value]
            if before - len(rows):
                dropped[f"filtered out by {col}={value}"] += before - len(rows)
        if not rows:
            raise DataError(f"no row matches {where}")

    if fmt == "long":
        auctions = _read_long(header, rows, auction_col, bidder_col, bid_col, item_col,
                              aggregate or ("min" if lowest_wins else "max"), dropped, warnings)
    else:
        auctions = _read_wide(header, rows, auction_col, dropped)

    auctions = [a for a in auctions if _keep(a, dropped)]
    if not auctions:
        raise DataError("no usable auction (every auction had fewer than 2 valid bids)")
    if normalize:
        if max_ratio is not None:
            auctions = [a for a in (_trim(a, max_ratio, dropped) for a in auctions)
                        if _keep(a, dropped)]
        auctions = _normalize(auctions, normalize, dropped)
    if lowest_wins:
        top = max(float(np.max(a.bids)) for a in auctions)
        auctions = [Auction(a.auction_id, a.bidders, top - a.bids) for a in auctions]
        warnings.append(f"lowest wins: costs c mapped to values {top:.6g} − c")
    if len(auctions) < 30:
        warnings.append(f"only {len(auctions)} usable auctions: estimates will be very noisy")
    ties = sum(len(np.unique(a.bids, axis=0)) < len(a.bids) for a in auctions)
    if ties:
        warnings.append(f"{ties} auctions have tied bids")
    return AuctionData(tuple(auctions), dict(dropped), tuple(warnings), str(path), fmt)


def _keep(a: Auction, dropped: Counter) -> bool:
    if len(a.bidders) < 2:
        dropped["auction with fewer than 2 bidders"] += 1
        return False
    return True


def _bid_value(text: str, dropped: Counter) -> float | None:
    value = _parse_number(text)
    if value is None:
        dropped["empty bid" if not text.strip() else "non-numeric bid"] += 1
        return None
    if math.isnan(value):
        dropped["NaN bid"] += 1
        return None
    if math.isinf(value):
        dropped["infinite bid"] += 1
        return None
    if value < 0:
        dropped["negative bid"] += 1
        return None
    return value


def _read_long(header, rows, auction_col, bidder_col, bid_col, item_col, aggregate,
               dropped, warnings) -> list[Auction]:
    ia = _find(header, auction_col, _AUCTION_NAMES, "auction")
    ib = _find(header, bidder_col, _BIDDER_NAMES, "bidder")
    iv = _find(header, bid_col, _BID_NAMES, "bid")
    ii = _find(header, item_col, (), "item", required=False) if item_col else None
    if aggregate not in ("max", "min", "first"):
        raise DataError(f"unknown aggregate {aggregate!r}: use max, min or first")
    table: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
    repeated = 0
    width = max(ia, ib, iv, ii or 0)
    for row in rows:
        if len(row) <= width:
            dropped["short row"] += 1
            continue
        auction, bidder = row[ia].strip(), row[ib].strip()
        if not auction:
            dropped["missing auction id"] += 1
            continue
        if not bidder:
            dropped["missing bidder name"] += 1
            continue
        value = _bid_value(row[iv], dropped)
        if value is None:
            continue
        item = row[ii].strip() if ii is not None else ""
        slot = table[auction][bidder]
        if item in slot:
            repeated += 1
            if aggregate == "max":
                slot[item] = max(slot[item], value)
            elif aggregate == "min":
                slot[item] = min(slot[item], value)
        else:
            slot[item] = value
    if repeated:
        warnings.append(f"{repeated} repeated bids of a bidder in an auction reduced to their "
                        f"{aggregate}")
    items = sorted({it for bidders in table.values() for slots in bidders.values()
                    for it in slots})
    out = []
    for auction, bidders in table.items():
        names = tuple(bidders)
        if len(items) == 1:
            bids = np.array([bidders[b][items[0]] for b in names], dtype=float)
        else:
            complete = [b for b in names if all(it in bidders[b] for it in items)]
            if len(complete) < len(names):
                dropped["bidder without a bid on every item"] += len(names) - len(complete)
            names = tuple(complete)
            bids = np.array([[bidders[b][it] for it in items] for b in names], dtype=float)
            if not names:
                bids = np.zeros((0, len(items)))
        out.append(Auction(auction, names, bids))
    return out


_WIDE_ITEM = re.compile(r"^(.*?)[_ ]?item[_ ]?(\d+)$", re.I)


def _read_wide(header, rows, auction_col, dropped) -> list[Auction]:
    ia = _find(header, auction_col, _AUCTION_NAMES, "auction", required=False)
    bid_cols = [j for j in range(len(header)) if j != ia]
    if not bid_cols:
        raise DataError("no bid column: a wide file needs one column per bidder")
    # bidder × item columns ("bidder_1_item_2") group into bidders.
    groups: dict[str, list[int]] = defaultdict(list)
    for j in bid_cols:
        m = _WIDE_ITEM.match(header[j])
        groups[m.group(1) if m else header[j]].append(j)
    n_items = {len(v) for v in groups.values()}
    if len(n_items) != 1:
        raise DataError("wide bidder × item columns must give every bidder the same items")
    numeric_seen = False
    out = []
    for k, row in enumerate(rows):
        auction = row[ia].strip() if ia is not None and ia < len(row) else str(k + 1)
        names, bids = [], []
        for name, cols in groups.items():
            cells = [row[j] if j < len(row) else "" for j in cols]
            if all(not c.strip() for c in cells):
                continue  # bidder absent from this auction
            values = [_bid_value(c, dropped) for c in cells]
            if any(v is None for v in values):
                continue
            numeric_seen = True
            names.append(name)
            bids.append(values if len(cols) > 1 else values[0])
        out.append(Auction(auction, tuple(names), np.array(bids, dtype=float)))
    if not numeric_seen:
        raise DataError("no numeric bid in any column")
    return out


def _trim(a: Auction, ratio: float, dropped: Counter) -> Auction:
    med = float(np.median(a.bids))
    if med <= 0:
        return a
    per_bidder = a.bids if a.bids.ndim == 1 else a.bids.max(axis=1)
    ok = (per_bidder <= med * ratio) & (per_bidder >= med / ratio)
    if ok.all():
        return a
    dropped[f"bid more than {ratio:g}x away from its auction's median"] += int((~ok).sum())
    return Auction(a.auction_id, tuple(b for b, k in zip(a.bidders, ok, strict=True) if k),
                   a.bids[ok])


def _normalize(auctions, how: str, dropped: Counter) -> list[Auction]:
    if how not in ("median", "max", "mean"):
        raise DataError(f"unknown --normalize {how!r}: use median, mean or max")
    out = []
    for a in auctions:
        scale = {"median": np.median, "max": np.max, "mean": np.mean}[how](a.bids)
        if not scale > 0:
            dropped[f"auction with {how} bid 0 (cannot normalise)"] += 1
            continue
        out.append(Auction(a.auction_id, a.bidders, a.bids / scale))
    if not out:
        raise DataError("no auction left after normalisation")
    return out
