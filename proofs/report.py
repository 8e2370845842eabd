"""The report of ``python mechanism_design_proof.py``: a table, ``--json`` or ``--latex``."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import sympy as sp

from proofs.check import TheoremCheck, check_all
from proofs.grounding import Grounding, groundings
from proofs.lemmas import check_lemmas
from proofs.mechanism_theorems import (
    MechanismResult,
    any_n_results,
    fixed_n_results,
    mechanism_results,
)
from proofs.parallel import run_jobs
from proofs.solvers import DEFAULT_TIMEOUT_MS, solver_versions
from proofs.statement import Theorem
from proofs.tex import escape

latex_escape = escape  # the report's name for the project's one escaping function


def summary_line(checks: Sequence[TheoremCheck]) -> str:
    n_ok = sum(c.proved for c in checks)
    audits_ok = sum(c.ok for c in checks)
    line = f"{n_ok}/{len(checks)} theorems proved by z3 and cvc5, 0 axioms"
    if audits_ok != len(checks):
        line += f" ({len(checks) - audits_ok} failed the audit)"
    return line


def _audit_cell(c: TheoremCheck) -> str:
    a = c.audit
    if a is None:
        return c.error or "not audited"
    parts = []
    if a.redundant:
        parts.append("redundant: " + ", ".join(a.redundant))
    if c.theorem.added:
        parts.append("added: " + ", ".join(h.name for h in c.theorem.added))
    parts.append(f"mutants {a.mutants_refuted}/{len(a.mutants)} refuted")
    if not a.non_vacuous:
        parts.append("VACUOUS")
    return "; ".join(parts)


def render_text(checks: Sequence[TheoremCheck], grounds: Sequence[Grounding]) -> str:
    rows = [("theorem", "z3", "cvc5", "ms", "audit")]
    for c in checks:
        z = c.proof.z3.status if c.proof else "—"
        v = c.proof.cvc5.status if c.proof else "—"
        rows.append((c.theorem.name, "proved" if z == "unsat" else (c.error or z),
                     "proved" if v == "unsat" else v, f"{c.seconds * 1e3:.0f}", _audit_cell(c)))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    out = []
    for i, r in enumerate(rows):
        out.append("  ".join(x.ljust(w) for x, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
        if i == 0:
            out.append("-" * (sum(widths) + 8 + len("audit")))
        else:
            out.append("    " + checks[i - 1].theorem.reading)
    out.append("")
    out.append("Findings of the audit:")
    for c in checks:
        a = c.audit
        if a is None:
            continue
        for h in a.hypotheses:
            if h.added:
                out.append(f"  {c.theorem.name}: added {h.name} — {h.reason}; "
                           f"countermodel without it {a.stated_countermodel or h.countermodel}")
        if a.redundant:
            out.append(f"  {c.theorem.name}: redundant {', '.join(a.redundant)}; "
                       f"minimal core {{{', '.join(a.core)}}}")
    out.append("")
    out.append("Grounding (exact, sympy) beside the surrogate calibrations:")
    for g in grounds:
        mark = "exact" if g.holds else "MISMATCH"
        out.append(f"  {g.name:40s} {str(g.computed):36s} [{mark}; expected {g.expected}]"
                   f"  — {g.model}; relates to {g.relates_to}")
    out.append("")
    out.append(summary_line(checks))
    return "\n".join(out)


def mechanism_summary(results: Sequence[MechanismResult]) -> str:
    ok = sum(r.proved and r.ok for r in results)
    every_n = sum(r.proved and r.ok and r.for_every_n for r in results)
    return (f"{ok}/{len(results)} mechanism theorems proved and audited, "
            f"{every_n} of them for every number of bidders")


def _short(model: dict | None) -> str:
    """A countermodel without its function tables (the JSON has them): the numbers, n first."""
    if not model:
        return "{}"
    simple = {k: v for k, v in model.items() if not str(v).startswith("[")}
    order = sorted(simple, key=lambda k: (k not in ("n", "K"), k))
    return "{" + ", ".join(f"{k}: {simple[k]}" for k in order) + "}"


def _proof_line(r: MechanismResult) -> str | None:
    rec = r.proof_record
    if not rec:
        return None
    parts = [f"bidders: {r.bidders}", f"logic {rec['logic']}"]
    if rec["rule"] == "induction":
        parts.append("by induction: " + ", ".join(rec["steps"]))
    if rec["lemmas"]:
        parts.append("cites " + ", ".join(rec["lemmas"]))
    return " · ".join(parts)


def _mech_audit(r: MechanismResult) -> str:
    a = r.audit
    if r.check is not None:
        parts = [f"mutants {a.get('mutants_refuted')}/{a.get('mutants_total')} refuted"]
        if a.get("redundant_hypotheses"):
            parts.append("redundant: " + ", ".join(a["redundant_hypotheses"]))
        for label, cm in a.get("must_fail", {}).items():
            parts.append(f"{label} refuted at {_short(cm)}")
        for v in a.get("variants", []):
            at = f" at {_short(v['countermodel'])}" if v["countermodel"] else ""
            parts.append(f"variant {v['name']} {v['outcome']}{at} (expected {v['expected']})")
        for c in a.get("instances", []):
            parts.append(f"instance {c['family']}: t_1 = {c['threshold_1']}, free of b_i for "
                         f"n = {c['bidders_checked'][0]}..{c['bidders_checked'][-1]}: "
                         f"{'yes' if c['free_of_own_bid'] else 'NO'}")
        return "; ".join(parts)
    parts = [k.removesuffix("_ok") for k, v in a.items() if k.endswith("_ok") and v]
    bad = [k.removesuffix("_ok") for k, v in a.items() if k.endswith("_ok") and not v]
    text = "checked: " + ", ".join(parts) if parts else ""
    if bad:
        text += "; FAILED: " + ", ".join(bad)
    return text


def render_lemmas_text(lemmas: Sequence[TheoremCheck]) -> str:
    """The section of :data:`proofs.lemmas.LEMMAS` (empty when there are none)."""
    if not lemmas:
        return ""
    out = ["", "Your lemmas (proofs/lemmas.py):"]
    for c in lemmas:
        cites = [x.proof.theorem.name for x in c.proof.lemmas] if c.proof else []
        out.append(f"  {c.theorem.name}: {'proved' if c.ok else 'NOT PROVED'}"
                   + (f" · cites {', '.join(cites)}" if cites else "")
                   + (f" · {_audit_cell(c)}" if c.audit else f" · {c.error}"))
    out.append(f"{sum(c.ok for c in lemmas)}/{len(lemmas)} lemmas proved and audited")
    return "\n".join(out)


def render_mechanisms_text(results: Sequence[MechanismResult]) -> str:
    out = ["", "Mechanism theorems (beyond the scalar surrogates):"]
    for r in results:
        status = "proved" if r.proved and r.ok else "NOT PROVED"
        verdict = r.evidence.details.get("verdict")
        out.append(f"  {r.name}")
        out.append(f"      {status} · {r.method} · {r.seconds * 1e3:.0f} ms"
                   + (f" · {verdict}" if verdict else ""))
        out.append(f"      {r.reading}")
        proof_line = _proof_line(r)
        if proof_line:
            out.append(f"      {proof_line}")
        detail = _mech_audit(r)
        if detail:
            out.append(f"      audit: {detail}")
        for key in ("deficit", "expected_gains"):
            if key in r.evidence.details:
                out.append(f"      {key} = {r.evidence.details[key]} (exact)")
    out.append("")
    out.append(mechanism_summary(results))
    return "\n".join(out)


def render_json(checks, grounds, seconds: float, mechanisms=(), lemmas=()) -> str:
    return json.dumps({
        "theorems": [c.to_dict() for c in checks],
        "lemmas": [dict(c.to_dict(), cites=[x.proof.theorem.name for x in c.proof.lemmas]
                        if c.proof else []) for c in lemmas],
        "grounding": [g.to_dict() for g in grounds],
        "mechanism_theorems": [m.to_dict() for m in mechanisms],
        "mechanism_summary": mechanism_summary(mechanisms) if mechanisms else None,
        "summary": summary_line(checks),
        "proved": sum(c.proved for c in checks),
        "total": len(checks),
        "axioms": 0,
        "solvers": solver_versions(),
        "python": platform.python_version(),
        "sympy": sp.__version__,
        "seconds": seconds,
    }, indent=2, ensure_ascii=False, default=str)


def _statement_latex(t: Theorem) -> str:
    hyps = r" \;\wedge\; ".join(sp.latex(h.relation) for h in t.hypotheses) or r"\top"
    return rf"{hyps} \;\Longrightarrow\; {sp.latex(t.conclusion)}"


def render_latex(checks: Sequence[TheoremCheck], grounds: Sequence[Grounding]) -> str:
    lines = [r"% Generated by: python mechanism_design_proof.py --latex (do not edit)",
             r"\begin{description}"]
    for c in checks:
        t = c.theorem
        status = "proved by z3 and cvc5" if c.proved else "NOT PROVED"
        lines.append(rf"\item[\texttt{{{latex_escape(t.name)}}}] ({latex_escape(t.source)}) "
                     rf"{latex_escape(t.reading)}.")
        lines.append(rf"\[ {_statement_latex(t)} \]")
        lines.append(rf"Status: {status}; audit: {latex_escape(_audit_cell(c))}.")
        for h in t.added:
            lines.append(rf"Added hypothesis \texttt{{{latex_escape(h.name)}}}: "
                         rf"{latex_escape(h.reason)}.")
        if t.note:
            lines.append(rf"\emph{{Note.}} {latex_escape(t.note)}")
    lines.append(r"\end{description}")
    lines.append(r"\paragraph{Grounding computations (exact).}")
    lines.append(r"\begin{tabular}{lll}")
    lines.append(r"quantity & value & relates to \\ \hline")
    for g in grounds:
        lines.append(rf"\texttt{{{latex_escape(g.name)}}} & ${sp.latex(g.computed)}$ & "
                     rf"{latex_escape(g.relates_to)} \\")
    lines.append(r"\end{tabular}")
    lines.append("")
    lines.append(latex_escape(summary_line(checks)) + ".")
    return "\n".join(lines) + "\n"


def render_mechanisms_latex(results: Sequence[MechanismResult]) -> str:
    lines = [r"\paragraph{Mechanism theorems.}", r"\begin{description}"]
    for r in results:
        status = "proved" if r.proved and r.ok else "NOT PROVED"
        verdict = r.evidence.details.get("verdict")
        lines.append(rf"\item[\texttt{{{latex_escape(r.name)}}}] {latex_escape(r.reading)}. "
                     rf"Method: {latex_escape(r.method)}; status: {status}"
                     + (rf" ({latex_escape(verdict)})" if verdict else "") + ".")
        proof_line = _proof_line(r)
        if proof_line:
            lines.append(latex_escape(proof_line) + ".")
        detail = _mech_audit(r)
        if detail:
            lines.append(rf"Audit: {latex_escape(detail)}.")
    lines.append(r"\end{description}")
    lines.append(latex_escape(mechanism_summary(results)) + ".")
    return "\n".join(lines) + "\n"


def _nothing() -> tuple:
    return ()


@dataclass(frozen=True)
class ProofReport:
    """Everything the report prints: the theorems' checks, the groundings, the lemmas, the
    mechanism theorems, and the wall seconds they took."""

    checks: tuple
    grounds: tuple
    lemmas: tuple
    mechanisms: tuple
    seconds: float

    @property
    def ok(self) -> bool:
        """Whether every part holds (the script's exit status is 0 exactly then)."""
        return (all(c.ok for c in self.checks) and all(g.holds for g in self.grounds)
                and all(c.ok for c in self.lemmas)
                and all(m.proved and m.ok for m in self.mechanisms))

    def render(self, fmt: str = "text") -> str:
        """The report as the script prints it.

        Parameters
        ----------
        fmt : {"text", "json", "latex"}

        Returns
        -------
        str

        Raises
        ------
        ValueError
            Naming ``fmt`` when it is none of the three.

        >>> empty = ProofReport(checks=(), grounds=(), lemmas=(), mechanisms=(), seconds=0.0)
        >>> empty.ok, empty.render("latex").startswith("% Generated by")
        (True, True)
        >>> empty.render("html")
        Traceback (most recent call last):
        ...
        ValueError: fmt='html': choose one of text, json, latex
        """
        if fmt not in ("text", "json", "latex"):
            raise ValueError(f"fmt={fmt!r}: choose one of text, json, latex")
        if fmt == "json":
            return render_json(self.checks, self.grounds, self.seconds, self.mechanisms,
                               self.lemmas) + "\n"
        if fmt == "latex":
            text = render_latex(self.checks, self.grounds)
            return text + (render_mechanisms_latex(self.mechanisms) if self.mechanisms else "")
        parts = [render_text(self.checks, self.grounds)]
        if self.lemmas:
            parts.append(render_lemmas_text(self.lemmas))
        if self.mechanisms:
            parts.append(render_mechanisms_text(self.mechanisms))
        parts.append(f"checked in {self.seconds:.1f} s; z3 {solver_versions()['z3']}, "
                     f"cvc5 {solver_versions()['cvc5']}")
        return "\n".join(parts) + "\n"


def collect(theorems: Sequence[Theorem], *, timeout_ms: int = DEFAULT_TIMEOUT_MS,
            mechanisms: bool = True, lemmas: bool = True, mechanisms_fn=mechanism_results,
            lemmas_fn=check_lemmas) -> ProofReport:
    """Prove and audit ``theorems``, the groundings, and (unless switched off) the lemmas and
    the mechanism theorems: every part side by side on the machine's cores (they share
    nothing), the longest first so that the short ones fill the gaps at the end.

    Parameters
    ----------
    theorems : sequence of Theorem
        The statements to prove (z3) and re-check (cvc5), each with its audits.
    timeout_ms : int
        Per-query solver timeout.
    mechanisms, lemmas : bool
        Whether to include the mechanism theorems (``mechanisms_fn``) and the lemmas
        (``lemmas_fn``).

    Returns
    -------
    ProofReport
        Its :meth:`~ProofReport.render` gives the script's text, JSON or LaTeX.
    """
    if not mechanisms:
        mechanism_jobs = [_nothing]
    elif mechanisms_fn is mechanism_results:  # its two independent halves, one job each
        mechanism_jobs = [any_n_results, fixed_n_results]
    else:
        mechanism_jobs = [mechanisms_fn]
    jobs = [*mechanism_jobs, partial(check_all, list(theorems), timeout_ms=timeout_ms),
            groundings, lemmas_fn if lemmas else _nothing]
    t0 = time.perf_counter()
    *mech, checks, grounds, lems = run_jobs(jobs)
    return ProofReport(checks=tuple(checks), grounds=tuple(grounds), lemmas=tuple(lems),
                       mechanisms=tuple(r for part in mech for r in part),
                       seconds=time.perf_counter() - t0)


def main(theorems: Sequence[Theorem], argv=None, mechanisms_fn=mechanism_results,
         lemmas_fn=check_lemmas) -> int:
    parser = argparse.ArgumentParser(
        prog="mechanism_design_proof.py",
        description="Prove (z3), re-check (cvc5) and audit the companion file's theorems.",
        epilog="Example: python mechanism_design_proof.py --json > theorems.json",
    )
    fmt = parser.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="print the report as JSON")
    fmt.add_argument("--latex", nargs="?", const="-", metavar="FILE",
                     help="write the theorem table as LaTeX (to FILE, default stdout)")
    parser.add_argument("--timeout", type=int, default=DEFAULT_TIMEOUT_MS,
                        help="per-query solver timeout in ms (default %(default)s)")
    parser.add_argument("--only", metavar="NAME", action="append",
                        help="check only this theorem (repeatable)")
    parser.add_argument("--no-mechanisms", action="store_true",
                        help="skip the mechanism-theorems section (Vickrey, MS grids, …)")
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.exit(2, "error: --timeout must be positive\n")
    selected = list(theorems)
    if args.only:
        names = {t.name for t in theorems}
        unknown = sorted(set(args.only) - names)
        if unknown:
            parser.exit(2, f"error: unknown theorem(s): {', '.join(unknown)}\n")
        selected = [t for t in theorems if t.name in args.only]
    report = collect(selected, timeout_ms=args.timeout,
                     mechanisms=not (args.no_mechanisms or args.only), lemmas=not args.only,
                     mechanisms_fn=mechanisms_fn, lemmas_fn=lemmas_fn)
    text = report.render("json" if args.json else "latex" if args.latex else "text")
    if args.latex and args.latex != "-":
        with open(args.latex, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        sys.stdout.write(text)
    return 0 if report.ok else 1
