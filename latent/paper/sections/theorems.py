"""Section 1: the machine-checked theorems, their audits and the grounding computations."""

from __future__ import annotations

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import latex_escape, table
from proofs import companion
from proofs.check import check_all
from proofs.grounding import groundings
from proofs.mechanism_theorems import mechanism_results
from proofs.report import (
    mechanism_summary,
    render_latex,
    render_mechanisms_latex,
    summary_line,
)


def theorems_section(ctx: Context) -> Section:
    checks = check_all(companion.THEOREMS)
    grounds = groundings()
    mechanisms = mechanism_results()
    problems = [c.theorem.name for c in checks if not c.ok]
    problems += [m.name for m in mechanisms if not (m.proved and m.ok)]
    problems += [g.name for g in grounds if not g.holds]

    rows = []
    for c in checks:
        a = c.audit
        rows.append([
            c.theorem.name,
            "proved" if c.proof else "NOT PROVED",
            "proved" if c.proof and c.proof.cvc5.unsat else "-",
            ", ".join(a.redundant) if a else "-",
            ", ".join(h.name for h in c.theorem.added) or "-",
            f"{a.mutants_refuted}/{len(a.mutants)}" if a else "-",
        ])
    summary = table(["theorem", "z3", "cvc5", "redundant", "added", "mutants refuted"], rows,
                    caption=summary_line(checks))
    calib = {
        "uniform_ms_gap (surrogate 1/4)": ["first_best_gains", "second_best_gains_cs_k_half"],
        "latent_efficiency_87pct (surrogate 7/8)": ["second_best_efficiency_ratio"],
        "latent_deficit_1_32 (surrogate 1/32)": ["vcg_deficit"],
    }
    by_name = {g.name: g for g in grounds}
    calib_rows = [[claim, name, f"{by_name[name].computed} (exact)"]
                  for claim, names in calib.items() for name in names]
    beside = table(["surrogate calibration", "exact quantity (uniform bilateral trade)",
                    "value"], calib_rows,
                   caption="Surrogate numbers beside exact values in the real model")
    tex = "\n\n".join([
        "All statements below are rendered from their sympy form. z3 (QF\\_NRA) proves each; "
        "cvc5 re-checks it from an independent translation; the audit reports redundant and "
        "added hypotheses and the mutants of the conclusion that were refuted.",
        summary, render_latex(checks, grounds), beside, render_mechanisms_latex(mechanisms),
    ])
    data = {
        "theorems": [c.to_dict() for c in checks],
        "grounding": [g.to_dict() for g in grounds],
        "mechanism_theorems": [m.to_dict() for m in mechanisms],
        "summary": summary_line(checks),
        "mechanism_summary": mechanism_summary(mechanisms),
    }
    if problems:
        tex += "\n\n" + latex_escape("FAILED: " + ", ".join(problems))
    return Section("Machine-checked theorems", tex, {"data/theorems.json": dumps(data)},
                   ok=not problems, problems=tuple(problems))
