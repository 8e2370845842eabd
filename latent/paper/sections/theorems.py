"""Section 1: the machine-checked theorems, their audits and the grounding computations.

Every statement is set from its sympy form (:mod:`latent.paper.maths`); countermodels and
certificates are typeset assignments, never Python reprs.
"""

from __future__ import annotations

import sympy as sp

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import escape, table
from latent.paper.maths import assignment, latex, prose, statement, value
from proofs import companion
from proofs.bilateral import Grid
from proofs.check import check_all
from proofs.grounding import groundings
from proofs.mechanism_theorems import MS_GRIDS, mechanism_results
from proofs.myerson_symbolic import optimal_reserve_uniform
from proofs.report import mechanism_summary, summary_line
from proofs.statement import Hypothesis


def lead(mechanisms) -> str:
    """The section's opening paragraph, with the counts of this run."""
    every_n = sum(m.for_every_n and m.proved and m.ok for m in mechanisms)
    return LEAD.replace("NUMBER", str(len(mechanisms))).replace("EVERY_N", str(every_n))


LEAD = (
    r"\emph{What is shown.} The 16 scalar theorems of the companion file of \emph{Latent "
    r"Mechanism Design} (Nagy) and NUMBER theorems about actual mechanisms (EVERY_N of them "
    r"for every number of bidders), each proved in "
    r"this run, with the audit of its statement. \emph{From which command.} "
    r"\texttt{python mechanism\_design\_proof.py} (the same checks, as a report) or "
    r"\texttt{python -m latent appendix}. \emph{What it means.} z3 proves each statement "
    r"over the reals (QF\_NRA), or for every number of bidders with the bids an "
    r"uninterpreted function and bounded quantifiers (UFLIRA), and cvc5 re-checks it from an "
    r"independent translation; a theorem may cite proved lemmas, which enter its query as "
    r"hypotheses (its dependency tree is printed with it); the "
    r"audit shows that the hypotheses can hold together, which ones the proof needs (a "
    r"countermodel for each necessary one), which were added to the source's statement and "
    r"why, and that every mutant of the conclusion is refuted. "
    r"Table~\ref{tab:theorem-summary} summarises; the statements follow, each displayed "
    r"from its sympy form with the name of every hypothesis.")


def _names(names) -> str:
    return ", ".join(rf"\texttt{{{escape(n, breakable=True)}}}" for n in names) or "--"


def _tt(name: str) -> str:
    return rf"\texttt{{{escape(name, breakable=True)}}}"


def _summary(checks) -> str:
    rows = []
    for c in checks:
        a = c.audit
        rows.append([
            _tt(c.theorem.name),
            "proved" if c.proof else r"\textbf{not proved}",
            "proved" if c.proof and c.proof.cvc5.unsat else "--",
            _names(a.redundant) if a else "--",
            _names(h.name for h in c.theorem.added),
            f"{a.mutants_refuted}/{len(a.mutants)}" if a else "--",
        ])
    return table(["theorem", "z3", "cvc5", "redundant hypotheses", "added", "mutants"], rows,
                 summary_line(checks) + ". Mutants: refuted / generated.", "theorem-summary",
                 spec="lccLlr", escape_cells=False)


def _theorem_item(c) -> str:
    t, a = c.theorem, c.audit
    lines = [rf"\item[{_tt(t.name)}] ({escape(t.source)}) {prose(t.reading)}.",
             statement(t.hypotheses, t.conclusion)]
    status = "proved by z3 and cvc5" if c.proved else r"\textbf{not proved}"
    audit = [status]
    if a is not None:
        audit.append(f"mutants refuted {a.mutants_refuted}/{len(a.mutants)}")
        if a.redundant:
            audit.append("redundant: " + _names(a.redundant))
        audit.append("minimal core: " + _names(a.core))
        if not a.non_vacuous:
            audit.append(r"\textbf{vacuous}")
    elif c.error:
        audit.append(escape(c.error))
    lines.append(r"\emph{Audit:} " + "; ".join(audit) + ".")
    if a is not None:
        for h in a.hypotheses:
            if h.added:
                lines.append(rf"\emph{{Added}} {_tt(h.name)}: {prose(h.reason or '')}; "
                             rf"without it the statement fails at "
                             rf"{assignment(a.stated_countermodel or h.countermodel)}.")
    if t.note:
        lines.append(r"\emph{Note.} " + prose(t.note))
    return "\n".join(lines)


def _groundings_table(grounds) -> str:
    rows = [[_tt(g.name), escape(g.model), f"${latex(g.computed, fold=True)}$",
             ("" if g.holds else r"\textbf{mismatch} ") + escape(g.relates_to)]
            for g in grounds]
    return table(["quantity", "model", "exact value", "relates to"], rows,
                 "Grounding computations: exact values (sympy) in real models, beside the "
                 "surrogate calibrations they ground.", "grounding", spec="LLlL",
                 escape_cells=False)


def _calibration_table(grounds) -> str:
    calib = {
        "uniform_ms_gap": ("1/4", ["first_best_gains", "second_best_gains_cs_k_half"]),
        "latent_efficiency_87pct": ("7/8", ["second_best_efficiency_ratio"]),
        "latent_deficit_1_32": ("1/32", ["vcg_deficit"]),
    }
    by_name = {g.name: g for g in grounds}
    rows = [[_tt(claim), f"${value(surrogate, slash=True)}$", _tt(name),
             f"${latex(by_name[name].computed, fold=True)}$"]
            for claim, (surrogate, names) in calib.items() for name in names]
    return table(["surrogate theorem", "calibration", "exact quantity (uniform bilateral trade)",
                  "exact value"], rows,
                 "Surrogate calibrations beside exact values in the real model.",
                 "calibration", spec="LcLc", escape_cells=False)


def _grid(g: Grid) -> str:
    sep = r",\allowbreak "  # inline maths breaks only at relations unless told
    vals = r"\{" + sep.join(value(v, slash=True) for v in g.values) + r"\}"
    if len(set(g.probs)) == 1:
        return f"${vals}$, uniform"
    return f"${vals}$, $p = (" + sep.join(value(p, slash=True) for p in g.probs) + ")$"


def _grid_label(g: Grid) -> str:
    return g.label()


def _ms_tables(results) -> tuple[str, list[str]]:
    by_name = {r.name: r for r in results}
    rows, certs, problems = [], [], []
    for k, (b, s) in enumerate(MS_GRIDS, start=1):
        ms = by_name.get(f"myerson_satterthwaite[B={_grid_label(b)}; S={_grid_label(s)}]")
        vcg = by_name.get(f"vcg_deficit[B={_grid_label(b)}; S={_grid_label(s)}]")
        if ms is None or vcg is None:
            problems.append(f"grid {k}: no result")
            continue
        verdict = ms.evidence.details.get("verdict", "")
        checked = "yes" if ms.proved and ms.ok else r"\textbf{no}"
        rows.append([f"G{k}", _grid(b), _grid(s), escape(verdict), checked,
                     f"${value(vcg.evidence.details['deficit'], slash=True)}$",
                     f"${value(vcg.evidence.details['expected_gains'], slash=True)}$"])
        if verdict == "impossible":
            y = ms.evidence.details.get("certificate", {})
            certs.append([f"G{k}", str(len(y)), assignment(y, key=_constraint, slash=True)])
    mech = table(["grid", "buyer values", "seller costs", "efficient, BIC, IIR, BB",
                  "checked", "VCG deficit", "expected gains"], rows,
                 "Myerson--Satterthwaite decided exactly on finite grids (a checked mechanism "
                 "when possible, a Farkas certificate when impossible), and the VCG deficit "
                 "beside the expected gains from trade (exact rationals).", "ms-grids",
                 spec="lLLlccc", escape_cells=False)
    cert = table(["grid", "size", "Farkas multipliers (one per constraint used)"], certs,
                 r"The Farkas certificates of the impossible grids of Table~\ref{tab:ms-grids}, "
                 "checked in rationals (a tampered copy is rejected).", "farkas",
                 spec="lrL", escape_cells=False, escape_caption=False)
    return mech + "\n\n" + cert, problems


def _constraint(name: str) -> str:
    return rf"\text{{\small\ttfamily {escape(name)}}}"


def _myerson_item(r) -> str:
    a = optimal_reserve_uniform()
    checks = ", ".join(prose(k.replace("_", " ")) for k, ok in a.checks.items() if ok)
    crit = ", ".join(latex(c) for c in a.critical_points)
    return "\n".join([
        rf"\item[{_tt(r.name)}] ({escape(r.source)}) $n$ i.i.d.\ bidders with values "
        r"uniform on $[0,1]$, $n$ symbolic; $R(r)$ is the revenue of a second-price auction "
        r"with reserve $r$, by Myerson's lemma (sympy, exact):",
        r"\begin{gather*}",
        rf"R(r) = {latex(a.revenue)}, \qquad R'(r) = {latex(a.derivative)}, \\",
        rf"R'(r) = 0 \text{{ on }} (0, 1) \iff r = {crit}, \qquad "
        rf"R''(\tfrac12) = {latex(a.second_derivative_at_half)}, \\",
        rf"R(0) = {latex(a.second_price)}, \qquad R(\tfrac12) = {latex(a.myerson)}.",
        r"\end{gather*}",
        rf"\emph{{Checked exactly:}} {checks}.",
    ])


def _numbers(model) -> dict:
    """A countermodel's numbers (function tables stay in the JSON: they would not fit)."""
    return {k: v for k, v in (model or {}).items() if not str(v).startswith("[")}


def _proof_record(r) -> str | None:
    rec = r.proof_record
    if not rec:
        return None
    parts = [f"bidders: {escape(str(r.bidders))}", f"logic {escape(rec['logic'])}"]
    if rec["rule"] == "induction":
        parts.append("by induction (kernel rule), steps " + _names(rec["steps"]))
    if rec["lemmas"]:
        parts.append("cites " + _names(rec["lemmas"]))
    return r"\emph{Proof:} " + "; ".join(parts) + "."


def _extras(a: dict) -> list[str]:
    out = []
    for v in a.get("variants", []):
        at = (f" at {assignment(_numbers(v['countermodel']))}" if v["countermodel"] else "")
        out.append(rf"\emph{{Variant}} {_tt(v['name'])} ({prose(v['reading'])}): "
                   rf"{escape(v['outcome'])}{at}, as expected ({prose(v['why'])}).")
    inst = a.get("instances", [])
    if inst:
        out.append(r"\emph{Instances} (thresholds $t_i$ free of $b_i$ for $n = 2, \dots, 6$, "
                   r"checked in sympy; matched against the numeric families by a test): "
                   + ", ".join(_tt(c["family"]) + (" yes" if c["free_of_own_bid"] else
                                                   r" \textbf{no}") for c in inst) + ".")
    return out


LONG = 70  # characters of LaTeX beyond which a conjunctive hypothesis is set one part a line


def _lines(hypotheses) -> list[Hypothesis]:
    """The hypotheses for display: a long conjunction (a definition by axioms over n bidders)
    one conjunct a line, named on its first, so that no line runs into the margin."""
    out = []
    for h in hypotheses:
        parts = list(h.relation.args) if isinstance(h.relation, sp.And) else [h.relation]
        if len(parts) == 1 or len(latex(h.relation)) <= LONG:
            out.append(h)
            continue
        out += [Hypothesis(h.name if k == 0 else "", part) for k, part in enumerate(parts)]
    return out


def _kernel_item(r) -> str:
    t, a = r.check.theorem, r.check.audit
    lines = [rf"\item[{_tt(r.name)}] ({escape(r.source)}) {prose(r.reading)}.",
             statement(_lines(t.hypotheses), t.conclusion, alternatives=t.must_fail)]
    record = _proof_record(r)
    if record:
        lines.append(record)
    audit = ["proved by z3 and cvc5" if r.proved and r.ok else r"\textbf{not proved}"]
    if a is not None:
        audit.append(f"mutants refuted {a.mutants_refuted}/{len(a.mutants)}")
        if a.redundant:
            audit.append("redundant: " + _names(a.redundant))
        alternatives = dict(t.must_fail)
        for m in a.mutants:
            if m.kind in alternatives:
                audit.append(rf"the nearby claim {_tt(m.kind)} (set after ``not'') is "
                             rf"refuted at {assignment(_numbers(m.countermodel))}")
    lines.append(r"\emph{Audit:} " + "; ".join(audit) + ".")
    lines += _extras(r.audit)
    return "\n".join(lines)


def _grade_table(results) -> str:
    rows = []
    for r in results:
        comps = r.evidence.details.get("components_zero", [])
        sets = ", ".join(r"\{" + ", ".join(str(i) for i in u) + r"\}" for u in comps)
        rows.append([_tt(r.name), f"${sets}$",
                     "yes" if r.audit.get("own_component_nonzero_ok") else r"\textbf{no}",
                     "proved" if r.proved and r.ok else r"\textbf{not proved}"])
    return table(["instance", r"components $u$ with $E[\psi_i(v_i)\, x_u] = 0$",
                  r"$E[\psi_i\, x_{\{i\}}] \neq 0$", "status"], rows,
                 "Revenue is a grade-at-most-1 functional: on product grids with symbolic "
                 "weights, the virtual-value-weighted allocation has no component outside the "
                 "empty set and the bidder's own singleton (sympy, exact).", "revenue-grade",
                 spec="lLcc", escape_cells=False)


def _mechanisms(results) -> tuple[str, list[str]]:
    kernel = [r for r in results if r.check is not None]
    myerson = [r for r in results if r.name == "myerson_optimal_reserve_uniform"]
    grade = [r for r in results if r.name.startswith("revenue_is_grade_le1")]
    ms_tex, problems = _ms_tables(results)
    items = [_kernel_item(r) for r in kernel] + [_myerson_item(r) for r in myerson]
    listed = {r.name for r in kernel + myerson + grade}
    listed |= {r.name for r in results if r.name.startswith(("myerson_satterthwaite[",
                                                            "vcg_deficit["))}
    problems += [f"{r.name}: not typeset" for r in results if r.name not in listed]
    tex = "\n\n".join([
        r"\paragraph{Mechanism theorems.} Theorems about actual mechanisms, beyond the scalar "
        r"surrogates: " + escape(mechanism_summary(results)) + ". Kernel theorems (z3 and "
        r"cvc5, audited) and the symbolic Myerson analysis are displayed below; the exact "
        r"decisions of Myerson--Satterthwaite on finite grids and their certificates are in "
        r"Tables~\ref{tab:ms-grids} and~\ref{tab:farkas}, the grade identity in "
        r"Table~\ref{tab:revenue-grade}.",
        r"\begin{description}" + "\n" + "\n".join(items) + "\n" + r"\end{description}",
        ms_tex, _grade_table(grade)])
    return tex, problems


def theorems_section(ctx: Context) -> Section:
    checks = check_all(companion.THEOREMS)
    grounds = groundings()
    mechanisms = mechanism_results()
    problems = [c.theorem.name for c in checks if not c.ok]
    problems += [m.name for m in mechanisms if not (m.proved and m.ok)]
    problems += [g.name for g in grounds if not g.holds]
    mech_tex, mech_problems = _mechanisms(mechanisms)
    problems += mech_problems
    tex = "\n\n".join([
        lead(mechanisms),
        _summary(checks),
        r"\begin{description}" + "\n" + "\n\n".join(_theorem_item(c) for c in checks) + "\n"
        + r"\end{description}",
        escape(summary_line(checks)) + ".",
        r"\paragraph{Grounding computations.} The surrogate calibrations are compared with "
        r"exact values computed by sympy in real models: Table~\ref{tab:grounding} lists the "
        r"computations, Table~\ref{tab:calibration} sets each calibration beside the exact "
        r"quantity it stands for.",
        _groundings_table(grounds), _calibration_table(grounds),
        mech_tex,
    ])
    data = {
        "theorems": [c.to_dict() for c in checks],
        "grounding": [g.to_dict() for g in grounds],
        "mechanism_theorems": [m.to_dict() for m in mechanisms],
        "summary": summary_line(checks),
        "mechanism_summary": mechanism_summary(mechanisms),
    }
    if problems:
        tex += "\n\n" + escape("FAILED: " + ", ".join(problems))
    return Section("Machine-checked theorems", tex, {"data/theorems.json": dumps(data)},
                   ok=not problems, problems=tuple(problems))
