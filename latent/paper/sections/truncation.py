"""Section 3: truncation revenue loss — the exact grade-restricted frontier and at scale."""

from __future__ import annotations

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import latex_escape, table
from latent.studies.knee import exact_frontier
from latent.studies.truncation import frontier_at_scale

DEFINITIONS = (
    "Two definitions of the truncation revenue loss (DESIGN §6). Exact: Rev* − Rev^(R), where "
    "Rev^(R) is the best revenue of a feasible, BIC, IR allocation rule of ANOVA grade ≤ R on "
    "the discretised type grid (an exact LP, certified in rationals). At scale: the naive "
    "truncation x^(≤R) of the optimal rule keeps all revenue (revenue sees only grade ≤ 1) "
    "but is infeasible; the repaired truncation projects it onto {x ≥ 0, Σ x ≤ 1} and is "
    "valued by Myerson's lemma — a constructive point, no longer of grade ≤ R."
)


def _plot(points, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    for label, xs, ys in points:
        ax.plot(xs, ys, "o-", label=label)
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("grade R")
    ax.set_ylabel("Rev^(R) / Rev*")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def truncation_section(ctx: Context) -> Section:
    instances = [(3, "uniform", 4)] if ctx.quick else [(3, "uniform", 4), (4, "uniform", 4),
                                                       (3, "exponential", 4)]
    rows, curves, data, problems = [], [], {"exact": [], "scale": []}, []
    for n, values, k in instances:
        fr = exact_frontier(n, values, k)
        f = fr.frontier
        if not fr.ends_at_optimum:
            problems.append(f"exact frontier N={n} {values}: Rev^(N) != Rev*")
        revs = [p.revenue if p.revenue is not None else p.revenue_float for p in f.points]
        if any(b < a for a, b in zip(revs, revs[1:], strict=False)):
            problems.append(f"exact frontier N={n} {values}: not monotone in R")
        for p in f.points:
            rows.append([f"N={n}, {values}, K={k}", str(p.grade),
                         f"{p.revenue} (exact)" if p.revenue is not None else
                         f"{p.revenue_float:.6f}", f"{p.ratio:.4f}",
                         f"{f.optimum} (exact)" if f.optimum is not None else "-"])
        curves.append((f"exact LP, N={n}, {values}", [p.grade for p in f.points],
                       [p.ratio for p in f.points]))
        data["exact"].append(fr.to_dict())
    scale = frontier_at_scale("myerson", n=10, values="uniform",
                              samples=20_000 if ctx.quick else 200_000,
                              eval_samples=20_000 if ctx.quick else 200_000, seed=ctx.seed)
    srows = []
    for p in scale.points:
        r = p.ratio
        srows.append([str(p.grade), f"{p.naive_revenue.mean:.4f} [{p.naive_revenue.ci[0]:.4f}, "
                      f"{p.naive_revenue.ci[1]:.4f}]", f"{p.infeasible_fraction:.3f}",
                      f"{p.repaired_revenue.mean:.4f} [{p.repaired_revenue.ci[0]:.4f}, "
                      f"{p.repaired_revenue.ci[1]:.4f}]",
                      f"{r.mean:.4f} [{r.ci[0]:.4f}, {r.ci[1]:.4f}]"])
    curves.append(("repaired truncation, N=10 (MC)", [p.grade for p in scale.points],
                   [p.ratio.mean for p in scale.points]))
    data["scale"].append(scale.to_dict())
    fig = "figures/frontier.pdf"
    (ctx.out / "figures").mkdir(parents=True, exist_ok=True)
    _plot(curves, ctx.out / fig)
    opt = scale.optimum
    tex = "\n\n".join([
        latex_escape(DEFINITIONS),
        table(["instance", "R", "Rev^(R)", "Rev^(R)/Rev*", "Rev*"], rows,
              caption="Exact revenue-grade frontier (certified LP)"),
        table(["R", "naive truncation revenue", "share infeasible", "repaired revenue",
               "repaired / Rev*"], srows,
              caption=f"At scale: Myerson, N = 10 uniform bidders, Rev* = {opt.mean:.4f} "
                      f"[{opt.ci[0]:.4f}, {opt.ci[1]:.4f}] (Monte Carlo, 95% CIs)"),
        r"\begin{figure}[htbp]\centering\includegraphics[width=0.6\linewidth]{" + fig + "}"
        r"\caption{Revenue--grade frontier.}\end{figure}",
    ])
    return Section("Truncation revenue loss", tex, {"data/frontier.json": dumps(data)},
                   ok=not problems, problems=tuple(problems))
