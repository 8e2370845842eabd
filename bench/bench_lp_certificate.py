"""Exact LP certificates: integer residuals against Fraction residuals, side by side in one run.

The grade-restricted frontier that ``estimate_rho`` solves per bidder count (N = 2…5, a 6-point
quantile grid of equal weights, grades 1–3) is solved and certified twice per N: with the
package's arithmetic (refinement residuals and the certificate's products over integers on a
common denominator: ``numerics.lp.exact_solve``, ``numerics.lp.model.SparseRows``) and with the
plain baseline kept below (the same algorithms summing ``Fraction`` terms, what the package did
before). Both must give the same exact revenues; the ratio of CPU seconds is reported.

Run: python bench/bench_lp_certificate.py [--repeats 3] [--grid 6]
"""

from __future__ import annotations

import argparse
import math
import time
from contextlib import contextmanager
from fractions import Fraction

import numpy as np
import scipy.sparse as sps
from scipy.sparse.linalg import splu

from numerics.lp import exact_solve, model
from numerics.lp.grade_restricted import frontier
from numerics.lp.optimal import TypeSpace

Q = Fraction


def _fraction_refined(rows, rhs, unknowns, rounds=40):
    """The baseline: iterative refinement with residuals summed over Fractions."""
    n = len(unknowns)
    pos = {u: k for k, u in enumerate(unknowns)}
    ri, ci, vals, exact_rows = [], [], [], []
    for i, row in enumerate(rows):
        er = [(pos[u], a) for u, a in row.items() if a != 0]
        exact_rows.append(er)
        for k, a in er:
            ri.append(i), ci.append(k), vals.append(float(a))
    try:
        lu = splu(sps.csc_matrix((vals, (ri, ci)), shape=(n, n)))
    except RuntimeError:
        return None

    def residual(x):
        return [b - sum((a * x[k] for k, a in er), Q(0))
                for er, b in zip(exact_rows, rhs, strict=True)]

    x, r = [Q(0)] * n, list(rhs)
    for _ in range(rounds):
        rf = np.array([float(v) for v in r])
        scale = float(np.abs(rf).max(initial=0.0))
        if scale == 0.0:
            if all(v == 0 for v in r):
                return {u: x[k] for k, u in enumerate(unknowns)}
            scale = 1.0
        d = lu.solve(rf / scale) * scale
        if not np.all(np.isfinite(d)):
            return None
        x = [xi + Q(float(di)) for xi, di in zip(x, d, strict=True)]
        r = residual(x)
        err = max(float(np.abs(d).max(initial=0.0)) * 1e-8, 1e-300)
        xr = exact_solve._reconstruct(x, int(1 / math.sqrt(2 * err)))
        if xr is not None and all(v == 0 for v in residual(xr)):
            return {u: xr[k] for k, u in enumerate(unknowns)}
    return None


def _fraction_dot(self, x):
    out = []
    for r in range(self.n_rows):
        idx, dat = self.row(r)
        out.append(sum((a * x[j] for j, a in zip(idx.tolist(), dat, strict=True)), Q(0)))
    return out


def _fraction_tdot(self, y):
    out = [Q(0)] * self.n_cols
    for r in range(self.n_rows):
        if y[r] == 0:
            continue
        idx, dat = self.row(r)
        for j, a in zip(idx.tolist(), dat, strict=True):
            out[j] += a * y[r]
    return out


@contextmanager
def fraction_baseline():
    saved = (exact_solve._solve_square_refined, model.SparseRows.dot, model.SparseRows.tdot)
    exact_solve._solve_square_refined = _fraction_refined
    model.SparseRows.dot, model.SparseRows.tdot = _fraction_dot, _fraction_tdot
    try:
        yield
    finally:
        (exact_solve._solve_square_refined, model.SparseRows.dot,
         model.SparseRows.tdot) = saved


def type_space(grid: int, seed: int) -> TypeSpace:
    """A lognormal law on a ``grid``-point quantile grid, rounded as estimate_rho rounds it."""
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    vals = np.sort(rng.lognormal(0.0, 0.5, grid))
    keys = sorted({Fraction(round(v / vals.max() * 10**4), 10**4) for v in vals})
    return TypeSpace.product([(keys, [Fraction(1, len(keys))] * len(keys))])


def run(n: int, ts: TypeSpace) -> tuple[float, tuple]:
    t0 = time.process_time()
    fr = frontier(ts, n, grades=[r for r in (1, 2, 3) if r < n])
    return time.process_time() - t0, tuple(p.revenue for p in fr.points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--grid", type=int, default=6)
    args = parser.parse_args()
    print(f"{'N':>2} {'integer s':>10} {'Fraction s':>11} {'ratio':>6}  same optima")
    total = [0.0, 0.0]
    for n in (2, 3, 4, 5):
        ts = type_space(args.grid, seed=n)
        new, old = [], []
        for _ in range(args.repeats):  # alternate, so that load drifts hit both alike
            t, a = run(n, ts)
            new.append(t)
            with fraction_baseline():
                t, b = run(n, ts)
            old.append(t)
            assert a == b, (n, a, b)
        new_s, old_s = min(new), min(old)
        total[0] += new_s
        total[1] += old_s
        print(f"{n:>2} {new_s:>10.2f} {old_s:>11.2f} {old_s / new_s:>6.2f}  yes")
    print(f"all {total[0]:>9.2f} {total[1]:>11.2f} {total[1] / total[0]:>6.2f}")


if __name__ == "__main__":
    main()
