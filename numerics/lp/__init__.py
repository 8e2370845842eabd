"""Exact LPs: the one exact-LP and certificate core, and the mechanism LPs built on it.

The core: ``model`` (a rational ``LinearProgram``, solved by HiGHS), ``certificate`` (``certify``
recovers the basis and re-solves it in Fractions; ``verify`` checks a primal/dual pair exactly),
``farkas`` (solver-free checks of a feasible point or a Farkas certificate), ``exact_lp``
(``lp_min``: the exact infimum over free variables, optimal/unbounded/infeasible, each proved).

Built on it: ``optimal_mechanism`` (finite type spaces, BIC/DSIC), ``yao_optimal`` (Yao's
bi-valued setting), ``check_grand_bundling`` / ``smallest_bundling_shift`` (one buyer),
``frontier`` (revenue-grade frontier Rev^(R)).
"""

from numerics.lp.bundling import check_grand_bundling, smallest_bundling_shift
from numerics.lp.certificate import certify, verify
from numerics.lp.exact_lp import LPResult, lp_min
from numerics.lp.farkas import check_farkas, check_point
from numerics.lp.grade_restricted import frontier, grade_restricted_revenue
from numerics.lp.optimal import TypeSpace, optimal_mechanism
from numerics.lp.yao import yao_optimal

__all__ = [
    "LPResult",
    "TypeSpace",
    "certify",
    "check_farkas",
    "check_grand_bundling",
    "check_point",
    "frontier",
    "grade_restricted_revenue",
    "lp_min",
    "optimal_mechanism",
    "smallest_bundling_shift",
    "verify",
    "yao_optimal",
]
