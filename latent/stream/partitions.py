"""What the streaming analysis reads: partitions, and the per-partition preparation of bids.

A partition is any picklable object with ``.rows`` (int, or None when unknown) and
``.read() -> pandas.DataFrame`` in long format (one row per bid); readers of files and data
frames make them (:mod:`latent.data.sources`). :class:`FramePartition` holds a DataFrame
itself (tests, and data already in memory).

The analysis assumes that an auction's rows lie in one partition (N is the number of an
auction's rows in its partition); :mod:`latent.stream.driver` checks it on the auction sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from latent.data.covariates import parse_covariate

__all__ = ["FramePartition", "Prepared", "StreamSpec", "prepare"]


@dataclass(frozen=True, eq=False)
class FramePartition:
    """A partition held in memory: ``read()`` returns the frame itself.

    >>> p = FramePartition(pd.DataFrame({"a": [1, 1], "b": [1.0, 2.0]}))
    >>> p.rows, p.read().shape
    (2, (2, 2))
    """

    frame: pd.DataFrame

    @property
    def rows(self) -> int:
        """Rows of the frame."""
        return len(self.frame)

    def read(self) -> pd.DataFrame:
        """The frame."""
        return self.frame


@dataclass(frozen=True)
class StreamSpec:
    """The columns the analysis reads: ``covariates`` as (expression, column, log) triples."""

    auction_col: str
    bid_col: str
    covariates: tuple = ()
    fixed_effects: tuple = ()
    seed: int = 0
    bidder_col: str | None = None

    @property
    def columns(self) -> list[str]:
        """Every column read, each once."""
        return list(dict.fromkeys([self.auction_col, self.bid_col,
                                   *([self.bidder_col] if self.bidder_col else []),
                                   *(c for _, c, _ in self.covariates), *self.fixed_effects]))


@dataclass(frozen=True, eq=False)
class Prepared:
    """One partition's usable bids: log bid ``y``, covariate values (logs taken), fixed-effect
    levels, each row's N and auction code (0 … G−1), the G auction ids, the kept rows of the
    frame (``frame``), and the bids ``dropped`` by reason."""

    y: np.ndarray
    cov_values: dict
    fe_values: dict
    n_of_row: np.ndarray
    code: np.ndarray
    ids: np.ndarray
    frame: pd.DataFrame
    dropped: dict = field(default_factory=dict)


def _listed(columns) -> str:
    return ", ".join(map(str, columns))


def prepare(frame: pd.DataFrame, spec: StreamSpec) -> Prepared:
    """The usable bids of one partition; an auction with an unusable row is dropped whole.

    Unusable: a missing, non-numeric or non-positive bid (its log is needed), a missing
    covariate or fixed effect. Whole auctions go (dropping one bid would change the
    auction's N); the bids are counted by reason, the rest of their auctions' bids apart.

    >>> spec = StreamSpec("a", "b")
    >>> p = prepare(pd.DataFrame({"a": [1, 1, 2, 2], "b": [1.0, -1.0, 2.0, 3.0]}), spec)
    >>> p.n_of_row.tolist(), p.dropped
    ([2, 2], {'missing or non-positive bid': 1, 'other bids of an auction dropped whole': 1})
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"partitions: read() returned {type(frame).__name__}, not a pandas "
                         "DataFrame")
    cols = list(frame.columns)
    for arg, col in (("auction_col", spec.auction_col), ("bid_col", spec.bid_col),
                     ("bidder_col", spec.bidder_col)):
        if col is not None and col not in cols:
            raise ValueError(f"{arg} = {col!r}: no such column; available: {_listed(cols)}")
    for col in spec.fixed_effects:
        if col not in cols:
            raise ValueError(f"fixed_effects: {col!r} names no column; available: "
                             f"{_listed(cols)}")
    for expr, _, _ in spec.covariates:
        parse_covariate(expr, cols)
    dropped: dict[str, int] = {}
    aid_ok = frame[spec.auction_col].notna().to_numpy()
    if (~aid_ok).any():
        dropped["missing auction id"] = int((~aid_ok).sum())
    bid = pd.to_numeric(frame[spec.bid_col], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(bid) & (bid > 0)) & aid_ok
    if bad.any():
        dropped["missing or non-positive bid"] = int(bad.sum())
    bad_row = bad.copy()
    cov_values = {}
    for expr, col, is_log in spec.covariates:
        x = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        if frame[col].notna().to_numpy().sum() > np.isfinite(x).sum():
            raise ValueError(f"covariates: {expr!r}: column {col!r} has non-numeric values "
                             "(use it as a fixed effect?)")
        if is_log:
            if (np.isfinite(x) & (x <= 0)).any():
                raise ValueError(f"covariates: {expr!r}: {int((np.isfinite(x) & (x <= 0)).sum())}"
                                 f" non-positive value(s) in {col!r}")
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.log(x)
        missing = ~np.isfinite(x) & aid_ok & ~bad_row
        if missing.any():
            dropped[f"missing {col}"] = dropped.get(f"missing {col}", 0) + int(missing.sum())
        bad_row |= missing
        cov_values[expr] = x
    for col in spec.fixed_effects:
        missing = frame[col].isna().to_numpy() & aid_ok & ~bad_row
        if missing.any():
            dropped[f"missing {col}"] = dropped.get(f"missing {col}", 0) + int(missing.sum())
        bad_row |= missing
    code_all, ids = pd.factorize(frame[spec.auction_col])  # NaN → −1
    bad_auction = np.zeros(ids.size, bool)
    bad_auction[code_all[bad_row & aid_ok]] = True
    keep = aid_ok & ~bad_auction[np.maximum(code_all, 0)]
    others = int((aid_ok & ~keep & ~bad_row).sum())
    if others:
        dropped["other bids of an auction dropped whole"] = others
    code, kept_ids = pd.factorize(frame[spec.auction_col].to_numpy()[keep])
    n_of_row = np.bincount(code)[code] if code.size else np.zeros(0, np.int64)
    fe_values = {col: frame[col].to_numpy()[keep] for col in spec.fixed_effects}
    return Prepared(y=np.log(bid[keep]), cov_values={k: v[keep] for k, v in cov_values.items()},
                    fe_values=fe_values, n_of_row=n_of_row, code=code,
                    ids=np.asarray(kept_ids), frame=frame.loc[keep, spec.columns],
                    dropped=dropped)
