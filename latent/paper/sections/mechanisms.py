"""Section 4: optimal and efficient mechanisms — exact, certified numbers."""

from __future__ import annotations

from pathlib import Path

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import latex_escape, table
from latent.paper.sections.optimal_lp import optimal_lp_part
from numerics.efficient import all_payments, seed_section3

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _efficient_part():
    rows, data, problems = [], [], []
    for r in all_payments(seed_section3(), verify_rules=("vcg", "weakest_type", "optimal")):
        ok = all(v.ok for v in r.verification.values()) and r.agree
        if not ok:
            problems.append(f"seed002 agent {r.agent}: verification failed")
        rows.append([r.agent, r.allocation, str(r.vcg), str(r.weakest_type), str(r.optimal),
                     "IC+IR verified exactly" if ok else "FAILED"])
        data.append(r.to_dict())
    tex = table(["agent", "efficient allocation", "VCG", "weakest type", "optimal", "check"],
                rows, caption="Seed 002, section 3: payments (exact rationals). The seed states "
                              "1, 2 and 4 for bidder 1.")
    return tex, data, problems


def mechanisms_section(ctx: Context) -> Section:
    parts, files, problems = [], {}, []
    tex, data, probs = _efficient_part()
    parts.append(r"\paragraph{Revenue-optimal efficient mechanisms (seed 002).} "
                 + latex_escape("Allocation-graph (Thm 4.3) and component-graph (Thm 4.6) "
                                "shortest paths with exact LP edge costs; both agree."))
    parts.append(tex)
    files["data/seed002_section3.json"] = dumps(data)
    problems += probs
    tex2, files2, probs2 = optimal_lp_part(ctx)
    parts.append(tex2)
    files.update(files2)
    problems += probs2
    return Section("Optimal and efficient mechanisms", "\n\n".join(parts), files,
                   ok=not problems, problems=tuple(problems))
