"""The companion file of Nagy, *Latent Mechanism Design: Spectral Approximation of Optimal
Mechanisms*: its 16 scalar theorems, re-checked.

Each theorem is a sympy statement over real variables, proved by z3 (QF_NRA) and re-checked by
cvc5, then audited (non-vacuity, necessity of every hypothesis, minimal core, mutants). Where
the seed's hypotheses do not give its conclusion, the missing hypothesis is added *with the
countermodel that forces it*, and the report says so. Beside the surrogate calibrations the
report prints exact grounding computations in real models (uniform bilateral trade; n iid
U[0,1] bidders).

The report's second section proves theorems about mechanisms, several for every number of
bidders (second price, threshold rules, VCG with Clarke pivot, step rules: :mod:`proofs.any_n`),
each citing the lemmas it builds on, and ends with how many hold for every n.

The theorems themselves are data in :mod:`proofs.companion`; this script prints their report.
Run ``python mechanism_design_proof.py`` (table), ``--json`` or ``--latex``.

>>> [t.name for t in THEOREMS][:3]
['vcg_efficiency', 'vcg_budget_deficit', 'ms_gap_positive']
>>> len(THEOREMS)
16
"""

from __future__ import annotations

import sys

from proofs.companion import THEOREMS
from proofs.report import main as report_main

__all__ = ["THEOREMS", "main"]


def main(argv=None) -> int:
    """Print the report of :data:`proofs.companion.THEOREMS`; the exit code is 1 on any failure."""
    return report_main(THEOREMS, argv)


if __name__ == "__main__":
    sys.exit(main())
