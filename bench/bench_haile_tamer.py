"""Haile–Tamer bounds (latent.data.ascending): accuracy against the known truth, and time.

No Python implementation of Haile and Tamer (2003) exists to compare against (simple-fpa is
first-price only), so the reference is the simulated truth itself. Data: simulate_ascending,
uniform values, N drawn from {2, 3, 4, 5}; two designs:

* ``sharp``: losers bid their values, no increment (the bounds are point-identifying);
* ``dropouts``: half the bidders stop at a uniform fraction of their value, increment 0.05.

Per (design, auctions), over ``--seeds`` seeds, at the 24 true quantiles τ = 0.04 … 0.96:

* sup|F_U − F|, sup|F_L − F|: worst distance of the half-median-unbiased bounds to F (0 is
  impossible with dropouts: the identified set has width);
* width: mean F_U − F_L (estimate) and mean band width (uniform band, 95%);
* cover: share of seeds whose 95% uniform band holds F at all 24 quantiles, for the exact
  (finite-sample) bands and the bootstrap ones;
* time: seconds per call (199 bootstrap replicates for the half-median-unbiased bounds, the
  24-point grid, exact bands), and per call with the bootstrap bands, on this machine.

Run: python bench/bench_haile_tamer.py [--seeds 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from latent.data.ascending import haile_tamer_bounds, simulate_ascending

QUANTILES = np.linspace(0.04, 0.96, 24)
DESIGNS = {"sharp": (0.0, 0.0), "dropouts": (0.05, 0.5)}


def run(design: str, auctions: int, seeds: int) -> dict:
    inc, drop = DESIGNS[design]
    rows = {"sup_upper": [], "sup_lower": [], "width": [], "band": [], "cover_exact": [],
            "cover_boot": [], "t_exact": [], "t_boot": []}
    for seed in range(seeds):
        s = simulate_ascending(auctions, increment=inc, dropout=drop, seed=seed)
        truth = QUANTILES
        grid = s.law.ppf(QUANTILES)
        t0 = time.perf_counter()
        r = haile_tamer_bounds(s.bids, increment=inc, grid=grid, n_boot=199, seed=seed)
        t1 = time.perf_counter()
        rb = haile_tamer_bounds(s.bids, increment=inc, grid=grid, n_boot=199, seed=seed,
                                bands="bootstrap")
        t2 = time.perf_counter()
        rows["t_exact"].append(t1 - t0)
        rows["t_boot"].append(t2 - t1)
        rows["sup_upper"].append(float(np.max(np.abs(r.upper - truth))))
        rows["sup_lower"].append(float(np.max(np.abs(r.lower - truth))))
        rows["width"].append(float(np.mean(r.upper - r.lower)))
        rows["band"].append(float(np.mean(r.upper_uniform - r.lower_uniform)))
        for key, res in (("cover_exact", r), ("cover_boot", rb)):
            rows[key].append(bool(np.all(res.lower_uniform <= truth + 1e-12)
                                  and np.all(truth <= res.upper_uniform + 1e-12)))
    return {k: float(np.mean(v)) for k, v in rows.items()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--json", help="write the table as JSON here")
    args = ap.parse_args(argv)
    out = []
    print(f"{'design':9} {'auctions':>8} {'sup|F_U-F|':>10} {'sup|F_L-F|':>10} {'width':>6} "
          f"{'band':>6} {'cover ex':>8} {'cover bs':>8} {'s/call':>7} {'s/call bs':>9}")
    for design in DESIGNS:
        for auctions in (200, 1000, 5000):
            r = run(design, auctions, args.seeds)
            out.append({"design": design, "auctions": auctions, **r})
            print(f"{design:9} {auctions:8d} {r['sup_upper']:10.3f} {r['sup_lower']:10.3f} "
                  f"{r['width']:6.3f} {r['band']:6.3f} {r['cover_exact']:8.2f} "
                  f"{r['cover_boot']:8.2f} {r['t_exact']:7.3f} {r['t_boot']:9.3f}",
                  flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(out, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
