"""Exact LPs: optimal discrete mechanisms, grade-restricted optima, rational certificates.

Entry points: ``optimal_mechanism`` (finite type spaces, BIC/DSIC), ``yao_optimal`` (Yao's
bi-valued setting), ``check_grand_bundling`` / ``smallest_bundling_shift`` (one buyer),
``frontier`` (revenue-grade frontier Rev^(R)), ``certify`` / ``verify`` (exact certificates).
"""

from numerics.lp.bundling import check_grand_bundling, smallest_bundling_shift
from numerics.lp.certificate import certify, verify
from numerics.lp.grade_restricted import frontier, grade_restricted_revenue
from numerics.lp.optimal import TypeSpace, optimal_mechanism
from numerics.lp.yao import yao_optimal

__all__ = [
    "TypeSpace",
    "certify",
    "check_grand_bundling",
    "frontier",
    "grade_restricted_revenue",
    "optimal_mechanism",
    "smallest_bundling_shift",
    "verify",
    "yao_optimal",
]
