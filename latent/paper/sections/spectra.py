"""Section 2: grade spectra and ρ of auction formats (measured vs the seed's claims)."""

from __future__ import annotations

import math

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import escape, estimate, figure, table
from latent.paper.maths import prose
from latent.studies.landscape import landscape, smoothness

LEAD = (
    r"\emph{What is shown.} For each auction format, the ANOVA grade spectrum of its "
    r"allocation rule over bidders: $W_r$ is the energy of the grade-$r$ components (a "
    r"bidder's type is her value vector), and $\rho$ is the grade-decay rate fitted as "
    r"$W_r \approx C^2 \rho^{-2r}$ over the resolved grades. The seed's claimed grade and "
    r"$\rho$ (Nagy, \emph{Optimal Mechanism Design via Latent Compression}, \S 4.4) stand beside "
    r"the measured ones (Table~\ref{tab:landscape}, "
    r"Figure~\ref{fig:spectra}); Table~\ref{tab:smoothness} asks whether $\rho$ follows the "
    r"smoothness of the value distribution. \emph{From which command.} "
    r"\texttt{python -m latent landscape} and \texttt{python -m latent spectrum}. "
    r"\emph{What it means.} A large $\rho$ means the rule is well approximated by low-grade "
    r"(few-bidder) interactions; $\rho = \infty$ means the rule is additive across bidders. "
    r"Monte Carlo estimates carry 95\% confidence intervals in brackets.")


def _rho(r) -> str:
    value, ci = r.rho_value
    if math.isinf(value):
        return r"$\infty$ (structural)"
    if math.isnan(value):
        return "n/a (" + escape(r.rho.verdict) + ")"
    return estimate(value, ci, 3) if ci else f"{value:.3f} (no CI)"


def spectra_section(ctx: Context) -> Section:
    res = landscape(quick=ctx.quick, seed=ctx.seed, progress=False)
    rows, problems = [], []
    for r in res.rows:
        f = r.format
        rows.append([escape(f.label), escape(f.values), f"${f.n} \\times {f.m}$",
                     prose(f.claimed_grade), prose(r.measured_grade), prose(f.claimed_rho),
                     _rho(r), estimate(r.revenue.mean, r.revenue.ci, 3)])
        if f.key.startswith("posted") and "unlimited" in f.label.lower() \
                and not r.structurally_additive:
            problems.append(f"{f.label}: posted prices with unlimited supply must be grade 1")
    fig = "figures/spectra.pdf"
    (ctx.out / "figures").mkdir(parents=True, exist_ok=True)
    res.plot().figure.savefig(ctx.out / fig, dpi=120)
    smooth = smoothness("second_price", quick=ctx.quick, seed=ctx.seed)
    srows = [[escape(r.format.values), _rho(r), estimate(r.revenue.mean, r.revenue.ci, 4)]
             for r in smooth.rows]
    tex = "\n\n".join([
        LEAD,
        table(["format", "values", r"$N \times M$", "grade (seed)", "grade (measured)",
               r"$\rho$ (seed)", r"$\rho$ (measured)", "revenue"], rows,
              "The rho-landscape of auction formats: claimed (seed) and measured grade and "
              "rho, and the revenue, with 95% CIs.", "landscape", spec="LLcLLLLL",
              escape_cells=False, size=r"\footnotesize"),
        figure(fig, r"Grade spectra $W_r/\mathrm{Var}$ of the formats of "
               r"Table~\ref{tab:landscape} (95\% CIs).", "spectra", width=0.75,
               escape_caption=False),
        r"Is $\rho$ controlled by the smoothness of the value distribution? "
        r"Table~\ref{tab:smoothness} runs the same format (second price) under smooth and "
        r"rough value laws.",
        table(["values", r"$\rho$ (measured)", "revenue"], srows,
              "Second price under smooth and rough value distributions (95% CIs).",
              "smoothness", spec="Lrr", escape_cells=False),
        prose(res.exact_text()) if res.exact is not None else "",
    ])
    data = {"landscape": res.to_dict(),
            "smoothness": smooth.to_dict()}
    return Section("Grade spectra and rho", tex, {"data/landscape.json": dumps(data)},
                   ok=not problems, problems=tuple(problems))
