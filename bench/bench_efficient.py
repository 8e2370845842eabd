"""Benchmark: allocation graph (Thm 4.3) vs component graph (Thm 4.6), time per agent.

Combinatorial auctions with 3–6 items. Bidder 1 (the agent priced) values every bundle of at
most two items; her type space is a union of K boxes, each box letting her value ``width``
bundles in [lo, lo + 6] (the others fixed at 0), so a box can have several efficient outcomes.
Three more bidders submit three random XOR bids each (bundles of at most two items). Both
graphs are built from the same shared activity step (which outcomes are efficient somewhere on
each box), timed separately, and their shortest-path solutions are checked to agree exactly.

    python bench/bench_efficient.py            # full grid (a few minutes on 2 cores)
    python bench/bench_efficient.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from numerics.efficient import Polyhedron, combinatorial_auction  # noqa: E402
from numerics.efficient.graphs import (  # noqa: E402
    activity,
    allocation_graph,
    component_graph,
    components,
)
from numerics.efficient.model import agent_view  # noqa: E402

F = Fraction


def instance(n_items: int, k_pieces: int, width: int, seed: int):
    rng = np.random.default_rng(np.random.SeedSequence([n_items, k_pieces, width, seed]))
    items = tuple("ABCDEFGH"[:n_items])
    own = [frozenset(c) for r in (1, 2) for c in itertools.combinations(items, r)]
    d = len(own)
    pieces = []
    for k in range(k_pieces):
        chosen = set(int(j) for j in rng.choice(d, size=min(width, d), replace=False))
        lo = int(rng.integers(3, 9))
        ub = []
        for j in chosen:
            ub += [({j: F(-1)}, F(-lo)), ({j: F(1)}, F(lo + 6))]
        eq = tuple(({j: F(1)}, F(0)) for j in range(d) if j not in chosen)
        pieces.append(Polyhedron(d, tuple(ub), eq, None, f"box {k}"))
    first = pieces[0]
    report = [F(0)] * d
    for row, b in first.ub:
        ((j, a),) = row.items()
        if a < 0:
            report[j] = -b
    bidders = [("1", own, tuple(report), tuple(pieces))]
    for b in range(3):
        picks = rng.choice(d, size=3, replace=False)
        bundles = [own[int(p)] for p in picks]
        bids = tuple(F(int(rng.integers(1, 7))) for _ in bundles)
        bidders.append((str(b + 2), bundles, bids, None))
    return combinatorial_auction(items, bidders)


def run_one(n_items, k_pieces, width, seed):
    model = instance(n_items, k_pieces, width, seed)
    view = model.view(0)
    t0 = time.perf_counter()
    act = activity(view)
    comps = components(view)
    t1 = time.perf_counter()
    ag = allocation_graph(view, act)
    t2 = time.perf_counter()
    cg = component_graph(view, act, comps)
    t3 = time.perf_counter()
    shared_lps = sum(len(view.outcomes) for p in view.pieces if p.point is None)
    agree = all(
        ag.h[ag.members.index((k,))] == cg.h[c] for c, ks in enumerate(cg.outcomes) for k in ks
    )
    return {
        "items": n_items,
        "K": k_pieces,
        "width": width,
        "seed": seed,
        "outcomes": len(model.outcomes),
        "classes": len(view.outcomes),
        "active": len(ag.members),
        "components": len(comps),
        "t_shared": t1 - t0,
        "t_alloc": t2 - t1,
        "t_comp": t3 - t2,
        "edges_alloc": len(ag.edges),
        "edges_comp": len(cg.edges),
        "lp_shared": shared_lps,
        "lp_alloc": ag.lp_count - shared_lps,
        "lp_comp": cg.lp_count - shared_lps,
        "agree": agree,
    }


def run_literal(n_items, k_pieces, width, seed):
    """Thm 4.3 taken literally: vertices = all of Γ (no class reduction), versus reduced."""
    model = instance(n_items, k_pieces, width, seed)
    out = {"items": n_items, "K": k_pieces, "width": width, "outcomes": len(model.outcomes)}
    for name, view in (("literal", agent_view(model, 0, reduce=False)), ("reduced", model.view(0))):
        t0 = time.perf_counter()
        g = allocation_graph(view)
        out[f"t_{name}"] = time.perf_counter() - t0
        out[f"lp_{name}"] = g.lp_count
        out[f"h_{name}"] = {view.outcomes[k]: h for (k,), h in zip(g.members, g.h, strict=True)}
    out["agree"] = out.pop("h_literal") == out.pop("h_reduced")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", metavar="OUT", help="also write the rows as JSON")
    args = ap.parse_args()
    grid = (
        [(3, 2, 4), (4, 4, 4)]
        if args.quick
        else [(m, k, w) for m in (3, 4, 5, 6) for k in (2, 4, 8) for w in (1, 4, 8)]
    )
    rows = []
    hdr = (
        f"{'items':>5} {'|Γ|':>6} {'cls':>4} {'K':>3} {'w':>2} {'act':>4} {'comp':>4} "
        f"{'shared s':>9} {'alloc s':>8} {'comp s':>8} {'alloc/comp':>10} "
        f"{'LPs sh':>6} {'LPs a':>6} {'LPs c':>6} agree"
    )
    print(hdr)
    for m, k, w in grid:
        r = run_one(m, k, w, args.seed)
        rows.append(r)
        ratio = r["t_alloc"] / max(r["t_comp"], 1e-9)
        print(
            f"{m:>5} {r['outcomes']:>6} {r['classes']:>4} {k:>3} {w:>2} {r['active']:>4} "
            f"{r['components']:>4} {r['t_shared']:>9.3f} {r['t_alloc']:>8.3f} "
            f"{r['t_comp']:>8.3f} {ratio:>10.2f} {r['lp_shared']:>6} {r['lp_alloc']:>6} "
            f"{r['lp_comp']:>6} "
            f"{r['agree']}",
            flush=True,
        )
    print("\nThm 4.3 literally on all of Γ vs after the class reduction (allocation graph):")
    print(
        f"{'items':>5} {'|Γ|':>6} {'K':>3} {'w':>2} {'literal s':>10} {'reduced s':>10} "
        f"{'ratio':>7} {'LPs lit':>8} {'LPs red':>8} agree"
    )
    lit_grid = [(3, 2, 4), (4, 2, 4)] if args.quick else [(m, 2, 4) for m in (3, 4, 5, 6)]
    for m, k, w in lit_grid:
        r = run_literal(m, k, w, args.seed)
        rows.append(r)
        print(
            f"{m:>5} {r['outcomes']:>6} {k:>3} {w:>2} {r['t_literal']:>10.3f} "
            f"{r['t_reduced']:>10.3f} {r['t_literal'] / r['t_reduced']:>7.1f} "
            f"{r['lp_literal']:>8} {r['lp_reduced']:>8} {r['agree']}",
            flush=True,
        )
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)


if __name__ == "__main__":
    main()
