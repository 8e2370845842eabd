"""Section 3: truncation revenue loss — the exact grade-restricted frontier and at scale."""

from __future__ import annotations

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import escape, estimate, figure, fraction, number, table
from latent.studies.knee import exact_frontier
from latent.studies.truncation import frontier_at_scale

LEAD = (
    r"\emph{What is shown.} What truncating a revenue-optimal allocation rule at ANOVA grade "
    r"$R$ costs in revenue, under two definitions (after the grade-$R$ truncation theorem of "
    r"Nagy, \emph{Latent Compression}). \emph{Exact:} "
    r"$\mathrm{Rev}^* - \mathrm{Rev}^{(R)}$, where $\mathrm{Rev}^{(R)}$ is the best revenue "
    r"of a feasible, BIC, IR allocation rule of grade at most $R$ on the discretised type "
    r"grid, an exact LP certified in rationals (Table~\ref{tab:frontier-exact}). \emph{At "
    r"scale:} the naive truncation $x^{(\le R)}$ of the optimal rule keeps all revenue "
    r"(revenue sees only grade $\le 1$) but is infeasible; the repaired truncation projects "
    r"it onto $\{x \ge 0,\ \sum_i x_i \le 1\}$ and is valued by Myerson's lemma: a "
    r"constructive point, no longer of grade $\le R$ (Table~\ref{tab:frontier-scale}). "
    r"Figure~\ref{fig:frontier} draws both. \emph{From which command.} "
    r"\texttt{python -m latent frontier}. \emph{What it means.} The ratio "
    r"$\mathrm{Rev}^{(R)}/\mathrm{Rev}^*$ is the share of the optimal revenue that a "
    r"grade-$R$ mechanism can keep; exact values are fractions, Monte Carlo values carry "
    r"95\% confidence intervals.")


def _plot(points, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2))
    for label, xs, ys in points:
        ax.plot(xs, ys, "o-", label=label)
    ax.axhline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_xlabel("grade R")
    ax.set_ylabel(r"$\mathrm{Rev}^{(R)} / \mathrm{Rev}^*$")
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
            rows.append([escape(f"N = {n}, {values}, K = {k}"), str(p.grade),
                         fraction(p.revenue) if p.revenue is not None else
                         number(p.revenue_float, 6), number(p.ratio, 4),
                         fraction(f.optimum) if f.optimum is not None else "--"])
        curves.append((f"exact LP, N={n}, {values}", [p.grade for p in f.points],
                       [p.ratio for p in f.points]))
        data["exact"].append(fr.to_dict())
    scale = frontier_at_scale("myerson", n=10, values="uniform",
                              samples=20_000 if ctx.quick else 200_000,
                              eval_samples=20_000 if ctx.quick else 200_000, seed=ctx.seed)
    srows = []
    for p in scale.points:
        srows.append([str(p.grade), estimate(p.naive_revenue.mean, p.naive_revenue.ci),
                      number(p.infeasible_fraction, 3),
                      estimate(p.repaired_revenue.mean, p.repaired_revenue.ci),
                      estimate(p.ratio.mean, p.ratio.ci)])
    curves.append(("repaired truncation, N=10 (MC)", [p.grade for p in scale.points],
                   [p.ratio.mean for p in scale.points]))
    data["scale"].append(scale.to_dict())
    fig = "figures/frontier.pdf"
    (ctx.out / "figures").mkdir(parents=True, exist_ok=True)
    _plot(curves, ctx.out / fig)
    opt = scale.optimum
    rev = r"$\mathrm{Rev}^{(R)}$"
    tex = "\n\n".join([
        LEAD,
        table(["instance", "$R$", rev, rev + r"$/\mathrm{Rev}^*$", r"$\mathrm{Rev}^*$"], rows,
              "Exact revenue-grade frontier (certified LP): N bidders, K types per bidder, "
              "exact revenues as fractions.", "frontier-exact", spec="Lrrrr",
              escape_cells=False),
        table(["$R$", "naive truncation revenue", "share infeasible", "repaired revenue",
               r"repaired$/\mathrm{Rev}^*$"], srows,
              f"At scale: Myerson, N = 10 uniform bidders, Rev* = {opt.mean:.4f} "
              f"[{opt.ci[0]:.4f}, {opt.ci[1]:.4f}] (Monte Carlo, 95% CIs in brackets).",
              "frontier-scale", spec="rLrLL", escape_cells=False),
        figure(fig, r"Revenue-grade frontier: exact LP (Table~\ref{tab:frontier-exact}) and "
               r"repaired truncation at scale (Table~\ref{tab:frontier-scale}).", "frontier",
               width=0.6, escape_caption=False),
    ])
    return Section("Truncation revenue loss", tex, {"data/frontier.json": dumps(data)},
                   ok=not problems, problems=tuple(problems))
