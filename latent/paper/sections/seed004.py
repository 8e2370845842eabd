"""Section 5: seed 004's Table 1 reproduced with correct baselines and own-utility regret."""

from __future__ import annotations

from latent.paper.base import Context, Section, dumps
from latent.paper.latex import latex_escape, table
from latent.studies.seed004 import reproduce

LABELS = {"vickrey": "Vickrey", "myerson": "Myerson (true optimum)",
          "reserve1": "Vickrey, reserve 1", "seed_myerson": "seed's 'Myerson' code"}


def _est(e: dict, digits: int = 4) -> str:
    lo, hi = e["ci"]
    return f"{e['mean']:.{digits}f} ± {(hi - lo) / 2:.{digits}f}"


def seed004_section(ctx: Context) -> Section:
    samples, regret_samples = (200_000, 4_000) if ctx.quick else (2_000_000, 40_000)
    res = reproduce(samples, regret_samples, seed=ctx.seed, w_seeds=(0,))
    exact = res["exact"]
    oracle = {("uniform", "myerson"): exact["uniform_myerson"],
              ("uniform", "vickrey"): exact["uniform_vickrey"],
              ("exponential", "myerson"): exact["exponential_myerson"],
              ("exponential", "vickrey"): exact["exponential_vickrey"],
              ("uniform", "seed_myerson"): exact["seed_uniform_myerson"]}
    rows, problems = [], []
    for setting, row in res.items():
        if setting in ("exact", "seed_table"):
            continue
        base = setting.split("[")[0]
        reported = res["seed_table"].get(base, {})
        for mech, r in row.items():
            if mech == "w":
                continue
            ref = reported.get("myerson" if mech == "seed_myerson" else mech)
            truth = oracle.get((base, mech))
            lo, hi = r["revenue"]["ci"]
            # The CI is 95%: widen by 2x before calling a miss, so a miss is a real error.
            half = (hi - lo) / 2
            if truth is not None and not (lo - half <= truth <= hi + half):
                problems.append(f"{setting}/{mech}: revenue CI misses exact {truth:.6f}")
            rows.append([setting, LABELS[mech], _est(r["revenue"]),
                         f"{truth:.6f} (exact)" if truth is not None else "-",
                         _est(r["efficiency"], 3), _est(r["regret"], 4),
                         f"{r['ir_violations']['mean']:.4f}",
                         f"{ref[0]:.3f} / {ref[1]:.3f}" if ref else "-"])
    tex = "\n\n".join([
        latex_escape(f"Revenue and efficiency from {samples:,} profiles, ex-post regret on the "
                     f"deviating bidder's own utility from {regret_samples:,} profiles (grid "
                     "64 + 2 refinement rounds over the whole support); 95% CIs. The last "
                     "column is what seed 004 reports (revenue / its regret metric)."),
        table(["setting", "mechanism", "revenue", "exact", "efficiency",
                                  "regret", "IR viol.", "seed 004"], rows,
                                 caption="Seed 004, Table 1 (n = 4), reproduced; "
                                         "± is the 95% CI half-width"),
        latex_escape("The seed's Myerson baselines (0.643, 1.286) come from a rule that always "
                     "sells to the highest bidder at max(reserve, second bid): it violates IR "
                     "(column 7) and exceeds the true optimum."),
    ])
    return Section("Seed 004's table, reproduced", tex, {"data/seed004.json": dumps(res)},
                   ok=not problems, problems=tuple(problems))
