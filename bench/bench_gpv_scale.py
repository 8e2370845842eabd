"""GPV inversion in levels or in logs: which recovers the value law better, measured.

Symmetric IPV first-price auctions, N in {2, 3, 5}, ``--auctions`` auctions per data set (2000 by
default), equilibrium bids from latent.data.gpv.equilibrium_bids, value laws

* uniform[0, 1];
* lognormal(0, σ), σ in {0.5, 1.0};
* Pareto(α) on [1, ∞), α in {1.5, 2, 3} (untruncated: the bids are bounded above by the mean of
  the highest of N − 1 values, so the top values come from a sliver of bids).

Per data set both scales invert the same bids (latent.data.gpv.gpv_pseudo_values, Silverman
bandwidth on the bids or on the log bids, reflection at the sample's ends, flagged bids kept as
the pipeline keeps them). Reported per (law, N, scale), medians over seeds unless said:

* q-RMSE: root mean square of the relative error of the pseudo-values' quantiles
  τ = 0.05, 0.10, …, 0.95, 0.99 against the true quantiles of the value law;
* max ratio: largest pseudo-value / largest true value of the same data set;
* top1 pv / top1 true: the share of the sum held by the top 1% of the pseudo-values, and of
  the true values of the same data set;
* SP bias, Myerson bias: mean over seeds of (estimate − truth)/truth, the estimate computed on
  the empirical law of the pseudo-values (second price: the exact expected second-highest of N
  iid draws; Myerson: the exact revenue of the second-price auction with the best reserve for
  that empirical law, which is Myerson's auction when the law is regular), the truth on the
  population law by quadrature; ``oracle`` is the same computation on the true values of the
  data set (the sampling error that no inversion can remove); ``drop`` the same on the
  retained pseudo-values only (GPV's second step, bids within h of the ends dropped).

Run: python bench/bench_gpv_scale.py [--seeds 20] [--auctions 2000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy import integrate, optimize, stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from latent.data.gpv import equilibrium_bids, gpv_pseudo_values
from latent.data.tails import top_share
from latent.estimate.specification import iid_second_price_revenue

TAU = np.r_[np.arange(1, 20) / 20, 0.99]


def _pareto(alpha: float):
    return (lambda s: np.clip(1.0 - np.maximum(s, 1.0) ** -alpha, 0.0, 1.0),
            lambda p: (1.0 - p) ** (-1.0 / alpha), 1.0)


def _lognormal(sigma: float):
    law = stats.lognorm(sigma)
    return law.cdf, law.ppf, 0.0


LAWS = {
    "uniform": (lambda s: np.clip(s, 0.0, 1.0), lambda p: p, 0.0),
    "lognormal σ=0.5": _lognormal(0.5),
    "lognormal σ=1": _lognormal(1.0),
    "Pareto α=1.5": _pareto(1.5),
    "Pareto α=2": _pareto(2.0),
    "Pareto α=3": _pareto(3.0),
}
# Residual multiplicative heterogeneity, as homogenised real bids carry it: value e^η w with w
# from the base law and η ~ N(0, τ²) one per auction, known to the bidders (bids e^η β(w)),
# not to the econometrician. The pooled inversion is then misspecified and has no revenue
# truth; these rows measure only whether an inversion invents an upper tail the values lack
# (quantiles against the data set's own true values).
HETERO = {"uniform × e^η, τ=0.5": ("uniform", 0.5),
          "lognormal σ=0.5 × e^η, τ=0.5": ("lognormal σ=0.5", 0.5)}


def population_revenues(ppf, n: int) -> tuple[float, float]:
    """(second price, best-reserve second price) for N iid values of the law with quantile
    function ``ppf``, by quadrature in quantile space: E[Y2 1{Y2 ≥ r}] = ∫_{F(r)}^1 Q(p) H'(p) dp
    with H(p) = N p^(N−1) − (N − 1) p^N, plus r P(Y1 ≥ r > Y2) = r N F^(N−1) (1 − F)."""
    def upper(p0):
        return integrate.quad(lambda p: float(ppf(p)) * n * (n - 1) * p ** (n - 2) * (1 - p),
                              p0, 1.0, limit=200, epsabs=1e-11, epsrel=1e-10)[0]

    sp = upper(0.0)

    def neg(p0):
        return -(upper(p0) + float(ppf(p0)) * n * p0 ** (n - 1) * (1 - p0))

    best = optimize.minimize_scalar(neg, bounds=(0.0, 0.999), method="bounded",
                                    options={"xatol": 1e-8})
    return sp, max(sp, -float(best.fun))


def best_reserve_revenue(values, n: int) -> float:
    """Exact revenue of the second-price auction with the best reserve (an atom) for N iid draws
    from the empirical law of ``values`` (distinct values assumed; ties change it at O(1/n))."""
    v = np.sort(np.asarray(values, float).ravel())
    m = v.size
    f = np.arange(m + 1) / m
    h = n * f ** (n - 1) - (n - 1) * f ** n
    tail = np.cumsum((v * np.diff(h))[::-1])[::-1]  # Σ_{i ≥ j} v_i ΔH_i
    below = f[:-1]  # F just below atom j
    return float(np.max(tail + v * n * below ** (n - 1) * (1 - below)))


def run(seeds: int, auctions: int) -> list[dict]:
    rows = []
    cases = [(law, law, 0.0) for law in LAWS] + [(k, b, t) for k, (b, t) in HETERO.items()]
    for li, (law, base, tau) in enumerate(cases):
        cdf, ppf, lower = LAWS[base]
        for n in (2, 3, 5):
            sp_true, my_true = population_revenues(ppf, n) if tau == 0 else (np.nan, np.nan)
            q_true = ppf(TAU)
            acc = {s: {k: [] for k in ("qrmse", "maxratio", "top1", "top1_true", "sp", "my",
                                       "sp_drop", "my_drop", "sp_oracle", "my_oracle",
                                       "trimmed", "rejected")}
                   for s in ("levels", "log")}
            for seed in range(seeds):
                rng = np.random.default_rng(np.random.SeedSequence([2024, li, n, seed]))
                v = ppf(rng.random((auctions, n)))
                b = equilibrium_bids(v, n, cdf, lower)
                if tau:
                    eta = np.exp(tau * rng.standard_normal((auctions, 1)))
                    v, b = v * eta, b * eta
                    q_true = np.quantile(v, TAU)
                for scale in ("levels", "log"):
                    r = gpv_pseudo_values(b, scale=scale)
                    pv, keep = r.pseudo_value, ~r.trimmed
                    a = acc[scale]
                    a["qrmse"].append(float(np.sqrt(np.mean((np.quantile(pv, TAU) / q_true - 1)
                                                            ** 2))))
                    a["maxratio"].append(float(pv.max() / v.max()))
                    a["top1"].append(top_share(pv))
                    a["top1_true"].append(top_share(v.ravel()))
                    a["sp"].append(iid_second_price_revenue(pv, n) / sp_true - 1)
                    a["my"].append(best_reserve_revenue(pv, n) / my_true - 1)
                    a["sp_drop"].append(iid_second_price_revenue(pv[keep], n) / sp_true - 1)
                    a["my_drop"].append(best_reserve_revenue(pv[keep], n) / my_true - 1)
                    a["sp_oracle"].append(iid_second_price_revenue(v, n) / sp_true - 1)
                    a["my_oracle"].append(best_reserve_revenue(v, n) / my_true - 1)
                    a["trimmed"].append(r.groups[0].n_trimmed / pv.size)
                    a["rejected"].append(r.groups[0].monotonicity_rejected)
            for scale, a in acc.items():
                rows.append({
                    "law": law, "N": n, "scale": scale,
                    "qrmse": float(np.median(a["qrmse"])),
                    "maxratio": float(np.median(a["maxratio"])),
                    "maxratio_p90": float(np.quantile(a["maxratio"], 0.9)),
                    "top1": float(np.median(a["top1"])),
                    "top1_true": float(np.median(a["top1_true"])),
                    **{k: float(np.mean(a[k])) for k in ("sp", "my", "sp_drop", "my_drop",
                                                         "sp_oracle", "my_oracle")},
                    "sp_sd": float(np.std(a["sp"], ddof=1)),
                    "my_sd": float(np.std(a["my"], ddof=1)),
                    "trimmed": float(np.mean(a["trimmed"])),
                    "rejected": float(np.mean(a["rejected"])),
                    "sp_true": sp_true, "my_true": my_true})
            print(f"{law:16s} N={n} done", file=sys.stderr)
    return rows


def table(rows: list[dict], seeds: int, auctions: int) -> str:
    out = [f"GPV levels vs logs: {auctions} auctions per data set, {seeds} seeds per cell",
           "", "| law | N | scale | q-RMSE | max ratio (p90) | top1 pv / true | SP bias "
           "(drop; oracle) | Myerson bias (drop; oracle) | flagged | mono. rej. |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        if not np.isfinite(r["sp_true"]):
            out.append(f"| {r['law']} | {r['N']} | {r['scale']} | {r['qrmse']:.3f} | "
                       f"{r['maxratio']:.2f} ({r['maxratio_p90']:.2f}) | {r['top1']:.3f} / "
                       f"{r['top1_true']:.3f} | — | — | {100 * r['trimmed']:.0f}% | "
                       f"{100 * r['rejected']:.0f}% |")
            continue
        out.append(
            f"| {r['law']} | {r['N']} | {r['scale']} | {r['qrmse']:.3f} | "
            f"{r['maxratio']:.2f} ({r['maxratio_p90']:.2f}) | {r['top1']:.3f} / "
            f"{r['top1_true']:.3f} | {100 * r['sp']:+.1f}% ({100 * r['sp_drop']:+.1f}%; "
            f"{100 * r['sp_oracle']:+.1f}%) | {100 * r['my']:+.1f}% ({100 * r['my_drop']:+.1f}%; "
            f"{100 * r['my_oracle']:+.1f}%) | {100 * r['trimmed']:.0f}% | "
            f"{100 * r['rejected']:.0f}% |")
    return "\n".join(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--auctions", type=int, default=2000)
    ap.add_argument("--json", default=None, help="write the rows to this file")
    a = ap.parse_args(argv)
    t0 = time.process_time()
    rows = run(a.seeds, a.auctions)
    print(table(rows, a.seeds, a.auctions))
    print(f"\n({time.process_time() - t0:.0f} s of CPU)")
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
