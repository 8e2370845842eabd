"""GPV pseudo-values on the same first-price bids: latent.data.gpv vs simple-fpa.

Symmetric IPV, one bidder count N per data set (N in {2, 3, 5}), values from uniform[0, 1],
lognormal(0, 0.5) and a Pareto(α = 3) truncated to [1, 5]; equilibrium bids from
latent.data.gpv.equilibrium_bids. Per (law, N, auctions, seed) both estimators get the same bids:

* ours:        gpv_from_frame (reflected triweight KDE in bid space, Silverman bandwidth;
               trims bids within one bandwidth h of the sample's min or max bid);
* simple-fpa:  simple_fpa.Model in plain symmetric mode: no residualisation (the bid itself is
               the "residual", additive with fitted value 0, since Model.residualize cannot be
               called without covariates), trim_residuals(0) so that it sees every bid, and
               fit(smoothing_rate=0.2, trim_percent=5, boundary="reflect"): quantile-space GPV
               v(u) = Q(u) + u q(u) / (N − 1), q smoothed from reflected spacings. Its boundary
               zone is the first and last ``trim`` = 5 % of the sorted bids (what boundary="zero"
               would zero out); those bids are counted as simple-fpa's trimmed ones.

Error: mean over bids of (pseudo-value − true value)², i.e. the integrated squared error of ξ̂
against the bid distribution, split into the interior (true quantile F(v) in [0.1, 0.9]) and the
boundary (the rest); on the bids both estimators keep and on all bids (trimmed pseudo-values as
they come). Per cell the median over seeds of each ISE and of the ratio ours/simple-fpa, with the
ratio's min–max over seeds.

Run: python bench/bench_gpv_simplefpa.py [--seeds 20] [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from latent.data.gpv import equilibrium_bids, gpv_from_frame

PARETO_ALPHA, PARETO_HI = 3.0, 5.0
_PARETO_MASS = 1.0 - PARETO_HI ** -PARETO_ALPHA


def _pareto_cdf(v):
    v = np.asarray(v, dtype=float)
    return np.clip((1.0 - np.maximum(v, 1.0) ** -PARETO_ALPHA) / _PARETO_MASS, 0.0, 1.0)


def _pareto_ppf(u):
    return (1.0 - u * _PARETO_MASS) ** (-1.0 / PARETO_ALPHA)


_LOGN = stats.lognorm(s=0.5)
# name -> (cdf, quantile function, lower end of the support)
LAWS = {
    "uniform[0,1]": (lambda v: np.clip(np.asarray(v, dtype=float), 0.0, 1.0),
                     lambda u: u, 0.0),
    "lognormal(0,0.5)": (_LOGN.cdf, _LOGN.ppf, 0.0),
    "Pareto(3) on [1,5]": (_pareto_cdf, _pareto_ppf, 1.0),
}
REGIONS = ("interior", "boundary")
SETS = ("common", "all")


def simulate(law: str, n_bidders: int, n_auctions: int, rng: np.random.Generator):
    """Long frame of equilibrium bids (auction_id, bid), true values and their quantiles."""
    cdf, ppf, lower = LAWS[law]
    u = rng.random(n_auctions * n_bidders)
    values = ppf(u)
    bids = equilibrium_bids(values, n_bidders, cdf, lower)
    aid = np.repeat(np.arange(n_auctions), n_bidders)
    return pd.DataFrame({"auction_id": aid, "bid": bids}), values, u


def ours(frame: pd.DataFrame):
    r = gpv_from_frame(frame)
    # gpv_from_frame returns rows grouped by N, in input order within: one N here, so aligned.
    assert np.array_equal(r.bid, frame["bid"].to_numpy())
    return r.pseudo_value, r.trimmed, r.groups[0].bandwidth


def simple_fpa_values(frame: pd.DataFrame, trim_percent: float = 5.0,
                      smoothing_rate: float = 0.2):
    """simple-fpa's pseudo-values for the bids of ``frame`` (aligned with its rows)."""
    from simple_fpa import Model

    data = pd.DataFrame({"auctionid": frame["auction_id"].to_numpy(),
                         "bid": frame["bid"].to_numpy()})
    data.index = np.arange(len(data))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = Model(data=data, auctionid_columns=["auctionid"], bid_column="bid")
        # Plain mode: what residualize() sets, with no regression (additive, fitted value 0).
        m.model_type = "additive"
        m.data["_resid"] = m.data["bid"]
        m.data["_fitted"] = 0.0
        m.data.sort_values(by="_resid", inplace=True)
        m.trim_residuals(0)
        m.fit(smoothing_rate=smoothing_rate, trim_percent=trim_percent, boundary="reflect")
        m.predict()
    d = m.data.sort_index()
    pv = d["_latent_bid"].to_numpy()
    if np.isnan(pv).any():
        raise RuntimeError("simple-fpa left bids without a pseudo-value")
    # Its boundary zone: the first and last m.trim bids in sorted order.
    rank = np.empty(len(d), dtype=np.int64)
    rank[np.argsort(d["bid"].to_numpy(), kind="stable")] = np.arange(len(d))
    trimmed = (rank < m.trim) | (rank >= len(d) - m.trim)
    assert np.allclose(d["bid"].to_numpy(), frame["bid"].to_numpy())
    return pv, trimmed, {"band_u": float(m.band), "trim": int(m.trim),
                         "warned": "Warning" in out.getvalue()}


def _ise(err2: np.ndarray, mask: np.ndarray) -> float:
    return float(err2[mask].mean()) if mask.any() else float("nan")


def one_run(law: str, n_bidders: int, n_auctions: int, seed: np.random.SeedSequence,
            sfpa_trim: float = 5.0) -> dict:
    rng = np.random.default_rng(seed)
    frame, values, u = simulate(law, n_bidders, n_auctions, rng)
    pv_o, tr_o, h = ours(frame)
    pv_s, tr_s, info = simple_fpa_values(frame, trim_percent=sfpa_trim)
    interior = (u >= 0.1) & (u <= 0.9)
    common = ~tr_o & ~tr_s
    e_o, e_s = (pv_o - values) ** 2, (pv_s - values) ** 2
    row = {"h_ours": h, "trim_ours": float(tr_o.mean()), "trim_sfpa": float(tr_s.mean()),
           "band_u_sfpa": info["band_u"], "sfpa_warned": info["warned"]}
    for s, keep in (("common", common), ("all", np.ones_like(common))):
        for reg, rmask in (("interior", interior), ("boundary", ~interior)):
            mask = keep & rmask
            row[f"{s}/{reg}/n"] = int(mask.sum())
            row[f"{s}/{reg}/ours"] = _ise(e_o, mask)
            row[f"{s}/{reg}/sfpa"] = _ise(e_s, mask)
    return row


def summarise(rows: list[dict]) -> dict:
    out = {"h_ours": float(np.median([r["h_ours"] for r in rows])),
           "trim_ours": float(np.median([r["trim_ours"] for r in rows])),
           "trim_sfpa": float(np.median([r["trim_sfpa"] for r in rows])),
           "band_u_sfpa": float(np.median([r["band_u_sfpa"] for r in rows])),
           "sfpa_warned": int(sum(r["sfpa_warned"] for r in rows))}
    for s in SETS:
        for reg in REGIONS:
            k = f"{s}/{reg}"
            o = np.array([r[k + "/ours"] for r in rows])
            f = np.array([r[k + "/sfpa"] for r in rows])
            ratio = o / f
            ok = np.isfinite(ratio)
            out[k] = {"n_median": float(np.median([r[k + "/n"] for r in rows])),
                      "ise_ours": float(np.nanmedian(o)) if ok.any() else None,
                      "ise_sfpa": float(np.nanmedian(f)) if ok.any() else None,
                      "ratio_median": float(np.median(ratio[ok])) if ok.any() else None,
                      "ratio_min": float(ratio[ok].min()) if ok.any() else None,
                      "ratio_max": float(ratio[ok].max()) if ok.any() else None,
                      "seeds": int(ok.sum())}
    return out


def _fmt_cell(c: dict) -> str:
    if c["ratio_median"] is None:
        return "— | — | —"
    return (f"{c['ise_ours']:.2e} | {c['ise_sfpa']:.2e} | **{c['ratio_median']:.2f}** "
            f"[{c['ratio_min']:.2f}, {c['ratio_max']:.2f}]")


def markdown(results: list[dict]) -> str:
    lines = []
    for s, title in (("common", "Bids both estimators keep (neither trims)"),
                     ("all", "All bids (trimmed pseudo-values included as produced)")):
        lines += [f"**{title}.** ISE = mean (ξ̂ − v)², median over seeds; ratio = ours / "
                  "simple-fpa, median [min, max] over seeds.", "",
                  "| law | N | auctions | interior: ours | simple-fpa | ratio | "
                  "boundary: ours | simple-fpa | ratio |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for r in results:
            sm = r["summary"]
            lines.append(f"| {r['law']} | {r['n_bidders']} | {r['n_auctions']} | "
                         f"{_fmt_cell(sm[s + '/interior'])} | {_fmt_cell(sm[s + '/boundary'])} |")
        lines.append("")
    lines += ["**Trimming** (median share of bids; h = our bandwidth in bid units; simple-fpa's "
              "band is in quantile units).", "",
              "| law | N | auctions | ours trims | h | simple-fpa trims | its band | "
              "common boundary bids | 'not enough trimming' warnings |",
              "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        sm = r["summary"]
        lines.append(f"| {r['law']} | {r['n_bidders']} | {r['n_auctions']} | "
                     f"{sm['trim_ours']:.1%} | {sm['h_ours']:.3g} | {sm['trim_sfpa']:.1%} | "
                     f"{sm['band_u_sfpa']:.3f} | {sm['common/boundary']['n_median']:.0f} | "
                     f"{sm['sfpa_warned']}/{r['seeds']} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--seeds", type=int, default=20, help="seeds per cell (default 20)")
    p.add_argument("--auctions", type=int, nargs="+", default=[500, 2000])
    p.add_argument("--bidders", type=int, nargs="+", default=[2, 3, 5])
    p.add_argument("--quick", action="store_true", help="5 seeds, 500 auctions")
    p.add_argument("--entropy", type=int, default=20261130, help="root SeedSequence entropy")
    p.add_argument("--sfpa-trim", type=float, default=5.0,
                   help="simple-fpa's trim_percent (its default 5; its reflection window)")
    p.add_argument("--json", metavar="PATH", help="write the per-cell summaries and raw rows")
    a = p.parse_args(argv)
    if a.quick:
        a.seeds, a.auctions = min(a.seeds, 5), [500]
    if a.seeds < 1:
        p.error("--seeds must be at least 1")
    root = np.random.SeedSequence(a.entropy)
    cells = [(law, n, m) for law in LAWS for n in a.bidders for m in a.auctions]
    children = root.spawn(len(cells))
    results, t0 = [], time.perf_counter()
    for (law, n, m), child in zip(cells, children, strict=True):
        rows = [one_run(law, n, m, s, a.sfpa_trim) for s in child.spawn(a.seeds)]
        results.append({"law": law, "n_bidders": n, "n_auctions": m, "seeds": a.seeds,
                        "summary": summarise(rows), "rows": rows})
        print(f"done {law} N={n} auctions={m} ({time.perf_counter() - t0:.0f}s)",
              file=sys.stderr)
    print(f"simple-fpa: trim_percent = {a.sfpa_trim:g}, smoothing_rate = 0.2, reflect; "
          f"{a.seeds} seeds per cell, SeedSequence({a.entropy})\n")
    print(markdown(results))
    if a.json:
        with open(a.json, "w") as fh:
            json.dump({"entropy": a.entropy, "seeds": a.seeds, "sfpa_trim": a.sfpa_trim,
                       "results": results}, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
