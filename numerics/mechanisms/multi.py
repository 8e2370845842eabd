"""Multi-item mechanisms: item-wise wrappers, VCG with Clarke pivots, GSP, a one-buyer menu.

VCG: x ∈ argmax_a Σ_i v_i(a_i) (exact winner determination), p_i = W*_{−i} − (W* − v_i(a*_i)),
with W*_{−i} the optimum without bidder i. Unit demand uses ``linear_sum_assignment``;
combinatorial values (complements) enumerate all (N+1)^M assignments (small M, N).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy.optimize import linear_sum_assignment

from numerics.mechanisms.base import Mechanism
from numerics.valuations.profiles import bundle_value


@dataclass(frozen=True, eq=False)
class ItemWise(Mechanism):
    """Run a single-item mechanism on each item separately (additive values).

    >>> from numerics.mechanisms.single import SecondPrice
    >>> x, p = ItemWise(SecondPrice(2)).outcome(np.array([[[1.0, 0.2], [0.5, 0.9]]]))
    >>> x[0].tolist(), p.tolist()
    ([[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.2]])
    """

    inner: Mechanism
    kind: str = field(default="additive", init=False)

    @property
    def name(self):
        return f"itemwise_{self.inner.name}"

    @property
    def truthful(self):
        return self.inner.truthful

    def item_rule(self, m: int) -> Mechanism:
        """Item m is sold by the inner rule on item m's reports alone.

        >>> from numerics.mechanisms.single import SecondPrice
        >>> ItemWise(SecondPrice(2)).item_rule(1).name
        'second_price'
        """
        return self.inner

    def outcome(self, v):
        # every item's auction at once: the items become extra profiles of one call (the
        # inner rule treats profiles independently), not a Python loop of M calls
        batch, n, m = v.shape
        x, p = self.inner.outcome(v.transpose(0, 2, 1).reshape(batch * m, n, 1))
        x = x.reshape(batch, m, n).transpose(0, 2, 1)
        return x, p.reshape(batch, m, n).sum(axis=1)


def assignment_count(n: int, m: int, unit_demand: bool = False) -> int | float:
    """Rows of the exhaustive assignment table (item → bidder or unsold) of N bidders and M
    items, counted without building it: (N+1)^M, or with unit demand Σ_k C(M,k)·N!/(N−k)!;
    ``math.inf`` when the count is beyond a float (so that a huge M costs nothing to count).

    >>> assignment_count(2, 2), assignment_count(2, 2, True), len(_assignments(3, 2, True))
    (9, 7, 13)
    >>> assignment_count(3, 10**9), assignment_count(10**6, 10**6, True)
    (inf, inf)
    """
    if m * math.log(n + 1) > 700:  # (N+1)^M > 10^304; unit demand counts at least k! of it
        if not unit_demand or min(n, m) > 170:  # k = min(N, M): k! > 10^306
            return math.inf
    if not unit_demand:
        return (n + 1) ** m
    return sum(math.comb(m, k) * math.perm(n, k) for k in range(min(n, m) + 1))


def enumerated_assignments(mech, n: int, m: int, kind: str = "additive") -> int | float:
    """Assignments enumerated per profile by exact winner determination: by ``mech`` (a
    :class:`VCGEnumeration`) or, for ``kind`` values, by :func:`optimal_welfare` (``mech``
    None); 0 when nothing is enumerated. A cost estimate: every one is valued per profile.

    >>> enumerated_assignments(None, 3, 30, "complements") == 4**30
    True
    >>> enumerated_assignments(None, 3, 30), enumerated_assignments(None, 5, 5, "unit_demand")
    (0, 0)
    """
    if isinstance(mech, VCGEnumeration):
        return assignment_count(mech.n, mech.m, mech.kind == "unit_demand")
    if mech is not None or kind == "additive" or (kind == "unit_demand"
                                                  and _by_assignment_solver(n, m)):
        return 0
    return assignment_count(n, m, kind == "unit_demand")


# Unit-demand welfare is maximised by enumeration (vectorised over the batch) while the table
# is this small, else per profile by the assignment solver (3 bidders and 30 items have 27 061
# unit-demand assignments: the table for a batch would not fit).
MAX_UNIT_DEMAND_TABLE = 1000
ASSIGNMENT_SOLVE_COST = 1.2e4  # one linear_sum_assignment call, in evaluations (~10^-8 s)


def _by_assignment_solver(n: int, m: int) -> bool:
    return min(n, m) > 3 or assignment_count(n, m, True) > MAX_UNIT_DEMAND_TABLE


def _assignments(n: int, m: int, unit_demand: bool) -> np.ndarray:
    """All maps item → bidder or −1 (unsold), as an (A, M) array in lexicographic order; unit
    demand: ≤ 1 item each (built from the injective maps, not by filtering all (N+1)^M)."""
    if not unit_demand:
        return np.asarray(list(itertools.product(range(-1, n), repeat=m)), dtype=int)
    rows = []
    for k in range(min(n, m) + 1):
        for items in itertools.combinations(range(m), k):
            for owners in itertools.permutations(range(n), k):
                row = [-1] * m
                for j, i in zip(items, owners, strict=True):
                    row[j] = i
                rows.append(row)
    table = np.asarray(rows, dtype=int).reshape(len(rows), m)
    return table[np.lexsort(table.T[::-1])]  # the order of the (N+1)^M enumeration (ties)


def welfare_by_assignment(v: np.ndarray, kind: str, synergy: float, assign: np.ndarray):
    """Per-bidder values (batch, A, N) of every assignment row in ``assign`` (A, M).

    >>> welfare_by_assignment(np.array([[[1.0], [2.0]]]), "additive", 0.0,
    ...                       np.array([[-1], [0], [1]]))[0].tolist()
    [[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]]
    """
    n = v.shape[1]
    x = (assign[None, :, :] == np.arange(n)[:, None, None]).astype(float)  # (N, A, M)
    return np.stack(
        [bundle_value(v[:, None, i, :], x[i][None], kind, synergy) for i in range(n)], axis=2
    )


@dataclass(frozen=True, eq=False)
class VCGEnumeration(Mechanism):
    """VCG by exhaustive winner determination over (N+1)^M assignments (any bundle values).

    Below, bidder 1 alone would take both items (1.5 + 0 + synergy 1), so bidder 0 pays 2.5.

    >>> v = np.array([[[1.0, 1.0], [1.5, 0.0]]])
    >>> x, p = VCGEnumeration(2, 2, "complements", 1.0).outcome(v)
    >>> x[0].tolist(), p.tolist()
    ([[1.0, 1.0], [0.0, 0.0]], [[2.5, 0.0]])
    """

    n: int
    m: int
    kind: str = "additive"
    synergy: float = 0.0
    name: str = field(default="vcg", init=False)
    truthful: bool = field(default=True, init=False)

    @cached_property
    def table(self):
        return _assignments(self.n, self.m, self.kind == "unit_demand")

    def outcome(self, v):
        assign = self.table
        vals = welfare_by_assignment(v, self.kind, self.synergy, assign)  # (batch, A, N)
        total = vals.sum(axis=2)
        best = np.argmax(total, axis=1)
        rows = np.arange(v.shape[0])
        w_star = total[rows, best]
        p = np.empty((v.shape[0], self.n))
        for i in range(self.n):
            without = ~np.any(assign == i, axis=1)
            w_minus = (total[:, without] - vals[:, without, i]).max(axis=1)
            p[:, i] = w_minus - (w_star - vals[rows, best, i])
        chosen = assign[best]  # (batch, M)
        x = (chosen[:, None, :] == np.arange(self.n)[None, :, None]).astype(float)
        return x, p


def optimal_welfare(v: np.ndarray, kind: str = "additive", synergy: float = 0.0) -> np.ndarray:
    """max over feasible integral allocations of Σ_i v_i(a_i), per profile (batch,).

    >>> float(optimal_welfare(np.array([[[1.0, 3.0], [2.0, 2.5]]]), "unit_demand")[0])
    5.0
    """
    if kind == "additive":
        return np.maximum(v.max(axis=1), 0.0).sum(axis=1)
    if kind == "unit_demand" and _by_assignment_solver(v.shape[1], v.shape[2]):
        out = np.empty(v.shape[0])
        for b in range(v.shape[0]):
            r, c = linear_sum_assignment(np.maximum(v[b], 0.0), maximize=True)
            out[b] = np.maximum(v[b][r, c], 0.0).sum()
        return out
    assign = _assignments(v.shape[1], v.shape[2], kind == "unit_demand")
    return welfare_by_assignment(v, kind, synergy, assign).sum(axis=2).max(axis=1)


@dataclass(frozen=True, eq=False)
class VCGAssignment(Mechanism):
    """VCG for unit-demand bidders via ``scipy.optimize.linear_sum_assignment`` (per profile).

    >>> x, p = VCGAssignment(2, 2).outcome(np.array([[[1.0, 3.0], [2.0, 2.5]]]))
    >>> x[0].tolist(), p.tolist()
    ([[0.0, 1.0], [1.0, 0.0]], [[0.5, 0.0]])
    """

    n: int
    m: int
    kind: str = field(default="unit_demand", init=False)
    name: str = field(default="vcg_assignment", init=False)
    truthful: bool = field(default=True, init=False)

    def profile_cost(self) -> float:
        """N + 1 assignment problems per profile (the allocation and each bidder's absence),
        each about 1.2·10^4 evaluations of scipy's per-call overhead (measured 115–130 µs for
        3 × 30 and 10 × 10 on one core) beside its N·M·min(N, M) steps."""
        return (self.n + 1) * (ASSIGNMENT_SOLVE_COST + self.n * self.m * min(self.n, self.m))

    @staticmethod
    def _solve(mat):
        if mat.shape[0] == 0:
            return 0.0, (np.array([], int), np.array([], int))
        r, c = linear_sum_assignment(mat, maximize=True)
        return float(mat[r, c].sum()), (r, c)

    def outcome(self, v):
        batch = v.shape[0]
        x = np.zeros((batch, self.n, self.m))
        p = np.zeros((batch, self.n))
        for b in range(batch):
            mat = np.maximum(v[b], 0.0)  # an item worth ≤ 0 is as good as unsold
            w_star, (r, c) = self._solve(mat)
            keep = mat[r, c] > 0
            x[b, r[keep], c[keep]] = 1.0
            for i in range(self.n):
                w_minus, _ = self._solve(np.delete(mat, i, axis=0))
                own = mat[i, c[r == i]].sum() if np.any((r == i) & keep) else 0.0
                p[b, i] = w_minus - (w_star - own)
        return x, p


@dataclass(frozen=True, eq=False)
class GSP(Mechanism):
    """Generalised second price for K slots with click-through rates α_1 ≥ … ≥ α_K.

    A bidder's type is one per-click value v[:, i, 0] (further report columns are ignored), so
    reports may be (batch, N, 1) or (batch, N, K); the allocation x[:, i, k] = 1 iff bidder i holds
    slot k has one column per slot, shape (batch, N, K) — the contract's (batch, N, M) with
    M = K slots as the items (``make_mechanism("gsp", N, M)`` builds M slots). Bidder i's value
    is v_i Σ_k α_k x_ik. Slot k's holder pays α_k times the (k+1)-th highest bid.

    >>> x, p = GSP(3, (1.0, 0.5)).outcome(np.array([[[3.0], [1.0], [2.0]]]))
    >>> x[0].tolist(), p.tolist()
    ([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]], [[2.0, 0.0, 0.5]])
    """

    n: int
    ctrs: tuple = (1.0,)
    name: str = field(default="gsp", init=False)
    truthful: bool = field(default=False, init=False)

    def outcome(self, v):
        b = v[:, :, 0]
        batch = b.shape[0]
        k = min(len(self.ctrs), self.n)
        order = np.argsort(-b, axis=1, kind="stable")
        rows = np.arange(batch)
        x = np.zeros((batch, self.n, len(self.ctrs)))
        p = np.zeros((batch, self.n))
        for s in range(k):
            who = order[:, s]
            nxt = b[rows, order[:, s + 1]] if s + 1 < self.n else np.zeros(batch)
            x[rows, who, s] = 1.0
            p[rows, who] = self.ctrs[s] * np.maximum(nxt, 0.0)
        return x, p

    def value(self, v, x):
        return v[:, :, 0] * (x @ np.asarray(self.ctrs, float))

    def optimal_welfare(self, v):
        """Σ_k α_k v_(k): assortative matching of slots to values."""
        top = -np.sort(-np.maximum(v[:, :, 0], 0.0), axis=1)[:, : len(self.ctrs)]
        return top @ np.asarray(self.ctrs, float)[: top.shape[1]]


MANELLI_VINCENT = (
    ((1.0, 0.0), 2.0 / 3.0),
    ((0.0, 1.0), 2.0 / 3.0),
    ((1.0, 1.0), (4.0 - np.sqrt(2.0)) / 3.0),
)


@dataclass(frozen=True, eq=False)
class Menu(Mechanism):
    """One buyer chooses the utility-maximising option (allocation vector, price) or nothing.

    Default menu: Manelli–Vincent for two U[0,1] items (items at 2/3, bundle at (4−√2)/3).

    >>> x, p = Menu().outcome(np.array([[[0.9, 0.1]], [[0.7, 0.7]]]))
    >>> x[:, 0].tolist(), [round(float(a), 4) for a in p.ravel()]
    ([[1.0, 0.0], [1.0, 1.0]], [0.6667, 0.8619])
    """

    options: tuple = MANELLI_VINCENT
    kind: str = "additive"
    synergy: float = 0.0
    name: str = field(default="menu", init=False)
    truthful: bool = field(default=True, init=False)

    def outcome(self, v):
        if v.shape[1] != 1:
            raise ValueError("menu: a menu sells to one buyer (N = 1)")
        allocs = np.array([[0.0] * v.shape[2]] + [list(a) for a, _ in self.options])
        prices = np.array([0.0] + [pr for _, pr in self.options])
        util = bundle_value(v[:, :, None, :], allocs[None, None], self.kind, self.synergy)[:, 0]
        choice = np.argmax(util - prices, axis=1)
        return allocs[choice][:, None, :], prices[choice][:, None]
