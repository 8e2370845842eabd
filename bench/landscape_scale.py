"""Seed 000 §6 at the seed's sizes: grade spectra by Monte Carlo, local vs Dask, time and CIs.

Runs (grades over bidders; a bidder's type is her value vector):
  ad auctions       GSP, N = 5, 10, 20 bidders, 3 slots (CTRs 1, 1/2, 1/3), uniform values
  spectrum auctions VCG (item-wise second price, additive), M = 100 licenses, N = 10
  treasury-like     one item, N = 50 (second price and Myerson), uniform values
  frontier at scale  Myerson truncated to grade 1, 2 and repaired
                     (latent.studies.truncation), N = 10, 50
Each run is timed on the in-process executor; the N = 50 run is repeated on the local process
pool (2 workers) and on a Dask LocalCluster (2 workers) — the same chunk plan gives the same
numbers on every executor. Point Dask at a real cluster with ``--scheduler tcp://HOST:8786``.

    python bench/landscape_scale.py            # quick (CI-like), about 1–2 minutes here
    python bench/landscape_scale.py --full     # 10× the samples
"""

from __future__ import annotations

import argparse
import time

from latent.studies.formats import FORMATS
from latent.studies.landscape import format_spectrum
from numerics.engine import EngineConfig


def runs():
    gsp = FORMATS["gsp"]
    yield "GSP N=5, 3 slots", gsp.with_(n=5, m=3)
    yield "GSP N=10, 3 slots", gsp.with_(n=10, m=3)
    yield "GSP N=20, 3 slots", gsp.with_(n=20, m=3)
    yield "VCG M=100 licenses, N=10", FORMATS["vcg"].with_(n=10, m=100)
    yield "one item N=50 (second price)", FORMATS["second_price"].with_(n=50)
    yield "one item N=50 (Myerson)", FORMATS["myerson"].with_(n=50)


def describe(s) -> str:
    fit = s.rho()
    ws = ", ".join(f"W{r}={s.energies[r]:.3g}±{(s.energies_ci[r][1] - s.energies_ci[r][0]) / 2:.2g}"
                   for r in range(1, s.max_grade + 1))
    rel = max((c[1] - c[0]) / 2 / abs(e) for e, c in zip(s.energies[1:], s.energies_ci[1:],
                                                          strict=True) if e != 0)
    rho = (f"ρ={fit.rho:.3g} [{fit.rho_ci[0]:.3g}, {fit.rho_ci[1]:.3g}]" if fit.rho_ci
           else f"ρ={fit.rho:.3g} ({fit.verdict})")
    tail = f", W>{s.max_grade}={s.tail:.3g}±{(s.tail_ci[1] - s.tail_ci[0]) / 2:.2g}"
    return f"{ws}{tail}; {rho}; max rel. CI half-width {rel:.1%}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true")
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=["spectra", "truncation"], default=None)
    a = ap.parse_args()
    samples = 20000 if a.full else 2000
    print(f"samples per run: {samples}, max grade 3, seed {a.seed}")
    if a.only != "spectra":
        truncation(samples * 5, a.seed)
    if a.only == "truncation":
        return
    for name, fmt in runs():
        t = time.perf_counter()
        s = format_spectrum(fmt, samples, 3, a.seed)
        dt = time.perf_counter() - t
        print(f"{name:32s} inline {dt:7.2f} s  evals {s.evaluations:>9d}  {describe(s)}")
    fmt = FORMATS["second_price"].with_(n=50)
    ref = None
    for label, cfg in [
        ("local pool ×1", EngineConfig("local", 1, batch_size=samples // 4, progress=False)),
        ("local pool ×2", EngineConfig("local", 2, batch_size=samples // 4, progress=False)),
        ("dask LocalCluster ×2", EngineConfig("dask", 2, batch_size=samples // 4,
                                              scheduler=a.scheduler, progress=False)),
    ]:
        t = time.perf_counter()
        s = format_spectrum(fmt, samples, 3, a.seed, config=cfg)
        dt = time.perf_counter() - t
        same = "" if ref is None else f" (identical to ×1: {s.energies == ref.energies})"
        ref = ref or s
        print(f"N=50 second price, {label:22s} {dt:7.2f} s{same}  {describe(s)}")


def truncation(samples: int, seed: int) -> None:
    from latent.studies.truncation import frontier_at_scale

    for n in (10, 50):
        t = time.perf_counter()
        f = frontier_at_scale("myerson", n, bins=16, samples=samples, eval_samples=samples,
                              seed=seed)
        dt = time.perf_counter() - t
        pts = "; ".join(f"R={p.grade}: naive {p.naive_revenue!r}, infeasible "
                        f"{p.infeasible_fraction:.0%}, repaired {p.repaired_revenue!r} = "
                        f"{p.ratio!r} of Rev*, monotone {p.monotone}" for p in f.points)
        print(f"truncation Myerson N={n:<3d} {dt:7.2f} s  Rev*={f.optimum!r}; {pts}")


if __name__ == "__main__":
    main()
