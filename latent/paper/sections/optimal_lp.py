"""Part of section 4: Yao's bi-valued settings (BIC vs DSIC, certified) and grand bundling."""

from __future__ import annotations

from fractions import Fraction

from latent.paper.base import Context, dumps
from latent.paper.latex import fraction, table
from numerics.lp import check_grand_bundling, smallest_bundling_shift, yao_optimal

H = Fraction(1, 2)


def optimal_lp_part(ctx: Context):
    settings = [(2, 2, H, 1, 2), (3, 2, H, 1, 2)] if ctx.quick else \
        [(2, 2, H, 1, 2), (3, 2, H, 1, 2), (4, 2, H, 1, 2), (2, 3, H, 1, 2), (8, 4, H, 1, 2)]
    rows, data, problems = [], [], []
    for n, m, p, a, b in settings:
        bic = yao_optimal(n, m, p, a, b, ic="bic")
        dsic = yao_optimal(n, m, p, a, b, ic="dsic") if (2 ** m) ** n <= 4096 else None
        for r in (bic, dsic):
            if r is not None and r.certificate.status != "verified":
                problems.append(f"Yao n={n} m={m} {r.ic}: certificate {r.certificate.status}")
        rows.append([f"${n}$", f"${m}$", fraction(p), f"$({a}, {b})$", fraction(bic.revenue),
                     fraction(dsic.revenue) if dsic else "(ex-post LP too large)",
                     bic.certificate.status])
        data.append({"n": n, "m": m, "p": str(p), "a": a, "b": b,
                     "bic": str(bic.revenue), "dsic": str(dsic.revenue) if dsic else None,
                     "certificate": bic.certificate.status})
    # Yao's closed forms for n = 2, (p, a, b) = (1/2, 1, 2): r_B = 3.1875, r_D = 3.125.
    first = data[0]
    if (Fraction(first["bic"]), Fraction(first["dsic"])) != (Fraction(51, 16), Fraction(25, 8)):
        problems.append("Yao n=2: does not match r_B = 51/16, r_D = 25/8")
    marg = [([0, 1], [H, H]), ([0, 2], [H, H])]
    check = check_grand_bundling(marg)
    shift = smallest_bundling_shift(marg)
    lo, hi = shift.lo, shift.hi
    bundling = (
        r"\paragraph{Grand bundling (Mertzanidis \& Terzoglou).} One buyer, two items with values "
        r"in "
        r"$\{0, 1\}$ and $\{0, 2\}$, each with probability $\tfrac12$: the optimal revenue "
        rf"is {fraction(check.optimum, display=True)} (exact), grand bundling earns "
        rf"{fraction(check.bundling, display=True)} at price "
        rf"{fraction(check.bundle_price, display=True)}, so grand "
        rf"bundling is {'' if check.optimal else 'not '}optimal. Adding $s$ to every value, it "
        rf"becomes optimal for $s \in ({fraction(lo, display=True)[1:-1]}, "
        rf"{fraction(hi, display=True)[1:-1]}]$ (a bracket "
        r"by exact LPs), as Mertzanidis \& Terzoglou expect: bundling is optimal for large values.")
    tex = "\n\n".join([
        r"\paragraph{Yao's bi-valued settings (Mertzanidis \& Terzoglou).} $n$ i.i.d.\ agents, "
        r"$m$ i.i.d.\ "
        r"items, values in $\{a, b\}$ with $P(a) = p$; the optimal revenue over BIC and over "
        r"DSIC mechanisms, each certified by an exact re-solve of the HiGHS basis in rationals "
        r"(Table~\ref{tab:yao}).",
        table(["$n$", "$m$", "$p$", "$(a, b)$", "BIC optimum", "DSIC optimum", "certificate"],
              rows, "Yao settings: the BIC and DSIC optimal revenues (exact).", "yao",
              spec="rrrcccl", escape_cells=False),
        bundling,
    ])
    files = {"data/yao.json": dumps(
        {"yao": data, "bundling": {**check.to_dict(), **shift.to_dict()}})}
    return tex, files, problems
