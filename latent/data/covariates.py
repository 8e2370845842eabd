"""Homogenising bids (or costs) with auction covariates: Haile, Hong & Shum (2003).

Haile, Hong & Shum, "Nonparametric Tests for Common Values in First-Price Sealed-Bid Auctions"
(2003): with values v = exp(x'β) · ε, x auction covariates and ε independent of x, first-price
equilibrium bids are homogeneous of degree one in the shifter, b = exp(x'β) · β_N(ε). So

    log b = x'β + log β_N(ε),

an OLS regression of log bids on x recovers β (the intercept absorbs E log β_N(ε)), and the
homogenised bids b̃ = exp(residual) × scale are bids of a common auction, ready for GPV.

The **scale** is the geometric mean of the bids used, exp(mean log b). With an intercept the OLS
residuals average zero, so this also equals exp(mean fitted log bid), and b̃ = b · exp(−(x −
x̄)'β̂): each bid re-expressed at the sample-mean covariates (in logs). Homogenised bids are in
the data's units "at the average auction", and so are GPV pseudo-values computed from them.

Do not put the number of bidders N among the covariates: bid functions differ by N, and GPV
inverts each N separately; absorbing N-level differences into β̂ would distort that inversion.

The same applies to procurement costs (lowest wins): log-costs are homogenised the same way.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from statsmodels.regression.linear_model import OLS

_LOG_EXPR = re.compile(r"^\s*log\s*\(\s*(.+?)\s*\)\s*$")
SCALE_RULE = "geometric mean of the bids used, exp(mean log bid) = exp(mean fitted log bid)"
COV_TYPE = "cluster-robust by auction (CR1), t with (auctions − 1) degrees of freedom"


@dataclass(frozen=True, eq=False)
class Homogenization:
    """The log-bid regression and the homogenised bids.

    Coefficients (aligned tuples/arrays over ``terms``; ``const`` is the intercept, fixed-effect
    dummies are named ``col[level]``): ``coef``, ``std_error``, ``ci_low``, ``ci_high``
    (``confidence`` two-sided, from ``COV_TYPE`` standard errors), ``p_value``. Per bid used
    (aligned): ``row`` (the input frame's index label), ``auction``, ``bid`` (observed),
    ``homogenized_bid`` = exp(residual) × ``scale``. ``dropped`` counts unusable rows by
    reason; ``warnings`` repeats what was warned.
    """

    terms: tuple[str, ...]
    coef: np.ndarray
    std_error: np.ndarray
    ci_low: np.ndarray
    ci_high: np.ndarray
    p_value: np.ndarray
    confidence: float
    r_squared: float
    n_auctions: int
    n_bids: int
    scale: float
    row: np.ndarray
    auction: np.ndarray
    bid: np.ndarray
    homogenized_bid: np.ndarray
    dropped: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    scale_rule: str = SCALE_RULE
    cov_type: str = COV_TYPE
    design: np.ndarray | None = None  # the regressors of each bid used (aligned with ``row``)

    def to_frame(self) -> pd.DataFrame:
        """Tidy coefficient table: term, estimate, std_error, ci_low, ci_high, p_value.

        >>> df = pd.DataFrame({"auction_id": np.repeat(np.arange(40), 2),
        ...                    "size": np.repeat(np.arange(1.0, 41.0), 2)})
        >>> df["bid"] = df["size"] ** 0.5 * np.tile([0.9, 1.1], 40) * np.repeat(
        ...     np.random.default_rng(np.random.SeedSequence(0)).lognormal(0, 0.1, 40), 2)
        >>> h = homogenize_bids(df, covariates=["log(size)"])
        >>> h.to_frame()["term"].tolist()
        ['const', 'log(size)']
        """
        return pd.DataFrame({"term": list(self.terms), "estimate": self.coef,
                             "std_error": self.std_error, "ci_low": self.ci_low,
                             "ci_high": self.ci_high, "p_value": self.p_value})

    def bids_frame(self) -> pd.DataFrame:
        """One row per bid used: row (input index), auction, bid, homogenized_bid.

        >>> df = pd.DataFrame({"auction_id": [1, 1, 2, 2, 3, 3], "x": [0., 0., 1., 1., 2., 2.],
        ...                    "bid": [1.0, 2.0, 2.0, 4.0, 4.0, 8.0]})
        >>> homogenize_bids(df, covariates=["x"]).bids_frame().homogenized_bid.round(3).tolist()
        [2.0, 4.0, 2.0, 4.0, 2.0, 4.0]
        """
        return pd.DataFrame({"row": self.row, "auction": self.auction, "bid": self.bid,
                             "homogenized_bid": self.homogenized_bid})

    def to_dict(self) -> dict:
        """Plain-JSON summary (coefficients and fit; not the per-bid arrays).

        >>> df = pd.DataFrame({"auction_id": [1, 1, 2, 2, 3, 3], "x": [0., 0., 1., 1., 2., 2.],
        ...                    "bid": [1.0, 2.0, 2.0, 4.0, 4.0, 8.0]})
        >>> d = homogenize_bids(df, covariates=["x"]).to_dict(); d["n_auctions"], d["n_bids"]
        (3, 6)
        """
        return {"method": "Haile-Hong-Shum (2003) homogenisation: OLS of log bid on covariates",
                "coefficients": self.to_frame().to_dict(orient="records"),
                "confidence": self.confidence, "std_errors": self.cov_type,
                "r_squared": self.r_squared, "n_auctions": self.n_auctions,
                "n_bids": self.n_bids, "scale": self.scale, "scale_rule": self.scale_rule,
                "dropped": dict(self.dropped), "warnings": list(self.warnings)}


def _listed(columns) -> str:
    """The user's column names, without the pipeline's own working columns (``__name__``)."""
    return ", ".join(str(c) for c in columns if not (str(c).startswith("__")
                                                    and str(c).endswith("__")))


def parse_covariate(expr: str, columns) -> tuple[str, bool]:
    """``"col"`` → (col, False); ``"log(col)"`` → (col, True). No evaluation of any code.

    >>> parse_covariate("log(tract_size)", ["tract_size", "year"])
    ('tract_size', True)
    >>> parse_covariate(" year ", ["tract_size", "year"])
    ('year', False)
    """
    if not isinstance(expr, str) or not expr.strip():
        raise ValueError(f"covariates: {expr!r} is not a column name or log(column)")
    m = _LOG_EXPR.match(expr)
    name, is_log = (m.group(1), True) if m else (expr.strip(), False)
    if name not in list(columns):
        raise ValueError(f"covariates: {expr!r} names no column ({name!r}); available: "
                         f"{_listed(columns)}")
    return name, is_log


def _varies_within(frame: pd.DataFrame, col: str, auction_col: str) -> int:
    """Number of auctions in which ``col`` takes more than one value (NaN counts as a value)."""
    return int((frame.groupby(auction_col, sort=False)[col].nunique(dropna=False) > 1).sum())


def _collinear_terms(x: np.ndarray, names: list[str]) -> list[str]:
    """Terms that are (numerically) linear combinations of the terms before them.

    One Householder QR without pivoting, O(n p²): |R_jj| is the norm of column j's part
    orthogonal to columns 0..j−1, so a tiny |R_jj| relative to the column's norm flags it.
    """
    r = np.linalg.qr(x, mode="r")
    norms = np.linalg.norm(x, axis=0)
    resid = np.abs(np.diag(r))
    return [n for n, a, b in zip(names, resid, norms, strict=True) if not a > 1e-9 * b]


def homogenize_bids(frame: pd.DataFrame, *, covariates=(), fixed_effects=(),
                    auction_col: str = "auction_id", bid_col: str = "bid",
                    drop_nonpositive: bool = False,
                    confidence: float = 0.95) -> Homogenization:
    """Regress log bid on auction covariates and fixed effects; return β̂ and b̃ = e^resid × scale.

    ``frame``: one row per bid (or per cost, for procurement), with ``auction_col``,
    ``bid_col`` and auction-level covariate columns. ``covariates``: expressions ``col`` or
    ``log(col)`` (a list, or one comma-separated string). ``fixed_effects``: categorical columns
    entered as dummies, the first level (sorted) dropped. Standard errors are clustered by
    auction. Rows with a missing covariate are dropped and counted; a non-positive or missing
    bid raises unless ``drop_nonpositive`` (then dropped and counted). A covariate that varies
    within an auction draws a warning (it should be auction-level).

    >>> rng = np.random.default_rng(np.random.SeedSequence(7))
    >>> L = 400; size = rng.lognormal(0, 1, L); region = rng.integers(0, 3, L)
    >>> df = pd.DataFrame({"auction_id": np.repeat(np.arange(L), 3),
    ...                    "size": np.repeat(size, 3), "region": np.repeat(region, 3)})
    >>> df["bid"] = (np.repeat(size ** 0.8 * np.exp(0.3 * region), 3)
    ...              * rng.uniform(0.5, 1.0, 3 * L))
    >>> h = homogenize_bids(df, covariates="log(size)", fixed_effects=["region"])
    >>> t = h.to_frame().set_index("term")
    >>> bool(t.loc["log(size)", "ci_low"] < 0.8 < t.loc["log(size)", "ci_high"])
    True
    >>> t.index.tolist(), h.n_auctions
    (['const', 'log(size)', 'region[1]', 'region[2]'], 400)
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"frame: expected a pandas DataFrame, got {type(frame).__name__}")
    if isinstance(covariates, str):
        covariates = [c for c in covariates.split(",") if c.strip()]
    if isinstance(fixed_effects, str):
        fixed_effects = [c.strip() for c in fixed_effects.split(",") if c.strip()]
    covariates, fixed_effects = list(covariates), list(fixed_effects)
    cols = list(frame.columns)
    for arg, col in (("auction_col", auction_col), ("bid_col", bid_col)):
        if col not in cols:
            raise ValueError(f"{arg} = {col!r}: no such column; available: {_listed(cols)}")
    for col in fixed_effects:
        if col not in cols:
            raise ValueError(f"fixed_effects: {col!r} names no column; available: "
                             f"{_listed(cols)}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence = {confidence!r}: must be in (0, 1)")
    parsed = [(expr.strip(), *parse_covariate(expr, cols)) for expr in covariates]
    if len({p[0] for p in parsed}) < len(parsed):
        raise ValueError(f"covariates: an expression is repeated in {covariates}")
    dropped: dict[str, int] = {}
    said: list[str] = []

    bid = pd.to_numeric(frame[bid_col], errors="coerce").to_numpy(dtype=float)
    bad_bid = ~(np.isfinite(bid) & (bid > 0))
    if bad_bid.any():
        what = (f"{int(bad_bid.sum())} bid(s) in {bid_col!r} are missing, non-numeric, "
                "non-positive or infinite")
        if not drop_nonpositive:
            raise ValueError(f"bid_col = {bid_col!r}: {what}; log bids need positive bids "
                             "(pass drop_nonpositive=True to drop them)")
        dropped["missing or non-positive bid"] = int(bad_bid.sum())
    ok = ~bad_bid & frame[auction_col].notna().to_numpy()
    if (frame[auction_col].isna().to_numpy() & ~bad_bid).any():
        dropped["missing auction id"] = int((frame[auction_col].isna().to_numpy()
                                             & ~bad_bid).sum())

    cov_blocks, names = [], []
    for expr, col, is_log in parsed:
        x = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        if frame[col].notna().to_numpy().sum() > np.isfinite(x).sum():
            raise ValueError(f"covariates: {expr!r}: column {col!r} has non-numeric values "
                             "(use it as a fixed effect?)")
        if is_log:
            nonpos = np.isfinite(x) & (x <= 0)
            if nonpos.any():
                raise ValueError(f"covariates: {expr!r}: {int(nonpos.sum())} non-positive "
                                 f"value(s) in {col!r}")
            with np.errstate(divide="ignore", invalid="ignore"):
                x = np.log(x)
        missing = ok & ~np.isfinite(x)
        if missing.any():
            dropped[f"missing {col}"] = dropped.get(f"missing {col}", 0) + int(missing.sum())
        ok &= np.isfinite(x)
        cov_blocks.append(x)
        names.append(expr)
    for col in fixed_effects:
        missing = ok & frame[col].isna().to_numpy()
        if missing.any():
            dropped[f"missing {col}"] = dropped.get(f"missing {col}", 0) + int(missing.sum())
        ok &= frame[col].notna().to_numpy()

    used = frame.loc[ok]
    if used.empty:
        raise ValueError(f"frame: no usable rows (dropped: {dropped})")
    for col in dict.fromkeys([c for _, c, _ in parsed] + fixed_effects):
        k = _varies_within(used, col, auction_col)
        if k:
            msg = (f"covariate {col!r} varies within {k} auction(s); covariates should be "
                   "auction-level (the same for every bid of an auction)")
            warnings.warn(msg, UserWarning, stacklevel=2)
            said.append(msg)
    columns = [np.ones(len(used))] + [c[ok] for c in cov_blocks]
    for col in fixed_effects:
        # Sorted levels (by type name first, so mixed types do not fail to compare): the first
        # is the reference level and gets no dummy.
        levels = sorted(used[col].unique(), key=lambda v: (str(type(v)), v))
        for level in levels[1:]:
            columns.append((used[col].to_numpy() == level).astype(float))
            names.append(f"{col}[{level}]")
    x = np.column_stack(columns)
    names = ["const"] + names
    bad = _collinear_terms(x, names)
    if bad:
        shown = ", ".join(bad[:5]) + (f", … ({len(bad)} terms)" if len(bad) > 5 else "")
        verb = "is a linear combination" if len(bad) == 1 else "are linear combinations"
        raise ValueError(f"covariates/fixed_effects: collinear design: {shown} {verb}"
                         " of the terms before (a constant column, a duplicated covariate, or "
                         "fixed effects nested in other fixed effects or covariates)")
    y = np.log(bid[ok])
    groups = pd.factorize(used[auction_col])[0]
    n_auctions = int(groups.max()) + 1
    if n_auctions <= x.shape[1]:
        raise ValueError(f"frame: {n_auctions} auctions for {x.shape[1]} coefficients; "
                         "clustered standard errors need more auctions than coefficients")
    fit = OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    ci = np.asarray(fit.conf_int(alpha=1 - confidence))
    scale = float(np.exp(y.mean()))
    resid = y - fit.fittedvalues
    return Homogenization(
        terms=tuple(names), coef=np.asarray(fit.params), std_error=np.asarray(fit.bse),
        ci_low=ci[:, 0], ci_high=ci[:, 1], p_value=np.asarray(fit.pvalues),
        confidence=confidence, r_squared=float(fit.rsquared), n_auctions=n_auctions,
        n_bids=len(used), scale=scale, row=used.index.to_numpy(),
        auction=used[auction_col].to_numpy(), bid=bid[ok],
        homogenized_bid=np.exp(resid) * scale, dropped=dropped, warnings=tuple(said),
        design=x)


@dataclass(frozen=True, eq=False)
class FirstStage:
    """The homogenisation regression in a form a bootstrap can re-run cheaply.

    ``design`` (auctions × terms): each auction's regressors (auction-level, so one row per
    auction); ``log_bid``: the log bids, ``auction`` the auction (row of ``design``) of each.
    :meth:`factors` re-fits the OLS with auction weights (bootstrap multiplicities) and gives
    each auction's homogenising factor, b̃ = b · factor = exp(log b − x'β̂ + mean log b).

    >>> df = pd.DataFrame({"auction_id": [1, 1, 2, 2, 3, 3], "x": [0., 0., 1., 1., 2., 2.],
    ...                    "bid": [1.0, 2.0, 2.0, 4.0, 4.0, 8.0]})
    >>> h = homogenize_bids(df, covariates=["x"])
    >>> fs = FirstStage.of(h, np.array([0, 0, 1, 1, 2, 2]))
    >>> bool(np.allclose(fs.factors()[fs.auction] * h.bid, h.homogenized_bid))
    True
    """

    design: np.ndarray
    log_bid: np.ndarray
    auction: np.ndarray

    @classmethod
    def of(cls, h: Homogenization, auction: np.ndarray) -> FirstStage:
        """From a fit and the auction index (0 … A−1) of each bid it used."""
        a = np.asarray(auction, np.int64)
        design = np.zeros((int(a.max()) + 1, h.design.shape[1]))
        design[a] = h.design  # the rows of one auction are equal (auction-level regressors)
        return cls(design=design, log_bid=np.log(h.bid), auction=a)

    def factors(self, weights: np.ndarray | None = None) -> np.ndarray:
        """exp(mean log bid − x_a'β̂) per auction a, β̂ the OLS with auction ``weights``.

        The regressors are constant within an auction, so the OLS on bids is the weighted OLS
        of the auctions' mean log bids with weights (bids in the auction) × (auction weight):
        one row per auction instead of one per bid."""
        k = len(self.design)
        count = np.bincount(self.auction, minlength=k).astype(float)
        total = np.bincount(self.auction, weights=self.log_bid, minlength=k)
        w = count * (1.0 if weights is None else np.asarray(weights, float))
        use = w > 0
        mean_a = total[use] / count[use]
        root = np.sqrt(w[use])
        # min-norm least squares: a fixed-effect level absent from a resample gets β = 0 and
        # no resampled auction uses it (fitted values of the auctions used are unique)
        beta = np.linalg.lstsq(self.design[use] * root[:, None], mean_a * root, rcond=None)[0]
        mean = float(np.sum(w[use] * mean_a) / np.sum(w[use]))
        return np.exp(mean - self.design @ beta)

