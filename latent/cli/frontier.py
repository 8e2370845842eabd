"""``python -m latent frontier``: the revenue–grade frontier Rev^(R), R = 1..N (exact LPs)."""

from __future__ import annotations

import argparse
import sys
from fractions import Fraction
from math import comb

from tqdm import tqdm

from latent.cli.common import UsageError, print_json
from numerics.lp import grade_restricted as gr
from numerics.lp.discretize import parse_grid
from numerics.lp.grade_restricted import Frontier, GradePoint
from numerics.lp.optimal import TypeSpace

NAME = "frontier"
HELP = "revenue-grade frontier: best revenue of grade-<=R mechanisms vs the optimum (exact LP)"
DESCRIPTION = """\
For N iid bidders whose values (per item, additive) are discretised to K grid points, Rev^(R)
is the best revenue of a feasible, BIC, IR mechanism whose allocation rule has ANOVA grade <= R
(a sum of functions of at most R bidders' types), computed as an LP with bidder symmetry.
Reported for R = 1..N with Rev* (Myerson, exact, for one item; the reduced Border LP for
several), the loss Rev* - Rev^(R) and the ratio Rev^(R)/Rev*: the truncation revenue loss of
seed 000 (Thm 3.1/5.1) on the grid. Grid values are quantile midpoints rounded to 1e-4
(discrete laws are kept exact). Revenues are exact ("p/q") when the certificate is verified."""
EPILOG = """\
Examples:
  python -m latent frontier --bidders 3 --values uniform --grid 4
  python -m latent frontier --bidders 6 --values uniform --grid 8 --json --plot frontier.png
  python -m latent frontier --bidders 3 --values discrete:1,2,3:1/3,1/3,1/3 --grid 3 --items 2
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--bidders", type=int, required=True, help="number of bidders N")
    parser.add_argument(
        "--values",
        default="uniform",
        help="value law per item (numerics.valuations grammar, or discrete:...)",
    )
    parser.add_argument("--grid", type=int, default=8, help="grid points K per bidder and item")
    parser.add_argument("--items", type=int, default=1, help="number of items M (additive)")
    parser.add_argument("--grades", default=None, help="comma-separated grades (default 1..N)")
    parser.add_argument(
        "--certify",
        choices=["auto", "always", "never"],
        default="auto",
        help="exact certificates: auto = when the LP has <= 3000 rows",
    )
    parser.add_argument("--plot", default=None, help="write a plot (PNG) to this path")
    parser.add_argument("--seed", type=int, default=0, help="unused: the LP is deterministic")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="machine-readable output")


def _grades(text, n):
    if text is None:
        return list(range(1, n + 1))
    try:
        gs = sorted({int(g) for g in text.split(",") if g.strip()})
    except ValueError as exc:
        raise UsageError(f"--grades must be comma-separated integers, got {text!r}") from exc
    if not gs or gs[0] < 1 or gs[-1] > n:
        raise UsageError(f"--grades must lie in 1..{n}")
    return gs


def run(args) -> int:
    if args.bidders < 1 or args.bidders > 8:
        raise UsageError("--bidders must be in 1..8")
    if args.grid < 1 or args.items < 1:
        raise UsageError("--grid and --items must be at least 1")
    grades = _grades(args.grades, args.bidders)
    try:
        vals, probs = parse_grid(args.values, args.grid)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    ts = TypeSpace.product([(vals, probs)] * args.items)
    kt = len(ts.types)

    size = kt * comb(kt + args.bidders - 2, args.bidders - 1) * args.items
    if size > 200_000:
        raise UsageError(f"grid too large: {size} allocation variables (reduce --grid/--items)")
    if args.items > 1 and kt > 16:
        raise UsageError("Rev* for several items uses the Border LP: at most 16 types per bidder")

    certify_for = {
        "always": lambda r: True,
        "never": lambda r: False,
        "auto": lambda r: r <= 3000,
    }[args.certify]
    show = not args.quiet and sys.stderr.isatty()
    rows = []
    opt = gr.rev_star(ts, args.bidders, args.certify != "never")

    for r in tqdm(grades, disable=not show, desc="grades"):
        lp = gr.build_grade_lp(ts, args.bidders, r)
        sol, chk = gr.solve_and_certify(lp, certify_for(lp.shape[1] + lp.shape[2]), solver="ipm")
        rows.append((r, chk, sol, lp.shape))
    front = _assemble(ts, args.bidders, opt, rows)
    if args.plot:
        _plot(front, args.plot, args.values, args.grid)
    if args.json:
        out = front.to_dict()
        out["values"] = args.values
        out["grid"] = {"K": args.grid, "values": vals, "probs": probs}
        print_json(out)
    else:
        _print(front, args)
    return 0


def _assemble(ts, n, opt, rows):
    exact, opt_f, method = opt
    base = float(exact) if exact is not None else opt_f
    pts = []
    for r, chk, sol, shape in rows:
        val = float(chk.value) if chk.ok else sol.objective
        pts.append(
            GradePoint(
                r,
                chk.value if chk.ok else None,
                sol.objective,
                val / base,
                base - val,
                chk.status
                if chk.reason != "not requested"
                else "not attempted (LP too large; use --certify always)",
                shape,
                sol.seconds,
            )
        )
    return Frontier(n, len(ts.types), ts.n_items, exact, opt_f, method, tuple(pts))


def _fmt(v, vf):
    return f"{v} = {float(v):.6f} (exact)" if isinstance(v, Fraction) else f"{vf:.6f} (float)"


def _print(front, args) -> None:
    print(
        f"N = {front.n_bidders} bidders, {args.items} item(s), values {args.values}, "
        f"grid K = {args.grid} ({front.n_types} types per bidder)"
    )
    print(f"Rev* = {_fmt(front.optimum, front.optimum_float)}  [{front.optimum_method}]")
    print(f"{'R':>3} {'Rev^(R)':>34} {'loss':>10} {'ratio':>8}  certificate")
    for p in front.points:
        print(
            f"{p.grade:>3} {_fmt(p.revenue, p.revenue_float):>34} {p.loss:>10.6f} "
            f"{p.ratio:>8.5f}  {p.certificate}"
        )
    print(
        "Rev^(R): best feasible BIC IR mechanism with allocation of ANOVA grade <= R on "
        "the grid; "
        "loss = Rev* - Rev^(R)."
    )


def _plot(front, path, values, k) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    rs = [p.grade for p in front.points]
    ax.plot(rs, [p.revenue_float for p in front.points], "o-", label="Rev^(R)")
    opt = float(front.optimum) if front.optimum is not None else front.optimum_float
    ax.axhline(opt, color="k", ls="--", label="Rev*")
    ax.set_xlabel("grade R")
    ax.set_ylabel("revenue")
    ax.set_xticks(rs)
    ax.set_title(f"N={front.n_bidders}, values {values}, K={k}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
